/**
 * The rules of an app's PostgreSQL on RDS, in one place: config validation applies them to what
 * users type (config/data.ts), components/postgres.ts to its args. Pure.
 */

/** DBName: 1-63 letters, digits and _, a letter first. */
export const POSTGRES_DB_NAME_RE = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;
/** DBName "can't be a word reserved by the database engine": PostgreSQL's own and RDS's databases. */
export const POSTGRES_RESERVED_DB_NAMES: readonly string[] = ["postgres", "template0", "template1", "rdsadmin"];

/** Why `name` cannot be a PostgreSQL database name on RDS, or undefined. */
export function postgresDbNameProblem(name: string): string | undefined {
  if (!POSTGRES_DB_NAME_RE.test(name)) return `"${name}" must start with a letter and use letters, digits and _ (at most 63)`;
  if (POSTGRES_RESERVED_DB_NAMES.includes(name)) return `"${name}" is reserved by PostgreSQL or RDS (${POSTGRES_RESERVED_DB_NAMES.join(", ")}); choose another name`;
  return undefined;
}

/** gp3 storage in GiB the program allows, allocated and the autoscaling ceiling. */
export const POSTGRES_STORAGE_GB = { min: 20, max: 16384 } as const;
/** Automated backup retention in days, as RDS takes it (BackupRetentionPeriod; 0 turns backups off). */
export const POSTGRES_BACKUP_RETENTION_DAYS = { min: 0, max: 35 } as const;
/** The max_connections the program lets an app set in its parameter group. */
export const POSTGRES_MAX_CONNECTIONS = { min: 10, max: 5000 } as const;
