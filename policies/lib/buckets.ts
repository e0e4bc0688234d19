/**
 * S3 buckets and their companion resources (public access block, encryption, versioning,
 * policy), and which buckets hold data.
 *
 * A data bucket holds what users upload or what the business must keep: media, uploads,
 * KYC documents, backups. It is recognised by a tag (data-class / purpose / role / kind =
 * data, media, uploads, documents, kyc, backups) or, failing that, by a name that says so.
 * Log buckets (tag value logs, or a name ending in -logs) and static site buckets are not
 * data buckets: their content is written by AWS services or rebuilt on each deploy, so
 * versioning would only double their storage. That is why the versioning and TLS-only
 * requirements apply to data buckets only; public access blocking applies to every bucket.
 */
import type { StackResource } from "./define";
import { refersTo } from "./refs";
import { BUCKETS } from "./types";
import { UNKNOWN, Unknown, tagValue } from "./values";

export const DATA_TAG_KEYS = ["data-class", "purpose", "role", "kind"];
export const DATA_TAG_VALUES = ["data", "media", "uploads", "documents", "kyc", "backups", "user-data"];
const LOG_TAG_VALUES = ["logs", "log", "access-logs"];
export const DATA_NAME_PATTERN = "(^|[-_.])(data|media|uploads?|documents?|docs|kyc|backups?|user-?files)([-_.]|$)";
const LOG_NAME_PATTERN = /(^|[-_.])(logs?|access-?logs?)([-_.]|$)/i;

export interface BucketClassConfig {
  dataBucketTagKeys: string[];
  dataBucketTagValues: string[];
  dataBucketNamePattern: string;
}

export const BUCKET_CLASS_DEFAULTS: BucketClassConfig = {
  dataBucketTagKeys: DATA_TAG_KEYS,
  dataBucketTagValues: DATA_TAG_VALUES,
  dataBucketNamePattern: DATA_NAME_PATTERN,
};

export const BUCKET_CLASS_SCHEMA = {
  dataBucketTagKeys: { type: "array" as const, items: { type: "string" as const }, default: DATA_TAG_KEYS, description: "Tag keys that classify a bucket." },
  dataBucketTagValues: { type: "array" as const, items: { type: "string" as const }, default: DATA_TAG_VALUES, description: "Values of those tags that mark a data bucket." },
  dataBucketNamePattern: { type: "string" as const, default: DATA_NAME_PATTERN, description: "Regular expression (case-insensitive) on the logical or bucket name that marks an untagged data bucket." },
};

function names(b: StackResource): string[] {
  return [b.name, b.props.bucket, b.props.bucketPrefix].filter((n): n is string => typeof n === "string" && n !== "");
}

/** Whether a bucket holds data (see the module comment). */
export function isDataBucket(b: StackResource, cfg: BucketClassConfig): boolean {
  const values = cfg.dataBucketTagKeys.map((k) => tagValue(b.tags, k)?.toLowerCase()).filter((v): v is string => v !== undefined);
  if (values.some((v) => cfg.dataBucketTagValues.includes(v))) return true;
  if (values.some((v) => LOG_TAG_VALUES.includes(v))) return false;
  if (values.length > 0) return false; // classified as something else (static site, artifacts, ...)
  const ns = names(b);
  if (ns.some((n) => LOG_NAME_PATTERN.test(n))) return false;
  const re = new RegExp(cfg.dataBucketNamePattern, "i");
  return ns.some((n) => re.test(n));
}

/** Companion resources of `bucket` among `candidates` (matched on their `bucket` input). */
export function companions(bucket: StackResource, candidates: StackResource[]): { found: StackResource[]; unknown: boolean } {
  const found: StackResource[] = [];
  let unknown = false;
  for (const c of candidates) {
    const link = refersTo(c.props.bucket, bucket, c, "bucket");
    if (link === true) found.push(c);
    else if (link === UNKNOWN) unknown = true;
  }
  return { found, unknown };
}

export function bucketsOf(ctx: { ofType(...t: string[]): StackResource[] }): StackResource[] {
  return ctx.ofType(...BUCKETS);
}

/** A statement that denies requests made without TLS (aws:SecureTransport = false), in any resource policy. */
export function isSecureTransportDeny(s: any): boolean {
  if (!s || s.Effect !== "Deny" || !s.Condition) return false;
  for (const [op, cond] of Object.entries<any>(s.Condition)) {
    if (!/^Bool(IfExists)?$/.test(op) || !cond) continue;
    const v = cond["aws:SecureTransport"];
    const values = Array.isArray(v) ? v : [v];
    if (values.some((x) => String(x).toLowerCase() === "false")) return true;
  }
  return false;
}

/** Parses a bucket policy document (JSON text or object); UNKNOWN if not known yet. */
export function policyDocument(v: unknown): any | Unknown | undefined {
  if (v === UNKNOWN) return UNKNOWN;
  if (typeof v === "string") {
    try {
      return JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return v && typeof v === "object" ? v : undefined;
}

export function statements(doc: any): any[] {
  if (!doc || typeof doc !== "object") return [];
  const s = doc.Statement;
  return Array.isArray(s) ? s : s ? [s] : [];
}


/**
 * A bucket's default-encryption rules: inline (aws.s3.Bucket's one rule) and from separate
 * configuration resources. `unknown` when the inline block, a configuration's bucket or its
 * rules are not known yet (a rule itself may still hold unknown values).
 */
export function defaultEncryptionRules(b: StackResource, configs: StackResource[]): { rules: { rule: any; holder: StackResource }[]; unknown: boolean } {
  const rules: { rule: any; holder: StackResource }[] = [];
  let unknown = false;
  const collect = (v: unknown, holder: StackResource) => {
    if (v === UNKNOWN) { unknown = true; return; }
    for (const rule of Array.isArray(v) ? v : v ? [v] : []) {
      if (rule === UNKNOWN) unknown = true;
      else rules.push({ rule, holder });
    }
  };
  const inline = b.props.serverSideEncryptionConfiguration;
  if (inline === UNKNOWN) unknown = true;
  else if (inline && typeof inline === "object") collect(inline.rule, b);
  const { found, unknown: u } = companions(b, configs);
  if (u) unknown = true;
  for (const c of found) collect(c.props.rules, c);
  return { rules, unknown };
}

/** Whether an IAM action pattern ("s3:*", "s3:Put*", "*") matches `action` (case-insensitive). */
export function actionMatches(pattern: unknown, action: string): boolean {
  if (typeof pattern !== "string") return false;
  const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
  return re.test(action);
}

/** The actions that change a bucket policy: denied both, only the root user can undo the policy. */
export const BUCKET_POLICY_ACTIONS = ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"];

const NEGATED_ARN_OPERATORS = /^(ArnNotEquals|ArnNotLike|StringNotEquals|StringNotLike)(IfExists)?$/;
const PRINCIPAL_KEYS = ["aws:principalarn", "aws:userid", "aws:username"];

/**
 * Who a Deny statement applies to, when it applies to (nearly) every principal without any other
 * condition: "everyone" (Principal "*"), "everyone but the named" (NotPrincipal, or a condition
 * that only excludes named principals, e.g. ArnNotEquals aws:PrincipalArn), or undefined (a named
 * principal, or a condition that narrows the requests: TLS, source VPC, ...).
 */
function denyScope(s: any): "everyone" | "everyone but the named" | undefined {
  const cond = s.Condition;
  const conditions = cond && typeof cond === "object" ? Object.entries<any>(cond) : [];
  const onlyExcludesPrincipals = conditions.length > 0 && conditions.every(([op, kv]) =>
    NEGATED_ARN_OPERATORS.test(op) && kv && typeof kv === "object" && Object.keys(kv).length > 0 && Object.keys(kv).every((k) => PRINCIPAL_KEYS.includes(k.toLowerCase())));
  if (conditions.length > 0 && !onlyExcludesPrincipals) return undefined;
  if (s.NotPrincipal !== undefined) return "everyone but the named";
  const p = s.Principal;
  const all = p === "*" || (p && typeof p === "object" && !Array.isArray(p) && [p.AWS].flat().includes("*"));
  if (!all) return undefined;
  return onlyExcludesPrincipals ? "everyone but the named" : "everyone";
}

/** Whether a statement's actions (Action, or everything but NotAction) include `action`. */
function covers(s: any, action: string): boolean {
  if (s.NotAction !== undefined) return ![s.NotAction].flat().some((p) => actionMatches(p, action));
  return [s.Action].flat().some((p) => actionMatches(p, action));
}

/**
 * A Deny statement that locks the bucket policy itself: it applies to every principal (or every
 * one but a few named ones) without a narrowing condition, and denies both changing and deleting
 * the policy, so only those named (or the account's root user) can ever undo it. Returns who is
 * locked out, or undefined.
 */
export function lockoutScope(s: any): "everyone" | "everyone but the named" | undefined {
  if (!s || typeof s !== "object" || s.Effect !== "Deny") return undefined;
  const scope = denyScope(s);
  if (!scope) return undefined;
  return BUCKET_POLICY_ACTIONS.every((a) => covers(s, a)) ? scope : undefined;
}
