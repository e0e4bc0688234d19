import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformContext, typeToken } from "./common";
import { denyInsecureTransport, privateBucket } from "./private-bucket";

export interface DocumentBucketArgs {
  ctx: PlatformContext;
  /** What the bucket holds, for its data-class tag (e.g. "kyc"). Required. */
  dataClass: string;
  /** The stack's KMS key: objects are encrypted with it. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** Days access logs are kept. Default 365 (audits of who read which document). */
  accessLogDays?: number;
}

/**
 * A private bucket for sensitive documents (KYC): KMS-encrypted with the stack key,
 * versioned, TLS-only, with server access logs. Object reads and writes are denied to every
 * principal but the roles granted with `restrictTo`, whatever their IAM policies say.
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
    const protect = ctx.profile.protectData;
    const { bucket, ready } = privateBucket(name, this, {
      ownership: "BucketOwnerEnforced", versioned: true, kmsKeyArn: args.kmsKeyArn,
      tags: { "data-class": args.dataClass }, forceDestroy: !protect, protect,
    });
    const p = { parent: this };

    // Access logs: S3 log delivery writes with the logging service principal (no ACLs needed).
    const logs = privateBucket(`${name}-access-logs`, this, { ownership: "BucketOwnerEnforced", versioned: false, expireDays: args.accessLogDays ?? 365, forceDestroy: !protect, protect });
    new aws.s3.BucketPolicy(`${name}-access-logs`, {
      bucket: logs.bucket.id,
      policy: pulumi.all([logs.bucket.arn, bucket.arn]).apply(([logArn, sourceArn]) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "S3ServerAccessLogs", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject", Resource: `${logArn}/*`, Condition: { ArnLike: { "aws:SourceArn": sourceArn } },
          },
          denyInsecureTransport(logArn),
        ],
      })),
    }, { parent: this, dependsOn: logs.ready });
    ready.push(new aws.s3.BucketLogging(name, { bucket: bucket.id, targetBucket: logs.bucket.id, targetPrefix: "access/" }, p));

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
