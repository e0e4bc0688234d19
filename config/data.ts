/** The data settings of an app: its PostgreSQL database and its Redis cache. Pure. */
import { POSTGRES_BACKUP_RETENTION_DAYS, POSTGRES_MAX_CONNECTIONS, POSTGRES_STORAGE_GB, postgresDbNameProblem } from "../lib/postgres";
import { EnvironmentProfile } from "./profiles";
import { Reader } from "./reader";
import { CacheConfig, DatabaseConfig, Environment } from "./types";

export function parseDatabase(r: Reader, app: string, environment: Environment, profile: EnvironmentProfile): DatabaseConfig {
  r.onlyKeys(["enabled", "name", "instanceClass", "allocatedStorageGb", "maxAllocatedStorageGb", "backupRetentionDays", "multiAz", "maxConnections", "readReplica"]);
  const storage = POSTGRES_STORAGE_GB;
  const retention = POSTGRES_BACKUP_RETENTION_DAYS;
  const allocatedStorageGb = r.int("allocatedStorageGb", profile.db.allocatedStorageGb, storage.min, storage.max);
  const db: DatabaseConfig = {
    enabled: r.bool("enabled", true),
    name: r.str("name", app.replace(/-/g, "_"), postgresDbNameProblem),
    instanceClass: r.str("instanceClass", profile.dbInstanceClasses[0], (v) =>
      profile.dbInstanceClasses.includes(v) ? undefined : `"${v}" is not allowed in ${environment}; allowed: ${profile.dbInstanceClasses.join(", ")}`),
    allocatedStorageGb,
    maxAllocatedStorageGb: r.int("maxAllocatedStorageGb", Math.max(profile.db.maxAllocatedStorageGb, allocatedStorageGb), storage.min, storage.max),
    backupRetentionDays: r.int("backupRetentionDays", profile.db.backupRetentionDays, retention.min, retention.max),
    multiAz: r.bool("multiAz", profile.db.multiAz),
    maxConnections: r.has("maxConnections") ? r.int("maxConnections", undefined, POSTGRES_MAX_CONNECTIONS.min, POSTGRES_MAX_CONNECTIONS.max) : undefined,
    readReplica: r.bool("readReplica", false),
  };
  if (db.maxAllocatedStorageGb < db.allocatedStorageGb) {
    r.fail("maxAllocatedStorageGb", `must be at least allocatedStorageGb (${db.allocatedStorageGb}), got ${db.maxAllocatedStorageGb}`);
  }
  if (db.backupRetentionDays < profile.db.minBackupRetentionDays) {
    r.fail("backupRetentionDays", `${environment} keeps automated backups at least ${profile.db.minBackupRetentionDays} days (at most ${retention.max}), got ${db.backupRetentionDays}`);
  }
  if (environment === "prod" && !db.multiAz) r.fail("multiAz", "prod databases run Multi-AZ; remove the override");
  return db;
}

export function parseCache(r: Reader, environment: Environment, profile: EnvironmentProfile): CacheConfig {
  r.onlyKeys(["enabled", "nodeType", "numNodes", "snapshotRetentionDays"]);
  const cache: CacheConfig = {
    enabled: r.bool("enabled", false),
    nodeType: r.str("nodeType", profile.cacheNodeTypes[0], (v) =>
      profile.cacheNodeTypes.includes(v) ? undefined : `"${v}" is not allowed in ${environment}; allowed: ${profile.cacheNodeTypes.join(", ")}`),
    numNodes: r.int("numNodes", profile.cache.numNodes, 1, 6),
    snapshotRetentionDays: r.int("snapshotRetentionDays", profile.cache.snapshotRetentionDays, 0, 35),
  };
  if (cache.numNodes < profile.cache.minNodes) {
    r.fail("numNodes", `${environment} caches run at least ${profile.cache.minNodes} nodes for automatic failover, got ${cache.numNodes}`);
  }
  if (profile.protectData && cache.snapshotRetentionDays < 1) r.fail("snapshotRetentionDays", `${environment} keeps cache snapshots at least 1 day, got ${cache.snapshotRetentionDays}`);
  return cache;
}
