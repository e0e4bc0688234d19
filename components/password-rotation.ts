import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformContext, invalidArg, typeToken } from "./common";

/**
 * When database passwords rotate: 04:00 UTC on the 1st of each month, within two hours (clear
 * of the 01:00 backup window, AWS Backup's 03:00 start and Sunday's 04:30 maintenance).
 */
export const PASSWORD_ROTATION_SCHEDULE = "cron(0 4 1 * ? *)";
export const PASSWORD_ROTATION_WINDOW = "2h";
/** Lambda function names: 1-64 letters, digits, hyphens and underscores. */
const FUNCTION_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Secrets Manager's ScheduleExpressionType pattern, and a cron() or rate() form. */
const SCHEDULE_RE = /^(cron|rate)\([0-9A-Za-z()#?*\-/, ]+\)$/;
const WINDOW_RE = /^[0-9]{1,2}h$/;
/** The handler: a file beside this one, so it is read, linted and tested as Python. */
export const ROTATION_HANDLER_PATH = path.join(__dirname, "rotation", "rds_master_password.py");

export interface DatabasePasswordRotationArgs {
  ctx: PlatformContext;
  /** The RDS instance identifier whose master password rotates. Required. */
  dbInstanceIdentifier: string;
  /** ARN of the connection secret the hosts read (the secret that rotates). Required. */
  connectionSecretArn: pulumi.Input<string>;
  /** ARN of the operators' master secret, given the new password at the end of each rotation. Required. */
  masterSecretArn: pulumi.Input<string>;
  /** ARN of the stack key both secrets are encrypted with. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** Secrets Manager schedule expression. @default PASSWORD_ROTATION_SCHEDULE (monthly, 04:00 UTC) */
  scheduleExpression?: string;
  /** Rotation window, "<hours>h". @default PASSWORD_ROTATION_WINDOW ("2h") */
  window?: string;
  /** Days the function's log group keeps logs. @default ctx.logRetentionDays */
  logRetentionDays?: number;
}

/**
 * Rotates one database's master password on a schedule: a Python function (Secrets
 * Manager's four rotation steps, components/rotation/rds_master_password.py) that sets the
 * password through the RDS API, so it needs no network path to the database and runs
 * outside the VPC. Its role may touch only this database and its two secrets.
 */
export class DatabasePasswordRotation extends pulumi.ComponentResource {
  readonly functionArn: pulumi.Output<string>;

  constructor(name: string, args: DatabasePasswordRotationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("database", "DatabasePasswordRotation"), name, {}, opts);
    const C = "DatabasePasswordRotation";
    const { ctx } = args;
    const functionName = `${args.dbInstanceIdentifier}-rotation`;
    if (!FUNCTION_NAME_RE.test(functionName)) invalidArg(C, "dbInstanceIdentifier", `makes the function name "${functionName}", longer than Lambda's 64 characters`);
    const scheduleExpression = args.scheduleExpression ?? PASSWORD_ROTATION_SCHEDULE;
    if (!SCHEDULE_RE.test(scheduleExpression) || scheduleExpression.length > 256) invalidArg(C, "scheduleExpression", `"${scheduleExpression}" must be a cron(...) or rate(...) expression`);
    const window = args.window ?? PASSWORD_ROTATION_WINDOW;
    if (!WINDOW_RE.test(window)) invalidArg(C, "window", `"${window}" must be a number of hours like "2h"`);
    const parent = { parent: this };

    const identity = aws.getCallerIdentityOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    const dbArn = (id: string) => pulumi.interpolate`arn:${partition.partition}:rds:${ctx.region}:${identity.accountId}:db:${id}`;

    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: args.logRetentionDays ?? ctx.logRetentionDays,
      kmsKeyId: args.kmsKeyArn,
    }, parent);
    const role = new aws.iam.Role(`${name}-rotation`, {
      description: `Rotates the master password of ${args.dbInstanceIdentifier}`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }, parent);
    const policy = new aws.iam.RolePolicy(`${name}-rotation`, {
      role: role.id,
      policy: pulumi.all([args.connectionSecretArn, args.masterSecretArn, args.kmsKeyArn, dbArn(args.dbInstanceIdentifier), dbArn(`${args.dbInstanceIdentifier}-replica`), logGroup.arn])
        .apply(([connection, master, key, db, replica, logs]) => JSON.stringify(rotationPolicy({ connection, master, key, db, replica, logs, region: ctx.region }))),
    }, parent);

    const fn = new aws.lambda.Function(`${name}-rotation`, {
      name: functionName,
      description: `Secrets Manager rotation of ${args.dbInstanceIdentifier}'s master password`,
      runtime: "python3.12",
      architectures: ["arm64"],
      handler: "index.handler",
      code: new pulumi.asset.AssetArchive({ "index.py": new pulumi.asset.FileAsset(ROTATION_HANDLER_PATH) }),
      role: role.arn,
      // Four steps, the third waits for RDS to apply the password (up to 240 s).
      timeout: 300,
      memorySize: 128,
      environment: { variables: { DB_INSTANCE_ID: args.dbInstanceIdentifier, MASTER_SECRET_ARN: args.masterSecretArn } },
      loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
    }, { parent: this, dependsOn: [policy] });

    const permission = new aws.lambda.Permission(`${name}-rotation`, {
      function: fn.name,
      action: "lambda:InvokeFunction",
      principal: "secretsmanager.amazonaws.com",
      sourceArn: args.connectionSecretArn,
    }, parent);

    new aws.secretsmanager.SecretRotation(`${name}-rotation`, {
      secretId: args.connectionSecretArn,
      rotationLambdaArn: fn.arn,
      rotationRules: { scheduleExpression, duration: window },
      // The first rotation waits for the schedule: hosts that have just booted keep their password.
      rotateImmediately: false,
    }, { parent: this, dependsOn: [permission] });

    this.functionArn = fn.arn;
    this.registerOutputs({ functionArn: this.functionArn });
  }
}

/** Pure: the rotation function's permissions, each on exact ARNs (GetRandomPassword takes no resource). */
export function rotationPolicy(a: { connection: string; master: string; key: string; db: string; replica: string; logs: string; region: string }): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "RotateConnectionSecret", Effect: "Allow", Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"], Resource: a.connection },
      { Sid: "MirrorMasterSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"], Resource: a.master },
      { Sid: "NewPassword", Effect: "Allow", Action: "secretsmanager:GetRandomPassword", Resource: "*" },
      { Sid: "SetPassword", Effect: "Allow", Action: "rds:ModifyDBInstance", Resource: a.db },
      { Sid: "ReadEndpoints", Effect: "Allow", Action: "rds:DescribeDBInstances", Resource: [a.db, a.replica] },
      {
        Sid: "SecretsKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: a.key,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${a.region}.amazonaws.com` } },
      },
      { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${a.logs}:*` },
    ],
  };
}
