import * as http from "http";
import { AddressInfo } from "net";
import * as aws from "@pulumi/aws";
import { HealthCheckScriptOptions, PostDeployCheck, renderHealthCheckScript } from "../components/post-deploy-check";
import { record } from "./harness";
import { runSh, shellcheck } from "./shell";

const COMMAND = "command:local:Command";

describe("rendered scripts", () => {
  it.each([
    ["health check (defaults)", renderHealthCheckScript()],
    ["health check (no HSTS, http allowed)", renderHealthCheckScript({ expectHsts: false, httpsOnly: false })],
  ])("%s passes shellcheck", (_, script) => {
    expect(shellcheck(script)).toBe("");
  });

  it("reads the URL from the environment and refuses plain HTTP by default", () => {
    const script = renderHealthCheckScript();
    expect(script).toContain('url="${CHECK_URL:?');
    expect(script).toContain("--proto '=https'");
    expect(renderHealthCheckScript({ httpsOnly: false })).not.toContain("--proto");
  });

  it("rejects out-of-range timings", () => {
    expect(() => renderHealthCheckScript({ maxDelaySeconds: 2, initialDelaySeconds: 5 })).toThrow(/args\.maxDelaySeconds must be a whole number from 5 to 600, got 2/);
  });
});

describe("the post-deploy check script, against a loopback HTTP server", () => {
  let server: http.Server;
  let base = "";
  let failuresLeft = 0;
  const hits: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      const hsts = { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" };
      switch (req.url) {
        case "/ok/": res.writeHead(200, hsts).end("ok"); break;
        case "/down/": res.writeHead(503, hsts).end("down"); break;
        case "/no-hsts/": res.writeHead(200).end("ok"); break;
        case "/short-hsts/": res.writeHead(200, { "strict-transport-security": "max-age=300" }).end("ok"); break;
        case "/redirect/": res.writeHead(301, { ...hsts, Location: "/ok/" }).end(); break;
        case "/flaky/":
          if (failuresLeft > 0) { failuresLeft--; res.writeHead(502).end("warming up"); } else res.writeHead(200, hsts).end("ok");
          break;
        default: res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // httpsOnly is off only so the loopback server can stand in for the app.
  const check = (p: string, opts: HealthCheckScriptOptions = {}) =>
    runSh(renderHealthCheckScript({ httpsOnly: false, timeoutSeconds: 0, ...opts }), { CHECK_URL: `${base}${p}` });

  it("passes on 200 with a one-year HSTS header", async () => {
    const r = await check("/ok/");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/post-deploy check passed: http:\/\/127\.0\.0\.1:\d+\/ok\/ answered 200 with Strict-Transport-Security/);
  });

  it("fails on a status other than 200", async () => {
    const r = await check("/down/");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/post-deploy check FAILED: \S+\/down\/ answered HTTP 503, expected 200/);
  });

  it("does not follow redirects: a health URL that redirects fails", async () => {
    const r = await check("/redirect/");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/answered HTTP 301, expected 200/);
  });

  it("fails on 200 without Strict-Transport-Security", async () => {
    const r = await check("/no-hsts/");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED: \S+\/no-hsts\/ answered 200 without a Strict-Transport-Security header/);
  });

  it("fails on an HSTS max-age shorter than a year (header matched case-insensitively)", async () => {
    const r = await check("/short-hsts/");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sent Strict-Transport-Security "max-age=300", expected max-age >= 31536000/);
  });

  it("accepts a missing header when HSTS is not expected", async () => {
    expect((await check("/no-hsts/", { expectHsts: false })).code).toBe(0);
  });

  it("retries with backoff until the app answers", async () => {
    failuresLeft = 2;
    const before = hits.filter((h) => h === "/flaky/").length;
    const r = await check("/flaky/", { timeoutSeconds: 20, initialDelaySeconds: 1, maxDelaySeconds: 2 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/attempt 1: \S+ answered HTTP 502, expected 200; retrying in 1s/);
    expect(r.stderr).toMatch(/attempt 2: \S+ answered HTTP 502, expected 200; retrying in 2s/);
    expect(r.stdout).toMatch(/\(attempt 3\)/);
    expect(hits.filter((h) => h === "/flaky/").length - before).toBe(3);
  });

  it("refuses a plain-HTTP URL when HTTPS is required, with curl's reason", async () => {
    const r = await runSh(renderHealthCheckScript({ timeoutSeconds: 0 }), { CHECK_URL: `${base}/ok/` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED: \S+ gave no HTTP answer \(curl: \(1\) Protocol "http" not supported/);
  });
});

describe("post-deploy check component", () => {
  it("runs the HTTPS check after what it depends on, re-running when the version changes", async () => {
    const rec = await record(() => {
      const topic = new aws.sns.Topic("app-ready");
      new PostDeployCheck("saas-verify", { url: "https://staging.saasplatform.io/health/", triggers: ["3.1.0"] }, { dependsOn: [topic] });
    }, { stack: "staging" });
    const cmd = rec.one(COMMAND, "saas-verify-check");
    expect(cmd.inputs.create).toBe(renderHealthCheckScript({ timeoutSeconds: 600 }));
    expect(cmd.inputs.create).toContain("--proto '=https'");
    expect(cmd.inputs.environment).toEqual({ CHECK_URL: "https://staging.saasplatform.io/health/" });
    expect(cmd.inputs.triggers).toEqual(["https://staging.saasplatform.io/health/", "3.1.0"]);
    expect(cmd.dependencies).toContain(rec.one("aws:sns/topic:Topic").urn);
    expect(cmd.parent).toBe(rec.one("webapp-platform:deploy:PostDeployCheck").urn);
  });

  it("rejects bad arguments at once", async () => {
    const errors: string[] = [];
    await record(() => {
      const attempts: (() => unknown)[] = [
        () => new PostDeployCheck("a", { url: "http://example.com/health/" }),
        () => new PostDeployCheck("b", { url: "https://example.com/", timeoutMinutes: 0 }),
      ];
      for (const attempt of attempts) {
        try { attempt(); errors.push("(accepted)"); } catch (err) { errors.push((err as Error).message); }
      }
    }, { stack: "staging" });
    expect(errors).toEqual([
      'PostDeployCheck: args.url must be an https:// URL, got "http://example.com/health/"',
      "PostDeployCheck: args.timeoutMinutes must be a whole number from 1 to 60, got 0",
    ]);
  });
});
