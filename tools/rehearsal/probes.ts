/**
 * The probes of a booted host, from outside the way the real callers send them and from inside:
 *
 *   fleet hosts   the target group's health check exactly as an ALB sends it (private address,
 *                 protocol, port, path, matcher, the ALB's User-Agent and Host), then a user's
 *                 request for every name the listener's certificates serve, forwarded as the ALB
 *                 forwards it (Host, X-Forwarded-For/Proto/Port);
 *   single hosts  users at the edge: HTTP -> HTTPS redirect, health over HTTPS, the configured
 *                 security headers on every response, the path rate limits (429 after the
 *                 configured count, not before) and the site-wide one, TLS 1.1 and older refused;
 *   every host    ports reachable from the internet and from the VPC vs every socket listening
 *                 inside; secrets only in their file (owner, mode) and never in the journal, the
 *                 process list or any file the boot wrote; migrations applied; every alarm on a
 *                 host-published metric matched by a metric the host really sent.
 *
 * Planning (`*Probes`) and judging (`judge*`) are pure; `probeHost` runs them.
 */
import * as fs from "fs";
import * as path from "path";
import { inside, RunningHost } from "./boot";
import type { Probe, ProbeResult } from "./client";
import { HostExpectations, matches } from "./expect";
import type { Row } from "./report";
import { INTERNET_NET } from "./netns";
import { runAsync } from "./sh";

/** Users on the internet: TEST-NET-3 addresses, a local route in the router namespace (netns.ts). */
export const internetSource = (n: number) => `${INTERNET_NET}.${n}`;
/** The client address the ALB forwards in X-Forwarded-For. */
export const FORWARDED_CLIENT = internetSource(50);
/** Ports probed besides whatever listens inside: SSH, the app ports, node exporter, the data stores, Docker. */
export const COMMON_PORTS = [22, 3000, 5432, 6379, 8000, 9100, 2375, 2376];

const ALB_HEALTH_HEADERS = (address: string, port: number) => ({ Host: `${address}:${port}`, "User-Agent": "ELB-HealthChecker/2.0", Connection: "close" });

export function albHealthProbe(exp: HostExpectations, address: string, source: string, id = "alb-health"): Probe {
  const hc = exp.healthCheck!;
  return { type: "http", id, address, port: hc.port, tls: hc.protocol === "HTTPS", path: hc.path, headers: ALB_HEALTH_HEADERS(address, hc.port), source, timeoutMs: hc.timeoutSeconds * 1000 };
}

export function edgeHealthProbe(exp: HostExpectations, address: string, id = "edge-health"): Probe {
  return { type: "http", id, address, port: 443, tls: true, servername: exp.names[0], path: exp.healthPath, headers: { Host: exp.names[0] }, source: internetSource(10) };
}

/** Whether a health answer proves the app: status, and the sample app's report of its database (over TLS) and cache. */
export function healthVerdict(exp: HostExpectations, r: ProbeResult, matcher = "200"): { ok: boolean; detail: string } {
  if (r.status === undefined) return { ok: false, detail: r.error ?? "no answer" };
  if (!matches(matcher, r.status)) return { ok: false, detail: `${r.status} (matcher ${matcher})${r.body ? `: ${r.body.slice(0, 120)}` : ""}` };
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(r.body ?? "{}");
  } catch {
    /* not the sample app's JSON */
  }
  const problems: string[] = [];
  if (exp.hasDatabase && body.database !== "ok") problems.push(`database ${String(body.database ?? "not reported")}`);
  if (exp.hasDatabase && body.database_tls !== true) problems.push("database session not over TLS");
  if (exp.hasCache && body.cache !== undefined && body.cache !== "ok") problems.push(`cache ${String(body.cache)}`);
  return problems.length ? { ok: false, detail: `${r.status} but ${problems.join(", ")}` } : { ok: true, detail: `${r.status}${exp.hasDatabase ? ", database over TLS" : ""}${body.cache === "ok" ? ", cache" : ""}` };
}

export function fleetProbes(exp: HostExpectations, address: string, vpcSource: string): Probe[] {
  const hc = exp.healthCheck!;
  const forwarded = (name: string) => ({ Host: name, "X-Forwarded-For": FORWARDED_CLIENT, "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443", "User-Agent": "rehearsal-user/1.0" });
  return [
    albHealthProbe(exp, address, vpcSource),
    ...exp.names.flatMap((name): Probe[] => [
      { type: "http", id: `fwd-health ${name}`, address, port: hc.port, path: exp.healthPath, headers: forwarded(name), source: vpcSource },
      { type: "http", id: `fwd-root ${name}`, address, port: hc.port, path: "/", headers: forwarded(name), source: vpcSource },
    ]),
  ];
}

const NOT_FOUND_PATH = "/rehearsal-no-such-page";

export function edgeProbes(exp: HostExpectations, address: string): Probe[] {
  const name = exp.names[0];
  const https = (id: string, p: string, source: string, extra: Partial<Probe> = {}): Probe => ({ type: "http", id, address, port: 443, tls: true, servername: name, path: p, headers: { Host: name }, source, ...extra } as Probe);
  const probes: Probe[] = [
    ...exp.names.map((n): Probe => ({ type: "http", id: `redirect ${n}`, address, port: 80, path: "/some/page?x=1", headers: { Host: n }, source: internetSource(10) })),
    edgeHealthProbe(exp, address),
    https("headers 200", exp.healthPath, internetSource(10)),
    https("headers 404", NOT_FOUND_PATH, internetSource(10)),
    https("tls TLSv1", "/", internetSource(11), { minVersion: "TLSv1", maxVersion: "TLSv1" }),
    https("tls TLSv1.1", "/", internetSource(11), { minVersion: "TLSv1.1", maxVersion: "TLSv1.1" }),
    https("tls TLSv1.2", exp.healthPath, internetSource(11), { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" }),
    https("tls TLSv1.3", exp.healthPath, internetSource(11), { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" }),
  ];
  // Each limit from its own client address, so one bucket never drains another.
  const onLimitName = { servername: exp.limitName, headers: { Host: exp.limitName } };
  exp.pathLimits.forEach((l, i) => {
    probes.push(https(`limit ${l.name} within`, l.path, internetSource(20 + i), { count: l.requests, ...onLimitName }));
    probes.push(https(`limit ${l.name} over`, l.path, internetSource(20 + i), onLimitName));
  });
  // A minute's worth of requests in a few seconds must meet the site-wide limit.
  probes.push(https("limit site-wide flood", exp.healthPath, internetSource(40), { count: exp.perIpPerMinute + 1 }));
  return probes;
}

export function portProbes(address: string, ports: number[], source: string, prefix: string): Probe[] {
  return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ type: "tcp", id: `${prefix} ${port}`, address, port, source, timeoutMs: 1500 }));
}

const header = (r: ProbeResult | undefined, k: string) => {
  const v = r?.headers?.[k];
  return Array.isArray(v) ? v.join(", ") : v;
};

export function judgeFleet(host: string, exp: HostExpectations, results: ProbeResult[]): Row[] {
  const by = new Map(results.map((r) => [r.id, r]));
  const rows: Row[] = [];
  const hc = exp.healthCheck!;
  const h = healthVerdict(exp, by.get("alb-health")!, hc.matcher);
  rows.push({ host, probe: "ALB health check", result: h.ok ? "pass" : "FAIL", detail: `${hc.protocol} :${hc.port}${hc.path} (Host ${"<ip>"}:${hc.port}, ELB-HealthChecker/2.0): ${h.detail}` });
  for (const name of exp.names) {
    const fh = healthVerdict(exp, by.get(`fwd-health ${name}`)!);
    rows.push({ host, probe: `forwarded ${name}${exp.healthPath}`, result: fh.ok ? "pass" : "FAIL", detail: fh.detail });
    const root = by.get(`fwd-root ${name}`)!;
    const loc = header(root, "location") ?? "";
    const bad = root.status === undefined || root.status >= 500 || root.status === 400 || ((root.status === 301 || root.status === 308) && loc.startsWith(`https://${name}/`));
    rows.push({ host, probe: `forwarded ${name}/`, result: bad ? "FAIL" : "pass", detail: root.status === undefined ? root.error ?? "no answer" : `${root.status}${loc ? ` -> ${loc}` : ""}${bad && root.status !== undefined && root.status < 400 ? " (redirects an HTTPS request to HTTPS: a loop behind the ALB)" : ""}` });
  }
  return rows;
}

export function judgeEdge(host: string, exp: HostExpectations, results: ProbeResult[]): Row[] {
  const by = new Map(results.map((r) => [r.id, r]));
  const rows: Row[] = [];
  for (const n of exp.names) {
    const r = by.get(`redirect ${n}`)!;
    const loc = header(r, "location");
    const ok = (r.status === 301 || r.status === 308) && loc === `https://${n}/some/page?x=1`;
    rows.push({ host, probe: `HTTP -> HTTPS ${n}`, result: ok ? "pass" : "FAIL", detail: r.status === undefined ? r.error ?? "no answer" : `${r.status}${loc ? ` -> ${loc}` : ""}` });
  }
  const h = healthVerdict(exp, by.get("edge-health")!);
  rows.push({ host, probe: `HTTPS ${exp.names[0]}${exp.healthPath}`, result: h.ok ? "pass" : "FAIL", detail: h.detail });
  for (const id of ["headers 200", "headers 404"]) {
    const r = by.get(id)!;
    const missing = Object.entries(exp.headers).filter(([k, v]) => header(r, k) !== v).map(([k]) => `${k}${header(r, k) === undefined ? " missing" : ` = ${header(r, k)}`}`);
    rows.push({ host, probe: `security headers on a ${id.split(" ")[1]}${r.status !== undefined && String(r.status) !== id.split(" ")[1] ? ` (got ${r.status})` : ""}`, result: r.status !== undefined && missing.length === 0 ? "pass" : "FAIL", detail: missing.length ? missing.join("; ") : `all ${Object.keys(exp.headers).length} as configured` });
  }
  for (const v of ["TLSv1", "TLSv1.1"]) {
    const r = by.get(`tls ${v}`)!;
    rows.push({ host, probe: `${v} refused`, result: r.status === undefined && !/NO_PROTOCOLS_AVAILABLE/.test(r.error ?? "") ? "pass" : "FAIL", detail: r.status === undefined ? r.error ?? "" : `accepted (${r.protocol})` });
  }
  for (const v of ["TLSv1.2", "TLSv1.3"]) {
    const r = by.get(`tls ${v}`)!;
    rows.push({ host, probe: `${v} served`, result: r.protocol === v ? "pass" : "FAIL", detail: r.status === undefined ? r.error ?? "" : `${r.status} over ${r.protocol}` });
  }
  for (const l of exp.pathLimits) {
    const within = by.get(`limit ${l.name} within`)!;
    const over = by.get(`limit ${l.name} over`)!;
    const early = (within.statuses ?? []).findIndex((s) => s === 429);
    const ok = !within.error && early < 0 && (within.statuses ?? []).length === l.requests && over.status === 429;
    rows.push({ host, probe: `rate limit ${l.name} (${l.requests}/${l.windowSeconds}s ${exp.limitName}${l.path})`, result: ok ? "pass" : "FAIL", detail: within.error ? within.error : early >= 0 ? `429 at request ${early + 1}, before the configured ${l.requests}` : `${l.requests} answered (${[...new Set(within.statuses)].join(",")}), then ${over.status ?? over.error}` });
  }
  const flood = by.get("limit site-wide flood")!;
  const first429 = (flood.statuses ?? []).indexOf(429);
  const okFlood = first429 >= 10;
  rows.push({ host, probe: `rate limit site-wide (${exp.perIpPerMinute}/min)`, result: okFlood ? "pass" : "FAIL", detail: flood.error ? flood.error : first429 < 0 ? `no 429 in ${flood.statuses?.length} requests sent within seconds` : `first 429 at request ${first429 + 1} of ${exp.perIpPerMinute + 1}` });
  return rows;
}

/** Reachability: from the internet only `exp.internetPorts`; from the VPC the target port (fleets). Pure. */
export function judgePorts(host: string, exp: HostExpectations, results: ProbeResult[], listening: number[]): Row[] {
  const open = (prefix: string) => results.filter((r) => r.id.startsWith(`${prefix} `) && r.open).map((r) => Number(r.id.split(" ")[1]));
  const fromInternet = open("internet");
  const unexpected = fromInternet.filter((p) => !exp.internetPorts.includes(p));
  const missing = exp.internetPorts.filter((p) => !fromInternet.includes(p));
  const rows: Row[] = [{
    host, probe: "ports from the internet", result: unexpected.length || missing.length ? "FAIL" : "pass",
    detail: `open: ${fromInternet.join(", ") || "none"}${unexpected.length ? `; should be closed: ${unexpected.join(", ")}` : ""}${missing.length ? `; should be open: ${missing.join(", ")}` : ""} (listening inside: ${listening.join(", ") || "none"})`,
  }];
  if (exp.healthCheck) {
    const fromVpc = open("vpc");
    rows.push({ host, probe: "ports from the VPC", result: fromVpc.includes(exp.healthCheck.port) ? "pass" : "FAIL", detail: `open: ${fromVpc.join(", ") || "none"} (the target port ${exp.healthCheck.port} must be)` });
  }
  return rows;
}

/** TCP ports listening on a non-loopback address inside the host, from /proc/net/tcp and tcp6 (state 0A). Pure. */
export function listeningPorts(procNetTcp: string): number[] {
  const ports = new Set<number>();
  for (const line of procNetTcp.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== "0A" || !f[1].includes(":")) continue;
    const [addr, port] = f[1].split(":");
    const loopback = addr.length === 8 ? addr.slice(6).toUpperCase() === "7F" : addr === "00000000000000000000000001000000" || /^0{16}FFFF0000[0-9A-F]{6}7F$/i.test(addr);
    if (loopback) continue;
    ports.add(parseInt(port, 16));
  }
  return [...ports].sort((a, b) => a - b);
}

/** Which secrets appear in a text (by name; the values are never reported). Pure. */
export function leakedSecrets(exp: HostExpectations, text: string): string[] {
  return exp.secrets.filter((s) => s.values.some((v) => text.includes(v))).map((s) => s.name);
}

/** Files under the overlay's upper directory (everything the boot wrote) holding a secret value, except the secrets file. */
export function filesWithSecrets(upper: string, exp: HostExpectations): { file: string; secrets: string[] }[] {
  const out: { file: string; secrets: string[] }[] = [];
  const values = exp.secrets.flatMap((s) => s.values.map((v) => ({ name: s.name, v: Buffer.from(v) })));
  if (values.length === 0 || !fs.existsSync(upper)) return out;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const rel = "/" + path.relative(upper, p);
        if (rel === exp.secretsFile.path || exp.secretStatePaths.some((p) => rel.startsWith(p))) continue;
        const st = fs.statSync(p);
        if (st.size > 64 * 1024 * 1024) continue;
        const buf = fs.readFileSync(p);
        const hit = [...new Set(values.filter((x) => buf.includes(x.v)).map((x) => x.name))];
        if (hit.length) out.push({ file: rel, secrets: hit });
      }
    }
  };
  walk(upper);
  return out;
}

export interface DataHandle { address: string; port: number; dbName: string; username: string; password: string; netns: string }

export async function migrationRow(host: string, db: DataHandle): Promise<Row> {
  const q = "SELECT (SELECT count(*) FROM django_migrations WHERE app = 'probe') || ' ' || coalesce(to_regclass('public.probe_visit')::text, '-')";
  const r = await runAsync("ip", ["netns", "exec", db.netns, "env", `PGPASSWORD=${db.password}`, "PGCONNECT_TIMEOUT=5", "psql", "-X", "-At",
    `host=${db.address} port=${db.port} dbname=${db.dbName} user=${db.username} sslmode=require`, "-c", q]);
  const [count, table] = r.stdout.trim().split(" ");
  const ok = r.code === 0 && Number(count) > 0 && table === "probe_visit";
  return { host, probe: "migrations applied", result: ok ? "pass" : "FAIL", detail: r.code !== 0 ? `database: ${(r.stderr.split("\n").find((l) => /ERROR|FATAL|error/.test(l)) ?? r.stderr.trim()).slice(0, 160)}` : `${count} migrations of app probe recorded; table ${table}` };
}

/** Alarms on host-published metrics vs the PutMetricData calls the host really made. Pure. */
export function alarmRows(host: string, exp: HostExpectations, calls: Record<string, any>[]): Row[] {
  const sent = calls.filter((c) => c.service === "cloudwatch" && c.action === "PutMetricData" && c.status === 200)
    .flatMap((c) => (c.params?.MetricData ?? []).map((d: any) => ({ namespace: String(c.params.Namespace), metric: String(d.MetricName), dims: Object.fromEntries((d.Dimensions ?? []).map((x: any) => [x.Name, x.Value])) as Record<string, string> })));
  return exp.hostAlarms.map((a) => {
    const label = `alarm ${a.alarm}: ${a.namespace} ${a.metric} {${Object.entries(a.dimensions).map(([k, v]) => `${k}=${v}`).join(",")}}`;
    if (exp.logFilterMetrics.includes(a.metric)) return { host, probe: label, result: "skip" as const, detail: "fed by a log metric filter on the logs the CloudWatch agent ships; the agent is a recorder here (docs/rehearsal.md)" };
    const same = (x: { namespace: string; metric: string; dims: Record<string, string> }) => x.namespace === a.namespace && x.metric === a.metric
      && Object.keys(x.dims).length === Object.keys(a.dimensions).length && Object.entries(a.dimensions).every(([k, v]) => x.dims[k] === v);
    const hit = sent.find(same);
    const near = sent.find((x) => x.metric === a.metric);
    return { host, probe: label, result: hit ? "pass" as const : "FAIL" as const, detail: hit ? "sent by the host" : near ? `the host sent ${near.namespace} ${near.metric} {${Object.entries(near.dims).map(([k, v]) => `${k}=${v}`).join(",")}}` : "never sent by the host" };
  });
}

/**
 * The release the host unpacked: only after the artifact's sha256 matched the `.sha256` beside
 * it; a refusal (the deploy's "not installed: ... has sha256 X, but ... says Y") fails. Pure.
 */
export function artifactRow(host: string, exp: HostExpectations, bootOutput: string, installed: boolean): Row[] {
  if (!exp.artifactVersion) return [];
  const refused = bootOutput.split("\n").find((l) => l.startsWith(`${exp.app} ${exp.artifactVersion} not installed: `));
  if (refused) return [{ host, probe: "artifact verified", result: "FAIL", detail: `refused, nothing unpacked${installed ? " (yet a release is installed!)" : ""}: ${refused.slice(refused.indexOf(": ") + 2, 300)}` }];
  return [{ host, probe: "artifact verified", result: installed ? "pass" : "FAIL", detail: installed ? `release ${exp.artifactVersion} unpacked after its sha256 matched the .sha256 beside it` : `release ${exp.artifactVersion} is not installed` }];
}

/** A fleet host joins its group only through the launch hook, once, with CONTINUE. Pure. */
export function launchHookRow(host: string, exp: HostExpectations, calls: Record<string, any>[]): Row[] {
  if (!exp.launchHook) return [];
  const { group, hook } = exp.launchHook;
  const completions = calls.filter((c) => c.service === "autoscaling" && c.action === "CompleteLifecycleAction");
  const accepted = completions.filter((c) => c.status === 200);
  const results = accepted.map((c) => String(c.params?.LifecycleActionResult));
  const ok = accepted.length === 1 && results[0] === "CONTINUE" && accepted[0].params?.LifecycleHookName === hook && accepted[0].params?.AutoScalingGroupName === group;
  const detail = ok
    ? `CONTINUE for ${hook} of ${group}, after the bootstrap's own health check`
    : completions.length === 0 ? `never completed ${hook} of ${group}: the group would abandon it after the hook's timeout`
      : completions.map((c) => `${c.params?.LifecycleActionResult} ${c.params?.LifecycleHookName}/${c.params?.AutoScalingGroupName}: ${c.status}${c.error ? ` ${c.error}` : ""}${c.authz ? ` (${c.authz})` : ""}`).join("; ");
  return [{ host, probe: "joins its group when ready", result: ok ? "pass" : "FAIL", detail }];
}

export interface ProbeContext {
  router: string;
  /** The VPC-side source (the subnet router's address), as an ALB node in the VPC. */
  vpcSource: string;
  expectations: HostExpectations;
  database?: DataHandle;
  runJs: string;
  clientTs: string;
}

export async function runClient(ctx: Pick<ProbeContext, "router" | "runJs" | "clientTs">, probes: Probe[], dir: string, name: string): Promise<ProbeResult[]> {
  const spec = path.join(dir, `probes-${name}.json`);
  fs.writeFileSync(spec, JSON.stringify(probes, null, 1));
  const r = await runAsync("ip", ["netns", "exec", ctx.router, process.execPath, ctx.runJs, ctx.clientTs, spec]);
  fs.writeFileSync(path.join(dir, `probes-${name}-results.json`), r.stdout || r.stderr);
  try {
    return JSON.parse(r.stdout) as ProbeResult[];
  } catch {
    return probes.map((p) => ({ id: p.id, error: `probe client failed: ${r.stderr.trim().slice(0, 200)}` }));
  }
}

/** Every probe of one running host (called while the container still runs). */
export async function probeHost(h: RunningHost, label: string, ctx: ProbeContext): Promise<Row[]> {
  const exp = ctx.expectations;
  const addr = h.net.address;
  const rows: Row[] = [];
  // Inside first: what listens, the secrets file.
  const tcpTables = await inside(h.leader, ["cat", "/proc/net/tcp", "/proc/net/tcp6"]);
  const listening = listeningPorts(tcpTables.stdout);
  const http = await runClient(ctx, exp.kind === "fleet" ? fleetProbes(exp, addr, ctx.vpcSource) : edgeProbes(exp, addr), h.hostDir, "http");
  rows.push(...(exp.kind === "fleet" ? judgeFleet(label, exp, http) : judgeEdge(label, exp, http)));
  const ports = [...COMMON_PORTS, ...listening, 80, 443];
  const tcp = await runClient(ctx, [...portProbes(addr, ports, internetSource(60), "internet"), ...(exp.healthCheck ? portProbes(addr, ports, ctx.vpcSource, "vpc") : [])], h.hostDir, "ports");
  rows.push(...judgePorts(label, exp, tcp, listening));

  if (exp.secrets.length) {
    const st = await inside(h.leader, ["stat", "-c", "%a %U", exp.secretsFile.path]);
    const want = `${exp.secretsFile.mode} ${exp.secretsFile.owner}`;
    rows.push({ host: label, probe: "secrets file", result: st.stdout.trim() === want ? "pass" : "FAIL", detail: `${exp.secretsFile.path}: ${st.stdout.trim() || st.stderr.trim()} (want mode ${exp.secretsFile.mode}, owner ${exp.secretsFile.owner})` });
    const journal = await inside(h.leader, ["journalctl", "-b", "-o", "cat", "--no-pager"], 120);
    const procs = await inside(h.leader, ["sh", "-c", "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' <\"$f\"; echo; done 2>/dev/null"]);
    const where = [
      ...leakedSecrets(exp, journal.stdout).map((n) => `journal: ${n}`),
      ...leakedSecrets(exp, procs.stdout).map((n) => `process list: ${n}`),
      ...filesWithSecrets(path.join(h.hostDir, "upper"), exp).map((f) => `${f.file}: ${f.secrets.join(", ")}`),
    ];
    rows.push({ host: label, probe: "secrets only in their file", result: where.length ? "FAIL" : "pass", detail: where.length ? where.join("; ").slice(0, 400) : `${exp.secrets.length} secrets: none in the journal, the process list or the ${"files the boot wrote"}` });
  }
  if (exp.migrations && ctx.database) rows.push(await migrationRow(label, ctx.database));
  if (exp.artifactVersion) {
    const output = path.join(h.merged, "var/log/cloud-init-output.log");
    const installed = fs.existsSync(path.join(h.merged, "srv", exp.app, "releases", exp.artifactVersion, ".installed"));
    rows.push(...artifactRow(label, exp, fs.existsSync(output) ? fs.readFileSync(output, "utf8") : "", installed));
  }
  const unit = await inside(h.leader, ["journalctl", "-b", "-u", `${exp.app}.service`, "--no-pager", "-n", "200"]);
  fs.writeFileSync(path.join(h.hostDir, `journal-${exp.app}.service.txt`), unit.stdout + unit.stderr);
  // The unit writes the app's own output to its log file, not the journal.
  const appLog = path.join(h.merged, "var/log", exp.app, "app.log");
  if (fs.existsSync(appLog)) fs.writeFileSync(path.join(h.hostDir, "app.log"), fs.readFileSync(appLog, "utf8").slice(-20000));
  return rows;
}
