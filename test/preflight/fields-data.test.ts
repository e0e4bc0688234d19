/**
 * The data field table (tools/preflight/fields/data.ts: RDS, ElastiCache, AWS Backup, KMS,
 * Secrets Manager, random) on the recorded stacks: the program's databases, caches, backups,
 * keys and secrets pass as they are, with every input mapped, and a value AWS refuses, seeded
 * into a copy of a real resource, is reported with the input path, the kind of constraint,
 * and the model file and shape it comes from.
 */
import { RecordedResource, Recording, recordStack } from "../harness";
import { AUTONAME_SUFFIX, FieldViolation, runPreflight } from "../../tools/preflight/check";
import { DATA, dailyOverlapsWeekly, dailyWindow, isAwsCron, weeklyWindow } from "../../tools/preflight/fields/data";

const RDS = "rds-2014-10-31.json";
const ELASTICACHE = "elasticache-2015-02-02.json";
const BACKUP = "backup-2018-11-15.json";
const KMS = "kms-2014-11-01.json";
const SM = "secretsmanager-2017-10-17.json";
const TYPES = Object.keys(DATA);

const DB = "aws:rds/instance:Instance";
const DB_PARAMS = "aws:rds/parameterGroup:ParameterGroup";
const CACHE = "aws:elasticache/replicationGroup:ReplicationGroup";
const VAULT = "aws:backup/vault:Vault";
const PLAN = "aws:backup/plan:Plan";
const KEY = "aws:kms/key:Key";
const ALIAS = "aws:kms/alias:Alias";
const SECRET = "aws:secretsmanager/secret:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";

let stacks: Record<string, Recording>;

beforeAll(async () => {
  stacks = { staging: await recordStack("staging"), prod: await recordStack("prod") };
}, 180_000);

/** A copy of the first resource of a type in a stack (optionally matching a test). */
function copyOf(type: string, where: (r: RecordedResource) => boolean = () => true, stack = "staging"): RecordedResource {
  const r = stacks[stack].resources.find((x) => x.type === type && where(x));
  if (!r) throw new Error(`${stack} records no ${type}`);
  return structuredClone(r);
}

function only(r: RecordedResource): FieldViolation {
  const { violations } = runPreflight([r]);
  expect(violations).toHaveLength(1);
  return violations[0];
}

describe("data field table on the recorded stacks", () => {
  test.each(["staging", "prod"])("%s: every resource of these types passes, with no unmapped input", (stack) => {
    const mine = stacks[stack].resources.filter((r) => TYPES.includes(r.type));
    expect([...new Set(mine.map((r) => r.type))].sort()).toEqual([...TYPES].sort());
    const { violations, coverage } = runPreflight(mine);
    expect(violations).toEqual([]);
    for (const c of coverage) {
      expect({ type: c.type, unmapped: c.unmapped, noMapping: c.noMapping }).toEqual({ type: c.type, unmapped: [], noMapping: false });
    }
  });

  test("the alias accepts a key id (UUID) or a multi-Region key ARN", () => {
    const alias = copyOf(ALIAS);
    alias.inputs.targetKeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(runPreflight([alias]).violations).toEqual([]);
    alias.inputs.targetKeyId = "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab";
    expect(runPreflight([alias]).violations).toEqual([]);
  });
});

describe("seeded violations", () => {
  test("pattern: a backup vault name with a space", () => {
    const vault = copyOf(VAULT);
    vault.inputs.name = "staging shop backup";
    const v = only(vault);
    expect(v).toMatchObject({ path: "name", kind: "pattern", value: "staging shop backup" });
    expect(v.source).toBe(`${BACKUP} BackupVaultName (backup:CreateBackupVault.BackupVaultName)`);
  });

  test("length: a secret description over 2048 characters", () => {
    const secret = copyOf(SECRET);
    secret.inputs.description = "x".repeat(2049);
    const v = only(secret);
    expect(v).toMatchObject({ path: "description", kind: "length" });
    expect(v.source).toBe(`${SM} DescriptionType (secretsmanager:CreateSecret.Description)`);
  });

  test("enum: a parameter apply method RDS does not have", () => {
    const pg = copyOf(DB_PARAMS);
    pg.inputs.parameters[0].applyMethod = "later";
    const v = only(pg);
    expect(v).toMatchObject({ path: "parameters[0].applyMethod", kind: "enum", value: "later" });
    expect(v.source).toBe(`${RDS} ApplyMethod (rds:ModifyDBParameterGroup.Parameters[].ApplyMethod)`);
  });

  test("range: a key rotation period under KMS's 90 days", () => {
    const key = copyOf(KEY);
    key.inputs.rotationPeriodInDays = 30;
    const v = only(key);
    expect(v).toMatchObject({ path: "rotationPeriodInDays", kind: "range", value: "30", rule: "from 90 to 2560" });
    expect(v.source).toBe(`${KMS} RotationPeriodInDaysType (kms:EnableKeyRotation.RotationPeriodInDays)`);
  });

  test("prose character set: a secret name with #", () => {
    const secret = copyOf(SECRET);
    secret.inputs.name = "staging/shop/DB#1";
    const v = only(secret);
    expect(v).toMatchObject({ path: "name", kind: "prose", value: "staging/shop/DB#1" });
    expect(v.source).toBe(`${SM} NameType (secretsmanager:CreateSecret.Name): "The secret name can contain ASCII letters, numbers, and the following characters: /_+=.@-"`);
  });

  test("prose character set: a master password with @ is reported, its value masked", () => {
    const db = copyOf(DB);
    db.inputs.password = "correct-horse@battery-staple";
    const v = only(db);
    expect(v).toMatchObject({ path: "password", kind: "prose", value: "[secret]", rule: 'printable ASCII without / " @' });
    expect(v.source).toContain(`${RDS} SensitiveString (rds:CreateDBInstance.MasterUserPassword)`);
  });

  test("prose character set: a Redis AUTH token with _ (a special ElastiCache refuses)", () => {
    const cache = copyOf(CACHE);
    cache.inputs.authToken = "a".repeat(20) + "_" + "b".repeat(20);
    const v = only(cache);
    expect(v).toMatchObject({ path: "authToken", kind: "prose", value: "[secret]" });
    expect(v.source).toContain(`${ELASTICACHE} String (elasticache:CreateReplicationGroup.AuthToken): "The only permitted printable special characters are !, &, #, $, ^, <, >, and -."`);
  });

  test("prose: a secret name ending in a hyphen and six characters", () => {
    const secret = copyOf(SECRET);
    secret.inputs.name = "staging/shop/stripe-abcdef";
    expect(only(secret)).toMatchObject({ path: "name", kind: "prose", rule: "no hyphen followed by six characters at the end" });
  });

  test("cross: an RDS backup window that overlaps the maintenance window", () => {
    const db = copyOf(DB);
    expect(db.inputs.maintenanceWindow).toBe("sun:04:30-sun:05:30");
    db.inputs.backupWindow = "04:00-05:00";
    const v = only(db);
    expect(v).toMatchObject({ path: "backupWindow", kind: "cross", value: "04:00-05:00" });
    expect(v.source).toBe(`${RDS} String (rds:CreateDBInstance.PreferredBackupWindow): "Must not conflict with the preferred maintenance window."`);
  });

  test("cross: an ElastiCache snapshot window that overlaps the maintenance window", () => {
    const cache = copyOf(CACHE);
    cache.inputs.snapshotWindow = "05:00-06:00";
    const v = only(cache);
    expect(v).toMatchObject({ path: "snapshotWindow", kind: "cross" });
    expect(v.source).toContain(`${ELASTICACHE} String (elasticache:CreateReplicationGroup.SnapshotWindow)`);
  });

  test("cross: a static PostgreSQL parameter applied immediately", () => {
    const pg = copyOf(DB_PARAMS, (r) => r.inputs.parameters.some((p: any) => p.name === "max_connections"), "prod");
    const k = pg.inputs.parameters.findIndex((p: any) => p.name === "max_connections");
    pg.inputs.parameters[k].applyMethod = "immediate";
    const v = only(pg);
    expect(v).toMatchObject({ path: `parameters[${k}].applyMethod`, kind: "cross", value: "immediate" });
    expect(v.source).toBe(`${RDS} ParametersList (rds:ModifyDBParameterGroup.Parameters): "You can use the immediate value with dynamic parameters only."`);
  });

  test("cross: a PostgreSQL parameter value RDS does not allow", () => {
    const pg = copyOf(DB_PARAMS);
    const k = pg.inputs.parameters.findIndex((p: any) => p.name === "rds.force_ssl");
    pg.inputs.parameters[k].value = "on";
    expect(only(pg)).toMatchObject({ path: `parameters[${k}].value`, kind: "cross", value: "on" });
  });

  test("cross: a read replica given a final snapshot (AWS refuses it only at delete time)", () => {
    const replica = copyOf(DB, (r) => r.inputs.replicateSourceDb !== undefined, "prod");
    replica.inputs.finalSnapshotIdentifier = "prod-saas-platform-replica-final";
    replica.inputs.skipFinalSnapshot = false;
    const { violations } = runPreflight([replica]);
    expect(violations.map((v) => [v.path, v.kind])).toEqual([["skipFinalSnapshot", "cross"], ["finalSnapshotIdentifier", "cross"]]);
  });

  test("cross: a primary that neither skips nor names its final snapshot", () => {
    const db = copyOf(DB);
    db.inputs.skipFinalSnapshot = false;
    delete db.inputs.finalSnapshotIdentifier;
    expect(only(db)).toMatchObject({ path: "skipFinalSnapshot", kind: "cross", value: "false" });
  });

  test("cross: automatic failover with a single node", () => {
    const cache = copyOf(CACHE);
    cache.inputs.automaticFailoverEnabled = true;
    cache.inputs.numCacheClusters = 1;
    expect(only(cache)).toMatchObject({ path: "numCacheClusters", kind: "cross", value: "1" });
  });

  test("autoname: a replication group whose logical name plus Pulumi's suffix exceeds 40 characters", () => {
    const cache = copyOf(CACHE);
    delete cache.inputs.replicationGroupId;
    cache.name = "investment-platform-cache-redis-xyz"; // 35 characters, 43 with the suffix
    expect((cache.name + AUTONAME_SUFFIX).length).toBe(43);
    const v = only(cache);
    expect(v).toMatchObject({ path: "replicationGroupId", kind: "prose", value: cache.name + AUTONAME_SUFFIX, rule: "1 to 40 characters" });
    expect(v.source).toBe(`${ELASTICACHE} String (elasticache:CreateReplicationGroup.ReplicationGroupId): "A name must contain from 1 to 40 alphanumeric characters or hyphens."`);
    cache.name = "shop-cache-redis";
    expect(runPreflight([cache]).violations).toEqual([]);
  });

  test("windows: RDS wants ddd:hh24:mi-ddd:hh24:mi of at least 30 minutes", () => {
    const db = copyOf(DB);
    db.inputs.maintenanceWindow = "Sunday 04:30-05:30";
    expect(only(db)).toMatchObject({ path: "maintenanceWindow", kind: "prose", rule: expect.stringMatching(/^ddd:hh24:mi-ddd:hh24:mi/) });
    db.inputs.maintenanceWindow = "sun:04:30-sun:04:45";
    expect(only(db)).toMatchObject({ path: "maintenanceWindow", kind: "prose", rule: "a window of at least 30 minutes" });
  });

  test("windows: ElastiCache maintenance needs 60 minutes", () => {
    const cache = copyOf(CACHE);
    cache.inputs.maintenanceWindow = "sun:05:30-sun:06:00";
    const v = only(cache);
    expect(v).toMatchObject({ path: "maintenanceWindow", kind: "prose", rule: "a window of at least 60 minutes" });
    expect(v.source).toContain('"The minimum maintenance window is a 60 minute period."');
  });

  test("delete-time values: key deletion window, secret recovery window, final snapshot name", () => {
    const key = copyOf(KEY);
    key.inputs.deletionWindowInDays = 5; // the shape allows 1-365; the doc says 7-30
    expect(only(key)).toMatchObject({ path: "deletionWindowInDays", kind: "prose", rule: "a whole number from 7 to 30" });
    const secret = copyOf(SECRET);
    secret.inputs.recoveryWindowInDays = 3;
    expect(only(secret)).toMatchObject({ path: "recoveryWindowInDays", kind: "prose" });
    secret.inputs.recoveryWindowInDays = 0; // the provider sends ForceDeleteWithoutRecovery
    expect(runPreflight([secret]).violations).toEqual([]);
    const db = copyOf(DB, () => true, "prod");
    db.inputs.finalSnapshotIdentifier = "prod--final";
    const v = only(db);
    expect(v).toMatchObject({ path: "finalSnapshotIdentifier", kind: "prose", rule: "no two consecutive hyphens" });
    expect(v.source).toContain(`${RDS} String (rds:CreateDBSnapshot.DBSnapshotIdentifier)`);
  });

  test("backup schedule: a cron with both day fields set", () => {
    const plan = copyOf(PLAN);
    plan.inputs.rules[0].schedule = "cron(0 3 * * SUN *)";
    const v = only(plan);
    expect(v).toMatchObject({ path: "rules[0].schedule", kind: "prose" });
    expect(v.source).toContain(`${BACKUP} CronExpression (backup:CreateBackupPlan.BackupPlan.Rules[].ScheduleExpression)`);
  });

  test("backup windows and lifecycle: start window under 60 minutes, cold storage too close to deletion", () => {
    const plan = copyOf(PLAN);
    plan.inputs.rules[0].startWindow = 30;
    expect(only(plan)).toMatchObject({ path: "rules[0].startWindow", kind: "prose", rule: "at least 60 minutes" });
    plan.inputs.rules[0].startWindow = 60;
    plan.inputs.rules[0].lifecycle = { coldStorageAfter: 30, deleteAfter: 35 };
    expect(only(plan)).toMatchObject({ path: "rules[0].lifecycle.deleteAfter", kind: "cross", value: "35" });
  });

  test("KMS alias: the reserved alias/aws/ prefix, and a name without alias/", () => {
    const alias = copyOf(ALIAS);
    alias.inputs.targetKeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
    alias.inputs.name = "alias/aws/webapp";
    expect(only(alias)).toMatchObject({ path: "name", kind: "prose", rule: "no alias/aws/ prefix" });
    alias.inputs.name = "webapp-platform";
    expect(only(alias)).toMatchObject({ path: "name", kind: "prose", rule: "alias/ followed by a name" });
  });

  test("random provider: a password of length 0, citing the provider's docs", () => {
    const pw = copyOf(PASSWORD);
    pw.inputs.length = 0;
    const v = only(pw);
    expect(v).toMatchObject({ path: "length", kind: "prose", rule: "a whole number >= 1" });
    expect(v.source).toMatch(/^@pulumi\/random RandomPasswordArgs .*: "The minimum value for length is 1"$/);
  });
});

describe("window and schedule helpers", () => {
  test("windows parse, wrap past midnight and the week's end", () => {
    expect(dailyWindow("23:30-00:30")).toEqual({ start: 1410, minutes: 60 });
    expect(weeklyWindow("sat:23:30-sun:00:30")).toEqual({ start: 6 * 1440 + 1410, minutes: 60 });
    expect(dailyWindow("24:00-01:00")).toBeUndefined();
    expect(weeklyWindow("sun:4:30-sun:05:30")).toBeUndefined();
  });

  test("a daily window meets a weekly one on any day, across midnight", () => {
    const mon = weeklyWindow("mon:00:00-mon:01:00")!;
    expect(dailyOverlapsWeekly(dailyWindow("23:30-00:30")!, mon)).toBe(true);
    expect(dailyOverlapsWeekly(dailyWindow("01:00-02:00")!, mon)).toBe(false); // ends where the other starts: no shared minute
    expect(dailyOverlapsWeekly(dailyWindow("00:30-00:45")!, weeklyWindow("sat:23:00-sun:01:00")!)).toBe(true);
  });

  test("AWS Backup cron expressions", () => {
    for (const ok of ["cron(0 3 * * ? *)", "cron(0 3 ? * SUN *)", "cron(15 * ? * * *)", "cron(0 5 ? * MON-FRI *)", "cron(0 0 L * ? *)", "cron(0 12 ? * 6#3 *)", "cron(0 */4 * * ? 2030)"]) {
      expect([ok, isAwsCron(ok)]).toEqual([ok, true]);
    }
    for (const bad of ["0 3 * * ? *", "cron(0 3 * * *)", "cron(0 3 ? * ? *)", "cron(0 3 * * SUN *)", "cron(60 3 * * ? *)", "cron(0 24 * * ? *)", "cron(0 3 * 13 ? *)", "rate(1 day)"]) {
      expect([bad, isAwsCron(bad)]).toEqual([bad, false]);
    }
  });
});
