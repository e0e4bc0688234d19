/**
 * The preflight: what only a real account would otherwise show, checked offline.
 *  - the Pulumi CLI's config rules (Pulumi.yaml's schema applied to the stack file),
 *  - every recorded input against AWS's API constraints for its field,
 *  - every alarm against the metrics AWS (or the program's hosts) actually publish.
 * `npm run plan` prints it and fails on any violation (see gateFailures).
 */
import type { Recording } from "../../test/harness";
import { PreflightResult, runPreflight } from "./check";
import { AlarmCheck, MetricViolation, checkAlarms } from "./metrics";
import { checkStackFileConfig } from "./project-config";

export interface PreflightReport {
  /** The CLI's config rules: errors stop `pulumi up`; warnings are what the CLI would print. */
  config: { errors: string[]; warnings: string[] };
  fields: PreflightResult;
  alarms: { checked: AlarmCheck[]; violations: MetricViolation[] };
}

/** The CLI's config checks, which run before the program (and so before any recording). */
export function configPreflight(stack: string, stackFile?: string): PreflightReport["config"] {
  return checkStackFileConfig(stack, stackFile);
}

export function preflight(rec: Recording, config: PreflightReport["config"]): PreflightReport {
  const alarms = checkAlarms(rec.resources, { regionOf: (r) => rec.regionOf(r) });
  return { config, fields: runPreflight(rec.resources), alarms: { checked: alarms.alarms, violations: alarms.violations } };
}

/** Everything that makes the plan fail: the same gate offline, in CI and in the PR workflow. */
export function gateFailures(p: PreflightReport): string[] {
  const out = p.config.errors.map((e) => `config: ${e}`);
  for (const v of p.fields.violations) out.push(`preflight: ${v.resource} ${v.path} = ${JSON.stringify(v.value)}: AWS allows ${v.rule} (${v.source})`);
  for (const c of p.fields.coverage) {
    if (c.noMapping) out.push(`preflight: ${c.type} has no field mapping, so none of its inputs is checked (add it to tools/preflight/fields/)`);
    else if (c.unmapped.length > 0) out.push(`preflight: ${c.type} sets inputs no field table maps: ${c.unmapped.join(", ")}`);
  }
  for (const v of p.alarms.violations) out.push(`alarm: ${v.alarm}: ${v.message}`);
  return out;
}

/** Totals for the summary line. */
export function preflightTotals(p: PreflightReport): {
  types: number; fieldsSet: number; fieldsChecked: number; values: number; alarms: number;
  /** Alarm metrics by what confirms they are published (catalogue, documented, ...). */
  metricsBySource: Record<string, number>;
} {
  const sum = (f: (c: PreflightResult["coverage"][number]) => number) => p.fields.coverage.reduce((n, c) => n + f(c), 0);
  const metricsBySource: Record<string, number> = {};
  for (const a of p.alarms.checked) for (const m of a.metrics) {
    const k = m.source?.kind ?? (m.unknown ? "unknown until apply" : "unconfirmed");
    metricsBySource[k] = (metricsBySource[k] ?? 0) + 1;
  }
  return {
    types: p.fields.coverage.length, fieldsSet: sum((c) => c.fieldsSet), fieldsChecked: sum((c) => c.fieldsChecked),
    values: p.fields.valuesChecked, alarms: p.alarms.checked.length, metricsBySource,
  };
}
