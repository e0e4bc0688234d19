/**
 * The recording harness: runs the whole program, or one component, under Pulumi's mock
 * runtime with the config of a real Pulumi.<stack>.yaml, and records every registration
 * (type, name, parent, inputs, dependencies, options) as the engine would see it.
 *
 * It runs as a preview by default, so an output the mocks fail to provide becomes an
 * unknown value, and any unknown that reaches a resource input fails the run: no input
 * built on a missing output is silently dropped.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { INVOKES } from "./invokes";
import { checkImageDigests, idFor, outputsFor } from "./outputs";
import { providerId, providerUrn } from "./refs";
import { PROJECT } from "../../lib/names";

// Internal runtime modules: the mock monitor carries no parent, so we wrap it to record one.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require("google-protobuf/google/protobuf/struct_pb.js");

export const ROOT = path.resolve(__dirname, "..", "..");
export { PROJECT };
/** What the engine sends for a value not known until the resource exists. */
export const UNKNOWN: string = rpc.unknownValue;
export const SECRET_MASK = "[secret]";

export interface ResourceOptionsRecord {
  protect: boolean;
  retainOnDelete: boolean;
  /** Provider reference `urn::id`, when an explicit provider was passed. */
  provider?: string;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
  additionalSecretOutputs: string[];
  /** URNs the resource had before a rename or move (its `aliases`), so a plan diff can follow it. */
  aliases: string[];
}

export interface RecordedResource {
  urn: string;
  /** Provider id the mock assigned (physical id); "" for components. */
  id: string;
  type: string;
  name: string;
  /** URN of the parent (the root stack for top-level resources); undefined only for the stack itself. */
  parent?: string;
  custom: boolean;
  /** Inputs as the engine receives them, secrets unwrapped (see secretPaths). */
  inputs: Record<string, any>;
  /** What the mock provider returned. */
  outputs: Record<string, any>;
  /** Property paths (a.b[0].c) whose values were Pulumi secrets. */
  secretPaths: string[];
  /** Property paths whose values were unknown at registration. */
  unknownPaths: string[];
  /** URNs this resource depends on (inputs and dependsOn). */
  dependencies: string[];
  /** For each input, the URNs its value came from. */
  propertyDependencies: Record<string, string[]>;
  options: ResourceOptionsRecord;
}

export interface RecordOptions {
  /** Stack whose Pulumi.<stack>.yaml supplies the config; also the mock stack name. Default "staging". */
  stack?: string;
  /** Read the stack's config from this file instead of Pulumi.<stack>.yaml (as `pulumi --config-file`). */
  stackFile?: string;
  /** Config keys to set or replace, e.g. { "webapp-platform:environment": "prod", "aws:region": "eu-west-1" }. */
  config?: Record<string, unknown>;
  /** Ignore the stack file and use only `config`. Default false. */
  ignoreStackFile?: boolean;
  /** Run as a preview (unknown outputs stay unknown). Default true. */
  preview?: boolean;
  /** Accept unknown values in resource inputs instead of failing. Default false. */
  allowUnknowns?: boolean;
  /** Extra invoke answers, by token. */
  invokes?: Record<string, (inputs: Record<string, any>) => Record<string, any>>;
  /**
   * Digests (`sha256:<hex>`) of images really built, by docker Image logical name, `imageName`
   * (`<repo>:<tag>`) or repository: each such Image's `repoDigest` is `<repo>@<digest>`, as after
   * `pulumi up` pushed it (the rehearsal's images, tools/rehearsal/images). A key that matches no
   * Image fails the run. Default: every image gets a fake, deterministic digest.
   */
  imageDigests?: Record<string, string>;
}

export class Recording {
  constructor(
    readonly stack: string,
    readonly region: string,
    readonly resources: RecordedResource[],
    readonly outputs: Record<string, unknown>,
    readonly warnings: string[],
    /** The program's informational messages (pulumi.log.info), e.g. WAF approximations. */
    readonly infos: string[] = [],
  ) {}

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The single resource of a type whose logical name matches; throws if not exactly one. */
  one(type: string, name?: string | RegExp): RecordedResource {
    const hits = this.ofType(type).filter((r) => name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name)));
    if (hits.length !== 1) {
      throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${hits.length}: ${hits.map((h) => h.name).join(", ")}`);
    }
    return hits[0];
  }

  byUrn(urn: string): RecordedResource | undefined {
    return this.resources.find((r) => r.urn === urn);
  }

  /** The region a resource is created in: its explicit AWS provider's, else the stack's. */
  regionOf(r: RecordedResource): string {
    const provider = r.options.provider ? this.byUrn(providerUrn(r.options.provider)) : undefined;
    return provider?.inputs.region ?? this.region;
  }

  children(urn: string): RecordedResource[] {
    return this.resources.filter((r) => r.parent === urn);
  }

  /** All resources below a component, at any depth. */
  descendants(urn: string): RecordedResource[] {
    const out: RecordedResource[] = [];
    const walk = (u: string) => this.children(u).forEach((c) => { out.push(c); walk(c.urn); });
    walk(urn);
    return out;
  }

  /** Every resource reachable from `urn` through dependencies (and through parents' dependencies). */
  transitiveDependencies(urn: string): Set<string> {
    const seen = new Set<string>();
    const stack = [urn];
    while (stack.length > 0) {
      const r = this.byUrn(stack.pop() as string);
      if (!r) continue;
      const next = [...r.dependencies];
      // A resource also waits on everything its dependencies' components contain.
      for (const d of r.dependencies) next.push(...this.descendants(d).map((c) => c.urn));
      for (const d of next) if (!seen.has(d)) { seen.add(d); stack.push(d); }
    }
    return seen;
  }

  /** Inputs with every secret replaced by "[secret]", for printing. */
  maskedInputs(r: RecordedResource): Record<string, any> {
    const copy = JSON.parse(JSON.stringify(r.inputs));
    for (const p of r.secretPaths) setPath(copy, p, SECRET_MASK);
    return copy;
  }
}

/** The stack file the CLI reads for a stack. */
export function stackFilePath(stack: string): string {
  return path.join(ROOT, `Pulumi.${stack}.yaml`);
}

/** Reads the `config:` section of Pulumi.<stack>.yaml (or of `file`). */
export function loadStackFile(stack: string, file = stackFilePath(stack)): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new Error(`no stack file ${file}`);
  const doc = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
  return (doc.config ?? {}) as Record<string, unknown>;
}

/**
 * The defaults Pulumi.yaml declares, as the CLI injects them before the program runs (keys
 * without a namespace belong to the project).
 */
export function projectConfigDefaults(): Record<string, unknown> {
  const doc = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries((doc.config ?? {}) as Record<string, any>)) {
    if (decl && typeof decl === "object" && "default" in decl) out[key.includes(":") ? key : `${PROJECT}:${key}`] = decl.default;
  }
  return out;
}

let running = false;

/**
 * Runs `program` under mocks and records what it registers. `program` may return the
 * stack's outputs (any value of Outputs), which are resolved into `outputs`.
 */
export async function record(program: () => unknown, options: RecordOptions = {}): Promise<Recording> {
  if (running) throw new Error("record() runs one program at a time");
  running = true;
  const stack = options.stack ?? "staging";
  const preview = options.preview ?? true;
  const config = options.ignoreStackFile
    ? { ...(options.config ?? {}) }
    : { ...projectConfigDefaults(), ...loadStackFile(stack, options.stackFile), ...(options.config ?? {}) };
  const region = String(config["aws:region"] ?? "us-east-1");
  const resources: RecordedResource[] = [];
  const failures: string[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const invokes = { ...INVOKES, ...(options.invokes ?? {}) };
  const imageDigests = options.imageDigests;
  if (imageDigests) checkImageDigests(imageDigests);
  const usedDigests = new Set<string>();

  const configStrings: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v !== undefined) configStrings[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  pulumi.runtime.setAllConfig(configStrings);

  // Explicit AWS providers by id, so resources created through one (the us-east-1 provider)
  // get ARNs in that provider's region, as they would on AWS.
  const providerRegions = new Map<string, string>();
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const id = args.id || idFor(args.type, args.name);
      if (args.type === "pulumi:providers:aws" && typeof args.inputs.region === "string") providerRegions.set(id, args.inputs.region);
      const providerRegion = (args.provider && providerRegions.get(providerId(args.provider))) || region;
      return { id, state: outputsFor(args.type, args.name, args.inputs, id, providerRegion, { imageDigests, used: usedDigests }) };
    },
    // A failing invoke is reported by record() rather than thrown here, where it would only
    // surface as an unhandled rejection inside the Output chain.
    call(args) {
      const handler = invokes[args.token];
      try {
        if (!handler) throw new Error(`no fixture for invoke ${args.token}; add one to test/harness/invokes.ts`);
        return handler(args.inputs, region);
      } catch (err) {
        failures.push(`  invoke ${args.token}: ${err instanceof Error ? err.message : String(err)}`);
        return {};
      }
    },
  };
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, preview);
  wrapMonitor(settings.getMonitor(), resources, failures);

  // Without an engine, pulumi.log writes to the console; keep the program's messages in the
  // recording instead, so they never mix into a report written to stdout.
  const originalWarn = console.warn;
  const originalLog = console.log;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    warnings.push(text.replace(/^warning: \[runtime\] /, ""));
  };
  console.log = (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (text.startsWith("info: [runtime] ")) infos.push(text.slice("info: [runtime] ".length));
    else originalLog(...args);
  };
  let outputs: Record<string, unknown> = {};
  try {
    // Run as the engine does: inside the root stack resource, so stack transformations and
    // stack outputs behave as in `pulumi up`.
    const result = await pulumi.runtime.runInPulumiStack(async () => program());
    if (result !== undefined) outputs = (await resolveDeep(result)) as Record<string, unknown>;
    await pulumi.runtime.disconnect();
  } finally {
    console.warn = originalWarn;
    console.log = originalLog;
    running = false;
  }
  if (failures.length > 0) throw new Error(`the program failed under mocks:\n${failures.join("\n")}`);
  const unused = Object.keys(imageDigests ?? {}).filter((k) => !usedDigests.has(k));
  if (unused.length > 0) throw new Error(`imageDigests names no docker Image of the program: ${unused.join(", ")}`);
  if (!options.allowUnknowns) {
    const unknown = resources.filter((r) => r.unknownPaths.length > 0);
    if (unknown.length > 0) {
      throw new Error(
        "inputs left unknown, usually because a mock lacks an output the program reads (add it to test/harness/outputs.ts):\n" +
          unknown.map((r) => `  ${r.type} ${r.name}: ${r.unknownPaths.join(", ")}`).join("\n"),
      );
    }
  }
  return new Recording(stack, region, resources, outputs, warnings, infos);
}

function wrapMonitor(monitor: any, resources: RecordedResource[], failures: string[]): void {
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
    const secretPaths: string[] = [];
    const unknownPaths: string[] = [];
    const inputs = decode(req.getObject()?.toJavaScript() ?? {}, "", secretPaths, unknownPaths) as Record<string, any>;
    const rec: RecordedResource = {
      urn: "",
      id: "",
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent() || undefined,
      custom: req.getCustom(),
      inputs,
      outputs: {},
      secretPaths,
      unknownPaths,
      dependencies: req.getDependenciesList(),
      propertyDependencies: propertyDependencies(req),
      options: {
        protect: req.getProtect() === true,
        retainOnDelete: req.getRetainondelete() === true,
        provider: req.getProvider() || undefined,
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace() === true,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        aliases: [],
      },
    };
    resources.push(rec);
    register(req, (err: unknown, resp: any) => {
      if (err) {
        failures.push(`  ${rec.type} ${rec.name}: ${err instanceof Error ? err.message : String(err)}`);
      } else if (resp) {
        rec.urn = resp.getUrn();
        rec.id = resp.getId();
        rec.options.aliases = [...req.getAliasurnsList(), ...req.getAliasesList().map((a: any) => a.getUrn() || aliasSpecUrn(rec.urn, rec.parent, a.getSpec()))];
        const state = resp.getObject()?.toJavaScript() ?? {};
        rec.outputs = decode(state, "", [], []) as Record<string, any>;
        // Emulate the engine: secret inputs and declared secret outputs come back secret.
        const secretKeys = new Set([...rec.options.additionalSecretOutputs, ...secretPaths.map((p) => p.split(/[.[]/)[0])]);
        for (const key of secretKeys) {
          if (key in state && !rpc.isRpcSecret(state[key])) state[key] = { [rpc.specialSigKey]: rpc.specialSecretSig, value: state[key] };
        }
        resp.setObject(structproto.Struct.fromJavaScript(state));
      }
      callback(err, resp);
    });
  };
}

/**
 * The URN an alias spec names, formed as the mock monitor forms URNs
 * (`urn:pulumi:<stack>::<project>::<parent's own type>$<type>::<name>`), from the resource's
 * new URN and parent with what the alias changes (name, type, stack, project, parent).
 */
export function aliasSpecUrn(urn: string, parentUrn: string | undefined, spec: { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean }): string {
  const [head, project, chain, ...rest] = urn.split("::");
  const type = spec.getType() || chain.split("$").pop()!;
  const parent = spec.getNoparent() ? undefined : spec.getParenturn() || parentUrn;
  const qualified = parent ? `${parent.split("::")[2].split("$").pop()}$${type}` : type;
  const stack = spec.getStack() ? `urn:pulumi:${spec.getStack()}` : head;
  return [stack, spec.getProject() || project, qualified, spec.getName() || rest.join("::")].join("::");
}

/** The request's per-input dependencies (a protobuf map of key -> { urns }). */
function propertyDependencies(req: any): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps: any, key: string) => { out[key] = deps.getUrnsList(); });
  return out;
}

/** Turns the wire form of inputs into plain values, noting secret and unknown paths. */
function decode(value: any, at: string, secrets: string[], unknowns: string[]): any {
  if (value === UNKNOWN) {
    unknowns.push(at || "(whole input)");
    return UNKNOWN;
  }
  if (Array.isArray(value)) return value.map((v, i) => decode(v, `${at}[${i}]`, secrets, unknowns));
  if (value && typeof value === "object") {
    const sig = value[rpc.specialSigKey];
    if (sig === rpc.specialSecretSig) {
      secrets.push(at);
      return decode(value.value, at, secrets, unknowns);
    }
    if (sig === rpc.specialResourceSig) return value.urn;
    if (sig === rpc.specialAssetSig || sig === rpc.specialArchiveSig) return { asset: value.path ?? value.uri ?? (value.text !== undefined ? "text" : "archive") };
    if (sig === rpc.specialOutputValueSig) {
      if (value.secret) secrets.push(at);
      return "value" in value ? decode(value.value, at, secrets, unknowns) : (unknowns.push(at), UNKNOWN);
    }
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decode(v, at ? `${at}.${k}` : k, secrets, unknowns);
    return out;
  }
  return value;
}

/** Resolves nested Outputs into plain values (unknowns as UNKNOWN, secrets as "[secret]"). */
async function resolveDeep(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const o = value as any;
    const known = await o.isKnown;
    if (!known) return UNKNOWN;
    if (await o.isSecret) return SECRET_MASK;
    return resolveDeep(await o.promise());
  }
  if (pulumi.Resource.isInstance(value)) return undefined;
  if (value instanceof Promise) return resolveDeep(await value);
  if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveDeep(v);
    return out;
  }
  return value;
}

function setPath(obj: any, p: string, v: unknown): void {
  if (p === "") return;
  const keys = p.replace(/\[(\d+)\]/g, ".$1").split(".");
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === undefined) return;
    cur = cur[k];
  }
  cur[keys[keys.length - 1]] = v;
}

/** Records the real program (index.ts's body) for a stack file. */
export async function recordStack(stack: string, options: Omit<RecordOptions, "stack"> = {}): Promise<Recording> {
  // Loaded lazily so a component test does not pay for the whole program.
  const { buildPlatform } = await import("../../architectures/platform");
  const { PROFILES, loadStackConfig } = await import("../../config");
  return record(() => {
    const config = loadStackConfig();
    return buildPlatform(config, PROFILES[config.environment]);
  }, { ...options, stack });
}
