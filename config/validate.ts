/**
 * Parses and validates a stack's raw configuration into a `StackConfig`, applying the
 * environment profile's defaults in one place. Pure: no Pulumi resources, no I/O.
 *
 * Every problem is reported with the full config key (`webapp-platform:apps.shop.domain`)
 * and what is allowed; all problems are collected and thrown together as one ConfigError
 * before the program creates anything.
 */
import { AMI_ID_RE, CPU_ARCHITECTURES, CpuArchitecture } from "../components/ami";
import {
  ArtifactPublishers, GITHUB_OIDC_HOST, GITHUB_OIDC_PROVIDER_ARN_RE, GITHUB_SUBJECT_FORMS, githubSubjectProblem, trustPolicyTooLong,
} from "../components/publisher-trust";
import { formatCidr, isPrivate, overlaps, parseCidr, subdivide } from "../lib/cidr";
import { PROJECT } from "../lib/names";
import { DATA_REPLICA_REGIONS, EnvironmentProfile, PROFILES } from "./profiles";
import {
  APP_SECRET_KINDS, ARCHITECTURES, AppConfig, Architecture, AppSecretKind, BACKUP_SCHEDULES, CacheConfig,
  ContainerServiceConfig, DatabaseConfig, DnsConfig, ENVIRONMENTS, Environment, FRAME_OPTIONS,
  FleetSize, HeadersConfig, NAT_STRATEGIES, NetworkConfig, PathRateLimit, RUNTIMES,
  RateLimitConfig, Runtime, StackConfig,
} from "./types";

export { PROJECT };

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Tags the program always sets itself. */
export const RESERVED_TAGS = ["app", "environment", "managed-by"];

/**
 * Stack tags land on every taggable resource, so they must satisfy the strictest service:
 * EC2 keys take 127 characters (ec2 Tag.Key), and ELB, RDS, SNS, ... accept only
 * `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$` (elbv2 TagKey / TagValue) in keys and values.
 */
const TAG_KEY_MAX = 127;
const TAG_VALUE_MAX = 256;
const TAG_TEXT_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

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

/** The candidate closest to a mistyped word, if any is close enough to suggest ("did you mean" hints). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
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

// ---- DNS names ------------------------------------------------------------------------------

/** One DNS label: 1-63 letters, digits and hyphens, not starting or ending with a hyphen. */
const DNS_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** A lower-case hostname of 2+ labels ending in an alphabetic TLD, at most 253 characters (RFC 1035). */
export const HOSTNAME_RE = new RegExp(`^(?=.{4,253}$)(?:${DNS_LABEL}\\.)+[a-z]{2,63}$`);
const EMAIL_RE = new RegExp(`^[A-Za-z0-9._%+-]+@(?:${DNS_LABEL}\\.)+[a-z]{2,63}$`, "i");
const HOSTNAME_RULE = "labels of letters, digits and hyphens (not starting or ending with one, at most 63), at most 253 characters";
/**
 * ACM puts a certificate's first name in the X.509 Common Name, which RFC 5280 caps at 64
 * characters (RequestCertificate DomainName); the other names (SANs) may be 253.
 */
export const ACM_COMMON_NAME_MAX = 64;

function checkHostname(v: string): string | undefined {
  return HOSTNAME_RE.test(v) ? undefined : `"${v}" is not a lower-case DNS name like shop.example.com (${HOSTNAME_RULE})`;
}

// ---- Names the program composes into AWS identifiers ----------------------------------------

/**
 * App names, container names and the stack name become parts of AWS identifiers. The
 * character rule is what all of those accept: RDS instance and parameter group ids and
 * ElastiCache replication group ids (a letter first, letters, digits and hyphens, no two
 * hyphens in a row, no trailing hyphen), load balancer and target group names (no leading or
 * trailing hyphen), S3 bucket names (lower case), ECR repository names (single separators).
 */
export const NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const NAME_RULE = "lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit";
/** Prefixes AWS refuses at the start of a name the app name begins: load balancer names, S3 bucket names. */
const RESERVED_NAME_PREFIXES: readonly { prefix: string; by: string }[] = [
  { prefix: "internal-", by: "load balancer names" },
  { prefix: "sthree-", by: "S3 bucket names" },
  { prefix: "amzn-s3-demo-", by: "S3 bucket names" },
];
/** SSM reserves these prefixes for its own documents, and ours are named `<stack>-<app>-redeploy` (components/deploy-steps.ts). */
const RESERVED_STACK_PREFIXES = ["aws", "amazon", "amzn"];

/** What Pulumi appends to a logical name when it autonames a resource: "-" and 7 random hex digits. */
export const AUTONAME_SUFFIX = "-xxxxxxx";

/**
 * The identifiers with a length limit that the program composes from the stack and app names
 * ({stack}, {app}), each with AWS's limit. Only the tight ones are listed: the rest (log
 * groups, secrets, alarms, security groups, SSM documents) allow 128 characters or more.
 */
export const COMPOSED_IDENTIFIERS: readonly { what: string; pattern: string; max: number }[] = [
  { what: "load balancer name (autonamed `<app>-alb`, components/app-fleet.ts)", pattern: `{app}-alb${AUTONAME_SUFFIX}`, max: 32 },
  { what: "target group name (autonamed `<app>-tg`, components/app-fleet.ts)", pattern: `{app}-tg${AUTONAME_SUFFIX}`, max: 32 },
  { what: "S3 bucket name of the KYC access logs (autonamed, architectures/spa-api.ts)", pattern: `{app}-kyc-access-logs${AUTONAME_SUFFIX}`, max: 63 },
  { what: "S3 bucket name of the KYC replica's access logs (autonamed, components/document-bucket.ts)", pattern: `{app}-kyc-replica-access-logs${AUTONAME_SUFFIX}`, max: 63 },
  { what: "S3 bucket name of the media replica's access logs (autonamed, components/private-bucket.ts)", pattern: `{app}-media-replica-access-logs${AUTONAME_SUFFIX}`, max: 63 },
  { what: "CloudFront function name (autonamed, components/static-site.ts)", pattern: `{app}-spa-spa-routing${AUTONAME_SUFFIX}`, max: 64 },
  { what: "IAM role name of the backup role (autonamed, components/backups.ts)", pattern: `{app}-backup-backup${AUTONAME_SUFFIX}`, max: 64 },
  { what: "AWS Backup selection name (components/backups.ts)", pattern: "{app}-backup-data", max: 50 },
  // components/redis.ts keeps the id at 34 so that `<id>-final`, its final snapshot, fits the 40 too.
  { what: "ElastiCache replication group id `<stack>-<app>` with the `-final` of its final snapshot (components/redis.ts)", pattern: "{stack}-{app}-final", max: 40 },
  { what: "RDS instance identifier of the read replica (components/postgres.ts)", pattern: "{stack}-{app}-replica", max: 63 },
  { what: "AWS Backup vault and plan name (components/backups.ts)", pattern: "{stack}-{app}-backup", max: 50 },
  { what: "IAM role name of the VPC flow logs (autonamed, components/network.ts)", pattern: `{stack}-flow-logs${AUTONAME_SUFFIX}`, max: 64 },
  { what: "IAM role name of the artifact publisher (components/artifact-store.ts)", pattern: "{stack}-artifact-publisher", max: 64 },
];

const compose = (pattern: string, stack: string, app: string) => pattern.split("{stack}").join(stack).split("{app}").join(app);
/** Characters an identifier adds around the names. */
const fixedLength = (pattern: string) => compose(pattern, "", "").length;
const usesApp = (pattern: string) => pattern.includes("{app}");
const usesStack = (pattern: string) => pattern.includes("{stack}");

/** Shortest app name (a one-letter name says nothing in a resource list). */
export const APP_NAME_MIN = 2;
/** Longest app name in any stack: 20, set by the load balancer name `<app>-alb-xxxxxxx` (32). */
export const APP_NAME_MAX = Math.min(...COMPOSED_IDENTIFIERS.filter((i) => usesApp(i.pattern) && !usesStack(i.pattern)).map((i) => i.max - fixedLength(i.pattern)));
/** Longest stack name: 31, set by the ElastiCache id with the shortest app name (`<stack>-ab-final`, 40). */
export const STACK_NAME_MAX = Math.min(...COMPOSED_IDENTIFIERS.filter((i) => usesStack(i.pattern)).map((i) => i.max - fixedLength(i.pattern) - (usesApp(i.pattern) ? APP_NAME_MIN : 0)));

/** Longest app name in `stack`: the app-only limit, or less where the stack name takes room. */
export function appNameMax(stack: string): number {
  return Math.min(APP_NAME_MAX, ...COMPOSED_IDENTIFIERS.filter((i) => usesApp(i.pattern) && usesStack(i.pattern)).map((i) => i.max - fixedLength(i.pattern) - stack.length));
}

/** The first composed identifier the names make too long, as a sentence; undefined if all fit. */
function tooLong(stack: string, app: string | undefined): string | undefined {
  for (const i of COMPOSED_IDENTIFIERS) {
    if (app === undefined ? usesApp(i.pattern) : !usesApp(i.pattern)) continue;
    const id = compose(i.pattern, stack, app ?? "");
    if (id.length > i.max) return `gives the ${i.what} "${id}", ${id.length} characters where AWS allows ${i.max}`;
  }
  return undefined;
}

/** Why `name` can't be part of AWS identifiers (character rule only), or undefined. */
function nameCharacterProblem(name: string): string | undefined {
  if (/[A-Z]/.test(name)) return "has upper-case letters";
  if (/[^a-z0-9-]/.test(name)) return `has "${name.match(/[^a-z0-9-]/)![0]}"`;
  if (!/^[a-z]/.test(name)) return "does not start with a letter";
  if (name.includes("--")) return "has two hyphens in a row";
  if (name.endsWith("-")) return "ends with a hyphen";
  return undefined;
}

/** Problem with an app name (the key of `apps`), or undefined. */
export function checkAppName(name: string, stack: string): string | undefined {
  const max = appNameMax(stack);
  const rule = `app names are ${APP_NAME_MIN}-${APP_NAME_MAX} characters: ${NAME_RULE} (they become RDS, ElastiCache, load balancer and S3 names)`;
  const problem = nameCharacterProblem(name)
    ?? (name.length < APP_NAME_MIN ? `is ${name.length} character${name.length === 1 ? "" : "s"}` : undefined)
    ?? RESERVED_NAME_PREFIXES.filter((r) => name.startsWith(r.prefix)).map((r) => `starts with "${r.prefix}", which ${r.by} may not`)[0];
  if (problem) return `${rule}; "${name}" ${problem}`;
  const long = tooLong(stack, name);
  if (long) return `is too long: it ${long}. ${name.length > APP_NAME_MAX ? `App names are at most ${APP_NAME_MAX} characters` : `In stack "${stack}" app names are at most ${max} characters`}`;
  return undefined;
}

/** Problem with the stack name (pulumi stack), or undefined. */
export function checkStackName(stack: string): string | undefined {
  const rule = `stack names become part of AWS identifiers (RDS and ElastiCache ids, ECR repositories, SSM documents, Backup vaults): ${NAME_RULE}, at most ${STACK_NAME_MAX} characters, not starting with ${RESERVED_STACK_PREFIXES.slice(0, -1).join(", ")} or ${RESERVED_STACK_PREFIXES[RESERVED_STACK_PREFIXES.length - 1]}`;
  const problem = nameCharacterProblem(stack)
    ?? (stack.length > STACK_NAME_MAX ? `is ${stack.length} characters` : undefined)
    ?? RESERVED_STACK_PREFIXES.filter((p) => stack.toLowerCase().startsWith(p)).map((p) => `starts with "${p}", which SSM document names may not`)[0]
    ?? tooLong(stack, undefined);
  return problem ? `${rule}; "${stack}" ${problem}` : undefined;
}

function isUnder(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** What exists in the project, by path relative to the project root (where Pulumi.yaml is). */
export interface ProjectFiles {
  isDirectory(relPath: string): boolean;
  isFile(relPath: string): boolean;
}

export interface ParseOptions {
  /**
   * Checks that container build contexts and Dockerfiles exist. Default: not checked, so
   * parsing stays pure; loadStackConfig (config/index.ts) passes the real project tree.
   */
  files?: ProjectFiles;
}

/** Validates the raw project config (keys without the `webapp-platform:` prefix). */
export function parseStackConfig(raw: Raw, stack: string, region: string | undefined, options: ParseOptions = {}): StackConfig {
  const problems: string[] = [];
  const top = new Reader(problems, raw, PROJECT);
  // Top-level keys are written `webapp-platform:key`, not `webapp-platform.key`.
  const fix = (p: string) => p.split(`${PROJECT}.`).join(`${PROJECT}:`);

  top.onlyKeys(["environment", "network", "alertEmail", "adminCidrs", "verifyAfterDeploy", "logRetentionDays", "tags", "amis", "artifactPublishers", "dataReplicaRegion", "apps"]);
  const environment = top.oneOf<Environment>("environment", ENVIRONMENTS);
  const profile = PROFILES[environment] ?? PROFILES.staging;

  if (!region) problems.push("aws:region: is required (for example eu-west-1)");
  else if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) problems.push(`aws:region: "${region}" is not an AWS region name like eu-west-1`);

  const dataReplicaRegion = parseDataReplicaRegion(top, profile, region);
  let logRetentionDays = top.int("logRetentionDays", profile.logRetentionDays, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    top.fail("logRetentionDays", `${logRetentionDays} is not a CloudWatch Logs retention; allowed: ${LOG_RETENTION_DAYS.join(", ")}`);
    logRetentionDays = profile.logRetentionDays;
  }
  const network = parseNetwork(top.obj("network"), profile, logRetentionDays);
  const alertEmail = top.str("alertEmail", undefined, (v) => (EMAIL_RE.test(v) ? undefined : `"${v}" is not an e-mail address`));
  const adminCidrs = parseAdminCidrs(top);
  const artifactPublishers = parseArtifactPublishers(top);
  const verifyAfterDeploy = top.bool("verifyAfterDeploy", false);
  const amis = parseAmis(top.obj("amis"));
  const tags = top.stringMap("tags", (k, v) => {
    if (RESERVED_TAGS.includes(k)) return `is set by the program; remove it (reserved tags: ${RESERVED_TAGS.join(", ")})`;
    if (k.toLowerCase().startsWith("aws:")) return "tag keys may not start with aws:";
    if ([...k].length > TAG_KEY_MAX || [...v].length > TAG_VALUE_MAX) return `tag keys are at most ${TAG_KEY_MAX} characters and values at most ${TAG_VALUE_MAX}`;
    if (!TAG_TEXT_RE.test(k) || !TAG_TEXT_RE.test(v)) return `"${k}: ${v}" has a character AWS refuses in tags; allowed: letters, digits, spaces and _ . : / = + - @`;
    return undefined;
  });

  // The stack name is composed into identifiers too; a bad one is reported once, by itself.
  const stackProblem = checkStackName(stack);
  if (stackProblem) problems.push(`stack "${stack}" (pulumi stack name): ${stackProblem}`);

  const appsReader = top.obj("apps");
  const apps: AppConfig[] = [];
  if (Object.keys(appsReader.raw).length === 0) top.fail("apps", "is required: declare at least one app (name -> architecture, domain, dns, ...)");
  for (const name of Object.keys(appsReader.raw)) {
    const nameProblem = checkAppName(name, stackProblem ? "" : stack);
    if (nameProblem) {
      appsReader.fail(name, nameProblem);
      continue;
    }
    apps.push(parseApp(appsReader.obj(name), name, environment, profile, options));
  }
  checkAcrossApps(apps, network, appsReader, problems);

  if (problems.length > 0) throw new ConfigError(problems.map(fix));
  return { stack, environment, region: region as string, network, alertEmail, adminCidrs, verifyAfterDeploy, logRetentionDays, tags, amis, artifactPublishers, dataReplicaRegion, apps };
}

/**
 * `dataReplicaRegion`: where data buckets keep their replica. Prod always has one (default
 * DATA_REPLICA_REGIONS of the stack's region); staging only when set (opt-in, it doubles storage).
 */
function parseDataReplicaRegion(top: Reader, profile: EnvironmentProfile, region: string | undefined): string | undefined {
  const fallback = profile.dataReplica && region ? DATA_REPLICA_REGIONS[region] : undefined;
  if (!top.has("dataReplicaRegion")) {
    if (profile.dataReplica && region && !fallback) top.fail("dataReplicaRegion", `is required in prod for aws:region ${region} (no default second region for it): name the region data buckets are copied to, for example eu-central-1`);
    return fallback;
  }
  return top.str("dataReplicaRegion", undefined, (v) => {
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(v)) return `"${v}" is not an AWS region name like eu-central-1`;
    if (v === region) return `"${v}" is the stack's own region (aws:region): a copy there does not survive losing the region`;
    return undefined;
  });
}

/** `amis: { amd64: ami-..., arm64: ami-... }`: the images the operator has chosen to roll to. */
function parseAmis(r: Reader): Partial<Record<CpuArchitecture, string>> {
  r.onlyKeys(CPU_ARCHITECTURES);
  const amis: Partial<Record<CpuArchitecture, string>> = {};
  for (const arch of CPU_ARCHITECTURES) {
    if (!r.has(arch)) continue;
    amis[arch] = r.str(arch, undefined, (v) => (AMI_ID_RE.test(v) ? undefined : `"${v}" is not an AMI ID (ami- and 8 or 17 hex digits, as EC2 shows it)`));
  }
  return amis;
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

/**
 * Who may assume the artifact publisher role: GitHub Actions workflows, by OIDC subject
 * (the subject rules live with the role, in components/artifact-store.ts). Required: without
 * it nobody can publish a release.
 */
function parseArtifactPublishers(top: Reader): ArtifactPublishers {
  const key = "artifactPublishers";
  const shape = `{ subjects: [<GitHub Actions OIDC subject>, ...], oidcProviderArn: <optional, default this account's ${GITHUB_OIDC_HOST} provider> }`;
  const raw = top.raw[key];
  if (raw === undefined || raw === null) {
    top.fail(key, `is required: the GitHub Actions workflows that may publish releases, as ${shape}; subjects are ${GITHUB_SUBJECT_FORMS}`);
    return { subjects: [] };
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    top.fail(key, `must be a map ${shape}, got ${JSON.stringify(raw)} (the publisher role trusts GitHub Actions' OIDC tokens, not IAM principals)`);
    return { subjects: [] };
  }
  const r = top.obj(key);
  r.onlyKeys(["subjects", "oidcProviderArn"]);
  const subjects: string[] = [];
  const list = r.list("subjects");
  if (list.length === 0 && (Array.isArray(r.raw.subjects) || !r.has("subjects"))) r.fail("subjects", `is required: at least one of ${GITHUB_SUBJECT_FORMS}`);
  list.forEach((v, i) => {
    const field = `subjects[${i}]`;
    const problem = typeof v === "string" ? githubSubjectProblem(v) : `${JSON.stringify(v)} must be a string: ${GITHUB_SUBJECT_FORMS}`;
    if (problem) return r.fail(field, problem);
    if (subjects.includes(v as string)) return r.fail(field, `"${v}" is listed twice`);
    subjects.push(v as string);
  });
  const oidcProviderArn = r.has("oidcProviderArn")
    ? r.str("oidcProviderArn", undefined, (v) => (GITHUB_OIDC_PROVIDER_ARN_RE.test(v) ? undefined : `"${v}" must be the account's IAM OIDC provider for GitHub Actions: arn:aws:iam::<12-digit account>:oidc-provider/${GITHUB_OIDC_HOST}`))
    : undefined;
  const tooLong = trustPolicyTooLong(subjects, oidcProviderArn);
  if (tooLong) r.fail("subjects", tooLong);
  return oidcProviderArn ? { subjects, oidcProviderArn } : { subjects };
}

/** An explicit artifact URL (a release kept outside the artifact store), or undefined for the store's default. */
function parseArtifactUrl(r: Reader, architecture: Architecture): string | undefined {
  if (!r.has("artifactUrl")) return undefined;
  if (architecture === "containers") {
    r.fail("artifactUrl", "container apps run images from ECR, not artifacts; remove it");
    return undefined;
  }
  return r.str("artifactUrl", undefined, (v) => (/^(s3|https):\/\/[^\s"'$`\\]+$/.test(v) ? undefined : `"${v}" must be an s3:// or https:// URL`));
}

function parseApp(r: Reader, name: string, environment: Environment, profile: EnvironmentProfile, options: ParseOptions): AppConfig {
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
  // Single hosts get Let's Encrypt certificates on the host, which nothing in `pulumi up` waits for.
  if (dns.mode === "external" && architecture === "single-host" && r.has("dns") && (r.raw.dns as Raw).certificateValidated !== undefined) {
    r.fail("dns.certificateValidated", "does not apply to single-host apps: their Let's Encrypt certificate is issued on the host once the A records exist, and no `pulumi up` waits for it; remove it");
  }
  const isApex = dns.mode === "route53" ? domain === dns.zone : domain.split(".").length === 2;
  const www = r.bool("www", isApex);
  if (www && !isApex) r.fail("www", `www.${domain} is only added for apex domains; set www: false or use the apex as domain`);
  const apiDomain = r.str("apiDomain", `api.${domain}`, checkHostname);
  if (r.has("apiDomain") && dns.mode === "route53" && dns.zone && HOSTNAME_RE.test(apiDomain) && !isUnder(apiDomain, dns.zone)) {
    r.fail("apiDomain", `"${apiDomain}" is not in the hosted zone "${dns.zone}"`);
  }
  if (domainValid) checkDerivedHostnames(r, architecture, domain, www, apiDomain);
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
  const containers = parseContainers(r, architecture, options.files, { runtime, port, database: database.enabled });
  const backupSchedule = r.oneOf("backupSchedule", BACKUP_SCHEDULES, profile.backup.schedule);
  const backupRetentionDays = r.int("backupRetentionDays", profile.backup.retentionDays, 1, 3650);
  if (environment === "prod" && backupRetentionDays < 7) r.fail("backupRetentionDays", `prod keeps backups at least 7 days, got ${backupRetentionDays}`);
  const staticPath = r.str("staticPath", "/static/", (v) => (/^\/([A-Za-z0-9._-]+\/)*$/.test(v) ? undefined : `"${v}" must be a path that starts and ends with /`));

  return {
    name, displayName: r.str("displayName", name), architecture, runtime, domain, www, apiDomain, dns, port,
    // No default here: the artifact store's bucket name is known only once it exists (architectures/platform.ts).
    appVersion, artifactUrl: parseArtifactUrl(r, architecture),
    healthCheckPath, instanceType, fleet, database, cache, headers, rateLimits,
    wafEnabled: r.bool("wafEnabled", profile.wafEnabled), secrets, env, envInSecretsManager,
    maxBodyMb: r.int("maxBodyMb", 10, 1, 1024), mediaBucket: r.bool("mediaBucket", true),
    email: r.bool("email", false), nodeExporter: r.bool("nodeExporter", false), containers,
    backupSchedule, backupRetentionDays, staticPath,
  };
}

/**
 * The program derives hostnames from the domain (www., api., origin.), which must be hostnames
 * too; and each ACM certificate's first name becomes its Common Name, at most 64 characters.
 * Single hosts get Let's Encrypt certificates instead, so no ACM limit applies to them.
 */
function checkDerivedHostnames(r: Reader, architecture: Architecture, domain: string, www: boolean, apiDomain: string): void {
  const derived = [
    ...(www ? [`www.${domain}`] : []),
    ...(r.has("apiDomain") || architecture === "single-host" || architecture === "web-fleet" ? [] : [apiDomain]),
    ...(architecture === "containers" ? [`origin.${domain}`] : []),
  ];
  for (const h of derived) {
    if (!HOSTNAME_RE.test(h)) r.fail("domain", `"${domain}" gives the hostname "${h}", which is not a DNS name (${HOSTNAME_RULE}); use a shorter domain`);
  }
  const commonNames: { field: string; name: string; what: string }[] = {
    "single-host": [],
    "web-fleet": [{ field: "domain", name: domain, what: "the load balancer" }],
    "spa-api": [{ field: "domain", name: domain, what: "CloudFront" }, { field: "apiDomain", name: apiDomain, what: "the API load balancer" }],
    containers: [{ field: "domain", name: `origin.${domain}`, what: "the origin load balancer" }, { field: "domain", name: domain, what: "CloudFront" }],
  }[architecture] ?? [];
  for (const c of commonNames) {
    if (c.name.length > ACM_COMMON_NAME_MAX) {
      r.fail(c.field, `"${c.name}" is ${c.name.length} characters: it is the first name of ${c.what}'s ACM certificate, whose Common Name AWS limits to ${ACM_COMMON_NAME_MAX} characters; use a shorter name`);
    }
  }
}

function parseDns(r: Reader): DnsConfig {
  if (Object.keys(r.raw).length === 0) {
    r.fail("mode", "is required: route53 (with zone) or external (with registrar)");
    return { mode: "external", registrar: "" };
  }
  const mode = r.oneOf("mode", ["route53", "external"] as const);
  if (mode === "route53") {
    // Route53 validates certificates within the same `pulumi up`: there is nothing to stage.
    if (r.has("certificateValidated")) r.fail("certificateValidated", "only applies to dns.mode external (records created by hand at a registrar); with route53 the program validates certificates itself: remove it");
    r.onlyKeys(["mode", "zone", "certificateValidated"]);
    return { mode, zone: r.str("zone", undefined, checkHostname) };
  }
  r.onlyKeys(["mode", "registrar", "certificateValidated"]);
  return { mode: "external", registrar: r.str("registrar"), certificateValidated: r.bool("certificateValidated", false) };
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
  r.onlyKeys(["enabled", "name", "instanceClass", "allocatedStorageGb", "maxAllocatedStorageGb", "backupRetentionDays", "multiAz", "maxConnections", "readReplica"]);
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

/** A relative path that stays inside the project (or the build context). */
function checkRelativePath(v: string, inside: string): string | undefined {
  return v.startsWith("/") || v.split(/[\\/]/).includes("..") ? `"${v}" must be a relative path inside ${inside}, without ..` : undefined;
}

/** The release command a Django image runs when its app has a database (migrate is idempotent; the platform holds the lock). */
export const DJANGO_RELEASE_COMMAND = ["python", "manage.py", "migrate", "--noinput"];

function parseContainers(r: Reader, architecture: string, files: ProjectFiles | undefined, app: { runtime: Runtime; port: number; database: boolean }): ContainerServiceConfig[] {
  const items = r.list("containers");
  if (architecture === "containers" && items.length === 0) {
    r.fail("containers", "is required for the containers architecture: list the services to build (name, context, port)");
  }
  if (architecture !== "containers" && items.length > 0) {
    r.fail("containers", `only the containers architecture builds images; this app is ${architecture}`);
  }
  const names = new Set<string>();
  const services = items.map((raw, i) => {
    const c = new Reader(r.problems, (raw ?? {}) as Raw, r.key(`containers[${i}]`));
    c.onlyKeys(["name", "context", "dockerfile", "port", "releaseCommand"]);
    // The name becomes the ECR repository <stack>/<app>-images/<name> and a compose service.
    const name = c.str("name", undefined, (v) => (NAME_RE.test(v) && v.length >= 2 && v.length <= 31 ? undefined
      : `"${v}" must be 2-31 characters: ${NAME_RULE} (it names the ECR repository <stack>/<app>-images/${v})`));
    if (name && names.has(name)) c.fail("name", `"${name}" is used twice; each container service needs its own name`);
    names.add(name);
    const context = c.str("context", undefined, (v) => checkRelativePath(v, "the project"));
    const dockerfile = c.str("dockerfile", "Dockerfile", (v) => checkRelativePath(v, "the build context"));
    // Only a valid relative path is looked up: nothing outside the project is ever asked about.
    if (files && context && !checkRelativePath(context, "")) {
      if (!files.isDirectory(context)) {
        c.fail("context", `directory "${context}" is missing: build contexts are directories relative to the project root (where Pulumi.yaml is)`);
      } else if (!checkRelativePath(dockerfile, "") && !files.isFile(`${context.replace(/\/+$/, "")}/${dockerfile}`)) {
        c.fail("dockerfile", `"${dockerfile}"${c.has("dockerfile") ? "" : " (the default)"} is not a file in the build context "${context}"`);
      }
    }
    const port = c.int("port", undefined, 1, 65535);
    let releaseCommand: string[] | undefined;
    if (c.has("releaseCommand")) {
      const argv = c.list("releaseCommand");
      if (argv.length === 0 || argv.some((a) => typeof a !== "string" || a.length === 0)) c.fail("releaseCommand", "must be a non-empty list of arguments (strings), e.g. [python, manage.py, migrate, --noinput]");
      else if (!app.database) c.fail("releaseCommand", "needs the app's database: the release runs under a lock in it (database.enabled)");
      else releaseCommand = argv as string[];
    } else if (app.runtime === "django" && app.database && port === app.port) {
      releaseCommand = [...DJANGO_RELEASE_COMMAND];
    }
    return { name, context, dockerfile, port, ...(releaseCommand ? { releaseCommand } : {}) };
  });
  if (services.filter((c) => c.releaseCommand).length > 1) r.fail("containers", "name a releaseCommand on one service only: a release migrates once");
  return services;
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
