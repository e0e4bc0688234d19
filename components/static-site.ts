/**
 * A single-page app on a private S3 bucket behind CloudFront, with security headers, SPA
 * routing, access logs, a us-east-1 certificate and optional /api/* routing to a load balancer.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_CSP_MAX, HSTS_MAX_AGE_SECONDS, REFERRER_POLICY_VALUES } from "../lib/http-policy-rules";
import { FRAME_OPTIONS, HeadersConfig } from "./http-policy";
import { AcmCertificate } from "./certificate";
import { PlatformContext, invalidArg, typeToken } from "./common";
import { AppDns } from "./dns";
import { denyInsecureTransport, privateBucket } from "./private-bucket";

/** CloudFront rejects a Content-Security-Policy header value longer than this. */
/** CloudFront takes every Referrer-Policy value. */
export const CLOUDFRONT_REFERRER_POLICIES = REFERRER_POLICY_VALUES;
export type PriceClass = "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
const PRICE_CLASSES: PriceClass[] = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];

/** Requests to these paths go to an API origin (a load balancer) instead of the bucket. */
export interface ApiOrigin {
  /** HTTPS hostname of the API origin; the load balancer's certificate must cover it (e.g. api.<domain>). */
  domainName: pulumi.Input<string>;
  /** CloudFront path patterns, e.g. ["/api/*"]. At least one, each starting with "/". */
  pathPatterns: string[];
}

export interface StaticSiteArgs {
  /** Stack context: stack name, log retention. Required. */
  ctx: PlatformContext;
  /**
   * Keep what cannot be rebuilt: `protect` on the access-log bucket, and no forceDestroy on the
   * site and log buckets (the site's files are redeployed from the app's build; the
   * architectures set it in prod). @default false
   */
  protect?: boolean;
  /** Hostname the site is served on. Required. */
  domain: string;
  /** Also serve www.<domain>. @default false */
  www?: boolean;
  /** The app's DNS: alias records (Route53) or the records the operator adds. Required. */
  dns: AppDns;
  /** Security headers: the app's `headers` config. Required. */
  headers: HeadersConfig;
  /** Send the HSTS preload directive. @default true */
  hstsPreload?: boolean;
  /** A us-east-1 certificate covering domain (and www). @default one is created here in us-east-1 */
  certificateArn?: pulumi.Input<string>;
  /** ARN of a CLOUDFRONT-scope WAF web ACL. @default none */
  webAclArn?: pulumi.Input<string>;
  /** CloudFront price class (edge locations used; the architectures use the environment's). @default "PriceClass_100" */
  priceClass?: PriceClass;
  /** Route some paths to an API origin. @default none (everything from the bucket) */
  apiOrigin?: ApiOrigin;
  /** Days access logs are kept. @default the stack's log retention */
  logRetentionDays?: number;
  /**
   * The certificate is issued (or will be within this `pulumi up`), so the distribution (and
   * the bucket policy naming it) is created. While false (external DNS before the operator's
   * records exist) the buckets and the certificate are: CloudFront refuses names without an
   * issued certificate, and its *.cloudfront.net default certificate would allow TLS 1.0.
   * @default `dns.certificatesValidated`
   */
  certificateReady?: boolean;
}

/**
 * Viewer-request function for the SPA when an API shares the distribution: client-side
 * routes (paths whose last segment has no file extension) get the app shell. Used instead of
 * distribution-wide custom error responses, which would also turn the API's 403/404 answers
 * into a 200 index.html.
 */
export const SPA_ROUTING_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/') || uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    request.uri = '/index.html';
  }
  return request;
}
`;

/** The bucket policy: only this distribution reads, and only over TLS. Pure. */
export function siteBucketPolicy(bucketArn: string, distributionArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowThisDistributionOnly",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `${bucketArn}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
      },
      denyInsecureTransport(bucketArn),
    ],
  });
}

/** Rejects headers CloudFront would refuse, naming the component and field. */
export function checkHeaders(component: string, headers: HeadersConfig): void {
  if (headers.hstsMaxAgeSeconds < HSTS_MAX_AGE_SECONDS.min) invalidArg(component, "headers.hstsMaxAgeSeconds", `must be at least ${HSTS_MAX_AGE_SECONDS.min} (one year), got ${headers.hstsMaxAgeSeconds}`);
  if (!FRAME_OPTIONS.includes(headers.frameOptions)) invalidArg(component, "headers.frameOptions", `must be one of ${FRAME_OPTIONS.join(", ")}, got "${headers.frameOptions}"`);
  if (!CLOUDFRONT_REFERRER_POLICIES.includes(headers.referrerPolicy)) invalidArg(component, "headers.referrerPolicy", `must be one of ${CLOUDFRONT_REFERRER_POLICIES.join(", ")}, got "${headers.referrerPolicy}"`);
  const csp = headers.contentSecurityPolicy.trim();
  if (csp === "" || /[\r\n]/.test(csp)) invalidArg(component, "headers.contentSecurityPolicy", "must be a non-empty single-line policy");
  if (csp.length > CLOUDFRONT_CSP_MAX) invalidArg(component, "headers.contentSecurityPolicy", `is ${csp.length} characters; CloudFront accepts at most ${CLOUDFRONT_CSP_MAX}`);
}

/** The CloudFront response headers policy carrying the app's security headers (HSTS, nosniff, frame options, referrer, CSP). */
export function securityHeadersPolicy(name: string, headers: HeadersConfig, hstsPreload: boolean, parent: pulumi.Resource): aws.cloudfront.ResponseHeadersPolicy {
  return new aws.cloudfront.ResponseHeadersPolicy(name, {
    comment: `${name} security headers`,
    securityHeadersConfig: {
      strictTransportSecurity: { accessControlMaxAgeSec: headers.hstsMaxAgeSeconds, includeSubdomains: true, preload: hstsPreload, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: headers.frameOptions, override: true },
      referrerPolicy: { referrerPolicy: headers.referrerPolicy, override: true },
      contentSecurityPolicy: { contentSecurityPolicy: headers.contentSecurityPolicy.trim(), override: true },
    },
  }, { parent });
}

/**
 * The SPA: private versioned bucket readable only by its distribution (origin access
 * control, SigV4 always), CloudFront with TLS 1.2+, HTTP/2 and HTTP/3, IPv6, security
 * headers, SPA routing, standard access logs, and alias records for domain (and www).
 *
 * Access logs use CloudFront standard logging (legacy) to an S3 bucket: the distribution's
 * own `loggingConfig` (what AWS Config and the policy pack check), no extra us-east-1
 * resources. That delivery still writes through bucket ACLs, so the log bucket alone keeps
 * ACLs enabled (BucketOwnerPreferred); CloudFront grants its awslogsdelivery account on the
 * bucket ACL itself when logging is enabled, so no ACL is managed here (a managed ACL would
 * remove that grant on the next update). Every other bucket stays BucketOwnerEnforced.
 */
export class StaticSite extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** The distribution's id, ARN and domain name: undefined while `certificateReady` is false. */
  readonly distributionId?: pulumi.Output<string>;
  readonly distributionArn?: pulumi.Output<string>;
  readonly distributionDomainName?: pulumi.Output<string>;
  readonly certificateArn: pulumi.Output<string>;
  readonly logBucketName: pulumi.Output<string>;
  /** https:// URLs the site answers on. */
  readonly urls: string[];

  constructor(name: string, args: StaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("edge", "StaticSite"), name, {}, opts);
    const { ctx, headers } = args;
    const www = args.www ?? false;
    const hstsPreload = args.hstsPreload ?? true;
    const priceClass = args.priceClass ?? "PriceClass_100";
    const protect = args.protect ?? false;
    const logRetentionDays = args.logRetentionDays ?? ctx.logRetentionDays;
    checkHeaders("StaticSite", headers);
    if (!PRICE_CLASSES.includes(priceClass)) invalidArg("StaticSite", "priceClass", `must be one of ${PRICE_CLASSES.join(", ")}, got "${priceClass}"`);
    if (!Number.isInteger(logRetentionDays) || logRetentionDays < 1) invalidArg("StaticSite", "logRetentionDays", `must be a whole number of days >= 1, got ${logRetentionDays}`);
    if (typeof args.webAclArn === "string" && !/^arn:aws[\w-]*:wafv2:us-east-1:\d{12}:global\/webacl\//.test(args.webAclArn)) {
      invalidArg("StaticSite", "webAclArn", "must be the ARN of a CLOUDFRONT-scope (global, us-east-1) WAFv2 web ACL");
    }
    if (args.apiOrigin) {
      const patterns = args.apiOrigin.pathPatterns;
      if (patterns.length === 0) invalidArg("StaticSite", "apiOrigin.pathPatterns", "must list at least one path pattern, e.g. /api/*");
      for (const p of patterns) if (!p.startsWith("/") || p === "/*") invalidArg("StaticSite", "apiOrigin.pathPatterns", `must be paths under the site like /api/*, not "${p}"`);
      if (new Set(patterns).size !== patterns.length) invalidArg("StaticSite", "apiOrigin.pathPatterns", "must not repeat a pattern");
    }
    const hostnames = [args.domain, ...(www ? [`www.${args.domain}`] : [])];
    const parent = { parent: this };

    const site = privateBucket(`${name}-site`, this, {
      ownership: "BucketOwnerEnforced", versioned: true, forceDestroy: !protect, protect: false,
    });
    const logs = privateBucket(`${name}-logs`, this, {
      ownership: "BucketOwnerPreferred", versioned: false, expireDays: logRetentionDays,
      forceDestroy: !protect, protect,
    });

    const certificateArn = args.certificateArn !== undefined
      ? pulumi.output(args.certificateArn)
      : new AcmCertificate(`${name}-cert`, { domain: args.domain, www, dns: args.dns, region: "us-east-1" }, parent).certificateArn;

    this.bucketName = site.bucket.bucket;
    this.bucketArn = site.bucket.arn;
    this.certificateArn = certificateArn;
    this.logBucketName = logs.bucket.bucket;
    this.urls = hostnames.map((h) => `https://${h}`);
    if (!(args.certificateReady ?? args.dns.certificatesValidated)) {
      this.registerOutputs({ bucketName: this.bucketName, urls: this.urls });
      return;
    }

    const oac = new aws.cloudfront.OriginAccessControl(`${name}-oac`, {
      description: `${name}: CloudFront reads the site bucket with SigV4`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    }, parent);

    const headersPolicy = securityHeadersPolicy(`${name}-headers`, headers, hstsPreload, this);

    const managed = (name: string) => aws.cloudfront.getCachePolicyOutput({ name }, parent).apply((p) => p.id as string);
    const cachingOptimized = managed("Managed-CachingOptimized");
    const spaRouting = args.apiOrigin
      ? new aws.cloudfront.Function(`${name}-spa-routing`, {
          runtime: "cloudfront-js-2.0",
          comment: "SPA routes without a file extension get /index.html",
          code: SPA_ROUTING_FUNCTION,
          publish: true,
        }, parent)
      : undefined;

    const SITE_ORIGIN = "site-bucket";
    const API_ORIGIN = "api";
    const origins: aws.types.input.cloudfront.DistributionOrigin[] = [{
      originId: SITE_ORIGIN,
      domainName: site.bucket.bucketRegionalDomainName,
      originAccessControlId: oac.id,
    }];
    const orderedCacheBehaviors: aws.types.input.cloudfront.DistributionOrderedCacheBehavior[] = [];
    if (args.apiOrigin) {
      origins.push({
        originId: API_ORIGIN,
        domainName: args.apiOrigin.domainName,
        customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
      });
      const cachingDisabled = managed("Managed-CachingDisabled");
      const allViewerExceptHost = aws.cloudfront.getOriginRequestPolicyOutput({ name: "Managed-AllViewerExceptHostHeader" }, parent).apply((p) => p.id as string);
      for (const pathPattern of args.apiOrigin.pathPatterns) {
        orderedCacheBehaviors.push({
          pathPattern,
          targetOriginId: API_ORIGIN,
          // https-only: an API call over plain HTTP is refused rather than redirected, so a
          // POST body is never sent in clear text first.
          viewerProtocolPolicy: "https-only",
          allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
          cachedMethods: ["GET", "HEAD"],
          cachePolicyId: cachingDisabled,
          originRequestPolicyId: allViewerExceptHost,
          responseHeadersPolicyId: headersPolicy.id,
          compress: true,
        });
      }
    }

    const distribution = new aws.cloudfront.Distribution(`${name}-cdn`, {
      enabled: true,
      comment: `${name} (${ctx.stack})`,
      aliases: hostnames,
      defaultRootObject: "index.html",
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      priceClass,
      webAclId: args.webAclArn,
      origins,
      defaultCacheBehavior: {
        targetOriginId: SITE_ORIGIN,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: cachingOptimized,
        responseHeadersPolicyId: headersPolicy.id,
        compress: true,
        functionAssociations: spaRouting ? [{ eventType: "viewer-request", functionArn: spaRouting.arn }] : undefined,
      },
      orderedCacheBehaviors,
      // Without an API on the distribution, S3's 403 (missing key, OAC has no ListBucket) and
      // 404 become the app shell so client-side routes load; see SPA_ROUTING_FUNCTION otherwise.
      customErrorResponses: spaRouting ? [] : [403, 404].map((errorCode) => ({
        errorCode, responseCode: 200, responsePagePath: "/index.html", errorCachingMinTtl: 10,
      })),
      viewerCertificate: { acmCertificateArn: certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      loggingConfig: { bucket: logs.bucket.bucketDomainName, prefix: "cloudfront/", includeCookies: false },
    }, { parent: this, dependsOn: logs.ready });

    new aws.s3.BucketPolicy(`${name}-site`, {
      bucket: site.bucket.id,
      policy: pulumi.all([site.bucket.arn, distribution.arn]).apply(([b, d]) => siteBucketPolicy(b, d)),
    }, { parent: this, dependsOn: site.ready });
    new aws.s3.BucketPolicy(`${name}-logs`, {
      bucket: logs.bucket.id,
      policy: logs.bucket.arn.apply((b) => JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(b)] })),
    }, { parent: this, dependsOn: logs.ready });

    const target = { kind: "cloudfront" as const, dnsName: distribution.domainName, zoneId: distribution.hostedZoneId, ipv6: true };
    hostnames.forEach((h, i) => args.dns.alias(`${name}-${i === 0 ? "domain" : "www"}`, h, target, this));

    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
    this.distributionDomainName = distribution.domainName;
    this.registerOutputs({
      bucketName: this.bucketName, distributionId: this.distributionId, distributionArn: this.distributionArn,
      distributionDomainName: this.distributionDomainName, urls: this.urls,
    });
  }
}
