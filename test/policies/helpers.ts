/**
 * Synthetic resources for policy tests, shaped like the harness's RecordedResource, and
 * shortcuts to run one policy (through the offline runner, so arguments are exactly what
 * @pulumi/policy hands a policy, proxy included).
 */
import type { RecordedResource } from "../harness";
import { POLICIES, PackPolicy } from "../../policies/policies";
import { PackConfig, RunOptions, UNKNOWN_VALUE, Verdict, runPolicyPack } from "../../tools/policy-check";

export const U = UNKNOWN_VALUE;

export interface ResOptions {
  outputs?: Record<string, any>;
  id?: string;
  /** Resources (or URNs) this one depends on. */
  deps?: (RecordedResource | string)[];
  propertyDependencies?: Record<string, RecordedResource[]>;
  parent?: string;
  ignoreChanges?: string[];
  protect?: boolean;
}

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::webapp-platform::${type}::${name}`;
}

export function res(type: string, name: string, inputs: Record<string, any>, o: ResOptions = {}): RecordedResource {
  const r: RecordedResource = {
    urn: urnOf(type, name),
    id: o.id ?? "",
    type,
    name,
    parent: o.parent ?? "urn:pulumi:test::webapp-platform::pulumi:pulumi:Stack::webapp-platform-test",
    custom: true,
    inputs,
    outputs: o.outputs ?? {},
    secretPaths: [],
    unknownPaths: [],
    dependencies: (o.deps ?? []).map((d) => (typeof d === "string" ? d : d.urn)),
    propertyDependencies: {},
    options: {
      protect: o.protect ?? false, retainOnDelete: false, ignoreChanges: o.ignoreChanges ?? [], replaceOnChanges: [],
      deleteBeforeReplace: false, additionalSecretOutputs: [], aliases: [],
    },
  };
  if (o.propertyDependencies) {
    r.propertyDependencies = Object.fromEntries(Object.entries(o.propertyDependencies).map(([k, v]) => [k, v.map((x) => x.urn)]));
  }
  return r;
}

export function policy(name: string): PackPolicy {
  const p = POLICIES.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
}

/** Verdicts of one policy on `resources`. */
export function check(name: string, resources: RecordedResource[], o: Omit<RunOptions, "policies" | "config"> & { config?: Record<string, unknown> } = {}): Verdict[] {
  const { config, ...rest } = o;
  const packConfig: PackConfig | undefined = config ? { [name]: config as PackConfig[string] } : undefined;
  return runPolicyPack(resources, { environment: "prod", ...rest, config: packConfig, policies: [policy(name)] });
}

export const mandatory = (vs: Verdict[]) => vs.filter((v) => v.enforcementLevel === "mandatory");

/** Every leaf value (string, number, boolean) replaced by the engine's unknown sentinel; structure kept. */
export function leavesUnknown(r: RecordedResource): RecordedResource {
  const walk = (v: any): any => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v === undefined || v === null ? v : U;
  };
  return { ...r, id: "", inputs: walk(r.inputs), outputs: walk(r.outputs) };
}

/** Every top-level input (and output) replaced by the unknown sentinel. */
export function topUnknown(r: RecordedResource): RecordedResource {
  const walk = (o: Record<string, any>) => Object.fromEntries(Object.keys(o).map((k) => [k, U]));
  return { ...r, id: "", inputs: walk(r.inputs), outputs: walk(r.outputs) };
}

export const TAGS = { app: "shop", environment: "prod", "managed-by": "pulumi" };

/**
 * One policy's test cases. Each scenario is a list of resources (stack policies need
 * several). `unknown` scenarios hold the decisive values unknown, as in a first preview,
 * and must produce no mandatory verdict.
 */
export interface PolicyCases {
  policy: string;
  environment?: "prod" | "staging";
  violating: { title: string; resources: RecordedResource[]; message?: RegExp; environment?: "prod" | "staging" }[];
  compliant: { title: string; resources: RecordedResource[]; environment?: "prod" | "staging" }[];
  unknown: { title: string; resources: RecordedResource[]; environment?: "prod" | "staging" }[];
}

/** The standard tests every policy gets (see test/policies/*.test.ts). */
export function describePolicy(c: PolicyCases): void {
  describe(c.policy, () => {
    it("exists in the pack", () => {
      expect(POLICIES.map((p) => p.name)).toContain(c.policy);
      expect(c.violating.length).toBeGreaterThan(0);
      expect(c.compliant.length).toBeGreaterThan(0);
      expect(c.unknown.length).toBeGreaterThan(0);
    });
    for (const v of c.violating) {
      it(`flags: ${v.title}`, () => {
        const vs = check(c.policy, v.resources, { environment: v.environment ?? c.environment ?? "prod" });
        const level = policy(c.policy).enforcementLevel;
        expect(vs.length).toBeGreaterThan(0);
        expect(vs.every((x) => x.enforcementLevel === level && !x.unknownValue)).toBe(true);
        for (const x of vs) {
          expect(x.message.startsWith(`${policy(c.policy).description}\n`)).toBe(true); // as the CLI prints it
          expect(x.fix.length).toBeGreaterThan(10);
          if (x.name) expect(x.detail).toContain(`"${x.name}"`);
        }
        if (v.message) expect(vs.map((x) => x.detail).join("\n")).toMatch(v.message);
      });
    }
    for (const ok of c.compliant) {
      it(`passes: ${ok.title}`, () => {
        expect(check(c.policy, ok.resources, { environment: ok.environment ?? c.environment ?? "prod" })).toEqual([]);
      });
      it(`passes with every value unknown (preview): ${ok.title}`, () => {
        const vs = check(c.policy, ok.resources.map(leavesUnknown), { environment: ok.environment ?? c.environment ?? "prod" });
        expect(mandatory(vs)).toEqual([]);
        expect(vs.filter((x) => x.unknownValue)).toEqual([]);
      });
    }
    for (const u of c.unknown) {
      it(`reports nothing mandatory while values are unknown: ${u.title}`, () => {
        const vs = check(c.policy, u.resources, { environment: u.environment ?? c.environment ?? "prod" });
        expect(mandatory(vs)).toEqual([]);
        expect(vs.filter((x) => x.unknownValue)).toEqual([]);
      });
    }
    it("never throws or trips the engine's unknown-value check, whatever is unknown", () => {
      for (const s of [...c.violating, ...c.compliant, ...c.unknown]) {
        for (const variant of [leavesUnknown, topUnknown]) {
          const vs = check(c.policy, s.resources.map(variant), { environment: c.environment ?? "prod" });
          expect(vs.filter((x) => x.unknownValue)).toEqual([]);
        }
      }
    });
    it("honours an exemption with a reason, and ignores one without", () => {
      const v = c.violating[0];
      const env = v.environment ?? c.environment ?? "prod";
      const before = check(c.policy, v.resources, { environment: env });
      const names = [...new Set(before.map((x) => x.name).filter((n): n is string => !!n))];
      if (names.length === 0) return; // stack-wide message
      const exempt = check(c.policy, v.resources, { environment: env, config: { exemptions: names.map((n) => ({ resource: n, reason: "accepted risk, ticket SEC-1" })) } });
      expect(exempt).toEqual([]);
      expect(() => check(c.policy, v.resources, { environment: env, config: { exemptions: names.map((n) => ({ resource: n, reason: "" })) } })).toThrow(/reason/);
    });
  });
}
