/**
 * The pack on the real stacks: both Pulumi.<stack>.yaml stacks, recorded with the harness,
 * pass with no mandatory violation (with recorded values, and replayed as a first preview
 * where every computed value is unknown). Then protections are switched off inside the
 * components, the way a regression would, and the policy meant to catch each one must fire
 * on the resource that lost it.
 */
import * as fs from "fs";
import { gunzipSync, gzipSync } from "zlib";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildPlatform } from "../../architectures/platform";
import { PROFILES, loadStackConfig } from "../../config";
import { exemptionFor } from "../../policies/lib/config";
import { SG_INGRESS } from "../../policies/lib/net";
import { T } from "../../policies/lib/types";
import { PackConfig, Verdict, formatVerdicts, runPolicyPack, simulatePreview, stackPackConfig } from "../../tools/policy-check";
import { Recording, RecordedResource, record, recordStack } from "../harness";
import { analyze, asDiag, diagKey } from "./engine";

const ROOT = path.resolve(__dirname, "..", "..");
const STACKS = ["staging", "prod"] as const;
const recordings = new Map<string, Recording>();
const mandatory = (vs: Verdict[]) => vs.filter((v) => v.enforcementLevel === "mandatory");
const show = (vs: Verdict[]) => formatVerdicts(vs, "text");
/** The one resource policies/config exempts by name: the Avanii shop's settings secret (FLASK_ENV). */
const SETTINGS_SECRET_RESOURCE = "avanii-shop-secrets-settings";
/** Log groups exempted from log-groups-encrypted-prod: CloudFront WAFs log in us-east-1, out of the stack key's region. */
const US_EAST_1_WAF_LOG_GROUPS = ["investment-platform-cdn-waf-logs", "saas-platform-waf-logs"];
/** Whether the shipped config exempts the verdict's resource, as the engine matches exemptions (globs, a reason required). */
const exemptedBy = (cfg: PackConfig) => (v: Verdict) => exemptionFor(v.name ?? "", (cfg as Record<string, any>)[v.policy]?.exemptions).exempt;

/** Runs a recording with the program's info lines (console.log) kept out of the test output. */
async function quietly<R>(f: () => Promise<R>): Promise<R> {
  const spy = jest.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    return await f();
  } finally {
    spy.mockRestore();
  }
}

beforeAll(async () => {
  for (const s of STACKS) recordings.set(s, await quietly(() => recordStack(s)));
}, 120_000);

describe.each(STACKS)("the %s stack", (stack) => {
  const rec = () => recordings.get(stack)!;

  it("builds the resources the pack is about", () => {
    const types = new Set(rec().resources.map((r) => r.type));
    for (const t of [T.rdsInstance, T.replicationGroup, T.loadBalancer, T.listener, T.distribution, T.instance, T.launchTemplate, T.bucket, T.secret, T.metricAlarm, T.backupSelection, T.webAcl]) {
      expect(types).toContain(t);
    }
  });

  const shippedConfig = () => JSON.parse(fs.readFileSync(path.join(ROOT, `policies/config/${stack}.json`), "utf8")) as PackConfig;
  /** Every mandatory violation but those the shipped config exempts by name. */
  const unexempted = (vs: Verdict[]) => mandatory(vs).filter((v) => !exemptedBy(shippedConfig())(v));

  it("passes the whole pack with its shipped policy config (as CI runs it), with no mandatory violation", () => {
    expect(stackPackConfig(stack)).toEqual(shippedConfig());
    const vs = runPolicyPack(rec().resources, { config: shippedConfig() });
    expect(show(mandatory(vs))).toBe(show([]));
  });

  it("needs the config's named exemptions: without them, only what they name is flagged (the Avanii settings secret, the unrotated signing keys and AUTH tokens, in prod the us-east-1 WAF log groups)", () => {
    const vs = mandatory(runPolicyPack(rec().resources, { environment: stack }));
    expect(vs.filter((v) => !exemptedBy(shippedConfig())(v))).toEqual([]);
    expect(vs.filter((v) => v.policy === "secrets-generated").map((v) => [v.policy, v.type, v.name])).toEqual([["secrets-generated", T.secretVersion, SETTINGS_SECRET_RESOURCE]]);
    expect(vs.filter((v) => v.policy === "log-groups-encrypted-prod").map((v) => v.name).sort()).toEqual(stack === "prod" ? US_EAST_1_WAF_LOG_GROUPS : []);
    for (const name of US_EAST_1_WAF_LOG_GROUPS) expect(JSON.stringify(shippedConfig()["log-groups-encrypted-prod"])).toContain(`"resource":"${name}","reason":"a CLOUDFRONT-scope WAF logs only to a log group in us-east-1`);
    expect(JSON.stringify(shippedConfig()["secrets-generated"])).toMatch(/"resource":"avanii-shop-secrets-settings","reason":"non-secret settings/);
    // Rotation: the signing keys and the Redis AUTH tokens, never a database password.
    const unrotated = vs.filter((v) => v.policy === "secrets-rotated");
    expect(unrotated.length).toBeGreaterThan(0);
    for (const v of unrotated) expect(v.name).toMatch(/-(secrets-(django-secret-key|flask-secret-key|jwt-signing-key)|cache-auth|cache-redis)$/);
  });

  it("passes as a first preview too (computed values unknown), without tripping on unknowns", () => {
    const vs = runPolicyPack(rec().resources, { config: shippedConfig(), preview: true });
    expect(show(mandatory(vs))).toBe(show([]));
    expect(vs.filter((v) => v.unknownValue)).toEqual([]);
  });

  it("passes with the environment taken from the resources' tags", () => {
    expect(show(unexempted(runPolicyPack(rec().resources)))).toBe(show([]));
  });
});

describe("the single web hosts", () => {
  it("are the named edge exception to fleet-no-public-ip: without their edge tier they would be flagged", () => {
    const untiered = recordings.get("prod")!.resources.map((r) => ([T.securityGroup, T.instance] as string[]).includes(r.type)
      ? { ...r, inputs: { ...r.inputs, tags: { ...r.inputs.tags, tier: "app", role: "app" } }, outputs: { ...r.outputs, tags: { ...r.outputs.tags, tier: "app", role: "app" } } }
      : r);
    const hosts = recordings.get("prod")!.ofType(T.instance);
    expect(hosts.length).toBeGreaterThanOrEqual(2);
    for (const preview of [false, true]) {
      const flagged = new Set(runPolicyPack(untiered, { environment: "prod", preview }).filter((v) => v.policy === "fleet-no-public-ip").map((v) => v.name));
      for (const h of hosts) expect(flagged).toContain(h.name);
    }
  });
});

// --- Mutations ------------------------------------------------------------------------------

interface Mutation {
  /** What is switched off, for the test title. */
  what: string;
  /** The policy that must catch it. */
  policy: string;
  /** Picks, from the unmutated recording, the resource the policy must then flag. */
  pick(rec: Recording): RecordedResource | undefined;
  /** The resources to change (default: the picked one), e.g. every alarm of a database. */
  change?(rec: Recording, target: RecordedResource): RecordedResource[];
  /** New inputs for a changed resource (may return Outputs). */
  mutate(props: Record<string, any>): Record<string, any>;
  /** Whether the change is still visible in a first preview (false when it hides inside an unknown value). */
  visibleInPreview: boolean;
}

/** Appends a line to launch template user data (base64 of gzip, as components/app-fleet encodes it). */
function appendToUserData(b64: string, line: string): string {
  const raw = Buffer.from(b64, "base64");
  const gz = raw[0] === 0x1f && raw[1] === 0x8b;
  const text = (gz ? gunzipSync(raw) : raw).toString() + `\n${line}\n`;
  return (gz ? gzipSync(text) : Buffer.from(text)).toString("base64");
}

const first = (type: string, f: (r: RecordedResource) => boolean = () => true) => (rec: Recording) => rec.ofType(type).find(f);
const STRIPE = ["sk", "live", "4eC39HqLyjWDarjtT1zdp7dc"].join("_");

const MUTATIONS: Mutation[] = [
  {
    what: "database storage encryption", policy: "rds-storage-encrypted", visibleInPreview: true,
    pick: first(T.rdsInstance, (r) => !r.inputs.replicateSourceDb), mutate: (p) => ({ ...p, storageEncrypted: false }),
  },
  {
    what: "IMDSv2 on a launch template", policy: "imdsv2-required", visibleInPreview: true,
    pick: first(T.launchTemplate), mutate: (p) => ({ ...p, metadataOptions: { ...p.metadataOptions, httpTokens: "optional" } }),
  },
  {
    what: "IMDSv2 on the single web host", policy: "imdsv2-required", visibleInPreview: true,
    pick: first(T.instance), mutate: (p) => ({ ...p, metadataOptions: undefined }),
  },
  {
    what: "the HTTP to HTTPS redirect", policy: "alb-http-redirects-to-https", visibleInPreview: true,
    pick: first(T.listener, (r) => r.inputs.protocol === "HTTP"),
    mutate: (p) => ({ ...p, defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "200", messageBody: "ok" } }] }),
  },
  {
    what: "a bucket's public access block", policy: "s3-public-access-blocked", visibleInPreview: true,
    pick: first(T.bucketPublicAccessBlock), mutate: (p) => ({ ...p, blockPublicPolicy: false, restrictPublicBuckets: false }),
  },
  {
    what: "the data tier's group reference (now world-open)", policy: "sg-data-tier-from-groups-only", visibleInPreview: true,
    pick: first(SG_INGRESS, (r) => /-data-in-5432-from-/.test(r.name)), mutate: (p) => ({ ...p, referencedSecurityGroupId: undefined, cidrIpv4: "0.0.0.0/0" }),
  },
  {
    what: "a world-open database port", policy: "sg-world-ingress-web-ports-only", visibleInPreview: true,
    pick: first(SG_INGRESS, (r) => /-data-in-5432-from-/.test(r.name)), mutate: (p) => ({ ...p, referencedSecurityGroupId: undefined, cidrIpv4: "0.0.0.0/0" }),
  },
  {
    what: "HTTPS on the edge host turned into SSH", policy: "sg-no-admin-ports-from-world", visibleInPreview: true,
    pick: first(SG_INGRESS, (r) => r.inputs.cidrIpv4 === "0.0.0.0/0" && r.inputs.fromPort === 443 && /-edge-in-/.test(r.name)), mutate: (p) => ({ ...p, fromPort: 22, toPort: 22 }),
  },
  {
    what: "HTTPS-only viewers on CloudFront", policy: "cloudfront-viewer-https", visibleInPreview: true,
    pick: first(T.distribution), mutate: (p) => ({ ...p, defaultCacheBehavior: pulumi.output(p.defaultCacheBehavior).apply((b: any) => ({ ...b, viewerProtocolPolicy: "allow-all" })) }),
  },
  {
    what: "origin access control on the SPA bucket", policy: "cloudfront-s3-origin-access-control", visibleInPreview: true,
    pick: first(T.distribution, (r) => (r.inputs.origins ?? []).some((o: any) => o.originAccessControlId)),
    mutate: (p) => ({ ...p, origins: pulumi.output(p.origins).apply((os: any[]) => os.map((o) => ({ ...o, originAccessControlId: undefined }))) }),
  },
  {
    what: "Redis TLS", policy: "elasticache-encryption-in-transit", visibleInPreview: true,
    pick: first(T.replicationGroup), mutate: (p) => ({ ...p, transitEncryptionEnabled: false, transitEncryptionMode: undefined }),
  },
  {
    what: "secrets kept out of user data", policy: "user-data-no-secrets", visibleInPreview: false,
    pick: (rec) => rec.ofType(T.launchTemplate)[1] ?? rec.ofType(T.launchTemplate)[0],
    mutate: (p) => ({ ...p, userData: pulumi.output(p.userData).apply((b64: string) => appendToUserData(b64, `export STRIPE_SECRET_KEY=${STRIPE}`)) }),
  },
  {
    what: "log retention", policy: "log-group-retention", visibleInPreview: true,
    pick: first(T.logGroup), mutate: (p) => ({ ...p, retentionInDays: undefined }),
  },
  {
    what: "the stack key on a host's log group", policy: "log-groups-encrypted-prod", visibleInPreview: true,
    pick: first(T.logGroup, (r) => /-nginx-access$/.test(r.name)), mutate: (p) => ({ ...p, kmsKeyId: undefined }),
  },
  {
    // The preferences are built from the key's ARN, unknown in a first preview.
    what: "encrypted session logs in the Session Manager preferences", policy: "ssm-sessions-logged", visibleInPreview: false,
    pick: first(T.ssmDocument, (r) => r.inputs.documentType === "Session"),
    mutate: (p) => ({ ...p, content: pulumi.output(p.content).apply((c: string) => JSON.stringify({ ...JSON.parse(c), inputs: { ...JSON.parse(c).inputs, cloudWatchEncryptionEnabled: false } })) }),
  },
  {
    what: "the database's alarms", policy: "alarms-cover-resources", visibleInPreview: true,
    pick: first(T.rdsInstance, (r) => !r.inputs.replicateSourceDb),
    change: (rec, db) => rec.ofType(T.metricAlarm).filter((a) => a.inputs.dimensions?.DBInstanceIdentifier === db.inputs.identifier),
    mutate: (p) => ({ ...p, dimensions: { DBInstanceIdentifier: "somewhere-else" } }),
  },
  {
    what: "the required tags", policy: "required-tags", visibleInPreview: true,
    pick: first(T.bucket), mutate: (p) => ({ ...p, tags: { ...(p.tags ?? {}), app: "" } }),
  },
  {
    what: "key rotation", policy: "kms-key-rotation", visibleInPreview: true,
    pick: first(T.kmsKey), mutate: (p) => ({ ...p, enableKeyRotation: false }),
  },
  {
    what: "the key policy lockout safety check", policy: "kms-key-configured", visibleInPreview: true,
    pick: first(T.kmsKey), mutate: (p) => ({ ...p, bypassPolicyLockoutSafetyCheck: true }),
  },
  {
    what: "the stack key on a secret", policy: "secrets-use-stack-key", visibleInPreview: true,
    pick: first(T.secret), mutate: (p) => ({ ...p, kmsKeyId: undefined }),
  },
  {
    // In a first preview every rotation's secret is unknown, so any of them may be this database's.
    what: "a database's password rotation", policy: "secrets-rotated", visibleInPreview: false,
    pick: first(T.rdsInstance, (r) => !r.inputs.replicateSourceDb),
    change: (rec, db) => rec.ofType(T.secretRotation).filter((r) => r.name === db.name.replace(/-db$/, "-password-rotation")),
    mutate: (p) => ({ ...p, secretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/elsewhere-AbCdEf" }),
  },
  {
    what: "a year of HSTS", policy: "cloudfront-security-headers", visibleInPreview: true,
    pick: first(T.responseHeadersPolicy),
    mutate: (p) => ({ ...p, securityHeadersConfig: pulumi.output(p.securityHeadersConfig).apply((c: any) => ({ ...c, strictTransportSecurity: { ...c.strictTransportSecurity, accessControlMaxAgeSec: 86400 } })) }),
  },
  {
    what: "load balancer access logs", policy: "alb-access-logs", visibleInPreview: true,
    pick: first(T.loadBalancer), mutate: (p) => ({ ...p, accessLogs: undefined }),
  },
  {
    what: "an allowed instance size", policy: "allowed-instance-sizes", visibleInPreview: true,
    pick: first(T.launchTemplate), mutate: (p) => ({ ...p, instanceType: "m6i.4xlarge" }),
  },
  {
    what: "private fleet hosts", policy: "fleet-no-public-ip", visibleInPreview: true,
    pick: (rec) => rec.ofType(T.launchTemplate).slice(-1)[0], mutate: (p) => ({ ...p, networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "true" }] }),
  },
  {
    what: "immutable image tags", policy: "ecr-repository-hardened", visibleInPreview: true,
    pick: first(T.ecrRepository), mutate: (p) => ({ ...p, imageTagMutability: "MUTABLE" }),
  },
  {
    what: "named actions in a fleet's inline policy", policy: "iam-no-wildcard-actions", visibleInPreview: true,
    pick: first(T.iamRolePolicy, (r) => /-launch-hook$/.test(r.name)),
    mutate: (p) => ({ ...p, policy: pulumi.output(p.policy).apply((doc: string) => JSON.stringify({ ...JSON.parse(doc), Statement: [...JSON.parse(doc).Statement, { Effect: "Allow", Action: "*", Resource: "*" }] })) }),
  },
  {
    what: "passing named roles only", policy: "iam-passrole-named-roles", visibleInPreview: true,
    pick: (rec) => rec.ofType(T.iamRolePolicy).filter((r) => /-launch-hook$/.test(r.name)).slice(-1)[0],
    mutate: (p) => ({ ...p, policy: pulumi.output(p.policy).apply((doc: string) => JSON.stringify({ ...JSON.parse(doc), Statement: [...JSON.parse(doc).Statement, { Effect: "Allow", Action: "iam:PassRole", Resource: "*" }] })) }),
  },
  {
    what: "the publisher role's OIDC trust (now the account root)", policy: "iam-role-trust-conditions", visibleInPreview: true,
    pick: first(T.iamRole, (r) => /-artifact-publisher$/.test(r.name)),
    mutate: (p) => ({ ...p, assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ["arn:aws:iam::123456789012:root"] }, Action: "sts:AssumeRole" }] }) }),
  },
  {
    what: "an allowed managed policy (now AdministratorAccess)", policy: "iam-managed-policies-allowed", visibleInPreview: true,
    pick: first(T.iamRolePolicyAttachment), mutate: (p) => ({ ...p, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
  },
  {
    // The topic's ARN is unknown in a first preview, and so is the policy document built from it.
    what: "TLS-only publishing to the alert topic", policy: "sns-topic-tls-only", visibleInPreview: false,
    pick: first(T.snsTopic), change: (rec, topic) => rec.ofType(T.snsTopicPolicy).filter((p) => p.name === topic.name),
    mutate: (p) => ({ ...p, policy: pulumi.output(p.policy).apply((doc: string) => JSON.stringify({ ...JSON.parse(doc), Statement: JSON.parse(doc).Statement.filter((x: any) => x.Effect !== "Deny") })) }),
  },
  {
    what: "a fleet's terminate-error notification", policy: "asg-notifies-errors", visibleInPreview: false,
    pick: first(T.autoscalingGroup), change: (rec, group) => rec.ofType(T.autoscalingNotification).filter((n) => n.name === group.name.replace(/-asg$/, "-errors")),
    mutate: (p) => ({ ...p, notifications: ["autoscaling:EC2_INSTANCE_LAUNCH_ERROR"] }),
  },
  {
    what: "tags copied to a database's snapshots", policy: "rds-instance-hardened", visibleInPreview: true,
    pick: (rec) => rec.ofType(T.rdsInstance).filter((r) => !r.inputs.replicateSourceDb)[1], mutate: (p) => ({ ...p, copyTagsToSnapshot: false }),
  },
  {
    // The configuration names its source bucket by id, unknown in a first preview.
    what: "the media bucket's copy in the second region", policy: "s3-data-bucket-replicated-prod", visibleInPreview: false,
    pick: first(T.bucket, (r) => r.name === "smartboostpro-media"), change: (rec) => rec.ofType(T.bucketReplication).filter((r) => r.name === "smartboostpro-media-replica"),
    mutate: (p) => ({ ...p, rules: pulumi.output(p.rules).apply((rules: any[]) => rules.map((r) => ({ ...r, status: "Disabled" }))) }),
  },
  {
    what: "a media bucket's access logs", policy: "s3-data-bucket-access-logging", visibleInPreview: false,
    pick: first(T.bucket, (r) => r.name === "flashbill-media"), change: (rec) => rec.ofType(T.bucketLogging).filter((r) => r.name === "flashbill-media"),
    mutate: (p) => ({ ...p, bucket: "some-other-bucket" }),
  },
  {
    // Companions are matched by bucket id, unknown in a first preview for every bucket.
    what: "expiry of old KYC document versions", policy: "s3-data-bucket-old-versions-expire", visibleInPreview: false,
    pick: first(T.bucket, (r) => r.name === "investment-platform-kyc"), change: (rec) => rec.ofType(T.bucketLifecycle).filter((r) => r.name === "investment-platform-kyc"),
    mutate: (p) => ({ ...p, rules: pulumi.output(p.rules).apply((rules: any[]) => rules.map(({ noncurrentVersionExpiration, ...r }) => r)) }),
  },
  {
    what: "a supported runtime on the rotation function", policy: "lambda-function-hardened", visibleInPreview: true,
    pick: first(T.lambdaFunction), mutate: (p) => ({ ...p, runtime: "python3.7" }),
  },
  {
    what: "the rotation function's invoker narrowed to its secret", policy: "lambda-permission-scoped", visibleInPreview: true,
    pick: first(T.lambdaPermission), mutate: (p) => ({ ...p, sourceArn: undefined }),
  },
  {
    what: "Multi-AZ in prod", policy: "rds-multi-az-prod", visibleInPreview: true,
    pick: (rec) => rec.ofType(T.rdsInstance).filter((r) => !r.inputs.replicateSourceDb).slice(-1)[0], mutate: (p) => ({ ...p, multiAz: false }),
  },
  {
    what: "detailed monitoring on a launch template", policy: "ec2-detailed-monitoring-prod", visibleInPreview: true,
    pick: first(T.launchTemplate), mutate: (p) => ({ ...p, monitoring: { enabled: false } }),
  },
  {
    what: "termination protection on the single web host", policy: "instance-termination-protection-prod", visibleInPreview: true,
    pick: first(T.instance), mutate: (p) => ({ ...p, disableApiTermination: false }),
  },
  {
    what: "the metadata hop limit on a (non-Docker) launch template", policy: "imds-hop-limit-one", visibleInPreview: true,
    pick: first(T.launchTemplate, (r) => r.name !== "saas-platform-lt"), mutate: (p) => ({ ...p, metadataOptions: { ...p.metadataOptions, httpPutResponseHopLimit: 2 } }),
  },
  {
    what: "ELB health checks on a fleet's group", policy: "asg-hardened", visibleInPreview: true,
    pick: first(T.autoscalingGroup), mutate: (p) => ({ ...p, healthCheckType: "EC2" }),
  },
  {
    what: "the known-bad-inputs rule group on a web ACL", policy: "waf-known-bad-inputs", visibleInPreview: true,
    pick: first(T.webAcl),
    mutate: (p) => ({ ...p, rules: pulumi.output(p.rules).apply((rules: any[]) => rules.filter((r) => r.statement?.managedRuleGroupStatement?.name !== "AWSManagedRulesKnownBadInputsRuleSet")) }),
  },
  {
    what: "header redaction in WAF logs", policy: "waf-logging", visibleInPreview: true,
    pick: first(T.webAclLogging), mutate: (p) => ({ ...p, redactedFields: [] }),
  },
  {
    what: "the SPA distribution's default root object", policy: "cloudfront-s3-default-root-object", visibleInPreview: true,
    pick: first(T.distribution, (r) => r.inputs.defaultRootObject !== undefined), mutate: (p) => ({ ...p, defaultRootObject: undefined }),
  },
  {
    what: "certificate transparency logging", policy: "acm-certificate-transparency", visibleInPreview: true,
    pick: first(T.acmCertificate), mutate: (p) => ({ ...p, options: { certificateTransparencyLoggingPreference: "DISABLED" } }),
  },
  {
    what: "rejected-only flow logs on the VPC", policy: "vpc-flow-logs", visibleInPreview: true,
    pick: first(T.vpc), change: (rec) => rec.ofType(T.flowLog), mutate: (p) => ({ ...p, trafficType: "REJECT" }),
  },
  {
    what: "the VPC's default security group emptied of rules", policy: "vpc-default-sg-closed", visibleInPreview: true,
    pick: first(T.defaultSecurityGroup), mutate: (p) => ({ ...p, ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }] }),
  },
  {
    what: "private addressing on a subnet", policy: "subnets-no-auto-public-ip", visibleInPreview: true,
    pick: first(T.subnet), mutate: (p) => ({ ...p, mapPublicIpOnLaunch: true }),
  },
  {
    // Its association names another allocation; the address itself still exists. In a first
    // preview the NAT gateways' allocation ids are unknown, so any of them might hold it.
    what: "the single host's Elastic IP association", policy: "eip-attached", visibleInPreview: false,
    pick: (rec) => rec.ofType(T.eip).find((e) => rec.ofType(T.eipAssociation).some((a) => a.inputs.allocationId === e.outputs.allocationId)),
    change: (rec, eip) => rec.ofType(T.eipAssociation).filter((a) => a.inputs.allocationId === eip.outputs.allocationId),
    mutate: (p) => ({ ...p, allocationId: "eipalloc-0123456789abcdef0" }),
  },
  {
    // The group's id is unknown in a first preview, so no use of it can be ruled out there.
    what: "a load balancer's security group", policy: "sg-attached", visibleInPreview: false,
    pick: (rec) => rec.ofType("aws:ec2/securityGroup:SecurityGroup").find((g) => (rec.ofType(T.loadBalancer)[0]?.inputs.securityGroups ?? []).includes(g.id)),
    change: (rec) => rec.ofType(T.loadBalancer).slice(0, 1), mutate: (p) => ({ ...p, securityGroups: [] }),
  },
  {
    what: "a target group's health check", policy: "target-group-health-check", visibleInPreview: true,
    pick: first(T.targetGroup), mutate: (p) => ({ ...p, healthCheck: { ...p.healthCheck, enabled: false } }),
  },
  {
    what: "the single host's A record pointing at its own Elastic IP", policy: "route53-a-records-managed-targets", visibleInPreview: true,
    pick: first(T.route53Record, (r) => r.inputs.type === "A" && Array.isArray(r.inputs.records) && r.inputs.records.length > 0),
    mutate: (p) => ({ ...p, records: ["203.0.113.10"] }),
  },
  {
    what: "log exports of a read replica", policy: "rds-log-exports", visibleInPreview: true,
    pick: first(T.rdsInstance, (r) => !!r.inputs.replicateSourceDb), mutate: (p) => ({ ...p, enabledCloudwatchLogsExports: [] }),
  },
  {
    what: "IAM database authentication", policy: "rds-iam-auth", visibleInPreview: true,
    pick: (rec) => rec.ofType(T.rdsInstance).filter((r) => !r.inputs.replicateSourceDb)[2], mutate: (p) => ({ ...p, iamDatabaseAuthenticationEnabled: false }),
  },
  {
    what: "enhanced monitoring of a prod database", policy: "rds-enhanced-monitoring-prod", visibleInPreview: true,
    pick: (rec) => rec.ofType(T.rdsInstance).filter((r) => !r.inputs.replicateSourceDb)[3], mutate: (p) => ({ ...p, monitoringInterval: 0 }),
  },
  {
    what: "slow statement logging in a database's parameter group", policy: "rds-postgres-query-logging", visibleInPreview: true,
    pick: (rec) => rec.ofType(T.rdsInstance).filter((r) => !r.inputs.replicateSourceDb)[0],
    change: (rec, db) => rec.ofType(T.rdsParameterGroup).filter((g) => g.outputs.name === db.inputs.parameterGroupName),
    mutate: (p) => ({ ...p, parameters: pulumi.output(p.parameters).apply((ps: any[]) => ps.filter((x) => x.name !== "log_min_duration_statement")) }),
  },
  {
    // Encryption configurations are matched to buckets by id, unknown in a first preview.
    what: "SSE-KMS on a media bucket", policy: "s3-data-bucket-kms", visibleInPreview: false,
    pick: first(T.bucket, (r) => r.name === "smartboostpro-media"), change: (rec) => rec.ofType(T.bucketSse).filter((r) => r.name === "smartboostpro-media"),
    mutate: (p) => ({ ...p, rules: pulumi.output(p.rules).apply((rules: any[]) => rules.map((r) => ({ ...r, applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }))) }),
  },
  {
    what: "ACLs disabled on a media bucket", policy: "s3-bucket-acls-disabled", visibleInPreview: false,
    pick: first(T.bucket, (r) => r.name === "flashbill-media"), change: (rec) => rec.ofType(T.bucketOwnershipControls).filter((r) => r.name === "flashbill-media"),
    mutate: (p) => ({ ...p, rule: { objectOwnership: "ObjectWriter" } }),
  },
  {
    // A bucket policy names its bucket's ARN, unknown in a first preview.
    what: "a bucket policy that leaves its own policy changeable", policy: "s3-bucket-policy-no-lockout", visibleInPreview: false,
    pick: first(T.bucketPolicy),
    mutate: (p) => ({ ...p, policy: pulumi.output(p.policy).apply((doc: string) => {
      const d = JSON.parse(doc);
      return JSON.stringify({ ...d, Statement: [...d.Statement, { Sid: "NoPolicyChanges", Effect: "Deny", Principal: "*", Action: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], Resource: d.Statement[0].Resource }] });
    }) }),
  },
  {
    what: "the stack key on a backup vault", policy: "backup-vault-stack-key", visibleInPreview: true,
    pick: first(T.backupVault), mutate: (p) => ({ ...p, kmsKeyArn: undefined }),
  },
  {
    // Role policies name their resources' ARNs, unknown in a first preview.
    what: "resource scope of a role policy", policy: "iam-resource-wildcard-allowlisted", visibleInPreview: false,
    pick: first(T.iamRolePolicy),
    mutate: (p) => ({ ...p, policy: pulumi.output(p.policy).apply((doc: string) => {
      const d = JSON.parse(doc);
      return JSON.stringify({ ...d, Statement: [...d.Statement, { Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    }) }),
  },
  {
    what: "the account pin on the stack key's service statement", policy: "kms-key-policy-no-public-principal", visibleInPreview: false,
    pick: first(T.kmsKey),
    mutate: (p) => ({ ...p, policy: pulumi.output(p.policy).apply((doc: string) => {
      const d = JSON.parse(doc);
      return JSON.stringify({ ...d, Statement: [...d.Statement, { Sid: "AnyoneDecrypts", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }] });
    }) }),
  },
  {
    what: "the stack key on the alert topic", policy: "sns-topic-encrypted", visibleInPreview: true,
    pick: first(T.snsTopic, (r) => !!r.inputs.kmsMasterKeyId), mutate: (p) => ({ ...p, kmsMasterKeyId: "alias/aws/sns" }),
  },
  {
    // The topic policy is built from the topic's ARN, unknown in a first preview.
    what: "the alert topic's publishers pinned", policy: "sns-topic-policy-not-public", visibleInPreview: false,
    pick: first(T.snsTopicPolicy),
    mutate: (p) => ({ ...p, policy: pulumi.output(p.policy).apply((doc: string) => {
      const d = JSON.parse(doc);
      return JSON.stringify({ ...d, Statement: [...d.Statement, { Sid: "AnyonePublishes", Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: d.Statement[0].Resource }] });
    }) }),
  },
  {
    what: "an app's own tag on its database parameter group", policy: "app-tag-matches-owner", visibleInPreview: true,
    pick: first(T.rdsParameterGroup), mutate: (p) => ({ ...p, tags: { ...p.tags, app: "platform" } }),
  },
  {
    what: "the environment tag of a launch template", policy: "required-tags", visibleInPreview: true,
    pick: first(T.launchTemplate), mutate: (p) => ({ ...p, tags: { ...p.tags, environment: "staging" } }),
  },
  {
    what: "a secret's description", policy: "secrets-described", visibleInPreview: true,
    pick: first(T.secret), mutate: (p) => ({ ...p, description: undefined }),
  },
];

/**
 * A resource a component might add that the pack must refuse, for policies whose resource the
 * stacks do not create at all (nothing there to switch off).
 */
interface Addition {
  what: string;
  policy: string;
  type: string;
  /** The added resource's name, unique in the stack. */
  name: string;
  /** Creates the resource inside the mutated run (values may come from the unmutated recording). */
  create(rec: Recording, name: string): void;
  visibleInPreview: boolean;
}

const ADDITIONS: Addition[] = [
  {
    // Hosts pull through their IAM roles; the stacks write no repository policy.
    what: "a repository policy letting anyone pull", policy: "ecr-repository-policy-not-public", type: T.ecrRepositoryPolicy, name: "mutation-public-pull", visibleInPreview: true,
    create: (rec, name) => new aws.ecr.RepositoryPolicy(name, {
      repository: rec.ofType(T.ecrRepository)[0].outputs.name,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "PublicPull", Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }] }),
    }),
  },
];

describe("switching off a protection in a component (prod)", () => {
  let baseline: Recording;
  let verdicts: Verdict[];
  let previewVerdicts: Verdict[];
  let mutatedResources: RecordedResource[];
  const targets = new Map<Mutation, RecordedResource>();
  const added = new Map<Addition, RecordedResource>();

  beforeAll(async () => {
    baseline = recordings.get("prod")!;
    const byKey = new Map<string, Mutation[]>();
    for (const m of MUTATIONS) {
      const target = m.pick(baseline);
      if (!target) throw new Error(`no resource to switch off ${m.what} on`);
      targets.set(m, target);
      const changed = m.change ? m.change(baseline, target) : [target];
      if (changed.length === 0) throw new Error(`nothing to change to switch off ${m.what}`);
      for (const c of changed) byKey.set(`${c.type}::${c.name}`, [...(byKey.get(`${c.type}::${c.name}`) ?? []), m]);
    }
    // All mutations in one run, each on its own resource; every assertion below names the resource.
    const mutated = await quietly(() => record(() => {
      // Registered before the platform's own tagging transformation, like a change inside a component.
      pulumi.runtime.registerStackTransformation((args) => {
        const ms = byKey.get(`${args.type}::${args.name}`);
        if (!ms) return undefined;
        return { props: ms.reduce((p, m) => m.mutate(p), args.props), opts: args.opts };
      });
      const config = loadStackConfig();
      const outputs = buildPlatform(config, PROFILES[config.environment]);
      for (const a of ADDITIONS) a.create(baseline, a.name);
      return outputs;
    }, { stack: "prod" }));
    mutatedResources = mutated.resources;
    for (const a of ADDITIONS) added.set(a, mutated.one(a.type, a.name));
    verdicts = runPolicyPack(mutated.resources, { config: stackPackConfig("prod") });
    previewVerdicts = runPolicyPack(mutated.resources, { config: stackPackConfig("prod"), preview: true });
  }, 120_000);

  it("reports what @pulumi/policy's analyzer reports, verdict for verdict (recorded values and first preview)", async () => {
    // The analyzer gets no pack config here, so the runner runs without one too: environment from the tags.
    const engine = await analyze(mutatedResources);
    expect(runPolicyPack(mutatedResources).map(asDiag).map(diagKey).sort()).toEqual(engine.map(diagKey).sort());
    const previewed = simulatePreview(mutatedResources);
    const enginePreview = await analyze(previewed, undefined, true);
    expect(runPolicyPack(mutatedResources, { preview: true }).map(asDiag).map(diagKey).sort()).toEqual(enginePreview.map(diagKey).sort());
    expect(new Set(engine.map((d) => d.policy)).size).toBeGreaterThanOrEqual(15);
  }, 60_000);

  it("the unmutated stack is clean, so every verdict below comes from a mutation", () => {
    expect(mandatory(runPolicyPack(baseline.resources, { config: stackPackConfig("prod") }))).toEqual([]);
  });

  it.each(MUTATIONS.map((m) => [m.what, m.policy, m] as const))("%s: %s fires on the resource that lost it", (_, policy, m) => {
    const target = targets.get(m)!;
    const hits = (vs: Verdict[]) => mandatory(vs).filter((v) => v.policy === policy && v.urn === target.urn);
    expect(hits(verdicts).length).toBeGreaterThan(0);
    if (m.visibleInPreview) expect(hits(previewVerdicts).length).toBeGreaterThan(0);
  });

  it.each(ADDITIONS.map((a) => [a.what, a.policy, a] as const))("%s: %s fires on the added resource", (_, policy, a) => {
    const hits = (vs: Verdict[]) => mandatory(vs).filter((v) => v.policy === policy && v.urn === added.get(a)!.urn);
    expect(hits(verdicts).length).toBeGreaterThan(0);
    if (a.visibleInPreview) expect(hits(previewVerdicts).length).toBeGreaterThan(0);
  });

  it("never trips on unknown values, mutated or not", () => {
    expect(previewVerdicts.filter((v) => v.unknownValue)).toEqual([]);
  });

  it("names the exposed secret's kind, never the secret", () => {
    const vs = verdicts.filter((v) => v.policy === "user-data-no-secrets");
    expect(vs.map((v) => v.detail).join("\n")).toMatch(/a Stripe secret key/);
    expect(JSON.stringify(vs)).not.toContain(STRIPE);
  });
});
