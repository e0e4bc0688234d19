/**
 * Assembles the reviewer's report from a plan: summary, policy verdicts, per-app diagrams and
 * costs, the deploy critical path and, with a base plan, the diff. Renders it as JSON (the
 * plan plus every analysis, readable again as a `--base`), GitHub-flavoured markdown for a
 * PR comment, or a short text summary for the terminal.
 *
 * The markdown is deterministic (no timestamps, stable ordering) so the example reports under
 * docs/ only change when the infrastructure or the price table does.
 */
import { CostGroup, CostReport, estimateCost, formatUsd, quantity } from "./cost";
import { CriticalPath, criticalPath, formatDuration } from "./critical-path";
import { AppDiagram, appDiagrams } from "./diagram";
import { PlanDiff, ResourceChange, ResourceRef, diffPlans } from "./diff";
import {
  EC2_HOURLY, ELASTICACHE_HOURLY, GLOBAL_REGION, HOURS_PER_MONTH, PRICES, PRICES_AS_OF, PRICE_REGION, RDS_HOURLY, RDS_MULTI_AZ_FACTOR, SOURCES, UnitPrice,
} from "./prices";
import { PlanIndex, PlanJson, SHARED } from "./resources";
import { PreflightReport, preflightTotals } from "../preflight";

/**
 * A policy result, as tools/policy-check.ts reports it. Kept local (and loose about how the
 * resource is named) so the report does not depend on the policy runner's module.
 */
export interface Verdict {
  policy: string;
  /** Security layer the policy belongs to (transport, edge, network, ...). */
  layer?: string;
  /** "mandatory" | "advisory" (others are counted under their own name). */
  enforcementLevel: string;
  message: string;
  /** The finding alone, without the policy's description (preferred for tables). */
  detail?: string;
  /** How to fix it. */
  fix?: string;
  urn?: string;
  resourceUrn?: string;
  type?: string;
  resourceType?: string;
  name?: string;
  resourceName?: string;
}

export interface ReportOptions {
  /** Policy verdicts; undefined means the policies were not run (the report says so). */
  verdicts?: Verdict[];
  /** An earlier plan to diff against. */
  base?: PlanJson;
  /** Where the base came from, for the report's wording. */
  baseLabel?: string;
  /** The preflight's findings (config rules, AWS field constraints, alarm metrics). */
  preflight?: PreflightReport;
}

export interface PlanReport extends PlanJson {
  /** Marks the file as a plan report, version 1. */
  format: "webapp-platform-plan/1";
  summary: {
    resources: number;
    components: number;
    byType: { type: string; count: number }[];
    apps: { name: string; architecture: string; resources: number; monthly: number }[];
  };
  cost: CostReport;
  criticalPath: CriticalPath;
  diagrams: AppDiagram[];
  policies: { ran: boolean; counts: Record<string, number>; verdicts: Verdict[] };
  diff: (PlanDiff & { label: string }) | null;
  /** Absent in plans written before the preflight existed. */
  preflight?: PreflightReport;
}

export function buildReport(plan: PlanJson, options: ReportOptions = {}): PlanReport {
  const index = new PlanIndex(plan.resources);
  const custom = plan.resources.filter((r) => r.custom);
  const byType = new Map<string, number>();
  for (const r of custom) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const cost = estimateCost(plan.resources, index);
  const verdicts = options.verdicts ?? [];
  const counts: Record<string, number> = {};
  for (const v of verdicts) counts[v.enforcementLevel] = (counts[v.enforcementLevel] ?? 0) + 1;
  return {
    format: "webapp-platform-plan/1",
    ...plan,
    summary: {
      resources: custom.length,
      components: plan.resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack").length,
      byType: [...byType.entries()].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
      apps: index.apps().map((app) => ({
        name: app.name,
        architecture: app.architecture,
        resources: index.descendants(app.urn).filter((r) => r.custom).length,
        monthly: cost.groups.find((g) => g.name === app.name)?.monthly ?? 0,
      })),
    },
    cost,
    criticalPath: criticalPath(plan.resources, index),
    diagrams: appDiagrams(plan.resources, index),
    policies: { ran: options.verdicts !== undefined, counts, verdicts },
    diff: options.base ? { label: options.baseLabel ?? "base plan", ...diffPlans(options.base, plan) } : null,
    ...(options.preflight ? { preflight: options.preflight } : {}),
  };
}

export function renderJson(report: PlanReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

// ---------- markdown ----------

/** A table cell: no pipes or newlines from data. */
const cell = (s: unknown) => String(s).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const code = (s: unknown) => `\`${String(s).replace(/`/g, "'")}\``;
const table = (head: string[], rows: string[][], align?: string[]) =>
  [`| ${head.join(" | ")} |`, `| ${(align ?? head.map(() => "---")).join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** A value from the plan, short enough for a table. */
const shown = (v: unknown, max = 60) => {
  const s = v === undefined ? "(unset)" : JSON.stringify(v);
  return code(s.length > max ? `${s.slice(0, max - 1)}…` : s);
};
/** Long lists are cut so a comment stays under GitHub's 65,536 characters. */
const MAX_ROWS = 60;
const capped = <T>(xs: T[], max = MAX_ROWS): [T[], string] => (xs.length > max ? [xs.slice(0, max), `\n\n_…and ${xs.length - max} more (see the JSON plan)._`] : [xs, ""]);

function policyLine(report: PlanReport): string {
  if (!report.policies.ran) return "not run";
  const c = report.policies.counts;
  const others = Object.entries(c).filter(([k]) => k !== "mandatory" && k !== "advisory").map(([k, n]) => `${n} ${k}`);
  const parts = [`${c.mandatory ?? 0} mandatory`, `${c.advisory ?? 0} advisory`, ...others];
  return (c.mandatory ?? 0) > 0 ? `**${parts.join(", ")}** violations` : `${parts.join(", ")} violations`;
}

/** How many preflight problems there are, and of which kind. */
function preflightCounts(p: PreflightReport): { config: number; fields: number; gaps: number; alarms: number } {
  return {
    config: p.config.errors.length,
    fields: p.fields.violations.length,
    gaps: p.fields.coverage.filter((c) => c.noMapping || c.unmapped.length > 0).length,
    alarms: p.alarms.violations.length,
  };
}

function preflightLine(p: PreflightReport | undefined): string {
  if (!p) return "not run";
  const t = preflightTotals(p);
  const c = preflightCounts(p);
  const problems = c.config + c.fields + c.gaps + c.alarms;
  const sources = Object.entries(t.metricsBySource).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n} ${k}`).join(", ");
  const what = `${t.values} values in ${t.fieldsChecked} of ${t.fieldsSet} fields set, ${t.types} resource types, ${t.alarms} alarms: metrics confirmed by ${sources || "none"}`;
  if (problems === 0) return `0 violations (${what})`;
  const parts = [[c.config, "config error"], [c.fields, "field violation"], [c.gaps, "unchecked type"], [c.alarms, "alarm that cannot fire"]]
    .filter(([n]) => (n as number) > 0).map(([n, w]) => plural(n as number, w as string));
  return `**${parts.join(", ")}** (${what})`;
}

function preflightSection(p: PreflightReport): string[] {
  const out = ["## Preflight", "", `${preflightLine(p)}. Each input is checked against the AWS API member that receives it (tools/preflight/fields/), each alarm against the metrics AWS or the program's hosts publish.`, ""];
  if (p.config.errors.length + p.config.warnings.length > 0) {
    out.push(...p.config.errors.map((e) => `- **config error:** ${e}`), ...p.config.warnings.map((w) => `- config warning: ${w}`), "");
  }
  if (p.fields.violations.length > 0) {
    const rows = p.fields.violations.map((v) => [code(v.resource), code(v.path), shown(v.value, 50), v.kind, v.rule, v.source]);
    const [rowsShown, more] = capped(rows);
    out.push(table(["resource", "input", "value", "kind", "AWS allows", "source"], rowsShown) + more, "");
  }
  const gaps = p.fields.coverage.filter((c) => c.noMapping || c.unmapped.length > 0);
  if (gaps.length > 0) out.push(`Unchecked: ${gaps.map((g) => `${code(g.type)} (${g.noMapping ? "no mapping" : g.unmapped.map(code).join(", ")})`).join("; ")}.`, "");
  if (p.alarms.violations.length > 0) out.push(...p.alarms.violations.map((v) => `- alarm ${code(v.alarm)}: ${v.message}`), "");
  out.push(
    `<details><summary>Fields checked per resource type (${p.fields.coverage.length})</summary>`,
    "",
    table(["type", "resources", "fields checked / set"], p.fields.coverage.map((c) => [code(c.type), String(c.resources), `${c.fieldsChecked} / ${c.fieldsSet}`]), ["---", "---:", "---:"]),
    "",
    "</details>",
    "",
  );
  return out;
}

function verdictResource(v: Verdict): string {
  return v.resourceName ?? v.name ?? (v.resourceUrn ?? v.urn ?? "").split("::").pop() ?? "";
}

function dataAtRisk(diff: PlanDiff): string[] {
  const rows: string[][] = [];
  const why = (c: ResourceChange) => (c.replacement as { causes: string[] }).causes.map((p) => {
    const input = c.inputs.find((i) => p.startsWith(i.path));
    return input ? `${code(input.path)}: ${shown(input.old, 40)} → ${shown(input.new, 40)}` : p;
  }).join("; ");
  for (const c of diff.statefulReplacements) {
    rows.push([code(c.name), c.type, `**replaced** (new resource, then the old one deleted)${c.protect ? "; protected, so `pulumi up` stops until unprotected" : ""}`, why(c)]);
  }
  for (const r of diff.statefulDeletions) {
    rows.push([code(r.name), r.type, r.retainOnDelete ? "removed from the stack but **retained** in AWS (orphaned)" : `**deleted**${r.protect ? " (protected in the base: `pulumi up` refuses until unprotected)" : ""}`, "no longer in the program (or renamed without an alias)"]);
  }
  if (rows.length === 0) return [];
  const n = diff.statefulReplacements.length + diff.statefulDeletions.length;
  return [
    "> [!CAUTION]",
    `> **Data at risk: ${plural(n, "stateful resource")} would be replaced or deleted by this change.** Check backups, or add an alias / revert the input, before merging.`,
    ">",
    ...table(["resource", "type", "what happens", "because"], rows).split("\n").map((l) => `> ${l}`),
    "",
  ];
}

function costTable(g: CostGroup): string[] {
  if (g.items.length === 0) return [g.freeCount === 0 ? "_No resources._" : `_No priced resources (${plural(g.freeCount, "resource")} with no direct charge)._`];
  const rows = [...g.items].sort((a, b) => b.monthly - a.monthly || a.name.localeCompare(b.name)).map((it) => [code(it.name), it.type, formatUsd(it.monthly), it.basis]);
  rows.push(["**total**", "", `**${formatUsd(g.monthly)}**`, g.freeCount > 0 ? `${plural(g.freeCount, "other resource")} with no direct charge` : ""]);
  return [table(["resource", "type", "per month", "how"], rows, ["---", "---", "---:", "---"])];
}

function diffSection(d: PlanDiff & { label: string; stack: string }): string[] {
  const replaced = d.changed.filter((c) => c.replacement);
  const updated = d.changed.filter((c) => !c.replacement);
  const out = [
    "## Changes against the base plan",
    "",
    `Base: ${d.label} (stack ${code(d.base.stack)}, ${d.base.resources} resources). ` +
      `**${d.added.length} added, ${d.removed.length} removed, ${replaced.length} replaced, ${updated.length} updated in place.** ` +
      (d.moved.length > 0 ? `${d.moved.length} renamed or moved under an alias (the engine changes their URNs only). ` : "") +
      "Secret inputs are compared masked, so a changed secret value does not show.",
    "",
  ];
  if (d.base.stack !== d.stack) out.push(`> [!WARNING]\n> The base plan is of stack ${code(d.base.stack)}, this one of ${code(d.stack)}: resources are matched by URN, which includes the stack, so nothing matches.`, "");
  if (d.added.length + d.removed.length + d.changed.length === 0) return [...out, "_No changes._", ""];
  const ref = (sign: string, r: ResourceRef, detail: string) => [sign, code(r.name), r.type, [r.stateful ? "stateful" : "", detail].filter(Boolean).join("; ")];
  const rows = [
    ...replaced.map((c) => ref("± replace", c, `forced by ${(c.replacement as { causes: string[] }).causes.map(code).join(", ")}`)),
    ...d.removed.map((r) => ref("− delete", r, r.retainOnDelete ? "retained in AWS" : "")),
    ...d.added.map((r) => ref("+ create", r, "")),
    ...updated.map((c) => ref("~ update", c, [...c.inputs, ...c.options].filter((i) => !i.ignored).map((i) => code(i.path)).join(", ") || "only ignored inputs")),
  ];
  const [shownRows, more] = capped(rows);
  out.push(table(["change", "resource", "type", "details"], shownRows) + more, "");
  const detailed = d.changed.filter((c) => c.inputs.length + c.options.length > 0);
  if (detailed.length > 0) {
    out.push(`<details><summary>Changed inputs of ${plural(detailed.length, "resource")}</summary>`, "");
    const [firstChanged, moreChanged] = capped(detailed, 30);
    for (const c of firstChanged) {
      out.push(`**${code(c.name)}** (${c.type})`, "");
      const rows2 = [...c.inputs, ...c.options.map((o) => ({ ...o, path: `(option) ${o.path}` }))].map((i) => [code(i.path), shown(i.old), shown(i.new), i.ignored ? "ignored (ignoreChanges)" : c.replacement?.causes.some((p) => p.startsWith(i.path)) ? "**forces replacement**" : ""]);
      out.push(table(["input", "base", "this plan", ""], rows2), "");
    }
    if (moreChanged) out.push(moreChanged.trim(), "");
    out.push("</details>", "");
  }
  return out;
}

function priceSection(): string[] {
  const rows = (Object.entries(PRICES) as [string, UnitPrice][]).filter(([, p]) => p.usd > 0).map(([key, p]) => [
    key, `$${p.usd} per ${p.unit}`, p.assumed !== undefined ? `${quantity(p.assumed, p.unit)} a month each` : "", p.note ?? "",
  ]);
  const hourly = (prices: Readonly<Record<string, number>>) => Object.entries(prices).map(([k, v]) => `${k} $${v}`).join(", ");
  return [
    "<details><summary>Prices and usage assumptions</summary>",
    "",
    `On-demand list prices in USD, ${PRICE_REGION} (CloudFront, ACM and CloudFront WAF: ${GLOBAL_REGION} / global), as published ${PRICES_AS_OF}; ` +
      `${HOURS_PER_MONTH} hours a month; no free tier, reserved or savings-plan discounts. ` +
      `Sources: ${Object.values(SOURCES).map((u) => `<${u}>`).join(", ")}.`,
    "",
    table(["price", "rate", "assumed usage", "note"], rows),
    "",
    `Per hour: EC2 (Linux) ${hourly(EC2_HOURLY)}. RDS PostgreSQL single-AZ (Multi-AZ × ${RDS_MULTI_AZ_FACTOR}) ${hourly(RDS_HOURLY)}. ElastiCache per node ${hourly(ELASTICACHE_HOURLY)}.`,
    "",
    "</details>",
    "",
  ];
}

export function renderMarkdown(report: PlanReport): string {
  const cp = report.criticalPath;
  const out: string[] = [
    `<!-- webapp-platform offline plan: ${report.stack} -->`,
    `# Offline plan: ${code(report.stack)} (${report.region})`,
    "",
    "Generated from the program under Pulumi's mock runtime (`npm run plan`): no cloud account, no state. " +
      "Costs and durations are estimates from tools/plan/prices.ts.",
    "",
  ];
  if (report.diff) out.push(...dataAtRisk(report.diff));

  const apps = report.summary.apps.length
    ? report.summary.apps.map((a) => `${code(a.name)} (${a.architecture})`).join(", ")
    : "none built yet";
  const last = cp.chain[cp.chain.length - 1];
  const summaryRows = [
    ["Resources", `**${report.summary.resources}** AWS resources of ${report.summary.byType.length} types, in ${report.summary.components} components`],
    ["Apps", apps],
    ["Estimated monthly cost", `**${formatUsd(report.cost.monthly)}** (${report.cost.groups.filter((g) => g.items.length > 0).map((g) => `${g.name} ${formatUsd(g.monthly)}`).join(", ")})`],
    ["Deploy critical path", `**${formatDuration(cp.seconds)}** (${formatDuration(cp.low)} to ${formatDuration(cp.high)})${last ? `, ending with ${code(last.name)}` : ""}`],
    ["Policy verdicts", policyLine(report)],
    ["Preflight", preflightLine(report.preflight)],
  ];
  if (report.diff) {
    const d = report.diff;
    const replaced = d.changed.filter((c) => c.replacement).length;
    summaryRows.push(["Changes against base", `${d.added.length} added, ${d.removed.length} removed, ${replaced} replaced, ${d.changed.length - replaced} updated`]);
  }
  out.push(table(["", ""], summaryRows.map(([k, v]) => [`**${k}**`, v])), "");
  if (report.cost.unpriced.length > 0) {
    out.push(`Not priced (not in the table, so not in the total): ${report.cost.unpriced.map((u) => `${u.count} × ${code(u.type)} (${u.reason})`).join(", ")}.`, "");
  }
  const skipped = (report.warnings ?? []).filter((w) => /skipped/.test(w));
  if (skipped.length > 0) out.push(`> [!NOTE]\n> ${skipped.join("\n> ")}`, "");

  if (report.policies.ran && report.policies.verdicts.length > 0) {
    const order = (l: string) => (l === "mandatory" ? 0 : l === "advisory" ? 1 : 2);
    const rows = [...report.policies.verdicts].sort((a, b) => order(a.enforcementLevel) - order(b.enforcementLevel) || a.policy.localeCompare(b.policy))
      .map((v) => [v.enforcementLevel === "mandatory" ? "**mandatory**" : v.enforcementLevel, v.layer ?? "", code(v.policy), code(verdictResource(v)), v.message]);
    const [rowsShown, more] = capped(rows);
    out.push("## Policy violations", "", table(["level", "layer", "policy", "resource", "message"], rowsShown) + more, "");
  }

  if (report.preflight) out.push(...preflightSection(report.preflight));

  for (const app of report.summary.apps) {
    const diagram = report.diagrams.find((d) => d.app === app.name);
    const group = report.cost.groups.find((g) => g.name === app.name) as CostGroup;
    out.push(`## ${code(app.name)}: ${app.architecture}, ${formatUsd(group.monthly)} a month`, "");
    if (diagram) {
      out.push("```mermaid", diagram.mermaid, "```", "");
      if (diagram.detached.length > 0) out.push(`Not connected to the rest by any dependency, so not drawn: ${diagram.detached.map((n) => n.label.join(" ")).join("; ")}.`, "");
    }
    out.push(...costTable(group), "");
  }
  const shared = report.cost.groups.find((g) => g.name === SHARED) as CostGroup;
  out.push(`## Platform (shared): ${formatUsd(shared.monthly)} a month`, "", ...costTable(shared), "");

  out.push(
    `## Deploy critical path: ${formatDuration(cp.seconds)}`,
    "",
    "The longest chain of creations on a first `pulumi up` (everything else runs beside it), at typical creation times; " +
      `${formatDuration(cp.low)} if every resource is fast, ${formatDuration(cp.high)} if every one is slow.`,
    "",
    table(["#", "starts", "takes", "resource", "type", "group"],
      cp.chain.map((s, i) => [String(i + 1), formatDuration(s.start), formatDuration(s.seconds), code(s.name), s.type, s.group]),
      ["---:", "---:", "---:", "---", "---", "---"]),
    "",
  );

  if (report.diff) out.push(...diffSection({ ...report.diff, stack: report.stack }));

  out.push(
    `<details><summary>Resources by type (${report.summary.byType.length})</summary>`,
    "",
    table(["count", "type"], report.summary.byType.map((t) => [String(t.count), code(t.type)]), ["---:", "---"]),
    "",
    "</details>",
    "",
    ...priceSection(),
  );
  const otherWarnings = (report.warnings ?? []).filter((w) => !/skipped/.test(w));
  if (otherWarnings.length > 0) out.push("## Warnings", "", ...otherWarnings.map((w) => `- ${w}`), "");
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

// ---------- text ----------

function preflightText(p: PreflightReport): string[] {
  const lines = [`Preflight: ${preflightLine(p).replace(/\*\*/g, "")}`];
  for (const e of p.config.errors) lines.push(`  config error: ${e}`);
  for (const v of p.fields.violations) lines.push(`  ${v.type} ${v.resource} ${v.path} = ${JSON.stringify(v.value)}: AWS allows ${v.rule}\n      source: ${v.source}`);
  for (const v of p.alarms.violations) lines.push(`  alarm ${v.alarm}: ${v.message}`);
  lines.push("  fields checked / set, per resource type:");
  for (const c of p.fields.coverage) {
    lines.push(`  ${`${c.fieldsChecked}/${c.fieldsSet}`.padStart(7)}  ${c.type}${c.noMapping ? "  (NO MAPPING)" : c.unmapped.length > 0 ? `  unchecked: ${c.unmapped.join(", ")}` : ""}`);
  }
  return lines;
}

/** The lines the terminal view prints under the resource tree. */
export function renderTextSummary(report: PlanReport): string {
  const lines = [`Estimated monthly cost: ${formatUsd(report.cost.monthly)} (${PRICE_REGION}, on-demand, prices ${PRICES_AS_OF})`];
  for (const g of report.cost.groups) lines.push(`  ${formatUsd(g.monthly).padStart(10)}  ${g.name}${g.architecture ? ` (${g.architecture})` : ""}`);
  for (const u of report.cost.unpriced) lines.push(`  not priced: ${u.count} × ${u.type} (${u.reason})`);
  const cp = report.criticalPath;
  lines.push("", `Deploy critical path: ${formatDuration(cp.seconds)} (${formatDuration(cp.low)} to ${formatDuration(cp.high)})`);
  for (const s of cp.chain) lines.push(`  ${formatDuration(s.start).padStart(12)}  +${formatDuration(s.seconds).padEnd(10)} ${s.type}  ${s.name}`);
  lines.push("", `Policy verdicts: ${policyLine(report).replace(/\*\*/g, "")}`);
  for (const v of report.policies.verdicts) lines.push(`  [${v.enforcementLevel}] ${v.policy} ${verdictResource(v)}: ${v.detail ?? v.message}${v.fix ? `\n      fix: ${v.fix}` : ""}`);
  if (report.preflight) lines.push("", ...preflightText(report.preflight));
  if (report.diff) {
    const d = report.diff;
    lines.push("", `Changes against ${d.label}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`);
    for (const c of d.statefulReplacements) lines.push(`  !! REPLACES stateful ${c.type} ${c.name}: ${(c.replacement as { causes: string[] }).causes.join(", ")}`);
    for (const r of d.statefulDeletions) lines.push(`  !! ${r.retainOnDelete ? "orphans (retained)" : "DELETES"} stateful ${r.type} ${r.name}`);
    for (const r of d.added) lines.push(`  + ${r.type}  ${r.name}`);
    for (const r of d.removed) lines.push(`  - ${r.type}  ${r.name}`);
    for (const c of d.changed) lines.push(`  ${c.replacement ? "±" : "~"} ${c.type}  ${c.name}: ${[...c.inputs, ...c.options].map((i) => i.path).join(", ")}`);
  }
  return lines.join("\n");
}
