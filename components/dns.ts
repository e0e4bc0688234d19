/**
 * An app's DNS: an existing Route53 hosted zone (looked up by name), or an external registrar
 * where this program can create nothing and instead lists the exact records the operator must
 * add there. Other edge components (certificate, static site, app fleet) take the `AppDns`
 * handle and call `alias` / `addExternalRecords`, so each works the same in both modes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HOSTNAME_RE } from "../lib/hostnames";
import { invalidArg, typeToken } from "./common";

/** Where an app's DNS lives. */
export type DnsConfig =
  | { mode: "route53"; /** Existing public hosted zone name; the app's domain must be in it. */ zone: string }
  | {
      mode: "external";
      /** Registrar name, for the instructions printed to the operator. */
      registrar: string;
      /**
       * The operator has created the records in `dnsRecords` and ACM has issued the app's
       * certificates: HTTPS (the load balancer's HTTPS listener, CloudFront) is built. While
       * false, the first `pulumi up` requests the certificates and lists the records without
       * waiting for them, and holds back everything that needs an issued certificate.
       * Default false (parseStackConfig always sets it; optional for configs built in code).
       * Not allowed with route53 mode or single-host apps (no ACM certificate).
       */
      certificateValidated?: boolean;
    };

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
  /**
   * What issues the app's TLS certificates: "acm" (this program, DNS-validated; with external
   * DNS staged by `dns.certificateValidated`) or "host" (Let's Encrypt on the host, which
   * retries until the records exist, so nothing is staged). Only changes the operator's note.
   * @default "acm"
   */
  certificates?: "acm" | "host";
  /**
   * The config key of this app's DNS settings, quoted in the operator's note.
   * @default `apps.<name>.dns` (the component's name is the app's name)
   */
  configKey?: string;
}

/** A hostname is in a zone when it is the zone itself or ends with ".<zone>". */
export function isInZone(hostname: string, zone: string): boolean {
  return hostname === zone || hostname.endsWith(`.${zone}`);
}

/** Strips the trailing dot ACM and Route53 put on names. */
export function withoutTrailingDot(name: string): string {
  return name.replace(/\.$/, "");
}

/** The steps of a first deploy with DNS at a registrar, in the order the operator takes them. */
export interface ExternalDnsStage {
  /** What issues the certificates (see AppDnsArgs.certificates). */
  certificates: "acm" | "host";
  /** `dns.certificateValidated` (acm only). */
  validated: boolean;
  /** The app's dns config key, e.g. apps.shop.dns. */
  configKey: string;
}

/**
 * What the operator does, step by step, then why an apex record cannot be a CNAME and what
 * to do instead. The README's "DNS at an external registrar" section says the same. Pure.
 */
export function externalDnsNote(registrar: string, apex: string, stage: ExternalDnsStage = { certificates: "acm", validated: true, configKey: "dns" }): string {
  const key = `${stage.configKey}.certificateValidated`;
  const steps = stage.certificates === "host"
    ? [
        `DNS for ${apex} is hosted at ${registrar}, so this program creates no DNS records.`,
        `Step 1 (this pulumi up): the host and its Elastic IP are created; nothing waits for DNS.`,
        `Step 2: at ${registrar}, create every record in dnsRecords (A records to the Elastic IP).`,
        `Step 3: the host's certbot gets its Let's Encrypt certificate over HTTP-01 at its next daily run (03:00), or at once with "sudo systemctl start <app>-certs.service" through ssmShellCommand; no second pulumi up is needed.`,
      ]
    : stage.validated
      ? [
          `DNS for ${apex} is hosted at ${registrar}, so this program creates no DNS records.`,
          `${key} is true: the certificates are issued and HTTPS is built. Keep every record in dnsRecords at ${registrar}, and add any new one it lists after an update.`,
        ]
      : [
          `DNS for ${apex} is hosted at ${registrar}, so this program creates no DNS records.`,
          `Step 1 (this pulumi up, ${key}: false): the ACM certificates are requested and HTTPS is held back until they are issued: nothing listens on port 443 and port 80 only redirects to HTTPS, so the app is never served unencrypted.`,
          `Step 2: at ${registrar}, create every record in dnsRecords: the certificate validation CNAMEs first, then the records for the app's names.`,
          `Step 3: when ACM shows the certificates as Issued (aws acm list-certificates; minutes after the CNAMEs resolve), set ${key}: true in Pulumi.<stack>.yaml and run pulumi up again: it adds the HTTPS listener and any CloudFront distribution.`,
          `Step 4 (CloudFront apps only): that run lists the CNAME records for the names CloudFront serves in dnsRecords (a distribution can only take its names once their certificate is issued); create them too.`,
        ];
  return [
    ...steps,
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
  /**
   * Whether the app's ACM certificates are (or will be, within this `pulumi up`) issued, so
   * HTTPS listeners and distributions can take them: always with Route53; with external DNS
   * once the operator sets `dns.certificateValidated`.
   */
  readonly certificatesValidated: boolean;
  /** The zone's name (Route53) or the registrable domain; keys the stack's validation records. */
  readonly zoneName: string;

  private readonly pending: pulumi.Input<RequiredDnsRecord[]>[] = [];
  private sealed = false;
  private readonly aliased = new Set<string>();

  constructor(name: string, args: AppDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("dns", "AppDns"), name, {}, opts);
    const domain = args.domain;
    if (!HOSTNAME_RE.test(domain)) invalidArg("AppDns", "domain", `must be a lowercase hostname such as shop.example.com, got "${domain}"`);
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
      this.certificatesValidated = true;
    } else {
      const apex = args.apexDomain ?? domain.split(".").slice(-2).join(".");
      if (!HOSTNAME_RE.test(apex) || !isInZone(domain, apex)) invalidArg("AppDns", "apexDomain", `must be the registrable domain "${domain}" belongs to, got "${apex}"`);
      if (!args.dns.registrar) invalidArg("AppDns", "dns.registrar", "must name the registrar hosting the DNS (for the operator's instructions)");
      this.apexDomain = apex;
      const certificates = args.certificates ?? "acm";
      if (certificates !== "acm" && certificates !== "host") invalidArg("AppDns", "certificates", `must be "acm" or "host", got "${certificates}"`);
      // Configs built in code may omit it: the staged default.
      const validated = args.dns.certificateValidated ?? false;
      if (certificates === "host" && validated) invalidArg("AppDns", "dns.certificateValidated", "does not apply when the host issues its own certificates (Let's Encrypt); leave it unset");
      this.certificatesValidated = certificates === "host" ? true : validated;
      this.note = externalDnsNote(args.dns.registrar, apex, { certificates, validated, configKey: args.configKey ?? `apps.${name}.dns` });
    }
    this.zoneName = this.apexDomain;

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
    if (!HOSTNAME_RE.test(hostname)) invalidArg("AppDns.alias", "hostname", `must be a lowercase hostname, got "${hostname}"`);
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

/** What ACM asks for to validate one name (from a certificate's domainValidationOptions). */
export interface ValidationRecordSpec {
  /** Record name, as ACM gives it (with or without the trailing dot). */
  name: string;
  /** Record type (CNAME). */
  type: string;
  /** Record value. */
  value: string;
}

/** The logical name of the stack's validation record for a base name. Pure. */
export function validationRecordName(base: string): string {
  return `acm-validation-${base.replace(/[^a-z0-9]+/g, "-")}`;
}

/**
 * The stack's ACM validation records in Route53: one record per validated name (zone + base
 * name), shared by every certificate for that name in the stack. ACM gives every certificate
 * for a name in an account the same validation CNAME, so a record per certificate would mean
 * two Pulumi resources owning one record set: the second create fails, or (allowOverwrite)
 * deleting either certificate deletes the record the other one renews with.
 *
 * Registered at the top of the stack, never under a certificate, and each record is named by
 * the name it validates: its URN depends neither on which certificate asked first nor on
 * whether that certificate still exists.
 */
export class ValidationRecords extends pulumi.ComponentResource {
  private readonly records = new Map<string, { base: string; zone: string; record: aws.route53.Record; value: pulumi.Output<ValidationRecordSpec> }>();

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("dns", "ValidationRecords"), name, {}, opts);
    this.registerOutputs({});
  }

  /**
   * The record validating `base` in `dns`'s zone, created on the first request. `spec` is the
   * requesting certificate's validation option for `base`; a later certificate's must match
   * the record (ACM gives the same one), which is checked when both are known. `previous` is
   * where a record for this name lived before there was a registry (its certificate and
   * logical name), aliased so an existing record is adopted rather than replaced; `provider`
   * keeps the provider it was created with.
   */
  record(dns: AppDns, base: string, spec: pulumi.Output<ValidationRecordSpec>, previous: { parent: pulumi.Resource; name: string }, provider?: pulumi.ProviderResource): pulumi.Output<string> {
    if (dns.mode !== "route53" || !dns.zoneId) invalidArg("ValidationRecords.record", "dns", "must be in route53 mode; with external DNS list the records for the operator");
    const logical = validationRecordName(base);
    const existing = this.records.get(logical);
    if (existing) {
      if (existing.base !== base) invalidArg("ValidationRecords.record", "base", `"${base}" and "${existing.base}" give the same record name ${logical}`);
      if (existing.zone !== dns.zoneName) invalidArg("ValidationRecords.record", "dns", `"${base}" is validated in the zone ${existing.zone} already; one zone per name in a stack, got ${dns.zoneName}`);
      return pulumi.all([existing.value, spec, existing.record.fqdn]).apply(([have, want, fqdn]) => {
        if (withoutTrailingDot(have.name) !== withoutTrailingDot(want.name) || withoutTrailingDot(have.value) !== withoutTrailingDot(want.value)) {
          throw new Error(`ValidationRecords: ACM asks for ${withoutTrailingDot(want.name)} -> ${withoutTrailingDot(want.value)} to validate ${base}, but the stack's record is ${withoutTrailingDot(have.name)} -> ${withoutTrailingDot(have.value)}`);
        }
        return fqdn;
      });
    }
    const record = new aws.route53.Record(logical, {
      zoneId: dns.zoneId,
      name: spec.name,
      type: spec.type,
      records: [spec.value],
      ttl: 300,
      // The record may predate this stack (another stack or a manual validation of the name).
      allowOverwrite: true,
    }, {
      parent: this,
      provider,
      aliases: [{ name: previous.name, parent: previous.parent }],
      // A replacement must delete before it creates: created first, the new record would
      // overwrite the same record set and the old one's delete would then remove it.
      deleteBeforeReplace: true,
    });
    this.records.set(logical, { base, zone: dns.zoneName, record, value: spec });
    return record.fqdn;
  }
}

// One registry per stack run, keyed on the root stack resource (tests record several runs).
const registries = new WeakMap<object, ValidationRecords>();
const NO_STACK = {};

/** The stack's validation-record registry, registered at the top of the stack on first use. */
export function validationRecords(): ValidationRecords {
  const key = pulumi.runtime.getStackResource() ?? NO_STACK;
  let registry = registries.get(key);
  if (!registry) {
    registry = new ValidationRecords("acm-validation");
    registries.set(key, registry);
  }
  return registry;
}
