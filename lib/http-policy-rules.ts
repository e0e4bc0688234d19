/**
 * What an app's HTTP front accepts as security headers and request-rate limits, written once:
 * config validation applies it to what users type (config/apps.ts), the components that
 * render it (hostconfig's nginx, CloudFront) to their args. The types are in
 * components/http-policy.ts. Pure.
 */
import { ONE_DAY_SECONDS, ONE_YEAR_SECONDS } from "./durations";

export const FRAME_OPTIONS = ["DENY", "SAMEORIGIN"] as const;

/** Every Referrer-Policy value (what CloudFront accepts). */
export const REFERRER_POLICY_VALUES: readonly string[] = [
  "no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin",
  "same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url",
];
/** The values an app may choose: all but unsafe-url, which sends full URLs to every site. */
export const REFERRER_POLICIES: readonly string[] = REFERRER_POLICY_VALUES.filter((p) => p !== "unsafe-url");

/** HSTS max-age in seconds: at least one year, at most two. */
export const HSTS_MAX_AGE_SECONDS = { min: ONE_YEAR_SECONDS, max: 2 * ONE_YEAR_SECONDS } as const;

/** The CSP is written into nginx and CloudFront configs: no character that could break out of them. */
export const CONTENT_SECURITY_POLICY_RE = /^[A-Za-z0-9 ;:'*.\/_+=,-]+$/;
export const CONTENT_SECURITY_POLICY_RULE = "may contain only letters, digits, spaces and ; : ' * . / _ + = , - (no quotes, $, braces or newlines)";
/** CloudFront's limit on a response headers policy's Content-Security-Policy value. */
export const CLOUDFRONT_CSP_MAX = 1783;

/** Whole-number ranges of the rate limits, and the defaults of what may be left out. */
export const RATE_LIMITS = {
  perIpPerMinute: { min: 1, max: 1000000, default: 600 },
  requests: { min: 1, max: 100000 },
  windowSeconds: { min: 1, max: ONE_DAY_SECONDS, default: 60 },
} as const;

/** A path limit's name names nginx zones and WAF rules; nginx's site-wide zone is `<app>_global`. Its path is a URL path (lib/url-paths.ts). */
const RATE_LIMIT_NAME_RE = /^[a-z][a-z0-9]{1,15}$/;
const RESERVED_RATE_LIMIT_NAME = "global";

/** Why `name` cannot name a path rate limit, or undefined. */
export function rateLimitNameProblem(name: string): string | undefined {
  return RATE_LIMIT_NAME_RE.test(name) && name !== RESERVED_RATE_LIMIT_NAME ? undefined : `"${name}" must be 2-16 lower-case letters or digits, starting with a letter, not "${RESERVED_RATE_LIMIT_NAME}"`;
}

/**
 * Problems across an app's path limits, by index and field: a name or a path used twice, or a
 * limit on the static or health-check path (nginx serves those itself; limit an app path).
 */
export function pathRateLimitConflicts(
  paths: readonly { name: string; path: string }[],
  app: { staticPath: string; healthCheckPath: string },
): { index: number; field: "name" | "path"; message: string }[] {
  const out: { index: number; field: "name" | "path"; message: string }[] = [];
  paths.forEach((p, index) => {
    if (p.path === app.staticPath || p.path === app.healthCheckPath) out.push({ index, field: "path", message: `"${p.path}" is the static or health-check path; limit an app path instead` });
    if (paths.findIndex((q) => q.path === p.path) < index) out.push({ index, field: "path", message: `"${p.path}" is limited twice` });
    if (paths.findIndex((q) => q.name === p.name) < index) out.push({ index, field: "name", message: `"${p.name}" is used twice` });
  });
  return out;
}
