/**
 * A Docker engine of the image builds' own: Debian's `dockerd` (docker.io) in a network
 * namespace made for it (`reh-img-<id>`, only `lo`: nothing is reachable, and the machine's
 * own namespace and iptables are never touched: --iptables=false --ip6tables=false
 * --bridge=none --ip-forward=false --ip-masq=false), in a mount namespace of its own (slave of
 * the machine's, so its overlay mounts vanish with it), with its own data root, exec root,
 * pidfile, socket (<workDir>/docker.sock), config file and cgroup parent (/reh-img-<id>).
 * `stop()` ends it by its pid, then every process left in its cgroups or namespace by pid,
 * removes its cgroups, exec root and data root, and deletes the namespace by its name.
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isAlive, log, run, RunResult, sleep, stopChild, which } from "../sh";

/** Debian packages the image builds need on the machine (.ci/run installs them). */
export const IMAGE_BUILD_PACKAGES = ["docker.io", "mmdebstrap", "iproute2", "util-linux"];

/** Debian's docker client (matches the engine; another `docker` earlier on PATH may not). */
export function dockerClient(): string | undefined {
  return fs.existsSync("/usr/bin/docker") ? "/usr/bin/docker" : which("docker");
}

/**
 * Installs docker.io with apt-get when dockerd is missing, without starting the machine's own
 * docker service (a policy-rc.d that denies starts is in place for the install, if none is).
 */
export function ensureDockerInstalled(): void {
  if (which("dockerd") && dockerClient()) return;
  const policy = "/usr/sbin/policy-rc.d";
  const ours = !fs.existsSync(policy);
  if (ours) fs.writeFileSync(policy, "#!/bin/sh\n# webapp-platform rehearsal: no service starts while docker.io installs\nexit 101\n", { mode: 0o755 });
  try {
    log("installing docker.io (apt-get) for the image builds");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    let r = run("apt-get", ["install", "-y", "-q", "--no-install-recommends", "docker.io"], { env });
    if (r.code !== 0) {
      run("apt-get", ["update", "-q"], { env });
      r = run("apt-get", ["install", "-y", "-q", "--no-install-recommends", "docker.io"], { env });
    }
    if (r.code !== 0) throw new Error(`apt-get install docker.io failed: ${r.stderr.trim().slice(-800)}`);
  } finally {
    if (ours) fs.rmSync(policy, { force: true });
  }
}

export interface Dockerd {
  id: string;
  /** The network namespace's name (`reh-img-<id>`). */
  netns: string;
  socket: string;
  pid: number;
  dataRoot: string;
  execRoot: string;
  logFile: string;
  /** The docker client against this engine (legacy builder, no BuildKit). */
  docker(args: string[], opts?: { timeoutMs?: number; input?: string }): RunResult;
  /** Async variant for long commands (builds). */
  dockerAsync(args: string[]): Promise<RunResult>;
  /** Stops everything this engine started and removes its namespace and directories (idempotent). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

const CGROUP_ROOT = "/sys/fs/cgroup";

/** Every cgroup directory named `name` at the top of a hierarchy (v1 controllers and v2). */
function cgroupDirs(name: string): string[] {
  const out: string[] = [];
  if (fs.existsSync(path.join(CGROUP_ROOT, "cgroup.controllers"))) out.push(path.join(CGROUP_ROOT, name));
  else if (fs.existsSync(CGROUP_ROOT)) {
    for (const c of fs.readdirSync(CGROUP_ROOT)) {
      const d = path.join(CGROUP_ROOT, c, name);
      out.push(d);
    }
  }
  return out.filter((d) => fs.existsSync(d));
}

/** Pids in a cgroup tree. */
function pidsUnder(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    const f = path.join(d, "cgroup.procs");
    if (fs.existsSync(f)) out.push(...fs.readFileSync(f, "utf8").split("\n").filter(Boolean).map(Number));
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  try {
    walk(dir);
  } catch {
    /* gone meanwhile */
  }
  return [...new Set(out)];
}

function rmdirTree(dir: string): void {
  try {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmdirTree(path.join(dir, e.name));
    fs.rmdirSync(dir);
  } catch {
    /* busy or gone */
  }
}

const alivePid = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function killPids(pids: number[], what: string): Promise<void> {
  const left = pids.filter(alivePid);
  if (!left.length) return;
  log(`stopping ${left.length} process(es) left by ${what}: ${left.join(" ")}`);
  for (const p of left) try { process.kill(p, "SIGTERM"); } catch { /* gone */ }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && left.some(alivePid)) await sleep(100);
  for (const p of left.filter(alivePid)) try { process.kill(p, "SIGKILL"); } catch { /* gone */ }
}

/** Mount points at or below `dir` in this process's mount namespace. */
function mountsUnder(dir: string): string[] {
  const real = fs.existsSync(dir) ? fs.realpathSync(dir) : dir;
  return fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4]).filter((m) => m && (m === real || m.startsWith(real + "/")));
}

/** What a running engine left on the machine (<workDir>/docker/engine.json), for cleanup after an interruption. */
interface EngineRecord { id: string; netns: string; pid: number; execRoot: string; socket: string; base: string }

/** After dockerd is gone: what it left (by cgroup and namespace, by pid), its cgroups, namespace, exec root and data. */
async function teardown(info: EngineRecord, keepData = false): Promise<void> {
  const { id, netns, execRoot, socket, base } = info;
  // Container processes (by cgroup), containerd and shims (by namespace), by pid.
  await killPids([...new Set(cgroupDirs(netns).flatMap(pidsUnder))], `dockerd ${id} (cgroup /${netns})`);
  const inNs = run("ip", ["netns", "pids", netns]);
  if (inNs.code === 0) await killPids(inNs.stdout.split("\n").filter(Boolean).map(Number), `dockerd ${id} (namespace ${netns})`);
  for (const d of cgroupDirs(netns)) rmdirTree(d);
  run("ip", ["netns", "del", netns]);
  fs.rmSync(execRoot, { recursive: true, force: true });
  fs.rmSync(socket, { force: true });
  if (!keepData) {
    const left = mountsUnder(base);
    if (left.length) log(`not removing ${base}: still mounted here: ${left.join(" ")}`);
    else fs.rmSync(base, { recursive: true, force: true });
  }
}

/**
 * Cleans up after an interrupted build in `workDir` (the engine's record says what it started):
 * dockerd by its pid when that pid is still a dockerd, then as stop() does. No-op without a record.
 */
export async function cleanupDockerd(workDir: string): Promise<boolean> {
  const f = path.join(path.resolve(workDir), "docker", "engine.json");
  if (!fs.existsSync(f)) return false;
  const info = JSON.parse(fs.readFileSync(f, "utf8")) as EngineRecord;
  let cmd = "";
  try {
    cmd = fs.readFileSync(`/proc/${info.pid}/cmdline`, "utf8");
  } catch {
    /* gone */
  }
  if (cmd.split("\0")[0].endsWith("dockerd") && cmd.includes(info.socket)) await killPids([info.pid], `the interrupted dockerd ${info.id}`);
  await teardown(info);
  return true;
}

/**
 * Starts dockerd for `workDir` (created): data in <workDir>/docker, socket <workDir>/docker.sock,
 * log <workDir>/dockerd.log; exec root /run/reh-img-<id> (unix socket paths must stay short).
 * Resolves once the engine answers; on failure everything is stopped again.
 */
export async function startDockerd(opts: { workDir: string; readyTimeoutMs?: number }): Promise<Dockerd> {
  ensureDockerInstalled();
  const client = dockerClient();
  for (const [cmd, pkg] of [["dockerd", "docker.io"], ["ip", "iproute2"], ["nsenter", "util-linux"], ["unshare", "util-linux"]]) {
    if (!which(cmd)) throw new Error(`${cmd} is missing (apt-get install ${pkg})`);
  }
  if (!client) throw new Error("the docker client is missing (apt-get install docker.io)");
  const id = crypto.randomBytes(3).toString("hex");
  const netns = `reh-img-${id}`;
  const workDir = path.resolve(opts.workDir);
  fs.mkdirSync(workDir, { recursive: true });
  const socket = path.join(workDir, "docker.sock");
  if (socket.length > 100) throw new Error(`the docker socket path ${socket} is too long for a unix socket; use a shorter workDir`);
  const base = path.join(workDir, "docker");
  const dataRoot = path.join(base, "data");
  const execRoot = `/run/${netns}`;
  const pidfile = path.join(base, "dockerd.pid");
  const configFile = path.join(base, "daemon.json");
  const logFile = path.join(workDir, "dockerd.log");
  fs.mkdirSync(dataRoot, { recursive: true });
  // Its trust key in its own directory too (dockerd 20.10 writes /etc/docker/key.json otherwise).
  fs.writeFileSync(configFile, JSON.stringify({ "deprecated-key-path": path.join(base, "key.json") }) + "\n");
  fs.rmSync(socket, { force: true });

  const add = run("ip", ["netns", "add", netns]);
  if (add.code !== 0) throw new Error(`ip netns add ${netns} failed: ${add.stderr.trim()}`);
  run("ip", ["-n", netns, "link", "set", "lo", "up"]);

  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: "0", DOCKER_CONFIG: path.join(base, "client") };
  // unshare (own mount namespace, slave) → nsenter (the namespace's network) → dockerd: each
  // execs the next, so the pid is dockerd's.
  const out = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn("unshare", [
    "--mount", "--propagation", "slave",
    "nsenter", `--net=/run/netns/${netns}`,
    "dockerd",
    "--data-root", dataRoot, "--exec-root", execRoot, "--pidfile", pidfile, "-H", `unix://${socket}`,
    "--config-file", configFile,
    "--iptables=false", "--ip6tables=false", "--bridge=none", "--ip-forward=false", "--ip-masq=false", "--userland-proxy=false",
    "--exec-opt", "native.cgroupdriver=cgroupfs", "--cgroup-parent", `/${netns}`,
    "--storage-driver", "overlay2", "--log-level", "warn",
  ], { stdio: ["ignore", out, out], env: { ...process.env, PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
  fs.closeSync(out);
  if (!child.pid) throw new Error("dockerd did not start");

  const docker = (args: string[], o: { timeoutMs?: number; input?: string } = {}) => run(client, args, { env, timeout: o.timeoutMs, input: o.input });
  const dockerAsync = (args: string[]) => new Promise<RunResult>((resolve) => {
    const t0 = Date.now();
    const c = spawn(client, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    c.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    c.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    c.on("close", (code) => resolve({ code: code ?? 128, stdout, stderr, seconds: (Date.now() - t0) / 1000 }));
  });

  const info: EngineRecord = { id, netns, pid: child.pid, execRoot, socket, base };
  fs.writeFileSync(path.join(base, "engine.json"), JSON.stringify(info, null, 2) + "\n");
  let stopped = false;
  const stop = async (so: { keepData?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    await stopChild(child, "SIGTERM", 20000);
    await teardown(info, so.keepData);
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60000);
  for (;;) {
    if (!isAlive(child)) {
      await stop();
      throw new Error(`dockerd exited (${child.exitCode ?? child.signalCode}): ${fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-10).join("\n")}`);
    }
    if (fs.existsSync(socket) && docker(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 10000 }).code === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`dockerd did not answer within ${(opts.readyTimeoutMs ?? 60000) / 1000} s: ${fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-10).join("\n")}`);
    }
    await sleep(300);
  }
  return { id, netns, socket, pid: child.pid, dataRoot, execRoot, logFile, docker, dockerAsync, stop };
}
