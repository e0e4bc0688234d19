/**
 * The base root filesystem every rehearsed host boots from: Debian (the release closest to
 * Ubuntu 24.04 that the configured mirror serves) made by mmdebstrap, with systemd, dbus,
 * cloud-init and what an Ubuntu cloud image has that the host documents rely on.
 *
 * Cached as a directory in /var/cache/webapp-platform-rehearsal/<release>-<hash>, where the hash
 * covers the release, the mirror, the package list and the hooks: it is rebuilt only when one of
 * those changes. Nothing rehearsal-specific is baked in: the stand-in layer (NoCloud seed, apt
 * proxy, cloud-init datasource) is written per boot into an overlay (see boot.ts).
 *
 *   node tools/run.js tools/rehearsal/rootfs.ts [--rebuild]     prints the rootfs directory
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isMain, log, must, run } from "./sh";
import { detectRelease, machineDebianSources } from "./mirror";

export const CACHE_DIR = process.env.REHEARSAL_CACHE ?? "/var/cache/webapp-platform-rehearsal";

/**
 * What the base image holds. Ubuntu's 24.04 server cloud image has all of these; the host
 * documents install the rest themselves (nginx, ufw, certbot, ... through cloud-init `packages`).
 */
export const PACKAGES = [
  // boot and init
  "systemd", "systemd-sysv", "dbus", "libpam-systemd", "udev",
  // cloud-init and what its modules need (python3-cffi-backend: cloud-init's crypto deps on minbase)
  "cloud-init", "python3", "python3-cffi-backend", "sudo", "openssh-server", "eatmydata",
  // what every Ubuntu cloud image has and the host scripts call without installing
  "ca-certificates", "locales", "tzdata", "curl", "openssl", "gnupg", "iproute2", "netbase", "procps",
  "cron", "less", "kmod", "lsb-release", "apt-utils", "logrotate",
];

/** Debian's codename → its suites, on the configured archive and security mirrors. */
export function mirrorLines(release: string, archive: string, security?: string): string[] {
  const lines = [`deb ${archive} ${release} main`, `deb ${archive} ${release}-updates main`];
  if (security) lines.push(`deb ${security} ${release}-security main`);
  return lines;
}

/** Hooks run in the finished tree: en_US.UTF-8 baked in, a fresh machine-id on first boot. */
export const CUSTOMIZE_HOOKS = [
  `echo 'en_US.UTF-8 UTF-8' > "$1/etc/locale.gen"`,
  `chroot "$1" locale-gen`,
  `echo 'LANG=en_US.UTF-8' > "$1/etc/default/locale"`,
  // An empty machine-id is a first boot for systemd, as an AMI's first launch is.
  `: > "$1/etc/machine-id"`,
  `rm -f "$1/var/lib/dbus/machine-id"`,
  // mmdebstrap turns Recommends off; Ubuntu's cloud images install them (docker.io brings the
  // docker CLI that way on trixie), so apt on the host behaves as on an AMI.
  `rm -f "$1/etc/apt/apt.conf.d/99mmdebstrap"`,
  // Recorded for docs/rehearsal.md: what the image holds.
  `chroot "$1" dpkg-query -W -f '\${Package} \${Version}\\n' > "$1/../packages.txt"`,
];

export function rootfsKey(release: string, mirrors: string[]): string {
  const h = crypto.createHash("sha256").update(JSON.stringify({ release, mirrors, PACKAGES, CUSTOMIZE_HOOKS, v: 1 })).digest("hex");
  return `${release}-${h.slice(0, 12)}`;
}

export interface Rootfs { release: string; dir: string; built: boolean; seconds: number; packagesFile: string }

/** The cached rootfs for the current package list, built with mmdebstrap when missing. */
export async function ensureRootfs(opts: { rebuild?: boolean } = {}): Promise<Rootfs> {
  const { archive, security } = machineDebianSources();
  const release = await detectRelease(archive);
  const mirrors = mirrorLines(release, archive, security);
  const key = rootfsKey(release, mirrors);
  const base = path.join(CACHE_DIR, key);
  const dir = path.join(base, "rootfs");
  const packagesFile = path.join(base, "packages.txt");
  if (!opts.rebuild && fs.existsSync(path.join(base, ".complete"))) return { release, dir, built: false, seconds: 0, packagesFile };

  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = path.join(CACHE_DIR, `${key}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, "rootfs"), { recursive: true });
  log(`building the ${release} rootfs with mmdebstrap (${PACKAGES.length} packages) into ${base}`);
  const t0 = Date.now();
  const r = run("mmdebstrap", [
    "--mode=root", "--variant=apt", "--format=directory",
    `--include=${PACKAGES.join(",")}`,
    "--aptopt=APT::Install-Recommends \"false\"",
    ...CUSTOMIZE_HOOKS.map((h) => `--customize-hook=${h}`),
    release, path.join(tmp, "rootfs"), ...mirrors,
  ], { stdio: ["ignore", "pipe", "pipe"] });
  fs.writeFileSync(path.join(tmp, "mmdebstrap.log"), r.stdout + r.stderr);
  if (r.code !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`mmdebstrap failed (${r.code}): ${r.stderr.trim().split("\n").slice(-15).join("\n")}`);
  }
  fs.writeFileSync(path.join(tmp, ".complete"), JSON.stringify({ release, mirrors, packages: PACKAGES, builtAt: new Date().toISOString() }, null, 2));
  if (fs.existsSync(base)) fs.rmSync(base, { recursive: true, force: true });
  fs.renameSync(tmp, base);
  const seconds = (Date.now() - t0) / 1000;
  log(`rootfs ${key} built in ${seconds.toFixed(0)} s (${must("du", ["-sh", dir]).split("\t")[0]})`);
  return { release, dir, built: true, seconds, packagesFile };
}

if (isMain(__filename)) {
  ensureRootfs({ rebuild: process.argv.includes("--rebuild") }).then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(String(e instanceof Error ? e.message : e));
      process.exit(1);
    },
  );
}
