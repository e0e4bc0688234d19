/**
 * The example reports committed under docs/ are what the program builds today: a change to
 * the program, the stacks or the price table must come with `npm run docs:plans`.
 */
import * as fs from "fs";
import * as path from "path";
import { planReport } from "../../tools/plan";
import { renderMarkdown } from "../../tools/plan/report";

const DOCS = path.resolve(__dirname, "..", "..", "docs");

it.each(["staging", "prod"])("docs/plan-%s.md matches the offline plan (else run npm run docs:plans)", async (stack) => {
  const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    const { report } = await planReport(stack);
    const committed = fs.readFileSync(path.join(DOCS, `plan-${stack}.md`), "utf8");
    // Compared line by line so a failure shows the stale lines, not two whole documents.
    expect(committed.split("\n")).toEqual(renderMarkdown(report).split("\n"));
  } finally {
    log.mockRestore();
  }
}, 60_000);
