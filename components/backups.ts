import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackupSchedule } from "../lib/environment";
import { PlatformContext, invalidArg, typeToken } from "./common";


/** 03:00 UTC, outside the RDS backup and maintenance windows the data components use. */
const BACKUP_CRON: Record<BackupSchedule, string> = {
  daily: "cron(0 3 * * ? *)",
  weekly: "cron(0 3 ? * SUN *)",
};

export interface AppBackupArgs {
  /** Stack name (the vault's and plan's names). Required. */
  ctx: PlatformContext;
  /** ARNs of the resources to back up (RDS instances, buckets, volumes). Required, at least one. */
  resourceArns: pulumi.Input<string>[];
  /** How often. @default "weekly" */
  schedule?: BackupSchedule;
  /** Days recovery points are kept (1-36500). @default 7 */
  retentionDays?: number;
  /** Protect the vault (`protect`, and no forceDestroy): it holds the recovery points. @default false */
  protect?: boolean;
  /** KMS key encrypting the vault. Required: recovery points are never unencrypted. */
  kmsKeyArn: pulumi.Input<string>;
}

/**
 * An AWS Backup vault, plan and selection for one app: copies that live outside the
 * database's own automated backups, so deleting the database does not delete them.
 */
export class AppBackup extends pulumi.ComponentResource {
  readonly vaultName: pulumi.Output<string>;
  readonly planId: pulumi.Output<string>;

  constructor(name: string, args: AppBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("backup", "AppBackup"), name, {}, opts);
    const { ctx } = args;
    const schedule = args.schedule ?? "weekly";
    const retentionDays = args.retentionDays ?? 7;
    const protect = args.protect ?? false;
    if (args.resourceArns.length === 0) invalidArg("AppBackup", "resourceArns", "must list at least one resource to back up");
    // AWS Backup lifecycle: "This parameter has a maximum value of 100 years (36,500 days)."
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 36_500) invalidArg("AppBackup", "retentionDays", `must be a whole number of days from 1 to 36500, got ${retentionDays}`);

    const vault = new aws.backup.Vault(`${name}-vault`, {
      name: `${ctx.stack}-${name}`,
      kmsKeyArn: args.kmsKeyArn,
      forceDestroy: !protect,
    }, { parent: this, protect });
    const plan = new aws.backup.Plan(`${name}-plan`, {
      name: `${ctx.stack}-${name}`,
      rules: [{
        ruleName: `${schedule}-${retentionDays}d`,
        targetVaultName: vault.name,
        schedule: BACKUP_CRON[schedule],
        startWindow: 60,
        completionWindow: 360,
        lifecycle: { deleteAfter: retentionDays },
      }],
    }, { parent: this });
    const role = new aws.iam.Role(`${name}-backup`, {
      description: `AWS Backup for ${name}`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }, { parent: this });
    for (const [i, policy] of ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"].entries()) {
      new aws.iam.RolePolicyAttachment(`${name}-backup-${i}`, { role: role.name, policyArn: `arn:aws:iam::aws:policy/service-role/${policy}` }, { parent: this });
    }
    new aws.backup.Selection(`${name}-selection`, {
      name: `${name}-data`,
      planId: plan.id,
      iamRoleArn: role.arn,
      resources: args.resourceArns,
    }, { parent: this });

    this.vaultName = vault.name;
    this.planId = plan.id;
    this.registerOutputs({ vaultName: this.vaultName, planId: this.planId });
  }
}
