/**
 * Small process helpers for the rehearsal: every command is logged with its duration, and
 * every background process is tracked by pid so cleanup ends exactly what this run started.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";

export interface RunResult { code: number; stdout: string; stderr: string; seconds: number }

export const verbose = process.env.REHEARSAL_VERBOSE === "1";

export function log(msg: string): void {
  process.stderr.write(`[rehearsal ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Runs a command to completion; never throws on a non-zero exit (see `must`). */
export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): RunResult {
  const t0 = Date.now();
  if (verbose) log(`$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...opts });
  const res = {
    code: r.status ?? (r.error ? 127 : 128),
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? (r.error ? r.error.message : "")),
    seconds: (Date.now() - t0) / 1000,
  };
  return res;
}

/** As `run`, without blocking the event loop. */
export function runAsync(cmd: string, args: string[]): Promise<RunResult> {
  const t0 = Date.now();
  if (verbose) log(`$ ${cmd} ${args.join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", (e) => resolve({ code: 127, stdout, stderr: stderr + e.message, seconds: (Date.now() - t0) / 1000 }));
    child.on("close", (code) => resolve({ code: code ?? 128, stdout, stderr, seconds: (Date.now() - t0) / 1000 }));
  });
}

/** Runs a command and throws, with its stderr, when it fails. */
export function must(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r.stdout;
}

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    const p = `${dir}/${cmd}`;
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Background processes this run started, by pid, with how to stop them. */
export class ProcessSet {
  private readonly procs: { name: string; child: ChildProcess }[] = [];

  start(name: string, cmd: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
    const out = fs.openSync(logFile, "a");
    const child = spawn(cmd, args, { stdio: ["ignore", out, out], env: env ?? process.env, detached: false });
    fs.closeSync(out);
    if (verbose) log(`started ${name} pid ${child.pid}: ${cmd} ${args.join(" ")}`);
    this.procs.push({ name, child });
    return child;
  }

  /** SIGTERM each process this set started (by its pid), then SIGKILL what is left after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    const alive = this.procs.filter((p) => isAlive(p.child));
    for (const p of alive) p.child.kill("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && alive.some((p) => isAlive(p.child))) await sleep(100);
    for (const p of alive) if (isAlive(p.child)) p.child.kill("SIGKILL");
    this.procs.length = 0;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Stops one process this run started (by its pid): `signal`, then SIGKILL after `graceMs`; resolves once it is gone. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 10000): Promise<void> {
  if (!isAlive(child)) return;
  child.kill(signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(child) && Date.now() < deadline) await sleep(100);
  if (isAlive(child)) child.kill("SIGKILL");
  while (isAlive(child)) await sleep(50);
}

/** A JSON file read again only when it changes; the last good copy survives a half-written file. */
export function jsonFileReader<T>(file: string, fallback: T): () => T {
  let mtime = 0;
  let cache = fallback;
  return () => {
    try {
      const m = fs.statSync(file).mtimeMs;
      if (m !== mtime) {
        cache = JSON.parse(fs.readFileSync(file, "utf8"));
        mtime = m;
      }
    } catch {
      /* keep the last good copy */
    }
    return cache;
  };
}

/** Waits for `test` to return a value, polling every `everyMs`, or returns undefined after `timeoutMs`. */
export async function waitFor<T>(test: () => T | undefined, timeoutMs: number, everyMs = 500): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = test();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) return undefined;
    await sleep(everyMs);
  }
}

/** True when `file` (a module's __filename) is the script tools/run.js was asked to run. */
export function isMain(file: string): boolean {
  return require("path").resolve(process.argv[1] ?? "") === file;
}
