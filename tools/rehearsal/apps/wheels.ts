/**
 * Python wheels made from Debian's packages of a given release, so a sample app's artifact
 * installs with `pip install --no-index` (PyPI is unreachable here and on the rehearsed hosts).
 *
 * The .debs (and their python3-* dependencies) are fetched with apt from the Debian mirror apt is
 * configured with, into a private apt state (the machine's own apt state is not touched), for
 * the release the hosts boot (trixie for the rehearsal rootfs; the machine's own release to run
 * an app here). Each distribution becomes a wheel (debwheels.py). Cached per release and
 * package list in <CACHE_DIR>/wheels/<release>-<hash>/.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { machineDebianSources } from "../mirror";
import { mirrorLines } from "../rootfs";
import { must, run } from "../sh";

export const WHEELS_CACHE = path.join(process.env.REHEARSAL_CACHE ?? "/var/cache/webapp-platform-rehearsal", "wheels");

/** Debian packages with the Python distributions each runtime's artifact vendors (plus their python3-* dependencies). */
export const PYTHON_DEBS: Record<"django" | "flask", string[]> = {
  django: ["python3-django", "python3-psycopg2", "python3-redis"],
  flask: ["python3-flask", "python3-psycopg2"],
};
/** gunicorn's package: `gunicorn` in bookworm, `python3-gunicorn` in later releases; whichever the release has. */
export const GUNICORN_DEBS = ["python3-gunicorn", "gunicorn"];
/** Never vendored: they come with Python or the venv. */
const NOT_VENDORED = /^(python3|python3-minimal|python3\.\d+.*|python3-(pip|setuptools|wheel|venv|distutils|lib2to3|pkg-resources|dev|all|tk|gdbm|pip-whl|setuptools-whl))$/;

/** The release's Debian codename of this machine (/etc/os-release VERSION_CODENAME). */
export function machineRelease(): string {
  const m = /^VERSION_CODENAME=(\S+)$/m.exec(fs.existsSync("/etc/os-release") ? fs.readFileSync("/etc/os-release", "utf8") : "");
  if (!m) throw new Error("cannot tell this machine's Debian release from /etc/os-release");
  return m[1];
}

/** Names in `apt-cache depends --recurse` output that are real python packages to vendor. Pure. */
export function vendoredFromDepends(output: string): string[] {
  const names = new Set<string>();
  for (const line of output.split("\n")) {
    if (!line || /^\s/.test(line) || line.startsWith("<")) continue;
    const name = line.trim().replace(/:any$/, "");
    if ((name.startsWith("python3-") || name === "gunicorn") && !NOT_VENDORED.test(name)) names.add(name);
  }
  return [...names].sort();
}

class PrivateApt {
  readonly opts: string[];
  constructor(readonly dir: string, release: string) {
    const { archive, security } = machineDebianSources();
    for (const d of ["lists/partial", "cache/archives/partial", "etc/sources.list.d", "etc/preferences.d"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.writeFileSync(path.join(dir, "status"), "");
    fs.writeFileSync(path.join(dir, "etc/sources.list"), mirrorLines(release, archive, security).map((l) => `${l}\n`).join(""));
    this.opts = [
      "-o", `Dir::Etc::SourceList=${dir}/etc/sources.list`, "-o", `Dir::Etc::SourceParts=${dir}/etc/sources.list.d`,
      "-o", `Dir::Etc::Preferences=${dir}/etc/preferences`, "-o", `Dir::Etc::PreferencesParts=${dir}/etc/preferences.d`,
      "-o", `Dir::State=${dir}`, "-o", `Dir::State::Lists=${dir}/lists`, "-o", `Dir::State::status=${dir}/status`,
      "-o", `Dir::Cache=${dir}/cache`, "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root", "-q",
    ];
  }
  update(): void { must("apt-get", [...this.opts, "update"]); }
  has(pkg: string): boolean {
    const r = run("apt-cache", [...this.opts, "show", "--no-all-versions", pkg]);
    return r.code === 0 && /^Package: /m.test(r.stdout);
  }
  closure(pkgs: string[]): string[] {
    const out = must("apt-cache", [...this.opts, "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", ...pkgs]);
    return vendoredFromDepends(out);
  }
  download(pkgs: string[], into: string): void { must("apt-get", [...this.opts, "download", ...pkgs], { cwd: into }); }
}

export interface WheelSet {
  release: string;
  dir: string;
  /** Wheel file names. */
  wheels: string[];
  /** The Debian packages they came from (name_version_arch.deb). */
  debs: string[];
}

/**
 * Wheels for a runtime's Python dependencies (and gunicorn) from Debian `release`, cached.
 * Needs root-free apt (no install happens) and the network to the Debian mirror on a cache miss.
 */
export function debianWheels(runtime: "django" | "flask", release: string = machineRelease()): WheelSet {
  const seeds = PYTHON_DEBS[runtime];
  const key = crypto.createHash("sha256").update(JSON.stringify({ release, seeds, GUNICORN_DEBS, v: 1, py: fs.readFileSync(path.join(__dirname, "debwheels.py"), "utf8") })).digest("hex").slice(0, 12);
  const dir = path.join(WHEELS_CACHE, `${release}-${runtime}-${key}`);
  const done = path.join(dir, "wheels.json");
  if (fs.existsSync(done)) return JSON.parse(fs.readFileSync(done, "utf8"));
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const apt = new PrivateApt(path.join(tmp, "apt"), release);
    apt.update();
    const gunicorn = GUNICORN_DEBS.find((p) => apt.has(p));
    if (!gunicorn) throw new Error(`Debian ${release} has none of ${GUNICORN_DEBS.join(", ")}`);
    const pkgs = apt.closure([...seeds, gunicorn]);
    const debDir = path.join(tmp, "debs");
    fs.mkdirSync(debDir);
    apt.download(pkgs, debDir);
    const tree = path.join(tmp, "tree");
    fs.mkdirSync(tree);
    const debs = fs.readdirSync(debDir).filter((f) => f.endsWith(".deb")).sort();
    for (const d of debs) must("dpkg-deb", ["-x", path.join(debDir, d), tree]);
    const wheelDir = path.join(tmp, "wheels");
    must("python3", [path.join(__dirname, "debwheels.py"), path.join(tree, "usr/lib/python3/dist-packages"), wheelDir], { env: { ...process.env, DEBWHEELS_TREE: tree } });
    const wheels = fs.readdirSync(wheelDir).filter((f) => f.endsWith(".whl")).sort();
    fs.rmSync(path.join(tmp, "apt"), { recursive: true, force: true });
    fs.rmSync(tree, { recursive: true, force: true });
    fs.rmSync(debDir, { recursive: true, force: true });
    const set: WheelSet = { release, dir: path.join(dir, "wheels"), wheels, debs };
    fs.writeFileSync(path.join(tmp, "wheels.json"), JSON.stringify(set, null, 2));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.renameSync(tmp, dir);
    return set;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
