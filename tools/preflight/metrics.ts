/**
 * The alarm preflight: every CloudWatch alarm must watch a metric that is actually published,
 * under the exact dimension names it gives, with dimension values in the form the publisher
 * uses, in the region where it is published. A mock runtime (and CloudWatch itself) accepts
 * an alarm on a metric that never exists; it then sits in INSUFFICIENT_DATA or OK forever.
 *
 * Each metric an alarm reads is confirmed by exactly one source:
 * - AWS namespaces: the vendored catalogue (data/cloudwatch-metrics.json) or, for what it
 *   lacks, the documented table (metrics-documented.ts). A dimension set the catalogue does
 *   not list for a metric it knows counts as never published unless the table cites AWS.
 * - The program's own namespaces: something in the same recording that publishes exactly that
 *   namespace, metric and dimension names (and values): a log metric filter fed by a host's
 *   logs, or a script in a host's user data that calls `aws cloudwatch put-metric-data`.
 * Pure: reads only the recorded resources and the data files beside this module.
 */
import * as fs from "fs";
import * as path from "path";
import { gunzipSync } from "zlib";
import { parse as parseYaml } from "yaml";
import { UNKNOWN } from "../../test/harness";
import type { RecordedResource } from "../../test/harness";
import { decodeUserData } from "../../components/hostconfig";
import { DOCUMENTED_METRICS, DocumentedMetric } from "./metrics-documented";

export const CATALOGUE_FILE = path.join(__dirname, "data", "cloudwatch-metrics.json");

/** namespace -> metric -> the dimension-name sets it is published under. */
export type MetricCatalogue = Record<string, Record<string, string[][]>>;

export function loadCatalogue(file: string = CATALOGUE_FILE): MetricCatalogue {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

export type MetricSourceKind = "catalogue" | "documented" | "log-metric-filter" | "host-script";

export interface MetricSource {
  kind: MetricSourceKind;
  /** Where: the catalogue entry, the documentation URL, the filter or host script names. */
  detail: string;
}

/** One metric an alarm reads. */
export interface WatchedMetric {
  /** Its metric query id in a metric-math alarm; undefined for a single-metric alarm. */
  queryId?: string;
  namespace: string;
  metricName: string;
  /** Dimension name -> value (values unknown at preview are the harness's UNKNOWN). */
  dimensions: Record<string, string>;
  period?: number;
  /** What is not known until apply (preview), so it cannot be confirmed yet: "metric" or "dimensions". */
  unknown?: "metric" | "dimensions";
  /** What confirms it is published; undefined when nothing does (there is a violation) or it is unknown. */
  source?: MetricSource;
}

export interface AlarmCheck {
  /** Logical name of the alarm resource. */
  alarm: string;
  urn: string;
  /** Region the alarm is created in, when the caller says how to tell (CheckAlarmsOptions.regionOf). */
  region?: string;
  metrics: WatchedMetric[];
}

export type MetricViolationKind =
  | "unpublished-metric" // AWS publishes no such metric in that namespace
  | "unpublished-dimensions" // the metric exists, never under this set of dimension names
  | "no-publisher" // a custom metric nothing in the stack publishes (with these values)
  | "several-publishers" // a custom metric two kinds of publisher feed at once
  | "dimension-value" // a value in the wrong form, or naming nothing in the stack
  | "expression" // metric math that cannot evaluate
  | "period" // a period or evaluation window CloudWatch rejects or cannot fill
  | "region" // the alarm is in another region than the metric
  | "malformed"; // an alarm shape PutMetricAlarm rejects

export interface MetricViolation {
  alarm: string;
  urn: string;
  queryId?: string;
  kind: MetricViolationKind;
  message: string;
}

export interface CheckAlarmsOptions {
  /** The region a resource is created in (Recording.regionOf); without it regions are not checked. */
  regionOf?: (r: RecordedResource) => string;
  /** Defaults: the vendored catalogue and DOCUMENTED_METRICS. */
  catalogue?: MetricCatalogue;
  documented?: DocumentedMetric[];
}

export interface CheckAlarmsResult {
  alarms: AlarmCheck[];
  violations: MetricViolation[];
}

const T = {
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  filter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
  instance: "aws:ec2/instance:Instance",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  loadBalancers: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
  targetGroups: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
  listeners: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
  listenerRules: ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"],
  certificate: "aws:acm/certificate:Certificate",
  asg: "aws:autoscaling/group:Group",
  rds: "aws:rds/instance:Instance",
  replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
  cacheCluster: "aws:elasticache/cluster:Cluster",
};

// ---------------------------------------------------------------------------------------------
// Entry point

export function checkAlarms(resources: RecordedResource[], options: CheckAlarmsOptions = {}): CheckAlarmsResult {
  const catalogue = options.catalogue ?? loadCatalogue();
  const documented = options.documented ?? DOCUMENTED_METRICS;
  const index = new StackIndex(resources, options.regionOf);
  const alarms: AlarmCheck[] = [];
  const violations: MetricViolation[] = [];
  for (const alarm of resources.filter((r) => r.type === T.alarm)) {
    const region = options.regionOf?.(alarm);
    const report = (kind: MetricViolationKind, message: string, queryId?: string) =>
      violations.push({ alarm: alarm.name, urn: alarm.urn, queryId, kind, message });
    const metrics = alarmMetrics(alarm, report);
    for (const m of metrics) {
      m.source = confirm(m, { catalogue, documented, index, region, regionOf: options.regionOf }, (kind, message) => report(kind, message, m.queryId));
      checkPeriod(alarm, m, index, (message) => report("period", message, m.queryId));
    }
    alarms.push({ alarm: alarm.name, urn: alarm.urn, region, metrics });
  }
  return { alarms, violations };
}

// ---------------------------------------------------------------------------------------------
// The alarm's shape: which metrics it reads, and whether PutMetricAlarm accepts it

type Report = (kind: MetricViolationKind, message: string, queryId?: string) => void;

const isUnknown = (v: unknown) => v === UNKNOWN;

function alarmMetrics(alarm: RecordedResource, report: Report): WatchedMetric[] {
  const i = alarm.inputs;
  const queries = i.metricQueries;
  const hasQueries = queries !== undefined && queries !== null && !(Array.isArray(queries) && queries.length === 0);
  if (i.metricName !== undefined && hasQueries) {
    report("malformed", "sets both metricName and metricQueries; PutMetricAlarm takes one or the other");
    return [];
  }
  if (!hasQueries) {
    if (i.metricName === undefined) {
      report("malformed", "watches nothing: neither metricName nor metricQueries is set");
      return [];
    }
    if (i.period === undefined) report("malformed", "has no period; PutMetricAlarm requires one for a single-metric alarm");
    return [watched(undefined, i)];
  }
  if (isUnknown(queries)) return [];
  for (const field of ["namespace", "dimensions", "period", "statistic", "extendedStatistic", "unit"]) {
    if (i[field] !== undefined) report("malformed", `sets ${field} beside metricQueries; PutMetricAlarm rejects it (each query carries its own)`);
  }
  checkMath(queries, report);
  return (queries as any[]).filter((q) => q && !isUnknown(q) && q.metric !== undefined).map((q) => watched(q.id, isUnknown(q.metric) ? UNKNOWN : q.metric));
}

/** A metric from the alarm's own fields or a query's `metric` (the same names in both). */
function watched(queryId: string | undefined, m: any): WatchedMetric {
  if (isUnknown(m) || isUnknown(m.namespace) || isUnknown(m.metricName)) return { queryId, namespace: UNKNOWN, metricName: UNKNOWN, dimensions: {}, unknown: "metric" };
  const d = m.dimensions;
  return {
    queryId, namespace: m.namespace, metricName: m.metricName, period: m.period,
    dimensions: d && typeof d === "object" ? { ...d } : {},
    ...(isUnknown(d) ? { unknown: "dimensions" as const } : {}),
  };
}

/** Metric query ids: letters, digits and _, starting with a lower-case letter (PutMetricAlarm MetricDataQuery.Id). */
const QUERY_ID = /^[a-z][A-Za-z0-9_]*$/;

function checkMath(queries: any[], report: Report): void {
  const ids = queries.map((q) => q?.id);
  ids.forEach((id, n) => {
    if (typeof id !== "string" || !QUERY_ID.test(id)) report("expression", `metric query ${n + 1} has id ${JSON.stringify(id)}; ids start with a lower-case letter and hold only letters, digits and _`);
    else if (ids.indexOf(id) !== n) report("expression", `two metric queries have the id "${id}"`, id);
  });
  for (const q of queries) {
    if (!q || isUnknown(q)) continue;
    if ((q.metric === undefined) === (q.expression === undefined)) {
      report("expression", `metric query "${q.id}" must have either a metric or an expression, not ${q.metric ? "both" : "neither"}`, q.id);
    }
    if (typeof q.expression === "string") {
      for (const ref of expressionReferences(q.expression)) {
        if (ref === q.id) report("expression", `the expression of query "${q.id}" refers to itself`, q.id);
        else if (!ids.includes(ref)) {
          report("expression", `the expression of query "${q.id}" uses "${ref}", which no query of this alarm defines (ids: ${ids.join(", ")})`, q.id);
        }
      }
    }
  }
  // PutMetricAlarm: exactly one query returns the data the alarm compares; ReturnData defaults to true.
  const returning = queries.filter((q) => q && !isUnknown(q) && q.returnData !== false);
  if (returning.length !== 1) report("expression", `${returning.length} metric queries return data (returnData not false); exactly one must`);
}

/**
 * The query ids a metric-math expression reads: identifiers that start with a lower-case letter
 * (functions and keywords such as IF, FILL, AND, METRICS are upper case; strings are skipped).
 * Metrics Insights queries (SELECT ...) name metrics, not ids, and read none.
 */
export function expressionReferences(expression: string): string[] {
  const code = expression.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, " ");
  if (/^\s*select\b/i.test(code)) return [];
  const refs = new Set<string>();
  for (const m of code.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const before = code[(m.index ?? 0) - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // 1e5, 2.5e3
    if (/^[a-z]/.test(m[0])) refs.add(m[0]);
  }
  return [...refs];
}

// ---------------------------------------------------------------------------------------------
// Periods (PutMetricAlarm, Period: "Valid values are 10, 20, 30, and any multiple of 60 ...
// Period multiplied by EvaluationPeriods can't be more than 604,800 seconds. For alarms with a
// period of less than one hour (3,600 seconds), the total evaluation period can't be longer
// than one day (86,400 seconds).")

const SUB_MINUTE = [10, 20, 30];

function checkPeriod(alarm: RecordedResource, m: WatchedMetric, index: StackIndex, report: (message: string) => void): void {
  const p = m.period;
  if (p === undefined || isUnknown(p)) return;
  const what = `${m.namespace} ${m.metricName}`;
  if (typeof p !== "number" || !(SUB_MINUTE.includes(p) || (Number.isInteger(p) && p > 0 && p % 60 === 0))) {
    report(`reads ${what} over a period of ${p} s; CloudWatch accepts 10, 20, 30 or a multiple of 60`);
    return;
  }
  if (SUB_MINUTE.includes(p) && !index.highResolution(m)) {
    report(`reads ${what} over ${p} s, but it is stored at one-minute resolution: most periods get no data point and the alarm lapses to INSUFFICIENT_DATA; use 60 or more`);
  }
  const n = alarm.inputs.evaluationPeriods;
  if (typeof n === "number") {
    const limit = p < 3600 ? 86400 : 604800;
    if (p * n > limit) report(`evaluates ${n} periods of ${p} s (${p * n} s); CloudWatch allows at most ${limit} s ${p < 3600 ? "for periods under an hour" : ""}`.trim());
  }
}

// ---------------------------------------------------------------------------------------------
// Confirming a metric

interface ConfirmContext {
  catalogue: MetricCatalogue;
  documented: DocumentedMetric[];
  index: StackIndex;
  region?: string;
  regionOf?: (r: RecordedResource) => string;
}

const keysOf = (d: Record<string, unknown>) => Object.keys(d).sort();
const sameKeys = (a: string[], b: string[]) => a.length === b.length && a.every((k) => b.includes(k));
const showKeys = (k: string[]) => `[${[...k].sort().join(", ")}]`;

function confirm(m: WatchedMetric, ctx: ConfirmContext, report: (kind: MetricViolationKind, message: string) => void): MetricSource | undefined {
  if (m.unknown) return undefined;
  if (typeof m.namespace !== "string" || typeof m.metricName !== "string") {
    report("malformed", `names no metric (namespace ${JSON.stringify(m.namespace)}, metricName ${JSON.stringify(m.metricName)})`);
    return undefined;
  }
  const source = m.namespace.startsWith("AWS/") ? confirmAws(m, ctx, report) : confirmCustom(m, ctx, report);
  if (source && m.namespace.startsWith("AWS/")) checkAwsValues(m, ctx, report);
  return source;
}

function confirmAws(m: WatchedMetric, ctx: ConfirmContext, report: (kind: MetricViolationKind, message: string) => void): MetricSource | undefined {
  const keys = keysOf(m.dimensions);
  const what = `${m.namespace} ${m.metricName} ${showKeys(keys)}`;
  const sets = ctx.catalogue[m.namespace]?.[m.metricName];
  if (sets?.some((s) => sameKeys(s, keys))) return { kind: "catalogue", detail: `data/cloudwatch-metrics.json: ${what}` };
  const docs = ctx.documented.filter((d) => d.namespace === m.namespace && d.metric === m.metricName);
  const doc = docs.find((d) => sameKeys(d.dimensions, keys));
  if (doc) return { kind: "documented", detail: doc.source.url };
  const known = [...(sets ?? []), ...docs.map((d) => d.dimensions)];
  if (known.length > 0) {
    report("unpublished-dimensions", `watches ${what}, but AWS publishes ${m.metricName} only per ${known.map(showKeys).join(", ")}: this alarm can never fire`);
  } else {
    report("unpublished-metric", `watches ${m.namespace} ${m.metricName}, which neither the metric catalogue nor the documented table lists: AWS publishes no such metric (or add its documentation to tools/preflight/metrics-documented.ts)`);
  }
  return undefined;
}

function confirmCustom(m: WatchedMetric, ctx: ConfirmContext, report: (kind: MetricViolationKind, message: string) => void): MetricSource | undefined {
  const keys = keysOf(m.dimensions);
  const named = ctx.index.publications.filter((p) => p.namespace === m.namespace && p.metric === m.metricName);
  const what = `${m.namespace} ${m.metricName}`;
  if (named.length === 0) {
    report("no-publisher", `watches ${what}, which nothing in this stack publishes (no log metric filter, no host script calling put-metric-data)`);
    return undefined;
  }
  const keyed = named.filter((p) => sameKeys(Object.keys(p.dimensions), keys));
  if (keyed.length === 0) {
    const sets = [...new Set(named.map((p) => showKeys(Object.keys(p.dimensions))))];
    report("unpublished-dimensions", `watches ${what} ${showKeys(keys)}, but this stack publishes it only per ${sets.join(", ")}: this alarm can never fire`);
    return undefined;
  }
  const matching = keyed.filter((p) => p.live && keys.every((k) => {
    const v = p.dimensions[k];
    return isUnknown(m.dimensions[k]) || v.dynamic !== undefined || v.oneOf?.includes(m.dimensions[k]);
  }));
  if (matching.length === 0) {
    const shown = keys.map((k) => `${k}=${m.dimensions[k]}`).join(",");
    const published = [...new Set(keyed.map((p) => p.published))];
    report("no-publisher", `watches ${what} with ${shown}, which nothing in this stack publishes (${published.join("; ")})`);
    return undefined;
  }
  // A custom metric lives in the region it is sent to: the log group's, or put-metric-data --region.
  const here = matching.filter((p) => !ctx.region || !p.region || p.region === ctx.region);
  if (here.length === 0) {
    report("region", `is in ${ctx.region}, but ${what} is published only in ${[...new Set(matching.map((p) => p.region))].join(", ")} (${matching.map((p) => p.by).join("; ")})`);
    return undefined;
  }
  const kinds = [...new Set(here.map((p) => p.kind))];
  if (kinds.length > 1) {
    report("several-publishers", `watches ${what}, which both a log metric filter and a host script publish: their data points add up in one metric (${here.map((p) => p.by).join("; ")})`);
    return undefined;
  }
  return { kind: kinds[0], detail: [...new Set(here.map((p) => p.by))].join("; ") };
}

// ---------------------------------------------------------------------------------------------
// Dimension values of AWS metrics: the form the service publishes, naming a resource of this
// stack, in the alarm's region

/** ElastiCache and RDS identifiers: a letter, then letters, digits and single hyphens, no trailing hyphen. */
const LOWER_IDENT = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

interface DimensionRule {
  format: RegExp;
  /** The form, in words, for the message. */
  form: string;
  /** What kind of resource it names, for the message. */
  what: string;
  /** The resource the value names; "unknown" while the outputs it is matched against are not known (preview). */
  resolve?: (value: string, ix: StackIndex) => Lookup;
}

const DIMENSION_RULES: Record<string, Record<string, DimensionRule>> = {
  "AWS/ApplicationELB": {
    // Per the ALB metrics page: "app/load-balancer-name/1234567890123456 (the final portion of the load balancer ARN)".
    LoadBalancer: {
      format: /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/, form: "app/<name>/<16 hex digits>, the load balancer's arnSuffix", what: "application load balancer",
      resolve: (v, ix) => ix.lookup(T.loadBalancers, v, (r) => r.outputs.arnSuffix),
    },
    TargetGroup: {
      format: /^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/, form: "targetgroup/<name>/<16 hex digits>, the target group's arnSuffix", what: "target group",
      resolve: (v, ix) => ix.lookup(T.targetGroups, v, (r) => r.outputs.arnSuffix),
    },
  },
  "AWS/CertificateManager": {
    CertificateArn: {
      format: /^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      form: "the certificate's full ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>", what: "ACM certificate",
      resolve: (v, ix) => ix.lookup([T.certificate], v, (r) => r.outputs.arn),
    },
  },
  "AWS/EC2": {
    InstanceId: {
      format: /^i-([0-9a-f]{8}|[0-9a-f]{17})$/, form: "i- and 8 or 17 hex digits, the instance id", what: "EC2 instance",
      resolve: (v, ix) => ix.lookup([T.instance], v, (r) => r.id || undefined),
    },
    AutoScalingGroupName: {
      format: /^(?!arn:)\S.{0,254}$/, form: "the group's name (not its ARN)", what: "Auto Scaling group",
      resolve: (v, ix) => ix.lookup([T.asg], v, (r) => r.outputs.name),
    },
  },
  "AWS/RDS": {
    // RDS stores identifiers in lower case and publishes them so; "Prod-DB" never matches.
    DBInstanceIdentifier: {
      format: LOWER_IDENT, form: "the DB instance identifier in lower case (not its ARN or resource id)", what: "RDS instance",
      resolve: (v, ix) => ix.lookup([T.rds], v, (r) => r.outputs.identifier ?? r.inputs.identifier),
    },
  },
  "AWS/ElastiCache": {
    CacheClusterId: {
      format: LOWER_IDENT, form: "a cache cluster id (a replication group's member cluster, <group>-001 ...)", what: "cache cluster",
      // memberClusters is unknown at preview; then a member id cannot be told apart from a wrong one.
      resolve: (v, ix) => either(ix.lookup([T.replicationGroup], v, (r) => r.outputs.memberClusters), ix.lookup([T.cacheCluster], v, (r) => r.outputs.clusterId ?? r.inputs.clusterId)),
    },
    CacheNodeId: { format: /^\d{4}$/, form: "a four-digit node id such as 0001", what: "cache node" },
  },
};

function checkAwsValues(m: WatchedMetric, ctx: ConfirmContext, report: (kind: MetricViolationKind, message: string) => void): void {
  const rules = DIMENSION_RULES[m.namespace] ?? {};
  const resolved: Record<string, RecordedResource> = {};
  for (const [name, value] of Object.entries(m.dimensions)) {
    const rule = rules[name];
    if (!rule || isUnknown(value)) continue;
    if (typeof value !== "string" || !rule.format.test(value)) {
      report("dimension-value", `gives ${name} = ${JSON.stringify(value)}; ${m.namespace} publishes ${name} as ${rule.form}`);
      continue;
    }
    if (!rule.resolve) continue;
    const target = rule.resolve(value, ctx.index);
    if (target === "unknown") continue;
    if (!target) {
      const group = name === "CacheClusterId" ? ctx.index.find([T.replicationGroup], (r) => (r.outputs.replicationGroupId ?? r.inputs.replicationGroupId) === value) : undefined;
      report("dimension-value", group
        ? `gives CacheClusterId = "${value}", the replication group's id; ElastiCache publishes per member cluster (${(group.outputs.memberClusters ?? []).join(", ") || "<group>-001 ..."})`
        : `gives ${name} = "${value}", which names no ${rule.what} in this stack`);
      continue;
    }
    resolved[name] = target;
  }
  checkRegions(m, ctx, resolved, report);
  checkPairs(m, ctx, resolved, report);
}

type Lookup = RecordedResource | "unknown" | undefined;

const either = (a: Lookup, b: Lookup): Lookup => (a && a !== "unknown" ? a : b && b !== "unknown" ? b : a ?? b);

function checkRegions(m: WatchedMetric, ctx: ConfirmContext, resolved: Record<string, RecordedResource>, report: (kind: MetricViolationKind, message: string) => void): void {
  if (!ctx.region || !ctx.regionOf) return;
  // An ARN carries its region even when the resource is not in this stack.
  const arn = m.dimensions.CertificateArn;
  const arnRegion = typeof arn === "string" && !isUnknown(arn) ? arn.split(":")[3] : undefined;
  if (arnRegion && arnRegion !== ctx.region) {
    report("region", `is in ${ctx.region}, but ACM publishes ${m.metricName} for ${arn} only in the certificate's region, ${arnRegion}`);
    return;
  }
  for (const [name, r] of Object.entries(resolved)) {
    const where = ctx.regionOf(r);
    if (where !== ctx.region) report("region", `is in ${ctx.region}, but ${name} names ${r.name}, in ${where}: its metrics exist only there`);
  }
}

/** Combinations a service publishes only for related resources. */
function checkPairs(m: WatchedMetric, ctx: ConfirmContext, resolved: Record<string, RecordedResource>, report: (kind: MetricViolationKind, message: string) => void): void {
  const lb = resolved.LoadBalancer;
  const tg = resolved.TargetGroup;
  if (lb && tg && !ctx.index.forwards(lb, tg)) {
    report("dimension-value", `pairs LoadBalancer ${lb.name} with TargetGroup ${tg.name}, but no listener or rule of that load balancer forwards to that target group: the pair has no metrics`);
  }
  const doc = ctx.documented.find((d) => d.namespace === m.namespace && d.metric === m.metricName && sameKeys(d.dimensions, keysOf(m.dimensions)));
  const db = resolved.DBInstanceIdentifier;
  if (doc?.onlyFor === "rds-read-replica" && db && !db.inputs.replicateSourceDb) {
    report("dimension-value", `watches ${m.metricName} of ${db.name}, which is not a read replica: RDS publishes ${m.metricName} only for read replicas (${doc.source.url})`);
  }
  const group = resolved.CacheClusterId;
  const node = m.dimensions.CacheNodeId;
  // A cluster-mode-disabled group's member clusters hold one node each, 0001.
  if (group?.type === T.replicationGroup && typeof node === "string" && !isUnknown(node) && /^\d{4}$/.test(node) && node !== "0001") {
    report("dimension-value", `gives CacheNodeId = "${node}", but each member cluster of ${group.name} has one node, 0001`);
  }
}

// ---------------------------------------------------------------------------------------------
// What the stack itself publishes

/** A dimension value as a publisher sets it: one of some literals, or one only known when data flows. */
interface PublishedValue { oneOf?: string[]; dynamic?: string }

interface Publication {
  kind: "log-metric-filter" | "host-script";
  namespace: string;
  metric: string;
  dimensions: Record<string, PublishedValue>;
  /** Who publishes it, for the source detail. */
  by: string;
  /** False when it can never send a data point (a filter on a log group no host ships to). */
  live: boolean;
  /** What it publishes, or why nothing, for messages ("App=flashbill from flashbill-host: /usr/local/sbin/..."). */
  published: string;
  /** Region the data points are sent to, when known. */
  region?: string;
  /** Whether it stores the metric at one-second resolution (put-metric-data --storage-resolution 1). */
  highResolution: boolean;
}

const showValues = (d: Record<string, PublishedValue>) => Object.entries(d).map(([k, v]) => `${k}=${v.oneOf?.join("|") ?? v.dynamic}`).join(",") || "no dimensions";

class StackIndex {
  readonly hosts: HostDocument[];
  readonly publications: Publication[];

  constructor(readonly resources: RecordedResource[], private readonly regionOf?: (r: RecordedResource) => string) {
    this.hosts = resources.flatMap((r) => {
      const doc = hostDocument(r);
      return doc ? [doc] : [];
    });
    this.publications = [...this.filterPublications(), ...this.hosts.flatMap((h) => scriptPublications(h, regionOf?.(h.resource)))];
  }

  find(types: string[], match: (r: RecordedResource) => boolean): RecordedResource | undefined {
    return this.resources.find((r) => types.includes(r.type) && match(r));
  }

  /** The resource of these types whose key (a value or a list) holds `value`; "unknown" if a key is not known yet. */
  lookup(types: string[], value: string, key: (r: RecordedResource) => unknown): Lookup {
    const candidates = this.resources.filter((r) => types.includes(r.type));
    const hit = candidates.find((r) => {
      const k = key(r);
      return Array.isArray(k) ? k.includes(value) : k === value;
    });
    if (hit) return hit;
    const pending = candidates.some((r) => {
      const k = key(r);
      return k === undefined || isUnknown(k) || (Array.isArray(k) && k.some(isUnknown));
    });
    return pending ? "unknown" : undefined;
  }

  /** Whether a listener (or listener rule) of `lb` forwards requests to `tg`. */
  forwards(lb: RecordedResource, tg: RecordedResource): boolean {
    const tgArn = tg.outputs.arn;
    const targets = (actions: unknown): string[] => (Array.isArray(actions) ? actions : []).flatMap((a: any) => [
      a?.targetGroupArn, ...(Array.isArray(a?.forward?.targetGroups) ? a.forward.targetGroups.map((t: any) => t?.arn) : []),
    ]);
    const listeners = this.resources.filter((r) => T.listeners.includes(r.type) && r.inputs.loadBalancerArn === lb.outputs.arn);
    if (listeners.some((l) => targets(l.inputs.defaultActions).includes(tgArn))) return true;
    const arns = listeners.map((l) => l.outputs.arn);
    return this.resources.some((r) => T.listenerRules.includes(r.type) && arns.includes(r.inputs.listenerArn) && targets(r.inputs.actions).includes(tgArn));
  }

  highResolution(m: WatchedMetric): boolean {
    return this.publications.some((p) => p.namespace === m.namespace && p.metric === m.metricName && p.highResolution);
  }

  /** Log metric filters, with their `$.field` dimensions resolved through the hosts that ship the log group. */
  private filterPublications(): Publication[] {
    return this.resources.filter((r) => r.type === T.filter).flatMap((f) => {
      const t = Array.isArray(f.inputs.metricTransformation) ? f.inputs.metricTransformation[0] : f.inputs.metricTransformation;
      if (!t || isUnknown(t) || typeof t.namespace !== "string" || typeof t.name !== "string") return [];
      const group = f.inputs.logGroupName;
      const shippers = this.hosts.flatMap((h) => h.shipped(group).map((file) => ({ host: h, file })));
      const raw: Record<string, string> = t.dimensions && typeof t.dimensions === "object" ? t.dimensions : {};
      const dimensions: Record<string, PublishedValue> = {};
      for (const [name, selector] of Object.entries(raw)) {
        if (!String(selector).startsWith("$")) {
          dimensions[name] = { oneOf: [String(selector)] };
          continue;
        }
        // A `$.field` selector takes its value from each log event: here, what the shipping hosts write.
        const found = shippers.map((s) => (s.file === undefined ? undefined : s.host.logFieldValue(s.file, String(selector))));
        const values = [...new Set(found)];
        dimensions[name] = values.every((v): v is string => v !== undefined && !v.includes("$"))
          ? { oneOf: values } : { dynamic: `${selector} of each log event` };
      }
      const live = shippers.length > 0;
      return [{
        kind: "log-metric-filter" as const, namespace: t.namespace, metric: t.name, dimensions, by: f.name, live,
        published: live ? `${showValues(dimensions)} from ${f.name}` : `${f.name} reads log group ${group}, to which no host in this stack ships logs`,
        region: this.regionOf?.(f), highResolution: false,
      }];
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Host documents: the user data of instances and launch templates

interface HostFile { path: string; content: string }

class HostDocument {
  /** Files the host runs at boot or on a schedule (user-data commands, the scripts and units they start). */
  readonly run: HostFile[];

  constructor(readonly resource: RecordedResource, readonly files: HostFile[], readonly commands: string[]) {
    this.run = runFiles(files, commands);
  }

  /** Files the host's CloudWatch agent (or Docker's awslogs driver, file unknown) sends to a log group. */
  shipped(group: unknown): (string | undefined)[] {
    const out: (string | undefined)[] = [];
    for (const f of this.files) {
      let config: any;
      try {
        config = JSON.parse(f.content);
      } catch {
        if (typeof group === "string" && new RegExp(`awslogs-group["']?\\s*:\\s*["']?${escapeRegExp(group)}["']?\\s*$`, "m").test(f.content)) out.push(undefined);
        continue;
      }
      const list = config?.logs?.logs_collected?.files?.collect_list;
      if (Array.isArray(list)) for (const e of list) if (e?.log_group_name === group) out.push(e.file_path);
    }
    return out;
  }

  /**
   * The value a `$.field` selector reads from the JSON lines nginx writes to `file`, from the
   * site's log_format; an nginx variable ($host) when it varies; undefined when not found.
   */
  logFieldValue(file: string, selector: string): string | undefined {
    const field = /^\$\.([A-Za-z0-9_]+)$/.exec(selector)?.[1];
    if (!field) return undefined;
    for (const f of this.files) {
      const access = new RegExp(`access_log\\s+${escapeRegExp(file)}\\s+([A-Za-z0-9_]+)`).exec(f.content);
      if (!access) continue;
      const format = new RegExp(`log_format\\s+${access[1]}\\s+(?:escape=\\S+\\s+)?((?:'[^']*'\\s*)+);`).exec(f.content);
      if (!format) continue;
      const text = [...format[1].matchAll(/'([^']*)'/g)].map((m) => m[1]).join("");
      const v = new RegExp(`"${field}":(?:"([^"]*)"|(\\$[A-Za-z0-9_]+))`).exec(text);
      if (v) return v[1] ?? v[2];
    }
    return undefined;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Decodes an instance's userDataBase64 / userData or a launch template's (base64) userData; gzip is unpacked. */
function hostDocument(r: RecordedResource): HostDocument | undefined {
  let raw: string | undefined;
  if (r.type === T.instance) {
    if (typeof r.inputs.userDataBase64 === "string") raw = decode(r.inputs.userDataBase64);
    else if (typeof r.inputs.userData === "string") raw = r.inputs.userData;
  } else if (r.type === T.launchTemplate && typeof r.inputs.userData === "string") {
    raw = decode(r.inputs.userData);
  }
  if (raw === undefined || isUnknown(raw)) return undefined;
  if (raw.startsWith("#cloud-config")) {
    let doc: any;
    try {
      doc = parseYaml(raw);
    } catch {
      return undefined;
    }
    const files = (Array.isArray(doc?.write_files) ? doc.write_files : [])
      .filter((f: any) => typeof f?.path === "string")
      .map((f: any) => ({ path: f.path, content: fileContent(f) }));
    const commands = [...asCommands(doc?.runcmd), ...asCommands(doc?.bootcmd)];
    return new HostDocument(r, files, commands);
  }
  if (raw.startsWith("#!")) return new HostDocument(r, [{ path: "(user data)", content: raw }], ["(user data)"]);
  return undefined;
}

function decode(b64: string): string | undefined {
  return isUnknown(b64) ? undefined : decodeUserData(b64).text;
}

function fileContent(f: any): string {
  const content = typeof f.content === "string" ? f.content : "";
  const encoding = String(f.encoding ?? "").toLowerCase();
  if (["b64", "base64"].includes(encoding)) return Buffer.from(content, "base64").toString("utf8");
  if (["gz+b64", "gz+base64", "gzip+b64", "gzip+base64"].includes(encoding)) return gunzipSync(Buffer.from(content, "base64")).toString("utf8");
  return content;
}

function asCommands(v: unknown): string[] {
  return Array.isArray(v) ? v.map((c) => (Array.isArray(c) ? c.join(" ") : String(c))) : [];
}

/**
 * The files that run: named by a user-data command, or by a file that runs (a script calling
 * another, a systemd unit's ExecStart); a unit runs when a running file names it, and a timer
 * starts the service of the same name.
 */
function runFiles(files: HostFile[], commands: string[]): HostFile[] {
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  const isUnit = (p: string) => p.startsWith("/etc/systemd/system/") || p.startsWith("/lib/systemd/system/");
  const names = (text: string, f: HostFile) => {
    // The whole path: /usr/local/sbin/app must not match inside /usr/local/sbin/app-deploy.
    if (new RegExp(`(?<![\\w.])${escapeRegExp(f.path)}(?![\\w.-])`).test(text)) return true;
    if (!isUnit(f.path)) return false;
    const unit = base(f.path);
    return new RegExp(`(^|[\\s/"'])${escapeRegExp(unit)}($|[\\s"';])`, "m").test(text)
      || (unit.endsWith(".service") && text.includes(unit.replace(/\.service$/, ".timer")));
  };
  const run = new Set(files.filter((f) => commands.some((c) => names(c, f))));
  for (let grown = true; grown;) {
    grown = false;
    for (const f of files) {
      if (run.has(f)) continue;
      if ([...run].some((r) => r !== f && names(r.content, f))) {
        run.add(f);
        grown = true;
      }
    }
  }
  return files.filter((f) => run.has(f));
}

/** Every `aws cloudwatch put-metric-data` call in the scripts a host runs. */
function scriptPublications(host: HostDocument, hostRegion: string | undefined): Publication[] {
  const out: Publication[] = [];
  for (const file of host.run) {
    const vars = new Map<string, string>();
    const lines = file.content.replace(/\\\n\s*/g, " ").split("\n");
    for (const line of lines) {
      const assign = /^\s*(?:readonly\s+|export\s+|local\s+|declare\s+(?:-\w+\s+)?)?([A-Za-z_][A-Za-z0-9_]*)=(\S.*)?$/.exec(line);
      if (assign && !/\bput-metric-data\b/.test(line)) {
        const words = shellWords(assign[2] ?? "", vars);
        if (words.length === 1 && !words[0].dynamic) vars.set(assign[1], words[0].text);
        else vars.delete(assign[1]);
        continue;
      }
      if (!/\bput-metric-data\b/.test(line)) continue;
      const words = shellWords(line, vars);
      const flag = (name: string) => {
        const n = words.findIndex((w) => w.text === name || w.text.startsWith(`${name}=`));
        if (n < 0) return undefined;
        return words[n].text.startsWith(`${name}=`) ? { text: words[n].text.slice(name.length + 1), dynamic: words[n].dynamic } : words[n + 1];
      };
      const namespace = flag("--namespace");
      const metric = flag("--metric-name");
      if (!namespace || !metric || namespace.dynamic || metric.dynamic) continue; // --metric-data JSON or computed names: not read
      const dimensions = parseCliDimensions(flag("--dimensions"));
      const by = `${host.resource.name}: ${file.path}`;
      const region = flag("--region");
      out.push({
        kind: "host-script", namespace: namespace.text, metric: metric.text, dimensions, by, live: true,
        published: `${showValues(dimensions)} from ${by}`,
        region: region && !region.dynamic ? region.text : hostRegion, highResolution: flag("--storage-resolution")?.text === "1",
      });
    }
  }
  return out;
}

/** `--dimensions App=x,Env=y` or the shorthand `Name=App,Value=x`; a value built at run time is dynamic. */
function parseCliDimensions(word: ShellWord | undefined): Record<string, PublishedValue> {
  const out: Record<string, PublishedValue> = {};
  if (!word) return out;
  const pairs = word.text.split(",").map((p) => p.split("=")).filter((p) => p.length >= 2);
  const shorthand = pairs.length === 2 && pairs[0][0] === "Name" && pairs[1][0] === "Value";
  const entries: [string, string][] = shorthand ? [[pairs[0].slice(1).join("="), pairs[1].slice(1).join("=")]] : pairs.map((p) => [p[0], p.slice(1).join("=")]);
  for (const [k, v] of entries) out[k] = word.dynamic && v.includes("\u0000") ? { dynamic: "set at run time" } : { oneOf: [v.replace(/\u0000/g, "")] };
  return out;
}

interface ShellWord { text: string; dynamic: boolean }

/**
 * Splits a shell line into words, expanding $VAR and ${VAR} from `vars`. What is only known at
 * run time ($(...), unknown variables) is marked with \0 in the text and makes the word dynamic.
 */
function shellWords(line: string, vars: Map<string, string>): ShellWord[] {
  const words: ShellWord[] = [];
  let cur = "";
  let dynamic = false;
  let inWord = false;
  let quote: "'" | '"' | undefined;
  const expand = (i: number): number => {
    const rest = line.slice(i + 1);
    if (rest.startsWith("(")) {
      let depth = 0;
      let j = i + 1;
      for (; j < line.length; j++) {
        if (line[j] === "(") depth++;
        else if (line[j] === ")" && --depth === 0) break;
      }
      cur += "\u0000";
      dynamic = true;
      return j;
    }
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/.exec(rest) ?? /^([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (!m) {
      cur += "$";
      return i;
    }
    const known = vars.get(m[1]);
    if (known !== undefined) cur += known;
    else {
      cur += "\u0000";
      dynamic = true;
    }
    return i + m[0].length;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < line.length) cur += line[++i];
      else if (c === "$") i = expand(i);
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === "$") {
      i = expand(i);
      inWord = true;
    } else if (/\s/.test(c) || c === ";" || c === "|" || c === "&") {
      if (inWord) words.push({ text: cur, dynamic });
      cur = "";
      dynamic = false;
      inWord = false;
    } else if (c === "#" && !inWord) {
      break;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push({ text: cur, dynamic });
  return words;
}
