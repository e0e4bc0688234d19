/**
 * Who talks to whom in every app: the internet (or only CloudFront) to the edge, the edge to
 * the app hosts, the app hosts to their database and cache, and the hosts out to HTTPS and
 * HTTP (AWS APIs, package mirrors, ACME). AWS DNS and NTP are not filtered by security groups.
 * Nothing reaches a data store by address, only by group, and nothing but 80 and 443 is open
 * to the world (SSH only from admin CIDRs, on an edge host).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { invalidArg } from "../components/common";
import { Connections, Peers } from "../components/connections";
import { CLOUDFRONT_ORIGIN_PREFIX_LIST, HOST_HTTP_PORT, POSTGRES_PORT, REDIS_PORT, SecurityTiers, SecurityTiersArgs } from "../components/security-tiers";

export interface TierWiring {
  /** CIDRs allowed to SSH to an edge host. @default [] (use SSM Session Manager) */
  adminCidrs?: string[];
  /** The app has a PostgreSQL database. @default false */
  postgres?: boolean;
  /** The app has a Redis cache. @default false */
  redis?: boolean;
  /** Who may reach a fleet's load balancer: the internet, or only CloudFront (so nobody bypasses its WAF). @default "internet" */
  loadBalancerSources?: "internet" | "cloudfront";
}

/**
 * An app's security tiers with every connection declared (checked first, so a wrong wiring
 * creates nothing). The declaration order keeps the rules' former position-based names as
 * aliases (Connections legacyRulePrefix).
 */
export function appTiers(name: string, args: SecurityTiersArgs, w: TierWiring, opts?: pulumi.ComponentResourceOptions): SecurityTiers {
  const adminCidrs = w.adminCidrs ?? [];
  if (adminCidrs.length > 0 && args.hosts !== "edge") invalidArg("appTiers", "adminCidrs", "only applies to edge hosts; fleet hosts are reached through SSM Session Manager");
  if (adminCidrs.some((c) => c.endsWith("/0"))) invalidArg("appTiers", "adminCidrs", "may not contain a /0: SSH is never open to the world");
  const tiers = new SecurityTiers(name, args, opts);
  const { hosts, data, loadBalancer } = tiers;

  if (loadBalancer) {
    if ((w.loadBalancerSources ?? "internet") === "cloudfront") {
      const cloudfront = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_PREFIX_LIST }, { parent: tiers }).id;
      loadBalancer.allowFrom(Peers.prefixList(cloudfront, "cloudfront"), 443, "HTTPS from the CloudFront origin-facing addresses only");
    } else {
      loadBalancer.allowFrom(Peers.anyIpv4(), 80, "HTTP from the internet (redirected to HTTPS by the listener)");
      loadBalancer.allowFrom(Peers.anyIpv4(), 443, "HTTPS from the internet");
    }
    hosts.allowFrom(loadBalancer, HOST_HTTP_PORT, { out: "HTTP to nginx on the app hosts", in: "HTTP from the load balancer" });
  } else {
    hosts.allowFrom(Peers.anyIpv4(), 80, "HTTP from the internet (redirected to HTTPS by nginx)");
    hosts.allowFrom(Peers.anyIpv6(), 80, "HTTP from the internet over IPv6 (redirected to HTTPS)");
    hosts.allowFrom(Peers.anyIpv4(), 443, "HTTPS from the internet");
    hosts.allowFrom(Peers.anyIpv6(), 443, "HTTPS from the internet over IPv6");
    for (const c of adminCidrs) hosts.allowFrom(Peers.ipv4(c, `admin-${Peers.ipv4(c).label}`), 22, `SSH from admin network ${c}`);
  }
  hosts.allowTo(Peers.anyIpv4(), 443, "HTTPS to AWS APIs, package mirrors and ACME");
  hosts.allowTo(Peers.anyIpv4(), 80, "HTTP to Ubuntu package mirrors");
  const toData = (port: number, what: string, on: Connections) => on.allowFrom(hosts, port, { out: `${what} to the data tier`, in: `${what} from the app hosts` });
  if (w.postgres) toData(POSTGRES_PORT, "PostgreSQL", data);
  if (w.redis) toData(REDIS_PORT, "Redis", data);
  return tiers;
}
