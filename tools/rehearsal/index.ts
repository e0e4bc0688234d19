/**
 * The rehearsal: boots every distinct host document of a stack for real (systemd + cloud-init
 * in systemd-nspawn, Debian rootfs from mmdebstrap) with stand-ins for AWS, and probes it.
 * See docs/rehearsal.md for every stand-in and how it differs from AWS.
 *
 *   node tools/run.js tools/rehearsal/index.ts --stack staging [--app <name>] [--skip-unavailable]
 *       [--keep] [--timeout <s>] [--json <file>]
 *   node tools/run.js tools/rehearsal/index.ts --stack prod --list      the distinct documents, without booting
 *   node tools/run.js tools/rehearsal/index.ts --cleanup <runDir>     after an interrupted run
 *
 * Prints a table host | probe | result and exits 1 when a probe failed, 2 on a usage error, and
 * 3 when this machine cannot run it (unless --skip-unavailable: then it prints SKIPPED and exits 0).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { makeRunCa } from "./aws/ca";
import { layoutObjects } from "./aws/objects";
import { awsStateFrom } from "./aws/plan";
import { bootHost, BootResult, killLeftover } from "./boot";
import { addressing, DocumentGroup, groupDocuments, HostDocument, hostDocuments, selectDocuments } from "./hostdocs";
import { applyBreaks, artifactBreaks, Break, fleetBreaks, selfTestRows, singleHostBreaks } from "./self-test";
import { InstanceIdentity, instanceIdFor, macFor } from "./imds";
import { machineDebianSources } from "./mirror";
import { cleanupNetwork, RehearsalNetwork } from "./netns";
import { CACHE_DIR, ensureRootfs } from "./rootfs";
import { buildUbuntuNamesRepo } from "./ubuntu-names";
import { isMain, log, ProcessSet, run, sleep, waitFor, which } from "./sh";
import { bootTimeRows, cgroupV1Limit, HostFacts, hostLabel, Row, renderTable, rowsFor } from "./report";
import { buildArtifact } from "./apps";
import { buildImages, cleanupDockerd, imageContextsFromRecording, imageDigestsOf, imagesDirOf } from "./images";
import { dataPlanFor, startPostgres, startRedis } from "./data";
import { expectationsFor, stackConfigOf } from "./expect";
import { databaseRow, migrationsInDatabase, ReleaseInstance, releaseRows } from "./release";
import type { ProbeResult } from "./client";
import { albHealthProbe, alarmRows, launchHookRow, DataHandle, edgeHealthProbe, healthVerdict, probeHost, ProbeContext, runClient } from "./probes";
import { rotates, rotationRow } from "./rotation";
import type { AppConfig, StackConfig } from "../../config/types";
import type { Recording } from "../../test/harness";

export const RUNS_DIR = process.env.REHEARSAL_RUNS ?? "/var/tmp/webapp-platform-rehearsal";
const RUN_JS = path.resolve(__dirname, "..", "run.js");
const CLIENT_TS = path.join(__dirname, "client.ts");

interface Args { stack: string; app?: string; skipUnavailable: boolean; keep: boolean; timeout: number; json?: string; cleanup?: string; list: boolean; parallel: number; selfTest: boolean; release: boolean }

const USAGE = "usage: node tools/run.js tools/rehearsal/index.ts --stack <staging|prod> [--app <name>] [--list] [--skip-unavailable] [--keep] [--timeout <s>] [--parallel <n>] [--self-test | --release] [--json <file>] | --cleanup <runDir>";

export function parseArgs(argv: string[]): Args {
  const a: Args = { stack: "", skipUnavailable: false, keep: false, timeout: 900, list: false, parallel: 3, selfTest: false, release: false };
  const value = (i: number, flag: string) => {
    const v = argv[i];
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value; ${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === "--stack") a.stack = value(++i, f);
    else if (f === "--app") a.app = value(++i, f);
    else if (f === "--skip-unavailable") a.skipUnavailable = true;
    else if (f === "--keep") a.keep = true;
    else if (f === "--timeout") a.timeout = Number(value(++i, f));
    else if (f === "--json") a.json = value(++i, f);
    else if (f === "--cleanup") a.cleanup = value(++i, f);
    else if (f === "--list") a.list = true;
    else if (f === "--parallel") a.parallel = Number(value(++i, f));
    else if (f === "--self-test") a.selfTest = true;
    else if (f === "--release") a.release = true;
    else throw new Error(`unknown argument ${f}; ${USAGE}`);
  }
  if (!a.stack && !a.cleanup) throw new Error(`--stack is required; ${USAGE}`);
  if (a.selfTest && a.release) throw new Error(`--self-test and --release are separate runs; ${USAGE}`);
  if (!Number.isFinite(a.timeout) || a.timeout <= 0) throw new Error("--timeout must be a number of seconds");
  if (!Number.isInteger(a.parallel) || a.parallel < 1 || a.parallel > 8) throw new Error("--parallel must be a whole number of boots at once, 1 to 8");
  return a;
}

/** What this machine lacks to run the rehearsal; empty when it can. */
export function missingCapabilities(): string[] {
  const missing: string[] = [];
  if (process.platform !== "linux") return ["Linux (systemd-nspawn, overlayfs and network namespaces)"];
  if (typeof process.getuid === "function" && process.getuid() !== 0) missing.push("root (mounts, network namespaces and systemd-nspawn need it)");
  for (const [cmd, pkg] of [["systemd-nspawn", "systemd-container"], ["mmdebstrap", "mmdebstrap"], ["ip", "iproute2"], ["nsenter", "util-linux"], ["timeout", "coreutils"]]) {
    if (!which(cmd)) missing.push(`${cmd} (Debian package ${pkg})`);
  }
  const fsList = fs.existsSync("/proc/filesystems") ? fs.readFileSync("/proc/filesystems", "utf8") : "";
  if (!/\toverlay$/m.test(fsList)) missing.push("overlayfs (the kernel lists no 'overlay' in /proc/filesystems; try modprobe overlay)");
  if (missing.length === 0) {
    // Network namespaces: create and delete one, by its own name.
    const probe = `reh-probe-${process.pid}`;
    const r = run("ip", ["netns", "add", probe]);
    if (r.code !== 0) missing.push(`network namespaces (ip netns add: ${r.stderr.trim()})`);
    else run("ip", ["netns", "delete", probe]);
  }
  return missing;
}

/** Undoes what an interrupted run left: container processes, overlay mounts, namespaces (all by the ids it recorded). */
export function cleanupRun(runDir: string): void {
  const hosts = path.join(runDir, "hosts");
  if (fs.existsSync(hosts)) {
    for (const h of fs.readdirSync(hosts)) {
      const dir = path.join(hosts, h);
      killLeftover(dir);
      const mounted = path.join(dir, "mounted");
      if (fs.existsSync(mounted)) {
        const m = fs.readFileSync(mounted, "utf8").trim();
        if (run("umount", [m]).code !== 0) run("umount", ["-l", m]);
        fs.rmSync(mounted, { force: true });
      }
      // The overlay's layers (hundreds of MB each) go once nothing is mounted on them.
      const merged = path.join(dir, "merged");
      if (!fs.existsSync(merged) || fs.readdirSync(merged).length === 0) {
        for (const d of ["merged", "upper", "work", "var-lib-docker"]) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
      }
    }
  }
  for (const f of ["router.pid", "proxy.pid"]) {
    const p = path.join(runDir, f);
    if (!fs.existsSync(p)) continue;
    const pid = Number(fs.readFileSync(p, "utf8"));
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(runDir)) process.kill(pid, "SIGTERM");
    } catch {
      /* gone */
    }
    fs.rmSync(p, { force: true });
  }
  cleanupDockerd(imagesDirOf(runDir));
  const removed = cleanupNetwork(runDir);
  if (removed.length) log(`removed network namespaces ${removed.join(", ")}`);
}

function identityFor(stack: string, g: DocumentGroup, address: string, subnetCidr: string, vpcCidr: string): InstanceIdentity {
  const d = g.boot;
  return {
    // Each instance its own id and MAC, also when several boot from one document.
    instanceId: instanceIdFor(`${stack}/${d.resource}/${g.hash}${g.instance ? `/${g.instance}` : ""}`),
    accountId: "123456789012",
    region: d.region,
    availabilityZone: d.availabilityZone,
    privateIp: address,
    localHostname: `ip-${address.replace(/\./g, "-")}.${d.region}.compute.internal`,
    mac: macFor(`${stack}/${d.resource}${g.instance ? `/${g.instance}` : ""}`),
    subnetCidr,
    vpcCidr,
    instanceType: d.instanceType,
    imageId: d.imageId,
    role: d.role,
    httpTokens: d.metadataOptions.httpTokens,
    httpEndpoint: d.metadataOptions.httpEndpoint,
    instanceMetadataTags: d.metadataOptions.instanceMetadataTags,
    userDataBase64: d.raw.toString("base64"),
    pendingTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

const readIfExists = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");

function readJsonIfExists<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function readJsonLines(file: string): Record<string, any>[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("{")).map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      return {};
    }
  });
}

export interface HostReport extends HostFacts { address: string; hostDir: string }

/** Runs `fn` over `items` with at most `limit` at once, in order of start. */
export async function inParallel<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The self-test's broken copies: a Django single host with a database, a Django fleet host, another fleet host. */
function selfTestDocuments(config: StackConfig, docs: HostDocument[]): { doc: HostDocument; breaks: Break[] }[] {
  const single = docs.find((d) => d.kind === "single-host" && appConfig(config, d.app).runtime === "django" && appConfig(config, d.app).database.enabled);
  const fleet = docs.find((d) => d.kind === "fleet" && appConfig(config, d.app).architecture !== "containers" && appConfig(config, d.app).runtime === "django" && appConfig(config, d.app).database.enabled);
  // Another app's fleet host, so the refused artifact is the only thing wrong with it.
  const artifactFleet = docs.find((d) => d.kind === "fleet" && d.app !== fleet?.app && appConfig(config, d.app).architecture !== "containers");
  if (!single || !fleet || !artifactFleet) throw new Error("--self-test needs a Django single host, a Django fleet host, each with a database, and another fleet host with an artifact, in the stack");
  return [
    { doc: single, breaks: singleHostBreaks(single.app, appConfig(config, single.app).port) },
    { doc: fleet, breaks: fleetBreaks(fleet.app) },
    { doc: artifactFleet, breaks: artifactBreaks(artifactFleet.app) },
  ].map(({ doc, breaks }) => ({ doc: applyBreaks(doc, breaks), breaks }));
}

/** The version after `v`: its last number plus one (2.4.0 -> 2.4.1). Pure. */
export function nextVersion(v: string): string {
  const m = /^(.*?)(\d+)([^\d]*)$/.exec(v);
  if (!m) throw new Error(`--release: "${v}" has no number to increase`);
  return `${m[1]}${Number(m[2]) + 1}${m[3]}`;
}

/** Instances of one release booted at once, as an instance refresh (or a 2-instance fleet) starts them. */
const RELEASE_INSTANCES = 2;

interface ReleasePlan {
  app: string;
  versions: [string, string];
  /** Boots in order: the current version's instances together, then the next version's. */
  phases: DocumentGroup[][];
}

/**
 * `--release`: a Django fleet with a database, released as an instance refresh does it: two
 * instances of the current version boot at once, then two of the next version (one more
 * migration; the stack re-recorded with that appVersion, as after a config change) on the
 * same database.
 */
async function releasePlan(stack: string, config: StackConfig, docs: HostDocument[], imageDigests: Record<string, string> | undefined): Promise<ReleasePlan> {
  const current = docs.find((d) => d.kind === "fleet" && appConfig(config, d.app).architecture !== "containers" && appConfig(config, d.app).runtime === "django" && appConfig(config, d.app).database.enabled);
  if (!current) throw new Error("--release needs a Django fleet host with a database in the stack");
  const app = appConfig(config, current.app);
  const next = nextVersion(app.appVersion);
  const { loadStackFile, PROJECT, recordStack } = await import("../../test/harness");
  const apps = loadStackFile(stack)[`${PROJECT}:apps`] as Record<string, Record<string, unknown>>;
  const rec = await recordStack(stack, { imageDigests, config: { [`${PROJECT}:apps`]: { ...apps, [app.name]: { ...apps[app.name], appVersion: next } } } });
  const upgraded = hostDocuments(rec).find((d) => d.resource === current.resource);
  if (!upgraded || upgraded.hash === current.hash) throw new Error(`--release: ${current.resource}'s document did not change with appVersion ${next}`);
  const instances = (d: HostDocument, v: string) => Array.from({ length: RELEASE_INSTANCES }, (_, i) => ({ hash: d.hash, boot: d, members: [d], instance: `${v} #${i + 1}` }));
  return { app: app.name, versions: [app.appVersion, next], phases: [instances(current, app.appVersion), instances(upgraded, next)] };
}

function appConfig(config: StackConfig, name: string): AppConfig {
  const app = config.apps.find((a) => a.name === name);
  if (!app) throw new Error(`${name}: in the plan but not in the stack's config`);
  return app;
}

/**
 * An address for a data stand-in inside the plan's own data subnet (the first subnet of the
 * store's subnet group), so hosts reach it the way they reach RDS: through their subnet router.
 */
export function dataAddress(rec: Recording, groupType: string, groupInput: string, component: string, vpcCidr: string, n: number): string {
  const store = rec.resources.find((r) => r.parent?.endsWith(`::${component}`) && typeof r.inputs[groupInput] === "string");
  const group = store && rec.ofType(groupType).find((g) => (g.outputs.name ?? g.inputs.name) === store.inputs[groupInput]);
  const subnetId = group?.inputs.subnetIds?.[0];
  const subnet = rec.ofType("aws:ec2/subnet:Subnet").find((s) => s.id === subnetId || s.outputs.id === subnetId);
  const cidr = String(subnet?.inputs.cidrBlock ?? vpcCidr);
  const [a, b, c] = cidr.split("/")[0].split(".").map(Number);
  return `${a}.${b}.${c}.${20 + n}`;
}

/**
 * The load balancer's (fleets) or a user's (single hosts) health check of a booting host, from
 * the moment its container starts: as an ALB, every interval until healthyThreshold checks in a
 * row pass; as a user, an HTTPS request for the health path every 10 s until one proves the app.
 */
function watchHealth(ctx: ProbeContext, address: string, hostDir: string) {
  const exp = ctx.expectations;
  const t0 = Date.now();
  let healthyAt: number | undefined;
  let streak = 0;
  let stopped = false;
  let n = 0;
  const everyMs = exp.healthCheck ? exp.healthCheck.intervalSeconds * 1000 : 10000;
  const need = exp.healthCheck?.healthyThreshold ?? 1;
  const check = async () => {
    const probe = exp.healthCheck ? albHealthProbe(exp, address, ctx.vpcSource, "watch") : edgeHealthProbe(exp, address, "watch");
    const [r] = await runClient(ctx, [probe], hostDir, `watch-${n++ % 2}`);
    const ok = healthVerdict(exp, r, exp.healthCheck?.matcher).ok;
    streak = ok ? streak + 1 : 0;
    if (streak >= need && healthyAt === undefined) healthyAt = Date.now();
  };
  const loop = (async () => {
    while (!stopped && healthyAt === undefined) {
      const start = Date.now();
      await check().catch(() => undefined);
      await sleep(Math.max(0, everyMs - (Date.now() - start)));
    }
  })();
  return {
    healthySeconds: () => (healthyAt === undefined ? undefined : (healthyAt - t0) / 1000),
    /** Waits (bounded) for the watch to see the host healthy. */
    settle: async (maxSeconds: number) => {
      await waitFor(() => (healthyAt !== undefined || stopped ? true : undefined), maxSeconds * 1000, 500);
    },
    stop: () => {
      stopped = true;
      void loop;
    },
  };
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (args.cleanup) {
    cleanupRun(path.resolve(args.cleanup));
    return 0;
  }
  if (args.list) {
    // What would boot, without booting (no root needed).
    const { recordStack } = await import("../../test/harness");
    const groups = groupDocuments(selectDocuments(hostDocuments(await recordStack(args.stack)), args.app));
    for (const g of groups) {
      const d = g.boot;
      console.log(`${g.hash.slice(0, 12)}  ${d.kind.padEnd(11)} ${d.app.padEnd(22)} ${g.members.map((m) => m.resource).join(", ")}  (${d.userData.length} bytes${d.gzip ? ", gzip" : ""}; subnet ${d.subnetCidr ?? "?"}; role ${d.role ?? "-"}; IMDS tokens ${d.metadataOptions.httpTokens}, hop limit ${d.metadataOptions.httpPutResponseHopLimit})`);
    }
    return 0;
  }
  const missing = missingCapabilities();
  if (missing.length) {
    const msg = `rehearsal cannot run on this machine; missing: ${missing.join("; ")}`;
    if (args.skipUnavailable) {
      console.log(`SKIPPED (--skip-unavailable): ${msg}`);
      return 0;
    }
    console.error(msg);
    return 3;
  }

  const t0 = Date.now();
  const runId = crypto.randomBytes(3).toString("hex");
  const runDir = path.join(RUNS_DIR, `${args.stack}-${new Date().toISOString().replace(/[:.]/g, "").slice(0, 15)}-${runId}`);
  fs.mkdirSync(path.join(runDir, "hosts"), { recursive: true });
  log(`run ${runId}: ${runDir}`);
  const { recordStack } = await import("../../test/harness");
  let rec = await recordStack(args.stack);
  let imageDigests: Record<string, string> | undefined;
  // As `pulumi up` does: the images are built first and the host documents carry their digests.
  const contexts = imageContextsFromRecording(rec, args.app);
  if (contexts.length) {
    const built = await buildImages({ workDir: imagesDirOf(runDir), contexts });
    log(`images: ${built.images.map((i) => `${i.ref}${i.cached ? " (cached)" : ""}`).join(", ")} in ${built.seconds.toFixed(0)} s`);
    imageDigests = imageDigestsOf(built);
    rec = await recordStack(args.stack, { imageDigests });
  }
  const config = stackConfigOf(args.stack);
  const selfTest = args.selfTest ? selfTestDocuments(config, selectDocuments(hostDocuments(rec), args.app)) : undefined;
  const release = args.release ? await releasePlan(args.stack, config, selectDocuments(hostDocuments(rec), args.app), imageDigests) : undefined;
  const phases = release ? release.phases : [groupDocuments(selfTest ? selfTest.map((s) => s.doc) : selectDocuments(hostDocuments(rec), args.app))];
  const groups = phases.flat();
  const docs = [...new Set(groups.map((g) => g.boot))];
  log(`${args.stack}: ${docs.length} distinct host documents, ${groups.length} boots (recorded in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const vpcCidr: string = rec.ofType("aws:ec2/vpc:Vpc")[0]?.inputs.cidrBlock ?? "172.31.0.0/16";

  const rootfs = await ensureRootfs();
  log(`rootfs ${rootfs.release} ${rootfs.built ? `built in ${rootfs.seconds.toFixed(0)} s` : "from cache"}: ${rootfs.dir}`);

  const procs = new ProcessSet();
  const network = new RehearsalNetwork(runId, runDir);
  let interrupted = false;
  const abort = new AbortController();
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    abort.abort();
    log("interrupted: cleaning up");
    procs.stopAll(2000).finally(() => {
      cleanupRun(runDir);
      process.exit(130);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const reports: HostReport[] = [];
  let releaseDatabase: Record<string, number> | string = "not checked";
  const dataStores: { stop(): Promise<void> }[] = [];
  try {
    const { archive, security } = machineDebianSources();
    const mirrors = [...new Set([archive, security].filter(Boolean).map((u) => new URL(u as string).hostname))];
    const socket = path.join(runDir, "proxy.sock");
    const proxy = procs.start("proxy", process.execPath, [RUN_JS, path.join(__dirname, "proxy.ts"), "--socket", socket, "--allow", mirrors.join(","), "--cache", path.join(CACHE_DIR, "apt-pool")], path.join(runDir, "proxy.log"));
    fs.writeFileSync(path.join(runDir, "proxy.pid"), `${proxy.pid}\n`);
    const ubuntuNamesRepo = buildUbuntuNamesRepo(path.join(CACHE_DIR, "ubuntu-names"));
    // The AWS API stand-ins' inputs: the plan's secrets, roles and artifacts, a CA for this run, the S3 objects.
    const awsDir = path.join(runDir, "aws");
    fs.mkdirSync(awsDir, { recursive: true, mode: 0o700 });
    const awsState = awsStateFrom(rec, docs);
    fs.writeFileSync(path.join(awsDir, "state.json"), JSON.stringify(awsState, null, 2), { mode: 0o600 });
    const ca = makeRunCa(runDir, awsState.regions);
    const artifacts = awsState.artifacts.map((a) => {
      const app = appConfig(config, a.app);
      const nextRelease = release !== undefined && a.app === release.app && a.version === release.versions[1];
      const built = buildArtifact(app.runtime, { name: app.name, healthCheckPath: app.healthCheckPath, staticPath: app.staticPath, appVersion: a.version, binaryName: a.binaryName, nextRelease }, path.join(runDir, "artifacts"), { release: rootfs.release });
      return { record: a, file: built.path, sha256: built.sha256 };
    });
    layoutObjects(awsDir, artifacts, awsState.regions);
    log(`aws stand-ins: ${awsState.secrets.length} secrets, ${Object.keys(awsState.roles).length} roles, sample artifacts ${awsState.artifacts.map((a) => `s3://${a.bucket}/${a.key}`).join(" ") || "none"}`);
    network.createRouter();
    fs.writeFileSync(path.join(runDir, "instances.json"), "{}");
    // The data stores: real PostgreSQL and Redis with TLS in the router namespace, at an address
    // in the plan's own data subnet, under the endpoint names the connection secrets carry.
    const dns: Record<string, string> = {};
    const databases = new Map<string, DataHandle>();
    const runCa = { certFile: ca.caCert, keyFile: path.join(ca.dir, "ca.key") };
    let dataIndex = 0;
    for (const app of [...new Set(docs.map((d) => d.app))]) {
      const plan = dataPlanFor(rec, app);
      if (plan.postgres) {
        const p = plan.postgres;
        const address = dataAddress(rec, "aws:rds/subnetGroup:SubnetGroup", "dbSubnetGroupName", `${app}-db`, vpcCidr, dataIndex++);
        network.addServiceAddress(address);
        const names = [p.host, ...(p.replicaHost ? [p.replicaHost] : [])];
        const pg = await startPostgres({ dir: path.join(runDir, "data", `${app}-postgres`), address, netns: network.router, port: p.port, dbName: p.dbName, username: p.username, password: p.password, ca: runCa, certNames: names });
        dataStores.push(pg);
        for (const n of names) dns[n] = address;
        databases.set(app, { address, port: p.port, dbName: p.dbName, username: p.username, password: p.password, netns: network.router });
      }
      if (plan.redis) {
        const r = plan.redis;
        const address = dataAddress(rec, "aws:elasticache/subnetGroup:SubnetGroup", "subnetGroupName", `${app}-cache`, vpcCidr, dataIndex++);
        network.addServiceAddress(address);
        const names = [r.host, ...(r.readerHost ? [r.readerHost] : [])];
        dataStores.push(await startRedis({ dir: path.join(runDir, "data", `${app}-redis`), address, netns: network.router, port: r.port, authToken: r.authToken, ca: runCa, certNames: names }));
        for (const n of names) dns[n] = address;
      }
    }
    fs.writeFileSync(path.join(runDir, "dns.json"), JSON.stringify(dns, null, 2));
    log(`data stand-ins: ${Object.entries(dns).map(([n, a]) => `${n} -> ${a}`).join(", ") || "none"}`);
    const router = procs.start("router", "ip", ["netns", "exec", network.router, process.execPath, RUN_JS, path.join(__dirname, "router.ts"), "--run-dir", runDir, "--proxy-socket", socket], path.join(runDir, "router.log"));
    fs.writeFileSync(path.join(runDir, "router.pid"), `${router.pid}\n`);

    const instances: Record<string, InstanceIdentity> = {};
    const bootOne = async (g: DocumentGroup, i: number): Promise<void> => {
      const d = g.boot;
      const addr = addressing(d.subnetCidr, i);
      const subnetCidr = d.subnetCidr ?? `${addr.gateway.replace(/\.1$/, ".0")}/${addr.prefix}`;
      const net = network.addHost(addr.host, addr.prefix, addr.gateway);
      const identity = identityFor(args.stack, g, addr.host, subnetCidr, vpcCidr);
      instances[addr.host] = identity;
      fs.writeFileSync(path.join(runDir, "instances.json"), JSON.stringify(instances, null, 2));
      const hostDir = path.join(runDir, "hosts", `${d.app}-${g.hash.slice(0, 8)}${g.instance ? `-${g.instance.replace(/[^A-Za-z0-9.]+/g, "")}` : ""}`);
      fs.mkdirSync(hostDir, { recursive: true });
      const expectations = expectationsFor(rec, config, d, awsState.secrets);
      const probeCtx: ProbeContext = { router: network.router, vpcSource: addr.gateway, expectations, database: databases.get(d.app), runJs: RUN_JS, clientTs: CLIENT_TS };
      log(`booting ${d.app}${g.instance ? ` ${g.instance}` : ""} (${d.kind}, ${d.resource}${g.members.length > 1 ? ` and ${g.members.length - 1} identical` : ""}) as ${identity.instanceId} at ${addr.host} in ${net.netns}`);
      const started = new Date().toISOString();
      const health = watchHealth(probeCtx, addr.host, hostDir);
      let probeRows: Row[] = [];
      let boot: BootResult;
      try {
        boot = await bootHost(d, {
          rootfs: rootfs.dir, hostDir, net, identity, timeoutSeconds: args.timeout, keep: args.keep, procs, ubuntuNamesRepo, signal: abort.signal, caCert: ca.caCert,
          whileRunning: async (h) => {
            await health.settle(expectations.kind === "fleet" ? 60 : 20);
            probeRows = await probeHost(h, hostLabel(g), probeCtx);
            // Last, as it changes the database's password: only where no other host of the app boots in this run.
            if (!selfTest && !release && rotates(expectations, probeCtx.database) && groups.filter((x) => x.boot.app === d.app).length === 1) {
              const healthProbe = expectations.kind === "fleet" ? albHealthProbe(expectations, addr.host, addr.gateway) : edgeHealthProbe(expectations, addr.host);
              const healthy = async () => healthVerdict(expectations, (await runClient(probeCtx, [healthProbe], hostDir, "rotation-health"))[0]).ok;
              probeRows.push(await rotationRow(h, hostLabel(g), expectations, probeCtx.database, path.join(awsDir, "state.json"), healthy));
            }
          },
        });
      } catch (e) {
        boot = { cloudInitDone: false, errors: [], recoverable: {}, failedUnits: [], outputProblems: [], files: [], bootError: (e as Error).message };
      }
      health.stop();
      const ended = new Date().toISOString();
      network.removeHost(net);
      const inWindow = (x: Record<string, any>) => x.t >= started && x.t <= ended;
      const routerLines = readJsonLines(path.join(runDir, "router.log")).filter((x) => x.source === addr.host);
      const awsLines = readJsonLines(path.join(runDir, "aws-calls.jsonl")).filter((x) => x.source === addr.host);
      const outFile = path.join(hostDir, "cloud-init-output.log");
      reports.push({
        group: g, address: addr.host, boot, hostDir,
        proxy: readJsonLines(path.join(runDir, "proxy.log")).filter(inWindow),
        imds: routerLines.filter((x) => x.svc === "imds"), dns: routerLines.filter((x) => x.svc === "dns"), aws: awsLines,
        cloudInitOutput: fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : undefined,
        healthySeconds: health.healthySeconds(),
        probes: [...probeRows, ...launchHookRow(hostLabel(g), expectations, awsLines), ...alarmRows(hostLabel(g), expectations, awsLines)],
        // runc's error shows in the app unit's journal, or in the boot output when a release container ran first.
        servingUnavailable: cgroupV1Limit(`${readIfExists(path.join(hostDir, `journal-${d.app}.service.txt`))}\n${readIfExists(outFile)}`, run("stat", ["-fc", "%T", "/sys/fs/cgroup"]).stdout.trim()),
      });
      log(`${d.app}: ${boot.cloudInitDone ? `cloud-init done in ${boot.cloudInitSeconds?.toFixed(1)} s` : boot.bootError}; ${health.healthySeconds() === undefined ? "never healthy" : `healthy after ${health.healthySeconds()!.toFixed(0)} s`}`);
    };
    // One phase after another (a release's versions); within a phase, up to --parallel at once.
    let booted = 0;
    for (const phase of phases) {
      const offset = booted;
      await inParallel(phase, args.parallel, (g, i) => (interrupted ? Promise.resolve() : bootOne(g, offset + i)));
      booted += phase.length;
    }
    // While the stand-in database still runs: what the release left in it.
    const db = release ? databases.get(release.app) : undefined;
    if (release) releaseDatabase = db ? await migrationsInDatabase(db) : "no database stand-in for the app";
  } finally {
    await procs.stopAll();
    for (const s of dataStores) await s.stop().catch((e) => log(`stopping a data stand-in: ${(e as Error).message}`));
    cleanupRun(runDir);
  }

  const rows: Row[] = [
    { host: "(rehearsal)", probe: "rootfs", result: "info", detail: `${rootfs.release}, ${rootfs.built ? `built in ${rootfs.seconds.toFixed(0)} s` : "cached"}` },
    ...reports.flatMap((r) => rowsFor(r)),
    ...bootTimeRows(reports),
  ];
  if (release) {
    const instances: ReleaseInstance[] = reports.map((r) => ({
      host: hostLabel(r.group), version: r.group.instance!.split(" ")[0], bootOutput: r.cloudInitOutput ?? "", healthy: r.healthySeconds !== undefined,
      httpResults: readJsonIfExists<ProbeResult[]>(path.join(r.hostDir, "probes-http-results.json")) ?? [],
    }));
    const verdict = [...releaseRows(release.versions, instances), databaseRow(releaseDatabase)];
    console.log(renderTable(rows));
    console.log(`\nrelease of ${release.app}: ${release.versions.join(" -> ")}, ${RELEASE_INSTANCES} instances of each at once on one database\n${renderTable(verdict)}`);
    fs.writeFileSync(path.join(runDir, "release.json"), JSON.stringify(verdict, null, 2));
    return [...rows, ...verdict].some((r) => r.result === "FAIL") ? 1 : 0;
  }
  if (selfTest) {
    const hostOf = (d: HostDocument) => hostLabel(groups.find((g) => g.boot === d)!);
    const verdict = selfTestRows(selfTest.map((x) => ({ host: hostOf(x.doc), breaks: x.breaks })), rows, selfTest.filter((x) => x.doc.kind === "single-host").map((x) => hostOf(x.doc)));
    console.log(renderTable(rows));
    console.log(`\nself-test: each break must fail its probe\n${renderTable(verdict)}`);
    fs.writeFileSync(path.join(runDir, "self-test.json"), JSON.stringify(verdict, null, 2));
    return verdict.some((r) => r.result === "FAIL") ? 1 : 0;
  }
  console.log(renderTable(rows));
  console.log(`\nrun directory (logs, collected files): ${runDir}; total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const json = { stack: args.stack, runDir, rootfs, rows, hosts: reports.map((r) => ({ app: r.group.boot.app, kind: r.group.boot.kind, members: r.group.members.map((m) => m.resource), hash: r.group.hash, address: r.address, boot: r.boot })) };
  fs.writeFileSync(path.join(runDir, "report.json"), JSON.stringify(json, null, 2));
  if (args.json) fs.writeFileSync(args.json, JSON.stringify(json, null, 2));
  return rows.some((r) => r.result === "FAIL") ? 1 : 0;
}

if (isMain(__filename)) {
  main().then((code) => process.exit(code), (e) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  });
}
