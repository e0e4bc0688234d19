/**
 * Sample apps for the rehearsal, one per runtime, packed exactly as the hosts' deploy script
 * (components/hostconfig/scripts.ts, renderDeployScript) expects its artifact: a .tar.gz
 * unpacked with `tar -xzf -C <release>`, whose root holds
 *   django: manage.py, config/wsgi.py (gunicorn serves config.wsgi:application), requirements.txt,
 *           a model with its migration (probe/migrations/0001_initial.py), static assets;
 *   flask:  wsgi.py (wsgi:app), requirements.txt, static/ (nginx serves <current>/static);
 *   rust:   bin/<binaryName> (an executable), lib/ (its shared libraries), web/ (the web build).
 * Python artifacts vendor their dependencies, gunicorn included, as wheels made from Debian's
 * packages (wheels/, `--no-index --find-links wheels` at the top of requirements.txt, every wheel
 * pinned), so the host's pip install needs no package index; requirements.txt names gunicorn, so
 * the artifact's pin (Debian's: 23.0.0 on trixie, the hosts' GUNICORN_VERSION) wins over the
 * deploy's. Next to the tarball, `<path>.sha256` as sha256sum writes it, which the deploy checks.
 *
 *   const a = buildArtifact("django", { name: "smartboostpro", healthCheckPath: "/health/", staticPath: "/static/", appVersion: "1.0.3" }, outDir);
 *   // a.path, a.sha256
 *   const app = await startApp(a, { dir, env: { DATABASE_URL, DJANGO_SECRET_KEY, ... }, port: 8000 });
 *   ... app.address, app.port ... await app.stop();
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { GUNICORN_REQUIREMENT_ERE, GUNICORN_VERSION, migratePython } from "../../../components/hostconfig";
import { urlPathProblem } from "../../../lib/url-paths";
import { isAlive, must, run, sleep, stopChild } from "../sh";
import { debianWheels, machineRelease, WheelSet } from "./wheels";

export { debianWheels, machineRelease } from "./wheels";
export type { WheelSet } from "./wheels";

export type Runtime = "django" | "flask" | "rust";

/** Debian packages needed on the machine that builds (and locally runs) the sample apps. */
export const APP_BUILD_PACKAGES = ["python3", "python3-venv", "gcc", "libc6-dev", "libpq-dev", "libpq5", "tar", "gzip", "dpkg", "apt"];

/** What of an app's config the artifact depends on (a subset of AppConfig). */
export interface SampleApp {
  name: string;
  healthCheckPath: string;
  /** URL path of static files (staticPath), e.g. "/static/". Default "/static/". */
  staticPath?: string;
  appVersion: string;
  /** rust: the executable's name in bin/ (the host's binaryName; default the app name). */
  binaryName?: string;
  /** django: the next release, with one more migration (django-next/0002_visit_note.py). Default false. */
  nextRelease?: boolean;
}

/** The migrations a Django sample release applies, in order (`app.label`, as migrate prints them). */
export function sampleMigrations(nextRelease = false): string[] {
  return ["probe.0001_initial", ...(nextRelease ? ["probe.0002_visit_note"] : [])];
}

export interface BuildOptions {
  /** Debian release whose Python packages the wheels come from: the hosts' (trixie in the rehearsal), or this machine's to run the app here. Default this machine's. */
  release?: string;
}

export interface Artifact {
  runtime: Runtime;
  app: string;
  version: string;
  /** The .tar.gz. */
  path: string;
  /** Hex sha256 of the .tar.gz (also written to <path>.sha256 as `<hex>  <file>`). */
  sha256: string;
  /** Every file in the tarball (relative, sorted). */
  files: string[];
  /** What the host starts: the gunicorn WSGI app or bin/<name>. */
  entry: string;
  /** Python: the wheels' Debian release. */
  release?: string;
}

const SRC = __dirname;

function copyTree(from: string, to: string, subst: Record<string, string>): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.name === "__pycache__") continue;
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) copyTree(a, b, subst);
    else {
      let text = fs.readFileSync(a, "utf8");
      for (const [k, v] of Object.entries(subst)) text = text.split(k).join(v);
      fs.writeFileSync(b, text, { mode: e.name === "manage.py" ? 0o755 : 0o644 });
    }
  }
}

/**
 * requirements.txt of a Python artifact: an offline install of every vendored wheel, pinned.
 * Every wheel is listed, not only the top-level ones: Debian strips some upstream requirements
 * (Django's asgiref, sqlparse) from its metadata, so pip would not pull them in. gunicorn is
 * listed too: the deploy's own pin applies only when requirements.txt names none, and the
 * vendored wheel is Debian's version, not necessarily GUNICORN_VERSION. Pure.
 */
export function requirementsFor(wheels: string[]): string {
  const pins = wheels.map((w) => /^([^-]+)-([^-]+)-/.exec(w)).filter((m): m is RegExpExecArray => !!m).map((m) => `${m[1]}==${m[2]}`);
  return ["# Installed offline from the wheels in this artifact (made from Debian's packages).", "--no-index", "--find-links wheels", ...pins, ""].join("\n");
}

function listFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(root, r));
    else out.push(r);
  }
  return out.sort();
}

/** Shared libraries `bin` needs beyond glibc's own (ldd), to ship in lib/. */
function bundledLibraries(bin: string): string[] {
  const glibc = /^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libresolv|libutil)\.so/;
  return must("ldd", [bin]).split("\n").map((l) => /^\s*(\S+)\s+=>\s+(\/\S+)/.exec(l)).filter((m): m is RegExpExecArray => !!m && !glibc.test(m[1])).map((m) => m[2]);
}

/**
 * Builds the artifact of `runtime` for `app` into `outDir`: `<app>-<version>.tar.gz` (+ `.sha256`).
 * Deterministic layout (sorted, root-owned, fixed mtime).
 */
export function buildArtifact(runtime: Runtime, app: SampleApp, outDir: string, opts: BuildOptions = {}): Artifact {
  const healthCheckPathProblem = urlPathProblem(app.healthCheckPath);
  if (healthCheckPathProblem) throw new Error(`healthCheckPath ${healthCheckPathProblem}`);
  const staticPath = app.staticPath ?? "/static/";
  fs.mkdirSync(outDir, { recursive: true });
  const stage = fs.mkdtempSync(path.join(outDir, `.stage-${app.name}-`));
  try {
    let entry: string;
    let release: string | undefined;
    if (runtime === "django" || runtime === "flask") {
      release = opts.release ?? machineRelease();
      copyTree(path.join(SRC, runtime), stage, {
        "@HEALTH_CHECK_PATH@": app.healthCheckPath,
        "@STATIC_URL@": staticPath,
        "@STATIC_URL_NOSLASH@": staticPath.replace(/\/+$/, "") || "/static",
      });
      if (runtime === "django" && app.nextRelease) fs.copyFileSync(path.join(SRC, "django-next", "0002_visit_note.py"), path.join(stage, "probe", "migrations", "0002_visit_note.py"));
      const wheels: WheelSet = debianWheels(runtime, release);
      fs.mkdirSync(path.join(stage, "wheels"));
      for (const w of wheels.wheels) fs.copyFileSync(path.join(wheels.dir, w), path.join(stage, "wheels", w));
      fs.writeFileSync(path.join(stage, "requirements.txt"), requirementsFor(wheels.wheels));
      entry = runtime === "django" ? "config.wsgi:application" : "wsgi:app";
    } else {
      const name = app.binaryName ?? app.name;
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`binaryName "${name}" must be a file name`);
      fs.mkdirSync(path.join(stage, "bin"));
      fs.mkdirSync(path.join(stage, "lib"));
      const bin = path.join(stage, "bin", name);
      const includeDir = must("pg_config", ["--includedir"]).trim();
      must("cc", ["-O2", "-Wall", "-Wextra", "-o", bin, path.join(SRC, "binary", "server.c"), `-I${includeDir}`, "-lpq",
        `-DHEALTH_CHECK_PATH="${app.healthCheckPath}"`, "-Wl,-rpath,$ORIGIN/../lib",
        // DT_RPATH, not RUNPATH: it also applies to libpq's own libraries (libldap, ...), which the
        // host's release may not have (trixie's libldap is 2.6; the rehearsal found it).
        "-Wl,--disable-new-dtags"]);
      for (const lib of bundledLibraries(bin)) fs.copyFileSync(lib, path.join(stage, "lib", path.basename(lib)));
      copyTree(path.join(SRC, "binary", "web"), path.join(stage, "web"), {});
      fs.chmodSync(bin, 0o755);
      entry = `bin/${name}`;
    }
    const file = path.join(path.resolve(outDir), `${app.name}-${app.appVersion}.tar.gz`);
    const files = listFiles(stage);
    must("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@946684800", "-C", stage, "-czf", file, "."],
      { env: { ...process.env, GZIP: "-n" } });
    const sha256 = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    fs.writeFileSync(`${file}.sha256`, `${sha256}  ${path.basename(file)}\n`);
    return { runtime, app: app.name, version: app.appVersion, path: file, sha256, files, entry, release };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

export interface StartAppOptions {
  /** Where the release is unpacked and installed (created; removed by stop() unless keep). */
  dir: string;
  /** The environment the host's env files would give (DATABASE_URL, secrets, ALLOWED_HOSTS, ...). */
  env: Record<string, string>;
  /** Port (the app's configured port). Default 8000. */
  port?: number;
  /** Address. Default 127.0.0.1 (as on the hosts). */
  address?: string;
  /** Run Django's migrate before starting (every Django host's deploy does, unless runMigrations is false). Default true. */
  migrate?: boolean;
  keep?: boolean;
  timeoutMs?: number;
}

export interface RunningApp {
  address: string;
  port: number;
  pid: number;
  releaseDir: string;
  logFile: string;
  /** Output of the install steps (pip, collectstatic, migrate). */
  installLog: string;
  stop(): Promise<void>;
}

/**
 * Checks, unpacks and installs an artifact the way the host's deploy script does (the sha256 in
 * `<path>.sha256`, tar, venv, pip with the deploy's arguments, Django's collectstatic and its
 * migrate under the advisory lock) and starts it as the unit would (gunicorn on address:port, or
 * bin/<name>), on this machine, without systemd. For tests.
 */
export async function startApp(a: Artifact, opts: StartAppOptions): Promise<RunningApp> {
  const port = opts.port ?? 8000;
  const address = opts.address ?? "127.0.0.1";
  const dir = path.resolve(opts.dir);
  const releaseDir = path.join(dir, "release");
  // The deploy's check: the first line of <artifact>.sha256 starts with the tarball's sha256.
  const sum = /^([0-9a-fA-F]{64})(\s.*)?$/.exec(fs.readFileSync(`${a.path}.sha256`, "utf8").split("\n")[0].replace(/\r$/, ""));
  const actual = crypto.createHash("sha256").update(fs.readFileSync(a.path)).digest("hex");
  if (!sum || sum[1].toLowerCase() !== actual) throw new Error(`${a.path} does not match ${a.path}.sha256`);
  fs.mkdirSync(releaseDir, { recursive: true });
  must("tar", ["-xzf", a.path, "-C", releaseDir, "--no-same-owner"]);
  const env = { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", ...opts.env, HOST: address, PORT: String(port) };
  let installLog = "";
  const step = (cmd: string, args: string[]) => {
    const r = run(cmd, args, { cwd: releaseDir, env });
    installLog += `$ ${path.basename(cmd)} ${args.join(" ")}\n${r.stdout}${r.stderr}`;
    if (r.code !== 0) throw new Error(`${path.basename(cmd)} ${args.join(" ")} failed (${r.code}): ${(r.stderr || r.stdout).slice(-2000)}`);
  };
  let cmd: string;
  let args: string[];
  if (a.runtime === "rust") {
    cmd = path.join(releaseDir, a.entry);
    args = [];
  } else {
    step("python3", ["-m", "venv", path.join(releaseDir, "venv")]);
    // The deploy script's arguments, word for word (less --quiet).
    const requirements = path.join(releaseDir, "requirements.txt");
    const wheels = path.join(releaseDir, "wheels");
    const namesGunicorn = run("grep", ["-qiE", GUNICORN_REQUIREMENT_ERE, requirements]).code === 0;
    step(path.join(releaseDir, "venv/bin/pip"), ["install", "--no-cache-dir", "--disable-pip-version-check",
      ...(fs.existsSync(wheels) ? ["--no-index", "--find-links", wheels] : []), "-r", requirements,
      ...(namesGunicorn ? [] : [`gunicorn==${GUNICORN_VERSION}`])]);
    if (a.runtime === "django") {
      step(path.join(releaseDir, "venv/bin/python"), ["manage.py", "collectstatic", "--noinput"]);
      if (opts.migrate !== false) step(path.join(releaseDir, "venv/bin/python"), ["manage.py", "shell", "-c", migratePython()]);
    }
    cmd = path.join(releaseDir, "venv/bin/gunicorn");
    args = ["--bind", `${address}:${port}`, "--forwarded-allow-ips", "127.0.0.1", "--access-logfile", "-", "--error-logfile", "-", "--workers", "2", a.entry];
  }
  const logFile = path.join(dir, "app.log");
  const out = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn(cmd, args, { cwd: releaseDir, env, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  const alive = () => isAlive(child);
  const stop = async () => {
    await stopChild(child, "SIGTERM", 10000);
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 30000);
  for (;;) {
    const r = run("bash", ["-c", `exec 3<>/dev/tcp/${address}/${port}`]);
    if (r.code === 0) break;
    if (!alive() || Date.now() > deadline) {
      const why = fs.readFileSync(logFile, "utf8").slice(-2000);
      await stop();
      throw new Error(`${a.app} did not start listening on ${address}:${port}: ${why}`);
    }
    await sleep(200);
  }
  return { address, port, pid: child.pid as number, releaseDir, logFile, installLog, stop };
}
