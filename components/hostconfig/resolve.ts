/**
 * The host configuration's defaults and validation, in one place: every other module of the
 * renderer works on the ResolvedHost this produces, never on raw input.
 */
import { S3_BUCKET_NAME_RE } from "../../lib/buckets";
import { ENV_VALUE_RE, ENV_VALUE_RULE, ENV_VAR_NAME_RE } from "../../lib/env-vars";
import { EMAIL_RE } from "../../lib/email";
import { HOSTNAME_RE } from "../../lib/hostnames";
import {
  CONTENT_SECURITY_POLICY_RE, CONTENT_SECURITY_POLICY_RULE, FRAME_OPTIONS, HSTS_MAX_AGE_SECONDS, RATE_LIMITS, REFERRER_POLICY_VALUES,
  pathRateLimitConflicts, rateLimitNameProblem,
} from "../../lib/http-policy-rules";
import { AWS_REGION_RE } from "../../lib/regions";
import { urlDirectoryProblem, urlPathProblem } from "../../lib/url-paths";
import { checkAppName } from "../../lib/names";
import { appVersionProblem } from "../../lib/versions";
import { ARTIFACT_URL_RE, AppKind, ComposeService, HostConfigInput, HostPaths, ListenConfig, ResolvedHost } from "./input";

/** One argument of a compose release command: shell-quoted as is, so no quote or expansion. */
const RELEASE_ARG_RE = /^[^'"$`\\\s][^'"$`\\\n\r]{0,199}$/;
const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const SECRET_ARN_RE = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:([A-Za-z0-9/_+=.@-]+)-[A-Za-z0-9]{6}$/;
const SECRET_NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const DIGEST_RE = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._\/-]+@sha256:[a-f0-9]{64}$/;

const ABS_PATH_RE = /^\/[A-Za-z0-9._\/-]*$/;

function fail(field: string, message: string): never {
  throw new Error(`HostConfig: input.${field} ${message}`);
}

function isCidr(v: string): boolean {
  const m = CIDR_RE.exec(v);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

/** Applies the defaults and rejects invalid input, naming the field and what is allowed. */
export function resolveHostConfig(input: HostConfigInput): ResolvedHost {
  const app = input.app;
  const nameProblem = checkAppName(app ?? "", "");
  if (nameProblem) fail("app", nameProblem);
  if (input.environment !== "prod" && input.environment !== "staging") fail("environment", `"${input.environment}" must be prod or staging`);
  if (!AWS_REGION_RE.test(input.region ?? "")) fail("region", `"${input.region}" is not an AWS region like eu-west-1`);
  if (!["django", "flask", "rust"].includes(input.runtime)) fail("runtime", `"${input.runtime}" must be django, flask or rust`);
  const kind: AppKind = input.appKind ?? (input.runtime === "rust" ? "binary" : "python");
  if (!["python", "binary", "compose"].includes(kind)) fail("appKind", `"${kind}" must be python, binary or compose`);
  if (kind === "python" && input.runtime === "rust") fail("appKind", "python does not run a rust app; use binary or compose");
  if (kind === "binary" && input.runtime !== "rust") fail("appKind", `binary runs compiled (rust) apps, not ${input.runtime}; use python or compose`);

  if (!Array.isArray(input.domains) || input.domains.length === 0) fail("domains", "must list at least one hostname");
  input.domains.forEach((d, i) => { if (!HOSTNAME_RE.test(d)) fail(`domains[${i}]`, `"${d}" is not a lower-case hostname`); });
  if (new Set(input.domains).size !== input.domains.length) fail("domains", "lists a hostname twice");
  if (input.apiDomain !== undefined && (!HOSTNAME_RE.test(input.apiDomain) || input.domains.includes(input.apiDomain))) {
    fail("apiDomain", `"${input.apiDomain}" must be a lower-case hostname not already in domains`);
  }
  if (!Number.isInteger(input.port) || input.port < 1024 || input.port > 65535) fail("port", `${input.port} must be an integer 1024-65535 (the app runs unprivileged)`);
  const healthCheckPathProblem = urlPathProblem(input.healthCheckPath ?? "");
  if (healthCheckPathProblem) fail("healthCheckPath", healthCheckPathProblem);
  const staticPathProblem = urlDirectoryProblem(input.staticPath ?? "");
  if (staticPathProblem) fail("staticPath", staticPathProblem);
  if (!Number.isInteger(input.maxBodyMb) || input.maxBodyMb < 1 || input.maxBodyMb > 1024) fail("maxBodyMb", `${input.maxBodyMb} must be an integer 1-1024`);
  const versionProblem = appVersionProblem(input.appVersion ?? "");
  if (versionProblem) fail("appVersion", versionProblem);

  const h = input.headers;
  if (!h || !FRAME_OPTIONS.includes(h.frameOptions)) fail("headers.frameOptions", `"${h?.frameOptions}" must be ${FRAME_OPTIONS.join(" or ")}`);
  if (!CONTENT_SECURITY_POLICY_RE.test(h.contentSecurityPolicy ?? "")) fail("headers.contentSecurityPolicy", CONTENT_SECURITY_POLICY_RULE);
  if (!REFERRER_POLICY_VALUES.includes(h.referrerPolicy)) fail("headers.referrerPolicy", `"${h.referrerPolicy}" is not a Referrer-Policy value; allowed: ${REFERRER_POLICY_VALUES.join(", ")}`);
  const hsts = HSTS_MAX_AGE_SECONDS;
  if (!Number.isInteger(h.hstsMaxAgeSeconds) || h.hstsMaxAgeSeconds < hsts.min) fail("headers.hstsMaxAgeSeconds", `${h.hstsMaxAgeSeconds} must be at least ${hsts.min} (one year)`);

  const rl = input.rateLimits;
  const wholeNumber = (field: string, v: number, range: { min: number; max: number }) => {
    if (!Number.isInteger(v) || v < range.min || v > range.max) fail(field, `${v} must be a whole number from ${range.min} to ${range.max}`);
  };
  if (!rl) fail("rateLimits", "is required");
  wholeNumber("rateLimits.perIpPerMinute", rl.perIpPerMinute, RATE_LIMITS.perIpPerMinute);
  rl.paths.forEach((p, i) => {
    const f = `rateLimits.paths[${i}]`;
    const problem = rateLimitNameProblem(p.name);
    if (problem) fail(`${f}.name`, problem);
    const pathProblem = urlPathProblem(p.path);
    if (pathProblem) fail(`${f}.path`, pathProblem);
    wholeNumber(`${f}.requests`, p.requests, RATE_LIMITS.requests);
    wholeNumber(`${f}.windowSeconds`, p.windowSeconds, RATE_LIMITS.windowSeconds);
  });
  for (const c of pathRateLimitConflicts(rl.paths, input)) fail(`rateLimits.paths[${c.index}].${c.field}`, c.message);

  const env = input.env ?? {};
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_VAR_NAME_RE.test(k)) fail(`env.${k}`, "names are upper-case letters, digits and _");
    if (!ENV_VALUE_RE.test(v)) fail(`env.${k}`, ENV_VALUE_RULE);
  }
  const secrets = (input.secrets ?? []).map((id, i) => {
    const arn = SECRET_ARN_RE.exec(id);
    if (!arn && (id.startsWith("arn:") || !SECRET_NAME_RE.test(id))) fail(`secrets[${i}]`, `"${id}" is not a Secrets Manager secret name or ARN`);
    const variable = (arn ? arn[1] : id).split("/").pop() as string;
    if (!ENV_VAR_NAME_RE.test(variable)) fail(`secrets[${i}]`, `"${id}" must end in an upper-case variable name like DJANGO_SECRET_KEY or DATABASE`);
    return { id, variable };
  });
  if (new Set(secrets.map((s) => s.variable)).size !== secrets.length) fail("secrets", "names two secrets with the same last segment");

  if (input.tls !== "letsencrypt" && input.tls !== "alb") fail("tls", `"${input.tls}" must be letsencrypt or alb`);
  const acmeChallenge = input.acmeChallenge ?? "dns-route53";
  if (!["dns-route53", "http"].includes(acmeChallenge)) fail("acmeChallenge", `"${acmeChallenge}" must be dns-route53 or http`);
  if (input.acmeEmail !== undefined && !EMAIL_RE.test(input.acmeEmail)) fail("acmeEmail", `"${input.acmeEmail}" is not an e-mail address`);
  if (!isCidr(input.vpcCidr ?? "")) fail("vpcCidr", `"${input.vpcCidr}" is not an IPv4 CIDR`);
  const adminCidrs = input.adminCidrs ?? [];
  adminCidrs.forEach((c, i) => {
    if (!isCidr(c)) fail(`adminCidrs[${i}]`, `"${c}" is not an IPv4 CIDR`);
    if (c.endsWith("/0")) fail(`adminCidrs[${i}]`, "may not be a /0: SSH is never open to the world");
  });
  if (input.tls === "alb" && adminCidrs.length > 0) fail("adminCidrs", "only applies to edge hosts (letsencrypt); hosts behind a load balancer are reached through SSM");

  const lg = input.logGroups;
  for (const k of ["nginxAccess", "nginxError", "app"] as const) {
    if (!/^[A-Za-z0-9_\/.#-]{1,512}$/.test(lg?.[k] ?? "")) fail(`logGroups.${k}`, `"${lg?.[k]}" is not a CloudWatch log group name`);
  }
  if (input.mediaBucket !== undefined && !S3_BUCKET_NAME_RE.test(input.mediaBucket)) fail("mediaBucket", `"${input.mediaBucket}" is not an S3 bucket name`);

  let artifactUrl = "";
  if (kind !== "compose") {
    if (input.artifactUrl === undefined) fail("artifactUrl", "is required for a host that installs an artifact: the app's explicit artifactUrl, or its artifact store URL (hostConfigFromApp's facts.artifactBucket)");
    artifactUrl = input.artifactUrl;
    if (!ARTIFACT_URL_RE.test(artifactUrl)) fail("artifactUrl", `"${input.artifactUrl}" must be an s3:// or https:// URL of letters, digits and . _ ~ / : % + = @ - ? &`);
  }
  const wsgiApp = input.wsgiApp ?? (input.runtime === "django" ? "config.wsgi:application" : "wsgi:app");
  if (!/^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_.()]*$/.test(wsgiApp)) fail("wsgiApp", `"${wsgiApp}" must look like module.path:callable`);
  const isDjango = input.runtime === "django" && kind === "python";
  if (input.runMigrations === true && !isDjango) fail("runMigrations", `applies to django python hosts only, not ${input.runtime} ${kind}`);
  if (input.launchHook !== undefined) {
    if (input.tls !== "alb") fail("launchHook", "only applies to hosts behind a load balancer (tls alb): a single host is in no autoscaling group");
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(input.launchHook)) fail("launchHook", `"${input.launchHook}" must be 1-255 letters, digits, _ and - (an autoscaling lifecycle hook name)`);
  }
  const binaryName = input.binaryName ?? app;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(binaryName)) fail("binaryName", `"${binaryName}" must be a file name (letters, digits, . _ -)`);

  let services: ComposeService[] = [];
  let appService = "";
  let webService = "";
  if (kind === "compose") {
    services = input.compose?.services ?? [];
    if (services.length === 0) fail("compose.services", "must list at least one service for the compose kind");
    services.forEach((s, i) => {
      if (!/^[a-z][a-z0-9-]{1,30}$/.test(s.name)) fail(`compose.services[${i}].name`, `"${s.name}" must be lower-case letters, digits and -`);
      if (!DIGEST_RE.test(s.image)) fail(`compose.services[${i}].image`, `"${s.image}" must be pinned by digest: <registry>/<repo>@sha256:<64 hex>`);
      if (!Number.isInteger(s.port) || s.port < 1024 || s.port > 65535) fail(`compose.services[${i}].port`, `${s.port} must be 1024-65535`);
      (s.releaseCommand ?? []).forEach((a, j) => {
        if (!RELEASE_ARG_RE.test(a)) fail(`compose.services[${i}].releaseCommand[${j}]`, `${JSON.stringify(a)} must be 1-200 printable characters without quotes, $, backslashes or backticks`);
      });
      if (s.releaseCommand && s.releaseCommand.length === 0) fail(`compose.services[${i}].releaseCommand`, "is empty; leave it out for no release command");
    });
    if (new Set(services.map((s) => s.port)).size !== services.length) fail("compose.services", "two services publish the same port");
    if (services.filter((s) => s.releaseCommand).length > 1) fail("compose.services", "name a releaseCommand on one service only: a release migrates once");
    if (services.some((s) => s.releaseCommand) && !secrets.some((x) => x.variable === "DATABASE")) {
      fail("compose.services", "have a releaseCommand but no DATABASE secret: its lock and its migrations live in the app's database");
    }
    const appSvc = services.find((s) => s.port === input.port);
    if (!appSvc) fail("compose.services", `has no service on the app's port ${input.port}`);
    appService = appSvc.name;
    webService = input.compose?.webService ?? appService;
    if (!services.some((s) => s.name === webService)) fail("compose.webService", `"${webService}" is not one of the services: ${services.map((s) => s.name).join(", ")}`);
  } else if (input.compose) {
    fail("compose", `only applies to appKind compose, not ${kind}`);
  }

  const listen: ListenConfig = { address: input.listen?.address, http: input.listen?.http ?? 80, https: input.listen?.https ?? 443 };
  if (listen.address !== undefined && !/^[0-9.]+$|^\[[0-9a-f:]+\]$/.test(listen.address)) fail("listen.address", `"${listen.address}" must be an IPv4 address or [IPv6]`);
  for (const p of ["http", "https"] as const) {
    if (!Number.isInteger(listen[p]) || listen[p] < 1 || listen[p] > 65535) fail(`listen.${p}`, `${listen[p]} must be a TCP port`);
  }

  const appDir = input.paths?.appDir ?? `/srv/${app}`;
  const defaultStatic = kind === "binary" ? `${appDir}/current/web` : input.runtime === "flask" ? `${appDir}/current/static` : `${appDir}/static`;
  const paths: HostPaths = {
    nginxDir: input.paths?.nginxDir ?? "/etc/nginx",
    nginxLogDir: input.paths?.nginxLogDir ?? "/var/log/nginx",
    certDir: input.paths?.certDir ?? `/etc/ssl/webapp-platform/${app}`,
    appDir,
    acmeRoot: input.paths?.acmeRoot ?? "/var/www/letsencrypt",
    staticRoot: input.paths?.staticRoot ?? defaultStatic,
  };
  for (const [k, v] of Object.entries(paths)) {
    if (!ABS_PATH_RE.test(v) || v.length > 1 && v.endsWith("/")) fail(`paths.${k}`, `"${v}" must be an absolute path without a trailing /`);
  }

  const apiDomain = input.apiDomain;
  return {
    app, ident: app.replace(/-/g, "_"), environment: input.environment, region: input.region, runtime: input.runtime, kind,
    domains: [...input.domains], apiDomain, certNames: [...input.domains, ...(apiDomain ? [apiDomain] : [])],
    port: input.port, healthCheckPath: input.healthCheckPath, headers: { ...h },
    rateLimits: { perIpPerMinute: rl.perIpPerMinute, paths: rl.paths.map((p) => ({ ...p })) },
    maxBodyMb: input.maxBodyMb, staticPath: input.staticPath, artifactUrl, appVersion: input.appVersion,
    env: { ...env }, secrets, tls: input.tls, acmeChallenge, acmeEmail: input.acmeEmail,
    vpcCidr: input.vpcCidr, adminCidrs: [...adminCidrs], nodeExporter: input.nodeExporter ?? false,
    logGroups: { ...lg }, mediaBucket: input.mediaBucket, wsgiApp, binaryName,
    runMigrations: isDjango && (input.runMigrations ?? true),
    launchHook: input.launchHook,
    services, appService, webService, listen, paths,
    etcDir: `/etc/${app}`, appLogDir: `/var/log/${app}`,
  };
}
