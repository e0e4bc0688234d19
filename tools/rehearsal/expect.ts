/**
 * What the probes expect of a host, read from the stack's config (what the team asked for) and
 * the recorded plan (what AWS would be told: target groups, listener certificates, alarms,
 * secrets). Pure: no processes, no files besides the stack file.
 *
 * Deliberately not read from the host document: a probe that took its expectation from the
 * user data would share the document's mistakes.
 */
import { parseStackConfig } from "../../config/validate";
import type { AppConfig, StackConfig } from "../../config/types";
import { loadStackFile, PROJECT, projectConfigDefaults, type Recording } from "../../test/harness";
import { artifactOf, type SecretRecord } from "./aws/plan";
import type { HostDocument } from "./hostdocs";

export interface HealthCheck {
  path: string;
  /** The port the ALB sends to: the target group's traffic port unless the check names one. */
  port: number;
  protocol: "HTTP" | "HTTPS";
  /** Status codes that count as healthy ("200", "200-299", "200,302"). */
  matcher: string;
  healthyThreshold: number;
  intervalSeconds: number;
  timeoutSeconds: number;
}

export interface PathLimit { name: string; path: string; requests: number; windowSeconds: number }

export interface AlarmMetric { alarm: string; namespace: string; metric: string; dimensions: Record<string, string> }

export interface HostExpectations {
  app: string;
  kind: HostDocument["kind"];
  runtime: AppConfig["runtime"];
  /** Every name users reach the app by: fleets, the listener certificates' names; single hosts, the DNS records pointing at them. */
  names: string[];
  /** The name the rate-limited paths are probed on: the API's when the host serves one (login and webhooks are API endpoints). */
  limitName: string;
  /** Fleet hosts: the target group's health check, as the ALB sends it. */
  healthCheck?: HealthCheck;
  /** Hosts that install an artifact: the version whose release they must unpack, once its sha256 matched. */
  artifactVersion?: string;
  /** Fleet hosts: the group's launch lifecycle hook the bootstrap must complete with CONTINUE. */
  launchHook?: { group: string; hook: string };
  /** Single hosts: the app's health path, asked over HTTPS at the edge. */
  healthPath: string;
  /** Response headers every edge response must carry (single hosts; fleets get them at the ALB/CloudFront). */
  headers: Record<string, string>;
  perIpPerMinute: number;
  pathLimits: PathLimit[];
  /** Ports anyone on the internet may reach (single hosts 80 and 443; fleet hosts none). */
  internetPorts: number[];
  /** The app's secrets as the host fetches them (names and the values that must never leak). */
  secrets: { name: string; values: string[] }[];
  /** The file the secrets belong in, its owner and mode. */
  secretsFile: { path: string; owner: string; mode: string };
  /** Root-only state that holds them by design: Docker keeps each container's environment (compose hosts). */
  secretStatePaths: string[];
  /** Django apps with a database run migrations: their tables must exist after the boot. */
  migrations: boolean;
  hasDatabase: boolean;
  hasCache: boolean;
  /** Alarms on a metric in a namespace the platform's own hosts publish to (not AWS/...). */
  hostAlarms: AlarmMetric[];
  /** Metric names a log metric filter produces (fed by the CloudWatch agent's log shipping). */
  logFilterMetrics: string[];
}

/** The stack's config as the program parses it (Pulumi.yaml defaults, then the stack file). */
export function stackConfigOf(stack: string): StackConfig {
  const raw: Record<string, unknown> = {};
  let region: string | undefined;
  for (const [key, value] of Object.entries({ ...projectConfigDefaults(), ...loadStackFile(stack) })) {
    if (key === "aws:region") region = String(value);
    if (key.startsWith(`${PROJECT}:`)) raw[key.slice(PROJECT.length + 1)] = value;
  }
  return parseStackConfig(raw, stack, region);
}

const parentName = (parent: string | undefined) => (parent ? parent.slice(parent.lastIndexOf("::") + 2) : "");

/** Names of the ACM certificates on the app's HTTPS listeners (and listener certificate attachments). */
function listenerNames(rec: Recording, app: string): string[] {
  const certs = rec.ofType("aws:acm/certificate:Certificate");
  const byArn = (arn: unknown) => certs.find((c) => c.outputs.arn === arn);
  const arns = [
    ...rec.ofType("aws:lb/listener:Listener").filter((l) => parentName(l.parent) === app && l.inputs.port === 443).map((l) => l.inputs.certificateArn),
    ...rec.ofType("aws:lb/listenerCertificate:ListenerCertificate").filter((l) => parentName(l.parent) === app).map((l) => l.inputs.certificateArn),
  ];
  return arns.map(byArn).filter((c) => !!c).flatMap((c) => [c!.inputs.domainName, ...(c!.inputs.subjectAlternativeNames ?? [])]).filter((n): n is string => typeof n === "string");
}

/** Names of the plain A records of an app's own component (a single host's Elastic IP). */
function recordNames(rec: Recording, app: string): string[] {
  return rec.ofType("aws:route53/record:Record").filter((r) => parentName(r.parent) === app && r.inputs.type === "A" && Array.isArray(r.inputs.records)).map((r) => String(r.inputs.name));
}

function launchHookOf(rec: Recording, app: string): HostExpectations["launchHook"] {
  const group = rec.ofType("aws:autoscaling/group:Group").find((g) => parentName(g.parent) === app);
  const hook = (group?.inputs.initialLifecycleHooks ?? []).find((h: any) => h.lifecycleTransition === "autoscaling:EC2_INSTANCE_LAUNCHING");
  return group && hook ? { group: String(group.outputs.name ?? group.name), hook: String(hook.name) } : undefined;
}

function healthCheckOf(rec: Recording, app: string): HealthCheck | undefined {
  const tg = rec.ofType("aws:lb/targetGroup:TargetGroup").find((t) => parentName(t.parent) === app);
  if (!tg) return undefined;
  const hc = tg.inputs.healthCheck ?? {};
  const port = hc.port === undefined || hc.port === "traffic-port" ? Number(tg.inputs.port) : Number(hc.port);
  return {
    path: String(hc.path ?? "/"), port, protocol: (hc.protocol ?? tg.inputs.protocol ?? "HTTP") as "HTTP" | "HTTPS",
    matcher: String(hc.matcher ?? "200"), healthyThreshold: Number(hc.healthyThreshold ?? 5),
    intervalSeconds: Number(hc.interval ?? 30), timeoutSeconds: Number(hc.timeout ?? 5),
  };
}

/** Whether `status` satisfies an ALB matcher ("200", "200-299", "200,301"). Pure. */
export function matches(matcher: string, status: number): boolean {
  return matcher.split(",").some((part) => {
    const [lo, hi] = part.trim().split("-").map(Number);
    return hi === undefined ? status === lo : status >= lo && status <= hi;
  });
}

/** The values of a secret that must never appear outside its file: the whole value, and each credential inside a JSON secret. */
export function secretValues(s: Pick<SecretRecord, "secretString">): string[] {
  const v = s.secretString;
  if (v === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    return v.length >= 8 ? [v] : [];
  }
  if (!parsed || typeof parsed !== "object") return v.length >= 8 ? [v] : [];
  // host, port, dbname and username are not secret; passwords, tokens and the URLs carrying them are.
  const secretKeys = /pass|token|secret|key|_URL$/i;
  return Object.entries(parsed as Record<string, unknown>)
    .filter(([k, x]) => typeof x === "string" && x.length >= 8 && secretKeys.test(k))
    .map(([, x]) => x as string);
}

function hostAlarms(rec: Recording, app: string): { alarms: AlarmMetric[]; logFilterMetrics: string[] } {
  const alarms: AlarmMetric[] = [];
  for (const a of rec.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
    const metrics = a.inputs.metricName
      ? [{ namespace: a.inputs.namespace, metricName: a.inputs.metricName, dimensions: a.inputs.dimensions }]
      : (a.inputs.metricQueries ?? []).map((q: any) => q.metric).filter(Boolean);
    for (const m of metrics) {
      if (typeof m.namespace !== "string" || m.namespace.startsWith("AWS/")) continue;
      const dims = (m.dimensions ?? {}) as Record<string, string>;
      if (dims.App !== app && !String(a.name).startsWith(`${app}-`)) continue;
      alarms.push({ alarm: a.name, namespace: m.namespace, metric: m.metricName, dimensions: dims });
    }
  }
  const logFilterMetrics = rec.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")
    .flatMap((f) => (f.inputs.metricTransformation ? [f.inputs.metricTransformation] : []))
    .map((t: any) => String(t.name));
  return { alarms, logFilterMetrics };
}

export function expectationsFor(rec: Recording, config: StackConfig, doc: HostDocument, secrets: SecretRecord[]): HostExpectations {
  const app = config.apps.find((a) => a.name === doc.app);
  if (!app) throw new Error(`${doc.app}: in the plan but not in the stack's config`);
  const h = app.headers;
  const headers: Record<string, string> = {
    "strict-transport-security": `max-age=${h.hstsMaxAgeSeconds}; includeSubDomains`,
    "x-content-type-options": "nosniff",
    "x-frame-options": h.frameOptions,
    "referrer-policy": h.referrerPolicy,
    "content-security-policy": h.contentSecurityPolicy,
  };
  const prefix = `${rec.stack}/${app.name}/`;
  const { alarms, logFilterMetrics } = hostAlarms(rec, app.name);
  const found = doc.kind === "fleet" ? listenerNames(rec, app.name) : recordNames(rec, app.name);
  const names = [...new Set(found.length ? found : [app.domain, ...(app.www ? [`www.${app.domain}`] : [])])];
  return {
    app: app.name, kind: doc.kind, runtime: app.runtime,
    names,
    limitName: names.includes(app.apiDomain) ? app.apiDomain : names[0],
    healthCheck: doc.kind === "fleet" ? healthCheckOf(rec, app.name) : undefined,
    launchHook: doc.kind === "fleet" ? launchHookOf(rec, app.name) : undefined,
    artifactVersion: artifactOf(doc)?.version,
    healthPath: app.healthCheckPath,
    headers,
    perIpPerMinute: app.rateLimits.perIpPerMinute,
    pathLimits: app.rateLimits.paths.map((p) => ({ name: p.name, path: p.path, requests: p.requests, windowSeconds: p.windowSeconds })),
    internetPorts: doc.kind === "single-host" ? [80, 443] : [],
    secrets: secrets.filter((s) => s.name.startsWith(prefix)).map((s) => ({ name: s.name, values: secretValues(s) })),
    secretsFile: { path: `/etc/${app.name}/secrets.env`, owner: app.name, mode: "600" },
    secretStatePaths: app.architecture === "containers" ? ["/var/lib/containerd/", "/var/lib/docker/"] : [],
    migrations: app.runtime === "django" && app.database.enabled && app.architecture !== "containers",
    hasDatabase: app.database.enabled,
    hasCache: app.cache.enabled,
    hostAlarms: alarms,
    logFilterMetrics,
  };
}
