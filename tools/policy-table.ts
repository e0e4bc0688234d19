/**
 * Writes each policy's row of the tables in policies/README.md from the pack itself (level,
 * kind, summary, config keys), updating rows in place and adding a new policy's row after the
 * policy before it in the pack's order. Usage: npm run docs:policies
 */
import { POLICIES } from "../policies/policies";
import { LAYERS } from "../policies/lib/define";
import * as fs from "fs";
import * as path from "path";
const file = path.join(__dirname, "../policies/README.md");
let md = fs.readFileSync(file, "utf8");
const lines = md.split("\n");
let prev: string | undefined;
for (const p of POLICIES as any[]) {
  const kind = p.validateStack ? "stack" : "resource";
  const keys = Object.keys(p.configSchema?.properties ?? {}).filter((k) => !["environment", "exemptions", "enforcementLevel"].includes(k));
  const prefix = `${(LAYERS as any)[p.layer]}: `;
  const summary = p.description.slice(prefix.length, p.description.lastIndexOf(" Fix: "));
  const row = `| \`${p.name}\` | ${p.enforcementLevel} | ${kind} | ${summary} | ${keys.map((k) => `\`${k}\``).join(", ")} |`;
  const at = lines.findIndex((l) => l.startsWith(`| \`${p.name}\` |`));
  if (at >= 0) { if (lines[at] !== row) console.log("updated", p.name); lines[at] = row; }
  else {
    const after = lines.findIndex((l) => prev !== undefined && l.startsWith(`| \`${prev}\` |`));
    if (after < 0) throw new Error(`no place for ${p.name}`);
    lines.splice(after + 1, 0, row); console.log("added", p.name);
  }
  prev = p.name;
}
fs.writeFileSync(file, lines.join("\n"));
