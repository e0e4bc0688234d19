import * as fs from "fs";
import * as path from "path";
import { buildReport, renderJson, renderMarkdown, renderTextSummary, Verdict } from "../../tools/plan/report";
import { PlanJson, normalizePlan } from "../../tools/plan/resources";
import { parseArgs } from "../../tools/plan";
import { threeApps } from "./apps";

const plan = (): PlanJson => ({ stack: "staging", region: "eu-west-1", resources: threeApps().resources, outputs: {}, warnings: ['app "later" skipped: the containers architecture is not built yet'] });
const verdicts: Verdict[] = [
  { policy: "rds-multi-az-in-prod", layer: "data protection", enforcementLevel: "advisory", message: "single-AZ database", resourceName: "shop-db" },
  { policy: "no-ssh-from-world", enforcementLevel: "mandatory", message: "port 22 open to 0.0.0.0/0", urn: "urn:pulumi:staging::webapp-platform::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::blog-ssh" },
];

describe("plan report", () => {
  it("summarises resources, apps, cost, critical path and policies", () => {
    const r = buildReport(plan(), { verdicts });
    expect(r.summary.resources).toBe(r.resources.filter((x) => x.custom).length);
    expect(r.summary.apps.map((a) => [a.name, a.architecture])).toEqual([["shop", "WebFleetApp"], ["blog", "SingleHostApp"], ["spa", "SpaApiApp"]]);
    expect(r.policies).toEqual({ ran: true, counts: { advisory: 1, mandatory: 1 }, verdicts });
    expect(r.diff).toBeNull();
    const md = renderMarkdown(r);
    expect(md).toContain("| **Policy verdicts** | **1 mandatory, 1 advisory** violations |");
    expect(md).toContain(`| **Estimated monthly cost** | **${"$"}${r.cost.monthly.toFixed(2)}** (`);
    // Mandatory first, with the resource named from the URN when no name is given.
    expect(md).toContain("| **mandatory** |  | `no-ssh-from-world` | `blog-ssh` | port 22 open to 0.0.0.0/0 |\n| advisory | data protection | `rds-multi-az-in-prod` | `shop-db` | single-AZ database |");
    expect(md).toContain("> [!NOTE]\n> app \"later\" skipped");
  });

  it("has one section per app with its Mermaid diagram and cost table, then the shared platform", () => {
    const md = renderMarkdown(buildReport(plan()));
    const sections = md.split("\n").filter((l) => l.startsWith("## "));
    expect(sections).toEqual([
      expect.stringMatching(/^## `shop`: WebFleetApp, \$[\d,.]+ a month$/),
      expect.stringMatching(/^## `blog`: SingleHostApp, \$[\d,.]+ a month$/),
      expect.stringMatching(/^## `spa`: SpaApiApp, \$[\d,.]+ a month$/),
      expect.stringMatching(/^## Platform \(shared\): \$[\d,.]+ a month$/),
      expect.stringMatching(/^## Deploy critical path: /),
    ]);
    expect(md.match(/```mermaid\nflowchart LR\n/g)).toHaveLength(3);
    expect(md).toContain("```\n\nNot connected to the rest by any dependency, so not drawn: S3: access-logs.\n");
    expect(md).toContain("| `shop-db` | aws:rds/instance:Instance | $15.68 | db.t4g.micro $0.018/h × 730 h + 20 GB × $0.127 |");
    expect(md).toContain("| **Policy verdicts** | not run |");
  });

  it("puts stateful replacements at the top, under a caution, when diffing against a base", () => {
    const dir = path.join(__dirname, "..", "fixtures", "plans");
    const load = (f: string) => normalizePlan(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
    const md = renderMarkdown(buildReport(load("head.json"), { base: load("base.json"), baseLabel: "base.json" }));
    const caution = md.indexOf("> [!CAUTION]");
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(md.indexOf("| **Resources** |"));
    expect(md).toContain("> **Data at risk: 3 stateful resources would be replaced or deleted by this change.**");
    expect(md).toContain('> | `shop-db` | aws:rds/instance:Instance | **replaced** (new resource, then the old one deleted); protected, so `pulumi up` stops until unprotected | `dbName`: `"shop"` → `"shop_main"` |');
    expect(md).toContain("> | `shop-media` | aws:s3/bucket:Bucket | **deleted** | no longer in the program (or renamed without an alias) |");
    expect(md).toContain("**1 added, 1 removed, 4 replaced, 3 updated in place.**");
    expect(md).toContain("| `desiredCapacity` | `1` | `2` | ignored (ignoreChanges) |");
    expect(md).not.toContain("[secret]\" |"); // masked secrets never show up as a change
  });

  it("writes JSON that reads back as a base plan, and diffs to nothing against itself", () => {
    const json = renderJson(buildReport(plan()));
    const again = normalizePlan(JSON.parse(json));
    const r = buildReport(again, { base: again });
    expect(r.diff && [r.diff.added.length, r.diff.removed.length, r.diff.changed.length]).toEqual([0, 0, 0]);
    expect(renderMarkdown(r)).toContain("_No changes._");
  });

  it("prints a terminal summary with the chain and flags", () => {
    const text = renderTextSummary(buildReport(plan(), { verdicts }));
    expect(text).toMatch(/^Estimated monthly cost: \$/);
    expect(text).toContain("Policy verdicts: 1 mandatory, 1 advisory violations");
    expect(text).toContain("  [mandatory] no-ssh-from-world blog-ssh: port 22 open to 0.0.0.0/0");
  });
});

describe("plan CLI arguments", () => {
  it("keeps --json [file] as an alias of --format json --out file", () => {
    expect(parseArgs(["--stack", "prod", "--json", "p.json"])).toEqual({ stack: "prod", format: "json", out: "p.json", noFail: false });
    expect(parseArgs(["--stack", "prod", "--json"])).toEqual({ stack: "prod", format: "json", noFail: false });
    expect(parseArgs(["--stack", "staging", "--format", "markdown", "--base", "b.json", "--out", "r.md"])).toEqual({ stack: "staging", format: "markdown", base: "b.json", out: "r.md", noFail: false });
  });

  it("takes --no-fail (report, exit 0) and --config-file (another stack file, as pulumi --config-file)", () => {
    expect(parseArgs(["--stack", "prod", "--no-fail", "--config-file", "x.yaml"])).toEqual({ stack: "prod", format: "text", noFail: true, configFile: "x.yaml" });
    expect(() => parseArgs(["--stack", "prod", "--config-file"])).toThrow(/--config-file needs a value/);
  });

  it("rejects bad arguments with the usage", () => {
    expect(() => parseArgs(["--stack", "prod", "--format", "html"])).toThrow('--format must be text, markdown or json, got "html"');
    expect(() => parseArgs(["--format", "json"])).toThrow(/--stack is required/);
    expect(() => parseArgs(["--stack", "prod", "--base"])).toThrow(/--base needs a value/);
  });
});
