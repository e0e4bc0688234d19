import { AppConfig, contextFrom, loadStackConfig } from "../config";
import { WAF_MIN_LIMIT, WAF_WINDOWS, WebAcl, wafRateRuleFor } from "../components/waf";
import { RecordedResource, Recording, record } from "./harness";

const ACL = "aws:wafv2/webAcl:WebAcl";
const LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ASSOC = "aws:wafv2/webAclAssociation:WebAclAssociation";
const PROVIDER = "pulumi:providers:aws";
const ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/saas/0123456789abcdef";

const app = (name: string): AppConfig => loadStackConfig().apps.find((a) => a.name === name)!;
const providerRegion = (rec: Recording, r: RecordedResource) =>
  rec.ofType(PROVIDER).find((p) => r.options.provider?.startsWith(`${p.urn}::`))?.inputs.region;
const rule = (rec: Recording, name: string) => rec.one(ACL).inputs.rules.find((r: any) => r.name === name);

describe("the SaaS seed's limits on its load balancer (REGIONAL, staging)", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const a = app("saas-platform");
      const acl = new WebAcl(a.name, { ctx: contextFrom(loadStackConfig()), scope: "REGIONAL", rateLimits: a.rateLimits, associateWith: [ALB_ARN] });
      return { arn: acl.webAclArn, rateRules: acl.rateRules };
    });
  });

  it("is a REGIONAL ACL in the stack's region, allowing by default, attached to the load balancer", () => {
    const acl = rec.one(ACL);
    expect(acl.inputs).toMatchObject({ scope: "REGIONAL", defaultAction: { allow: {} } });
    expect(acl.options.provider).toBeUndefined();
    expect(rec.one(ASSOC).inputs).toEqual({ resourceArn: ALB_ARN, webAclArn: acl.outputs.arn });
  });

  it("limits every client IP to 1000 requests a minute", () => {
    const global = rule(rec, "rate-global");
    expect(global.statement.rateBasedStatement).toEqual({ aggregateKeyType: "IP", limit: 1000, evaluationWindowSec: 60 });
    expect(global.action).toEqual({ block: { customResponse: { responseCode: 429 } } });
  });

  it("limits the Stripe webhook path to 100 a minute per IP, matched on the decoded path prefix", () => {
    const webhook = rule(rec, "rate-webhook").statement.rateBasedStatement;
    expect(webhook).toMatchObject({ aggregateKeyType: "IP", limit: 100, evaluationWindowSec: 60 });
    expect(webhook.scopeDownStatement.byteMatchStatement).toEqual({
      fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH", searchString: "/api/stripe/webhook/",
      textTransformations: [{ priority: 0, type: "URL_DECODE" }, { priority: 1, type: "NORMALIZE_PATH" }],
    });
  });

  it("applies the strictest WAF rule to login (5 per 15 min is not expressible) and says so", () => {
    const login = rule(rec, "rate-login").statement.rateBasedStatement;
    expect(login).toMatchObject({ limit: 10, evaluationWindowSec: 600 });
    expect(login.scopeDownStatement.byteMatchStatement.searchString).toBe("/api/login/");
    const applied = (rec.outputs.rateRules as any[]).find((r) => r.name === "rate-login");
    expect(applied).toMatchObject({ exact: false, strictEnough: false, limit: 10, windowSec: 600 });
    expect(applied.note).toMatch(/cannot express 5 per 900 s/);
  });

  it("runs the AWS common and known-bad-inputs rule sets, counting only the 8 KB body rule", () => {
    const common = rule(rec, "AWSManagedRulesCommonRuleSet");
    expect(common.overrideAction).toEqual({ none: {} });
    expect(common.statement.managedRuleGroupStatement).toEqual({
      vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet", ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }],
    });
    expect(rule(rec, "AWSManagedRulesKnownBadInputsRuleSet").statement.managedRuleGroupStatement).toEqual({ vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" });
  });

  it("gives every rule a unique priority and CloudWatch metrics", () => {
    const acl = rec.one(ACL).inputs;
    const priorities = acl.rules.map((r: any) => r.priority);
    expect(new Set(priorities).size).toBe(acl.rules.length);
    for (const v of [acl.visibilityConfig, ...acl.rules.map((r: any) => r.visibilityConfig)]) {
      expect(v).toMatchObject({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true });
      expect(v.metricName).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    }
  });

  it("logs to an aws-waf-logs- group with retention, without credentials or cookies", () => {
    const group = rec.one(LOG_GROUP);
    expect(group.inputs).toEqual(expect.objectContaining({ name: "aws-waf-logs-staging-saas-platform", retentionInDays: 14 }));
    const logging = rec.one(LOGGING).inputs;
    expect(logging).toMatchObject({ resourceArn: rec.one(ACL).outputs.arn, logDestinationConfigs: [group.outputs.arn] });
    expect(logging.redactedFields).toEqual([{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }]);
  });
});

describe("a CLOUDFRONT ACL in a eu-west-1 prod stack", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const a = app("saas-platform");
      new WebAcl(a.name, { ctx: contextFrom(loadStackConfig()), scope: "CLOUDFRONT", rateLimits: a.rateLimits });
    }, { stack: "prod" });
  });

  it("creates the ACL, its log group and its logging with a us-east-1 provider", () => {
    expect(rec.region).toBe("eu-west-1");
    expect(rec.one(ACL).inputs.scope).toBe("CLOUDFRONT");
    for (const r of [rec.one(ACL), rec.one(LOG_GROUP), rec.one(LOGGING)]) expect(providerRegion(rec, r)).toBe("us-east-1");
    expect(rec.one(LOG_GROUP).inputs).toMatchObject({ name: "aws-waf-logs-prod-saas-platform", retentionInDays: 90 });
    expect(rec.ofType(ASSOC)).toEqual([]);
  });
});

describe("translating limits into WAF rate rules", () => {
  it.each([
    [1000, 60, { limit: 1000, windowSec: 60, exact: true, strictEnough: true }],
    [100, 60, { limit: 100, windowSec: 60, exact: true, strictEnough: true }],
    [10, 60, { limit: 10, windowSec: 60, exact: true, strictEnough: true }],
    [5, 60, { limit: 10, windowSec: 120, exact: false, strictEnough: true }],
    [200, 1200, { limit: 100, windowSec: 600, exact: false, strictEnough: true }],
    [25, 30, { limit: 50, windowSec: 60, exact: false, strictEnough: true }],
    [7, 100, { limit: 21, windowSec: 300, exact: false, strictEnough: true }], // 120 s would need a limit of 8
    [5, 900, { limit: 10, windowSec: 600, exact: false, strictEnough: false }],
  ] as [number, number, object][])("%i per %i s", (requests, windowSeconds, expected) => {
    const r = wafRateRuleFor({ requests, windowSeconds });
    expect(r).toMatchObject(expected);
    expect(WAF_WINDOWS).toContain(r.windowSec);
    expect(r.limit).toBeGreaterThanOrEqual(WAF_MIN_LIMIT);
    // Not looser than asked, whenever WAF can express that.
    if (r.strictEnough) expect(r.limit / r.windowSec).toBeLessThanOrEqual(requests / windowSeconds);
    expect(r.note === "").toBe(r.exact);
  });

  it("rejects limits that are not whole positive numbers", () => {
    expect(() => wafRateRuleFor({ requests: 0, windowSeconds: 60 })).toThrow(/requests must be a whole number >= 1/);
    expect(() => wafRateRuleFor({ requests: 10, windowSeconds: 1.5 })).toThrow(/windowSeconds/);
  });
});

describe("web ACL arguments", () => {
  it("rejects associations on CLOUDFRONT ACLs and bad path limits, naming the field", async () => {
    await record(() => {
      const ctx = contextFrom(loadStackConfig());
      const rateLimits = app("saas-platform").rateLimits;
      expect(() => new WebAcl("a", { ctx, scope: "CLOUDFRONT", rateLimits, associateWith: [ALB_ARN] })).toThrow(/WebAcl: args\.associateWith is for REGIONAL ACLs/);
      expect(() => new WebAcl("b", { ctx, scope: "GLOBAL" as any, rateLimits })).toThrow(/args\.scope must be REGIONAL or CLOUDFRONT/);
      expect(() => new WebAcl("c", { ctx, scope: "REGIONAL", rateLimits: { ...rateLimits, paths: [{ name: "api", path: "api", requests: 5, windowSeconds: 60 }] } })).toThrow(/args\.rateLimits\.paths\[0\] "api" must be a URL path starting with \//);
      expect(() => new WebAcl("d", { ctx, scope: "REGIONAL", rateLimits: { ...rateLimits, paths: [...rateLimits.paths, rateLimits.paths[0]] } })).toThrow(/is used twice/);
      expect(() => new WebAcl("e", { ctx, scope: "REGIONAL", rateLimits: { ...rateLimits, perIpPerMinute: 0 } })).toThrow(/args\.rateLimits\.perIpPerMinute must be a whole number from 1 to 1000000, got 0/);
    });
  });
});

describe("web ACL log encryption", () => {
  const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  it("puts a REGIONAL ACL's log group on the stack key, and refuses a key for a CLOUDFRONT ACL (its logs are in us-east-1)", async () => {
    const rec = await record(() => {
      const ctx = contextFrom(loadStackConfig());
      const rateLimits = app("saas-platform").rateLimits;
      new WebAcl("regional", { ctx, scope: "REGIONAL", rateLimits, kmsKeyArn: KEY_ARN });
      expect(() => new WebAcl("cdn", { ctx, scope: "CLOUDFRONT", rateLimits, kmsKeyArn: KEY_ARN })).toThrow(/WebAcl: args\.kmsKeyArn is for REGIONAL ACLs/);
    });
    expect(rec.one(LOG_GROUP).inputs).toMatchObject({ name: "aws-waf-logs-staging-regional", kmsKeyId: KEY_ARN });
  });
});
