import { cacheAlarms, certificateAlarms, databaseAlarms, defaultMaxConnections, hostAppAlarms, loadBalancerAlarms, ratioExpression } from "../components/alarms";
import { AppBackup } from "../components/backups";
import { contextFrom, loadStackConfig } from "../config";
import { AlertTopic, AppAlarms } from "../components/monitoring";
import { record } from "./harness";

describe("alarm specifications", () => {
  it("places database thresholds from the instance's storage and connection limit", () => {
    const [cpu, storage, connections] = databaseAlarms("shop", "shop-db", 50, 200);
    expect([cpu.metricName, cpu.threshold]).toEqual(["CPUUtilization", 80]);
    expect([storage.metricName, storage.comparison, storage.threshold]).toEqual(["FreeStorageSpace", "LessThanThreshold", 5 * 1024 ** 3]);
    expect([connections.metricName, connections.threshold]).toEqual(["DatabaseConnections", 160]);
  });

  it("estimates RDS's default max_connections from class memory", () => {
    expect(defaultMaxConnections("db.t4g.micro")).toBe(112);
    expect(defaultMaxConnections("db.m7g.large")).toBe(901);
  });

  it("watches memory and evictions on every cache node, named by member number, never by replication group", () => {
    const nodes = [{ cacheClusterId: "prod-shop-001", cacheNodeId: "0001" }, { cacheClusterId: "prod-shop-002", cacheNodeId: "0001" }];
    expect(cacheAlarms("x", nodes).map((a) => [a.id, a.metricName, a.dimensions])).toEqual([
      ["cache-memory-001", "DatabaseMemoryUsagePercentage", { CacheClusterId: "prod-shop-001", CacheNodeId: "0001" }],
      ["cache-evictions-001", "Evictions", { CacheClusterId: "prod-shop-001", CacheNodeId: "0001" }],
      ["cache-memory-002", "DatabaseMemoryUsagePercentage", { CacheClusterId: "prod-shop-002", CacheNodeId: "0001" }],
      ["cache-evictions-002", "Evictions", { CacheClusterId: "prod-shop-002", CacheNodeId: "0001" }],
    ]);
    // A new replica adds its own alarms and leaves the first member's as they were.
    expect(cacheAlarms("x", nodes.slice(0, 1))).toEqual(cacheAlarms("x", nodes).slice(0, 2));
  });

  it("alarms on the load balancer's and the app's 5xx rate per request, and on unhealthy hosts, by arn suffix", () => {
    const [elb, app, unhealthy] = loadBalancerAlarms("x", "app/lb/1", "targetgroup/tg/2");
    const lb = { LoadBalancer: "app/lb/1" };
    const target = { LoadBalancer: "app/lb/1", TargetGroup: "targetgroup/tg/2" };
    expect(elb).toMatchObject({
      id: "alb-5xx", threshold: 5, comparison: "GreaterThanThreshold", periodSeconds: 300,
      ratio: { part: { metricName: "HTTPCode_ELB_5XX_Count", dimensions: lb, statistic: "Sum" }, whole: { metricName: "RequestCount", dimensions: lb, statistic: "Sum" }, minWhole: 50 },
    });
    expect(app).toMatchObject({
      id: "app-errors", threshold: 5,
      ratio: { part: { metricName: "HTTPCode_Target_5XX_Count", dimensions: target }, whole: { metricName: "RequestCount", dimensions: target } },
    });
    expect(unhealthy).toMatchObject({ metricName: "UnHealthyHostCount", dimensions: target, threshold: 0, comparison: "GreaterThanThreshold" });
  });

  it("computes a rate only over enough requests, counting no errors as zero", () => {
    expect(ratioExpression(50)).toBe("IF(whole >= 50, 100 * FILL(part, 0) / whole, 0)");
    const hostErrors = hostAppAlarms("flashbill").find((a) => a.id === "app-errors")!;
    expect(hostErrors).toMatchObject({ threshold: 5, ratio: { part: { metricName: "Nginx5xx", dimensions: { App: "flashbill" } }, whole: { metricName: "NginxRequests", dimensions: { App: "flashbill" } } } });
  });

  it("names each ACM certificate's expiry alarm apart (load balancer, CloudFront) on ACM's own metric", () => {
    const [alb] = certificateAlarms("shop", "arn:aws:acm:eu-west-1:1:certificate/a");
    const [cdn] = certificateAlarms("shop", "arn:aws:acm:us-east-1:1:certificate/c", "cert-expiry", "CloudFront certificate (us-east-1)");
    expect([alb.id, cdn.id]).toEqual(["acm-expiry", "cert-expiry"]);
    expect(cdn).toMatchObject({
      namespace: "AWS/CertificateManager", metricName: "DaysToExpiry", dimensions: { CertificateArn: "arn:aws:acm:us-east-1:1:certificate/c" },
      statistic: "Minimum", threshold: 30, comparison: "LessThanThreshold",
    });
    expect(cdn.description).toBe("shop: the CloudFront certificate (us-east-1) expires in under 30 days (DNS validation records missing?)");
  });

  it("treats a host that stops reporting its certificate as an expiring certificate", () => {
    const cert = hostAppAlarms("flashbill").find((a) => a.id === "cert-expiry")!;
    expect(cert).toMatchObject({ threshold: 30, comparison: "LessThanThreshold", treatMissingData: "breaching", dimensions: { App: "flashbill" } });
  });
});

describe("monitoring and backup components", () => {
  it("notifies the topic from every alarm and subscribes the on-call address", async () => {
    const rec = await record(() => {
      const topic = new AlertTopic("staging", { email: "oncall@example.com" });
      new AppAlarms("shop", { alarms: cacheAlarms("shop", [{ cacheClusterId: "rg-1-001", cacheNodeId: "0001" }]), topicArn: topic.topicArn });
    });
    const topicArn = rec.one("aws:sns/topic:Topic").outputs.arn;
    expect(rec.one("aws:sns/topicSubscription:TopicSubscription").inputs).toMatchObject({ protocol: "email", endpoint: "oncall@example.com", topic: topicArn });
    const alarms = rec.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms).toHaveLength(2);
    for (const a of alarms) {
      expect(a.inputs.alarmActions).toEqual([topicArn]);
      expect(a.inputs.okActions).toEqual([topicArn]);
    }
    expect(() => new AlertTopic("x", { email: "nobody" })).toThrow(/args\.email "nobody" is not an e-mail address/);
  });

  it("lets the topic's own account's CloudWatch alarms publish, and nobody publish without TLS", async () => {
    const rec = await record(() => { new AlertTopic("staging", { email: "oncall@example.com" }); }, { stack: "staging" });
    const topicArn: string = rec.one("aws:sns/topic:Topic").outputs.arn;
    const [, , , region, account] = topicArn.split(":");
    const policy = rec.one("aws:sns/topicPolicy:TopicPolicy");
    expect(policy.inputs.arn).toBe(topicArn);
    expect(JSON.parse(policy.inputs.policy).Statement).toEqual([
      {
        Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn,
        Condition: { ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${region}:${account}:alarm:*` }, StringEquals: { "aws:SourceAccount": account } },
      },
      { Sid: "DenyPublishWithoutTls", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topicArn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ]);
  });

  it("builds a ratio alarm from metric math: two hidden metric queries and the percentage it compares", async () => {
    const rec = await record(() => {
      new AppAlarms("shop", { alarms: loadBalancerAlarms("shop", "app/lb/1", "targetgroup/tg/2").slice(0, 1), topicArn: "arn:aws:sns:eu-west-1:1:alerts" });
    });
    const alarm = rec.one("aws:cloudwatch/metricAlarm:MetricAlarm").inputs;
    expect(alarm.metricName).toBeUndefined();
    expect(alarm.period).toBeUndefined(); // AWS rejects period beside metricQueries
    expect(alarm.metricQueries).toEqual([
      { id: "part", returnData: false, metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: { LoadBalancer: "app/lb/1" }, stat: "Sum", period: 300 } },
      { id: "whole", returnData: false, metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: { LoadBalancer: "app/lb/1" }, stat: "Sum", period: 300 } },
      { id: "ratio", expression: "IF(whole >= 50, 100 * FILL(part, 0) / whole, 0)", label: "HTTPCode_ELB_5XX_Count per RequestCount (%)", returnData: true },
    ]);
    expect(alarm).toMatchObject({ threshold: 5, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, treatMissingData: "notBreaching" });
  });

  it.each([
    ["daily, 35 days, protected", { schedule: "daily", retentionDays: 35, protect: true }, "cron(0 3 * * ? *)", 35, true],
    ["the defaults", {}, "cron(0 3 ? * SUN *)", 7, false],
  ] as const)("backs up to a KMS-encrypted vault: %s", async (_, options, cron, days, protectedVault) => {
    const rec = await record(() => {
      new AppBackup("shop", { ctx: contextFrom(loadStackConfig()), resourceArns: ["arn:aws:rds:eu-west-1:123456789012:db:shop"], kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k", ...options });
    });
    const vault = rec.one("aws:backup/vault:Vault");
    expect(vault.inputs.kmsKeyArn).toBe("arn:aws:kms:eu-west-1:123456789012:key/k");
    expect(vault.options.protect).toBe(protectedVault);
    expect(vault.inputs.forceDestroy).toBe(!protectedVault);
    const rule = rec.one("aws:backup/plan:Plan").inputs.rules[0];
    expect(rule).toMatchObject({ schedule: cron, lifecycle: { deleteAfter: days }, targetVaultName: vault.outputs.name });
    expect(rec.one("aws:backup/selection:Selection").inputs.resources).toEqual(["arn:aws:rds:eu-west-1:123456789012:db:shop"]);
  });
});
