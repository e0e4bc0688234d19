/** The example programs build a working app from the components alone, under the mock runtime. */
import { Recording, record } from "./harness";

describe("examples/docs-site", () => {
  let rec: Recording;
  beforeAll(async () => {
    // Only the example's own config: no Pulumi.<stack>.yaml, no webapp-platform:* key.
    rec = await record(() => {
      let program: Record<string, unknown> = {};
      jest.isolateModules(() => { program = require("../examples/docs-site"); });
      return program;
    }, { ignoreStackFile: true, stack: "docs", config: { "aws:region": "eu-west-1", "docs-site:domain": "docs.example.com", "docs-site:zone": "example.com" } });
  });

  it("serves a private bucket through CloudFront over TLS 1.2+, with origin access control", () => {
    const cdn = rec.one("aws:cloudfront/distribution:Distribution");
    expect(cdn.inputs.aliases).toEqual(["docs.example.com"]);
    expect(cdn.inputs.viewerCertificate.minimumProtocolVersion).toMatch(/^TLSv1\.2_/);
    expect(cdn.inputs.origins[0].originAccessControlId).toBeTruthy();
    expect(rec.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").every((b) => b.inputs.blockPublicAcls && b.inputs.restrictPublicBuckets)).toBe(true);
  });

  it("validates its certificate in Route53 (us-east-1, for CloudFront) and points the domain at the distribution", () => {
    const cert = rec.ofType("aws:acm/certificate:Certificate").find((c) => c.inputs.domainName === "docs.example.com")!;
    expect(cert.inputs.validationMethod).toBe("DNS");
    expect(rec.ofType("aws:route53/record:Record").some((r) => r.inputs.name === "docs.example.com" && r.inputs.aliases?.length === 1)).toBe(true);
  });

  it("exports the site's bucket, URLs and distribution", () => {
    expect(Object.keys(rec.outputs).sort()).toEqual(["bucketName", "distributionDomainName", "urls"]);
    expect(rec.outputs.urls).toEqual(["https://docs.example.com"]);
  });
});
