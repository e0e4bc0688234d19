/**
 * Data protection: encryption at rest, backups kept long enough and covered by AWS Backup
 * in prod, deletion protection and final snapshots in prod, S3 public access blocked,
 * data buckets versioned and reachable over TLS only, Redis with AUTH (the seeds' "setup
 * automated backups", "encrypted passwords" and "media on S3, never only on the disk").
 */
import { perEnvironmentSchema } from "./lib/config";
import { resourcePolicy, stackPolicy, StackResource } from "./lib/define";
import {
  BUCKET_CLASS_DEFAULTS, BUCKET_CLASS_SCHEMA, BucketClassConfig, bucketsOf, companions, defaultEncryptionRules, isDataBucket,
  isSecureTransportDeny, lockoutScope, policyDocument, statements,
} from "./lib/buckets";
import { refersTo } from "./lib/refs";
import { BUCKETS, T } from "./lib/types";
import { UNKNOWN, Unknown, asBool, asList, asNumber, asString, containsUnknown, tagValue } from "./lib/values";

/** A read replica (an instance's replicateSourceDb, a cluster's replicationSourceIdentifier): backups, Multi-AZ and final snapshots belong to its source. */
export function isReplica(r: { type: string; props: Record<string, any> }): boolean {
  const src = r.type === T.rdsCluster ? r.props.replicationSourceIdentifier : r.props.replicateSourceDb;
  return src === UNKNOWN || (typeof src === "string" && src !== "");
}

const RDS_TYPES = [T.rdsInstance, T.rdsCluster];

export const rdsStorageEncrypted = resourcePolicy({
  name: "rds-storage-encrypted",
  layer: "data",
  summary: "Database storage, snapshots and backups are encrypted at rest with a customer-managed KMS key (kmsKeyId, the stack key), not the AWS managed aws/rds key.",
  fix: "set storageEncrypted: true and kmsKeyId to the stack's key. An existing unencrypted database (or one on aws/rds) must be restored from a snapshot copy encrypted with the stack key.",
  severity: "critical",
  types: RDS_TYPES,
  check(r, ctx) {
    const enc = asBool(r.props.storageEncrypted);
    if (enc === UNKNOWN) return;
    if (enc === true) {
      const key = r.props.kmsKeyId;
      if (key === UNKNOWN) return;
      if (key === undefined || key === null || key === "" || key === "alias/aws/rds") {
        ctx.report("storage is encrypted with the AWS managed key aws/rds, not a customer-managed key (kmsKeyId).", "set kmsKeyId to the stack key's ARN (components/postgres passes it); changing the key replaces the database.");
      }
      return;
    }
    if (enc === undefined && isReplica(r)) return; // a replica inherits its source's encryption
    ctx.report(enc === false ? "storage encryption is explicitly off." : "storageEncrypted is not set, so the database is stored unencrypted.");
  },
});

/** Instance classes without Performance Insights (as components/postgres.ts NO_PERFORMANCE_INSIGHTS). */
const NO_PERFORMANCE_INSIGHTS = /^db\.(t2|t3|t4g)\.(micro|small)$/;
/** RDS certificate authorities valid beyond 2024 (rds-ca-2019 expired in August 2024). */
const CURRENT_RDS_CAS = ["rds-ca-rsa2048-g1", "rds-ca-ecc384-g1", "rds-ca-rsa4096-g1"];

export const rdsInstanceHardened = resourcePolicy({
  name: "rds-instance-hardened",
  layer: "data",
  summary: "Every database instance enables Performance Insights encrypted with a customer-managed KMS key (where its class supports it: not db.t2/t3/t4g micro or small), copies its tags to snapshots, uses a current RDS CA (rds-ca-rsa2048-g1, rds-ca-ecc384-g1 or rds-ca-rsa4096-g1) and takes minor engine upgrades automatically.",
  fix: "set performanceInsightsEnabled: true with performanceInsightsKmsKeyId = the stack key, copyTagsToSnapshot: true, caCertIdentifier: \"rds-ca-rsa2048-g1\" and autoMinorVersionUpgrade: true (components/postgres sets them all).",
  severity: "medium",
  types: [T.rdsInstance],
  check(r, ctx) {
    const p = r.props;
    const cls = p.instanceClass;
    if (cls !== UNKNOWN && !(typeof cls === "string" && NO_PERFORMANCE_INSIGHTS.test(cls))) {
      const pi = asBool(p.performanceInsightsEnabled);
      if (pi !== UNKNOWN && pi !== true) ctx.report(`Performance Insights is off${typeof cls === "string" ? ` although ${cls} supports it` : ""}.`);
      else if (pi === true) {
        const key = p.performanceInsightsKmsKeyId;
        if (key !== UNKNOWN && (key === undefined || key === null || key === "" || key === "alias/aws/rds")) {
          ctx.report("Performance Insights data is encrypted with the AWS managed key aws/rds, not a customer-managed key (performanceInsightsKmsKeyId).");
        }
      }
    }
    const copy = asBool(p.copyTagsToSnapshot);
    if (copy !== UNKNOWN && copy !== true) ctx.report("snapshots do not get the instance's tags (copyTagsToSnapshot), so they lose their app and environment.");
    const ca = p.caCertIdentifier;
    if (ca !== UNKNOWN) {
      if (ca === undefined || ca === null || ca === "") ctx.report("no caCertIdentifier is pinned, so the server certificate's CA is whatever the region's default is.");
      else if (typeof ca === "string" && !CURRENT_RDS_CAS.includes(ca)) ctx.report(`the server certificate is issued by "${ca}", not a current RDS CA (${CURRENT_RDS_CAS.join(", ")}).`);
    }
    const minor = asBool(p.autoMinorVersionUpgrade);
    if (minor === false) ctx.report("automatic minor version upgrades are off, so engine security fixes wait for a manual upgrade.");
  },
});

const RETENTION = { prod: 7, staging: 1 };

export const rdsBackupRetention = resourcePolicy<{ minBackupRetentionDays: Record<string, number> }>({
  name: "rds-backup-retention",
  layer: "data",
  summary: "Automated database backups are kept at least 1 day in staging and 7 days in prod (point-in-time recovery).",
  fix: "set backupRetentionPeriod to at least the environment's minimum (the prod profile uses 14).",
  types: RDS_TYPES,
  schema: {
    minBackupRetentionDays: perEnvironmentSchema({ type: "integer", minimum: 0, maximum: 35 }, RETENTION, "Minimum automated backup retention in days, per environment."),
  },
  defaults: { minBackupRetentionDays: RETENTION },
  check(r, ctx) {
    if (isReplica(r)) return;
    const days = asNumber(r.props.backupRetentionPeriod);
    if (days === UNKNOWN) return;
    const min = ctx.config.minBackupRetentionDays[ctx.env] ?? RETENTION[ctx.env];
    const effective = days ?? 1; // RDS keeps 1 day when the API call sets nothing
    if (effective < min) ctx.report(`automated backups are kept ${effective} day(s)${days === undefined ? " (the RDS default)" : ""}; ${ctx.env} requires at least ${min}.`);
  },
});

export const rdsMultiAzProd = resourcePolicy({
  name: "rds-multi-az-prod",
  layer: "data",
  summary: "Prod databases keep a synchronous standby in a second availability zone.",
  fix: "set multiAz: true (the prod profile does).",
  types: [T.rdsInstance],
  check(r, ctx) {
    if (ctx.env !== "prod" || isReplica(r)) return;
    const multi = asBool(r.props.multiAz);
    if (multi === UNKNOWN || multi === true) return;
    ctx.report("the prod database has no Multi-AZ standby, so an AZ outage takes the app down.");
  },
});

export const rdsDeletionProtectionProd = resourcePolicy({
  name: "rds-deletion-protection-prod",
  layer: "data",
  summary: "Prod databases cannot be deleted until deletion protection is switched off on purpose.",
  fix: "set deletionProtection: true (and protect: true on the resource).",
  severity: "critical",
  types: RDS_TYPES,
  check(r, ctx) {
    if (ctx.env !== "prod" || isReplica(r)) return;
    const on = asBool(r.props.deletionProtection);
    if (on === UNKNOWN || on === true) return;
    ctx.report("deletion protection is off on a prod database.");
  },
});

export const rdsFinalSnapshotProd = resourcePolicy({
  name: "rds-final-snapshot-prod",
  layer: "data",
  summary: "Deleting a prod database leaves a final snapshot.",
  fix: "set skipFinalSnapshot: false and finalSnapshotIdentifier to a name (e.g. \"<identifier>-final\").",
  types: RDS_TYPES,
  check(r, ctx) {
    if (ctx.env !== "prod" || isReplica(r)) return;
    const skip = asBool(r.props.skipFinalSnapshot);
    if (skip === UNKNOWN) return;
    if (skip === true) {
      ctx.report("skipFinalSnapshot is true, so deleting the database loses its data.");
      return;
    }
    const id = r.props.finalSnapshotIdentifier;
    if (id === undefined || id === null || id === "") ctx.report("no finalSnapshotIdentifier is set, so the final snapshot cannot be taken (the delete fails or, with skipFinalSnapshot, loses the data).");
  },
});

/**
 * A database instance's engine: its own, or a read replica's source's (when the source is in
 * the stack). UNKNOWN while not known, or when the source is outside the stack.
 */
function engineOf(db: StackResource, instances: StackResource[], depth = 0): string | Unknown | undefined {
  const own = db.props.engine;
  if (own === UNKNOWN) return UNKNOWN;
  if (typeof own === "string" && own !== "") return own;
  if (!isReplica(db)) return undefined;
  if (depth > 3) return UNKNOWN;
  const source = instances.find((s) => s !== db && refersTo(db.props.replicateSourceDb, s, db, "replicateSourceDb") === true);
  return source ? engineOf(source, instances, depth + 1) : UNKNOWN;
}

/** The log each engine must export: the one with its errors (and, for PostgreSQL, connections and slow statements). */
const ENGINE_LOGS: Record<string, string> = { postgres: "postgresql", mysql: "error", mariadb: "error" };

export const rdsLogExports = stackPolicy({
  name: "rds-log-exports",
  layer: "data",
  summary: "Every database instance, read replicas too, exports its engine's main log to CloudWatch Logs (PostgreSQL: postgresql, with errors, connections and slow statements; MySQL and MariaDB: error; other engines at least one log type), so the logs outlive the instance's own short log rotation.",
  fix: "set enabledCloudwatchLogsExports: [\"postgresql\", \"upgrade\"] (components/postgres does, into log groups it creates first with the stack's retention and key).",
  severity: "medium",
  check(ctx) {
    const instances = ctx.ofType(T.rdsInstance);
    for (const db of instances) {
      const logs = asList(db.props.enabledCloudwatchLogsExports);
      if (logs === UNKNOWN || logs.includes(UNKNOWN)) continue;
      const engine = engineOf(db, instances);
      if (engine === UNKNOWN) continue;
      const required = engine ? ENGINE_LOGS[engine] : undefined;
      if (required && !logs.includes(required)) {
        ctx.report(db, logs.length > 0 ? `the instance exports ${logs.join(", ")} but not the ${required} log.` : `the instance exports no log to CloudWatch Logs (not even ${required}), so its logs last only as long as RDS keeps them on the instance.`);
      } else if (!required && logs.length === 0) {
        ctx.report(db, "the instance exports no log to CloudWatch Logs, so its logs last only as long as RDS keeps them on the instance.");
      }
    }
  },
});

/** Engines with IAM database authentication (RDS for Oracle, SQL Server and Db2 have none). */
const IAM_AUTH_ENGINES = ["postgres", "mysql", "mariadb"];

export const rdsIamAuth = resourcePolicy({
  name: "rds-iam-auth",
  layer: "data",
  summary: "Every PostgreSQL, MySQL and MariaDB instance (replicas too) accepts IAM database authentication, so a role can be given short-lived tokens instead of a password. Password authentication keeps working: only database users granted rds_iam log in with IAM.",
  fix: "set iamDatabaseAuthenticationEnabled: true (an in-place change; components/postgres sets it).",
  severity: "low",
  types: [T.rdsInstance],
  check(r, ctx) {
    const engine = r.props.engine;
    if (engine === UNKNOWN || (typeof engine === "string" && engine !== "" && !IAM_AUTH_ENGINES.includes(engine))) return;
    const on = asBool(r.props.iamDatabaseAuthenticationEnabled);
    if (on === UNKNOWN || on === true) return;
    ctx.report(on === false ? "IAM database authentication is off." : "iamDatabaseAuthenticationEnabled is not set, so IAM database authentication is off (the RDS default).");
  },
});

export const rdsEnhancedMonitoringProd = resourcePolicy({
  name: "rds-enhanced-monitoring-prod",
  layer: "data",
  summary: "In prod, every database instance (replicas too) has enhanced monitoring on (monitoringInterval 1-60 s, with a monitoring role), so operating-system metrics per process are there when the database is slow. Staging is exempt: the metrics go to CloudWatch Logs (RDSOSMetrics), billed per instance.",
  fix: "set monitoringInterval to 60 (or 1, 5, 10, 15, 30) and monitoringRoleArn to a role that monitoring.rds.amazonaws.com assumes, with the AmazonRDSEnhancedMonitoringRole managed policy (components/postgres does in prod).",
  severity: "low",
  types: [T.rdsInstance],
  check(r, ctx) {
    if (ctx.env !== "prod") return;
    const interval = asNumber(r.props.monitoringInterval);
    if (interval === UNKNOWN) return;
    if (interval === undefined || interval <= 0) {
      ctx.report(`enhanced monitoring is off (monitoringInterval ${interval ?? "not set"}) on a prod database.`);
      return;
    }
    const role = asString(r.props.monitoringRoleArn);
    if (role === UNKNOWN) return;
    if (role === undefined || role === "") ctx.report("monitoringInterval is set but no monitoringRoleArn, so RDS cannot publish the metrics (the API refuses the change).");
  },
});

const STATEMENT_LOGGING = ["ddl", "mod", "all"];

export const rdsPostgresQueryLogging = stackPolicy({
  name: "rds-postgres-query-logging",
  layer: "data",
  summary: "Every PostgreSQL instance (replicas too) uses a parameter group of this stack that logs statements: log_min_duration_statement >= 0 (statements slower than that many milliseconds; the component's is 1000) or log_statement ddl, mod or all. The default parameter group logs none. log_statement is not required: ddl and above also write CREATE/ALTER ROLE ... PASSWORD statements to the log in clear text.",
  fix: "give the instance its own aws.rds.ParameterGroup (parameterGroupName) with log_min_duration_statement set, e.g. \"1000\" (components/postgres does); parameters of an attached group change in place.",
  severity: "low",
  check(ctx) {
    const instances = ctx.ofType(T.rdsInstance);
    const groups = ctx.ofType(T.rdsParameterGroup);
    for (const db of instances) {
      const engine = engineOf(db, instances);
      if (engine !== "postgres") continue;
      const name = db.props.parameterGroupName;
      const attached = groups.filter((g) => refersTo(name, g, db, "parameterGroupName") === true);
      if (attached.length === 0) {
        if (name === UNKNOWN) continue;
        if (name === undefined || name === null || name === "" || (typeof name === "string" && /^default\./.test(name))) {
          ctx.report(db, "the instance uses the default parameter group, which logs no statements (log_statement none, log_min_duration_statement -1).");
        } else {
          ctx.report(db, `the instance's parameter group "${String(name)}" is not managed by this stack, so the pack cannot see that it logs statements.`, "manage the parameter group in the stack (aws.rds.ParameterGroup) with log_min_duration_statement set.");
        }
        continue;
      }
      for (const g of attached) {
        const params = asList(g.props.parameters);
        if (params === UNKNOWN || containsUnknown(params)) continue;
        const value = (n: string) => params.find((p) => typeof p?.name === "string" && p.name.toLowerCase() === n)?.value;
        const duration = asNumber(value("log_min_duration_statement"));
        const statement = String(value("log_statement") ?? "none").toLowerCase();
        if ((typeof duration === "number" && duration >= 0) || STATEMENT_LOGGING.includes(statement)) continue;
        ctx.report(db, `its parameter group "${g.name}" logs no statements (log_min_duration_statement ${typeof duration === "number" ? duration : "-1, the default"}, log_statement ${statement}).`);
      }
    }
  },
});

export const elasticacheAtRest = resourcePolicy({
  name: "elasticache-encryption-at-rest",
  layer: "data",
  summary: "Redis data and snapshots are encrypted at rest with a customer-managed KMS key (kmsKeyId, the stack key), and the replication group sits in a cache subnet group (subnetGroupName) inside the VPC.",
  fix: "set atRestEncryptionEnabled: true, kmsKeyId to the stack's key and subnetGroupName to the isolated subnets' cache subnet group. Changing any of them replaces the replication group.",
  types: [T.replicationGroup],
  check(r, ctx) {
    const on = asBool(r.props.atRestEncryptionEnabled);
    if (on !== UNKNOWN && on !== true) ctx.report("at-rest encryption is not enabled on the replication group.");
    else if (on === true) {
      const key = r.props.kmsKeyId;
      if (key !== UNKNOWN && (key === undefined || key === null || key === "")) ctx.report("data at rest is encrypted with the AWS managed ElastiCache key, not a customer-managed key (kmsKeyId).");
    }
    const subnets = r.props.subnetGroupName;
    if (subnets !== UNKNOWN && (subnets === undefined || subnets === null || subnets === "")) {
      ctx.report("no subnetGroupName is set, so the nodes land in the default VPC's default subnets instead of the isolated data subnets.");
    }
  },
});

export const elasticacheAuth = resourcePolicy({
  name: "elasticache-auth",
  layer: "data",
  summary: "Redis requires authentication: an AUTH token (generated, kept in Secrets Manager) or RBAC user groups.",
  fix: "set authToken from a generated random password (16-128 characters, TLS on) and deliver it to hosts through Secrets Manager, or set userGroupIds.",
  severity: "critical",
  types: [T.replicationGroup],
  check(r, ctx) {
    const token = r.props.authToken;
    const groups = r.props.userGroupIds;
    if (token === UNKNOWN || groups === UNKNOWN) return;
    if (typeof token === "string" && token !== "") return;
    if (Array.isArray(groups) && groups.length > 0) return;
    ctx.report("the replication group accepts clients without authentication (no authToken, no userGroupIds).");
  },
});

export const elasticacheFailoverProd = resourcePolicy({
  name: "elasticache-failover-prod",
  layer: "data",
  summary: "Prod Redis runs a replica in another availability zone with automatic failover. Advisory: the seeds mark Redis itself as optional (a cache and session store the app can rebuild).",
  fix: "set numCacheClusters: 2 (or more), automaticFailoverEnabled: true and multiAzEnabled: true.",
  enforcementLevel: "advisory",
  severity: "medium",
  types: [T.replicationGroup],
  check(r, ctx) {
    if (ctx.env !== "prod") return;
    const failover = asBool(r.props.automaticFailoverEnabled);
    const multiAz = asBool(r.props.multiAzEnabled);
    const nodes = asNumber(r.props.numCacheClusters);
    const replicas = asNumber(r.props.replicasPerNodeGroup);
    if (failover === UNKNOWN || multiAz === UNKNOWN || nodes === UNKNOWN || replicas === UNKNOWN) return;
    const missing: string[] = [];
    if (failover !== true) missing.push("automatic failover");
    if (multiAz !== true) missing.push("Multi-AZ");
    if ((nodes ?? 1) < 2 && (replicas ?? 0) < 1) missing.push("a replica node");
    if (missing.length > 0) ctx.report(`the prod replication group has no ${missing.join(", no ")}.`);
  },
});

const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

function isPublicPrincipal(p: unknown): boolean {
  if (p === "*") return true;
  if (Array.isArray(p)) return p.includes("*");
  if (p && typeof p === "object") return Object.values(p).some(isPublicPrincipal);
  return false;
}

export const s3PublicAccessBlocked = stackPolicy({
  name: "s3-public-access-blocked",
  layer: "data",
  summary: "Every bucket has a public access block with all four settings on, no public ACL and no bucket policy that allows anyone; CloudFront reads through origin access control.",
  fix: "add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true; serve public content through CloudFront with origin access control.",
  severity: "critical",
  check(ctx) {
    const blocks = ctx.ofType(T.bucketPublicAccessBlock);
    const accountBlocks = ctx.ofType(T.accountPublicAccessBlock);
    const allOn = (r: StackResource) => PAB_FLAGS.map((f) => asBool(r.props[f]));
    // An account-wide block covers every bucket (flags not known yet count as on: nothing to report).
    const accountWide = accountBlocks.some((a) => allOn(a).every((v) => v === true || v === UNKNOWN));
    for (const pab of [...blocks, ...accountBlocks]) {
      const off = PAB_FLAGS.filter((f) => { const v = asBool(pab.props[f]); return v !== true && v !== UNKNOWN; });
      if (off.length > 0) ctx.report(pab, `the public access block leaves ${off.join(", ")} off.`);
    }
    for (const b of bucketsOf(ctx)) {
      if (typeof b.props.acl === "string" && PUBLIC_ACLS.includes(b.props.acl)) ctx.report(b, `the bucket has the public ACL "${b.props.acl}".`);
      if (accountWide) continue;
      const { found, unknown } = companions(b, blocks);
      if (found.length === 0 && !unknown) ctx.report(b, "the bucket has no public access block, so a future ACL or policy could make it public.");
    }
    for (const acl of ctx.ofType(T.bucketAcl, T.bucketAclV2)) {
      if (typeof acl.props.acl === "string" && PUBLIC_ACLS.includes(acl.props.acl)) ctx.report(acl, `the bucket ACL is "${acl.props.acl}".`);
    }
    for (const p of ctx.ofType(T.bucketPolicy)) {
      const doc = policyDocument(p.props.policy);
      if (doc === UNKNOWN || !doc) continue;
      for (const s of statements(doc)) {
        if (!s || s.Effect !== "Allow" || containsUnknown(s)) continue;
        if (isPublicPrincipal(s.Principal) && (s.Condition === undefined || Object.keys(s.Condition).length === 0)) {
          ctx.report(p, "the bucket policy allows any principal (\"*\") without a condition.");
        }
      }
    }
  },
});

const SSE_ALGORITHMS = ["aws:kms", "aws:kms:dsse", "AES256"];

/** Default-encryption algorithms set for a bucket: inline, or by separate configuration resources. */
function encryptionOf(b: StackResource, configs: StackResource[]): { algorithms: string[]; unknown: boolean } {
  const out: string[] = [];
  let unknown = false;
  const collect = (v: unknown) => {
    if (v === UNKNOWN) { unknown = true; return; }
    const rules = Array.isArray(v) ? v : v ? [v] : [];
    for (const rule of rules) {
      if (rule === UNKNOWN) { unknown = true; continue; }
      const alg = rule?.applyServerSideEncryptionByDefault?.sseAlgorithm;
      if (alg === UNKNOWN || rule?.applyServerSideEncryptionByDefault === UNKNOWN) unknown = true;
      else if (typeof alg === "string") out.push(alg);
    }
  };
  const inline = b.props.serverSideEncryptionConfiguration;
  if (inline === UNKNOWN) unknown = true;
  else if (inline && typeof inline === "object") collect(inline.rule); // aws.s3.Bucket: one rule
  const { found, unknown: u } = companions(b, configs);
  if (u) unknown = true;
  for (const c of found) collect(c.props.rules);
  return { algorithms: out, unknown };
}

export const s3Encryption = stackPolicy<BucketClassConfig & { dataBucketAlgorithms: string[] }>({
  name: "s3-encryption",
  layer: "data",
  summary: "Data buckets declare default encryption explicitly (SSE-KMS or SSE-S3), and no bucket declares an algorithm outside the allowed ones. Other buckets rely on S3's default SSE-S3 encryption.",
  fix: "add an aws.s3.BucketServerSideEncryptionConfiguration with rules [{ applyServerSideEncryptionByDefault: { sseAlgorithm: \"aws:kms\", kmsMasterKeyId: <stack key> }, bucketKeyEnabled: true }].",
  schema: {
    ...BUCKET_CLASS_SCHEMA,
    dataBucketAlgorithms: { type: "array", items: { type: "string" }, default: SSE_ALGORITHMS, description: "Default-encryption algorithms accepted on data buckets (narrow to aws:kms to require the stack key)." },
  },
  defaults: { ...BUCKET_CLASS_DEFAULTS, dataBucketAlgorithms: SSE_ALGORITHMS },
  check(ctx) {
    const configs = ctx.ofType(T.bucketSse, T.bucketSseV2);
    for (const b of bucketsOf(ctx)) {
      const { algorithms, unknown } = encryptionOf(b, configs);
      const data = isDataBucket(b, ctx.config);
      const allowed = data ? ctx.config.dataBucketAlgorithms : SSE_ALGORITHMS;
      const bad = algorithms.filter((a) => !allowed.includes(a));
      if (bad.length > 0) ctx.report(b, `the bucket's default encryption uses ${bad.join(", ")}, not one of ${allowed.join(", ")}.`);
      else if (data && algorithms.length === 0 && !unknown) ctx.report(b, "the data bucket declares no default encryption, so its protection is whatever the account default happens to be.");
    }
  },
});

export const s3DataBucketVersioning = stackPolicy<BucketClassConfig>({
  name: "s3-data-bucket-versioning",
  layer: "data",
  summary: "Data buckets (uploads, media, KYC documents) keep object versions, so an overwrite or delete can be undone. Log and static-site buckets are exempt: AWS services or each deploy rewrite them, and versions would only double their storage.",
  fix: "add an aws.s3.BucketVersioning for the bucket with versioningConfiguration { status: \"Enabled\" } (and a lifecycle rule expiring noncurrent versions).",
  schema: BUCKET_CLASS_SCHEMA,
  defaults: BUCKET_CLASS_DEFAULTS,
  check(ctx) {
    const versioning = ctx.ofType(T.bucketVersioning, T.bucketVersioningV2);
    for (const b of bucketsOf(ctx)) {
      if (!isDataBucket(b, ctx.config)) continue;
      const inline = b.props.versioning;
      if (inline === UNKNOWN || (inline && (inline.enabled === true || inline.enabled === UNKNOWN))) continue;
      const { found, unknown } = companions(b, versioning);
      const statuses = found.map((v) => (v.props.versioningConfiguration === UNKNOWN ? UNKNOWN : v.props.versioningConfiguration?.status));
      if (statuses.includes("Enabled") || statuses.includes(UNKNOWN) || unknown) continue;
      ctx.report(b, found.length > 0 ? `versioning on the data bucket is "${String(statuses[0])}", not "Enabled".` : "the data bucket keeps no object versions.");
    }
  },
});

export const s3DataBucketTlsOnly = stackPolicy<BucketClassConfig>({
  name: "s3-data-bucket-tls-only",
  layer: "data",
  summary: "Data buckets refuse every request that does not use TLS.",
  fix: "add a bucket policy statement { Effect: \"Deny\", Principal: \"*\", Action: \"s3:*\", Resource: [<bucket arn>, \"<bucket arn>/*\"], Condition: { Bool: { \"aws:SecureTransport\": \"false\" } } }.",
  schema: BUCKET_CLASS_SCHEMA,
  defaults: BUCKET_CLASS_DEFAULTS,
  check(ctx) {
    const policies = ctx.ofType(T.bucketPolicy);
    for (const b of bucketsOf(ctx)) {
      if (!isDataBucket(b, ctx.config)) continue;
      const { found, unknown } = companions(b, policies);
      const docs = [b.props.policy, ...found.map((p) => p.props.policy)].map(policyDocument);
      if (unknown || docs.includes(UNKNOWN)) continue;
      if (docs.some((d) => statements(d).some(isSecureTransportDeny))) continue;
      ctx.report(b, "the data bucket accepts requests over plain HTTP (no policy denies aws:SecureTransport = false).");
    }
  },
});

/** The enabled rules of a replication configuration, or UNKNOWN. */
function enabledRules(cfg: StackResource): any[] | typeof UNKNOWN {
  const rules = asList(cfg.props.rules);
  if (rules === UNKNOWN) return UNKNOWN;
  if (rules.some((r) => r === UNKNOWN || r?.status === UNKNOWN)) return UNKNOWN;
  return rules.filter((r) => r?.status === "Enabled");
}

/** Buckets some replication configuration writes to: copies, not sources that need a copy of their own. */
function replicaBuckets(buckets: StackResource[], configs: StackResource[]): Set<StackResource> {
  const out = new Set<StackResource>();
  for (const cfg of configs) {
    const rules = asList(cfg.props.rules);
    if (rules === UNKNOWN) continue;
    for (const rule of rules) {
      const dest = rule === UNKNOWN ? UNKNOWN : rule?.destination === UNKNOWN ? UNKNOWN : rule?.destination?.bucket;
      for (const b of buckets) if (refersTo(dest, b, cfg, "rules") === true) out.add(b);
    }
  }
  return out;
}

/** The region a bucket lives in, when the plan knows it. */
function bucketRegion(b: StackResource): string | undefined {
  const r = b.props.region ?? b.props.bucketRegion;
  return typeof r === "string" && r !== "" ? r : undefined;
}

export const s3DataBucketReplicatedProd = stackPolicy<BucketClassConfig & { environments: string[] }>({
  name: "s3-data-bucket-replicated-prod",
  layer: "data",
  summary: "In prod, every data bucket is copied to a bucket in another region by an enabled replication rule (delete markers too), so its objects survive losing the bucket or the region. The copies themselves need no copy.",
  fix: "add an aws.s3.BucketReplicationConfig on the bucket with an enabled rule to a versioned bucket in a second region (components/bucket-replica does this for media and KYC buckets when webapp-platform:dataReplicaRegion is set, as prod's profile does).",
  schema: {
    ...BUCKET_CLASS_SCHEMA,
    environments: { type: "array", items: { type: "string", enum: ["prod", "staging"] }, default: ["prod"], description: "Environments where the check applies." },
  },
  defaults: { ...BUCKET_CLASS_DEFAULTS, environments: ["prod"] },
  check(ctx) {
    if (!ctx.config.environments.includes(ctx.env)) return;
    const configs = ctx.ofType(T.bucketReplication);
    const buckets = bucketsOf(ctx);
    const replicas = replicaBuckets(buckets, configs);
    for (const b of buckets) {
      if (!isDataBucket(b, ctx.config) || replicas.has(b)) continue;
      const { found, unknown } = companions(b, configs);
      if (unknown) continue;
      const rules = found.map(enabledRules);
      if (rules.includes(UNKNOWN)) continue;
      const enabled = (rules as any[][]).flat();
      if (enabled.length === 0) {
        ctx.report(b, found.length > 0 ? "the data bucket's replication configuration has no enabled rule." : "the data bucket has no copy: losing the bucket (deleted, its versions purged) or its region loses every object.");
        continue;
      }
      const here = bucketRegion(b);
      const destinations = enabled.map((r) => (r?.destination === UNKNOWN ? UNKNOWN : r?.destination?.bucket));
      const sameRegion = destinations.every((d) => {
        const target = buckets.find((x) => refersTo(d, x, found[0], "rules") === true);
        const there = target ? bucketRegion(target) : undefined;
        return here !== undefined && there !== undefined && there === here;
      });
      if (sameRegion) ctx.report(b, `the data bucket is copied only within its own region (${here}), so losing the region loses both.`);
    }
  },
});

export const s3DataBucketAccessLogging = stackPolicy<BucketClassConfig>({
  name: "s3-data-bucket-access-logging",
  layer: "data",
  summary: "Every data bucket (and its copy) logs each request (S3 server access logging) to a log bucket, so who read or changed which object can be audited.",
  fix: "add an aws.s3.BucketLogging with targetBucket = a private log bucket that the logging service may write (components/private-bucket serverAccessLogs).",
  schema: BUCKET_CLASS_SCHEMA,
  defaults: BUCKET_CLASS_DEFAULTS,
  check(ctx) {
    const loggings = ctx.ofType(T.bucketLogging, T.bucketLoggingV2);
    for (const b of bucketsOf(ctx)) {
      if (!isDataBucket(b, ctx.config)) continue;
      const { found, unknown } = companions(b, loggings);
      if (unknown) continue;
      const targets = found.map((l) => l.props.targetBucket);
      if (targets.some((t) => t === UNKNOWN || (typeof t === "string" && t !== ""))) continue;
      ctx.report(b, "the data bucket has no server access logging: reads and deletes of its objects leave no trace.");
    }
  },
});

export const s3DataBucketOldVersionsExpire = stackPolicy<BucketClassConfig & { maxNoncurrentDays: number }>({
  name: "s3-data-bucket-old-versions-expire",
  layer: "data",
  summary: "Every versioned data bucket has an enabled lifecycle rule for all objects that expires replaced and deleted versions after at most maxNoncurrentDays (default 400) and aborts incomplete multipart uploads, so old versions stay restorable for a while without growing storage for ever.",
  fix: "add an aws.s3.BucketLifecycleConfiguration for the bucket with a rule { status: \"Enabled\", filter: {}, noncurrentVersionExpiration: { noncurrentDays: <days> }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }.",
  schema: {
    ...BUCKET_CLASS_SCHEMA,
    maxNoncurrentDays: { type: "integer", minimum: 1, default: 400, description: "Most days an old object version may be kept." },
  },
  defaults: { ...BUCKET_CLASS_DEFAULTS, maxNoncurrentDays: 400 },
  check(ctx) {
    const versioning = ctx.ofType(T.bucketVersioning, T.bucketVersioningV2);
    const lifecycles = ctx.ofType(T.bucketLifecycle, T.bucketLifecycleV2);
    for (const b of bucketsOf(ctx)) {
      if (!isDataBucket(b, ctx.config)) continue;
      const v = companions(b, versioning);
      const statuses = v.found.map((x) => (x.props.versioningConfiguration === UNKNOWN ? UNKNOWN : x.props.versioningConfiguration?.status));
      if (v.unknown || statuses.includes(UNKNOWN) || !statuses.includes("Enabled")) continue; // unversioned: s3-data-bucket-versioning's finding
      const l = companions(b, lifecycles);
      if (l.unknown) continue;
      const rules: any[] = [];
      let unknown = false;
      for (const c of l.found) {
        const rs = asList(c.props.rules);
        if (rs === UNKNOWN) unknown = true;
        else rules.push(...rs);
      }
      if (unknown || containsUnknown(rules)) continue;
      const forAll = rules.filter((r) => r?.status === "Enabled" && (r.filter === undefined || r.filter === null || Object.keys(r.filter).length === 0 || r.filter.prefix === ""));
      const days = forAll.map((r) => asNumber(r.noncurrentVersionExpiration?.noncurrentDays)).filter((d): d is number => typeof d === "number");
      const max = ctx.config.maxNoncurrentDays;
      if (days.length === 0) ctx.report(b, "no enabled lifecycle rule for all objects expires old versions, so every overwrite and delete is kept (and billed) for ever.");
      else if (Math.min(...days) > max) ctx.report(b, `old versions are kept ${Math.min(...days)} days, more than the ${max} allowed.`);
      if (!forAll.some((r) => asNumber(r.abortIncompleteMultipartUpload?.daysAfterInitiation) !== undefined)) {
        ctx.report(b, "no enabled lifecycle rule aborts incomplete multipart uploads, whose parts are billed until removed.");
      }
    }
  },
});

/** Keys of the stack (keys and aliases) that `value` (a key id, ARN or alias) refers to: true, false, or UNKNOWN. */
function isStackKey(value: unknown, holder: StackResource, keys: StackResource[], prop: string, allowed: string[]): boolean | Unknown {
  if (typeof value === "string" && allowed.includes(value)) return true;
  const links = keys.map((k) => refersTo(value, k, holder, prop));
  if (links.includes(true)) return true;
  return value === UNKNOWN ? UNKNOWN : false;
}

export const s3DataBucketKms = stackPolicy<BucketClassConfig & { allowedKeyIds: string[] }>({
  name: "s3-data-bucket-kms",
  layer: "data",
  summary: "Data buckets (and their copies) encrypt objects by default with SSE-KMS under a customer-managed key of this stack (the stack key, or the replica region's key), with S3 Bucket Keys on, so reading an object also needs the key's policy and KMS requests stay few. Log buckets are exempt: ALB access logs and S3 server access logs can only be delivered to SSE-S3 buckets, and CloudFront reads its log and site buckets without a key policy; s3-encryption still checks them.",
  fix: "add an aws.s3.BucketServerSideEncryptionConfiguration with rules [{ applyServerSideEncryptionByDefault: { sseAlgorithm: \"aws:kms\", kmsMasterKeyId: <the stack key's ARN> }, bucketKeyEnabled: true }] (components/private-bucket does when given kmsKeyArn). Existing objects keep their old encryption until rewritten.",
  schema: {
    ...BUCKET_CLASS_SCHEMA,
    allowedKeyIds: { type: "array", items: { type: "string" }, default: [], description: "Key ids, ARNs or aliases outside the stack that data buckets may use." },
  },
  defaults: { ...BUCKET_CLASS_DEFAULTS, allowedKeyIds: [] },
  check(ctx) {
    const configs = ctx.ofType(T.bucketSse, T.bucketSseV2);
    const keys = ctx.ofType(T.kmsKey, T.kmsAlias);
    for (const b of bucketsOf(ctx)) {
      if (!isDataBucket(b, ctx.config)) continue;
      const { rules, unknown } = defaultEncryptionRules(b, configs);
      if (rules.length === 0) {
        if (!unknown) ctx.report(b, "the data bucket declares no SSE-KMS default encryption, so new objects get S3's own SSE-S3 keys, which any principal with s3:GetObject can read.");
        continue;
      }
      for (const { rule, holder } of rules) {
        const by = rule?.applyServerSideEncryptionByDefault;
        if (by === UNKNOWN) continue;
        const alg = by?.sseAlgorithm;
        if (alg === UNKNOWN) continue;
        if (alg !== "aws:kms") {
          ctx.report(b, `the data bucket's default encryption is ${alg === undefined ? "not set in a rule" : `"${String(alg)}"`}, not SSE-KMS (aws:kms)${alg === "aws:kms:dsse" ? ", which cannot use S3 Bucket Keys" : ""}.`);
          continue;
        }
        const key = by?.kmsMasterKeyId;
        const prop = holder === b ? "serverSideEncryptionConfiguration" : "rules";
        if (key === undefined || key === null || key === "" || key === "alias/aws/s3") {
          ctx.report(b, "the data bucket uses SSE-KMS with the AWS managed key aws/s3 (no kmsMasterKeyId), whose policy lets every principal of the account with S3 access decrypt.");
        } else {
          const own = isStackKey(key, holder, keys, prop, ctx.config.allowedKeyIds);
          if (own === false) ctx.report(b, `the data bucket is encrypted with key "${String(key)}", which is not a key of this stack.`);
        }
        const bucketKey = asBool(rule?.bucketKeyEnabled);
        if (bucketKey !== UNKNOWN && bucketKey !== true) ctx.report(b, "S3 Bucket Keys are off (bucketKeyEnabled), so every object request calls KMS (cost, and KMS request quotas).");
      }
    }
  },
});

export const s3BucketAclsDisabled = stackPolicy({
  name: "s3-bucket-acls-disabled",
  layer: "data",
  summary: "Every bucket has an aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced: ACLs are disabled and the bucket owner owns every object, so access follows the bucket and IAM policies alone. A bucket that a service can still only write with ACLs (CloudFront standard logging) gets a named exemption with the reason.",
  fix: "add an aws.s3.BucketOwnershipControls for the bucket with rule { objectOwnership: \"BucketOwnerEnforced\" } (components/private-bucket's ownership option). Switching to it fails while an ACL grants access to another account; remove such grants first.",
  check(ctx) {
    const controls = ctx.ofType(T.bucketOwnershipControls);
    for (const b of bucketsOf(ctx)) {
      const { found, unknown } = companions(b, controls);
      const owners = found.map((c) => (c.props.rule === UNKNOWN ? UNKNOWN : c.props.rule?.objectOwnership));
      if (owners.includes(UNKNOWN)) continue;
      if (found.length === 0) {
        if (!unknown) ctx.report(b, "the bucket has no ownership controls, so whether ACLs apply depends on when and how it was created (buckets from before April 2023 keep them).");
        continue;
      }
      const other = owners.filter((o) => o !== "BucketOwnerEnforced");
      if (other.length > 0) ctx.report(b, `object ownership is "${String(other[0])}", so ACLs still grant access to objects.`);
    }
  },
});

export const s3BucketPolicyNoLockout = resourcePolicy({
  name: "s3-bucket-policy-no-lockout",
  layer: "data",
  summary: "No bucket policy denies every principal (Principal \"*\", or everyone but a few through NotPrincipal or an ArnNotEquals aws:PrincipalArn condition) both changing and deleting the policy without any other condition: that locks everyone out of the bucket's policy, and only the account's root user can remove it. A deny that also has a narrowing condition (aws:SecureTransport false, a source VPC) is fine.",
  fix: "narrow the Deny: add a condition that only bad requests meet (e.g. Bool aws:SecureTransport false), or leave s3:PutBucketPolicy and s3:DeleteBucketPolicy out of its actions (deny object actions, as components/document-bucket does).",
  severity: "critical",
  types: [T.bucketPolicy, ...BUCKETS],
  check(r, ctx) {
    const doc = policyDocument(r.props.policy);
    if (doc === UNKNOWN || !doc) return;
    for (const s of statements(doc)) {
      if (containsUnknown(s)) continue;
      const scope = lockoutScope(s);
      if (!scope) continue;
      const sid = typeof s.Sid === "string" && s.Sid !== "" ? `statement "${s.Sid}"` : "a statement";
      ctx.report(`${sid} denies ${scope} s3:PutBucketPolicy and s3:DeleteBucketPolicy without a narrowing condition: ${scope === "everyone" ? "no one" : "no one but the principals it names"} can change or remove the policy again, short of the account's root user.`);
    }
  },
});

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(value);
}

/** Whether a backup selection covers a database: by ARN (or wildcard), by tag, or by dependency when unknown. */
function selectionCovers(sel: StackResource, db: StackResource): boolean | typeof UNKNOWN {
  const arn = db.props.arn;
  const resources = asList(sel.props.resources);
  const excluded = asList(sel.props.notResources);
  if (resources === UNKNOWN || excluded === UNKNOWN) return sel.dependencies.includes(db) ? true : UNKNOWN;
  if (typeof arn === "string" && excluded.some((p) => typeof p === "string" && globMatch(p, arn))) return false;
  let unknown = false;
  for (const p of resources) {
    if (p === UNKNOWN) {
      if (sel.dependencies.includes(db)) return true;
      unknown = true;
    } else if (typeof p === "string") {
      if (p === "*") return true;
      if (typeof arn === "string" && globMatch(p, arn)) return true;
      if (arn === UNKNOWN) {
        if (sel.dependencies.includes(db)) return true;
        unknown = true;
      }
    }
  }
  const tagRules = asList(sel.props.selectionTags);
  if (tagRules === UNKNOWN) return UNKNOWN;
  for (const t of tagRules) {
    if (!t || t === UNKNOWN || t.key === UNKNOWN || t.value === UNKNOWN) { unknown = true; continue; }
    if (tagValue(db.tags, t.key) === t.value) return true;
  }
  const conditions = sel.props.conditions;
  if (conditions === UNKNOWN) return UNKNOWN;
  for (const c of Array.isArray(conditions) ? conditions : conditions ? [conditions] : []) {
    const eq = asList(c?.stringEquals);
    if (eq === UNKNOWN) { unknown = true; continue; }
    for (const e of eq) {
      const key = typeof e?.key === "string" ? e.key.replace(/^aws:ResourceTag\//, "") : undefined;
      if (key && tagValue(db.tags, key) === e.value) return true;
    }
  }
  return unknown ? UNKNOWN : false;
}

export const backupCoversDatabases = stackPolicy<{ environments: string[] }>({
  name: "backup-covers-databases",
  layer: "data",
  summary: "In prod, an AWS Backup selection covers every database, so copies survive the database's deletion and its own retention window.",
  fix: "add the database's ARN to the app's AppBackup (components/backups) resourceArns, or select it by tag.",
  schema: { environments: { type: "array", items: { type: "string", enum: ["prod", "staging"] }, default: ["prod"], description: "Environments where the check applies." } },
  defaults: { environments: ["prod"] },
  check(ctx) {
    if (!ctx.config.environments.includes(ctx.env)) return;
    const selections = ctx.ofType(T.backupSelection);
    for (const db of ctx.ofType(T.rdsInstance, T.rdsCluster)) {
      if (isReplica(db)) continue;
      const covers = selections.map((s) => selectionCovers(s, db));
      if (covers.includes(true) || covers.includes(UNKNOWN)) continue;
      ctx.report(db, "no AWS Backup selection covers the database.");
    }
  },
});

export const backupVaultStackKey = stackPolicy<{ allowedKeyIds: string[] }>({
  name: "backup-vault-stack-key",
  layer: "data",
  summary: "Every AWS Backup vault encrypts its recovery points with a customer-managed KMS key of this stack (kmsKeyArn), not AWS Backup's default aws/backup key, so restoring a copy also needs the key's policy.",
  fix: "set kmsKeyArn on the vault to the stack key's ARN (components/backups requires it). The key of an existing vault cannot change: a new vault (another name) is needed, and recovery points stay in the old one until they expire.",
  schema: { allowedKeyIds: { type: "array", items: { type: "string" }, default: [], description: "Key ids, ARNs or aliases outside the stack that vaults may use." } },
  defaults: { allowedKeyIds: [] },
  check(ctx) {
    const keys = ctx.ofType(T.kmsKey, T.kmsAlias);
    for (const v of ctx.ofType(T.backupVault)) {
      const key = v.props.kmsKeyArn;
      if (key === undefined || key === null || key === "" || key === "alias/aws/backup") {
        ctx.report(v, "the vault has no kmsKeyArn, so AWS Backup encrypts its recovery points with the AWS managed key aws/backup.");
        continue;
      }
      if (isStackKey(key, v, keys, "kmsKeyArn", ctx.config.allowedKeyIds) === false) ctx.report(v, `the vault is encrypted with key "${String(key)}", which is not a key of this stack.`);
    }
  },
});

const IMMUTABLE_TAGS = ["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"];

export const ecrRepositoryHardened = stackPolicy({
  name: "ecr-repository-hardened",
  layer: "data",
  summary: "Every ECR repository scans images on push, keeps its tags immutable, encrypts images with a customer-managed KMS key (the stack key) and expires old images with a lifecycle policy.",
  fix: 'set imageScanningConfiguration { scanOnPush: true }, imageTagMutability "IMMUTABLE", encryptionConfigurations [{ encryptionType: "KMS", kmsKey: <the stack key ARN> }], and add an aws.ecr.LifecyclePolicy for the repository.',
  check(ctx) {
    const lifecycles = ctx.ofType(T.ecrLifecyclePolicy);
    for (const repo of ctx.ofType(T.ecrRepository)) {
      const p = repo.props;
      const scan = p.imageScanningConfiguration === UNKNOWN ? UNKNOWN : asBool(p.imageScanningConfiguration?.scanOnPush);
      if (scan !== UNKNOWN && scan !== true) ctx.report(repo, "images are not scanned on push (imageScanningConfiguration.scanOnPush).");
      const mutability = p.imageTagMutability ?? "MUTABLE";
      if (mutability !== UNKNOWN && !IMMUTABLE_TAGS.includes(mutability)) ctx.report(repo, `its tags are ${mutability}: a pushed tag can be made to name another image.`);
      const encryption = asList(p.encryptionConfigurations);
      if (encryption !== UNKNOWN) {
        const e = encryption[0];
        if (e !== UNKNOWN && (e?.encryptionType ?? "AES256") !== UNKNOWN && (e?.encryptionType ?? "AES256") !== "KMS") ctx.report(repo, "images are encrypted with S3-managed keys (AES256), not a customer-managed KMS key.");
        else if (e !== UNKNOWN && e?.encryptionType === "KMS" && (e.kmsKey === undefined || e.kmsKey === "")) ctx.report(repo, "images are encrypted with the AWS managed aws/ecr key, not the stack's own key (kmsKey).");
      }
      const links = lifecycles.map((l) => refersTo(l.props.repository, repo, l, "repository"));
      if (!links.includes(true) && !links.includes(UNKNOWN)) ctx.report(repo, "no lifecycle policy expires its old and untagged images.");
    }
  },
});

/** The AWS managed SNS key: its policy cannot be changed, so CloudWatch and EventBridge cannot publish to topics under it. */
const AWS_MANAGED_SNS_KEY = "alias/aws/sns";

export const snsTopicEncrypted = resourcePolicy({
  name: "sns-topic-encrypted",
  layer: "data",
  summary: `Every SNS topic encrypts its messages at rest with a customer-managed KMS key (kmsMasterKeyId), not the AWS managed ${AWS_MANAGED_SNS_KEY} key, whose fixed policy lets no CloudWatch alarm publish, so alerts would be lost without an error.`,
  fix: "set kmsMasterKeyId to the stack key's ARN (components/monitoring AlertTopic takes kmsKeyId), whose policy lets cloudwatch.amazonaws.com use it; a topic in a region without a stack key gets a named exemption with the reason.",
  types: [T.snsTopic],
  check(r, ctx) {
    const key = asString(r.props.kmsMasterKeyId);
    if (key === UNKNOWN) return;
    if (key === undefined || key === "") ctx.report("the topic has no kmsMasterKeyId, so its messages are stored unencrypted.");
    else if (key === AWS_MANAGED_SNS_KEY) ctx.report(`the topic uses the AWS managed key ${AWS_MANAGED_SNS_KEY}, which CloudWatch alarms cannot use: their notifications fail.`);
  },
});

export const DATA_POLICIES = [
  rdsStorageEncrypted, rdsInstanceHardened, rdsBackupRetention, rdsMultiAzProd, rdsDeletionProtectionProd, rdsFinalSnapshotProd,
  elasticacheAtRest, elasticacheAuth, elasticacheFailoverProd,
  s3PublicAccessBlocked, s3Encryption, s3DataBucketVersioning, s3DataBucketTlsOnly,
  s3DataBucketReplicatedProd, s3DataBucketAccessLogging, s3DataBucketOldVersionsExpire, backupCoversDatabases, ecrRepositoryHardened,
  rdsLogExports, rdsIamAuth, rdsEnhancedMonitoringProd, rdsPostgresQueryLogging,
  s3DataBucketKms, s3BucketAclsDisabled, s3BucketPolicyNoLockout, backupVaultStackKey, snsTopicEncrypted,
];
