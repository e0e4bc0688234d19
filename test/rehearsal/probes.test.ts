/**
 * The rehearsal's probes, judged on answers made up here (each verdict seen both ways), and the
 * expectations read from the real staging stack: the target group's health check, the
 * listener's names, the configured headers and limits, the app's secrets and alarms.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { recordStack, Recording } from "../harness";
import { artifactOf, secretsFromRecording } from "../../tools/rehearsal/aws/plan";
import { expectationsFor, HostExpectations, matches, secretValues, stackConfigOf } from "../../tools/rehearsal/expect";
import { hostDocuments } from "../../tools/rehearsal/hostdocs";
import { rotatedSecretString, rotates } from "../../tools/rehearsal/rotation";
import { dataAddress, inParallel } from "../../tools/rehearsal/index";
import {
  artifactRow, launchHookRow,
  alarmRows, edgeProbes, filesWithSecrets, fleetProbes, healthVerdict, judgeEdge, judgeFleet, judgePorts, leakedSecrets, listeningPorts,
} from "../../tools/rehearsal/probes";
import type { ProbeResult } from "../../tools/rehearsal/client";
import { bootTimeRows } from "../../tools/rehearsal/report";
import { launchHookTimeoutSeconds, REHEARSED_FLEET_BOOT_SECONDS } from "../../components/boot-timing";
import { applyBreaks, artifactBreaks, fleetBreaks, selfTestRows, singleHostBreaks, TAMPERED_MARK } from "../../tools/rehearsal/self-test";
import { layoutObjects, objectPath } from "../../tools/rehearsal/aws/objects";

let rec: Recording;
let byApp: (app: string) => HostExpectations;
beforeAll(async () => {
  rec = await recordStack("staging");
  const config = stackConfigOf("staging");
  const docs = hostDocuments(rec);
  const secrets = secretsFromRecording(rec);
  byApp = (app) => expectationsFor(rec, config, docs.find((d) => d.app === app)!, secrets);
}, 60000);

describe("expectations from the staging stack", () => {
  test("a fleet host: the target group's health check, the listener certificate's names", () => {
    const e = byApp("avanii-shop");
    expect(e.kind).toBe("fleet");
    expect(e.healthCheck).toMatchObject({ path: "/healthz", port: 80, protocol: "HTTP", matcher: "200", healthyThreshold: 2, intervalSeconds: 15 });
    expect(e.names.length).toBeGreaterThan(0);
    for (const n of e.names) expect(n).toMatch(/avanii/);
    expect(e.internetPorts).toEqual([]);
    expect(e.migrations).toBe(false); // flask: no framework migrations
    expect(byApp("investment-platform")).toMatchObject({ kind: "fleet", runtime: "django", migrations: true, hasCache: true });
  });

  test("a single host: the configured headers and limits, 80 and 443 only, its secrets and alarms", () => {
    const e = byApp("smartboostpro");
    expect(e.kind).toBe("single-host");
    expect(e.healthCheck).toBeUndefined();
    expect(e.internetPorts).toEqual([80, 443]);
    expect(e.headers["x-content-type-options"]).toBe("nosniff");
    expect(e.headers["strict-transport-security"]).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    expect(e.pathLimits).toEqual([{ name: "login", path: "/accounts/login/", requests: 10, windowSeconds: 60 }]);
    expect(e.secrets.map((s) => s.name).sort()).toEqual(["staging/smartboostpro/DATABASE", "staging/smartboostpro/DJANGO_SECRET_KEY", "staging/smartboostpro/postgres/master"]);
    // The database secret's password is secret; its host name is not.
    const db = e.secrets.find((s) => s.name.endsWith("/DATABASE"))!;
    expect(db.values.length).toBeGreaterThan(0);
    expect(db.values.some((v) => v.includes("rds.amazonaws.com") && !v.includes("@"))).toBe(false);
    expect(e.hostAlarms.map((a) => a.metric)).toEqual(expect.arrayContaining(["CertificateDaysToExpiry", "NginxUpstreamDown"]));
    expect(e.logFilterMetrics).toContain("NginxUpstreamDown");
    expect([e.names, e.limitName]).toEqual([["staging.smartboostpro.com"], "staging.smartboostpro.com"]);
    // FlashBill's SPA is at the domain; its login is the API's, on its own name.
    expect(byApp("flashbill")).toMatchObject({ names: ["staging.flashbill.app", "api.staging.flashbill.app"], limitName: "api.staging.flashbill.app" });
  });

  test("a data stand-in's address lies in the plan's isolated data subnet", () => {
    expect(dataAddress(rec, "aws:rds/subnetGroup:SubnetGroup", "dbSubnetGroupName", "smartboostpro-db", "10.20.0.0/16", 0)).toBe("10.20.128.20");
    expect(dataAddress(rec, "aws:elasticache/subnetGroup:SubnetGroup", "subnetGroupName", "flashbill-cache", "10.20.0.0/16", 3)).toBe("10.20.128.23");
  });
});

describe("verdicts", () => {
  const edge = () => byApp("smartboostpro");
  const okHealth = (id: string): ProbeResult => ({ id, status: 200, body: JSON.stringify({ database: "ok", database_tls: true }), headers: {} });

  test("ALB matchers: single codes, lists and ranges", () => {
    expect(matches("200", 200)).toBe(true);
    expect(matches("200", 204)).toBe(false);
    expect(matches("200-299", 204)).toBe(true);
    expect(matches("200,302", 302)).toBe(true);
  });

  test("health proves the database over TLS, not just a 200", () => {
    const e = edge();
    expect(healthVerdict(e, okHealth("x")).ok).toBe(true);
    expect(healthVerdict(e, { id: "x", status: 200, body: JSON.stringify({ database: "ok", database_tls: false }) }).ok).toBe(false);
    expect(healthVerdict(e, { id: "x", status: 503, body: "{}" }).ok).toBe(false);
    expect(healthVerdict(e, { id: "x", error: "ECONNREFUSED" })).toEqual({ ok: false, detail: "ECONNREFUSED" });
  });

  function edgeResults(e: HostExpectations, change: (r: ProbeResult) => ProbeResult = (r) => r): ProbeResult[] {
    const headers = Object.fromEntries(Object.entries(e.headers));
    return edgeProbes(e, "10.0.0.10").map((p) => {
      const base: ProbeResult = { id: p.id, status: 200, headers, body: JSON.stringify({ database: "ok", database_tls: true }), protocol: "TLSv1.2" };
      if (p.id.startsWith("redirect ")) return change({ id: p.id, status: 301, headers: { location: `https://${p.id.slice(9)}/some/page?x=1` } });
      if (p.id === "tls TLSv1" || p.id === "tls TLSv1.1") return change({ id: p.id, error: "EPROTO tlsv1 alert protocol version" });
      if (p.id === "tls TLSv1.3") return change({ ...base, protocol: "TLSv1.3" });
      if (p.id.endsWith(" within")) return change({ id: p.id, statuses: Array(p.type === "http" ? p.count : 0).fill(200) });
      if (p.id.endsWith(" over")) return change({ id: p.id, status: 429 });
      if (p.id === "limit site-wide flood") return change({ id: p.id, statuses: [...Array(100).fill(200), 429] });
      if (p.id === "headers 404") return change({ ...base, status: 404 });
      return change(base);
    });
  }

  test("a host that does everything right passes every edge probe", () => {
    const rows = judgeEdge("h", edge(), edgeResults(edge()));
    expect(rows.filter((r) => r.result !== "pass")).toEqual([]);
    expect(rows.map((r) => r.probe)).toEqual(expect.arrayContaining(["TLSv1.1 refused", "security headers on a 404", "rate limit login (10/60s staging.smartboostpro.com/accounts/login/)"]));
  });

  test("each edge fault fails its own probe", () => {
    const e = edge();
    const failing = (change: (r: ProbeResult) => ProbeResult) => judgeEdge("h", e, edgeResults(e, change)).filter((r) => r.result === "FAIL").map((r) => r.probe);
    // A header missing on error pages only (nginx add_header without `always`).
    expect(failing((r) => (r.id === "headers 404" ? { ...r, headers: { ...r.headers, "x-content-type-options": undefined } } : r))).toEqual(["security headers on a 404"]);
    expect(failing((r) => (r.id === "tls TLSv1.1" ? { id: r.id, status: 200, protocol: "TLSv1.1" } : r))).toEqual(["TLSv1.1 refused"]);
    // Refused by this side's OpenSSL is no proof the server refuses.
    expect(failing((r) => (r.id === "tls TLSv1" ? { id: r.id, error: "ERR_SSL_NO_PROTOCOLS_AVAILABLE" } : r))).toEqual(["TLSv1 refused"]);
    expect(failing((r) => (r.id === "limit login within" ? { ...r, statuses: [200, 200, 429] } : r))).toEqual(["rate limit login (10/60s staging.smartboostpro.com/accounts/login/)"]);
    expect(failing((r) => (r.id === "limit login over" ? { ...r, status: 200 } : r))).toEqual(["rate limit login (10/60s staging.smartboostpro.com/accounts/login/)"]);
    expect(failing((r) => (r.id === "limit site-wide flood" ? { ...r, statuses: Array(601).fill(200) } : r))).toEqual(["rate limit site-wide (600/min)"]);
    expect(failing((r) => (r.id.startsWith("redirect ") ? { ...r, status: 200, headers: {} } : r)).every((p) => p.startsWith("HTTP -> HTTPS"))).toBe(true);
  });

  test("fleet: the ALB's check and forwarded requests; an HTTPS-to-HTTPS redirect behind the ALB is a loop", () => {
    const e = byApp("avanii-shop");
    const results = fleetProbes(e, "10.0.64.10", "10.0.64.1").map((p): ProbeResult => (p.id.startsWith("fwd-root") ? { id: p.id, status: 200, headers: {} } : okHealth(p.id)));
    expect(judgeFleet("h", e, results).filter((r) => r.result !== "pass")).toEqual([]);
    const loop = results.map((r) => (r.id.startsWith("fwd-root") ? { ...r, status: 301, headers: { location: `https://${r.id.split(" ")[1]}/` } } : r));
    expect(judgeFleet("h", e, loop).filter((r) => r.result === "FAIL").length).toBe(e.names.length);
    const hostRefused = results.map((r) => (r.id === "alb-health" ? { ...r, status: 400, body: "Bad Request (400)" } : r));
    expect(judgeFleet("h", e, hostRefused).find((r) => r.probe === "ALB health check")!.result).toBe("FAIL");
  });

  test("ports: anything but 80 and 443 open to the internet fails a single host; a fleet host needs its target port from the VPC", () => {
    const e = edge();
    const open = (ports: number[], prefix = "internet") => ports.map((p) => ({ id: `${prefix} ${p}`, open: true }));
    expect(judgePorts("h", e, open([80, 443]), [80, 443])[0].result).toBe("pass");
    expect(judgePorts("h", e, open([80, 443, 9100]), [80, 443, 9100])[0]).toMatchObject({ result: "FAIL", detail: expect.stringContaining("should be closed: 9100") });
    const f = byApp("avanii-shop");
    expect(judgePorts("h", f, [...open([80], "vpc")], [80]).map((r) => r.result)).toEqual(["pass", "pass"]);
    expect(judgePorts("h", f, [...open([80]), ...open([80], "vpc")], [80])[0].result).toBe("FAIL");
    expect(judgePorts("h", f, [], [80])[1].result).toBe("FAIL");
  });

  test("listening sockets from /proc/net/tcp{,6}: loopback ones are left out", () => {
    const table = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 1",
      "   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2",
      "   2: 0A00140A:238C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3",
      "   3: 0A00140A:0050 0A000001:C350 01 00000000:00000000 00:00000000 00000000     0        0 4",
      "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 0 0 0 0 0",
      "   1: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 0 0 0 0 0",
    ].join("\n");
    expect(listeningPorts(table)).toEqual([80, 443, 9100]);
  });

  test("secrets: found in a text or a file by value, reported by name only; the secrets file itself is allowed", () => {
    const e = edge();
    const key = e.secrets.find((s) => s.name.endsWith("/DJANGO_SECRET_KEY"))!;
    const value = key.values[0];
    expect(leakedSecrets(e, `log line ${value} end`)).toEqual([key.name]);
    expect(leakedSecrets(e, "nothing here")).toEqual([]);
    const upper = fs.mkdtempSync(path.join(os.tmpdir(), "reh-upper-"));
    try {
      fs.mkdirSync(path.join(upper, "etc/smartboostpro"), { recursive: true });
      fs.mkdirSync(path.join(upper, "var/log"), { recursive: true });
      fs.writeFileSync(path.join(upper, "etc/smartboostpro/secrets.env"), `X='${value}'\n`);
      expect(filesWithSecrets(upper, e)).toEqual([]);
      fs.writeFileSync(path.join(upper, "var/log/cloud-init-output.log"), `X='${value}'\n`);
      expect(filesWithSecrets(upper, e)).toEqual([{ file: "/var/log/cloud-init-output.log", secrets: [key.name] }]);
    } finally {
      fs.rmSync(upper, { recursive: true, force: true });
    }
    expect(secretValues({ secretString: JSON.stringify({ host: "db.example", port: 5432, username: "app", password: "p".repeat(24) }) })).toEqual(["p".repeat(24)]);
    expect(secretValues({ secretString: "short" })).toEqual([]);
  });

  test("alarms: a host-published metric must have been sent with the alarm's namespace and dimensions; log-fed ones are skipped", () => {
    const e = edge();
    const call = (dims: { Name: string; Value: string }[]) => ({ service: "cloudwatch", action: "PutMetricData", status: 200, params: { Namespace: "WebappPlatform/Host", MetricData: [{ MetricName: "CertificateDaysToExpiry", Dimensions: dims }] } });
    const row = (calls: Record<string, any>[]) => alarmRows("h", e, calls).find((r) => r.probe.includes("CertificateDaysToExpiry"))!;
    expect(row([call([{ Name: "App", Value: "smartboostpro" }])].map((c) => c)).result).toBe("pass");
    expect(row([call([{ Name: "App", Value: "other" }])]).result).toBe("FAIL");
    expect(row([call([{ Name: "App", Value: "smartboostpro" }, { Name: "Host", Value: "x" }])]).result).toBe("FAIL");
    expect(row([]).result).toBe("FAIL");
    expect(alarmRows("h", e, []).find((r) => r.probe.includes("NginxUpstreamDown"))!.result).toBe("skip");
  });
});

test("boot times per host kind, with hosts that never became healthy counted", () => {
  const fact = (kind: "fleet" | "single-host", done?: number, healthy?: number) => ({
    group: { boot: { kind, app: "a" } } as any, boot: { cloudInitDone: done !== undefined, cloudInitSeconds: done, errors: [], recoverable: {}, failedUnits: [], outputProblems: [], files: [] }, proxy: [], imds: [], healthySeconds: healthy,
  });
  const rows = bootTimeRows([fact("fleet", 50, 75), fact("fleet", 60), fact("single-host", 40, 45)]);
  expect(rows.find((r) => r.host === "(fleet)" && r.probe === "boot to healthy")!.detail).toBe("max 75 s, min 75 s over 1 host; 1 never healthy");
  expect(rows.find((r) => r.host === "(single-host)" && r.probe === "boot to healthy")!.detail).toBe("max 45 s, min 45 s over 1 host");
  // Complete fleet bootstraps are shown against the figure the launch hook's timeout comes from.
  const withOutput = (done: number, output: string) => ({ ...fact("fleet", done, done + 10), group: { boot: { kind: "fleet", app: "a" } } as any, cloudInitOutput: output });
  const figure = (fs: ReturnType<typeof withOutput>[]) => bootTimeRows(fs).find((r) => r.probe === "boot vs the recorded figure")?.detail;
  expect(figure([withOutput(40, "[a bootstrap] done\n"), withOutput(170, "[a bootstrap] ready: x\n")])).toBe(`slowest complete bootstrap 40 s; components/boot-timing.ts records ${REHEARSED_FLEET_BOOT_SECONDS} s (launch hook timeout ${launchHookTimeoutSeconds()} s)`);
  expect(figure([withOutput(REHEARSED_FLEET_BOOT_SECONDS + 9, "[a bootstrap] done\n")])).toMatch(/: slower, update REHEARSED_FLEET_BOOT_SECONDS$/);
});

test("inParallel runs at most `limit` at once and every item once", async () => {
  let running = 0;
  let peak = 0;
  const seen: number[] = [];
  await inParallel([1, 2, 3, 4, 5], 2, async (x) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 10));
    seen.push(x);
    running--;
  });
  expect(peak).toBe(2);
  expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
});

describe("self-test breaks", () => {
  test("every break applies to the real staging documents and changes only what it names", () => {
    const docs = hostDocuments(rec);
    const single = docs.find((d) => d.app === "smartboostpro")!;
    const broken = applyBreaks(single, singleHostBreaks("smartboostpro", 8000));
    expect(broken.hash).not.toBe(single.hash);
    expect(broken.userData).not.toMatch(/add_header X-Content-Type-Options/);
    expect(broken.userData).toMatch(/--bind 0\.0\.0\.0:8000/);
    expect(broken.userData).toMatch(/ufw allow 8000\/tcp/);
    expect(broken.userData).toMatch(/mv -f "\$tmp" "\$OUT"\n\s+cat "\$OUT"/);
    // Line by line, the copy differs from the original only in the broken lines.
    const changed = broken.userData.split("\n").filter((l) => !single.userData.split("\n").includes(l));
    expect(changed.length).toBeLessThanOrEqual(6);
    const fleet = docs.find((d) => d.app === "investment-platform")!;
    const brokenFleet = applyBreaks(fleet, fleetBreaks("investment-platform")).userData;
    expect(brokenFleet).toMatch(/^\s+HEALTH_CHECK_PATH='\/moved-health\/'$/m);
    expect(brokenFleet).not.toMatch(/call_command\("migrate"/);
    expect(() => applyBreaks(fleet, [{ what: "x", probe: "p", find: /no such line/m, replace: "" }])).toThrow(/no longer matches/);

    // The tampered copy fetches another key of the same prefix, which the S3 stand-in serves changed.
    const shop = docs.find((d) => d.app === "avanii-shop")!;
    const tampered = applyBreaks(shop, artifactBreaks("avanii-shop"));
    const original = artifactOf(shop)!;
    const record = artifactOf(tampered)!;
    expect(record).toMatchObject({ bucket: original.bucket, version: "1.2.0", tampered: true, key: `avanii-shop/1.2.0${TAMPERED_MARK}.tar.gz` });
    expect(original.tampered).toBeUndefined();
    expect(tampered.userData.split("\n").filter((l) => !shop.userData.split("\n").includes(l))).toHaveLength(1);
  });

  test("the tampered artifact is served with the checksum of the untampered one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tampered-"));
    try {
      const file = path.join(dir, "a.tar.gz");
      fs.writeFileSync(file, "release bytes");
      const sha256 = require("crypto").createHash("sha256").update("release bytes").digest("hex");
      const record = (key: string, tampered?: boolean) => ({ app: "a", bucket: "b", key, version: "1", kind: "python" as const, ...(tampered ? { tampered } : {}) });
      const root = layoutObjects(path.join(dir, "aws"), [{ record: record("a/1.tar.gz"), file, sha256 }, { record: record(`a/1${TAMPERED_MARK}.tar.gz`, true), file, sha256 }], []);
      const read = (key: string) => fs.readFileSync(objectPath(root, "b", key)!);
      expect(read("a/1.tar.gz").toString()).toBe("release bytes");
      expect(read(`a/1${TAMPERED_MARK}.tar.gz`).equals(Buffer.from("release bytes"))).toBe(false);
      expect(read(`a/1${TAMPERED_MARK}.tar.gz.sha256`).toString()).toBe(`${sha256}  1${TAMPERED_MARK}.tar.gz\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the artifact probe passes on an unpacked release and fails on a refusal", () => {
    const exp = { app: "a", artifactVersion: "1.2.0" } as HostExpectations;
    const refusal = "a 1.2.0 not installed: s3://b/a/1.2.0.tar.gz has sha256 00, but s3://b/a/1.2.0.tar.gz.sha256 says 11";
    expect(artifactRow("h", exp, "x\n", true)[0]).toMatchObject({ probe: "artifact verified", result: "pass" });
    expect(artifactRow("h", exp, `x\n${refusal}\n`, false)[0]).toMatchObject({ result: "FAIL", detail: expect.stringContaining("has sha256 00, but") });
    expect(artifactRow("h", exp, "", false)[0].result).toBe("FAIL");
    expect(artifactRow("h", { app: "a" } as HostExpectations, "", false)).toEqual([]);
  });

  test("a break passes the self-test only when its probe failed on its host", () => {
    const breaks = [{ host: "a", breaks: singleHostBreaks("a", 8000).slice(0, 1) }];
    const row = (result: "pass" | "FAIL") => ({ host: "a", probe: "security headers on a 200", result, detail: "d" });
    const healthy = { host: "a", probe: "healthy", result: "pass" as const, detail: "" };
    expect(selfTestRows(breaks, [row("FAIL"), healthy], ["a"]).map((r) => r.result)).toEqual(["pass", "pass"]);
    expect(selfTestRows(breaks, [row("pass"), healthy], ["a"]).map((r) => r.result)).toEqual(["FAIL", "pass"]);
    expect(selfTestRows(breaks, [row("FAIL")], ["a"]).map((r) => r.result)).toEqual(["pass", "FAIL"]);
  });
});

test("a cgroup v1 machine's container limit turns only the serving probes into printed skips", () => {
  const { cgroupV1Limit, rowsFor } = require("../../tools/rehearsal/report");
  const journal = "docker[1]: Error response from daemon: ... runc create failed: unable to start container process: unable to apply cgroup configuration: mkdir /sys/fs/cgroup/cpuset/docker: read-only file system";
  expect(cgroupV1Limit(journal, "tmpfs")).toMatch(/cgroup v1/);
  expect(cgroupV1Limit(journal, "cgroup2fs")).toBeUndefined();
  expect(cgroupV1Limit("flashbill: error while loading shared libraries", "tmpfs")).toBeUndefined();
  const fact = {
    group: { boot: { kind: "fleet", app: "a", userData: "" }, members: [{ resource: "a-lt" }] }, proxy: [], imds: [],
    boot: { cloudInitDone: true, cloudInitSeconds: 50, errors: [], recoverable: {}, failedUnits: [], outputProblems: [], files: [] },
    cloudInitOutput: "[a bootstrap] done\n", servingUnavailable: cgroupV1Limit(journal, "tmpfs"),
    probes: [{ host: "h", probe: "ALB health check", result: "FAIL", detail: "502" }, { host: "h", probe: "secrets only in their file", result: "FAIL", detail: "x" }],
  };
  const rows = rowsFor(fact) as { probe: string; result: string; detail: string }[];
  expect(rows.find((r) => r.probe === "healthy")!.result).toBe("skip");
  expect(rows.find((r) => r.probe === "ALB health check")).toMatchObject({ result: "skip", detail: expect.stringContaining("seen: 502") });
  expect(rows.find((r) => r.probe === "secrets only in their file")!.result).toBe("FAIL");

  // A fleet host's bootstrap that stopped at its readiness check (the app never started) fails its
  // boot only because of the machine: a skip. One that stopped earlier still fails.
  const failedBoot = (output: string) => rowsFor({
    ...fact, cloudInitOutput: output,
    boot: { ...fact.boot, status: { status: "error" }, failedUnits: ["cloud-final.service loaded failed failed"] },
    probes: [{ host: "h", probe: "joins its group when ready", result: "FAIL", detail: "ABANDON bootstrap-done/g: 200" }],
  }) as { probe: string; result: string }[];
  const atReadiness = failedBoot("[a bootstrap] secrets from Secrets Manager\n[a bootstrap] a 1.0\n[a bootstrap] ready: /health/ answers; the group may send traffic\n[a bootstrap] the bootstrap failed (exit 1): abandoning this launch\n");
  for (const probe of ["cloud-init status", "failed units", "bootstrap done", "joins its group when ready"]) expect([probe, atReadiness.find((r) => r.probe === probe)!.result]).toEqual([probe, "skip"]);
  // A compose host's release container is the first to run: a stop at the deploy step is the machine's too.
  const atDeploy = failedBoot("[a bootstrap] secrets from Secrets Manager\n[a bootstrap] a 1.0\n[a bootstrap] the bootstrap failed (exit 1): abandoning this launch\n[a bootstrap] launch hook h of g: ABANDON\n");
  for (const probe of ["cloud-init status", "bootstrap done"]) expect([probe, atDeploy.find((r) => r.probe === probe)!.result]).toEqual([probe, "skip"]);
  const atSecrets = failedBoot("[a bootstrap] secrets from Secrets Manager\n");
  for (const probe of ["cloud-init status", "failed units", "bootstrap done"]) expect([probe, atSecrets.find((r) => r.probe === probe)!.result]).toEqual([probe, "FAIL"]);
});

test("a fleet host joins its group only with one accepted CONTINUE on its own group's hook", () => {
  const exp = { launchHook: { group: "g-1", hook: "bootstrap-done" } } as never;
  const complete = (result: string, status = 200, hook = "bootstrap-done") => ({ service: "autoscaling", action: "CompleteLifecycleAction", status, params: { LifecycleActionResult: result, LifecycleHookName: hook, AutoScalingGroupName: "g-1" } });
  expect(launchHookRow("h", exp, [complete("CONTINUE")])[0]).toMatchObject({ probe: "joins its group when ready", result: "pass" });
  expect(launchHookRow("h", exp, [])[0]).toMatchObject({ result: "FAIL", detail: expect.stringContaining("never completed bootstrap-done of g-1") });
  expect(launchHookRow("h", exp, [complete("ABANDON")])[0].result).toBe("FAIL");
  expect(launchHookRow("h", exp, [complete("CONTINUE", 403)])[0].result).toBe("FAIL");
  expect(launchHookRow("h", exp, [complete("CONTINUE", 200, "other")])[0].result).toBe("FAIL");
  expect(launchHookRow("h", { } as never, [])).toEqual([]);
});

test("the rotation probe: the stand-in's new connection secret swaps the password everywhere it appears, and only Python hosts with a database rotate", () => {
  const before = JSON.stringify({ host: "db", port: 5432, password: "OldPass1", DATABASE_URL: "postgresql://app_admin:OldPass1@db:5432/shop?sslmode=require", DATABASE_REPLICA_URL: "postgresql://app_admin:OldPass1@r:5432/shop?sslmode=require" });
  expect(JSON.parse(rotatedSecretString(before, "OldPass1", "NewPass2"))).toEqual({
    host: "db", port: 5432, password: "NewPass2", DATABASE_URL: "postgresql://app_admin:NewPass2@db:5432/shop?sslmode=require", DATABASE_REPLICA_URL: "postgresql://app_admin:NewPass2@r:5432/shop?sslmode=require",
  });
  // The plan's first password may hold characters a URL encodes.
  const special = JSON.stringify({ password: "a$b!c", DATABASE_URL: `postgresql://app_admin:${encodeURIComponent("a$b!c")}@db:5432/shop?sslmode=require` });
  expect(JSON.parse(rotatedSecretString(special, "a$b!c", "NewPass2"))).toEqual({ password: "NewPass2", DATABASE_URL: "postgresql://app_admin:NewPass2@db:5432/shop?sslmode=require" });
  const db = { address: "10.0.0.1", port: 5432, dbName: "shop", username: "app_admin", password: "p", netns: "n" };
  const exp = (o: Partial<HostExpectations>) => ({ hasDatabase: true, secretStatePaths: [], secrets: [{ name: "staging/shop/DATABASE", values: [] }], ...o }) as HostExpectations;
  expect(rotates(exp({}), db)).toBe(true);
  expect(rotates(exp({ secretStatePaths: ["/var/lib/docker"] }), db)).toBe(false);
  expect(rotates(exp({ hasDatabase: false }), db)).toBe(false);
  expect(rotates(exp({}), undefined)).toBe(false);
});
