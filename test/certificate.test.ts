import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AcmCertificate, certificateNames, validationRecordBases } from "../components/certificate";
import { usEast1Provider } from "../components/providers";
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

const REGISTRY = "webapp-platform:dns:ValidationRecords";

/** Captures each validation record's aliases (resolved to URNs) while the program registers it. */
function captureAliases(): Record<string, pulumi.Output<string[]>> {
  const seen: Record<string, pulumi.Output<string[]>> = {};
  pulumi.runtime.registerStackTransformation((args) => {
    if (args.type === RECORD) {
      seen[args.name] = pulumi.all((args.opts.aliases ?? []).map((a: any) =>
        pulumi.all([a.name, (a.parent as pulumi.Resource).urn]).apply(([name, parentUrn]) =>
          `${parentUrn.replace(/::[^:]*$/, "")}$${RECORD}::${name}`)));
    }
    return undefined;
  });
  return seen;
}

/** The URN a record had when it was the child of an AcmCertificate component (before the registry). */
function childUrn(parent: RecordedResource, name: string): string {
  return `${parent.urn.replace(/::[^:]*$/, "")}$${RECORD}::${name}`;
}

describe("a CloudFront certificate in a eu-west-1 stack (Route53 DNS)", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const aliases = captureAliases();
      const dns = new AppDns("site", { dns: { mode: "route53", zone: "example.com" }, domain: "example.com" });
      const cert = new AcmCertificate("site", { domain: "example.com", www: true, extraNames: ["*.example.com"], dns, region: "us-east-1" });
      // A second CloudFront certificate reuses the stack's us-east-1 provider.
      new AcmCertificate("other", { domain: "shop.example.com", dns, region: "us-east-1" });
      return { arn: cert.certificateArn, names: cert.names, aliases };
    });
  });

  it("runs in a stack whose region is not us-east-1", () => {
    expect(rec.region).toBe("eu-west-1");
  });

  it("creates the certificate, its validation and its records with an explicit us-east-1 provider", () => {
    for (const type of [CERT, VALIDATION, RECORD]) {
      expect(rec.ofType(type).length).toBeGreaterThan(0);
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

  it("creates one validation record per distinct name, in the stack's registry: apex and wildcard share theirs", () => {
    const cert = rec.one(CERT, "site-cert");
    const registry = rec.one(REGISTRY);
    expect(registry.parent).toMatch(/::pulumi:pulumi:Stack::/);
    const records = rec.children(registry.urn).filter((r) => r.type === RECORD && /example-com$/.test(r.name) && !/shop/.test(r.name));
    expect(records.map((r) => r.name).sort()).toEqual(["acm-validation-example-com", "acm-validation-www-example-com"]);
    const expected = new Map<string, string>(cert.outputs.domainValidationOptions.map((o: any) => [o.resourceRecordName, o.resourceRecordValue]));
    expect(expected.size).toBe(2); // the mock, like ACM, answers the wildcard with the apex's record
    for (const r of records) {
      expect(r.inputs).toMatchObject({ type: "CNAME", records: [expected.get(r.inputs.name)], allowOverwrite: true, ttl: 300 });
      expect(r.inputs.zoneId).toMatch(/^Z/);
      expect(r.options.deleteBeforeReplace).toBe(true);
    }
    // No record is a certificate's child any more.
    for (const c of rec.ofType("webapp-platform:edge:AcmCertificate")) expect(rec.children(c.urn).filter((r) => r.type === RECORD)).toEqual([]);
  });

  it("adopts the records a certificate created before the registry (aliases to their old URNs)", () => {
    const site = rec.one("webapp-platform:edge:AcmCertificate", "site");
    const aliases = rec.outputs.aliases as Record<string, string[]>;
    expect(aliases["acm-validation-example-com"]).toEqual([childUrn(site, "site-validation-example-com")]);
    expect(aliases["acm-validation-www-example-com"]).toEqual([childUrn(site, "site-validation-www-example-com")]);
  });

  it("waits for issuance on exactly those records and hands out the validated ARN", () => {
    const validation = rec.one(VALIDATION, "site-validation");
    const records = ["acm-validation-example-com", "acm-validation-www-example-com"].map((n) => rec.one(RECORD, n));
    expect(validation.inputs.certificateArn).toBe(rec.one(CERT, "site-cert").outputs.arn);
    expect([...validation.inputs.validationRecordFqdns].sort()).toEqual(records.map((r) => r.outputs.fqdn).sort());
    expect(validation.dependencies).toEqual(expect.arrayContaining(records.map((r) => r.urn)));
    expect(validation.dependencies).not.toContain(rec.one(RECORD, "acm-validation-shop-example-com").urn);
    expect(rec.outputs.arn).toBe(validation.outputs.certificateArn);
  });
});

/** The load balancer's and CloudFront's certificates of one app, sharing the viewer names (the containers architecture). */
function twoCertificates(order: "origin-first" | "cdn-first" | "cdn-only") {
  return () => {
    const aliases = captureAliases();
    const dns = new AppDns("saas", { dns: { mode: "route53", zone: "example.com" }, domain: "example.com" });
    const origin = () => new AcmCertificate("saas-origin", { domain: "origin.example.com", extraNames: ["example.com", "www.example.com", "api.example.com"], dns });
    const cdn = () => new AcmCertificate("saas-cdn", { domain: "example.com", extraNames: ["www.example.com", "api.example.com"], dns, region: "us-east-1" });
    if (order === "origin-first") { origin(); cdn(); }
    if (order === "cdn-first") { cdn(); origin(); }
    if (order === "cdn-only") cdn();
    return { aliases };
  };
}

describe("two certificates sharing names (the load balancer's and CloudFront's)", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(twoCertificates("origin-first"));
  });

  it("creates exactly one record per validation name in the stack", () => {
    const records = rec.ofType(RECORD);
    expect(records.map((r) => r.inputs.name).sort()).toEqual([...new Set(records.map((r) => r.inputs.name))].sort());
    expect(records.map((r) => r.name).sort()).toEqual([
      "acm-validation-api-example-com", "acm-validation-example-com", "acm-validation-origin-example-com", "acm-validation-www-example-com",
    ]);
  });

  it("makes each certificate's validation wait on the records of its own names", () => {
    const fqdnOf = (n: string) => rec.one(RECORD, `acm-validation-${n.replace(/\./g, "-")}`);
    const expectWaits = (validation: string, names: string[], notOn: string[]) => {
      const v = rec.one(VALIDATION, validation);
      expect([...v.inputs.validationRecordFqdns].sort()).toEqual(names.map((n) => fqdnOf(n).outputs.fqdn).sort());
      expect(v.dependencies).toEqual(expect.arrayContaining(names.map((n) => fqdnOf(n).urn)));
      for (const n of notOn) expect(v.dependencies).not.toContain(fqdnOf(n).urn);
    };
    expectWaits("saas-origin-validation", ["origin.example.com", "example.com", "www.example.com", "api.example.com"], []);
    expectWaits("saas-cdn-validation", ["example.com", "www.example.com", "api.example.com"], ["origin.example.com"]);
  });

  it("keeps the provider the first certificate's records had, and adopts only that certificate's old records", () => {
    for (const r of rec.ofType(RECORD)) expect(r.options.provider).toBeUndefined(); // the load balancer's: the stack's region
    const origin = rec.one("webapp-platform:edge:AcmCertificate", "saas-origin");
    expect((rec.outputs.aliases as Record<string, string[]>)["acm-validation-www-example-com"]).toEqual([childUrn(origin, "saas-origin-validation-www-example-com")]);
  });

  it("gives the records the same URNs whichever certificate asks first, and keeps them when one certificate goes", async () => {
    const urns = (r: Recording) => new Map(r.ofType(RECORD).map((x) => [x.inputs.name, x.urn]));
    const both = urns(rec);
    const reversed = urns(await record(twoCertificates("cdn-first")));
    expect([...reversed.entries()].sort()).toEqual([...both.entries()].sort());
    const cdnOnly = urns(await record(twoCertificates("cdn-only")));
    expect(cdnOnly.size).toBe(3);
    for (const [name, urn] of cdnOnly) expect(both.get(name)).toBe(urn);
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
      new AcmCertificate("explicit-only", { domain: "other.example.com", dns }, { provider: sydney });
    });
  });

  it("uses the stack's default provider when no region is asked for", () => {
    expect(rec.one(CERT, "regional-cert").options.provider).toBeUndefined();
    expect(rec.ofType(PROVIDER).map((p) => p.name)).toEqual(["sydney"]);
  });

  it("passes a provider option down to the certificate, its validation and the records it creates", () => {
    const explicit = rec.descendants(rec.one("webapp-platform:edge:AcmCertificate", "explicit").urn).filter((r) => r.custom);
    expect(explicit.map((r) => r.type).sort()).toEqual([CERT, VALIDATION]);
    for (const r of explicit) expect(providerOf(rec, r)?.inputs.region).toBe("ap-southeast-2");
    expect(providerOf(rec, rec.one(RECORD, "acm-validation-other-example-com"))?.inputs.region).toBe("ap-southeast-2");
    // The name it shares with the regional certificate has the one record, made by the first.
    expect(rec.ofType(RECORD).filter((r) => r.inputs.name.endsWith(".api.example.com."))).toHaveLength(1);
    expect(rec.one(RECORD, "acm-validation-api-example-com").options.provider).toBeUndefined();
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
