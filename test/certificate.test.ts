import * as aws from "@pulumi/aws";
import { AcmCertificate, certificateNames, usEast1Provider, validationRecordBases } from "../components/certificate";
import { AppDns } from "../components/dns";
import { RecordedResource, Recording, record } from "./harness";

const CERT = "aws:acm/certificate:Certificate";
const VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const RECORD = "aws:route53/record:Record";
const PROVIDER = "pulumi:providers:aws";

/** The explicit provider a resource was registered with, if any. */
function providerOf(rec: Recording, r: RecordedResource): RecordedResource | undefined {
  if (!r.options.provider) return undefined;
  return rec.ofType(PROVIDER).find((p) => r.options.provider!.startsWith(`${p.urn}::`));
}

describe("a CloudFront certificate in a eu-west-1 stack (Route53 DNS)", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const dns = new AppDns("site", { dns: { mode: "route53", zone: "example.com" }, domain: "example.com" });
      const cert = new AcmCertificate("site", { domain: "example.com", www: true, extraNames: ["*.example.com"], dns, region: "us-east-1" });
      // A second CloudFront certificate reuses the stack's us-east-1 provider.
      new AcmCertificate("other", { domain: "shop.example.com", dns, region: "us-east-1" });
      return { arn: cert.certificateArn, names: cert.names };
    });
  });

  it("runs in a stack whose region is not us-east-1", () => {
    expect(rec.region).toBe("eu-west-1");
  });

  it("creates the certificate, its validation and its records with an explicit us-east-1 provider", () => {
    for (const type of [CERT, VALIDATION, RECORD]) {
      for (const r of rec.ofType(type)) expect(providerOf(rec, r)?.inputs.region).toBe("us-east-1");
    }
  });

  it("shares one us-east-1 provider across the stack, registered at the top level", () => {
    const providers = rec.ofType(PROVIDER);
    expect(providers).toHaveLength(1);
    expect(providers[0].parent).toMatch(/::pulumi:pulumi:Stack::/);
  });

  it("covers domain, www and the extra names with DNS validation", () => {
    const cert = rec.one(CERT, "site-cert");
    expect(cert.inputs).toMatchObject({ domainName: "example.com", subjectAlternativeNames: ["www.example.com", "*.example.com"], validationMethod: "DNS" });
    expect(rec.outputs.names).toEqual(["example.com", "www.example.com", "*.example.com"]);
  });

  it("creates one validation record per distinct name: apex and wildcard share theirs", () => {
    const cert = rec.one(CERT, "site-cert");
    const records = rec.children(rec.one("webapp-platform:edge:AcmCertificate", "site").urn).filter((r) => r.type === RECORD);
    expect(records).toHaveLength(2);
    const names = records.map((r) => r.inputs.name);
    expect(new Set(names).size).toBe(2);
    const expected = new Map<string, string>(cert.outputs.domainValidationOptions.map((o: any) => [o.resourceRecordName, o.resourceRecordValue]));
    expect(expected.size).toBe(2); // the mock, like ACM, answers the wildcard with the apex's record
    for (const r of records) {
      expect(r.inputs).toMatchObject({ type: "CNAME", records: [expected.get(r.inputs.name)], allowOverwrite: true, ttl: 300 });
      expect(r.inputs.zoneId).toMatch(/^Z/);
    }
  });

  it("waits for issuance on exactly those records and hands out the validated ARN", () => {
    const validation = rec.one(VALIDATION, "site-validation");
    const records = rec.children(rec.one("webapp-platform:edge:AcmCertificate", "site").urn).filter((r) => r.type === RECORD);
    expect(validation.inputs.certificateArn).toBe(rec.one(CERT, "site-cert").outputs.arn);
    expect([...validation.inputs.validationRecordFqdns].sort()).toEqual(records.map((r) => r.outputs.fqdn).sort());
    expect(validation.dependencies).toEqual(expect.arrayContaining(records.map((r) => r.urn)));
    expect(rec.outputs.arn).toBe(validation.outputs.certificateArn);
  });
});

describe("regional certificates and explicit providers", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const dns = new AppDns("api", { dns: { mode: "route53", zone: "example.com" }, domain: "api.example.com" });
      new AcmCertificate("regional", { domain: "api.example.com", dns });
      const sydney = new aws.Provider("sydney", { region: "ap-southeast-2" });
      new AcmCertificate("explicit", { domain: "api.example.com", dns }, { provider: sydney });
    });
  });

  it("uses the stack's default provider when no region is asked for", () => {
    expect(rec.one(CERT, "regional-cert").options.provider).toBeUndefined();
    expect(rec.ofType(PROVIDER).map((p) => p.name)).toEqual(["sydney"]);
  });

  it("passes a provider option down to every child", () => {
    const explicit = rec.descendants(rec.one("webapp-platform:edge:AcmCertificate", "explicit").urn).filter((r) => r.custom);
    expect(explicit.length).toBeGreaterThanOrEqual(3);
    for (const r of explicit) expect(providerOf(rec, r)?.inputs.region).toBe("ap-southeast-2");
  });
});

describe("certificate arguments", () => {
  it("rejects bad names, regions and too many names, naming the field", async () => {
    await record(() => {
      const dns = new AppDns("x", { dns: { mode: "route53", zone: "example.com" }, domain: "example.com" });
      expect(() => new AcmCertificate("a", { domain: "*.example.com", dns })).toThrow(/AcmCertificate: args\.domain must be a lowercase hostname/);
      expect(() => new AcmCertificate("b", { domain: "example.com", extraNames: ["api..example.com"], dns })).toThrow(/args\.extraNames must be lowercase hostnames/);
      expect(() => new AcmCertificate("c", { domain: "example.com", dns, region: "eu-central-1" as any })).toThrow(/args\.region may only be "us-east-1"/);
      expect(() => new AcmCertificate("d", { domain: "example.com", dns, extraNames: Array.from({ length: 10 }, (_, i) => `h${i}.example.com`) })).toThrow(/11 names; ACM allows 10/);
      expect(() => new AcmCertificate("e", { domain: "example.com", dns, region: "us-east-1" }, { provider: usEast1Provider() })).toThrow(/args\.region and the provider option/);
    });
  });

  it("lists names once and validates each base name once", () => {
    expect(certificateNames("example.com", true, ["example.com", "api.example.com"])).toEqual(["example.com", "www.example.com", "api.example.com"]);
    expect(validationRecordBases(["example.com", "*.example.com", "www.example.com", "*.www.example.com"])).toEqual(["example.com", "www.example.com"]);
  });
});
