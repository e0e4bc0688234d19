/**
 * An app's media bucket: the private-bucket bricks put together for user uploads, with a copy
 * in the stack's second region (bucket-replica) when it has one.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BucketReplica } from "./bucket-replica";
import { PlatformContext } from "./common";
import { denyInsecureTransport, privateBucket, serverAccessLogs } from "./private-bucket";

/** Days a replaced or deleted upload stays restorable in a media bucket. */
export const MEDIA_NONCURRENT_DAYS = 90;
/** Days a media bucket's access logs are kept. */
export const MEDIA_ACCESS_LOG_DAYS = 90;

export interface MediaBucketOptions {
  /** Stack context: the replica region (prod). Required. */
  ctx: PlatformContext;
  /** The stack key, encrypting uploads. @default none (SSE-S3) */
  kmsKeyArn?: pulumi.Input<string>;
  /** Protect the bucket (`protect`, no forceDestroy). @default false */
  protect?: boolean;
}

/**
 * An app's media bucket (user uploads): private, versioned (an overwrite or delete stays
 * restorable for MEDIA_NONCURRENT_DAYS), encrypted with the stack key when given, TLS only,
 * with server access logs, protected when asked (prod), and copied to `ctx.dataReplicaRegion`
 * when the stack has one (prod), so uploads survive losing the bucket or the region.
 */
export function mediaBucket(name: string, o: MediaBucketOptions, parent: pulumi.Resource): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
  const { ctx, kmsKeyArn } = o;
  const protect = o.protect ?? false;
  const { bucket, ready } = privateBucket(name, parent, {
    ownership: "BucketOwnerEnforced", versioned: true, noncurrentVersionDays: MEDIA_NONCURRENT_DAYS, kmsKeyArn, forceDestroy: !protect, protect,
  });
  const policy = new aws.s3.BucketPolicy(name, {
    bucket: bucket.id,
    policy: bucket.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(arn)] })),
  }, { parent, dependsOn: ready });
  serverAccessLogs(name, parent, bucket, { days: MEDIA_ACCESS_LOG_DAYS, protect });
  if (ctx.dataReplicaRegion !== undefined) {
    new BucketReplica(`${name}-replica`, {
      ctx, protect, region: ctx.dataReplicaRegion, source: bucket, sourceReady: ready, sourceKmsKeyArn: kmsKeyArn, noncurrentVersionDays: MEDIA_NONCURRENT_DAYS,
    }, { parent });
  }
  return { bucket, policy };
}
