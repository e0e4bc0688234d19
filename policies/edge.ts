/**
 * Edge protection: security headers (HSTS of a year, nosniff, frame options), malformed
 * headers dropped at the load balancer, rate limits and a WAF in prod (the seeds' nginx
 * "security headers" and "rate limiting" layers, moved to the AWS edge).
 */
import { resourcePolicy, stackPolicy, StackResource } from "./lib/define";
import { identifiers, refersTo } from "./lib/refs";
import { MANAGED_SECURITY_HEADERS_POLICY_ID, ONE_YEAR_SECONDS } from "./lib/tls";
import { LOAD_BALANCERS, T } from "./lib/types";
import { UNKNOWN, asBool, asList, asNumber } from "./lib/values";
import { SG } from "./lib/net";
import { rulesByGroup } from "./network";
import { cacheBehaviors } from "./transport";

/** An application load balancer (the default type when none is given). */
export function isApplicationLb(props: Record<string, any>): boolean | typeof UNKNOWN {
  const t = props.loadBalancerType;
  if (t === UNKNOWN) return UNKNOWN;
  return t === undefined || t === null || t === "application";
}

export const albDropInvalidHeaders = resourcePolicy({
  name: "alb-drop-invalid-headers",
  layer: "edge",
  summary: "Application load balancers drop HTTP headers with invalid names instead of passing them to the app, and keep HTTP desync mitigation at defensive or strictest (request smuggling).",
  fix: "set dropInvalidHeaderFields: true on the load balancer and leave desyncMitigationMode unset (defensive) or set it to strictest.",
  types: LOAD_BALANCERS,
  check(r, ctx) {
    if (isApplicationLb(r.props) !== true) return;
    const drop = asBool(r.props.dropInvalidHeaderFields);
    if (drop !== UNKNOWN && drop !== true) ctx.report("the load balancer forwards headers with invalid names to the app.");
    if (r.props.desyncMitigationMode === "monitor") ctx.report("HTTP desync mitigation is only monitoring (desyncMitigationMode: monitor): ambiguous requests reach the app.");
  },
});

export const albDeletionProtectionProd = resourcePolicy({
  name: "alb-deletion-protection-prod",
  layer: "edge",
  summary: "In prod, load balancers cannot be deleted by accident (their DNS name is what the domain points at).",
  fix: "set enableDeletionProtection: true (components do this from the prod profile).",
  types: LOAD_BALANCERS,
  check(r, ctx) {
    if (ctx.env !== "prod") return;
    const on = asBool(r.props.enableDeletionProtection);
    if (on === UNKNOWN) return;
    if (on !== true) ctx.report("deletion protection is off on a prod load balancer.");
  },
});

/** An S3 REST endpoint of a bucket (not a website endpoint, which cloudfront-origin-https rejects). */
const S3_REST = /\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/;

export const cloudfrontS3OriginAccessControl = resourcePolicy({
  name: "cloudfront-s3-origin-access-control",
  layer: "edge",
  summary: "CloudFront reads S3 origins through origin access control (SigV4), so the bucket stays private and is readable only by that distribution; no legacy origin access identity.",
  fix: 'create an aws.cloudfront.OriginAccessControl (originAccessControlOriginType "s3", signingBehavior "always", signingProtocol "sigv4"), set originAccessControlId on the origin, drop s3OriginConfig, and allow only the distribution\'s ARN (AWS:SourceArn) in the bucket policy.',
  severity: "critical",
  types: [T.distribution],
  check(r, ctx) {
    const origins = asList(r.props.origins);
    if (origins === UNKNOWN) return;
    for (const o of origins) {
      if (o === UNKNOWN || !o || typeof o !== "object") continue;
      const id = typeof o.originId === "string" ? o.originId : "?";
      if (o.customOriginConfig !== undefined || o.vpcOriginConfig !== undefined) continue; // a load balancer or other HTTP origin
      const domain = o.domainName;
      // Without a custom or VPC origin config, CloudFront treats the origin as S3 whatever its (possibly unknown) name.
      if (typeof domain === "string" && !S3_REST.test(domain) && o.s3OriginConfig === undefined) continue;
      const oai = o.s3OriginConfig === UNKNOWN ? UNKNOWN : o.s3OriginConfig?.originAccessIdentity;
      if (typeof oai === "string" && oai !== "") {
        ctx.report(`S3 origin "${id}" uses a legacy origin access identity instead of origin access control.`);
        continue;
      }
      const oac = o.originAccessControlId;
      if (oac === UNKNOWN || oai === UNKNOWN) continue;
      if (typeof oac !== "string" || oac === "") ctx.report(`S3 origin "${id}" has no origin access control, so the bucket must be public for CloudFront to read it.`);
    }
  },
});

/** AWS managed response headers policies that send HSTS (max-age one year), nosniff and frame options. */
const MANAGED_SECURITY_POLICIES = [
  MANAGED_SECURITY_HEADERS_POLICY_ID, // Managed-SecurityHeadersPolicy
  "e61eb60c-9c35-4d20-a928-2b84e02af89c", // Managed-CORS-and-SecurityHeadersPolicy
  "eaab4381-ed33-4a86-88ca-d9558dc6cd63", // Managed-CORS-with-preflight-and-SecurityHeadersPolicy
];

export const cloudfrontSecurityHeaders = stackPolicy<{ minHstsMaxAgeSeconds: number; trustedResponseHeadersPolicyIds: string[] }>({
  name: "cloudfront-security-headers",
  layer: "edge",
  summary: "Every CloudFront cache behavior attaches a response headers policy that sends HSTS for at least a year, X-Content-Type-Options and X-Frame-Options.",
  fix: "create an aws.cloudfront.ResponseHeadersPolicy with securityHeadersConfig { strictTransportSecurity { accessControlMaxAgeSec: 31536000, includeSubdomains: true, override: true }, contentTypeOptions { override: true }, frameOptions { frameOption: \"DENY\" or \"SAMEORIGIN\", override: true } } and set responseHeadersPolicyId on every cache behavior.",
  schema: {
    minHstsMaxAgeSeconds: { type: "integer", minimum: 0, default: ONE_YEAR_SECONDS, description: "Lowest HSTS max-age accepted, in seconds." },
    trustedResponseHeadersPolicyIds: {
      type: "array", items: { type: "string" }, default: MANAGED_SECURITY_POLICIES,
      description: "Response headers policy ids defined outside the stack that are known to send the required headers.",
    },
  },
  defaults: { minHstsMaxAgeSeconds: ONE_YEAR_SECONDS, trustedResponseHeadersPolicyIds: MANAGED_SECURITY_POLICIES },
  check(ctx) {
    const policies = ctx.ofType(T.responseHeadersPolicy);
    // Every response headers policy in the stack: HSTS >= a year, nosniff, frame options.
    for (const p of policies) {
      const shc = p.props.securityHeadersConfig;
      if (shc === UNKNOWN) continue;
      if (!shc || typeof shc !== "object") {
        ctx.report(p, "the response headers policy sends no security headers.");
        continue;
      }
      const sts = shc.strictTransportSecurity;
      if (sts !== UNKNOWN) {
        const age = sts && typeof sts === "object" ? asNumber(sts.accessControlMaxAgeSec) : undefined;
        if (age === undefined) ctx.report(p, "the response headers policy sends no Strict-Transport-Security header.");
        else if (age !== UNKNOWN && age < ctx.config.minHstsMaxAgeSeconds) {
          ctx.report(p, `HSTS max-age is ${age} seconds, less than the required ${ctx.config.minHstsMaxAgeSeconds} (one year).`);
        }
      }
      if (shc.contentTypeOptions === undefined || shc.contentTypeOptions === null) ctx.report(p, "the response headers policy does not send X-Content-Type-Options: nosniff.");
      if (shc.frameOptions === undefined || shc.frameOptions === null) ctx.report(p, "the response headers policy does not send X-Frame-Options.");
    }
    // Every cache behavior uses one of them (or a trusted managed policy).
    for (const d of ctx.ofType(T.distribution)) {
      for (const { label, behavior } of cacheBehaviors(d.props)) {
        if (behavior === UNKNOWN || !behavior || typeof behavior !== "object") continue;
        const id = behavior.responseHeadersPolicyId;
        if (id === UNKNOWN) continue; // built from a policy created in this preview; that policy is checked above
        if (typeof id !== "string" || id === "") {
          ctx.report(d, `${label} attaches no response headers policy, so no HSTS or other security headers are sent.`);
          continue;
        }
        if (ctx.config.trustedResponseHeadersPolicyIds.includes(id)) continue;
        if (policies.some((p) => identifiers(p).has(id))) continue;
        ctx.report(d, `${label} uses response headers policy "${id}", which is neither defined in this stack nor a trusted security-headers policy.`,
          "use a response headers policy from this stack, or add the id to this policy's trustedResponseHeadersPolicyIds if it sends HSTS of a year, nosniff and frame options.");
      }
    }
  },
});

/** Rules of a web ACL: inline `rules`, `ruleJson`, and separate aws:wafv2 WebAclRule resources. */
function aclRules(acl: StackResource, ruleResources: StackResource[]): any[] | typeof UNKNOWN {
  const inline = asList(acl.props.rules);
  if (inline === UNKNOWN) return UNKNOWN;
  const out = [...inline];
  const json = acl.props.ruleJson;
  if (json === UNKNOWN) return UNKNOWN;
  if (typeof json === "string" && json.trim() !== "") {
    try {
      const parsed = JSON.parse(json);
      if (Array.isArray(parsed)) out.push(...parsed.map(lowerCaseKeys));
    } catch {
      // invalid JSON is the provider's problem, not a policy violation
    }
  }
  for (const r of ruleResources) {
    const link = refersTo(r.props.webAclArn, acl, r, "webAclArn");
    if (link === UNKNOWN) return UNKNOWN;
    if (link) out.push(r.props);
  }
  return out;
}

/** WAF's JSON uses PascalCase (RateBasedStatement, Action.Block); the provider camelCase. */
function lowerCaseKeys(v: any): any {
  if (Array.isArray(v)) return v.map(lowerCaseKeys);
  if (v && typeof v === "object") {
    const out: Record<string, any> = {};
    for (const [k, x] of Object.entries(v)) out[k.charAt(0).toLowerCase() + k.slice(1)] = lowerCaseKeys(x);
    return out;
  }
  return v;
}

function isBlockingRateRule(rule: any): boolean | typeof UNKNOWN {
  if (rule === UNKNOWN) return UNKNOWN;
  if (!rule || typeof rule !== "object") return false;
  const st = rule.statement;
  if (st === UNKNOWN) return UNKNOWN;
  if (!st || typeof st !== "object" || st.rateBasedStatement === undefined) return false;
  const action = rule.action;
  if (action === UNKNOWN) return UNKNOWN;
  if (!action || typeof action !== "object") return false;
  return action.block !== undefined || action.captcha !== undefined || action.challenge !== undefined;
}

export const wafRateLimits = stackPolicy({
  name: "waf-rate-limits",
  layer: "edge",
  summary: "Every WAF web ACL has at least one rate-based rule that blocks (or challenges) a client IP over its limit, as the seeds' per-IP rate limits require.",
  fix: "add a rule with statement.rateBasedStatement { limit, aggregateKeyType: \"IP\" } and action { block: {} } (components/waf builds them from the app's rateLimits).",
  check(ctx) {
    const ruleResources = ctx.ofType(T.webAclRule);
    for (const acl of ctx.ofType(T.webAcl)) {
      const rules = aclRules(acl, ruleResources);
      if (rules === UNKNOWN) continue;
      const results = rules.map(isBlockingRateRule);
      if (results.includes(true) || results.includes(UNKNOWN)) continue;
      const counting = rules.some((r) => r && r.statement?.rateBasedStatement !== undefined);
      ctx.report(acl, counting
        ? "the web ACL's rate-based rules only count requests; none blocks a client over its limit."
        : "the web ACL has no rate-based rule, so a single client IP can send unlimited requests.");
    }
  },
});

/**
 * Whether a load balancer can only be reached through CloudFront (or other groups): none of
 * its security groups accepts traffic from an address range, only from prefix lists (the
 * CloudFront origin-facing list) or security groups. UNKNOWN if that cannot be told yet.
 */
function onlyBehindCloudFront(lb: StackResource, ctx: { ofType(...t: string[]): StackResource[] }): boolean | typeof UNKNOWN {
  const ids = asList(lb.props.securityGroups);
  if (ids === UNKNOWN) return UNKNOWN;
  const groups = ctx.ofType(SG);
  const mine = groups.filter((g) => ids.some((id) => refersTo(id, g, lb, "securityGroups") === true));
  if (mine.length === 0 || mine.length < ids.length) return ids.some((id) => id === UNKNOWN) ? UNKNOWN : false;
  const rules = rulesByGroup(ctx).filter((r) => r.group && mine.includes(r.group));
  if (rules.some(({ rule }) => rule.cidrs.some((c) => c === UNKNOWN))) return UNKNOWN;
  return rules.length > 0 && rules.every(({ rule }) => rule.cidrs.length === 0 && (rule.prefixList || rule.groupPeer));
}

export const wafInProd = stackPolicy<{ requireOnLoadBalancers: boolean }>({
  name: "waf-in-prod",
  layer: "edge",
  summary: "In prod, every CloudFront distribution and every internet-facing application load balancer sits behind a WAF web ACL (a load balancer that accepts traffic only from CloudFront's origin-facing prefix list is covered by the distribution's).",
  fix: "set webAclId on the distribution to a CLOUDFRONT-scope web ACL (created in us-east-1), and attach a REGIONAL web ACL to the load balancer with aws.wafv2.WebAclAssociation.",
  schema: {
    requireOnLoadBalancers: { type: "boolean", default: true, description: "Also require a web ACL association on internet-facing application load balancers." },
  },
  defaults: { requireOnLoadBalancers: true },
  check(ctx) {
    if (ctx.env !== "prod") return;
    for (const d of ctx.ofType(T.distribution)) {
      const acl = d.props.webAclId;
      if (acl === undefined || acl === null || acl === "") ctx.report(d, "the prod distribution has no WAF web ACL (webAclId).");
    }
    if (!ctx.config.requireOnLoadBalancers) return;
    const associations = ctx.ofType(T.webAclAssociation);
    for (const lb of ctx.ofType(...LOAD_BALANCERS)) {
      if (isApplicationLb(lb.props) !== true) continue;
      const internal = asBool(lb.props.internal);
      if (internal === true || internal === UNKNOWN) continue;
      const links = associations.map((a) => refersTo(a.props.resourceArn, lb, a, "resourceArn"));
      if (links.includes(true) || links.includes(UNKNOWN)) continue;
      if (onlyBehindCloudFront(lb, ctx) !== false) continue;
      ctx.report(lb, "the internet-facing prod load balancer has no WAF web ACL associated.");
    }
  },
});

export const cloudfrontS3DefaultRootObject = resourcePolicy({
  name: "cloudfront-s3-default-root-object",
  layer: "edge",
  summary: "Distributions with an S3 origin (static sites) define a default root object, so a request for / serves the index page instead of a bucket listing or an S3 error. Distributions in front of a load balancer only are not checked: the app answers /.",
  fix: 'set defaultRootObject: "index.html" on the distribution.',
  types: [T.distribution],
  check(r, ctx) {
    const origins = asList(r.props.origins);
    if (origins === UNKNOWN) return;
    const s3 = origins.some((o: any) => o && o !== UNKNOWN && typeof o === "object" && o.customOriginConfig === undefined && o.vpcOriginConfig === undefined);
    if (!s3) return;
    const root = r.props.defaultRootObject;
    if (root === UNKNOWN) return;
    if (typeof root !== "string" || root === "") ctx.report("the distribution has an S3 origin but no defaultRootObject.");
  },
});

/** WAF's managed rule group against known-bad request patterns (Log4j JNDI lookups among them). */
export const KNOWN_BAD_INPUTS_GROUP = "AWSManagedRulesKnownBadInputsRuleSet";

export const wafKnownBadInputs = stackPolicy({
  name: "waf-known-bad-inputs",
  layer: "edge",
  summary: `Every WAF web ACL (regional or CloudFront) runs the AWS managed rule group ${KNOWN_BAD_INPUTS_GROUP} in blocking mode, so Log4j (CVE-2021-44228) and other known-bad inputs are blocked at the edge.`,
  fix: `add a rule with statement.managedRuleGroupStatement { vendorName: "AWS", name: "${KNOWN_BAD_INPUTS_GROUP}" } and overrideAction { none: {} }, without ruleActionOverrides that count or allow (components/waf does this).`,
  check(ctx) {
    const ruleResources = ctx.ofType(T.webAclRule);
    for (const acl of ctx.ofType(T.webAcl)) {
      const rules = aclRules(acl, ruleResources);
      if (rules === UNKNOWN) continue;
      let unknown = false;
      const found: any[] = [];
      for (const rule of rules) {
        if (rule === UNKNOWN || rule?.statement === UNKNOWN) { unknown = true; continue; }
        const m = rule?.statement?.managedRuleGroupStatement;
        if (m === UNKNOWN || m?.name === UNKNOWN || m?.vendorName === UNKNOWN) { unknown = true; continue; }
        if (m && m.vendorName === "AWS" && m.name === KNOWN_BAD_INPUTS_GROUP) found.push(rule);
      }
      if (found.length === 0) {
        if (!unknown) ctx.report(acl, `the web ACL does not run ${KNOWN_BAD_INPUTS_GROUP}, so Log4j and other known-bad inputs reach the app.`);
        continue;
      }
      const blocking = found.some((rule) => {
        const o = rule.overrideAction;
        if (o === UNKNOWN) return true;
        if (o && typeof o === "object" && o.count !== undefined) return false;
        const overrides = asList(rule.statement.managedRuleGroupStatement.ruleActionOverrides);
        if (overrides === UNKNOWN) return true;
        return !overrides.some((x: any) => x && x !== UNKNOWN && typeof x === "object" && x.actionToUse && x.actionToUse !== UNKNOWN
          && (x.actionToUse.count !== undefined || x.actionToUse.allow !== undefined));
      });
      if (!blocking) ctx.report(acl, `the web ACL runs ${KNOWN_BAD_INPUTS_GROUP} only counting (overrideAction count, or rules overridden to count or allow), so nothing is blocked.`);
    }
  },
});

/** Headers that carry credentials and must never be written to WAF logs. */
const SECRET_HEADERS = ["authorization", "cookie"];

export const wafLogging = stackPolicy({
  name: "waf-logging",
  layer: "edge",
  summary: "Every WAF web ACL has a logging configuration (what it blocked, and why, is kept) that redacts the authorization and cookie headers, so no credential lands in the logs.",
  fix: 'add an aws.wafv2.WebAclLoggingConfiguration with resourceArn: the ACL\'s ARN, logDestinationConfigs: [a log group named "aws-waf-logs-..."], redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }] (components/waf does this).',
  check(ctx) {
    const configs = ctx.ofType(T.webAclLogging);
    for (const acl of ctx.ofType(T.webAcl)) {
      const links = configs.map((c) => refersTo(c.props.resourceArn, acl, c, "resourceArn"));
      if (links.includes(UNKNOWN) || links.includes(true)) continue;
      ctx.report(acl, "the web ACL has no logging configuration, so blocked requests leave no trace.");
    }
    // Redaction is a property of the configuration alone: checked even while its ACL is unknown (first preview).
    for (const c of configs) {
      const fields = asList(c.props.redactedFields);
      if (fields === UNKNOWN) continue;
      const names = new Set<string>();
      let unknown = false;
      for (const f of fields) {
        const h = f === UNKNOWN ? UNKNOWN : f?.singleHeader;
        const n = h === UNKNOWN ? UNKNOWN : h?.name;
        if (n === UNKNOWN) unknown = true;
        else if (typeof n === "string") names.add(n.toLowerCase());
      }
      if (unknown) continue;
      const missing = SECRET_HEADERS.filter((h) => !names.has(h));
      if (missing.length > 0) ctx.report(c, `the WAF logging configuration does not redact the ${missing.join(" and ")} header${missing.length > 1 ? "s" : ""}, so credentials are written to the logs.`);
    }
  },
});

export const targetGroupHealthCheck = resourcePolicy({
  name: "target-group-health-check",
  layer: "edge",
  summary: "HTTP and HTTPS target groups run an enabled health check on an explicit path (the app's health endpoint), so the load balancer stops sending users to a host whose app is down and the group replaces it.",
  fix: 'set healthCheck { enabled: true, path: "<the app\'s health path>", matcher: "200" } (AppFleet healthCheckPath).',
  types: [T.targetGroup, T.albTargetGroup],
  check(r, ctx) {
    const p = r.props;
    if (p.targetType === "lambda" || p.targetType === "alb" || p.targetType === UNKNOWN) return;
    if (p.protocol !== "HTTP" && p.protocol !== "HTTPS") return; // TCP, TLS, UDP, GENEVE, or unknown
    const hc = p.healthCheck;
    if (hc === UNKNOWN) return;
    if (!hc || typeof hc !== "object") { ctx.report("the target group sets no healthCheck, so it checks / with AWS's defaults, not the app's health."); return; }
    if (asBool(hc.enabled) === false) { ctx.report("the target group's health check is disabled."); return; }
    if (hc.path === undefined || hc.path === null || hc.path === "") ctx.report("the target group's health check has no path, so it checks / instead of the app's health endpoint.");
  },
});

export const route53ARecordsManagedTargets = stackPolicy({
  name: "route53-a-records-managed-targets",
  layer: "edge",
  summary: "Every A and AAAA record is an alias of a resource (distribution, load balancer) or points at an Elastic IP of the stack, never at a typed-in address: an address the program does not hold can go to someone else, who then receives the domain's traffic.",
  fix: "use aliases: [{ name, zoneId, evaluateTargetHealth }] of the distribution or load balancer, or records: [eip.publicIp] of an Elastic IP the stack allocates.",
  check(ctx) {
    const eips = ctx.ofType(T.eip);
    const managedAddresses = new Set(eips.map((e) => e.props.publicIp).filter((v): v is string => typeof v === "string" && v !== ""));
    for (const rec of ctx.ofType(T.route53Record)) {
      const type = rec.props.type;
      if (type !== "A" && type !== "AAAA") continue;
      const aliases = asList(rec.props.aliases);
      if (aliases === UNKNOWN || aliases.length > 0) continue;
      const values = asList(rec.props.records);
      if (values === UNKNOWN) continue;
      if (values.some((v) => v === UNKNOWN)) continue; // computed, e.g. from an address being allocated
      const foreign = values.filter((v) => !(typeof v === "string" && managedAddresses.has(v)));
      if (foreign.length > 0) ctx.report(rec, `the ${type} record points at ${foreign.join(", ")}, an address no Elastic IP of the stack holds.`);
    }
  },
});

export const EDGE_POLICIES = [albDropInvalidHeaders, albDeletionProtectionProd, cloudfrontS3OriginAccessControl, cloudfrontSecurityHeaders, wafRateLimits, wafInProd, cloudfrontS3DefaultRootObject, wafKnownBadInputs, wafLogging, targetGroupHealthCheck, route53ARecordsManagedTargets];
