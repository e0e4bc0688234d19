/**
 * Data protection: encryption at rest, backups kept long enough and covered by AWS Backup
 * in prod, deletion protection and final snapshots in prod, S3 public access blocked,
 * data buckets versioned and reachable over TLS only, Redis with AUTH (the seeds' "setup
 * automated backups", "encrypted passwords" and "media on S3, never only on the disk").
 */
import { perEnvironmentSchema } from "./lib/config";
import { resourcePolicy, stackPolicy, StackResource } from "./lib/define";
import { BUCKET_CLASS_DEFAULTS, BUCKET_CLASS_SCHEMA, BucketClassConfig, bucketsOf, companions, isDataBucket, isSecureTransportDeny, policyDocument, statements } from "./lib/buckets";
import { refersTo } from "./lib/refs";
import { T } from "./lib/types";
import { UNKNOWN, asBool, asList, asNumber, containsUnknown, tagValue } from "./lib/values";

/** A read replica: backups, Multi-AZ and final snapshots belong to its source. */
export function isReplica(props: Record<string, any>): boolean {
  const src = props.replicateSourceDb;
  return src === UNKNOWN || (typeof src === "string" && src !== "");
}

const RDS_TYPES = [T.rdsInstance, T.rdsCluster];

export const rdsStorageEncrypted = resourcePolicy({
  name: "rds-storage-encrypted",
  layer: "data",
  summary: "Database storage, snapshots and backups are encrypted at rest with KMS.",
  fix: "set storageEncrypted: true (and kmsKeyId to the stack's key). An existing unencrypted database must be restored from an encrypted snapshot copy.",
  severity: "critical",
  types: RDS_TYPES,
  check(r, ctx) {
    const enc = asBool(r.props.storageEncrypted);
    if (enc === UNKNOWN || enc === true) return;
    if (enc === undefined && isReplica(r.props)) return; // a replica inherits its source's encryption
    ctx.report(enc === false ? "storage encryption is explicitly off." : "storageEncrypted is not set, so the database is stored unencrypted.");
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
    if (isReplica(r.props)) return;
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
    if (ctx.env !== "prod" || isReplica(r.props)) return;
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
    if (ctx.env !== "prod" || isReplica(r.props)) return;
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
    if (ctx.env !== "prod" || isReplica(r.props)) return;
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

export const elasticacheAtRest = resourcePolicy({
  name: "elasticache-encryption-at-rest",
  layer: "data",
  summary: "Redis data and snapshots are encrypted at rest.",
  fix: "set atRestEncryptionEnabled: true (and kmsKeyId to the stack's key). Changing it replaces the replication group.",
  types: [T.replicationGroup],
  check(r, ctx) {
    const on = asBool(r.props.atRestEncryptionEnabled);
    if (on === UNKNOWN || on === true) return;
    ctx.report("at-rest encryption is not enabled on the replication group.");
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
  else if (inline && typeof inline === "object") { collect(inline.rule); collect(inline.rules); }
  const { found, unknown: u } = companions(b, configs);
  if (u) unknown = true;
  for (const c of found) { collect(c.props.rule); collect(c.props.rules); }
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
      if (isReplica(db.props)) continue;
      const covers = selections.map((s) => selectionCovers(s, db));
      if (covers.includes(true) || covers.includes(UNKNOWN)) continue;
      ctx.report(db, "no AWS Backup selection covers the database.");
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

export const DATA_POLICIES = [
  rdsStorageEncrypted, rdsBackupRetention, rdsMultiAzProd, rdsDeletionProtectionProd, rdsFinalSnapshotProd,
  elasticacheAtRest, elasticacheAuth, elasticacheFailoverProd,
  s3PublicAccessBlocked, s3Encryption, s3DataBucketVersioning, s3DataBucketTlsOnly, backupCoversDatabases, ecrRepositoryHardened,
];
