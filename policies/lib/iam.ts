/**
 * IAM policy documents as the identity policies read them: parsed from the JSON string the
 * provider takes (or the object some programs pass), every list-or-string field as a list,
 * and unknown values kept as UNKNOWN, so a first preview (a document built from ARNs not
 * created yet) is never a violation while everything known is still checked. Pure.
 */
import { UNKNOWN, Unknown, normalize } from "./values";

/** A statement's field as a list: UNKNOWN when the field is, [] when absent; unknown items stay UNKNOWN. */
export type Field = (string | Unknown)[] | Unknown;

export interface Statement {
  /** The statement's Sid, when it has a known one. */
  sid?: string;
  /** "Allow", "Deny", UNKNOWN, or whatever else the document says. */
  effect: unknown;
  action: Field;
  notAction: Field;
  resource: Field;
  notResource: Field;
  /** The raw Principal / NotPrincipal ("*" or { AWS | Service | Federated | CanonicalUser: ... }). */
  principal: unknown;
  notPrincipal: unknown;
  has: { action: boolean; notAction: boolean; resource: boolean; notResource: boolean; principal: boolean; notPrincipal: boolean };
  /** Condition as written ({ operator: { key: value(s) } }), UNKNOWN, or undefined. */
  condition: Record<string, unknown> | Unknown | undefined;
}

/**
 * The statements of a policy document: UNKNOWN when the document (or its statement list) is
 * not known yet, undefined when it is absent or not JSON (IAM refuses those itself). A
 * statement that is UNKNOWN as a whole is left out: nothing in it can be judged.
 */
export function statementsOf(doc: unknown): Statement[] | Unknown | undefined {
  let d: unknown = doc;
  if (d === UNKNOWN) return UNKNOWN;
  if (typeof d === "string") {
    if (d.trim() === "") return undefined;
    try {
      d = normalize(JSON.parse(d));
    } catch {
      return undefined;
    }
  }
  if (!d || typeof d !== "object") return undefined;
  const raw = (d as Record<string, unknown>).Statement;
  if (raw === UNKNOWN) return UNKNOWN;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : [];
  return list.filter((s): s is Record<string, unknown> => !!s && typeof s === "object").map(statement);
}

function statement(s: Record<string, unknown>): Statement {
  const c = s.Condition;
  return {
    sid: typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : undefined,
    effect: s.Effect,
    action: field(s.Action),
    notAction: field(s.NotAction),
    resource: field(s.Resource),
    notResource: field(s.NotResource),
    principal: s.Principal,
    notPrincipal: s.NotPrincipal,
    has: {
      action: s.Action !== undefined, notAction: s.NotAction !== undefined, resource: s.Resource !== undefined,
      notResource: s.NotResource !== undefined, principal: s.Principal !== undefined, notPrincipal: s.NotPrincipal !== undefined,
    },
    condition: c === UNKNOWN ? UNKNOWN : c && typeof c === "object" ? (c as Record<string, unknown>) : undefined,
  };
}

/** A string-or-list field as a list (non-strings dropped, UNKNOWN kept). */
export function field(v: unknown): Field {
  if (v === UNKNOWN) return UNKNOWN;
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.filter((x): x is string | Unknown => typeof x === "string" || x === UNKNOWN);
}

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive as IAM compares actions. */
export function globMatches(pattern: string, value: string): boolean {
  const re = pattern.split("").map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${re}$`, "i").test(value);
}

/** `*` or `*:*`: every action of every service. */
export function isEveryAction(action: string): boolean {
  return /^\*(:\*)?$/.test(action.trim());
}

/** `<service>:*`: every action of one service (the service name, e.g. "s3"), else undefined. */
export function wholeServiceWildcard(action: string): string | undefined {
  const m = /^([a-z0-9-]+):\*+$/i.exec(action.trim());
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * Whether an Allow statement grants `action` (e.g. "iam:PassRole"): true, false, or UNKNOWN
 * when an action (or the whole list) that might grant it is not known yet.
 */
export function grants(s: Statement, action: string): boolean | Unknown {
  if (s.has.notAction) {
    // NotAction allows everything it does not name.
    if (s.notAction === UNKNOWN || s.notAction.includes(UNKNOWN)) return UNKNOWN;
    return !s.notAction.some((p) => typeof p === "string" && globMatches(p, action));
  }
  if (s.action === UNKNOWN) return UNKNOWN;
  if (s.action.some((p) => typeof p === "string" && globMatches(p, action))) return true;
  return s.action.includes(UNKNOWN) ? UNKNOWN : false;
}

/** An exact IAM role ARN (no wildcard): arn:<partition>:iam::<12-digit account>:role/<path/>name. */
export const EXACT_ROLE_ARN_RE = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** An AWS-managed policy ARN, as its path and name after `policy/` (e.g. "service-role/AWSBackupServiceRolePolicyForBackup"). */
export function awsManagedPolicyName(arn: string): string | undefined {
  const m = /^arn:aws(-[a-z]+)*:iam::aws:policy\/(.+)$/.exec(arn.trim());
  return m ? m[2] : undefined;
}

/** A principal block's entries per kind ("*" counts as { "*": ["*"] }); UNKNOWN when it is not known. */
export function principalEntries(p: unknown): Record<string, Field> | Unknown | undefined {
  if (p === UNKNOWN) return UNKNOWN;
  if (p === undefined || p === null) return undefined;
  if (typeof p === "string") return { [p === "*" ? "*" : "AWS"]: [p] };
  if (typeof p !== "object") return undefined;
  const out: Record<string, Field> = {};
  for (const [k, v] of Object.entries(p as Record<string, unknown>)) out[k] = field(v);
  return out;
}

/** The condition keys a Condition block tests (lower-case), with their values; UNKNOWN parts are skipped. */
export function conditionKeys(c: Statement["condition"]): Map<string, Field> {
  const out = new Map<string, Field>();
  if (!c || c === UNKNOWN) return out;
  for (const test of Object.values(c)) {
    if (!test || test === UNKNOWN || typeof test !== "object") continue;
    for (const [k, v] of Object.entries(test as Record<string, unknown>)) {
      const key = k.toLowerCase();
      const prev = out.get(key);
      const vals = field(v);
      out.set(key, prev === UNKNOWN || vals === UNKNOWN ? UNKNOWN : [...(prev ?? []), ...vals]);
    }
  }
  return out;
}

/** Whether any part of a Condition block is not known yet. */
export function conditionUnknown(c: Statement["condition"]): boolean {
  if (c === UNKNOWN) return true;
  if (!c) return false;
  return Object.values(c).some((t) => t === UNKNOWN || (!!t && typeof t === "object" && Object.entries(t as Record<string, unknown>).some(([, v]) => v === UNKNOWN)));
}
