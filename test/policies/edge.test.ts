import { SG, SG_INGRESS } from "../../policies/lib/net";
import { T } from "../../policies/lib/types";
import { TAGS, U, describePolicy, res } from "./helpers";

const lb = (name: string, o: Record<string, any> = {}) => res(T.loadBalancer, name, {
  loadBalancerType: "application", internal: false, dropInvalidHeaderFields: true, enableDeletionProtection: true,
  accessLogs: { bucket: "logs", prefix: "alb", enabled: true }, subnets: ["subnet-1", "subnet-2"], tags: TAGS, ...o,
}, { outputs: { arn: `arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/${name}/abc`, arnSuffix: `app/${name}/abc` } });

describePolicy({
  policy: "alb-drop-invalid-headers",
  violating: [
    { title: "headers not dropped", resources: [lb("api-alb", { dropInvalidHeaderFields: false })], message: /invalid names/ },
    { title: "setting left out (type defaults to application)", resources: [lb("api-alb", { dropInvalidHeaderFields: undefined, loadBalancerType: undefined })] },
    { title: "desync mitigation only monitoring", resources: [lb("api-alb", { desyncMitigationMode: "monitor" })], message: /desyncMitigationMode: monitor/ },
  ],
  compliant: [
    { title: "headers dropped", resources: [lb("api-alb")] },
    { title: "strictest desync mitigation", resources: [lb("api-alb", { desyncMitigationMode: "strictest" })] },
    { title: "a network load balancer", resources: [lb("nlb", { loadBalancerType: "network", dropInvalidHeaderFields: undefined })] },
  ],
  unknown: [{ title: "the flag unknown", resources: [lb("api-alb", { dropInvalidHeaderFields: U })] }],
});

describePolicy({
  policy: "alb-deletion-protection-prod",
  violating: [
    { title: "a prod load balancer without deletion protection", resources: [lb("api-alb", { enableDeletionProtection: false })] },
    { title: "environment from the resource's tag", resources: [lb("api-alb", { enableDeletionProtection: undefined })] },
  ],
  compliant: [
    { title: "protected in prod", resources: [lb("api-alb")] },
    { title: "unprotected in staging", resources: [lb("api-alb", { enableDeletionProtection: false })], environment: "staging" },
  ],
  unknown: [{ title: "the flag unknown", resources: [lb("api-alb", { enableDeletionProtection: U })] }],
});

const headers = (name: string, shc: any) => res(T.responseHeadersPolicy, name, { comment: "x", securityHeadersConfig: shc }, { id: `${name}-id`, outputs: { etag: "E1" } });
const goodHeaders = {
  strictTransportSecurity: { accessControlMaxAgeSec: 31536000, includeSubdomains: true, override: true },
  contentTypeOptions: { override: true },
  frameOptions: { frameOption: "DENY", override: true },
};
const cdn = (name: string, headerId: any, deps: any[] = [], extra: Record<string, any> = {}) => res(T.distribution, name, {
  defaultCacheBehavior: { targetOriginId: "site", viewerProtocolPolicy: "redirect-to-https", responseHeadersPolicyId: headerId },
  orderedCacheBehaviors: [],
  tags: TAGS,
  ...extra,
}, { deps, outputs: { arn: `arn:aws:cloudfront::1:distribution/${name}` } });

describePolicy({
  policy: "cloudfront-security-headers",
  violating: [
    { title: "a behavior without a response headers policy", resources: [cdn("site-cdn", undefined)], message: /no response headers policy/ },
    { title: "HSTS shorter than a year", resources: [headers("site-headers", { ...goodHeaders, strictTransportSecurity: { accessControlMaxAgeSec: 86400, override: true } }), cdn("site-cdn", "site-headers-id")], message: /86400/ },
    { title: "no HSTS, no nosniff, no frame options", resources: [headers("site-headers", { referrerPolicy: { referrerPolicy: "same-origin", override: true } }), cdn("site-cdn", "site-headers-id")], message: /Strict-Transport-Security/ },
    { title: "an untrusted external policy (Managed-SimpleCORS)", resources: [cdn("site-cdn", "60669652-455b-4ae9-85a4-c4c02393f86c")], message: /trusted/ },
  ],
  compliant: [
    { title: "the stack's own policy", resources: [headers("site-headers", goodHeaders), cdn("site-cdn", "site-headers-id", [])] },
    { title: "AWS Managed-SecurityHeadersPolicy", resources: [cdn("site-cdn", "67f7725c-6f97-4210-82d7-5512b31e9d03")] },
  ],
  unknown: [
    { title: "the policy id unknown (created in the same preview)", resources: [headers("site-headers", goodHeaders), cdn("site-cdn", U)] },
    { title: "the headers config unknown", resources: [headers("site-headers", U), cdn("site-cdn", U)] },
    { title: "HSTS max-age unknown", resources: [headers("site-headers", { ...goodHeaders, strictTransportSecurity: { accessControlMaxAgeSec: U, override: true } }), cdn("site-cdn", U)] },
  ],
});

const rateRule = (action: any = { block: {} }) => ({ name: "per-ip", priority: 1, action, statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: "IP" } }, visibilityConfig: {} });
const acl = (name: string, o: Record<string, any>) => res(T.webAcl, name, { scope: "REGIONAL", defaultAction: { allow: {} }, tags: TAGS, ...o }, { outputs: { arn: `arn:aws:wafv2:eu-west-1:1:regional/webacl/${name}/1` } });

describePolicy({
  policy: "waf-rate-limits",
  violating: [
    { title: "no rate-based rule", resources: [acl("api-waf", { rules: [{ name: "common", priority: 0, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { name: "AWSManagedRulesCommonRuleSet", vendorName: "AWS" } } }] })], message: /no rate-based rule/ },
    { title: "a rate rule that only counts", resources: [acl("api-waf", { rules: [rateRule({ count: {} })] })], message: /only count/ },
  ],
  compliant: [
    { title: "a blocking per-IP rate rule", resources: [acl("api-waf", { rules: [rateRule()] })] },
    { title: "a rule in ruleJson (WAF's PascalCase)", resources: [acl("api-waf", { ruleJson: JSON.stringify([{ Name: "r", Priority: 1, Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 100, AggregateKeyType: "IP" } } }]) })] },
    { title: "a separate WebAclRule resource", resources: [acl("api-waf", {}), res(T.webAclRule, "api-waf-rate", { webAclArn: "arn:aws:wafv2:eu-west-1:1:regional/webacl/api-waf/1", ...rateRule() })] },
  ],
  unknown: [
    { title: "rules unknown", resources: [acl("api-waf", { rules: U })] },
    { title: "a rule's action unknown", resources: [acl("api-waf", { rules: [rateRule(U)] })] },
  ],
});

const assoc = (lbArn: any, deps: any[] = []) => res(T.webAclAssociation, "api-waf-assoc", { resourceArn: lbArn, webAclArn: "arn:acl" }, { deps });
const alb = lb("api-alb");

describePolicy({
  policy: "waf-in-prod",
  violating: [
    { title: "a prod distribution without web ACL", resources: [cdn("site-cdn", "x", [], { webAclId: undefined })], message: /webAclId/ },
    { title: "an internet-facing prod ALB without association", resources: [alb], message: /no WAF web ACL/ },
    {
      title: "an ALB open to the world besides CloudFront",
      resources: [
        lb("api-alb", { securityGroups: ["sg-lb"] }),
        res(SG, "api-lb", { description: "lb", tags: { ...TAGS, tier: "edge", role: "lb" } }, { id: "sg-lb" }),
        res(SG_INGRESS, "api-lb-in", { securityGroupId: "sg-lb", ipProtocol: "tcp", fromPort: 443, toPort: 443, prefixListId: "pl-4fa04526", description: "CloudFront" }),
        res(SG_INGRESS, "api-lb-in-1", { securityGroupId: "sg-lb", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "world" }),
      ],
    },
  ],
  compliant: [
    { title: "both protected", resources: [cdn("site-cdn", "x", [], { webAclId: "arn:aws:wafv2:us-east-1:1:global/webacl/x/1" }), alb, assoc("arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/api-alb/abc", [alb])] },
    { title: "staging needs no WAF", resources: [cdn("site-cdn", "x", [], { webAclId: undefined }), alb], environment: "staging" },
    { title: "an internal load balancer", resources: [lb("internal-alb", { internal: true })] },
    {
      title: "a load balancer reachable only from CloudFront's origin-facing prefix list",
      resources: [
        lb("api-alb", { securityGroups: ["sg-lb"] }),
        res(SG, "api-lb", { description: "lb", tags: { ...TAGS, tier: "edge", role: "lb" } }, { id: "sg-lb" }),
        res(SG_INGRESS, "api-lb-in", { securityGroupId: "sg-lb", ipProtocol: "tcp", fromPort: 443, toPort: 443, prefixListId: "pl-4fa04526", description: "CloudFront" }),
      ],
    },
  ],
  unknown: [
    { title: "association target unknown", resources: [alb, assoc(U)] },
    { title: "web ACL id unknown", resources: [cdn("site-cdn", "x", [], { webAclId: U })] },
  ],
});

const s3Origin = (o: Record<string, any>) => res(T.distribution, "site-cdn", { origins: [{ originId: "site", domainName: "site-1a2b.s3.eu-west-1.amazonaws.com", ...o }], tags: TAGS });
describePolicy({
  policy: "cloudfront-s3-origin-access-control",
  violating: [
    { title: "an S3 origin without origin access control", resources: [s3Origin({})], message: /no origin access control/ },
    { title: "a legacy origin access identity", resources: [s3Origin({ s3OriginConfig: { originAccessIdentity: "origin-access-identity/cloudfront/E1" } })], message: /legacy origin access identity/ },
    { title: "an origin with a name not known yet and neither OAC nor a custom config (S3)", resources: [s3Origin({ domainName: U })] },
  ],
  compliant: [
    { title: "OAC on the bucket's regional domain", resources: [s3Origin({ originAccessControlId: "E2QWRUHAPOMQZL" })] },
    { title: "a load balancer origin", resources: [s3Origin({ domainName: "api.example.com", customOriginConfig: { originProtocolPolicy: "https-only", httpPort: 80, httpsPort: 443, originSslProtocols: ["TLSv1.2"] } })] },
  ],
  unknown: [{ title: "OAC id unknown (created in the same preview)", resources: [s3Origin({ domainName: U, originAccessControlId: U })] }, { title: "origins unknown", resources: [res(T.distribution, "site-cdn", { origins: U })] }],
});

const siteOrigin = { originId: "site", domainName: "site.s3.eu-west-1.amazonaws.com", originAccessControlId: "oac-1" };
const albOrigin = { originId: "api", domainName: "api.example.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } };
describePolicy({
  policy: "cloudfront-s3-default-root-object",
  violating: [
    { title: "a static site without a default root object", resources: [cdn("site-cdn", "rhp-1", [], { origins: [siteOrigin] })], message: /defaultRootObject/ },
    { title: "an empty default root object with S3 and ALB origins", resources: [cdn("site-cdn", "rhp-1", [], { origins: [siteOrigin, albOrigin], defaultRootObject: "" })] },
  ],
  compliant: [
    { title: "index.html", resources: [cdn("site-cdn", "rhp-1", [], { origins: [siteOrigin], defaultRootObject: "index.html" })] },
    { title: "a distribution in front of a load balancer only", resources: [cdn("api-cdn", "rhp-1", [], { origins: [albOrigin] })] },
  ],
  unknown: [
    { title: "origins unknown", resources: [cdn("site-cdn", "rhp-1", [], { origins: U })] },
    { title: "the root object unknown", resources: [cdn("site-cdn", "rhp-1", [], { origins: [siteOrigin], defaultRootObject: U })] },
  ],
});

const managed = (name: string, o: Record<string, any> = {}, overrides?: any) => ({
  name, priority: 101, overrideAction: { none: {} }, visibilityConfig: {},
  statement: { managedRuleGroupStatement: { vendorName: "AWS", name, ruleActionOverrides: overrides } }, ...o,
});
const KBI = "AWSManagedRulesKnownBadInputsRuleSet";
describePolicy({
  policy: "waf-known-bad-inputs",
  violating: [
    { title: "only the common rule set", resources: [acl("api-waf", { rules: [rateRule(), managed("AWSManagedRulesCommonRuleSet")] })], message: /does not run AWSManagedRulesKnownBadInputsRuleSet/ },
    { title: "the group only counting", resources: [acl("api-waf", { rules: [managed(KBI, { overrideAction: { count: {} } })] })], message: /only counting/ },
    { title: "the Log4j rule overridden to count", resources: [acl("api-waf", { rules: [managed(KBI, {}, [{ name: "Log4JRCE_HEADER", actionToUse: { count: {} } }])] })], message: /only counting/ },
  ],
  compliant: [
    { title: "the group blocking", resources: [acl("api-waf", { rules: [rateRule(), managed(KBI)] })] },
    { title: "in ruleJson (WAF's PascalCase)", resources: [acl("api-waf", { ruleJson: JSON.stringify([{ Name: KBI, Priority: 1, OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: KBI } } }]) })] },
  ],
  unknown: [
    { title: "rules unknown", resources: [acl("api-waf", { rules: U })] },
    { title: "a rule's statement unknown", resources: [acl("api-waf", { rules: [rateRule(), { name: "x", priority: 2, statement: U }] })] },
  ],
});

const ACL_ARN = "arn:aws:wafv2:eu-west-1:1:regional/webacl/api-waf/1";
const REDACT = [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }];
const logging = (o: Record<string, any> = {}, deps: any[] = []) => res(T.webAclLogging, "api-waf-logging", {
  resourceArn: ACL_ARN, logDestinationConfigs: ["arn:aws:logs:eu-west-1:1:log-group:aws-waf-logs-api"], redactedFields: REDACT, ...o,
}, { deps });
describePolicy({
  policy: "waf-logging",
  violating: [
    { title: "no logging configuration", resources: [acl("api-waf", { rules: [rateRule()] })], message: /no logging configuration/ },
    { title: "a logging configuration of another ACL", resources: [acl("api-waf", { rules: [rateRule()] }), logging({ resourceArn: "arn:aws:wafv2:eu-west-1:1:regional/webacl/other/1" })], message: /no logging configuration/ },
    { title: "the cookie header not redacted", resources: [acl("api-waf", { rules: [rateRule()] }), logging({ redactedFields: [REDACT[0]] })], message: /cookie header/ },
    { title: "nothing redacted", resources: [acl("api-waf", { rules: [rateRule()] }), logging({ redactedFields: undefined })], message: /authorization and cookie headers/ },
    { title: "the cookie header not redacted while the ACL ARN is unknown (first preview)", resources: [acl("api-waf", { rules: [rateRule()] }), logging({ resourceArn: U, redactedFields: [REDACT[0]] })], message: /cookie header/ },
  ],
  compliant: [
    { title: "logged with secrets redacted", resources: [acl("api-waf", { rules: [rateRule()] }), logging()] },
    { title: "header names in another case", resources: [acl("api-waf", { rules: [rateRule()] }), logging({ redactedFields: [{ singleHeader: { name: "Authorization" } }, { singleHeader: { name: "Cookie" } }] })] },
  ],
  unknown: [
    { title: "the ACL ARN unknown (created in the same update)", resources: [acl("api-waf", { rules: [rateRule()] }), logging({ resourceArn: U })] },
    { title: "redacted fields unknown", resources: [acl("api-waf", { rules: [rateRule()] }), logging({ redactedFields: U })] },
  ],
});

const targetGroup = (o: Record<string, any> = {}) => res(T.targetGroup, "web-tg", {
  vpcId: "vpc-1", targetType: "instance", port: 80, protocol: "HTTP", healthCheck: { enabled: true, path: "/healthz", matcher: "200" }, ...o,
});
describePolicy({
  policy: "target-group-health-check",
  violating: [
    { title: "no health check block", resources: [targetGroup({ healthCheck: undefined })], message: /no healthCheck/ },
    { title: "a disabled health check", resources: [targetGroup({ healthCheck: { enabled: false, path: "/healthz" } })], message: /disabled/ },
    { title: "a health check without a path", resources: [targetGroup({ healthCheck: { enabled: true, matcher: "200" } })], message: /no path/ },
    { title: "an HTTPS group on the alb alias", resources: [res(T.albTargetGroup, "api-tg", { targetType: "ip", protocol: "HTTPS", port: 443 })], message: /no healthCheck/ },
  ],
  compliant: [
    { title: "the app's health path", resources: [targetGroup()] },
    { title: "a TCP group (network load balancer)", resources: [targetGroup({ protocol: "TCP", healthCheck: undefined })] },
    { title: "a Lambda target group (no protocol)", resources: [targetGroup({ targetType: "lambda", protocol: undefined, healthCheck: undefined })] },
  ],
  unknown: [{ title: "health check unknown", resources: [targetGroup({ healthCheck: U })] }, { title: "protocol unknown", resources: [targetGroup({ protocol: U, healthCheck: undefined })] }],
});

const hostEip = res(T.eip, "shop-host", { domain: "vpc" }, { outputs: { publicIp: "198.51.100.7", allocationId: "eipalloc-1" } });
const aRecord = (o: Record<string, any> = {}) => res(T.route53Record, "shop-apex", { zoneId: "Z1", name: "shop.example.com", type: "A", ttl: 300, records: ["198.51.100.7"], ...o });
describePolicy({
  policy: "route53-a-records-managed-targets",
  violating: [
    { title: "a typed-in address", resources: [hostEip, aRecord({ records: ["203.0.113.9"] })], message: /203\.0\.113\.9, an address no Elastic IP/ },
    { title: "an A record without any Elastic IP in the stack", resources: [aRecord()], message: /198\.51\.100\.7/ },
    { title: "an AAAA record with a literal address", resources: [aRecord({ type: "AAAA", records: ["2001:db8::1"] })], message: /AAAA record/ },
  ],
  compliant: [
    { title: "the stack's Elastic IP", resources: [hostEip, aRecord()] },
    { title: "an alias of a distribution", resources: [aRecord({ records: undefined, ttl: undefined, aliases: [{ name: "d1.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }] })] },
    { title: "a CNAME (not an address record)", resources: [aRecord({ type: "CNAME", records: ["elsewhere.example.net"] })] },
  ],
  unknown: [{ title: "the address being allocated", resources: [hostEip, aRecord({ records: [U] })] }, { title: "records unknown", resources: [aRecord({ records: U })] }, { title: "aliases unknown", resources: [aRecord({ aliases: U })] }],
});
