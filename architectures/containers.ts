import * as pulumi from "@pulumi/pulumi";
import { CdnFront } from "../components/cdn-front";
import { AcmCertificate } from "../components/certificate";
import { typeToken } from "../components/common";
import { ContainerImages } from "../components/container-images";
import { PostDeployCheck } from "../components/post-deploy-check";
import { AppDns } from "../components/dns";
import { AppAlarms } from "../components/monitoring";
import { WebAcl } from "../components/waf";
import { buildAppData } from "./app-data";
import { cdnCertificateAlarms } from "./cdn-alarms";
import { buildFleet, fleetShellCommand } from "./fleet";
import { AppOutputs, commonOutputs } from "./outputs";
import { AppArchitectureArgs, appComponentOptions, checkArchitecture } from "./shared";

/**
 * Containers (the SaaS platform seed): backend and frontend images built from the configured
 * contexts for the hosts' CPU, pushed to ECR (scan on push, immutable tags) and run by digest
 * with Docker Compose on an autoscaled fleet; the seed's compose PostgreSQL and Redis become
 * RDS (with a read replica in prod) and ElastiCache; CloudFront in front with the seed's WAF
 * rate limits, HSTS for a year and X-Frame-Options DENY; the load balancer admits CloudFront
 * only, so the WAF cannot be bypassed.
 */
export class ContainersApp extends pulumi.ComponentResource {
  readonly outputs: AppOutputs;

  constructor(name: string, args: AppArchitectureArgs, opts?: pulumi.ComponentResourceOptions) {
    const { app, shared } = args;
    checkArchitecture("ContainersApp", app, "containers");
    super(typeToken("architecture", "ContainersApp"), name, {}, appComponentOptions(app, shared, opts));
    const { ctx, key } = shared;
    const data = buildAppData(app, shared, "fleet", this, "cloudfront");
    const dns = new AppDns(app.name, { dns: app.dns, domain: app.domain }, { parent: this });

    const images = new ContainerImages(`${app.name}-images`, {
      ctx, protect: shared.profile.protectData, services: app.containers, appVersion: app.appVersion, instanceType: app.instanceType, kmsKeyArn: key.keyArn,
    }, { parent: this });
    const composeServices = pulumi.all(images.imageRefs).apply((refs) =>
      app.containers.map((c) => ({ name: c.name, image: refs[c.name], port: c.port, ...(c.releaseCommand ? { releaseCommand: c.releaseCommand } : {}) })));

    const viewerNames = [app.domain, ...(app.www ? [`www.${app.domain}`] : []), app.apiDomain];
    const originDomain = `origin.${app.domain}`;
    // CloudFront forwards the viewer's Host, so the load balancer's certificate covers every viewer name too.
    const albCert = new AcmCertificate(`${app.name}-origin-cert`, { domain: originDomain, extraNames: viewerNames, dns }, { parent: this });
    const { fleet, alarms } = buildFleet(app, shared, data, {
      dns, hostnames: [originDomain], certificateArn: albCert.certificateArn,
      composeServices, ecrRepositoryArns: pulumi.all(images.repositoryArns),
      regionalWaf: false, // a regional ACL behind CloudFront would only see CloudFront's addresses
      metadataHopLimit: 2, // containers reach the instance role (media bucket) through Docker's bridge
    }, this);

    const waf = app.wafEnabled ? new WebAcl(`${app.name}-waf`, { ctx, scope: "CLOUDFRONT", rateLimits: app.rateLimits }, { parent: this }) : undefined;
    const cdn = new CdnFront(`${app.name}-cdn`, {
      ctx, protect: shared.profile.protectData, priceClass: shared.profile.cdnPriceClass, hostnames: viewerNames, originDomain, dns, headers: app.headers, webAclArn: waf?.webAclArn,
    }, { parent: this });

    new AppAlarms(app.name, { alarms: [...alarms, ...data.alarms], topicArn: shared.alerts.topicArn }, { parent: this });
    cdnCertificateAlarms(app, shared, cdn.certificateArn, this);
    if (shared.config.verifyAfterDeploy && dns.certificatesValidated) { // no HTTPS before the certificate is issued
      new PostDeployCheck(`${app.name}-verify`, { url: `https://${app.domain}${app.healthCheckPath}`, triggers: [app.appVersion] }, { parent: this, dependsOn: [fleet, cdn] });
    }
    this.outputs = {
      ...commonOutputs("containers", cdn.urls, dns, data, fleetShellCommand(ctx.region, fleet.asgName, shared.sessions.documentName)),
      images: images.imageRefs,
    };
    this.registerOutputs({});
  }
}
