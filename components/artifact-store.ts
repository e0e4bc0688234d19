/**
 * The platform's artifact store: the one bucket per stack that app releases are published to
 * (README.md, "App artifacts"). A prefix per app (`<app>/`, artifactStorePrefix); releases are
 * written only by the publisher role (CI assumes it), read by each app's hosts from their own
 * prefix (their instance policy, components/hostconfig/iam.ts), and never expired while
 * current: an autoscaling group scaling out a year after a release still fetches it.
 *
 * CI assumes the publisher role with its GitHub Actions OIDC token: the role trusts the account's
 * GitHub OIDC provider for the configured subjects only (repository and branch, tag or
 * environment), so no long-lived key exists and no other principal of the account may assume it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { invalidArg, PlatformContext, typeToken } from "./common";
import { denyInsecureTransport, privateBucket } from "./private-bucket";
import {
  ArtifactPublishers, GITHUB_OIDC_HOST, GITHUB_OIDC_PROVIDER_ARN_RE, GITHUB_SUBJECT_FORMS, githubSubjectProblem, publisherTrustPolicy, trustPolicyTooLong,
} from "./publisher-trust";

export { publisherTrustPolicy } from "./publisher-trust";
export type { ArtifactPublishers } from "./publisher-trust";

/** Days a replaced or deleted release object stays restorable (old versions). */
export const ARTIFACT_NONCURRENT_DAYS = 90;
/** IAM role names: 1-64 of letters, digits and + = , . @ _ - (iam CreateRole RoleName). */
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;

/** What writes a release: everything that adds, replaces, deletes or retags an object. */
export const ARTIFACT_WRITE_ACTIONS = [
  "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
  "s3:PutObjectTagging", "s3:PutObjectVersionTagging", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
];

export interface ArtifactStoreArgs {
  /** Stack context: the stack name (role name). Required. */
  ctx: PlatformContext;
  /** Protect the bucket (`protect`, no forceDestroy): it holds every released version. @default false */
  protect?: boolean;
  /**
   * The GitHub Actions workflows that may assume the publisher role (OIDC subjects, and the
   * account's provider). Required: without them nobody can publish.
   */
  publishers: ArtifactPublishers;
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
 * key's policy would otherwise have to trust the publisher role and every host for KMS.
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
    const { subjects = [], oidcProviderArn } = args.publishers ?? {};
    if (subjects.length === 0) invalidArg(C, "publishers.subjects", `is required: at least one GitHub Actions OIDC subject (${GITHUB_SUBJECT_FORMS})`);
    subjects.forEach((s, i) => {
      const problem = githubSubjectProblem(s);
      if (problem) invalidArg(C, `publishers.subjects[${i}]`, problem);
    });
    if (oidcProviderArn !== undefined && !GITHUB_OIDC_PROVIDER_ARN_RE.test(oidcProviderArn)) {
      invalidArg(C, "publishers.oidcProviderArn", `"${oidcProviderArn}" must be an IAM OIDC provider ARN for GitHub Actions: arn:aws:iam::<12-digit account>:oidc-provider/${GITHUB_OIDC_HOST}`);
    }
    const tooLong = trustPolicyTooLong(subjects, oidcProviderArn);
    if (tooLong) invalidArg(C, "publishers.subjects", tooLong);
    const roleName = args.publisherRoleName ?? `${ctx.stack}-artifact-publisher`;
    if (!ROLE_NAME_RE.test(roleName)) invalidArg(C, "publisherRoleName", `"${roleName}" must be 1-64 letters, digits and + = , . @ _ -`);
    const noncurrentVersionDays = args.noncurrentVersionDays ?? ARTIFACT_NONCURRENT_DAYS;

    const protect = args.protect ?? false;
    const { bucket, ready } = privateBucket(`${name}-artifacts`, this, {
      ownership: "BucketOwnerEnforced", versioned: true, noncurrentVersionDays,
      tags: { "data-class": "artifacts" }, forceDestroy: !protect, protect,
    });

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const provider = oidcProviderArn !== undefined
      ? pulumi.output(oidcProviderArn)
      : pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
    const role = new aws.iam.Role(`${name}-artifact-publisher`, {
      name: roleName,
      description: `Publishes app releases to the ${ctx.stack} artifact store`,
      assumeRolePolicy: provider.apply((arn) => JSON.stringify(publisherTrustPolicy(arn, subjects))),
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
 * whatever their IAM policies say (an admin too: releases come from CI, through the role). Nothing
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
