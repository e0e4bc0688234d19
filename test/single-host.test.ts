import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { gunzipSync } from "zlib";
import { storeSecret } from "../components/secret-library";
import { contextFrom, PROFILES } from "../config";
import { cpuArchitecture, ubuntuAmiParameter } from "../components/ami";
import { HostImages } from "../components/host-images";
import { SingleWebHost, SingleWebHostArgs } from "../components/single-host";
import type { AppConfig, StackConfig } from "../config/types";
import { Recording, record } from "./harness";
import { UBUNTU_AMI_ID, UBUNTU_AMI_PARAMETER, UBUNTU_ARM64_AMI_ID } from "./harness/invokes";
import { stackConfig } from "./fixtures/hostconfig/inputs";
import { runPolicyPack } from "../tools/policy-check";

const INSTANCE = "aws:ec2/instance:Instance";
const ENI = "aws:ec2/networkInterface:NetworkInterface";
const EIP = "aws:ec2/eip:Eip";
const ASSOC = "aws:ec2/eipAssociation:EipAssociation";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
/** The host's media bucket, among its log bucket and (prod) replica buckets. */
const MEDIA = /^[a-z]+-media$/;
const BUCKET = "aws:s3/bucket:Bucket";
const RECORD = "aws:route53/record:Record";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ZONE = "Z0123456789ABCDEFGHIJ";
/** The artifact store bucket the architecture passes (ArtifactStore.bucketName). */
const ARTIFACTS = "prod-artifacts-0a1b2c3";

interface Stmt { Sid: string; Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> }

function appOf(config: StackConfig, name: string): AppConfig {
  return config.apps.find((a) => a.name === name)!;
}

/**
 * The host as an architecture wires it: a stack key, the app's generated secret and its
 * database connection secret (whose value depends on an RDS instance), passed by name and ARN.
 */
function program(config: StackConfig, appName: string, extra: Partial<SingleWebHostArgs> = {}) {
  return () => {
    const ctx = contextFrom(config);
    const app = appOf(config, appName);
    const key = new aws.kms.Key("stack-key", { enableKeyRotation: true });
    const password = new random.RandomPassword("db-password", { length: 40, special: true, overrideSpecial: "-_" });
    const db = new aws.rds.Instance("db", {
      engine: "postgres", instanceClass: "db.t4g.micro", allocatedStorage: 20, username: "app", password: password.result, storageEncrypted: true,
    });
    const parent = new pulumi.ComponentResource("test:index:Secrets", "secrets");
    const kinds = app.secrets.map((kind) => storeSecret(`secret-${kind}`, {
      secretName: `${ctx.stack}/${app.name}/${kind}`, description: kind, kmsKeyArn: key.arn, recoveryWindowInDays: 0,
      value: new random.RandomPassword(`value-${kind}`, { length: 64, special: false }).result,
    }, parent));
    const connection = storeSecret("secret-db", {
      secretName: `${ctx.stack}/${app.name}/DATABASE`, description: "db", kmsKeyArn: key.arn, recoveryWindowInDays: 0,
      value: pulumi.all([db.address, password.result]).apply(([host, pw]) => JSON.stringify({ host, password: pw, DATABASE_URL: `postgres://app:${pw}@${host}:5432/x` })),
    }, parent);
    const images = new HostImages("images", { stack: ctx.stack });
    const host = new SingleWebHost(app.name, {
      app, ctx, detailedMonitoring: PROFILES[ctx.environment].detailedMonitoring, protectData: PROFILES[ctx.environment].protectData,
      amiId: images.imageFor(extra.instanceType ?? app.instanceType), subnetId: "subnet-public-a", securityGroupIds: ["sg-edge"], vpcCidr: config.network.cidr,
      hostedZoneId: ZONE,
      secretNames: [...app.secrets.map((k) => `${ctx.stack}/${app.name}/${k}`), `${ctx.stack}/${app.name}/DATABASE`],
      secretArns: [...kinds.map((k) => k.secret.arn), connection.secret.arn],
      kmsKeyArn: key.arn, acmeEmail: config.alertEmail, artifactBucketName: ARTIFACTS, ...extra,
    });
    return {
      instanceId: host.instanceId, publicIp: host.publicIp, roleArn: host.roleArn, roleName: host.roleName,
      mediaBucketName: host.mediaBucketName, ssmShellCommand: host.ssmShellCommand, hostNames: host.hostNames,
    };
  };
}

function userDataOf(rec: Recording): string {
  return gunzipSync(Buffer.from(rec.one(INSTANCE).inputs.userDataBase64, "base64")).toString("utf8");
}

function statements(rec: Recording): Stmt[] {
  return JSON.parse(rec.one(ROLE_POLICY, /-host$/).inputs.policy).Statement.map((s: Stmt) => ({ ...s, Action: [s.Action].flat() }));
}

describe("SmartBoostPro's host in prod", () => {
  const config = stackConfig("prod");
  let rec: Recording;
  beforeAll(async () => { rec = await record(program(config, "smartboostpro"), { stack: "prod" }); });

  it("runs the stack's pinned Ubuntu 24.04 image: a new image is a planned replacement, a new host config is not", () => {
    const instance = rec.one(INSTANCE);
    expect(instance.inputs.ami).toBe(UBUNTU_AMI_ID);
    expect(ubuntuAmiParameter("amd64")).toBe(UBUNTU_AMI_PARAMETER);
    expect(instance.options.ignoreChanges).toEqual(["userDataBase64"]);
    expect(instance.inputs.instanceType).toBe(appOf(config, "smartboostpro").instanceType);
  });

  it("requires IMDSv2 with a hop limit of 1 and encrypts its gp3 root volume", () => {
    const i = rec.one(INSTANCE).inputs;
    expect(i.metadataOptions).toMatchObject({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(i.rootBlockDevice).toMatchObject({ volumeType: "gp3", encrypted: true, volumeSize: 20 });
  });

  it("has detailed monitoring and termination protection in prod", () => {
    expect(rec.one(INSTANCE).inputs).toMatchObject({ monitoring: true, disableApiTermination: true });
  });

  it("sits behind the edge security group in the public subnet, with the Elastic IP on its interface before boot", () => {
    const eni = rec.one(ENI);
    const eip = rec.one(EIP);
    const assoc = rec.one(ASSOC);
    const instance = rec.one(INSTANCE);
    expect(eni.inputs).toMatchObject({ subnetId: "subnet-public-a", securityGroups: ["sg-edge"] });
    expect(eip.inputs.domain).toBe("vpc");
    expect(assoc.inputs).toMatchObject({ allocationId: eip.outputs.allocationId, networkInterfaceId: eni.id });
    expect(instance.inputs.primaryNetworkInterface).toMatchObject({ networkInterfaceId: eni.id });
    expect(instance.inputs.subnetId).toBeUndefined();
    expect(instance.dependencies).toEqual(expect.arrayContaining([assoc.urn, rec.one(ROLE_POLICY, /-host$/).urn]));
    expect(instance.options.deleteBeforeReplace).toBe(true);
    expect(rec.outputs.publicIp).toBe(eip.outputs.publicIp);
  });

  it("gets SSM core and an inline policy scoped to its own secrets, key, logs, bucket and ACME records", () => {
    const role = rec.one("aws:iam/role:Role", "smartboostpro-host");
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
    expect(rec.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn)).toEqual(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
    expect(rec.ofType("aws:iam/instanceProfile:InstanceProfile")[0].inputs.role).toBe(role.outputs.name);

    const st = statements(rec);
    const secretArns = rec.ofType("aws:secretsmanager/secret:Secret").map((s) => s.outputs.arn);
    const read = st.find((s) => s.Action.includes("secretsmanager:GetSecretValue"))!;
    expect(new Set([read.Resource].flat())).toEqual(new Set(secretArns));
    const key = rec.one("aws:kms/key:Key", "stack-key").outputs.arn;
    expect(st.find((s) => s.Action.includes("kms:Decrypt"))).toMatchObject({
      Resource: key, Condition: { StringEquals: { "kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com"] } },
    });
    const bucketArn = rec.one(BUCKET, MEDIA).outputs.arn;
    expect(st.find((s) => s.Action.includes("s3:PutObject"))!.Resource).toBe(`${bucketArn}/*`);
    const logs = st.find((s) => s.Action.includes("logs:PutLogEvents"))!;
    expect([logs.Resource].flat()).toEqual(expect.arrayContaining(rec.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => `${g.outputs.arn}:*`)));
    expect(st.find((s) => s.Action.includes("cloudwatch:PutMetricData"))!.Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "WebappPlatform/Host" } });
    expect(st.find((s) => s.Action.includes("s3:GetObject") && s.Sid === "FetchArtifact")!.Resource).toBe(`arn:aws:s3:::${ARTIFACTS}/smartboostpro/*`);
  });

  it("may change only the _acme-challenge TXT records of its own names in its own zone", () => {
    const change = statements(rec).find((s) => s.Action.includes("route53:ChangeResourceRecordSets"))!;
    expect(change.Resource).toBe(`arn:aws:route53:::hostedzone/${ZONE}`);
    expect(change.Condition).toEqual({
      "ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.smartboostpro.com", "_acme-challenge.www.smartboostpro.com"],
        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
      },
    });
  });

  it("never grants a '*' resource on secrets, keys, buckets, logs or record changes", () => {
    const wildcardOk = new Set(["cloudwatch:PutMetricData", "route53:ListHostedZones"]);
    for (const s of statements(rec)) {
      if ([s.Resource].flat().some((r) => r === "*" || r.endsWith(":*") && !r.includes(":log-group:"))) {
        expect(s.Action.every((a) => wildcardOk.has(a))).toBe(true);
      }
      if (s.Action.some((a) => a.startsWith("secretsmanager:") || a === "route53:ChangeResourceRecordSets" || a.startsWith("kms:"))) {
        expect([s.Resource].flat().some((r) => r.includes("*"))).toBe(false);
      }
    }
  });

  it("keeps media in a private, versioned, KMS-encrypted, TLS-only bucket that is protected in prod", () => {
    const bucket = rec.one(BUCKET, MEDIA);
    expect(bucket.options.protect).toBe(true);
    const on = (type: string) => rec.ofType(type).find((r) => r.inputs.bucket === bucket.id)!.inputs;
    expect(on("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(on("aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    expect(on("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules[0]).toMatchObject({
      applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: rec.one("aws:kms/key:Key", "stack-key").outputs.arn }, bucketKeyEnabled: true,
    });
    expect(on("aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration).toEqual({ status: "Enabled" });
    const policy = JSON.parse(on("aws:s3/bucketPolicy:BucketPolicy").policy);
    expect(policy.Statement).toEqual([expect.objectContaining({ Effect: "Deny", Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })]);
    expect(on("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules[0]).toMatchObject({ status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 90 } });
    expect(rec.outputs.mediaBucketName).toBe(bucket.outputs.bucket);
  });

  it("logs every request to its media bucket into a protected log bucket only S3's log delivery writes", () => {
    const bucket = rec.one(BUCKET, MEDIA);
    const logs = rec.one(BUCKET, "smartboostpro-media-access-logs");
    expect(logs.options.protect).toBe(true);
    expect(rec.ofType("aws:s3/bucketLogging:BucketLogging").find((l) => l.inputs.bucket === bucket.id)!.inputs).toMatchObject({ targetBucket: logs.id, targetPrefix: "access/" });
    const policy = JSON.parse(rec.ofType("aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === logs.id)!.inputs.policy);
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject",
      Condition: { ArnLike: { "aws:SourceArn": bucket.outputs.arn } },
    });
  });

  it("points the apex and www at the Elastic IP", () => {
    const eip = rec.one(EIP).outputs.publicIp;
    expect(rec.ofType(RECORD).map((r) => [r.inputs.name, r.inputs.type, r.inputs.records, r.inputs.zoneId]).sort()).toEqual([
      ["smartboostpro.com", "A", [eip], ZONE],
      ["www.smartboostpro.com", "A", [eip], ZONE],
    ]);
  });

  it("recovers itself when the system status check fails", () => {
    const alarm = rec.one(ALARM, /recover/).inputs;
    expect(alarm).toMatchObject({
      namespace: "AWS/EC2", metricName: "StatusCheckFailed_System", dimensions: { InstanceId: rec.one(INSTANCE).id },
      alarmActions: ["arn:aws:automate:eu-west-1:ec2:recover"], comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1,
    });
  });

  it("ships nginx and app logs to log groups with the stack's retention and counts requests, 5xx and 502 from the access log", () => {
    const groups = rec.ofType("aws:cloudwatch/logGroup:LogGroup");
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(["/webapp-platform/prod/smartboostpro/app", "/webapp-platform/prod/smartboostpro/nginx-access", "/webapp-platform/prod/smartboostpro/nginx-error"]);
    expect(groups.every((g) => g.inputs.retentionInDays === 90)).toBe(true);
    const filters = rec.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter").map((f) => f.inputs);
    expect(filters.map((f) => [f.logGroupName, f.pattern, f.metricTransformation.name, f.metricTransformation.namespace, f.metricTransformation.dimensions])).toEqual([
      ["/webapp-platform/prod/smartboostpro/nginx-access", "{ $.status >= 100 }", "NginxRequests", "WebappPlatform/Host", { App: "$.app" }],
      ["/webapp-platform/prod/smartboostpro/nginx-access", "{ $.status >= 500 }", "Nginx5xx", "WebappPlatform/Host", { App: "$.app" }],
      ["/webapp-platform/prod/smartboostpro/nginx-access", "{ $.status = 502 }", "NginxUpstreamDown", "WebappPlatform/Host", { App: "$.app" }],
    ]);
  });

  it("carries no secret in its user data: only secret names, read at boot with the instance role", () => {
    const doc = userDataOf(rec);
    expect(doc.startsWith("#cloud-config\n")).toBe(true);
    expect(doc).toContain("fetch 'prod/smartboostpro/DJANGO_SECRET_KEY' DJANGO_SECRET_KEY");
    expect(doc).toContain("fetch 'prod/smartboostpro/DATABASE' DATABASE");
    // The generated values exist in this program; none of them may reach the user data.
    for (const r of rec.ofType("random:index/randomPassword:RandomPassword")) expect(doc).not.toContain(r.outputs.result);
    expect(doc).not.toMatch(/AKIA[0-9A-Z]{16}|BEGIN [A-Z ]*PRIVATE KEY|aws_secret_access_key|password\s*[=:]\s*\S|postgres:\/\/[^\s'"]*:[^\s'"@]+@/i);
    expect(rec.one(INSTANCE).secretPaths).toEqual([]);
  });

  it("renders its user data for this host: bucket, DNS-01 for its names, the stack's region", () => {
    const doc = userDataOf(rec);
    expect(doc).toContain(`MEDIA_BUCKET='${rec.one(BUCKET, MEDIA).outputs.bucket}'`);
    expect(doc).toContain("--dns-route53");
    expect(doc).toContain("-d smartboostpro.com -d www.smartboostpro.com");
    expect(doc).toContain("readonly REGION='eu-west-1'");
  });

  it("never waits for the database: neither the RDS instance nor the secret values are upstream of the host", () => {
    const instance = rec.one(INSTANCE);
    const upstream = rec.transitiveDependencies(instance.urn);
    const types = [...upstream].map((u) => rec.byUrn(u)?.type);
    expect(types).not.toContain("aws:rds/instance:Instance");
    expect(types).not.toContain("aws:secretsmanager/secretVersion:SecretVersion");
    expect(types).not.toContain("random:index/randomPassword:RandomPassword");
  });

  it("passes the policy pack (tags aside: the stack's transformation adds them), also as a first preview", () => {
    const host = rec.one("webapp-platform:host:SingleWebHost");
    const mine = new Set(rec.descendants(host.urn).map((r) => r.urn));
    expect(rec.one(INSTANCE).inputs.tags).toMatchObject({ tier: "edge" });
    // Session Manager preferences are the stack's (SessionManager in the platform; test/session-manager.test.ts).
    const stackLevel = new Set(["required-tags", "ssm-sessions-logged"]);
    for (const preview of [false, true]) {
      const verdicts = runPolicyPack(rec.resources, { environment: "prod", preview }).filter((v) => v.urn && mine.has(v.urn) && !stackLevel.has(v.policy));
      expect(verdicts.map((v) => `${v.policy}: ${v.detail}`)).toEqual([]);
    }
  });

  it("exports an SSM shell command and its outputs", () => {
    const id = rec.one(INSTANCE).id;
    expect(rec.outputs.ssmShellCommand).toBe(`aws ssm start-session --target ${id} --region eu-west-1`);
    expect(rec.outputs.instanceId).toBe(id);
    expect(rec.outputs.hostNames).toEqual(["smartboostpro.com", "www.smartboostpro.com"]);
  });
});

describe("FlashBill's host in staging", () => {
  const config = stackConfig("staging");
  let rec: Recording;
  beforeAll(async () => { rec = await record(program(config, "flashbill"), { stack: "staging" }); });

  it("has no termination protection or detailed monitoring, and an unprotected bucket, in staging", () => {
    expect(rec.one(INSTANCE).inputs).toMatchObject({ monitoring: false, disableApiTermination: false });
    expect(rec.one(BUCKET, MEDIA).options.protect).toBe(false);
  });

  it("points its domain and API name at the host and lets certbot answer for both", () => {
    expect(rec.ofType(RECORD).map((r) => r.inputs.name).sort()).toEqual(["api.staging.flashbill.app", "staging.flashbill.app"]);
    const change = statements(rec).find((s) => s.Action.includes("route53:ChangeResourceRecordSets"))!;
    expect(change.Condition!["ForAllValues:StringEquals"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"])
      .toEqual(["_acme-challenge.staging.flashbill.app", "_acme-challenge.api.staging.flashbill.app"]);
  });

  it("installs the node exporter, firewalled to the VPC", () => {
    const doc = userDataOf(rec);
    expect(doc).toContain("prometheus-node-exporter");
    expect(doc).toContain(`ufw allow from ${config.network.cidr} to any port 9100 proto tcp`);
    expect(doc).not.toMatch(/port 22/);
  });
});

describe("a single host whose DNS is at an external registrar", () => {
  const config = stackConfig("staging");
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(program(config, "smartboostpro", { hostedZoneId: undefined, instanceType: "t4g.small" }), { stack: "staging" });
  });

  it("creates no records, grants no Route53 rights, and validates over HTTP-01", () => {
    expect(rec.ofType(RECORD)).toEqual([]);
    expect(statements(rec).some((s) => s.Action.some((a) => a.startsWith("route53:")))).toBe(false);
    const doc = userDataOf(rec);
    expect(doc).toContain("--webroot --webroot-path '/var/www/letsencrypt'");
    expect(doc).not.toContain("python3-certbot-dns-route53");
  });

  it("runs the arm64 image on a Graviton instance type", () => {
    expect(cpuArchitecture("t4g.small")).toBe("arm64");
    expect(cpuArchitecture("m7i.large")).toBe("amd64");
    expect(ubuntuAmiParameter("arm64")).toBe("/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id");
    expect(rec.one(INSTANCE).inputs.instanceType).toBe("t4g.small");
    expect(rec.one(INSTANCE).inputs.ami).toBe(UBUNTU_ARM64_AMI_ID);
  });
});

describe("invalid arguments", () => {
  it("are rejected at once, naming the field and what is allowed", async () => {
    const config = stackConfig("staging");
    const app = appOf(config, "smartboostpro");
    const base: SingleWebHostArgs = {
      app, ctx: contextFrom(config), amiId: UBUNTU_AMI_ID, subnetId: "subnet-1", securityGroupIds: ["sg-1"], vpcCidr: config.network.cidr, hostedZoneId: ZONE,
      secretNames: ["staging/smartboostpro/DJANGO_SECRET_KEY"], secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/smartboostpro/DJANGO_SECRET_KEY-AbCdEf"],
    };
    const cases: [Partial<SingleWebHostArgs>, RegExp][] = [
      [{ app: { ...app, architecture: "web-fleet" } }, /SingleWebHost: args\.app\.architecture is "web-fleet"; SingleWebHost builds single-host apps only/],
      [{ securityGroupIds: [] }, /SingleWebHost: args\.securityGroupIds must list/],
      [{ secretArns: [] }, /SingleWebHost: args\.secretArns must list the ARNs of the 1 secretNames/],
      [{ rootVolumeGb: 4 }, /SingleWebHost: args\.rootVolumeGb 4 must be an integer 8-1024/],
      [{ adminCidrs: ["0.0.0.0/0"] }, /HostConfig: input\.adminCidrs\[0\] may not be a \/0/],
      [{ secretNames: ["staging/smartboostpro/lowercase"] }, /HostConfig: input\.secrets\[0\] "staging\/smartboostpro\/lowercase" must end in an upper-case variable name/],
    ];
    await record(() => {
      cases.forEach(([change, error], i) => expect(() => new SingleWebHost(`bad-${i}`, { ...base, ...change })).toThrow(error));
    });
  });
});
