/**
 * `npm run plan` is the gate: run as users and CI run it (a child process), it exits 1 on a
 * config error the CLI would raise, on a value AWS would refuse and on a mandatory policy
 * violation, after writing its report; `--no-fail` reports the same and exits 0.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDocument } from "yaml";
import { ROOT, Recording, recordStack } from "../harness";
import { planFailures } from "../../tools/plan";
import { buildReport } from "../../tools/plan/report";
import { planFromRecording } from "../../tools/plan/resources";
import { configPreflight, preflight } from "../../tools/preflight";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-gate-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of a real stack file with one edit, as a user would make it. */
function stackVariant(stack: string, label: string, edit: (config: any) => void): string {
  const doc = parseDocument(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  const config = doc.toJS().config;
  edit(config);
  doc.set("config", config);
  const file = path.join(tmp, `Pulumi.${stack}.${label}.yaml`);
  fs.writeFileSync(file, doc.toString());
  return file;
}

function plan(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, "tools/run.js"), path.join(ROOT, "tools/plan.ts"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run plan as the gate", () => {
  test.each(["staging", "prod"])("the %s stack passes: exit 0, with a Preflight section showing zero violations", (stack) => {
    const out = path.join(tmp, `${stack}.md`);
    const r = plan(["--stack", stack, "--format", "markdown", "--out", out]);
    expect(r.stderr).not.toMatch(/fails the gate/);
    expect(r.status).toBe(0);
    const md = fs.readFileSync(out, "utf8");
    expect(md).toMatch(/^## Preflight$/m);
    expect(md).toMatch(/\| \*\*Preflight\*\* \| 0 violations \(\d+ values in (\d+) of \1 fields set, \d+ resource types, \d+ alarms: metrics confirmed by \d+ catalogue, \d+ documented, [^|]*\) \|/);
    expect(md).not.toMatch(/unconfirmed/);
  });

  test("a mandatory policy violation fails it, after the report is written; --no-fail exits 0", () => {
    // Prod without the SaaS app's WAF: the pack's waf-in-prod policy is mandatory in prod.
    const file = stackVariant("prod", "nowaf", (c) => { c["webapp-platform:apps"]["saas-platform"].wafEnabled = false; });
    const out = path.join(tmp, "nowaf.json");
    const r = plan(["--stack", "prod", "--config-file", file, "--json", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/fails the gate/);
    expect(r.stderr).toMatch(/policy: waf-in-prod/);
    expect(JSON.parse(fs.readFileSync(out, "utf8")).policies.counts.mandatory).toBeGreaterThan(0);
    const explore = plan(["--stack", "prod", "--config-file", file, "--no-fail"]);
    expect(explore.status).toBe(0);
    expect(explore.stderr).toMatch(/policy: waf-in-prod/);
    expect(explore.stderr).toMatch(/--no-fail: exiting 0 anyway/);
  });

  test("a config value that would compose into a value AWS refuses stops the plan, naming the config key", () => {
    // '#' is outside the tag pattern of ELB, RDS, SNS and most other services.
    const file = stackVariant("staging", "badtag", (c) => { c["webapp-platform:tags"].owner = "team#7"; });
    const r = plan(["--stack", "staging", "--config-file", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/webapp-platform:tags\.owner: "owner: team#7" has a character AWS refuses in tags/);
  });

  test.each([
    ["a missing required key", (c: any) => { delete c["webapp-platform:alertEmail"]; }, /webapp-platform:alertEmail/],
    ["an unknown aws: provider key", (c: any) => { c["aws:regoin"] = "eu-west-1"; }, /aws:regoin: the aws provider has no setting "regoin" \(did you mean aws:region\?\)/],
  ])("%s stops the plan with exit 1, naming the key", (_label, edit, message) => {
    const file = stackVariant("staging", "cli", edit);
    const r = plan(["--stack", "staging", "--config-file", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/The Pulumi CLI would refuse/);
    expect(r.stderr).toMatch(message);
  });

  test("an app name that composes into identifiers AWS refuses stops the plan, naming the config key", () => {
    const file = stackVariant("staging", "badname", (c) => {
      const apps = c["webapp-platform:apps"];
      apps["flash--bill"] = apps.flashbill;
      delete apps.flashbill;
    });
    const r = plan(["--stack", "staging", "--config-file", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/webapp-platform:apps\.flash--bill: /);
  });

  test("a stack file the Pulumi CLI would refuse stops the plan before the program runs", () => {
    const file = stackVariant("staging", "untyped", (c) => { c["webapp-platform:verifyAfterDeploy"] = "sometimes"; });
    const r = plan(["--stack", "staging", "--config-file", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/The Pulumi CLI would refuse Pulumi\.staging\.untyped\.yaml/);
    expect(r.stderr).toMatch(/webapp-platform:verifyAfterDeploy/);
    expect(r.stdout).toBe("");
  });
});

describe("the gate on a seeded recording", () => {
  let rec: Recording;
  beforeAll(async () => { rec = await recordStack("staging"); }, 120_000);

  /** The failures `npm run plan` would exit 1 on, for a recording (as main() computes them). */
  const failuresOf = (r: Recording) => planFailures(buildReport(planFromRecording(r), { verdicts: [], preflight: preflight(r, configPreflight("staging")) }));

  test("the real recording passes", () => {
    expect(failuresOf(rec)).toEqual([]);
  });

  test("a field value AWS refuses, an unmapped input and an unpublished metric each fail it", () => {
    const copy = new Recording(rec.stack, rec.region, structuredClone(rec.resources), rec.outputs, rec.warnings);
    const sg = copy.resources.find((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") as Recording["resources"][number];
    sg.inputs.description = "HTTPS from the world's browsers";
    const lb = copy.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer") as Recording["resources"][number];
    lb.inputs.idleTimeout = 120;
    const alarm = copy.resources.find((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.namespace === "AWS/RDS") as Recording["resources"][number];
    alarm.inputs.metricName = "FreeStorageBytes";
    const failures = failuresOf(copy);
    expect(failures).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^preflight: ${sg.name} description = "HTTPS from the world's browsers": AWS allows .*ec2-2016-11-15\\.json`)),
      "preflight: aws:lb/loadBalancer:LoadBalancer sets inputs no field table maps: idleTimeout",
      expect.stringMatching(new RegExp(`^alarm: ${alarm.name}: .*FreeStorageBytes`)),
    ]));
    expect(failures).toHaveLength(3);
  });
});
