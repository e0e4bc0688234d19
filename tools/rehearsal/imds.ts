/**
 * The IMDSv2 stand-in's logic, pure: tokens and the answer to one request for one instance.
 * The server (router.ts) runs it at 169.254.169.254:80 in the router namespace and picks the
 * instance by the request's source address, as EC2 answers each instance with its own data.
 *
 * As EC2 does: PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1..21600) gives
 * a token; a PUT carrying X-Forwarded-For is refused (403); with httpTokens=required a GET
 * without a valid token is 401; an unknown path is 404; httpEndpoint=disabled answers nothing (403 here).
 */
import * as crypto from "crypto";

export interface InstanceIdentity {
  instanceId: string;
  accountId: string;
  region: string;
  availabilityZone: string;
  privateIp: string;
  /** e.g. ip-10-20-0-10.eu-west-1.compute.internal */
  localHostname: string;
  mac: string;
  subnetCidr: string;
  vpcCidr: string;
  instanceType: string;
  imageId: string;
  role?: string;
  httpTokens: string;
  httpEndpoint: string;
  instanceMetadataTags: string;
  tags?: Record<string, string>;
  /** base64 of the user data bytes as EC2 stores them. */
  userDataBase64: string;
  pendingTime: string;
}

export interface ImdsRequest { method: string; path: string; headers: Record<string, string | string[] | undefined> }
export interface ImdsResponse { status: number; body: string | Buffer; headers: Record<string, string> }

export const MAX_TTL = 21600;

/** Tokens bound to the instance (address) that asked for them, with their expiry. */
export class TokenStore {
  private readonly tokens = new Map<string, { owner: string; expires: number }>();

  issue(owner: string, ttlSeconds: number, now = Date.now()): string {
    const token = crypto.randomBytes(32).toString("base64url");
    this.tokens.set(token, { owner, expires: now + ttlSeconds * 1000 });
    return token;
  }

  valid(token: string | undefined, owner: string, now = Date.now()): boolean {
    if (!token) return false;
    const t = this.tokens.get(token);
    if (!t) return false;
    if (t.expires <= now) {
      this.tokens.delete(token);
      return false;
    }
    return t.owner === owner;
  }
}

function header(h: ImdsRequest["headers"], name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Fake, well-formed role credentials (the shapes of STS's). */
export function fakeCredentials(role: string, now = new Date()): Record<string, string> {
  const seed = crypto.createHash("sha256").update(role).digest();
  const upper = (b: Buffer) => b.toString("hex").toUpperCase();
  return {
    Code: "Success",
    LastUpdated: now.toISOString().replace(/\.\d+Z$/, "Z"),
    Type: "AWS-HMAC",
    AccessKeyId: `ASIA${upper(seed).slice(0, 16)}`,
    SecretAccessKey: seed.toString("base64").slice(0, 40),
    Token: `IQoJb3JpZ2luX2VjE${crypto.createHash("sha256").update(`token:${role}`).digest("base64")}`,
    Expiration: new Date(now.getTime() + 6 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

/** The metadata tree of one instance: path (no leading /latest/) → value; directories list their children. */
export function metadataTree(id: InstanceIdentity): Map<string, string | Buffer> {
  const m = new Map<string, string | Buffer>();
  const macPath = `meta-data/network/interfaces/macs/${id.mac}`;
  const leaves: Record<string, string> = {
    "meta-data/ami-id": id.imageId,
    "meta-data/instance-id": id.instanceId,
    "meta-data/instance-type": id.instanceType,
    "meta-data/local-ipv4": id.privateIp,
    "meta-data/local-hostname": id.localHostname,
    "meta-data/hostname": id.localHostname,
    "meta-data/mac": id.mac,
    "meta-data/placement/region": id.region,
    "meta-data/placement/availability-zone": id.availabilityZone,
    "meta-data/services/domain": "amazonaws.com",
    "meta-data/services/partition": "aws",
    [`${macPath}/local-ipv4s`]: id.privateIp,
    [`${macPath}/subnet-ipv4-cidr-block`]: id.subnetCidr,
    [`${macPath}/vpc-ipv4-cidr-block`]: id.vpcCidr,
    [`${macPath}/vpc-ipv4-cidr-blocks`]: id.vpcCidr,
    [`${macPath}/device-number`]: "0",
    "dynamic/instance-identity/document": JSON.stringify({
      accountId: id.accountId,
      architecture: "x86_64",
      availabilityZone: id.availabilityZone,
      billingProducts: null,
      devpayProductCodes: null,
      marketplaceProductCodes: null,
      imageId: id.imageId,
      instanceId: id.instanceId,
      instanceType: id.instanceType,
      kernelId: null,
      pendingTime: id.pendingTime,
      privateIp: id.privateIp,
      ramdiskId: null,
      region: id.region,
      version: "2017-09-30",
    }, null, 2),
  };
  if (id.role) {
    leaves["meta-data/iam/info"] = JSON.stringify({
      Code: "Success",
      LastUpdated: id.pendingTime,
      InstanceProfileArn: `arn:aws:iam::${id.accountId}:instance-profile/${id.role}`,
      InstanceProfileId: "AIPA" + crypto.createHash("sha256").update(id.role).digest("hex").slice(0, 17).toUpperCase(),
    }, null, 2);
    leaves[`meta-data/iam/security-credentials/${id.role}`] = JSON.stringify(fakeCredentials(id.role), null, 2);
  }
  if (id.instanceMetadataTags === "enabled") {
    for (const [k, v] of Object.entries(id.tags ?? {})) leaves[`meta-data/tags/instance/${k}`] = v;
  }
  for (const [k, v] of Object.entries(leaves)) m.set(k, v);
  if (id.userDataBase64) m.set("user-data", Buffer.from(id.userDataBase64, "base64"));
  // Directories: each lists its children, a directory with a trailing slash, as IMDS does.
  const dirs = new Map<string, Set<string>>();
  for (const k of [...m.keys()]) {
    const parts = k.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      const child = parts[i] + (i < parts.length - 1 ? "/" : "");
      if (!dirs.has(dir)) dirs.set(dir, new Set());
      dirs.get(dir)!.add(child);
    }
  }
  for (const [d, children] of dirs) if (!m.has(d)) m.set(d, [...children].sort().join("\n"));
  return m;
}

/** The answer of EC2's metadata service to one request from the instance `id`. Pure apart from the token store. */
export function handleImds(req: ImdsRequest, id: InstanceIdentity | undefined, tokens: TokenStore, owner: string, now = Date.now()): ImdsResponse {
  const text = (status: number, body: string | Buffer, headers: Record<string, string> = {}): ImdsResponse => ({
    status, body, headers: { "content-type": "text/plain", server: "EC2ws", ...headers },
  });
  if (!id) return text(404, "not an instance of this rehearsal"); // a source address no host has
  if (id.httpEndpoint === "disabled") return text(403, "Forbidden");
  const p = req.path.split("?")[0].replace(/\/{2,}/g, "/");
  if (p === "/latest/api/token") {
    if (req.method !== "PUT") return text(405, "Method Not Allowed");
    if (header(req.headers, "x-forwarded-for") !== undefined) return text(403, "Forbidden");
    const ttl = Number(header(req.headers, "x-aws-ec2-metadata-token-ttl-seconds"));
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) return text(400, "Bad Request");
    return text(200, tokens.issue(owner, ttl, now), { "x-aws-ec2-metadata-token-ttl-seconds": String(ttl) });
  }
  if (req.method !== "GET" && req.method !== "HEAD") return text(405, "Method Not Allowed");
  const token = header(req.headers, "x-aws-ec2-metadata-token");
  if (token !== undefined && !tokens.valid(token, owner, now)) return text(401, "Unauthorized");
  if (token === undefined && id.httpTokens === "required") return text(401, "Unauthorized");
  if (p === "/" ) return text(200, "latest");
  if (p === "/latest" || p === "/latest/") return text(200, "dynamic\nmeta-data\nuser-data");
  const m = /^\/latest\/(.*?)\/?$/.exec(p);
  const tree = metadataTree(id);
  const v = m ? tree.get(m[1]) : undefined;
  if (v === undefined) return text(404, "Not Found");
  const isJson = typeof v === "string" && v.startsWith("{");
  return { status: 200, body: v, headers: { "content-type": isJson ? "text/plain" : Buffer.isBuffer(v) ? "application/octet-stream" : "text/plain", server: "EC2ws" } };
}

/** A stable fake instance id (i- + 17 hex) for a rehearsed host. */
export function instanceIdFor(seed: string): string {
  return "i-" + crypto.createHash("sha256").update(seed).digest("hex").slice(0, 17);
}

/** A locally administered MAC for a rehearsed host, as EC2's 02:... / 06:... */
export function macFor(seed: string): string {
  const h = crypto.createHash("sha256").update(`mac:${seed}`).digest();
  return ["06", ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}
