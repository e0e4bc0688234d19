import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "./common";
import { AppDns, RequiredDnsRecord } from "./dns";

/** SES always returns three DKIM tokens for Easy DKIM. */
const DKIM_TOKEN_COUNT = 3;

export interface MailDomainArgs {
  /** Domain the app sends mail from. Required. */
  domain: string;
  /** The app's DNS: records go into its Route53 zone, or are listed for the registrar. Required. */
  dns: AppDns;
}

/** Pure: the verification and DKIM records SES needs for a domain. */
export function sesRecords(domain: string, verificationToken: string, dkimTokens: string[]): RequiredDnsRecord[] {
  return [
    { name: `_amazonses.${domain}`, type: "TXT", value: verificationToken, purpose: "SES domain verification" },
    ...dkimTokens.map((t) => ({ name: `${t}._domainkey.${domain}`, type: "CNAME", value: `${t}.dkim.amazonses.com`, purpose: "SES DKIM signing key" })),
  ];
}

/**
 * An SES domain identity with Easy DKIM, so the app's mail (password resets, KYC status)
 * is signed and passes DMARC. In Route53 mode the records are created; otherwise they are
 * listed for the operator.
 */
export class MailDomain extends pulumi.ComponentResource {
  readonly identityArn: pulumi.Output<string>;

  constructor(name: string, args: MailDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("mail", "MailDomain"), name, {}, opts);
    const identity = new aws.ses.DomainIdentity(`${name}-identity`, { domain: args.domain }, { parent: this });
    const dkim = new aws.ses.DomainDkim(`${name}-dkim`, { domain: identity.domain }, { parent: this });
    const records = pulumi.all([identity.verificationToken, dkim.dkimTokens]).apply(([token, dkimTokens]) => sesRecords(args.domain, token, dkimTokens));
    if (args.dns.zoneId) {
      const zoneId = args.dns.zoneId;
      const verification = new aws.route53.Record(`${name}-verification`, {
        zoneId, name: `_amazonses.${args.domain}`, type: "TXT", ttl: 600, records: [identity.verificationToken],
      }, { parent: this });
      for (let i = 0; i < DKIM_TOKEN_COUNT; i++) {
        const token = dkim.dkimTokens[i];
        new aws.route53.Record(`${name}-dkim-${i}`, {
          zoneId, name: pulumi.interpolate`${token}._domainkey.${args.domain}`, type: "CNAME", ttl: 600, records: [pulumi.interpolate`${token}.dkim.amazonses.com`],
        }, { parent: this });
      }
      new aws.ses.DomainIdentityVerification(`${name}-verified`, { domain: identity.domain }, { parent: this, dependsOn: [verification] });
    } else {
      args.dns.addExternalRecords(records);
    }
    this.identityArn = identity.arn;
    this.registerOutputs({ identityArn: this.identityArn });
  }
}
