/**
 * Regenerates the example reports committed under docs/: the reviewer's markdown report
 * for each stack, exactly what `npm run plan -- --stack <stack> --format markdown` prints.
 * Run after changing the program or the price table:
 *
 *   npm run docs:plans
 */
import * as fs from "fs";
import * as path from "path";
import { planReport } from "../plan";
import { renderMarkdown } from "./report";

const STACKS = ["staging", "prod"];
const DOCS = path.resolve(__dirname, "..", "..", "docs");

async function main(): Promise<void> {
  fs.mkdirSync(DOCS, { recursive: true });
  // One stack at a time: the recording harness runs one program per process at a time.
  for (const stack of STACKS) {
    const { report } = await planReport(stack);
    const file = path.join(DOCS, `plan-${stack}.md`);
    fs.writeFileSync(file, renderMarkdown(report));
    console.log(`wrote ${path.relative(process.cwd(), file)}: ${report.summary.resources} resources, $${report.cost.monthly.toFixed(2)}/month, critical path ${report.criticalPath.seconds} s`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
