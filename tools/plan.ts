/**
 * The offline plan: runs the program for a stack under the recording harness (no cloud
 * account, no Pulumi CLI) and prints what it would build, what it costs, how long a first
 * deploy takes, what the policies say and, against an earlier plan, what changes.
 *
 *   npm run plan -- --stack staging                          resource tree, counts, cost, critical path
 *   npm run plan -- --stack staging --format markdown        the reviewer's report (PR comment)
 *   npm run plan -- --stack prod --format json --out p.json  everything as JSON (secrets as [secret])
 *   npm run plan -- --stack prod --json [file]               same as --format json [--out file]
 *   npm run plan -- --stack prod --format markdown --base main-plan.json   adds the diff
 *
 * It is also the gate: it exits 1 on a config error, a preflight violation (a value AWS would
 * refuse, an alarm that cannot fire, an input no field table checks) or a mandatory policy
 * violation, after writing its report. `--no-fail` reports the same and exits 0, for exploring.
 */
import * as fs from "fs";
import * as path from "path";
import { recordStack, stackFilePath } from "../test/harness";
import type { Recording } from "../test/harness";
import { PlanReport, Verdict, buildReport, renderJson, renderMarkdown, renderTextSummary } from "./plan/report";
import { normalizePlan, planFromRecording } from "./plan/resources";
import { countByType, renderTree } from "./plan/tree";
import { runPolicyPack, stackPackConfig } from "./policy-check";
import { configPreflight, gateFailures, preflight } from "./preflight";

type Format = "text" | "markdown" | "json";
interface PlanArgs { stack: string; format: Format; out?: string; base?: string; noFail: boolean; configFile?: string }

const USAGE = "usage: npm run plan -- --stack <staging|prod> [--format text|markdown|json] [--out <file>] [--base <plan.json>] [--config-file <Pulumi.x.yaml>] [--no-fail] (--json [file] = --format json [--out file])";

export function parseArgs(argv: string[]): PlanArgs {
  const args: PlanArgs = { stack: "", format: "text", noFail: false };
  const value = (i: number, flag: string) => {
    const v = argv[i];
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value; ${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack") args.stack = value(++i, a);
    else if (a === "--format") {
      const f = value(++i, a);
      if (f !== "text" && f !== "markdown" && f !== "json") throw new Error(`--format must be text, markdown or json, got "${f}"`);
      args.format = f;
    } else if (a === "--json") {
      args.format = "json";
      if (argv[i + 1] && !argv[i + 1].startsWith("--")) args.out = argv[++i];
    } else if (a === "--out") args.out = value(++i, a);
    else if (a === "--base") args.base = value(++i, a);
    else if (a === "--no-fail") args.noFail = true;
    else if (a === "--config-file") args.configFile = value(++i, a);
    else throw new Error(`unknown argument ${a}; ${USAGE}`);
  }
  if (!args.stack) throw new Error(`--stack is required; ${USAGE}`);
  return args;
}

/** The policy pack's verdicts on the recorded values, with the stack's pack config as CI passes it. */
export function policyVerdicts(rec: Recording): Verdict[] {
  const environment = (rec.outputs.environment ?? rec.stack) === "prod" ? "prod" : "staging";
  return runPolicyPack(rec.resources, { environment, config: stackPackConfig(rec.stack) });
}

/**
 * Records a stack and builds its report (used by the CLI, docs:plans and the bench). The
 * CLI's config rules run first, as `pulumi up` applies them before the program starts; with
 * `keepGoing` their errors are reported instead of stopping the plan.
 */
export async function planReport(
  stack: string,
  options: { base?: string; keepGoing?: boolean; configFile?: string } = {},
): Promise<{ rec: Recording; report: PlanReport }> {
  const stackFile = options.configFile ?? stackFilePath(stack);
  const config = configPreflight(stack, stackFile);
  if (config.errors.length > 0 && !options.keepGoing) {
    throw new Error(`The Pulumi CLI would refuse ${path.basename(stackFile)}:\n  - ${config.errors.join("\n  - ")}`);
  }
  const rec = await recordStack(stack, { stackFile });
  const verdicts = policyVerdicts(rec);
  const report = buildReport(planFromRecording(rec), {
    verdicts,
    preflight: preflight(rec, config),
    base: options.base ? normalizePlan(JSON.parse(fs.readFileSync(options.base, "utf8"))) : undefined,
    baseLabel: options.base ? path.basename(options.base) : undefined,
  });
  return { rec, report };
}

function renderText(rec: Recording, report: PlanReport): string {
  const counts = countByType(rec);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  const lines = [`Offline plan for stack "${rec.stack}" (${rec.region}): ${total} resources`, "", renderTree(rec), "", "Resources by type:"];
  for (const [type, n] of counts) lines.push(`  ${String(n).padStart(4)}  ${type}`);
  lines.push("", renderTextSummary(report));
  const warnings = [...(report.preflight?.config.warnings ?? []), ...rec.warnings];
  if (warnings.length > 0) lines.push("", "Warnings:", ...warnings.map((w) => `  ! ${w}`));
  if (rec.infos.length > 0) lines.push("", "Notes:", ...rec.infos.map((n) => `  - ${n}`));
  return lines.join("\n") + "\n";
}

/** Why the plan fails the gate: config and preflight problems, then mandatory policy violations. */
export function planFailures(report: PlanReport): string[] {
  const out = report.preflight ? gateFailures(report.preflight) : [];
  for (const v of report.policies.verdicts) {
    if (v.enforcementLevel === "mandatory") out.push(`policy: ${v.policy} ${v.name ?? v.resourceName ?? ""}: ${v.detail ?? v.message}`);
  }
  return out;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const { rec, report } = await planReport(args.stack, { base: args.base, keepGoing: args.noFail, configFile: args.configFile });
  const text = args.format === "json" ? renderJson(report) : args.format === "markdown" ? renderMarkdown(report) : renderText(rec, report);
  if (args.out) {
    fs.writeFileSync(args.out, text);
    console.error(`wrote ${args.out}`);
  } else process.stdout.write(text);
  const failures = planFailures(report);
  if (failures.length === 0) return 0;
  console.error(`\nThe plan of stack "${args.stack}" fails the gate (${failures.length} problem${failures.length === 1 ? "" : "s"}):`);
  for (const f of failures) console.error(`  - ${f}`);
  if (args.noFail) {
    console.error("--no-fail: exiting 0 anyway.");
    return 0;
  }
  return 1;
}

// Run as a script (tools/run.js sets argv[1] to this file), not when imported by docs:plans or the bench.
if (path.resolve(process.argv[1] ?? "") === __filename) {
  main().then((code) => process.exit(code), (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
