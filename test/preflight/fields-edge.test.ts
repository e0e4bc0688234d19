/**
 * The edge field table (S3, CloudFront, ACM, Route 53, WAF, SES): both stacks pass it with
 * every input mapped, and a value AWS refuses, seeded into a copy of a real resource, is
 * reported at its path with the kind of rule it breaks and the model member that states it.
 */
import { contextFrom, loadStackConfig } from "../../config";
import { AppDns } from "../../components/dns";
import { StaticSite } from "../../components/static-site";
import { Recording, RecordedResource, record, recordStack } from "../harness";
import { AUTONAME_SUFFIX, FieldViolation, runPreflight } from "../../tools/preflight/check";
import { EDGE } from "../../tools/preflight/fields/edge";

const EDGE_TYPES = Object.keys(EDGE);
const recordings: Record<string, Recording> = {};

beforeAll(async () => {
  recordings.staging = await recordStack("staging");
  recordings.prod = await recordStack("prod");
});

/** A copy of one recorded resource (the first of the type, or the named one). */
function copyOf(type: string, name?: string, stack = "prod"): RecordedResource {
  const rec = recordings[stack];
  const r = name ? rec.one(type, name) : rec.ofType(type)[0];
  if (!r) throw new Error(`no ${type} in ${stack}`);
  return structuredClone(r);
}

/** The violations of a copy of a resource after `mutate` changed one value. */
function seeded(type: string, mutate: (inputs: Record<string, any>, r: RecordedResource) => void, name?: string): FieldViolation[] {
  const copy = copyOf(type, name);
  mutate(copy.inputs, copy);
  return runPreflight([copy]).violations;
}

function expectViolation(vs: FieldViolation[], path: string, kind: FieldViolation["kind"], file: string, shape: string): FieldViolation {
  const v = vs.find((x) => x.path === path && x.kind === kind);
  expect({ violations: vs, found: v !== undefined }).toMatchObject({ found: true });
  expect(v?.source).toContain(file);
  expect(v?.source).toContain(shape);
  return v as FieldViolation;
}

const S3 = "s3-2006-03-01.json";
const CF = "cloudfront-2020-05-31.json";
const ACM = "acm-2015-12-08.json";
const R53 = "route53-2013-04-01.json";
const WAF = "wafv2-2019-07-29.json";

describe("edge field table on the real stacks", () => {
  test.each(["staging", "prod"])("%s: every edge resource passes, with every input mapped", (stack) => {
    const mine = recordings[stack].resources.filter((r) => EDGE_TYPES.includes(r.type));
    expect(mine.length).toBeGreaterThan(50);
    const result = runPreflight(mine);
    expect(result.violations).toEqual([]);
    const gaps = result.coverage.filter((c) => c.noMapping || c.unmapped.length > 0);
    expect(gaps).toEqual([]);
    expect(result.valuesChecked).toBeGreaterThan(500);
  });

  test("the types that Pulumi auto-names are checked with their suffix", () => {
    for (const type of ["aws:s3/bucket:Bucket", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "aws:cloudfront/originAccessControl:OriginAccessControl", "aws:wafv2/webAcl:WebAcl"]) {
      expect(EDGE[type].autoname).toBeDefined();
    }
  });
});

describe("edge field table on a variant the stacks do not build", () => {
  test("a static site with an API origin (CloudFront function, ordered behaviors) passes, fully mapped", async () => {
    const rec = await record(() => {
      const config = loadStackConfig();
      const a = config.apps.find((x) => x.name === "saas-platform")!;
      const dns = new AppDns(a.name, { dns: a.dns, domain: a.domain });
      new StaticSite(a.name, { ctx: contextFrom(config), domain: a.domain, www: a.www, dns, headers: a.headers, apiOrigin: { domainName: a.apiDomain, pathPatterns: ["/api/*"] } });
    }, { stack: "prod" });
    const mine = rec.resources.filter((r) => EDGE_TYPES.includes(r.type));
    expect(mine.some((r) => r.type === "aws:cloudfront/function:Function")).toBe(true);
    const result = runPreflight(mine);
    expect(result.violations).toEqual([]);
    expect(result.coverage.filter((c) => c.noMapping || c.unmapped.length > 0)).toEqual([]);
  });
});

describe("seeded violations", () => {
  // --- pattern -------------------------------------------------------------------------------
  test("pattern: a web ACL description with parentheses (EntityDescription)", () => {
    const vs = seeded("aws:wafv2/webAcl:WebAcl", (i) => { i.description = "saas-platform-waf (prod): rate limits"; });
    expectViolation(vs, "description", "pattern", WAF, "EntityDescription");
  });

  test("pattern: a WAF rule name with a space (EntityName)", () => {
    const vs = seeded("aws:wafv2/webAcl:WebAcl", (i) => { i.rules[0].name = "rate global"; });
    expectViolation(vs, "rules[0].name", "pattern", WAF, "EntityName");
  });

  // --- length --------------------------------------------------------------------------------
  test("length: a certificate domain name over 253 characters (DomainNameString)", () => {
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example.com`;
    const vs = seeded("aws:acm/certificate:Certificate", (i) => { i.domainName = long; });
    expectViolation(vs, "domainName", "length", ACM, "DomainNameString");
  });

  test("length: a Route 53 hosted zone id over 32 characters (ResourceId)", () => {
    const vs = seeded("aws:route53/record:Record", (i) => { i.zoneId = "Z".repeat(33); });
    expectViolation(vs, "zoneId", "length", R53, "ResourceId");
  });

  // --- enum ----------------------------------------------------------------------------------
  test("enum: a price class CloudFront does not have (PriceClass)", () => {
    const vs = seeded("aws:cloudfront/distribution:Distribution", (i) => { i.priceClass = "PriceClass_300"; });
    expectViolation(vs, "priceClass", "enum", CF, "PriceClass");
  });

  test("enum: a viewer security policy CloudFront does not have (MinimumProtocolVersion)", () => {
    const vs = seeded("aws:cloudfront/distribution:Distribution", (i) => { i.viewerCertificate.minimumProtocolVersion = "TLSv1.2_2017"; });
    expectViolation(vs, "viewerCertificate.minimumProtocolVersion", "enum", CF, "MinimumProtocolVersion");
  });

  test("enum: an object ownership S3 does not have (ObjectOwnership)", () => {
    const vs = seeded("aws:s3/bucketOwnershipControls:BucketOwnershipControls", (i) => { i.rule.objectOwnership = "BucketOwner"; });
    expectViolation(vs, "rule.objectOwnership", "enum", S3, "ObjectOwnership");
  });

  // --- range ---------------------------------------------------------------------------------
  test("range: a rate limit under WAF's minimum of 10 (RateLimit)", () => {
    const vs = seeded("aws:wafv2/webAcl:WebAcl", (i) => { i.rules[0].statement.rateBasedStatement.limit = 5; });
    expectViolation(vs, "rules[0].statement.rateBasedStatement.limit", "range", WAF, "RateLimit");
  });

  test("range: a custom response code above 599 (ResponseStatusCode)", () => {
    const vs = seeded("aws:wafv2/webAcl:WebAcl", (i) => { i.rules[0].action.block.customResponse.responseCode = 600; });
    expectViolation(vs, "rules[0].action.block.customResponse.responseCode", "range", WAF, "ResponseStatusCode");
  });

  test("range: a negative record TTL (TTL)", () => {
    const vs = seeded("aws:route53/record:Record", (i) => { i.ttl = -1; }, "investment-platform-mail-verification");
    expectViolation(vs, "ttl", "range", R53, "TTL");
  });

  // --- prose ---------------------------------------------------------------------------------
  test("prose character set: an em dash in a CloudFront tag value (TagValue)", () => {
    const vs = seeded("aws:cloudfront/distribution:Distribution", (i) => { i.tags.app = "platform — prod"; });
    const v = expectViolation(vs, "tags.app", "prose", CF, "TagValue");
    expect(v.source).toContain("Valid characters include a-z");
  });

  test("prose character set: a dot in a WAF metric name, which the model pattern lets through (MetricName)", () => {
    const vs = seeded("aws:wafv2/webAcl:WebAcl", (i) => { i.visibilityConfig.metricName = "prod.saas-platform-waf-acl"; });
    expect(vs.filter((v) => v.kind === "pattern")).toEqual([]);
    expectViolation(vs, "visibilityConfig.metricName", "prose", WAF, "MetricName");
  });

  test("prose character set: an upper-case bucket name (S3 bucket naming rules)", () => {
    const vs = seeded("aws:s3/bucket:Bucket", (i) => { i.bucket = "Investment-Platform-Media"; });
    expectViolation(vs, "bucket", "prose", S3, "BucketName");
  });

  test("prose: an evaluation window WAF does not offer (EvaluationWindowSec)", () => {
    const vs = seeded("aws:wafv2/webAcl:WebAcl", (i) => { i.rules[0].statement.rateBasedStatement.evaluationWindowSec = 90; });
    const v = expectViolation(vs, "rules[0].statement.rateBasedStatement.evaluationWindowSec", "prose", WAF, "EvaluationWindowSec");
    expect(v.source).toContain("Valid settings are 60, 120, 300, and 600.");
  });

  test("prose: a search string over 200 bytes (SearchString)", () => {
    const vs = seeded("aws:wafv2/webAcl:WebAcl", (i) => {
      const r = i.rules.find((x: any) => x.statement.rateBasedStatement?.scopeDownStatement);
      r.statement.rateBasedStatement.scopeDownStatement.byteMatchStatement.searchString = `/api/${"é".repeat(100)}`;
    });
    expect(vs.some((v) => /byteMatchStatement\.searchString$/.test(v.path) && v.kind === "prose" && v.source.includes("SearchString"))).toBe(true);
  });

  test("prose: a distribution comment over 128 characters, a default root object with a leading slash", () => {
    const vs = seeded("aws:cloudfront/distribution:Distribution", (i) => { i.comment = "c".repeat(129); i.defaultRootObject = "/index.html"; });
    expectViolation(vs, "comment", "prose", CF, "CommentType");
    expectViolation(vs, "defaultRootObject", "prose", CF, "string");
  });

  test("prose: a custom error response for a status code outside 4xx and 5xx", () => {
    // The SPA's distribution: its client-side routes fall back to index.html.
    const vs = seeded("aws:cloudfront/distribution:Distribution", (i) => { i.customErrorResponses[0].errorCode = 302; }, "investment-platform-spa-cdn");
    expectViolation(vs, "customErrorResponses[0].errorCode", "prose", CF, "CustomErrorResponses");
  });

  test("prose: a CloudFront certificate outside us-east-1", () => {
    const vs = seeded("aws:cloudfront/distribution:Distribution", (i) => {
      i.viewerCertificate.acmCertificateArn = i.viewerCertificate.acmCertificateArn.replace(":us-east-1:", ":eu-west-1:");
    });
    expectViolation(vs, "viewerCertificate.acmCertificateArn", "prose", CF, "ACMCertificateArn");
  });

  test("prose: a certificate common name over 64 characters", () => {
    const vs = seeded("aws:acm/certificate:Certificate", (i) => { i.domainName = `${"a".repeat(50)}.staging.saasplatform.io`; });
    expectViolation(vs, "domainName", "prose", ACM, "DomainNameString");
  });

  test("prose: a WAF log destination not named aws-waf-logs-*", () => {
    const vs = seeded("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", (i) => {
      i.logDestinationConfigs[0] = i.logDestinationConfigs[0].replace("aws-waf-logs-", "waf-");
    });
    expectViolation(vs, "logDestinationConfigs[0]", "prose", WAF, "ResourceArn");
  });

  test("prose: a lifecycle expiration of 0 days", () => {
    const vs = seeded("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", (i) => {
      i.rules[0].noncurrentVersionExpiration = { noncurrentDays: 0 };
    });
    expectViolation(vs, "rules[0].noncurrentVersionExpiration.noncurrentDays", "prose", S3, "Days");
  });

  // --- cross ---------------------------------------------------------------------------------
  test("cross: a KMS key with SSE-S3 encryption (KMSMasterKeyID)", () => {
    const vs = seeded("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", (i) => {
      i.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256", kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" };
    });
    const v = expectViolation(vs, "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId", "cross", S3, "SSEKMSKeyId");
    expect(v.source).toContain("if and only if SSEAlgorithm is set to aws:kms");
  });

  test("cross: two WAF rules with the same priority", () => {
    const vs = seeded("aws:wafv2/webAcl:WebAcl", (i) => { i.rules[1].priority = i.rules[0].priority; });
    expectViolation(vs, "rules[1].priority", "cross", WAF, "RulePriority");
  });

  test("cross: a CloudFront alias record that evaluates target health", () => {
    const vs = seeded("aws:route53/record:Record", (i) => { i.aliases[0].evaluateTargetHealth = true; }, "investment-platform-spa-domain-a");
    expectViolation(vs, "aliases[0].evaluateTargetHealth", "cross", R53, "AliasHealthEnabled");
  });

  test("cross: an alias record with a TTL", () => {
    const vs = seeded("aws:route53/record:Record", (i) => { i.ttl = 300; }, "investment-platform-spa-domain-a");
    expectViolation(vs, "ttl", "cross", R53, "TTL");
  });

  test("cross: a cache behavior routed to an origin the distribution does not have", () => {
    const vs = seeded("aws:cloudfront/distribution:Distribution", (i) => { i.defaultCacheBehavior.targetOriginId = "missing"; });
    expectViolation(vs, "defaultCacheBehavior.targetOriginId", "cross", CF, "string");
  });

  test("cross: allowed methods that are not one of CloudFront's three sets", () => {
    const vs = seeded("aws:cloudfront/distribution:Distribution", (i) => { i.defaultCacheBehavior.allowedMethods = ["GET", "HEAD", "POST"]; });
    expectViolation(vs, "defaultCacheBehavior.allowedMethods", "cross", CF, "AllowedMethods");
  });

  // --- autoname ------------------------------------------------------------------------------
  test("autoname: a bucket whose logical name, with Pulumi's suffix, exceeds 63 characters", () => {
    const name = "investment-platform-customer-onboarding-kyc-documents-v2";
    expect(name.length).toBeLessThanOrEqual(63);
    const vs = seeded("aws:s3/bucket:Bucket", (i, r) => { r.name = name; delete i.bucket; });
    const v = expectViolation(vs, "bucket", "prose", S3, "BucketName");
    expect(v.value).toBe(`${name}${AUTONAME_SUFFIX}`);
    expect(v.rule).toContain("3 to 63 characters");
  });

  test("autoname: an origin access control whose name, with the suffix, exceeds 64 characters", () => {
    const name = "investment-platform-single-page-application-origin-access";
    const vs = seeded("aws:cloudfront/originAccessControl:OriginAccessControl", (_i, r) => { r.name = name; });
    const v = expectViolation(vs, "name", "prose", CF, "string");
    expect(v.value).toBe(`${name}${AUTONAME_SUFFIX}`);
    expect(v.source).toContain("You can specify up to 64 characters.");
  });

  test("autoname: a web ACL whose name, with the suffix, exceeds 128 characters (EntityName)", () => {
    const vs = seeded("aws:wafv2/webAcl:WebAcl", (_i, r) => { r.name = `${"waf-".repeat(31)}acl`; });
    expectViolation(vs, "name", "length", WAF, "EntityName");
  });
});
