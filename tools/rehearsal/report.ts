/**
 * The rehearsal's table: host | probe | result (| detail), from what a boot collected. Pure.
 * result is "pass", "FAIL" (makes the run exit non-zero), "info" (seen, not judged yet) or "skip".
 */
import type { BootResult } from "./boot";
import type { DocumentGroup } from "./hostdocs";
import { ubuntuOnly } from "./ubuntu-names";

export interface Row { host: string; probe: string; result: "pass" | "FAIL" | "info" | "skip"; detail: string }

export interface HostFacts {
  group: DocumentGroup;
  boot: BootResult;
  /** The package proxy's log lines during this host's boot. */
  proxy: Record<string, any>[];
  /** The IMDS stand-in's log lines for this host's address. */
  imds: Record<string, any>[];
  /** The DNS stand-in's log lines for this host's address (names it tried to resolve). */
  dns?: Record<string, any>[];
}

export function hostLabel(g: DocumentGroup): string {
  const d = g.boot;
  const others = g.members.length > 1 ? ` (+${g.members.slice(1).map((m) => m.resource).join(", ")})` : "";
  return `${d.app} [${d.kind}]${others}`;
}

const clip = (s: string, n = 160) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

/** The probes this foundation runs on one booted host. */
export function rowsFor(f: HostFacts): Row[] {
  const host = hostLabel(f.group);
  const b = f.boot;
  const rows: Row[] = [];
  rows.push(b.cloudInitDone
    ? { host, probe: "cloud-init finished", result: "pass", detail: `${b.cloudInitSeconds?.toFixed(1)} s from container start` }
    : { host, probe: "cloud-init finished", result: "FAIL", detail: b.bootError ?? "not finished" });
  const status = b.status?.status;
  if (status !== undefined || b.cloudInitDone) {
    const ok = status === "done" && (b.status?.extended_status ?? "done") === "done";
    rows.push({ host, probe: "cloud-init status", result: ok ? "pass" : "FAIL", detail: clip(`${status ?? "?"}${b.status?.extended_status && b.status.extended_status !== status ? ` (${b.status.extended_status})` : ""}${b.status?.detail ? `: ${b.status.detail}` : ""}`) });
  }
  const severe = Object.entries(b.recoverable).filter(([level]) => !/^DEPRECATED$/i.test(level));
  const errorCount = b.errors.length + severe.reduce((n, [, v]) => n + v.length, 0);
  rows.push({
    host, probe: "cloud-init errors", result: errorCount === 0 ? "pass" : "FAIL",
    detail: errorCount === 0 ? "none" : clip([...b.errors, ...severe.flatMap(([l, v]) => v.map((m) => `${l}: ${m}`))].join(" | "), 400),
  });
  const deprecated = Object.entries(b.recoverable).filter(([level]) => /^DEPRECATED$/i.test(level)).flatMap(([, v]) => v);
  if (deprecated.length) rows.push({ host, probe: "cloud-init deprecations", result: "info", detail: clip(deprecated.join(" | "), 300) });
  if (b.cloudInitDone || b.failedUnits.length) {
    rows.push({ host, probe: "failed units", result: b.failedUnits.length === 0 ? "pass" : "FAIL", detail: b.failedUnits.length === 0 ? `none (system ${b.systemState ?? "?"})` : b.failedUnits.map((u) => u.split(/\s+/)[0]).join(", ") });
  }
  if (b.outputProblems.length) rows.push({ host, probe: "boot output problems", result: "info", detail: clip(b.outputProblems.slice(0, 4).join(" | "), 400) });
  const renamed = ubuntuOnly(f.group.boot.userData);
  if (renamed.length) rows.push({ host, probe: "Ubuntu package names", result: "info", detail: renamed.map((r) => `${r.ubuntu} -> Debian's ${r.debian}`).join(", ") });
  const refused = f.proxy.filter((x) => x.status === 403);
  const fetched = f.proxy.filter((x) => x.status === 200);
  const hits = fetched.filter((x) => x.cache === "hit").length;
  rows.push({ host, probe: "packages via proxy", result: "info", detail: `${fetched.length} fetched (${hits} from cache), ${refused.length} refused${refused.length ? `: ${clip([...new Set(refused.map((x) => x.url))].join(", "), 200)}` : ""}` });
  const by = (s: number) => f.imds.filter((x) => x.status === s).length;
  rows.push({ host, probe: "IMDSv2 requests", result: "info", detail: `${f.imds.length} (${by(200)} ok, ${by(401)} unauthorized, ${by(404)} not found)${f.imds.length ? `; paths: ${clip([...new Set(f.imds.map((x) => x.path))].join(" "), 200)}` : ""}` });
  const names = [...new Set((f.dns ?? []).map((x) => x.name))];
  rows.push({ host, probe: "DNS names asked (refused)", result: "info", detail: names.length ? clip(names.join(" "), 300) : "none" });
  return rows;
}

/** A plain-text table, columns padded; the detail column last. */
export function renderTable(rows: Row[]): string {
  const head = { host: "host", probe: "probe", result: "result", detail: "detail" };
  const all = [head, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => String(r[k]).length));
  const wh = w("host"), wp = w("probe"), wr = w("result");
  const line = (r: typeof head) => `${r.host.padEnd(wh)} | ${r.probe.padEnd(wp)} | ${r.result.padEnd(wr)} | ${r.detail}`;
  return [line(head), `${"-".repeat(wh)}-+-${"-".repeat(wp)}-+-${"-".repeat(wr)}-+-${"-".repeat(6)}`, ...rows.map((r) => line(r as typeof head))].join("\n");
}

/** One row per host kind: the slowest boot to cloud-init done of that kind (what CI waits for). Pure. */
export function bootTimeRows(facts: HostFacts[]): Row[] {
  const kinds = new Map<string, number[]>();
  for (const f of facts) {
    if (f.boot.cloudInitSeconds === undefined) continue;
    const k = f.group.boot.kind;
    kinds.set(k, [...(kinds.get(k) ?? []), f.boot.cloudInitSeconds]);
  }
  return [...kinds].map(([kind, secs]) => ({
    host: `(${kind})`, probe: "boot to cloud-init done", result: "info" as const,
    detail: `max ${Math.max(...secs).toFixed(1)} s, min ${Math.min(...secs).toFixed(1)} s over ${secs.length} host${secs.length > 1 ? "s" : ""}`,
  }));
}
