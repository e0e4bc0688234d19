/**
 * The load-balanced half shared by the web-fleet, SPA + API and containers architectures:
 * host configuration for hosts behind an ALB, their log groups, media bucket and scoped
 * instance policy, the AppFleet itself, an optional regional WAF, and the fleet's alarms.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AppConfig } from "./spec";
import { AlarmSpec, certificateAlarms, fleetAlarms, loadBalancerAlarms } from "../components/alarms";
import { AppFleet, LAUNCH_HOOK_NAME } from "../components/app-fleet";
import { AppDns } from "../components/dns";
import {
  appArtifactUrl, ComposeService, HostConfigInput, hostConfigFromApp, hostLogGroupNames, hostPolicyDocument, plainHostEnv, renderCloudConfig,
} from "../components/hostconfig";
import { mediaBucket } from "../components/media-bucket";
import { DEFAULT_SESSION_DOCUMENT, sessionDocumentArgs } from "../components/session-manager";
import { WebAcl } from "../components/waf";
import type { AppData } from "./app-data";
import { SharedPlatform, ownerTags } from "./shared";

export interface FleetOptions {
  /** The app's DNS (one per app, shared with its static site). */
  dns: AppDns;
  /** Hostnames aliased to the ALB (and covered by its certificate unless one is given). */
  hostnames: string[];
  /**
   * Host names the hosts themselves answer (nginx server_name, the app's ALLOWED_HOSTS): the
   * names requests arrive with through the ALB.
   * @default the app's domain (and www.<domain>)
   */
  servedNames?: string[];
  /** Certificate for the ALB when it must cover more names than `hostnames`. @default one for `hostnames` */
  certificateArn?: pulumi.Input<string>;
  /** Extra IAM policy JSON for the hosts (e.g. ECR pulls). */
  extraPolicies?: pulumi.Input<string>[];
  /** Compose services, for container hosts. */
  composeServices?: pulumi.Input<ComposeService[]>;
  /** ECR repositories the hosts pull from. */
  ecrRepositoryArns?: pulumi.Input<string[]>;
  /** Extra plain (non-secret) env vars for the app, e.g. its CORS origin or document bucket. */
  env?: Record<string, pulumi.Input<string>>;
  /** Regional WAF on the ALB; false when a CLOUDFRONT-scope ACL already fronts the app. */
  regionalWaf: boolean;
  /** IMDS hop limit: 2 for Docker hosts whose containers call AWS APIs through the instance role. */
  metadataHopLimit?: 1 | 2;
}

export interface Fleet {
  fleet: AppFleet;
  mediaBucketName?: pulumi.Output<string>;
  mediaBucketArn?: pulumi.Output<string>;
  alarms: AlarmSpec[];
}

export function buildFleet(app: AppConfig, shared: SharedPlatform, data: AppData, o: FleetOptions, parent: pulumi.Resource): Fleet {
  const { ctx, config, network, key } = shared;
  const { dns } = o;

  const logGroupNames = hostLogGroupNames(ctx.stack, app.name);
  const logGroups = Object.entries(logGroupNames).map(([id, logName]) =>
    new aws.cloudwatch.LogGroup(`${app.name}-${id}`, { name: logName, retentionInDays: ctx.logRetentionDays, kmsKeyId: key.keyArn }, { parent }));

  const media = app.mediaBucket ? mediaBucket(`${app.name}-media`, { ctx, kmsKeyArn: key.keyArn, protect: shared.profile.protectData }, parent) : undefined;

  const secretArns = pulumi.all(data.secretArns);
  // User data depends on names only (bucket, secrets, images), never on the database or cache.
  const artifactBucketName = shared.artifacts.bucketName;
  const userData = pulumi.all([media?.bucket.bucket, pulumi.output(o.composeServices ?? []), pulumi.output(o.env ?? {}), artifactBucketName]).apply(([mediaBucket, services, env, artifactBucket]) => {
    const input: HostConfigInput = hostConfigFromApp(app, {
      stack: config, tls: "alb", secrets: data.secretNames, mediaBucket, composeServices: services, artifactBucket,
      overrides: { env: { ...plainHostEnv(app), ...env }, ...(o.servedNames ? { domains: o.servedNames } : {}), launchHook: LAUNCH_HOOK_NAME },
    });
    return renderCloudConfig(input);
  });
  const hostPolicy = pulumi.all([secretArns, key.keyArn, logGroups.map((g) => g.arn), media?.bucket.arn, pulumi.output(o.ecrRepositoryArns ?? []), artifactBucketName, shared.sessions.logGroupArn])
    .apply(([arns, kmsKeyArn, logGroupArns, mediaBucketArn, ecrRepositoryArns, artifactBucket, sessionLogGroupArn]) => JSON.stringify(hostPolicyDocument({
      region: ctx.region, secretArns: arns, kmsKeyArn, logGroupArns, mediaBucketArn, ecrRepositoryArns,
      sessions: { kmsKeyArn, logGroupArn: sessionLogGroupArn },
      // The same URL the user data fetches: the app's own store prefix, or its explicit URL's folder.
      artifactUrl: appArtifactUrl(app, artifactBucket),
    })));

  const fleet = new AppFleet(app.name, {
    ctx, protect: shared.profile.protectData, detailedMonitoring: shared.profile.detailedMonitoring,
    app: app.name,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    loadBalancerSecurityGroupId: data.tiers.loadBalancerSecurityGroupId as pulumi.Output<string>,
    instanceSecurityGroupId: data.tiers.hostSecurityGroupId,
    hostnames: o.hostnames,
    certificateArn: o.certificateArn,
    dns,
    amiId: shared.images.imageFor(app.instanceType),
    instanceType: app.instanceType,
    userData,
    appVersion: app.appVersion,
    healthCheckPath: app.healthCheckPath,
    fleet: app.fleet,
    instancePolicies: [hostPolicy, ...(o.extraPolicies ?? [])],
    tags: ownerTags(config, app.name),
    metadataHopLimit: o.metadataHopLimit,
    alertTopicArn: shared.alerts.topicArn,
  }, { parent });

  if (app.wafEnabled && o.regionalWaf) {
    new WebAcl(`${app.name}-waf`, { ctx, scope: "REGIONAL", rateLimits: app.rateLimits, associateWith: [fleet.albArn], kmsKeyArn: key.keyArn }, { parent });
  }

  const alarms = [
    // The target group has metrics only once a listener forwards to it (HTTPS, after validation).
    ...loadBalancerAlarms(app.name, fleet.albArnSuffix, fleet.httpsListenerArn ? fleet.targetGroupArnSuffix : undefined),
    ...fleetAlarms(app.name, fleet.asgName),
    ...certificateAlarms(app.name, fleet.certificateArn),
  ];
  return { fleet, mediaBucketName: media?.bucket.bucket, mediaBucketArn: media?.bucket.arn, alarms };
}

/** A command that opens a shell on one of the fleet's hosts through SSM (no SSH). */
export function fleetShellCommand(region: string, asgName: pulumi.Input<string>, sessionDocument = DEFAULT_SESSION_DOCUMENT): pulumi.Output<string> {
  return pulumi.interpolate`aws ssm start-session --region ${region}${sessionDocumentArgs(sessionDocument)} --target "$(aws autoscaling describe-auto-scaling-groups --region ${region} --auto-scaling-group-names ${asgName} --query 'AutoScalingGroups[0].Instances[0].InstanceId' --output text)"`;
}
