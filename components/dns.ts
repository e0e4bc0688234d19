/**
 * An app's DNS: an existing Route53 hosted zone (looked up by name), or an external registrar
 * where this program can create nothing and instead lists the exact records the operator must
 * add there. Other edge components (certificate, static site, app fleet) take the `AppDns`
 * handle and call `alias` / `addExternalRecords`, so each works the same in both modes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DnsConfig } from "../config";
import { invalidArg, typeToken } from "./common";

/** A record the operator must create at an external registrar. */
export interface RequiredDnsRecord {
  /** Fully qualified name, without the trailing dot. */
  name: string;
  /** CNAME, or ALIAS for a zone apex (see `AppDns.note`). */
  type: string;
  /** What the record points at, without the trailing dot. */
  value: string;
  /** Why the record is needed, in plain words. */
  purpose: string;
}

/** What a hostname points at. */
export interface AliasTarget {
  /** The kind of target: decides health evaluation and the advice given for external DNS. */
  kind: "cloudfront" | "alb";
  /** The target's DNS name (distribution domainName, load balancer dnsName). */
  dnsName: pulumi.Input<string>;
  /** The target's Route53 hosted zone id (distribution hostedZoneId, load balancer zoneId). */
  zoneId: pulumi.Input<string>;
  /** The target also answers on IPv6 (CloudFront with IPv6, dualstack ALB): an AAAA alias is added. */
  ipv6: boolean;
}

export interface AppDnsArgs {
  /** Where the app's DNS lives: the app's `dns` config. Required. */
  dns: DnsConfig;
  /** The app's primary hostname; in route53 mode it must be in the zone. Required. */
  domain: string;
  /**
   * The zone apex, for telling apex records (no CNAME possible) from subdomains.
   * Default: the Route53 zone name; for external DNS the last two labels of `domain`
   * (set it for registrable domains like example.co.uk).
   */
  apexDomain?: string;
}

const HOSTNAME_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A hostname is in a zone when it is the zone itself or ends with ".<zone>". */
export function isInZone(hostname: string, zone: string): boolean {
  return hostname === zone || hostname.endsWith(`.${zone}`);
}

/** Strips the trailing dot ACM and Route53 put on names. */
export function withoutTrailingDot(name: string): string {
  return name.replace(/\.$/, "");
}

/** Why an apex record cannot be a CNAME, and what to do instead. Pure. */
export function externalDnsNote(registrar: string, apex: string): string {
  return [
    `DNS for ${apex} is hosted at ${registrar}, so this program creates no DNS records: add every record in requiredRecords there.`,
    `Subdomains (www, api, ...) and certificate validation are plain CNAME records.`,
    `The zone apex (${apex}) cannot be a CNAME: DNS forbids a CNAME next to the SOA and NS records every apex has, and load balancers and CloudFront have no fixed IP address for an A record.`,
    `For the apex, use an ALIAS or ANAME record, or CNAME flattening, if ${registrar} offers it, pointing at the listed value.`,
    `If it does not, either move the domain's DNS to Route53 (dns.mode: route53, then alias records are created automatically) or use the registrar's domain forwarding to redirect ${apex} to https://www.${apex} and serve the site from www.`,
    `Keep the certificate validation records in place: ACM checks them again for every automatic renewal.`,
  ].join(" ");
}

/**
 * The records the operator must create at an external registrar for one hostname. A
 * subdomain gets a CNAME; the apex gets an ALIAS entry whose purpose spells out the options.
 */
export function externalAliasRecords(hostname: string, apex: string, target: string, kind: AliasTarget["kind"]): RequiredDnsRecord[] {
  const what = kind === "cloudfront" ? "the CloudFront distribution" : "the load balancer";
  const value = withoutTrailingDot(target);
  if (hostname !== apex) return [{ name: hostname, type: "CNAME", value, purpose: `${hostname} served by ${what}` }];
  return [{
    name: hostname,
    type: "ALIAS",
    value,
    purpose: `${hostname} (zone apex) served by ${what}: an ALIAS/ANAME or flattened CNAME if the registrar supports it; otherwise forward ${apex} to https://www.${apex} or move DNS to Route53 (a CNAME at the apex is impossible)`,
  }];
}

/** Removes repeated records (same name, type and value), keeping the first purpose. */
export function dedupeRecords(records: RequiredDnsRecord[]): RequiredDnsRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.name.toLowerCase()}|${r.type}|${r.value.toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The DNS handle of one app.
 *
 * Route53 mode: looks the hosted zone up by name (it must already exist: the registrar's
 * delegation to it is outside this program) and `alias` creates A (and AAAA) alias records.
 *
 * External mode: creates nothing. `alias` and `addExternalRecords` collect records, and
 * `requiredRecords` lists them once the program has been built: components add their records
 * while they are constructed (synchronously), and the list is sealed right after that, so a
 * late addition fails loudly instead of going missing from the stack output.
 */
export class AppDns extends pulumi.ComponentResource {
  readonly mode: DnsConfig["mode"];
  /** The zone apex (the Route53 zone name, or the registrable domain at the registrar). */
  readonly apexDomain: string;
  /** Hosted zone id; route53 mode only. */
  readonly zoneId?: pulumi.Output<string>;
  /** Records the operator must create at the registrar; empty in route53 mode. */
  readonly requiredRecords: pulumi.Output<RequiredDnsRecord[]>;
  /** What the operator has to know about this app's DNS (apex advice in external mode). */
  readonly note: string;

  private readonly pending: pulumi.Input<RequiredDnsRecord[]>[] = [];
  private sealed = false;
  private readonly aliased = new Set<string>();

  constructor(name: string, args: AppDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("dns", "AppDns"), name, {}, opts);
    const domain = args.domain;
    if (!HOSTNAME_RE.test(domain) || domain.startsWith("*.")) invalidArg("AppDns", "domain", `must be a lowercase hostname such as shop.example.com, got "${domain}"`);
    this.mode = args.dns.mode;

    if (args.dns.mode === "route53") {
      const zone = withoutTrailingDot(args.dns.zone);
      if (!HOSTNAME_RE.test(zone)) invalidArg("AppDns", "dns.zone", `must be a hosted zone name such as example.com, got "${args.dns.zone}"`);
      if (!isInZone(domain, zone)) invalidArg("AppDns", "domain", `"${domain}" is not in the Route53 zone "${zone}"`);
      if (args.apexDomain !== undefined && args.apexDomain !== zone) invalidArg("AppDns", "apexDomain", `is the zone name "${zone}" in route53 mode; leave it unset`);
      this.apexDomain = zone;
      // Public zones only: a private zone of the same name would answer nothing on the internet.
      this.zoneId = aws.route53.getZoneOutput({ name: zone, privateZone: false }, { parent: this }).zoneId;
      this.note = `DNS records are managed in the Route53 hosted zone ${zone}; nothing to do at the registrar beyond delegating ${zone} to the zone's name servers.`;
    } else {
      const apex = args.apexDomain ?? domain.split(".").slice(-2).join(".");
      if (!HOSTNAME_RE.test(apex) || !isInZone(domain, apex)) invalidArg("AppDns", "apexDomain", `must be the registrable domain "${domain}" belongs to, got "${apex}"`);
      if (!args.dns.registrar) invalidArg("AppDns", "dns.registrar", "must name the registrar hosting the DNS (for the operator's instructions)");
      this.apexDomain = apex;
      this.note = externalDnsNote(args.dns.registrar, apex);
    }

    // Sealed after the synchronous construction of the program (see the class comment).
    const built = new Promise<boolean>((resolve) => setImmediate(() => resolve(true)));
    this.requiredRecords = pulumi.output(built).apply(() => {
      this.sealed = true;
      return pulumi.output(this.pending).apply((lists) => dedupeRecords((lists as RequiredDnsRecord[][]).flat()));
    });
    this.registerOutputs({ zoneId: this.zoneId, requiredRecords: this.requiredRecords, note: this.note });
  }

  /**
   * Points `hostname` at `target`: Route53 alias records (A, plus AAAA for IPv6 targets)
   * named `${logicalName}-a` / `-aaaa` under `parent`, or, for external DNS, the records the
   * operator must create. Returns the Route53 records created (none in external mode).
   */
  alias(logicalName: string, hostname: string, target: AliasTarget, parent: pulumi.Resource): aws.route53.Record[] {
    this.checkOpen("alias");
    if (!HOSTNAME_RE.test(hostname) || hostname.startsWith("*.")) invalidArg("AppDns.alias", "hostname", `must be a lowercase hostname, got "${hostname}"`);
    if (!isInZone(hostname, this.apexDomain)) invalidArg("AppDns.alias", "hostname", `"${hostname}" is not under ${this.apexDomain}`);
    if (this.aliased.has(hostname)) invalidArg("AppDns.alias", "hostname", `"${hostname}" already points somewhere; one target per hostname`);
    this.aliased.add(hostname);

    if (this.mode === "external") {
      this.pending.push(pulumi.output(target.dnsName).apply((dnsName) => externalAliasRecords(hostname, this.apexDomain, dnsName, target.kind)));
      return [];
    }
    const types = target.ipv6 ? ["A", "AAAA"] : ["A"];
    return types.map((type) => new aws.route53.Record(`${logicalName}-${type.toLowerCase()}`, {
      zoneId: this.zoneId as pulumi.Output<string>,
      name: hostname,
      type,
      aliases: [{
        name: target.dnsName,
        zoneId: target.zoneId,
        // CloudFront aliases must not evaluate target health; an ALB's should, so Route53 stops
        // answering with a load balancer that has no healthy targets.
        evaluateTargetHealth: target.kind === "alb",
      }],
    }, { parent }));
  }

  /** Adds records the operator must create at the registrar (external mode only). */
  addExternalRecords(records: pulumi.Input<RequiredDnsRecord[]>): void {
    this.checkOpen("addExternalRecords");
    if (this.mode !== "external") invalidArg("AppDns.addExternalRecords", "records", "are only collected for external DNS; in route53 mode create them in the zone");
    this.pending.push(records);
  }

  private checkOpen(method: string): void {
    if (this.sealed) {
      throw new Error(`AppDns.${method}: called after the program was built; add DNS records while constructing components so they reach requiredRecords`);
    }
  }
}
