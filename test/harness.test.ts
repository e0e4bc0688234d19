import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { UNKNOWN, record } from "./harness";

describe("the recording harness", () => {
  it("gives the program Pulumi.yaml's defaults under the stack file's values, as the CLI does", async () => {
    const rec = await record(() => ({ config: pulumi.runtime.allConfig() }), { stack: "staging", config: { "webapp-platform:verifyAfterDeploy": "true" } });
    const config = rec.outputs.config as Record<string, string>;
    // Pulumi.staging.yaml does not set adminCidrs: Pulumi.yaml's default [] reaches the program.
    expect(config["webapp-platform:adminCidrs"]).toBe("[]");
    expect(config["webapp-platform:verifyAfterDeploy"]).toBe("true");
    expect(config["webapp-platform:environment"]).toBe("staging");
  });

  it("fails the run when an input is built on an output the mocks do not provide", async () => {
    await expect(record(() => {
      const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" });
      // ipv6AssociationId is computed by AWS and deliberately absent from the mock outputs.
      new aws.ec2.SecurityGroup("sg", { vpcId: vpc.id, description: pulumi.interpolate`assoc ${vpc.ipv6AssociationId}` });
    })).rejects.toThrow(/inputs left unknown[\s\S]*aws:ec2\/securityGroup:SecurityGroup sg: description/);
  });

  it("can keep unknowns, for preview-time policy tests", async () => {
    const rec = await record(() => {
      const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" });
      new aws.ec2.SecurityGroup("sg", { vpcId: vpc.id, description: vpc.ipv6AssociationId });
    }, { allowUnknowns: true });
    const sg = rec.one("aws:ec2/securityGroup:SecurityGroup");
    expect(sg.inputs.description).toBe(UNKNOWN);
    expect(sg.unknownPaths).toEqual(["description"]);
  });

  it("records parents, dependencies, options, secrets and providers", async () => {
    const rec = await record(() => {
      class Box extends pulumi.ComponentResource {
        constructor(name: string) {
          super("test:index:Box", name, {});
          const east = new aws.Provider(`${name}-east`, { region: "us-east-1" }, { parent: this });
          const pw = new random.RandomPassword(`${name}-pw`, { length: 24, special: false }, { parent: this });
          const secret = new aws.secretsmanager.Secret(`${name}-s`, {}, { parent: this, protect: true, provider: east });
          new aws.secretsmanager.SecretVersion(`${name}-v`, { secretId: secret.id, secretString: pw.result }, { parent: this, ignoreChanges: ["secretString"] });
          this.registerOutputs({});
        }
      }
      new Box("box");
    });
    const box = rec.one("test:index:Box");
    const version = rec.one("aws:secretsmanager/secretVersion:SecretVersion");
    const secret = rec.one("aws:secretsmanager/secret:Secret");
    expect(version.parent).toBe(box.urn);
    expect(version.secretPaths).toEqual(["secretString"]);
    expect(version.options.ignoreChanges).toEqual(["secretString"]);
    expect(version.dependencies).toEqual(expect.arrayContaining([secret.urn, rec.one("random:index/randomPassword:RandomPassword").urn]));
    expect(secret.options.protect).toBe(true);
    const provider = rec.one("pulumi:providers:aws");
    expect(secret.options.provider?.startsWith(provider.urn)).toBe(true);
    expect(provider.inputs.region).toBe("us-east-1");
    expect(rec.maskedInputs(version).secretString).toBe("[secret]");
  });

  it("answers invokes from fixtures and refuses ones it has no fixture for", async () => {
    const rec = await record(() => {
      const zone = aws.route53.getZoneOutput({ name: "smartboostpro.com" });
      new aws.route53.Record("r", { zoneId: zone.zoneId, name: "smartboostpro.com", type: "TXT", ttl: 60, records: ["x"] });
    });
    expect(rec.one("aws:route53/record:Record").inputs.zoneId).toMatch(/^Z[0-9A-F]+$/);
    await expect(record(() => aws.ec2.getVpcOutput({ default: true }).id)).rejects.toThrow(/no fixture for invoke aws:ec2\/getVpc:getVpc/);
  });
});
