import * as fs from "fs";
import * as path from "path";
import { covers, diffPlans, diffValues } from "../../tools/plan/diff";
import { normalizePlan } from "../../tools/plan/resources";

const load = (file: string) => normalizePlan(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "plans", file), "utf8")));

/**
 * base.json -> head.json, one change per case:
 *   shop-db            dbName (replaces, stateful), instanceClass, a new tag, protect turned on
 *   shop-cache         TLS turned on with Redis 7.1 (in place)
 *   shop-legacy-cache  TLS turned on with Redis 6.2 (replaces, stateful)
 *   shop-asg           desiredCapacity (in ignoreChanges) and maxSize
 *   shop-lt            instance type, user data and a tag whose key needs quoting (in place)
 *   shop-app           security group description (replaces, not stateful)
 *   blog-host          user data with userDataReplaceOnChange (replaces, not stateful)
 *   shop-media         removed (stateful);  shop-uploads added
 *   shop-secret-version, shop-key  unchanged (the secret is masked on both sides)
 */
describe("plan diff", () => {
  const diff = diffPlans(load("base.json"), load("head.json"));
  const changed = (name: string) => {
    const c = diff.changed.find((x) => x.name === name);
    if (!c) throw new Error(`${name} not changed`);
    return c;
  };

  it("lists added and removed resources, and which changed", () => {
    expect(diff.base).toEqual({ stack: "staging", region: "eu-west-1", resources: 10 });
    expect(diff.added.map((r) => [r.name, r.type, r.stateful])).toEqual([["shop-uploads", "aws:s3/bucket:Bucket", true]]);
    expect(diff.removed.map((r) => [r.name, r.type, r.stateful])).toEqual([["shop-media", "aws:s3/bucket:Bucket", true]]);
    expect(diff.changed.map((c) => c.name)).toEqual(["shop-db", "shop-cache", "shop-legacy-cache", "shop-asg", "shop-lt", "shop-app", "blog-host"]);
  });

  it("reports changed input paths with old and new values, and option changes apart", () => {
    const db = changed("shop-db");
    expect(db.inputs).toEqual([
      { path: "dbName", old: "shop", new: "shop_main" },
      { path: "instanceClass", old: "db.t4g.micro", new: "db.t4g.small" },
      { path: "tags.owner", old: undefined, new: "team-a" },
    ]);
    expect(db.options).toEqual([{ path: "protect", old: false, new: true }]);
    expect(changed("shop-lt").inputs.map((i) => i.path)).toEqual(["instanceType", 'tags["cost-center"]', "userData"]);
  });

  it("flags replace-forcing inputs per type, including conditional ones", () => {
    expect(changed("shop-db").replacement).toEqual({ causes: ["dbName"] });
    expect(changed("shop-cache").replacement).toBeNull();
    expect(changed("shop-legacy-cache").replacement).toEqual({ causes: ["transitEncryptionEnabled (only with engineVersion below 7.0.5)"] });
    expect(changed("shop-lt").replacement).toBeNull();
    expect(changed("shop-app").replacement).toEqual({ causes: ["description"] });
    expect(changed("blog-host").replacement).toEqual({ causes: ["userData (userDataReplaceOnChange is set)"] });
  });

  it("marks ignored inputs and never counts them toward a replacement", () => {
    expect(changed("shop-asg").inputs).toEqual([
      { path: "desiredCapacity", old: 1, new: 2, ignored: true },
      { path: "maxSize", old: 2, new: 4 },
    ]);
    expect(changed("shop-asg").replacement).toBeNull();
  });

  it("collects stateful replacements and deletions for the warning", () => {
    expect(diff.statefulReplacements.map((c) => c.name)).toEqual(["shop-db", "shop-legacy-cache"]);
    expect(diff.statefulDeletions.map((r) => [r.name, r.retainOnDelete])).toEqual([["shop-media", false]]);
  });

  it("never shows a secret: masked values compare equal", () => {
    expect(diff.changed.find((c) => c.name === "shop-secret-version")).toBeUndefined();
    expect(JSON.stringify(diff)).not.toMatch(/password"|secretString"/);
  });

  it("matches paths like the engine: wildcards, nested objects, whole-object changes", () => {
    expect(covers("tags", "tags.owner")).toBe(true);
    expect(covers("rootBlockDevice.encrypted", "rootBlockDevice")).toBe(false);
    expect(covers("rootBlockDevice.encrypted", "rootBlockDevice", true)).toBe(true);
    expect(covers("rules[*].action", "rules[2].action.block")).toBe(true);
    expect(covers("dbName", "dbNameSuffix")).toBe(false);
    expect(diffValues([1, 2], [1, 2, 3], "ports")).toEqual([{ path: "ports", old: [1, 2], new: [1, 2, 3] }]);
  });
});

describe("plan diff across a rename with an alias", () => {
  const urn = (name: string) => `urn:pulumi:prod::webapp-platform::webapp-platform:network:SecurityTiers$aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::${name}`;
  const rule = (name: string, o: Record<string, any> = {}) => ({ urn: urn(name), type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, custom: true, inputs: { fromPort: 5432, toPort: 5432, ...o.inputs }, aliases: o.aliases });
  const plan = (resources: any[]) => normalizePlan({ stack: "prod", region: "eu-west-1", resources });
  const base = plan([rule("shop-data-in-0"), rule("shop-data-in-1", { inputs: { fromPort: 6379, toPort: 6379 } })]);

  it("follows an alias: no removal, no addition, the resource is compared with its old self", () => {
    const d = diffPlans(base, plan([
      rule("shop-data-in-5432-from-app", { aliases: [urn("shop-data-in-0")] }),
      rule("shop-data-in-6379-from-app", { aliases: [urn("shop-data-in-1")], inputs: { fromPort: 6380, toPort: 6380 } }),
    ]));
    expect([d.added, d.removed]).toEqual([[], []]);
    expect(d.moved).toEqual([{ from: urn("shop-data-in-0"), to: urn("shop-data-in-5432-from-app") }, { from: urn("shop-data-in-1"), to: urn("shop-data-in-6379-from-app") }]);
    expect(d.changed.map((c) => [c.name, c.inputs.map((i) => i.path)])).toEqual([["shop-data-in-6379-from-app", ["fromPort", "toPort"]]]);
  });

  it("a rename without an alias is a removal and an addition", () => {
    const d = diffPlans(base, plan([rule("shop-data-in-5432-from-app"), rule("shop-data-in-1", { inputs: { fromPort: 6379, toPort: 6379 } })]));
    expect(d.added.map((r) => r.name)).toEqual(["shop-data-in-5432-from-app"]);
    expect(d.removed.map((r) => r.name)).toEqual(["shop-data-in-0"]);
    expect(d.moved).toEqual([]);
  });

  it("an alias to a URN another resource still has is not followed", () => {
    const d = diffPlans(base, plan([rule("shop-data-in-0"), rule("shop-data-in-1", { inputs: { fromPort: 6379, toPort: 6379 } }), rule("copy", { aliases: [urn("shop-data-in-0")] })]));
    expect(d.added.map((r) => r.name)).toEqual(["copy"]);
    expect(d.moved).toEqual([]);
  });
});
