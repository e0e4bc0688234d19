/**
 * The bucket scaffold every bucket here shares: private (all public access blocked, ACLs off
 * unless a service still needs them), encrypted, optionally versioned, with lifecycle rules
 * and protection as asked; plus the TLS-only statement every bucket policy carries.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { invalidArg } from "./common";

/** Options for `privateBucket`. */
export interface PrivateBucketOptions {
  /** Object ownership; BucketOwnerPreferred only where a service still needs ACLs. Required. */
  ownership: "BucketOwnerEnforced" | "BucketOwnerPreferred";
  /** Keep object versions. Required. */
  versioned: boolean;
  /** Expire objects after this many days (logs). @default never */
  expireDays?: number;
  /** Delete replaced or deleted object versions after this many days (versioned only). @default as expireDays, else never */
  noncurrentVersionDays?: number;
  /**
   * Encrypt with this KMS key (SSE-KMS with a bucket key), for data the stack key guards.
   * @default SSE-S3: ALB access logs require it, and CloudFront reads it without a key policy
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** Tags for the bucket besides the stack's (e.g. its data class). @default none */
  tags?: Record<string, string>;
  /** Delete the bucket with its objects on destroy (staging). Required. */
  forceDestroy: boolean;
  /** Protect the bucket itself from deletion (prod data and logs). Required. */
  protect: boolean;
  /** Provider for another region (a replica and its logs). @default the parent's provider */
  provider?: pulumi.ProviderResource;
}

/**
 * A private, encrypted bucket with its settings as separate resources, all named `name`.
 * Returns the bucket and the settings a bucket policy or consumer must wait for.
 */
export function privateBucket(name: string, parent: pulumi.Resource, o: PrivateBucketOptions): { bucket: aws.s3.Bucket; ready: pulumi.Resource[] } {
  const noncurrentDays = o.noncurrentVersionDays ?? (o.versioned ? o.expireDays : undefined);
  if (o.noncurrentVersionDays !== undefined && !o.versioned) invalidArg("privateBucket", "noncurrentVersionDays", "needs versioned: true (an unversioned bucket has no old versions)");
  for (const [field, days] of [["expireDays", o.expireDays], ["noncurrentVersionDays", o.noncurrentVersionDays]] as const) {
    if (days !== undefined && (!Number.isInteger(days) || days < 1)) invalidArg("privateBucket", field, `must be a whole number of days, at least 1, got ${days}`);
  }
  const p: pulumi.CustomResourceOptions = o.provider ? { parent, provider: o.provider } : { parent };
  const bucket = new aws.s3.Bucket(name, { forceDestroy: o.forceDestroy, tags: o.tags }, { ...p, protect: o.protect });
  const ready: pulumi.Resource[] = [
    new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: o.ownership } }, p),
    new aws.s3.BucketPublicAccessBlock(name, {
      bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    }, p),
    new aws.s3.BucketServerSideEncryptionConfiguration(name, {
      bucket: bucket.id,
      rules: [o.kmsKeyArn
        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: o.kmsKeyArn }, bucketKeyEnabled: true }
        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }, p),
  ];
  if (o.versioned) ready.push(new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, p));
  if (o.expireDays !== undefined || noncurrentDays !== undefined) {
    ready.push(new aws.s3.BucketLifecycleConfiguration(name, {
      bucket: bucket.id,
      rules: [{
        id: o.expireDays !== undefined ? "expire" : "expire-old-versions",
        status: "Enabled",
        filter: {},
        ...(o.expireDays !== undefined ? { expiration: { days: o.expireDays } } : {}),
        ...(noncurrentDays !== undefined ? { noncurrentVersionExpiration: { noncurrentDays } } : {}),
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      }],
    }, p));
  }
  return { bucket, ready };
}

/** A statement denying every request not made over TLS. Pure. */
export function denyInsecureTransport(bucketArn: string): Record<string, unknown> {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** Options for `serverAccessLogs`. */
export interface ServerAccessLogsOptions {
  /** Days the access logs are kept. Required. */
  days: number;
  /** Protect the log bucket (prod: the audit trail of who read what). Required. */
  protect: boolean;
  /** Provider of the logged bucket's region (a log bucket must be in the same region). @default the parent's provider */
  provider?: pulumi.ProviderResource;
}

/**
 * S3 server access logging for `source` into its own `<name>-access-logs` bucket. That bucket
 * uses SSE-S3 (log delivery cannot write to SSE-KMS default encryption), expires the logs, and
 * lets only the logging service write, for `source` of this account. Returns the
 * BucketLogging (named `name`), which a bucket policy on `source` may wait for.
 */
export function serverAccessLogs(name: string, parent: pulumi.Resource, source: aws.s3.Bucket, o: ServerAccessLogsOptions): aws.s3.BucketLogging {
  const p: pulumi.CustomResourceOptions = o.provider ? { parent, provider: o.provider } : { parent };
  const logs = privateBucket(`${name}-access-logs`, parent, { ownership: "BucketOwnerEnforced", versioned: false, expireDays: o.days, forceDestroy: !o.protect, protect: o.protect, provider: o.provider });
  const caller = aws.getCallerIdentityOutput({}, p);
  // S3 log delivery writes with the logging service principal (no ACLs needed).
  const policy = new aws.s3.BucketPolicy(`${name}-access-logs`, {
    bucket: logs.bucket.id,
    policy: pulumi.all([logs.bucket.arn, source.arn, caller.accountId]).apply(([logArn, sourceArn, account]) => JSON.stringify(accessLogBucketPolicy(logArn, sourceArn, account))),
  }, { ...p, dependsOn: logs.ready });
  return new aws.s3.BucketLogging(name, { bucket: source.id, targetBucket: logs.bucket.id, targetPrefix: "access/" }, { ...p, dependsOn: [policy] });
}

/** Pure: the log bucket's policy: the logging service writes logs of `sourceArn` only, for `account`; TLS only. */
export function accessLogBucketPolicy(logArn: string, sourceArn: string, account: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "S3ServerAccessLogs", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject", Resource: `${logArn}/*`,
        Condition: { ArnLike: { "aws:SourceArn": sourceArn }, StringEquals: { "aws:SourceAccount": account } },
      },
      denyInsecureTransport(logArn),
    ],
  };
}
