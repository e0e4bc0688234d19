/**
 * RDS, ElastiCache, AWS Backup, KMS, Secrets Manager and the random provider.
 *
 * Several of these inputs reach AWS only when the resource is deleted (final snapshot
 * identifiers, the key's pending-deletion window, the secret's recovery window): AWS checks
 * them then, when it is too late to fix the program, so they are mapped to the Delete*
 * member that receives them.
 */
import { CrossRule, Field, FieldTable, ProseRule, charset, hyphenatedIdentifier, intRange, lengthBetween, matches, maxLength, notMatches, oneOf } from "../rules";
import { tagFields } from "./common";

// ---------------------------------------------------------------------------------------
// Windows: RDS and ElastiCache take a daily window "hh24:mi-hh24:mi" and a weekly one
// "ddd:hh24:mi-ddd:hh24:mi", both in UTC; a window may wrap past midnight / the week's end.

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY_MINUTES = 24 * 60;
const WEEK_MINUTES = 7 * DAY_MINUTES;

interface Window { start: number; minutes: number }

/** "hh24:mi-hh24:mi" as minutes after midnight and a length (0 when start = end). */
export function dailyWindow(v: string): Window | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return { start, minutes: (end - start + DAY_MINUTES) % DAY_MINUTES };
}

/** "ddd:hh24:mi-ddd:hh24:mi" as minutes after Sunday 00:00 and a length. */
export function weeklyWindow(v: string): Window | undefined {
  const m = /^(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)-(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)$/i.exec(v);
  if (!m) return undefined;
  const at = (d: string, h: string, mi: string) => DAY_NAMES.indexOf(d.toLowerCase()) * DAY_MINUTES + Number(h) * 60 + Number(mi);
  const start = at(m[1], m[2], m[3]);
  const end = at(m[4], m[5], m[6]);
  return { start, minutes: (end - start + WEEK_MINUTES) % WEEK_MINUTES };
}

/** True when a daily window, on any day, shares a minute with a weekly one. */
export function dailyOverlapsWeekly(daily: Window, weekly: Window): boolean {
  const mod = (x: number) => ((x % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
  for (let day = 0; day < 7; day++) {
    const a = day * DAY_MINUTES + daily.start;
    if (mod(weekly.start - a) < daily.minutes || mod(a - weekly.start) < weekly.minutes) return true;
  }
  return false;
}

/** The window's format; its length is the business of minutesAtLeast. */
function dailyFormat(quote: string): ProseRule {
  return { quote, allows: "hh24:mi-hh24:mi (UTC)", ok: (v) => dailyWindow(v) !== undefined };
}

function weeklyFormat(quote: string): ProseRule {
  return { quote, allows: `ddd:hh24:mi-ddd:hh24:mi (UTC, ddd one of ${DAY_NAMES.join(" ")})`, ok: (v) => weeklyWindow(v) !== undefined };
}

/** A window at least `min` minutes long (a value in the wrong format is left to the format rule). */
function minutesAtLeast(quote: string, parse: (v: string) => Window | undefined, min: number): ProseRule {
  return { quote, allows: `a window of at least ${min} minutes`, ok: (v) => { const w = parse(v); return !w || w.minutes >= min; } };
}

/** A cross rule: the daily window `dailyPath` must not meet the weekly window `weeklyPath`. */
function windowsApart(api: string, quote: string, dailyPath: string, weeklyPath: string, allows: string): CrossRule {
  return {
    api, quote, allows,
    check: (i) => {
      const d = typeof i[dailyPath] === "string" ? dailyWindow(i[dailyPath]) : undefined;
      const w = typeof i[weeklyPath] === "string" ? weeklyWindow(i[weeklyPath]) : undefined;
      return d && w && dailyOverlapsWeekly(d, w) ? { path: dailyPath, value: i[dailyPath] } : undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------
// AWS Backup schedules: EventBridge-style cron(minutes hours day-of-month month day-of-week year).

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function cronField(field: string, lo: number, hi: number, names: string[] = [], extra: RegExp[] = []): boolean {
  const value = (t: string) => {
    const byName = names.indexOf(t.toUpperCase());
    const n = byName >= 0 ? byName + lo : /^\d+$/.test(t) ? Number(t) : NaN;
    return n >= lo && n <= hi;
  };
  return field.split(",").every((item) => {
    if (extra.some((re) => re.test(item))) return true;
    const m = /^(\*|[^-/]+(?:-[^-/]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) return false;
    if (m[2] !== undefined && Number(m[2]) < 1) return false;
    return m[1] === "*" || m[1].split("-").every(value);
  });
}

/** True for cron(...) with six fields, each in range, and exactly one of the day fields "?". */
export function isAwsCron(v: string): boolean {
  const m = /^cron\((.*)\)$/.exec(v);
  if (!m) return false;
  const f = m[1].trim().split(/\s+/);
  if (f.length !== 6) return false;
  const [minutes, hours, dom, month, dow, year] = f;
  if ((dom === "?") === (dow === "?")) return false;
  return cronField(minutes, 0, 59)
    && cronField(hours, 0, 23)
    && (dom === "?" || cronField(dom, 1, 31, [], [/^L$/, /^LW$/, /^([1-9]|[12]\d|3[01])W$/]))
    && cronField(month, 1, 12, MONTHS)
    && (dow === "?" || cronField(dow, 1, 7, WEEKDAYS, [/^L$/, /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)L$/i, /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)#[1-5]$/i]))
    && cronField(year, 1970, 2199);
}

// ---------------------------------------------------------------------------------------
// RDS

/** RDS documents its tag rules in prose on every Tag.Key / Tag.Value (the shapes are plain strings). */
function rdsTags(op: string): Record<string, Field> {
  const chars = (quote: string) => matches(quote, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, "Unicode letters, digits, white space and _ . : / = + - @");
  const prefix = "can't be prefixed with aws: or rds:";
  return {
    "tags{}": {
      api: `${op}.Tags[].Key`,
      prose: [
        lengthBetween("The string value can be from 1 to 128 Unicode characters in length", 1, 128),
        notMatches(prefix, /^(aws|rds):/i, "no aws: or rds: prefix"),
        chars("The string can only contain only the set of Unicode letters, digits, white-space, '_', '.', ':', '/', '=', '+', '-', '@'"),
      ],
    },
    "tags.*": {
      api: `${op}.Tags[].Value`,
      prose: [
        // The doc says "from 1 to 256"; its Tag.Value is "the optional value", so only the maximum is enforced.
        maxLength("The string value can be from 1 to 256 Unicode characters in length", 256),
        notMatches(prefix, /^(aws|rds):/i, "no aws: or rds: prefix"),
        chars("The string can only contain only the set of Unicode letters, digits, white-space, '_', '.', ':', '/', '=', '+', '-', '@'"),
      ],
    },
  };
}

const DB_IDENTIFIER: ProseRule[] = [
  charset("Must contain from 1 to 63 letters, numbers, or hyphens.", "a-zA-Z0-9-", "letters, digits and hyphens"),
  lengthBetween("Must contain from 1 to 63 letters, numbers, or hyphens.", 1, 63),
  ...hyphenatedIdentifier({ first: "First character must be a letter.", consecutive: "Can't end with a hyphen or contain two consecutive hyphens.", trailing: "Can't end with a hyphen or contain two consecutive hyphens." }),
];

/** CreateDBParameterGroup writes "First character must be a letter" without a full stop. */
function parameterGroupName(quotes: { chars: string; first: string; rest: string }): ProseRule[] {
  return [
    charset(quotes.chars, "a-zA-Z0-9-", "letters, digits and hyphens"),
    lengthBetween(quotes.chars, 1, 255),
    ...hyphenatedIdentifier({ first: quotes.first, consecutive: quotes.rest, trailing: quotes.rest }),
  ];
}

/** PostgreSQL parameters of the "postmaster" context: they change only at a restart, so never "immediate". */
const POSTGRES_STATIC_PARAMETERS = new Set([
  "max_connections", "shared_buffers", "shared_preload_libraries", "max_worker_processes", "max_wal_senders",
  "max_replication_slots", "max_locks_per_transaction", "max_pred_locks_per_transaction", "max_prepared_transactions",
  "max_logical_replication_workers", "autovacuum_max_workers", "huge_pages", "track_activity_query_size",
  "wal_buffers", "wal_level", "rds.logical_replication", "track_commit_timestamp", "superuser_reserved_connections",
  "max_files_per_process", "old_snapshot_threshold", "wal_log_hints", "track_io_timing_startup",
]);

/**
 * Allowed values of the PostgreSQL parameters the platform sets, as RDS lists them
 * (DescribeEngineDefaultParameters AllowedValues for postgres16): booleans "0,1", ranges "lo-hi".
 */
const POSTGRES_PARAMETER_VALUES: Record<string, (v: string) => boolean> = {
  "rds.force_ssl": (v) => v === "0" || v === "1",
  log_connections: (v) => v === "0" || v === "1",
  log_disconnections: (v) => v === "0" || v === "1",
  log_lock_waits: (v) => v === "0" || v === "1",
  log_min_duration_statement: (v) => /^-?\d+$/.test(v) && Number(v) >= -1 && Number(v) <= 2147483647,
  max_connections: (v) => /^\d+$/.test(v) && Number(v) >= 6 && Number(v) <= 8388607,
};

const RDS_ENGINES = [
  "aurora-mysql", "aurora-postgresql", "custom-oracle-ee", "custom-oracle-ee-cdb", "custom-oracle-se2", "custom-oracle-se2-cdb",
  "custom-sqlserver-ee", "custom-sqlserver-se", "custom-sqlserver-web", "custom-sqlserver-dev",
  "db2-ae", "db2-ce", "db2-se", "mariadb", "mysql", "oracle-ee", "oracle-ee-cdb", "oracle-se2", "oracle-se2-cdb", "postgres",
  "sqlserver-dev-ee", "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web",
];

const DB_INSTANCE = "aws:rds/instance:Instance";
const isPostgres = (i: Record<string, any>) => i.engine === "postgres";
const isReplica = (i: Record<string, any>) => i.replicateSourceDb !== undefined;

const RDS_INSTANCE_CROSS: CrossRule[] = [
  windowsApart(
    "CreateDBInstance.PreferredBackupWindow", "Must not conflict with the preferred maintenance window.", "backupWindow", "maintenanceWindow",
    "a daily backup window that shares no minute with the weekly maintenance window",
  ),
  {
    api: "CreateDBInstance.MonitoringInterval",
    quote: "If MonitoringRoleArn is specified, then you must set MonitoringInterval to a value other than 0 .",
    allows: "a monitoring interval above 0 when a monitoring role is given",
    check: (i) => (i.monitoringRoleArn !== undefined && !(Number(i.monitoringInterval) > 0) ? { path: "monitoringInterval", value: i.monitoringInterval ?? 0 } : undefined),
  },
  {
    api: "CreateDBInstance.MonitoringRoleArn",
    quote: "If MonitoringInterval is set to a value other than 0 , then you must supply a MonitoringRoleArn value.",
    allows: "a monitoring role whenever the monitoring interval is above 0",
    check: (i) => (Number(i.monitoringInterval) > 0 && i.monitoringRoleArn === undefined ? { path: "monitoringInterval", value: i.monitoringInterval } : undefined),
  },
  {
    // The provider sends SkipFinalSnapshot (default false) and, only when it is false, the identifier.
    api: "DeleteDBInstance.SkipFinalSnapshot",
    quote: "If you don't enable this parameter, you must specify the FinalDBSnapshotIdentifier parameter.",
    allows: "a finalSnapshotIdentifier unless skipFinalSnapshot is true",
    check: (i) => (i.skipFinalSnapshot !== true && !isReplica(i) && !i.finalSnapshotIdentifier ? { path: "skipFinalSnapshot", value: i.skipFinalSnapshot ?? false } : undefined),
  },
  {
    api: "DeleteDBInstance.SkipFinalSnapshot",
    quote: "If you delete a read replica or an RDS Custom instance, you must enable this setting.",
    allows: "skipFinalSnapshot true on a read replica",
    check: (i) => (isReplica(i) && i.skipFinalSnapshot !== true ? { path: "skipFinalSnapshot", value: i.skipFinalSnapshot ?? false } : undefined),
  },
  {
    api: "DeleteDBInstance.FinalDBSnapshotIdentifier",
    quote: "Can't be specified when deleting a read replica.",
    allows: "no finalSnapshotIdentifier on a read replica",
    check: (i) => (isReplica(i) && i.finalSnapshotIdentifier ? { path: "finalSnapshotIdentifier", value: i.finalSnapshotIdentifier } : undefined),
  },
  {
    api: "CreateDBInstance.MasterUserPassword",
    quote: "RDS for PostgreSQL - Must contain from 8 to 128 characters.",
    allows: "a PostgreSQL master password of 8 to 128 characters",
    // The value is a secret: report the path only.
    check: (i) => (isPostgres(i) && typeof i.password === "string" && ([...i.password].length < 8 || [...i.password].length > 128) ? { path: "password", value: "[secret]" } : undefined),
  },
  {
    api: "CreateDBInstance.DBName",
    quote: "Constraints: Must contain 1 to 63 letters, numbers, or underscores.",
    allows: "a PostgreSQL database name of 1 to 63 characters",
    check: (i) => (isPostgres(i) && typeof i.dbName === "string" && (i.dbName.length < 1 || i.dbName.length > 63) ? { path: "dbName", value: i.dbName } : undefined),
  },
  {
    api: "CreateDBInstance.AllocatedStorage",
    quote: "RDS for PostgreSQL Constraints to the amount of storage for each storage type are the following: General Purpose (SSD) storage (gp2, gp3): Must be an integer from 20 to 65536.",
    allows: "20 to 65536 GiB of gp2/gp3 storage for PostgreSQL",
    check: (i) => (isPostgres(i) && ["gp2", "gp3"].includes(i.storageType ?? "gp3") && i.allocatedStorage !== undefined && (i.allocatedStorage < 20 || i.allocatedStorage > 65536)
      ? { path: "allocatedStorage", value: i.allocatedStorage } : undefined),
  },
  {
    api: "CreateDBInstance.EnableCloudwatchLogsExports[]",
    quote: "RDS for PostgreSQL - postgresql | upgrade | iam-db-auth-error",
    allows: "PostgreSQL log exports postgresql, upgrade, iam-db-auth-error",
    check: (i) => {
      if (!isPostgres(i)) return undefined;
      const k = (i.enabledCloudwatchLogsExports ?? []).findIndex((e: string) => !["postgresql", "upgrade", "iam-db-auth-error"].includes(e));
      return k >= 0 ? { path: `enabledCloudwatchLogsExports[${k}]`, value: i.enabledCloudwatchLogsExports[k] } : undefined;
    },
  },
];

const RDS: FieldTable = {
  [DB_INSTANCE]: {
    model: "rds",
    autoname: "identifier",
    fields: {
      identifier: { api: "CreateDBInstance.DBInstanceIdentifier", prose: DB_IDENTIFIER },
      engine: { api: "CreateDBInstance.Engine", prose: [oneOf("db2-ae db2-ce db2-se mariadb mysql oracle-ee oracle-ee-cdb oracle-se2 oracle-se2-cdb postgres sqlserver-dev-ee sqlserver-ee sqlserver-se sqlserver-ex sqlserver-web", RDS_ENGINES)] },
      engineVersion: "CreateDBInstance.EngineVersion",
      instanceClass: "CreateDBInstance.DBInstanceClass",
      allocatedStorage: "CreateDBInstance.AllocatedStorage",
      maxAllocatedStorage: "CreateDBInstance.MaxAllocatedStorage",
      storageType: { api: "CreateDBInstance.StorageType", prose: [oneOf("Valid Values: gp2 | gp3 | io1 | io2 | standard", ["gp2", "gp3", "io1", "io2", "standard"])] },
      storageEncrypted: "CreateDBInstance.StorageEncrypted",
      kmsKeyId: "CreateDBInstance.KmsKeyId",
      dbName: {
        api: "CreateDBInstance.DBName",
        prose: [
          matches("Must begin with a letter.", /^[A-Za-z]/, "a letter first"),
          charset("Subsequent characters can be letters, underscores, or digits (0-9).", "A-Za-z0-9_", "letters, digits and _"),
        ],
      },
      username: {
        api: "CreateDBInstance.MasterUsername",
        prose: [
          charset("Must be 1 to 16 letters, numbers, or underscores.", "A-Za-z0-9_", "letters, digits and _"),
          lengthBetween("Must be 1 to 16 letters, numbers, or underscores.", 1, 16),
          matches("First character must be a letter.", /^[A-Za-z]/, "a letter first"),
        ],
      },
      password: {
        api: "CreateDBInstance.MasterUserPassword",
        prose: [{
          quote: 'Can include any printable ASCII character except "/", """, or "@".',
          allows: 'printable ASCII without / " @',
          ok: (v) => /^[\x20-\x7e]*$/.test(v) && !/[/"@]/.test(v),
        }],
      },
      port: { api: "CreateDBInstance.Port", prose: [intRange("Valid Values: 1150-65535", 1150, 65535)] },
      multiAz: "CreateDBInstance.MultiAZ",
      publiclyAccessible: "CreateDBInstance.PubliclyAccessible",
      dbSubnetGroupName: "CreateDBInstance.DBSubnetGroupName",
      "vpcSecurityGroupIds[]": "CreateDBInstance.VpcSecurityGroupIds[]",
      parameterGroupName: {
        api: "CreateDBInstance.DBParameterGroupName",
        prose: parameterGroupName({ chars: "Must be 1 to 255 letters, numbers, or hyphens.", first: "The first character must be a letter.", rest: "Can't end with a hyphen or contain two consecutive hyphens." }),
      },
      caCertIdentifier: "CreateDBInstance.CACertificateIdentifier",
      iamDatabaseAuthenticationEnabled: "CreateDBInstance.EnableIAMDatabaseAuthentication",
      autoMinorVersionUpgrade: "CreateDBInstance.AutoMinorVersionUpgrade",
      maintenanceWindow: {
        api: "CreateDBInstance.PreferredMaintenanceWindow",
        prose: [weeklyFormat("Must be in the format ddd:hh24:mi-ddd:hh24:mi ."), minutesAtLeast("Must be at least 30 minutes.", weeklyWindow, 30)],
      },
      backupRetentionPeriod: { api: "CreateDBInstance.BackupRetentionPeriod", prose: [intRange("Must be a value from 0 to 35.", 0, 35)] },
      backupWindow: {
        api: "CreateDBInstance.PreferredBackupWindow",
        prose: [dailyFormat("Must be in the format hh24:mi-hh24:mi ."), minutesAtLeast("Must be at least 30 minutes.", dailyWindow, 30)],
      },
      "enabledCloudwatchLogsExports[]": "CreateDBInstance.EnableCloudwatchLogsExports[]",
      performanceInsightsEnabled: "CreateDBInstance.EnablePerformanceInsights",
      performanceInsightsKmsKeyId: "CreateDBInstance.PerformanceInsightsKMSKeyId",
      performanceInsightsRetentionPeriod: {
        api: "CreateDBInstance.PerformanceInsightsRetentionPeriod",
        prose: [{
          quote: "Valid Values: 7 month * 31, where month is a number of months from 1-23. Examples: 93 (3 months * 31), 341 (11 months * 31), 589 (19 months * 31) 731",
          allows: "7, 31 x 1-23 months, or 731 days",
          ok: (v) => /^\d+$/.test(v) && (Number(v) === 7 || Number(v) === 731 || (Number(v) % 31 === 0 && Number(v) / 31 >= 1 && Number(v) / 31 <= 23)),
        }],
      },
      monitoringInterval: { api: "CreateDBInstance.MonitoringInterval", prose: [oneOf("Valid Values: 0 | 1 | 5 | 10 | 15 | 30 | 60", ["0", "1", "5", "10", "15", "30", "60"])] },
      monitoringRoleArn: "CreateDBInstance.MonitoringRoleArn",
      deletionProtection: "CreateDBInstance.DeletionProtection",
      copyTagsToSnapshot: "CreateDBInstance.CopyTagsToSnapshot",
      applyImmediately: "ModifyDBInstance.ApplyImmediately",
      replicateSourceDb: {
        api: "CreateDBInstanceReadReplica.SourceDBInstanceIdentifier",
        // An identifier in the same Region; the provider passes an ARN as given (required here with an explicit subnet group).
        prose: [matches(
          "Must be the identifier of an existing Db2, MariaDB, MySQL, Oracle, PostgreSQL, or SQL Server DB instance.",
          /^([A-Za-z][A-Za-z0-9-]{0,62}|arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:[A-Za-z][A-Za-z0-9-]{0,62})$/,
          "a DB instance identifier or DB instance ARN",
        )],
      },
      skipFinalSnapshot: "DeleteDBInstance.SkipFinalSnapshot",
      finalSnapshotIdentifier: {
        api: "DeleteDBInstance.FinalDBSnapshotIdentifier",
        // Its own doc says "1 to 255 letters or numbers" and then forbids a trailing hyphen: the
        // identifier of the DB snapshot it creates follows CreateDBSnapshot's rules.
        proseFrom: "CreateDBSnapshot.DBSnapshotIdentifier",
        prose: [
          charset("Must contain from 1 to 255 letters, numbers, or hyphens", "a-zA-Z0-9-", "letters, digits and hyphens"),
          lengthBetween("Must contain from 1 to 255 letters, numbers, or hyphens", 1, 255),
          ...hyphenatedIdentifier({ first: "First character must be a letter", consecutive: "Can't end with a hyphen or contain two consecutive hyphens", trailing: "Can't end with a hyphen or contain two consecutive hyphens" }),
        ],
      },
      deleteAutomatedBackups: "DeleteDBInstance.DeleteAutomatedBackups",
      ...rdsTags("CreateDBInstance"),
    },
    cross: RDS_INSTANCE_CROSS,
  },
  "aws:rds/parameterGroup:ParameterGroup": {
    model: "rds",
    autoname: "name",
    fields: {
      name: {
        api: "CreateDBParameterGroup.DBParameterGroupName",
        prose: parameterGroupName({ chars: "Must be 1 to 255 letters, numbers, or hyphens.", first: "First character must be a letter", rest: "Can't end with a hyphen or contain two consecutive hyphens" }),
      },
      family: "CreateDBParameterGroup.DBParameterGroupFamily",
      description: "CreateDBParameterGroup.Description",
      "parameters[].name": "ModifyDBParameterGroup.Parameters[].ParameterName",
      "parameters[].value": "ModifyDBParameterGroup.Parameters[].ParameterValue",
      "parameters[].applyMethod": "ModifyDBParameterGroup.Parameters[].ApplyMethod",
      ...rdsTags("CreateDBParameterGroup"),
    },
    cross: [{
      api: "ModifyDBParameterGroup.Parameters",
      quote: "You can use the immediate value with dynamic parameters only.",
      allows: "pending-reboot for static PostgreSQL parameters (context postmaster)",
      check: (i) => {
        if (typeof i.family !== "string" || !i.family.startsWith("postgres")) return undefined;
        // The provider's default apply method is "immediate".
        const k = (i.parameters ?? []).findIndex((p: any) => POSTGRES_STATIC_PARAMETERS.has(p.name) && (p.applyMethod ?? "immediate") === "immediate");
        return k >= 0 ? { path: `parameters[${k}].applyMethod`, value: i.parameters[k].applyMethod ?? "immediate" } : undefined;
      },
    }, {
      api: "ModifyDBParameterGroup.Parameters[].ParameterValue",
      quote: "The value of the parameter.",
      allows: "a value the parameter allows (rds.force_ssl and log_* switches 0 or 1, log_min_duration_statement -1 to 2147483647 ms, max_connections 6 to 8388607)",
      check: (i) => {
        if (typeof i.family !== "string" || !i.family.startsWith("postgres")) return undefined;
        const k = (i.parameters ?? []).findIndex((p: any) => POSTGRES_PARAMETER_VALUES[p.name] !== undefined && !POSTGRES_PARAMETER_VALUES[p.name](String(p.value)));
        return k >= 0 ? { path: `parameters[${k}].value`, value: i.parameters[k].value } : undefined;
      },
    }],
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    model: "rds",
    autoname: "name",
    fields: {
      name: {
        api: "CreateDBSubnetGroup.DBSubnetGroupName",
        prose: [
          charset("Must contain no more than 255 letters, numbers, periods, underscores, spaces, or hyphens.", "a-zA-Z0-9._ -", "letters, digits, periods, underscores, spaces and hyphens"),
          maxLength("Must contain no more than 255 letters, numbers, periods, underscores, spaces, or hyphens.", 255),
          notMatches("Must not be default.", /^default$/i, 'not "default"'),
          matches("First character must be a letter.", /^[A-Za-z]/, "a letter first"),
        ],
      },
      description: "CreateDBSubnetGroup.DBSubnetGroupDescription",
      "subnetIds[]": "CreateDBSubnetGroup.SubnetIds[]",
      ...rdsTags("CreateDBSubnetGroup"),
    },
  },
};

// ---------------------------------------------------------------------------------------
// ElastiCache

const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

const ELASTICACHE: FieldTable = {
  [REPLICATION_GROUP]: {
    model: "elasticache",
    autoname: "replicationGroupId",
    fields: {
      replicationGroupId: {
        api: "CreateReplicationGroup.ReplicationGroupId",
        prose: [
          charset("A name must contain from 1 to 40 alphanumeric characters or hyphens.", "a-zA-Z0-9-", "letters, digits and hyphens"),
          lengthBetween("A name must contain from 1 to 40 alphanumeric characters or hyphens.", 1, 40),
          ...hyphenatedIdentifier({ first: "The first character must be a letter.", consecutive: "A name cannot end with a hyphen or contain two consecutive hyphens.", trailing: "A name cannot end with a hyphen or contain two consecutive hyphens." }),
        ],
      },
      description: "CreateReplicationGroup.ReplicationGroupDescription",
      engine: { api: "CreateReplicationGroup.Engine", prose: [oneOf("The value must be set to valkey or redis .", ["valkey", "redis"])] },
      engineVersion: "CreateReplicationGroup.EngineVersion",
      nodeType: {
        api: "CreateReplicationGroup.CacheNodeType",
        prose: [notMatches(
          "Previous generation: (not recommended. Existing clusters are still supported but creation of new clusters is not supported for these types.)",
          /^cache\.(t1|m1|m2|m3|c1|r3)\./, "a current-generation node type (not t1, m1, m2, m3, c1, r3)",
        )],
      },
      numCacheClusters: { api: "CreateReplicationGroup.NumCacheClusters", prose: [intRange("The maximum permitted value for NumCacheClusters is 6 (1 primary plus 5 replicas).", 1, 6)] },
      automaticFailoverEnabled: "CreateReplicationGroup.AutomaticFailoverEnabled",
      multiAzEnabled: "CreateReplicationGroup.MultiAZEnabled",
      port: "CreateReplicationGroup.Port",
      parameterGroupName: "CreateReplicationGroup.CacheParameterGroupName",
      subnetGroupName: "CreateReplicationGroup.CacheSubnetGroupName",
      "securityGroupIds[]": "CreateReplicationGroup.SecurityGroupIds[]",
      atRestEncryptionEnabled: "CreateReplicationGroup.AtRestEncryptionEnabled",
      kmsKeyId: "CreateReplicationGroup.KmsKeyId",
      transitEncryptionEnabled: "CreateReplicationGroup.TransitEncryptionEnabled",
      transitEncryptionMode: "CreateReplicationGroup.TransitEncryptionMode",
      authToken: {
        api: "CreateReplicationGroup.AuthToken",
        prose: [
          charset("Must be only printable ASCII characters.", "\\x20-\\x7e", "printable ASCII"),
          lengthBetween("Must be at least 16 characters and no more than 128 characters in length.", 16, 128),
          charset("The only permitted printable special characters are !, &, #, $, ^, <, >, and -.", "A-Za-z0-9!&#$^<>\\-", "letters, digits and ! & # $ ^ < > -"),
        ],
      },
      autoMinorVersionUpgrade: "CreateReplicationGroup.AutoMinorVersionUpgrade",
      maintenanceWindow: {
        api: "CreateReplicationGroup.PreferredMaintenanceWindow",
        prose: [
          weeklyFormat("It is specified as a range in the format ddd:hh24:mi-ddd:hh24:mi (24H Clock UTC)."),
          minutesAtLeast("The minimum maintenance window is a 60 minute period.", weeklyWindow, 60),
        ],
      },
      snapshotRetentionLimit: "CreateReplicationGroup.SnapshotRetentionLimit",
      snapshotWindow: {
        api: "CreateReplicationGroup.SnapshotWindow",
        prose: [dailyFormat("Example: 05:00-09:00")],
      },
      finalSnapshotIdentifier: "DeleteReplicationGroup.FinalSnapshotIdentifier",
      notificationTopicArn: "CreateReplicationGroup.NotificationTopicArn",
      applyImmediately: "ModifyReplicationGroup.ApplyImmediately",
      // The provider sends destination as the log group (cloudwatch-logs) or the delivery stream (kinesis-firehose).
      "logDeliveryConfigurations[].destination": "CreateReplicationGroup.LogDeliveryConfigurations[].DestinationDetails.CloudWatchLogsDetails.LogGroup",
      "logDeliveryConfigurations[].destinationType": "CreateReplicationGroup.LogDeliveryConfigurations[].DestinationType",
      "logDeliveryConfigurations[].logFormat": "CreateReplicationGroup.LogDeliveryConfigurations[].LogFormat",
      "logDeliveryConfigurations[].logType": "CreateReplicationGroup.LogDeliveryConfigurations[].LogType",
      ...tagFields("CreateReplicationGroup.Tags[].Key", "CreateReplicationGroup.Tags[].Value"),
    },
    cross: [
      {
        api: "CreateReplicationGroup.NumCacheClusters",
        quote: "If AutomaticFailoverEnabled is true , the value of this parameter must be at least 2.",
        allows: "at least 2 cache clusters with automatic failover",
        check: (i) => (i.automaticFailoverEnabled === true && i.numCacheClusters !== undefined && i.numCacheClusters < 2 ? { path: "numCacheClusters", value: i.numCacheClusters } : undefined),
      },
      {
        api: "CreateReplicationGroup.AuthToken",
        quote: "AuthToken can be specified only on replication groups where TransitEncryptionEnabled is true .",
        allows: "an AUTH token only with transitEncryptionEnabled true",
        check: (i) => (i.authToken !== undefined && i.transitEncryptionEnabled !== true ? { path: "transitEncryptionEnabled", value: i.transitEncryptionEnabled ?? false } : undefined),
      },
      // The models state no overlap rule for ElastiCache; the API refuses a snapshot window that
      // overlaps the maintenance window (InvalidParameterCombination) at create time.
      windowsApart(
        "CreateReplicationGroup.SnapshotWindow",
        "The daily time range (in UTC) during which ElastiCache begins taking a daily snapshot of your node group (shard).",
        "snapshotWindow", "maintenanceWindow",
        "a daily snapshot window that shares no minute with the weekly maintenance window (ElastiCache refuses overlapping windows)",
      ),
    ],
  },
  "aws:elasticache/parameterGroup:ParameterGroup": {
    model: "elasticache",
    autoname: "name",
    fields: {
      name: "CreateCacheParameterGroup.CacheParameterGroupName",
      family: {
        api: "CreateCacheParameterGroup.CacheParameterGroupFamily",
        prose: [oneOf(
          "Valid values are: valkey8 | valkey7 | memcached1.4 | memcached1.5 | memcached1.6 | redis2.6 | redis2.8 | redis3.2 | redis4.0 | redis5.0 | redis6.x | redis7",
          ["valkey8", "valkey7", "memcached1.4", "memcached1.5", "memcached1.6", "redis2.6", "redis2.8", "redis3.2", "redis4.0", "redis5.0", "redis6.x", "redis7"],
        )],
      },
      description: "CreateCacheParameterGroup.Description",
      "parameters[].name": "ModifyCacheParameterGroup.ParameterNameValues[].ParameterName",
      "parameters[].value": "ModifyCacheParameterGroup.ParameterNameValues[].ParameterValue",
      ...tagFields("CreateCacheParameterGroup.Tags[].Key", "CreateCacheParameterGroup.Tags[].Value"),
    },
  },
  "aws:elasticache/subnetGroup:SubnetGroup": {
    model: "elasticache",
    autoname: "name",
    fields: {
      name: {
        api: "CreateCacheSubnetGroup.CacheSubnetGroupName",
        prose: [
          charset("Must contain no more than 255 alphanumeric characters or hyphens.", "a-zA-Z0-9-", "letters, digits and hyphens"),
          maxLength("Must contain no more than 255 alphanumeric characters or hyphens.", 255),
        ],
      },
      description: "CreateCacheSubnetGroup.CacheSubnetGroupDescription",
      "subnetIds[]": "CreateCacheSubnetGroup.SubnetIds[]",
      ...tagFields("CreateCacheSubnetGroup.Tags[].Key", "CreateCacheSubnetGroup.Tags[].Value"),
    },
  },
};

// ---------------------------------------------------------------------------------------
// AWS Backup

const BACKUP_NAME = (quote: string) => [
  charset(quote, "a-zA-Z0-9_.\\-", "letters, digits and - _ ."),
  lengthBetween(quote, 1, 50),
];

const BACKUP: FieldTable = {
  "aws:backup/vault:Vault": {
    model: "backup",
    autoname: "name",
    fields: {
      name: "CreateBackupVault.BackupVaultName",
      kmsKeyArn: "CreateBackupVault.EncryptionKeyArn",
      forceDestroy: { local: "Pulumi-only switch: the provider deletes the vault's recovery points itself before DeleteBackupVault; AWS never receives it" },
      ...tagFields("CreateBackupVault.BackupVaultTags{}", "CreateBackupVault.BackupVaultTags{value}"),
    },
  },
  "aws:backup/plan:Plan": {
    model: "backup",
    autoname: "name",
    fields: {
      name: { api: "CreateBackupPlan.BackupPlan.BackupPlanName", prose: BACKUP_NAME("Must contain 1 to 50 alphanumeric or '-_.' characters.") },
      "rules[].ruleName": "CreateBackupPlan.BackupPlan.Rules[].RuleName",
      "rules[].targetVaultName": "CreateBackupPlan.BackupPlan.Rules[].TargetBackupVaultName",
      "rules[].schedule": {
        api: "CreateBackupPlan.BackupPlan.Rules[].ScheduleExpression",
        prose: [{ quote: "A CRON expression in UTC specifying when Backup initiates a backup job.", allows: "cron(minutes hours day-of-month month day-of-week year) with exactly one day field ?", ok: isAwsCron }],
      },
      "rules[].startWindow": {
        api: "CreateBackupPlan.BackupPlan.Rules[].StartWindowMinutes",
        prose: [
          { quote: "If this value is included, it must be at least 60 minutes to avoid errors.", allows: "at least 60 minutes", ok: (v) => Number(v) >= 60 },
          { quote: "This parameter has a maximum value of 100 years (52,560,000 minutes).", allows: "at most 52,560,000 minutes", ok: (v) => Number(v) <= 52_560_000 },
        ],
      },
      "rules[].completionWindow": "CreateBackupPlan.BackupPlan.Rules[].CompletionWindowMinutes",
      "rules[].lifecycle.deleteAfter": {
        api: "CreateBackupPlan.BackupPlan.Rules[].Lifecycle.DeleteAfterDays",
        proseFrom: "CreateBackupPlan.BackupPlan.Rules[].Lifecycle",
        prose: [{ quote: "This parameter has a maximum value of 100 years (36,500 days).", allows: "1 to 36,500 days", ok: (v) => Number(v) >= 1 && Number(v) <= 36_500 }],
      },
      "rules[].lifecycle.coldStorageAfter": "CreateBackupPlan.BackupPlan.Rules[].Lifecycle.MoveToColdStorageAfterDays",
      ...tagFields("CreateBackupPlan.BackupPlanTags{}", "CreateBackupPlan.BackupPlanTags{value}"),
    },
    cross: [{
      api: "CreateBackupPlan.BackupPlan.Rules[].Lifecycle.DeleteAfterDays",
      quote: "This value must be at least 90 days after the number of days specified in MoveToColdStorageAfterDays .",
      allows: "deleteAfter at least 90 days more than coldStorageAfter",
      check: (i) => {
        const k = (i.rules ?? []).findIndex((r: any) => r.lifecycle?.coldStorageAfter !== undefined && r.lifecycle?.deleteAfter !== undefined && r.lifecycle.deleteAfter < r.lifecycle.coldStorageAfter + 90);
        return k >= 0 ? { path: `rules[${k}].lifecycle.deleteAfter`, value: i.rules[k].lifecycle.deleteAfter } : undefined;
      },
    }],
  },
  "aws:backup/selection:Selection": {
    model: "backup",
    autoname: "name",
    fields: {
      name: "CreateBackupSelection.BackupSelection.SelectionName",
      planId: "CreateBackupSelection.BackupPlanId",
      iamRoleArn: "CreateBackupSelection.BackupSelection.IamRoleArn",
      "resources[]": {
        api: "CreateBackupSelection.BackupSelection.Resources[]",
        prose: [notMatches(
          "When using wildcards in ARN patterns for backup selections, the asterisk (*) must appear at the end of the ARN string (prefix pattern).",
          /\*(?!$)/, "a wildcard only at the end",
        )],
      },
    },
    cross: [{
      api: "CreateBackupSelection.BackupSelection.Resources[]",
      quote: "The maximum number of ARNs is 500 without wildcards, or 30 ARNs with wildcards.",
      allows: "at most 500 ARNs, or 30 when any has a wildcard",
      check: (i) => {
        const arns: unknown[] = i.resources ?? [];
        const max = arns.some((a) => typeof a === "string" && a.includes("*")) ? 30 : 500;
        return arns.length > max ? { path: `resources[${max}]`, value: arns[max] } : undefined;
      },
    }],
  },
};

// ---------------------------------------------------------------------------------------
// KMS

/** UUID key ids, multi-Region ("mrk-") key ids, and key ARNs. */
const KEY_ID = /^(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|mrk-[0-9a-f]{32}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|mrk-[0-9a-f]{32}))$/;

function everyStatementHasPrincipal(policy: string): boolean {
  try {
    const doc = JSON.parse(policy);
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    return statements.every((s: any) => s && (s.Principal === "*" || (typeof s.Principal === "object" && s.Principal !== null && Object.keys(s.Principal).length > 0)));
  } catch {
    return false;
  }
}

const KMS: FieldTable = {
  "aws:kms/key:Key": {
    model: "kms",
    fields: {
      description: "CreateKey.Description",
      policy: {
        api: "CreateKey.Policy",
        prose: [{ quote: "Each statement in the key policy must contain one or more principals.", allows: "a JSON policy whose every statement names a principal", ok: everyStatementHasPrincipal }],
      },
      enableKeyRotation: { local: "the provider calls EnableKeyRotation when true and DisableKeyRotation when false; the boolean itself is no API member" },
      rotationPeriodInDays: "EnableKeyRotation.RotationPeriodInDays",
      deletionWindowInDays: {
        api: "ScheduleKeyDeletion.PendingWindowInDays",
        prose: [intRange("If you include a value, it must be between 7 and 30, inclusive.", 7, 30)],
      },
      "tags{}": "CreateKey.Tags[].TagKey",
      "tags.*": "CreateKey.Tags[].TagValue",
    },
  },
  // Not auto-named here: Pulumi names an alias "alias/<logical name>-<hex>", which the
  // preflight's "<logical name>-1a2b3c4" would misreport; the program always sets the name.
  "aws:kms/alias:Alias": {
    model: "kms",
    fields: {
      name: {
        api: "CreateAlias.AliasName",
        prose: [
          matches("This value must begin with alias/ followed by a name, such as alias/ExampleAlias .", /^alias\/./, "alias/ followed by a name"),
          notMatches("The alias name cannot begin with alias/aws/ .", /^alias\/aws\//, "no alias/aws/ prefix"),
        ],
      },
      targetKeyId: {
        api: "CreateAlias.TargetKeyId",
        prose: [matches("A valid key ID is required.", KEY_ID, "a key ID (UUID or mrk-...) or key ARN")],
      },
    },
  },
};

// ---------------------------------------------------------------------------------------
// Secrets Manager

const SECRETS_MANAGER: FieldTable = {
  "aws:secretsmanager/secret:Secret": {
    model: "secretsmanager",
    autoname: "name",
    fields: {
      name: {
        api: "CreateSecret.Name",
        prose: [
          charset("The secret name can contain ASCII letters, numbers, and the following characters: /_+=.@-", "A-Za-z0-9/_+=.@\\-", "ASCII letters, digits and / _ + = . @ -"),
          notMatches("Do not end your secret name with a hyphen followed by six characters.", /-[^]{6}$/u, "no hyphen followed by six characters at the end"),
        ],
      },
      description: "CreateSecret.Description",
      kmsKeyId: "CreateSecret.KmsKeyId",
      recoveryWindowInDays: {
        api: "DeleteSecret.RecoveryWindowInDays",
        // 0 is the provider's: it then sends ForceDeleteWithoutRecovery instead of a window.
        prose: [matches("The number of days from 7 to 30 that Secrets Manager waits before permanently deleting the secret.", /^(0|[7-9]|[12]\d|30)$/, "7 to 30 days (or 0: the provider then deletes without recovery)")],
      },
      ...tagFields("CreateSecret.Tags[].Key", "CreateSecret.Tags[].Value"),
    },
  },
  "aws:secretsmanager/secretVersion:SecretVersion": {
    model: "secretsmanager",
    fields: {
      secretId: "PutSecretValue.SecretId",
      secretString: "PutSecretValue.SecretString",
    },
  },
  "aws:secretsmanager/secretRotation:SecretRotation": {
    model: "secretsmanager",
    fields: {
      secretId: "RotateSecret.SecretId",
      rotationLambdaArn: "RotateSecret.RotationLambdaARN",
      "rotationRules.scheduleExpression": "RotateSecret.RotationRules.ScheduleExpression",
      "rotationRules.duration": "RotateSecret.RotationRules.Duration",
      "rotationRules.automaticallyAfterDays": "RotateSecret.RotationRules.AutomaticallyAfterDays",
      rotateImmediately: "RotateSecret.RotateImmediately",
    },
  },
};

// ---------------------------------------------------------------------------------------
// random provider: generated in the Pulumi process, never sent to AWS. The values it makes
// are checked where they land (RDS MasterUserPassword, ElastiCache AuthToken, SecretString).

const RANDOM_DOCS = "@pulumi/random RandomPasswordArgs (node_modules/@pulumi/random/randomPassword.d.ts)";
const randomLocal = (what: string, rules: (ProseRule & { source: string })[] = []): Field => ({
  local: `random provider, computed in the Pulumi process and never sent to AWS: ${what}`, rules,
});
const wholeAtLeast = (quote: string, min: number): ProseRule & { source: string } => ({
  quote, source: RANDOM_DOCS, allows: `a whole number >= ${min}`, ok: (v) => /^\d+$/.test(v) && Number(v) >= min,
});

const RANDOM: FieldTable = {
  "random:index/randomPassword:RandomPassword": {
    fields: {
      length: randomLocal("the length of the password", [wholeAtLeast("The minimum value for length is 1", 1)]),
      lower: randomLocal("include lower-case letters"),
      upper: randomLocal("include upper-case letters"),
      numeric: randomLocal("include digits"),
      special: randomLocal("include special characters"),
      overrideSpecial: randomLocal("the special characters to draw from (used only when special is true)"),
      minLower: randomLocal("minimum lower-case letters", [wholeAtLeast("Minimum number of lowercase alphabet characters in the result. Default value is `0`.", 0)]),
      minUpper: randomLocal("minimum upper-case letters", [wholeAtLeast("Minimum number of uppercase alphabet characters in the result. Default value is `0`.", 0)]),
      minNumeric: randomLocal("minimum digits", [wholeAtLeast("Minimum number of numeric characters in the result. Default value is `0`.", 0)]),
      minSpecial: randomLocal("minimum special characters", [wholeAtLeast("Minimum number of special characters in the result. Default value is `0`.", 0)]),
      "keepers{}": randomLocal("names of the values whose change regenerates the password"),
      "keepers.*": randomLocal("values whose change regenerates the password"),
    },
  },
};

export const DATA: FieldTable = {
  ...RDS,
  ...ELASTICACHE,
  ...BACKUP,
  ...KMS,
  ...SECRETS_MANAGER,
  ...RANDOM,
};
