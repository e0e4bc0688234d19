/**
 * What a host is built from: the renderer's input (HostConfigInput), its resolved form
 * (ResolvedHost), the fixed facts every host shares (limits, pinned versions, metric names) and
 * the artifact store's layout. resolve.ts turns an input into a ResolvedHost.
 */
import type { HeadersConfig, RateLimitConfig } from "../http-policy";
import { CERT_DAYS_METRIC, HOST_METRICS_NAMESPACE, NGINX_502_METRIC, NGINX_5XX_METRIC, NGINX_REQUESTS_METRIC } from "../alarms";

export const RUNTIMES = ["django", "flask", "rust"] as const;
/** What the app process is: a Python WSGI app under gunicorn, or a compiled binary. */
export type Runtime = (typeof RUNTIMES)[number];

export { CERT_DAYS_METRIC, HOST_METRICS_NAMESPACE, NGINX_502_METRIC, NGINX_5XX_METRIC, NGINX_REQUESTS_METRIC };

/** EC2's limit on user data, in bytes, before base64 encoding. */
export const USER_DATA_LIMIT_BYTES = 16384;
/** Port the Prometheus node exporter listens on (private address only). */
export const NODE_EXPORTER_PORT = 9100;
/** The AWS CLI the host scripts call (installed from AWS's snap at boot; see scripts.ts). */
export const AWS_CLI = "/snap/bin/aws";
/**
 * The gunicorn python hosts install when the artifact's requirements.txt does not name one
 * (the artifact's own pin wins). Debian trixie's python3-gunicorn is this version too.
 */
export const GUNICORN_VERSION = "23.0.0";
/**
 * Key of the PostgreSQL advisory lock Django hosts hold while they migrate ("webappmg" in
 * ASCII): fleet instances booting together take turns, the later ones find nothing to apply.
 * Advisory locks are per database, so apps on one server do not wait for each other.
 */
export const MIGRATION_LOCK_KEY = "8603390833798966631";

/** How the app process runs on the host. */
export type AppKind = "python" | "binary" | "compose";
/**
 * Where TLS ends: "letsencrypt" on a single host (nginx on 443 with a Let's Encrypt
 * certificate), "alb" behind a load balancer (nginx on 80 for the ALB only).
 */
export type TlsMode = "letsencrypt" | "alb";
/** How certbot proves control of the names: Route53 TXT records, or files under the webroot. */
export type AcmeChallenge = "dns-route53" | "http";

export interface HostLogGroups {
  /** nginx access log (JSON lines; the 5xx metric filters read it). */
  nginxAccess: string;
  nginxError: string;
  /** The app's stdout/stderr (and cloud-init's boot output). */
  app: string;
}

/** One service of a compose stack; its image is pinned by digest. */
export interface ComposeService {
  /** Service name, e.g. "backend". */
  name: string;
  /** Image reference pinned by digest: `<repo>@sha256:<64 hex>`. */
  image: string;
  /** Port the container listens on; published on 127.0.0.1 only. */
  port: number;
  /**
   * Run once per release before the stack restarts onto it, in a one-off container of this
   * service's new image, holding the app's PostgreSQL advisory lock (MIGRATION_LOCK_KEY) so
   * instances booting together take turns: the migrations. Its failure fails the deploy.
   * @default none
   */
  releaseCommand?: string[];
}

/** Where files live on the host. Tests relocate them into a temporary directory. */
export interface HostPaths {
  /** nginx configuration root (sites-available/, sites-enabled/). Default /etc/nginx. */
  nginxDir: string;
  /** nginx log directory. Default /var/log/nginx. */
  nginxLogDir: string;
  /** Directory nginx reads fullchain.pem and privkey.pem from (symlinks). Default /etc/ssl/webapp-platform/<app>. */
  certDir: string;
  /** The app's home: releases/, current, static/. Default /srv/<app>. */
  appDir: string;
  /** Webroot for ACME HTTP-01 challenges. Default /var/www/letsencrypt. */
  acmeRoot: string;
  /**
   * Directory nginx serves the site's static files from. Default: python apps
   * <appDir>/static (Django's collectstatic target), binary apps <appDir>/current/web (the
   * Flutter web build inside the artifact).
   */
  staticRoot: string;
}

export interface ListenConfig {
  /** Address to bind; undefined binds every IPv4 and IPv6 address. @default undefined */
  address?: string;
  /** Plain HTTP port. Default 80. */
  http: number;
  /** HTTPS port (letsencrypt mode only). Default 443. */
  https: number;
}

/**
 * Everything the host configuration depends on: the app's settings (from AppConfig) plus the
 * facts of its deployment. Plain values only, so rendering is a pure function.
 */
export interface HostConfigInput {
  /** App name (AppConfig.name): the system user, units, files and nginx zones are named from it. Required. */
  app: string;
  /** Stack environment, given to the app as APP_ENVIRONMENT. Required. */
  environment: "prod" | "staging";
  /** AWS region of the stack; the host's AWS CLI calls go there. Required. */
  region: string;
  /** App runtime. Required. */
  runtime: Runtime;
  /** How the app runs. @default python for django/flask, binary for rust. "compose" needs `compose` */
  appKind?: AppKind;
  /** Names the main site serves: the domain, then www.<domain> when served. Required, at least one. */
  domains: string[];
  /** A hostname proxied entirely to the app (FlashBill's API next to its web build). @default none */
  apiDomain?: string;
  /** Port the app listens on, on 127.0.0.1. Required. */
  port: number;
  /** Path the load balancer / post-deploy check probe; always proxied to the app. Required. */
  healthCheckPath: string;
  /** Security headers nginx adds to every response. Required. */
  headers: HeadersConfig;
  /** Per-IP request limits nginx enforces. Required. */
  rateLimits: RateLimitConfig;
  /** Client request body limit in MiB. Required. */
  maxBodyMb: number;
  /** URL path of the static files nginx serves itself; "/" serves a web build as the whole site. Required. */
  staticPath: string;
  /**
   * Where the app's artifact (tar.gz) is fetched from at boot: s3:// or https://. Required unless
   * compose (hostConfigFromApp fills in the artifact store's URL, artifactStoreUrl).
   */
  artifactUrl?: string;
  /** Version of the app; a new version is a new release directory. Required. */
  appVersion: string;
  /** Plain, non-secret environment variables for the app. @default {} */
  env?: Record<string, string>;
  /**
   * Secrets Manager secrets (names, or ARNs) written to the app's env file at boot. The last
   * path segment names the content: a plain-text secret becomes <SEGMENT>='value'
   * (`prod/shop/DJANGO_SECRET_KEY`), a JSON object adds its upper-case keys as they are
   * (`prod/shop/DATABASE` -> DATABASE_URL).
   * @default []
   */
  secrets?: string[];
  /** Where TLS ends. Required. */
  tls: TlsMode;
  /** How Let's Encrypt validates (letsencrypt mode). @default dns-route53 */
  acmeChallenge?: AcmeChallenge;
  /** Contact address registered with Let's Encrypt. @default none (registered without e-mail) */
  acmeEmail?: string;
  /** The VPC's CIDR: the ALB's addresses (trusted for X-Forwarded-For) and node-exporter scrapers. Required. */
  vpcCidr: string;
  /** CIDRs the host firewall lets reach SSH. @default [] (22 stays closed; use SSM Session Manager) */
  adminCidrs?: string[];
  /** Run the Prometheus node exporter on the private address. @default false */
  nodeExporter?: boolean;
  /** CloudWatch log groups the agent ships to. Required. */
  logGroups: HostLogGroups;
  /** S3 bucket for user uploads, given to the app as MEDIA_BUCKET / AWS_STORAGE_BUCKET_NAME. @default none */
  mediaBucket?: string;
  /** WSGI application gunicorn serves (python). @default django config.wsgi:application, flask wsgi:app */
  wsgiApp?: string;
  /** Executable inside the artifact's bin/ directory (binary). @default the app name */
  binaryName?: string;
  /**
   * Run Django's `migrate` at deploy, before the service restarts onto the new release, under a
   * PostgreSQL advisory lock so instances of a fleet never migrate at once. Django python hosts
   * only; false leaves migrations to the operator.
   * @default true for django python hosts, else false
   */
  runMigrations?: boolean;
  /**
   * The autoscaling group's launch lifecycle hook that holds this host out of service until
   * its bootstrap ends (hosts behind a load balancer): the bootstrap completes it with CONTINUE
   * once the app answers its health check through nginx, and with ABANDON when a step fails
   * (the group then terminates it and launches another; it never takes traffic).
   * @default none (single hosts; a fleet without a hook)
   */
  launchHook?: string;
  /** The compose stack (compose kind): its services and which one serves the main site. */
  compose?: {
    /** Services, one of which listens on `port` (the app). Required, at least one. */
    services: ComposeService[];
    /** Service serving the main site's "/". @default the app service (the one on `port`) */
    webService?: string;
  };
  /** Listen address and ports; tests move them to loopback. @default all addresses, 80 and 443 */
  listen?: Partial<ListenConfig>;
  /** File locations. Defaults as documented on HostPaths. Tests relocate them. */
  paths?: Partial<HostPaths>;
}

export interface ResolvedHost {
  app: string;
  /** The app name as an nginx identifier (zones, upstreams, log format). */
  ident: string;
  environment: "prod" | "staging";
  region: string;
  runtime: Runtime;
  kind: AppKind;
  domains: string[];
  apiDomain?: string;
  /** Every name the certificate covers. */
  certNames: string[];
  port: number;
  healthCheckPath: string;
  headers: HeadersConfig;
  rateLimits: RateLimitConfig;
  maxBodyMb: number;
  staticPath: string;
  artifactUrl: string;
  appVersion: string;
  env: Record<string, string>;
  secrets: { id: string; variable: string }[];
  tls: TlsMode;
  acmeChallenge: AcmeChallenge;
  acmeEmail?: string;
  vpcCidr: string;
  adminCidrs: string[];
  nodeExporter: boolean;
  logGroups: HostLogGroups;
  mediaBucket?: string;
  wsgiApp: string;
  binaryName: string;
  runMigrations: boolean;
  launchHook?: string;
  services: ComposeService[];
  webService: string;
  appService: string;
  listen: ListenConfig;
  paths: HostPaths;
  /** Root-owned directory of the app's env files. */
  etcDir: string;
  appLogDir: string;
}

/** Also checked by the deploy script on the host, which takes the URL as an argument. */
export const ARTIFACT_URL_RE = /^(s3|https):\/\/[A-Za-z0-9._~\/:%+=@?&-]+$/;

/**
 * The platform's artifact store layout (components/artifact-store.ts): one prefix per app,
 * `<app>/`, and a release at `<app>/<version>.tar.gz` with its `.sha256` beside it. Pure.
 */
export function artifactStorePrefix(app: string): string {
  return `${app}/`;
}

/** The default artifactUrl of an app whose releases live in the store bucket `bucket`. Pure. */
export function artifactStoreUrl(bucket: string, app: string, version: string): string {
  return `s3://${bucket}/${artifactStorePrefix(app)}${version}.tar.gz`;
}
