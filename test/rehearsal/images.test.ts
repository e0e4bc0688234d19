/**
 * The image pieces of the rehearsal without a Docker engine: the ECR registry stand-in
 * (manifests and blobs from the store, digests and content types, IAM, ECR's error codes), the
 * store's export of `docker save` output (as `docker push` would send it), the Dockerfile and
 * requirements parsing, and the harness's digest injection (the user data names the built image).
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { decodeUserData } from "../../components/hostconfig";
import type { AwsState } from "../../tools/rehearsal/aws/plan";
import { endpointOf, handleAws, keysForRoles, registryPassword, RegistryStore } from "../../tools/rehearsal/aws/services";
import { pinnedRequirements, wheelNameVersion } from "../../tools/rehearsal/images/bases";
import { baseImagesOf, contextDigest, imageContextsFromRecording, imageDigestsOf, parseImageName } from "../../tools/rehearsal/images";
import { exportSaved, MEDIA_TYPES, publish, readExported, registryDirOf, registryStore } from "../../tools/rehearsal/images/store";
import { recordStack } from "../harness";

const sha = (b: Buffer | string) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;
const REG = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const REPO = "staging/saas-platform-images/backend";
const ARN = (repo: string) => `arn:aws:ecr:eu-west-1:123456789012:repository/${repo}`;

function state(): AwsState {
  return {
    accountId: "123456789012", regions: ["eu-west-1"], secrets: [], artifacts: [], groups: [], publicBuckets: [],
    roles: {
      "saas-role": { inline: [{ name: "pull", statements: [
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "EcrPull", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: [ARN(REPO)] },
      ] }], managed: [] },
      "manifest-only": { inline: [{ name: "half", statements: [{ Sid: "Manifests", Effect: "Allow", Action: ["ecr:BatchGetImage"], Resource: [ARN(REPO)] }] }], managed: [] },
      "other-app": { inline: [{ name: "pull", statements: [{ Sid: "EcrPull", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: [ARN("staging/other/web")] }] }], managed: [] },
    },
  };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reh-images-test-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A `docker save`-shaped tar of a one-layer image, made with tar (no engine). */
function fakeSave(dir: string, content = "hello from a layer\n"): { tar: string; layerTar: Buffer; config: Buffer } {
  const src = path.join(dir, "src");
  const files = path.join(dir, "files");
  fs.mkdirSync(src, { recursive: true });
  fs.mkdirSync(files, { recursive: true });
  fs.writeFileSync(path.join(files, "hello.txt"), content);
  fs.mkdirSync(path.join(src, "abc"), { recursive: true });
  execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-cf", path.join(src, "abc", "layer.tar"), "-C", files, "hello.txt"]);
  const layerTar = fs.readFileSync(path.join(src, "abc", "layer.tar"));
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Cmd: ["/bin/sh"] }, rootfs: { type: "layers", diff_ids: [sha(layerTar)] } }));
  const configName = `${sha(config).slice(7)}.json`;
  fs.writeFileSync(path.join(src, configName), config);
  fs.writeFileSync(path.join(src, "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: ["x:1"], Layers: ["abc/layer.tar"] }]));
  const tar = path.join(dir, "save.tar");
  execFileSync("tar", ["-cf", tar, "-C", src, "."]);
  return { tar, layerTar, config };
}

describe("the image store (docker save → what docker push sends)", () => {
  test("a v2 schema 2 manifest, its config, gzipped layers that unpack to the diff_ids; a bad layer is refused", async () => {
    const { tar, layerTar, config } = fakeSave(path.join(tmp, "a"));
    const img = await exportSaved(tar, path.join(tmp, "a-export"));
    const manifest = fs.readFileSync(path.join(img.dir, "manifest.json"));
    expect(img.digest).toBe(sha(manifest));
    const doc = JSON.parse(manifest.toString());
    expect(doc).toMatchObject({ schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config: { mediaType: MEDIA_TYPES.config, digest: sha(config), size: config.length } });
    expect(img.imageId).toBe(sha(config));
    expect(doc.layers).toHaveLength(1);
    const gz = fs.readFileSync(path.join(img.dir, "blobs", doc.layers[0].digest));
    expect(doc.layers[0]).toEqual({ mediaType: MEDIA_TYPES.layer, size: gz.length, digest: sha(gz) });
    expect(zlib.gunzipSync(gz).equals(layerTar)).toBe(true);
    expect(readExported(img.dir)?.digest).toBe(img.digest);
    // A blob that went missing makes the export unusable (the cache rebuilds it).
    fs.rmSync(path.join(img.dir, "blobs", doc.layers[0].digest));
    expect(readExported(img.dir)).toBeUndefined();

    const bad = fakeSave(path.join(tmp, "b"));
    const src = path.join(tmp, "b", "src");
    fs.writeFileSync(path.join(src, "abc", "layer.tar"), "tampered");
    execFileSync("tar", ["-cf", bad.tar, "-C", src, "."]);
    await expect(exportSaved(bad.tar, path.join(tmp, "b-export"))).rejects.toThrow(/layer 0 is sha256:[0-9a-f]+, the config says/);
  });
});

describe("the ECR registry stand-in", () => {
  let store: RegistryStore;
  let digest: string;
  let layer: { digest: string; size: number };
  let manifest: Buffer;
  beforeAll(async () => {
    const { tar } = fakeSave(path.join(tmp, "r"));
    const img = await exportSaved(tar, path.join(tmp, "r-export"));
    const runDir = path.join(tmp, "run");
    publish(img, registryDirOf(runDir), REPO, "3.1.0");
    store = registryStore(registryDirOf(runDir));
    digest = img.digest;
    layer = img.blobs[1];
    manifest = fs.readFileSync(path.join(img.dir, "manifest.json"));
  });
  const basic = (role: string) => ({ authorization: `Basic ${Buffer.from(`AWS:${registryPassword(role)}`).toString("base64")}` });
  const call = (method: string, p: string, headers: Record<string, string>, withStore = true) =>
    handleAws({ method, path: p, query: "", headers, body: Buffer.alloc(0), host: REG, source: "10.0.1.10" }, { state: state(), keys: keysForRoles(Object.keys(state().roles)), objects: () => undefined, registry: withStore ? store : undefined });

  test("the registry's host is the ECR registry endpoint", () => {
    expect(endpointOf(REG)).toMatchObject({ service: "ecr-registry", registry: "123456789012", region: "eu-west-1" });
  });

  test("a manifest by digest and by tag: its bytes, Content-Type and Docker-Content-Digest; HEAD without a body", () => {
    for (const ref of [digest, "3.1.0"]) {
      const { response, call: c } = call("GET", `/v2/${REPO}/manifests/${ref}`, basic("saas-role"));
      expect(response.status).toBe(200);
      expect(response.body.equals(manifest)).toBe(true);
      expect(response.headers).toMatchObject({ "content-type": MEDIA_TYPES.manifest, "docker-content-digest": digest, "content-length": String(manifest.length) });
      expect(sha(response.body)).toBe(response.headers["docker-content-digest"]);
      expect(c).toMatchObject({ service: "ecr-registry", role: "saas-role", status: 200, params: { repository: REPO, reference: ref, digest }, authz: "allowed by pull/EcrPull" });
      expect(c.unanswered).toBeUndefined();
    }
    const head = call("HEAD", `/v2/${REPO}/manifests/${digest}`, basic("saas-role")).response;
    expect(head).toMatchObject({ status: 200, headers: { "docker-content-digest": digest, "content-length": String(manifest.length) } });
    expect(head.body.length).toBe(0);
  });

  test("a blob by digest, whole or a range, with its digest header", () => {
    const { response, call: c } = call("GET", `/v2/${REPO}/blobs/${layer.digest}`, basic("saas-role"));
    expect(response.status).toBe(200);
    expect(sha(response.body)).toBe(layer.digest);
    expect(response.headers).toMatchObject({ "docker-content-digest": layer.digest, "content-length": String(layer.size), "content-type": "application/octet-stream" });
    expect(c).toMatchObject({ action: "GET /v2/staging/saas-platform-images/backend/blobs/<digest>", authz: "allowed by pull/EcrPull" });
    const part = call("GET", `/v2/${REPO}/blobs/${layer.digest}`, { ...basic("saas-role"), range: "bytes=10-" }).response;
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 10-${layer.size - 1}/${layer.size}`);
    expect(part.body.equals(response.body.subarray(10))).toBe(true);
  });

  test("unknown digests and tags are MANIFEST_UNKNOWN / BLOB_UNKNOWN, in ECR's error shape", () => {
    const m = call("GET", `/v2/${REPO}/manifests/sha256:${"a".repeat(64)}`, basic("saas-role"));
    expect(m.response.status).toBe(404);
    expect(JSON.parse(m.response.body.toString())).toEqual({ errors: [{ code: "MANIFEST_UNKNOWN", message: expect.any(String) }] });
    expect(m.call.error).toBe("MANIFEST_UNKNOWN");
    expect(call("GET", `/v2/${REPO}/manifests/9.9.9`, basic("saas-role")).call.error).toBe("MANIFEST_UNKNOWN");
    expect(call("GET", `/v2/${REPO}/blobs/sha256:${"b".repeat(64)}`, basic("saas-role")).call).toMatchObject({ status: 404, error: "BLOB_UNKNOWN" });
    // Another repository of the account (the role may read it) holds no such image either.
    expect(call("GET", `/v2/staging/other/web/manifests/${digest}`, basic("other-app")).call.error).toBe("MANIFEST_UNKNOWN");
  });

  test("a role without the permission on the repository is DENIED (403), per action; bad credentials are challenged", () => {
    const other = call("GET", `/v2/${REPO}/manifests/${digest}`, basic("other-app"));
    expect(other.response.status).toBe(403);
    expect(JSON.parse(other.response.body.toString()).errors[0]).toMatchObject({ code: "DENIED", message: expect.stringContaining(`ecr:BatchGetImage on resource: ${ARN(REPO)}`) });
    expect(other.call).toMatchObject({ role: "other-app", error: "DENIED", authz: expect.stringMatching(/^no statement allows ecr:BatchGetImage/) });
    // Manifests allowed, layers not: the blob is DENIED (ecr:GetDownloadUrlForLayer).
    expect(call("GET", `/v2/${REPO}/manifests/${digest}`, basic("manifest-only")).response.status).toBe(200);
    const blob = call("GET", `/v2/${REPO}/blobs/${layer.digest}`, basic("manifest-only"));
    expect(blob.call).toMatchObject({ status: 403, error: "DENIED" });
    expect(blob.response.body.toString()).toContain("ecr:GetDownloadUrlForLayer");
    const wrong = call("GET", `/v2/${REPO}/manifests/${digest}`, { authorization: `Basic ${Buffer.from("AWS:nope").toString("base64")}` });
    expect(wrong.response).toMatchObject({ status: 401, headers: { "www-authenticate": expect.stringMatching(/^Basic realm=/) } });
  });

  test("pushes and other paths are not stood in for; without a store no image exists (as before)", () => {
    expect(call("POST", `/v2/${REPO}/blobs/uploads/`, basic("saas-role")).call).toMatchObject({ status: 405, error: "UNSUPPORTED", unanswered: true });
    expect(call("GET", `/v2/${REPO}/manifests/${digest}`, basic("saas-role"), false).call).toMatchObject({ status: 404, error: "MANIFEST_UNKNOWN", unanswered: true });
  });

  test("the store keeps to repository names: no path escapes it", () => {
    expect(store.manifest("../run/images/registry/" + REPO, digest)).toBeUndefined();
    expect(store.blob(REPO, "../../../etc/passwd")).toBeUndefined();
    expect(store.manifest(REPO, "../_tags/3.1.0")).toBeUndefined();
  });
});

describe("build inputs", () => {
  test("the bases a Dockerfile starts FROM, without stage names; build args in FROM", () => {
    const root = path.resolve(__dirname, "..", "fixtures", "saas-app");
    expect(baseImagesOf(fs.readFileSync(path.join(root, "frontend", "Dockerfile"), "utf8"))).toEqual(["alpine:3.20", "nginxinc/nginx-unprivileged:1.27-alpine"]);
    expect(baseImagesOf(fs.readFileSync(path.join(root, "backend", "Dockerfile"), "utf8"))).toEqual(["python:3.12-slim"]);
    expect(baseImagesOf("ARG BASE=python:3.12-slim\nFROM ${BASE} AS b\nFROM b\nFROM scratch\n")).toEqual(["python:3.12-slim"]);
    expect(baseImagesOf("ARG V=3.19\nFROM alpine:${V}\n", { V: "3.20" })).toEqual(["alpine:3.20"]);
  });

  test("image names, requirement pins, wheel names", () => {
    expect(parseImageName(`${REG}/${REPO}:3.1.0`)).toEqual({ registryHost: REG, repository: REPO, tag: "3.1.0" });
    expect(() => parseImageName("noregistry:1")).toThrow(/not <registry>/);
    expect(() => parseImageName(`${REG}/Bad_Repo:1`)).toThrow(/not an ECR repository name/);
    expect(pinnedRequirements("# deps\ngunicorn==23.0.0\n--no-index\nflask[async] == 3.1.1 ; python_version >= '3.8'\nrequests\n")).toEqual([
      { name: "gunicorn", version: "23.0.0" }, { name: "flask", version: "3.1.1" }, { name: "requests", version: undefined },
    ]);
    expect(wheelNameVersion("Jinja2-3.1.6-py3-none-any.whl")).toEqual({ name: "jinja2", version: "3.1.6" });
  });

  test("a context's digest follows its files, not what .dockerignore leaves out", () => {
    const ctx = path.join(tmp, "ctx");
    fs.mkdirSync(path.join(ctx, "__pycache__"), { recursive: true });
    fs.writeFileSync(path.join(ctx, "app.py"), "print(1)\n");
    fs.writeFileSync(path.join(ctx, ".dockerignore"), "__pycache__/\n*.pyc\n");
    const d0 = contextDigest(ctx);
    fs.writeFileSync(path.join(ctx, "__pycache__", "app.cpython-313.pyc"), "x");
    fs.writeFileSync(path.join(ctx, "x.pyc"), "x");
    expect(contextDigest(ctx)).toBe(d0);
    fs.writeFileSync(path.join(ctx, "app.py"), "print(2)\n");
    expect(contextDigest(ctx)).not.toBe(d0);
  });
});

describe("digest injection in the harness (what pulumi up records after the push)", () => {
  test("imageDigests sets each docker Image's repoDigest; the compose host's user data names that image; the default stays fake", async () => {
    const plain = await recordStack("staging");
    const contexts = imageContextsFromRecording(plain, "saas-platform");
    expect(contexts.map((c) => [c.resource, c.imageName, c.appVersion, c.buildArgs, c.platform])).toEqual([
      ["saas-platform-images-backend", expect.stringMatching(new RegExp(`^${REG}/${REPO}:3\\.1\\.0-[0-9a-f]{12}$`)), "3.1.0", { APP_VERSION: "3.1.0" }, "linux/amd64"],
      ["saas-platform-images-frontend", expect.stringMatching(new RegExp(`^${REG}/staging/saas-platform-images/frontend:3\\.1\\.0-[0-9a-f]{12}$`)), "3.1.0", { APP_VERSION: "3.1.0" }, "linux/amd64"],
    ]);
    const backend = sha("backend manifest");
    const frontend = sha("frontend manifest");
    const digests = imageDigestsOf([
      { imageName: contexts[0].imageName, resource: contexts[0].resource, digest: backend } as never,
      // By imageName works as well as by resource name.
      { imageName: contexts[1].imageName, digest: frontend } as never,
    ]);
    const rec = await recordStack("staging", { imageDigests: digests });
    expect(rec.one("docker:index/image:Image", "saas-platform-images-backend").outputs.repoDigest).toBe(`${REG}/${REPO}@${backend}`);
    expect(rec.one("docker:index/image:Image", "saas-platform-images-frontend").outputs.repoDigest).toBe(`${REG}/staging/saas-platform-images/frontend@${frontend}`);
    const userData = (r: typeof rec) => decodeUserData(String(r.one("aws:ec2/launchTemplate:LaunchTemplate", "saas-platform-lt").inputs.userData)).text;
    expect(userData(rec)).toContain(`${REG}/${REPO}@${backend}`);
    expect(userData(rec)).toContain(`@${frontend}`);
    const fake = plain.one("docker:index/image:Image", "saas-platform-images-backend").outputs.repoDigest;
    expect(fake).toMatch(new RegExp(`^${REG}/${REPO}@sha256:[0-9a-f]{64}$`));
    expect(userData(plain)).toContain(fake);
    expect(userData(plain)).not.toContain(backend);
  });

  test("a key naming no image, or a value that is no digest, fails the recording", async () => {
    await expect(recordStack("staging", { imageDigests: { "no-such-image": sha("x") } })).rejects.toThrow(/imageDigests names no docker Image of the program: no-such-image/);
    await expect(recordStack("staging", { imageDigests: { "saas-platform-images-backend": "latest" } })).rejects.toThrow(/not a sha256:<64 hex> digest/);
  });
});
