import { AppConfig, contextFrom, loadStackConfig, PROFILES } from "../config";
import { AppDns } from "../components/dns";
import { SPA_ROUTING_FUNCTION, StaticSite } from "../components/static-site";
import { WebAcl } from "../components/waf";
import { RecordedResource, Recording, record } from "./harness";

const DIST = "aws:cloudfront/distribution:Distribution";
const BUCKET = "aws:s3/bucket:Bucket";
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy";
const RECORD = "aws:route53/record:Record";
const CERT = "aws:acm/certificate:Certificate";
const PROVIDER = "pulumi:providers:aws";

const app = (name: string): AppConfig => loadStackConfig().apps.find((a) => a.name === name)!;
const providerRegion = (rec: Recording, r: RecordedResource) =>
  rec.ofType(PROVIDER).find((p) => r.options.provider?.startsWith(`${p.urn}::`))?.inputs.region;
/** The child of `type` configuring `bucket` (ownership, access block, encryption, ...). */
const settingOf = (rec: Recording, type: string, bucket: RecordedResource) => rec.ofType(type).find((r) => r.inputs.bucket === bucket.id)!;

function siteOf(rec: Recording, name: string) {
  const urn = rec.one("webapp-platform:edge:StaticSite", name).urn;
  const mine = rec.descendants(urn);
  const one = (type: string, resName?: string) => {
    const hits = mine.filter((r) => r.type === type && (resName === undefined || r.name === resName));
    if (hits.length !== 1) throw new Error(`expected one ${type} ${resName ?? ""} under ${name}, found ${hits.length}`);
    return hits[0];
  };
  return { mine, one };
}

describe("SPA sites in the staging stack (Route53, no API on the distribution)", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const config = loadStackConfig();
      const ctx = contextFrom(config);
      const out: Record<string, unknown> = {};
      for (const name of ["investment-platform", "smartboostpro"]) {
        const a = app(name);
        const dns = new AppDns(a.name, { dns: a.dns, domain: a.domain });
        const waf = name === "investment-platform" ? new WebAcl(a.name, { ctx, scope: "CLOUDFRONT", rateLimits: a.rateLimits }) : undefined;
        const site = new StaticSite(a.name, { ctx, domain: a.domain, www: a.www, dns, headers: a.headers, webAclArn: waf?.webAclArn });
        out[name] = { urls: site.urls, distributionArn: site.distributionArn };
      }
      return out;
    });
  });

  it("keeps the bucket private: owner-enforced, all public access blocked, encrypted, versioned", () => {
    const { one } = siteOf(rec, "investment-platform");
    const bucket = one(BUCKET, "investment-platform-site");
    expect(settingOf(rec, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket).inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    expect(settingOf(rec, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket).inputs).toMatchObject({
      blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    });
    expect(settingOf(rec, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", bucket).inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).toBe("AES256");
    expect(settingOf(rec, "aws:s3/bucketVersioning:BucketVersioning", bucket).inputs.versioningConfiguration).toEqual({ status: "Enabled" });
  });

  it("admits only this distribution, by its ARN, and denies requests without TLS", () => {
    const { one } = siteOf(rec, "investment-platform");
    const bucket = one(BUCKET, "investment-platform-site");
    const dist = one(DIST);
    const doc = JSON.parse(settingOf(rec, POLICY, bucket).inputs.policy);
    const allow = doc.Statement.filter((s: any) => s.Effect === "Allow");
    expect(allow).toEqual([{
      Sid: "AllowThisDistributionOnly", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject",
      Resource: `${bucket.outputs.arn}/*`, Condition: { StringEquals: { "AWS:SourceArn": dist.outputs.arn } },
    }]);
    expect(dist.outputs.arn).toMatch(/^arn:aws:cloudfront::\d{12}:distribution\/E/);
    const deny = doc.Statement.find((s: any) => s.Effect === "Deny");
    expect(deny).toMatchObject({ Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(deny.Resource).toEqual([bucket.outputs.arn, `${bucket.outputs.arn}/*`]);
  });

  it("reads the bucket through origin access control, signing every request with SigV4", () => {
    const { one } = siteOf(rec, "investment-platform");
    const oac = one("aws:cloudfront/originAccessControl:OriginAccessControl");
    expect(oac.inputs).toMatchObject({ originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" });
    const origins = one(DIST).inputs.origins;
    expect(origins).toHaveLength(1);
    expect(origins[0]).toMatchObject({ originAccessControlId: oac.id, domainName: one(BUCKET, "investment-platform-site").outputs.bucketRegionalDomainName });
    expect(origins[0].s3OriginConfig).toBeUndefined(); // no legacy origin access identity
  });

  it("serves the SPA over HTTPS only, TLS 1.2+, HTTP/2 and HTTP/3, IPv6, with SPA fallback", () => {
    const dist = siteOf(rec, "investment-platform").one(DIST).inputs;
    expect(dist).toMatchObject({ enabled: true, defaultRootObject: "index.html", httpVersion: "http2and3", isIpv6Enabled: true, priceClass: "PriceClass_100", aliases: ["staging.investplatform.app"] });
    expect(dist.defaultCacheBehavior.viewerProtocolPolicy).toBe("redirect-to-https");
    expect(dist.defaultCacheBehavior.cachePolicyId).toBe("658327ea-f89d-4fab-a63d-7e88639e58f6"); // Managed-CachingOptimized
    expect(dist.viewerCertificate).toMatchObject({ sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
    expect(dist.customErrorResponses.map((e: any) => [e.errorCode, e.responseCode, e.responsePagePath])).toEqual([[403, 200, "/index.html"], [404, 200, "/index.html"]]);
  });

  it("uses a certificate made in us-east-1 although the stack is in eu-west-1", () => {
    const { one } = siteOf(rec, "investment-platform");
    const cert = one(CERT);
    expect(rec.region).toBe("eu-west-1");
    expect(providerRegion(rec, cert)).toBe("us-east-1");
    expect(cert.inputs.domainName).toBe("staging.investplatform.app");
    expect(one(DIST).inputs.viewerCertificate.acmCertificateArn).toBe(one("aws:acm/certificateValidation:CertificateValidation").outputs.certificateArn);
  });

  it("attaches the app's CLOUDFRONT web ACL by ARN", () => {
    const acl = rec.one("aws:wafv2/webAcl:WebAcl");
    expect(acl.inputs.scope).toBe("CLOUDFRONT");
    expect(providerRegion(rec, acl)).toBe("us-east-1");
    expect(siteOf(rec, "investment-platform").one(DIST).inputs.webAclId).toBe(acl.outputs.arn);
    expect(siteOf(rec, "smartboostpro").one(DIST).inputs.webAclId).toBeUndefined();
  });

  it("sends HSTS (1 year+, subdomains, preload), nosniff, the app's frame options, referrer policy and CSP", () => {
    const invest = app("investment-platform");
    const headers = siteOf(rec, "investment-platform").one(HEADERS).inputs.securityHeadersConfig;
    expect(headers.strictTransportSecurity).toEqual({ accessControlMaxAgeSec: 31536000, includeSubdomains: true, preload: true, override: true });
    expect(headers.strictTransportSecurity.accessControlMaxAgeSec).toBeGreaterThanOrEqual(365 * 24 * 3600);
    expect(headers.contentTypeOptions).toEqual({ override: true });
    expect(headers.frameOptions).toEqual({ frameOption: "DENY", override: true });
    expect(headers.referrerPolicy).toEqual({ referrerPolicy: "strict-origin-when-cross-origin", override: true });
    expect(headers.contentSecurityPolicy).toEqual({ contentSecurityPolicy: invest.headers.contentSecurityPolicy, override: true });
    expect(siteOf(rec, "smartboostpro").one(HEADERS).inputs.securityHeadersConfig.frameOptions.frameOption).toBe("SAMEORIGIN");
    const { one } = siteOf(rec, "investment-platform");
    expect(one(DIST).inputs.defaultCacheBehavior.responseHeadersPolicyId).toBe(one(HEADERS).id);
  });

  it("writes access logs to a private log bucket that expires them", () => {
    const { one } = siteOf(rec, "investment-platform");
    const logs = one(BUCKET, "investment-platform-logs");
    expect(one(DIST).inputs.loggingConfig).toEqual({ bucket: logs.outputs.bucketDomainName, prefix: "cloudfront/", includeCookies: false });
    // CloudFront standard logs are written through the bucket ACL: ACLs stay enabled here only.
    expect(settingOf(rec, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", logs).inputs.rule).toEqual({ objectOwnership: "BucketOwnerPreferred" });
    expect(settingOf(rec, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", logs).inputs).toMatchObject({ blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true });
    expect(settingOf(rec, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", logs).inputs.rules[0].expiration).toEqual({ days: 14 });
    expect(rec.ofType("aws:s3/bucketAcl:BucketAcl")).toEqual([]);
  });

  it("aliases the domain to the distribution with A and AAAA records", () => {
    const { mine, one } = siteOf(rec, "investment-platform");
    const dist = one(DIST);
    const records = mine.filter((r) => r.type === RECORD && r.inputs.aliases);
    expect(records.map((r) => [r.inputs.name, r.inputs.type])).toEqual([["staging.investplatform.app", "A"], ["staging.investplatform.app", "AAAA"]]);
    for (const r of records) expect(r.inputs.aliases[0]).toEqual({ name: dist.outputs.domainName, zoneId: dist.outputs.hostedZoneId, evaluateTargetHealth: false });
  });
});

describe("the SaaS SPA in prod with /api/* on the same distribution", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const config = loadStackConfig();
      const a = app("saas-platform");
      const dns = new AppDns(a.name, { dns: a.dns, domain: a.domain });
      // Protected and priced as architectures/spa-api.ts maps them from the environment's profile.
      const ctx = contextFrom(config);
      new StaticSite(a.name, {
        ctx, protect: PROFILES[ctx.environment].protectData, priceClass: PROFILES[ctx.environment].cdnPriceClass, domain: a.domain, www: a.www, dns, headers: a.headers,
        apiOrigin: { domainName: a.apiDomain, pathPatterns: ["/api/*", "/admin/*"] },
      });
    }, { stack: "prod" });
  });

  it("uses the prod price class and serves apex and www", () => {
    const dist = rec.one(DIST).inputs;
    expect(dist.priceClass).toBe("PriceClass_200");
    expect(dist.aliases).toEqual(["saasplatform.io", "www.saasplatform.io"]);
    expect(rec.one(CERT).inputs.subjectAlternativeNames).toEqual(["www.saasplatform.io"]);
    expect(rec.ofType(RECORD).filter((r) => r.inputs.aliases).map((r) => `${r.inputs.name} ${r.inputs.type}`)).toEqual([
      "saasplatform.io A", "saasplatform.io AAAA", "www.saasplatform.io A", "www.saasplatform.io AAAA",
    ]);
  });

  it("routes the API paths to the API over HTTPS, uncached, forwarding all but the Host header", () => {
    const dist = rec.one(DIST).inputs;
    const api = dist.origins.find((o: any) => o.originId === "api");
    expect(api.domainName).toBe("api.saasplatform.io");
    expect(api.customOriginConfig).toMatchObject({ originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] });
    expect(dist.orderedCacheBehaviors.map((b: any) => b.pathPattern)).toEqual(["/api/*", "/admin/*"]);
    for (const b of dist.orderedCacheBehaviors) {
      expect(b).toMatchObject({
        targetOriginId: "api", viewerProtocolPolicy: "https-only",
        cachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", // Managed-CachingDisabled
        originRequestPolicyId: "b689b0a8-53d0-40ab-baf2-68738e2966ac", // Managed-AllViewerExceptHostHeader
      });
      expect(b.allowedMethods).toEqual(expect.arrayContaining(["POST", "PUT", "DELETE"]));
    }
  });

  it("does SPA fallback with a viewer-request function so API errors are not rewritten to index.html", () => {
    const dist = rec.one(DIST).inputs;
    const fn = rec.one("aws:cloudfront/function:Function");
    expect(fn.inputs).toMatchObject({ runtime: "cloudfront-js-2.0", publish: true, code: SPA_ROUTING_FUNCTION });
    expect(dist.defaultCacheBehavior.functionAssociations).toEqual([{ eventType: "viewer-request", functionArn: fn.outputs.arn }]);
    expect(dist.customErrorResponses).toEqual([]);
    // The function itself: routes without an extension get the shell, files do not.
    const handler = new Function(`${SPA_ROUTING_FUNCTION}; return handler;`)();
    const uri = (u: string) => handler({ request: { uri: u } }).uri;
    expect([uri("/dashboard/settings"), uri("/"), uri("/assets/app.3f2a.js"), uri("/v1.2/report")]).toEqual(["/index.html", "/index.html", "/assets/app.3f2a.js", "/index.html"]);
  });

  it("protects the access-log bucket in prod but not the redeployable site bucket", () => {
    expect(rec.one(BUCKET, "saas-platform-logs").options.protect).toBe(true);
    expect(rec.one(BUCKET, "saas-platform-site").options.protect).toBe(false);
    expect(rec.one(BUCKET, "saas-platform-site").inputs.forceDestroy).toBe(false);
  });
});

describe("static site arguments", () => {
  it("rejects weak headers, bad API paths and a regional WAF ACL, naming the field", async () => {
    await record(() => {
      const config = loadStackConfig();
      const ctx = contextFrom(config);
      const a = app("saas-platform");
      const dns = new AppDns("x", { dns: a.dns, domain: a.domain });
      const base = { ctx, domain: a.domain, dns, headers: a.headers, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" };
      expect(() => new StaticSite("a", { ...base, headers: { ...a.headers, hstsMaxAgeSeconds: 86400 } })).toThrow(/StaticSite: args\.headers\.hstsMaxAgeSeconds must be at least 31536000/);
      expect(() => new StaticSite("b", { ...base, headers: { ...a.headers, frameOptions: "ALLOWALL" as any } })).toThrow(/args\.headers\.frameOptions must be one of DENY, SAMEORIGIN/);
      expect(() => new StaticSite("c", { ...base, headers: { ...a.headers, contentSecurityPolicy: "x".repeat(1800) } })).toThrow(/at most 1783/);
      expect(() => new StaticSite("d", { ...base, apiOrigin: { domainName: "api.x", pathPatterns: [] } })).toThrow(/args\.apiOrigin\.pathPatterns must list at least one/);
      expect(() => new StaticSite("e", { ...base, apiOrigin: { domainName: "api.x", pathPatterns: ["api/*"] } })).toThrow(/not "api\/\*"/);
      expect(() => new StaticSite("f", { ...base, webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/1" })).toThrow(/args\.webAclArn must be the ARN of a CLOUDFRONT-scope/);
    });
  });
});
