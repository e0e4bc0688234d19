/**
 * What every architecture gets from the shared platform: a module of its own, so that the
 * platform imports the architectures and the architectures import only this (no circle).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ArtifactStore } from "../components/artifact-store";
import { PlatformContext, invalidArg, tagResources } from "../components/common";
import type { HostImages } from "../components/host-images";
import type { StackKey } from "../components/kms";
import type { AlertTopic } from "../components/monitoring";
import type { Network } from "../components/network";
import type { SessionManager } from "../components/session-manager";
import type { Architecture, EnvironmentProfile } from "../lib/environment";
import type { AppConfig, StackConfig } from "./spec";

/** What an architecture gets from the shared platform. */
export interface SharedPlatform {
  ctx: PlatformContext;
  /** The environment's profile (config/profiles.ts): what the architectures map to their components' args. */
  profile: EnvironmentProfile;
  config: StackConfig;
  network: Network;
  /** The stack's customer-managed KMS key: data, secrets, logs, backups, alarms. */
  key: StackKey;
  /** Session Manager preferences: hosts' roles need its key and log group (hostPolicyDocument's `sessions`). */
  sessions: SessionManager;
  /** The stack's alarm topic. */
  alerts: AlertTopic;
  /** The stack's artifact store: apps without an explicit artifactUrl fetch their releases from it. */
  artifacts: ArtifactStore;
  /** The pinned Ubuntu image per CPU architecture, for every host of the stack. */
  images: HostImages;
  /**
   * The stack's alarm topic in us-east-1, created when an app first asks for it: CloudFront
   * certificates live there, ACM publishes their expiry metric only there, and an alarm can
   * notify only a topic in its own region.
   */
  usEast1Alerts(): AlertTopic;
}

/** The context every component gets, from the stack's spec. */
export function platformContext(config: StackConfig): PlatformContext {
  return {
    stack: config.stack,
    environment: config.environment,
    region: config.region,
    logRetentionDays: config.logRetentionDays,
    dataReplicaRegion: config.dataReplicaRegion,
  };
}

/** The `app` tag of what no single app owns (network, stack key, alert topics, artifact store). */
export const PLATFORM_OWNER = "platform";

/**
 * The tags of every taggable resource `owner` (an app's name, or PLATFORM_OWNER) owns: the
 * stack's tags (cost-center, ...), then the owner, environment and manager, which win.
 */
export function ownerTags(config: StackConfig, owner: string): Record<string, string> {
  return { ...config.tags, app: owner, environment: config.environment, "managed-by": "pulumi" };
}

/**
 * Options for an app's architecture component: everything below it is tagged as the app's
 * (resource transformations run before the stack's, whose platform tags then leave these alone).
 */
export function appComponentOptions(app: AppConfig, shared: SharedPlatform, opts?: pulumi.ComponentResourceOptions): pulumi.ComponentResourceOptions {
  return { ...opts, transformations: [tagResources(ownerTags(shared.config, app.name)), ...(opts?.transformations ?? [])] };
}

/** What every app architecture component takes (with its name and options: `new WebFleetApp(name, { app, shared }, opts)`). */
export interface AppArchitectureArgs {
  /** The app, fully specified (architectures/spec AppConfig); its children are named from app.name. Required. */
  app: AppConfig;
  /** What the stack's apps share: network, stack key, alert topics, artifact store, host images. Required. */
  shared: SharedPlatform;
}

/** Refuses an app of another architecture, naming the component. */
export function checkArchitecture(component: string, app: AppConfig, expected: Architecture): void {
  if (app.architecture !== expected) invalidArg(component, "app.architecture", `is "${app.architecture}"; ${component} builds ${expected} apps only`);
}
