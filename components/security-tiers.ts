import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { invalidArg, typeToken } from "./common";

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
/** Port nginx listens on for the load balancer on fleet and container hosts. */
export const HOST_HTTP_PORT = 80;

export interface SecurityTiersArgs {
  /** VPC the groups belong to. Required. */
  vpcId: pulumi.Input<string>;
  /**
   * Where the app's hosts sit: "edge" for a single web host that faces the internet itself,
   * "fleet" for hosts behind a load balancer. Required.
   */
  hosts: "edge" | "fleet";
  /** CIDRs allowed to SSH to edge hosts. Default [] (no SSH; use SSM Session Manager). */
  adminCidrs?: string[];
  /** Open the PostgreSQL port on the data tier. Default true. */
  postgres?: boolean;
  /** Open the Redis port on the data tier. Default false. */
  redis?: boolean;
  /**
   * Who may reach the load balancer: "internet", or only "cloudfront" (AWS's origin-facing
   * prefix list) when a distribution fronts the app, so nobody can bypass its WAF. Default "internet".
   */
  loadBalancerSources?: "internet" | "cloudfront";
}

/** AWS-managed prefix list of CloudFront's origin-facing addresses. */
export const CLOUDFRONT_ORIGIN_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

interface Rule {
  /**
   * EC2 accepts only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=;{}!$* in a rule description (no
   * apostrophe; "&" only on CIDR rules), at most 255 characters.
   */
  description: string;
  port: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: pulumi.Input<string>;
  peer?: aws.ec2.SecurityGroup;
}

/**
 * An app's security groups, one per tier, with every rule a separate described resource:
 * - edge (single host): 80/443 from the world, SSH only from admin CIDRs;
 * - load balancer: 80/443 from the world, out only to the app tier;
 * - app (fleet hosts): only from the load balancer;
 * - data: PostgreSQL/Redis only from the app's host tier, by security group, never by CIDR.
 * Egress is limited to what each tier needs: HTTPS and HTTP (package mirrors) out, data ports
 * to the data tier. AWS DNS and NTP are not filtered by security groups.
 */
export class SecurityTiers extends pulumi.ComponentResource {
  /** Group of the hosts (edge host or fleet instances). */
  readonly hostSecurityGroupId: pulumi.Output<string>;
  /** Group of the load balancer; undefined for edge hosts. */
  readonly loadBalancerSecurityGroupId?: pulumi.Output<string>;
  readonly dataSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: SecurityTiersArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("network", "SecurityTiers"), name, {}, opts);
    const adminCidrs = args.adminCidrs ?? [];
    const postgres = args.postgres ?? true;
    const redis = args.redis ?? false;
    if (adminCidrs.length > 0 && args.hosts !== "edge") {
      invalidArg("SecurityTiers", "adminCidrs", "only applies to edge hosts; fleet hosts are reached through SSM Session Manager");
    }
    if (adminCidrs.some((c) => c === "0.0.0.0/0" || c.endsWith("/0"))) {
      invalidArg("SecurityTiers", "adminCidrs", "may not contain a /0: SSH is never open to the world");
    }

    const group = (tier: string, role: string, description: string) =>
      new aws.ec2.SecurityGroup(`${name}-${role}`, {
        vpcId: args.vpcId,
        description,
        // Rules are separate resources below; never mix them with inline rules (the provider would fight
        // itself). The provider removes AWS's default allow-all egress when it creates the group.
        tags: { Name: `${name}-${role}`, tier, role },
      }, { parent: this });
    const ingress = (sg: aws.ec2.SecurityGroup, id: string, rules: Rule[]) => rules.forEach((r, i) =>
      new aws.vpc.SecurityGroupIngressRule(`${name}-${id}-in-${i}`, ruleArgs(sg, r), { parent: this }));
    const egress = (sg: aws.ec2.SecurityGroup, id: string, rules: Rule[]) => rules.forEach((r, i) =>
      new aws.vpc.SecurityGroupEgressRule(`${name}-${id}-out-${i}`, ruleArgs(sg, r), { parent: this }));

    const data = group("data", "data", `${name} data tier: databases and caches`);
    const dataPorts: [number, string][] = [
      ...(postgres ? [[POSTGRES_PORT, "PostgreSQL"] as [number, string]] : []),
      ...(redis ? [[REDIS_PORT, "Redis"] as [number, string]] : []),
    ];
    const outbound = (dataOut: boolean): Rule[] => [
      { description: "HTTPS to AWS APIs, package mirrors and ACME", port: 443, cidrIpv4: "0.0.0.0/0" },
      { description: "HTTP to Ubuntu package mirrors", port: 80, cidrIpv4: "0.0.0.0/0" },
      ...(dataOut ? dataPorts.map(([port, what]) => ({ description: `${what} to the data tier`, port, peer: data })) : []),
    ];

    let hosts: aws.ec2.SecurityGroup;
    if (args.hosts === "edge") {
      hosts = group("edge", "edge", `${name} edge host: HTTP(S) from the internet`);
      ingress(hosts, "edge", [
        { description: "HTTP from the internet (redirected to HTTPS by nginx)", port: 80, cidrIpv4: "0.0.0.0/0" },
        { description: "HTTP from the internet over IPv6 (redirected to HTTPS)", port: 80, cidrIpv6: "::/0" },
        { description: "HTTPS from the internet", port: 443, cidrIpv4: "0.0.0.0/0" },
        { description: "HTTPS from the internet over IPv6", port: 443, cidrIpv6: "::/0" },
        ...adminCidrs.map((c) => ({ description: `SSH from admin network ${c}`, port: 22, cidrIpv4: c })),
      ]);
      egress(hosts, "edge", outbound(true));
    } else {
      const lb = group("edge", "lb", `${name} load balancer: HTTP(S) from the internet`);
      hosts = group("app", "app", `${name} app hosts: only from the load balancer`);
      if ((args.loadBalancerSources ?? "internet") === "cloudfront") {
        const cloudfront = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_PREFIX_LIST }, { parent: this }).id;
        ingress(lb, "lb", [{ description: "HTTPS from the CloudFront origin-facing addresses only", port: 443, prefixListId: cloudfront }]);
      } else {
        ingress(lb, "lb", [
          { description: "HTTP from the internet (redirected to HTTPS by the listener)", port: 80, cidrIpv4: "0.0.0.0/0" },
          { description: "HTTPS from the internet", port: 443, cidrIpv4: "0.0.0.0/0" },
        ]);
      }
      egress(lb, "lb", [{ description: "HTTP to nginx on the app hosts", port: HOST_HTTP_PORT, peer: hosts }]);
      ingress(hosts, "app", [{ description: "HTTP from the load balancer", port: HOST_HTTP_PORT, peer: lb }]);
      egress(hosts, "app", outbound(true));
      this.loadBalancerSecurityGroupId = lb.id;
    }
    ingress(data, "data", dataPorts.map(([port, what]) => ({ description: `${what} from the app hosts`, port, peer: hosts })));

    this.hostSecurityGroupId = hosts.id;
    this.dataSecurityGroupId = data.id;
    this.registerOutputs({ hostSecurityGroupId: this.hostSecurityGroupId, dataSecurityGroupId: this.dataSecurityGroupId });
  }
}

function ruleArgs(sg: aws.ec2.SecurityGroup, r: Rule): aws.vpc.SecurityGroupIngressRuleArgs {
  return {
    securityGroupId: sg.id,
    description: r.description,
    ipProtocol: "tcp",
    fromPort: r.port,
    toPort: r.port,
    cidrIpv4: r.cidrIpv4,
    cidrIpv6: r.cidrIpv6,
    prefixListId: r.prefixListId,
    referencedSecurityGroupId: r.peer?.id,
  };
}
