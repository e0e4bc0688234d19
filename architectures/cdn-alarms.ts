import * as pulumi from "@pulumi/pulumi";
import type { AppConfig } from "./spec";
import { certificateAlarms } from "../components/alarms";
import { usEast1Provider } from "../components/providers";
import { AppAlarms } from "../components/monitoring";
import type { SharedPlatform } from "./shared";

/**
 * The expiry alarm of an app's CloudFront certificate. ACM publishes DaysToExpiry in the
 * certificate's region, us-east-1, so the alarm is created there and notifies the stack's
 * us-east-1 topic (an alarm can only notify a topic in its own region).
 */
export function cdnCertificateAlarms(app: AppConfig, shared: SharedPlatform, certificateArn: pulumi.Input<string>, parent: pulumi.Resource): AppAlarms {
  return new AppAlarms(`${app.name}-cdn`, {
    alarms: certificateAlarms(app.name, certificateArn, "cert-expiry", "CloudFront certificate (us-east-1)"),
    topicArn: shared.usEast1Alerts().topicArn,
  }, { parent, provider: usEast1Provider() });
}
