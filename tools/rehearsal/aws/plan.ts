/**
 * What the AWS API stand-ins answer from, taken from the recorded plan (unmasked inputs), pure:
 * every secret's name, ARN and the value its SecretVersion would have stored; each instance
 * role's IAM policies (inline documents and the managed policy ARNs attached); the artifacts the
 * host documents fetch (bucket, key, app). Written to <runDir>/aws/state.json (mode 0600: it holds
 * the secret values) for the router process.
 */
import type { RecordedResource, Recording } from "../../../test/harness";
import type { HostDocument } from "../hostdocs";
import { TAMPERED_MARK } from "../self-test";

export interface SecretRecord {
  name: string;
  arn: string;
  /** The SecretVersion's secretString (undefined: the secret exists but has no value). */
  secretString?: string;
  versionId: string;
  /** The recording's logical name of the secret (for logs). */
  resource: string;
}

export interface PolicyStatement { Sid?: string; Effect: "Allow" | "Deny"; Action: string | string[]; Resource?: string | string[]; Condition?: Record<string, Record<string, string | string[]>> }

export interface RolePolicies { inline: { name: string; statements: PolicyStatement[] }[]; managed: string[] }

export interface ArtifactRecord {
  app: string; bucket: string; key: string; version: string; kind: "python" | "binary" | "compose" | "unknown"; binaryName?: string;
  /** The self-test's tampered copy: served with changed bytes and the original's checksum. */
  tampered?: boolean;
}

/** An autoscaling group of the plan: what DescribeAutoScalingInstances and CompleteLifecycleAction answer from. */
export interface GroupRecord {
  name: string;
  arn: string;
  /** The role its instances run as (launch template -> instance profile -> role). */
  role: string;
  tags: Record<string, string>;
  /** Names of its launch lifecycle hooks. */
  launchHooks: string[];
}

export interface AwsState {
  accountId: string;
  regions: string[];
  secrets: SecretRecord[];
  /** Keyed by the role name the instances use (the instance profile's role). */
  roles: Record<string, RolePolicies>;
  artifacts: ArtifactRecord[];
  groups: GroupRecord[];
  /** Buckets anyone may read (AWS's public CloudWatch agent download bucket per region). */
  publicBuckets: string[];
}

function roleKeyOf(rec: Recording, ref: unknown): string | undefined {
  if (typeof ref !== "string") return undefined;
  const role = rec.ofType("aws:iam/role:Role").find((r) => r.id === ref || r.outputs.id === ref || r.outputs.name === ref || r.inputs.name === ref || r.outputs.arn === ref);
  return role ? String(role.outputs.name ?? role.inputs.name ?? role.id) : ref;
}

function parsePolicy(policy: unknown): PolicyStatement[] {
  try {
    const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
    const st = (doc as { Statement?: unknown }).Statement;
    return (Array.isArray(st) ? st : st ? [st] : []) as PolicyStatement[];
  } catch {
    return [];
  }
}

/** The secrets of the plan with the values their versions would have written. */
export function secretsFromRecording(rec: Recording): SecretRecord[] {
  const secrets = rec.ofType("aws:secretsmanager/secret:Secret");
  const versions = rec.ofType("aws:secretsmanager/secretVersion:SecretVersion");
  return secrets.map((s: RecordedResource, i) => {
    const v = versions.find((x) => x.inputs.secretId === s.id || x.inputs.secretId === s.outputs.id || x.inputs.secretId === s.outputs.arn);
    const arn = String(s.outputs.arn ?? `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${s.name}`);
    return {
      name: String(s.outputs.name ?? s.inputs.name ?? s.name),
      arn,
      secretString: typeof v?.inputs.secretString === "string" ? v.inputs.secretString : undefined,
      versionId: `${(i + 1).toString(16).padStart(8, "0")}-0000-4000-8000-${arn.length.toString(16).padStart(12, "0")}`,
      resource: s.name,
    };
  });
}

export function rolesFromRecording(rec: Recording): Record<string, RolePolicies> {
  const out: Record<string, RolePolicies> = {};
  const get = (k: string) => (out[k] ??= { inline: [], managed: [] });
  for (const p of rec.ofType("aws:iam/rolePolicy:RolePolicy")) {
    const k = roleKeyOf(rec, p.inputs.role);
    if (k) get(k).inline.push({ name: String(p.inputs.name ?? p.name), statements: parsePolicy(p.inputs.policy) });
  }
  for (const a of rec.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
    const k = roleKeyOf(rec, a.inputs.role);
    if (k && typeof a.inputs.policyArn === "string") get(k).managed.push(a.inputs.policyArn);
  }
  return out;
}

/** The artifact a host document's deploy script fetches: `URL_TEMPLATE='s3://b/k/@VERSION@.tar.gz'` and `VERSION="${1:-1.0.3}"`. Pure. */
export function artifactOf(doc: Pick<HostDocument, "app" | "userData">): ArtifactRecord | undefined {
  const t = /URL_TEMPLATE='s3:\/\/([^/']+)\/([^']+)'/.exec(doc.userData);
  const v = /readonly VERSION="\$\{1:-([^}"]+)\}"/.exec(doc.userData);
  if (!t || !v) return undefined;
  const bin = /the artifact has no executable bin\/([A-Za-z0-9._-]+)/.exec(doc.userData);
  const kind = /venv\/bin\/pip" install/.test(doc.userData) ? "python" : bin ? "binary" : "unknown";
  const key = t[2].replace(/@VERSION@/g, v[1]);
  return { app: doc.app, bucket: t[1], key, version: v[1], kind, binaryName: bin?.[1], ...(key.includes(TAMPERED_MARK) ? { tampered: true } : {}) };
}

/** The plan's autoscaling groups, with the role their instances get. Pure. */
export function groupsFromRecording(rec: Recording): GroupRecord[] {
  const templates = rec.ofType("aws:ec2/launchTemplate:LaunchTemplate");
  const profiles = rec.ofType("aws:iam/instanceProfile:InstanceProfile");
  return rec.ofType("aws:autoscaling/group:Group").flatMap((g) => {
    const lt = templates.find((t) => t.id === g.inputs.launchTemplate?.id || t.outputs.id === g.inputs.launchTemplate?.id);
    const profile = profiles.find((p) => p.outputs.arn === lt?.inputs.iamInstanceProfile?.arn);
    const role = roleKeyOf(rec, profile?.inputs.role);
    if (!role) return [];
    const name = String(g.outputs.name ?? g.inputs.name ?? g.name);
    return [{
      name, role,
      arn: String(g.outputs.arn ?? `arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:00000000-0000-4000-8000-000000000000:autoScalingGroupName/${name}`),
      tags: Object.fromEntries((g.inputs.tags ?? []).map((t: { key: string; value: string }) => [t.key, t.value])),
      launchHooks: (g.inputs.initialLifecycleHooks ?? []).filter((h: any) => h.lifecycleTransition === "autoscaling:EC2_INSTANCE_LAUNCHING").map((h: any) => String(h.name)),
    }];
  });
}

export function awsStateFrom(rec: Recording, docs: HostDocument[]): AwsState {
  const regions = [...new Set([...docs.map((d) => d.region), "us-east-1"])].sort();
  const seen = new Set<string>();
  const artifacts = docs.map(artifactOf).filter((a): a is ArtifactRecord => !!a && !seen.has(`${a.bucket}/${a.key}`) && !!seen.add(`${a.bucket}/${a.key}`));
  return {
    accountId: String(rec.resources.find((r) => typeof r.outputs.arn === "string" && /^arn:aws:[^:]+:[^:]*:\d{12}:/.test(r.outputs.arn))?.outputs.arn.split(":")[4] ?? "123456789012"),
    regions,
    secrets: secretsFromRecording(rec),
    roles: rolesFromRecording(rec),
    artifacts,
    groups: groupsFromRecording(rec),
    publicBuckets: regions.map((r) => `amazoncloudwatch-agent-${r}`),
  };
}

/**
 * The hook for the database stand-in: the app's connection secret (a JSON value with host, port
 * and DATABASE_URL) rewritten to point at `to` (the stand-in's address and port). Every other
 * field (user, password, dbname, sslmode) stays what the plan generated. Returns how many secrets
 * changed. Pure (mutates `state`).
 */
export function pointConnectionSecretsAt(state: AwsState, match: (s: SecretRecord) => boolean, to: { host: string; port: number }): number {
  let n = 0;
  for (const s of state.secrets) {
    if (!match(s) || s.secretString === undefined) continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(s.secretString);
    } catch {
      continue;
    }
    if (typeof v !== "object" || v === null || typeof v.host !== "string") continue;
    const oldHost = v.host;
    const oldPort = String(v.port ?? "");
    v.host = to.host;
    if ("port" in v) v.port = to.port;
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== "string" || !/_URL$/.test(k)) continue;
      // scheme://user:pass@HOST:PORT/db?... : only the host and port change.
      v[k] = val.replace(/^([a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?)([^:/?#]+)(?::(\d+))?/i, (_m, pre: string, host: string, port: string | undefined) =>
        host === oldHost && (port === undefined || port === oldPort) ? `${pre}${to.host}:${to.port}` : _m);
    }
    s.secretString = JSON.stringify(v);
    n++;
  }
  return n;
}
