/**
 * One Ubuntu 24.04 web host that faces the internet itself (SmartBoostPro, FlashBill): nginx
 * terminates TLS with Let's Encrypt and proxies to the app on 127.0.0.1. The host learns its
 * database and cache endpoints from Secrets Manager at boot, so it takes no RDS or
 * ElastiCache resource and never waits for them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { invalidArg, PlatformContext, typeToken } from "./common";
import { mediaBucket } from "./media-bucket";
import { HostSessions, sessionDocumentArgs } from "./session-manager";
import {
  appArtifactUrl, encodeUserData, HostConfigInput, hostConfigFromApp, hostScriptPath, hostLogGroupNames, hostPolicyDocument, HOST_METRICS_NAMESPACE,
  HostApp, NGINX_502_METRIC, NGINX_5XX_METRIC, NGINX_REQUESTS_METRIC, renderCloudConfig, resolveHostConfig,
} from "./hostconfig";

/** The app settings a single web host is built from (the stack config's app satisfies it). */
export type SingleHostAppSettings = HostApp & { instanceType: string; mediaBucket: boolean };

export interface SingleWebHostArgs {
  /** The app, as parsed from the stack config; its architecture must be single-host. Required. */
  app: SingleHostAppSettings;
  /** Stack context: stack name, region, log retention, replica region. Required. */
  ctx: PlatformContext;
  /**
   * 1-minute monitoring and termination protection (disableApiTermination, policies
   * ec2-detailed-monitoring-prod and instance-termination-protection-prod; the architectures
   * set it in prod): Pulumi then cannot terminate the host, so a plan that replaces it (new
   * image) or `pulumi destroy` fails until protection is switched off on purpose
   * (`aws ec2 modify-instance-attribute --no-disable-api-termination`, or set it false and
   * `pulumi up` first). That is the point.
   * @default false
   */
  detailedMonitoring?: boolean;
  /** Protect the media bucket (`protect`, no forceDestroy). @default false */
  protectData?: boolean;
  /** A public subnet for the host. Required. */
  subnetId: pulumi.Input<string>;
  /** Security groups of the host's network interface: the app's edge tier. Required, at least one. */
  securityGroupIds: pulumi.Input<string>[];
  /** The VPC's CIDR (the host firewall lets node-exporter scrapers in from it). Required. */
  vpcCidr: string;
  /**
   * Route53 zone of the app's names: A records point there, and certbot proves control with
   * DNS-01 TXT records in it. Default undefined: DNS is at an external registrar, no records
   * are created, and certbot uses HTTP-01 (create the A records from `publicIp`).
   */
  hostedZoneId?: pulumi.Input<string>;
  /**
   * Names of the Secrets Manager secrets the host writes to the app's env file at boot (see
   * HostConfigInput.secrets: the last segment names the variable). Plain strings, so the user
   * data never waits for a secret to exist.
   * @default []
   */
  secretNames?: string[];
  /** Exact ARNs of the same secrets: the only ones the instance role may read. Required when secretNames is set. */
  secretArns?: pulumi.Input<string>[];
  /**
   * The stack's KMS key: decrypts the secrets, encrypts the media bucket and the host's log
   * groups.
   * @default none (S3-managed and CloudWatch Logs' own encryption)
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Session Manager preferences (SessionManager): the role may decrypt session data keys and
   * stream sessions to their log group; the shell command names the document. Default none:
   * the account's default preferences, and no rights for encrypted or logged sessions.
   */
  sessions?: HostSessions;
  /**
   * Name of the platform's artifact store bucket (ArtifactStore.bucketName): without an explicit
   * app.artifactUrl the host fetches `s3://<it>/<app>/<appVersion>.tar.gz` and may read that
   * prefix only. A name, so the user data never waits for more than the bucket. Default none:
   * app.artifactUrl must be set.
   */
  artifactBucketName?: pulumi.Input<string>;
  /** CIDRs the host firewall lets reach SSH (the security group must agree). @default [] (SSM only) */
  adminCidrs?: string[];
  /** Let's Encrypt account e-mail. @default none */
  acmeEmail?: string;
  /** EC2 instance type. @default the app's instanceType */
  instanceType?: string;
  /**
   * The Ubuntu 24.04 image, of the instance type's CPU architecture (HostImages.imageFor). A new
   * image replaces the host: planned, never by surprise, since images are pinned. Required.
   */
  amiId: pulumi.Input<string>;
  /** Root volume size in GiB (gp3, encrypted). @default 20 */
  rootVolumeGb?: number;
  /** SNS topic also told when the host is auto-recovered. @default none */
  alarmTopicArn?: pulumi.Input<string>;
  /** Host settings AppConfig does not carry. @default the renderer's defaults */
  hostConfig?: Pick<HostConfigInput, "wsgiApp" | "binaryName" | "runMigrations">;
}

/**
 * EC2 host + Elastic IP + instance profile + media bucket + log groups + recovery alarm + DNS.
 * The user data is the host configuration for its first boot; it is ignored afterwards
 * (ignoreChanges), because cloud-init never re-runs it on the same instance: a running host is
 * redeployed over SSM with `deployScriptPath` (see SsmRedeploy), and a new configuration reaches it only by
 * replacing the instance on purpose; a new pinned image (or architecture) replaces it in the plan.
 */
export class SingleWebHost extends pulumi.ComponentResource {
  readonly instanceId: pulumi.Output<string>;
  readonly publicIp: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  /** Undefined when the app has no media bucket. */
  readonly mediaBucketName?: pulumi.Output<string>;
  readonly mediaBucketArn?: pulumi.Output<string>;
  /** Names served (and pointed at the host when a zone is given). */
  readonly hostNames: string[];
  readonly logGroupNames: { nginxAccess: string; nginxError: string; app: string };
  /** Opens a shell on the host through SSM Session Manager (no SSH needed). */
  readonly ssmShellCommand: pulumi.Output<string>;
  /** Script on the host that deploys a version given as its argument (SsmRedeploy's deployScript). */
  readonly deployScriptPath: string;

  constructor(name: string, args: SingleWebHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("host", "SingleWebHost"), name, {}, opts);
    const { app, ctx } = args;
    const C = "SingleWebHost";
    if (app.architecture !== "single-host") invalidArg(C, "app.architecture", `is "${app.architecture}"; SingleWebHost builds single-host apps only`);
    if (!args.securityGroupIds || args.securityGroupIds.length === 0) invalidArg(C, "securityGroupIds", "must list the edge tier's security group");
    const instanceType = args.instanceType ?? app.instanceType;
    const rootVolumeGb = args.rootVolumeGb ?? 20;
    if (!Number.isInteger(rootVolumeGb) || rootVolumeGb < 8 || rootVolumeGb > 1024) invalidArg(C, "rootVolumeGb", `${rootVolumeGb} must be an integer 8-1024`);
    const adminCidrs = args.adminCidrs ?? [];
    const zoned = args.hostedZoneId !== undefined;

    const logGroups = hostLogGroupNames(ctx.stack, app.name);
    const secretNames = args.secretNames ?? [];
    const secretArns = args.secretArns ?? [];
    if (secretNames.length !== secretArns.length) {
      invalidArg(C, "secretArns", `must list the ARNs of the ${secretNames.length} secretNames (one each, same order), got ${secretArns.length}`);
    }
    const hostInput = (mediaBucket: string | undefined, artifactBucket: string | undefined): HostConfigInput => hostConfigFromApp(app, {
      stack: { stack: ctx.stack, environment: ctx.environment, region: ctx.region, adminCidrs, network: { cidr: args.vpcCidr } },
      tls: "letsencrypt",
      acmeChallenge: zoned ? "dns-route53" : "http",
      acmeEmail: args.acmeEmail,
      secrets: secretNames,
      logGroups,
      mediaBucket,
      artifactBucket,
      overrides: args.hostConfig,
    });
    // Validate the host configuration now, with placeholders for values known only after creation.
    const placeholder = hostInput(app.mediaBucket ? "placeholder-bucket" : undefined, args.artifactBucketName !== undefined ? "placeholder-artifacts" : undefined);
    const preview = resolveHostConfig(placeholder);
    encodeUserData(renderCloudConfig(placeholder));
    this.hostNames = preview.certNames;
    this.logGroupNames = logGroups;

    // Media: user uploads never live only on the instance disk.
    const media = app.mediaBucket ? mediaBucket(`${name}-media`, { ctx, kmsKeyArn: args.kmsKeyArn, protect: args.protectData }, this) : undefined;
    this.mediaBucketName = media?.bucket.bucket;
    this.mediaBucketArn = media?.bucket.arn;

    const groups = {
      nginxAccess: new aws.cloudwatch.LogGroup(`${name}-nginx-access`, { name: logGroups.nginxAccess, retentionInDays: ctx.logRetentionDays, kmsKeyId: args.kmsKeyArn }, { parent: this }),
      nginxError: new aws.cloudwatch.LogGroup(`${name}-nginx-error`, { name: logGroups.nginxError, retentionInDays: ctx.logRetentionDays, kmsKeyId: args.kmsKeyArn }, { parent: this }),
      app: new aws.cloudwatch.LogGroup(`${name}-app-log`, { name: logGroups.app, retentionInDays: ctx.logRetentionDays, kmsKeyId: args.kmsKeyArn }, { parent: this }),
    };
    // The host's error metrics come from its JSON access log (status and app fields).
    const filters = [["requests", NGINX_REQUESTS_METRIC, "{ $.status >= 100 }"], ["5xx", NGINX_5XX_METRIC, "{ $.status >= 500 }"], ["502", NGINX_502_METRIC, "{ $.status = 502 }"]] as const;
    for (const [id, metric, pattern] of filters) {
      new aws.cloudwatch.LogMetricFilter(`${name}-nginx-${id}`, {
        logGroupName: groups.nginxAccess.name,
        pattern,
        metricTransformation: { name: metric, namespace: HOST_METRICS_NAMESPACE, value: "1", unit: "Count", dimensions: { App: "$.app" } },
      }, { parent: this });
    }

    const role = new aws.iam.Role(`${name}-host`, {
      description: `${app.name} web host (${ctx.stack})`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }, { parent: this });
    // SSM Session Manager instead of SSH. The CloudWatch agent's rights are in the inline policy,
    // scoped to this app's log groups and namespace (the managed CloudWatchAgentServerPolicy
    // would allow every log group and namespace).
    const ssmCore = new aws.iam.RolePolicyAttachment(`${name}-ssm`, { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }, { parent: this });
    const acmeNames = preview.certNames;
    const inline = new aws.iam.RolePolicy(`${name}-host`, {
      role: role.id,
      policy: pulumi.all([
        pulumi.all(secretArns), pulumi.output(args.kmsKeyArn), media?.bucket.arn,
        pulumi.all(Object.values(groups).map((g) => g.arn)), pulumi.output(args.hostedZoneId), pulumi.output(args.artifactBucketName),
        pulumi.output(args.sessions?.kmsKeyArn), pulumi.output(args.sessions?.logGroupArn),
      ]).apply(([arns, kmsKeyArn, mediaBucketArn, logGroupArns, zoneId, artifactBucket, sessionKeyArn, sessionLogGroupArn]) => JSON.stringify(hostPolicyDocument({
        region: ctx.region, secretArns: arns, kmsKeyArn, logGroupArns, mediaBucketArn, artifactUrl: appArtifactUrl(app, artifactBucket),
        sessions: sessionKeyArn && sessionLogGroupArn ? { kmsKeyArn: sessionKeyArn, logGroupArn: sessionLogGroupArn } : undefined,
        acme: zoneId ? { hostedZoneId: zoneId, names: acmeNames } : undefined,
      }))),
    }, { parent: this });
    const profile = new aws.iam.InstanceProfile(`${name}-host`, { role: role.name }, { parent: this });

    const userData = pulumi.all([media?.bucket.bucket, pulumi.output(args.artifactBucketName)])
      .apply(([b, artifacts]) => encodeUserData(renderCloudConfig(hostInput(b, artifacts))).base64);

    // The Elastic IP sits on a network interface that exists before the instance, so the host
    // has its public address from the first second of boot (package installs and certbot need it).
    const eni = new aws.ec2.NetworkInterface(`${name}-host`, {
      subnetId: args.subnetId, securityGroups: args.securityGroupIds, description: `${app.name} web host`, tags: { Name: `${name}-host`, tier: "edge" },
    }, { parent: this });
    const eip = new aws.ec2.Eip(`${name}-host`, { domain: "vpc", tags: { Name: `${name}-host` } }, { parent: this });
    const association = new aws.ec2.EipAssociation(`${name}-host`, { allocationId: eip.allocationId, networkInterfaceId: eni.id }, { parent: this });

    const monitored = args.detailedMonitoring ?? false;
    const instance = new aws.ec2.Instance(`${name}-host`, {
      ami: args.amiId,
      instanceType,
      iamInstanceProfile: profile.name,
      primaryNetworkInterface: { networkInterfaceId: eni.id },
      userDataBase64: userData,
      userDataReplaceOnChange: false,
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      rootBlockDevice: { volumeType: "gp3", volumeSize: rootVolumeGb, encrypted: true, deleteOnTermination: true },
      monitoring: monitored,
      disableApiTermination: monitored,
      // The one kind of host that faces the internet itself (the host policies key on this tag).
      tags: { Name: `${name}-host`, tier: "edge" },
    }, {
      parent: this,
      // Boot needs its address and its rights (secrets, logs) from the first second.
      dependsOn: [association, inline, ssmCore],
      // A new host configuration must never replace a running host: the deploy script redeploys
      // it. A new image does, on purpose: images are pinned (HostImages), and an instance type of
      // another CPU architecture comes with its own image, so it never boots the wrong one.
      ignoreChanges: ["userDataBase64"],
      // The network interface carries the address: the old instance must release it first.
      deleteBeforeReplace: true,
    });

    new aws.cloudwatch.MetricAlarm(`${name}-recover`, {
      alarmDescription: `${app.name}: the host's system status check failed; EC2 recovers it onto healthy hardware (same IP, same volume)`,
      namespace: "AWS/EC2", metricName: "StatusCheckFailed_System", dimensions: { InstanceId: instance.id },
      statistic: "Maximum", period: 60, evaluationPeriods: 2, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "missing",
      alarmActions: [`arn:aws:automate:${ctx.region}:ec2:recover`, ...(args.alarmTopicArn ? [args.alarmTopicArn] : [])],
    }, { parent: this });

    if (zoned) {
      for (const host of this.hostNames) {
        new aws.route53.Record(`${name}-${host === app.domain ? "apex" : host.split(".")[0]}`, {
          zoneId: args.hostedZoneId as pulumi.Input<string>, name: host, type: "A", ttl: 300, records: [eip.publicIp],
        }, { parent: this });
      }
    }

    this.instanceId = instance.id;
    this.publicIp = eip.publicIp;
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.ssmShellCommand = pulumi.interpolate`aws ssm start-session --target ${instance.id} --region ${ctx.region}${args.sessions ? sessionDocumentArgs(args.sessions.documentName) : ""}`;
    this.deployScriptPath = hostScriptPath(app.name, "deploy");
    this.registerOutputs({
      instanceId: this.instanceId, publicIp: this.publicIp, roleArn: this.roleArn, mediaBucketName: this.mediaBucketName,
      ssmShellCommand: this.ssmShellCommand,
    });
  }
}
