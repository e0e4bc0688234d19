import type { CpuArchitecture } from "../components/ami";
import type { ArtifactPublishers } from "../components/publisher-trust";
/**
 * The typed shape of a stack's configuration, after validation and after the environment
 * profile's defaults have been applied. Every field here is present: optional settings in
 * Pulumi.<stack>.yaml are filled in by `parseStackConfig` (config/validate.ts), in one place.
 */

export const ENVIRONMENTS = ["prod", "staging"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const ARCHITECTURES = ["single-host", "spa-api", "containers", "web-fleet"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const RUNTIMES = ["django", "flask", "rust"] as const;
/** What the app process is: a Python WSGI app under gunicorn, or a compiled binary. */
export type Runtime = (typeof RUNTIMES)[number];

export const NAT_STRATEGIES = ["none", "single", "perAz"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

export const FRAME_OPTIONS = ["DENY", "SAMEORIGIN"] as const;
export type FrameOptions = (typeof FRAME_OPTIONS)[number];

export const BACKUP_SCHEDULES = ["daily", "weekly"] as const;
export type BackupSchedule = (typeof BACKUP_SCHEDULES)[number];

/** Secrets an app can ask for; each is generated (or a placeholder the operator fills in). */
export const APP_SECRET_KINDS = [
  "DJANGO_SECRET_KEY",
  "FLASK_SECRET_KEY",
  "JWT_SIGNING_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "STRIPE_SECRET_KEY",
] as const;
export type AppSecretKind = (typeof APP_SECRET_KINDS)[number];

export interface NetworkConfig {
  /** VPC IPv4 CIDR, a /16 to /22 private range. Default 10.0.0.0/16 (staging 10.1.0.0/16). */
  cidr: string;
  /** Availability zones to spread subnets over (2-3). Default: profile (staging 2, prod 3). */
  azCount: number;
  /** NAT gateways: none, one shared, or one per AZ. Default: profile (staging single, prod perAz). */
  natStrategy: NatStrategy;
  /** Retention of VPC flow logs in days. Default: profile log retention. */
  flowLogRetentionDays: number;
}

/** Where an app's DNS lives. */
export type DnsConfig =
  | { mode: "route53"; /** Existing public hosted zone name; the app's domain must be in it. */ zone: string }
  | {
      mode: "external";
      /** Registrar name, for the instructions printed to the operator. */
      registrar: string;
      /**
       * The operator has created the records in `dnsRecords` and ACM has issued the app's
       * certificates: HTTPS (the load balancer's HTTPS listener, CloudFront) is built. While
       * false, the first `pulumi up` requests the certificates and lists the records without
       * waiting for them, and holds back everything that needs an issued certificate.
       * Default false (parseStackConfig always sets it; optional for configs built in code).
       * Not allowed with route53 mode or single-host apps (no ACM certificate).
       */
      certificateValidated?: boolean;
    };

/** A request-rate limit applied per client IP, by nginx on hosts and by WAF at the edge. */
export interface PathRateLimit {
  /** Short name used in resource and zone names, e.g. "login". */
  name: string;
  /** URI path prefix the limit applies to, e.g. "/api/login/". */
  path: string;
  /** Requests allowed per client IP in the window. */
  requests: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

export interface RateLimitConfig {
  /** Requests per minute per client IP for the whole site. Default 600. */
  perIpPerMinute: number;
  /** Stricter limits on sensitive paths (login, webhooks). Default none. */
  paths: PathRateLimit[];
}

export interface HeadersConfig {
  /** X-Frame-Options. Default SAMEORIGIN. */
  frameOptions: FrameOptions;
  /** Content-Security-Policy sent by nginx and CloudFront. Default "default-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'". */
  contentSecurityPolicy: string;
  /** Referrer-Policy. Default strict-origin-when-cross-origin. */
  referrerPolicy: string;
  /** HSTS max-age in seconds (at least one year). Default 31536000. */
  hstsMaxAgeSeconds: number;
}

export interface FleetSize {
  /** Minimum instances. Default: profile (staging 1, prod 2). */
  min: number;
  /** Desired instances at creation. Default: profile. */
  desired: number;
  /** Maximum instances. Default: profile (staging 2, prod 6). */
  max: number;
}

export interface DatabaseConfig {
  /** Whether the app has a PostgreSQL database. Default true. */
  enabled: boolean;
  /** Database name (letters, digits, underscore). Default: the app name with `_` for `-`. */
  name: string;
  /** RDS instance class, within the environment's allowed list. Default: profile. */
  instanceClass: string;
  /** Initial gp3 storage in GiB (20-16384). Default: profile. */
  allocatedStorageGb: number;
  /** Storage autoscaling ceiling in GiB (>= allocatedStorageGb). Default: profile. */
  maxAllocatedStorageGb: number;
  /** Automated backup retention in days (staging >= 1, prod >= 14). Default: profile. */
  backupRetentionDays: number;
  /** Multi-AZ standby. Default: profile (prod true). */
  multiAz: boolean;
  /** PostgreSQL max_connections; unset keeps RDS's memory-based default. */
  maxConnections?: number;
  /** A read replica (prod reporting load). Default false. */
  readReplica: boolean;
}

export interface CacheConfig {
  /** Whether the app has a Redis replication group. Default false. */
  enabled: boolean;
  /** ElastiCache node type, within the environment's allowed list. Default: profile. */
  nodeType: string;
  /** Nodes in the replication group (prod >= 2 for failover). Default: profile. */
  numNodes: number;
  /** Days of snapshots kept. Default: profile. */
  snapshotRetentionDays: number;
}

export interface ContainerServiceConfig {
  /** Service name in the compose stack, e.g. "backend"; also names its ECR repository. */
  name: string;
  /** Build context: a directory relative to the project root, which must exist (loadStackConfig checks). */
  context: string;
  /** Dockerfile path inside the context, which must exist. Default "Dockerfile". */
  dockerfile: string;
  /** Port the container listens on. */
  port: number;
  /**
   * Command (argv) run once per release in a one-off container of this service's new image,
   * before the hosts restart onto it, under the app's PostgreSQL advisory lock: the migrations.
   * Default: `python manage.py migrate --noinput` on the service at the app's port for a django
   * app with a database; none otherwise.
   */
  releaseCommand?: string[];
}

export interface AppConfig {
  /** Key of the app in the `apps` map; used in every resource name (limits: APP_NAME_MAX, config/validate.ts). */
  name: string;
  /** Human name, for descriptions and reports. Default: the key. */
  displayName: string;
  architecture: Architecture;
  runtime: Runtime;
  /** Primary hostname the app serves (apex or subdomain). Required. */
  domain: string;
  /** Also serve www.<domain> (only for apex domains). Default true when domain is a zone apex. */
  www: boolean;
  /** Hostname of the API for spa-api and containers apps. Default api.<domain>. */
  apiDomain: string;
  dns: DnsConfig;
  /** Port the app process listens on, on 127.0.0.1. Default: django/flask 8000, rust 3000. */
  port: number;
  /** Version of the app to deploy; a change triggers a rolling redeploy. Required. */
  appVersion: string;
  /**
   * Where the app's code artifact is fetched from at boot (s3://, https://), for a release kept
   * outside the platform's artifact store; the hosts may read this URL's folder. Default
   * undefined: `s3://<artifact store bucket>/<app>/<appVersion>.tar.gz` (components/artifact-store.ts).
   * Container apps run images and ignore it.
   */
  artifactUrl?: string;
  /** HTTP path the load balancer and post-deploy check probe. Default /health/. */
  healthCheckPath: string;
  /** EC2 instance type, within the environment's allowed list. Default: profile. */
  instanceType: string;
  fleet: FleetSize;
  database: DatabaseConfig;
  cache: CacheConfig;
  headers: HeadersConfig;
  rateLimits: RateLimitConfig;
  /** WAF web ACL in front of the app. Default: profile (prod on). */
  wafEnabled: boolean;
  /** Secrets generated for the app and delivered to its hosts at boot. Default by runtime. */
  secrets: AppSecretKind[];
  /** Plain, non-secret environment variables for the app (e.g. FLASK_ENV). Default {}. */
  env: Record<string, string>;
  /**
   * Deliver `env` through one Secrets Manager secret (`<stack>/<app>/SETTINGS`, JSON) instead
   * of the hosts' plain config file, for apps whose runbook keeps every setting beside its
   * secrets (the Avanii seed). Requires a non-empty `env`. Default false.
   */
  envInSecretsManager: boolean;
  /** Client request body limit in MiB (nginx client_max_body_size). Default 10. */
  maxBodyMb: number;
  /** Private S3 bucket for user uploads (media, KYC documents). Default true. */
  mediaBucket: boolean;
  /** SES domain identity with DKIM for outgoing mail. Default false. */
  email: boolean;
  /** Prometheus node exporter bound to the private address. Default false. */
  nodeExporter: boolean;
  /** Container images for the containers architecture. Default []. */
  containers: ContainerServiceConfig[];
  /** AWS Backup schedule. Default: profile (prod daily). */
  backupSchedule: BackupSchedule;
  /** AWS Backup retention in days. Default: profile. */
  backupRetentionDays: number;
  /** Path of the static files nginx serves (e.g. the Flutter web build). Default /static/. */
  staticPath: string;
}

export interface StackConfig {
  /** Stack name (from `pulumi stack`). */
  stack: string;
  environment: Environment;
  /** AWS region of the stack (aws:region). */
  region: string;
  network: NetworkConfig;
  /** E-mail address subscribed to the stack's alarm topic. Required. */
  alertEmail: string;
  /** CIDRs allowed to reach SSH on edge hosts. Default none (use SSM Session Manager). */
  adminCidrs: string[];
  /** Run the post-deploy HTTPS check after `pulumi up`. Default false. */
  verifyAfterDeploy: boolean;
  /** Days CloudWatch log groups keep logs. Default: profile. */
  logRetentionDays: number;
  /**
   * Region where data buckets (media, KYC documents) keep a replica, so their objects survive
   * losing the bucket or the region. Default: in prod, the region's partner in
   * DATA_REPLICA_REGIONS (config/profiles.ts); in staging none. Optional only for configs built in code.
   */
  dataReplicaRegion?: string;
  /** Tags applied to every taggable resource (app, environment, managed-by are always set). */
  tags: Record<string, string>;
  /**
   * The GitHub Actions workflows (OIDC subjects, and the account's GitHub OIDC provider, by
   * default `arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com`)
   * that may assume the artifact store's publisher role, the only principal that may write
   * releases. Required.
   */
  artifactPublishers: ArtifactPublishers;
  /**
   * Ubuntu images the hosts boot, per CPU architecture (`amd64`, `arm64`). Default: each
   * architecture is pinned to Canonical's current image when first used, and stays there.
   */
  amis: Partial<Record<CpuArchitecture, string>>;
  apps: AppConfig[];
}
