import * as pulumi from "@pulumi/pulumi";
import { hostAlarms, hostAppAlarms } from "../components/alarms";
import { typeToken } from "../components/common";
import { PostDeployCheck } from "../components/post-deploy-check";
import { SsmRedeploy } from "../components/ssm-redeploy";
import { AppDns } from "../components/dns";
import { AppAlarms } from "../components/monitoring";
import { SingleWebHost } from "../components/single-host";
import { buildAppData } from "./app-data";
import { AppOutputs, commonOutputs } from "./outputs";
import { AppArchitectureArgs, appComponentOptions, checkArchitecture } from "./shared";

/**
 * Single host (the SmartBoostPro and FlashBill seeds): one Ubuntu 24.04 server with an
 * Elastic IP where nginx terminates TLS with Let's Encrypt (DNS-01, renewed daily at 03:00)
 * and proxies to gunicorn or the Rust binary on 127.0.0.1; static files (or the Flutter web
 * build) served by nginx, media on S3; the seed's local PostgreSQL and Redis become RDS and
 * ElastiCache; UFW, log rotation, CloudWatch logs and metrics, certificate-expiry and error
 * alarms, AWS Backup, and a redeploy through SSM whenever appVersion changes.
 */
export class SingleHostApp extends pulumi.ComponentResource {
  readonly outputs: AppOutputs;

  constructor(name: string, args: AppArchitectureArgs, opts?: pulumi.ComponentResourceOptions) {
    const { app, shared } = args;
    checkArchitecture("SingleHostApp", app, "single-host");
    super(typeToken("architecture", "SingleHostApp"), name, {}, appComponentOptions(app, shared, opts));
    const { ctx, network, key, config } = shared;
    const data = buildAppData(app, shared, "edge", this);
    // Let's Encrypt on the host: nothing in `pulumi up` waits for the operator's records.
    const dns = new AppDns(app.name, { dns: app.dns, domain: app.domain, certificates: "host" }, { parent: this });

    const host = new SingleWebHost(app.name, {
      app, ctx, detailedMonitoring: shared.profile.detailedMonitoring, protectData: shared.profile.protectData,
      amiId: shared.images.imageFor(app.instanceType),
      subnetId: network.publicSubnetIds[0],
      securityGroupIds: [data.tiers.hostSecurityGroupId],
      vpcCidr: network.vpcCidr,
      hostedZoneId: dns.zoneId,
      secretNames: data.secretNames,
      secretArns: data.secretArns,
      kmsKeyArn: key.keyArn,
      sessions: { kmsKeyArn: key.keyArn, logGroupArn: shared.sessions.logGroupArn, documentName: shared.sessions.documentName },
      artifactBucketName: shared.artifacts.bucketName,
      adminCidrs: config.adminCidrs,
      alarmTopicArn: shared.alerts.topicArn,
    }, { parent: this });
    if (dns.mode === "external") {
      dns.addExternalRecords(host.publicIp.apply((ip) => host.hostNames.map((name) => ({ name, type: "A", value: ip, purpose: `${app.displayName} web host (Elastic IP)` }))));
    }

    new AppAlarms(app.name, {
      alarms: [...hostAlarms(app.name, host.instanceId), ...hostAppAlarms(app.name), ...data.alarms],
      topicArn: shared.alerts.topicArn,
    }, { parent: this });

    // Rolls the configured version out through SSM (SSH stays closed); waits for cloud-init first.
    const redeploy = new SsmRedeploy(`${app.name}-redeploy`, {
      ctx, instanceId: host.instanceId, appName: app.name, appVersion: app.appVersion, deployScript: host.deployScriptPath,
    }, { parent: this });
    if (config.verifyAfterDeploy) {
      new PostDeployCheck(`${app.name}-verify`, { url: `https://${app.domain}${app.healthCheckPath}`, triggers: [app.appVersion] }, { parent: this, dependsOn: [redeploy] });
    }
    this.outputs = {
      ...commonOutputs("single-host", host.hostNames.map((h) => `https://${h}`), dns, data, host.ssmShellCommand),
      publicIp: host.publicIp,
      mediaBucket: host.mediaBucketName,
    };
    this.registerOutputs({});
  }
}
