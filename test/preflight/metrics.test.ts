import * as fs from "fs";
import * as path from "path";
import { gunzipSync, gzipSync } from "zlib";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { DOCUMENTED_METRICS } from "../../tools/preflight/metrics-documented";
import { CATALOGUE_FILE, CheckAlarmsResult, MetricViolation, checkAlarms, expressionReferences, loadCatalogue } from "../../tools/preflight/metrics";
import { ROOT, RecordedResource, Recording, UNKNOWN, recordStack } from "../harness";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SHARED_MODELS = path.resolve(ROOT, "..", "shared", "aws-models");

const recordings: Record<string, Recording> = {};
beforeAll(async () => {
  recordings.staging = await recordStack("staging");
  recordings.prod = await recordStack("prod");
}, 120_000);

const check = (rec: Recording, resources: RecordedResource[] = rec.resources): CheckAlarmsResult =>
  checkAlarms(resources, { regionOf: (r) => rec.regionOf(r) });

/** A deep copy of a recording's resources, with `edit` applied to the named resource. */
function seeded(rec: Recording, name: string, edit: (r: RecordedResource) => void, type = ALARM): RecordedResource[] {
  const copy: RecordedResource[] = JSON.parse(JSON.stringify(rec.resources));
  const target = copy.find((r) => r.type === type && r.name === name);
  if (!target) throw new Error(`no ${type} ${name} in the recording`);
  edit(target);
  return copy;
}

/** The violations of one alarm in a seeded copy. */
function violationsOf(rec: Recording, resources: RecordedResource[], alarm: string): MetricViolation[] {
  return check(rec, resources).violations.filter((v) => v.alarm === alarm);
}

/** What confirms each combination, by `namespace metric [dimension names]`. */
function sourceKinds(result: CheckAlarmsResult): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const a of result.alarms) for (const m of a.metrics) out[`${m.namespace} ${m.metricName} [${Object.keys(m.dimensions).sort().join(",")}]`] = m.source?.kind;
  return out;
}

// Where AWS or the stack publishes each metric the stacks alarm on. A new alarm metric must be
// added here with the source that really publishes it.
const EXPECTED_SOURCES: Record<string, string> = {
  "AWS/ApplicationELB HTTPCode_ELB_5XX_Count [LoadBalancer]": "catalogue",
  "AWS/ApplicationELB RequestCount [LoadBalancer]": "catalogue",
  "AWS/ApplicationELB HTTPCode_Target_5XX_Count [LoadBalancer,TargetGroup]": "catalogue",
  "AWS/ApplicationELB RequestCount [LoadBalancer,TargetGroup]": "catalogue",
  "AWS/ApplicationELB UnHealthyHostCount [LoadBalancer,TargetGroup]": "documented",
  "AWS/CertificateManager DaysToExpiry [CertificateArn]": "documented",
  "AWS/EC2 CPUUtilization [InstanceId]": "catalogue",
  "AWS/EC2 StatusCheckFailed [InstanceId]": "catalogue",
  "AWS/EC2 StatusCheckFailed_System [InstanceId]": "catalogue",
  "AWS/EC2 StatusCheckFailed [AutoScalingGroupName]": "documented",
  "AWS/ElastiCache DatabaseMemoryUsagePercentage [CacheClusterId,CacheNodeId]": "catalogue",
  "AWS/ElastiCache Evictions [CacheClusterId,CacheNodeId]": "catalogue",
  "AWS/RDS CPUUtilization [DBInstanceIdentifier]": "catalogue",
  "AWS/RDS DatabaseConnections [DBInstanceIdentifier]": "catalogue",
  "AWS/RDS FreeStorageSpace [DBInstanceIdentifier]": "catalogue",
  "WebappPlatform/Host CertificateDaysToExpiry [App]": "host-script",
  "WebappPlatform/Host Nginx5xx [App]": "log-metric-filter",
  "WebappPlatform/Host NginxRequests [App]": "log-metric-filter",
  "WebappPlatform/Host NginxUpstreamDown [App]": "log-metric-filter",
};
const PROD_ONLY: Record<string, string> = { "AWS/RDS ReplicaLag [DBInstanceIdentifier]": "documented" };

describe.each(["staging", "prod"])("the %s stack's alarms", (stack) => {
  it("all watch published metrics: no violations", () => {
    expect(check(recordings[stack]).violations).toEqual([]);
  });

  it("have every metric confirmed, each by the one source that publishes it", () => {
    const result = check(recordings[stack]);
    expect(result.alarms.length).toBe(recordings[stack].ofType(ALARM).length);
    for (const a of result.alarms) expect([a.alarm, a.metrics.length > 0]).toEqual([a.alarm, true]);
    expect(sourceKinds(result)).toEqual(stack === "prod" ? { ...EXPECTED_SOURCES, ...PROD_ONLY } : EXPECTED_SOURCES);
  });

  it("find the host metrics where the hosts really publish them", () => {
    const byAlarm = Object.fromEntries(check(recordings[stack]).alarms.flatMap((a) => a.metrics.map((m) => [`${a.alarm}/${m.metricName}`, m.source?.detail])));
    expect(byAlarm["flashbill-cert-expiry/CertificateDaysToExpiry"]).toBe("flashbill-host: /usr/local/sbin/flashbill-cert-expiry");
    expect(byAlarm["smartboostpro-cert-expiry/CertificateDaysToExpiry"]).toBe("smartboostpro-host: /usr/local/sbin/smartboostpro-cert-expiry");
    expect(byAlarm["flashbill-app-errors/Nginx5xx"]).toBe("flashbill-nginx-5xx");
    expect(byAlarm["flashbill-app-down/NginxUpstreamDown"]).toBe("flashbill-nginx-502");
  });

  it("put each CloudFront certificate's expiry alarm in us-east-1, with the certificate", () => {
    const cdn = check(recordings[stack]).alarms.filter((a) => a.alarm.endsWith("-cdn-cert-expiry"));
    expect(cdn.map((a) => a.region)).toEqual(cdn.map(() => "us-east-1"));
    expect(cdn.length).toBeGreaterThan(0);
  });
});

describe("seeded violations in a copy of the prod recording", () => {
  const prod = () => recordings.prod;

  it("an unpublished metric", () => {
    const copy = seeded(prod(), "flashbill-db-cpu", (a) => { a.inputs.metricName = "CPUUtilisation"; });
    expect(violationsOf(prod(), copy, "flashbill-db-cpu")).toEqual([expect.objectContaining({
      kind: "unpublished-metric", message: expect.stringMatching(/watches AWS\/RDS CPUUtilisation, which neither the metric catalogue nor the documented table lists/),
    })]);
  });

  it("a published metric under a dimension set it is never published with (Evictions per ReplicationGroupId)", () => {
    const copy = seeded(prod(), "flashbill-cache-evictions-001", (a) => { a.inputs.dimensions = { ReplicationGroupId: "prod-flashbill" }; });
    expect(violationsOf(prod(), copy, "flashbill-cache-evictions-001")).toEqual([{
      alarm: "flashbill-cache-evictions-001", urn: expect.any(String), queryId: undefined, kind: "unpublished-dimensions",
      message: "watches AWS/ElastiCache Evictions [ReplicationGroupId], but AWS publishes Evictions only per [CacheClusterId], [CacheClusterId, CacheNodeId], []: this alarm can never fire",
    }]);
  });

  it("a custom metric for an app whose host does not publish it", () => {
    const copy = seeded(prod(), "flashbill-cert-expiry", (a) => { a.inputs.dimensions = { App: "avanii-shop" }; });
    expect(violationsOf(prod(), copy, "flashbill-cert-expiry")).toEqual([expect.objectContaining({
      kind: "no-publisher",
      message: expect.stringMatching(/^watches WebappPlatform\/Host CertificateDaysToExpiry with App=avanii-shop, which nothing in this stack publishes \(.*App=flashbill from flashbill-host: \/usr\/local\/sbin\/flashbill-cert-expiry/),
    })]);
    // The nginx metrics come from log filters whose App is whatever the shipping host logs.
    const errors = seeded(prod(), "flashbill-app-errors", (a) => { for (const q of a.inputs.metricQueries) if (q.metric) q.metric.dimensions = { App: "avanii-shop" }; });
    expect(violationsOf(prod(), errors, "flashbill-app-errors").map((v) => [v.queryId, v.kind])).toEqual([["part", "no-publisher"], ["whole", "no-publisher"]]);
  });

  it("a custom metric whose script is gone from the host's user data", () => {
    const copy = seeded(prod(), "flashbill-host", (host) => {
      const doc = parseYaml(gunzipSync(Buffer.from(host.inputs.userDataBase64, "base64")).toString());
      doc.write_files = doc.write_files.filter((f: { path: string }) => !f.path.endsWith("-cert-expiry"));
      host.inputs.userDataBase64 = gzipSync(`#cloud-config\n${stringifyYaml(doc)}`).toString("base64");
    }, "aws:ec2/instance:Instance");
    expect(violationsOf(prod(), copy, "flashbill-cert-expiry")).toEqual([expect.objectContaining({
      kind: "no-publisher", message: expect.stringMatching(/^watches WebappPlatform\/Host CertificateDaysToExpiry with App=flashbill, which nothing in this stack publishes/),
    })]);
    // The other host still publishes its own.
    expect(violationsOf(prod(), copy, "smartboostpro-cert-expiry")).toEqual([]);
  });

  it("log-filter metrics of a host that is gone: no host ships the log group", () => {
    const copy = prod().resources.filter((r) => r.name !== "flashbill-host");
    const messages = violationsOf(prod(), copy, "flashbill-app-down").map((v) => v.message);
    expect(messages).toEqual(["watches WebappPlatform/Host NginxUpstreamDown with App=flashbill, which nothing in this stack publishes "
      + "(App=smartboostpro from smartboostpro-nginx-502; flashbill-nginx-502 reads log group /webapp-platform/prod/flashbill/nginx-access, to which no host in this stack ships logs)"]);
  });

  it("a math expression that uses an id no query defines", () => {
    const copy = seeded(prod(), "avanii-shop-alb-5xx", (a) => {
      const ratio = a.inputs.metricQueries.find((q: { id: string }) => q.id === "ratio");
      ratio.expression = ratio.expression.replace(/whole/g, "hole");
    });
    expect(violationsOf(prod(), copy, "avanii-shop-alb-5xx")).toEqual([expect.objectContaining({
      kind: "expression", queryId: "ratio", message: 'the expression of query "ratio" uses "hole", which no query of this alarm defines (ids: part, whole, ratio)',
    })]);
  });

  it("two queries returning data, and a period beside metricQueries", () => {
    const copy = seeded(prod(), "avanii-shop-alb-5xx", (a) => {
      a.inputs.metricQueries[0].returnData = true;
      a.inputs.period = 300;
    });
    expect(violationsOf(prod(), copy, "avanii-shop-alb-5xx").map((v) => [v.kind, v.message])).toEqual([
      ["malformed", "sets period beside metricQueries; PutMetricAlarm rejects it (each query carries its own)"],
      ["expression", "2 metric queries return data (returnData not false); exactly one must"],
    ]);
  });

  it.each([
    ["investment-platform-unhealthy-hosts", "LoadBalancer", (r: Recording) => r.one("aws:lb/loadBalancer:LoadBalancer", "investment-platform-alb").outputs.arn, /publishes LoadBalancer as app\/<name>\/<16 hex digits>, the load balancer's arnSuffix/],
    ["investment-platform-unhealthy-hosts", "TargetGroup", (r: Recording) => r.one("aws:lb/targetGroup:TargetGroup", "investment-platform-tg").outputs.name, /publishes TargetGroup as targetgroup\/<name>\/<16 hex digits>/],
    ["avanii-shop-acm-expiry", "CertificateArn", (r: Recording) => r.one("aws:acm/certificate:Certificate", /avanii-shop/).outputs.arn.split("/")[1], /publishes CertificateArn as the certificate's full ARN/],
    ["flashbill-host-cpu", "InstanceId", (r: Recording) => r.one("aws:ec2/instance:Instance", "flashbill-host").outputs.arn, /publishes InstanceId as i- and 8 or 17 hex digits/],
    ["flashbill-db-cpu", "DBInstanceIdentifier", (r: Recording) => r.one("aws:rds/instance:Instance", "flashbill-db-db").outputs.arn, /publishes DBInstanceIdentifier as the DB instance identifier in lower case/],
    ["avanii-shop-fleet-status", "AutoScalingGroupName", (r: Recording) => r.one("aws:autoscaling/group:Group", "avanii-shop-asg").outputs.arn, /publishes AutoScalingGroupName as the group's name \(not its ARN\)/],
    ["flashbill-cache-memory-001", "CacheNodeId", () => "1", /publishes CacheNodeId as a four-digit node id/],
  ])("a dimension value in the wrong form: %s %s", (alarm, dimension, wrong, message) => {
    const copy = seeded(prod(), alarm, (a) => { a.inputs.dimensions[dimension] = wrong(prod()); });
    expect(violationsOf(prod(), copy, alarm)).toEqual([expect.objectContaining({ kind: "dimension-value", message: expect.stringMatching(message) })]);
  });

  it("a well-formed value naming the wrong thing: the replication group instead of a member cluster", () => {
    const copy = seeded(prod(), "flashbill-cache-memory-001", (a) => { a.inputs.dimensions.CacheClusterId = "prod-flashbill"; });
    expect(violationsOf(prod(), copy, "flashbill-cache-memory-001").map((v) => v.message)).toEqual([
      'gives CacheClusterId = "prod-flashbill", the replication group\'s id; ElastiCache publishes per member cluster (prod-flashbill-001, prod-flashbill-002)',
    ]);
  });

  it("a load balancer paired with another app's target group", () => {
    const other = prod().one("aws:lb/targetGroup:TargetGroup", "saas-platform-tg").outputs.arnSuffix;
    const copy = seeded(prod(), "investment-platform-unhealthy-hosts", (a) => { a.inputs.dimensions.TargetGroup = other; });
    expect(violationsOf(prod(), copy, "investment-platform-unhealthy-hosts").map((v) => v.message)).toEqual([
      "pairs LoadBalancer investment-platform-alb with TargetGroup saas-platform-tg, but no listener or rule of that load balancer forwards to that target group: the pair has no metrics",
    ]);
  });

  it("replica lag watched on a primary", () => {
    const copy = seeded(prod(), "saas-platform-replica-lag", (a) => { a.inputs.dimensions.DBInstanceIdentifier = "prod-saas-platform"; });
    expect(violationsOf(prod(), copy, "saas-platform-replica-lag").map((v) => v.message)).toEqual([
      expect.stringMatching(/^watches ReplicaLag of saas-platform-db-db, which is not a read replica/),
    ]);
  });

  it("a CloudFront certificate's expiry alarm created in the stack's region", () => {
    const copy = seeded(prod(), "saas-platform-cdn-cert-expiry", (a) => { a.options.provider = undefined; });
    expect(violationsOf(prod(), copy, "saas-platform-cdn-cert-expiry")).toEqual([expect.objectContaining({
      kind: "region", message: expect.stringMatching(/^is in eu-west-1, but ACM publishes DaysToExpiry for arn:aws:acm:us-east-1:\S+ only in the certificate's region, us-east-1$/),
    })]);
  });

  it.each([
    [45, /over a period of 45 s; CloudWatch accepts 10, 20, 30 or a multiple of 60/],
    [30, /over 30 s, but it is stored at one-minute resolution/],
  ])("a period of %s s", (period, message) => {
    const copy = seeded(prod(), "flashbill-host-cpu", (a) => { a.inputs.period = period; });
    expect(violationsOf(prod(), copy, "flashbill-host-cpu")).toEqual([expect.objectContaining({ kind: "period", message: expect.stringMatching(message) })]);
  });

  it("an evaluation window over a day for periods under an hour", () => {
    const copy = seeded(prod(), "flashbill-host-cpu", (a) => { a.inputs.evaluationPeriods = 300; });
    expect(violationsOf(prod(), copy, "flashbill-host-cpu").map((v) => v.message)).toEqual(["evaluates 300 periods of 300 s (90000 s); CloudWatch allows at most 86400 s for periods under an hour"]);
  });

  it("accepts values unknown at preview and still names the source", () => {
    const copy = seeded(prod(), "flashbill-cache-memory-002", (a) => { a.inputs.dimensions.CacheClusterId = UNKNOWN; });
    const result = check(prod(), copy);
    expect(result.violations).toEqual([]);
    expect(result.alarms.find((a) => a.alarm === "flashbill-cache-memory-002")?.metrics[0].source?.kind).toBe("catalogue");
    // memberClusters is unknown at preview: the deterministic member ids cannot be refuted yet.
    const pending = seeded(prod(), "flashbill-cache-redis", (g) => { g.outputs.memberClusters = UNKNOWN; }, "aws:elasticache/replicationGroup:ReplicationGroup");
    expect(check(prod(), pending).violations).toEqual([]);
  });
});

describe("metric math references", () => {
  it("reads lower-case ids, not functions, keywords, numbers or strings", () => {
    expect(expressionReferences("IF(whole >= 50, 100 * FILL(part, 0) / whole, 0)").sort()).toEqual(["part", "whole"]);
    expect(expressionReferences("SUM(METRICS()) + m_1 * 2.5e3 + SEARCH('{AWS/EC2,InstanceId} cpu', 'Average', 300)")).toEqual(["m_1"]);
    expect(expressionReferences("SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\", InstanceId)")).toEqual([]);
  });
});

describe("the documented table", () => {
  const catalogue = loadCatalogue();

  it("lists only what the catalogue lacks, so each combination has one source", () => {
    for (const d of DOCUMENTED_METRICS) {
      const sets = catalogue[d.namespace]?.[d.metric] ?? [];
      expect([d.metric, sets.some((s) => s.length === d.dimensions.length && d.dimensions.every((k) => s.includes(k)))]).toEqual([d.metric, false]);
    }
  });

  it("cites an AWS documentation page whose quoted text names the namespace, metric and every dimension", () => {
    for (const d of DOCUMENTED_METRICS) {
      expect([d.metric, d.source.url]).toEqual([d.metric, expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\/\S+\.html$/)]);
      for (const word of [d.namespace, d.metric, ...d.dimensions]) expect([d.metric, d.source.quote.includes(word)]).toEqual([d.metric, true]);
    }
  });
});

describe("the vendored metric catalogue", () => {
  const shared = path.join(SHARED_MODELS, "cloudwatch-metrics.json");
  const present = fs.existsSync(shared);
  (present ? it : it.skip)(present
    ? "equals shared/aws-models/cloudwatch-metrics.json"
    : "equals shared/aws-models/cloudwatch-metrics.json (skipped: ../shared/aws-models is not beside this checkout)", () => {
    expect(fs.readFileSync(CATALOGUE_FILE, "utf8")).toBe(fs.readFileSync(shared, "utf8"));
  });

  it("is readable without ../shared and knows the namespaces the stacks alarm on", () => {
    expect(Object.keys(loadCatalogue())).toEqual(expect.arrayContaining(["AWS/ApplicationELB", "AWS/EC2", "AWS/ElastiCache", "AWS/RDS"]));
  });
});
