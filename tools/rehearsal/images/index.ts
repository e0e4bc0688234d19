/**
 * The container images a compose host pulls, built for real from the project's Dockerfiles
 * (unchanged) and served by the ECR stand-in, so the digest in the host's user data names an
 * image that exists and runs:
 *
 *   const built = await buildImages({ workDir: imagesDirOf(runDir), contexts: imageContextsFromRecording(rec) });
 *   const rec2 = await recordStack(stack, { ..., imageDigests: imageDigestsOf(built) });   // user data with the real digests
 *   // the AWS stand-in serves <runDir>/images/registry: registryStore(registryDirOf(runDir))
 *
 * buildImages: base images are Debian stand-ins (bases.ts), `docker import`ed into a dockerd of
 * the build's own in a network namespace of its own (dockerd.ts), the Dockerfiles built with the
 * legacy builder and `--network none` (nothing is reachable), each image `docker save`d and
 * turned into what `docker push` sends (store.ts): a v2 schema 2 manifest, its config and gzipped
 * layers, under <registryDir>/<repository>/. Each built image is cached in
 * <cacheDir>/images/build-<hash>/ (hash over the base stand-ins, the context's files, Dockerfile,
 * build args and platform): a warm call starts no engine and costs well under a second.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Recording } from "../../../test/harness";
import { log } from "../sh";
import { BASE_IMAGES, baseKey, baseSources, BuiltBase, ensureBase, pinnedRequirements, WheelChoice, wheelsFor } from "./bases";
import { Dockerd, startDockerd } from "./dockerd";
import { ExportedImage, exportSaved, publish, readExported, REPOSITORY_NAME, TAG_NAME } from "./store";

export { BASE_IMAGES, NGINX_CONF, WHEEL_DIR } from "./bases";
export { cleanupDockerd, dockerClient, ensureDockerInstalled, IMAGE_BUILD_PACKAGES, startDockerd } from "./dockerd";
export type { Dockerd } from "./dockerd";
export { exportSaved, imagesDirOf, MEDIA_TYPES, publish, registryDirOf, registryStore } from "./store";
export type { ExportedImage } from "./store";

export const DEFAULT_CACHE_DIR = process.env.REHEARSAL_CACHE ?? "/var/cache/webapp-platform-rehearsal";

export interface ImageContext {
  /** The build context directory. */
  context: string;
  /** `<registry host>/<repository>:<tag>`, as the program's docker Image names it. */
  imageName: string;
  /** The app version (the tag; APP_VERSION unless buildArgs says otherwise). */
  appVersion: string;
  /** Build args. Default { APP_VERSION: appVersion } (what components/container-images.ts passes). */
  buildArgs?: Record<string, string>;
  /** Default <context>/Dockerfile. */
  dockerfile?: string;
  /** `linux/amd64` or `linux/arm64`; must be this machine's (no emulation here). Default this machine's. */
  platform?: string;
  /** The docker Image's logical name in the recording (the key imageDigestsOf uses when set). */
  resource?: string;
}

export interface BuiltImage {
  imageName: string;
  resource?: string;
  registryHost: string;
  repository: string;
  tag: string;
  /** The manifest digest (`sha256:...`): what `pulumi up` would record as the pushed image's. */
  digest: string;
  /** `<registry host>/<repository>@<digest>`, the reference the hosts run. */
  ref: string;
  /** The config digest (the image id `docker images` shows after a pull). */
  imageId: string;
  /** Compressed bytes of config and layers. */
  bytes: number;
  layers: number;
  /** Taken from the build cache (no engine involved). */
  cached: boolean;
  seconds: number;
  /** The export (manifest.json, blobs/) in the cache. */
  exportDir: string;
}

export interface BuildImagesResult {
  images: BuiltImage[];
  registryDir: string;
  bases: BuiltBase[];
  /** Whether a dockerd was started (false when every image came from the cache). */
  engineStarted: boolean;
  seconds: number;
}

export interface BuildImagesOptions {
  /** Scratch and logs (dockerd.log, build-<n>.log); the registry goes to <workDir>/registry unless registryDir says otherwise. */
  workDir: string;
  /** Where base stand-ins and built images are cached. Default /var/cache/webapp-platform-rehearsal. */
  cacheDir?: string;
  contexts: ImageContext[];
  registryDir?: string;
  /** Build even when a cached image exists (the bases stay cached unless rebuildBases). */
  rebuild?: boolean;
  rebuildBases?: boolean;
  /** Build in this engine (started by the caller, who stops it); every image is built in it, cache or not. */
  engine?: Dockerd;
}

/** `<host>/<repo>:<tag>` → its parts. Pure. */
export function parseImageName(imageName: string): { registryHost: string; repository: string; tag: string } {
  const slash = imageName.indexOf("/");
  const colon = imageName.lastIndexOf(":");
  if (slash < 0 || colon < slash) throw new Error(`image name "${imageName}" is not <registry>/<repository>:<tag>`);
  const out = { registryHost: imageName.slice(0, slash), repository: imageName.slice(slash + 1, colon), tag: imageName.slice(colon + 1) };
  if (!REPOSITORY_NAME.test(out.repository)) throw new Error(`image name "${imageName}": "${out.repository}" is not an ECR repository name`);
  if (!TAG_NAME.test(out.tag)) throw new Error(`image name "${imageName}": "${out.tag}" is not a Docker tag`);
  return out;
}

/** The images a Dockerfile starts FROM (stage names and `scratch` left out), in order. Pure. */
export function baseImagesOf(dockerfile: string, buildArgs: Record<string, string> = {}): string[] {
  const stages = new Set<string>();
  const out: string[] = [];
  const text = dockerfile.replace(/\\\r?\n/g, " ");
  const args: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?/i.exec(line);
    if (arg && out.length === 0) args[arg[1]] = buildArgs[arg[1]] ?? arg[2] ?? "";
    const m = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!m) continue;
    const image = m[1].replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n: string) => args[n] ?? "");
    if (!stages.has(image.toLowerCase()) && image !== "scratch" && !out.includes(image)) out.push(image);
    if (m[2]) stages.add(m[2].toLowerCase());
  }
  return out;
}

function dockerignorePatterns(context: string): RegExp[] | undefined {
  const f = path.join(context, ".dockerignore");
  if (!fs.existsSync(f)) return [];
  const lines = fs.readFileSync(f, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  // Exceptions (!) make the set subtle: then hash everything (a needless rebuild at worst).
  if (lines.some((l) => l.startsWith("!"))) return undefined;
  return lines.map((l) => {
    const p = l.replace(/^\/+|\/+$/g, "");
    const re = p.split("**").map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")).join(".*");
    return new RegExp(`^${re}(/.*)?$`);
  });
}

/** A digest of what a build context holds (paths, modes, contents), .dockerignore'd files left out. */
export function contextDigest(context: string): string {
  const ignore = dockerignorePatterns(context) ?? [];
  const h = crypto.createHash("sha256");
  const walk = (rel: string) => {
    const dir = path.join(context, rel);
    for (const name of fs.readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (ignore.some((re) => re.test(r))) continue;
      const p = path.join(context, r);
      const st = fs.lstatSync(p);
      if (st.isDirectory()) {
        h.update(`d ${r} ${st.mode & 0o7777}\n`);
        walk(r);
      } else if (st.isSymbolicLink()) h.update(`l ${r} ${fs.readlinkSync(p)}\n`);
      else h.update(`f ${r} ${st.mode & 0o7777} ${crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex")}\n`);
    }
  };
  walk("");
  return h.digest("hex");
}

const machinePlatform = () => `linux/${process.arch === "x64" ? "amd64" : process.arch}`;

/** The docker Images of a recording (optionally one app's: logical names starting with `<app>-`) as build contexts. Pure. */
export function imageContextsFromRecording(rec: Recording, app?: string): ImageContext[] {
  return rec.ofType("docker:index/image:Image")
    .filter((r) => !app || r.name.startsWith(`${app}-`))
    .map((r) => {
      const build = (r.inputs.build ?? {}) as { context?: string; dockerfile?: string; args?: Record<string, string>; platform?: string };
      const imageName = String(r.inputs.imageName ?? "");
      const tag = imageName.slice(imageName.lastIndexOf(":") + 1);
      if (!build.context) throw new Error(`docker Image ${r.name} has no build context`);
      return { resource: r.name, imageName, context: build.context, dockerfile: build.dockerfile, buildArgs: build.args ?? {}, platform: build.platform, appVersion: build.args?.APP_VERSION ?? tag };
    });
}

/** What recordStack's imageDigests wants: each built image's digest by its resource name (else its imageName). */
export function imageDigestsOf(result: BuildImagesResult | BuiltImage[]): Record<string, string> {
  const images = Array.isArray(result) ? result : result.images;
  return Object.fromEntries(images.map((i) => [i.resource ?? i.imageName, i.digest]));
}

interface Planned {
  ctx: ImageContext;
  name: { registryHost: string; repository: string; tag: string };
  dockerfile: string;
  buildArgs: Record<string, string>;
  platform: string;
  bases: string[];
  key: string;
}

/**
 * Builds (or takes from the cache) every image of `contexts` and publishes each under
 * <registryDir>/<repository>/ with its tag. Needs root, mmdebstrap and the Debian mirror on a
 * cold cache, and docker.io (installed with apt-get when missing) when anything is built.
 */
export async function buildImages(opts: BuildImagesOptions): Promise<BuildImagesResult> {
  const t0 = Date.now();
  const cacheDir = opts.cacheDir ?? DEFAULT_CACHE_DIR;
  const workDir = path.resolve(opts.workDir);
  const registryDir = opts.registryDir ?? path.join(workDir, "registry");
  fs.mkdirSync(registryDir, { recursive: true });

  // What each build needs, checked before anything runs.
  const { release, mirrors } = await baseSources();
  const known = new Map(BASE_IMAGES.map((b) => [b.tag, b]));
  const pre = opts.contexts.map((ctx) => {
    const context = path.resolve(ctx.context);
    const dockerfile = path.resolve(context, ctx.dockerfile ?? "Dockerfile");
    if (!fs.existsSync(context) || !fs.statSync(context).isDirectory()) throw new Error(`build context ${context} is not a directory`);
    if (!fs.existsSync(dockerfile)) throw new Error(`no Dockerfile ${dockerfile}`);
    const buildArgs = { APP_VERSION: ctx.appVersion, ...(ctx.buildArgs ?? {}) };
    const platform = ctx.platform ?? machinePlatform();
    if (platform !== machinePlatform()) throw new Error(`${ctx.imageName} is for ${platform}; this machine builds ${machinePlatform()} only (no emulation)`);
    const bases = baseImagesOf(fs.readFileSync(dockerfile, "utf8"), buildArgs);
    const unknown = bases.filter((b) => !known.has(b));
    if (unknown.length) throw new Error(`${dockerfile} starts FROM ${unknown.join(", ")}: the rehearsal has stand-ins only for ${[...known.keys()].join(", ")} (tools/rehearsal/images/bases.ts)`);
    return { ctx: { ...ctx, context }, name: parseImageName(ctx.imageName), dockerfile, buildArgs, platform, bases };
  });
  // The python stand-in carries the wheels every python build's requirements.txt pins.
  const needsPython = pre.filter((p) => p.bases.some((b) => b.startsWith("python:")));
  let wheels: WheelChoice | undefined;
  if (needsPython.length) {
    const reqs = needsPython.flatMap((p) => {
      const f = path.join(p.ctx.context, "requirements.txt");
      return fs.existsSync(f) ? pinnedRequirements(fs.readFileSync(f, "utf8")) : [];
    });
    wheels = wheelsFor(reqs, release);
  }
  const baseKeys = new Map([...known.values()].map((b) => [b.tag, baseKey(b, release, mirrors, b.wheels ? wheels : undefined)]));
  const planned: Planned[] = pre.map((p) => ({
    ...p,
    key: crypto.createHash("sha256").update(JSON.stringify({
      bases: p.bases.map((b) => baseKeys.get(b)), context: contextDigest(p.ctx.context),
      dockerfile: fs.readFileSync(p.dockerfile, "utf8"), dockerfilePath: path.relative(p.ctx.context, p.dockerfile),
      buildArgs: p.buildArgs, platform: p.platform, v: 1,
    })).digest("hex").slice(0, 16),
  }));
  const cacheOf = (p: Planned) => path.join(cacheDir, "images", `build-${p.name.repository.replace(/\//g, "_")}-${p.key}`);

  const images: BuiltImage[] = [];
  const record = (p: Planned, img: ExportedImage, cached: boolean, seconds: number) => {
    publish(img, registryDir, p.name.repository, p.name.tag);
    images.push({
      imageName: p.ctx.imageName, resource: p.ctx.resource, ...p.name, digest: img.digest, ref: `${p.name.registryHost}/${p.name.repository}@${img.digest}`,
      imageId: img.imageId, bytes: img.blobs.reduce((n, b) => n + b.size, 0), layers: img.blobs.length - 1, cached, seconds, exportDir: img.dir,
    });
  };
  const toBuild: Planned[] = [];
  for (const p of planned) {
    const hit = !opts.rebuild && !opts.engine ? readExported(cacheOf(p)) : undefined;
    if (hit) record(p, hit, true, 0);
    else toBuild.push(p);
  }
  const builtBases: BuiltBase[] = [];
  if (toBuild.length === 0) return { images, registryDir, bases: builtBases, engineStarted: false, seconds: (Date.now() - t0) / 1000 };

  const needed = [...new Set(toBuild.flatMap((p) => p.bases))];
  for (const tag of needed) {
    const b = known.get(tag)!;
    builtBases.push(ensureBase(b, { cacheDir, release, mirrors, wheels: b.wheels ? wheels : undefined, rebuild: opts.rebuildBases }));
  }
  const engine = opts.engine ?? (await startDockerd({ workDir }));
  try {
    for (const b of builtBases) {
      const r = engine.docker(["import", ...b.changes.flatMap((c) => ["--change", c]), b.tar, b.tag]);
      if (r.code !== 0) throw new Error(`docker import of the ${b.tag} stand-in failed: ${r.stderr.trim()}`);
    }
    for (const [n, p] of toBuild.entries()) {
      const t1 = Date.now();
      const logFile = path.join(workDir, `build-${p.name.repository.replace(/\//g, "_")}.log`);
      log(`building ${p.ctx.imageName} from ${p.dockerfile}`);
      const r = await engine.dockerAsync([
        "build", "--network", "none", "--platform", p.platform,
        "-f", p.dockerfile, ...Object.entries(p.buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
        "-t", p.ctx.imageName, p.ctx.context,
      ]);
      fs.writeFileSync(logFile, r.stdout + r.stderr);
      if (r.code !== 0) throw new Error(`docker build of ${p.ctx.imageName} failed (${r.code}), see ${logFile}: ${r.stderr.trim().split("\n").slice(-8).join("\n")}`);
      const saveTar = path.join(workDir, `save-${n}.tar`);
      const s = engine.docker(["save", "-o", saveTar, p.ctx.imageName]);
      if (s.code !== 0) throw new Error(`docker save of ${p.ctx.imageName} failed: ${s.stderr.trim()}`);
      const final = cacheOf(p);
      const tmp = `${final}.tmp-${process.pid}`;
      fs.rmSync(tmp, { recursive: true, force: true });
      try {
        await exportSaved(saveTar, tmp);
      } finally {
        fs.rmSync(saveTar, { force: true });
      }
      const id = engine.docker(["image", "inspect", "--format", "{{.Id}}", p.ctx.imageName]).stdout.trim();
      fs.rmSync(final, { recursive: true, force: true });
      fs.renameSync(tmp, final);
      const img = readExported(final);
      if (!img) throw new Error(`the export of ${p.ctx.imageName} in ${final} does not check out`);
      if (id && id !== img.imageId) throw new Error(`${p.ctx.imageName}: the engine's image id ${id} is not the exported config ${img.imageId}`);
      record(p, img, false, (Date.now() - t1) / 1000);
      log(`${p.ctx.imageName} built: ${img.digest} (${img.blobs.length - 1} layers, ${((Date.now() - t1) / 1000).toFixed(0)} s)`);
    }
  } finally {
    if (!opts.engine) await engine.stop();
  }
  // Keep the caller's order.
  images.sort((a, b) => planned.findIndex((p) => p.ctx.imageName === a.imageName) - planned.findIndex((p) => p.ctx.imageName === b.imageName));
  return { images, registryDir, bases: builtBases, engineStarted: !opts.engine, seconds: (Date.now() - t0) / 1000 };
}
