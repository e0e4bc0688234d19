/**
 * The pack as a whole: every policy well-formed and tested, the PolicyPack entry, the
 * publishable package, and the offline runner behaving like @pulumi/policy's analyzer
 * (config, enforcement levels, environments, exemptions, unknown values).
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { LAYERS, resourcePolicy } from "../../policies/lib/define";
import { POLICIES, PACK_NAME } from "../../policies/policies";
import { DATA_POLICIES } from "../../policies/data";
import { EDGE_POLICIES } from "../../policies/edge";
import { HOST_POLICIES } from "../../policies/host";
import { NETWORK_POLICIES } from "../../policies/network";
import { OBSERVABILITY_POLICIES } from "../../policies/observability";
import { SECRETS_POLICIES } from "../../policies/secrets";
import { IDENTITY_POLICIES } from "../../policies/identity";
import { TAGGING_POLICIES } from "../../policies/tagging";
import { TRANSPORT_POLICIES } from "../../policies/transport";
import { T } from "../../policies/lib/types";
import { formatVerdicts, policyConfig, runPolicyPack, simulatePreview, validate } from "../../tools/policy-check";
import { TAGS, U, check, policy, res } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const ADVISORY = ["elasticache-failover-prod"];

describe("the policy list", () => {
  it("has unique kebab-case names, grouped by layer", () => {
    const names = POLICIES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const byLayer = [TRANSPORT_POLICIES, EDGE_POLICIES, NETWORK_POLICIES, HOST_POLICIES, DATA_POLICIES, SECRETS_POLICIES, IDENTITY_POLICIES, OBSERVABILITY_POLICIES, TAGGING_POLICIES];
    expect(byLayer.flat()).toEqual(POLICIES);
    expect(POLICIES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(POLICIES.map((p) => [p.name, p] as const))("%s: names its layer, says how to fix, has a config schema with environment and exemptions", (_, p) => {
    expect(p.description.startsWith(`${LAYERS[p.layer]}: `)).toBe(true);
    expect(p.description).toMatch(/ Fix: .{10,}/);
    expect(p.tags).toEqual([p.layer]);
    expect(p.enforcementLevel).toBe(ADVISORY.includes(p.name) ? "advisory" : "mandatory");
    const props = p.configSchema!.properties;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(["environment", "exemptions"]));
    expect(props.enforcementLevel).toBeUndefined(); // the analyzer refuses to serve such a pack
    for (const [k, s] of Object.entries(props)) if (s.default !== undefined) expect(validate(s.default, s, k)).toBeUndefined();
    expect(JSON.parse(JSON.stringify(props))).toEqual(props); // serializable into the analyzer's protobuf Struct
    expect("validateResource" in p || "validateStack" in p).toBe(true);
  });

  it("has tests for every policy (a describePolicy block with violating, compliant and unknown cases)", () => {
    const tests = fs.readdirSync(__dirname).filter((f) => f.endsWith(".test.ts")).map((f) => fs.readFileSync(path.join(__dirname, f), "utf8")).join("\n");
    const untested = POLICIES.filter((p) => !tests.includes(`policy: "${p.name}",`)).map((p) => p.name);
    expect(untested).toEqual([]);
  });
});

describe("the policy pack package", () => {
  it("creates the PolicyPack named webapp-platform from the plain list", () => {
    const PolicyPack = jest.fn();
    jest.isolateModules(() => {
      jest.doMock("@pulumi/policy", () => ({ PolicyPack }));
      require("../../policies/index");
    });
    expect(PolicyPack).toHaveBeenCalledTimes(1);
    const [name, args] = PolicyPack.mock.calls[0];
    expect(name).toBe(PACK_NAME);
    expect(name).toBe("webapp-platform");
    expect(args.policies.map((p: { name: string }) => p.name)).toEqual(POLICIES.map((p) => p.name));
  });

  it("is a nodejs policy pack with its own package.json pinned to the root's versions", () => {
    const yaml = parseYaml(fs.readFileSync(path.join(ROOT, "policies/PulumiPolicy.yaml"), "utf8"));
    expect(yaml.runtime).toBe("nodejs");
    expect(yaml.description).toMatch(/security layers/);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policies/package.json"), "utf8"));
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/); // PolicyPack reads it at start
    expect(pkg.dependencies["@pulumi/policy"]).toBe(root.dependencies["@pulumi/policy"]);
    expect(pkg.dependencies["@pulumi/pulumi"]).toBe(root.dependencies["@pulumi/pulumi"]);
    expect(fs.existsSync(path.join(ROOT, "policies", pkg.main))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, "policies/tsconfig.json"))).toBe(true);
  });

  it("imports nothing outside policies/ (a published pack is self-contained)", () => {
    const files: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== "node_modules") walk(p);
      else if (e.name.endsWith(".ts")) files.push(p);
    });
    walk(path.join(ROOT, "policies"));
    for (const f of files) {
      for (const m of fs.readFileSync(f, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
        const target = path.resolve(path.dirname(f), m[1]);
        expect(target.startsWith(path.join(ROOT, "policies"))).toBe(true);
      }
      expect(fs.readFileSync(f, "utf8")).not.toMatch(/from "@pulumi\/aws"/);
    }
  });

  it("documents every policy in policies/README.md", () => {
    const readme = fs.readFileSync(path.join(ROOT, "policies/README.md"), "utf8");
    expect(POLICIES.filter((p) => !readme.includes(`| \`${p.name}\` | ${p.enforcementLevel} |`)).map((p) => p.name)).toEqual([]);
  });

  it.each(["staging", "prod"])("ships a policy config for %s naming every policy with its environment", (env) => {
    const cfg = JSON.parse(fs.readFileSync(path.join(ROOT, `policies/config/${env}.json`), "utf8"));
    expect(Object.keys(cfg).sort()).toEqual(POLICIES.map((p) => p.name).sort());
    for (const [name, v] of Object.entries(cfg) as [string, any][]) {
      expect(v.environment).toBe(env);
      expect(Object.keys(v).filter((k) => k !== "environment" && k !== "exemptions")).toEqual([]);
      // Every exemption names one resource (no wildcard) and says why.
      for (const e of v.exemptions ?? []) expect({ name, resource: e.resource, reasoned: e.reason.length > 40 }).toEqual({ name, resource: expect.stringMatching(/^[a-z0-9-]+$/), reasoned: true });
    }
    expect(() => runPolicyPack([], { config: cfg })).not.toThrow();
  });
});

const prodDb = (tags: Record<string, string> | undefined) => res(T.rdsInstance, "shop-db", { engine: "postgres", multiAz: false, tags });

describe("the offline runner, like the analyzer", () => {
  it("takes the environment from config, else from the resource's tag, else prod", () => {
    const multiAz = policy("rds-multi-az-prod");
    const run = (tags: Record<string, string> | undefined, environment?: "prod" | "staging") =>
      runPolicyPack([prodDb(tags)], { policies: [multiAz], environment }).length;
    expect(run({ ...TAGS, environment: "staging" })).toBe(0);
    expect(run({ ...TAGS, environment: "production" })).toBe(1);
    expect(run(undefined)).toBe(1);
    expect(run({ ...TAGS, environment: "staging" }, "prod")).toBe(1);
    expect(run({ ...TAGS, environment: "prod" }, "staging")).toBe(0);
  });

  it("takes a stack policy's environment from the tag most resources carry", () => {
    const backup = policy("backup-covers-databases");
    const stg = { ...TAGS, environment: "staging" };
    const resources = [prodDb(stg), res(T.bucket, "a", { tags: stg }), res(T.bucket, "b", { tags: TAGS })];
    expect(runPolicyPack(resources, { policies: [backup] })).toEqual([]);
    expect(runPolicyPack(resources, { policies: [backup], environment: "prod" })).toHaveLength(1);
  });

  it("applies enforcement levels from config: a level, an object, all, disabled", () => {
    const r = [prodDb(TAGS)];
    const p = [policy("rds-multi-az-prod")];
    expect(runPolicyPack(r, { policies: p })[0].enforcementLevel).toBe("mandatory");
    expect(runPolicyPack(r, { policies: p, config: { "rds-multi-az-prod": "advisory" } })[0].enforcementLevel).toBe("advisory");
    expect(runPolicyPack(r, { policies: p, config: { "rds-multi-az-prod": { enforcementLevel: "advisory" } } })[0].enforcementLevel).toBe("advisory");
    expect(runPolicyPack(r, { policies: p, config: { all: "advisory" } })[0].enforcementLevel).toBe("advisory");
    expect(runPolicyPack(r, { policies: p, config: { all: "advisory", "rds-multi-az-prod": "mandatory" } })[0].enforcementLevel).toBe("mandatory");
    expect(runPolicyPack(r, { policies: p, config: { "rds-multi-az-prod": "disabled" } })).toEqual([]);
    expect(runPolicyPack(r, { policies: p, config: { "rds-multi-az-prod": "remediate" } })[0].enforcementLevel).toBe("mandatory");
  });

  it("fills in schema defaults and rejects invalid config as the CLI does", () => {
    const p = policy("rds-backup-retention");
    expect(policyConfig(p, {}).props).toMatchObject({ exemptions: [], minBackupRetentionDays: { prod: 7, staging: 1 } });
    expect(policyConfig(p, { environment: "staging" }).props.environment).toBe("staging");
    expect(() => runPolicyPack([], { config: { "rds-backup-retention": { minBackupRetentionDays: { prod: "seven" } } } })).toThrow(/minBackupRetentionDays\.prod must be integer/);
    expect(() => runPolicyPack([], { config: { "rds-backup-retention": { environment: "dev" } } })).toThrow(/environment must be one of/);
    expect(() => runPolicyPack([], { config: { "rds-backup-retention": { retention: 3 } } })).toThrow(/unknown property "retention"/);
    expect(() => runPolicyPack([], { config: { "no-such-policy": "advisory" } })).toThrow(/not a policy of the pack/);
    expect(() => runPolicyPack([], { config: { "rds-backup-retention": { exemptions: [{ resource: "db" }] } } })).toThrow(/reason is required/);
  });

  it("lets a config tighten a policy (prod retention of 30 days)", () => {
    const r = [res(T.rdsInstance, "db", { engine: "postgres", backupRetentionPeriod: 14, tags: TAGS })];
    expect(check("rds-backup-retention", r)).toEqual([]);
    expect(check("rds-backup-retention", r, { config: { minBackupRetentionDays: { prod: 30, staging: 1 } } })).toHaveLength(1);
  });

  it("exempts by name with wildcards, and says when an exemption without reason was ignored", () => {
    const r = [res(T.rdsInstance, "reports-db", { engine: "postgres", multiAz: false, tags: TAGS })];
    expect(check("rds-multi-az-prod", r, { config: { exemptions: [{ resource: "reports-*", reason: "rebuildable reporting copy" }] } })).toEqual([]);
    // Called directly (no schema validation in between), an exemption without reason does not exempt.
    const p = policy("rds-multi-az-prod") as ResourceValidationPolicy;
    const messages: string[] = [];
    const validateResource = p.validateResource as (a: unknown, r: (m: string) => void) => void;
    validateResource({
      type: T.rdsInstance, name: "reports-db", urn: r[0].urn, props: r[0].inputs, opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] },
      stackTags: new Map(), isType: () => false, asType: () => undefined, notApplicable: () => { throw new Error(); },
      getConfig: () => ({ exemptions: [{ resource: "reports-db", reason: " " }] }),
    }, (m) => messages.push(m));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/exemption .* gives no reason, so it was ignored/);
  });

  it("turns a read of an unknown value into the engine's advisory, which the pack's own policies never trigger", () => {
    const naive = resourcePolicy({
      name: "naive", layer: "data", summary: "x", fix: "y", types: [T.rdsInstance],
      check: () => undefined,
    });
    const reading: ResourceValidationPolicy = { ...naive, validateResource: (args) => { if (args.props.storageEncrypted !== true) throw new Error("unreachable"); } };
    const vs = runPolicyPack([res(T.rdsInstance, "db", { storageEncrypted: U })], { policies: [reading as never] });
    expect(vs).toEqual([expect.objectContaining({ policy: "naive", enforcementLevel: "advisory", unknownValue: true, message: expect.stringMatching(/can't run policy 'naive' from policy pack 'webapp-platform@v0\.1\.0' during preview: string value at \.storageEncrypted/) })]);
  });

  it("calls stack policies with linked parents and dependencies", () => {
    const p = policy("alarms-cover-resources") as StackValidationPolicy;
    const seen: string[] = [];
    const wrapped: StackValidationPolicy = { ...p, validateStack: (args) => { for (const r of args.resources) seen.push(`${r.name}:${r.dependencies.map((d) => d.name).join(",")}:${r.parent?.name ?? ""}`); } };
    const db = res(T.rdsInstance, "db", {});
    const alarm = res(T.metricAlarm, "alarm", {}, { deps: [db], parent: db.urn });
    runPolicyPack([db, alarm], { policies: [wrapped as never] });
    expect(seen).toEqual(["db::", "alarm:db:db"]);
  });

  it("replays a first preview: computed ids and everything built from them become unknown", () => {
    const sg = res(T.securityGroup, "sg", { description: "x" }, { id: "sg-0123456789abcdef0", outputs: { arn: "arn:aws:ec2:eu-west-1:1:security-group/sg-0123456789abcdef0", description: "x", region: "eu-west-1" } });
    const rule = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in", { securityGroupId: "sg-0123456789abcdef0", description: "x", fromPort: 443, cidrIpv4: "0.0.0.0/0", tags: { Name: "eu-west-1" } });
    const [s, r] = simulatePreview([sg, rule]);
    expect(s.id).toBe("");
    expect(s.outputs).toEqual({ arn: U, description: "x", region: U });
    expect(r.inputs).toEqual({ securityGroupId: U, description: "x", fromPort: 443, cidrIpv4: "0.0.0.0/0", tags: { Name: "eu-west-1" } });
    expect(r.unknownPaths).toEqual(["securityGroupId"]);
  });

  it("formats verdicts for terminals and pull requests", () => {
    const vs = check("rds-multi-az-prod", [prodDb(TAGS)]);
    expect(formatVerdicts([], "markdown")).toMatch(/✅ all \d+ policies pass/);
    const md = formatVerdicts(vs, "markdown", "Policy pack on stack \"prod\"");
    expect(md).toMatch(/❌ 1 mandatory violation, 0 advisories/);
    expect(md).toMatch(/\| mandatory \| `rds-multi-az-prod` \| `shop-db` \|/);
    expect(formatVerdicts(vs, "text")).toMatch(/\[mandatory\] rds-multi-az-prod \(aws:rds\/instance:Instance shop-db\)/);
  });
});
