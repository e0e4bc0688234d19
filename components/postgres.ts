import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { POSTGRES_BACKUP_RETENTION_DAYS, POSTGRES_MAX_CONNECTIONS, POSTGRES_STORAGE_GB, postgresDbNameProblem } from "../lib/postgres";
import { defaultMaxConnections } from "./alarms";
import {
  SAFE_SPECIALS, checkRecoveryWindow, defaultRecoveryWindowDays, generatedPassword, secretName, storeSecret,
} from "./secret-library";
import { checkAppName } from "../lib/names";
import { PlatformContext, invalidArg, typeToken } from "./common";
import { DatabasePasswordRotation } from "./password-rotation";
import { POSTGRES_PORT } from "./security-tiers";

export interface DatabaseConfig {
  /** Whether the app has a PostgreSQL database. Default true. */
  enabled: boolean;
  /** Database name (letters, digits, underscore). Default: the app name with `_` for `-`. */
  name: string;
  /** RDS instance class, within the environment's allowed list. Default: profile. */
  instanceClass: string;
  /** Initial gp3 storage in GiB (20-16384, POSTGRES_STORAGE_GB). Default: profile. */
  allocatedStorageGb: number;
  /** Storage autoscaling ceiling in GiB (>= allocatedStorageGb). Default: profile. */
  maxAllocatedStorageGb: number;
  /** Automated backup retention in days (staging >= 1, prod >= 14). Default: profile. */
  backupRetentionDays: number;
  /** Multi-AZ standby. Default: profile (prod true). */
  multiAz: boolean;
  /** PostgreSQL max_connections; unset keeps RDS's memory-based default. */
  maxConnections?: number;
  /** A read replica (prod reporting load). Default false. */
  readReplica: boolean;
}

/** PostgreSQL major version: the parameter group family follows it. */
export const POSTGRES_MAJOR = 16;
/**
 * The major version alone: RDS picks the current 16.x at creation and auto minor upgrades
 * move it on in the maintenance window. The provider keeps a major-only version stable
 * across those upgrades; an exact "16.N" would show a downgrade diff after every one.
 */
export const DEFAULT_POSTGRES_VERSION = `${POSTGRES_MAJOR}`;
/** Current RDS CA (RSA 2048, valid to 2061). */
export const RDS_CA = "rds-ca-rsa2048-g1";
/** RDS refuses `/`, `'`, `"`, `@` and space in master passwords; SAFE_SPECIALS avoids them and needs no URL encoding. */
export const RDS_PASSWORD_SPECIALS = SAFE_SPECIALS;
export const RDS_PASSWORD_LENGTH = 40;
/** Log exports (each goes to a log group created here with the stack's retention). */
export const POSTGRES_LOG_EXPORTS = ["postgresql", "upgrade"] as const;
/** Classes without Performance Insights. */
const NO_PERFORMANCE_INSIGHTS = /^db\.(t2|t3|t4g)\.(micro|small)$/;
/** Windows in UTC, clear of each other and of AWS Backup's 03:00 start (components/backups.ts). */
export const POSTGRES_BACKUP_WINDOW = "01:00-02:00";
export const POSTGRES_MAINTENANCE_WINDOW = "sun:04:30-sun:05:30";

export interface PostgresArgs {
  /** Stack context: stack name (identifier, secret names), region, log retention. Required. */
  ctx: PlatformContext;
  /**
   * Protect the data: `protect`, a named final snapshot and automated backups kept after
   * deletion, and changes applied in the maintenance window instead of at once (the
   * architectures set it in prod). @default false
   */
  protect?: boolean;
  /** RDS deletion protection (the architectures set it in prod). @default false */
  deletionProtection?: boolean;
  /** The app's name (config key): names the instance `<stack>-<appName>` and its secrets. Required. */
  appName: string;
  /** The app's database settings (validated AppConfig.database; enabled must be true). Required. */
  database: DatabaseConfig;
  /** RDS subnet group over the isolated subnets (Network.dbSubnetGroupName). Required. */
  subnetGroupName: pulumi.Input<string>;
  /** Security groups of the data tier (SecurityTiers.dataSecurityGroupId). Required, at least one. */
  securityGroupIds: pulumi.Input<string>[];
  /** ARN of the stack key: storage, Performance Insights, log groups and secrets. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** Engine version, "16" or "16.N". @default DEFAULT_POSTGRES_VERSION ("16", see there) */
  engineVersion?: string;
  /** Master user name (1-16 letters, digits, _, starting with a letter; not postgres or rds*). @default "app_admin" */
  masterUsername?: string;
  /** Statements slower than this many milliseconds are logged (log_min_duration_statement). @default 1000 */
  slowStatementMs?: number;
  /** Enhanced monitoring interval in seconds (0 = off; 1, 5, 10, 15, 30, 60; the architectures use 60 in prod). @default 0 */
  monitoringIntervalSeconds?: number;
  /** Days a deleted secret can be restored: 0 or 7-30. @default 30 when protected, else 0 (defaultRecoveryWindowDays) */
  recoveryWindowInDays?: number;
}

/**
 * One app's PostgreSQL 16 on RDS: isolated subnets, data-tier security groups, never public,
 * its own parameter group (TLS forced, connections and slow statements logged), gp3 storage
 * encrypted with the stack key with autoscaling headroom, automated backups, Multi-AZ,
 * deletion protection and a named final snapshot in prod, Performance Insights and enhanced
 * monitoring, log exports with retention, IAM database authentication accepted (besides the
 * password), and an optional read replica.
 *
 * The master password is generated (only characters RDS accepts) and kept in Secrets Manager
 * twice: a master secret for operators, and a connection secret (host, port, dbname, user,
 * password, DATABASE_URL with sslmode=require) that the app's hosts read at boot and re-read
 * every few minutes. The connection secret rotates monthly (DatabasePasswordRotation), which
 * also updates the master secret. The
 * connection secret carries the master credentials: Pulumi cannot reach the isolated
 * database to create a narrower role.
 */
export class Postgres extends pulumi.ComponentResource {
  readonly identifier: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly dbName: string;
  /** Replica's address, when database.readReplica. */
  readonly replicaAddress?: pulumi.Output<string>;
  readonly replicaIdentifier?: pulumi.Output<string>;
  /** The connection secret hosts read; depends on the key only, never on the instance. */
  readonly connectionSecretArn: pulumi.Output<string>;
  readonly connectionSecretName: string;
  /** The master-credentials secret (operators, rotation). */
  readonly masterSecretArn: pulumi.Output<string>;
  /** max_connections in effect (configured, or RDS's default for the class), for alarms. */
  readonly maxConnections: number;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("database", "Postgres"), name, {}, opts);
    const { ctx, database: db } = args;
    const protect = args.protect ?? false;
    const engineVersion = args.engineVersion ?? DEFAULT_POSTGRES_VERSION;
    const masterUsername = args.masterUsername ?? "app_admin";
    const slowStatementMs = args.slowStatementMs ?? 1000;
    const monitoringInterval = args.monitoringIntervalSeconds ?? 0;
    const recoveryWindowInDays = args.recoveryWindowInDays ?? defaultRecoveryWindowDays(protect);
    const identifier = `${ctx.stack}-${args.appName}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-");
    validate(args, { engineVersion, masterUsername, slowStatementMs, monitoringInterval, identifier });
    checkRecoveryWindow("Postgres", recoveryWindowInDays);

    const parent = { parent: this };
    const performanceInsights = !NO_PERFORMANCE_INSIGHTS.test(db.instanceClass);

    const parameters: aws.types.input.rds.ParameterGroupParameter[] = [
      { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
      { name: "log_connections", value: "1", applyMethod: "immediate" },
      { name: "log_disconnections", value: "1", applyMethod: "immediate" },
      { name: "log_min_duration_statement", value: String(slowStatementMs), applyMethod: "immediate" },
      { name: "log_lock_waits", value: "1", applyMethod: "immediate" },
    ];
    // Static parameter: it takes effect at the next reboot (in the maintenance window in prod).
    if (db.maxConnections !== undefined) parameters.push({ name: "max_connections", value: String(db.maxConnections), applyMethod: "pending-reboot" });
    const parameterGroup = new aws.rds.ParameterGroup(`${name}-params`, {
      family: `postgres${POSTGRES_MAJOR}`,
      description: `${args.appName}: TLS only, connection and slow statement logging`,
      parameters,
    }, parent);

    const password = generatedPassword(`${name}-master`, protect, this, { length: RDS_PASSWORD_LENGTH, overrideSpecial: RDS_PASSWORD_SPECIALS });

    // Created before the instance so RDS writes into groups with retention and encryption,
    // instead of creating its own that keep logs forever.
    const logGroups = (id: string) => POSTGRES_LOG_EXPORTS.map((log) => new aws.cloudwatch.LogGroup(`${name}-${id === identifier ? "" : "replica-"}${log}`, {
      name: `/aws/rds/instance/${id}/${log}`,
      retentionInDays: ctx.logRetentionDays,
      kmsKeyId: args.kmsKeyArn,
    }, parent));

    let monitoringRoleArn: pulumi.Output<string> | undefined;
    if (monitoringInterval > 0) {
      const role = new aws.iam.Role(`${name}-monitoring`, {
        description: `RDS enhanced monitoring for ${identifier}`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }, parent);
      new aws.iam.RolePolicyAttachment(`${name}-monitoring`, {
        role: role.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
      }, parent);
      monitoringRoleArn = role.arn;
    }

    // Settings shared by the primary and its replica.
    const common = {
      instanceClass: db.instanceClass,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: args.kmsKeyArn,
      maxAllocatedStorage: db.maxAllocatedStorageGb,
      dbSubnetGroupName: args.subnetGroupName,
      vpcSecurityGroupIds: args.securityGroupIds,
      publiclyAccessible: false,
      parameterGroupName: parameterGroup.name,
      caCertIdentifier: RDS_CA,
      // Always on (rds-iam-auth): password logins keep working; only users granted rds_iam
      // log in with IAM tokens.
      iamDatabaseAuthenticationEnabled: true,
      autoMinorVersionUpgrade: true,
      maintenanceWindow: POSTGRES_MAINTENANCE_WINDOW,
      enabledCloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS],
      performanceInsightsEnabled: performanceInsights,
      performanceInsightsKmsKeyId: performanceInsights ? args.kmsKeyArn : undefined,
      performanceInsightsRetentionPeriod: performanceInsights ? 7 : undefined,
      monitoringInterval,
      monitoringRoleArn,
      deletionProtection: args.deletionProtection ?? false,
      copyTagsToSnapshot: true,
      // Prod changes wait for the maintenance window; staging applies them at once.
      applyImmediately: !protect,
    };

    const instance = new aws.rds.Instance(`${name}-db`, {
      ...common,
      identifier,
      engine: "postgres",
      engineVersion,
      allocatedStorage: db.allocatedStorageGb,
      dbName: db.name,
      username: masterUsername,
      password: pulumi.secret(password.result),
      port: POSTGRES_PORT,
      multiAz: db.multiAz,
      backupRetentionPeriod: db.backupRetentionDays,
      backupWindow: POSTGRES_BACKUP_WINDOW,
      skipFinalSnapshot: !protect,
      finalSnapshotIdentifier: protect ? `${identifier}-final` : undefined,
      // Keep automated backups for their retention period even after the instance is deleted.
      deleteAutomatedBackups: !protect,
    }, {
      parent: this,
      protect,
      dependsOn: logGroups(identifier),
      // The first password only: from then on the rotation function sets it (RDS never reads it back).
      ignoreChanges: ["password"],
    });

    if (db.readReplica) {
      const replicaId = `${identifier}-replica`;
      const replica = new aws.rds.Instance(`${name}-replica`, {
        ...common,
        identifier: replicaId,
        // The ARN (not the identifier) because the subnet group is given explicitly.
        replicateSourceDb: instance.arn,
        multiAz: false,
        // RDS does not take automated backups of PostgreSQL replicas, nor final snapshots of them.
        backupRetentionPeriod: 0,
        skipFinalSnapshot: true,
      }, { parent: this, protect, dependsOn: logGroups(replicaId) });
      this.replicaAddress = replica.address;
      this.replicaIdentifier = replica.identifier;
    }

    const masterName = secretName(ctx, args.appName, "postgres", "master");
    const master = storeSecret(`${name}-master`, {
      protect,
      secretName: masterName,
      description: `${args.appName}: PostgreSQL master credentials of ${identifier} (operators only)`,
      kmsKeyArn: args.kmsKeyArn,
      recoveryWindowInDays,
      // The layout Secrets Manager's RDS rotation functions expect.
      value: pulumi.all([instance.address, instance.port, password.result]).apply(([host, port, pw]) => JSON.stringify({
        engine: "postgres", host, port, username: masterUsername, password: pw, dbname: db.name, dbInstanceIdentifier: identifier,
      })),
      owner: "rotation",
    }, this);

    const connectionName = secretName(ctx, args.appName, "DATABASE");
    const replicaHost = this.replicaAddress ?? pulumi.output("");
    const connection = storeSecret(`${name}-connection`, {
      protect,
      secretName: connectionName,
      description: `${args.appName}: database connection (host, port, dbname, username, password, DATABASE_URL) read by the app's hosts at boot`,
      kmsKeyArn: args.kmsKeyArn,
      recoveryWindowInDays,
      value: pulumi.all([instance.address, instance.port, password.result, replicaHost]).apply(([host, port, pw, replica]) => JSON.stringify({
        host, port, dbname: db.name, username: masterUsername, password: pw, sslmode: "require",
        DATABASE_URL: postgresUrl(masterUsername, pw, host, port, db.name),
        ...(replica ? { replicaHost: replica, DATABASE_REPLICA_URL: postgresUrl(masterUsername, pw, replica, port, db.name) } : {}),
      })),
      // The first value only: each rotation writes the next, with host, port and replica read
      // afresh from RDS (after adding a replica, `aws secretsmanager rotate-secret` adds it).
      owner: "rotation",
    }, this);

    new DatabasePasswordRotation(`${name}-password`, {
      ctx,
      dbInstanceIdentifier: identifier,
      connectionSecretArn: connection.secret.arn,
      masterSecretArn: master.secret.arn,
      kmsKeyArn: args.kmsKeyArn,
    }, { parent: this, dependsOn: [instance] });

    this.identifier = instance.identifier;
    this.arn = instance.arn;
    this.address = instance.address;
    this.port = instance.port;
    this.dbName = db.name;
    this.connectionSecretArn = connection.secret.arn;
    this.connectionSecretName = connectionName;
    this.masterSecretArn = master.secret.arn;
    this.maxConnections = db.maxConnections ?? defaultMaxConnections(db.instanceClass);
    this.registerOutputs({
      identifier: this.identifier, address: this.address, port: this.port,
      connectionSecretArn: this.connectionSecretArn, masterSecretArn: this.masterSecretArn,
    });
  }
}

/** postgresql://user:password@host:port/db?sslmode=require, every part URL-encoded. */
export function postgresUrl(user: string, password: string, host: string, port: number, db: string): string {
  const e = encodeURIComponent;
  return `postgresql://${e(user)}:${e(password)}@${host}:${port}/${e(db)}?sslmode=require`;
}

function validate(
  args: PostgresArgs,
  d: { engineVersion: string; masterUsername: string; slowStatementMs: number; monitoringInterval: number; identifier: string },
): void {
  const { database: db } = args;
  const fail = (field: string, message: string) => invalidArg("Postgres", field, message);
  const appNameProblem = checkAppName(args.appName, args.ctx.stack);
  if (appNameProblem) fail("appName", appNameProblem);
  if (!db.enabled) fail("database.enabled", "is false: do not build a Postgres component for an app without a database");
  const nameProblem = postgresDbNameProblem(db.name);
  if (nameProblem) fail("database.name", nameProblem);
  if (!new RegExp(`^${POSTGRES_MAJOR}(\\.\\d+)?$`).test(d.engineVersion)) fail("engineVersion", `"${d.engineVersion}" must be "${POSTGRES_MAJOR}" or "${POSTGRES_MAJOR}.N": the parameter group family is postgres${POSTGRES_MAJOR}`);
  // CreateDBInstance.MasterUsername: "Must be 1 to 16 letters, numbers, or underscores. First character must be a letter."
  if (!/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/.test(d.masterUsername) || /^(postgres|rds)/i.test(d.masterUsername)) {
    fail("masterUsername", `"${d.masterUsername}" must start with a letter, use at most 16 letters, digits and _, and not be postgres or start with rds`);
  }
  if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(db.instanceClass)) fail("database.instanceClass", `"${db.instanceClass}" is not an RDS instance class like db.t4g.micro`);
  const storage = POSTGRES_STORAGE_GB;
  if (!Number.isInteger(db.allocatedStorageGb) || db.allocatedStorageGb < storage.min || db.allocatedStorageGb > storage.max) {
    fail("database.allocatedStorageGb", `must be ${storage.min}-${storage.max} GiB (gp3), got ${db.allocatedStorageGb}`);
  }
  if (!Number.isInteger(db.maxAllocatedStorageGb) || db.maxAllocatedStorageGb < db.allocatedStorageGb || db.maxAllocatedStorageGb > storage.max) {
    fail("database.maxAllocatedStorageGb", `must be from allocatedStorageGb (${db.allocatedStorageGb}) to ${storage.max} GiB, got ${db.maxAllocatedStorageGb}`);
  }
  const retentionMax = POSTGRES_BACKUP_RETENTION_DAYS.max;
  const retentionMin = POSTGRES_BACKUP_RETENTION_DAYS.min;
  if (!Number.isInteger(db.backupRetentionDays) || db.backupRetentionDays < retentionMin || db.backupRetentionDays > retentionMax) {
    fail("database.backupRetentionDays", `must be ${retentionMin}-${retentionMax} days, got ${db.backupRetentionDays}`);
  }
  const connections = POSTGRES_MAX_CONNECTIONS;
  if (db.maxConnections !== undefined && (!Number.isInteger(db.maxConnections) || db.maxConnections < connections.min || db.maxConnections > connections.max)) {
    fail("database.maxConnections", `must be a whole number from ${connections.min} to ${connections.max}, got ${db.maxConnections}`);
  }
  if (args.securityGroupIds.length === 0) fail("securityGroupIds", "must list at least one data-tier security group");
  if (!Number.isInteger(d.slowStatementMs) || d.slowStatementMs < 0) fail("slowStatementMs", `must be a whole number of milliseconds >= 0, got ${d.slowStatementMs}`);
  if (![0, 1, 5, 10, 15, 30, 60].includes(d.monitoringInterval)) fail("monitoringIntervalSeconds", `must be one of 0, 1, 5, 10, 15, 30, 60, got ${d.monitoringInterval}`);
  // "-replica" is appended for the replica; RDS identifiers are at most 63 characters.
  if (d.identifier.length > 55 || !/^[a-z][a-z0-9-]*[a-z0-9]$/.test(d.identifier)) {
    fail("appName", `gives the instance identifier "${d.identifier}", which must start with a letter, end with a letter or digit and have at most 55 characters`);
  }
}
