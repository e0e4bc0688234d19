import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../components/common";
import { PostDeployCheck } from "../components/post-deploy-check";
import { AppDns } from "../components/dns";
import { AppAlarms } from "../components/monitoring";
import { buildAppData } from "./app-data";
import { buildFleet, fleetShellCommand } from "./fleet";
import { AppOutputs, commonOutputs } from "./outputs";
import { AppArchitectureArgs, appComponentOptions, checkArchitecture } from "./shared";

/**
 * Web fleet (the Avanii shop seed): a WSGI app under gunicorn behind nginx on an autoscaled
 * fleet behind an ALB with ACM, PostgreSQL on RDS, SECRET_KEY, DATABASE_URL and (with
 * envInSecretsManager) FLASK_ENV from Secrets Manager, DNS in Route53 or at an external registrar,
 * weekly backups, and a rolling redeploy whenever appVersion changes (new launch template
 * version -> instance refresh).
 */
export class WebFleetApp extends pulumi.ComponentResource {
  readonly outputs: AppOutputs;

  constructor(name: string, args: AppArchitectureArgs, opts?: pulumi.ComponentResourceOptions) {
    const { app, shared } = args;
    checkArchitecture("WebFleetApp", app, "web-fleet");
    super(typeToken("architecture", "WebFleetApp"), name, {}, appComponentOptions(app, shared, opts));
    const data = buildAppData(app, shared, "fleet", this);
    const dns = new AppDns(app.name, { dns: app.dns, domain: app.domain }, { parent: this });
    const hostnames = [app.domain, ...(app.www ? [`www.${app.domain}`] : [])];
    const { fleet, alarms } = buildFleet(app, shared, data, { dns, hostnames, regionalWaf: true }, this);
    new AppAlarms(app.name, { alarms: [...alarms, ...data.alarms], topicArn: shared.alerts.topicArn }, { parent: this });
    if (shared.config.verifyAfterDeploy && dns.certificatesValidated) { // no HTTPS before the certificate is issued
      new PostDeployCheck(`${app.name}-verify`, { url: `https://${app.domain}${app.healthCheckPath}`, triggers: [app.appVersion] }, { parent: this, dependsOn: [fleet] });
    }
    this.outputs = commonOutputs("web-fleet", fleet.urls, dns, data, fleetShellCommand(shared.ctx.region, fleet.asgName, shared.sessions.documentName));
    this.registerOutputs({});
  }
}
