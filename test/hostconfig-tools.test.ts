/**
 * The rendered host configuration, checked by the real programs that will read it:
 * cloud-init's schema validator, `nginx -t`, shellcheck, python3 and openssl. A missing
 * tool fails the suite (CI installs them), it never skips.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { encodeUserData, renderCloudConfig, renderHostFiles, SECRET_TO_ENV_PY, USER_DATA_LIMIT_BYTES, resolveHostConfig } from "../components/hostconfig";
import { allCases, inputFor, stackConfig } from "./fixtures/hostconfig/inputs";
import { nginxTest, prepareSite, requireTool } from "./fixtures/hostconfig/nginx";

const cases = allCases();
const label = (c: (typeof cases)[number]) => `${c.stack} ${c.app.name} (${c.app.architecture})`;
let work: string;

beforeAll(() => {
  for (const tool of ["cloud-init", "nginx", "shellcheck", "openssl", "python3"]) requireTool(tool);
  work = fs.mkdtempSync(path.join(os.tmpdir(), "webapp-hostconfig-"));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function schema(file: string): { ok: boolean; output: string } {
  const res = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` };
}

describe("cloud-init schema", () => {
  it("rejects a broken document (the check has teeth)", () => {
    const bad = path.join(work, "bad.yaml");
    fs.writeFileSync(bad, "#cloud-config\nwrite_files:\n  - content: x\n    permissions: 644\n");
    const res = schema(bad);
    expect(res.ok).toBe(false);
    expect(res.output).toMatch(/write_files\.0/);
  });

  it.each(cases.map((c) => [label(c), c] as const))("accepts the user data of %s, gzip-compressed under 16 KB", (_, c) => {
    const doc = renderCloudConfig(c.input);
    const file = path.join(work, `${c.stack}-${c.app.name}.yaml`);
    fs.writeFileSync(file, doc);
    const res = schema(file);
    expect(res.output).toContain("Valid cloud-config");
    expect(res.ok).toBe(true);
    const encoded = encodeUserData(doc);
    expect(encoded.bytes).toBeLessThan(USER_DATA_LIMIT_BYTES);
    // What EC2 hands cloud-init decompresses to the very document that was validated.
    expect(execFileSync("gzip", ["-dc"], { input: Buffer.from(encoded.base64, "base64") }).toString("utf8")).toBe(doc);
  });
});

describe("nginx -t", () => {
  it("rejects a broken site (the check has teeth)", () => {
    const c = cases[0];
    const site = prepareSite(c.input, { http: 18080, https: 18443 });
    fs.appendFileSync(path.join(site.dir, "conf", "sites-available", c.app.name), "\nserver { listen 127.0.0.1:18080; bogus_directive on; }\n");
    const res = nginxTest(site);
    expect(res.ok).toBe(false);
    expect(res.output).toMatch(/unknown directive "bogus_directive"/);
    fs.rmSync(site.dir, { recursive: true, force: true });
  });

  it.each(cases.map((c) => [label(c), c] as const))("accepts the site of %s inside Ubuntu's nginx.conf", (_, c) => {
    const site = prepareSite(c.input, { http: 18080, https: 18443 });
    try {
      const res = nginxTest(site);
      expect(res.output).toContain("test is successful");
      expect(res.output).not.toMatch(/\[warn\]|\[emerg\]/);
      expect(res.ok).toBe(true);
    } finally {
      fs.rmSync(site.dir, { recursive: true, force: true });
    }
  });

  it("accepts a single host whose DNS is at an external registrar (HTTP-01) with admin SSH", () => {
    const config = stackConfig("prod");
    const app = config.apps.find((a) => a.name === "smartboostpro")!;
    const input = inputFor({ ...config, adminCidrs: ["198.51.100.0/24"] }, { ...app, dns: { mode: "external", registrar: "GoDaddy" } });
    expect(resolveHostConfig(input).acmeChallenge).toBe("http");
    const site = prepareSite(input, { http: 18080, https: 18443 });
    expect(nginxTest(site).ok).toBe(true);
    fs.rmSync(site.dir, { recursive: true, force: true });
  });
});

describe("shellcheck", () => {
  it("flags a bad script (the check has teeth)", () => {
    const bad = path.join(work, "bad.sh");
    fs.writeFileSync(bad, "#!/bin/bash\nrm -rf $DIR/*\n");
    const res = spawnSync("shellcheck", [bad], { encoding: "utf8" });
    expect(res.status).not.toBe(0);
    expect(res.stdout).toMatch(/SC2086|SC2115/);
  });

  it.each(cases.map((c) => [label(c), c] as const))("passes every script of %s", (_, c) => {
    const scripts = renderHostFiles(c.input).filter((f) => f.kind === "script");
    expect(scripts.map((s) => path.basename(s.path))).toEqual(expect.arrayContaining([`${c.app.name}-bootstrap`, `${c.app.name}-secrets`, `${c.app.name}-deploy`]));
    const dir = fs.mkdtempSync(path.join(work, `${c.stack}-${c.app.name}-`));
    const files = scripts.map((s) => {
      const f = path.join(dir, path.basename(s.path));
      fs.writeFileSync(f, s.content, { mode: 0o755 });
      return f;
    });
    const res = spawnSync("shellcheck", ["--severity=style", "--shell=bash", ...files], { encoding: "utf8" });
    expect(res.stdout).toBe("");
    expect(res.status).toBe(0);
  });

  it("passes the scripts of a host with admin SSH, node exporter and HTTP-01", () => {
    const config = stackConfig("staging");
    const app = config.apps.find((a) => a.name === "flashbill")!;
    const input = inputFor({ ...config, adminCidrs: ["198.51.100.0/24"] }, app, { acmeChallenge: "http", secrets: [] });
    const dir = fs.mkdtempSync(path.join(work, "variant-"));
    const files = renderHostFiles(input).filter((f) => f.kind === "script").map((s) => {
      const f = path.join(dir, path.basename(s.path));
      fs.writeFileSync(f, s.content);
      return f;
    });
    const res = spawnSync("shellcheck", ["--severity=style", "--shell=bash", ...files], { encoding: "utf8" });
    expect(res.stdout).toBe("");
    expect(res.status).toBe(0);
  });
});

describe("scripts run for real", () => {
  it("secret-to-env.py turns plain and JSON secrets into env lines, refusing a quote without echoing the value", () => {
    const helper = path.join(work, "secret-to-env.py");
    fs.writeFileSync(helper, SECRET_TO_ENV_PY);
    const run = (name: string, value: string) => spawnSync("python3", [helper, name], { input: `${value}\n`, encoding: "utf8" });
    // A plain secret (AppSecrets): the value of the variable named by the secret's last segment.
    const plain = run("DJANGO_SECRET_KEY", "a$b`c\\d-_Z9");
    expect(plain.status).toBe(0);
    expect(plain.stdout).toBe("DJANGO_SECRET_KEY='a$b`c\\d-_Z9'\n");
    // A JSON secret (the database connection): its upper-case keys only.
    const db = run("DATABASE", JSON.stringify({ host: "db.internal", port: 5432, password: "pw-1", DATABASE_URL: "postgres://app:pw-1@db.internal:5432/shop?sslmode=require" }));
    expect(db.status).toBe(0);
    expect(db.stdout).toBe("DATABASE_URL='postgres://app:pw-1@db.internal:5432/shop?sslmode=require'\n");
    // The settings secret (envInSecretsManager): every setting, as the app reads it.
    const settings = run("SETTINGS", JSON.stringify({ FLASK_ENV: "production", FEATURE_X: "on" }));
    expect(settings.status).toBe(0);
    expect(settings.stdout.split("\n").sort().join("\n")).toBe("\nFEATURE_X='on'\nFLASK_ENV='production'");
    // The lines are valid shell too: sourcing them gives back the exact values.
    const envFile = path.join(work, "secrets.env");
    fs.writeFileSync(envFile, plain.stdout + db.stdout + settings.stdout);
    expect(execFileSync("bash", ["-c", `set -a; . ${envFile}; printf %s "$DJANGO_SECRET_KEY|$DATABASE_URL|$FLASK_ENV"`], { encoding: "utf8" }))
      .toBe("a$b`c\\d-_Z9|postgres://app:pw-1@db.internal:5432/shop?sslmode=require|production");

    const bad = run("STRIPE_SECRET_KEY", "it's-a-s3cret-value");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("STRIPE_SECRET_KEY");
    expect(bad.stderr).not.toContain("s3cret");
  });

  it("the secrets refresh restarts the app only when a secret changed (a rotated password), never echoing a value", () => {
    const c = cases.find((x) => x.stack === "prod" && x.input.secrets?.some((id) => id.endsWith("/DATABASE")))!;
    const dir = fs.mkdtempSync(path.join(work, "refresh-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const helper = path.join(dir, "secret-to-env.py");
    fs.writeFileSync(helper, SECRET_TO_ENV_PY, { mode: 0o755 });
    const calls = path.join(dir, "calls");
    const value = path.join(dir, "value");
    // aws secretsmanager get-secret-value ... --secret-id ID: the DATABASE secret's current value from $VALUE, others fixed.
    fs.writeFileSync(path.join(bin, "aws"), `#!/bin/bash\nid=$(printf '%s\\n' "$@" | grep -A1 -- --secret-id | tail -1)\ncase "$id" in */DATABASE) cat "$VALUE";; *) echo fixed-value;; esac\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "systemctl"), `#!/bin/bash\necho "systemctl $*" >>"$CALLS"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "chown"), "#!/bin/bash\nexit 0\n", { mode: 0o755 });
    const script = renderHostFiles(c.input).find((f) => f.path.endsWith(`${c.app.name}-secrets`))!.content
      .split(`/etc/${c.app.name}/`).join(`${dir}/`).split("/usr/local/lib/webapp-platform/secret-to-env.py").join(helper);
    const file = path.join(dir, "secrets");
    fs.writeFileSync(file, script, { mode: 0o755 });
    const db = (pw: string) => JSON.stringify({ host: "db.internal", password: pw, DATABASE_URL: `postgresql://app_admin:${pw}@db.internal:5432/shop?sslmode=require` });
    const run = (args: string[]) => {
      fs.writeFileSync(calls, "");
      const r = spawnSync("bash", [file, ...args], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, AWS_CLI: path.join(bin, "aws"), CALLS: calls, VALUE: value } });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
      return { out: r.stdout, calls: fs.readFileSync(calls, "utf8").split("\n").filter(Boolean) };
    };
    const envFile = path.join(dir, "secrets.env");

    fs.writeFileSync(value, db("Passw0rdOne"));
    expect(run([]).calls).toEqual([]); // the boot: writes the file, the deploy starts the app
    expect(fs.readFileSync(envFile, "utf8")).toContain("Passw0rdOne");
    const written = fs.statSync(envFile).mtimeMs;
    const same = run(["--restart-if-changed"]);
    expect(same).toEqual({ out: "", calls: [] });
    expect(fs.statSync(envFile).mtimeMs).toBe(written);

    fs.writeFileSync(value, db("Passw0rdTwo"));
    const rotated = run(["--restart-if-changed"]);
    expect(rotated.calls).toEqual([`systemctl try-restart ${c.app.name}.service`]);
    expect(rotated.out).toMatch(/secrets changed: restarting/);
    expect(rotated.out).not.toMatch(/Passw0rd/);
    expect(fs.readFileSync(envFile, "utf8")).toContain("Passw0rdTwo");
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
  });

  it("the refresh timer re-reads the secrets every few minutes and the bootstrap starts it once the secrets are written", () => {
    const c = cases.find((x) => x.stack === "prod" && (x.input.secrets ?? []).length > 0)!;
    const files = renderHostFiles(c.input);
    const timer = files.find((f) => f.path === `/etc/systemd/system/${c.app.name}-secrets-refresh.timer`)!.content;
    expect(timer).toMatch(/^OnUnitActiveSec=2min$/m);
    expect(files.find((f) => f.path === `/etc/systemd/system/${c.app.name}-secrets-refresh.service`)!.content)
      .toMatch(new RegExp(`^ExecStart=/usr/local/sbin/${c.app.name}-secrets --restart-if-changed$`, "m"));
    const bootstrap = files.find((f) => f.path.endsWith(`${c.app.name}-bootstrap`))!.content;
    expect(bootstrap.indexOf(`systemctl enable --now ${c.app.name}-secrets-refresh.timer`)).toBeGreaterThan(bootstrap.indexOf(`retry /usr/local/sbin/${c.app.name}-secrets`));
    const none = cases.find((x) => (x.input.secrets ?? []).length === 0);
    if (none) expect(renderHostFiles(none.input).some((f) => f.path.includes("secrets-refresh"))).toBe(false);
  });

  it("the deploy script refuses a malformed version or a non-HTTPS artifact URL before touching anything", () => {
    const c = cases.find((x) => x.app.name === "smartboostpro")!;
    const script = renderHostFiles(c.input).find((f) => f.path.endsWith("-deploy"))!;
    const file = path.join(work, "deploy");
    fs.writeFileSync(file, script.content, { mode: 0o755 });
    for (const args of [["1.0.4; rm -rf /"], ["1.0.4", "http://example.com/a.tar.gz"], ["1.0.4", "https://example.com/$(id).tar.gz"]]) {
      const res = spawnSync("bash", [file, ...args], { encoding: "utf8" });
      expect(res.status).toBe(2);
      expect(res.stderr).toMatch(/^usage:/);
    }
  });

  it("the cert-expiry script publishes the days left to CloudWatch with the app dimension", () => {
    const c = cases.find((x) => x.app.name === "flashbill")!;
    const certDir = fs.mkdtempSync(path.join(work, "certs-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "45",
      "-subj", "/CN=test", "-keyout", path.join(certDir, "privkey.pem"), "-out", path.join(certDir, "fullchain.pem")], { stdio: "ignore" });
    const input = { ...c.input, paths: { certDir } };
    const script = renderHostFiles(input).find((f) => f.path.endsWith("-cert-expiry"))!;
    const file = path.join(work, "cert-expiry");
    fs.writeFileSync(file, script.content, { mode: 0o755 });
    const calls = path.join(work, "aws-calls");
    const stub = path.join(work, "aws-stub");
    fs.writeFileSync(stub, `#!/bin/bash\nprintf '%s\\n' "$@" >${calls}\n`, { mode: 0o755 });
    const out = execFileSync("bash", [file], { env: { ...process.env, AWS_CLI: stub }, encoding: "utf8" });
    expect(out).toMatch(/expires in (44|45) days/);
    const args = fs.readFileSync(calls, "utf8").trim().split("\n");
    expect(args.slice(0, 2)).toEqual(["cloudwatch", "put-metric-data"]);
    const arg = (flag: string) => args[args.indexOf(flag) + 1];
    expect(arg("--namespace")).toBe("WebappPlatform/Host");
    expect(arg("--metric-name")).toBe("CertificateDaysToExpiry");
    expect(arg("--dimensions")).toBe("App=flashbill");
    expect(arg("--region")).toBe("eu-west-1");
    expect(["44", "45"]).toContain(arg("--value"));
  });
});
