/**
 * What the data-store stand-ins must start for one app, read from the recorded plan. Pure: no
 * processes, no files.
 *
 * The values come from what the host will really read at boot, the connection secrets
 * (`<stack>/<app>/DATABASE`, `<stack>/<app>/REDIS` in Secrets Manager), and are cross-checked
 * against the resources that create the database and the cache (`aws:rds/instance:Instance`
 * dbName / username / password / port, `aws:elasticache/replicationGroup:ReplicationGroup`
 * authToken / port): a disagreement between the two is a defect of the program, so it throws.
 */
import type { RecordedResource, Recording } from "../../../test/harness";

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
export const SECRET = "aws:secretsmanager/secret:Secret";
export const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

export interface PostgresPlan {
  /** The database the plan creates (RDS `dbName`). */
  dbName: string;
  /** The master user (RDS `username`). */
  username: string;
  /** The master password (the connection secret's, equal to the instance's). */
  password: string;
  /** RDS `port` (5432). */
  port: number;
  /** The endpoint name the host connects to (the secret's `host`, RDS `address`): the stand-in's certificate names it. */
  host: string;
  /** The read replica's endpoint, when the plan has one (the same stand-in serves it). */
  replicaHost?: string;
  /** `sslmode` the connection secret asks for. */
  sslmode: string;
  /** Secrets Manager name of the connection secret (what the host fetches). */
  secretName: string;
  /** The secret's JSON exactly as recorded (the AWS stand-in can serve it with the host rewritten). */
  secretValue: Record<string, unknown>;
  /** RDS `engineVersion` (16): the stand-in runs Debian's PostgreSQL, whatever major that is. */
  engineVersion: string;
  /** RDS `caCertIdentifier` (rds-ca-rsa2048-g1). */
  caCertIdentifier?: string;
}

export interface RedisPlan {
  /** The AUTH token (`requirepass`): the secret's `authToken`, equal to the group's. */
  authToken: string;
  port: number;
  /** Primary endpoint name (the secret's `host`). */
  host: string;
  readerHost?: string;
  /** The group has transit encryption on (it must: ElastiCache AUTH needs TLS). */
  tls: boolean;
  secretName: string;
  secretValue: Record<string, unknown>;
  engineVersion: string;
}

export interface DataPlan {
  app: string;
  stack: string;
  postgres?: PostgresPlan;
  redis?: RedisPlan;
}

/** The resource's component: the last segment of its parent URN (`...::<app>-db`). */
function parentName(r: RecordedResource): string {
  return r.parent ? r.parent.slice(r.parent.lastIndexOf("::") + 2) : "";
}

/** The recorded value of the Secrets Manager secret named `name`, parsed as JSON. */
function secretJson(rec: Recording, name: string): Record<string, unknown> | undefined {
  const secret = rec.ofType(SECRET).find((s) => s.inputs.name === name);
  if (!secret) return undefined;
  const keys = new Set([secret.id, secret.outputs.id, secret.outputs.arn].filter(Boolean));
  const version = rec.ofType(SECRET_VERSION).find((v) => keys.has(v.inputs.secretId));
  if (!version || typeof version.inputs.secretString !== "string") {
    throw new Error(`secret ${name} has no recorded version with a secretString`);
  }
  const value = JSON.parse(version.inputs.secretString);
  if (!value || typeof value !== "object") throw new Error(`secret ${name} is not a JSON object`);
  return value as Record<string, unknown>;
}

function mismatch(app: string, what: string, a: unknown, b: unknown): never {
  // Never echo a secret value: name the field only.
  throw new Error(`${app}: the connection secret's ${what} differs from the resource that creates it (${typeof a} vs ${typeof b})`);
}

/**
 * The data stores of `app` in the recording: PostgreSQL (when the app has an RDS instance) and
 * Redis (when it has a replication group). `app` is the config key (smartboostpro, avanii-shop).
 */
export function dataPlanFor(rec: Recording, app: string): DataPlan {
  const plan: DataPlan = { app, stack: rec.stack };
  const db = rec.ofType(RDS_INSTANCE).filter((r) => parentName(r) === `${app}-db` && !r.inputs.replicateSourceDb);
  if (db.length > 1) throw new Error(`${app}: ${db.length} primary RDS instances (${db.map((d) => d.name).join(", ")}); expected one`);
  if (db.length === 1) {
    const i = db[0].inputs;
    const secretName = `${rec.stack}/${app}/DATABASE`;
    const s = secretJson(rec, secretName);
    if (!s) throw new Error(`${app}: has an RDS instance but no connection secret ${secretName}`);
    const port = Number(i.port ?? 5432);
    if (s.dbname !== i.dbName) mismatch(app, "dbname", s.dbname, i.dbName);
    if (s.username !== i.username) mismatch(app, "username", s.username, i.username);
    if (s.password !== i.password) mismatch(app, "password", s.password, i.password);
    if (Number(s.port) !== port) mismatch(app, "port", s.port, port);
    plan.postgres = {
      dbName: String(i.dbName), username: String(i.username), password: String(i.password), port,
      host: String(s.host), replicaHost: typeof s.replicaHost === "string" ? s.replicaHost : undefined,
      sslmode: String(s.sslmode ?? ""), secretName, secretValue: s,
      engineVersion: String(i.engineVersion ?? ""), caCertIdentifier: i.caCertIdentifier,
    };
  }
  const cache = rec.ofType(REPLICATION_GROUP).filter((r) => parentName(r) === `${app}-cache`);
  if (cache.length > 1) throw new Error(`${app}: ${cache.length} replication groups; expected one`);
  if (cache.length === 1) {
    const i = cache[0].inputs;
    const secretName = `${rec.stack}/${app}/REDIS`;
    const s = secretJson(rec, secretName);
    if (!s) throw new Error(`${app}: has a replication group but no secret ${secretName}`);
    const port = Number(i.port ?? 6379);
    if (s.authToken !== i.authToken) mismatch(app, "authToken", s.authToken, i.authToken);
    if (Number(s.port) !== port) mismatch(app, "port", s.port, port);
    plan.redis = {
      authToken: String(i.authToken), port, host: String(s.host),
      readerHost: typeof s.readerHost === "string" ? s.readerHost : undefined,
      tls: i.transitEncryptionEnabled === true && s.tls === true, secretName, secretValue: s,
      engineVersion: String(i.engineVersion ?? ""),
    };
  }
  return plan;
}

/** Every app in the recording that has a database or a cache. */
export function appsWithData(rec: Recording): string[] {
  const apps = new Set<string>();
  for (const r of rec.ofType(RDS_INSTANCE)) { const p = parentName(r); if (p.endsWith("-db")) apps.add(p.slice(0, -3)); }
  for (const r of rec.ofType(REPLICATION_GROUP)) { const p = parentName(r); if (p.endsWith("-cache")) apps.add(p.slice(0, -6)); }
  return [...apps].sort();
}

/**
 * The connection secret as the stand-in should serve it: the same JSON with the endpoint
 * names kept (the DNS stand-in maps them to the stand-in's address) and the same credentials.
 * `hostOverride` replaces the host names (and URLs) when no DNS stand-in resolves them. Pure.
 */
export function connectionSecretFor(p: PostgresPlan, hostOverride?: string): Record<string, unknown> {
  if (!hostOverride) return { ...p.secretValue };
  const out: Record<string, unknown> = { ...p.secretValue, host: hostOverride };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === "string" && /_URL$/.test(k)) out[k] = v.split(`@${p.host}:`).join(`@${hostOverride}:`).split(`@${p.replicaHost ?? "\u0000"}:`).join(`@${hostOverride}:`);
  }
  if (p.replicaHost) out.replicaHost = hostOverride;
  return out;
}

/** As connectionSecretFor, for the Redis secret. Pure. */
export function redisSecretFor(p: RedisPlan, hostOverride?: string): Record<string, unknown> {
  if (!hostOverride) return { ...p.secretValue };
  const out: Record<string, unknown> = { ...p.secretValue, host: hostOverride };
  if (p.readerHost) out.readerHost = hostOverride;
  if (typeof out.REDIS_URL === "string") out.REDIS_URL = out.REDIS_URL.split(`@${p.host}:`).join(`@${hostOverride}:`);
  return out;
}
