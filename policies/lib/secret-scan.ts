/**
 * Finds secrets written into text that is stored in plain form: EC2 user data, tags,
 * plain SSM parameters, command scripts and environments. Pure and dependency-free.
 *
 * What it looks for: private keys; cloud, payment and source-control tokens by their
 * well-known shapes (AWS access keys, Stripe sk_/rk_/whsec_, GitHub, Slack, Google, JWTs);
 * passwords inside connection URLs; Authorization headers with credentials; and literal
 * values assigned to variables named like secrets (DB_PASSWORD=..., "api_key": "...",
 * --password=...). References are not findings: `$VAR`, `${VAR}`, `$(aws secretsmanager
 * get-secret-value ...)`, `{{ template }}`, paths, ARNs, booleans and obvious placeholders.
 *
 * User data is decoded first (base64, then gzip when compressed), and base64 blocks inside
 * the text (cloud-init `encoding: b64` files, MIME parts) are decoded and scanned too.
 *
 * A finding carries its kind and line only, never the matched text: policy messages end
 * up in CI logs and pull-request comments.
 */
import { gunzipSync } from "zlib";

export interface SecretFinding {
  /** What was found, e.g. "a private key"; never the value. */
  kind: string;
  /** 1-based line in the scanned (decoded) text. */
  line: number;
  /** Set when the finding sits inside an encoded block of the text. */
  encoded?: boolean;
}

interface Pattern { kind: string; re: RegExp }

/** Well-known secret shapes, recognizable without context. */
const PATTERNS: Pattern[] = [
  { kind: "a private key", re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { kind: "an AWS access key id", re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/ },
  { kind: "a Stripe secret key", re: /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}/ },
  { kind: "a Stripe webhook signing secret", re: /\bwhsec_[0-9A-Za-z]{16,}/ },
  { kind: "a GitHub token", re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { kind: "a Slack token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: "a Google API key", re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: "a JSON web token", re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { kind: "a SendGrid API key", re: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/ },
];

/** Variable names that hold secrets: *password, *secret, *token, *api_key, *private_key, ... */
const SECRET_NAME = /(?:password|passwd|passphrase|secret|secret[_-]?key|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|signing[_-]?key|auth[_-]?key|credentials?)$|(?:^|[_.-])(?:pass|pwd)$/i;

const BOOLEAN_WORDS = new Set(["true", "false", "yes", "no", "on", "off", "none", "null", "nil", "required", "optional", "enabled", "disabled", "auto", "default", "empty", "unset"]);
const PLACEHOLDER = /^(?:(?:change|replace|set)[-_ ]?me\b.*|placeholder|example|dummy|redacted|todo|tbd|x{3,}|\*{3,}|\.{3,}|-+|secret|password|token|<[^>]*>|\[[^\]]*\])$/i;

/** A shell/template reference ($VAR, ${VAR}, $(cmd), %(name)s, {{ x }}, <x>) rather than a value. */
function isReference(v: string): boolean {
  return /^[$%@({<]/.test(v) || v.includes("${") || v.includes("$(") || v.includes("{{") || v.includes("`");
}

/** Whether an assigned value is a literal secret rather than a reference or a setting. */
function isLiteralSecret(raw: string): boolean {
  const v = raw.trim();
  if (v.length < 6) return false;
  if (isReference(v)) return false;
  if (BOOLEAN_WORDS.has(v.toLowerCase()) || PLACEHOLDER.test(v)) return false;
  if (/^(?:\/|\.\/|~\/|file:|arn:|ssm:|secretsmanager:|resolve:|s3:\/\/|https?:\/\/)/i.test(v)) return false;
  if (/^[a-z0-9._-]+(?:\/[a-z0-9._-]+)+$/.test(v)) return false; // a secret's name or id ("shop/prod/app")
  if (/^[A-Z][A-Z0-9_]*$/.test(v)) return false; // the name of another variable
  if (/^\d+$/.test(v)) return false; // a number (port, length, count)
  return true;
}

/** Reads an assigned value at `pos`: quoted, or up to whitespace or a separator. */
function valueAt(line: string, pos: number): string {
  const q = line[pos];
  if (q === '"' || q === "'") {
    const end = line.indexOf(q, pos + 1);
    return end === -1 ? line.slice(pos + 1) : line.slice(pos + 1, end);
  }
  const m = /^[^\s"';,}\]]*/.exec(line.slice(pos));
  return m ? m[0] : "";
}

const ASSIGNMENT = /([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*[=:][ \t]*/g;
const FLAG = /(?:^|[\s"'])--?([A-Za-z][A-Za-z0-9-]*)(?:=|[ \t]+)/g;
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/gi;
const AUTH_HEADER = /\bAuthorization[ \t]*:[ \t]*(?:Basic|Bearer|Token)[ \t]+([A-Za-z0-9+/=._~-]{8,})/gi;

function scanLine(line: string): string[] {
  const kinds: string[] = [];
  for (const p of PATTERNS) if (p.re.test(line)) kinds.push(p.kind);
  for (const m of line.matchAll(URL_PASSWORD)) {
    if (!isReference(m[1]) && !PLACEHOLDER.test(m[1])) {
      kinds.push("a password inside a connection URL");
      break;
    }
  }
  for (const m of line.matchAll(AUTH_HEADER)) if (isLiteralSecret(m[1])) { kinds.push("credentials in an Authorization header"); break; }
  // ARNs and plain URLs hold "name:" segments (arn:...:secret:prod/app) that are not assignments.
  const masked = line.replace(/\barn:aws[\w-]*:[^\s"',;]*/g, "ARN").replace(/\bhttps?:\/\/[^\s@"']*(?=[\s"']|$)/g, "URL");
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(masked); m; m = ASSIGNMENT.exec(masked)) {
    if (!SECRET_NAME.test(m[1])) continue;
    if (isLiteralSecret(valueAt(masked, m.index + m[0].length))) {
      kinds.push("a literal value assigned to a secret-named setting");
      break;
    }
  }
  for (const m of masked.matchAll(FLAG)) {
    if (!SECRET_NAME.test(m[1])) continue;
    const value = valueAt(masked, (m.index ?? 0) + m[0].length);
    if (!value.startsWith("-") && isLiteralSecret(value)) {
      kinds.push("a literal secret passed as a command-line option");
      break;
    }
  }
  return kinds;
}

/** Text that decodes from base64 (and gunzips when compressed), if it is printable text. */
export function decodeBase64Text(b64: string): string | undefined {
  const s = b64.replace(/\s+/g, "");
  if (s.length < 8 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  let buf = Buffer.from(s, "base64");
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch {
      return undefined;
    }
  }
  const text = buf.toString("utf8");
  if (text.length === 0 || text.includes("\u0000") || text.includes("\uFFFD")) return undefined;
  const printable = text.replace(/[^\t\n\r\x20-\x7e\u00a0-\uffff]/g, "").length;
  return printable / text.length > 0.95 ? text : undefined;
}

/** User data as text: plain scripts stay as they are; base64 (optionally gzip) is decoded. */
export function decodeUserData(value: string): string {
  return decodeBase64Text(value) ?? value;
}

const B64_BLOCK = /(?:[A-Za-z0-9+/]{4}(?:\r?\n)?){12,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?/g;

/** Scans text (and the base64 blocks inside it, up to `depth` levels). */
export function scanText(text: string, depth = 3): SecretFinding[] {
  const out: SecretFinding[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    for (const kind of scanLine(line)) out.push({ kind, line: i + 1 });
  });
  if (depth > 0) {
    for (const m of text.matchAll(B64_BLOCK)) {
      const decoded = decodeBase64Text(m[0]);
      if (decoded === undefined) continue;
      const line = text.slice(0, m.index ?? 0).split(/\r?\n/).length;
      for (const f of scanText(decoded, depth - 1)) out.push({ kind: f.kind, line, encoded: true });
    }
  }
  return dedupe(out);
}

/** Decodes user data (base64, gzip) and scans it. */
export function scanUserData(value: string): SecretFinding[] {
  return scanText(decodeUserData(value));
}

function dedupe(fs: SecretFinding[]): SecretFinding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.kind}:${f.line}:${f.encoded ? 1 : 0}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** "a private key (line 3), a literal value assigned to a secret-named setting (lines 7, 9)". */
export function describeFindings(findings: SecretFinding[]): string {
  const byKind = new Map<string, string[]>();
  for (const f of findings) {
    const at = f.encoded ? `${f.line}, inside an encoded block` : String(f.line);
    byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), at]);
  }
  return [...byKind.entries()].map(([kind, lines]) => `${kind} (line${lines.length > 1 ? "s" : ""} ${lines.join("; ")})`).join(", ");
}
