/**
 * The inline IAM policy of a web host's role, as a plain document (callers JSON.stringify
 * it). Everything is scoped to the app's own resources: its secrets by exact ARN, its log
 * groups, its media bucket, its metric namespace, its `_acme-challenge` TXT records. The only
 * "*" resources are actions AWS does not scope (PutMetricData, with a namespace condition;
 * route53:ListHostedZones, read-only; ecr:GetAuthorizationToken; logs:DescribeLogGroups, for
 * Session Manager's agent).
 */
import { HOST_METRICS_NAMESPACE } from "./input";

export interface HostPolicyInput {
  /** AWS region: KMS use is limited to calls made through this region's Secrets Manager and S3. */
  region: string;
  /** Secrets the host reads at boot (exact ARNs). @default [] */
  secretArns?: string[];
  /** The stack's KMS key (secrets and media bucket encryption). @default none */
  kmsKeyArn?: string;
  /** ARNs of the log groups the CloudWatch agent writes to. @default [] */
  logGroupArns?: string[];
  /** Media bucket ARN: read, write and delete objects. @default none */
  mediaBucketArn?: string;
  /**
   * The app's artifact URL (appArtifactUrl): an s3:// URL grants GetObject on that key's folder
   * (the artifact, its `.sha256` and other versions), which for the artifact store is the app's
   * own prefix `<store>/<app>/*`; a key at the bucket's root, on it and its `.sha256` only. No
   * s3:ListBucket: the deploy fetches known keys.
   * @default none (container hosts, https:// URLs)
   */
  artifactUrl?: string;
  /** DNS-01: the zone and the names whose `_acme-challenge` TXT records the host may change. @default none */
  acme?: { hostedZoneId: string; names: string[] };
  /** ECR repositories the host pulls images from. @default [] */
  ecrRepositoryArns?: string[];
  /**
   * Session Manager preferences (SessionManagerPreferences): the SSM agent decrypts the session's
   * data key with this KMS key and streams the session to this log group. Exact ARNs. Default
   * none (no encrypted, logged sessions: the agent would refuse every session).
   */
  sessions?: { kmsKeyArn: string; logGroupArn: string };
}

interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** s3://bucket/a/b/c.tar.gz -> arn:aws:s3:::bucket/a/b/* (the app's artifact folder). */
export function artifactObjectArn(url: string): string | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]+[a-z0-9])\/(.+)$/.exec(url);
  if (!m) return undefined;
  const dir = m[2].includes("/") ? m[2].slice(0, m[2].lastIndexOf("/") + 1) : m[2];
  return `arn:aws:s3:::${m[1]}/${dir}${dir.endsWith("/") ? "*" : ""}`;
}

export function hostPolicyDocument(input: HostPolicyInput): PolicyDocument {
  const s: Statement[] = [];
  const secrets = input.secretArns ?? [];
  for (const [field, arns] of [["secretArns", secrets], ["logGroupArns", input.logGroupArns ?? []], ["ecrRepositoryArns", input.ecrRepositoryArns ?? []]] as const) {
    if (arns.some((a) => a.includes("*"))) throw new Error(`hostPolicyDocument: input.${field} must be exact ARNs, without wildcards`);
  }
  if (secrets.length > 0) {
    s.push({ Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [...secrets] });
  }
  if (input.kmsKeyArn) {
    const via = [`secretsmanager.${input.region}.amazonaws.com`, ...(input.mediaBucketArn ? [`s3.${input.region}.amazonaws.com`] : [])];
    s.push({
      Sid: "UseStackKeyThroughSecretsAndS3", Effect: "Allow",
      Action: input.mediaBucketArn ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
      Resource: input.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": via } },
    });
  }
  const logs = input.logGroupArns ?? [];
  if (logs.length > 0) {
    s.push({
      Sid: "ShipOwnLogs", Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      Resource: logs.flatMap((a) => [a, `${a}:*`]),
    });
  }
  // PutMetricData has no resource-level permissions: the namespace condition is the scope.
  s.push({
    Sid: "PublishHostMetrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: "*",
    Condition: { StringEquals: { "cloudwatch:namespace": HOST_METRICS_NAMESPACE } },
  });
  if (input.mediaBucketArn) {
    s.push({ Sid: "ListMediaBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: input.mediaBucketArn });
    s.push({ Sid: "UseMediaObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${input.mediaBucketArn}/*` });
  }
  const artifact = input.artifactUrl ? artifactObjectArn(input.artifactUrl) : undefined;
  // The deploy refuses an artifact without its checksum next to it, so both must be readable.
  if (artifact) s.push({ Sid: "FetchArtifact", Effect: "Allow", Action: ["s3:GetObject"], Resource: artifact.endsWith("/*") ? artifact : [artifact, `${artifact}.sha256`] });
  if (input.acme) {
    const zone = input.acme.hostedZoneId.replace(/^\/?hostedzone\//, "");
    s.push({
      Sid: "AcmeChallengeRecordsOnly", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets"],
      Resource: `arn:aws:route53:::hostedzone/${zone}`,
      Condition: {
        "ForAllValues:StringEquals": {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": input.acme.names.map((n) => `_acme-challenge.${n.toLowerCase().replace(/\.$/, "")}`),
          "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
        },
      },
    });
    s.push({ Sid: "AcmeWaitForChange", Effect: "Allow", Action: ["route53:GetChange"], Resource: "arn:aws:route53:::change/*" });
    // certbot-dns-route53 finds the zone by listing; the action has no resource scope and is read-only.
    s.push({ Sid: "AcmeFindZone", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" });
  }
  if (input.sessions) {
    const { kmsKeyArn, logGroupArn } = input.sessions;
    if (kmsKeyArn.includes("*") || logGroupArn.includes("*")) throw new Error("hostPolicyDocument: input.sessions must be exact ARNs, without wildcards");
    // The operator's client generates the session's data key; the agent only decrypts it, and
    // only with Session Manager's encryption context (not any ciphertext of the stack key).
    s.push({
      Sid: "DecryptSessionDataKeys", Effect: "Allow", Action: ["kms:Decrypt"], Resource: kmsKeyArn,
      Condition: { StringLike: { "kms:EncryptionContext:aws:ssm:SessionId": "*" } },
    });
    s.push({
      Sid: "StreamSessionLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      Resource: [logGroupArn, `${logGroupArn}:*`],
    });
    // The agent checks that the group exists and is encrypted before it opens a session;
    // DescribeLogGroups is a list action with no resource scope (read-only, names and settings).
    s.push({ Sid: "FindSessionLogGroup", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" });
  }
  const repos = input.ecrRepositoryArns ?? [];
  if (repos.length > 0) {
    s.push({ Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" });
    s.push({ Sid: "PullOwnImages", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: [...repos] });
  }
  return { Version: "2012-10-17", Statement: s };
}
