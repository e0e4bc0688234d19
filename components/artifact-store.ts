/**
 * The platform's artifact store: the one bucket per stack that app releases are published to
 * (README.md, "App artifacts"). A prefix per app (`<app>/`, artifactStorePrefix); releases are
 * written only by the publisher role (CI assumes it), read by each app's hosts from their own
 * prefix (their instance policy, components/hostconfig/iam.ts), and never expired while
 * current: an autoscaling group scaling out a year after a release still fetches it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { invalidArg, PlatformContext, typeToken } from "./common";
import { denyInsecureTransport, privateBucket } from "./private-bucket";

/** Days a replaced or deleted release object stays restorable (old versions). */
export const ARTIFACT_NONCURRENT_DAYS = 90;
/** IAM's default quota for a role's trust policy, in characters (AWS counts it without whitespace). */
const TRUST_POLICY_MAX = 2048;
/** IAM role names: 1-64 of letters, digits and + = , . @ _ - (iam CreateRole RoleName). */
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;

/** What writes a release: everything that adds, replaces, deletes or retags an object. */
export const ARTIFACT_WRITE_ACTIONS = [
  "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
  "s3:PutObjectTagging", "s3:PutObjectVersionTagging", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
];

export interface ArtifactStoreArgs {
  /** Stack context: the stack name (role name) and profile (prod protects the bucket). Required. */
  ctx: PlatformContext;
  /**
   * IAM principal ARNs trusted to assume the publisher role (the CI deploy roles).
   * @default [] : this account's root, i.e. principals of this account whose identity policy allows sts:AssumeRole on the role
   */
  publishers?: string[];
  /**
   * Name of the publisher role (a fixed name, so CI can be configured before the first deploy).
   * @default `<stack>-artifact-publisher`
   */
  publisherRoleName?: string;
  /**
   * Days a replaced or deleted release stays restorable as an old version. Current releases never expire.
   * @default ARTIFACT_NONCURRENT_DAYS (90)
   */
  noncurrentVersionDays?: number;
}

/**
 * A private, versioned, SSE-S3 bucket with a TLS-only policy that denies every write but the
 * publisher role's, and the publisher role itself. Encrypted with S3-managed keys rather than the
 * stack key: releases hold code, not data (no secret is ever in an artifact), and the stack
 * key's policy would otherwise have to trust every publisher account and every host for KMS.
 */
export class ArtifactStore extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly publisherRoleArn: pulumi.Output<string>;
  readonly publisherRoleName: string;

  constructor(name: string, args: ArtifactStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("storage", "ArtifactStore"), name, {}, opts);
    const { ctx } = args;
    const C = "ArtifactStore";
    const publishers = args.publishers ?? [];
    if (publishers.some((p) => p.includes("*"))) invalidArg(C, "publishers", "must be exact IAM principal ARNs: trust policies take no wildcards");
    if (publishers.length > 0 && JSON.stringify(publisherTrustPolicy(publishers)).length > TRUST_POLICY_MAX) {
      invalidArg(C, "publishers", `make a trust policy longer than IAM's ${TRUST_POLICY_MAX} characters; trust one CI role that the others assume`);
    }
    const roleName = args.publisherRoleName ?? `${ctx.stack}-artifact-publisher`;
    if (!ROLE_NAME_RE.test(roleName)) invalidArg(C, "publisherRoleName", `"${roleName}" must be 1-64 letters, digits and + = , . @ _ -`);
    const noncurrentVersionDays = args.noncurrentVersionDays ?? ARTIFACT_NONCURRENT_DAYS;

    const protect = ctx.profile.protectData;
    const { bucket, ready } = privateBucket(`${name}-artifacts`, this, {
      ownership: "BucketOwnerEnforced", versioned: true, noncurrentVersionDays,
      tags: { "data-class": "artifacts" }, forceDestroy: !protect, protect,
    });

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const trusted = publishers.length > 0
      ? pulumi.output(publishers)
      : pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root`.apply((root) => [root]);
    const role = new aws.iam.Role(`${name}-artifact-publisher`, {
      name: roleName,
      description: `Publishes app releases to the ${ctx.stack} artifact store`,
      assumeRolePolicy: trusted.apply((p) => JSON.stringify(publisherTrustPolicy(p))),
    }, { parent: this });
    new aws.iam.RolePolicy(`${name}-artifact-publisher`, {
      role: role.id,
      policy: bucket.arn.apply((arn) => JSON.stringify(publisherPolicy(arn))),
    }, { parent: this });

    new aws.s3.BucketPolicy(`${name}-artifacts`, {
      bucket: bucket.id,
      policy: pulumi.all([bucket.arn, role.arn]).apply(([arn, roleArn]) => JSON.stringify(artifactBucketPolicy(arn, roleArn))),
    }, { parent: this, dependsOn: ready });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.publisherRoleArn = role.arn;
    this.publisherRoleName = roleName;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, publisherRoleArn: this.publisherRoleArn });
  }
}

/** Pure: the publisher role's trust policy. */
export function publisherTrustPolicy(principals: string[]): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "CiAssumesPublisher", Effect: "Allow", Principal: { AWS: principals }, Action: "sts:AssumeRole" }],
  };
}

/**
 * Pure: what the publisher may do: upload releases under any app's prefix (multipart included)
 * and list what is published. No delete: a release an autoscaling group may still need is
 * replaced by a new version, never removed.
 */
export function publisherPolicy(bucketArn: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PublishReleases", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: `${bucketArn}/*` },
      { Sid: "ListReleases", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
    ],
  };
}

/**
 * Pure: TLS only, and every object write denied to any principal but the publisher role,
 * whatever their IAM policies say (an admin too: they assume the role to publish). Nothing
 * else writes here: no AWS service delivers logs or replicas to this bucket, and lifecycle
 * expiration is not subject to bucket policies. On destroy the policy goes before the bucket.
 */
export function artifactBucketPolicy(bucketArn: string, publisherRoleArn: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      denyInsecureTransport(bucketArn),
      {
        Sid: "OnlyThePublisherWrites",
        Effect: "Deny",
        Principal: "*",
        Action: ARTIFACT_WRITE_ACTIONS,
        Resource: `${bucketArn}/*`,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": publisherRoleArn } },
      },
    ],
  };
}
