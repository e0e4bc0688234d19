/**
 * The data half every architecture shares: the app's security tiers, its PostgreSQL and
 * Redis, its generated secrets, and the alarms and backups that watch them. Hosts get only
 * secret ARNs and names from here, never the database or cache resources themselves, so no
 * host waits for RDS or ElastiCache to finish creating.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AppConfig } from "./spec";
import { AlarmSpec, cacheAlarms, databaseAlarms, replicaAlarms } from "../components/alarms";
import { AppSecrets } from "../components/app-secrets";
import { AppBackup } from "../components/backups";
import { Postgres } from "../components/postgres";
import { Redis } from "../components/redis";
import { SecurityTiers } from "../components/security-tiers";
import type { SharedPlatform } from "./shared";
import { appTiers } from "./tiers";

export interface AppData {
  tiers: SecurityTiers;
  postgres?: Postgres;
  redis?: Redis;
  secrets: AppSecrets;
  /** Secrets Manager names the hosts read at boot (the last segment names the env variable). */
  secretNames: string[];
  /** Exact ARNs of the same secrets: all the hosts may read. */
  secretArns: pulumi.Output<string>[];
  /** Alarms for the data resources, to be added to the app's alarm set. */
  alarms: AlarmSpec[];
}

export function buildAppData(
  app: AppConfig, shared: SharedPlatform, hosts: "edge" | "fleet", parent: pulumi.Resource,
  loadBalancerSources: "internet" | "cloudfront" = "internet",
): AppData {
  const { ctx, network, key } = shared;
  const tiers = appTiers(app.name, { vpcId: network.vpcId, hosts }, {
    adminCidrs: hosts === "edge" ? shared.config.adminCidrs : [],
    postgres: app.database.enabled,
    redis: app.cache.enabled,
    loadBalancerSources: hosts === "fleet" ? loadBalancerSources : undefined,
  }, { parent });

  const postgres = app.database.enabled ? new Postgres(`${app.name}-db`, {
    ctx, appName: app.name, database: app.database,
    protect: shared.profile.protectData, deletionProtection: shared.profile.db.deletionProtection, monitoringIntervalSeconds: shared.profile.detailedMonitoring ? 60 : 0,
    subnetGroupName: network.dbSubnetGroupName, securityGroupIds: [tiers.dataSecurityGroupId], kmsKeyArn: key.keyArn,
  }, { parent }) : undefined;

  const redis = app.cache.enabled ? new Redis(`${app.name}-cache`, {
    ctx, protect: shared.profile.protectData, appName: app.name, cache: app.cache,
    subnetGroupName: network.cacheSubnetGroupName, securityGroupIds: [tiers.dataSecurityGroupId], kmsKeyArn: key.keyArn,
    notificationTopicArn: shared.alerts.topicArn,
  }, { parent }) : undefined;

  const secrets = new AppSecrets(`${app.name}-secrets`, {
    ctx, protect: shared.profile.protectData, appName: app.name, kinds: app.secrets, kmsKeyArn: key.keyArn,
    extraReadableSecretArns: [postgres?.connectionSecretArn, redis?.authSecretArn].filter((a): a is pulumi.Output<string> => a !== undefined),
    settings: app.envInSecretsManager ? app.env : undefined,
  }, { parent });

  const alarms: AlarmSpec[] = [
    ...(postgres ? databaseAlarms(app.name, postgres.identifier, app.database.allocatedStorageGb, postgres.maxConnections) : []),
    ...(postgres?.replicaIdentifier ? replicaAlarms(app.name, postgres.replicaIdentifier) : []),
    ...(redis ? cacheAlarms(app.name, redis.nodes) : []),
  ];

  if (postgres) {
    new AppBackup(`${app.name}-backup`, {
      ctx, kmsKeyArn: key.keyArn, schedule: app.backupSchedule, retentionDays: app.backupRetentionDays, protect: shared.profile.protectData,
      resourceArns: [postgres.arn],
    }, { parent });
  }

  const secretNames = [
    ...Object.values(secrets.secretNames),
    ...(postgres ? [postgres.connectionSecretName] : []),
    ...(redis ? [redis.authSecretName] : []),
    ...(secrets.settingsSecret ? [secrets.settingsSecret.name] : []),
  ].filter((n): n is string => n !== undefined);
  const secretArns = [
    ...Object.values(secrets.secretArns),
    ...(postgres ? [postgres.connectionSecretArn] : []),
    ...(redis ? [redis.authSecretArn] : []),
    ...(secrets.settingsSecret ? [secrets.settingsSecret.arn] : []),
  ].filter((a): a is pulumi.Output<string> => a !== undefined);
  return { tiers, postgres, redis, secrets, secretNames, secretArns, alarms };
}
