/**
 * The typed shape of a stack's configuration, after validation and after the environment
 * profile's defaults have been applied. Every field is present: optional settings in
 * Pulumi.<stack>.yaml are filled in by `parseStackConfig` (config/validate.ts), in one place.
 * The shape itself belongs to the layers that consume it (architectures/spec.ts, the
 * components' settings, lib/environment.ts); this module gathers it for the config's readers.
 */
import { ARCHITECTURES, BACKUP_SCHEDULES, ENVIRONMENTS, NAT_STRATEGIES } from "../lib/environment";
import { APP_SECRET_KINDS } from "../components/secret-library";
import { RUNTIMES } from "../components/hostconfig/input";
import { FRAME_OPTIONS } from "../components/http-policy";

export { APP_SECRET_KINDS, ARCHITECTURES, BACKUP_SCHEDULES, ENVIRONMENTS, FRAME_OPTIONS, NAT_STRATEGIES, RUNTIMES };
export type { Architecture, BackupSchedule, Environment, NatStrategy } from "../lib/environment";
export type { CpuArchitecture } from "../components/ami";
export type { FleetSize } from "../components/app-fleet";
export type { AppSecretKind } from "../components/secret-library";
export type { ContainerServiceConfig } from "../components/container-images";
export type { DnsConfig } from "../components/dns";
export type { Runtime } from "../components/hostconfig/input";
export type { FrameOptions, HeadersConfig, PathRateLimit, RateLimitConfig } from "../components/http-policy";
export type { DatabaseConfig } from "../components/postgres";
export type { ArtifactPublishers } from "../components/publisher-trust";
export type { CacheConfig } from "../components/redis";
export type { AppConfig, NetworkConfig, StackConfig } from "../architectures/spec";
