/**
 * A WAFv2 web ACL: AWS managed rules plus per-client-IP rate limits from the app's config,
 * for a load balancer (REGIONAL) or a CloudFront distribution (CLOUDFRONT, in us-east-1),
 * with its logs in CloudWatch.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RATE_LIMITS, rateLimitNameProblem } from "../lib/http-policy-rules";
import { urlPathProblem } from "../lib/url-paths";
import { PathRateLimit, RateLimitConfig } from "./http-policy";
import { PlatformContext, invalidArg, typeToken } from "./common";
import { US_EAST_1, usEast1Provider } from "./providers";

/** Evaluation windows a WAF rate-based rule accepts, in seconds. */
export const WAF_WINDOWS = [60, 120, 300, 600] as const;
/** The lowest request limit a WAF rate-based rule accepts. */
export const WAF_MIN_LIMIT = 10;
export const WAF_MAX_LIMIT = 2_000_000_000;

/** How a configured limit is expressed as a WAF rate-based rule. */
export interface WafRateRule {
  /** Requests per client IP allowed in the window. */
  limit: number;
  /** WAF evaluation window in seconds (60, 120, 300 or 600). */
  windowSec: number;
  /** True when the rule is exactly the configured limit. */
  exact: boolean;
  /** True when the rule never lets more requests through than the configured limit. */
  strictEnough: boolean;
  /** What differs from the configured limit, and why; "" when exact. */
  note: string;
}

/**
 * Translates "requests per windowSeconds" into WAF's terms: a window from WAF_WINDOWS and a
 * limit of at least WAF_MIN_LIMIT. Prefers the configured window, else the nearest window
 * whose limit (rounded down, so the rate is never looser) is expressible. When no window
 * can be as strict, it applies the strictest rule WAF has (10 per 600 s) and says so: the
 * app must enforce the rest (e.g. the SaaS seed's login limit of 5 per 15 minutes, which
 * WAF allows only as 10 per 10 minutes, three times looser; Django's own per-account login
 * throttling keeps the exact limit). Pure.
 */
export function wafRateRuleFor(limit: Pick<PathRateLimit, "requests" | "windowSeconds">): WafRateRule {
  const { requests, windowSeconds } = limit;
  if (!Number.isInteger(requests) || requests < 1) throw new Error(`wafRateRuleFor: requests must be a whole number >= 1, got ${requests}`);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new Error(`wafRateRuleFor: windowSeconds must be a whole number >= 1, got ${windowSeconds}`);
  const wanted = `${requests} per ${windowSeconds} s`;
  const byCloseness = [...WAF_WINDOWS].sort((a, b) => Math.abs(a - windowSeconds) - Math.abs(b - windowSeconds) || a - b);
  for (const windowSec of byCloseness) {
    const scaled = Math.floor((requests * windowSec) / windowSeconds);
    if (scaled < WAF_MIN_LIMIT) continue;
    const ruleLimit = Math.min(scaled, WAF_MAX_LIMIT);
    const exact = windowSec === windowSeconds && ruleLimit === requests;
    return {
      limit: ruleLimit,
      windowSec,
      exact,
      strictEnough: true,
      note: exact ? "" : `WAF cannot express ${wanted}; applied ${ruleLimit} per ${windowSec} s, the nearest rule that is not looser`,
    };
  }
  return {
    limit: WAF_MIN_LIMIT,
    windowSec: 600,
    exact: false,
    strictEnough: false,
    note: `WAF cannot express ${wanted} (its strictest rule is ${WAF_MIN_LIMIT} per 600 s); applied ${WAF_MIN_LIMIT} per 600 s, which is looser: the app must enforce the exact limit itself`,
  };
}

/** A name safe for WAF rule and metric names (letters, digits, - and _). */
function metricName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 128);
}

export interface WebAclArgs {
  ctx: PlatformContext;
  /** REGIONAL for a load balancer, CLOUDFRONT for a distribution (created in us-east-1). Required. */
  scope: "REGIONAL" | "CLOUDFRONT";
  /** The app's rate limits: global per client IP and per path. Required. */
  rateLimits: RateLimitConfig;
  /** Load balancer ARNs to attach the ACL to (REGIONAL only; a distribution names the ACL itself). @default [] */
  associateWith?: pulumi.Input<string>[];
  /**
   * Managed common-rule-set rules only counted, not blocking. Default ["SizeRestrictions_BODY"]:
   * that rule blocks request bodies over 8 KB, which would break uploads (media, KYC
   * documents) and large Stripe webhook events; nginx enforces the app's body limit instead.
   */
  countOnlyRules?: string[];
  /** Days WAF logs are kept. @default the stack's log retention */
  logRetentionDays?: number;
  /**
   * KMS key ARN that encrypts the log group (the stack key). REGIONAL only: a CLOUDFRONT ACL
   * logs in us-east-1, and a key is usable only in its own region.
   * @default none
   */
  kmsKeyArn?: pulumi.Input<string>;
}

/**
 * The ACL blocks with 429 above the rate limits, and blocks what the AWS common and
 * known-bad-inputs rule sets match. Rate limits count per client IP as WAF sees it: put the
 * ACL where clients connect (on the distribution when CloudFront fronts the app).
 */
export class WebAcl extends pulumi.ComponentResource {
  readonly webAclArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** The rate rules as applied, with the gaps WAF could not close (see wafRateRuleFor). */
  readonly rateRules: (WafRateRule & { name: string; path?: string })[];

  constructor(name: string, args: WebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("edge", "WebAcl"), name, {}, opts);
    const { ctx, scope, rateLimits } = args;
    const associateWith = args.associateWith ?? [];
    const countOnlyRules = args.countOnlyRules ?? ["SizeRestrictions_BODY"];
    const logRetentionDays = args.logRetentionDays ?? ctx.logRetentionDays;
    if (scope !== "REGIONAL" && scope !== "CLOUDFRONT") invalidArg("WebAcl", "scope", `must be REGIONAL or CLOUDFRONT, got "${scope}"`);
    if (scope === "CLOUDFRONT" && associateWith.length > 0) invalidArg("WebAcl", "associateWith", "is for REGIONAL ACLs; a CloudFront distribution takes the ACL's ARN as its webAclId");
    // The same rules config validation applies (lib/http-policy-rules.ts, lib/url-paths.ts).
    const within = (v: number, r: { min: number; max: number }) => Number.isInteger(v) && v >= r.min && v <= r.max;
    if (!within(rateLimits.perIpPerMinute, RATE_LIMITS.perIpPerMinute)) {
      invalidArg("WebAcl", "rateLimits.perIpPerMinute", `must be a whole number from ${RATE_LIMITS.perIpPerMinute.min} to ${RATE_LIMITS.perIpPerMinute.max}, got ${rateLimits.perIpPerMinute}`);
    }
    rateLimits.paths.forEach((p, i) => {
      const problem = rateLimitNameProblem(p.name) ?? urlPathProblem(p.path);
      if (problem) invalidArg("WebAcl", `rateLimits.paths[${i}]`, problem);
      if (rateLimits.paths.findIndex((q) => q.name === p.name || q.path === p.path) < i) invalidArg("WebAcl", `rateLimits.paths[${i}]`, `"${p.name}" (${p.path}) is used twice`);
      if (!within(p.requests, RATE_LIMITS.requests) || !within(p.windowSeconds, RATE_LIMITS.windowSeconds)) {
        invalidArg("WebAcl", `rateLimits.paths[${i}]`, `"${p.name}" needs whole numbers requests ${RATE_LIMITS.requests.min}-${RATE_LIMITS.requests.max} and windowSeconds ${RATE_LIMITS.windowSeconds.min}-${RATE_LIMITS.windowSeconds.max}`);
      }
    });
    if (!Number.isInteger(logRetentionDays) || logRetentionDays < 1) invalidArg("WebAcl", "logRetentionDays", `must be a whole number of days >= 1, got ${logRetentionDays}`);
    if (scope === "CLOUDFRONT" && args.kmsKeyArn !== undefined) invalidArg("WebAcl", "kmsKeyArn", "is for REGIONAL ACLs; a CLOUDFRONT ACL logs in us-east-1, where a key of another region cannot encrypt");

    // CLOUDFRONT-scope ACLs, and their log groups, exist only in us-east-1.
    const childOpts: pulumi.CustomResourceOptions = scope === "CLOUDFRONT" ? { parent: this, provider: usEast1Provider() } : { parent: this };
    const metricBase = metricName(`${ctx.stack}-${name}`);

    this.rateRules = [
      { name: "rate-global", ...wafRateRuleFor({ requests: rateLimits.perIpPerMinute, windowSeconds: 60 }) },
      ...rateLimits.paths.map((p) => ({ name: `rate-${p.name}`, path: p.path, ...wafRateRuleFor(p) })),
    ];
    for (const r of this.rateRules) {
      if (!r.exact) pulumi.log.info(`${name} ${r.name}: ${r.note}`, this);
    }

    const visibility = (rule: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: metricName(`${metricBase}-${rule}`) });
    const rules: aws.types.input.wafv2.WebAclRule[] = this.rateRules.map((r, priority) => ({
      name: r.name,
      priority,
      action: { block: { customResponse: { responseCode: 429 } } },
      statement: {
        rateBasedStatement: {
          aggregateKeyType: "IP",
          limit: r.limit,
          evaluationWindowSec: r.windowSec,
          scopeDownStatement: r.path === undefined ? undefined : {
            byteMatchStatement: {
              fieldToMatch: { uriPath: {} },
              positionalConstraint: "STARTS_WITH",
              searchString: r.path,
              // Decode and normalise first, so /api/%6Cogin/ or //api/login/ count too.
              textTransformations: [{ priority: 0, type: "URL_DECODE" }, { priority: 1, type: "NORMALIZE_PATH" }],
            },
          },
        },
      },
      visibilityConfig: visibility(r.name),
    }));
    const managedGroups = [
      { group: "AWSManagedRulesCommonRuleSet", counted: countOnlyRules },
      { group: "AWSManagedRulesKnownBadInputsRuleSet", counted: [] as string[] },
    ];
    managedGroups.forEach(({ group, counted }, i) => rules.push({
      name: group,
      priority: 100 + i,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: "AWS",
          name: group,
          ruleActionOverrides: counted.length > 0 ? counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })) : undefined,
        },
      },
      visibilityConfig: visibility(group),
    }));

    const acl = new aws.wafv2.WebAcl(`${name}-acl`, {
      // EntityDescription admits only word characters, spaces and + = : # @ / - , . (no parentheses).
      description: `${name} in ${ctx.stack}: managed rules and per-IP rate limits`,
      scope,
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: visibility("acl"),
    }, childOpts);

    // WAF only logs to log groups whose names start with aws-waf-logs-.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      name: `aws-waf-logs-${ctx.stack}-${name}`,
      retentionInDays: logRetentionDays,
      kmsKeyId: args.kmsKeyArn,
    }, childOpts);
    new aws.wafv2.WebAclLoggingConfiguration(`${name}-logging`, {
      resourceArn: acl.arn,
      logDestinationConfigs: [logGroup.arn],
      // Credentials and session cookies never reach the logs.
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
    }, childOpts);

    associateWith.forEach((resourceArn, i) => new aws.wafv2.WebAclAssociation(`${name}-assoc-${i}`, { resourceArn, webAclArn: acl.arn }, childOpts));

    this.webAclArn = acl.arn;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ webAclArn: this.webAclArn, logGroupName: this.logGroupName, scope, region: scope === "CLOUDFRONT" ? US_EAST_1 : ctx.region });
  }
}
