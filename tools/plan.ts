/**
 * The offline plan: runs the program for a stack under the recording harness (no cloud
 * account, no Pulumi CLI) and prints what it would build.
 *
 *   npm run plan -- --stack staging            resource tree and counts
 *   npm run plan -- --stack prod --json [file] the full record as JSON (secrets as [secret])
 */
import * as fs from "fs";
import { recordStack } from "../test/harness";
import { countByType, renderTree, toJson } from "./plan/tree";

interface PlanArgs { stack: string; json: boolean; out?: string }

function parseArgs(argv: string[]): PlanArgs {
  const args: PlanArgs = { stack: "", json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack") args.stack = argv[++i] ?? "";
    else if (a === "--json") {
      args.json = true;
      if (argv[i + 1] && !argv[i + 1].startsWith("--")) args.out = argv[++i];
    } else throw new Error(`unknown argument ${a}; usage: npm run plan -- --stack <staging|prod> [--json [file]]`);
  }
  if (!args.stack) throw new Error("--stack is required: npm run plan -- --stack staging");
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rec = await recordStack(args.stack);
  if (args.json) {
    const text = JSON.stringify(toJson(rec), null, 2);
    if (args.out) fs.writeFileSync(args.out, text + "\n");
    else process.stdout.write(text + "\n");
    return;
  }
  const counts = countByType(rec);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  console.log(`Offline plan for stack "${rec.stack}" (${rec.region}): ${total} resources\n`);
  console.log(renderTree(rec));
  console.log("\nResources by type:");
  for (const [type, n] of counts) console.log(`  ${String(n).padStart(4)}  ${type}`);
  if (rec.warnings.length > 0) {
    console.log("\nWarnings:");
    for (const w of rec.warnings) console.log(`  ! ${w}`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
