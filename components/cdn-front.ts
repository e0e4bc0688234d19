import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HeadersConfig } from "./http-policy";
import { AcmCertificate } from "./certificate";
import { PlatformContext, invalidArg, typeToken } from "./common";
import { AppDns } from "./dns";
import { denyInsecureTransport, privateBucket } from "./private-bucket";
import { PriceClass, checkHeaders, securityHeadersPolicy } from "./static-site";

export interface CdnFrontArgs {
  /** Stack context: stack name (comment), log retention. Required. */
  ctx: PlatformContext;
  /** Protect the access-log bucket (`protect`, no forceDestroy; the architectures set it in prod). @default false */
  protect?: boolean;
  /** CloudFront price class (edge locations used). @default "PriceClass_100" */
  priceClass?: PriceClass;
  /** Hostnames viewers use (domain, www, api): distribution aliases and its us-east-1 certificate. Required. */
  hostnames: string[];
  /**
   * Hostname that resolves to the load balancer (e.g. origin.<domain>). CloudFront forwards the
   * viewer's Host header, so the load balancer's certificate must also cover `hostnames`. Required.
   */
  originDomain: pulumi.Input<string>;
  /** The app's DNS: alias A/AAAA records to the distribution. Required. */
  dns: AppDns;
  /** Security headers added to every response. Required. */
  headers: HeadersConfig;
  /** Paths cached at the edge (immutable, fingerprinted assets). @default ["/static/*", "/assets/*"] */
  cachedPathPatterns?: string[];
  /** CLOUDFRONT-scope WAF ACL ARN. @default none */
  webAclArn?: pulumi.Input<string>;
  /** Days access logs are kept. @default the stack's log retention */
  logRetentionDays?: number;
  /**
   * The certificate is issued (or will be within this `pulumi up`), so the distribution is
   * created with it. While false (external DNS before the operator's records exist) only the
   * certificate and the log bucket are: CloudFront refuses names without an issued
   * certificate, and its *.cloudfront.net default certificate would drop viewers to TLS 1.0.
   * @default `dns.certificatesValidated`
   */
  certificateReady?: boolean;
}

/**
 * CloudFront in front of a load-balanced app: TLS 1.2+ for viewers and to the origin,
 * HTTP redirected to HTTPS, HTTP/2 and HTTP/3, IPv6, security headers, nothing cached but
 * fingerprinted assets, access logs, and an optional WAF ACL (which sees real client IPs,
 * unlike a regional ACL behind CloudFront).
 */
export class CdnFront extends pulumi.ComponentResource {
  /** Undefined while the certificate is not issued (`certificateReady` false). */
  readonly distributionArn?: pulumi.Output<string>;
  /** Undefined while the certificate is not issued (`certificateReady` false). */
  readonly distributionDomainName?: pulumi.Output<string>;
  readonly certificateArn: pulumi.Output<string>;
  readonly urls: string[];

  constructor(name: string, args: CdnFrontArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("edge", "CdnFront"), name, {}, opts);
    const { ctx } = args;
    if (args.hostnames.length === 0) invalidArg("CdnFront", "hostnames", "must list at least one hostname");
    checkHeaders("CdnFront", args.headers);
    const cached = args.cachedPathPatterns ?? ["/static/*", "/assets/*"];
    const parent = { parent: this };

    const cert = new AcmCertificate(`${name}-cert`, {
      domain: args.hostnames[0], extraNames: args.hostnames.slice(1), dns: args.dns, region: "us-east-1",
    }, parent);
    const logs = privateBucket(`${name}-logs`, this, {
      ownership: "BucketOwnerPreferred", versioned: false, expireDays: args.logRetentionDays ?? ctx.logRetentionDays,
      forceDestroy: !(args.protect ?? false), protect: args.protect ?? false,
    });
    new aws.s3.BucketPolicy(`${name}-logs`, {
      bucket: logs.bucket.id,
      policy: logs.bucket.arn.apply((b) => JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(b)] })),
    }, { parent: this, dependsOn: logs.ready });

    this.certificateArn = cert.certificateArn;
    this.urls = args.hostnames.map((h) => `https://${h}`);
    if (!(args.certificateReady ?? args.dns.certificatesValidated)) {
      this.registerOutputs({});
      return;
    }

    const headersPolicy = securityHeadersPolicy(`${name}-headers`, args.headers, true, this);
    const cachePolicy = (policy: string) => aws.cloudfront.getCachePolicyOutput({ name: policy }, parent).apply((p) => p.id as string);
    // AllViewer forwards Host, so the origin's nginx routes by the name the viewer used.
    const allViewer = aws.cloudfront.getOriginRequestPolicyOutput({ name: "Managed-AllViewer" }, parent).apply((p) => p.id as string);
    const ORIGIN = "load-balancer";
    const behaviour = {
      targetOriginId: ORIGIN,
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
      cachedMethods: ["GET", "HEAD"],
      responseHeadersPolicyId: headersPolicy.id,
      originRequestPolicyId: allViewer,
      compress: true,
    };
    const distribution = new aws.cloudfront.Distribution(`${name}-cdn`, {
      enabled: true,
      comment: `${name} (${ctx.stack})`,
      aliases: args.hostnames,
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      priceClass: args.priceClass ?? "PriceClass_100",
      webAclId: args.webAclArn,
      origins: [{
        originId: ORIGIN,
        domainName: args.originDomain,
        customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
      }],
      defaultCacheBehavior: { ...behaviour, cachePolicyId: cachePolicy("Managed-CachingDisabled") },
      orderedCacheBehaviors: cached.map((pathPattern) => ({ ...behaviour, pathPattern, cachePolicyId: cachePolicy("Managed-CachingOptimized") })),
      viewerCertificate: { acmCertificateArn: cert.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      loggingConfig: { bucket: logs.bucket.bucketDomainName, prefix: "cloudfront/", includeCookies: false },
    }, { parent: this, dependsOn: logs.ready });

    const target = { kind: "cloudfront" as const, dnsName: distribution.domainName, zoneId: distribution.hostedZoneId, ipv6: true };
    args.hostnames.forEach((h, i) => args.dns.alias(`${name}-host-${i}`, h, target, this));

    this.distributionArn = distribution.arn;
    this.distributionDomainName = distribution.domainName;
    this.registerOutputs({ distributionArn: this.distributionArn });
  }
}
