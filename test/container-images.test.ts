import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AppConfig, contextFrom, loadStackConfig } from "../config";
import {
  buildInputsDigest, imageTag,
  ContainerImages, ContainerImagesArgs, ecrPullPolicyDocument, lifecyclePolicyDocument, platformForInstanceType,
} from "../components/container-images";
import { ROOT, record } from "./harness";
import { ECR_MOCK_PASSWORD } from "./harness/invokes";

const REPO = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const IMAGE = "docker:index/image:Image";

function saasApp(): AppConfig {
  const app = loadStackConfig().apps.find((a) => a.name === "saas-platform");
  if (!app) throw new Error("no saas-platform app in the stack file");
  return app;
}

describe("pure helpers", () => {
  it.each([
    ["t4g.small", "linux/arm64"], ["m7g.large", "linux/arm64"], ["c7g.large", "linux/arm64"], ["r7g.xlarge", "linux/arm64"],
    ["c7gn.large", "linux/arm64"], ["m6gd.large", "linux/arm64"], ["a1.medium", "linux/arm64"],
    ["t3.small", "linux/amd64"], ["m7i.large", "linux/amd64"], ["c6in.large", "linux/amd64"], ["g5.xlarge", "linux/amd64"], ["m7i-flex.large", "linux/amd64"],
  ])("builds for %s as %s", (type, platform) => {
    expect(platformForInstanceType(type)).toBe(platform);
  });

  it("rejects what is not an EC2 instance type", () => {
    expect(() => platformForInstanceType("db.t4g.micro")).toThrow(/"db\.t4g\.micro" is not an EC2 instance type/);
    expect(() => platformForInstanceType("t4g")).toThrow(/not an EC2 instance type/);
  });

  it("expires untagged images after 7 days before counting the tagged ones", () => {
    const doc = JSON.parse(lifecyclePolicyDocument(15));
    expect(doc.rules).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } }),
      expect.objectContaining({ rulePriority: 2, selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 15 }, action: { type: "expire" } }),
    ]);
  });

  it("grants pulls on exactly the given repositories and the token on * only", () => {
    const arns = ["arn:aws:ecr:eu-west-1:123456789012:repository/b", "arn:aws:ecr:eu-west-1:123456789012:repository/a"];
    const doc = JSON.parse(ecrPullPolicyDocument(arns));
    const login = doc.Statement.find((s: any) => s.Sid === "EcrLogin");
    const pull = doc.Statement.find((s: any) => s.Sid === "EcrPull");
    expect(login).toEqual({ Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(pull.Action).toEqual(expect.arrayContaining(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]));
    expect(pull.Resource).toEqual([arns[1], arns[0]]);
    expect(doc.Statement).toHaveLength(2);
    expect(() => ecrPullPolicyDocument([])).toThrow(/at least one repository/);
  });
});

describe("image tags by version and content", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "image-tags-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const context = (files: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(tmp, "ctx-"));
    for (const [f, body] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), body);
    }
    return dir;
  };
  const tagOf = (dir: string, platform = "linux/amd64", args = { APP_VERSION: "3.1.0" }) =>
    imageTag("3.1.0", buildInputsDigest(dir, path.join(dir, "Dockerfile"), platform, args));
  const files = { Dockerfile: "FROM scratch\nCOPY app /app\n", "app/main.py": "print('v1')\n" };

  it("is the same for the same inputs, wherever the context sits, so an unchanged service is not pushed again", () => {
    expect(tagOf(context(files))).toBe(tagOf(context(files)));
    expect(tagOf(context(files))).toMatch(/^3\.1\.0-[0-9a-f]{12}$/);
  });

  it("changes with any file, the Dockerfile, the platform or a build argument: a rebuild never meets an immutable tag", () => {
    const base = tagOf(context(files));
    expect(tagOf(context({ ...files, "app/main.py": "print('v2')\n" }))).not.toBe(base);
    expect(tagOf(context({ ...files, "app/extra.txt": "" }))).not.toBe(base);
    expect(tagOf(context({ ...files, Dockerfile: "FROM scratch\nCOPY app /srv\n" }))).not.toBe(base);
    expect(tagOf(context(files), "linux/arm64")).not.toBe(base);
    expect(tagOf(context(files), "linux/amd64", { APP_VERSION: "3.1.1" })).not.toBe(base);
    const moved = context(files);
    fs.renameSync(path.join(moved, "app/main.py"), path.join(moved, "app/other.py"));
    expect(tagOf(moved)).not.toBe(base);
  });
});

describe("ContainerImages", () => {
  it("builds the stack file's services into scanned, immutable repositories, pushes by version and exposes digests", async () => {
    let arch = "";
    const rec = await record(() => {
      const app = saasApp();
      const images = new ContainerImages("saas", { ctx: contextFrom(loadStackConfig()), services: app.containers, appVersion: app.appVersion, instanceType: app.instanceType });
      arch = images.platform;
      return { imageRefs: images.imageRefs, repositoryArns: images.repositoryArns, pullPolicyJson: images.pullPolicyJson };
    }, { stack: "staging" });

    // Staging's default instance type is x86.
    expect(arch).toBe("linux/amd64");
    const repos = rec.ofType(REPO);
    expect(repos.map((r) => r.inputs.name).sort()).toEqual(["staging/saas/backend", "staging/saas/frontend"]);
    for (const repo of repos) {
      expect(repo.inputs.imageScanningConfiguration).toEqual({ scanOnPush: true });
      expect(repo.inputs.imageTagMutability).toBe("IMMUTABLE");
      expect(repo.inputs.forceDelete).toBe(false);
      expect(repo.inputs.encryptionConfigurations).toEqual([{ encryptionType: "AES256" }]);
      expect(repo.options.protect).toBe(false);
    }

    const policies = rec.ofType(LIFECYCLE);
    expect(policies.map((p) => p.inputs.repository).sort()).toEqual(repos.map((r) => r.outputs.name).sort());
    expect(JSON.parse(policies[0].inputs.policy).rules[1].selection.countNumber).toBe(20);

    const backendRepo = rec.one(REPO, "saas-backend");
    const backend = rec.one(IMAGE, "saas-backend");
    // Tagged by version and build inputs: a rebuilt context under 3.1.0 gets a tag of its own.
    expect(backend.inputs.imageName).toMatch(new RegExp(`^${backendRepo.outputs.repositoryUrl.replace(/[.]/g, "\\.")}:3\\.1\\.0-[0-9a-f]{12}$`));
    expect(backend.inputs.build).toMatchObject({
      context: path.join(ROOT, "test/fixtures/saas-app/backend"),
      dockerfile: path.join(ROOT, "test/fixtures/saas-app/backend/Dockerfile"),
      platform: "linux/amd64",
      args: { APP_VERSION: "3.1.0" },
    });
    expect(path.isAbsolute(backend.inputs.build.context)).toBe(true);
    expect(backend.inputs.buildOnPreview).toBe(false);
    expect(backend.dependencies).toContain(backendRepo.urn);
    expect(rec.one(IMAGE, "saas-frontend").inputs.build.platform).toBe("linux/amd64");

    // The registry credential reaches the image only as a secret, and nowhere else in plain text.
    for (const image of rec.ofType(IMAGE)) {
      expect(image.inputs.registry).toEqual({ server: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", username: "AWS", password: ECR_MOCK_PASSWORD });
      expect(image.secretPaths).toContain("registry.password");
    }
    for (const r of rec.resources) expect(JSON.stringify(rec.maskedInputs(r))).not.toContain(ECR_MOCK_PASSWORD);
    expect(JSON.stringify(rec.outputs)).not.toContain(ECR_MOCK_PASSWORD);

    // Hosts get digests, never tags.
    const refs = rec.outputs.imageRefs as Record<string, string>;
    expect(Object.keys(refs).sort()).toEqual(["backend", "frontend"]);
    expect(refs.backend).toMatch(/^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/staging\/saas\/backend@sha256:[0-9a-f]{64}$/);
    expect(refs.frontend).toMatch(/\/staging\/saas\/frontend@sha256:[0-9a-f]{64}$/);
    const arns = repos.map((r) => r.outputs.arn);
    expect((rec.outputs.repositoryArns as string[]).sort()).toEqual([...arns].sort());
    expect(rec.outputs.pullPolicyJson).toBe(ecrPullPolicyDocument(arns));
  });

  it("builds arm64 images for Graviton hosts, encrypts with the given key and protects repositories when asked (prod)", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const rec = await record(() => {
      const app = saasApp();
      new ContainerImages("saas", { ctx: contextFrom(loadStackConfig()), protect: true, services: app.containers, appVersion: "3.2.0-rc.1", instanceType: "m7g.large", kmsKeyArn: key, keepTaggedImages: 50 });
    }, { stack: "prod" });
    for (const image of rec.ofType(IMAGE)) {
      expect(image.inputs.build.platform).toBe("linux/arm64");
      expect(image.inputs.imageName).toMatch(/\/prod\/saas\/(backend|frontend):3\.2\.0-rc\.1-[0-9a-f]{12}$/);
    }
    for (const repo of rec.ofType(REPO)) {
      expect(repo.inputs.encryptionConfigurations).toEqual([{ encryptionType: "KMS", kmsKey: key }]);
      expect(repo.options.protect).toBe(true);
    }
    expect(JSON.parse(rec.ofType(LIFECYCLE)[0].inputs.policy).rules[1].selection.countNumber).toBe(50);
  });

  it("rejects bad build contexts, versions and platforms at once, naming the field", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
    const errors: string[] = [];
    await record(() => {
      const ctx = contextFrom(loadStackConfig());
      const svc = { name: "backend", context: "test/fixtures/saas-app/backend", dockerfile: "Dockerfile", port: 8000 };
      const base: ContainerImagesArgs = { ctx, services: [svc], appVersion: "1.0.0", instanceType: "t3.small" };
      const cases: Partial<ContainerImagesArgs>[] = [
        { services: [{ ...svc, context: "test/fixtures/saas-app/nope" }] },
        { services: [{ ...svc, context: "test/fixtures/saas-app" }] },
        { services: [{ ...svc, dockerfile: "Dockerfile.prod" }] },
        { services: [{ ...svc, context: tmp }] },
        { services: [svc, svc] },
        { services: [] },
        { appVersion: "latest tag" },
        { instanceType: "db.t4g.micro" },
        { instanceType: undefined },
        { platform: "linux/s390x" as never },
        { services: [{ ...svc, name: "Backend" }] },
      ];
      for (const [i, c] of cases.entries()) {
        try {
          new ContainerImages(`bad${i}`, { ...base, ...c });
          errors.push("(accepted)");
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }, { stack: "staging" });
    expect(errors[0]).toMatch(/ContainerImages: args\.services\[backend\]\.context "test\/fixtures\/saas-app\/nope" is not a directory/);
    expect(errors[1]).toMatch(/args\.services\[backend\]\.dockerfile "Dockerfile" does not exist in .*test\/fixtures\/saas-app$/);
    expect(errors[2]).toMatch(/args\.services\[backend\]\.dockerfile "Dockerfile\.prod" does not exist/);
    expect(errors[3]).toMatch(/args\.services\[backend\]\.context must be a path relative to/);
    expect(errors[4]).toMatch(/args\.services has two services named "backend"/);
    expect(errors[5]).toMatch(/args\.services must list at least one container service/);
    expect(errors[6]).toMatch(/args\.appVersion "latest tag" cannot start a Docker tag "<version>-<12 hex>"/);
    expect(errors[7]).toMatch(/args\.instanceType "db\.t4g\.micro" is not an EC2 instance type/);
    expect(errors[8]).toMatch(/args\.instanceType is required when platform is not set/);
    expect(errors[9]).toMatch(/args\.platform must be one of linux\/amd64, linux\/arm64/);
    expect(errors[10]).toMatch(/args\.services\[Backend\]\.name gives repository "staging\/bad10\/Backend", which ECR rejects/);
    fs.rmSync(tmp, { recursive: true });
  });
});

describe("the sample SaaS app (build contexts of the stack files)", () => {
  const app = path.join(ROOT, "test/fixtures/saas-app");

  it("builds the backend from python:3.12-slim as a non-root user running gunicorn on 8000", () => {
    const dockerfile = fs.readFileSync(path.join(app, "backend/Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^FROM python:3\.12-slim$/m);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8000$/m);
    expect(dockerfile).toMatch(/^CMD \["gunicorn"/m);
    expect(fs.readFileSync(path.join(app, "backend/requirements.txt"), "utf8")).toMatch(/^gunicorn==\d+\.\d+\.\d+$/m);
  });

  it("answers 200 on /health/ and 404 elsewhere (the WSGI app, run by python3)", () => {
    const probe = [
      "import app",
      "def call(p):",
      "    out = {}",
      "    body = b''.join(app.application({'PATH_INFO': p, 'REQUEST_METHOD': 'GET'}, lambda s, h: out.update(s=s)))",
      "    print(out['s'].split()[0], body.decode())",
      "call('/health/'); call('/nope')",
    ].join("\n");
    const out = execFileSync("python3", ["-B", "-c", probe], { cwd: path.join(app, "backend"), env: { ...process.env, APP_VERSION: "9.9.9" } }).toString().trim().split("\n");
    expect(out[0]).toBe('200 {"status": "ok", "version": "9.9.9"}');
    expect(out[1]).toMatch(/^404 /);
  });

  it("serves the frontend with nginx-unprivileged on 3000, a config nginx -t accepts", () => {
    const dockerfile = fs.readFileSync(path.join(app, "frontend/Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^FROM nginxinc\/nginx-unprivileged:\S+$/m);
    expect(dockerfile).toMatch(/^COPY --from=build /m);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
    const site = fs.readFileSync(path.join(app, "frontend/nginx.conf"), "utf8");
    expect(site).toMatch(/listen 3000;/);
    expect(site).toMatch(/location = \/health\/ \{[^}]*return 200/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-"));
    const temps = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `${t}_temp_path ${dir}/${t};`).join(" ");
    fs.writeFileSync(path.join(dir, "nginx.conf"), `pid ${dir}/nginx.pid; error_log stderr; events {} http { access_log off; ${temps} include ${path.join(app, "frontend/nginx.conf")}; }\n`);
    const out = execFileSync("nginx", ["-t", "-p", dir, "-c", path.join(dir, "nginx.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toBeDefined();
    fs.rmSync(dir, { recursive: true });
  });
});
