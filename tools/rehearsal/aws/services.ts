/**
 * The AWS API stand-ins' logic, pure apart from reading objects through `objects`: which
 * endpoint a Host names, the SigV4 and IAM checks, and the answers of the calls the hosts make:
 *   - Secrets Manager GetSecretValue / DescribeSecret (JSON 1.1, X-Amz-Target secretsmanager.*)
 *   - CloudWatch PutMetricData (query protocol: form POST Action=PutMetricData, as the Debian
 *     awscli 2.23 / botocore model "query" sends it; JSON 1.0 and CBOR are refused as unknown)
 *   - S3 GetObject / HeadObject (REST, virtual-hosted or path style, Range)
 *   - ECR GetAuthorizationToken (JSON 1.1) and the registry (Basic AWS:<token>): /v2/, and
 *     GET/HEAD of manifests and blobs from the run's image store (`registry` in the context)
 *   - STS GetCallerIdentity (query)
 *   - Auto Scaling DescribeAutoScalingInstances and CompleteLifecycleAction (query): the caller's
 *     role names its group (the plan's launch template -> instance profile); the instance waits
 *     in Pending:Wait until it completes a launch hook
 * Anything else gets the error AWS gives for an unknown operation and is logged as unanswered.
 * Every call yields one log record (service, action, parameters without secret values).
 */
import * as crypto from "crypto";
import * as zlib from "zlib";
import { AWS_REGION_RE } from "../../../lib/regions";
import { fakeCredentials } from "../imds";
import { authorize } from "./iam";
import type { AwsState, SecretRecord } from "./plan";
import { checkSigV4, Credentials, SignedRequest } from "./sigv4";

export interface Endpoint {
  service: string;
  /** The SigV4 signing name (monitoring for CloudWatch, ecr for api.ecr...). */
  signingName: string;
  region: string;
  /** S3 virtual-hosted bucket, or the ECR registry's account. */
  bucket?: string;
  registry?: string;
}

/** The AWS endpoint a Host header names, or undefined when it is not one. Pure. */
export function endpointOf(host: string): Endpoint | undefined {
  const h = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  if (!h.endsWith(".amazonaws.com")) return undefined;
  const parts = h.slice(0, -".amazonaws.com".length).split(".");
  const isRegion = (s: string | undefined) => !!s && AWS_REGION_RE.test(s);
  // <acct>.dkr.ecr.<region>
  if (parts.length === 4 && parts[1] === "dkr" && parts[2] === "ecr" && isRegion(parts[3])) return { service: "ecr-registry", signingName: "ecr", region: parts[3], registry: parts[0] };
  if (parts.length === 3 && parts[0] === "api" && parts[1] === "ecr" && isRegion(parts[2])) return { service: "ecr", signingName: "ecr", region: parts[2] };
  // S3: s3.<region>, <bucket>.s3.<region>, s3, <bucket>.s3 (us-east-1)
  const s3 = parts.lastIndexOf("s3");
  if (s3 >= 0 && (s3 === parts.length - 1 || (s3 === parts.length - 2 && isRegion(parts[parts.length - 1])))) {
    const region = s3 === parts.length - 1 ? "us-east-1" : parts[parts.length - 1];
    const bucket = s3 > 0 ? parts.slice(0, s3).join(".") : undefined;
    return { service: "s3", signingName: "s3", region, bucket };
  }
  if (parts.length === 1) {
    // Global endpoints sign with us-east-1.
    if (["sts", "route53", "iam"].includes(parts[0])) return { service: parts[0], signingName: parts[0], region: "us-east-1" };
    return undefined;
  }
  if (parts.length === 2 && isRegion(parts[1])) {
    const signing: Record<string, string> = { monitoring: "monitoring", secretsmanager: "secretsmanager", ssm: "ssm", ec2messages: "ec2messages", ssmmessages: "ssmmessages", logs: "logs", sts: "sts", ec2: "ec2", kms: "kms" };
    const svc = parts[0];
    return { service: svc === "monitoring" ? "cloudwatch" : svc, signingName: signing[svc] ?? svc, region: parts[1] };
  }
  return undefined;
}

export interface AwsRequest extends SignedRequest { host: string; source: string }
export interface AwsResponse { status: number; headers: Record<string, string>; body: Buffer }
export interface CallRecord {
  service: string;
  action: string;
  status: number;
  region?: string;
  role?: string;
  accessKeyId?: string;
  /** Parameters without secret values. */
  params?: Record<string, unknown>;
  error?: string;
  /** IAM: which statement allowed it, or why not. */
  authz?: string;
  unanswered?: boolean;
}

export interface AwsContext {
  state: AwsState;
  /** The credentials IMDS hands out, by access key (every role of the run). */
  keys: (accessKeyId: string) => Credentials | undefined;
  /** An S3 object's bytes, or undefined when there is none. */
  objects: (bucket: string, key: string) => Buffer | undefined;
  /** The registry's images (images/store.ts `registryStore`); without it the registry holds none. */
  registry?: RegistryStore;
  now?: number;
}

/** What the ECR registry stand-in serves: manifests by digest or tag, blobs by digest, per repository. */
export interface RegistryStore {
  manifest(repository: string, reference: string): { body: Buffer; digest: string; mediaType: string } | undefined;
  blob(repository: string, digest: string): { size: number; read(): Buffer } | undefined;
}

/** Every role's IMDS credentials, by access key id. */
export function keysForRoles(roles: string[]): (id: string) => Credentials | undefined {
  const m = new Map<string, Credentials>();
  for (const role of roles) {
    const c = fakeCredentials(role);
    m.set(c.AccessKeyId, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token, role });
  }
  return (id) => m.get(id);
}

const requestId = () => crypto.randomUUID();

function json(status: number, body: unknown, type = "application/x-amz-json-1.1", extra: Record<string, string> = {}): AwsResponse {
  return { status, headers: { "content-type": type, "x-amzn-requestid": requestId(), ...extra }, body: Buffer.from(JSON.stringify(body)) };
}
function jsonError(status: number, code: string, message: string, type = "application/x-amz-json-1.1"): AwsResponse {
  return json(status, { __type: code, message, Message: message }, type, { "x-amzn-errortype": code });
}
const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);
function queryError(status: number, code: string, message: string): AwsResponse {
  return { status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId() }, body: Buffer.from(`<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`) };
}
function s3Error(status: number, code: string, message: string, head = false): AwsResponse {
  const id = requestId();
  return { status, headers: { "content-type": "application/xml", "x-amz-request-id": id }, body: head ? Buffer.alloc(0) : Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${id}</RequestId></Error>`) };
}

/** The request body as sent, gunzipped when Content-Encoding says gzip (botocore compresses large PutMetricData). */
export function bodyOf(req: SignedRequest): Buffer {
  const enc = String(req.headers["content-encoding"] ?? "");
  return /gzip/i.test(enc) ? zlib.gunzipSync(req.body) : req.body;
}

/** Query-protocol form → flat map. Pure. */
export function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of body.split("&").filter(Boolean)) {
    const i = p.indexOf("=");
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, "%20"));
    out[dec(i < 0 ? p : p.slice(0, i))] = i < 0 ? "" : dec(p.slice(i + 1));
  }
  return out;
}

export interface MetricDatum { MetricName: string; Dimensions: { Name: string; Value: string }[]; Value?: number; Unit?: string; Values?: number[] }

/** PutMetricData's form fields → namespace and data (MetricData.member.N.*). Pure. */
export function parsePutMetricData(form: Record<string, string>): { namespace?: string; data: MetricDatum[] } {
  const data = new Map<number, MetricDatum>();
  for (const [k, v] of Object.entries(form)) {
    const m = /^MetricData\.member\.(\d+)\.(.+)$/.exec(k);
    if (!m) continue;
    const d = data.get(+m[1]) ?? { MetricName: "", Dimensions: [] };
    data.set(+m[1], d);
    const dm = /^Dimensions\.member\.(\d+)\.(Name|Value)$/.exec(m[2]);
    if (dm) {
      const i = +dm[1] - 1;
      d.Dimensions[i] = { ...(d.Dimensions[i] ?? { Name: "", Value: "" }), [dm[2]]: v };
    } else if (m[2] === "MetricName") d.MetricName = v;
    else if (m[2] === "Value") d.Value = Number(v);
    else if (m[2] === "Unit") d.Unit = v;
    else if (/^Values\.member\.\d+$/.test(m[2])) (d.Values ??= []).push(Number(v));
  }
  return { namespace: form.Namespace, data: [...data.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => ({ ...d, Dimensions: d.Dimensions.filter(Boolean) })) };
}

/** SecretId (name, full ARN or ARN without the random suffix) → the secret. Pure. */
export function findSecret(secrets: SecretRecord[], id: string): SecretRecord | undefined {
  return secrets.find((s) => s.name === id || s.arn === id || s.arn.replace(/-[A-Za-z0-9]{6}$/, "") === id);
}

/** A JSON 1.1 request: the action from X-Amz-Target after `prefix` (recorded), and the body. */
function jsonRequest(req: AwsRequest, prefix: string, rec: CallRecord): { action: string; input: Record<string, any> } | { error: AwsResponse } {
  const target = String(req.headers["x-amz-target"] ?? "");
  const action = target.startsWith(prefix) ? target.slice(prefix.length) : "";
  rec.action = action || "(no X-Amz-Target)";
  try {
    return { action, input: JSON.parse(bodyOf(req).toString("utf8") || "{}") };
  } catch {
    return { error: jsonError(400, "SerializationException", "the request body is not JSON") };
  }
}

function secretsManager(req: AwsRequest, ep: Endpoint, ctx: AwsContext, role: string | undefined, rec: CallRecord): AwsResponse {
  const parsed = jsonRequest(req, "secretsmanager.", rec);
  if ("error" in parsed) return parsed.error;
  const { action, input } = parsed;
  if (action !== "GetSecretValue" && action !== "DescribeSecret") {
    rec.unanswered = true;
    return jsonError(400, "UnknownOperationException", `the rehearsal's Secrets Manager does not answer ${action || "a request without X-Amz-Target"}`);
  }
  const id = String(input.SecretId ?? "");
  rec.params = { SecretId: id, ...(input.VersionStage ? { VersionStage: input.VersionStage } : {}), ...(input.VersionId ? { VersionId: input.VersionId } : {}) };
  const s = findSecret(ctx.state.secrets, id);
  // IAM is evaluated on the secret's ARN (or the asked id when there is no such secret).
  const az = authorize(role ? ctx.state.roles[role] : undefined, { action: `secretsmanager:${action}`, resource: s?.arn ?? `arn:aws:secretsmanager:${ep.region}:${ctx.state.accountId}:secret:${id}`, context: {} });
  rec.authz = az.reason;
  if (!az.allowed) return jsonError(400, "AccessDeniedException", `User: arn:aws:sts::${ctx.state.accountId}:assumed-role/${role}/i is not authorized to perform: secretsmanager:${action} on resource: ${id} because ${az.reason}`);
  if (!s) return jsonError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
  const created = Math.floor((ctx.now ?? Date.now()) / 1000) - 3600;
  if (action === "DescribeSecret") return json(200, { ARN: s.arn, Name: s.name, CreatedDate: created, VersionIdsToStages: s.secretString !== undefined ? { [s.versionId]: ["AWSCURRENT"] } : {} });
  if (s.secretString === undefined) return jsonError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
  rec.params.secret = s.name;
  rec.params.bytes = Buffer.byteLength(s.secretString);
  return json(200, { ARN: s.arn, Name: s.name, VersionId: s.versionId, SecretString: s.secretString, VersionStages: ["AWSCURRENT"], CreatedDate: created });
}

/** Log streams created in this process (group -> streams): what Docker's awslogs driver and the agent write to. */
const logStreams = new Map<string, Set<string>>();

/**
 * CloudWatch Logs CreateLogStream / PutLogEvents / DescribeLogStreams (JSON 1.1, X-Amz-Target
 * Logs_20140328.*), authorized on the stream's ARN; events are counted, not stored.
 */
function cloudwatchLogs(req: AwsRequest, ep: Endpoint, ctx: AwsContext, role: string | undefined, rec: CallRecord): AwsResponse {
  const parsed = jsonRequest(req, "Logs_20140328.", rec);
  if ("error" in parsed) return parsed.error;
  const { action, input } = parsed;
  if (!["CreateLogStream", "PutLogEvents", "DescribeLogStreams"].includes(action)) {
    rec.unanswered = true;
    return jsonError(400, "UnknownOperationException", `the rehearsal's CloudWatch Logs does not answer ${action || "a request without X-Amz-Target"}`);
  }
  const group = String(input.logGroupName ?? "");
  const stream = String(input.logStreamName ?? input.logStreamNamePrefix ?? "");
  rec.params = { logGroupName: group, logStreamName: stream, ...(Array.isArray(input.logEvents) ? { events: input.logEvents.length } : {}) };
  const arn = `arn:aws:logs:${ep.region}:${ctx.state.accountId}:log-group:${group}:log-stream:${action === "DescribeLogStreams" ? "*" : stream}`;
  const az = authorize(role ? ctx.state.roles[role] : undefined, { action: `logs:${action}`, resource: arn, context: {} });
  rec.authz = az.reason;
  if (!az.allowed) return jsonError(400, "AccessDeniedException", `User: arn:aws:sts::${ctx.state.accountId}:assumed-role/${role}/i is not authorized to perform: logs:${action} on resource: ${arn} because ${az.reason}`);
  const streams = logStreams.get(group) ?? new Set<string>();
  logStreams.set(group, streams);
  if (action === "CreateLogStream") {
    if (streams.has(stream)) return jsonError(400, "ResourceAlreadyExistsException", "The specified log stream already exists");
    streams.add(stream);
    return json(200, {});
  }
  if (action === "DescribeLogStreams") return json(200, { logStreams: [...streams].filter((x) => x.startsWith(stream)).map((logStreamName) => ({ logStreamName, arn: arn.replace(/\*$/, logStreamName) })) });
  if (!streams.has(stream)) return jsonError(400, "ResourceNotFoundException", "The specified log stream does not exist.");
  return json(200, { nextSequenceToken: String(Date.now()) });
}

function cloudwatch(req: AwsRequest, ctx: AwsContext, role: string | undefined, rec: CallRecord): AwsResponse {
  const type = String(req.headers["content-type"] ?? "");
  if (req.headers["x-amz-target"] || /cbor|amz-json/i.test(type) || req.headers["smithy-protocol"]) {
    rec.action = String(req.headers["x-amz-target"] ?? req.headers["smithy-protocol"] ?? type);
    rec.unanswered = true;
    return jsonError(400, "UnknownOperationException", "the rehearsal's CloudWatch answers the query protocol only (what the Debian awscli sends)", "application/x-amz-json-1.0");
  }
  const form = parseForm(bodyOf(req).toString("utf8"));
  rec.action = form.Action ?? "(no Action)";
  if (form.Action !== "PutMetricData") {
    rec.unanswered = true;
    return queryError(400, "InvalidAction", `the rehearsal's CloudWatch does not answer ${form.Action}`);
  }
  const { namespace, data } = parsePutMetricData(form);
  rec.params = { Namespace: namespace, MetricData: data };
  if (!namespace) return queryError(400, "MissingParameter", "The parameter Namespace is required.");
  if (data.length === 0 || data.some((d) => !d.MetricName)) return queryError(400, "MissingParameter", "The parameter MetricData.member.1.MetricName is required.");
  if (data.some((d) => d.Value !== undefined && !Number.isFinite(d.Value))) return queryError(400, "InvalidParameterValue", "The value for parameter MetricData.member.1.Value is not a number.");
  const az = authorize(role ? ctx.state.roles[role] : undefined, { action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": namespace } });
  rec.authz = az.reason;
  if (!az.allowed) return queryError(403, "AccessDenied", `not authorized to perform: cloudwatch:PutMetricData because ${az.reason}`);
  return { status: 200, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId() }, body: Buffer.from(`<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></PutMetricDataResponse>`) };
}

function s3(req: AwsRequest, ep: Endpoint, ctx: AwsContext, role: string | undefined, signed: boolean, rec: CallRecord): AwsResponse {
  const head = req.method === "HEAD";
  let bucket = ep.bucket;
  let keyPath = req.path.replace(/^\//, "");
  if (!bucket) {
    const i = keyPath.indexOf("/");
    bucket = decodeURIComponent(i < 0 ? keyPath : keyPath.slice(0, i));
    keyPath = i < 0 ? "" : keyPath.slice(i + 1);
  }
  const key = decodeURIComponent(keyPath);
  const action = req.method === "GET" ? (key ? "GetObject" : "ListObjects") : head ? (key ? "HeadObject" : "HeadBucket") : `${req.method} (unsupported)`;
  rec.action = action;
  rec.params = { Bucket: bucket, Key: key, ...(req.headers.range ? { Range: req.headers.range } : {}) };
  if (action !== "GetObject" && action !== "HeadObject") {
    rec.unanswered = true;
    return s3Error(501, "NotImplemented", `the rehearsal's S3 does not answer ${action}`, head);
  }
  const isPublic = ctx.state.publicBuckets.includes(bucket);
  if (!isPublic) {
    if (!signed) return s3Error(403, "AccessDenied", "Access Denied", head);
    const az = authorize(role ? ctx.state.roles[role] : undefined, { action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${key}`, context: {} });
    rec.authz = az.reason;
    if (!az.allowed) return s3Error(403, "AccessDenied", "Access Denied", head);
  } else rec.authz = "public bucket";
  const obj = ctx.objects(bucket, key);
  if (!obj) return s3Error(404, "NoSuchKey", "The specified key does not exist.", head);
  const etag = `"${crypto.createHash("md5").update(obj).digest("hex")}"`;
  const base = { "content-type": "application/octet-stream", etag, "last-modified": new Date((ctx.now ?? Date.now()) - 3600_000).toUTCString(), "accept-ranges": "bytes", "x-amz-request-id": requestId() };
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ""));
  if (range) {
    const start = +range[1];
    const end = Math.min(range[2] ? +range[2] : obj.length - 1, obj.length - 1);
    if (start >= obj.length) return s3Error(416, "InvalidRange", "The requested range is not satisfiable", head);
    const part = obj.subarray(start, end + 1);
    return { status: 206, headers: { ...base, "content-range": `bytes ${start}-${end}/${obj.length}`, "content-length": String(part.length) }, body: head ? Buffer.alloc(0) : part };
  }
  rec.params.bytes = obj.length;
  return { status: 200, headers: { ...base, "content-length": String(obj.length) }, body: head ? Buffer.alloc(0) : obj };
}

/** The ECR registry password of a role (what GetAuthorizationToken hands out; the registry checks it). */
export function registryPassword(role: string): string {
  return crypto.createHash("sha256").update(`ecr:${role}`).digest("base64");
}

function ecr(req: AwsRequest, ep: Endpoint, ctx: AwsContext, role: string | undefined, rec: CallRecord): AwsResponse {
  const target = String(req.headers["x-amz-target"] ?? "");
  rec.action = target.replace(/^AmazonEC2ContainerRegistry_V20150921\./, "");
  if (rec.action !== "GetAuthorizationToken") {
    rec.unanswered = true;
    return jsonError(400, "UnknownOperationException", `the rehearsal's ECR does not answer ${rec.action}`);
  }
  const az = authorize(role ? ctx.state.roles[role] : undefined, { action: "ecr:GetAuthorizationToken", resource: "*", context: {} });
  rec.authz = az.reason;
  if (!az.allowed) return jsonError(400, "AccessDeniedException", `not authorized to perform: ecr:GetAuthorizationToken because ${az.reason}`);
  const token = Buffer.from(`AWS:${registryPassword(role ?? "")}`).toString("base64");
  return json(200, { authorizationData: [{ authorizationToken: token, expiresAt: Math.floor((ctx.now ?? Date.now()) / 1000) + 12 * 3600, proxyEndpoint: `https://${ctx.state.accountId}.dkr.ecr.${ep.region}.amazonaws.com` }] });
}

const REGISTRY_API = { "docker-distribution-api-version": "registry/2.0" };

/** A registry error as ECR answers it: `{"errors":[{"code","message"}]}`. */
function registryError(status: number, code: string, message: string, extra: Record<string, string> = {}): AwsResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...REGISTRY_API, ...extra }, body: Buffer.from(JSON.stringify({ errors: [{ code, message }] })) };
}

/** `bytes=a-b` / `bytes=a-` of a blob of `size` bytes, or undefined (whole blob). Pure. */
function byteRange(header: unknown, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  const m = /^bytes=(\d+)-(\d*)$/.exec(String(header ?? ""));
  if (!m) return undefined;
  const start = +m[1];
  const end = Math.min(m[2] ? +m[2] : size - 1, size - 1);
  return start >= size || end < start ? "unsatisfiable" : { start, end };
}

/**
 * The registry (docker login / pull), after Basic AWS:<password>: /v2/; GET/HEAD
 * /v2/<repo>/manifests/<digest|tag> (ecr:BatchGetImage) and /v2/<repo>/blobs/<digest>
 * (ecr:GetDownloadUrlForLayer), each authorized on arn:aws:ecr:<region>:<registry>:repository/<repo>,
 * from `ctx.registry`; ECR's codes otherwise (DENIED, MANIFEST_UNKNOWN, BLOB_UNKNOWN). Without a
 * store the registry holds no images: every manifest is MANIFEST_UNKNOWN and logged as unanswered.
 */
function registry(req: AwsRequest, ep: Endpoint, ctx: AwsContext, rec: CallRecord): AwsResponse {
  rec.action = `${req.method} ${req.path.replace(/\/(sha256:)?[0-9a-f]{64}/, "/<digest>")}`;
  const auth = String(req.headers.authorization ?? "");
  const m = /^Basic (.+)$/.exec(auth);
  const [user, pass] = m ? Buffer.from(m[1], "base64").toString("utf8").split(":") : [];
  const roles = Object.keys(ctx.state.roles);
  const who = roles.find((r) => registryPassword(r) === pass);
  const challenge = { "www-authenticate": `Basic realm="https://${ep.registry}.dkr.ecr.${ep.region}.amazonaws.com/",service="ecr.amazonaws.com"`, ...REGISTRY_API };
  if (user !== "AWS" || !who) {
    rec.error = m ? "wrong registry credentials" : "no credentials (challenge)";
    return { status: 401, headers: { "content-type": "application/json; charset=utf-8", ...challenge }, body: Buffer.from(JSON.stringify({ errors: [{ code: "DENIED", message: "Your authorization token has expired. Reauthenticate and try again." }] })) };
  }
  rec.role = who;
  if (req.path === "/v2/" || req.path === "/v2") return { status: 200, headers: { "content-type": "application/json; charset=utf-8", ...REGISTRY_API }, body: Buffer.from("{}") };
  const head = req.method === "HEAD";
  const mm = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(req.path);
  const bm = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(req.path);
  const repository = mm?.[1] ?? bm?.[1];
  const reference = decodeURIComponent(mm?.[2] ?? bm?.[2] ?? "");
  rec.params = mm ? { repository, reference } : bm ? { repository, digest: reference } : { path: req.path };
  if (!repository || (req.method !== "GET" && !head)) {
    rec.unanswered = true;
    return registryError(405, "UNSUPPORTED", `the rehearsal's registry answers GET and HEAD of manifests and blobs only, not ${req.method} ${req.path}`);
  }
  if (!ctx.registry) {
    rec.unanswered = true;
    return registryError(404, mm ? "MANIFEST_UNKNOWN" : "BLOB_UNKNOWN", "the rehearsal's registry holds no images yet");
  }
  const action = mm ? "ecr:BatchGetImage" : "ecr:GetDownloadUrlForLayer";
  const arn = `arn:aws:ecr:${ep.region}:${ep.registry}:repository/${repository}`;
  const az = authorize(ctx.state.roles[who], { action, resource: arn, context: {} });
  rec.authz = az.reason;
  if (!az.allowed) return registryError(403, "DENIED", `User: arn:aws:sts::${ctx.state.accountId}:assumed-role/${who}/i-rehearsal is not authorized to perform: ${action} on resource: ${arn} because ${az.reason}`);
  if (mm) {
    const found = ctx.registry.manifest(repository, reference);
    if (!found) return registryError(404, "MANIFEST_UNKNOWN", `Requested image not found`);
    rec.params.digest = found.digest;
    return { status: 200, headers: { "content-type": found.mediaType, "docker-content-digest": found.digest, "content-length": String(found.body.length), ...REGISTRY_API }, body: head ? Buffer.alloc(0) : found.body };
  }
  const blob = ctx.registry.blob(repository, reference);
  if (!blob) return registryError(404, "BLOB_UNKNOWN", `The blob ${reference} does not exist in the repository ${repository}`);
  const base = { "content-type": "application/octet-stream", "docker-content-digest": reference, "accept-ranges": "bytes", ...REGISTRY_API };
  const range = byteRange(req.headers.range, blob.size);
  if (range === "unsatisfiable") return registryError(416, "BLOB_UNKNOWN", "requested range not satisfiable", { "content-range": `bytes */${blob.size}` });
  rec.params.bytes = blob.size;
  if (range) {
    const part = head ? Buffer.alloc(0) : blob.read().subarray(range.start, range.end + 1);
    return { status: 206, headers: { ...base, "content-range": `bytes ${range.start}-${range.end}/${blob.size}`, "content-length": String(range.end - range.start + 1) }, body: part };
  }
  return { status: 200, headers: { ...base, "content-length": String(blob.size) }, body: head ? Buffer.alloc(0) : blob.read() };
}

function sts(req: AwsRequest, ctx: AwsContext, role: string | undefined, rec: CallRecord): AwsResponse {
  const form = parseForm(req.method === "POST" ? bodyOf(req).toString("utf8") : req.query);
  rec.action = form.Action ?? "(no Action)";
  if (form.Action !== "GetCallerIdentity") {
    rec.unanswered = true;
    return queryError(400, "InvalidAction", `the rehearsal's STS does not answer ${form.Action}`);
  }
  return { status: 200, headers: { "content-type": "text/xml" }, body: Buffer.from(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${ctx.state.accountId}:assumed-role/${role}/i-rehearsal</Arn><UserId>AROA:i-rehearsal</UserId><Account>${ctx.state.accountId}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`) };
}

const AUTOSCALING_XMLNS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
const queryOk = (action: string, result: string) => ({
  status: 200, headers: { "content-type": "text/xml" },
  body: Buffer.from(`<${action}Response xmlns="${AUTOSCALING_XMLNS}">${result ? `<${action}Result>${result}</${action}Result>` : `<${action}Result/>`}<ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></${action}Response>`),
});
/** Lifecycle state per instance id, as the group sees it (Pending:Wait until a hook is completed). */
const instanceStates = new Map<string, string>();

function autoscaling(req: AwsRequest, ep: Endpoint, ctx: AwsContext, role: string | undefined, rec: CallRecord): AwsResponse {
  const form = parseForm(bodyOf(req).toString("utf8"));
  rec.action = form.Action ?? "(no Action)";
  const group = ctx.state.groups.find((g) => g.role === role);
  if (form.Action === "DescribeAutoScalingInstances") {
    const ids = Object.keys(form).filter((k) => /^InstanceIds\.member\.\d+$/.test(k)).map((k) => form[k]);
    rec.params = { InstanceIds: ids };
    const az = authorize(role ? ctx.state.roles[role] : undefined, { action: "autoscaling:DescribeAutoScalingInstances", resource: "*", context: {} });
    rec.authz = az.reason;
    if (!az.allowed) return queryError(403, "AccessDenied", `not authorized to perform: autoscaling:DescribeAutoScalingInstances because ${az.reason}`);
    // An instance of no group (a single host) is simply not listed.
    const members = group ? ids.map((id) => `<member><InstanceId>${xmlEscape(id)}</InstanceId><AutoScalingGroupName>${xmlEscape(group.name)}</AutoScalingGroupName><AvailabilityZone>${ep.region}a</AvailabilityZone><LifecycleState>${instanceStates.get(id) ?? "Pending:Wait"}</LifecycleState><HealthStatus>HEALTHY</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>`).join("") : "";
    return queryOk("DescribeAutoScalingInstances", `<AutoScalingInstances>${members}</AutoScalingInstances>`);
  }
  if (form.Action === "CompleteLifecycleAction") {
    const { AutoScalingGroupName: name, LifecycleHookName: hook, InstanceId: instance, LifecycleActionResult: result } = form;
    rec.params = { AutoScalingGroupName: name, LifecycleHookName: hook, InstanceId: instance, LifecycleActionResult: result };
    const target = ctx.state.groups.find((g) => g.name === name);
    const arn = target?.arn ?? `arn:aws:autoscaling:${ep.region}:${ctx.state.accountId}:autoScalingGroup:*:autoScalingGroupName/${name}`;
    const context = Object.fromEntries(Object.entries(target?.tags ?? {}).map(([k, v]) => [`autoscaling:ResourceTag/${k}`, v]));
    const az = authorize(role ? ctx.state.roles[role] : undefined, { action: "autoscaling:CompleteLifecycleAction", resource: arn, context });
    rec.authz = az.reason;
    if (!az.allowed) return queryError(403, "AccessDenied", `not authorized to perform: autoscaling:CompleteLifecycleAction on resource: ${arn} because ${az.reason}`);
    if (!target || !target.launchHooks.includes(hook)) return queryError(400, "ValidationError", `No active Lifecycle Action found with hook name ${hook} for instance ${instance} in group ${name}`);
    if (target.role !== role) return queryError(400, "ValidationError", `No active Lifecycle Action found with instance ID ${instance}`);
    if (result !== "CONTINUE" && result !== "ABANDON") return queryError(400, "ValidationError", "Valid lifecycle action results are CONTINUE and ABANDON");
    if (instanceStates.has(instance)) return queryError(400, "ValidationError", `No active Lifecycle Action found with instance ID ${instance}`);
    instanceStates.set(instance, result === "CONTINUE" ? "InService" : "Terminating");
    return queryOk("CompleteLifecycleAction", "");
  }
  rec.unanswered = true;
  return queryError(400, "InvalidAction", `the rehearsal's Auto Scaling does not answer ${form.Action}`);
}

/** One API request → its answer and its log record. */
export function handleAws(req: AwsRequest, ctx: AwsContext): { response: AwsResponse; call: CallRecord } {
  const ep = endpointOf(req.host);
  const call: CallRecord = { service: ep?.service ?? "unknown", action: "", status: 0, region: ep?.region };
  const done = (response: AwsResponse) => {
    call.status = response.status;
    if (response.status >= 400 && !call.error) {
      try {
        const b = response.body.toString("utf8");
        call.error = /<Code>([^<]+)<\/Code>/.exec(b)?.[1] ?? JSON.parse(b).__type ?? JSON.parse(b).errors?.[0]?.code;
      } catch {
        call.error = `HTTP ${response.status}`;
      }
    }
    return { response, call };
  };
  if (!ep) {
    call.action = `${req.method} ${req.path}`;
    call.unanswered = true;
    return done({ status: 404, headers: { "content-type": "text/plain" }, body: Buffer.from(`the rehearsal answers no API at ${req.host}\n`) });
  }
  if (ep.service === "ecr-registry") return done(registry(req, ep, ctx, call));
  // Signed unless it is an anonymous read of a public S3 bucket.
  const anonymous = !req.headers.authorization;
  let role: string | undefined;
  if (!(ep.service === "s3" && anonymous)) {
    const sig = checkSigV4(req, { region: ep.region, service: ep.signingName }, ctx.keys, ctx.now);
    call.accessKeyId = sig.accessKeyId;
    if (!sig.ok) {
      call.action = String(req.headers["x-amz-target"] ?? `${req.method} ${req.path}`);
      call.error = `${sig.code}: ${sig.message}`;
      if (ep.service === "s3") return done(s3Error(sig.status, sig.code === "MissingAuthenticationToken" ? "AccessDenied" : sig.code, sig.message, req.method === "HEAD"));
      const isQuery = ep.service === "cloudwatch" || ep.service === "sts" || ep.service === "autoscaling";
      return done(isQuery ? queryError(sig.status, sig.code, sig.message) : jsonError(sig.status, sig.code, sig.message));
    }
    role = sig.role;
    call.role = role;
  }
  switch (ep.service) {
    case "secretsmanager": return done(secretsManager(req, ep, ctx, role, call));
    case "cloudwatch": return done(cloudwatch(req, ctx, role, call));
    case "s3": return done(s3(req, ep, ctx, role, !anonymous, call));
    case "ecr": return done(ecr(req, ep, ctx, role, call));
    case "sts": return done(sts(req, ctx, role, call));
    case "logs": return done(cloudwatchLogs(req, ep, ctx, role, call));
    case "autoscaling": return done(autoscaling(req, ep, ctx, role, call));
    default:
      call.action = String(req.headers["x-amz-target"] ?? parseForm(bodyOf(req).toString("utf8")).Action ?? `${req.method} ${req.path}`);
      call.unanswered = true;
      return done(jsonError(400, "UnknownOperationException", `the rehearsal does not answer ${ep.service} yet`));
  }
}
