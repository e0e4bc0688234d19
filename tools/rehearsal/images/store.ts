/**
 * The ECR stand-in's image store: a directory per repository, as a registry holds what
 * `docker push` sent it, content-addressed:
 *
 *   <registry>/<repository>/_manifests/sha256:<hex>   the manifest, byte for byte (its digest is the name)
 *   <registry>/<repository>/_blobs/sha256:<hex>       the config and the gzipped layers
 *   <registry>/<repository>/_tags/<tag>                the manifest digest the tag names
 *
 * Names starting with `_` cannot clash with a repository path component (ECR's grammar starts
 * each one with a letter or digit). `exportSaved` turns `docker save` output into a manifest and
 * blobs the way `docker push` does (Docker image manifest v2 schema 2, gzipped layers);
 * `publish` places one under a repository and tag; `registryStore` is what the registry
 * stand-in (aws/services.ts `registry`) reads.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import * as zlib from "zlib";
import { DOCKER_TAG_RE } from "../../../lib/versions";
import type { RegistryStore } from "../aws/services";
import { must } from "../sh";

export const MEDIA_TYPES = {
  manifest: "application/vnd.docker.distribution.manifest.v2+json",
  config: "application/vnd.docker.container.image.v1+json",
  layer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

/** ECR's repository-name grammar (also what keeps a path inside the store). */
export const REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
/** Docker's tag grammar, as the program checks it (lib/versions.ts). */
export const TAG_NAME = DOCKER_TAG_RE;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface ExportedImage {
  /** The manifest's digest: what `docker push` prints and what `<repo>@<digest>` pulls. */
  digest: string;
  mediaType: string;
  /** The config's digest, which is the image id `docker images` shows. */
  imageId: string;
  /** Every blob (config first, then the layers in order) with its size. */
  blobs: { digest: string; size: number; mediaType: string }[];
  /** Uncompressed layer digests (the config's rootfs.diff_ids). */
  diffIds: string[];
  /** Directory holding manifest.json and blobs/. */
  dir: string;
}

const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

/** Gzips `src` into `dest`, returning the digests and size of what went in and came out. */
async function gzipLayer(src: string, dest: string): Promise<{ digest: string; size: number; diffId: string }> {
  const inHash = crypto.createHash("sha256");
  const outHash = crypto.createHash("sha256");
  let size = 0;
  const source = fs.createReadStream(src);
  source.on("data", (c) => inHash.update(c as Buffer));
  const gzip = zlib.createGzip({ level: 6 });
  gzip.on("data", (c: Buffer) => {
    outHash.update(c);
    size += c.length;
  });
  await pipeline(source, gzip, fs.createWriteStream(dest));
  return { digest: `sha256:${outHash.digest("hex")}`, size, diffId: `sha256:${inHash.digest("hex")}` };
}

/**
 * `docker save` output (a tar: manifest.json naming the config and the uncompressed layer tars;
 * Docker 25+ also lays it out as OCI, the same manifest.json is there) → `<outDir>/manifest.json`
 * and `<outDir>/blobs/sha256:<hex>`, as `docker push` would send them. Checks each layer's
 * digest against the config's diff_ids.
 */
export async function exportSaved(saveTar: string, outDir: string): Promise<ExportedImage> {
  const tmp = `${outDir}.extract-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.mkdirSync(path.join(outDir, "blobs"), { recursive: true });
  try {
    must("tar", ["-xf", saveTar, "-C", tmp]);
    const saved = JSON.parse(fs.readFileSync(path.join(tmp, "manifest.json"), "utf8")) as { Config: string; Layers: string[] }[];
    if (saved.length !== 1) throw new Error(`${saveTar} holds ${saved.length} images, expected one`);
    const config = fs.readFileSync(path.join(tmp, saved[0].Config));
    const configDigest = sha256(config);
    const diffIds: string[] = JSON.parse(config.toString("utf8")).rootfs?.diff_ids ?? [];
    if (diffIds.length !== saved[0].Layers.length) throw new Error(`${saveTar}: ${saved[0].Layers.length} layers but ${diffIds.length} diff_ids in the config`);
    fs.writeFileSync(path.join(outDir, "blobs", configDigest), config);
    const layers: { digest: string; size: number; mediaType: string }[] = [];
    for (const [i, rel] of saved[0].Layers.entries()) {
      const part = path.join(outDir, "blobs", `layer-${i}.partial`);
      const g = await gzipLayer(path.join(tmp, rel), part);
      if (g.diffId !== diffIds[i]) throw new Error(`${saveTar}: layer ${i} is ${g.diffId}, the config says ${diffIds[i]}`);
      fs.renameSync(part, path.join(outDir, "blobs", g.digest));
      layers.push({ mediaType: MEDIA_TYPES.layer, size: g.size, digest: g.digest });
    }
    const manifestDoc = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: { mediaType: MEDIA_TYPES.config, size: config.length, digest: configDigest },
      layers,
    };
    // Docker's distribution code writes manifests indented with three spaces.
    const manifest = Buffer.from(JSON.stringify(manifestDoc, null, 3));
    const digest = sha256(manifest);
    fs.writeFileSync(path.join(outDir, "manifest.json"), manifest);
    const image: ExportedImage = {
      digest, mediaType: MEDIA_TYPES.manifest, imageId: configDigest, diffIds, dir: outDir,
      blobs: [{ digest: configDigest, size: config.length, mediaType: MEDIA_TYPES.config }, ...layers],
    };
    fs.writeFileSync(path.join(outDir, "image.json"), JSON.stringify(image, null, 2));
    return image;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** An export made earlier (`exportSaved`), read back and checked: the manifest's digest and every blob's size. */
export function readExported(dir: string): ExportedImage | undefined {
  const f = path.join(dir, "image.json");
  if (!fs.existsSync(f)) return undefined;
  const image = JSON.parse(fs.readFileSync(f, "utf8")) as ExportedImage;
  const manifest = path.join(dir, "manifest.json");
  if (!fs.existsSync(manifest) || sha256(fs.readFileSync(manifest)) !== image.digest) return undefined;
  for (const b of image.blobs) {
    const p = path.join(dir, "blobs", b.digest);
    if (!fs.existsSync(p) || fs.statSync(p).size !== b.size) return undefined;
  }
  return { ...image, dir };
}

function linkOrCopy(src: string, dest: string): void {
  if (fs.existsSync(dest)) return;
  try {
    fs.linkSync(src, dest);
  } catch {
    fs.copyFileSync(src, dest);
  }
}

/** Places an exported image into `<registry>/<repository>/` under `tag` (and its digest). Returns the manifest digest. */
export function publish(image: ExportedImage, registry: string, repository: string, tag?: string): string {
  if (!REPOSITORY_NAME.test(repository)) throw new Error(`"${repository}" is not an ECR repository name`);
  if (tag !== undefined && !TAG_NAME.test(tag)) throw new Error(`"${tag}" is not a Docker tag`);
  const repo = path.join(registry, repository);
  for (const d of ["_blobs", "_manifests", "_tags"]) fs.mkdirSync(path.join(repo, d), { recursive: true });
  for (const b of image.blobs) linkOrCopy(path.join(image.dir, "blobs", b.digest), path.join(repo, "_blobs", b.digest));
  fs.copyFileSync(path.join(image.dir, "manifest.json"), path.join(repo, "_manifests", image.digest));
  if (tag !== undefined) fs.writeFileSync(path.join(repo, "_tags", tag), `${image.digest}\n`);
  return image.digest;
}

/** What the registry stand-in reads: `<registry>/<repository>/...` as laid out above. Re-reads the disk on every call. */
export function registryStore(registry: string): RegistryStore {
  const repoDir = (repository: string) => (REPOSITORY_NAME.test(repository) ? path.join(registry, repository) : undefined);
  const file = (p: string | undefined) => (p && fs.existsSync(p) && fs.statSync(p).isFile() ? p : undefined);
  return {
    manifest(repository, reference) {
      const dir = repoDir(repository);
      if (!dir) return undefined;
      let digest = reference;
      if (!DIGEST.test(reference)) {
        if (!TAG_NAME.test(reference)) return undefined;
        const t = file(path.join(dir, "_tags", reference));
        if (!t) return undefined;
        digest = fs.readFileSync(t, "utf8").trim();
        if (!DIGEST.test(digest)) return undefined;
      }
      const m = file(path.join(dir, "_manifests", digest));
      if (!m) return undefined;
      const body = fs.readFileSync(m);
      let mediaType: string = MEDIA_TYPES.manifest;
      try {
        mediaType = JSON.parse(body.toString("utf8")).mediaType ?? mediaType;
      } catch {
        /* served as a v2 manifest */
      }
      return { body, digest, mediaType };
    },
    blob(repository, digest) {
      const dir = repoDir(repository);
      if (!dir || !DIGEST.test(digest)) return undefined;
      const b = file(path.join(dir, "_blobs", digest));
      if (!b) return undefined;
      return { size: fs.statSync(b).size, read: () => fs.readFileSync(b) };
    },
  };
}

/** Where a rehearsal run keeps its images: buildImages' work directory (`<runDir>/images`). */
export function imagesDirOf(runDir: string): string {
  return path.join(runDir, "images");
}

/** The registry directory the ECR stand-in serves for a run (`<runDir>/images/registry`). */
export function registryDirOf(runDir: string): string {
  return path.join(imagesDirOf(runDir), "registry");
}
