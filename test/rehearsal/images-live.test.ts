/**
 * The saas-app images for real: both built from the project's Dockerfiles (unchanged) on the
 * Debian base stand-ins in a dockerd of their own (its own network namespace, nothing
 * reachable); the backend answers /health/ on 8000 as uid 10001 and the frontend serves on 3000
 * as uid 101 (probed from inside each container's network namespace); then every image is
 * removed and pulled back by digest through the ECR registry stand-in (services.ts, served on
 * the engine's loopback), with the saas-platform instance role's own policy from the plan: the
 * same image id, the same digest. Cleans up every namespace, process and directory it made.
 * Skipped, with the reason printed, when not root or when docker.io / mmdebstrap are missing.
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { AwsState } from "../../tools/rehearsal/aws/plan";
import { rolesFromRecording } from "../../tools/rehearsal/aws/plan";
import { registryPassword } from "../../tools/rehearsal/aws/services";
import { buildImages, BuildImagesResult, Dockerd, IMAGE_BUILD_PACKAGES, imageContextsFromRecording, startDockerd } from "../../tools/rehearsal/images";
import { run, sleep, stopChild, which } from "../../tools/rehearsal/sh";
import { recordStack, ROOT } from "../harness";

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  const missing = ["dockerd", "mmdebstrap", "ip", "nsenter", "unshare", "curl"].filter((c) => !which(c));
  if (!fs.existsSync("/usr/bin/docker")) missing.push("docker (client)");
  if (missing.length) return `missing ${missing.join(", ")} (apt-get install ${IMAGE_BUILD_PACKAGES.join(" ")} curl)`;
  if (!fs.existsSync("/sys/fs/cgroup")) return "no cgroups";
  return undefined;
}
const why = unavailable();
if (why) console.log(`SKIPPED container images live test: ${why}`);
const live = why ? describe.skip : describe;

live("container images, live", () => {
  const id = crypto.randomBytes(3).toString("hex");
  const workDir = `/var/tmp/reh-img-test-${id}`;
  let engine: Dockerd | undefined;
  let server: ChildProcess | undefined;
  let built: BuildImagesResult;
  let role: string;
  let state: AwsState;

  beforeAll(async () => {
    engine = await startDockerd({ workDir });
  }, 60000);
  afterAll(async () => {
    if (server) await stopChild(server);
    const ns = engine?.netns;
    await engine?.stop();
    if (ns) expect(run("ip", ["netns", "list"]).stdout).not.toContain(ns);
    expect(fs.readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(workDir);
    fs.rmSync(workDir, { recursive: true, force: true });
  }, 60000);

  const docker = (args: string[], input?: string) => engine!.docker(args, { input, timeoutMs: 120000 });
  /** A command in a running container's network namespace, from the machine (the images need no curl). */
  const inNetOf = (container: string, cmd: string[]) => {
    const pid = docker(["inspect", "--format", "{{.State.Pid}}", container]).stdout.trim();
    return { pid: Number(pid), r: run("nsenter", [`--net=/proc/${pid}/ns/net`, ...cmd]) };
  };
  const uidOf = (pid: number) => /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  async function until(test: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (test()) return true;
      await sleep(300);
    }
    return test();
  }

  test("both saas-app images build from their Dockerfiles, offline, with the plan's build args", async () => {
    const rec = await recordStack("staging");
    const roles = rolesFromRecording(rec);
    role = Object.keys(roles).find((r) => JSON.stringify(roles[r]).includes("ecr:BatchGetImage") && r.includes("saas"))!;
    expect(role).toBeDefined();
    state = { accountId: "123456789012", regions: ["eu-west-1"], secrets: [], artifacts: [], groups: [], publicBuckets: [], roles };
    built = await buildImages({ workDir, contexts: imageContextsFromRecording(rec, "saas-platform"), engine });
    expect(built.images.map((i) => i.repository)).toEqual(["staging/saas-platform-images/backend", "staging/saas-platform-images/frontend"]);
    for (const i of built.images) {
      expect(i.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(i.ref).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/${i.repository}@${i.digest}`);
      expect(docker(["image", "inspect", "--format", "{{.Id}}", i.imageName]).stdout.trim()).toBe(i.imageId);
      expect(fs.existsSync(path.join(built.registryDir, i.repository, "_manifests", i.digest))).toBe(true);
    }
  }, 240000);

  test("the backend answers /health/ on 8000 as uid 10001; the frontend serves the stamped page on 3000 as uid 101", async () => {
    const [backend, frontend] = built.images;
    expect(docker(["run", "-d", "--network", "none", "--name", "be", "-e", "GUNICORN_WORKERS=2", backend.imageName]).code).toBe(0);
    expect(docker(["run", "-d", "--network", "none", "--name", "fe", frontend.imageName]).code).toBe(0);
    try {
      let health = "";
      const up = await until(() => {
        const { r } = inNetOf("be", ["curl", "-sf", "http://127.0.0.1:8000/health/"]);
        health = r.stdout;
        return r.code === 0;
      }, 30000);
      expect({ up, logs: up ? "" : docker(["logs", "be"]).stderr }).toEqual({ up: true, logs: "" });
      expect(JSON.parse(health)).toEqual({ status: "ok", version: "3.1.0" });
      expect(uidOf(inNetOf("be", ["true"]).pid)).toBe("10001");

      const fe = await until(() => inNetOf("fe", ["curl", "-sf", "http://127.0.0.1:3000/health/"]).r.code === 0, 20000);
      expect({ fe, logs: fe ? "" : docker(["logs", "fe"]).stderr }).toEqual({ fe: true, logs: "" });
      const page = inNetOf("fe", ["curl", "-sf", "http://127.0.0.1:3000/some/client/route"]);
      expect(page.r.stdout).toContain('data-version="3.1.0"');
      expect(inNetOf("fe", ["curl", "-sfI", "http://127.0.0.1:3000/assets/app.js"]).r.stdout).toMatch(/Cache-Control: public, immutable/i);
      // nginx's master process runs as 101, as in nginx-unprivileged.
      expect(uidOf(page.pid)).toBe("101");
      expect(docker(["exec", "fe", "id", "-u"]).stdout.trim()).toBe("101");
    } finally {
      docker(["rm", "-f", "be", "fe"]);
    }
  }, 90000);

  test("pulled back by digest through the ECR registry stand-in, with the role's own policy: same image, same digest", async () => {
    const stateFile = path.join(workDir, "state.json");
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const port = 5000;
    const calls: Record<string, unknown>[] = [];
    server = spawn("nsenter", [`--net=/run/netns/${engine!.netns}`, process.execPath, path.join(ROOT, "tools/run.js"), "tools/rehearsal/images/serve.ts", "--registry", built.registryDir, "--state", stateFile, "--listen", `127.0.0.1:${port}`, "--region", "eu-west-1"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    let buf = "";
    server.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) if (l) calls.push(JSON.parse(l));
    });
    server.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    expect(await until(() => err.includes("listening"), 20000)).toBe(true);

    // Nothing left in the engine: every layer must come through the registry.
    const ids = docker(["images", "-aq"]).stdout.split("\n").filter(Boolean);
    if (ids.length) docker(["rmi", "-f", ...new Set(ids)]);
    expect(docker(["images", "-aq"]).stdout.trim()).toBe("");

    const registry = `127.0.0.1:${port}`;
    expect(docker(["login", registry, "-u", "AWS", "--password-stdin"], "wrong\n").code).not.toBe(0);
    expect(docker(["login", registry, "-u", "AWS", "--password-stdin"], registryPassword(role) + "\n").code).toBe(0);
    for (const i of built.images) {
      const ref = `${registry}/${i.repository}@${i.digest}`;
      const pull = docker(["pull", ref]);
      expect({ code: pull.code, err: pull.stderr }).toEqual({ code: 0, err: "" });
      expect(pull.stdout).toContain(`Digest: ${i.digest}`);
      expect(docker(["image", "inspect", "--format", "{{.Id}}", ref]).stdout.trim()).toBe(i.imageId);
      expect(docker(["image", "inspect", "--format", "{{json .RepoDigests}}", ref]).stdout).toContain(ref);
    }
    // The docker client ran synchronously: let the server's log lines arrive.
    await until(() => calls.filter((c) => String(c.action).includes("/blobs/")).length > 0, 5000);
    await sleep(500);
    const blobs = calls.filter((c) => /\/blobs\/<digest>$/.test(String(c.action)) && c.status === 200);
    expect(blobs.length).toBe(built.images.reduce((n, i) => n + i.layers + 1, 0));
    expect(calls.filter((c) => c.status === 200 && String(c.action).includes("/manifests/")).every((c) => String(c.authz).startsWith("allowed by"))).toBe(true);
    // A repository the role may not read is refused by IAM before anything is looked up.
    const denied = docker(["pull", `${registry}/staging/someone-else/web@${built.images[0].digest}`]);
    expect(denied.code).not.toBe(0);
    await until(() => calls.some((c) => c.error === "DENIED"), 5000);
    expect(calls.some((c) => c.error === "DENIED")).toBe(true);
  }, 120000);
});
