import * as aws from "@pulumi/aws";
import { secretReadPolicy } from "../components/secret-library";
import { CacheConfig, contextFrom, loadStackConfig, PROFILES } from "../config";
import { StackKey } from "../components/kms";
import { ELASTICACHE_AUTH_ALLOWED_SPECIALS, Redis, RedisArgs } from "../components/redis";
import { Recording, record } from "./harness";

const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const PG = "aws:elasticache/parameterGroup:ParameterGroup";
const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const LOGS = "aws:cloudwatch/logGroup:LogGroup";

/** ElastiCache AUTH: 16-128 printable characters; letters, digits and only ! & # $ ^ < > - as specials. */
function satisfiesAuthRules(token: string): boolean {
  if (token.length < 16 || token.length > 128) return false;
  return [...token].every((c) => /[A-Za-z0-9]/.test(c) || ELASTICACHE_AUTH_ALLOWED_SPECIALS.includes(c));
}

async function recordCache(stack: "prod" | "staging", appName: string, override: Partial<CacheConfig> = {}): Promise<Recording> {
  return record(() => {
    const config = loadStackConfig();
    const ctx = contextFrom(config);
    const app = config.apps.find((a) => a.name === appName)!;
    const key = new StackKey(stack, { ctx });
    const subnets = new aws.elasticache.SubnetGroup("isolated", { subnetIds: ["subnet-a", "subnet-b"], description: "isolated" });
    const dataSg = new aws.ec2.SecurityGroup("data", { vpcId: "vpc-1", description: "data tier" });
    // Protected as architectures/app-data.ts maps it from the environment's profile.
    const cache = new Redis(app.name, {
      ctx, protect: PROFILES[ctx.environment].protectData, appName: app.name, cache: { ...app.cache, ...override },
      subnetGroupName: subnets.name, securityGroupIds: [dataSg.id], kmsKeyArn: key.keyArn,
    });
    new aws.iam.Policy("host-reads-cache", { policy: secretReadPolicy({ secretArns: [cache.authSecretArn], kmsKeyArn: key.keyArn, region: ctx.region }) });
    return { authSecretArn: cache.authSecretArn, address: cache.primaryEndpointAddress, port: cache.port, id: cache.replicationGroupId, nodes: cache.nodes };
  }, { stack });
}

const authSecret = (rec: Recording) => rec.one(SECRET);
const versionOf = (rec: Recording, secret: { id: string }) => rec.ofType(VERSION).find((v) => v.inputs.secretId === secret.id)!;

describe.each([
  // stack, app, node type, nodes, snapshot days, protected
  ["prod", "saas-platform", "cache.t4g.medium", 2, 7, true],
  ["staging", "investment-platform", "cache.t4g.micro", 1, 1, false],
] as const)("Redis in %s (%s)", (stack, appName, nodeType, nodes, snapshotDays, prod) => {
  let rec: Recording;
  let rg: Recording["resources"][number];
  beforeAll(async () => {
    rec = await recordCache(stack, appName);
    rg = rec.one(RG);
  });

  it("runs Redis 7.1 with its own redis7 parameter group", () => {
    expect(rg.inputs).toMatchObject({ engine: "redis", engineVersion: "7.1", nodeType, port: 6379, replicationGroupId: `${stack}-${appName}` });
    const pg = rec.one(PG);
    expect(pg.inputs.family).toBe("redis7");
    expect(pg.inputs.parameters).toEqual([{ name: "maxmemory-policy", value: "volatile-lru" }]);
    expect(rg.inputs.parameterGroupName).toBe(pg.outputs.name);
    expect(rec.outputs.id).toBe(`${stack}-${appName}`);
  });

  it(prod ? "runs 2+ nodes with automatic failover across AZs" : "runs one node", () => {
    expect(rg.inputs.numCacheClusters).toBe(nodes);
    expect(rg.inputs.automaticFailoverEnabled).toBe(prod);
    expect(rg.inputs.multiAzEnabled).toBe(prod);
  });

  it("names its nodes as ElastiCache names the group's member clusters, before the group exists (its alarms watch them)", () => {
    const members = Array.from({ length: nodes }, (_, i) => `${stack}-${appName}-00${i + 1}`);
    expect(rec.outputs.nodes).toEqual(members.map((cacheClusterId) => ({ cacheClusterId, cacheNodeId: "0001" })));
    expect(rg.outputs.memberClusters).toEqual(members);
  });

  it("encrypts at rest with the stack key and requires TLS in transit", () => {
    expect(rg.inputs.atRestEncryptionEnabled).toBe(true);
    expect(rg.inputs.kmsKeyId).toBe(rec.one("aws:kms/key:Key").outputs.arn);
    expect(rg.inputs.transitEncryptionEnabled).toBe(true);
    expect(rg.inputs.transitEncryptionMode).toBe("required");
  });

  it("sits in the isolated subnet group behind the data tier", () => {
    expect(rg.inputs.subnetGroupName).toBe(rec.one("aws:elasticache/subnetGroup:SubnetGroup").outputs.name);
    expect(rg.inputs.securityGroupIds).toEqual([rec.one("aws:ec2/securityGroup:SecurityGroup").id]);
  });

  it("keeps snapshots in a window apart from maintenance, and a final snapshot in prod", () => {
    expect(rg.inputs.snapshotRetentionLimit).toBe(snapshotDays);
    expect(rg.inputs.snapshotWindow).toBe("02:00-03:00");
    expect(rg.inputs.maintenanceWindow).toBe("sun:05:30-sun:06:30");
    expect(rg.inputs.finalSnapshotIdentifier).toBe(prod ? `${stack}-${appName}-final` : undefined);
    expect(rg.inputs.autoMinorVersionUpgrade).toBe(true);
    expect(rg.inputs.applyImmediately).toBe(!prod);
  });

  it("delivers the slow log to an encrypted log group with retention", () => {
    const group = rec.one(LOGS);
    expect(group.inputs).toMatchObject({ name: `/${stack}/elasticache/${appName}/slow-log`, retentionInDays: prod ? 90 : 14, kmsKeyId: rec.one("aws:kms/key:Key").outputs.arn });
    expect(rg.inputs.logDeliveryConfigurations).toEqual([{ destination: group.outputs.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" }]);
  });

  it("generates an AUTH token within ElastiCache's rules and sends it only as a secret", () => {
    const pw = rec.one(PASSWORD);
    expect(pw.inputs.length).toBeGreaterThanOrEqual(16);
    expect(pw.inputs.length).toBeLessThanOrEqual(128);
    expect([...pw.inputs.overrideSpecial].every((c: string) => ELASTICACHE_AUTH_ALLOWED_SPECIALS.includes(c))).toBe(true);
    expect(satisfiesAuthRules(pw.outputs.result)).toBe(true);
    expect(rg.inputs.authToken).toBe(pw.outputs.result);
    expect(rg.secretPaths).toEqual(["authToken"]);
  });

  it("stores endpoint and token in an encrypted secret, the value only as a secret", () => {
    const secret = authSecret(rec);
    expect(secret.inputs).toMatchObject({ name: `${stack}/${appName}/REDIS`, kmsKeyId: rec.one("aws:kms/key:Key").outputs.arn, recoveryWindowInDays: prod ? 30 : 0 });
    const version = versionOf(rec, secret);
    expect(version.secretPaths).toEqual(["secretString"]);
    const value = JSON.parse(version.inputs.secretString);
    const token = rec.one(PASSWORD).outputs.result;
    expect(value).toMatchObject({ host: rg.outputs.primaryEndpointAddress, port: 6379, tls: true, authToken: token });
    expect(value.REDIS_URL).toBe(`rediss://:${encodeURIComponent(token)}@${rg.outputs.primaryEndpointAddress}:6379/0`);
    expect(rec.outputs.authSecretArn).toBe(secret.outputs.arn);
  });

  it("lets hosts depend on the auth secret without waiting for the cache", () => {
    const secret = authSecret(rec);
    const policy = rec.one("aws:iam/policy:Policy");
    expect(rec.transitiveDependencies(policy.urn)).toContain(secret.urn);
    for (const urn of [secret.urn, policy.urn]) expect(rec.transitiveDependencies(urn).has(rg.urn)).toBe(false);
    expect(versionOf(rec, secret).dependencies).toContain(rg.urn);
  });

  it(`${prod ? "protects" : "does not protect"} the cache, its secret and token`, () => {
    for (const r of [rg, authSecret(rec), versionOf(rec, authSecret(rec)), rec.one(PASSWORD)]) expect([r.name, r.options.protect]).toEqual([r.name, prod]);
  });
});

describe("Redis arguments", () => {
  const base = (stack: string): RedisArgs => {
    const config = loadStackConfig();
    const app = config.apps.find((a) => a.name === "saas-platform")!;
    return { ctx: contextFrom(config), appName: "shop", cache: app.cache, subnetGroupName: "cache", securityGroupIds: ["sg-1"], kmsKeyArn: `arn:aws:kms:eu-west-1:123456789012:key/${stack}` };
  };

  it("refuses what ElastiCache would, at once (the environment's minimums are the stack config's)", async () => {
    await record(() => {
      const b = base("prod");
      expect(() => new Redis("a", { ...b, cache: { ...b.cache, numNodes: 7 } })).toThrow(/Redis: args\.cache\.numNodes must be 1-6, got 7/);
      expect(() => new Redis("b", { ...b, cache: { ...b.cache, enabled: false } })).toThrow(/args\.cache\.enabled is false/);
      expect(() => new Redis("c", { ...b, cache: { ...b.cache, snapshotRetentionDays: 36 } })).toThrow(/args\.cache\.snapshotRetentionDays must be 0-35 days, got 36/);
      expect(() => new Redis("d", { ...b, securityGroupIds: [] })).toThrow(/args\.securityGroupIds must list at least one/);
      expect(() => new Redis("e", { ...b, maxmemoryPolicy: "random" as any })).toThrow(/args\.maxmemoryPolicy "random" is not allowed/);
      expect(() => new Redis("f", { ...b, recoveryWindowInDays: 45 })).toThrow(/args\.recoveryWindowInDays must be 0 .* got 45/);
    }, { stack: "prod" });
  });

  it("accepts an eviction policy override", async () => {
    const rec = await record(() => { new Redis("shop", { ...base("staging"), maxmemoryPolicy: "allkeys-lru" }); }, { stack: "staging" });
    expect(rec.one(PG).inputs.parameters).toEqual([{ name: "maxmemory-policy", value: "allkeys-lru" }]);
  });
});
