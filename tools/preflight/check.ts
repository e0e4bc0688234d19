/**
 * The AWS constraint preflight: every value the program sets on a resource, checked against
 * what the AWS API member that receives it accepts (shape pattern, length, enum, range, and
 * the constraints its documentation states in prose). A mock runtime accepts anything; AWS
 * rejects these at create time, so this is where the offline plan finds them.
 */
import { SECRET_MASK, UNKNOWN } from "../../test/harness";
import { ApiMember, apiMembers, compilePattern } from "./model";
import { Field, FieldTable, ProseRule, TypeMapping, isLocal } from "./rules";
import { FIELD_TABLE } from "./fields";

/** The subset of a recorded resource the preflight reads (test/harness RecordedResource). */
export interface PreflightResource {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, any>;
  secretPaths: string[];
}

export type ViolationKind = "pattern" | "length" | "enum" | "range" | "type" | "prose" | "cross";

export interface FieldViolation {
  resource: string;
  type: string;
  /** Concrete input path, e.g. rules[2].name or tags{cost-center}. */
  path: string;
  /** The value as AWS would receive it; "[secret]" for secret inputs. */
  value: string;
  kind: ViolationKind;
  /** What AWS allows, in words. */
  rule: string;
  /** Model file, shape and API member; for prose rules the quoted sentence. */
  source: string;
}

export interface TypeCoverage {
  type: string;
  resources: number;
  /** Distinct input paths set (normalized: list[] and map{} / map.*), over all resources. */
  fieldsSet: number;
  fieldsChecked: number;
  /** Input paths set that no table entry maps: a gap in the preflight. */
  unmapped: string[];
  /** True when the type has no table entry at all. */
  noMapping: boolean;
}

export interface PreflightResult {
  violations: FieldViolation[];
  coverage: TypeCoverage[];
  /** Values checked against at least one constraint. */
  valuesChecked: number;
}

/** A representative Pulumi autoname suffix: a hyphen and 7 lower-case hex digits. */
export const AUTONAME_SUFFIX = "-1a2b3c4";

interface Leaf { pattern: string; concrete: string; value: unknown }

/** Flattens inputs into leaves keyed by table patterns (maps are maps where the table says so). */
function leaves(inputs: Record<string, any>, mapping: TypeMapping | undefined): Leaf[] {
  const out: Leaf[] = [];
  const isMap = (p: string) => !!mapping && (`${p}{}` in mapping.fields || `${p}.*` in mapping.fields);
  const walk = (v: any, pattern: string, concrete: string) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${pattern}[]`, `${concrete}[${i}]`));
      return;
    }
    if (typeof v === "object" && !("asset" in v)) {
      const map = isMap(pattern);
      for (const [k, x] of Object.entries(v)) {
        if (map) {
          out.push({ pattern: `${pattern}{}`, concrete: `${concrete}{${k}}`, value: k });
          walk(x, `${pattern}.*`, `${concrete}.${k}`);
        } else walk(x, pattern ? `${pattern}.${k}` : k, concrete ? `${concrete}.${k}` : k);
      }
      return;
    }
    out.push({ pattern, concrete, value: v });
  };
  walk(inputs, "", "");
  return out;
}

function resolveApi(mapping: TypeMapping, api: string): ApiMember {
  const key = api.includes(":") ? api : `${mapping.model}:${api}`;
  const member = apiMembers()[key];
  if (!member) throw new Error(`preflight: ${key} is not in data/aws-shapes.json; run npm run preflight:extract`);
  return member;
}

function cite(m: ApiMember): string {
  return `${m.file} ${m.shape} (${m.api})`;
}

/** Checks one value against one field's constraints. */
function checkValue(field: Field, mapping: TypeMapping, raw: unknown): { kind: ViolationKind; rule: string; source: string }[] {
  const value = typeof raw === "string" ? raw : typeof raw === "object" ? JSON.stringify(raw) : String(raw);
  const problems: { kind: ViolationKind; rule: string; source: string }[] = [];
  const prose = (rules: (ProseRule & { source?: string })[], source: string) => {
    for (const r of rules) if (!r.ok(value)) problems.push({ kind: "prose", rule: r.allows, source: `${r.source ?? source}: "${r.quote}"` });
  };
  if (isLocal(field)) {
    prose(field.rules ?? [], "provider");
    return problems;
  }
  const api = typeof field === "string" ? field : field.api;
  const m = resolveApi(mapping, api);
  const source = cite(m);
  const numeric = m.type === "integer" || m.type === "long" || m.type === "double" || m.type === "float";
  if (numeric) {
    const n = Number(value);
    if (!Number.isFinite(n) || ((m.type === "integer" || m.type === "long") && !Number.isInteger(n))) {
      problems.push({ kind: "type", rule: `a ${m.type}`, source });
    } else if ((m.min !== undefined && n < m.min) || (m.max !== undefined && n > m.max)) {
      problems.push({ kind: "range", rule: `from ${m.min ?? "-inf"} to ${m.max ?? "inf"}`, source });
    }
  } else if (m.type === "boolean") {
    if (value !== "true" && value !== "false") problems.push({ kind: "type", rule: "a boolean", source });
  } else if (m.type === "string") {
    const len = [...value].length;
    if ((m.min !== undefined && len < m.min) || (m.max !== undefined && len > m.max)) {
      problems.push({ kind: "length", rule: `${m.min ?? 0} to ${m.max ?? "any number of"} characters (this value has ${len})`, source });
    }
    if (m.pattern !== undefined && !compilePattern(m.pattern).test(value)) problems.push({ kind: "pattern", rule: `matches ${m.pattern}`, source });
    if (m.enum !== undefined && !m.enum.includes(value)) problems.push({ kind: "enum", rule: `one of ${m.enum.join(", ")}`, source });
  }
  if (typeof field === "object") prose(field.prose ?? [], field.proseFrom ? cite(resolveApi(mapping, field.proseFrom)) : source);
  return problems;
}

/** Runs the preflight over recorded resources with a field table (the real one by default). */
export function runPreflight(resources: PreflightResource[], table: FieldTable = FIELD_TABLE): PreflightResult {
  const violations: FieldViolation[] = [];
  const byType = new Map<string, { resources: number; set: Set<string>; checked: Set<string>; unmapped: Set<string> }>();
  let valuesChecked = 0;
  for (const r of resources) {
    if (!r.custom) continue; // components are not sent to any provider
    const mapping = table[r.type];
    const stats = byType.get(r.type) ?? { resources: 0, set: new Set(), checked: new Set(), unmapped: new Set() };
    byType.set(r.type, stats);
    stats.resources++;
    const inputs = { ...r.inputs };
    if (mapping?.autoname && inputs[mapping.autoname] === undefined) inputs[mapping.autoname] = `${r.name}${AUTONAME_SUFFIX}`;
    for (const leaf of leaves(inputs, mapping)) {
      stats.set.add(leaf.pattern);
      const field = mapping?.fields[leaf.pattern];
      if (!field) {
        stats.unmapped.add(leaf.pattern);
        continue;
      }
      stats.checked.add(leaf.pattern);
      if (leaf.value === UNKNOWN) continue; // not known until apply: AWS checks it then
      valuesChecked++;
      const secret = r.secretPaths.some((p) => leaf.concrete === p || leaf.concrete.startsWith(`${p}.`) || leaf.concrete.startsWith(`${p}[`));
      for (const p of checkValue(field, mapping as TypeMapping, leaf.value)) {
        violations.push({ resource: r.name, type: r.type, path: leaf.concrete, value: secret ? SECRET_MASK : String(leaf.value), ...p });
      }
    }
    for (const c of mapping?.cross ?? []) {
      const bad = c.check(inputs);
      if (bad) {
        const m = resolveApi(mapping as TypeMapping, c.api);
        violations.push({ resource: r.name, type: r.type, path: bad.path, value: String(bad.value), kind: "cross", rule: c.allows, source: `${cite(m)}: "${c.quote}"` });
      }
    }
  }
  const coverage = [...byType.entries()].map(([type, s]) => ({
    type, resources: s.resources, fieldsSet: s.set.size, fieldsChecked: s.checked.size,
    unmapped: [...s.unmapped].sort(), noMapping: !table[type],
  })).sort((a, b) => a.type.localeCompare(b.type));
  return { violations, coverage, valuesChecked };
}
