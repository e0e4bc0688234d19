/**
 * The whole stack: the shared platform (network, ...) and one architecture component per
 * configured app. index.ts only reads config, calls buildPlatform and exports its outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Architecture, EnvironmentProfile } from "../lib/environment";
import { ArtifactStore } from "../components/artifact-store";
import { tagResources } from "../components/common";
import { US_EAST_1, usEast1Provider } from "../components/providers";
import { HostImages } from "../components/host-images";
import { StackKey } from "../components/kms";
import { AlertTopic } from "../components/monitoring";
import { Network } from "../components/network";
import { DEFAULT_SESSION_DOCUMENT, SessionManager } from "../components/session-manager";
import { ContainersApp } from "./containers";
import { PLATFORM_OWNER, SharedPlatform, ownerTags, platformContext } from "./shared";
import type { AppConfig, StackConfig } from "./spec";
import { AppOutputs, artifactOutputs } from "./outputs";
import { SingleHostApp } from "./single-host";
import { SpaApiApp } from "./spa-api";
import { WebFleetApp } from "./web-fleet";

type ArchitectureBuilder = (app: AppConfig, shared: SharedPlatform) => AppOutputs;

/** Architectures that can be built; an app naming another one is skipped with a warning. */
const BUILDERS: Partial<Record<Architecture, ArchitectureBuilder>> = {
  "web-fleet": (app, shared) => new WebFleetApp(app.name, { app, shared }).outputs,
  "spa-api": (app, shared) => new SpaApiApp(app.name, { app, shared }).outputs,
  containers: (app, shared) => new ContainersApp(app.name, { app, shared }).outputs,
  "single-host": (app, shared) => new SingleHostApp(app.name, { app, shared }).outputs,
};

export interface PlatformOutputs {
  environment: string;
  vpcId: pulumi.Output<string>;
  alertTopicArn: pulumi.Output<string>;
  /** The us-east-1 alarm topic, when an app has CloudFront certificates to watch. */
  usEast1AlertTopicArn?: pulumi.Output<string>;
  /** The artifact store's bucket, where releases are published (`<app>/<version>.tar.gz`). */
  artifactBucket: pulumi.Output<string>;
  /** The role CI assumes to publish releases (the store's only writer). */
  artifactPublisherRoleArn: pulumi.Output<string>;
  /** The Ubuntu image ID the hosts boot, per CPU architecture in use. */
  hostImages: Record<string, pulumi.Output<string>>;
  /** The Session Manager preferences document of the stack's shells, and the log group sessions stream to. */
  sessionDocumentName: string;
  sessionLogGroupName: pulumi.Output<string>;
  apps: Record<string, AppOutputs>;
  skippedApps: string[];
}

/** Builds the stack: `profile` is its environment's (config/profiles PROFILES[config.environment]). */
export function buildPlatform(config: StackConfig, profile: EnvironmentProfile): PlatformOutputs {
  const ctx = platformContext(config);
  pulumi.runtime.registerStackTransformation(
    tagResources(ownerTags(config, PLATFORM_OWNER)),
  );

  // The key first: the flow-log group is encrypted with it. Creation order is not part of a
  // URN, so nothing already deployed is replaced.
  const key = new StackKey(config.stack, { ctx, protect: profile.protectData });
  const network = new Network(config.stack, {
    ctx,
    cidr: config.network.cidr,
    azCount: config.network.azCount,
    natStrategy: config.network.natStrategy,
    flowLogRetentionDays: config.network.flowLogRetentionDays,
    kmsKeyArn: key.keyArn,
  });
  // One preferences document per account and region: prod owns the account's default one;
  // another stack (staging may share prod's account, both are in the same region) has its own,
  // which its ssmShellCommand outputs name with --document-name.
  const sessions = new SessionManager(config.stack, {
    ctx, kmsKeyArn: key.keyArn,
    documentName: config.environment === "prod" ? DEFAULT_SESSION_DOCUMENT : `${DEFAULT_SESSION_DOCUMENT}-${config.stack.replace(/[^A-Za-z0-9_.-]/g, "-")}`,
  });
  const alerts = new AlertTopic(config.stack, { email: config.alertEmail, kmsKeyId: key.keyArn });
  const artifacts = new ArtifactStore(config.stack, { ctx, publishers: config.artifactPublishers, protect: profile.protectData });
  const images = new HostImages(config.stack, { stack: config.stack, chosen: config.amis });
  let usEast1Alerts: AlertTopic | undefined;
  const shared: SharedPlatform = {
    ctx, profile, config, network, key, sessions, alerts, images, artifacts,
    // Without SSE: the stack key cannot leave its region, CloudWatch cannot use the AWS-managed
    // SNS key, and a second customer key would cost more than the certificate alarms it carries.
    usEast1Alerts: () => usEast1Alerts ??= new AlertTopic(`${config.stack}-${US_EAST_1}`, { email: config.alertEmail }, { provider: usEast1Provider() }),
  };

  const apps: Record<string, AppOutputs> = {};
  const skippedApps: string[] = [];
  for (const app of config.apps) {
    const build = BUILDERS[app.architecture];
    if (!build) {
      pulumi.log.warn(`app "${app.name}" skipped: the ${app.architecture} architecture is not built yet`);
      skippedApps.push(app.name);
      continue;
    }
    apps[app.name] = { ...build(app, shared), ...artifactOutputs(app, artifacts.bucketName) };
  }
  return {
    environment: config.environment, vpcId: network.vpcId, alertTopicArn: alerts.topicArn,
    usEast1AlertTopicArn: usEast1Alerts?.topicArn, hostImages: images.pinned,
    sessionDocumentName: sessions.documentName, sessionLogGroupName: sessions.logGroupName,
    artifactBucket: artifacts.bucketName, artifactPublisherRoleArn: artifacts.publisherRoleArn, apps, skippedApps,
  };
}
