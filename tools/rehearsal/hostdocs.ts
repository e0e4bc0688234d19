/**
 * The host documents of a recorded stack: the exact user data of every EC2 instance and launch
 * template, decoded (base64, gzip) but never regenerated, with what the rehearsal needs to boot
 * it as EC2 would (instance metadata options, role, subnet, region, zone), grouped so that each
 * distinct document boots once. Pure: no processes, no files.
 */
import * as crypto from "crypto";
import { decodeUserData } from "../../components/hostconfig";
import type { RecordedResource, Recording } from "../../test/harness";

export const INSTANCE = "aws:ec2/instance:Instance";
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

export type HostKind = "single-host" | "fleet";

export interface HostDocument {
  kind: HostKind;
  /** Logical name of the instance or launch template. */
  resource: string;
  type: string;
  /** The app the host serves: the last segment of its parent component's URN. */
  app: string;
  /** The decoded user data, byte for byte what cloud-init reads. */
  userData: string;
  /** Whether the recorded value was gzip-compressed (cloud-init decompresses it). */
  gzip: boolean;
  /** The bytes EC2 stores and IMDS serves at /latest/user-data (maybe gzip). */
  raw: Buffer;
  /** sha256 of the decoded user data: identical documents boot once. */
  hash: string;
  region: string;
  availabilityZone: string;
  /** The subnet the host is placed in (its CIDR), for a realistic private address. */
  subnetCidr?: string;
  /** The instance role's name (what IMDS lists under iam/security-credentials/). */
  role?: string;
  instanceType: string;
  imageId: string;
  metadataOptions: { httpTokens: string; httpPutResponseHopLimit: number; httpEndpoint: string; instanceMetadataTags: string };
}

export { decodeUserData };

export function hashDocument(text: string): string {
  return crypto.createHash("sha256").update(text, "utf8").digest("hex");
}

/** Last segment of a URN (`...::name`). */
function urnName(urn: string | undefined): string {
  return urn ? urn.slice(urn.lastIndexOf("::") + 2) : "";
}

function findById(rec: Recording, type: string, id: string | undefined): RecordedResource | undefined {
  if (!id) return undefined;
  return rec.ofType(type).find((r) => r.id === id || r.outputs.id === id);
}

/** Every host document of the recording, in registration order. */
export function hostDocuments(rec: Recording): HostDocument[] {
  const out: HostDocument[] = [];
  for (const r of rec.resources) {
    if (r.type !== INSTANCE && r.type !== LAUNCH_TEMPLATE) continue;
    const i = r.inputs;
    let decoded: ReturnType<typeof decodeUserData> | undefined;
    if (r.type === INSTANCE) {
      if (typeof i.userDataBase64 === "string") decoded = decodeUserData(i.userDataBase64);
      else if (typeof i.userData === "string") decoded = decodeUserData(i.userData, false);
    } else if (typeof i.userData === "string") decoded = decodeUserData(i.userData);
    if (!decoded) continue;

    // Subnet: the instance's network interface's, or the first of its auto scaling group's.
    let subnetId: string | undefined;
    if (r.type === INSTANCE) {
      subnetId = i.subnetId ?? findById(rec, "aws:ec2/networkInterface:NetworkInterface", i.primaryNetworkInterface?.networkInterfaceId)?.inputs.subnetId;
    } else {
      const asg = rec.ofType("aws:autoscaling/group:Group").find((g) => g.inputs.launchTemplate?.id === r.id || g.inputs.launchTemplate?.id === r.outputs.id);
      subnetId = asg?.inputs.vpcZoneIdentifiers?.[0];
    }
    const subnet = findById(rec, "aws:ec2/subnet:Subnet", subnetId);

    // Role: the instance profile's (named on an instance, by ARN on a launch template).
    const profileRef: string | undefined = r.type === INSTANCE ? i.iamInstanceProfile : (i.iamInstanceProfile?.name ?? i.iamInstanceProfile?.arn);
    const profileName = profileRef?.replace(/^arn:aws[^:]*:iam::\d+:instance-profile\/(?:.*\/)?/, "");
    const profile = rec.ofType("aws:iam/instanceProfile:InstanceProfile").find((p) => p.outputs.name === profileName || p.outputs.arn === profileRef);
    const region = rec.regionOf(r);
    const mo = i.metadataOptions ?? {};
    out.push({
      kind: r.type === INSTANCE ? "single-host" : "fleet",
      resource: r.name,
      type: r.type,
      app: urnName(r.parent) || r.name,
      userData: decoded.text,
      gzip: decoded.gzip,
      raw: decoded.raw,
      hash: hashDocument(decoded.text),
      region,
      availabilityZone: subnet?.inputs.availabilityZone ?? i.availabilityZone ?? `${region}a`,
      subnetCidr: subnet?.inputs.cidrBlock,
      role: profile?.inputs.role ?? profileName,
      instanceType: i.instanceType ?? "t3.micro",
      imageId: i.ami ?? i.imageId ?? "ami-00000000000000000",
      metadataOptions: {
        // EC2's defaults when the field is left out (IMDSv1 allowed, hop limit 1).
        httpTokens: mo.httpTokens ?? "optional",
        httpPutResponseHopLimit: Number(mo.httpPutResponseHopLimit ?? 1),
        httpEndpoint: mo.httpEndpoint ?? "enabled",
        instanceMetadataTags: mo.instanceMetadataTags ?? "disabled",
      },
    });
  }
  return out;
}

export interface DocumentGroup {
  hash: string;
  /** Which of several instances booted from the same document this is (the release rehearsal's "2.4.0 #1"). */
  instance?: string;
  /** The document that boots; the others are byte-identical. */
  boot: HostDocument;
  members: HostDocument[];
}

/** Groups byte-identical documents (same hash), first-seen order. Pure. */
export function groupDocuments(docs: HostDocument[]): DocumentGroup[] {
  const groups = new Map<string, DocumentGroup>();
  for (const d of docs) {
    const g = groups.get(d.hash);
    if (g) g.members.push(d);
    else groups.set(d.hash, { hash: d.hash, boot: d, members: [d] });
  }
  return [...groups.values()];
}

/**
 * A private address for the host in its subnet (as EC2 assigns one: never the first four or the
 * last address of the subnet), and the subnet router's (the first + 1). Falls back to 172.31.<n>.0/24. Pure.
 */
export function addressing(cidr: string | undefined, index: number): { host: string; gateway: string; prefix: number } {
  const m = cidr ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr) : null;
  if (!m || Number(m[5]) > 28) {
    return { host: `172.31.${index % 256}.10`, gateway: `172.31.${index % 256}.1`, prefix: 24 };
  }
  const base = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const prefix = Number(m[5]);
  const size = 2 ** (32 - prefix);
  const net = (base & ~(size - 1)) >>> 0;
  const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
  return { host: ip((net + 10 + (index % Math.max(1, size - 16))) >>> 0), gateway: ip((net + 1) >>> 0), prefix };
}

/** The decoded documents of a stack whose `app` matches, else all. */
export function selectDocuments(docs: HostDocument[], app?: string): HostDocument[] {
  if (!app) return docs;
  const hit = docs.filter((d) => d.app === app || d.resource === app);
  if (hit.length === 0) throw new Error(`no host document for app "${app}"; the stack has: ${[...new Set(docs.map((d) => d.app))].join(", ")}`);
  return hit;
}
