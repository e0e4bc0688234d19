import { AppFleet } from "../components/app-fleet";
import { contextFrom, loadStackConfig } from "../config";
import { AppDns, RequiredDnsRecord, dedupeRecords, externalAliasRecords } from "../components/dns";
import { Recording, record } from "./harness";

const RECORD = "aws:route53/record:Record";
const CERT = "aws:acm/certificate:Certificate";

describe("route53 mode", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const dns = new AppDns("shop", { dns: { mode: "route53", zone: "example.com" }, domain: "example.com" });
      dns.alias("shop-domain", "example.com", { kind: "cloudfront", dnsName: "d111.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", ipv6: true }, dns);
      dns.alias("shop-api", "api.example.com", { kind: "alb", dnsName: "shop-1.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", ipv6: false }, dns);
      return { zoneId: dns.zoneId, requiredRecords: dns.requiredRecords, note: dns.note };
    });
  });

  it("looks the public zone up by name and aliases into it", () => {
    const zoneId = rec.outputs.zoneId as string;
    expect(zoneId).toMatch(/^Z[0-9A-F]+$/);
    for (const r of rec.ofType(RECORD)) expect(r.inputs.zoneId).toBe(zoneId);
  });

  it("creates A and AAAA aliases for an IPv6 CloudFront target, without target health", () => {
    const apex = rec.ofType(RECORD).filter((r) => r.inputs.name === "example.com");
    expect(apex.map((r) => r.inputs.type).sort()).toEqual(["A", "AAAA"]);
    for (const r of apex) expect(r.inputs.aliases).toEqual([{ name: "d111.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }]);
  });

  it("creates only an A alias for an IPv4 load balancer, evaluating its health", () => {
    const api = rec.ofType(RECORD).filter((r) => r.inputs.name === "api.example.com");
    expect(api.map((r) => [r.inputs.type, r.inputs.aliases[0].evaluateTargetHealth])).toEqual([["A", true]]);
    expect(api[0].inputs.records).toBeUndefined();
  });

  it("leaves nothing for the operator to add", () => {
    expect(rec.outputs.requiredRecords).toEqual([]);
    expect(rec.outputs.note).toMatch(/Route53 hosted zone example\.com/);
  });
});

describe("external mode (the Avanii shop at GoDaddy, prod stack)", () => {
  let rec: Recording;
  let required: RequiredDnsRecord[];
  beforeAll(async () => {
    rec = await record(() => {
      const config = loadStackConfig();
      const app = config.apps.find((a) => a.name === "avanii-shop")!;
      const dns = new AppDns(app.name, { dns: app.dns, domain: app.domain });
      const fleet = new AppFleet(app.name, {
        ctx: contextFrom(config), app: app.name, vpcId: "vpc-1", publicSubnetIds: ["subnet-a", "subnet-b"], privateSubnetIds: ["subnet-c", "subnet-d"],
        loadBalancerSecurityGroupId: "sg-lb", instanceSecurityGroupId: "sg-app", hostnames: [app.domain, `www.${app.domain}`], dns,
        amiId: "ami-1", userData: "#cloud-config\n{}\n", appVersion: app.appVersion, healthCheckPath: app.healthCheckPath, fleet: app.fleet,
        instanceType: app.instanceType,
      });
      return { requiredRecords: dns.requiredRecords, note: dns.note, alb: fleet.albDnsName };
    }, { stack: "prod" });
    required = rec.outputs.requiredRecords as RequiredDnsRecord[];
  });

  it("creates no Route53 resource at all", () => {
    expect(rec.resources.filter((r) => r.type.startsWith("aws:route53/"))).toEqual([]);
  });

  it("lists the site records: ALIAS advice for the apex, a CNAME for www, both to the load balancer", () => {
    const alb = rec.outputs.alb as string;
    expect(required.filter((r) => !r.purpose.startsWith("ACM")).map((r) => [r.name, r.type, r.value])).toEqual([
      ["avaniishop.com", "ALIAS", alb],
      ["www.avaniishop.com", "CNAME", alb],
    ]);
    expect(required.find((r) => r.type === "ALIAS")!.purpose).toMatch(/forward avaniishop\.com to https:\/\/www\.avaniishop\.com/);
  });

  it("lists every certificate validation record, once per name, exactly as ACM asks", () => {
    const cert = rec.one(CERT);
    const validation = required.filter((r) => r.purpose.startsWith("ACM"));
    const expected = cert.outputs.domainValidationOptions.map((o: any) => [o.resourceRecordName.replace(/\.$/, ""), "CNAME", o.resourceRecordValue.replace(/\.$/, "")]);
    expect(validation.map((r) => [r.name, r.type, r.value])).toEqual(expected);
    expect(validation).toHaveLength(2);
  });

  it("does not wait for a validation only the operator can complete", () => {
    expect(rec.ofType("aws:acm/certificateValidation:CertificateValidation")).toEqual([]);
  });

  it("holds back the HTTPS listener until dns.certificateValidated; port 80 only redirects", () => {
    const listeners = rec.ofType("aws:lb/listener:Listener");
    expect(listeners.map((l) => [l.name, l.inputs.protocol, l.inputs.defaultActions[0].type])).toEqual([["avanii-shop-http", "HTTP", "redirect"]]);
  });

  it("gives the operator's steps in order, then the apex advice", () => {
    const note = rec.outputs.note as string;
    const at = ["Step 1 (this pulumi up", "Step 2: at GoDaddy", "Step 3: when ACM shows", "cannot be a CNAME"].map((s) => note.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(note).toMatch(/set apps\.avanii-shop\.dns\.certificateValidated: true in Pulumi\.<stack>\.yaml and run pulumi up again/);
  });

  it("explains why the apex cannot be a CNAME and what to do instead", () => {
    const note = rec.outputs.note as string;
    expect(note).toMatch(/GoDaddy/);
    expect(note).toMatch(/apex \(avaniishop\.com\) cannot be a CNAME/);
    expect(note).toMatch(/ALIAS or ANAME record, or CNAME flattening/);
    expect(note).toMatch(/move the domain's DNS to Route53/);
    expect(note).toMatch(/redirect avaniishop\.com to https:\/\/www\.avaniishop\.com/);
  });
});

describe("AppDns rules", () => {
  it("knows when certificates may be used: Route53 always, external DNS once validated, host certificates always", async () => {
    await record(() => {
      const ext = (certificateValidated?: boolean, certificates?: "acm" | "host") =>
        new AppDns(`x${Math.random().toString(36).slice(2, 8)}`, { dns: { mode: "external", registrar: "GoDaddy", certificateValidated }, domain: "example.com", certificates });
      expect(new AppDns("r", { dns: { mode: "route53", zone: "example.com" }, domain: "example.com" }).certificatesValidated).toBe(true);
      expect(ext().certificatesValidated).toBe(false);
      expect(ext(true).certificatesValidated).toBe(true);
      expect(ext(undefined, "host").certificatesValidated).toBe(true);
      expect(ext(undefined, "host").note).not.toMatch(/certificateValidated/);
      expect(() => ext(true, "host")).toThrow(/AppDns: args\.dns\.certificateValidated does not apply when the host issues its own certificates/);
    });
  });


  it("rejects bad arguments naming the field, and records added after the program was built", async () => {
    let late: (() => void) | undefined;
    await record(async () => {
      expect(() => new AppDns("a", { dns: { mode: "route53", zone: "example.com" }, domain: "shop.example.org" })).toThrow(/AppDns: args\.domain "shop\.example\.org" is not in the Route53 zone "example\.com"/);
      expect(() => new AppDns("b", { dns: { mode: "external", registrar: "GoDaddy" }, domain: "Shop.Example.com" })).toThrow(/args\.domain must be a lowercase hostname/);
      expect(() => new AppDns("c", { dns: { mode: "route53", zone: "example.com" }, domain: "example.com", apexDomain: "other.com" })).toThrow(/args\.apexDomain/);
      const dns = new AppDns("d", { dns: { mode: "external", registrar: "GoDaddy" }, domain: "shop.example.co.uk", apexDomain: "example.co.uk" });
      const target = { kind: "alb" as const, dnsName: "lb", zoneId: "Z", ipv6: false };
      expect(() => dns.alias("x", "shop.other.com", target, dns)).toThrow(/not under example\.co\.uk/);
      dns.alias("y", "shop.example.co.uk", target, dns);
      expect(() => dns.alias("z", "shop.example.co.uk", target, dns)).toThrow(/already points somewhere/);
      const r53 = new AppDns("e", { dns: { mode: "route53", zone: "example.com" }, domain: "example.com" });
      expect(() => r53.addExternalRecords([])).toThrow(/only collected for external DNS/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      late = () => dns.addExternalRecords([{ name: "a.example.co.uk", type: "CNAME", value: "b", purpose: "late" }]);
    });
    expect(late).toThrow(/after the program was built/);
  });

  it("treats only the apex specially and drops repeated records", () => {
    expect(externalAliasRecords("api.shop.io", "shop.io", "d1.cloudfront.net.", "cloudfront")).toEqual([
      { name: "api.shop.io", type: "CNAME", value: "d1.cloudfront.net", purpose: "api.shop.io served by the CloudFront distribution" },
    ]);
    expect(externalAliasRecords("shop.io", "shop.io", "lb.amazonaws.com", "alb")[0].type).toBe("ALIAS");
    const r = { name: "_x.shop.io", type: "CNAME", value: "_y.acm-validations.aws", purpose: "p" };
    expect(dedupeRecords([r, { ...r, purpose: "q" }, { ...r, name: "_z.shop.io" }])).toHaveLength(2);
  });
});
