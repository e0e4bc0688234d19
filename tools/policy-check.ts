/**
 * The offline policy runner: runs the policy pack on resources recorded by the harness
 * (test/harness), calling each policy's validateResource / validateStack with arguments
 * shaped exactly like @pulumi/policy's analyzer server builds them: props behind the
 * unknown-checking proxy, per-policy config with schema defaults, enforcement levels from
 * config, UnknownValueError turned into an advisory, parents and dependencies linked.
 *
 *   runPolicyPack(recording.resources, { environment: "prod", preview: true })
 *
 * `preview: true` replays a first `pulumi preview`: every value a provider computes (ids,
 * ARNs, endpoints, generated passwords) is unknown, and so is every input built from one.
 *
 * As a tool:  node tools/run.js tools/policy-check.ts --stack prod [--preview] [--format text|markdown|json]
 * applies policies/config/<stack>.json as CI does, and exits 1 when a mandatory policy is violated.
 */
import * as fs from "fs";
import * as path from "path";
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { RecordedResource } from "../test/harness";
import { PACK_NAME, POLICIES, PackPolicy } from "../policies/policies";
import { version as PACK_VERSION } from "../policies/package.json";

// The proxy the engine wraps props in; internal to @pulumi/policy, so its types are not published.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T extends object>(o: T): T;
  UnknownValueError: new (...args: unknown[]) => Error;
};

/** What the engine sends for a value not known until the resource exists. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";
/** Per-policy config, as in a --policy-pack-config file: a level, or { enforcementLevel?, ...properties }. */
export type PackConfig = Record<string, Level | ({ enforcementLevel?: Level } & Record<string, unknown>)>;

export interface Verdict {
  policy: string;
  layer?: string;
  enforcementLevel: "advisory" | "mandatory";
  /** The resource the verdict is about; undefined for stack-wide messages. */
  urn?: string;
  name?: string;
  type?: string;
  /** The message as the Pulumi CLI shows it: the policy's description (layer, rule, general fix), then the detail. */
  message: string;
  /** What the policy reported: the resource and what is wrong (and a specific fix, if any). */
  detail: string;
  /** How to fix it: the specific fix the policy gave, else the policy's general one. */
  fix: string;
  /** True when the engine itself could not run the policy on a preview-time unknown value. */
  unknownValue?: boolean;
}

export interface RunOptions {
  /** Environment given to every policy (their `environment` config), unless `config` sets one. */
  environment?: "prod" | "staging";
  /** Replay a first preview: computed values unknown. Default false (values as recorded). */
  preview?: boolean;
  /** Policy pack config, as passed with --policy-pack-config. */
  config?: PackConfig;
  /** Policies to run. Default: the whole pack. */
  policies?: PackPolicy[];
  stackTags?: Record<string, string>;
}

class NotApplicable extends Error {}

/**
 * The pack config a stack's CI passes with --policy-pack-config (policies/config/<stack>.json:
 * each policy's environment and its named exemptions); undefined when the stack has none.
 */
export function stackPackConfig(stack: string): PackConfig | undefined {
  const file = path.resolve(__dirname, "..", "policies", "config", `${stack}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig : undefined;
}

export function runPolicyPack(resources: RecordedResource[], options: RunOptions = {}): Verdict[] {
  const policies = options.policies ?? POLICIES;
  const recs = options.preview ? simulatePreview(resources) : resources;
  const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(options.stackTags ?? {}));
  const known = new Set(POLICIES.map((p) => p.name));
  for (const key of Object.keys(options.config ?? {})) {
    if (key !== "all" && !known.has(key)) throw new Error(`the policy config names "${key}", which is not a policy of the pack`);
  }
  const verdicts: Verdict[] = [];
  const byUrn = new Map(recs.map((r) => [r.urn, r]));

  for (const p of policies) {
    const { level, props } = policyConfig(p, options);
    if (level === "disabled") continue;
    const enforcementLevel = level === "remediate" ? "mandatory" : level;
    const getConfig = <T extends object>() => JSON.parse(JSON.stringify(props)) as T;
    // As @pulumi/policy's makeReportViolationFun: the description, then the policy's message.
    const push = (detail: string, r?: RecordedResource, unknownValue = false) => {
      const specific = detail.indexOf(" Fix: ");
      verdicts.push({
        policy: p.name, layer: p.layer, enforcementLevel: unknownValue ? "advisory" : enforcementLevel,
        urn: r?.urn, name: r?.name, type: r?.type,
        message: unknownValue ? detail : detail ? `${p.description}\n${detail}` : p.description,
        detail: specific >= 0 ? detail.slice(0, specific) : detail,
        fix: specific >= 0 ? detail.slice(specific + 6).replace(/ \(An exemption .*$/, "") : p.remediationSteps ?? "",
        ...(unknownValue ? { unknownValue } : {}),
      });
    };
    const failed = (e: unknown, r?: RecordedResource): void => {
      if (e instanceof UnknownValueError) {
        push(`can't run policy '${p.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${(e as Error).message}`, r, true);
      } else if (!(e instanceof NotApplicable)) {
        const where = r ? ` on ${r.type} "${r.name}"` : "";
        throw new Error(`policy ${p.name} threw${where}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      }
    };

    if ("validateResource" in p && p.validateResource) {
      const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
      for (const r of recs) {
        if (r.type === "pulumi:pulumi:Stack" || r.type.startsWith("pulumi:providers:")) continue;
        for (const validate of validations) {
          const proxied = unknownCheckingProxy(clone(r.inputs));
          const args: ResourceValidationArgs = {
            type: r.type, props: proxied, urn: r.urn, name: r.name, opts: optionsOf(r), stackTags,
            isType: () => false,
            asType: () => undefined,
            getConfig,
            notApplicable: (reason?: string) => { throw new NotApplicable(reason); },
          };
          try {
            const result = validate(args, (message) => push(message, r));
            if (result && typeof (result as Promise<void>).then === "function") throw new Error("asynchronous validations are not supported by the offline runner");
          } catch (e) {
            failed(e, r);
          }
        }
      }
    }

    if ("validateStack" in p && p.validateStack) {
      const args: StackValidationArgs = {
        resources: stackResources(recs, !!options.preview), stackTags, getConfig,
        notApplicable: (reason?: string) => { throw new NotApplicable(reason); },
      };
      try {
        const result = p.validateStack(args, (message, urn) => push(message, urn ? byUrn.get(urn) ?? ({ urn } as RecordedResource) : undefined));
        if (result && typeof (result as Promise<void>).then === "function") throw new Error("asynchronous validations are not supported by the offline runner");
      } catch (e) {
        failed(e);
      }
    }
  }
  return verdicts;
}

/** The PolicyResources of analyzeStack: outputs (with the id), linked parents and dependencies. */
function stackResources(recs: RecordedResource[], preview: boolean): PolicyResource[] {
  const out = new Map<string, PolicyResource>();
  for (const r of recs) {
    const props: Record<string, unknown> = { ...clone(r.inputs), ...clone(r.outputs) };
    if (r.id) props.id = r.id;
    else if (preview && r.custom) props.id = UNKNOWN_VALUE;
    const proxied = unknownCheckingProxy(props);
    out.set(r.urn, {
      type: r.type, props: proxied, urn: r.urn, name: r.name, opts: optionsOf(r),
      dependencies: [], propertyDependencies: {},
      isType: () => false, asType: () => undefined,
    });
  }
  for (const r of recs) {
    const pr = out.get(r.urn)!;
    if (r.parent && out.has(r.parent)) pr.parent = out.get(r.parent);
    pr.dependencies = r.dependencies.map((d) => out.get(d)).filter((d): d is PolicyResource => d !== undefined);
    const propDeps = r.propertyDependencies;
    for (const [k, urns] of Object.entries(propDeps ?? {})) {
      pr.propertyDependencies[k] = urns.map((d) => out.get(d)).filter((d): d is PolicyResource => d !== undefined);
    }
  }
  return [...out.values()];
}

function optionsOf(r: RecordedResource) {
  return {
    protect: r.options?.protect ?? false,
    ignoreChanges: r.options?.ignoreChanges ?? [],
    deleteBeforeReplace: r.options?.deleteBeforeReplace,
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: r.options?.additionalSecretOutputs ?? [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

/**
 * A policy's enforcement level and config properties, as the engine computes them: the
 * pack config's entry for the policy (and its "all" level), else the policy's defaults,
 * with the schema's defaults filled in. Invalid config fails loudly, as it does in the CLI.
 */
export function policyConfig(p: PackPolicy, options: Pick<RunOptions, "config" | "environment">): { level: Level; props: Record<string, unknown> } {
  const config = options.config ?? {};
  const all = config.all;
  const entry = config[p.name];
  const entryObj = typeof entry === "object" && entry !== null ? entry : {};
  const { enforcementLevel, ...given } = entryObj;
  const level: Level = (typeof entry === "string" ? entry : enforcementLevel) ?? (typeof all === "string" ? all : undefined) ?? p.enforcementLevel ?? "advisory";
  const schema = p.configSchema?.properties ?? {};
  const props: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema)) if (s.default !== undefined) props[k] = clone(s.default);
  if (options.environment && given.environment === undefined) props.environment = options.environment;
  Object.assign(props, given);
  for (const [k, v] of Object.entries(props)) {
    const s = schema[k];
    if (!s) throw new Error(`invalid config for policy ${p.name}: unknown property "${k}"`);
    const error = validate(v, s, k);
    if (error) throw new Error(`invalid config for policy ${p.name}: ${error}`);
  }
  for (const k of p.configSchema?.required ?? []) if (props[k] === undefined) throw new Error(`invalid config for policy ${p.name}: "${k}" is required`);
  return { level, props };
}

/** The subset of JSON Schema the pack's config schemas use. Returns an error message or undefined. */
export function validate(v: unknown, s: PolicyConfigJSONSchema, at: string): string | undefined {
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  if (types.length > 0) {
    const actual = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
    const ok = types.some((t) => t === actual || (t === "integer" && typeof v === "number" && Number.isInteger(v)) || (t === "number" && typeof v === "number"));
    if (!ok) return `${at} must be ${types.join(" or ")}, got ${actual}`;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) return `${at} must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`;
  if (typeof v === "number") {
    if (s.minimum !== undefined && v < s.minimum) return `${at} must be >= ${s.minimum}`;
    if (s.maximum !== undefined && v > s.maximum) return `${at} must be <= ${s.maximum}`;
  }
  if (typeof v === "string" && s.minLength !== undefined && v.length < s.minLength) return `${at} must have at least ${s.minLength} character(s)`;
  if (Array.isArray(v) && s.items && typeof s.items === "object" && !Array.isArray(s.items)) {
    for (let i = 0; i < v.length; i++) {
      const e = validate(v[i], s.items, `${at}[${i}]`);
      if (e) return e;
    }
  }
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const k of s.required ?? []) if ((v as Record<string, unknown>)[k] === undefined) return `${at}.${k} is required`;
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined && typeof sub === "object") {
        const e = validate(x, sub, `${at}.${k}`);
        if (e) return e;
      }
    }
  }
  return undefined;
}

/** Output keys whose values never stand for a computed identifier (constants, regions, zones). */
const NOT_IDENTIFIERS = new Set(["region", "availabilityZone", "status", "ownerId", "registryId", "hostedZoneId", "zoneId", "tagsAll", "latestVersion", "defaultVersion", "capacity", "port"]);

/**
 * Replays a first `pulumi preview` on a recording: every output a provider computes (a top
 * level output the program did not pass as input, and the physical id) becomes unknown,
 * and so does every input whose text contains one of those computed values, as it would
 * when built from an Output (an interpolated string is unknown as a whole).
 */
export function simulatePreview(resources: RecordedResource[]): RecordedResource[] {
  const computed = new Set<string>();
  const isIdentifier = (v: string) => v.length >= 8 && /[\d:./]/.test(v);
  for (const r of resources) {
    if (r.id && isIdentifier(r.id)) computed.add(r.id);
    for (const [k, v] of Object.entries(r.outputs ?? {})) {
      if (k in r.inputs || NOT_IDENTIFIERS.has(k)) continue;
      for (const s of typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === "string") : []) {
        if (isIdentifier(s)) computed.add(s);
      }
    }
  }
  const escaped = [...computed].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = escaped.length > 0 ? new RegExp(escaped.join("|")) : undefined;
  const unknownPaths: string[] = [];
  const walk = (v: unknown, at: string): unknown => {
    if (typeof v === "string") {
      if (re && v !== UNKNOWN_VALUE && re.test(v)) {
        unknownPaths.push(at);
        return UNKNOWN_VALUE;
      }
      return v;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}[${i}]`));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, at ? `${at}.${k}` : k);
      return out;
    }
    return v;
  };
  return resources.map((r) => {
    unknownPaths.length = 0;
    const inputs = walk(clone(r.inputs), "") as Record<string, any>;
    const paths = [...new Set([...(r.unknownPaths ?? []), ...unknownPaths])];
    const outputs: Record<string, any> = {};
    for (const k of Object.keys(r.outputs ?? {})) outputs[k] = k in inputs ? inputs[k] : UNKNOWN_VALUE;
    return { ...r, id: "", inputs, outputs, unknownPaths: paths };
  });
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export interface VerdictSummary { mandatory: number; advisory: number; byPolicy: Record<string, number> }

export function summarize(verdicts: Verdict[]): VerdictSummary {
  const byPolicy: Record<string, number> = {};
  for (const v of verdicts) byPolicy[v.policy] = (byPolicy[v.policy] ?? 0) + 1;
  return {
    mandatory: verdicts.filter((v) => v.enforcementLevel === "mandatory").length,
    advisory: verdicts.filter((v) => v.enforcementLevel === "advisory").length,
    byPolicy,
  };
}

/** Verdicts for people: plain text for terminals, Markdown for pull-request comments. */
export function formatVerdicts(verdicts: Verdict[], format: "text" | "markdown" = "text", title = "Policy pack webapp-platform"): string {
  const { mandatory, advisory } = summarize(verdicts);
  const policyCount = POLICIES.length;
  const headline = mandatory === 0 && advisory === 0
    ? `all ${policyCount} policies pass`
    : `${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}, ${advisory} advisor${advisory === 1 ? "y" : "ies"} (${policyCount} policies)`;
  const sorted = [...verdicts].sort((a, b) => (a.enforcementLevel === b.enforcementLevel ? a.policy.localeCompare(b.policy) : a.enforcementLevel === "mandatory" ? -1 : 1));
  if (format === "markdown") {
    const lines = [`### ${title}: ${mandatory > 0 ? "❌" : "✅"} ${headline}`];
    if (sorted.length > 0) {
      const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
      lines.push("", "| level | policy | resource | problem | fix |", "|---|---|---|---|---|");
      for (const v of sorted) lines.push(`| ${v.enforcementLevel} | \`${v.policy}\` | ${v.name ? `\`${v.name}\`` : "stack"} | ${cell(v.detail)} | ${cell(v.fix)} |`);
    }
    return lines.join("\n");
  }
  const lines = [`${title}: ${headline}`];
  for (const v of sorted) lines.push(`  [${v.enforcementLevel}] ${v.policy}${v.name ? ` (${v.type} ${v.name})` : ""}\n      ${v.detail}\n      fix: ${v.fix}`);
  return lines.join("\n");
}

async function main(argv: string[]): Promise<void> {
  let stack = "";
  let preview = false;
  type Format = "text" | "markdown" | "json";
  let format: Format = "text";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack") stack = argv[++i] ?? "";
    else if (a === "--preview") preview = true;
    else if (a === "--format") format = (argv[++i] ?? "text") as Format;
    else throw new Error(`unknown argument ${a}; usage: policy-check --stack <staging|prod> [--preview] [--format text|markdown|json]`);
  }
  if (!stack) throw new Error("--stack is required");
  const { loadStackFile, recordStack } = await import("../test/harness");
  // The program's log lines go to stderr, so stdout carries only the verdicts (JSON stays parseable).
  const log = console.log;
  console.log = (...a: unknown[]) => console.error(...a);
  const rec = await recordStack(stack).finally(() => { console.log = log; });
  const configured = loadStackFile(stack)["webapp-platform:environment"];
  const environment = configured === "prod" || configured === "staging" ? configured : stack === "prod" ? "prod" : "staging";
  const verdicts = runPolicyPack(rec.resources, { environment, preview, config: stackPackConfig(stack) });
  if (format === "json") process.stdout.write(JSON.stringify(verdicts, null, 2) + "\n");
  else process.stdout.write(formatVerdicts(verdicts, format, `Policy pack on stack "${stack}"${preview ? " (first preview)" : ""}`) + "\n");
  if (verdicts.some((v) => v.enforcementLevel === "mandatory")) process.exitCode = 1;
}

if (process.argv[1] && /policy-check\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
}
