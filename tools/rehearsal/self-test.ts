/**
 * `--self-test`: the rehearsal watched failing. One thing per probe kind is broken in a copy of
 * a real host document (text edits of the decoded user data, nothing regenerated), the copies
 * boot like any host, and the run passes only when each break fails the probe meant to see it.
 *
 *   single host (a Django app with a database)  a security header dropped, the app's port opened
 *                                               to the world, a secret echoed to the boot log
 *   fleet host (a Django app with a database)   the app serves its health at another path than
 *                                               the target group checks; migrations skipped
 *   another fleet host                          its artifact tampered with in the S3 stand-in
 *                                               (the bytes changed, the .sha256 beside it not)
 *
 * Breaks that share a copy are independent of each other (none stops the host serving), and the
 * single host must still become healthy, so each caught break is that break's doing.
 */
import { hashDocument, HostDocument } from "./hostdocs";
import type { Row } from "./report";

export interface Break {
  what: string;
  /** The probe (row name prefix) that must FAIL. */
  probe: string;
  /** A line of the document to change (multiline regex) and what replaces it; `$1` is the line's indentation. */
  find: RegExp;
  replace: string;
}

export function singleHostBreaks(app: string, port: number): Break[] {
  return [
    { what: "X-Content-Type-Options dropped from the nginx site", probe: "security headers on a 200", find: /^(\s*)add_header X-Content-Type-Options .*$/m, replace: "$1# rehearsal self-test: X-Content-Type-Options dropped" },
    // The app bound to every address and let through the host firewall: reachable from the internet.
    { what: `the app's port ${port} opened to the world`, probe: "ports from the internet", find: new RegExp(`^(.*)--bind 127\\.0\\.0\\.1:${port}(.*)$`, "m"), replace: `$1--bind 0.0.0.0:${port}$2` },
    { what: `the app's port ${port} opened to the world (firewall)`, probe: "ports from the internet", find: /^(\s*)ufw allow 443\/tcp$/m, replace: `$1ufw allow 443/tcp\n$1ufw allow ${port}/tcp` },
    { what: "the secrets file printed to the boot log", probe: "secrets only in their file", find: /^(\s*)mv -f "\$tmp" "\$OUT"$/m, replace: '$1mv -f "$tmp" "$OUT"\n$1cat "$OUT"' },
  ].map((b) => ({ ...b, what: `${app}: ${b.what}` }));
}

export function fleetBreaks(app: string): Break[] {
  return [
    // The app's own settings move its health view; the target group still checks the configured path.
    { what: `${app}: health served at /moved-health/`, probe: "ALB health check", find: /^(\s*)APP_VERSION='[^']*'$/m, replace: "$&\n$1HEALTH_CHECK_PATH='/moved-health/'" },
    // Here, not on the single host: the sample app's health needs its tables, and the single host must stay healthy.
    { what: `${app}: migrations skipped`, probe: "migrations applied", find: /^(\s*)call_command\("migrate".*$/m, replace: "$1pass  # rehearsal self-test: migrations skipped" },
  ];
}

/** Marks an artifact key whose object the S3 stand-in serves tampered with (aws/objects.ts). */
export const TAMPERED_MARK = "-rehearsal-tampered";

export function artifactBreaks(app: string): Break[] {
  // The URL moves to a key the stand-in serves with changed bytes and the original checksum.
  return [{ what: `${app}: its artifact tampered with after the checksum was taken`, probe: "artifact verified", find: /^(\s*readonly URL_TEMPLATE='s3:\/\/[^']*)@VERSION@\.tar\.gz'$/m, replace: `$1@VERSION@${TAMPERED_MARK}.tar.gz'` }];
}

/** A copy of `doc` with every break applied; throws when a break no longer matches the document. Pure. */
export function applyBreaks(doc: HostDocument, breaks: Break[]): HostDocument {
  let text = doc.userData;
  for (const b of breaks) {
    if (!b.find.test(text)) throw new Error(`self-test: "${b.what}" no longer matches ${doc.resource}'s document (${b.find}); update tools/rehearsal/self-test.ts`);
    text = text.replace(b.find, b.replace);
  }
  const raw = Buffer.from(text);
  return { ...doc, resource: `${doc.resource} (self-test copy)`, userData: text, raw, gzip: false, hash: hashDocument(text) };
}

/** One row per break: pass when its probe failed on that host. Pure. */
export function selfTestRows(breaks: { host: string; breaks: Break[] }[], rows: Row[], mustStayHealthy: string[]): Row[] {
  const out: Row[] = [];
  for (const { host, breaks: bs } of breaks) {
    for (const b of bs) {
      const seen = rows.filter((r) => r.host === host && r.probe.startsWith(b.probe));
      const caught = seen.some((r) => r.result === "FAIL");
      out.push({ host: "(self-test)", probe: b.what, result: caught ? "pass" : "FAIL", detail: caught ? `caught by "${seen.find((r) => r.result === "FAIL")!.probe}": ${seen.find((r) => r.result === "FAIL")!.detail.slice(0, 160)}` : seen.length ? `"${b.probe}" did not fail: ${seen[0].detail.slice(0, 160)}` : `no "${b.probe}" row for ${host}` });
    }
  }
  for (const host of mustStayHealthy) {
    const h = rows.find((r) => r.host === host && r.probe === "healthy");
    out.push({ host: "(self-test)", probe: `${host} still healthy (the breaks are independent)`, result: h?.result === "pass" ? "pass" : "FAIL", detail: h?.detail ?? "no healthy row" });
  }
  return out;
}
