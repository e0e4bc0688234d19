/**
 * Reading resource properties the way the policy engine hands them over, without ever
 * tripping over a preview-time unknown value.
 *
 * @pulumi/policy wraps `props` in an "unknown-checking proxy" that throws UnknownValueError
 * the moment a policy reads a value that is not known yet (for example an RDS endpoint
 * during the first preview). The engine turns that throw into a vague advisory ("can't run
 * policy during preview") and the policy checks nothing else on that resource. Instead,
 * every policy here first unwraps the proxy and replaces the engine's unknown sentinels
 * with the `UNKNOWN` symbol, so each check can decide for itself: a value that is not
 * known yet is never a violation, and everything that is known is still checked.
 */

/** Marks a value the engine cannot know until the resource exists (preview). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

/**
 * The sentinels @pulumi/policy (proxy.ts) and the engine use for unknown values, one per
 * JSON type. The engine sends every unknown as the string sentinel; the others are listed
 * so that nothing the library may produce slips through.
 */
const SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (what the engine sends)
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** The property @pulumi/policy's proxy answers with the object it wraps. */
const PROXY_TARGET = "__getSpecialProxyTarget";

export function isUnknownSentinel(v: unknown): boolean {
  return typeof v === "string" && SENTINELS.has(v);
}

export function isUnknown(v: unknown): v is Unknown {
  return v === UNKNOWN;
}

/** The object behind @pulumi/policy's unknown-checking proxy (or the value itself). */
export function unwrap(props: unknown): unknown {
  if (props !== null && typeof props === "object") {
    const target = (props as Record<string, unknown>)[PROXY_TARGET];
    if (target !== undefined && target !== null && typeof target === "object") return target;
  }
  return props;
}

/**
 * A plain deep copy of `props` with every unknown sentinel replaced by `UNKNOWN`. Safe to
 * call on the engine's proxy: the proxy is unwrapped before any property is read.
 * Assets and archives (not plain objects) are kept as they are.
 */
export function normalize(props: unknown): any {
  const walk = (v: unknown): unknown => {
    if (isUnknownSentinel(v)) return UNKNOWN;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(unwrap(props)) ?? {};
}

/** True if the value or anything inside it is unknown. */
export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === "object") return Object.values(v as Record<string, unknown>).some(containsUnknown);
  return false;
}

/**
 * A boolean input, also in the string form some providers use ("true"/"false", e.g.
 * launch template block devices). Unknown stays UNKNOWN; anything else is undefined.
 */
export function asBool(v: unknown): boolean | Unknown | undefined {
  if (v === UNKNOWN) return UNKNOWN;
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (s === "true") return true;
    if (s === "false") return false;
  }
  return undefined;
}

/** A number input, also when given as a numeric string. */
export function asNumber(v: unknown): number | Unknown | undefined {
  if (v === UNKNOWN) return UNKNOWN;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A list input: the array, UNKNOWN, or [] when absent. */
export function asList(v: unknown): any[] | Unknown {
  if (v === UNKNOWN) return UNKNOWN;
  if (Array.isArray(v)) return v;
  return [];
}

/** A string input, trimmed; UNKNOWN; or undefined when absent or not a string. */
export function asString(v: unknown): string | Unknown | undefined {
  if (v === UNKNOWN) return UNKNOWN;
  if (typeof v === "string") return v;
  return undefined;
}

/** Every string value found anywhere inside `v` (known ones only). */
export function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => stringsIn(x, out));
  else if (v !== null && typeof v === "object") Object.values(v as Record<string, unknown>).forEach((x) => stringsIn(x, out));
  return out;
}

export type Tags = Record<string, string | Unknown>;

/**
 * A resource's tags as a map: from `tags` (a map on most AWS resources, a list of
 * {key, value, propagateAtLaunch} on autoscaling groups). UNKNOWN when the whole tag set is
 * not known yet; undefined when the resource has none.
 */
export function tagsOf(props: Record<string, any>): Tags | Unknown | undefined {
  const t = props.tags;
  if (t === UNKNOWN) return UNKNOWN;
  if (t === undefined || t === null) return undefined;
  if (Array.isArray(t)) {
    const out: Tags = {};
    for (const e of t) {
      if (e === UNKNOWN || (e && typeof e === "object" && e.key === UNKNOWN)) return UNKNOWN;
      if (e && typeof e === "object" && typeof e.key === "string") out[e.key] = e.value === UNKNOWN ? UNKNOWN : String(e.value ?? "");
    }
    return out;
  }
  if (typeof t === "object") {
    const out: Tags = {};
    for (const [k, v] of Object.entries(t)) out[k] = v === UNKNOWN ? UNKNOWN : String(v ?? "");
    return out;
  }
  return undefined;
}

/** A known tag value, or undefined (absent or unknown). */
export function tagValue(tags: Tags | Unknown | undefined, key: string): string | undefined {
  if (!tags || tags === UNKNOWN) return undefined;
  const v = tags[key];
  return typeof v === "string" ? v : undefined;
}

/** Last segment of a type token: "aws:rds/instance:Instance" -> "rds Instance". */
export function kindOf(type: string): string {
  const [, mod = "", name = type] = type.split(":");
  const service = mod.split("/")[0];
  return service ? `${service} ${name}` : name;
}
