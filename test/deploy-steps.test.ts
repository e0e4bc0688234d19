import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { contextFrom, loadStackConfig } from "../config";
import { SsmRedeploy, redeployDocumentContent, renderHostRedeployScript, renderSsmRedeployScript } from "../components/ssm-redeploy";
import { record } from "./harness";
import { runSh, shellcheck } from "./shell";

// The SSM redeploy (components/ssm-redeploy.ts); the post-deploy check is in post-deploy-check.test.ts.
const COMMAND = "command:local:Command";

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
    ["SSM redeploy (operator side)", renderSsmRedeployScript()],
    ["host redeploy (SSM document)", doc.mainSteps[0].inputs.runCommand.join("\n") + "\n"],
  ])("%s passes shellcheck", (_, script) => {
    expect(shellcheck(script)).toBe("");
  });

  it("rejects out-of-range timings", () => {
    expect(() => renderSsmRedeployScript({ timeoutSeconds: 10 })).toThrow(/args\.timeoutSeconds must be a whole number from 60/);
    expect(() => renderHostRedeployScript({ deployScript: "deploy; rm -rf /" })).toThrow(/args\.deployScript must be an absolute path/);
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

describe("SSM redeploy component", () => {
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
        () => new SsmRedeploy("c", { ctx, instanceId: "i-1", appName: "shop", appVersion: "1.0; reboot" }),
        () => new SsmRedeploy("d", { ctx, instanceId: "i-1", appName: "Shop", appVersion: "1.0" }),
        () => new SsmRedeploy("e", { ctx, instanceId: "i-1", appName: "shop", appVersion: "1.0", deployScript: "relative/deploy" }),
      ];
      for (const attempt of attempts) {
        try { attempt(); errors.push("(accepted)"); } catch (err) { errors.push((err as Error).message); }
      }
    }, { stack: "staging" });
    expect(errors).toEqual([
      expect.stringMatching(/^SsmRedeploy: args\.appVersion "1\.0; reboot" must match/),
      'SsmRedeploy: args.appName must be lowercase letters, digits and -, got "Shop"',
      expect.stringMatching(/^SsmRedeploy: args\.deployScript must be an absolute path/),
    ]);
  });
});
