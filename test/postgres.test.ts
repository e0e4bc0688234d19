import * as aws from "@pulumi/aws";
import { secretReadPolicy } from "../components/secret-library";
import { contextFrom, DatabaseConfig, loadStackConfig, PROFILES } from "../config";
import { StackKey } from "../components/kms";
import { Postgres, PostgresArgs, RDS_CA } from "../components/postgres";
import { Recording, record } from "./harness";

const DB = "aws:rds/instance:Instance";
const PG = "aws:rds/parameterGroup:ParameterGroup";
const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const LOGS = "aws:cloudwatch/logGroup:LogGroup";
const ROLE = "aws:iam/role:Role";
/** RDS master passwords: printable ASCII, 8-128 characters, none of / ' " @ or space. */
const RDS_PASSWORD_RULE = /^[\x21-\x7e]{8,128}$/;
const RDS_FORBIDDEN = /[/'"@ ]/;

/**
 * Records an app's database from the real stack file, wired as an architecture would: the
 * stack key, a subnet group and a data-tier group, plus a host policy built from the
 * connection secret's ARN (to show hosts need not wait for the database).
 */
async function recordDb(stack: "prod" | "staging", appName: string, override: Partial<DatabaseConfig> = {}): Promise<Recording> {
  return record(() => {
    const config = loadStackConfig();
    const ctx = contextFrom(config);
    const app = config.apps.find((a) => a.name === appName)!;
    const key = new StackKey(stack, { ctx });
    const subnets = new aws.rds.SubnetGroup("isolated", { subnetIds: ["subnet-a", "subnet-b"] });
    const dataSg = new aws.ec2.SecurityGroup("data", { vpcId: "vpc-1", description: "data tier" });
    // Protected and monitored as architectures/app-data.ts maps them from the environment's profile.
    const db = new Postgres(app.name, {
      ctx, appName: app.name, database: { ...app.database, ...override },
      protect: PROFILES[ctx.environment].protectData, deletionProtection: PROFILES[ctx.environment].db.deletionProtection, monitoringIntervalSeconds: PROFILES[ctx.environment].detailedMonitoring ? 60 : 0,
      subnetGroupName: subnets.name, securityGroupIds: [dataSg.id], kmsKeyArn: key.keyArn,
    });
    new aws.iam.Policy("host-reads-db", { policy: secretReadPolicy({ secretArns: [db.connectionSecretArn], kmsKeyArn: key.keyArn, region: ctx.region }) });
    return { connectionSecretArn: db.connectionSecretArn, address: db.address, maxConnections: db.maxConnections, replicaAddress: db.replicaAddress };
  }, { stack });
}

const secretNamed = (rec: Recording, suffix: string) => rec.ofType(SECRET).find((s) => s.inputs.name.endsWith(suffix))!;
const versionOf = (rec: Recording, secret: { id: string }) => rec.ofType(VERSION).find((v) => v.inputs.secretId === secret.id)!;
const params = (rec: Recording) => Object.fromEntries(rec.one(PG).inputs.parameters.map((p: any) => [p.name, [p.value, p.applyMethod]]));

describe.each([
  // stack, app, class, storage, max storage, backup days, multi-AZ, protected, PI
  ["prod", "saas-platform", "db.m7g.large", 50, 500, 14, true, true, true],
  ["staging", "smartboostpro", "db.t4g.micro", 20, 50, 1, false, false, false],
] as const)("PostgreSQL in %s (%s)", (stack, appName, instanceClass, storage, maxStorage, backupDays, multiAz, prod, pi) => {
  let rec: Recording;
  let db: Recording["resources"][number];
  beforeAll(async () => {
    rec = await recordDb(stack, appName);
    db = rec.one(DB, `${appName}-db`);
  });

  it("runs PostgreSQL 16 of the profile's class, on gp3 with autoscaling headroom", () => {
    expect(db.inputs).toMatchObject({
      engine: "postgres", instanceClass, storageType: "gp3", allocatedStorage: storage, maxAllocatedStorage: maxStorage,
      identifier: `${stack}-${appName}`, port: 5432,
    });
    expect(db.inputs.engineVersion).toMatch(/^16(\.\d+)?$/);
    expect(rec.one(PG).inputs.family).toBe("postgres16");
    expect(db.inputs.parameterGroupName).toBe(rec.one(PG).outputs.name);
  });

  it("encrypts storage and Performance Insights with the stack key", () => {
    const keyArn = rec.one("aws:kms/key:Key").outputs.arn;
    expect(db.inputs.storageEncrypted).toBe(true);
    expect(db.inputs.kmsKeyId).toBe(keyArn);
    expect(db.inputs.performanceInsightsEnabled).toBe(pi);
    expect(db.inputs.performanceInsightsKmsKeyId).toBe(pi ? keyArn : undefined);
  });

  it("sits in the isolated subnet group behind the data tier, never public", () => {
    expect(db.inputs.dbSubnetGroupName).toBe(rec.one("aws:rds/subnetGroup:SubnetGroup").outputs.name);
    expect(db.inputs.vpcSecurityGroupIds).toEqual([rec.one("aws:ec2/securityGroup:SecurityGroup").id]);
    expect(db.inputs.publiclyAccessible).toBe(false);
  });

  it("keeps automated backups in a window, Multi-AZ and deletion safety per environment", () => {
    expect(db.inputs.backupRetentionPeriod).toBe(backupDays);
    expect(db.inputs.backupWindow).toBe("01:00-02:00");
    expect(db.inputs.maintenanceWindow).toBe("sun:04:30-sun:05:30");
    expect(db.inputs.multiAz).toBe(multiAz);
    expect(db.inputs.deletionProtection).toBe(prod);
    expect(db.inputs.skipFinalSnapshot).toBe(!prod);
    expect(db.inputs.finalSnapshotIdentifier).toBe(prod ? `${stack}-${appName}-final` : undefined);
    expect(db.inputs.deleteAutomatedBackups).toBe(!prod);
    expect(db.inputs.copyTagsToSnapshot).toBe(true);
  });

  it("names a final snapshot on every instance that keeps one", () => {
    for (const i of rec.ofType(DB).filter((r) => r.inputs.skipFinalSnapshot === false)) {
      expect(i.inputs.finalSnapshotIdentifier).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
      expect(i.inputs.finalSnapshotIdentifier).not.toMatch(/--/);
    }
  });

  it("forces TLS and logs connections and slow statements", () => {
    const p = params(rec);
    expect(p["rds.force_ssl"]).toEqual(["1", "immediate"]);
    expect(p.log_connections).toEqual(["1", "immediate"]);
    expect(p.log_disconnections).toEqual(["1", "immediate"]);
    expect(p.log_min_duration_statement).toEqual(["1000", "immediate"]);
    expect(p.max_connections).toBeUndefined();
  });

  it("uses the current CA, auto minor upgrades, IAM auth (always on), and exports logs to groups with retention", () => {
    expect(db.inputs.caCertIdentifier).toBe(RDS_CA);
    expect(db.inputs.autoMinorVersionUpgrade).toBe(true);
    expect(db.inputs.iamDatabaseAuthenticationEnabled).toBe(true);
    expect(db.inputs.enabledCloudwatchLogsExports).toEqual(["postgresql", "upgrade"]);
    const groups = rec.ofType(LOGS).filter((g) => g.inputs.name.startsWith(`/aws/rds/instance/${stack}-${appName}/`));
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(["postgresql", "upgrade"].map((l) => `/aws/rds/instance/${stack}-${appName}/${l}`));
    for (const g of groups) {
      expect(g.inputs.retentionInDays).toBe(prod ? 90 : 14);
      expect(g.inputs.kmsKeyId).toBe(rec.one("aws:kms/key:Key").outputs.arn);
      expect(db.dependencies).toContain(g.urn);
    }
  });

  it(`${prod ? "enables" : "skips"} enhanced monitoring`, () => {
    expect(db.inputs.monitoringInterval).toBe(prod ? 60 : 0);
    if (prod) {
      const role = rec.one(ROLE, `${appName}-monitoring`);
      expect(db.inputs.monitoringRoleArn).toBe(role.outputs.arn);
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "monitoring.rds.amazonaws.com" });
      expect(rec.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn).toBe("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
    } else {
      expect(db.inputs.monitoringRoleArn).toBeUndefined();
      // The only role is the password rotation's, trusted by Lambda.
      expect(rec.ofType(ROLE).map((r) => JSON.parse(r.inputs.assumeRolePolicy).Statement[0].Principal)).toEqual([{ Service: "lambda.amazonaws.com" }]);
    }
  });

  it("generates a master password RDS accepts and sends it only as a secret", () => {
    const pw = rec.one(PASSWORD, `${appName}-master`);
    expect(pw.inputs.special).toBe(true);
    expect(pw.inputs.overrideSpecial).not.toMatch(RDS_FORBIDDEN);
    expect(pw.inputs.length).toBeGreaterThanOrEqual(32);
    expect(pw.outputs.result).toMatch(RDS_PASSWORD_RULE);
    expect(pw.outputs.result).not.toMatch(RDS_FORBIDDEN);
    expect(db.inputs.password).toBe(pw.outputs.result);
    expect(db.secretPaths).toEqual(["password"]);
    expect(db.inputs.username).toBe("app_admin");
  });

  it("stores master and connection secrets, encrypted with the stack key, values only as secrets", () => {
    const keyArn = rec.one("aws:kms/key:Key").outputs.arn;
    const password = rec.one(PASSWORD, `${appName}-master`).outputs.result;
    const master = secretNamed(rec, `${stack}/${appName}/postgres/master`);
    const connection = secretNamed(rec, `${stack}/${appName}/DATABASE`);
    for (const s of [master, connection]) {
      expect(s.inputs.kmsKeyId).toBe(keyArn);
      expect(s.inputs.recoveryWindowInDays).toBe(prod ? 30 : 0);
      expect(s.inputs.description).toMatch(/\w{5,}/);
      expect(versionOf(rec, s).secretPaths).toEqual(["secretString"]);
    }
    const value = JSON.parse(versionOf(rec, connection).inputs.secretString);
    const dbName = db.inputs.dbName;
    expect(value).toMatchObject({ host: db.outputs.address, port: 5432, dbname: dbName, username: "app_admin", password, sslmode: "require" });
    expect(value.DATABASE_URL).toBe(`postgresql://app_admin:${encodeURIComponent(password)}@${db.outputs.address}:5432/${dbName}?sslmode=require`);
    expect(JSON.parse(versionOf(rec, master).inputs.secretString)).toMatchObject({ engine: "postgres", username: "app_admin", password, dbInstanceIdentifier: `${stack}-${appName}` });
    expect(rec.outputs.connectionSecretArn).toBe(connection.outputs.arn);
  });

  it("lets hosts depend on the connection secret without waiting for the database", () => {
    const connection = secretNamed(rec, "/DATABASE");
    const instances = new Set(rec.ofType(DB).map((i) => i.urn));
    for (const urn of [connection.urn, rec.one("aws:iam/policy:Policy").urn]) {
      const deps = rec.transitiveDependencies(urn);
      expect([...deps].filter((d) => instances.has(d))).toEqual([]);
    }
    expect(rec.transitiveDependencies(rec.one("aws:iam/policy:Policy").urn)).toContain(connection.urn);
    expect(rec.transitiveDependencies(connection.urn)).toContain(rec.one("aws:kms/key:Key").urn);
    expect(versionOf(rec, connection).dependencies).toContain(db.urn);
  });

  it(`${prod ? "protects" : "does not protect"} the database, its secrets and password`, () => {
    const stateful = [...rec.ofType(DB), ...rec.ofType(SECRET), ...rec.ofType(VERSION), ...rec.ofType(PASSWORD)];
    expect(stateful.length).toBeGreaterThanOrEqual(prod ? 7 : 6);
    for (const r of stateful) expect([r.name, r.options.protect]).toEqual([r.name, prod]);
  });
});

describe("PostgreSQL read replica and overrides (prod)", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await recordDb("prod", "saas-platform", { maxConnections: 300 });
  });

  it("replicates the primary within the same subnet group, encrypted, never public, protected", () => {
    const primary = rec.one(DB, "saas-platform-db");
    const replica = rec.one(DB, "saas-platform-replica");
    expect(replica.inputs).toMatchObject({
      identifier: "prod-saas-platform-replica", replicateSourceDb: primary.outputs.arn, storageEncrypted: true,
      kmsKeyId: primary.inputs.kmsKeyId, publiclyAccessible: false, dbSubnetGroupName: primary.inputs.dbSubnetGroupName,
      vpcSecurityGroupIds: primary.inputs.vpcSecurityGroupIds, caCertIdentifier: RDS_CA, deletionProtection: true,
      parameterGroupName: primary.inputs.parameterGroupName, skipFinalSnapshot: true,
    });
    expect(replica.inputs.password).toBeUndefined();
    expect(replica.inputs.finalSnapshotIdentifier).toBeUndefined();
    expect(replica.options.protect).toBe(true);
    expect(rec.ofType(LOGS).map((g) => g.inputs.name)).toContain("/aws/rds/instance/prod-saas-platform-replica/postgresql");
  });

  it("offers the replica in the connection secret", () => {
    const connection = secretNamed(rec, "/DATABASE");
    const value = JSON.parse(rec.ofType(VERSION).find((v) => v.inputs.secretId === connection.id)!.inputs.secretString);
    expect(value.replicaHost).toBe(rec.one(DB, "saas-platform-replica").outputs.address);
    expect(value.DATABASE_REPLICA_URL).toMatch(/^postgresql:\/\/app_admin:.+@prod-saas-platform-replica\..+:5432\/saas\?sslmode=require$/);
  });

  it("applies IAM authentication (replica too) and max_connections (at the next reboot) from config", () => {
    expect(rec.one(DB, "saas-platform-db").inputs.iamDatabaseAuthenticationEnabled).toBe(true);
    expect(rec.one(DB, "saas-platform-replica").inputs.iamDatabaseAuthenticationEnabled).toBe(true);
    expect(params(rec).max_connections).toEqual(["300", "pending-reboot"]);
    expect(rec.outputs.maxConnections).toBe(300);
  });
});

describe("PostgreSQL from the stack files", () => {
  it("sets FlashBill's connection limit from Pulumi.staging.yaml", async () => {
    const rec = await recordDb("staging", "flashbill");
    expect(params(rec).max_connections).toEqual(["100", "pending-reboot"]);
    expect(rec.ofType(DB)).toHaveLength(1);
  });
});

describe("PostgreSQL arguments", () => {
  it("rejects bad settings at once, naming the field", async () => {
    await record(() => {
      const config = loadStackConfig();
      const ctx = contextFrom(config);
      const database = config.apps[0].database;
      const base: PostgresArgs = { ctx, appName: "shop", database, subnetGroupName: "db", securityGroupIds: ["sg-1"], kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k" };
      expect(() => new Postgres("a", { ...base, database: { ...database, enabled: false } })).toThrow(/Postgres: args\.database\.enabled is false/);
      expect(() => new Postgres("b", { ...base, engineVersion: "15.4" })).toThrow(/args\.engineVersion "15\.4" must be "16" or "16\.N"/);
      expect(() => new Postgres("c", { ...base, securityGroupIds: [] })).toThrow(/args\.securityGroupIds must list at least one/);
      expect(() => new Postgres("d", { ...base, masterUsername: "postgres" })).toThrow(/args\.masterUsername "postgres"/);
      expect(() => new Postgres("e", { ...base, database: { ...database, maxAllocatedStorageGb: 10 } })).toThrow(/args\.database\.maxAllocatedStorageGb must be from allocatedStorageGb/);
      expect(() => new Postgres("f", { ...base, database: { ...database, backupRetentionDays: 36 } })).toThrow(/args\.database\.backupRetentionDays must be 0-35 days, got 36/);
      expect(() => new Postgres("g", { ...base, monitoringIntervalSeconds: 7 })).toThrow(/args\.monitoringIntervalSeconds must be one of 0, 1, 5, 10, 15, 30, 60/);
    }, { stack: "staging" });
  });
});
