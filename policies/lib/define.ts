/**
 * How every policy in the pack is built: a layer, a description that says how to fix a
 * violation, a config schema (environment, exemptions and the policy's own settings, with
 * defaults), and a check that sees normalized properties (unknown values as UNKNOWN, never
 * a throwing proxy). The result is a plain @pulumi/policy policy object, so tests and the
 * offline runner call `validateResource` / `validateStack` exactly as the engine does.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { COMMON_SCHEMA, CommonConfig, Environment, SchemaProperties, exemptionFor, resourceEnvironment, stackEnvironment } from "./config";
import { Tags, Unknown, kindOf, normalize, tagsOf } from "./values";

/**
 * A test seam, unset outside test/policies/provider-properties.test.ts: when set, every
 * property a policy reads on a Subject's `props` is reported as (policy, resource type,
 * path), the path being property names with "[]" for an array element (for example
 * ["defaultActions", "[]", "redirect", "protocol"]), so the test can check each read
 * against the provider's declarations; a stack policy's `ctx.ofType(type)` is reported
 * with an empty path. Unset, `props` is the plain normalized object.
 */
export type PropertyReadTracer = (policy: string, type: string, path: readonly string[]) => void;
let propertyReadTracer: PropertyReadTracer | undefined;

export function setPropertyReadTracer(tracer: PropertyReadTracer | undefined): void {
  propertyReadTracer = tracer;
}

/** Keys read by the language or libraries, never provider properties. */
const NOT_PROPERTIES = new Set(["toJSON", "then", "__getSpecialProxyTarget"]);

/** `props` behind a read-reporting proxy (plain objects and arrays, recursively; one proxy per object). */
function traced(props: Record<string, any>, report: (path: readonly string[]) => void): Record<string, any> {
  const proxies = new WeakMap<object, unknown>();
  const wrap = (v: unknown, path: readonly string[]): unknown => {
    if (v === null || typeof v !== "object") return v;
    const isArray = Array.isArray(v);
    const proto = Object.getPrototypeOf(v);
    if (!isArray && proto !== Object.prototype && proto !== null) return v; // assets, archives
    const known = proxies.get(v);
    if (known) return known;
    const proxy = new Proxy(v, {
      get(target, key, receiver) {
        const x = Reflect.get(target, key, receiver);
        if (typeof key !== "string" || NOT_PROPERTIES.has(key)) return x;
        if (isArray) return /^\d+$/.test(key) ? wrap(x, [...path, "[]"]) : x; // length, map, ...
        if (!Object.prototype.hasOwnProperty.call(target, key) && key in Object.prototype) return x; // toString, constructor, ...
        const at = [...path, key];
        report(at);
        return wrap(x, at);
      },
    });
    proxies.set(v, proxy);
    return proxy;
  };
  return wrap(props, []) as Record<string, any>;
}

/** The props a policy sees: traced when a tracer is set. */
function seen(props: Record<string, any>, policy: string, type: string): Record<string, any> {
  const tracer = propertyReadTracer;
  return tracer ? traced(props, (path) => tracer(policy, type, path)) : props;
}

export const LAYERS = {
  transport: "Transport security",
  edge: "Edge protection",
  network: "Network firewall",
  host: "Host hardening",
  data: "Data protection",
  secrets: "Secrets",
  identity: "Identity and access",
  observability: "Observability",
  tagging: "Tagging and cost",
} as const;
export type Layer = keyof typeof LAYERS;

/** One resource as a policy check sees it. */
export interface Subject {
  type: string;
  name: string;
  urn: string;
  /** Properties with unknown values as UNKNOWN. Inputs for resource policies, outputs for stack policies. */
  props: Record<string, any>;
  tags: Tags | Unknown | undefined;
  opts: PolicyResourceOptions;
}

/** A resource inside a stack policy, linked to its parent and dependencies. */
export interface StackResource extends Subject {
  parent?: StackResource;
  dependencies: StackResource[];
  /** Dependencies per input property, when the engine provides them. */
  propertyDependencies: Record<string, StackResource[]>;
}

export interface ResourceContext<C> {
  env: Environment;
  config: C & CommonConfig;
  /**
   * Reports a violation on the resource: what is wrong, and how to fix it when that differs
   * from the policy's general fix (the engine shows the policy's description, which ends
   * with the general fix, above every message).
   */
  report(what: string, fix?: string): void;
}

export interface StackContext<C> {
  env: Environment;
  config: C & CommonConfig;
  resources: StackResource[];
  ofType(...types: string[]): StackResource[];
  byUrn(urn: string): StackResource | undefined;
  /** Reports a violation on `resource` (exemptions apply by its name), or on the stack; `fix` as for resources. */
  report(resource: StackResource | undefined, what: string, fix?: string): void;
}

interface PolicyBase<C> {
  name: string;
  layer: Layer;
  /** What the policy requires, one sentence. */
  summary: string;
  /** How to fix a violation, in general; ends the description the engine prints above each message. */
  fix: string;
  /** Default mandatory; advisory where a seed marks the measure as optional. */
  enforcementLevel?: EnforcementLevel;
  severity?: Severity;
  /** Policy-specific config schema properties (each with its default). */
  schema?: SchemaProperties;
  /** Defaults for the policy-specific config (must match the schema defaults). */
  defaults?: C;
}

export interface ResourcePolicySpec<C> extends PolicyBase<C> {
  /** Exact type tokens the policy applies to; ["*"] for every resource. */
  types: readonly string[];
  check(resource: Subject, ctx: ResourceContext<C>): void;
}

export interface StackPolicySpec<C> extends PolicyBase<C> {
  check(ctx: StackContext<C>): void;
}

/** Extra metadata the pack keeps on each policy object (ignored by the engine). */
export interface PackPolicyMeta {
  layer: Layer;
  appliesTo?: readonly string[];
}

export type PackResourcePolicy = ResourceValidationPolicy & PackPolicyMeta;
export type PackStackPolicy = StackValidationPolicy & PackPolicyMeta;
export type PackPolicy = PackResourcePolicy | PackStackPolicy;

function description(layer: Layer, summary: string, fix: string): string {
  return `${LAYERS[layer]}: ${summary} Fix: ${fix}`;
}

function configSchema(spec: PolicyBase<unknown>) {
  return { properties: { ...COMMON_SCHEMA, ...(spec.schema ?? {}) } };
}

function withDefaults<C>(spec: PolicyBase<C>, given: object): C & CommonConfig {
  const out: Record<string, unknown> = { exemptions: [], ...(spec.defaults ?? {}) };
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined && v !== null) out[k] = v;
  return out as C & CommonConfig;
}

export function label(type: string, name: string): string {
  return `${kindOf(type)} "${name}"`;
}

/**
 * A violation message: the resource, what is wrong, and a fix specific to this case when
 * the check gives one. The engine prints it below the policy's description (which names
 * the layer and the general fix), so the two together always say how to fix it.
 */
function message(type: string, name: string, what: string, fix: string | undefined, ignoredExemption: boolean): string {
  const note = ignoredExemption ? " (An exemption matches this resource but gives no reason, so it was ignored.)" : "";
  return `${label(type, name)}: ${what}${fix ? ` Fix: ${fix}` : ""}${note}`;
}

/** What every policy declares about itself, from its spec. */
function metadata<C extends object>(spec: ResourcePolicySpec<C> | StackPolicySpec<C>) {
  return {
    name: spec.name,
    description: description(spec.layer, spec.summary, spec.fix),
    enforcementLevel: spec.enforcementLevel ?? "mandatory",
    severity: spec.severity ?? "high",
    tags: [spec.layer],
    remediationSteps: spec.fix,
    configSchema: configSchema(spec),
    layer: spec.layer,
  };
}

export function resourcePolicy<C extends object = Record<string, never>>(spec: ResourcePolicySpec<C>): PackResourcePolicy {
  const types = new Set(spec.types);
  return {
    ...metadata(spec),
    appliesTo: spec.types,
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (!types.has("*") && !types.has(args.type)) return;
      const config = withDefaults(spec, args.getConfig<object>());
      const exemption = exemptionFor(args.name, config.exemptions);
      if (exemption.exempt) return;
      const props = normalize(args.props) as Record<string, any>;
      const tags = tagsOf(props);
      const subject: Subject = { type: args.type, name: args.name, urn: args.urn, props: seen(props, spec.name, args.type), tags, opts: args.opts };
      const env = resourceEnvironment(config, tags);
      spec.check(subject, {
        env,
        config,
        report: (what, fix) => reportViolation(message(args.type, args.name, what, fix, exemption.ignoredForMissingReason)),
      });
    },
  };
}

export function stackPolicy<C extends object = Record<string, never>>(spec: StackPolicySpec<C>): PackStackPolicy {
  return {
    ...metadata(spec),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const config = withDefaults(spec, args.getConfig<object>());
      const resources = linkResources(args.resources, spec.name);
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      const env = stackEnvironment(config, resources.map((r) => r.tags));
      spec.check({
        env,
        config,
        resources,
        ofType: (...types) => {
          for (const t of types) propertyReadTracer?.(spec.name, t, []);
          return resources.filter((r) => types.includes(r.type));
        },
        byUrn: (urn) => byUrn.get(urn),
        report: (resource, what, fix) => {
          if (!resource) {
            reportViolation(`Stack: ${what}${fix ? ` Fix: ${fix}` : ""}`);
            return;
          }
          const exemption = exemptionFor(resource.name, config.exemptions);
          if (exemption.exempt) return;
          reportViolation(message(resource.type, resource.name, what, fix, exemption.ignoredForMissingReason), resource.urn);
        },
      });
    },
  };
}

/** Normalizes the engine's PolicyResources and links parents and dependencies. */
function linkResources(input: PolicyResource[], policy: string): StackResource[] {
  const out = new Map<PolicyResource, StackResource>();
  for (const r of input) {
    const props = normalize(r.props) as Record<string, any>;
    out.set(r, { type: r.type, name: r.name, urn: r.urn, props: seen(props, policy, r.type), tags: tagsOf(props), opts: r.opts, dependencies: [], propertyDependencies: {} });
  }
  for (const [r, s] of out) {
    if (r.parent) s.parent = out.get(r.parent);
    s.dependencies = (r.dependencies ?? []).map((d) => out.get(d)).filter((d): d is StackResource => d !== undefined);
    for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) {
      s.propertyDependencies[k] = deps.map((d) => out.get(d)).filter((d): d is StackResource => d !== undefined);
    }
  }
  return [...out.values()];
}
