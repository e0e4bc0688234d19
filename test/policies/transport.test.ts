import { T } from "../../policies/lib/types";
import { TAGS, U, describePolicy, res } from "./helpers";

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
const https = (name: string, extra: Record<string, any> = {}) =>
  res(T.listener, name, { loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: CERT, defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }], tags: TAGS, ...extra });
const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
const http = (name: string, actions: any[]) => res(T.listener, name, { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultActions: actions, tags: TAGS });

describePolicy({
  policy: "alb-https-tls-policy",
  violating: [
    { title: "an HTTPS listener without sslPolicy (AWS falls back to TLS 1.0)", resources: [https("api-https", { sslPolicy: undefined })], message: /ELBSecurityPolicy-2016-08/ },
    { title: "a TLS 1.0 policy", resources: [https("api-https", { sslPolicy: "ELBSecurityPolicy-2016-08" })], message: /not allowed in prod/ },
    { title: "a TLS 1.2 policy without forward secrecy in prod", resources: [https("api-https", { sslPolicy: "ELBSecurityPolicy-TLS-1-2-2017-01" })] },
    { title: "an HTTPS listener without certificate", resources: [https("api-https", { certificateArn: undefined })], message: /certificateArn/ },
  ],
  compliant: [
    { title: "TLS 1.3 policy with a certificate", resources: [https("api-https")] },
    { title: "a TLS 1.2-only policy in staging", resources: [https("api-https", { sslPolicy: "ELBSecurityPolicy-TLS-1-2-2017-01" })], environment: "staging" },
    { title: "post-quantum policy", resources: [https("api-https", { sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09" })] },
    { title: "an HTTP listener (other policy)", resources: [http("api-http", [redirect])] },
  ],
  unknown: [
    { title: "sslPolicy and certificate unknown", resources: [https("api-https", { sslPolicy: U, certificateArn: U })] },
    { title: "protocol unknown", resources: [https("api-https", { protocol: U, sslPolicy: undefined })] },
  ],
});

describePolicy({
  policy: "alb-http-redirects-to-https",
  violating: [
    { title: "an HTTP listener forwarding to the app", resources: [http("api-http", [{ type: "forward", targetGroupArn: "arn:tg" }])], message: /"forward" action/ },
    { title: "a redirect that keeps the protocol", resources: [http("api-http", [{ type: "redirect", redirect: { port: "8080", statusCode: "HTTP_302" } }])] },
    { title: "a listener without protocol (HTTP) answering with a fixed response", resources: [res(T.listener, "api-http", { port: 80, defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "200" } }] })] },
  ],
  compliant: [
    { title: "an HTTP listener redirecting to HTTPS", resources: [http("api-http", [redirect])] },
    { title: "the HTTPS listener forwarding", resources: [https("api-https")] },
  ],
  unknown: [
    { title: "actions unknown", resources: [http("api-http", U as any)] },
    { title: "the redirect protocol unknown", resources: [http("api-http", [{ type: "redirect", redirect: { protocol: U, statusCode: "HTTP_301" } }])] },
  ],
});

const httpListener = res(T.listener, "api-http", { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultActions: [redirect] }, { outputs: { arn: "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/lb/80" } });
const httpsListener = https("api-https");
const rule = (listener: any, actions: any[], deps: any[] = []) => res(T.listenerRule, "api-rule", { listenerArn: listener, priority: 10, actions, conditions: [{ pathPattern: { values: ["/admin/*"] } }] }, { deps });

describePolicy({
  policy: "alb-http-listener-rules-redirect",
  violating: [
    { title: "a forwarding rule on the HTTP listener", resources: [httpListener, rule("arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/lb/80", [{ type: "forward", targetGroupArn: "arn:tg" }])], message: /HTTP listener "api-http"/ },
  ],
  compliant: [
    { title: "a redirect rule on the HTTP listener", resources: [httpListener, rule("arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/lb/80", [redirect], [httpListener])] },
    { title: "a forwarding rule on the HTTPS listener", resources: [httpListener, httpsListener, rule("arn:https", [{ type: "forward", targetGroupArn: "arn:tg" }], [httpsListener])] },
  ],
  unknown: [
    { title: "the rule's listener unknown and not a dependency", resources: [httpListener, rule(U, [{ type: "forward" }])] },
    { title: "the rule's actions unknown", resources: [httpListener, rule(U, U as any, [httpListener])] },
  ],
});

const distribution = (name: string, o: Record<string, any> = {}) => res(T.distribution, name, {
  enabled: true,
  origins: [{ originId: "site", domainName: "site.s3.eu-west-1.amazonaws.com", originAccessControlId: "oac-1" }],
  defaultCacheBehavior: { targetOriginId: "site", viewerProtocolPolicy: "redirect-to-https", responseHeadersPolicyId: "rhp-1", allowedMethods: ["GET"], cachedMethods: ["GET"] },
  orderedCacheBehaviors: [],
  viewerCertificate: { acmCertificateArn: CERT, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
  loggingConfig: { bucket: "logs.s3.amazonaws.com", prefix: "cf/" },
  webAclId: "arn:aws:wafv2:us-east-1:1:global/webacl/x/1",
  tags: TAGS,
  ...o,
});

describePolicy({
  policy: "cloudfront-viewer-https",
  violating: [
    { title: "the default behavior allows HTTP", resources: [distribution("site-cdn", { defaultCacheBehavior: { targetOriginId: "site", viewerProtocolPolicy: "allow-all" } })], message: /allow-all/ },
    { title: "an API behavior allows HTTP", resources: [distribution("site-cdn", { orderedCacheBehaviors: [{ pathPattern: "/api/*", targetOriginId: "api", viewerProtocolPolicy: "allow-all" }] })], message: /"\/api\/\*"/ },
  ],
  compliant: [
    { title: "redirect-to-https and https-only", resources: [distribution("site-cdn", { orderedCacheBehaviors: [{ pathPattern: "/api/*", targetOriginId: "api", viewerProtocolPolicy: "https-only" }] })] },
  ],
  unknown: [{ title: "behaviors unknown", resources: [distribution("site-cdn", { defaultCacheBehavior: U, orderedCacheBehaviors: U })] }],
});

describePolicy({
  policy: "cloudfront-minimum-tls",
  violating: [
    { title: "the default CloudFront certificate", resources: [distribution("site-cdn", { viewerCertificate: { cloudfrontDefaultCertificate: true } })], message: /TLSv1/ },
    { title: "TLS 1.0 minimum", resources: [distribution("site-cdn", { viewerCertificate: { acmCertificateArn: CERT, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1" } })] },
    { title: "TLSv1.2_2018 in prod", resources: [distribution("site-cdn", { viewerCertificate: { acmCertificateArn: CERT, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2018" } })] },
    { title: "no viewer certificate", resources: [distribution("site-cdn", { viewerCertificate: undefined })] },
  ],
  compliant: [
    { title: "TLSv1.2_2021", resources: [distribution("site-cdn")] },
    { title: "TLSv1.2_2018 in staging", resources: [distribution("site-cdn", { viewerCertificate: { acmCertificateArn: CERT, minimumProtocolVersion: "TLSv1.2_2018" } })], environment: "staging" },
  ],
  unknown: [{ title: "the certificate block unknown", resources: [distribution("site-cdn", { viewerCertificate: U })] }],
});

const apiOrigin = (policy: string, protocols: any = ["TLSv1.2"]) => ({ originId: "api", domainName: "api.example.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: policy, originSslProtocols: protocols } });
describePolicy({
  policy: "cloudfront-origin-https",
  violating: [
    { title: "an http-only API origin", resources: [distribution("site-cdn", { origins: [apiOrigin("http-only")] })], message: /plain HTTP/ },
    { title: "TLS 1.0 towards the origin", resources: [distribution("site-cdn", { origins: [apiOrigin("https-only", ["TLSv1", "TLSv1.2"])] })], message: /TLSv1/ },
    { title: "an S3 website endpoint", resources: [distribution("site-cdn", { origins: [{ originId: "w", domainName: "b.s3-website-eu-west-1.amazonaws.com", customOriginConfig: { originProtocolPolicy: "http-only" } }] })], message: /website endpoint/ },
    { title: "match-viewer behind an allow-all behavior", resources: [distribution("site-cdn", { origins: [apiOrigin("match-viewer")], orderedCacheBehaviors: [{ pathPattern: "/api/*", targetOriginId: "api", viewerProtocolPolicy: "allow-all" }] })] },
  ],
  compliant: [
    { title: "https-only with TLS 1.2 and an S3 origin with OAC", resources: [distribution("site-cdn", { origins: [{ originId: "site", domainName: "b.s3.eu-west-1.amazonaws.com", originAccessControlId: "oac" }, apiOrigin("https-only")] })] },
    { title: "match-viewer when every viewer is on HTTPS", resources: [distribution("site-cdn", { origins: [apiOrigin("match-viewer")], orderedCacheBehaviors: [{ pathPattern: "/api/*", targetOriginId: "api", viewerProtocolPolicy: "https-only" }] })] },
  ],
  unknown: [{ title: "origin config unknown", resources: [distribution("site-cdn", { origins: [{ originId: "api", domainName: U, customOriginConfig: U }] })] }],
});

const pg = (params: any[] | string, name = "shop-params") => res(T.rdsParameterGroup, name, { family: "postgres16", parameters: params, tags: TAGS }, { outputs: { name: typeof params === "string" ? U : `${name}-abc123` } });
const db = (groupName: any, extra: Record<string, any> = {}, deps: any[] = []) => res(T.rdsInstance, "shop-db", { engine: "postgres", engineVersion: "16", instanceClass: "db.t4g.medium", parameterGroupName: groupName, tags: TAGS, ...extra }, { deps });
const forced = pg([{ name: "rds.force_ssl", value: "1" }]);

describePolicy({
  policy: "rds-force-ssl",
  violating: [
    { title: "the default parameter group", resources: [db(undefined)], message: /default parameter group/ },
    { title: "default.postgres16 by name", resources: [db("default.postgres16")] },
    { title: "a custom group without rds.force_ssl", resources: [pg([{ name: "log_connections", value: "1" }]), db("shop-params-abc123")], message: /does not set rds\.force_ssl/ },
    { title: "a custom group with rds.force_ssl = 0", resources: [pg([{ name: "rds.force_ssl", value: "0" }]), db("shop-params-abc123")], message: /"0"/ },
    { title: "MySQL without require_secure_transport", resources: [res(T.rdsParameterGroup, "my-params", { family: "mysql8.0", parameters: [] }, { outputs: { name: "my-params" } }), db("my-params", { engine: "mysql" })], message: /require_secure_transport/ },
  ],
  compliant: [
    { title: "a custom group forcing SSL", resources: [forced, db("shop-params-abc123", {}, [forced])] },
    { title: "a replica without engine (inherits)", resources: [res(T.rdsInstance, "shop-replica", { replicateSourceDb: "arn:db", instanceClass: "db.t4g.medium", tags: TAGS })] },
  ],
  unknown: [
    { title: "the group's name unknown (created in the same preview)", resources: [pg([{ name: "rds.force_ssl", value: "1" }]), db(U, {}, [pg([{ name: "rds.force_ssl", value: "1" }])])] },
    { title: "the engine unknown", resources: [db(undefined, { engine: U })] },
    { title: "the group's parameters unknown", resources: [pg(U as any), db(U, {}, [pg(U as any)])] },
  ],
});

const rg = (o: Record<string, any> = {}) => res(T.replicationGroup, "shop-redis", {
  description: "x", nodeType: "cache.t4g.small", numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true,
  atRestEncryptionEnabled: true, transitEncryptionEnabled: true, transitEncryptionMode: "required", authToken: "generated-token-value-0123456789", tags: TAGS, ...o,
});

describePolicy({
  policy: "elasticache-encryption-in-transit",
  violating: [
    { title: "no transit encryption", resources: [rg({ transitEncryptionEnabled: undefined })], message: /unencrypted/ },
    { title: "transit encryption off", resources: [rg({ transitEncryptionEnabled: false })] },
    { title: "preferred mode", resources: [rg({ transitEncryptionMode: "preferred" })], message: /preferred/ },
  ],
  compliant: [{ title: "TLS required", resources: [rg()] }],
  unknown: [{ title: "transit flag unknown", resources: [rg({ transitEncryptionEnabled: U })] }],
});

const TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:alerts-1a2b3c4";
const topic = (policy?: any) => res(T.snsTopic, "stack-alerts", { kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k", ...(policy !== undefined ? { policy } : {}) }, { outputs: { arn: TOPIC_ARN } });
const denyPlain = { Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: TOPIC_ARN, Condition: { Bool: { "aws:SecureTransport": "false" } } };
const allowAlarms = { Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: TOPIC_ARN };
const topicPolicy = (arn: any, statements: any[] | typeof U) => res(T.snsTopicPolicy, "stack-alerts", { arn, policy: statements === U ? U : JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
describePolicy({
  policy: "sns-topic-tls-only",
  violating: [
    { title: "a topic without a policy (SNS's default allows plain HTTP)", resources: [topic()], message: /plain HTTP/ },
    { title: "a topic policy that only allows", resources: [topic(), topicPolicy(TOPIC_ARN, [allowAlarms])] },
    { title: "the deny on another topic", resources: [topic(), topicPolicy("arn:aws:sns:eu-west-1:123456789012:other", [denyPlain])] },
  ],
  compliant: [
    { title: "a topic policy denying plain-HTTP publishing", resources: [topic(), topicPolicy(TOPIC_ARN, [allowAlarms, denyPlain])] },
    { title: "the deny in the topic's own policy", resources: [topic(JSON.stringify({ Version: "2012-10-17", Statement: [denyPlain] }))] },
  ],
  unknown: [
    { title: "the topic policy's target unknown", resources: [topic(), topicPolicy(U, [denyPlain])] },
    { title: "the policy document unknown", resources: [topic(), topicPolicy(TOPIC_ARN, U)] },
  ],
});

const cert = (o: Record<string, any> = {}) => res(T.acmCertificate, "site-cert", { domainName: "shop.example.com", validationMethod: "DNS", tags: TAGS, ...o });
describePolicy({
  policy: "acm-certificate-transparency",
  violating: [
    { title: "transparency logging disabled", resources: [cert({ options: { certificateTransparencyLoggingPreference: "DISABLED" } })], message: /DISABLED/ },
  ],
  compliant: [
    { title: "options left out", resources: [cert()] },
    { title: "logging enabled", resources: [cert({ options: { certificateTransparencyLoggingPreference: "ENABLED" } })] },
  ],
  unknown: [
    { title: "options unknown", resources: [cert({ options: U })] },
    { title: "preference unknown", resources: [cert({ options: { certificateTransparencyLoggingPreference: U } })] },
  ],
});
