/**
 * Session Manager preferences: the Session document that says how every shell opened on the
 * stack's hosts through SSM is protected. Sessions are encrypted end to end with the stack key
 * and streamed, as they happen, to a log group encrypted with the same key.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformContext, invalidArg, typeToken } from "./common";

/**
 * The account's Session Manager preferences in a region: `aws ssm start-session` without
 * `--document-name` uses this document. AWS creates it the first time someone opens the
 * preferences in the console, and there is one per account and region.
 */
export const DEFAULT_SESSION_DOCUMENT = "SSM-SessionManagerRunShell";

/** SSM CreateDocument's name constraint (ssm-2014-11-06 DocumentName), and the prefixes AWS reserves. */
const DOCUMENT_NAME = /^[a-zA-Z0-9_.-]{3,128}$/;
const RESERVED_PREFIXES = [/^aws/i, /^amazon/i, /^amzn/i, /^AWSEC2/, /^AWSConfigRemediation/, /^AWSSupport/];
/** CloudWatch Logs' log group name constraint (logs-2014-03-28 LogGroupName). */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

export interface SessionManagerArgs {
  ctx: PlatformContext;
  /** ARN of the stack key: encrypts session data and the session log group. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /**
   * Name of the Session document. Default `SSM-SessionManagerRunShell`, the account's
   * preferences in the region, which every session started without `--document-name` uses.
   * There is one per account and region: two stacks sharing both need different names (the
   * other one's sessions then pass `--document-name`), and an existing one must be imported
   * (see the README) or `pulumi up` fails with DocumentAlreadyExists.
   */
  documentName?: string;
  /**
   * Create the document. false when it is managed elsewhere (another stack of the same account
   * and region); the log group is created either way.
   * @default true
   */
  createDocument?: boolean;
  /** Name of the session log group. @default `/<stack>/ssm/sessions` */
  logGroupName?: string;
  /** Days session logs are kept. @default the stack's log retention */
  logRetentionDays?: number;
  /** Minutes without input before a session ends (1-60). @default 20 */
  idleSessionTimeoutMinutes?: number;
  /** Longest a session may last, in minutes (1-1440). @default 60 */
  maxSessionDurationMinutes?: number;
}

/** The document's content (exported for tests and reviewers). */
export function sessionPreferences(o: {
  description: string; kmsKeyArn: string; logGroupName: string; idleSessionTimeoutMinutes: number; maxSessionDurationMinutes: number;
}): Record<string, unknown> {
  return {
    schemaVersion: "1.0",
    description: o.description,
    sessionType: "Standard_Stream",
    inputs: {
      // Encrypts session data between the operator's client and the agent, on top of TLS.
      kmsKeyId: o.kmsKeyArn,
      // The agent refuses to start a session when the group is missing or not encrypted.
      cloudWatchLogGroupName: o.logGroupName,
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
      s3BucketName: "",
      s3KeyPrefix: "",
      s3EncryptionEnabled: true,
      idleSessionTimeout: String(o.idleSessionTimeoutMinutes),
      maxSessionDuration: String(o.maxSessionDurationMinutes),
      // Sessions run as ssm-user, the agent's unprivileged user; sudo is logged like the rest.
      runAsEnabled: false,
      runAsDefaultUser: "",
      shellProfile: { windows: "", linux: "" },
    },
  };
}

/**
 * The session log group and the Session Manager preferences document. Hosts need, in their
 * role, kms:Decrypt on the key and the right to stream to the group (hostPolicyDocument's
 * `sessions`); operators need kms:GenerateDataKey on the key to open a session.
 */
export class SessionManager extends pulumi.ComponentResource {
  /** The Session document's name: pass it as `--document-name` unless it is DEFAULT_SESSION_DOCUMENT. */
  readonly documentName: string;
  readonly logGroupName: pulumi.Output<string>;
  readonly logGroupArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: SessionManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("ssm", "SessionManager"), name, {}, opts);
    const C = "SessionManager";
    const { ctx } = args;
    const documentName = args.documentName ?? DEFAULT_SESSION_DOCUMENT;
    const createDocument = args.createDocument ?? true;
    const logGroupName = args.logGroupName ?? `/${ctx.stack}/ssm/sessions`;
    const logRetentionDays = args.logRetentionDays ?? ctx.logRetentionDays;
    const idle = args.idleSessionTimeoutMinutes ?? 20;
    const maxDuration = args.maxSessionDurationMinutes ?? 60;
    if (!DOCUMENT_NAME.test(documentName)) invalidArg(C, "documentName", `"${documentName}" must be 3-128 letters, digits, _ - or .`);
    if (RESERVED_PREFIXES.some((p) => p.test(documentName))) invalidArg(C, "documentName", `"${documentName}" starts with a prefix AWS reserves (aws, amazon, amzn, AWSEC2, AWSConfigRemediation, AWSSupport)`);
    if (!LOG_GROUP_NAME.test(logGroupName)) invalidArg(C, "logGroupName", `"${logGroupName}" must be 1-512 letters, digits and . - _ / #`);
    if (!Number.isInteger(logRetentionDays) || logRetentionDays < 1) invalidArg(C, "logRetentionDays", `must be a whole number of days >= 1, got ${logRetentionDays}`);
    if (!Number.isInteger(idle) || idle < 1 || idle > 60) invalidArg(C, "idleSessionTimeoutMinutes", `must be a whole number of minutes from 1 to 60, got ${idle}`);
    if (!Number.isInteger(maxDuration) || maxDuration < 1 || maxDuration > 1440) invalidArg(C, "maxSessionDurationMinutes", `must be a whole number of minutes from 1 to 1440, got ${maxDuration}`);

    // The key's policy lets this region's CloudWatch Logs use it (StackKey); the key ARN input
    // makes the group wait for the key, since AWS checks that policy when associating.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-sessions`, {
      name: logGroupName,
      retentionInDays: logRetentionDays,
      kmsKeyId: args.kmsKeyArn,
    }, { parent: this });

    if (createDocument) {
      new aws.ssm.Document(`${name}-session-preferences`, {
        name: documentName,
        documentType: "Session",
        documentFormat: "JSON",
        content: pulumi.output(args.kmsKeyArn).apply((kmsKeyArn) => JSON.stringify(sessionPreferences({
          // SSM document descriptions are free text; kept plain anyway.
          description: `Session Manager preferences of ${ctx.stack}: encrypted with the stack key, logged to ${logGroupName}`,
          kmsKeyArn, logGroupName, idleSessionTimeoutMinutes: idle, maxSessionDurationMinutes: maxDuration,
        }), null, 2)),
      }, { parent: this, dependsOn: [logGroup] });
    }

    this.documentName = documentName;
    this.logGroupName = logGroup.name;
    this.logGroupArn = logGroup.arn;
    this.kmsKeyArn = pulumi.output(args.kmsKeyArn);
    this.registerOutputs({ documentName, logGroupName: this.logGroupName, logGroupArn: this.logGroupArn });
  }
}

/** What a host needs from SessionManager: its role's rights and the document its shell command names. */
export interface HostSessions {
  /** The key session data is encrypted with (the agent decrypts each session's data key). */
  kmsKeyArn: pulumi.Input<string>;
  /** The log group the agent streams sessions to. */
  logGroupArn: pulumi.Input<string>;
  /** The preferences document (named in the shell command unless it is the account's default). */
  documentName: string;
}

/** `aws ssm start-session` arguments that pick the preferences: none for the account's default document. */
export function sessionDocumentArgs(documentName: string): string {
  return documentName === DEFAULT_SESSION_DOCUMENT ? "" : ` --document-name ${documentName}`;
}
