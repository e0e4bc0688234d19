/**
 * Benchmark: wall time of the offline plan per stack and the number of resources it
 * records, without and with the reviewer's report. The report's time is split into the
 * policy pack, the preflight and the rest (cost, critical path, diagrams, diff-ready JSON and markdown),
 * since the two are owned and tuned separately. Prints numbers; asserts nothing
 * (performance is measured, not tested).
 *
 *   npm run bench [-- --runs 5]
 */
import { recordStack } from "../test/harness";
import { policyVerdicts } from "./plan";
import { buildReport, renderJson, renderMarkdown } from "./plan/report";
import { configPreflight, preflight } from "./preflight";
import { planFromRecording } from "./plan/resources";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;
const col = (n: number, width: number) => n.toFixed(1).padStart(width);

async function main(): Promise<void> {
  const runsFlag = process.argv.indexOf("--runs");
  const runs = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 5;
  console.log(`offline plan, ${runs} runs per stack; medians in ms (the first run also loads modules)`);
  console.log("stack     resources   first plan   plan   + policies   + preflight   + report   = plan with report");
  for (const stack of ["staging", "prod"]) {
    const plan: number[] = [];
    const policies: number[] = [];
    const report: number[] = [];
    const checks: number[] = [];
    let resources = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = now();
      const rec = await recordStack(stack);
      const t1 = now();
      const verdicts = policyVerdicts(rec);
      const t2 = now();
      const checked = preflight(rec, configPreflight(stack));
      const t2b = now();
      const built = buildReport(planFromRecording(rec), { verdicts, preflight: checked });
      renderMarkdown(built);
      renderJson(built);
      const t3 = now();
      plan.push(t1 - t0);
      policies.push(t2 - t1);
      checks.push(t2b - t2);
      report.push(t3 - t2b);
      resources = rec.resources.filter((r) => r.custom).length;
    }
    const total = plan.map((p, i) => p + policies[i] + checks[i] + report[i]);
    console.log(`${stack.padEnd(9)} ${String(resources).padStart(9)}   ${col(plan[0], 10)}   ${col(median(plan), 6)}   ${col(median(policies), 10)}   ${col(median(checks), 11)}   ${col(median(report), 8)}   ${col(median(total), 18)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
