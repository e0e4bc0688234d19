import { appDiagrams } from "../../tools/plan/diagram";
import { threeApps } from "./apps";

const edges = (d: { edges: { from: string; to: string; label?: string }[] }) => d.edges.map((e) => `${e.from} -> ${e.to}${e.label ? ` [${e.label}]` : ""}`);

describe("per-app architecture diagrams", () => {
  const diagrams = appDiagrams(threeApps().resources);
  const byApp = (name: string) => {
    const d = diagrams.find((x) => x.app === name);
    if (!d) throw new Error(`no diagram for ${name}`);
    return d;
  };

  it("draws one diagram per architecture component, in registration order", () => {
    expect(diagrams.map((d) => `${d.app}:${d.architecture}`)).toEqual(["shop:WebFleetApp", "blog:SingleHostApp", "spa:SpaApiApp"]);
  });

  it("groups a web fleet's resources into kind nodes, one node per bucket", () => {
    const d = byApp("shop");
    expect(d.nodes.map((n) => [n.id, n.label])).toEqual([
      ["users", ["Users"]],
      ["dns", ["Route 53", "shop.example.com"]],
      ["lb", ["Application Load Balancer", "listeners 80, 443"]],
      ["fleet", ["Auto Scaling group", "1-2 × t3.small"]],
      ["bucket_alb_logs", ["S3: alb-logs"]],
      ["bucket_media", ["S3: media"]],
      ["postgres", ["PostgreSQL 16.4", "db.t4g.micro, single-AZ"]],
      ["redis", ["Redis 7.1", "cache.t4g.micro × 1"]],
      ["secrets", ["Secrets Manager", "1 secret"]],
    ]);
    // Validation and DKIM records are DNS too: members of the node, not named in its label.
    expect(d.nodes.find((n) => n.id === "dns")?.members.map((u) => u.split("::").pop())).toEqual(["shop-cert-validation-0", "shop-a", "shop-dkim-0"]);
  });

  it("lists nodes no dependency connects instead of drawing them loose", () => {
    expect(byApp("shop").detached.map((n) => [n.id, n.label])).toEqual([["bucket_access_logs", ["S3: access-logs"]]]);
    expect(byApp("shop").mermaid).not.toContain("access");
    expect(byApp("blog").detached).toEqual([]);
  });

  it("derives edges from dependencies, security-group rules and IAM policies; alarms and backups draw none", () => {
    expect(edges(byApp("shop"))).toEqual([
      "users -> dns",
      "dns -> lb",
      "lb -> fleet [tcp 80]",
      "lb -> bucket_alb_logs",
      "fleet -> bucket_media",
      "fleet -> postgres [tcp 5432]",
      "fleet -> redis [tcp 6379]",
      "fleet -> secrets",
    ]);
  });

  it("puts the external registrar in front of a single host without Route 53 records", () => {
    const d = byApp("blog");
    expect(d.nodes.map((n) => n.id)).toEqual(["users", "dns", "host", "postgres"]);
    expect(d.nodes.find((n) => n.id === "dns")?.label).toEqual(["DNS at external registrar", "records listed in stack outputs"]);
    expect(d.nodes.find((n) => n.id === "host")?.label).toEqual(["EC2 host", "t3.micro + Elastic IP"]);
    expect(edges(d)).toEqual(["users -> dns", "dns -> host", "host -> postgres [tcp 5432]"]);
  });

  it("draws WAF in front of CloudFront, the private bucket behind it, and the API behind its origin name", () => {
    const d = byApp("spa");
    expect(d.nodes.map((n) => [n.id, n.label])).toEqual([
      ["users", ["Users"]],
      ["dns", ["Route 53", "app.example.com", "origin.example.com"]],
      ["waf", ["AWS WAF", "2 rules"]],
      ["cdn", ["CloudFront", "app.example.com"]],
      ["lb", ["Application Load Balancer"]],
      ["bucket_site", ["S3: site"]],
    ]);
    expect(edges(d)).toEqual(["users -> dns", "dns -> cdn", "dns -> lb", "waf -> cdn", "cdn -> lb", "cdn -> bucket_site"]);
  });

  it("renders Mermaid flowchart LR with shapes per kind", () => {
    expect(byApp("shop").mermaid).toBe([
      "flowchart LR",
      '  users(["Users"])',
      '  dns["Route 53<br/>shop.example.com"]',
      '  lb["Application Load Balancer<br/>listeners 80, 443"]',
      '  fleet["Auto Scaling group<br/>1-2 × t3.small"]',
      '  bucket_alb_logs[("S3: alb-logs")]',
      '  bucket_media[("S3: media")]',
      '  postgres[("PostgreSQL 16.4<br/>db.t4g.micro, single-AZ")]',
      '  redis[("Redis 7.1<br/>cache.t4g.micro × 1")]',
      '  secrets["Secrets Manager<br/>1 secret"]',
      "  users --> dns",
      "  dns --> lb",
      "  lb -->|tcp 80| fleet",
      "  lb --> bucket_alb_logs",
      "  fleet --> bucket_media",
      "  fleet -->|tcp 5432| postgres",
      "  fleet -->|tcp 6379| redis",
      "  fleet --> secrets",
    ].join("\n"));
    expect(byApp("spa").mermaid).toContain('  waf{{"AWS WAF<br/>2 rules"}}');
  });
});
