/**
 * Benchmark: wall time of the offline plan per stack and the number of resources it
 * records. Prints numbers; asserts nothing (performance is measured, not tested).
 *
 *   npm run bench [-- --runs 5]
 */
import { recordStack } from "../test/harness";

async function main(): Promise<void> {
  const runsFlag = process.argv.indexOf("--runs");
  const runs = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 5;
  console.log(`offline plan, ${runs} runs per stack (first run includes module loading)`);
  console.log("stack     resources   first ms   median ms   min ms");
  for (const stack of ["staging", "prod"]) {
    const times: number[] = [];
    let resources = 0;
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      const rec = await recordStack(stack);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      resources = rec.resources.filter((r) => r.custom).length;
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`${stack.padEnd(9)} ${String(resources).padStart(9)}   ${times[0].toFixed(0).padStart(8)}   ${median.toFixed(1).padStart(9)}   ${sorted[0].toFixed(1).padStart(6)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
