/**
 * What the architectures build from: a stack and its apps, fully specified (every default
 * applied). The stack config (config/validate.ts) produces it from Pulumi.<stack>.yaml; a
 * program of its own may build one in code.
 */
import type { CpuArchitecture } from "../components/ami";
import type { FleetSize } from "../components/app-fleet";
import type { AppSecretKind } from "../components/secret-library";
import type { ContainerServiceConfig } from "../components/container-images";
import type { DnsConfig } from "../components/dns";
import type { Runtime } from "../components/hostconfig/input";
import type { HeadersConfig, RateLimitConfig } from "../components/http-policy";
import type { DatabaseConfig } from "../components/postgres";
import type { ArtifactPublishers } from "../components/publisher-trust";
import type { CacheConfig } from "../components/redis";
import type { Architecture, BackupSchedule, Environment, NatStrategy } from "../lib/environment";

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
