/**
 * The preflight engine on hand-made resources: how inputs are walked (lists, maps, autonames),
 * which values are skipped (preview-time unknowns), how secrets are masked, and what counts
 * as a gap in the field tables.
 */
import { UNKNOWN } from "../harness";
import { AUTONAME_SUFFIX, PreflightResource, runPreflight } from "../../tools/preflight/check";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const resource = (type: string, name: string, inputs: Record<string, any>, secretPaths: string[] = []): PreflightResource => ({ type, name, custom: true, inputs, secretPaths });

describe("runPreflight", () => {
  test("an auto-named load balancer is checked with Pulumi's random suffix", () => {
    // 25 characters: fine alone, 33 with "-1a2b3c4", over ELB's 32.
    const name = "a-load-balancer-named-xyz";
    expect((name + AUTONAME_SUFFIX).length).toBe(33);
    const { violations } = runPreflight([resource(LB, name, { loadBalancerType: "application" })]);
    expect(violations).toEqual([expect.objectContaining({
      resource: name, path: "name", value: name + AUTONAME_SUFFIX, kind: "prose", rule: "at most 32 characters",
      source: 'elbv2-2015-12-01.json LoadBalancerName (elbv2:CreateLoadBalancer.Name): "can have a maximum of 32 characters"',
    })]);
    expect(runPreflight([resource(LB, "shop-alb", { loadBalancerType: "application" })]).violations).toEqual([]);
  });

  test("an explicit name wins over the autoname, and is checked as given", () => {
    const { violations } = runPreflight([resource(LB, "x", { name: "internal-shop", loadBalancerType: "application" })]);
    expect(violations.map((v) => [v.path, v.rule])).toEqual([["name", 'no "internal-" prefix']]);
  });

  test("map keys and values are checked against the tag key and value shapes", () => {
    const { violations } = runPreflight([resource(LB, "shop", { tags: { "team#": "ok", owner: "a>b" } })]);
    expect(violations.map((v) => [v.path, v.kind, v.value])).toEqual([
      ["tags{team#}", "pattern", "team#"],
      ["tags.owner", "pattern", "a>b"],
    ]);
    expect(violations[0].source).toMatch(/^elbv2-2015-12-01\.json TagKey /);
  });

  test("enum and numeric ranges come from the model's shapes", () => {
    const tg = "aws:lb/targetGroup:TargetGroup";
    const { violations } = runPreflight([resource(tg, "web", { protocol: "HTTP", targetType: "container", port: 70000, healthCheck: { interval: 30, timeout: 5 } })]);
    expect(violations.map((v) => [v.path, v.kind])).toEqual([["targetType", "enum"], ["port", "range"]]);
  });

  test("a rule over several inputs reports the input that breaks it", () => {
    const tg = "aws:lb/targetGroup:TargetGroup";
    const { violations } = runPreflight([resource(tg, "web", { healthCheck: { interval: 10, timeout: 10 } })]);
    expect(violations).toEqual([expect.objectContaining({ path: "healthCheck.timeout", kind: "cross", value: "10" })]);
  });

  test("preview-time unknowns are not checked; secrets are never printed", () => {
    expect(runPreflight([resource(LB, "shop", { tags: { owner: UNKNOWN } })]).violations).toEqual([]);
    const { violations } = runPreflight([resource(LB, "shop", { tags: { owner: "s3cr3t>" } }, ["tags.owner"])]);
    expect(violations).toHaveLength(1);
    expect(violations[0].value).toBe("[secret]");
    expect(JSON.stringify(violations)).not.toContain("s3cr3t");
  });

  test("inputs and types the tables do not map are reported as gaps, and components are skipped", () => {
    const { coverage } = runPreflight([
      resource(LB, "shop", { loadBalancerType: "application", idleTimeout: 60 }),
      resource("aws:example/thing:Thing", "t", { size: 1 }),
      { ...resource("webapp-platform:x:Component", "c", {}), custom: false },
    ]);
    expect(coverage.map((c) => c.type)).toEqual(["aws:example/thing:Thing", LB]);
    expect(coverage[0]).toMatchObject({ noMapping: true, fieldsSet: 1, fieldsChecked: 0, unmapped: ["size"] });
    expect(coverage[1]).toMatchObject({ noMapping: false, unmapped: ["idleTimeout"], fieldsSet: 3, fieldsChecked: 2 });
  });
});
