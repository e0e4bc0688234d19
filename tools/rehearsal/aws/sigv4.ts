/**
 * AWS Signature Version 4, checked as AWS checks it, pure: the Authorization header is parsed,
 * the canonical request rebuilt from what arrived (method, path, query, the signed headers,
 * the payload hash), and the signature recomputed with the secret key of the access key that
 * signed it. A request without a signature, with an unknown access key, a scope for another
 * region or service, a missing or wrong session token, a date more than 15 minutes off, or a
 * wrong signature is refused, with the error code AWS returns for it.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import * as crypto from "crypto";

export interface SignedRequest {
  method: string;
  /** The path as sent (still percent-encoded), without the query. */
  path: string;
  /** The raw query string, without "?". */
  query: string;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string; role?: string }

export interface AuthorizationParts { accessKeyId: string; date: string; region: string; service: string; signedHeaders: string[]; signature: string }

export type SigCheck =
  | { ok: true; accessKeyId: string; role?: string; region: string; service: string }
  | { ok: false; status: number; code: string; message: string; accessKeyId?: string };

const header = (h: SignedRequest["headers"], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v.join(",") : v;
};

/** `AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/secretsmanager/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(value: string | undefined): AuthorizationParts | undefined {
  if (!value) return undefined;
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(value.trim());
  if (!m) return undefined;
  const fields: Record<string, string> = {};
  for (const part of m[1].split(/,\s*/)) {
    const i = part.indexOf("=");
    if (i > 0) fields[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  const cred = (fields.Credential ?? "").split("/");
  if (cred.length !== 5 || cred[4] !== "aws4_request" || !fields.SignedHeaders || !/^[0-9a-f]{64}$/.test(fields.Signature ?? "")) return undefined;
  return { accessKeyId: cred[0], date: cred[1], region: cred[2], service: cred[3], signedHeaders: fields.SignedHeaders.split(";"), signature: fields.Signature };
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper case). */
export function uriEncode(s: string, keepSlash = false): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, "%20"));
  } catch {
    return s;
  }
}

export function canonicalQuery(query: string): string {
  if (!query) return "";
  const pairs = query.split("&").filter(Boolean).map((p) => {
    const i = p.indexOf("=");
    const k = i < 0 ? p : p.slice(0, i);
    const v = i < 0 ? "" : p.slice(i + 1);
    return [uriEncode(decode(k)), uriEncode(decode(v))] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** S3 signs the path as sent (encoded once); every other service signs it encoded again. */
export function canonicalPath(rawPath: string, service: string): string {
  const p = rawPath || "/";
  if (service === "s3") return uriEncode(decode(p), true);
  return p.split("/").map((seg) => uriEncode(seg)).join("/");
}

export function canonicalRequest(req: SignedRequest, signedHeaders: string[], service: string): string {
  const headers = signedHeaders.map((h) => `${h}:${(header(req.headers, h) ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const payload = header(req.headers, "x-amz-content-sha256") ?? crypto.createHash("sha256").update(req.body).digest("hex");
  return [req.method.toUpperCase(), canonicalPath(req.path, service), canonicalQuery(req.query), headers, signedHeaders.join(";"), payload].join("\n");
}

const hmac = (key: Buffer | string, data: string) => crypto.createHmac("sha256", key).update(data, "utf8").digest();

export function signature(secretAccessKey: string, amzDate: string, region: string, service: string, canonical: string): string {
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, crypto.createHash("sha256").update(canonical, "utf8").digest("hex")].join("\n");
  const kDate = hmac(`AWS4${secretAccessKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, region), service), "aws4_request");
  return crypto.createHmac("sha256", kSigning).update(toSign, "utf8").digest("hex");
}

/** `20250101T120000Z` → ms since the epoch, or NaN. */
export function parseAmzDate(s: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? "");
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

/**
 * Checks one request's SigV4 signature. `expect` is the region and service the endpoint belongs
 * to (global services sign with us-east-1). `keys` finds the credentials of an access key.
 */
export function checkSigV4(req: SignedRequest, expect: { region: string; service: string }, keys: (accessKeyId: string) => Credentials | undefined, now = Date.now()): SigCheck {
  const raw = header(req.headers, "authorization");
  if (!raw) return { ok: false, status: 403, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token" };
  const a = parseAuthorization(raw);
  if (!a) return { ok: false, status: 400, code: "IncompleteSignature", message: "Authorization header is not a complete AWS4-HMAC-SHA256 signature" };
  const creds = keys(a.accessKeyId);
  if (!creds) return { ok: false, status: 403, code: "UnrecognizedClientException", message: "The security token included in the request is invalid.", accessKeyId: a.accessKeyId };
  if (a.service !== expect.service || a.region !== expect.region) {
    return { ok: false, status: 403, code: "SignatureDoesNotMatch", message: `Credential should be scoped to a valid region and service: expected ${expect.region}/${expect.service}, got ${a.region}/${a.service}`, accessKeyId: a.accessKeyId };
  }
  if (!a.signedHeaders.includes("host")) return { ok: false, status: 403, code: "SignatureDoesNotMatch", message: "the host header must be signed", accessKeyId: a.accessKeyId };
  const amzDate = header(req.headers, "x-amz-date");
  const t = parseAmzDate(amzDate);
  if (!Number.isFinite(t) || amzDate!.slice(0, 8) !== a.date) return { ok: false, status: 403, code: "IncompleteSignature", message: "X-Amz-Date is missing or does not match the credential scope", accessKeyId: a.accessKeyId };
  if (Math.abs(now - t) > 15 * 60 * 1000) return { ok: false, status: 403, code: "RequestExpired", message: "Signature expired: the request time is more than 15 minutes off", accessKeyId: a.accessKeyId };
  if (creds.sessionToken !== undefined && header(req.headers, "x-amz-security-token") !== creds.sessionToken) {
    return { ok: false, status: 403, code: "UnrecognizedClientException", message: "The security token included in the request is invalid (missing or wrong X-Amz-Security-Token).", accessKeyId: a.accessKeyId };
  }
  const expected = signature(creds.secretAccessKey, amzDate!, a.region, a.service, canonicalRequest(req, a.signedHeaders, a.service));
  if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(a.signature))) {
    return { ok: false, status: 403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided.", accessKeyId: a.accessKeyId };
  }
  return { ok: true, accessKeyId: a.accessKeyId, role: creds.role, region: a.region, service: a.service };
}

/** Signs a request (for tests and probes): returns the headers to add. */
export function sign(req: SignedRequest & { host: string }, creds: Credentials, region: string, service: string, now = new Date()): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const headers: Record<string, string> = { ...(req.headers as Record<string, string>), host: req.host, "x-amz-date": amzDate };
  if (creds.sessionToken) headers["x-amz-security-token"] = creds.sessionToken;
  const signed = Object.keys(headers).map((h) => h.toLowerCase()).filter((h) => h !== "authorization" && h !== "user-agent").sort();
  const canonical = canonicalRequest({ ...req, headers }, signed, service);
  const sig = signature(creds.secretAccessKey, amzDate, region, service, canonical);
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${amzDate.slice(0, 8)}/${region}/${service}/aws4_request, SignedHeaders=${signed.join(";")}, Signature=${sig}` };
}
