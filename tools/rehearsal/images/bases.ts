/**
 * Stand-ins for the base images the project's Dockerfiles start FROM (no registry is reachable
 * here): Debian root filesystems made by mmdebstrap from the mirror apt is configured with, for
 * the release the rehearsal boots (trixie), `docker import`ed under the names the Dockerfiles use.
 *
 *   python:3.12-slim                          Debian python3 + pip (+ python-is-python3); no
 *                                             EXTERNALLY-MANAGED marker (the real image's Python is
 *                                             not Debian's either); /etc/pip.conf installs only
 *                                             from the wheels in /usr/local/share/python-wheels,
 *                                             the builds' requirements need, made from
 *                                             Debian's packages (apps/wheels.ts)
 *   alpine:3.20                               Debian minbase (the build stage needs sh and sed)
 *   nginxinc/nginx-unprivileged:1.27-alpine   Debian nginx set up as the real image: user nginx
 *                                             uid/gid 101, pid and temp paths in /tmp, includes
 *                                             conf.d/*.conf, default.conf on 8080, logs to
 *                                             stdout/stderr, USER 101, CMD nginx -g 'daemon off;'
 *
 * Each is a tar cached in <cacheDir>/images/base-<name>-<release>-<hash>/rootfs.tar, the hash over
 * release, mirrors, packages, hooks, image config and wheels; rebuilt only when one changes.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { debianWheels } from "../apps/wheels";
import { detectRelease, machineDebianSources } from "../mirror";
import { mirrorLines } from "../rootfs";
import { log, must, run } from "../sh";

export interface BaseImage {
  /** The tag the Dockerfiles use. */
  tag: string;
  /** A short name for the cache directory. */
  slug: string;
  /** Packages on top of Debian minbase. */
  packages: string[];
  /** mmdebstrap --customize-hook shell commands ("$1" is the root). */
  hooks: string[];
  /** `docker import --change` instructions (the real image's config, as far as it matters). */
  changes: string[];
  /** Python wheels to carry (python base only). */
  wheels?: boolean;
}

export const WHEEL_DIR = "/usr/local/share/python-wheels";

/** The real nginx-unprivileged image's /etc/nginx/nginx.conf (1.27), with Debian's module include. */
export const NGINX_CONF = `# As in nginxinc/nginx-unprivileged: no user directive, pid and temp paths in /tmp.
include /etc/nginx/modules-enabled/*.conf;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /tmp/nginx.pid;

events {
    worker_connections  1024;
}

http {
    proxy_temp_path /tmp/proxy_temp;
    client_body_temp_path /tmp/client_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;

    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    keepalive_timeout  65;

    include /etc/nginx/conf.d/*.conf;
}
`;

/** The real image's conf.d/default.conf, in short: port 8080, /usr/share/nginx/html. */
export const NGINX_DEFAULT_CONF = `server {
    listen       8080;
    server_name  localhost;
    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const PATH_ENV = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const b64 = (s: string) => Buffer.from(s).toString("base64");

export const BASE_IMAGES: BaseImage[] = [
  {
    tag: "python:3.12-slim",
    slug: "python",
    packages: ["python3", "python3-pip", "python-is-python3", "ca-certificates", "netbase", "tzdata"],
    hooks: [
      // The real image's Python is its own build in /usr/local, not externally managed (PEP 668).
      `rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED`,
      // PyPI is unreachable: pip installs from the wheels carried in the image, only.
      `printf '[global]\\nno-index = true\\nfind-links = ${WHEEL_DIR}\\n' > "$1/etc/pip.conf"`,
    ],
    changes: [PATH_ENV, "ENV LANG=C.UTF-8", 'CMD ["python3"]'],
    wheels: true,
  },
  {
    tag: "alpine:3.20",
    slug: "alpine",
    packages: [],
    hooks: [],
    changes: [PATH_ENV, 'CMD ["/bin/sh"]'],
  },
  {
    tag: "nginxinc/nginx-unprivileged:1.27-alpine",
    slug: "nginx-unprivileged",
    packages: ["nginx", "ca-certificates", "tzdata"],
    hooks: [
      `! chroot "$1" getent passwd 101 && ! chroot "$1" getent group 101`,
      `chroot "$1" groupadd --system --gid 101 nginx`,
      `chroot "$1" useradd --system --uid 101 --gid 101 --no-create-home --home-dir /nonexistent --shell /sbin/nologin nginx`,
      `echo '${b64(NGINX_CONF)}' | base64 -d > "$1/etc/nginx/nginx.conf"`,
      `rm -f "$1"/etc/nginx/sites-enabled/* && mkdir -p "$1/etc/nginx/conf.d" "$1/var/cache/nginx" "$1/usr/share/nginx/html"`,
      `echo '${b64(NGINX_DEFAULT_CONF)}' | base64 -d > "$1/etc/nginx/conf.d/default.conf"`,
      `[ -f "$1/usr/share/nginx/html/index.html" ] || echo '<h1>Welcome to nginx!</h1>' > "$1/usr/share/nginx/html/index.html"`,
      `chroot "$1" nginx -t -c /etc/nginx/nginx.conf`,
      // As the real image: logs go to the container's stdout and stderr.
      `ln -sf /dev/stdout "$1/var/log/nginx/access.log" && ln -sf /dev/stderr "$1/var/log/nginx/error.log"`,
      // As the real image: the nginx user owns its config and cache (group root, group-writable).
      `chown -R 101:0 "$1/var/cache/nginx" "$1/etc/nginx" && chmod -R g+w "$1/var/cache/nginx" "$1/etc/nginx"`,
    ],
    changes: [PATH_ENV, "EXPOSE 8080", "USER 101", 'CMD ["nginx", "-g", "daemon off;"]'],
  },
];

/** `name==version` pins of a requirements.txt (comments, options and unpinned lines ignored). Pure. */
export function pinnedRequirements(text: string): { name: string; version?: string }[] {
  const out: { name: string; version?: string }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line || line.startsWith("-")) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:==\s*([^\s;,]+))?/.exec(line);
    if (m) out.push({ name: m[1], version: m[2] });
  }
  return out;
}

const normName = (n: string) => n.toLowerCase().replace(/[-_.]+/g, "_");

/** A wheel file's name and version (`name-version-...whl`). Pure. */
export function wheelNameVersion(file: string): { name: string; version: string } | undefined {
  const m = /^([^-]+)-([^-]+)-/.exec(file);
  return m ? { name: normName(m[1]), version: m[2] } : undefined;
}

export interface WheelChoice { dir: string; wheels: string[]; release: string }

/** Each wheel's Requires-Dist names (extras left out), read from its METADATA with python3. */
function wheelRequires(dir: string, wheels: string[]): Record<string, string[]> {
  const py = [
    "import json, re, sys, zipfile",
    "out = {}",
    "for f in sys.argv[2:]:",
    "    z = zipfile.ZipFile(sys.argv[1] + '/' + f)",
    "    meta = [n for n in z.namelist() if n.endswith('.dist-info/METADATA')][0]",
    "    reqs = []",
    "    for line in z.read(meta).decode('utf-8').splitlines():",
    "        if not line.strip(): break",
    "        if line.startswith('Requires-Dist:') and 'extra ==' not in line:",
    "            reqs.append(re.match(r'[A-Za-z0-9._-]+', line.split(':', 1)[1].strip()).group(0))",
    "    out[f] = reqs",
    "print(json.dumps(out))",
  ].join("\n");
  return JSON.parse(must("python3", ["-c", py, dir, ...wheels]));
}

/**
 * Wheels from Debian `release` covering `requirements` (every pin must exist at that version)
 * and what they require in turn (gunicorn → packaging), taken from the sample apps' wheel sets
 * (apps/wheels.ts: flask's, else django's).
 */
export function wheelsFor(requirements: { name: string; version?: string }[], release: string): WheelChoice {
  const missing: string[] = [];
  for (const runtime of ["flask", "django"] as const) {
    const set = debianWheels(runtime, release);
    const byName = new Map(set.wheels.map((w) => [wheelNameVersion(w)?.name ?? w, w]));
    missing.length = 0;
    for (const r of requirements) {
      const w = byName.get(normName(r.name));
      const v = w ? wheelNameVersion(w)?.version : undefined;
      if (!w) missing.push(`${r.name} (no wheel)`);
      else if (r.version && v !== r.version) missing.push(`${r.name}==${r.version} (Debian ${release} has ${v})`);
    }
    if (missing.length > 0) continue;
    const requires = wheelRequires(set.dir, set.wheels);
    const chosen = new Set<string>();
    const todo = requirements.map((r) => byName.get(normName(r.name))!);
    while (todo.length) {
      const w = todo.pop()!;
      if (chosen.has(w)) continue;
      chosen.add(w);
      // A requirement Debian has no wheel for here is one Python itself provides (or a marker excludes).
      for (const dep of requires[w] ?? []) { const d = byName.get(normName(dep)); if (d) todo.push(d); }
    }
    return { dir: set.dir, wheels: [...chosen].sort(), release };
  }
  throw new Error(`the substitute python base cannot install ${missing.join(", ")}: its wheels are made from Debian ${release}'s packages`);
}

export interface BuiltBase { tag: string; tar: string; key: string; built: boolean; seconds: number; changes: string[] }

export function baseKey(base: BaseImage, release: string, mirrors: string[], wheels?: WheelChoice): string {
  const h = crypto.createHash("sha256").update(JSON.stringify({ base, release, mirrors, wheels: wheels ? { dir: wheels.dir, wheels: wheels.wheels } : null, v: 1 })).digest("hex");
  return `base-${base.slug}-${release}-${h.slice(0, 12)}`;
}

/** The release and mirror lines the bases are made from: the rehearsal rootfs's. */
export async function baseSources(): Promise<{ release: string; mirrors: string[] }> {
  const { archive, security } = machineDebianSources();
  const release = await detectRelease(archive);
  return { release, mirrors: mirrorLines(release, archive, security) };
}

/** One base's rootfs tar, from the cache or made now with mmdebstrap (root, network to the mirror). */
export function ensureBase(base: BaseImage, opts: { cacheDir: string; release: string; mirrors: string[]; wheels?: WheelChoice; rebuild?: boolean }): BuiltBase {
  const key = baseKey(base, opts.release, opts.mirrors, opts.wheels);
  const dir = path.join(opts.cacheDir, "images", key);
  const tar = path.join(dir, "rootfs.tar");
  if (!opts.rebuild && fs.existsSync(path.join(dir, ".complete")) && fs.existsSync(tar)) return { tag: base.tag, tar, key, built: false, seconds: 0, changes: base.changes };
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const hooks: string[] = [];
  if (base.wheels) {
    if (!opts.wheels) throw new Error(`${base.tag} needs its wheels`);
    hooks.push(`mkdir -p "$1${WHEEL_DIR}"`, ...opts.wheels.wheels.map((w) => `cp "${path.join(opts.wheels!.dir, w)}" "$1${WHEEL_DIR}/"`));
  }
  hooks.push(...base.hooks);
  log(`building the ${base.tag} stand-in (Debian ${opts.release} minbase${base.packages.length ? ` + ${base.packages.join(" ")}` : ""}) into ${dir}`);
  const t0 = Date.now();
  const r = run("mmdebstrap", [
    "--mode=root", "--variant=minbase", "--format=tar",
    ...(base.packages.length ? [`--include=${base.packages.join(",")}`] : []),
    "--aptopt=APT::Install-Recommends \"false\"",
    "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/locale/*",
    "--dpkgopt=path-include=/usr/share/doc/*/copyright",
    ...hooks.map((h) => `--customize-hook=${h}`),
    opts.release, path.join(tmp, "rootfs.tar"), ...opts.mirrors,
  ], { stdio: ["ignore", "pipe", "pipe"] });
  fs.writeFileSync(path.join(tmp, "mmdebstrap.log"), r.stdout + r.stderr);
  if (r.code !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`mmdebstrap for ${base.tag} failed (${r.code}): ${r.stderr.trim().split("\n").slice(-15).join("\n")}`);
  }
  fs.writeFileSync(path.join(tmp, ".complete"), JSON.stringify({ tag: base.tag, release: opts.release, mirrors: opts.mirrors, packages: base.packages, wheels: opts.wheels?.wheels, builtAt: new Date().toISOString() }, null, 2));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  const seconds = (Date.now() - t0) / 1000;
  log(`${base.tag} stand-in built in ${seconds.toFixed(0)} s (${(fs.statSync(tar).size / 1e6).toFixed(0)} MB)`);
  return { tag: base.tag, tar, key, built: true, seconds, changes: base.changes };
}
