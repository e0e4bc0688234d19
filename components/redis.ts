import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkRecoveryWindow, defaultRecoveryWindowDays, generatedPassword, secretName, storeSecret } from "./secret-library";
import { checkAppName } from "../lib/names";
import { PlatformContext, invalidArg, typeToken } from "./common";
import { REDIS_PORT } from "./security-tiers";

export interface CacheConfig {
  /** Whether the app has a Redis replication group. Default false. */
  enabled: boolean;
  /** ElastiCache node type, within the environment's allowed list. Default: profile. */
  nodeType: string;
  /** Nodes in the replication group (prod >= 2 for failover). Default: profile. */
  numNodes: number;
  /** Days of snapshots kept. Default: profile. */
  snapshotRetentionDays: number;
}

export const REDIS_ENGINE_VERSION = "7.1";
export const REDIS_PARAMETER_FAMILY = "redis7";
/**
 * ElastiCache AUTH tokens: 16-128 printable characters, specials only from ! & # $ ^ < > -.
 * We use only "-" of those: the others need quoting in shells, .env files or URLs.
 */
export const ELASTICACHE_AUTH_ALLOWED_SPECIALS = "!&#$^<>-";
export const REDIS_AUTH_SPECIALS = "-";
export const REDIS_AUTH_LENGTH = 64;
/** Windows in UTC, clear of each other and of the database's windows. */
export const REDIS_SNAPSHOT_WINDOW = "02:00-03:00";
export const REDIS_MAINTENANCE_WINDOW = "sun:05:30-sun:06:30";
const MAXMEMORY_POLICIES = ["volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-ttl", "noeviction"] as const;

/** One Redis node as ElastiCache names it in CloudWatch (dimensions CacheClusterId, CacheNodeId). */
export interface CacheNode {
  cacheClusterId: string;
  cacheNodeId: string;
}

/**
 * The nodes of a cluster-mode-disabled replication group: ElastiCache names its clusters
 * `<group>-001`, `-002`, ... (describe-replication-groups MemberClusters) and gives each
 * cluster one node, `0001`. Known before the group exists, unlike its `memberClusters` output
 * (unknown at preview), so alarms can be planned on them. ElastiCache publishes its metrics per
 * cluster and node, never per replication group ("When retrieving metrics, you must supply both
 * the CacheClusterId and CacheNodeId dimensions", ElastiCache's metric dimensions page).
 */
export function replicationGroupNodes(replicationGroupId: string, numCacheClusters: number): CacheNode[] {
  return Array.from({ length: numCacheClusters }, (_, i) => ({
    cacheClusterId: `${replicationGroupId}-${String(i + 1).padStart(3, "0")}`,
    cacheNodeId: "0001",
  }));
}

export interface RedisArgs {
  /** Stack context: stack name (group id, secret names), log retention. Required. */
  ctx: PlatformContext;
  /**
   * Protect the cache: `protect`, a final snapshot on deletion, and changes applied in the
   * maintenance window instead of at once (the architectures set it in prod). @default false
   */
  protect?: boolean;
  /** The app's name (config key): names the group `<stack>-<appName>` and its secret. Required. */
  appName: string;
  /** The app's cache settings (validated AppConfig.cache; enabled must be true). Required. */
  cache: CacheConfig;
  /** ElastiCache subnet group over the isolated subnets (Network.cacheSubnetGroupName). Required. */
  subnetGroupName: pulumi.Input<string>;
  /** Security groups of the data tier (SecurityTiers.dataSecurityGroupId). Required, at least one. */
  securityGroupIds: pulumi.Input<string>[];
  /** ARN of the stack key: data at rest, the slow log group and the auth secret. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** Eviction policy when memory is full. @default "volatile-lru" (sessions and cache entries carry TTLs) */
  maxmemoryPolicy?: (typeof MAXMEMORY_POLICIES)[number];
  /** SNS topic for ElastiCache events (failover, maintenance). @default none */
  notificationTopicArn?: pulumi.Input<string>;
  /** Days a deleted secret can be restored: 0 or 7-30. @default 30 when protected, else 0 (defaultRecoveryWindowDays) */
  recoveryWindowInDays?: number;
}

/**
 * One app's Redis 7.1 replication group: isolated subnets, data-tier security groups,
 * encrypted at rest with the stack key and in transit (TLS required), a generated AUTH
 * token kept in Secrets Manager with the endpoint (REDIS_URL), prod: two or more nodes
 * with automatic failover and Multi-AZ; staging: one node. Slow log to CloudWatch Logs.
 */
export class Redis extends pulumi.ComponentResource {
  readonly replicationGroupId: pulumi.Output<string>;
  /** Its nodes, by the names its CloudWatch metrics carry (replicationGroupNodes). */
  readonly nodes: CacheNode[];
  readonly arn: pulumi.Output<string>;
  /** Primary (read/write) endpoint. */
  readonly primaryEndpointAddress: pulumi.Output<string>;
  readonly readerEndpointAddress: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  /** Secret with host, port, authToken and REDIS_URL; depends on the key only, never on the cache. */
  readonly authSecretArn: pulumi.Output<string>;
  readonly authSecretName: string;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("cache", "Redis"), name, {}, opts);
    const { ctx, cache } = args;
    const protect = args.protect ?? false;
    const maxmemoryPolicy = args.maxmemoryPolicy ?? "volatile-lru";
    const recoveryWindowInDays = args.recoveryWindowInDays ?? defaultRecoveryWindowDays(protect);
    const groupId = `${ctx.stack}-${args.appName}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-");
    const fail = (field: string, message: string) => invalidArg("Redis", field, message);
    const nameProblem = checkAppName(args.appName, ctx.stack);
    if (nameProblem) fail("appName", nameProblem);
    if (!cache.enabled) fail("cache.enabled", "is false: do not build a Redis component for an app without a cache");
    if (!/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(cache.nodeType)) fail("cache.nodeType", `"${cache.nodeType}" is not an ElastiCache node type like cache.t4g.micro`);
    // A primary and up to five replicas (cluster mode disabled).
    if (!Number.isInteger(cache.numNodes) || cache.numNodes < 1 || cache.numNodes > 6) fail("cache.numNodes", `must be 1-6, got ${cache.numNodes}`);
    if (!Number.isInteger(cache.snapshotRetentionDays) || cache.snapshotRetentionDays < 0 || cache.snapshotRetentionDays > 35) {
      fail("cache.snapshotRetentionDays", `must be 0-35 days, got ${cache.snapshotRetentionDays}`);
    }
    if (!MAXMEMORY_POLICIES.includes(maxmemoryPolicy)) fail("maxmemoryPolicy", `"${maxmemoryPolicy}" is not allowed; allowed: ${MAXMEMORY_POLICIES.join(", ")}`);
    if (args.securityGroupIds.length === 0) fail("securityGroupIds", "must list at least one data-tier security group");
    // "-final" is appended for the final snapshot; replication group ids are at most 40 characters.
    if (groupId.length > 34 || !/^[a-z][a-z0-9-]*[a-z0-9]$/.test(groupId)) {
      fail("appName", `gives the replication group id "${groupId}", which must start with a letter, end with a letter or digit and have at most 34 characters`);
    }
    checkRecoveryWindow("Redis", recoveryWindowInDays);
    const parent = { parent: this };
    const failover = cache.numNodes >= 2;

    const parameterGroup = new aws.elasticache.ParameterGroup(`${name}-params`, {
      family: REDIS_PARAMETER_FAMILY,
      description: `${args.appName}: Redis 7 settings`,
      parameters: [{ name: "maxmemory-policy", value: maxmemoryPolicy }],
    }, parent);

    const slowLog = new aws.cloudwatch.LogGroup(`${name}-slow-log`, {
      name: `/${ctx.stack}/elasticache/${args.appName}/slow-log`,
      retentionInDays: ctx.logRetentionDays,
      kmsKeyId: args.kmsKeyArn,
    }, parent);

    const token = generatedPassword(`${name}-auth`, protect, this, { length: REDIS_AUTH_LENGTH, overrideSpecial: REDIS_AUTH_SPECIALS });

    const group = new aws.elasticache.ReplicationGroup(`${name}-redis`, {
      replicationGroupId: groupId,
      description: `${args.appName}: Redis (sessions and cache)`,
      engine: "redis",
      engineVersion: REDIS_ENGINE_VERSION,
      nodeType: cache.nodeType,
      numCacheClusters: cache.numNodes,
      automaticFailoverEnabled: failover,
      multiAzEnabled: failover,
      port: REDIS_PORT,
      parameterGroupName: parameterGroup.name,
      subnetGroupName: args.subnetGroupName,
      securityGroupIds: args.securityGroupIds,
      atRestEncryptionEnabled: true,
      kmsKeyId: args.kmsKeyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      authToken: pulumi.secret(token.result),
      autoMinorVersionUpgrade: true,
      maintenanceWindow: REDIS_MAINTENANCE_WINDOW,
      snapshotRetentionLimit: cache.snapshotRetentionDays,
      snapshotWindow: REDIS_SNAPSHOT_WINDOW,
      finalSnapshotIdentifier: protect ? `${groupId}-final` : undefined,
      notificationTopicArn: args.notificationTopicArn,
      applyImmediately: !protect,
      logDeliveryConfigurations: [{
        destination: slowLog.name,
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType: "slow-log",
      }],
    }, { parent: this, protect });

    const authName = secretName(ctx, args.appName, "REDIS");
    const auth = storeSecret(`${name}-auth`, {
      protect,
      secretName: authName,
      description: `${args.appName}: Redis endpoint, AUTH token and REDIS_URL (TLS) read by the app's hosts at boot`,
      kmsKeyArn: args.kmsKeyArn,
      recoveryWindowInDays,
      value: pulumi.all([group.primaryEndpointAddress, group.readerEndpointAddress, group.port, token.result]).apply(([host, reader, port, authToken]) => JSON.stringify({
        host, readerHost: reader, port, tls: true, authToken,
        REDIS_URL: `rediss://:${encodeURIComponent(authToken)}@${host}:${port}/0`,
      })),
    }, this);

    this.nodes = replicationGroupNodes(groupId, cache.numNodes);
    this.replicationGroupId = group.replicationGroupId;
    this.arn = group.arn;
    this.primaryEndpointAddress = group.primaryEndpointAddress;
    this.readerEndpointAddress = group.readerEndpointAddress;
    this.port = group.port.apply((p) => p ?? REDIS_PORT);
    this.authSecretArn = auth.secret.arn;
    this.authSecretName = authName;
    this.registerOutputs({
      replicationGroupId: this.replicationGroupId, primaryEndpointAddress: this.primaryEndpointAddress,
      port: this.port, authSecretArn: this.authSecretArn,
    });
  }
}
