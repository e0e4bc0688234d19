/**
 * The rehearsal's table: host | probe | result (| detail), from what a boot collected. Pure.
 * result is "pass", "FAIL" (makes the run exit non-zero), "info" (seen, not judged yet) or "skip".
 */
import { launchHookTimeoutSeconds, REHEARSED_FLEET_BOOT_SECONDS } from "../../components/boot-timing";
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
  /** The AWS API stand-in's call records from this host's address (aws-calls.jsonl). */
  aws?: Record<string, any>[];
  /** The container's /var/log/cloud-init-output.log. */
  cloudInitOutput?: string;
  /** Seconds from container start to the first healthy health check (ALB for fleets, HTTPS at the edge for single hosts). */
  healthySeconds?: number;
  /** The probes' rows (probes.ts). */
  probes?: Row[];
  /** Why this machine cannot let the host serve at all (a limit of the machine, not of the host): its serving probes become skips with this reason. */
  servingUnavailable?: string;
}

/** Serving probes: what a host that cannot start its app on this machine cannot pass. */
const SERVING = /^(healthy$|ALB health check$|forwarded |HTTPS |security headers|rate limit|TLSv1\.[23] served|joins its group when ready$)/;

/** What fails with the boot when a fleet host's bootstrap stops at its readiness check (the app never answers). */
const BOOT_OUTCOME = /^(cloud-init status|cloud-init errors|failed units|bootstrap done)$/;

/**
 * Whether the bootstrap stopped where the app's containers or processes first run: its deploy
 * step (a compose host's one-off release container starts there) or its readiness check (the
 * app never answered). The launch hook's abandon lines after the failure do not count. Pure.
 */
export function stoppedAtAppStart(app: string, output: string | undefined): boolean {
  const tag = `[${app} bootstrap] `;
  const steps = (output ?? "").split("\n").filter((l) => l.startsWith(tag)).map((l) => l.slice(tag.length));
  if (steps.includes("done")) return false;
  const last = steps.filter((x) => !/^(the bootstrap failed|launch hook |could not abandon)/.test(x)).pop();
  return last !== undefined && (last.startsWith("ready: ") || new RegExp(`^${app.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} [^ ]+$`).test(last));
}

/**
 * The container runtime's limit on a cgroup v1 machine: systemd-nspawn (without a systemd PID 1 to
 * delegate to) mounts the v1 controller hierarchies read-only, so runc inside cannot create the
 * containers' cgroups. Pure: the app unit's journal and the machine's /sys/fs/cgroup type.
 */
export function cgroupV1Limit(unitJournal: string, cgroupFsType: string): string | undefined {
  if (cgroupFsType === "cgroup2fs" || !/unable to apply cgroup configuration: mkdir \/sys\/fs\/cgroup\/\S+: read-only file system/.test(unitJournal)) return undefined;
  return "this machine has cgroup v1, which systemd-nspawn gives the container read-only: runc cannot start the pulled containers here (docs/rehearsal.md)";
}

/** Whether the bootstrap reached its last line, `[<app> bootstrap] done`, and the last step it logged. Pure. */
export function bootstrapProgress(app: string, output: string | undefined): { done: boolean; lastStep?: string } {
  const steps = (output ?? "").split("\n").map((l) => l.match(new RegExp(`^\\[${app.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} bootstrap\\] (.*)$`))?.[1]).filter((x): x is string => !!x);
  return { done: steps.includes("done"), lastStep: steps[steps.length - 1] };
}

/** The AWS probes of one host: calls per API (refused ones), secrets fetched, metrics sent. Pure. */
export function awsRows(host: string, calls: Record<string, any>[]): Row[] {
  const rows: Row[] = [];
  const api = new Map<string, { n: number; refused: Map<string, number> }>();
  for (const c of calls) {
    const k = `${c.service} ${c.action}`;
    const e = api.get(k) ?? { n: 0, refused: new Map() };
    e.n++;
    if (c.status >= 400 || c.status === 0) e.refused.set(`${c.status} ${c.error ?? ""}`.trim(), (e.refused.get(`${c.status} ${c.error ?? ""}`.trim()) ?? 0) + 1);
    api.set(k, e);
  }
  const refusedTotal = [...api.values()].reduce((n, e) => n + [...e.refused.values()].reduce((a, b) => a + b, 0), 0);
  rows.push({
    host, probe: "AWS calls", result: "info",
    detail: calls.length === 0 ? "none" : clip(`${calls.length} (${refusedTotal} refused): ` + [...api].map(([k, e]) => `${k} x${e.n}${e.refused.size ? ` [refused: ${[...e.refused].map(([why, n]) => `${why} x${n}`).join(", ")}]` : ""}`).join("; "), 600),
  });
  const unanswered = calls.filter((c) => c.unanswered);
  if (unanswered.length) rows.push({ host, probe: "AWS calls not stood in for", result: "info", detail: clip([...new Set(unanswered.map((c) => `${c.service} ${c.action}`))].join(", "), 300) });
  const secrets = calls.filter((c) => c.service === "secretsmanager" && c.action === "GetSecretValue");
  const got = [...new Set(secrets.filter((c) => c.status === 200).map((c) => c.params?.SecretId))];
  const failed = [...new Set(secrets.filter((c) => c.status !== 200).map((c) => `${c.params?.SecretId ?? "?"} (${c.error ?? c.status})`))];
  rows.push({ host, probe: "secrets fetched", result: "info", detail: secrets.length === 0 ? "none" : clip(`${got.join(", ") || "none"}${failed.length ? `; refused: ${failed.join(", ")}` : ""}`, 400) });
  const metrics = calls.filter((c) => c.service === "cloudwatch" && c.action === "PutMetricData");
  const sent = [...new Set(metrics.filter((c) => c.status === 200).flatMap((c) => (c.params?.MetricData ?? []).map((d: any) => `${c.params.Namespace} ${d.MetricName} {${(d.Dimensions ?? []).map((x: any) => `${x.Name}=${x.Value}`).join(",")}}`)))];
  const refused = metrics.filter((c) => c.status !== 200).length;
  rows.push({ host, probe: "metrics sent", result: "info", detail: metrics.length === 0 ? "none" : clip(`${sent.join("; ") || "none"}${refused ? `; ${refused} refused` : ""}`, 400) });
  return rows;
}

export function hostLabel(g: DocumentGroup): string {
  const d = g.boot;
  const others = g.members.length > 1 ? ` (+${g.members.slice(1).map((m) => m.resource).join(", ")})` : "";
  return `${d.app}${g.instance ? ` ${g.instance}` : ""} [${d.kind}]${others}`;
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
  const answered = [...new Set((f.dns ?? []).filter((x) => x.answer !== "REFUSED").map((x) => x.name))];
  const refusedNames = [...new Set((f.dns ?? []).filter((x) => x.answer === "REFUSED").map((x) => x.name))];
  rows.push({ host, probe: "DNS names asked", result: "info", detail: answered.length + refusedNames.length ? clip(`answered: ${answered.join(" ") || "none"}; refused: ${refusedNames.join(" ") || "none"}`, 400) : "none" });
  if (f.aws) rows.push(...awsRows(host, f.aws));
  if (f.cloudInitOutput !== undefined || b.cloudInitDone) {
    const p = bootstrapProgress(f.group.boot.app, f.cloudInitOutput);
    rows.push({ host, probe: "bootstrap done", result: p.done ? "pass" : "FAIL", detail: p.done ? `[${f.group.boot.app} bootstrap] done` : `stopped after: ${p.lastStep ?? "(no bootstrap output)"}` });
  }
  if (b.cloudInitDone && f.servingUnavailable) {
    rows.push({ host, probe: "healthy", result: "skip", detail: f.servingUnavailable });
  } else if (b.cloudInitDone) {
    const what = f.group.boot.kind === "fleet" ? "ALB health check" : "HTTPS health at the edge";
    rows.push({ host, probe: "healthy", result: f.healthySeconds === undefined ? "FAIL" : "pass", detail: f.healthySeconds === undefined ? `the ${what} never passed` : `${what} passed ${f.healthySeconds.toFixed(0)} s after container start` });
  }
  rows.push(...(f.probes ?? []));
  if (!f.servingUnavailable) return rows;
  // A machine that cannot run the app: its serving probes, and a boot that stopped only where the
  // app first runs (its release container, its readiness check), are skips; any other failure fails.
  const blockedBoot = stoppedAtAppStart(f.group.boot.app, f.cloudInitOutput);
  return rows.map((r) => (r.result === "FAIL" && (SERVING.test(r.probe) || (blockedBoot && BOOT_OUTCOME.test(r.probe)))
    ? { ...r, result: "skip" as const, detail: `${f.servingUnavailable}; seen: ${r.detail}` } : r));
}

/** A plain-text table, columns padded; the detail column last. */
export function renderTable(rows: Row[]): string {
  const head = { host: "host", probe: "probe", result: "result", detail: "detail" };
  const all = [head, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => String(r[k]).length));
  const wh = w("host"), wp = w("probe"), wr = w("result");
  // One line per row: details may carry an answer's body.
  const line = (r: typeof head) => `${r.host.padEnd(wh)} | ${r.probe.padEnd(wp)} | ${r.result.padEnd(wr)} | ${r.detail.replace(/\s+/g, " ")}`;
  return [line(head), `${"-".repeat(wh)}-+-${"-".repeat(wp)}-+-${"-".repeat(wr)}-+-${"-".repeat(6)}`, ...rows.map((r) => line(r as typeof head))].join("\n");
}

/** Per host kind: the slowest and fastest boot to cloud-init done and to the first healthy check. Pure. */
export function bootTimeRows(facts: HostFacts[]): Row[] {
  const rows: Row[] = [];
  const spread = (secs: number[]) => `max ${Math.max(...secs).toFixed(0)} s, min ${Math.min(...secs).toFixed(0)} s over ${secs.length} host${secs.length > 1 ? "s" : ""}`;
  for (const kind of [...new Set(facts.map((f) => f.group.boot.kind))]) {
    const of = facts.filter((f) => f.group.boot.kind === kind);
    const done = of.map((f) => f.boot.cloudInitSeconds).filter((x): x is number => x !== undefined);
    const healthy = of.map((f) => f.healthySeconds).filter((x): x is number => x !== undefined);
    if (done.length) rows.push({ host: `(${kind})`, probe: "boot to cloud-init done", result: "info", detail: spread(done) });
    rows.push({ host: `(${kind})`, probe: "boot to healthy", result: "info", detail: healthy.length ? `${spread(healthy)}${healthy.length < of.length ? `; ${of.length - healthy.length} never healthy` : ""}` : "never healthy" });
    // The fleets' launch hook timeout is derived from this figure (components/boot-timing.ts).
    const bootstrapped = of.filter((f) => bootstrapProgress(f.group.boot.app, f.cloudInitOutput).done).map((f) => f.boot.cloudInitSeconds).filter((x): x is number => x !== undefined);
    if (kind === "fleet" && bootstrapped.length) {
      const slowest = Math.max(...bootstrapped);
      rows.push({
        host: "(fleet)", probe: "boot vs the recorded figure", result: "info",
        detail: `slowest complete bootstrap ${slowest.toFixed(0)} s; components/boot-timing.ts records ${REHEARSED_FLEET_BOOT_SECONDS} s (launch hook timeout ${launchHookTimeoutSeconds()} s)${slowest > REHEARSED_FLEET_BOOT_SECONDS ? ": slower, update REHEARSED_FLEET_BOOT_SECONDS" : ""}`,
      });
    }
  }
  return rows;
}
