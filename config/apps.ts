/**
 * One app's settings (`webapp-platform:apps.<name>`): architecture, names, DNS, fleet, HTTP
 * policy, secrets and containers, with the environment profile's defaults. Pure: the project
 * tree is only read through ParseOptions.files.
 */
import { isInZone } from "../components/dns";
import { ENV_VALUE_RE, ENV_VALUE_RULE, ENV_VAR_NAME_RE } from "../lib/env-vars";
import { HOSTNAME_RE, HOSTNAME_RULE } from "../lib/hostnames";
import {
  CLOUDFRONT_CSP_MAX, CONTENT_SECURITY_POLICY_RE, CONTENT_SECURITY_POLICY_RULE, HSTS_MAX_AGE_SECONDS, RATE_LIMITS, REFERRER_POLICIES,
  pathRateLimitConflicts, rateLimitNameProblem,
} from "../lib/http-policy-rules";
import { urlDirectoryProblem, urlPathProblem } from "../lib/url-paths";
import { DOCKER_TAG_RE, appVersionProblem } from "../lib/versions";
import { parseCache, parseDatabase } from "./data";
import { NAME_RE, NAME_RULE } from "../lib/names";
import { EnvironmentProfile } from "./profiles";
import { Raw, Reader } from "./reader";
import {
  APP_SECRET_KINDS, ARCHITECTURES, AppConfig, Architecture, AppSecretKind, BACKUP_SCHEDULES,
  ContainerServiceConfig, DnsConfig, Environment, FRAME_OPTIONS,
  FleetSize, HeadersConfig, PathRateLimit, RUNTIMES,
  RateLimitConfig, Runtime,
} from "./types";

const DEFAULT_PORT: Record<Runtime, number> = { django: 8000, flask: 8000, rust: 3000 };
const DEFAULT_SECRETS: Record<Runtime, AppSecretKind[]> = {
  django: ["DJANGO_SECRET_KEY"],
  flask: ["FLASK_SECRET_KEY"],
  rust: ["JWT_SIGNING_KEY"],
};
const DEFAULT_CSP = "default-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'";

/**
 * ACM puts a certificate's first name in the X.509 Common Name, which RFC 5280 caps at 64
 * characters (RequestCertificate DomainName); the other names (SANs) may be 253.
 */
export const ACM_COMMON_NAME_MAX = 64;

function checkHostname(v: string): string | undefined {
  return HOSTNAME_RE.test(v) ? undefined : `"${v}" is not a lower-case DNS name like shop.example.com (${HOSTNAME_RULE})`;
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

/** An explicit artifact URL (a release kept outside the artifact store), or undefined for the store's default. */
function parseArtifactUrl(r: Reader, architecture: Architecture): string | undefined {
  if (!r.has("artifactUrl")) return undefined;
  if (architecture === "containers") {
    r.fail("artifactUrl", "container apps run images from ECR, not artifacts; remove it");
    return undefined;
  }
  return r.str("artifactUrl", undefined, (v) => (/^(s3|https):\/\/[^\s"'$`\\]+$/.test(v) ? undefined : `"${v}" must be an s3:// or https:// URL`));
}

export function parseApp(r: Reader, name: string, environment: Environment, profile: EnvironmentProfile, options: ParseOptions): AppConfig {
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
  if (domainValid && dns.mode === "route53" && dns.zone && !isInZone(domain, dns.zone)) {
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
  if (r.has("apiDomain") && dns.mode === "route53" && dns.zone && HOSTNAME_RE.test(apiDomain) && !isInZone(apiDomain, dns.zone)) {
    r.fail("apiDomain", `"${apiDomain}" is not in the hosted zone "${dns.zone}"`);
  }
  if (domainValid) checkDerivedHostnames(r, architecture, domain, www, apiDomain);
  const port = r.int("port", DEFAULT_PORT[runtime] ?? 8000, 1024, 65535);
  const appVersion = r.str("appVersion", undefined, (v) => appVersionProblem(v)
    // Container apps tag their images `<version>-<12 hex>` (components/container-images imageTag).
    ?? (architecture === "containers" && !DOCKER_TAG_RE.test(`${v}-${"0".repeat(12)}`) ? `"${v}" becomes a Docker image tag, which allows letters, digits and _ . - only (no +)` : undefined));
  const healthCheckPath = r.str("healthCheckPath", "/health/", urlPathProblem);
  const instanceType = r.str("instanceType", profile.instanceTypes[0], (v) =>
    profile.instanceTypes.includes(v) ? undefined : `"${v}" is not allowed in ${environment}; allowed: ${profile.instanceTypes.join(", ")}`);
  const fleet = parseFleet(r.obj("fleet"), profile, architecture, environment);
  const database = parseDatabase(r.obj("database"), name, environment, profile);
  const cache = parseCache(r.obj("cache"), environment, profile);
  const headers = parseHeaders(r.obj("headers"));
  const rateLimits = parseRateLimits(r.obj("rateLimits"));
  const secrets = parseSecrets(r, runtime);
  const env = r.stringMap("env", (k, v) => {
    if (!ENV_VAR_NAME_RE.test(k)) return "environment variable names are upper-case letters, digits and _";
    if (/SECRET|PASSWORD|TOKEN|PRIVATE|API_KEY|DATABASE_URL/.test(k)) return `looks like a secret; secrets are generated, never written in config: list it under ${r.key("secrets")} (allowed: ${APP_SECRET_KINDS.join(", ")})`;
    if (!ENV_VALUE_RE.test(v)) return ENV_VALUE_RULE;
    return undefined;
  });
  const envInSecretsManager = r.bool("envInSecretsManager", false);
  if (envInSecretsManager && Object.keys(env).length === 0) r.fail("envInSecretsManager", `is true but ${r.key("env")} is empty: there is nothing to store; set env or drop envInSecretsManager`);
  const containers = parseContainers(r, architecture, options.files, { runtime, port, database: database.enabled });
  const backupSchedule = r.oneOf("backupSchedule", BACKUP_SCHEDULES, profile.backup.schedule);
  const backupRetentionDays = r.int("backupRetentionDays", profile.backup.retentionDays, 1, 3650);
  if (environment === "prod" && backupRetentionDays < 7) r.fail("backupRetentionDays", `prod keeps backups at least 7 days, got ${backupRetentionDays}`);
  const staticPath = r.str("staticPath", "/static/", urlDirectoryProblem);
  for (const c of pathRateLimitConflicts(rateLimits.paths, { staticPath, healthCheckPath })) r.fail(`rateLimits.paths[${c.index}].${c.field}`, c.message);

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

function parseHeaders(r: Reader): HeadersConfig {
  r.onlyKeys(["frameOptions", "contentSecurityPolicy", "referrerPolicy", "hstsMaxAgeSeconds"]);
  return {
    frameOptions: r.oneOf("frameOptions", FRAME_OPTIONS, "SAMEORIGIN"),
    contentSecurityPolicy: r.str("contentSecurityPolicy", DEFAULT_CSP, (v) => (!CONTENT_SECURITY_POLICY_RE.test(v) ? CONTENT_SECURITY_POLICY_RULE
      : v.length > CLOUDFRONT_CSP_MAX ? `is ${v.length} characters; CloudFront accepts at most ${CLOUDFRONT_CSP_MAX}` : undefined)),
    referrerPolicy: r.oneOf("referrerPolicy", REFERRER_POLICIES, "strict-origin-when-cross-origin"),
    hstsMaxAgeSeconds: r.int("hstsMaxAgeSeconds", HSTS_MAX_AGE_SECONDS.min, HSTS_MAX_AGE_SECONDS.min, HSTS_MAX_AGE_SECONDS.max),
  };
}

/** The limits one by one; parseApp checks them against each other and the app's paths (pathRateLimitConflicts). */
function parseRateLimits(r: Reader): RateLimitConfig {
  r.onlyKeys(["perIpPerMinute", "paths"]);
  const { perIpPerMinute, requests, windowSeconds } = RATE_LIMITS;
  const paths: PathRateLimit[] = r.list("paths").map((raw, i) => {
    const p = new Reader(r.problems, (raw ?? {}) as Raw, r.key(`paths[${i}]`));
    p.onlyKeys(["name", "path", "requests", "windowSeconds"]);
    return {
      name: p.str("name", undefined, rateLimitNameProblem),
      path: p.str("path", undefined, urlPathProblem),
      requests: p.int("requests", undefined, requests.min, requests.max),
      windowSeconds: p.int("windowSeconds", windowSeconds.default, windowSeconds.min, windowSeconds.max),
    };
  });
  return { perIpPerMinute: r.int("perIpPerMinute", perIpPerMinute.default, perIpPerMinute.min, perIpPerMinute.max), paths };
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
