/**
 * Parses and validates a stack's raw configuration into a `StackConfig`, applying the
 * environment profile's defaults in one place. Pure: no Pulumi resources, no I/O.
 *
 * Every problem is reported with the full config key (`webapp-platform:apps.shop.domain`)
 * and what is allowed; all problems are collected and thrown together as one ConfigError
 * before the program creates anything.
 */
import { formatCidr, isPrivate, overlaps, parseCidr, subdivide } from "./cidr";
import { EnvironmentProfile, PROFILES } from "./profiles";
import {
  APP_SECRET_KINDS, ARCHITECTURES, AppConfig, AppSecretKind, BACKUP_SCHEDULES, CacheConfig,
  ContainerServiceConfig, DatabaseConfig, DnsConfig, ENVIRONMENTS, Environment, FRAME_OPTIONS,
  FleetSize, HeadersConfig, NAT_STRATEGIES, NetworkConfig, PathRateLimit, RUNTIMES,
  RateLimitConfig, Runtime, StackConfig,
} from "./types";

export const PROJECT = "webapp-platform";

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Tags the program always sets itself. */
export const RESERVED_TAGS = ["app", "environment", "managed-by"];

const REFERRER_POLICIES = [
  "no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin",
  "same-origin", "strict-origin", "strict-origin-when-cross-origin",
];

/** Docker's default bridge: a VPC overlapping it makes container hosts unreachable. */
const DOCKER_BRIDGE = parseCidr("172.17.0.0/16") as ReturnType<typeof subdivide>;

const DEFAULT_PORT: Record<Runtime, number> = { django: 8000, flask: 8000, rust: 3000 };
const DEFAULT_SECRETS: Record<Runtime, AppSecretKind[]> = {
  django: ["DJANGO_SECRET_KEY"],
  flask: ["FLASK_SECRET_KEY"],
  rust: ["JWT_SIGNING_KEY"],
};
const DEFAULT_CSP = "default-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

type Raw = Record<string, unknown>;

/** Collects problems while reading one object of raw config. */
class Reader {
  constructor(
    readonly problems: string[],
    readonly raw: Raw,
    readonly path: string,
  ) {}

  key(field: string): string {
    return `${this.path}.${field}`;
  }

  fail(field: string, message: string): void {
    this.problems.push(`${this.key(field)}: ${message}`);
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  /** Reports keys that are not in `allowed`, suggesting the nearest allowed key. */
  onlyKeys(allowed: readonly string[]): void {
    for (const k of Object.keys(this.raw)) {
      if (allowed.includes(k)) continue;
      const near = nearest(k, allowed);
      this.fail(k, `unknown key${near ? `; did you mean "${near}"?` : ""} Allowed keys: ${allowed.join(", ")}`);
    }
  }

  str(field: string, fallback?: string, check?: (v: string) => string | undefined): string {
    const v = this.raw[field];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.fail(field, "is required");
      return fallback ?? "";
    }
    if (typeof v !== "string" || v.length === 0) {
      this.fail(field, `must be a non-empty string, got ${JSON.stringify(v)}`);
      return fallback ?? "";
    }
    const problem = check?.(v);
    if (problem) this.fail(field, problem);
    return v;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T {
    const v = this.str(field, fallback);
    if (v && !allowed.includes(v as T)) {
      const near = nearest(v, allowed);
      this.fail(field, `"${v}" is not allowed${near ? ` (did you mean "${near}"?)` : ""}; allowed: ${allowed.join(", ")}`);
      return fallback ?? allowed[0];
    }
    return v as T;
  }

  int(field: string, fallback: number | undefined, min: number, max: number): number {
    let v = this.raw[field];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.fail(field, "is required");
      return fallback ?? min;
    }
    if (typeof v === "string" && /^-?\d+$/.test(v)) v = Number(v);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.fail(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return fallback ?? min;
    }
    return v;
  }

  bool(field: string, fallback: boolean): boolean {
    const v = this.raw[field];
    if (v === undefined || v === null) return fallback;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    this.fail(field, `must be true or false, got ${JSON.stringify(v)}`);
    return fallback;
  }

  obj(field: string): Reader {
    const v = this.raw[field];
    if (v === undefined || v === null) return new Reader(this.problems, {}, this.key(field));
    if (typeof v !== "object" || Array.isArray(v)) {
      this.fail(field, `must be a map of settings, got ${JSON.stringify(v)}`);
      return new Reader(this.problems, {}, this.key(field));
    }
    return new Reader(this.problems, v as Raw, this.key(field));
  }

  list(field: string): unknown[] {
    const v = this.raw[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(field, `must be a list, got ${JSON.stringify(v)}`);
      return [];
    }
    return v;
  }

  stringMap(field: string, check: (k: string, v: string) => string | undefined): Record<string, string> {
    const r = this.obj(field);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.raw)) {
      if (typeof v !== "string") {
        r.fail(k, `must be a string, got ${JSON.stringify(v)}`);
        continue;
      }
      const problem = check(k, v);
      if (problem) r.fail(k, problem);
      else out[k] = v;
    }
    return out;
  }
}

/** Edit distance, for "did you mean" hints on misspelt keys and values. */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

const HOSTNAME_RE = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL_RE = /^[A-Za-z0-9._%+-]+@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const APP_NAME_RE = /^[a-z][a-z0-9-]{1,19}$/;

function checkHostname(v: string): string | undefined {
  return HOSTNAME_RE.test(v) ? undefined : `"${v}" is not a lower-case DNS name like shop.example.com`;
}

function isUnder(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** Validates the raw project config (keys without the `webapp-platform:` prefix). */
export function parseStackConfig(raw: Raw, stack: string, region: string | undefined): StackConfig {
  const problems: string[] = [];
  const top = new Reader(problems, raw, PROJECT);
  // Top-level keys are written `webapp-platform:key`, not `webapp-platform.key`.
  const fix = (p: string) => p.split(`${PROJECT}.`).join(`${PROJECT}:`);

  top.onlyKeys(["environment", "network", "alertEmail", "adminCidrs", "verifyAfterDeploy", "logRetentionDays", "tags", "apps"]);
  const environment = top.oneOf<Environment>("environment", ENVIRONMENTS);
  const profile = PROFILES[environment] ?? PROFILES.staging;

  if (!region) problems.push("aws:region: is required (for example eu-west-1)");
  else if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) problems.push(`aws:region: "${region}" is not an AWS region name like eu-west-1`);

  let logRetentionDays = top.int("logRetentionDays", profile.logRetentionDays, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    top.fail("logRetentionDays", `${logRetentionDays} is not a CloudWatch Logs retention; allowed: ${LOG_RETENTION_DAYS.join(", ")}`);
    logRetentionDays = profile.logRetentionDays;
  }
  const network = parseNetwork(top.obj("network"), profile, logRetentionDays);
  const alertEmail = top.str("alertEmail", undefined, (v) => (EMAIL_RE.test(v) ? undefined : `"${v}" is not an e-mail address`));
  const adminCidrs = parseAdminCidrs(top);
  const verifyAfterDeploy = top.bool("verifyAfterDeploy", false);
  const tags = top.stringMap("tags", (k, v) => {
    if (RESERVED_TAGS.includes(k)) return `is set by the program; remove it (reserved tags: ${RESERVED_TAGS.join(", ")})`;
    if (k.toLowerCase().startsWith("aws:")) return "tag keys may not start with aws:";
    if (k.length > 128 || v.length > 256) return "tag keys are at most 128 characters and values at most 256";
    return undefined;
  });

  const appsReader = top.obj("apps");
  const apps: AppConfig[] = [];
  if (Object.keys(appsReader.raw).length === 0) top.fail("apps", "is required: declare at least one app (name -> architecture, domain, dns, ...)");
  for (const name of Object.keys(appsReader.raw)) {
    if (!APP_NAME_RE.test(name)) {
      appsReader.fail(name, "app names are 2-20 characters: lower-case letters, digits and -, starting with a letter (they become resource and bucket names)");
      continue;
    }
    apps.push(parseApp(appsReader.obj(name), name, environment, profile));
  }
  checkAcrossApps(apps, network, appsReader, problems);

  if (problems.length > 0) throw new ConfigError(problems.map(fix));
  return { stack, environment, region: region as string, network, alertEmail, adminCidrs, verifyAfterDeploy, logRetentionDays, tags, apps };
}

function parseNetwork(r: Reader, profile: EnvironmentProfile, logRetentionDays: number): NetworkConfig {
  r.onlyKeys(["cidr", "azCount", "natStrategy", "flowLogRetentionDays"]);
  const cidr = r.str("cidr", "10.0.0.0/16", (v) => {
    const c = parseCidr(v);
    if (typeof c === "string") return c;
    if (c.prefix < 16 || c.prefix > 22) return `"${v}" must be a /16 to /22 block (AWS allows /16-/28; /22 is the smallest that fits nine subnets)`;
    if (!isPrivate(c)) return `"${v}" is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`;
    if (overlaps(c, DOCKER_BRIDGE)) return `"${v}" overlaps Docker's default bridge ${formatCidr(DOCKER_BRIDGE)}, which breaks routing on container hosts; pick another block`;
    return undefined;
  });
  const azCount = r.int("azCount", profile.azCount, 1, 6);
  if (r.has("azCount") && (azCount < 2 || azCount > 3)) {
    r.fail("azCount", `must be 2 or 3, got ${azCount}: load balancers and database subnet groups need subnets in at least 2 AZs`);
  }
  const natStrategy = r.oneOf("natStrategy", NAT_STRATEGIES, profile.natStrategy);
  const flowLogRetentionDays = r.int("flowLogRetentionDays", logRetentionDays, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(flowLogRetentionDays)) {
    r.fail("flowLogRetentionDays", `${flowLogRetentionDays} is not a CloudWatch Logs retention; allowed: ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  return { cidr, azCount: Math.min(Math.max(azCount, 2), 3), natStrategy, flowLogRetentionDays };
}

function parseAdminCidrs(top: Reader): string[] {
  const out: string[] = [];
  const parsed: { text: string; cidr: ReturnType<typeof subdivide> }[] = [];
  top.list("adminCidrs").forEach((v, i) => {
    const field = `adminCidrs[${i}]`;
    if (typeof v !== "string") return top.fail(field, `must be a CIDR string, got ${JSON.stringify(v)}`);
    const c = parseCidr(v);
    if (typeof c === "string") return top.fail(field, c);
    if (c.prefix < 16) return top.fail(field, `"${v}" opens SSH to ${2 ** (32 - c.prefix)} addresses; admin CIDRs must be /16 or narrower (use SSM Session Manager instead of wide SSH)`);
    const clash = parsed.find((p) => overlaps(p.cidr, c));
    if (clash) return top.fail(field, `"${v}" overlaps "${clash.text}"; list each admin network once`);
    parsed.push({ text: v, cidr: c });
    out.push(v);
  });
  return out;
}

function parseApp(r: Reader, name: string, environment: Environment, profile: EnvironmentProfile): AppConfig {
  r.onlyKeys([
    "displayName", "architecture", "runtime", "domain", "www", "apiDomain", "dns", "port", "appVersion",
    "artifactUrl", "healthCheckPath", "instanceType", "fleet", "database", "cache", "headers", "rateLimits",
    "wafEnabled", "secrets", "env", "envInSecretsManager", "maxBodyMb", "mediaBucket", "email", "nodeExporter", "containers",
    "backupSchedule", "backupRetentionDays", "staticPath",
  ]);
  const architecture = r.oneOf("architecture", ARCHITECTURES);
  const runtime = r.oneOf<Runtime>("runtime", RUNTIMES);
  const domain = r.str("domain", undefined, checkHostname);
  const domainValid = HOSTNAME_RE.test(domain);
  const dns = parseDns(r.obj("dns"));
  if (domainValid && dns.mode === "route53" && dns.zone && !isUnder(domain, dns.zone)) {
    r.fail("domain", `"${domain}" is not in the hosted zone "${dns.zone}" (${r.key("dns.zone")}); use a name that ends with .${dns.zone}`);
  }
  const isApex = dns.mode === "route53" ? domain === dns.zone : domain.split(".").length === 2;
  const www = r.bool("www", isApex);
  if (www && !isApex) r.fail("www", `www.${domain} is only added for apex domains; set www: false or use the apex as domain`);
  const apiDomain = r.str("apiDomain", `api.${domain}`, checkHostname);
  if (r.has("apiDomain") && dns.mode === "route53" && dns.zone && HOSTNAME_RE.test(apiDomain) && !isUnder(apiDomain, dns.zone)) {
    r.fail("apiDomain", `"${apiDomain}" is not in the hosted zone "${dns.zone}"`);
  }
  const port = r.int("port", DEFAULT_PORT[runtime] ?? 8000, 1024, 65535);
  const appVersion = r.str("appVersion", undefined, (v) =>
    /^[A-Za-z0-9._+-]{1,64}$/.test(v) ? undefined : `"${v}" must be 1-64 characters of letters, digits, . _ + -`);
  const healthCheckPath = r.str("healthCheckPath", "/health/", (v) =>
    /^\/[A-Za-z0-9._~\/-]*$/.test(v) ? undefined : `"${v}" must be a URL path starting with /`);
  const instanceType = r.str("instanceType", profile.instanceTypes[0], (v) =>
    profile.instanceTypes.includes(v) ? undefined : `"${v}" is not allowed in ${environment}; allowed: ${profile.instanceTypes.join(", ")}`);
  const fleet = parseFleet(r.obj("fleet"), profile, architecture, environment);
  const database = parseDatabase(r.obj("database"), name, environment, profile);
  const cache = parseCache(r.obj("cache"), environment, profile);
  const headers = parseHeaders(r.obj("headers"));
  const rateLimits = parseRateLimits(r.obj("rateLimits"));
  const secrets = parseSecrets(r, runtime);
  const env = r.stringMap("env", (k, v) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) return "environment variable names are upper-case letters, digits and _";
    if (/SECRET|PASSWORD|TOKEN|PRIVATE|API_KEY|DATABASE_URL/.test(k)) return `looks like a secret; secrets are generated, never written in config: list it under ${r.key("secrets")} (allowed: ${APP_SECRET_KINDS.join(", ")})`;
    if (/[\n\r"'$`\\]/.test(v)) return "values may not contain quotes, $, backslashes or newlines";
    return undefined;
  });
  const envInSecretsManager = r.bool("envInSecretsManager", false);
  if (envInSecretsManager && Object.keys(env).length === 0) r.fail("envInSecretsManager", `is true but ${r.key("env")} is empty: there is nothing to store; set env or drop envInSecretsManager`);
  const containers = parseContainers(r, architecture);
  const backupSchedule = r.oneOf("backupSchedule", BACKUP_SCHEDULES, profile.backup.schedule);
  const backupRetentionDays = r.int("backupRetentionDays", profile.backup.retentionDays, 1, 3650);
  if (environment === "prod" && backupRetentionDays < 7) r.fail("backupRetentionDays", `prod keeps backups at least 7 days, got ${backupRetentionDays}`);
  const staticPath = r.str("staticPath", "/static/", (v) => (/^\/([A-Za-z0-9._-]+\/)*$/.test(v) ? undefined : `"${v}" must be a path that starts and ends with /`));

  return {
    name, displayName: r.str("displayName", name), architecture, runtime, domain, www, apiDomain, dns, port,
    appVersion, artifactUrl: r.str("artifactUrl", `s3://artifacts/${name}/${appVersion}.tar.gz`, (v) =>
      /^(s3|https):\/\/[^\s"'$`\\]+$/.test(v) ? undefined : `"${v}" must be an s3:// or https:// URL`),
    healthCheckPath, instanceType, fleet, database, cache, headers, rateLimits,
    wafEnabled: r.bool("wafEnabled", profile.wafEnabled), secrets, env, envInSecretsManager,
    maxBodyMb: r.int("maxBodyMb", 10, 1, 1024), mediaBucket: r.bool("mediaBucket", true),
    email: r.bool("email", false), nodeExporter: r.bool("nodeExporter", false), containers,
    backupSchedule, backupRetentionDays, staticPath,
  };
}

function parseDns(r: Reader): DnsConfig {
  if (Object.keys(r.raw).length === 0) {
    r.fail("mode", "is required: route53 (with zone) or external (with registrar)");
    return { mode: "external", registrar: "" };
  }
  const mode = r.oneOf("mode", ["route53", "external"] as const);
  if (mode === "route53") {
    r.onlyKeys(["mode", "zone"]);
    return { mode, zone: r.str("zone", undefined, checkHostname) };
  }
  r.onlyKeys(["mode", "registrar"]);
  return { mode: "external", registrar: r.str("registrar") };
}

function parseFleet(r: Reader, profile: EnvironmentProfile, architecture: string, environment: Environment): FleetSize {
  r.onlyKeys(["min", "desired", "max"]);
  const min = r.int("min", profile.fleet.min, 1, 100);
  const max = r.int("max", Math.max(profile.fleet.max, min), 1, 100);
  const desired = r.int("desired", Math.min(Math.max(profile.fleet.desired, min), max), 1, 100);
  if (!(min <= desired && desired <= max)) r.fail("desired", `must satisfy min <= desired <= max, got ${min} <= ${desired} <= ${max}`);
  if (environment === "prod" && architecture !== "single-host" && min < 2) {
    r.fail("min", `prod fleets run at least 2 instances across AZs, got ${min}`);
  }
  return { min, desired, max };
}

function parseDatabase(r: Reader, app: string, environment: Environment, profile: EnvironmentProfile): DatabaseConfig {
  r.onlyKeys(["enabled", "name", "instanceClass", "allocatedStorageGb", "maxAllocatedStorageGb", "backupRetentionDays", "multiAz", "maxConnections", "readReplica", "iamAuth"]);
  const allocatedStorageGb = r.int("allocatedStorageGb", profile.db.allocatedStorageGb, 20, 16384);
  const db: DatabaseConfig = {
    enabled: r.bool("enabled", true),
    name: r.str("name", app.replace(/-/g, "_"), (v) =>
      /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(v) && !["postgres", "template0", "template1", "rdsadmin"].includes(v)
        ? undefined : `"${v}" must start with a letter, use letters, digits and _, and not be a reserved name`),
    instanceClass: r.str("instanceClass", profile.dbInstanceClasses[0], (v) =>
      profile.dbInstanceClasses.includes(v) ? undefined : `"${v}" is not allowed in ${environment}; allowed: ${profile.dbInstanceClasses.join(", ")}`),
    allocatedStorageGb,
    maxAllocatedStorageGb: r.int("maxAllocatedStorageGb", Math.max(profile.db.maxAllocatedStorageGb, allocatedStorageGb), 20, 16384),
    backupRetentionDays: r.int("backupRetentionDays", profile.db.backupRetentionDays, 0, 35),
    multiAz: r.bool("multiAz", profile.db.multiAz),
    maxConnections: r.has("maxConnections") ? r.int("maxConnections", undefined, 10, 5000) : undefined,
    readReplica: r.bool("readReplica", false),
    iamAuth: r.bool("iamAuth", false),
  };
  if (db.maxAllocatedStorageGb < db.allocatedStorageGb) {
    r.fail("maxAllocatedStorageGb", `must be at least allocatedStorageGb (${db.allocatedStorageGb}), got ${db.maxAllocatedStorageGb}`);
  }
  if (db.backupRetentionDays < profile.db.minBackupRetentionDays) {
    r.fail("backupRetentionDays", `${environment} keeps automated backups at least ${profile.db.minBackupRetentionDays} days (at most 35), got ${db.backupRetentionDays}`);
  }
  if (environment === "prod" && !db.multiAz) r.fail("multiAz", "prod databases run Multi-AZ; remove the override");
  return db;
}

function parseCache(r: Reader, environment: Environment, profile: EnvironmentProfile): CacheConfig {
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
  return cache;
}

function parseHeaders(r: Reader): HeadersConfig {
  r.onlyKeys(["frameOptions", "contentSecurityPolicy", "referrerPolicy", "hstsMaxAgeSeconds"]);
  return {
    frameOptions: r.oneOf("frameOptions", FRAME_OPTIONS, "SAMEORIGIN"),
    // The CSP is written into nginx and CloudFront configs: refuse characters that could break out.
    contentSecurityPolicy: r.str("contentSecurityPolicy", DEFAULT_CSP, (v) =>
      /^[A-Za-z0-9 ;:'*.\/_+=,-]+$/.test(v) ? undefined : "may contain only letters, digits, spaces and ; : ' * . / _ + = , - (no quotes, $, braces or newlines)"),
    referrerPolicy: r.oneOf("referrerPolicy", REFERRER_POLICIES, "strict-origin-when-cross-origin"),
    hstsMaxAgeSeconds: r.int("hstsMaxAgeSeconds", 31536000, 31536000, 63072000),
  };
}

function parseRateLimits(r: Reader): RateLimitConfig {
  r.onlyKeys(["perIpPerMinute", "paths"]);
  const names = new Set<string>();
  const paths: PathRateLimit[] = [];
  r.list("paths").forEach((raw, i) => {
    const p = new Reader(r.problems, (raw ?? {}) as Raw, r.key(`paths[${i}]`));
    p.onlyKeys(["name", "path", "requests", "windowSeconds"]);
    const limit: PathRateLimit = {
      name: p.str("name", undefined, (v) => (/^[a-z][a-z0-9]{1,15}$/.test(v) ? undefined : `"${v}" must be 2-16 lower-case letters or digits`)),
      path: p.str("path", undefined, (v) => (/^\/[A-Za-z0-9._~\/-]*$/.test(v) ? undefined : `"${v}" must be a URL path starting with /`)),
      requests: p.int("requests", undefined, 1, 100000),
      windowSeconds: p.int("windowSeconds", 60, 1, 86400),
    };
    if (names.has(limit.name)) p.fail("name", `"${limit.name}" is used twice`);
    names.add(limit.name);
    paths.push(limit);
  });
  return { perIpPerMinute: r.int("perIpPerMinute", 600, 1, 1000000), paths };
}

function parseSecrets(r: Reader, runtime: Runtime): AppSecretKind[] {
  if (!r.has("secrets")) return DEFAULT_SECRETS[runtime] ?? [];
  const out: AppSecretKind[] = [];
  r.list("secrets").forEach((v, i) => {
    if (typeof v !== "string" || !APP_SECRET_KINDS.includes(v as AppSecretKind)) {
      r.fail(`secrets[${i}]`, `${JSON.stringify(v)} is not a known secret; allowed: ${APP_SECRET_KINDS.join(", ")}`);
    } else if (!out.includes(v as AppSecretKind)) out.push(v as AppSecretKind);
  });
  return out;
}

function parseContainers(r: Reader, architecture: string): ContainerServiceConfig[] {
  const items = r.list("containers");
  if (architecture === "containers" && items.length === 0) {
    r.fail("containers", "is required for the containers architecture: list the services to build (name, context, port)");
  }
  if (architecture !== "containers" && items.length > 0) {
    r.fail("containers", `only the containers architecture builds images; this app is ${architecture}`);
  }
  return items.map((raw, i) => {
    const c = new Reader(r.problems, (raw ?? {}) as Raw, r.key(`containers[${i}]`));
    c.onlyKeys(["name", "context", "dockerfile", "port"]);
    return {
      name: c.str("name", undefined, (v) => (/^[a-z][a-z0-9-]{1,30}$/.test(v) ? undefined : `"${v}" must be lower-case letters, digits and -`)),
      context: c.str("context", undefined, (v) => (v.startsWith("/") || v.includes("..") ? `"${v}" must be a path inside the project` : undefined)),
      dockerfile: c.str("dockerfile", "Dockerfile"),
      port: c.int("port", undefined, 1, 65535),
    };
  });
}

function checkAcrossApps(apps: AppConfig[], network: NetworkConfig, appsReader: Reader, problems: string[]): void {
  const seen = new Map<string, string>();
  const privateHostApps = apps.filter((a) => a.architecture !== "single-host").map((a) => `"${a.name}" (${a.architecture})`);
  if (network.natStrategy === "none" && privateHostApps.length > 0) {
    problems.push(`${PROJECT}:network.natStrategy: "none" leaves the private hosts of app ${privateHostApps.join(", ")} without outbound access for packages and updates; use single or perAz`);
  }
  for (const app of apps) {
    for (const host of [app.domain, ...(app.www ? [`www.${app.domain}`] : [])]) {
      const other = seen.get(host);
      if (other) appsReader.fail(`${app.name}.domain`, `"${host}" is already served by app "${other}"`);
      seen.set(host, app.name);
    }
  }
}
