/**
 * Transport security: TLS everywhere, HTTP only to redirect, TLS 1.2 or newer, and
 * encrypted connections to PostgreSQL and Redis (the seeds' "SSL/TLS" and "encrypted
 * database connections" layers).
 */
import { perEnvironmentSchema } from "./lib/config";
import { StackResource, resourcePolicy, stackPolicy } from "./lib/define";
import { isSecureTransportDeny, policyDocument, statements } from "./lib/buckets";
import { refersTo } from "./lib/refs";
import {
  ALB_SSL_POLICIES, CLOUDFRONT_MIN_PROTOCOLS, CLOUDFRONT_ORIGIN_SSL_PROTOCOLS, RECOMMENDED_ALB_SSL_POLICY, RECOMMENDED_CLOUDFRONT_MIN_PROTOCOL,
} from "./lib/tls";
import { LISTENERS, LISTENER_RULES, T } from "./lib/types";
import { UNKNOWN, asBool, asList } from "./lib/values";

const stringList = { type: "array", items: { type: "string" } } as const;

/** The listener's protocol; an ALB listener without one is HTTP. */
function listenerProtocol(props: Record<string, any>): string | typeof UNKNOWN {
  const p = props.protocol;
  if (p === UNKNOWN) return UNKNOWN;
  return typeof p === "string" ? p.toUpperCase() : "HTTP";
}

export const albHttpsTlsPolicy = resourcePolicy<{ allowedSslPolicies: Record<string, string[]> }>({
  name: "alb-https-tls-policy",
  layer: "transport",
  summary: "HTTPS listeners negotiate TLS 1.2 or newer through an approved security policy, with an ACM certificate.",
  fix: `set sslPolicy to ${RECOMMENDED_ALB_SSL_POLICY} (or another entry of this policy's allowedSslPolicies) and certificateArn to an ACM certificate.`,
  types: LISTENERS,
  schema: {
    allowedSslPolicies: perEnvironmentSchema(stringList, ALB_SSL_POLICIES, "ELB security policies allowed on HTTPS listeners, per environment."),
  },
  defaults: { allowedSslPolicies: ALB_SSL_POLICIES },
  check(r, ctx) {
    const protocol = listenerProtocol(r.props);
    if (protocol !== "HTTPS" && protocol !== "TLS") return;
    const ssl = r.props.sslPolicy;
    const allowed = ctx.config.allowedSslPolicies[ctx.env] ?? [];
    if (ssl === undefined || ssl === null || ssl === "") {
      ctx.report(`the ${protocol} listener sets no sslPolicy, so AWS applies ELBSecurityPolicy-2016-08, which still accepts TLS 1.0 and 1.1.`);
    } else if (ssl !== UNKNOWN && !allowed.includes(ssl)) {
      ctx.report(`the ${protocol} listener uses security policy "${ssl}", which is not allowed in ${ctx.env} (TLS 1.2 or newer${ctx.env === "prod" ? " with forward secrecy" : ""}).`);
    }
    const cert = r.props.certificateArn;
    if (cert === undefined || cert === null || cert === "") {
      ctx.report(`the ${protocol} listener has no certificateArn.`, "attach the app's ACM certificate (validated by DNS) to the listener.");
    }
  },
});

/** Whether a listener (or rule) action only redirects to HTTPS. UNKNOWN if not known. */
function redirectsToHttps(action: any): boolean | typeof UNKNOWN {
  if (action === UNKNOWN) return UNKNOWN;
  if (!action || typeof action !== "object") return false;
  if (action.type === UNKNOWN) return UNKNOWN;
  if (action.type !== "redirect") return false;
  const redirect = action.redirect;
  if (redirect === UNKNOWN) return UNKNOWN;
  const protocol = redirect?.protocol;
  if (protocol === UNKNOWN) return UNKNOWN;
  return typeof protocol === "string" && protocol.toUpperCase() === "HTTPS";
}

function describeAction(action: any): string {
  if (!action || typeof action !== "object") return "an invalid action";
  if (action.type === "redirect") return `a redirect to protocol "${action.redirect?.protocol ?? "#{protocol}"}"`;
  return `a "${String(action.type)}" action`;
}

export const albHttpRedirectsToHttps = resourcePolicy({
  name: "alb-http-redirects-to-https",
  layer: "transport",
  summary: "Plain-HTTP listeners only redirect to HTTPS; they never forward or answer requests.",
  fix: 'make the HTTP listener\'s only default action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }.',
  types: LISTENERS,
  check(r, ctx) {
    if (listenerProtocol(r.props) !== "HTTP") return;
    const actions = asList(r.props.defaultActions);
    if (actions === UNKNOWN) return;
    if (actions.length === 0) {
      ctx.report("the HTTP listener has no default action.");
      return;
    }
    for (const a of actions) {
      if (redirectsToHttps(a) === false) ctx.report(`the HTTP listener on port ${r.props.port ?? 80} answers with ${describeAction(a)} instead of redirecting to HTTPS.`);
    }
  },
});

export const albHttpRulesRedirect = stackPolicy({
  name: "alb-http-listener-rules-redirect",
  layer: "transport",
  summary: "Listener rules attached to a plain-HTTP listener only redirect to HTTPS.",
  fix: "attach the rule to the HTTPS listener instead, or make its action a redirect to HTTPS.",
  check(ctx) {
    const httpListeners = ctx.ofType(...LISTENERS).filter((l) => listenerProtocol(l.props) === "HTTP");
    for (const rule of ctx.ofType(...LISTENER_RULES)) {
      const onHttp = httpListeners.find((l) => refersTo(rule.props.listenerArn, l, rule, "listenerArn") === true);
      if (!onHttp) continue;
      const actions = asList(rule.props.actions);
      if (actions === UNKNOWN) continue;
      for (const a of actions) {
        if (redirectsToHttps(a) === false) ctx.report(rule, `the rule on HTTP listener "${onHttp.name}" answers with ${describeAction(a)} instead of redirecting to HTTPS.`);
      }
    }
  },
});

/** Default and ordered cache behaviors of a distribution, with a label for messages. */
export function cacheBehaviors(props: Record<string, any>): { label: string; behavior: any }[] {
  const out: { label: string; behavior: any }[] = [];
  if (props.defaultCacheBehavior !== undefined) out.push({ label: "the default cache behavior", behavior: props.defaultCacheBehavior });
  const ordered = asList(props.orderedCacheBehaviors);
  if (ordered !== UNKNOWN) {
    for (const b of ordered) {
      const path = b && b !== UNKNOWN && typeof b.pathPattern === "string" ? b.pathPattern : "?";
      out.push({ label: `the cache behavior for "${path}"`, behavior: b });
    }
  }
  return out;
}

const VIEWER_HTTPS = ["redirect-to-https", "https-only"];

export const cloudfrontViewerHttps = resourcePolicy({
  name: "cloudfront-viewer-https",
  layer: "transport",
  summary: "Every CloudFront cache behavior redirects viewers to HTTPS or accepts HTTPS only.",
  fix: 'set viewerProtocolPolicy to "redirect-to-https" (or "https-only") on every cache behavior.',
  types: [T.distribution],
  check(r, ctx) {
    for (const { label, behavior } of cacheBehaviors(r.props)) {
      if (behavior === UNKNOWN || !behavior) continue;
      const vpp = behavior.viewerProtocolPolicy;
      if (vpp === UNKNOWN) continue;
      if (!VIEWER_HTTPS.includes(vpp)) ctx.report(`${label} has viewerProtocolPolicy "${vpp ?? "(unset)"}", so viewers can use plain HTTP.`);
    }
  },
});

export const cloudfrontMinimumTls = resourcePolicy<{ allowedMinimumProtocolVersions: Record<string, string[]> }>({
  name: "cloudfront-minimum-tls",
  layer: "transport",
  summary: "CloudFront serves the app's own ACM certificate with a minimum protocol of TLS 1.2.",
  fix: `set viewerCertificate to { acmCertificateArn: <us-east-1 certificate>, sslSupportMethod: "sni-only", minimumProtocolVersion: "${RECOMMENDED_CLOUDFRONT_MIN_PROTOCOL}" }.`,
  types: [T.distribution],
  schema: {
    allowedMinimumProtocolVersions: perEnvironmentSchema(stringList, CLOUDFRONT_MIN_PROTOCOLS, "CloudFront minimumProtocolVersion values allowed, per environment."),
  },
  defaults: { allowedMinimumProtocolVersions: CLOUDFRONT_MIN_PROTOCOLS },
  check(r, ctx) {
    const vc = r.props.viewerCertificate;
    if (vc === UNKNOWN) return;
    if (!vc || typeof vc !== "object") {
      ctx.report("the distribution has no viewerCertificate.");
      return;
    }
    if (asBool(vc.cloudfrontDefaultCertificate) === true) {
      ctx.report("the distribution uses the *.cloudfront.net default certificate, whose minimum protocol is TLSv1 and cannot be raised.");
      return;
    }
    const min = vc.minimumProtocolVersion;
    if (min === UNKNOWN) return;
    const allowed = ctx.config.allowedMinimumProtocolVersions[ctx.env] ?? [];
    if (!allowed.includes(min)) ctx.report(`the viewer certificate's minimumProtocolVersion is "${min ?? "(unset, TLSv1)"}", not one allowed in ${ctx.env} (${allowed.join(", ")}).`);
  },
});

export const cloudfrontOriginHttps = resourcePolicy({
  name: "cloudfront-origin-https",
  layer: "transport",
  summary: "CloudFront reaches custom origins (load balancers) over HTTPS with TLS 1.2 only, and never through an S3 website endpoint.",
  fix: 'set customOriginConfig.originProtocolPolicy to "https-only" and originSslProtocols to ["TLSv1.2"]; serve S3 content through the bucket\'s regional domain with origin access control.',
  types: [T.distribution],
  check(r, ctx) {
    const origins = asList(r.props.origins);
    if (origins === UNKNOWN) return;
    const behaviors = cacheBehaviors(r.props);
    for (const o of origins) {
      if (o === UNKNOWN || !o || typeof o !== "object") continue;
      const id = typeof o.originId === "string" ? o.originId : "?";
      if (typeof o.domainName === "string" && /\.s3-website[.-]/.test(o.domainName)) {
        ctx.report(`origin "${id}" is an S3 website endpoint, which only speaks HTTP and needs a public bucket.`);
        continue;
      }
      const c = o.customOriginConfig;
      if (c === UNKNOWN || !c || typeof c !== "object") continue;
      const policy = c.originProtocolPolicy;
      if (policy === "http-only") {
        ctx.report(`origin "${id}" is reached over plain HTTP (originProtocolPolicy "http-only").`);
      } else if (policy === "match-viewer") {
        const plainViewers = behaviors.some(({ behavior: b }) => b && b !== UNKNOWN && b.targetOriginId === o.originId
          && b.viewerProtocolPolicy !== UNKNOWN && !VIEWER_HTTPS.includes(b.viewerProtocolPolicy));
        if (plainViewers) ctx.report(`origin "${id}" uses originProtocolPolicy "match-viewer" behind a behavior that allows HTTP viewers.`);
      }
      const protocols = asList(c.originSslProtocols);
      if (protocols !== UNKNOWN) {
        const weak = protocols.filter((p) => p !== UNKNOWN && !CLOUDFRONT_ORIGIN_SSL_PROTOCOLS.includes(p));
        if (weak.length > 0) ctx.report(`origin "${id}" allows ${weak.join(", ")} towards the origin.`);
      }
    }
  },
});

const FORCE_SSL: Record<string, { parameter: string; on: string[] }> = {
  postgres: { parameter: "rds.force_ssl", on: ["1", "true", "on"] },
  mysql: { parameter: "require_secure_transport", on: ["1", "on", "true"] },
  mariadb: { parameter: "require_secure_transport", on: ["1", "on", "true"] },
};

function engineFamily(engine: unknown): keyof typeof FORCE_SSL | undefined {
  if (typeof engine !== "string") return undefined;
  const e = engine.toLowerCase();
  if (e.includes("postgres")) return "postgres";
  if (e.includes("mariadb")) return "mariadb";
  if (e.includes("mysql")) return "mysql";
  return undefined;
}

/**
 * Where a database's force-SSL parameter lives: an instance's DB parameter group, or, for an
 * Aurora or Multi-AZ cluster, the cluster's DB cluster parameter group (Aurora sets
 * rds.force_ssl and require_secure_transport per cluster, so a cluster instance's own
 * dbParameterGroupName cannot force SSL; the cluster is checked instead).
 */
const GROUP_OF = {
  [T.rdsInstance]: { prop: "parameterGroupName", groupType: T.rdsParameterGroup, what: "parameter group" },
  [T.rdsCluster]: { prop: "dbClusterParameterGroupName", groupType: T.rdsClusterParameterGroup, what: "DB cluster parameter group" },
} as const;

export const rdsForceSsl = stackPolicy({
  name: "rds-force-ssl",
  layer: "transport",
  summary: "Every PostgreSQL/MySQL database uses its own parameter group, and that group forces SSL (rds.force_ssl = 1, require_secure_transport = 1); for Aurora and Multi-AZ clusters, the cluster's DB cluster parameter group.",
  fix: 'create an aws.rds.ParameterGroup for the engine family with { name: "rds.force_ssl", value: "1" } (MySQL: require_secure_transport) and set the instance\'s parameterGroupName to it; for a cluster, an aws.rds.ClusterParameterGroup set as the cluster\'s dbClusterParameterGroupName.',
  check(ctx) {
    const checkGroup = (db: StackResource, g: StackResource, parameter: string, on: string[]): void => {
      const params = asList(g.props.parameters);
      if (params === UNKNOWN) return;
      const p = params.find((x) => x && x !== UNKNOWN && x.name === parameter);
      if (p === undefined) {
        ctx.report(db, `its parameter group "${g.name}" does not set ${parameter}, so clients may connect without SSL.`);
      } else if (p.value !== UNKNOWN && !on.includes(String(p.value).toLowerCase())) {
        ctx.report(db, `its parameter group "${g.name}" sets ${parameter} to "${p.value}", so clients may connect without SSL.`);
      }
    };
    for (const db of ctx.ofType(T.rdsInstance, T.rdsCluster)) {
      const family = engineFamily(db.props.engine);
      if (!family) continue; // unknown engine (or one inherited by a replica): nothing to say yet
      const { parameter, on } = FORCE_SSL[family];
      const { prop, groupType, what } = GROUP_OF[db.type as keyof typeof GROUP_OF];
      const groups = ctx.ofType(groupType);
      const groupName = db.props[prop];
      if (groupName === UNKNOWN) {
        const dep = groups.find((g) => db.dependencies.includes(g));
        if (dep) checkGroup(db, dep, parameter, on);
        continue;
      }
      if (typeof groupName !== "string" || groupName === "" || groupName.startsWith("default.")) {
        ctx.report(db, `the database uses the engine's default ${what}, which cannot be changed to force SSL (${parameter} = 1).`);
        continue;
      }
      // A named group defined outside this stack cannot be checked here.
      const group = groups.find((g) => refersTo(groupName, g, db, prop) === true);
      if (group) checkGroup(db, group, parameter, on);
    }
  },
});

export const elasticacheInTransit = resourcePolicy({
  name: "elasticache-encryption-in-transit",
  layer: "transport",
  summary: "Redis replication groups require TLS for every connection.",
  fix: 'set transitEncryptionEnabled: true (and transitEncryptionMode "required", the default) and connect with rediss://.',
  types: [T.replicationGroup],
  check(r, ctx) {
    const enabled = asBool(r.props.transitEncryptionEnabled);
    if (enabled === UNKNOWN) return;
    if (enabled !== true) {
      ctx.report("the replication group accepts unencrypted connections (transitEncryptionEnabled is not true).");
      return;
    }
    if (r.props.transitEncryptionMode === "preferred") {
      ctx.report('transitEncryptionMode is "preferred", which still accepts plaintext clients.', 'set transitEncryptionMode to "required".');
    }
  },
});

export const snsTopicTlsOnly = stackPolicy({
  name: "sns-topic-tls-only",
  layer: "transport",
  summary: "Every SNS topic refuses publishing without TLS: its topic policy denies sns:Publish when aws:SecureTransport is false.",
  fix: 'add an aws.sns.TopicPolicy for the topic (arn: topic.arn) with a statement { Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: <topic arn>, Condition: { Bool: { "aws:SecureTransport": "false" } } }, next to the statements that let the account and CloudWatch publish.',
  check(ctx) {
    const policies = ctx.ofType(T.snsTopicPolicy);
    for (const topic of ctx.ofType(T.snsTopic)) {
      const links = policies.map((p) => ({ p, link: refersTo(p.props.arn, topic, p, "arn") }));
      if (links.some((l) => l.link === UNKNOWN)) continue;
      const docs = [topic.props.policy, ...links.filter((l) => l.link === true).map((l) => l.p.props.policy)].map(policyDocument);
      if (docs.includes(UNKNOWN)) continue;
      if (docs.some((d) => statements(d).some(isSecureTransportDeny))) continue;
      ctx.report(topic, "the topic accepts messages published over plain HTTP (no topic policy denies aws:SecureTransport = false).");
    }
  },
});

export const acmCertificateTransparency = resourcePolicy({
  name: "acm-certificate-transparency",
  layer: "transport",
  summary: "ACM certificates keep certificate transparency logging on, so browsers trust them and mis-issued certificates for the domain are visible.",
  fix: 'leave options unset or set options.certificateTransparencyLoggingPreference to "ENABLED".',
  types: [T.acmCertificate],
  check(r, ctx) {
    const opts = r.props.options;
    if (opts === UNKNOWN || !opts || typeof opts !== "object") return;
    if (opts.certificateTransparencyLoggingPreference === "DISABLED") ctx.report("certificate transparency logging is DISABLED on the certificate.");
  },
});

export const TRANSPORT_POLICIES = [
  albHttpsTlsPolicy, albHttpRedirectsToHttps, albHttpRulesRedirect, cloudfrontViewerHttps, cloudfrontMinimumTls,
  cloudfrontOriginHttps, rdsForceSsl, elasticacheInTransit, snsTopicTlsOnly, acmCertificateTransparency,
];
