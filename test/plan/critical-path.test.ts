import { creationTime, criticalPath, formatDuration } from "../../tools/plan/critical-path";
import { Fixture, T } from "./fixture";

/**
 * A small deploy graph with known creation times (tools/plan/prices.ts):
 *   network: vpc 5 -> subnet 5 -> NAT 120                       (finishes at 130)
 *   app:     RDS Multi-AZ 1050 waits for the whole network component -> 130 + 1050 = 1180
 *            cert 5 -> validation record 45 -> validation 210 -> CloudFront 450 -> alias 45 = 755
 *            launch template 5 -> ASG with instances 300 = 305
 */
function deployGraph(): Fixture {
  const f = new Fixture("prod");
  const net = f.component("webapp-platform:network:Network", "prod");
  const vpc = f.custom(T.vpc, "prod-vpc", { parent: net });
  const subnet = f.custom(T.subnet, "prod-public-0", { parent: net, deps: [vpc] });
  f.custom(T.nat, "prod-nat-0", { parent: net, deps: [subnet] });

  const app = f.component(T.spaApiApp, "shop");
  const east = f.custom(T.provider, "shop-us-east-1", { parent: app });
  f.custom(T.rds, "shop-db", { parent: app, deps: [net], inputs: { multiAz: true } });
  const cert = f.custom(T.cert, "shop-cert", { parent: app, provider: `${east}::provider-id` });
  const record = f.custom(T.record, "shop-cert-validation", { parent: app, deps: [cert] });
  const validation = f.custom(T.certValidation, "shop-cert", { parent: app, deps: [cert, record], provider: `${east}::provider-id` });
  const cdn = f.custom(T.cdn, "shop-cdn", { parent: app, deps: [validation] });
  f.custom(T.record, "shop-a", { parent: app, deps: [cdn] });
  const lt = f.custom(T.lt, "shop-lt", { parent: app });
  f.custom(T.asg, "shop-asg", { parent: app, deps: [lt], inputs: { desiredCapacity: 2 } });
  return f;
}

describe("deploy critical path", () => {
  it("picks creation times by type and inputs", () => {
    const f = new Fixture();
    const rds = (inputs: object) => f.get(f.custom(T.rds, `db${Object.keys(inputs).length}${JSON.stringify(inputs).length}`, { inputs }));
    expect(creationTime(rds({ multiAz: true })).typical).toBe(1050);
    expect(creationTime(rds({ multiAz: false })).typical).toBe(600);
    expect(creationTime(rds({ replicateSourceDb: "arn" })).typical).toBe(750);
    expect(creationTime(f.get(f.custom(T.asg, "empty", { inputs: { desiredCapacity: 0 } }))).typical).toBe(30);
    expect(creationTime(f.get(f.custom(T.asg, "full", { inputs: { minSize: 1 } }))).typical).toBe(300);
    expect(creationTime(f.get(f.custom(T.sg, "sg"))).typical).toBe(5);
    expect(creationTime(f.get(f.component(T.webFleetApp, "app"))).typical).toBe(0);
  });

  it("waits for every descendant of a component dependency and lists the chain", () => {
    const cp = criticalPath(deployGraph().resources);
    expect(cp.seconds).toBe(1180);
    expect(cp.chain.map((s) => [s.name, s.start, s.seconds, s.finish, s.group])).toEqual([
      ["prod-vpc", 0, 5, 5, "platform (shared)"],
      ["prod-public-0", 5, 5, 10, "platform (shared)"],
      ["prod-nat-0", 10, 120, 130, "platform (shared)"],
      ["shop-db", 130, 1050, 1180, "shop"],
    ]);
    // Fastest: 5 + 5 + 90 + 900; slowest: 10 + 10 + 180 + 1200.
    expect([cp.low, cp.high]).toEqual([1000, 1400]);
  });

  it("follows the slow certificate and CloudFront chain when the database does not wait for the network", () => {
    const f = deployGraph();
    const db = f.resources.find((r) => r.name === "shop-db");
    if (db) db.dependencies = [];
    const cp = criticalPath(f.resources);
    // A Multi-AZ database alone (1050 s) still outlasts the 755 s certificate and CloudFront chain.
    expect(cp.seconds).toBe(1050);
    expect(cp.chain.map((s) => s.name)).toEqual(["shop-db"]);
    if (db) db.inputs.multiAz = false; // single-AZ: 600 s, now shorter than that chain
    const cp2 = criticalPath(f.resources);
    expect(cp2.seconds).toBe(755);
    expect(cp2.chain.map((s) => [s.name, s.type, s.start, s.finish])).toEqual([
      ["shop-cert", T.cert, 0, 5],
      ["shop-cert-validation", T.record, 5, 50],
      ["shop-cert", T.certValidation, 50, 260],
      ["shop-cdn", T.cdn, 260, 710],
      ["shop-a", T.record, 710, 755],
    ]);
  });

  it("makes a child of a custom resource wait for its parent, not a child of a component", () => {
    const f = new Fixture();
    const app = f.component(T.webFleetApp, "app");
    const slow = f.custom(T.nat, "nat", { parent: app });
    f.custom(T.sg, "child-of-custom", { parent: slow });
    f.custom(T.sg, "child-of-component", { parent: app });
    const cp = criticalPath(f.resources);
    expect(cp.seconds).toBe(125);
    expect(cp.chain.map((s) => s.name)).toEqual(["nat", "child-of-custom"]);
  });

  it("rejects a dependency cycle, naming it", () => {
    const f = new Fixture();
    const a = f.custom(T.sg, "a");
    const b = f.custom(T.sg, "b", { deps: [a] });
    f.get(a).dependencies = [b];
    expect(() => criticalPath(f.resources)).toThrow(/dependency cycle: .*::a -> .*::b -> .*::a/);
  });

  it("formats durations for the report", () => {
    expect([formatDuration(45), formatDuration(120), formatDuration(1180)]).toEqual(["45 s", "2 min", "19 min 40 s"]);
  });
});
