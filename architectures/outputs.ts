/** Per-app stack outputs, the same shape for every architecture. */
import * as pulumi from "@pulumi/pulumi";
import type { Architecture } from "../lib/environment";
import type { AppConfig } from "./spec";
import { AppDns } from "../components/dns";
import { appArtifactUrl, artifactStorePrefix } from "../components/hostconfig";
import type { AppData } from "./app-data";

export interface AppOutputs {
  architecture: Architecture;
  /** Public URLs of the app. */
  urls: string[];
  /** Records to create at an external registrar (empty when Route53 holds the zone). */
  dnsRecords: pulumi.Output<unknown[]>;
  /** Why an apex CNAME is impossible and what to do instead (external DNS). */
  dnsNote?: string;
  /** Secrets Manager ARNs an operator needs (to set placeholders, rotate, inspect). */
  secretArns: Record<string, pulumi.Output<string>>;
  /** Secrets whose value the operator must set before the app works (e.g. Stripe keys). */
  secretsToSet: string[];
  /** Shell on a host through SSM Session Manager (no SSH). */
  ssmShellCommand: pulumi.Output<string>;
  /** The release the hosts fetch for the configured appVersion (none for container apps). */
  artifactUrl?: pulumi.Output<string>;
  /** Where CI publishes the app's releases, `s3://<artifact store>/<app>/` (none when artifactUrl is explicit, or for container apps). */
  artifactPrefix?: pulumi.Output<string>;
  [extra: string]: unknown;
}

/** An app's artifact outputs: what its hosts fetch and, for releases kept in the store, where to publish them. */
export function artifactOutputs(app: AppConfig, storeBucket: pulumi.Output<string>): Pick<AppOutputs, "artifactUrl" | "artifactPrefix"> {
  if (app.architecture === "containers") return {};
  return {
    artifactUrl: storeBucket.apply((b) => appArtifactUrl(app, b) as string),
    ...(app.artifactUrl === undefined ? { artifactPrefix: pulumi.interpolate`s3://${storeBucket}/${artifactStorePrefix(app.name)}` } : {}),
  };
}

export function commonOutputs(architecture: Architecture, urls: string[], dns: AppDns, data: AppData, ssmShellCommand: pulumi.Output<string>): AppOutputs {
  const secretArns: Record<string, pulumi.Output<string>> = {};
  for (const [kind, arn] of Object.entries(data.secrets.secretArns)) if (arn) secretArns[kind] = arn;
  if (data.postgres) {
    secretArns.DATABASE = data.postgres.connectionSecretArn;
    secretArns.DATABASE_MASTER = data.postgres.masterSecretArn;
  }
  if (data.redis) secretArns.REDIS = data.redis.authSecretArn;
  if (data.secrets.settingsSecret) secretArns.SETTINGS = data.secrets.settingsSecret.arn;
  return {
    architecture,
    urls,
    dnsRecords: dns.requiredRecords,
    dnsNote: dns.mode === "external" ? dns.note : undefined,
    secretArns,
    secretsToSet: data.secrets.placeholders,
    ssmShellCommand,
  };
}
