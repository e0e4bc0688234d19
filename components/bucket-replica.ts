/**
 * A copy of a data bucket in a second region (S3 cross-region replication), so its objects
 * survive losing the bucket (deleted, emptied, its versions purged) or the whole region; and
 * the per-stack pieces every copy in that region shares: the AWS provider and a KMS key.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AWS_REGION_RE } from "../lib/regions";
import { PlatformContext, invalidArg, typeToken } from "./common";
import { denyInsecureTransport, privateBucket, serverAccessLogs } from "./private-bucket";
import { regionProvider } from "./providers";

/** Storage classes a replica may be written in (rarely read: infrequent access by default). */
export const REPLICA_STORAGE_CLASSES = ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"] as const;
export type ReplicaStorageClass = (typeof REPLICA_STORAGE_CLASSES)[number];

/** The stack's shared resources in one replica region. */
interface ReplicaRegionResources {
  provider: aws.Provider;
  key: aws.kms.Key;
}

// One set per stack run and region, keyed on the root stack resource (as the us-east-1
// provider is), so separate program runs in one process (tests) never share resources.
const regions = new WeakMap<object, Map<string, ReplicaRegionResources>>();
const NO_STACK = {};

/**
 * The stack's provider and replica key in `region`, registered once at the top of the stack
 * (not under the first bucket that asks), so their URNs do not depend on which app is built first.
 * The key rotates yearly, is administered and used through IAM only (the replication roles'
 * policies grant kms:Encrypt through S3), and is protected with `protect` (prod).
 */
export function replicaRegion(ctx: PlatformContext, region: string, protect: boolean): ReplicaRegionResources {
  const root = pulumi.runtime.getStackResource() ?? NO_STACK;
  const byRegion = regions.get(root) ?? new Map<string, ReplicaRegionResources>();
  regions.set(root, byRegion);
  let r = byRegion.get(region);
  if (!r) {
    const provider = regionProvider(region);
    const identity = aws.getCallerIdentityOutput({}, { provider });
    const partition = aws.getPartitionOutput({}, { provider });
    const key = new aws.kms.Key(`${ctx.stack}-${region}-replica-key`, {
      description: `webapp-platform ${ctx.stack}: copies of the data buckets in ${region}`,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: protect ? 30 : 7,
      policy: pulumi.all([identity.accountId, partition.partition]).apply(([account, part]) => JSON.stringify(replicaKeyPolicy(account, part))),
    }, { provider, protect });
    new aws.kms.Alias(`${ctx.stack}-${region}-replica-key`, {
      name: `alias/webapp-platform/${ctx.stack.replace(/[^A-Za-z0-9/_-]/g, "-")}-replica`, targetKeyId: key.keyId,
    }, { provider });
    r = { provider, key };
    byRegion.set(region, r);
  }
  return r;
}

/** Pure: the replica key's policy: the account administers and uses it through IAM. */
export function replicaKeyPolicy(account: string, partition = "aws"): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [{
      // Without this the key could become unmanageable; it also lets IAM policies grant use.
      Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*",
    }],
  };
}

export interface BucketReplicaArgs {
  /** Stack context: stack name, region (the copy's must differ). Required. */
  ctx: PlatformContext;
  /** Protect the copy, its access logs and the region's replica key (`protect`; prod). @default false */
  protect?: boolean;
  /** Region of the copy; must differ from the stack's (`ctx.region`). Required. */
  region: string;
  /** The bucket to copy. Required. */
  source: aws.s3.Bucket;
  /** The source's settings; its versioning must be among them (replication needs it first). Required. */
  sourceReady: pulumi.Resource[];
  /** The source's KMS key, when its objects are SSE-KMS: the copy re-encrypts them with the replica key. @default none (SSE-S3) */
  sourceKmsKeyArn?: pulumi.Input<string>;
  /** Days replaced or deleted versions stay in the copy (as in the source). Required. */
  noncurrentVersionDays: number;
  /** Tags of the copy besides the stack's (the source's data class). @default none */
  tags?: Record<string, string>;
  /** Storage class of the copies. @default "STANDARD_IA" (read only to restore) */
  storageClass?: ReplicaStorageClass;
  /** Days the copy's server access logs are kept. @default 365 */
  accessLogDays?: number;
}

/**
 * A versioned, private, TLS-only, KMS-encrypted copy of `source` in `region`, with its own
 * server access logs there, protected in prod; a role S3 assumes with exactly the replication
 * rights; and the replication rule (every object, delete markers too: the copy mirrors what the
 * source shows, while a version deleted for good in the source stays in the copy until its
 * own noncurrent-version expiry, because S3 never replicates permanent deletes).
 */
export class BucketReplica extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly region: string;

  constructor(name: string, args: BucketReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("storage", "BucketReplica"), name, {}, opts);
    const { ctx } = args;
    const F = "BucketReplica";
    if (!AWS_REGION_RE.test(args.region)) invalidArg(F, "region", `"${args.region}" is not an AWS region name like eu-central-1`);
    if (args.region === ctx.region) invalidArg(F, "region", `is the stack's own region (${ctx.region}); a copy there does not survive losing the region`);
    const storageClass = args.storageClass ?? "STANDARD_IA";
    if (!REPLICA_STORAGE_CLASSES.includes(storageClass)) invalidArg(F, "storageClass", `"${storageClass}" is not one of ${REPLICA_STORAGE_CLASSES.join(", ")}`);
    const protect = args.protect ?? false;
    const { provider, key } = replicaRegion(ctx, args.region, protect);
    const there = { parent: this, provider };

    const replica = privateBucket(name, this, {
      ownership: "BucketOwnerEnforced", versioned: true, noncurrentVersionDays: args.noncurrentVersionDays, kmsKeyArn: key.arn,
      tags: args.tags, forceDestroy: !protect, protect, provider,
    });
    const replicaPolicy = new aws.s3.BucketPolicy(name, {
      bucket: replica.bucket.id,
      policy: replica.bucket.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(arn)] })),
    }, { ...there, dependsOn: replica.ready });
    serverAccessLogs(name, this, replica.bucket, { days: args.accessLogDays ?? 365, protect, provider });

    // IAM is global; the role lives with the source (the default provider).
    const role = new aws.iam.Role(`${name}-replication`, {
      description: `S3 replicates ${name}'s source bucket to ${args.region}`,
      assumeRolePolicy: pulumi.all([args.source.arn, aws.getCallerIdentityOutput({}, { parent: this }).accountId]).apply(([sourceArn, account]) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole",
          // Only S3 acting for this account's source bucket (confused deputy).
          Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": sourceArn } },
        }],
      })),
    }, { parent: this });
    const rolePolicy = new aws.iam.RolePolicy(`${name}-replication`, {
      role: role.id,
      policy: pulumi.all([args.source.arn, replica.bucket.arn, pulumi.output(args.sourceKmsKeyArn), key.arn]).apply(([sourceArn, replicaArn, sourceKey, replicaKey]) =>
        JSON.stringify(replicationPolicy({ sourceArn, replicaArn, sourceRegion: ctx.region, replicaRegion: args.region, sourceKeyArn: sourceKey, replicaKeyArn: replicaKey }))),
    }, { parent: this });

    const kms = args.sourceKmsKeyArn !== undefined;
    new aws.s3.BucketReplicationConfig(name, {
      bucket: args.source.id,
      role: role.arn,
      rules: [{
        id: "copy-to-second-region",
        status: "Enabled",
        priority: 1,
        filter: {},
        deleteMarkerReplication: { status: "Enabled" },
        // SSE-KMS objects are replicated only when asked, and re-encrypted with a key of the replica's region.
        ...(kms ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } } } : {}),
        destination: {
          bucket: replica.bucket.arn,
          storageClass,
          ...(kms ? { encryptionConfiguration: { replicaKmsKeyId: key.arn } } : {}),
        },
      }],
    }, { parent: this, dependsOn: [...args.sourceReady, ...replica.ready, replicaPolicy, rolePolicy] });

    this.region = args.region;
    this.bucketName = replica.bucket.bucket;
    this.bucketArn = replica.bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, region: this.region });
  }
}

/** Pure: the replication role's rights, and nothing else (S3's documented minimum for SSE-KMS replication). */
export function replicationPolicy(o: {
  sourceArn: string; replicaArn: string; sourceRegion: string; replicaRegion: string; sourceKeyArn?: string; replicaKeyArn: string;
}): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadSourceConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: o.sourceArn },
      { Sid: "ReadSourceVersions", Effect: "Allow", Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], Resource: `${o.sourceArn}/*` },
      { Sid: "WriteReplica", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: `${o.replicaArn}/*` },
      ...(o.sourceKeyArn ? [
        {
          Sid: "DecryptSourceThroughS3", Effect: "Allow", Action: "kms:Decrypt", Resource: o.sourceKeyArn,
          Condition: { StringEquals: { "kms:ViaService": `s3.${o.sourceRegion}.amazonaws.com` } },
        },
        {
          // GenerateDataKey: the replica bucket encrypts with an S3 bucket key.
          Sid: "EncryptReplicaThroughS3", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: o.replicaKeyArn,
          Condition: { StringEquals: { "kms:ViaService": `s3.${o.replicaRegion}.amazonaws.com` } },
        },
      ] : []),
    ],
  };
}
