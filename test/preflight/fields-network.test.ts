/**
 * The EC2 / VPC field table (tools/preflight/fields/network.ts) on the recorded stacks: the
 * program's networking, instances and launch templates pass as they are, with every input
 * mapped, and a value AWS refuses, seeded into a copy of a real resource, is reported with
 * the input path, the kind of constraint, and the model file and shape it comes from.
 */
import { RecordedResource, Recording, recordStack } from "../harness";
import { AUTONAME_SUFFIX, FieldViolation, runPreflight } from "../../tools/preflight/check";
import { NETWORK } from "../../tools/preflight/fields/network";

const EC2 = "ec2-2016-11-15.json";
const TYPES = Object.keys(NETWORK);
const SG = "aws:ec2/securityGroup:SecurityGroup";
const IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const INSTANCE = "aws:ec2/instance:Instance";

let stacks: Record<string, Recording>;

beforeAll(async () => {
  stacks = { staging: await recordStack("staging"), prod: await recordStack("prod") };
}, 180_000);

/** A copy of the first resource of a type in the staging stack (optionally matching a test). */
function copyOf(type: string, where: (r: RecordedResource) => boolean = () => true): RecordedResource {
  const r = stacks.staging.resources.find((x) => x.type === type && where(x));
  if (!r) throw new Error(`staging records no ${type}`);
  return structuredClone(r);
}

function only(r: RecordedResource): FieldViolation {
  const { violations } = runPreflight([r]);
  expect(violations).toHaveLength(1);
  return violations[0];
}

describe("EC2 and VPC field table on the recorded stacks", () => {
  test.each(["staging", "prod"])("%s: every resource of these types passes, with no unmapped input", (stack) => {
    const mine = stacks[stack].resources.filter((r) => TYPES.includes(r.type));
    const types = new Set(mine.map((r) => r.type));
    // The stacks create all of the group's types (the table maps nothing they don't use).
    expect([...types].sort()).toEqual([...TYPES].sort());
    const { violations, coverage } = runPreflight(mine);
    expect(violations).toEqual([]);
    for (const c of coverage) {
      expect({ type: c.type, unmapped: c.unmapped, noMapping: c.noMapping }).toEqual({ type: c.type, unmapped: [], noMapping: false });
    }
  });
});

describe("seeded violations", () => {
  test("pattern: a launch template name with none of the allowed characters", () => {
    const lt = copyOf(LT);
    lt.inputs.name = "~~~~";
    const v = only(lt);
    expect(v).toMatchObject({ path: "name", kind: "pattern", value: "~~~~" });
    expect(v.source).toBe(`${EC2} LaunchTemplateName (ec2:ModifyLaunchTemplate.LaunchTemplateName)`);
  });

  test("length: a launch template version description over 255 characters", () => {
    const lt = copyOf(LT);
    lt.inputs.description = "x".repeat(256);
    const v = only(lt);
    expect(v).toMatchObject({ path: "description", kind: "length" });
    expect(v.source).toBe(`${EC2} VersionDescription (ec2:CreateLaunchTemplate.VersionDescription)`);
  });

  test("autoname: a launch template whose logical name plus Pulumi's suffix exceeds 128 characters", () => {
    const lt = copyOf(LT);
    delete lt.inputs.name;
    lt.name = `${"fleet-".repeat(20)}lt`; // 122 characters, 130 with the suffix
    expect((lt.name + AUTONAME_SUFFIX).length).toBe(130);
    const v = only(lt);
    expect(v).toMatchObject({ path: "name", kind: "length", value: lt.name + AUTONAME_SUFFIX });
    expect(v.source).toContain(`${EC2} LaunchTemplateName`);
    lt.name = "shop-lt";
    expect(runPreflight([lt]).violations).toEqual([]);
  });

  test("enum: an instance type EC2 does not have", () => {
    const host = copyOf(INSTANCE);
    host.inputs.instanceType = "t3.huge";
    const v = only(host);
    expect(v).toMatchObject({ path: "instanceType", kind: "enum", value: "t3.huge" });
    expect(v.source).toBe(`${EC2} InstanceType (ec2:RunInstances.InstanceType)`);
  });

  test("range: more secondary private addresses on a NAT gateway than EC2 allows", () => {
    const nat = copyOf("aws:ec2/natGateway:NatGateway");
    nat.inputs.secondaryPrivateIpAddressCount = 32;
    const v = only(nat);
    expect(v).toMatchObject({ path: "secondaryPrivateIpAddressCount", kind: "range", rule: "from 1 to 31" });
    expect(v.source).toBe(`${EC2} PrivateIpAddressCount (ec2:CreateNatGateway.SecondaryPrivateIpAddressCount)`);
  });

  test("prose range: an IMDS hop limit beyond 64", () => {
    const lt = copyOf(LT);
    lt.inputs.metadataOptions.httpPutResponseHopLimit = 65;
    const v = only(lt);
    expect(v).toMatchObject({ path: "metadataOptions.httpPutResponseHopLimit", kind: "prose", rule: "a whole number from 1 to 64" });
    expect(v.source).toContain(`${EC2} Integer (ec2:CreateLaunchTemplate.LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit): "Possible values: Integers from 1 to 64"`);
  });

  test("prose character set: an em dash or an apostrophe in a security group description", () => {
    const sg = copyOf(SG);
    for (const bad of ["shop data tier \u2014 databases", "the app's data tier", "data > caches"]) {
      sg.inputs.description = bad;
      const v = only(sg);
      expect(v).toMatchObject({ path: "description", kind: "prose", value: bad });
      expect(v.source).toMatch(new RegExp(`^${EC2.replace(/\./g, "\\.")} String \\(ec2:CreateSecurityGroup\\.Description\\): "Valid characters: a-z, A-Z, 0-9, spaces, and`));
    }
  });

  test("prose: a security group name starting with sg-", () => {
    const sg = copyOf(SG);
    sg.inputs.name = "sg-shop";
    expect(only(sg)).toMatchObject({ path: "name", kind: "prose", rule: 'no "sg-" prefix' });
  });

  test("cross: a rule description's character set follows the rule's peer", () => {
    // A security-group-referencing rule refuses "&", which a CIDR rule accepts.
    const byGroup = copyOf(IN, (r) => r.inputs.referencedSecurityGroupId !== undefined);
    byGroup.inputs.description = "PostgreSQL & Redis from the app hosts";
    const v = only(byGroup);
    expect(v).toMatchObject({ path: "description", kind: "cross", value: "PostgreSQL & Redis from the app hosts" });
    expect(v.source).toContain(`${EC2} String (ec2:AuthorizeSecurityGroupIngress.IpPermissions[].UserIdGroupPairs[].Description): "Allowed characters are`);

    const byCidr = copyOf(IN, (r) => r.inputs.cidrIpv4 !== undefined);
    byCidr.inputs.description = "HTTP & HTTPS from the internet";
    expect(runPreflight([byCidr]).violations).toEqual([]);
    byCidr.inputs.description = "HTTPS from the world's browsers";
    expect(only(byCidr).source).toContain("(ec2:AuthorizeSecurityGroupIngress.IpPermissions[].IpRanges[].Description)");
  });

  test("cross: a flow log to CloudWatch Logs without a role", () => {
    const fl = copyOf("aws:ec2/flowLog:FlowLog");
    delete fl.inputs.iamRoleArn;
    const v = only(fl);
    expect(v).toMatchObject({ path: "iamRoleArn", kind: "cross" });
    expect(v.source).toContain(`${EC2} String (ec2:CreateFlowLogs.DeliverLogsPermissionArn): "This parameter is required if the destination type is cloud-watch-logs"`);
  });

  test("prose enum: a flow log aggregation interval other than 60 or 600", () => {
    const fl = copyOf("aws:ec2/flowLog:FlowLog");
    fl.inputs.maxAggregationInterval = 300;
    expect(only(fl)).toMatchObject({ path: "maxAggregationInterval", kind: "prose", rule: "one of 60, 600" });
  });

  test("prose and cross: launch template user data over 16 KB, instance user data over 16 KB decoded", () => {
    const lt = copyOf(LT);
    lt.inputs.userData = Buffer.alloc(13_000, 1).toString("base64"); // 17,336 base64 characters
    expect(only(lt)).toMatchObject({ path: "userData", kind: "prose", rule: "at most 16384 characters" });

    const host = copyOf(INSTANCE);
    host.inputs.userDataBase64 = Buffer.alloc(16_385, 1).toString("base64");
    const v = only(host);
    expect(v).toMatchObject({ path: "userDataBase64", kind: "cross", value: "16385 bytes" });
    expect(v.source).toContain('(ec2:CreateLaunchTemplate.LaunchTemplateData.UserData): "User data is limited to 16 KB."');
  });

  test("cross: a root volume larger than its volume type allows", () => {
    const host = copyOf(INSTANCE);
    host.inputs.rootBlockDevice = { ...host.inputs.rootBlockDevice, volumeType: "standard", volumeSize: 2048 };
    expect(only(host)).toMatchObject({ path: "rootBlockDevice.volumeSize", kind: "cross" });
  });

  test("prose: a launch template tagging a resource type launch templates cannot tag", () => {
    const lt = copyOf(LT);
    lt.inputs.tagSpecifications[0].resourceType = "elastic-ip";
    expect(only(lt)).toMatchObject({ path: "tagSpecifications[0].resourceType", kind: "prose" });
  });
});
