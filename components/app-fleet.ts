/**
 * A load-balanced fleet: an internet-facing ALB (HTTPS only, HTTP redirects), a launch
 * template for hardened Ubuntu hosts, and an autoscaling group over the private subnets that
 * rolls out a new app version by instance refresh.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HealthCheckTimings, healthCheckGraceSeconds, launchHookTimeoutSeconds } from "./boot-timing";
import { AcmCertificate } from "./certificate";
import { PlatformContext, invalidArg, typeToken } from "./common";
import { AppDns } from "./dns";
import { encodeUserData } from "./hostconfig";
import { HOST_HTTP_PORT } from "./security-tiers";
import { denyInsecureTransport, privateBucket } from "./private-bucket";

export interface FleetSize {
  /** Minimum instances. Default: profile (staging 1, prod 2). */
  min: number;
  /** Desired instances at creation. Default: profile. */
  desired: number;
  /** Maximum instances. Default: profile (staging 2, prod 6). */
  max: number;
}

/**
 * The launch lifecycle hook every instance completes at the end of its bootstrap (the host
 * configuration's `launchHook`): until then it is Pending:Wait, out of the target group.
 */
export const LAUNCH_HOOK_NAME = "bootstrap-done";

/** The target group's health check: the ALB's verdict, and the group's grace derived from it. */
const HEALTH_CHECK: HealthCheckTimings = { interval: 15, timeout: 5, healthyThreshold: 2 };

/** TLS 1.3 and 1.2 only, forward-secret ciphers. */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
const ACCESS_LOG_PREFIX = "alb";

/**
 * The launch template's user data: gzip-compressed (cloud-init detects it) and base64, so a
 * full host configuration fits EC2's 16 KB limit, which counts the compressed bytes. Pure.
 */
export function encodeFleetUserData(userData: string): string {
  try {
    return encodeUserData(userData).base64;
  } catch (err) {
    throw new Error(`AppFleet: args.userData ${(err as Error).message.replace(/^HostConfig: user data /, "")}; move large files to S3 and fetch them at boot`);
  }
}

/**
 * The access-log bucket policy: the region's ELB log-delivery account (regions before
 * August 2022) and the log-delivery service principal (newer regions) may write under this
 * account's prefix only; nothing may use plain HTTP. Pure.
 */
export function albLogBucketPolicy(bucketArn: string, elbAccountArn: string, accountId: string): string {
  const resource = `${bucketArn}/${ACCESS_LOG_PREFIX}/AWSLogs/${accountId}/*`;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "ElbAccountWritesAccessLogs", Effect: "Allow", Principal: { AWS: elbAccountArn }, Action: "s3:PutObject", Resource: resource },
      { Sid: "ElbLogDeliveryWritesAccessLogs", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: resource },
      denyInsecureTransport(bucketArn),
    ],
  });
}

export interface AppFleetArgs {
  /** Stack context: stack name, environment (tags, launch hook), region, log retention. Required. */
  ctx: PlatformContext;
  /**
   * Protect what the fleet keeps: ALB deletion protection, and `protect` without forceDestroy
   * on its access-log bucket (the architectures set it in prod). @default false
   */
  protect?: boolean;
  /** EC2 detailed (1-minute) monitoring of the instances (the architectures set it in prod). @default false */
  detailedMonitoring?: boolean;
  /** App name, for the app tag on instances. Required. */
  app: string;
  /** VPC of the target group. Required. */
  vpcId: pulumi.Input<string>;
  /** Public subnets for the load balancer, one per AZ, at least 2. Required. */
  publicSubnetIds: pulumi.Input<string>[];
  /** Private subnets for the instances, at least 1 (2+ in prod). Required. */
  privateSubnetIds: pulumi.Input<string>[];
  /** Security group of the load balancer tier (SecurityTiers.loadBalancerSecurityGroupId). Required. */
  loadBalancerSecurityGroupId: pulumi.Input<string>;
  /** Security group of the instances (SecurityTiers.hostSecurityGroupId). Required. */
  instanceSecurityGroupId: pulumi.Input<string>;
  /** Hostnames the load balancer serves: certificate names and alias records. Required, at least one. */
  hostnames: string[];
  /** The app's DNS: alias A records to the load balancer (Route53) or the operator's records. Required. */
  dns: AppDns;
  /** Certificate for the HTTPS listener, in the stack's region. @default one is created for `hostnames` */
  certificateArn?: pulumi.Input<string>;
  /**
   * The certificate is issued (or will be within this `pulumi up`), so the HTTPS listener is
   * created. While false (external DNS before the operator's records exist) there is no HTTPS
   * listener: port 80 keeps redirecting to HTTPS, where nothing answers yet, so the app is
   * never served unencrypted and `pulumi up` never waits for a certificate it cannot get.
   * @default `dns.certificatesValidated`
   */
  certificateReady?: boolean;
  /** AMI of the instances (Ubuntu). Required. */
  amiId: pulumi.Input<string>;
  /** EC2 instance type (the stack config checks it against the environment's list). @default "t3.small" */
  instanceType?: string;
  /** Rendered cloud-init user data (plain text, no secrets); base64-encoded here, at most 16 KB. Required. */
  userData: pulumi.Input<string>;
  /** App version; a change is tagged on the group and rolls the instances. Required. */
  appVersion: string;
  /** Path the target group's health check probes. @default "/health/" */
  healthCheckPath?: string;
  /** Instances: min / desired / max (the stack config sizes it per environment). @default 1 / 1 / 2 */
  fleet?: FleetSize;
  /** Root gp3 volume size in GiB (8-1024). @default 20 */
  rootVolumeGb?: number;
  /** IAM policy documents (JSON) the instances also get, e.g. read access to the app's own secrets. @default [] */
  instancePolicies?: pulumi.Input<string>[];
  /** Seconds the load balancer drains a deregistering instance. @default 30 */
  deregistrationDelaySeconds?: number;
  /** Average CPU % the group scales to. @default 50 */
  cpuTargetPercent?: number;
  /** Also scale on ALB requests per target per minute. @default off */
  requestsPerTargetPerMinute?: number;
  /** Share of capacity kept healthy during an instance refresh, in %. @default 90 */
  minHealthyPercentage?: number;
  /** Extra tags for the instances (the stack's tags); app, environment and managed-by are always set. @default {} */
  tags?: Record<string, string>;
  /** Days ALB access logs are kept. @default the stack's log retention */
  logRetentionDays?: number;
  /**
   * IMDSv2 response hop limit: 1 keeps instance credentials on the host; 2 lets Docker
   * containers on a bridge network reach the metadata service (container hosts); policy
   * imds-hop-limit-one then needs a named exemption for the template (`<name>-lt`) with the
   * reason. @default 1
   */
  metadataHopLimit?: 1 | 2;
  /**
   * SNS topic told when an instance fails to launch or to terminate.
   * @default none
   */
  alertTopicArn?: pulumi.Input<string>;
}

/**
 * What a fleet instance may do with its group: find which group it is in, and complete the
 * launch hook of a group tagged as this app's in this environment. Pure.
 */
export function launchHookPolicy(region: string, app: string, environment: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      // Describe calls support no resource-level permissions.
      { Sid: "FindOwnGroup", Effect: "Allow", Action: "autoscaling:DescribeAutoScalingInstances", Resource: "*" },
      {
        Sid: "CompleteOwnLaunchHook",
        Effect: "Allow",
        Action: "autoscaling:CompleteLifecycleAction",
        Resource: `arn:aws:autoscaling:${region}:*:autoScalingGroup:*:autoScalingGroupName/*`,
        Condition: { StringEquals: { "autoscaling:ResourceTag/app": app, "autoscaling:ResourceTag/environment": environment } },
      },
    ],
  };
}

/**
 * An internet-facing ALB over 2+ public subnets and an autoscaling group of instances over
 * the private subnets, registered as `instance` targets.
 */
export class AppFleet extends pulumi.ComponentResource {
  readonly albArn: pulumi.Output<string>;
  readonly albArnSuffix: pulumi.Output<string>;
  readonly albDnsName: pulumi.Output<string>;
  readonly albZoneId: pulumi.Output<string>;
  readonly targetGroupArnSuffix: pulumi.Output<string>;
  /** The HTTPS listener; undefined while the certificate is not issued (`certificateReady` false). */
  readonly httpsListenerArn?: pulumi.Output<string>;
  readonly asgName: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly certificateArn: pulumi.Output<string>;
  /** https:// URLs the fleet answers on. */
  readonly urls: string[];

  constructor(name: string, args: AppFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("compute", "AppFleet"), name, {}, opts);
    const { ctx } = args;
    const instanceType = args.instanceType ?? "t3.small";
    const healthCheckPath = args.healthCheckPath ?? "/health/";
    const fleet = args.fleet ?? { min: 1, desired: 1, max: 2 };
    const protect = args.protect ?? false;
    const rootVolumeGb = args.rootVolumeGb ?? 20;
    const instancePolicies = args.instancePolicies ?? [];
    const deregistrationDelay = args.deregistrationDelaySeconds ?? 30;
    const cpuTarget = args.cpuTargetPercent ?? 50;
    const minHealthy = args.minHealthyPercentage ?? 90;
    const logRetentionDays = args.logRetentionDays ?? ctx.logRetentionDays;
    const hopLimit = args.metadataHopLimit ?? 1;
    const F = "AppFleet";

    if (args.publicSubnetIds.length < 2) invalidArg(F, "publicSubnetIds", `must list subnets in at least 2 AZs (an ALB requires it), got ${args.publicSubnetIds.length}`);
    if (args.privateSubnetIds.length < 1) invalidArg(F, "privateSubnetIds", "must list at least one private subnet");
    if (args.hostnames.length === 0) invalidArg(F, "hostnames", "must list at least one hostname the load balancer serves");
    if (!/^\/[\x21-\x7e]{0,1023}$/.test(healthCheckPath)) invalidArg(F, "healthCheckPath", `must be a path starting with "/", got "${healthCheckPath}"`);
    if (!(fleet.min >= 1 && fleet.min <= fleet.desired && fleet.desired <= fleet.max) || ![fleet.min, fleet.desired, fleet.max].every(Number.isInteger)) {
      invalidArg(F, "fleet", `must be whole numbers with 1 <= min <= desired <= max, got ${fleet.min}/${fleet.desired}/${fleet.max}`);
    }
    if (!Number.isInteger(rootVolumeGb) || rootVolumeGb < 8 || rootVolumeGb > 1024) invalidArg(F, "rootVolumeGb", `must be a whole number of GiB from 8 to 1024, got ${rootVolumeGb}`);
    if (!Number.isInteger(deregistrationDelay) || deregistrationDelay < 0 || deregistrationDelay > 3600) invalidArg(F, "deregistrationDelaySeconds", `must be 0-3600, got ${deregistrationDelay}`);
    if (!(cpuTarget > 0 && cpuTarget <= 90)) invalidArg(F, "cpuTargetPercent", `must be above 0 and at most 90, got ${cpuTarget}`);
    if (args.requestsPerTargetPerMinute !== undefined && !(args.requestsPerTargetPerMinute >= 1)) invalidArg(F, "requestsPerTargetPerMinute", `must be at least 1, got ${args.requestsPerTargetPerMinute}`);
    if (!Number.isInteger(minHealthy) || minHealthy < 0 || minHealthy > 100) invalidArg(F, "minHealthyPercentage", `must be 0-100, got ${minHealthy}`);
    if (!args.appVersion) invalidArg(F, "appVersion", "is required: it tags the instances and triggers the rolling redeploy");
    if (!Number.isInteger(logRetentionDays) || logRetentionDays < 1) invalidArg(F, "logRetentionDays", `must be a whole number of days >= 1, got ${logRetentionDays}`);
    if (hopLimit !== 1 && hopLimit !== 2) invalidArg(F, "metadataHopLimit", `must be 1 (hosts) or 2 (Docker hosts), got ${hopLimit}`);
    // Known now: fail before anything is created. Otherwise checked when the value resolves.
    const userData = typeof args.userData === "string" ? pulumi.output(encodeFleetUserData(args.userData)) : pulumi.output(args.userData).apply(encodeFleetUserData);
    const parent = { parent: this };

    // --- Load balancer, access logs, listeners -------------------------------------------
    const logs = privateBucket(`${name}-alb-logs`, this, {
      ownership: "BucketOwnerEnforced", versioned: false, expireDays: logRetentionDays,
      forceDestroy: !protect, protect,
    });
    const elbAccount = aws.elb.getServiceAccountOutput({}, parent);
    const caller = aws.getCallerIdentityOutput({}, parent);
    // The ALB checks it can write to the bucket when logging is enabled: policy first.
    const logPolicy = new aws.s3.BucketPolicy(`${name}-alb-logs`, {
      bucket: logs.bucket.id,
      policy: pulumi.all([logs.bucket.arn, elbAccount.arn, caller.accountId]).apply(([b, e, a]) => albLogBucketPolicy(b, e, a)),
    }, { parent: this, dependsOn: logs.ready });

    const alb = new aws.lb.LoadBalancer(`${name}-alb`, {
      loadBalancerType: "application",
      internal: false,
      subnets: args.publicSubnetIds,
      securityGroups: [args.loadBalancerSecurityGroupId],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: protect,
      accessLogs: { bucket: logs.bucket.bucket, prefix: ACCESS_LOG_PREFIX, enabled: true },
      tags: { Name: `${name}-alb` },
    }, { parent: this, dependsOn: [logPolicy] });

    const targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
      vpcId: args.vpcId,
      targetType: "instance", // the autoscaling group registers instances
      port: HOST_HTTP_PORT,
      protocol: "HTTP",
      deregistrationDelay,
      healthCheck: {
        enabled: true, path: healthCheckPath, protocol: "HTTP", port: "traffic-port", matcher: "200",
        ...HEALTH_CHECK, unhealthyThreshold: 3,
      },
    }, parent);

    const certificateArn = args.certificateArn !== undefined
      ? pulumi.output(args.certificateArn)
      : new AcmCertificate(`${name}-cert`, { domain: args.hostnames[0], extraNames: args.hostnames.slice(1), dns: args.dns }, parent).certificateArn;
    const certificateReady = args.certificateReady ?? args.dns.certificatesValidated;

    // Held back until the certificate is issued: a listener with a pending certificate fails.
    const https = certificateReady ? new aws.lb.Listener(`${name}-https`, {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: ALB_SSL_POLICY,
      certificateArn,
      defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
    }, parent) : undefined;
    // Plain HTTP only ever redirects, also before HTTPS exists (a redirect to a closed port
    // rather than a 503 over HTTP: the transport policy allows HTTP only to redirect, and the
    // listener stays the same when HTTPS arrives): nothing reaches the app unencrypted.
    new aws.lb.Listener(`${name}-http`, {
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    }, parent);

    // --- Instance role ----------------------------------------------------------------------
    const role = new aws.iam.Role(`${name}-instance`, {
      description: `${name} fleet instances: SSM, CloudWatch agent and the app's own resources`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }, parent);
    const managed = ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"];
    const attachments: pulumi.Resource[] = managed.map((p) => new aws.iam.RolePolicyAttachment(`${name}-${p}`, {
      role: role.name, policyArn: `arn:aws:iam::aws:policy/${p}`,
    }, parent));
    instancePolicies.forEach((policy, i) => attachments.push(new aws.iam.RolePolicy(`${name}-instance-${i}`, { role: role.id, policy }, parent)));
    // The bootstrap completes its own launch hook: any group tagged as this fleet's, so the policy
    // needs no group name (the group is created after the template, and waits for its instances).
    attachments.push(new aws.iam.RolePolicy(`${name}-launch-hook`, {
      role: role.id,
      policy: JSON.stringify(launchHookPolicy(ctx.region, args.app, ctx.environment)),
    }, parent));
    const profile = new aws.iam.InstanceProfile(`${name}-instance`, { role: role.name }, parent);

    // --- Launch template and group ----------------------------------------------------------
    const baseTags: Record<string, string> = {
      ...(args.tags ?? {}),
      app: args.app,
      environment: ctx.environment,
      "managed-by": "pulumi",
    };
    const template = new aws.ec2.LaunchTemplate(`${name}-lt`, {
      description: `${name} ${args.appVersion}`,
      imageId: args.amiId,
      instanceType,
      // Explicitly no public address, whatever the subnet's default: hosts are reached only
      // through the load balancer and SSM.
      networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false", securityGroups: [args.instanceSecurityGroupId], deleteOnTermination: "true" }],
      iamInstanceProfile: { arn: profile.arn },
      userData,
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required", // IMDSv2 only
        httpPutResponseHopLimit: hopLimit,
        instanceMetadataTags: "disabled",
      },
      blockDeviceMappings: [{
        deviceName: "/dev/sda1", // Ubuntu's root device
        ebs: { volumeType: "gp3", volumeSize: rootVolumeGb, encrypted: "true", deleteOnTermination: "true" },
      }],
      monitoring: { enabled: args.detailedMonitoring ?? false },
      updateDefaultVersion: true,
      tagSpecifications: ["volume", "network-interface"].map((resourceType) => ({ resourceType, tags: { ...baseTags, Name: name } })),
    }, { parent: this, dependsOn: attachments });

    const groupTags = { ...baseTags, Name: name, "app-version": args.appVersion };
    const group = new aws.autoscaling.Group(`${name}-asg`, {
      vpcZoneIdentifiers: args.privateSubnetIds,
      minSize: fleet.min,
      maxSize: fleet.max,
      desiredCapacity: fleet.desired,
      targetGroupArns: [targetGroup.arn],
      healthCheckType: "ELB",
      healthCheckGracePeriod: healthCheckGraceSeconds(HEALTH_CHECK),
      // `pulumi up` waits for the first instances to join. On a new stack they may be abandoned
      // while the database is still being created (it is built side by side, never waited for):
      // the group launches again until one joins, within two hook timeouts and then some.
      waitForCapacityTimeout: `${Math.ceil((2 * launchHookTimeoutSeconds() + 600) / 60)}m`,
      // Every instance, the first ones included, waits in Pending:Wait until its bootstrap says
      // it serves (CONTINUE) or failed (ABANDON); silence abandons it when the timeout ends.
      initialLifecycleHooks: [{
        name: LAUNCH_HOOK_NAME,
        lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
        defaultResult: "ABANDON",
        heartbeatTimeout: launchHookTimeoutSeconds(),
      }],
      defaultInstanceWarmup: 120,
      defaultCooldown: 300, // seconds between simple scaling activities (AWS default, now explicit)
      launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
      instanceRefresh: {
        strategy: "Rolling",
        preferences: {
          minHealthyPercentage: minHealthy,
          // Above 100: new instances start before old ones stop, so a single-instance group
          // (staging) also rolls without downtime.
          maxHealthyPercentage: minHealthy + 100,
          instanceWarmup: "120",
          // No autoRollback: the provider points the group at the new template version before
          // it starts the refresh, so a rollback would return to that same version
          // (terraform-provider-aws#34189). A bad release cannot take traffic anyway: its
          // instances abandon their launch hook, and the old ones keep serving.
        },
        // A new launch template version always starts a refresh; the app-version tag adds a
        // refresh when only the version changed.
        triggers: ["tag"],
      },
      enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"],
      // The stack's tag transformation leaves this list alone: set every tag here.
      tags: Object.entries(groupTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    }, { parent: this, ignoreChanges: ["desiredCapacity"] }); // scaling policies own the desired count

    if (args.alertTopicArn !== undefined) {
      new aws.autoscaling.Notification(`${name}-errors`, {
        groupNames: [group.name],
        notifications: ["autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"],
        topicArn: args.alertTopicArn,
      }, parent);
    }

    new aws.autoscaling.Policy(`${name}-cpu`, {
      autoscalingGroupName: group.name,
      policyType: "TargetTrackingScaling",
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
        targetValue: cpuTarget,
      },
    }, parent);
    if (args.requestsPerTargetPerMinute !== undefined) {
      new aws.autoscaling.Policy(`${name}-requests`, {
        autoscalingGroupName: group.name,
        policyType: "TargetTrackingScaling",
        targetTrackingConfiguration: {
          predefinedMetricSpecification: {
            predefinedMetricType: "ALBRequestCountPerTarget",
            resourceLabel: pulumi.interpolate`${alb.arnSuffix}/${targetGroup.arnSuffix}`,
          },
          targetValue: args.requestsPerTargetPerMinute,
        },
      }, parent);
    }

    // ALB is IPv4-only here: A aliases only.
    const target = { kind: "alb" as const, dnsName: alb.dnsName, zoneId: alb.zoneId, ipv6: false };
    args.hostnames.forEach((h, i) => args.dns.alias(`${name}-host-${i}`, h, target, this));

    this.albArn = alb.arn;
    this.albArnSuffix = alb.arnSuffix;
    this.albDnsName = alb.dnsName;
    this.albZoneId = alb.zoneId;
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    this.httpsListenerArn = https?.arn;
    this.asgName = group.name;
    this.roleName = role.name;
    this.roleArn = role.arn;
    this.certificateArn = certificateArn;
    this.urls = args.hostnames.map((h) => `https://${h}`);
    this.registerOutputs({
      albArn: this.albArn, albDnsName: this.albDnsName, targetGroupArnSuffix: this.targetGroupArnSuffix,
      asgName: this.asgName, roleArn: this.roleArn, urls: this.urls,
    });
  }
}
