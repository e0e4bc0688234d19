import { Connections, Peers } from "../components/connections";
import { SecurityTiers } from "../components/security-tiers";
import { appTiers } from "../architectures/tiers";
import { Recording, record } from "./harness";

const IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SG = "aws:ec2/securityGroup:SecurityGroup";

function groupByTag(rec: Recording, role: string) {
  return rec.ofType(SG).find((g) => g.inputs.tags.role === role)!;
}
function rulesOf(rec: Recording, type: string, role: string) {
  const sg = groupByTag(rec, role);
  return rec.ofType(type).filter((r) => r.inputs.securityGroupId === sg.id);
}
const worldOpen = (r: { inputs: Record<string, any> }) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0";

describe("security tiers for a fleet behind a load balancer", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => { appTiers("shop", { vpcId: "vpc-1", hosts: "fleet" }, { postgres: true, redis: true }); });
  });

  it("creates load balancer, app and data groups tagged with their tier", () => {
    expect(rec.ofType(SG).map((g) => [g.inputs.tags.role, g.inputs.tags.tier]).sort()).toEqual([["app", "app"], ["data", "data"], ["lb", "edge"]]);
  });

  it("opens only 80 and 443 to the world, and only on the load balancer", () => {
    const open = rec.ofType(IN).filter(worldOpen);
    expect(open.map((r) => r.inputs.fromPort).sort()).toEqual([443, 80]);
    expect(open.every((r) => r.inputs.securityGroupId === groupByTag(rec, "lb").id)).toBe(true);
  });

  it("admits app hosts only from the load balancer's group", () => {
    expect(rulesOf(rec, IN, "app").map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId, r.inputs.cidrIpv4])).toEqual([[80, groupByTag(rec, "lb").id, undefined]]);
  });

  it("admits PostgreSQL and Redis on the data tier only from the app tier's group, never from a CIDR", () => {
    const data = rulesOf(rec, IN, "data");
    expect(data.map((r) => r.inputs.fromPort).sort()).toEqual([5432, 6379]);
    for (const r of data) {
      expect(r.inputs.referencedSecurityGroupId).toBe(groupByTag(rec, "app").id);
      expect(r.inputs.cidrIpv4).toBeUndefined();
      expect(r.inputs.cidrIpv6).toBeUndefined();
    }
    expect(rulesOf(rec, OUT, "data")).toEqual([]);
  });

  it("restricts egress: the load balancer only to app hosts, app hosts to web and the data tier", () => {
    expect(rulesOf(rec, OUT, "lb").map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId])).toEqual([[80, groupByTag(rec, "app").id]]);
    const appOut = rulesOf(rec, OUT, "app");
    expect(appOut.filter(worldOpen).map((r) => r.inputs.fromPort).sort()).toEqual([443, 80]);
    expect(appOut.filter((r) => r.inputs.referencedSecurityGroupId === groupByTag(rec, "data").id).map((r) => r.inputs.fromPort).sort()).toEqual([5432, 6379]);
  });

  it("describes every rule", () => {
    for (const r of [...rec.ofType(IN), ...rec.ofType(OUT)]) expect(r.inputs.description).toMatch(/\w{4,}/);
  });
});

describe("security tiers for a single edge host", () => {
  it("opens 80/443 to the world, no SSH without admin CIDRs, and the data tier only to the edge group", async () => {
    const rec = await record(() => { appTiers("sbp", { vpcId: "vpc-1", hosts: "edge" }, { postgres: true }); });
    const edge = rulesOf(rec, IN, "edge");
    expect(edge.every(worldOpen)).toBe(true);
    expect([...new Set(edge.map((r) => r.inputs.fromPort))].sort()).toEqual([443, 80]);
    expect(rec.ofType(IN).some((r) => r.inputs.fromPort === 22)).toBe(false);
    expect(rulesOf(rec, IN, "data").map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId])).toEqual([[5432, groupByTag(rec, "edge").id]]);
  });

  it("opens SSH only to the configured admin CIDRs", async () => {
    const rec = await record(() => { appTiers("sbp", { vpcId: "vpc-1", hosts: "edge" }, { adminCidrs: ["203.0.113.0/24"] }); });
    const ssh = rec.ofType(IN).filter((r) => r.inputs.fromPort === 22);
    expect(ssh.map((r) => r.inputs.cidrIpv4)).toEqual(["203.0.113.0/24"]);
  });

  it("rejects SSH from the world and admin CIDRs on fleets before creating anything", () => {
    expect(() => appTiers("x", { vpcId: "vpc-1", hosts: "edge" }, { adminCidrs: ["0.0.0.0/0"] })).toThrow(/args\.adminCidrs may not contain a \/0/);
    expect(() => appTiers("x", { vpcId: "vpc-1", hosts: "fleet" }, { adminCidrs: ["203.0.113.0/24"] })).toThrow(/args\.adminCidrs only applies to edge hosts/);
  });
});

describe("security tiers for a fleet behind CloudFront", () => {
  it("admits the load balancer only from CloudFront's origin-facing prefix list, never the whole internet", async () => {
    const rec = await record(() => { appTiers("saas", { vpcId: "vpc-1", hosts: "fleet" }, { loadBalancerSources: "cloudfront" }); });
    expect(rulesOf(rec, IN, "lb").map((r) => [r.inputs.fromPort, r.inputs.prefixListId, r.inputs.cidrIpv4])).toEqual([[443, "pl-4fa04526", undefined]]);
    expect(rec.ofType(IN).filter(worldOpen)).toEqual([]);
  });
});

describe("connections", () => {
  it("names every rule by its group, direction, port and peer, so a data store turned on or off renames no other rule", async () => {
    const names = async (redis: boolean) => (await record(() => { appTiers("shop", { vpcId: "vpc-1", hosts: "fleet" }, { postgres: true, redis }); }))
      .resources.filter((r) => r.type === IN || r.type === OUT).map((r) => r.name).sort();
    const withRedis = await names(true);
    const without = await names(false);
    expect(withRedis).toEqual(expect.arrayContaining([
      "shop-lb-in-443-from-world", "shop-lb-out-80-to-app", "shop-app-in-80-from-lb", "shop-app-out-5432-to-data", "shop-data-in-5432-from-app", "shop-data-in-6379-from-app",
    ]));
    expect(withRedis.filter((n) => !without.includes(n))).toEqual(["shop-app-out-6379-to-data", "shop-data-in-6379-from-app"]);
  });

  it("a group peer gets both sides: egress on the one that connects, ingress on the other", async () => {
    const rec = await record(() => { appTiers("shop", { vpcId: "vpc-1", hosts: "fleet" }, { postgres: true }); });
    const out = rec.one(OUT, "shop-app-out-5432-to-data");
    const inn = rec.one(IN, "shop-data-in-5432-from-app");
    expect([out.inputs.securityGroupId, out.inputs.referencedSecurityGroupId]).toEqual([groupByTag(rec, "app").id, groupByTag(rec, "data").id]);
    expect([inn.inputs.securityGroupId, inn.inputs.referencedSecurityGroupId]).toEqual([groupByTag(rec, "data").id, groupByTag(rec, "app").id]);
    expect([out.inputs.description, inn.inputs.description]).toEqual(["PostgreSQL to the data tier", "PostgreSQL from the app hosts"]);
  });

  it("keeps the rules' former position-based names as aliases, counted per group and direction", async () => {
    const rec = await record(() => { appTiers("shop", { vpcId: "vpc-1", hosts: "fleet" }, { postgres: true, redis: true }); });
    const aliasOf = (type: string, name: string) => rec.one(type, name).options.aliases.map((u) => u.split("::").pop());
    expect(aliasOf(IN, "shop-lb-in-80-from-world")).toEqual(["shop-lb-in-0"]);
    expect(aliasOf(IN, "shop-lb-in-443-from-world")).toEqual(["shop-lb-in-1"]);
    expect(aliasOf(OUT, "shop-app-out-443-to-world")).toEqual(["shop-app-out-0"]);
    expect(aliasOf(OUT, "shop-app-out-6379-to-data")).toEqual(["shop-app-out-3"]);
    expect(aliasOf(IN, "shop-data-in-6379-from-app")).toEqual(["shop-data-in-1"]);
  });

  it("refuses a port or description EC2 would refuse, and a connection declared twice", async () => {
    await record(() => {
      const tiers = new SecurityTiers("shop", { vpcId: "vpc-1", hosts: "edge" });
      expect(() => tiers.hosts.allowFrom(Peers.anyIpv4(), 0, "nothing")).toThrow(/args\.port must be a TCP port \(1-65535\), got 0/);
      expect(() => tiers.hosts.allowFrom(Peers.anyIpv4(), 443, "the app's HTTPS")).toThrow(/args\.description "the app's HTTPS" is not a description EC2 accepts/);
      tiers.hosts.allowFrom(Peers.anyIpv4(), 443, "HTTPS from the internet");
      expect(() => tiers.hosts.allowFrom(Peers.anyIpv4(), 443, "HTTPS again")).toThrow(/shop-edge-in-443-from-world is declared twice/);
      expect(tiers.data).toBeInstanceOf(Connections);
    });
  });

  it("labels a CIDR peer by its address", () => {
    expect(Peers.ipv4("203.0.113.0/24").label).toBe("203-0-113-0-24");
    expect(Peers.anyIpv6().label).toBe("world-v6");
  });
});
