import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { contextFrom, loadStackConfig } from "../config";
import {
  HealthCheckScriptOptions, PostDeployCheck, SsmRedeploy, redeployDocumentContent, renderHealthCheckScript,
  renderHostRedeployScript, renderSsmRedeployScript,
} from "../components/deploy-steps";
import { record } from "./harness";

const COMMAND = "command:local:Command";

interface Run { code: number; stdout: string; stderr: string }

/** Runs a script with sh asynchronously, so a server in this process can answer it. */
function runSh(script: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile("/bin/sh", ["-c", script, "sh", ...args], { env: { ...process.env, ...env }, timeout: 30000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function shellcheck(script: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sc-"));
  const file = path.join(dir, "script.sh");
  fs.writeFileSync(file, script);
  try {
    return execFileSync("shellcheck", ["--shell=sh", "--severity=style", file], { encoding: "utf8" });
  } catch (err) {
    return (err as { stdout?: string }).stdout || String(err);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A directory of stub executables, each a small sh script. */
function stubDir(stubs: Record<string, string>): string {
  const dir = tempDir("stubs-");
  for (const [name, body] of Object.entries(stubs)) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return dir;
}

describe("rendered scripts", () => {
  const doc = JSON.parse(redeployDocumentContent("/usr/local/bin/saas-platform-deploy", 900));
  it.each([
    ["health check (defaults)", renderHealthCheckScript()],
    ["health check (no HSTS, http allowed)", renderHealthCheckScript({ expectHsts: false, httpsOnly: false })],
    ["SSM redeploy (operator side)", renderSsmRedeployScript()],
    ["host redeploy (SSM document)", doc.mainSteps[0].inputs.runCommand.join("\n") + "\n"],
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
    expect(() => renderSsmRedeployScript({ timeoutSeconds: 10 })).toThrow(/args\.timeoutSeconds must be a whole number from 60/);
    expect(() => renderHostRedeployScript({ deployScript: "deploy; rm -rf /" })).toThrow(/args\.deployScript must be an absolute path/);
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

describe("the redeploy scripts, with stubbed tools", () => {
  it("waits for cloud-init before running the deploy script, and stops if cloud-init failed", async () => {
    for (const [cloudInitExit, expectCode] of [[0, 0], [2, 0], [1, 1]] as const) {
      const log = path.join(tempDir("log-"), "calls");
      const bin = stubDir({
        "cloud-init": `echo "cloud-init $*" >>"${log}"; [ "$1 $2" = "status --wait" ] && exit ${cloudInitExit}; exit 0`,
        "deploy": `echo "deploy $*" >>"${log}"`,
      });
      const script = renderHostRedeployScript({ deployScript: path.join(bin, "deploy"), version: "3.1.0" });
      const r = await runSh(script, { PATH: `${bin}:${process.env.PATH}` });
      expect(r.code).toBe(expectCode);
      const calls = fs.readFileSync(log, "utf8").trim().split("\n");
      expect(calls[0]).toBe("cloud-init status --wait");
      if (expectCode === 0) expect(calls[calls.length - 1]).toBe("deploy 3.1.0");
      else {
        expect(calls).not.toContain("deploy 3.1.0");
        expect(r.stderr).toMatch(/cloud-init failed \(exit 1\); not deploying/);
      }
    }
  });

  function awsStub(status: string): string {
    // Answers the few calls the script makes; logs each so the test can check the order.
    return stubDir({
      aws: `echo "$*" >>"$STUB_LOG"
case "$2" in
  describe-instance-information) echo Online ;;
  send-command) echo cmd-0123456789 ;;
  get-command-invocation)
    case "$*" in
      *"--query Status"*) echo ${status} ;;
      *StandardOutputContent*) echo "host said: deploying 3.1.0" ;;
      *StandardErrorContent*) echo "host error: image pull failed" ;;
    esac ;;
esac`,
    });
  }

  it.each([["Success", 0], ["Failed", 1]] as const)("sends the document with the version and reports %s", async (status, code) => {
    const log = path.join(tempDir("ssm-"), "aws-calls");
    const bin = awsStub(status);
    const r = await runSh(renderSsmRedeployScript({ pollSeconds: 1, timeoutSeconds: 60 }), {
      PATH: `${bin}:${process.env.PATH}`, STUB_LOG: log,
      INSTANCE_ID: "i-0abc", DOCUMENT_NAME: "staging-saas-redeploy", APP_VERSION: "3.1.0", AWS_REGION: "eu-west-1",
    });
    expect(r.code).toBe(code);
    const calls = fs.readFileSync(log, "utf8").trim().split("\n");
    expect(calls[0]).toMatch(/^ssm describe-instance-information --region eu-west-1 --filters Key=InstanceIds,Values=i-0abc /);
    expect(calls[1]).toBe('ssm send-command --region eu-west-1 --instance-ids i-0abc --document-name staging-saas-redeploy --parameters {"version":["3.1.0"]} --comment redeploy 3.1.0 --query Command.CommandId --output text');
    expect(calls[2]).toMatch(/^ssm get-command-invocation --region eu-west-1 --command-id cmd-0123456789 --instance-id i-0abc --query Status/);
    if (code === 0) {
      expect(r.stdout).toMatch(/host said: deploying 3\.1\.0\nredeploy of 3\.1\.0 on i-0abc succeeded/);
    } else {
      expect(r.stderr).toContain("host said: deploying 3.1.0");
      expect(r.stderr).toContain("host error: image pull failed");
      expect(r.stderr).toMatch(/redeploy of 3\.1\.0 on i-0abc FAILED: SSM command cmd-0123456789 ended Failed/);
    }
  });
});

describe("deploy step components", () => {
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

  it("redeploys through its own SSM document, with the script hosts install, triggered by the version or a new instance", async () => {
    const rec = await record(() => {
      const ctx = contextFrom(loadStackConfig());
      new SsmRedeploy("flashbill", { ctx, instanceId: "i-0123456789abcdef0", appName: "flashbill", appVersion: "0.9.2" });
    }, { stack: "staging" });
    const doc = rec.one("aws:ssm/document:Document");
    expect(doc.inputs).toMatchObject({ name: "staging-flashbill", documentType: "Command", documentFormat: "JSON" });
    const content = JSON.parse(doc.inputs.content);
    expect(content.parameters.version.allowedPattern).toBe("^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$");
    const lines: string[] = content.mainSteps[0].inputs.runCommand;
    expect(content.mainSteps[0].action).toBe("aws:runShellScript");
    const wait = lines.findIndex((l) => l.includes("cloud-init status --wait"));
    const deploy = lines.findIndex((l) => l.includes('exec /usr/local/sbin/flashbill-deploy "$version"'));
    expect(wait).toBeGreaterThan(0);
    expect(deploy).toBeGreaterThan(wait);
    expect(lines).toContain("version='{{ version }}'");

    const cmd = rec.one(COMMAND, "flashbill-redeploy");
    // A replaced host (a new pinned image) boots its first user data: the redeploy brings it to the version.
    expect(cmd.inputs.triggers).toEqual(["0.9.2", "i-0123456789abcdef0"]);
    expect(cmd.inputs.environment).toEqual({ INSTANCE_ID: "i-0123456789abcdef0", DOCUMENT_NAME: "staging-flashbill", APP_VERSION: "0.9.2", AWS_REGION: "eu-west-1" });
    expect(cmd.inputs.create).toBe(renderSsmRedeployScript({ timeoutSeconds: 1800 }));
    expect(cmd.inputs.create).not.toMatch(/\bssh\b/);
    expect(cmd.dependencies).toContain(doc.urn);
  });

  it("rejects bad arguments at once", async () => {
    const errors: string[] = [];
    await record(() => {
      const ctx = contextFrom(loadStackConfig());
      const attempts: (() => unknown)[] = [
        () => new PostDeployCheck("a", { url: "http://example.com/health/" }),
        () => new PostDeployCheck("b", { url: "https://example.com/", timeoutMinutes: 0 }),
        () => new SsmRedeploy("c", { ctx, instanceId: "i-1", appName: "shop", appVersion: "1.0; reboot" }),
        () => new SsmRedeploy("d", { ctx, instanceId: "i-1", appName: "Shop", appVersion: "1.0" }),
        () => new SsmRedeploy("e", { ctx, instanceId: "i-1", appName: "shop", appVersion: "1.0", deployScript: "relative/deploy" }),
      ];
      for (const attempt of attempts) {
        try { attempt(); errors.push("(accepted)"); } catch (err) { errors.push((err as Error).message); }
      }
    }, { stack: "staging" });
    expect(errors).toEqual([
      'PostDeployCheck: args.url must be an https:// URL, got "http://example.com/health/"',
      "PostDeployCheck: args.timeoutMinutes must be a whole number from 1 to 60, got 0",
      expect.stringMatching(/^SsmRedeploy: args\.appVersion "1\.0; reboot" must match/),
      'SsmRedeploy: args.appName must be lowercase letters, digits and -, got "Shop"',
      expect.stringMatching(/^SsmRedeploy: args\.deployScript must be an absolute path/),
    ]);
  });
});
