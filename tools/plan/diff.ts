/**
 * Compares two plans (the JSON `--format json` writes): resources added, removed and
 * changed, with the changed inputs, and which changes would make the AWS provider replace
 * the resource. Replacing or deleting a stateful resource (a database, cache, bucket,
 * volume, file system, secret, key or backup vault) loses data unless someone restores it,
 * so those are collected apart for the report to put first, under a warning.
 *
 * Resources are matched by URN, as the engine does, or by one of the URNs a resource's
 * aliases name (a rename or move the engine follows without touching the resource):
 * renaming or re-parenting a resource without an alias shows up as one removed and one
 * added, which is a replacement too.
 * Inputs are compared as recorded, secrets already masked as "[secret]": a changed secret
 * value is not visible here (nor is it in `pulumi preview`, which shows [secret] too).
 *
 * REPLACE_ON lists the inputs the AWS provider marks "forces new resource", per type, for
 * the types this program uses (see the Terraform AWS provider's resource docs, which the
 * Pulumi provider wraps). Inputs listed in the resource's ignoreChanges are not changes.
 */
import { PlanJson, PlanResource, providerUrn } from "./resources";

export interface ReplaceRule {
  /** Input path, e.g. "dbName" or "rootBlockDevice.encrypted". */
  path: string;
  /** Only forces replacement when this holds for the new inputs. */
  when?: (inputs: Record<string, any>) => boolean;
  note?: string;
}

interface TypeRules { stateful: boolean; rules: ReplaceRule[] }

const paths = (...ps: string[]): ReplaceRule[] => ps.map((path) => ({ path }));
const versionBelow = (v: unknown, limit: number[]) => {
  const parts = String(v ?? "").split(".").map((x) => Number.parseInt(x, 10));
  if (parts.some((p) => !Number.isFinite(p))) return true; // unknown version: assume the worst
  for (let i = 0; i < limit.length; i++) if ((parts[i] ?? 0) !== limit[i]) return (parts[i] ?? 0) < limit[i];
  return false;
};

export const REPLACE_ON: Readonly<Record<string, TypeRules>> = {
  "aws:rds/instance:Instance": {
    stateful: true,
    rules: paths("identifier", "identifierPrefix", "engine", "dbName", "username", "storageEncrypted", "kmsKeyId", "availabilityZone",
      "characterSetName", "ncharCharacterSetName", "timezone", "snapshotIdentifier", "restoreToPointInTime", "s3Import", "customIamInstanceProfile"),
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": {
    stateful: true,
    rules: [
      ...paths("replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName", "port", "snapshotArns", "snapshotName",
        "dataTieringEnabled", "globalReplicationGroupId", "securityGroupNames"),
      { path: "transitEncryptionEnabled", when: (i) => versionBelow(i.engineVersion, [7, 0, 5]), note: "only with engineVersion below 7.0.5" },
    ],
  },
  "aws:s3/bucket:Bucket": { stateful: true, rules: paths("bucket", "bucketPrefix", "objectLockEnabled") },
  "aws:s3/bucketV2:BucketV2": { stateful: true, rules: paths("bucket", "bucketPrefix", "objectLockEnabled") },
  "aws:ebs/volume:Volume": { stateful: true, rules: paths("availabilityZone", "encrypted", "kmsKeyId", "snapshotId", "outpostArn") },
  "aws:efs/fileSystem:FileSystem": { stateful: true, rules: paths("creationToken", "encrypted", "kmsKeyId", "performanceMode", "availabilityZoneName") },
  "aws:secretsmanager/secret:Secret": { stateful: true, rules: paths("name", "namePrefix") },
  "aws:kms/key:Key": { stateful: true, rules: paths("keyUsage", "customerMasterKeySpec", "keySpec", "multiRegion", "customKeyStoreId", "xksKeyId") },
  // Holds the recovery points: replacing it strands them in the old vault, which then cannot be deleted.
  "aws:backup/vault:Vault": { stateful: true, rules: paths("name", "kmsKeyArn") },
  "aws:secretsmanager/secretVersion:SecretVersion": {
    stateful: false,
    rules: [{ path: "secretId" }, { path: "secretString", note: "writes a new version; the secret itself stays" }, { path: "secretBinary" }],
  },
  "aws:ec2/instance:Instance": {
    stateful: false,
    rules: [
      ...paths("ami", "availabilityZone", "subnetId", "keyName", "privateIp", "placementGroup", "hostId", "associatePublicIpAddress",
        "ebsBlockDevices", "ephemeralBlockDevices", "networkInterfaces", "rootBlockDevice.encrypted", "rootBlockDevice.kmsKeyId", "launchTemplate", "securityGroups"),
      { path: "userData", when: (i) => i.userDataReplaceOnChange === true, note: "userDataReplaceOnChange is set" },
      { path: "userDataBase64", when: (i) => i.userDataReplaceOnChange === true, note: "userDataReplaceOnChange is set" },
    ],
  },
  "aws:autoscaling/group:Group": { stateful: false, rules: paths("name", "namePrefix") },
  "aws:lb/loadBalancer:LoadBalancer": { stateful: false, rules: paths("name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool") },
  "aws:lb/targetGroup:TargetGroup": { stateful: false, rules: paths("name", "namePrefix", "port", "protocol", "protocolVersion", "vpcId", "targetType") },
  "aws:ec2/securityGroup:SecurityGroup": { stateful: false, rules: paths("name", "namePrefix", "description", "vpcId") },
  "aws:ec2/subnet:Subnet": { stateful: false, rules: paths("cidrBlock", "availabilityZone", "availabilityZoneId", "vpcId") },
  "aws:ec2/vpc:Vpc": { stateful: false, rules: paths("cidrBlock", "instanceTenancy") },
  "aws:route53/record:Record": { stateful: false, rules: paths("zoneId", "name") },
  "aws:acm/certificate:Certificate": { stateful: false, rules: paths("domainName", "subjectAlternativeNames", "keyAlgorithm") },
  "aws:ecr/repository:Repository": { stateful: false, rules: paths("name", "encryptionConfigurations") },
  "aws:rds/parameterGroup:ParameterGroup": { stateful: false, rules: paths("name", "namePrefix", "family") },
  "aws:elasticache/parameterGroup:ParameterGroup": { stateful: false, rules: paths("name", "family") },
  "aws:iam/role:Role": { stateful: false, rules: paths("name", "namePrefix", "path") },
  "aws:cloudwatch/logGroup:LogGroup": { stateful: false, rules: paths("name", "namePrefix") },
};

/** In provider v7 every AWS resource takes a `region`, and moving a resource to another region recreates it. */
const EVERY_AWS_RESOURCE: ReplaceRule[] = [{ path: "region" }];

export function isStateful(type: string): boolean {
  return REPLACE_ON[type]?.stateful === true;
}

export interface InputChange {
  path: string;
  old: unknown;
  new: unknown;
  /** Listed in the resource's ignoreChanges: the engine will not apply it. */
  ignored?: boolean;
}

export interface Replacement {
  /** The changed paths that force it, with why. */
  causes: string[];
}

export interface ResourceRef {
  urn: string;
  type: string;
  name: string;
  stateful: boolean;
  protect: boolean;
  retainOnDelete: boolean;
}

export interface ResourceChange extends ResourceRef {
  inputs: InputChange[];
  /** Resource option changes (protect, retainOnDelete, provider, ignoreChanges). */
  options: InputChange[];
  replacement: Replacement | null;
}

export interface PlanDiff {
  base: { stack: string; region: string; resources: number };
  added: ResourceRef[];
  removed: ResourceRef[];
  changed: ResourceChange[];
  /** Resources found in the base under an alias (renamed or moved; the engine updates the URN only). */
  moved: { from: string; to: string }[];
  /** Stateful resources that would be replaced (changed in place of a replace-forcing input). */
  statefulReplacements: ResourceChange[];
  /** Stateful resources deleted, retained or not (retained ones are orphaned, not lost). */
  statefulDeletions: ResourceRef[];
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const join = (at: string, key: string) => (IDENT.test(key) ? (at ? `${at}.${key}` : key) : `${at}[${JSON.stringify(key)}]`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => equal(a[k], b[k]));
  }
  return false;
}

/** Leaf-level differences; arrays of different length, and type changes, are one change at their path. */
export function diffValues(a: unknown, b: unknown, at = ""): InputChange[] {
  if (equal(a, b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(a[k], b[k], join(at, k)));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.flatMap((x, i) => diffValues(x, b[i], `${at}[${i}]`));
  return [{ path: at || "(all inputs)", old: a, new: b }];
}

const segments = (p: string) => p.replace(/\[(\d+|\*)\]/g, ".$1").replace(/\["([^"]*)"\]/g, ".$1").split(".").filter(Boolean);

/**
 * Whether a path pattern (`*` matches any one segment) matches a changed path: the path is
 * the pattern or below it; with `partial`, also when the path is above it (the object that
 * holds the pattern's property changed as a whole).
 */
export function covers(pattern: string, path: string, partial = false): boolean {
  const p = segments(pattern);
  const q = segments(path);
  if (p.length > q.length && !partial) return false;
  return p.every((s, i) => i >= q.length || s === "*" || s === q[i]);
}

function ref(r: PlanResource): ResourceRef {
  return { urn: r.urn, type: r.type, name: r.name, stateful: isStateful(r.type), protect: r.protect, retainOnDelete: r.retainOnDelete === true };
}

function compare(base: PlanResource, cur: PlanResource): ResourceChange | null {
  const inputs = diffValues(base.inputs, cur.inputs).map((c) => (cur.ignoreChanges.some((p) => covers(p, c.path)) ? { ...c, ignored: true } : c));
  const options = [
    ...diffValues(base.protect, cur.protect, "protect"),
    ...diffValues(base.retainOnDelete === true, cur.retainOnDelete === true, "retainOnDelete"),
    ...diffValues(base.provider ? providerUrn(base.provider) : null, cur.provider ? providerUrn(cur.provider) : null, "provider"),
    ...diffValues(base.ignoreChanges, cur.ignoreChanges, "ignoreChanges"),
  ];
  if (inputs.length === 0 && options.length === 0) return null;

  const causes: string[] = [];
  const rules = [...(REPLACE_ON[cur.type]?.rules ?? []), ...(cur.type.startsWith("aws:") ? EVERY_AWS_RESOURCE : [])];
  for (const c of inputs.filter((x) => !x.ignored)) {
    const rule = rules.find((r) => covers(r.path, c.path, true) && (!r.when || r.when(cur.inputs)));
    if (rule) causes.push(`${c.path}${rule.note ? ` (${rule.note})` : ""}`);
    else if ((cur.replaceOnChanges ?? []).some((p) => p === "*" || covers(p, c.path, true))) causes.push(`${c.path} (replaceOnChanges)`);
  }
  if (options.some((o) => o.path === "provider")) causes.push("provider (a different provider, e.g. another region)");
  return { ...ref(cur), inputs, options, replacement: causes.length ? { causes } : null };
}

export function diffPlans(base: PlanJson, current: PlanJson): PlanDiff {
  const before = new Map(base.resources.map((r) => [r.urn, r]));
  const currentUrns = new Set(current.resources.map((r) => r.urn));
  // A resource's base counterpart: same URN, else the first alias naming a base URN no resource still has.
  const counterpart = new Map<PlanResource, PlanResource>();
  for (const r of current.resources) {
    const old = before.get(r.urn) ?? (r.aliases ?? []).filter((a) => !currentUrns.has(a)).map((a) => before.get(a)).find((x) => x !== undefined);
    if (old) counterpart.set(r, old);
  }
  const matched = new Set(counterpart.values());
  const added = current.resources.filter((r) => r.custom && !counterpart.has(r)).map(ref);
  const removed = base.resources.filter((r) => r.custom && !matched.has(r)).map(ref);
  const moved = [...counterpart].filter(([r, old]) => r.custom && r.urn !== old.urn).map(([r, old]) => ({ from: old.urn, to: r.urn }));
  const changed: ResourceChange[] = [];
  for (const r of current.resources) {
    const old = counterpart.get(r);
    if (!old || !r.custom) continue;
    const c = compare(old, r);
    if (c) changed.push(c);
  }
  return {
    base: { stack: base.stack, region: base.region, resources: base.resources.filter((r) => r.custom).length },
    added,
    removed,
    changed,
    moved,
    statefulReplacements: changed.filter((c) => c.stateful && c.replacement),
    statefulDeletions: removed.filter((r) => r.stateful),
  };
}
