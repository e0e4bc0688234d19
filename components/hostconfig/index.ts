/**
 * Host configuration: renders the `#cloud-config` user data of a web host (single host,
 * fleet or container host) from plain input. Pure and deterministic: no Pulumi resources,
 * no clock, no randomness; identical input gives identical bytes.
 *
 * What the document does at boot:
 * - installs nginx, certbot (edge hosts), the app runtime (venv + gunicorn, a binary, or
 *   Docker + compose) and creates the app's system user;
 * - writes the nginx site, systemd units, scripts, CloudWatch agent config and logrotate;
 * - runs the bootstrap script: host firewall, AWS CLI, CloudWatch agent, secrets from
 *   Secrets Manager (instance role; nothing secret is in this document), the app, nginx,
 *   Let's Encrypt, node exporter.
 *
 * Artifact layout (python/binary): a .tar.gz whose root holds the project (python:
 * requirements.txt, manage.py for Django, optionally wheels/ for an offline install) or
 * `bin/<binaryName>` and, for a web build, `web/` (binary); next to it `<artifact>.sha256`
 * (sha256sum's output), without which the deploy refuses it. README.md, "App artifacts".
 */
import { createHash } from "crypto";
import { gunzipSync, gzipSync } from "zlib";
import type { Architecture, Environment } from "../../lib/environment";
import type { DnsConfig } from "../dns";
import type { HeadersConfig, RateLimitConfig } from "../http-policy";
import { cloudwatchConfigPath, renderCloudWatchConfig } from "./cloudwatch";
import { renderNginxSite, sitePath } from "./nginx";
import {
  PG_ENV_PATH, PG_ENV_PY, SECRET_TO_ENV_PATH, SECRET_TO_ENV_PY, renderBootstrapScript, renderReleaseScript, renderCertExpiryScript, renderCertsScript,
  renderDeployScript, renderSecretsScript, scriptPath,
} from "./scripts";
import { appUnitPath, renderAppUnit, renderCertUnits, renderLogrotate, renderSecretsRefreshUnits } from "./systemd";
import {
  AcmeChallenge, artifactStoreUrl, ComposeService, HostConfigInput, HostLogGroups, ResolvedHost, Runtime, TlsMode, USER_DATA_LIMIT_BYTES,
} from "./input";
import { resolveHostConfig } from "./resolve";
import { toYaml, YamlValue } from "./yaml";

export * from "./input";
export * from "./resolve";
export * from "./shell";
export { globalRate, pathRate, renderNginxSite, sitePath, TLS_CIPHERS } from "./nginx";
export type { NginxRate } from "./nginx";
export { hostPolicyDocument, artifactObjectArn } from "./iam";
export type { HostPolicyInput, PolicyDocument } from "./iam";
export { GUNICORN_REQUIREMENT_ERE, SECRET_TO_ENV_PY, artifactTemplate, hostScriptPath, migratePython } from "./scripts";

/** A file the host configuration writes. */
export interface HostFile {
  path: string;
  content: string;
  /** Octal mode, e.g. "0644". */
  permissions: string;
  /** What the file is, for tests and reviewers. */
  kind: "nginx" | "systemd" | "script" | "config";
}

/** The log groups a host ships to, named from the stack and app (one place, so every host kind agrees). */
export function hostLogGroupNames(stack: string, app: string): HostLogGroups {
  const base = `/webapp-platform/${stack}/${app}`;
  return { nginxAccess: `${base}/nginx-access`, nginxError: `${base}/nginx-error`, app: `${base}/app` };
}

function renderConfigEnv(r: ResolvedHost): string {
  const vars: [string, string][] = [
    ["APP_NAME", r.app],
    ["APP_ENVIRONMENT", r.environment],
    ["APP_VERSION", r.appVersion],
    ["AWS_REGION", r.region],
    ["AWS_DEFAULT_REGION", r.region],
    ["ALLOWED_HOSTS", r.certNames.join(",")],
  ];
  // Compose services bind inside their containers; only host processes get a bind address.
  if (r.kind !== "compose") vars.push(["HOST", "127.0.0.1"], ["PORT", String(r.port)]);
  if (r.kind === "python" && r.runtime === "django") vars.push(["STATIC_ROOT", r.paths.staticRoot]);
  if (r.mediaBucket) vars.push(["MEDIA_BUCKET", r.mediaBucket], ["AWS_STORAGE_BUCKET_NAME", r.mediaBucket]);
  // The app's own variables last: they may override the defaults above.
  for (const k of Object.keys(r.env).sort()) vars.push([k, r.env[k]]);
  return `# ${r.app}: plain settings (secrets are in secrets.env, written at boot from Secrets Manager).\n${vars.map(([k, v]) => `${k}='${v}'`).join("\n")}\n`;
}

function renderCompose(r: ResolvedHost): string {
  const services: Record<string, YamlValue> = {};
  for (const s of r.services) {
    services[s.name] = {
      image: s.image,
      restart: "unless-stopped",
      env_file: [`${r.etcDir}/config.env`, `${r.etcDir}/secrets.env`],
      environment: { PORT: String(s.port) },
      // Published on loopback only: nginx is the one entry point (and Docker would bypass UFW).
      ports: [`127.0.0.1:${s.port}:${s.port}`],
      security_opt: ["no-new-privileges:true"],
      logging: {
        driver: "awslogs",
        options: { "awslogs-region": r.region, "awslogs-group": r.logGroups.app, "awslogs-create-group": "false", tag: `${s.name}/{{.ID}}` },
      },
    };
  }
  return `# ${r.app} compose stack (webapp-platform): images pinned by digest.\n${toYaml({ name: r.app, services })}`;
}

/** Every file the host configuration writes, in a fixed order. */
export function renderHostFiles(input: HostConfigInput): HostFile[] {
  const r = resolveHostConfig(input);
  const files: HostFile[] = [
    { path: sitePath(r), content: renderNginxSite(r), permissions: "0644", kind: "nginx" },
    { path: appUnitPath(r), content: renderAppUnit(r), permissions: "0644", kind: "systemd" },
    { path: `${r.etcDir}/config.env`, content: renderConfigEnv(r), permissions: "0644", kind: "config" },
    { path: cloudwatchConfigPath(r), content: renderCloudWatchConfig(r), permissions: "0644", kind: "config" },
    { path: SECRET_TO_ENV_PATH, content: SECRET_TO_ENV_PY, permissions: "0755", kind: "config" },
    { path: scriptPath(r, "secrets"), content: renderSecretsScript(r), permissions: "0755", kind: "script" },
    { path: scriptPath(r, "deploy"), content: renderDeployScript(r), permissions: "0755", kind: "script" },
  ];
  if (r.kind === "compose") files.push({ path: `${r.etcDir}/compose.yaml`, content: renderCompose(r), permissions: "0644", kind: "config" });
  if (r.services.some((s) => s.releaseCommand)) {
    files.push(
      { path: PG_ENV_PATH, content: PG_ENV_PY, permissions: "0755", kind: "config" },
      { path: scriptPath(r, "release"), content: renderReleaseScript(r), permissions: "0755", kind: "script" },
    );
  }
  else files.push({ path: `/etc/logrotate.d/${r.app}`, content: renderLogrotate(r), permissions: "0644", kind: "config" });
  if (r.tls === "letsencrypt") {
    const units = renderCertUnits(r);
    files.push(
      { path: `/etc/systemd/system/${r.app}-certs.service`, content: units.service, permissions: "0644", kind: "systemd" },
      { path: `/etc/systemd/system/${r.app}-certs.timer`, content: units.timer, permissions: "0644", kind: "systemd" },
      { path: `/etc/systemd/system/${r.app}-certs-retry.service`, content: units.retryService, permissions: "0644", kind: "systemd" },
      { path: `/etc/systemd/system/${r.app}-certs-retry.timer`, content: units.retryTimer, permissions: "0644", kind: "systemd" },
      { path: scriptPath(r, "certs"), content: renderCertsScript(r), permissions: "0755", kind: "script" },
      { path: scriptPath(r, "cert-expiry"), content: renderCertExpiryScript(r), permissions: "0755", kind: "script" },
    );
  }
  if (r.secrets.length > 0) {
    const refresh = renderSecretsRefreshUnits(r);
    files.push(
      { path: `/etc/systemd/system/${r.app}-secrets-refresh.service`, content: refresh.service, permissions: "0644", kind: "systemd" },
      { path: `/etc/systemd/system/${r.app}-secrets-refresh.timer`, content: refresh.timer, permissions: "0644", kind: "systemd" },
    );
  }
  files.push({ path: scriptPath(r, "bootstrap"), content: renderBootstrapScript(r), permissions: "0755", kind: "script" });
  return files;
}

/** Debian packages the host installs. */
export function hostPackages(input: HostConfigInput): string[] {
  const r = resolveHostConfig(input);
  const pkgs = ["nginx", "ufw", "curl", "logrotate"];
  if (r.tls === "letsencrypt") pkgs.push("certbot", ...(r.acmeChallenge === "dns-route53" ? ["python3-certbot-dns-route53"] : []));
  if (r.kind === "python") pkgs.push("python3-venv", "python3-dev", "build-essential", "libpq-dev");
  if (r.kind === "compose") pkgs.push("docker.io", "docker-compose-v2");
  if (r.services.some((s) => s.releaseCommand)) pkgs.push("postgresql-client"); // psql holds the release's lock
  if (r.nodeExporter) pkgs.push("prometheus-node-exporter");
  return pkgs;
}

/** The `#cloud-config` document. */
export function renderCloudConfig(input: HostConfigInput): string {
  const r = resolveHostConfig(input);
  const doc: Record<string, YamlValue> = {
    timezone: "Etc/UTC",
    ssh_pwauth: false,
    package_update: true,
    package_upgrade: true,
    packages: hostPackages(input),
    users: [
      "default",
      { name: r.app, system: true, shell: "/usr/sbin/nologin", homedir: r.paths.appDir, no_create_home: true, lock_passwd: true },
    ],
    write_files: renderHostFiles(input).map((f) => ({ path: f.path, owner: "root:root", permissions: f.permissions, content: f.content })),
    runcmd: [scriptPath(r, "bootstrap")],
  };
  return `#cloud-config\n# webapp-platform host configuration: ${r.app} ${r.appVersion} (${r.environment}, TLS ${r.tls === "letsencrypt" ? "on this host" : "at the load balancer"}).\n# Contains no secrets: the host reads them from Secrets Manager with its instance role.\n${toYaml(doc)}`;
}

export interface EncodedUserData {
  /** gzip-compressed document, base64-encoded: what to pass as `userDataBase64` (instance) or `userData` (launch template). */
  base64: string;
  /** Size EC2 counts against its 16 KB limit (the compressed bytes, before base64). */
  bytes: number;
}

/**
 * Encodes the document for EC2: always gzip-compressed (cloud-init detects gzip by its magic
 * bytes), so every host's user data has the same form and a lot of headroom under 16 KB.
 * Deterministic: zlib writes no timestamp. Throws when even the compressed form is too big.
 */
export function encodeUserData(doc: string): EncodedUserData {
  const gz = gzipSync(Buffer.from(doc, "utf8"), { level: 9 });
  if (gz.length > USER_DATA_LIMIT_BYTES) throw new Error(`HostConfig: user data is ${gz.length} bytes gzip-compressed, over EC2's ${USER_DATA_LIMIT_BYTES}`);
  return { base64: gz.toString("base64"), bytes: gz.length };
}

/** The inverse of encodeUserData: base64 (maybe gzip) → the text cloud-init reads. Plain text (userData on an instance) is passed through. Pure. */
export function decodeUserData(value: string, base64 = true): { text: string; gzip: boolean; raw: Buffer } {
  const raw = base64 ? Buffer.from(value, "base64") : Buffer.from(value, "utf8");
  let buf = raw;
  if (base64 && buf.toString("base64").replace(/=+$/, "") !== value.replace(/\s+/g, "").replace(/=+$/, "")) {
    throw new Error("user data is not valid base64");
  }
  const gzip = buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  if (gzip) buf = gunzipSync(buf);
  return { text: buf.toString("utf8"), gzip, raw };
}

/** The app settings a host is built from (fields of the stack config's app, config/types AppConfig, documented there). */
export interface HostApp {
  name: string;
  architecture: Architecture;
  runtime: Runtime;
  domain: string;
  www: boolean;
  apiDomain: string;
  dns: Pick<DnsConfig, "mode">;
  port: number;
  appVersion: string;
  artifactUrl?: string;
  healthCheckPath: string;
  headers: HeadersConfig;
  rateLimits: RateLimitConfig;
  env: Record<string, string>;
  envInSecretsManager: boolean;
  maxBodyMb: number;
  nodeExporter: boolean;
  staticPath: string;
}

/** Deployment facts that are not in the app's settings. */
export interface HostFacts {
  /** Stack name (for log group names) and settings. Required. */
  stack: { stack: string; environment: Environment; region: string; adminCidrs: string[]; network: { cidr: string } };
  /** Where TLS ends. @default letsencrypt for single-host apps, alb otherwise */
  tls?: TlsMode;
  /** Let's Encrypt validation. @default dns-route53 when the app's DNS is Route53, else http */
  acmeChallenge?: AcmeChallenge;
  /** Let's Encrypt contact. @default none */
  acmeEmail?: string;
  /** Secrets the host reads at boot (Secrets Manager names, see HostConfigInput.secrets). @default [] */
  secrets?: string[];
  /** Log groups. @default hostLogGroupNames(stack, app) */
  logGroups?: HostLogGroups;
  /** Media bucket name. @default none */
  mediaBucket?: string;
  /**
   * Name of the platform's artifact store bucket: an app without an explicit `artifactUrl`
   * fetches `s3://<it>/<app>/<appVersion>.tar.gz` (appArtifactUrl). Default none: the app must
   * set `artifactUrl` (compose apps need neither).
   */
  artifactBucket?: string;
  /** Compose services (containers apps). @default none */
  composeServices?: ComposeService[];
  /** Also serve apiDomain on this host. @default rust apps and containers apps */
  serveApiDomain?: boolean;
  /** Escape hatch for the remaining fields (wsgiApp, binaryName, runMigrations, listen, paths...). */
  overrides?: Partial<HostConfigInput>;
}

/**
 * The plain variables a host's config file carries for an app: its `env`, or, when `env` is
 * delivered through Secrets Manager (envInSecretsManager), only a digest of it, so a changed
 * setting still changes the user data and rolls the hosts like a new version does.
 */
export function plainHostEnv(app: Pick<HostApp, "env" | "envInSecretsManager">): Record<string, string> {
  if (!app.envInSecretsManager) return app.env;
  const canonical = JSON.stringify(Object.entries(app.env).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { APP_SETTINGS_SHA256: createHash("sha256").update(canonical).digest("hex").slice(0, 16) };
}

/**
 * The URL an app's hosts fetch their release from: the app's explicit `artifactUrl`, else its
 * key in the artifact store `artifactBucket`; undefined for container apps (they run images)
 * and when neither is known. The host policy grants exactly this URL's folder. Pure.
 */
export function appArtifactUrl(app: Pick<HostApp, "name" | "architecture" | "appVersion" | "artifactUrl">, artifactBucket: string | undefined): string | undefined {
  if (app.architecture === "containers") return undefined;
  if (app.artifactUrl !== undefined) return app.artifactUrl;
  return artifactBucket === undefined ? undefined : artifactStoreUrl(artifactBucket, app.name, app.appVersion);
}

/** Builds the renderer's input from an app's config and its deployment facts. */
export function hostConfigFromApp(app: HostApp, facts: HostFacts): HostConfigInput {
  const compose = app.architecture === "containers";
  const serveApi = facts.serveApiDomain ?? (app.runtime === "rust" || compose);
  const tls = facts.tls ?? (app.architecture === "single-host" ? "letsencrypt" : "alb");
  const services = facts.composeServices ?? [];
  // A containers app's "frontend" (not on the app port) serves the main site; the API gets its own name.
  const web = services.find((s) => s.port !== app.port && s.name === "frontend");
  return {
    app: app.name,
    environment: facts.stack.environment,
    region: facts.stack.region,
    runtime: app.runtime,
    appKind: compose ? "compose" : undefined,
    domains: [app.domain, ...(app.www ? [`www.${app.domain}`] : [])],
    apiDomain: serveApi ? app.apiDomain : undefined,
    port: app.port,
    healthCheckPath: app.healthCheckPath,
    headers: app.headers,
    rateLimits: app.rateLimits,
    maxBodyMb: app.maxBodyMb,
    staticPath: app.staticPath,
    artifactUrl: appArtifactUrl(app, facts.artifactBucket),
    appVersion: app.appVersion,
    env: plainHostEnv(app),
    secrets: facts.secrets ?? [],
    tls,
    acmeChallenge: facts.acmeChallenge ?? (app.dns.mode === "route53" ? "dns-route53" : "http"),
    acmeEmail: facts.acmeEmail,
    vpcCidr: facts.stack.network.cidr,
    adminCidrs: tls === "letsencrypt" ? facts.stack.adminCidrs : [],
    nodeExporter: app.nodeExporter,
    logGroups: facts.logGroups ?? hostLogGroupNames(facts.stack.stack, app.name),
    mediaBucket: facts.mediaBucket,
    compose: compose ? { services, webService: web?.name } : undefined,
    ...facts.overrides,
  };
}
