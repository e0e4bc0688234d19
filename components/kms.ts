import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformContext, invalidArg, typeToken } from "./common";

/**
 * AWS services that may use the stack key on behalf of principals in this account
 * (kms:ViaService). They encrypt what the platform stores: secrets, database storage,
 * snapshots and Performance Insights, cache data, backup recovery points, alarm topics.
 */
export const KEY_VIA_SERVICES = ["secretsmanager", "rds", "elasticache", "backup", "sns"] as const;

export interface StackKeyArgs {
  /** Stack name and region (the key's alias and policy). Required. */
  ctx: PlatformContext;
  /**
   * Protect the key (`protect`, and the longest deletion window): deleting it makes every
   * backup and secret it encrypts unreadable. The architectures set it in prod.
   * @default false
   */
  protect?: boolean;
  /** Days KMS waits before deleting the key once scheduled (7-30). @default 30 when protected, else 7 */
  deletionWindowInDays?: number;
  /** Days between automatic rotations of the key material (90-2560). @default 365 */
  rotationPeriodInDays?: number;
  /** Alias name, starting with `alias/`. @default `alias/webapp-platform/<stack>` */
  aliasName?: string;
}

/**
 * The stack's customer-managed KMS key, with yearly rotation and an alias. Its policy:
 * - the account administers and uses it through IAM (so IAM policies, like the hosts'
 *   kms:Decrypt via Secrets Manager, take effect);
 * - principals of this account may use it only through the data services above
 *   (the pattern of AWS-managed keys: kms:CallerAccount + kms:ViaService);
 * - CloudWatch Logs may use it for this account's log groups (encryption context): every log
 *   group of the stack is on it, the Session Manager session log included;
 * - Session Manager encrypts sessions with it through IAM alone (the operator's kms:GenerateDataKey,
 *   the host's kms:Decrypt: direct calls, not through a service);
 * - CloudWatch alarms of this account may publish to topics encrypted with it.
 * With `protect` (prod), the key is protected and waits 30 days before deletion.
 */
export class StackKey extends pulumi.ComponentResource {
  readonly keyArn: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;
  readonly aliasName: string;

  constructor(name: string, args: StackKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("kms", "StackKey"), name, {}, opts);
    const { ctx } = args;
    const protect = args.protect ?? false;
    const deletionWindowInDays = args.deletionWindowInDays ?? (protect ? 30 : 7);
    const rotationPeriodInDays = args.rotationPeriodInDays ?? 365;
    const aliasName = args.aliasName ?? `alias/webapp-platform/${ctx.stack.replace(/[^A-Za-z0-9/_-]/g, "-")}`;
    if (!Number.isInteger(deletionWindowInDays) || deletionWindowInDays < 7 || deletionWindowInDays > 30) {
      invalidArg("StackKey", "deletionWindowInDays", `must be a whole number of days from 7 to 30, got ${deletionWindowInDays}`);
    }
    if (!Number.isInteger(rotationPeriodInDays) || rotationPeriodInDays < 90 || rotationPeriodInDays > 2560) {
      invalidArg("StackKey", "rotationPeriodInDays", `must be a whole number of days from 90 to 2560, got ${rotationPeriodInDays}`);
    }
    if (!/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(aliasName) || aliasName.startsWith("alias/aws/")) {
      invalidArg("StackKey", "aliasName", `"${aliasName}" must be alias/ followed by letters, digits, / _ - (and not alias/aws/...)`);
    }

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const policy = pulumi.all([identity.accountId, partition.partition]).apply(([account, part]) =>
      JSON.stringify(stackKeyPolicy(account, ctx.region, part)));

    const key = new aws.kms.Key(`${name}-key`, {
      description: `webapp-platform ${ctx.stack}: secrets, databases, caches, logs, backups`,
      enableKeyRotation: true,
      rotationPeriodInDays,
      deletionWindowInDays,
      policy,
    }, { parent: this, protect });
    new aws.kms.Alias(`${name}-alias`, { name: aliasName, targetKeyId: key.keyId }, { parent: this });

    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = aliasName;
    this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId, aliasName });
  }
}

/** The stack key's policy document (exported for tests and reviewers). */
export function stackKeyPolicy(account: string, region: string, partition = "aws"): Record<string, unknown> {
  const root = `arn:${partition}:iam::${account}:root`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // Without this the key could become unmanageable; it also lets IAM policies grant use.
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: root },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "AccountUsesKeyOnlyThroughDataServices",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:CallerAccount": account,
            "kms:ViaService": KEY_VIA_SERVICES.map((s) => `${s}.${region}.amazonaws.com`),
          },
        },
      },
      {
        // RDS, ElastiCache and Backup keep long-lived grants on the key for the resources they manage.
        Sid: "DataServicesCreateGrantsForTheirResources",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:CallerAccount": account,
            "kms:ViaService": KEY_VIA_SERVICES.map((s) => `${s}.${region}.amazonaws.com`),
          },
          Bool: { "kms:GrantIsForAWSResource": "true" },
        },
      },
      {
        Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${account}:log-group:*` } },
      },
      {
        // CloudWatch alarms publish to the (encrypted) alert topic as the service itself.
        Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: {
          StringEquals: { "aws:SourceAccount": account },
          ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      },
    ],
  };
}
