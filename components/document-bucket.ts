import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformContext, typeToken } from "./common";
import { BucketReplica } from "./bucket-replica";
import { denyInsecureTransport, privateBucket, serverAccessLogs } from "./private-bucket";

export interface DocumentBucketArgs {
  /** Stack context: the replica region (prod). Required. */
  ctx: PlatformContext;
  /** Protect the bucket (`protect`, no forceDestroy): it holds the only copy of customers' documents. @default false */
  protect?: boolean;
  /** What the bucket holds, for its data-class tag (e.g. "kyc"). Required. */
  dataClass: string;
  /** The stack's KMS key: objects are encrypted with it. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** Days access logs are kept. @default 365 (audits of who read which document) */
  accessLogDays?: number;
  /** Days a replaced or deleted document version stays restorable (here and in the replica). @default DOCUMENT_NONCURRENT_DAYS */
  noncurrentVersionDays?: number;
}

/** Days a replaced or deleted document stays restorable: a year, as long as its access logs. */
export const DOCUMENT_NONCURRENT_DAYS = 365;

/**
 * A private bucket for sensitive documents (KYC): KMS-encrypted with the stack key,
 * versioned (old versions expire after `noncurrentVersionDays`), TLS-only, with server access
 * logs, and copied to `ctx.dataReplicaRegion` when the stack has one (prod). Object reads and
 * writes are denied to every principal but the roles granted with `restrictTo`, whatever their
 * IAM policies say (the replication role reads versions for replication, not objects).
 */
export class DocumentBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  private readonly bucket: aws.s3.Bucket;
  private readonly ready: pulumi.Resource[];
  private readonly name: string;

  constructor(name: string, args: DocumentBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("storage", "DocumentBucket"), name, {}, opts);
    const { ctx } = args;
    const protect = args.protect ?? false;
    const noncurrentVersionDays = args.noncurrentVersionDays ?? DOCUMENT_NONCURRENT_DAYS;
    const { bucket, ready } = privateBucket(name, this, {
      ownership: "BucketOwnerEnforced", versioned: true, noncurrentVersionDays, kmsKeyArn: args.kmsKeyArn,
      tags: { "data-class": args.dataClass }, forceDestroy: !protect, protect,
    });

    ready.push(serverAccessLogs(name, this, bucket, { days: args.accessLogDays ?? 365, protect }));
    if (ctx.dataReplicaRegion !== undefined) {
      new BucketReplica(`${name}-replica`, {
        ctx, protect, region: ctx.dataReplicaRegion, source: bucket, sourceReady: ready, sourceKmsKeyArn: args.kmsKeyArn,
        noncurrentVersionDays, tags: { "data-class": args.dataClass },
      }, { parent: this });
    }

    this.name = name;
    this.bucket = bucket;
    this.ready = ready;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }

  /**
   * The bucket policy: TLS only, and object reads and writes denied to every principal but
   * `roleArns` (operators can still manage the bucket, not read documents). Call once.
   */
  restrictTo(roleArns: pulumi.Input<string>[]): aws.s3.BucketPolicy {
    return new aws.s3.BucketPolicy(`${this.name}-policy`, {
      bucket: this.bucket.id,
      policy: pulumi.all([this.bucket.arn, pulumi.all(roleArns)]).apply(([arn, roles]) => JSON.stringify(documentBucketPolicy(arn, roles))),
    }, { parent: this, dependsOn: this.ready });
  }
}

/** Pure: TLS only, and object access only for the given roles. */
export function documentBucketPolicy(bucketArn: string, roleArns: string[]): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      denyInsecureTransport(bucketArn),
      {
        Sid: "OnlyTheAppReadsDocuments",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"],
        Resource: `${bucketArn}/*`,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": roleArns } },
      },
    ],
  };
}

/** Pure: an IAM policy letting a role read and write documents, decrypting through S3 only. */
export function documentAccessPolicy(bucketArn: string, kmsKeyArn: string, region: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${bucketArn}/*` },
      { Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
      { Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: kmsKeyArn, Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } } },
    ],
  };
}
