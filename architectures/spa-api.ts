import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../components/common";
import { PostDeployCheck } from "../components/post-deploy-check";
import { AppDns } from "../components/dns";
import { DocumentBucket, documentAccessPolicy } from "../components/document-bucket";
import { MailDomain } from "../components/mail-domain";
import { AppAlarms } from "../components/monitoring";
import { StaticSite } from "../components/static-site";
import { WebAcl } from "../components/waf";
import { buildAppData } from "./app-data";
import { cdnCertificateAlarms } from "./cdn-alarms";
import { buildFleet, fleetShellCommand } from "./fleet";
import { AppOutputs, commonOutputs } from "./outputs";
import { AppArchitectureArgs, appComponentOptions, checkArchitecture } from "./shared";

/**
 * SPA + API (the Investment Platform seed): the React build on a private S3 bucket behind
 * CloudFront (OAC, security headers, SPA fallback), the Django REST API on an autoscaled fleet
 * behind an ALB at api.<domain>, PostgreSQL and Redis, a KMS-encrypted KYC document bucket
 * only the API's role can read, SES with DKIM for mail, and the SPA's origin passed to the API
 * as its only CORS origin.
 */
export class SpaApiApp extends pulumi.ComponentResource {
  readonly outputs: AppOutputs;

  constructor(name: string, args: AppArchitectureArgs, opts?: pulumi.ComponentResourceOptions) {
    const { app, shared } = args;
    checkArchitecture("SpaApiApp", app, "spa-api");
    super(typeToken("architecture", "SpaApiApp"), name, {}, appComponentOptions(app, shared, opts));
    const { ctx, key } = shared;
    const data = buildAppData(app, shared, "fleet", this);
    const dns = new AppDns(app.name, { dns: app.dns, domain: app.domain }, { parent: this });

    const cdnWaf = app.wafEnabled ? new WebAcl(`${app.name}-cdn-waf`, { ctx, scope: "CLOUDFRONT", rateLimits: app.rateLimits }, { parent: this }) : undefined;
    const site = new StaticSite(`${app.name}-spa`, {
      ctx, protect: shared.profile.protectData, priceClass: shared.profile.cdnPriceClass, domain: app.domain, www: app.www, dns, headers: app.headers, webAclArn: cdnWaf?.webAclArn,
    }, { parent: this });

    const kyc = new DocumentBucket(`${app.name}-kyc`, { ctx, dataClass: "kyc", kmsKeyArn: key.keyArn, protect: shared.profile.protectData }, { parent: this });
    const kycPolicy = pulumi.all([kyc.bucketArn, key.keyArn]).apply(([arn, keyArn]) => JSON.stringify(documentAccessPolicy(arn, keyArn, ctx.region)));
    const origins = site.urls.map((u) => new URL(u).origin);
    const mail = app.email ? new MailDomain(`${app.name}-mail`, { domain: app.domain, dns }, { parent: this }) : undefined;
    const sendMail = mail?.identityArn.apply((arn) => JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["ses:SendEmail", "ses:SendRawEmail"], Resource: arn }],
    }));
    const { fleet, alarms } = buildFleet(app, shared, data, {
      dns,
      hostnames: [app.apiDomain],
      // The SPA is CloudFront's; the hosts serve only the API's name (their ALLOWED_HOSTS).
      servedNames: [app.apiDomain],
      extraPolicies: [kycPolicy, ...(sendMail ? [sendMail] : [])],
      env: {
        CORS_ALLOWED_ORIGINS: origins.join(","), CSRF_TRUSTED_ORIGINS: origins.join(","), KYC_BUCKET: kyc.bucketName,
        ...(app.email ? { EMAIL_BACKEND: "django_ses.SESBackend", DEFAULT_FROM_EMAIL: `no-reply@${app.domain}` } : {}),
      },
      regionalWaf: true,
    }, this);
    kyc.restrictTo([fleet.roleArn]);

    new AppAlarms(app.name, { alarms: [...alarms, ...data.alarms], topicArn: shared.alerts.topicArn }, { parent: this });
    cdnCertificateAlarms(app, shared, site.certificateArn, this);
    if (shared.config.verifyAfterDeploy && dns.certificatesValidated) { // no HTTPS before the certificate is issued
      new PostDeployCheck(`${app.name}-verify`, { url: `https://${app.apiDomain}${app.healthCheckPath}`, triggers: [app.appVersion] }, { parent: this, dependsOn: [fleet] });
    }
    this.outputs = {
      ...commonOutputs("spa-api", [...site.urls, ...fleet.urls], dns, data, fleetShellCommand(ctx.region, fleet.asgName, shared.sessions.documentName)),
      spaBucket: site.bucketName,
      distributionId: site.distributionId,
      kycBucket: kyc.bucketName,
    };
    this.registerOutputs({});
  }
}
