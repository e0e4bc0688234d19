/**
 * Whole-stack tests: both real stack files, recorded with the harness. One test per row of
 * docs/architectures.md at least: each seed's boxes and security layers, built.
 */
import { gunzipSync } from "zlib";
import { RecordedResource, Recording, recordStack } from "./harness";

const INSTANCE = "aws:ec2/instance:Instance";
const ASG = "aws:autoscaling/group:Group";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const RDS = "aws:rds/instance:Instance";
const REDIS = "aws:elasticache/replicationGroup:ReplicationGroup";
const CDN = "aws:cloudfront/distribution:Distribution";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const ALERT_EMAIL: Record<string, string> = { staging: "platform-alerts@smartboostpro.com", prod: "oncall@smartboostpro.com" };
const APPS = ["smartboostpro", "investment-platform", "saas-platform", "flashbill", "avanii-shop"];

const stacks: Record<string, Recording> = {};
beforeAll(async () => {
  stacks.staging = await recordStack("staging");
  stacks.prod = await recordStack("prod");
});

/** The app's architecture component and everything below it. */
function appResources(rec: Recording, app: string): RecordedResource[] {
  const root = rec.resources.find((r) => r.type.startsWith("webapp-platform:architecture:") && r.name === app);
  if (!root) throw new Error(`no architecture component for ${app}`);
  return [root, ...rec.descendants(root.urn)];
}
const ofType = (rs: RecordedResource[], type: string) => rs.filter((r) => r.type === type);
function userDataOf(r: RecordedResource): string {
  const raw = r.type === LT ? r.inputs.userData : r.inputs.userDataBase64 ?? r.inputs.userData;
  const bytes = Buffer.from(raw, "base64");
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
}

describe.each(["staging", "prod"])("the %s stack", (stack) => {
  const rec = () => stacks[stack];

  it("builds all five apps with no warning about a skipped app", () => {
    expect(rec().warnings.filter((w) => /skipped/.test(w))).toEqual([]);
    expect(rec().outputs.skippedApps).toEqual([]);
    expect(Object.keys(rec().outputs.apps as object).sort()).toEqual([...APPS].sort());
  });

  it("never makes a host or fleet wait for a database, cache or CDN (they create side by side)", () => {
    const slow = new Set(rec().resources.filter((r) => [RDS, REDIS, CDN].includes(r.type)).map((r) => r.urn));
    expect(slow.size).toBeGreaterThan(5);
    for (const host of [...rec().ofType(INSTANCE), ...rec().ofType(ASG), ...rec().ofType(LT)]) {
      const waits = [...rec().transitiveDependencies(host.urn)].filter((u) => slow.has(u));
      expect({ host: host.name, waits }).toEqual({ host: host.name, waits: [] });
    }
  });

  const regionOf = (r: RecordedResource) => rec().regionOf(r);
  const topicIn = (region: string) => rec().ofType(TOPIC).filter((t) => regionOf(t) === region);

  it("gives every app alarms that notify the stack's topic in their own region, and backs up every database", () => {
    for (const app of APPS) {
      const alarms = ofType(appResources(rec(), app), ALARM);
      expect(alarms.length).toBeGreaterThanOrEqual(5);
      for (const a of alarms) {
        const topics = topicIn(regionOf(a));
        expect(topics).toHaveLength(1);
        expect(a.inputs.alarmActions).toContain(topics[0].outputs.arn);
      }
      const dbArn = ofType(appResources(rec(), app), RDS).find((d) => !d.inputs.replicateSourceDb)!.outputs.arn;
      expect(ofType(appResources(rec(), app), "aws:backup/selection:Selection")[0].inputs.resources).toContain(dbArn);
      // The environment's profile (prod daily for 35 days, staging weekly for 7); the Avanii shop asks for weekly.
      const rule = ofType(appResources(rec(), app), "aws:backup/plan:Plan")[0].inputs.rules[0];
      const daily = stack === "prod" && app !== "avanii-shop";
      expect([app, rule.schedule, rule.lifecycle.deleteAfter]).toEqual([app, daily ? "cron(0 3 * * ? *)" : "cron(0 3 ? * SUN *)", stack === "prod" ? 35 : 7]);
    }
  });

  it("alarms 30 days before any ACM certificate expires, in the certificate's region (us-east-1 for CloudFront)", () => {
    const certs = rec().ofType("aws:acm/certificate:Certificate");
    expect(certs.map(regionOf)).toEqual(expect.arrayContaining(["eu-west-1", "us-east-1"]));
    const expiry = rec().ofType(ALARM).filter((a) => a.inputs.metricName === "DaysToExpiry");
    for (const cert of certs) {
      const alarm = expiry.find((a) => a.inputs.dimensions.CertificateArn === cert.outputs.arn);
      expect({ cert: cert.name, alarm: alarm && { region: regionOf(alarm), namespace: alarm.inputs.namespace, threshold: alarm.inputs.threshold, comparison: alarm.inputs.comparisonOperator } })
        .toEqual({ cert: cert.name, alarm: { region: regionOf(cert), namespace: "AWS/CertificateManager", threshold: 30, comparison: "LessThanThreshold" } });
    }
    for (const cdn of rec().ofType(CDN)) {
      const cert = certs.find((c) => c.outputs.arn === cdn.inputs.viewerCertificate.acmCertificateArn)!;
      expect(cert.outputs.arn).toMatch(/^arn:aws:acm:us-east-1:/);
    }
  });

  it("alarms on each load balancer's 5xx rate and its app's 5xx rate (per request, over at least 50 requests)", () => {
    const albs = rec().ofType("aws:lb/loadBalancer:LoadBalancer");
    expect(albs.length).toBe(3);
    const rates = rec().ofType(ALARM).filter((a) => a.inputs.metricQueries).map((a) => ({
      metrics: a.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => [q.metric.metricName, q.metric.dimensions.LoadBalancer]),
      expression: a.inputs.metricQueries.find((q: any) => q.returnData).expression,
      threshold: a.inputs.threshold,
    }));
    const listeners = rec().ofType("aws:lb/listener:Listener");
    for (const lb of albs) {
      const suffix = lb.outputs.arnSuffix;
      // The app's rate only once a listener forwards to its hosts: before an external-DNS
      // certificate is validated, the ALB only redirects (and its own 5xx rate is watched).
      const forwards = listeners.some((l) => l.inputs.loadBalancerArn === lb.outputs.arn && l.inputs.defaultActions?.[0]?.type === "forward");
      for (const errors of forwards ? ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"] : ["HTTPCode_ELB_5XX_Count"]) {
        expect(rates).toContainEqual({ metrics: [[errors, suffix], ["RequestCount", suffix]], expression: "IF(whole >= 50, 100 * FILL(part, 0) / whole, 0)", threshold: 5 });
      }
      if (!forwards) expect(rates.some((r) => r.metrics[0][0] === "HTTPCode_Target_5XX_Count" && r.metrics[0][1] === suffix)).toBe(false);
    }
  });

  it("mails the alert address from one topic per region that has alarms", () => {
    const subscriptions = rec().ofType("aws:sns/topicSubscription:TopicSubscription");
    for (const region of ["eu-west-1", "us-east-1"]) {
      const [topic] = topicIn(region);
      const mail = subscriptions.filter((s) => s.inputs.topic === topic.outputs.arn);
      expect(mail.map((s) => [s.inputs.protocol, s.inputs.endpoint, regionOf(s)])).toEqual([["email", ALERT_EMAIL[stack], region]]);
    }
    expect(topicIn("eu-west-1")[0].inputs.kmsMasterKeyId).toBe(rec().one("aws:kms/key:Key", `${stack}-key`).outputs.arn);
    expect(rec().outputs.usEast1AlertTopicArn).toBe(topicIn("us-east-1")[0].outputs.arn);
  });

  it("opens nothing but 80 and 443 to the world, and only on edge-tier groups; data tiers admit groups, never CIDRs", () => {
    const groups = new Map(rec().ofType("aws:ec2/securityGroup:SecurityGroup").map((g) => [g.id, g.inputs.tags.tier]));
    const ingress = rec().ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    const open = ingress.filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
    expect(open.length).toBeGreaterThan(0);
    for (const r of open) {
      expect([80, 443]).toContain(r.inputs.fromPort);
      expect(r.inputs.toPort).toBe(r.inputs.fromPort);
      expect(groups.get(r.inputs.securityGroupId)).toBe("edge");
    }
    for (const r of ingress.filter((i) => groups.get(i.inputs.securityGroupId) === "data")) {
      expect(r.inputs.referencedSecurityGroupId).toBeTruthy();
      expect(r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? r.inputs.prefixListId).toBeUndefined();
    }
  });

  it("keeps every app's uploads in a private, versioned media bucket encrypted with the stack key, TLS only, protected in prod", () => {
    const keyArn = rec().one("aws:kms/key:Key", `${stack}-key`).outputs.arn;
    const buckets = rec().ofType("aws:s3/bucket:Bucket").filter((b) => b.name.endsWith("-media"));
    expect(buckets.map((b) => b.name).sort()).toEqual(APPS.map((a) => `${a}-media`).sort());
    const setting = (type: string, b: RecordedResource) => rec().ofType(type).find((r) => r.name === b.name && r.inputs.bucket === b.id)!.inputs;
    for (const b of buckets) {
      expect(b.options.protect).toBe(stack === "prod");
      expect(setting("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", b)).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      expect(setting("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", b).rules)
        .toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }]);
      expect(setting("aws:s3/bucketVersioning:BucketVersioning", b).versioningConfiguration.status).toBe("Enabled");
      expect(setting("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", b).rules[0]).toMatchObject({ noncurrentVersionExpiration: { noncurrentDays: 90 } });
      expect(setting("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", b).rules[0].expiration).toBeUndefined(); // current uploads never expire
      expect(JSON.parse(setting("aws:s3/bucketPolicy:BucketPolicy", b).policy).Statement).toContainEqual(expect.objectContaining({ Sid: "DenyInsecureTransport", Effect: "Deny" }));
    }
  });

  it("copies every data bucket (media, KYC documents) to a second region in prod, and logs every request to it", () => {
    const buckets = rec().ofType("aws:s3/bucket:Bucket");
    const data = buckets.filter((b) => /-(media|kyc)$/.test(b.name));
    expect(data.length).toBe(APPS.length + 1);
    const replications = rec().ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    const logging = rec().ofType("aws:s3/bucketLogging:BucketLogging");
    for (const b of data) {
      expect(logging.find((l) => l.inputs.bucket === b.id)?.inputs.targetBucket).toBe(buckets.find((x) => x.name === `${b.name}-access-logs`)!.id);
      const copy = replications.filter((r) => r.inputs.bucket === b.id);
      if (stack !== "prod") { expect(copy).toEqual([]); continue; }
      const replica = buckets.find((x) => x.name === `${b.name}-replica`)!;
      expect(replica.options.protect).toBe(true);
      expect(regionOf(replica)).toBe("eu-central-1");
      expect(copy.map((r) => r.inputs.rules[0])).toEqual([expect.objectContaining({
        status: "Enabled", filter: {}, deleteMarkerReplication: { status: "Enabled" },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
        destination: expect.objectContaining({ bucket: replica.outputs.arn, encryptionConfiguration: { replicaKmsKeyId: rec().one("aws:kms/key:Key", "prod-eu-central-1-replica-key").outputs.arn } }),
      })]);
      // The copy keeps old versions as long as the source, and logs its own requests (in its region).
      const lifecycle = rec().ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find((l) => l.inputs.bucket === replica.id)!;
      expect(lifecycle.inputs.rules[0].noncurrentVersionExpiration.noncurrentDays).toBe(/-kyc$/.test(b.name) ? 365 : 90);
      expect(logging.find((l) => l.inputs.bucket === replica.id)).toBeDefined();
    }
  });

  it("tags each app's resources with the app's name and the shared ones as the platform's, with environment and cost centre", () => {
    const tagsOf = (r: RecordedResource): Record<string, string> | undefined =>
      Array.isArray(r.inputs.tags) ? Object.fromEntries(r.inputs.tags.map((t: { key: string; value: string }) => [t.key, t.value])) : r.inputs.tags;
    const owned = new Set<string>();
    for (const app of APPS) {
      const tagged = appResources(rec(), app).filter((r) => r.custom && tagsOf(r) !== undefined);
      expect(tagged.length).toBeGreaterThan(10);
      for (const r of tagged) {
        owned.add(r.urn);
        expect([r.name, tagsOf(r)!.app]).toEqual([r.name, app]);
      }
    }
    const shared = rec().resources.filter((r) => r.custom && !owned.has(r.urn) && tagsOf(r) !== undefined && r.type !== "pulumi:providers:aws");
    expect(shared.map((r) => r.type)).toEqual(expect.arrayContaining(["aws:ec2/vpc:Vpc", "aws:kms/key:Key", TOPIC]));
    for (const r of shared) expect([r.name, tagsOf(r)!.app]).toEqual([r.name, "platform"]);
    for (const r of [...owned].map((u) => rec().resources.find((x) => x.urn === u)!).concat(shared)) {
      expect([r.name, tagsOf(r)!.environment, tagsOf(r)!["cost-center"]]).toEqual([r.name, stack, `platform-${stack}`]);
    }
  });

  it("keeps every database and cache private and encrypted, in the isolated subnets' groups", () => {
    for (const db of rec().ofType(RDS)) {
      expect(db.inputs.publiclyAccessible).toBe(false);
      expect(db.inputs.storageEncrypted ?? true).toBe(true);
    }
    for (const c of rec().ofType(REDIS)) expect(c.inputs).toMatchObject({ atRestEncryptionEnabled: true, transitEncryptionEnabled: true });
  });
});

describe("prod protection", () => {
  const STATEFUL = [RDS, REDIS, "aws:kms/key:Key", "aws:secretsmanager/secret:Secret", "aws:backup/vault:Vault"];

  it("protects every stateful resource and data bucket in prod, and none in staging", () => {
    const stateful = (rec: Recording) => rec.resources.filter((r) => STATEFUL.includes(r.type) || (r.type === "aws:s3/bucket:Bucket" && /-(media|kyc)$/.test(r.name)));
    const prod = stateful(stacks.prod);
    expect(prod.length).toBeGreaterThan(20);
    expect(prod.filter((r) => !r.options.protect).map((r) => r.name)).toEqual([]);
    expect(stateful(stacks.staging).filter((r) => r.options.protect).map((r) => r.name)).toEqual([]);
  });

  it("runs prod databases Multi-AZ with deletion protection and a named final snapshot", () => {
    for (const db of stacks.prod.ofType(RDS).filter((d) => !d.inputs.replicateSourceDb)) {
      expect(db.inputs).toMatchObject({ multiAz: true, deletionProtection: true, skipFinalSnapshot: false });
      expect(db.inputs.finalSnapshotIdentifier).toMatch(/final/);
      expect(db.inputs.backupRetentionPeriod).toBeGreaterThanOrEqual(14);
    }
  });

  it("runs prod on 3 AZs with a NAT per AZ and staging on 2 with one", () => {
    expect(stacks.prod.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(3);
    expect(stacks.staging.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(1);
  });
});

describe("SmartBoostPro (single host, Django)", () => {
  const app = () => appResources(stacks.prod, "smartboostpro");

  it("runs gunicorn on 127.0.0.1:8000 behind nginx with SAMEORIGIN framing, on an EC2 host with an Elastic IP", () => {
    const [host] = ofType(app(), INSTANCE);
    const doc = userDataOf(host);
    expect(doc).toMatch(/gunicorn[^\n]*--bind[= ]127\.0\.0\.1:8000/);
    expect(doc).toMatch(/X-Frame-Options "SAMEORIGIN"/);
    expect(doc).toMatch(/return 301 https:\/\/\$host\$request_uri/);
    expect(ofType(app(), "aws:ec2/eipAssociation:EipAssociation")).toHaveLength(1);
    expect(host.inputs.metadataOptions).toMatchObject({ httpTokens: "required" });
  });

  it("keeps media on a versioned private bucket and data on RDS PostgreSQL 16, backed up daily", () => {
    expect(ofType(app(), "aws:s3/bucketVersioning:BucketVersioning").some((v) => /media/.test(v.name))).toBe(true);
    expect(ofType(app(), RDS)[0].inputs).toMatchObject({ engine: "postgres", dbName: "smartboost" });
    expect(String(ofType(app(), RDS)[0].inputs.engineVersion)).toMatch(/^16/);
    expect(ofType(app(), "aws:backup/plan:Plan")[0].inputs.rules[0].schedule).toBe("cron(0 3 * * ? *)");
  });

  it("points apex and www at the host", () => {
    const records = ofType(app(), "aws:route53/record:Record").map((r) => r.inputs.name).sort();
    expect(records).toEqual(["smartboostpro.com", "www.smartboostpro.com"]);
  });
});

describe("Investment Platform (SPA + API)", () => {
  const app = () => appResources(stacks.prod, "investment-platform");

  it("serves the SPA from a private bucket through CloudFront with origin access control", () => {
    const [cdn] = ofType(app(), CDN);
    expect(cdn.inputs.aliases).toEqual(["investplatform.app", "www.investplatform.app"]);
    expect(cdn.inputs.origins[0].originAccessControlId).toBeTruthy();
    expect(cdn.inputs.webAclId).toMatch(/global\/webacl/);
  });

  it("runs the API on a fleet behind an ALB at api.<domain>, with the SPA as its only CORS origin", () => {
    const [lt] = ofType(app(), LT);
    expect(userDataOf(lt)).toMatch(/CORS_ALLOWED_ORIGINS=.*https:\/\/investplatform\.app,https:\/\/www\.investplatform\.app/);
    expect(ofType(app(), "aws:route53/record:Record").find((r) => r.name === "investment-platform-host-0-a")!.inputs.name).toBe("api.investplatform.app");
  });

  it("keeps KYC documents KMS-encrypted, versioned, access-logged and readable only by the API's role", () => {
    const kyc = ofType(app(), "aws:s3/bucket:Bucket").find((b) => b.name === "investment-platform-kyc")!;
    const sse = ofType(app(), "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((s) => s.inputs.bucket === kyc.id)!;
    expect(sse.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).toBe("aws:kms");
    expect(ofType(app(), "aws:s3/bucketLogging:BucketLogging").find((l) => l.inputs.bucket === kyc.id)).toBeDefined();
    const policy = JSON.parse(ofType(app(), "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === kyc.id)!.inputs.policy);
    const roleArn = ofType(app(), "aws:iam/role:Role").find((r) => r.name === "investment-platform-host")?.outputs.arn
      ?? ofType(app(), "aws:iam/role:Role").find((r) => /host|instance/.test(r.name))!.outputs.arn;
    expect(policy.Statement.find((s: any) => s.Sid === "OnlyTheAppReadsDocuments").Condition.ArnNotEquals["aws:PrincipalArn"]).toEqual([roleArn]);
  });

  it("verifies its mail domain with SES, publishes three DKIM records, and lets only the API send", () => {
    expect(ofType(app(), "aws:route53/record:Record").filter((r) => /mail-dkim/.test(r.name))).toHaveLength(3);
    const identityArn = ofType(app(), "aws:ses/domainIdentity:DomainIdentity")[0].outputs.arn;
    const senders = stacks.prod.resources.filter((r) => typeof r.inputs.policy === "string" && r.inputs.policy.includes("ses:SendRawEmail"));
    expect(senders.map((r) => [r.parent === appResources(stacks.prod, "investment-platform").find((c) => c.type === "webapp-platform:compute:AppFleet")?.urn, JSON.parse(r.inputs.policy).Statement[0].Resource])).toEqual([[true, identityArn]]);
    expect(ofType(app(), REDIS)).toHaveLength(1);
  });
});

describe("SaaS platform (containers)", () => {
  const app = () => appResources(stacks.prod, "saas-platform");

  it("builds backend and frontend images for the hosts' CPU and pushes them to scanned, immutable ECR repositories", () => {
    for (const repo of ofType(app(), "aws:ecr/repository:Repository")) {
      expect(repo.inputs).toMatchObject({ imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });
    }
    expect(ofType(app(), "docker:index/image:Image").map((i) => i.inputs.build.platform)).toEqual(["linux/amd64", "linux/amd64"]);
  });

  it("runs the compose stack with images referenced by digest", () => {
    const doc = userDataOf(ofType(app(), LT)[0]);
    expect(doc).toMatch(/image: "?[0-9]+\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/[^\s@]+@sha256:[0-9a-f]{64}/);
  });

  it("puts CloudFront with the seed's WAF limits in front, and admits only CloudFront at the load balancer", () => {
    const waf = ofType(app(), "aws:wafv2/webAcl:WebAcl")[0];
    expect(waf.inputs.scope).toBe("CLOUDFRONT");
    const limits = waf.inputs.rules.filter((r: any) => r.statement.rateBasedStatement).map((r: any) => r.statement.rateBasedStatement.limit).sort((a: number, b: number) => a - b);
    expect(limits).toEqual([10, 100, 1000]);
    const lbIngress = ofType(app(), "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => /-lb-in-/.test(r.name));
    expect(lbIngress.map((r) => [r.inputs.fromPort, r.inputs.prefixListId])).toEqual([[443, "pl-4fa04526"]]);
  });

  it("sends HSTS for a year and X-Frame-Options DENY from the edge", () => {
    const headers = ofType(app(), "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")[0].inputs.securityHeadersConfig;
    expect(headers.strictTransportSecurity.accessControlMaxAgeSec).toBeGreaterThanOrEqual(31536000);
    expect(headers.frameOptions.frameOption).toBe("DENY");
  });

  it("scales horizontally in prod with a read replica, and checks /health/", () => {
    expect(ofType(app(), ASG)[0].inputs).toMatchObject({ minSize: 2, maxSize: 20 });
    expect(ofType(app(), RDS).filter((d) => d.inputs.replicateSourceDb)).toHaveLength(1);
    expect(ofType(app(), "aws:lb/targetGroup:TargetGroup")[0].inputs.healthCheck.path).toBe("/health/");
    expect(ofType(appResources(stacks.staging, "saas-platform"), RDS).filter((d) => d.inputs.replicateSourceDb)).toHaveLength(0);
  });
});

describe("FlashBill (single host, Rust + Flutter web)", () => {
  const app = () => appResources(stacks.prod, "flashbill");

  it("runs the binary on 127.0.0.1:3000, serves the Flutter build and proxies the API domain", () => {
    const doc = userDataOf(ofType(app(), INSTANCE)[0]);
    expect(doc).toMatch(/127\.0\.0\.1:3000/);
    expect(doc).toMatch(/server_name api\.flashbill\.app/);
    expect(doc).toMatch(/limit_req_zone/);
    expect(doc).toMatch(/node.exporter|node_exporter/i);
  });

  it("caps PostgreSQL connections and alarms on certificate expiry, service down and error rate", () => {
    const params = ofType(app(), "aws:rds/parameterGroup:ParameterGroup")[0].inputs.parameters;
    expect(params).toContainEqual(expect.objectContaining({ name: "max_connections", value: "200" }));
    const metrics = (a: RecordedResource): string[] => a.inputs.metricName ? [a.inputs.metricName] : a.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => q.metric.metricName);
    const alarms = ofType(app(), ALARM).map((a) => metrics(a).join("/"));
    expect(alarms).toEqual(expect.arrayContaining(["CertificateDaysToExpiry", "NginxUpstreamDown", "Nginx5xx/NginxRequests", "StatusCheckFailed"]));
  });
});

describe("Avanii shop (web fleet)", () => {
  it("uses external DNS in prod: no Route53 record, and outputs every record to create at GoDaddy", () => {
    const app = appResources(stacks.prod, "avanii-shop");
    expect(ofType(app, "aws:route53/record:Record")).toEqual([]);
    const out = (stacks.prod.outputs.apps as any)["avanii-shop"];
    const types = out.dnsRecords.map((r: any) => `${r.type} ${r.name}`);
    expect(types).toEqual(expect.arrayContaining(["ALIAS avaniishop.com", "CNAME www.avaniishop.com"]));
    expect(out.dnsRecords.filter((r: any) => /acm-validations/.test(r.value))).toHaveLength(2);
    expect(out.dnsNote).toMatch(/CNAME/);
  });

  it("uses Route53 in staging", () => {
    expect(ofType(appResources(stacks.staging, "avanii-shop"), "aws:route53/record:Record").length).toBeGreaterThan(0);
  });

  it.each(["staging", "prod"])("delivers SECRET_KEY, DATABASE_URL and FLASK_ENV from Secrets Manager in %s, readable by the fleet only", (stack) => {
    const app = appResources(stacks[stack], "avanii-shop");
    const secrets = ofType(app, "aws:secretsmanager/secret:Secret");
    const settings = secrets.find((s) => s.inputs.name === `${stack}/avanii-shop/SETTINGS`)!;
    expect(settings.inputs.kmsKeyId).toBe(stacks[stack].one("aws:kms/key:Key", `${stack}-key`).outputs.arn);
    const version = ofType(app, "aws:secretsmanager/secretVersion:SecretVersion").find((v) => v.inputs.secretId === settings.id)!;
    expect(JSON.parse(version.inputs.secretString)).toEqual({ FLASK_ENV: "production" });
    // The hosts fetch all three at boot; the setting itself is not in the user data.
    const doc = userDataOf(ofType(app, LT)[0]);
    for (const name of ["SECRET_KEY", "DATABASE", "SETTINGS"]) expect(doc).toContain(`${stack}/avanii-shop/${name}`);
    expect(doc).not.toMatch(/FLASK_ENV/);
    expect(doc).toMatch(/APP_SETTINGS_SHA256='[0-9a-f]{16}'/); // a changed setting still rolls the fleet
    const hostPolicy = ofType(app, "aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy).join("\n");
    expect(hostPolicy).toContain(settings.outputs.arn);
    expect((stacks[stack].outputs.apps as any)["avanii-shop"].secretArns.SETTINGS).toBe(settings.outputs.arn);
  });

  it("backs up weekly, as its seed asks", () => {
    const app = appResources(stacks.prod, "avanii-shop");
    expect(ofType(app, "aws:backup/plan:Plan")[0].inputs.rules[0].schedule).toBe("cron(0 3 ? * SUN *)");
  });

  it("rolls a new app version out by instance refresh", () => {
    const asg = ofType(appResources(stacks.prod, "avanii-shop"), ASG)[0];
    expect(asg.inputs.instanceRefresh.strategy).toBe("Rolling");
    expect(asg.inputs.tags).toContainEqual(expect.objectContaining({ key: "app-version", value: "1.2.0" }));
  });
});
