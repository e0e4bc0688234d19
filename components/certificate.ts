/**
 * ACM certificates with DNS validation, in the stack's region (load balancers) or in
 * us-east-1 (CloudFront only accepts certificates from there), through the stack's shared
 * us-east-1 provider (./providers).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CERTIFICATE_NAME_RE, HOSTNAME_RE } from "../lib/hostnames";
import { invalidArg, typeToken } from "./common";
import { AppDns, RequiredDnsRecord, validationRecords, withoutTrailingDot } from "./dns";
import { US_EAST_1, usEast1Provider } from "./providers";

/** ACM's default quota of names on one certificate. */
export const MAX_CERTIFICATE_NAMES = 10;

/** The names on the certificate: domain, www.<domain> when asked, then the extras; no repeats. Pure. */
export function certificateNames(domain: string, www: boolean, extraNames: string[]): string[] {
  return [...new Set([domain, ...(www ? [`www.${domain}`] : []), ...extraNames])];
}

/**
 * The names ACM validates with distinct DNS records: a wildcard shares its record with the
 * name it covers (example.com and *.example.com get the same CNAME), so each base name
 * appears once. Pure.
 */
export function validationRecordBases(names: string[]): string[] {
  return [...new Set(names.map((n) => n.replace(/^\*\./, "")))];
}

/**
 * The validation records of a certificate, one per distinct record name, in the operator's
 * words. The purpose names the validated name, not the certificate: every certificate for
 * that name uses the same record, so the operator's list carries it once. Pure.
 */
export function dedupeValidationOptions(options: aws.types.output.acm.CertificateDomainValidationOption[]): RequiredDnsRecord[] {
  const seen = new Set<string>();
  const out: RequiredDnsRecord[] = [];
  for (const o of options) {
    const name = withoutTrailingDot(o.resourceRecordName);
    if (seen.has(name)) continue;
    seen.add(name);
    const base = o.domainName.replace(/^\*\./, "");
    out.push({
      name,
      type: o.resourceRecordType,
      value: withoutTrailingDot(o.resourceRecordValue),
      purpose: `ACM validation of ${base} (every certificate for ${base} uses it); keep it, renewals use it`,
    });
  }
  return out;
}

export interface AcmCertificateArgs {
  /** Primary name on the certificate. Required. */
  domain: string;
  /** Also cover www.<domain>. @default false */
  www?: boolean;
  /** More names, e.g. api.<domain> or *.<domain>. @default [] */
  extraNames?: string[];
  /**
   * The app's DNS. Route53: validation records are the stack's shared ones (ValidationRecords,
   * one per name). External: they are added to `dns.requiredRecords` for the operator. Required.
   */
  dns: AppDns;
  /**
   * "us-east-1" for a CloudFront certificate: created with the stack's shared us-east-1
   * provider whatever the stack's region. @default the stack's region, or the component's
   * `provider` option when one is passed.
   */
  region?: typeof US_EAST_1;
  /**
   * Wait until ACM has issued the certificate before `certificateArn` resolves, so listeners
   * and distributions never get a pending certificate. With external DNS it may only be true
   * once the operator's records exist (`dns.certificatesValidated`): before that the wait
   * could only time out. @default `dns.certificatesValidated` (true with Route53; with
   * external DNS the app's `dns.certificateValidated` setting)
   */
  waitForValidation?: boolean;
}

/**
 * An ACM certificate for domain (+ www) (+ extra names), validated through DNS by the stack's
 * validation records (one per name, shared with every other certificate for the name).
 */
export class AcmCertificate extends pulumi.ComponentResource {
  /** ARN to attach; in waiting mode it resolves only once the certificate is issued. */
  readonly certificateArn: pulumi.Output<string>;
  /** Names on the certificate. */
  readonly names: string[];
  /** Whether HTTPS may take the certificate in this `pulumi up` (see AppDns.certificatesValidated). */
  readonly issued: boolean;
  /** The deduplicated validation records (created in Route53, or listed for the operator). */
  readonly validationRecords: pulumi.Output<RequiredDnsRecord[]>;

  constructor(name: string, args: AcmCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("edge", "AcmCertificate"), name, {}, opts);
    const www = args.www ?? false;
    const extraNames = args.extraNames ?? [];
    const wait = args.waitForValidation ?? args.dns.certificatesValidated;
    if (!HOSTNAME_RE.test(args.domain)) invalidArg("AcmCertificate", "domain", `must be a lowercase hostname, got "${args.domain}"`);
    for (const n of extraNames) {
      if (!CERTIFICATE_NAME_RE.test(n)) invalidArg("AcmCertificate", "extraNames", `must be lowercase hostnames, optionally with a leading "*.", got "${n}"`);
    }
    if (args.region !== undefined && args.region !== US_EAST_1) invalidArg("AcmCertificate", "region", `may only be "${US_EAST_1}" (for CloudFront); leave it unset for the stack's region`);
    if (args.region !== undefined && opts?.provider) invalidArg("AcmCertificate", "region", "and the provider option both choose the region; pass one of them");
    if (wait && !args.dns.certificatesValidated) {
      invalidArg("AcmCertificate", "waitForValidation", "cannot be true before the operator has created the validation records (external DNS with dns.certificateValidated false): the wait would time out; leave it unset");
    }
    const names = certificateNames(args.domain, www, extraNames);
    if (names.length > MAX_CERTIFICATE_NAMES) invalidArg("AcmCertificate", "extraNames", `bring the certificate to ${names.length} names; ACM allows ${MAX_CERTIFICATE_NAMES} by default`);

    // Children inherit the component's provider option; the region flag picks the shared one.
    const provider = args.region === US_EAST_1 ? usEast1Provider() : undefined;
    const childOpts: pulumi.CustomResourceOptions = provider ? { parent: this, provider } : { parent: this };
    const cert = new aws.acm.Certificate(`${name}-cert`, {
      domainName: args.domain,
      subjectAlternativeNames: names.slice(1),
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048", // what every client and CloudFront accept
    }, childOpts);

    this.validationRecords = cert.domainValidationOptions.apply((o) => dedupeValidationOptions(o));
    let fqdns: pulumi.Output<string>[] | undefined;
    if (args.dns.mode === "route53") {
      // Record names are only known after creation, but which records exist is known now:
      // one per distinct base name, so the program's shape does not depend on an output.
      const registry = validationRecords();
      // A record the registry creates keeps the provider its certificate's records had.
      const recordProvider = provider ?? this.getProvider("aws:route53/record:Record");
      fqdns = validationRecordBases(names).map((base) => {
        const spec = cert.domainValidationOptions.apply((all) => {
          const o = all.find((x) => x.domainName.replace(/^\*\./, "") === base);
          if (!o) throw new Error(`AcmCertificate ${name}: ACM returned no validation record for ${base}`);
          return { name: o.resourceRecordName, type: o.resourceRecordType, value: o.resourceRecordValue };
        });
        // Before the registry, this certificate owned a record of this name (the alias adopts it).
        const previous = { parent: this, name: `${name}-validation-${base.replace(/[^a-z0-9]+/g, "-")}` };
        return registry.record(args.dns, base, spec, previous, recordProvider);
      });
    } else {
      args.dns.addExternalRecords(this.validationRecords);
    }

    if (wait) {
      // With external DNS the records are the operator's: ACM finds them itself.
      const validation = new aws.acm.CertificateValidation(`${name}-validation`, {
        certificateArn: cert.arn,
        validationRecordFqdns: fqdns,
      }, childOpts);
      this.certificateArn = validation.certificateArn;
    } else {
      this.certificateArn = cert.arn;
    }
    this.names = names;
    this.issued = args.dns.certificatesValidated;
    this.registerOutputs({ certificateArn: this.certificateArn, validationRecords: this.validationRecords });
  }
}
