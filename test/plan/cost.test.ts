import { estimateCost } from "../../tools/plan/cost";
import { Fixture, T } from "./fixture";

/**
 * Every expected amount below is worked out by hand from tools/plan/prices.ts
 * (730 h a month, eu-west-1 list prices) and written next to its arithmetic.
 */
function smallStack(): Fixture {
  const f = new Fixture("prod");
  const net = f.component("webapp-platform:network:Network", "prod");
  f.custom(T.nat, "prod-nat-0", { parent: net });
  f.custom(T.eip, "prod-nat-0", { parent: net });
  f.custom(T.vpc, "prod-vpc", { parent: net });
  f.custom(T.kms, "prod-key");
  f.custom("aws:sqs/queue:Queue", "prod-jobs");

  const shop = f.component(T.webFleetApp, "shop");
  const fleet = f.component("webapp-platform:fleet:AppFleet", "shop-fleet", { parent: shop });
  f.custom(T.alb, "shop-alb", { parent: fleet, inputs: { loadBalancerType: "application", internal: false, subnets: ["a", "b"] } });
  const lt = f.custom(T.lt, "shop-lt", { parent: fleet, inputs: { instanceType: "t3.medium" } });
  f.custom(T.asg, "shop-asg", { parent: fleet, deps: [lt], inputs: { minSize: 2, maxSize: 6, desiredCapacity: 2 } });
  const db = f.custom(T.rds, "shop-db", { parent: shop, inputs: { instanceClass: "db.t4g.medium", multiAz: true, allocatedStorage: 50 } });
  f.custom(T.rds, "shop-replica", { parent: shop, deps: [db], inputs: { instanceClass: "db.t4g.medium", multiAz: false, replicateSourceDb: "arn:aws:rds:eu-west-1:123456789012:db:shop" } });
  f.custom(T.redis, "shop-cache", { parent: shop, inputs: { nodeType: "cache.t4g.small", numCacheClusters: 2 } });
  f.custom(T.webAcl, "shop-waf", { parent: shop, inputs: { rules: [{}, {}, {}] } });
  f.custom(T.secret, "shop-secret", { parent: shop });
  f.custom(T.backupSelection, "shop-backup", { parent: shop, deps: [db] });
  f.custom(T.sg, "shop-sg", { parent: shop });

  const blog = f.component(T.singleHostApp, "blog");
  const host = f.custom(T.instance, "blog-host", { parent: blog, inputs: { instanceType: "t3.small", rootBlockDevice: { volumeSize: 20, volumeType: "gp3" } } });
  f.custom(T.eip, "blog-ip", { parent: blog, deps: [host] });
  f.custom(T.rds, "blog-db", { parent: blog, inputs: { instanceClass: "db.t4g.micro", multiAz: false, allocatedStorage: 20 } });
  f.custom(T.cdn, "blog-cdn", { parent: blog });
  f.custom(T.bucket, "blog-media", { parent: blog });
  f.custom(T.logGroup, "blog-nginx", { parent: blog });
  f.custom(T.alarm, "blog-down", { parent: blog });
  const query = (metricName: string) => ({ id: metricName, metric: { namespace: "AWS/ApplicationELB", metricName, stat: "Sum", period: 300 } });
  f.custom(T.alarm, "blog-error-rate", { parent: blog, inputs: { metricQueries: [query("HTTPCode_Target_5XX_Count"), query("RequestCount"), { id: "rate", expression: "100 * a / b", returnData: true }] } });
  f.custom(T.instance, "blog-big", { parent: blog, inputs: { instanceType: "x1e.32xlarge" } });
  return f;
}

describe("monthly cost estimate", () => {
  const report = estimateCost(smallStack().resources);
  const group = (name: string) => {
    const g = report.groups.find((x) => x.name === name);
    if (!g) throw new Error(`no group ${name}`);
    return g;
  };
  const item = (groupName: string, name: string, type?: string) => {
    const it = group(groupName).items.find((i) => i.name === name && (!type || i.type === type));
    if (!it) throw new Error(`no item ${name}`);
    return it;
  };

  it("groups by the nearest architecture component, shared resources last", () => {
    expect(report.groups.map((g) => [g.name, g.architecture])).toEqual([["shop", "WebFleetApp"], ["blog", "SingleHostApp"], ["platform (shared)", null]]);
  });

  it("prices a Multi-AZ database at twice the instance and storage", () => {
    // 0.072 × 730 × 2 = 105.12; 50 GB × 0.127 × 2 = 12.70
    expect(item("shop", "shop-db").monthly).toBe(117.82);
    expect(item("shop", "shop-db").basis).toBe("db.t4g.medium $0.072/h × 730 h × 2 (Multi-AZ) + 50 GB × $0.127 × 2 (Multi-AZ)");
  });

  it("gives a read replica its source's storage", () => {
    // 0.072 × 730 = 52.56; 50 GB × 0.127 = 6.35
    expect(item("shop", "shop-replica").monthly).toBe(58.91);
  });

  it("prices an ASG at desired capacity × its launch template's instance type and root volume", () => {
    // per instance 0.0456 × 730 = 33.288 + 8 GB × 0.088 = 0.704 → 33.992; × 2 = 67.984
    expect(item("shop", "shop-asg").monthly).toBe(67.98);
    expect(item("shop", "shop-asg").basis).toBe("2 × (t3.medium $0.0456/h × 730 h + 8 GB gp3 × $0.088) (desired capacity)");
  });

  it("prices the ALB's hours, one LCU and a public IPv4 per AZ", () => {
    // 0.0252 × 730 = 18.396; 1 × 0.008 × 730 = 5.84; 2 × 0.005 × 730 = 7.30
    expect(item("shop", "shop-alb").monthly).toBe(31.54);
  });

  it("prices caches per node, WAF per ACL, rule and request, and backups by selected storage", () => {
    expect(item("shop", "shop-cache").monthly).toBe(52.56); // 2 × 0.036 × 730
    expect(item("shop", "shop-waf").monthly).toBe(9.2); // 5 + 3 × 1 + 2 × 0.60
    expect(item("shop", "shop-secret").monthly).toBe(0.4);
    expect(item("shop", "shop-backup").monthly).toBe(4.75); // 50 GB × 0.095
    // 117.82 + 58.91 + 67.98 + 31.54 + 52.56 + 9.20 + 0.40 + 4.75
    expect(group("shop").monthly).toBe(343.16);
    expect(group("shop").freeCount).toBe(2); // launch template, security group
  });

  it("prices a single host with its root volume and Elastic IP, and usage-based services by their stated assumptions", () => {
    expect(item("blog", "blog-host").monthly).toBe(18.4); // 0.0228 × 730 = 16.644 + 20 × 0.088 = 1.76
    expect(item("blog", "blog-ip").monthly).toBe(3.65); // 0.005 × 730
    expect(item("blog", "blog-db").monthly).toBe(15.68); // 0.018 × 730 = 13.14 + 20 × 0.127 = 2.54
    expect(item("blog", "blog-cdn").monthly).toBe(6.65); // 50 GB × 0.085 + 200 × 10k requests × 0.012
    expect(item("blog", "blog-media").monthly).toBe(0.23); // 10 GB × 0.023
    expect(item("blog", "blog-nginx").monthly).toBe(0.6); // 1 GB × 0.57 + 1 GB-month × 0.03
    expect(item("blog", "blog-down").monthly).toBe(0.1);
    expect(item("blog", "blog-error-rate").monthly).toBe(0.2); // metric math: each of its two metrics
    expect(group("blog").monthly).toBe(45.51);
  });

  it("reports what it cannot price instead of counting it as free", () => {
    expect(report.unpriced).toEqual([
      { type: "aws:ec2/instance:Instance", count: 1, reason: "instance type x1e.32xlarge not in the price table" },
      { type: "aws:sqs/queue:Queue", count: 1, reason: "type not in the price table" },
    ]);
  });

  it("adds the shared platform and the stack total from the rounded lines", () => {
    expect(item("platform (shared)", "prod-nat-0", T.nat).monthly).toBe(37.44); // 0.048 × 730 = 35.04 + 50 GB × 0.048 = 2.40
    expect(item("platform (shared)", "prod-nat-0", T.eip).monthly).toBe(3.65);
    expect(group("platform (shared)").monthly).toBe(42.09); // 37.44 + 3.65 + 1.00 (KMS key)
    expect(report.monthly).toBe(430.76); // 343.16 + 45.51 + 42.09
  });
});
