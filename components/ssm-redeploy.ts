/**
 * A step that runs on the operator's machine during `pulumi up` (@pulumi/command): a
 * redeploy of a single host through SSM (no SSH). The shell scripts and the SSM document
 * come from pure renderers, so tests can lint and run them.
 */
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
// Versions travel into shell commands and an SSM parameter; the app-version rule keeps them inert there.
import { APP_VERSION_RE as VERSION_PATTERN } from "../lib/versions";
import { PlatformContext, invalidArg, typeToken } from "./common";
import { wholeNumber } from "./deploy-common";
import { hostScriptPath } from "./hostconfig/scripts";

const SAFE_PATH = /^\/[A-Za-z0-9_./-]+$/;

export interface HostRedeployScriptOptions {
  /** Script on the host that deploys a version given as its only argument. Required. */
  deployScript: string;
  /** The version, or the SSM parameter placeholder. @default "{{ version }}" */
  version?: string;
}

/**
 * What runs on the host (through the SSM document): wait for first-boot cloud-init, since
 * SSM can reach a new instance before cloud-init has installed the deploy script, then run
 * the deploy script with the version. The version is single-quoted and the document's
 * parameter pattern forbids quotes, so it cannot break out.
 */
export function renderHostRedeployScript(options: HostRedeployScriptOptions): string {
  if (!SAFE_PATH.test(options.deployScript)) invalidArg("renderHostRedeployScript", "deployScript", `must be an absolute path of letters, digits and _ . / -, got "${options.deployScript}"`);
  const version = options.version ?? "{{ version }}";
  if (version !== "{{ version }}" && !VERSION_PATTERN.test(version)) invalidArg("renderHostRedeployScript", "version", `"${version}" does not match ${VERSION_PATTERN}`);
  return `#!/bin/sh
# Redeploy through SSM: wait for cloud-init, then run the host's deploy script.
set -eu
version='${version}'
if command -v cloud-init >/dev/null 2>&1; then
  echo "waiting for cloud-init to finish"
  rc=0
  cloud-init status --wait >/dev/null || rc=$?
  case "$rc" in
    0) ;;
    2) echo "cloud-init finished with recoverable errors; deploying anyway" >&2 ;;
    *)
      echo "cloud-init failed (exit $rc); not deploying. See /var/log/cloud-init-output.log" >&2
      cloud-init status --long >&2 || true
      exit 1
      ;;
  esac
fi
if [ ! -x ${options.deployScript} ]; then
  echo "${options.deployScript} is missing or not executable; was the host configured by cloud-init?" >&2
  exit 1
fi
echo "deploying version $version"
exec ${options.deployScript} "$version"
`;
}

/** The SSM Command document (schema 2.2) that runs the host redeploy script. */
export function redeployDocumentContent(deployScript: string, timeoutSeconds: number): string {
  return JSON.stringify({
    schemaVersion: "2.2",
    description: `Wait for cloud-init, then run ${deployScript} with the given version.`,
    parameters: {
      version: {
        type: "String",
        description: "App version to deploy",
        allowedPattern: VERSION_PATTERN.source,
      },
    },
    mainSteps: [{
      action: "aws:runShellScript",
      name: "redeploy",
      inputs: {
        timeoutSeconds: String(timeoutSeconds),
        runCommand: renderHostRedeployScript({ deployScript }).trimEnd().split("\n"),
      },
    }],
  });
}

export interface SsmRedeployScriptOptions {
  /** Give up after this many seconds in all (agent registration, cloud-init, deploy). @default 1800 */
  timeoutSeconds?: number;
  /** Seconds between status polls. @default 5 */
  pollSeconds?: number;
}

/**
 * The operator-side script: wait until the instance's SSM agent is online (a new instance
 * registers a minute or so after boot, and send-command to it fails before that), send the
 * document with the version, poll the invocation, and fail with the host's output unless it
 * succeeded. Inputs come from the environment: INSTANCE_ID, DOCUMENT_NAME, APP_VERSION, AWS_REGION.
 */
export function renderSsmRedeployScript(options: SsmRedeployScriptOptions = {}): string {
  const C = "renderSsmRedeployScript";
  const timeout = wholeNumber(C, "timeoutSeconds", options.timeoutSeconds ?? 1800, 60, 3 * 3600);
  const poll = wholeNumber(C, "pollSeconds", options.pollSeconds ?? 5, 1, 60);
  return `#!/bin/sh
# Redeploy a host through SSM (no SSH) and wait for the result.
set -eu
: "\${INSTANCE_ID:?}" "\${DOCUMENT_NAME:?}" "\${APP_VERSION:?}" "\${AWS_REGION:?}"
timeout=${timeout}
poll=${poll}
deadline=$(( $(date +%s) + timeout ))

fail() {
  echo "redeploy of $APP_VERSION on $INSTANCE_ID FAILED: $1" >&2
  exit 1
}
check_deadline() {
  if [ "$(date +%s)" -ge "$deadline" ]; then fail "$1 (gave up after \${timeout}s)"; fi
}

while :; do
  ping=$(aws ssm describe-instance-information --region "$AWS_REGION" \\
    --filters "Key=InstanceIds,Values=$INSTANCE_ID" \\
    --query 'InstanceInformationList[0].PingStatus' --output text 2>/dev/null || true)
  if [ "$ping" = "Online" ]; then break; fi
  check_deadline "the instance's SSM agent never came online (last status: \${ping:-none})"
  sleep "$poll"
done

command_id=$(aws ssm send-command --region "$AWS_REGION" --instance-ids "$INSTANCE_ID" \\
  --document-name "$DOCUMENT_NAME" --parameters "{\\"version\\":[\\"$APP_VERSION\\"]}" \\
  --comment "redeploy $APP_VERSION" --query 'Command.CommandId' --output text) \\
  || fail "aws ssm send-command was refused"
echo "sent SSM command $command_id ($DOCUMENT_NAME, version $APP_VERSION) to $INSTANCE_ID"

invocation() {
  aws ssm get-command-invocation --region "$AWS_REGION" --command-id "$command_id" \\
    --instance-id "$INSTANCE_ID" --query "$1" --output text
}
while :; do
  # The invocation does not exist for a moment after send-command: treat errors as pending.
  status=$(invocation Status 2>/dev/null || echo Pending)
  case "$status" in
    Success)
      invocation StandardOutputContent
      echo "redeploy of $APP_VERSION on $INSTANCE_ID succeeded"
      exit 0
      ;;
    Failed|Cancelled|Cancelling|TimedOut|DeliveryTimedOut|ExecutionTimedOut|Undeliverable|Terminated)
      {
        echo "--- output of SSM command $command_id ---"
        invocation StandardOutputContent || true
        echo "--- errors ---"
        invocation StandardErrorContent || true
      } >&2
      fail "SSM command $command_id ended $status"
      ;;
  esac
  check_deadline "SSM command $command_id still $status"
  sleep "$poll"
done
`;
}

export interface SsmRedeployArgs {
  ctx: PlatformContext;
  /** The host to redeploy. Required. */
  instanceId: pulumi.Input<string>;
  /** App name, for the default deploy script path and the document's description. Required. */
  appName: string;
  /** Version to deploy; the command runs again when it (or the instance) changes. Required. */
  appVersion: string;
  /** Script on the host (written by the host configuration) that deploys a version. @default /usr/local/sbin/<appName>-deploy, where the host configuration installs it */
  deployScript?: string;
  /** Seconds the redeploy may take in all, first-boot cloud-init included. @default 1800 */
  timeoutSeconds?: number;
}

/**
 * Redeploys a single host when the configured app version changes: an SSM Command document
 * that waits for cloud-init and runs the host's deploy script, and a local command, triggered
 * by the version, that sends it and waits for the result. SSH stays closed.
 *
 * It also runs when first created; the host has just deployed that version from cloud-init,
 * so this re-runs an idempotent deploy and proves the path works before the first upgrade.
 */
export class SsmRedeploy extends pulumi.ComponentResource {
  /** Name of the SSM document, for running the redeploy by hand. */
  readonly documentName: pulumi.Output<string>;
  /** What the host's deploy printed. */
  readonly output: pulumi.Output<string>;

  constructor(name: string, args: SsmRedeployArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("deploy", "SsmRedeploy"), name, {}, opts);
    const C = "SsmRedeploy";
    const { ctx } = args;
    const deployScript = args.deployScript ?? hostScriptPath(args.appName, "deploy");
    const timeoutSeconds = args.timeoutSeconds ?? 1800;
    const documentName = `${ctx.stack}-${name}`;

    if (!/^[a-z][a-z0-9-]*$/.test(args.appName)) invalidArg(C, "appName", `must be lowercase letters, digits and -, got "${args.appName}"`);
    if (!VERSION_PATTERN.test(args.appVersion)) invalidArg(C, "appVersion", `"${args.appVersion}" must match ${VERSION_PATTERN}`);
    if (!SAFE_PATH.test(deployScript)) invalidArg(C, "deployScript", `must be an absolute path of letters, digits and _ . / -, got "${deployScript}"`);
    wholeNumber(C, "timeoutSeconds", timeoutSeconds, 60, 3 * 3600);
    // SSM reserves the prefixes aws, amazon and amzn (AWSEC2, AWSConfigRemediation, AWSSupport start with aws).
    if (!/^[A-Za-z0-9_.-]{3,128}$/.test(documentName) || /^(aws|amazon|amzn)/i.test(documentName)) {
      invalidArg(C, "name", `gives SSM document name "${documentName}": 3-128 of letters, digits, _ . -, not starting with aws, amazon or amzn`);
    }

    const document = new aws.ssm.Document(`${name}-redeploy`, {
      name: documentName,
      documentType: "Command",
      documentFormat: "JSON",
      targetType: "/AWS::EC2::Instance",
      content: redeployDocumentContent(deployScript, timeoutSeconds),
    }, { parent: this });

    const run = new command.local.Command(`${name}-redeploy`, {
      create: renderSsmRedeployScript({ timeoutSeconds }),
      environment: {
        INSTANCE_ID: args.instanceId,
        DOCUMENT_NAME: document.name,
        APP_VERSION: args.appVersion,
        AWS_REGION: ctx.region,
      },
      // A new version runs the redeploy again, and so does a new instance (a new pinned image
      // replaces the host, which then boots its first user data, kept by ignoreChanges).
      triggers: [args.appVersion, args.instanceId],
    }, { parent: this, dependsOn: opts?.dependsOn });

    this.documentName = document.name;
    this.output = run.stdout;
    this.registerOutputs({ documentName: this.documentName, output: this.output });
  }
}
