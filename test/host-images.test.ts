/**
 * AMIs on purpose: every host of a stack boots a pinned image of its instance type's CPU
 * architecture; a new Ubuntu build rolls nothing until the operator says so.
 */
import { checkChosenImage } from "../components/host-images";
import { parseStackConfig } from "../config/validate";
import { Recording, recordStack } from "./harness";
import { INVOKES, UBUNTU_AMI_ID, UBUNTU_ARM64_AMI_ID } from "./harness/invokes";

const PARAMETER = "aws:ssm/parameter:Parameter";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const INSTANCE = "aws:ec2/instance:Instance";
const CANONICAL_AMD64 = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";

/** Invoke answers that also log what was asked (the harness records resources, not invokes). */
function loggingInvokes(log: { token: string; inputs: Record<string, any> }[]) {
  const wrap = (token: string) => (inputs: Record<string, any>) => { log.push({ token, inputs }); return INVOKES[token](inputs, "eu-west-1"); };
  return { "aws:ssm/getParameter:getParameter": wrap("aws:ssm/getParameter:getParameter"), "aws:ec2/getAmi:getAmi": wrap("aws:ec2/getAmi:getAmi") };
}

const pins = (rec: Recording) => rec.ofType(PARAMETER).filter((p) => String(p.inputs.name).includes("/ami/"));
const hostImages = (rec: Recording) => [...rec.ofType(LT).map((t) => t.inputs.imageId), ...rec.ofType(INSTANCE).map((i) => i.inputs.ami)];

describe.each(["staging", "prod"])("the %s stack's host images", (stack) => {
  let rec: Recording;
  const invoked: { token: string; inputs: Record<string, any> }[] = [];
  beforeAll(async () => { rec = await recordStack(stack, { invokes: loggingInvokes(invoked) }); });

  it("records one pin per architecture in use, from Canonical's parameter, that a new Ubuntu build never changes", () => {
    const p = pins(rec);
    // Every host of both stacks is on an amd64 instance type (t3, m7i).
    expect(p.map((r) => r.inputs.name)).toEqual([`/webapp-platform/${stack}/ami/amd64`]);
    expect(p[0].inputs).toMatchObject({ type: "String", dataType: "aws:ec2:image", insecureValue: UBUNTU_AMI_ID });
    expect(p[0].options.ignoreChanges).toEqual(["insecureValue"]);
    expect(invoked.filter((i) => i.token === "aws:ssm/getParameter:getParameter").map((i) => i.inputs.name)).toEqual([CANONICAL_AMD64]);
  });

  it("boots every fleet and single host from the pin, and no resource reads Canonical's current image directly", () => {
    const images = hostImages(rec);
    expect(images.length).toBe(rec.ofType(LT).length + rec.ofType(INSTANCE).length);
    expect(images.length).toBeGreaterThanOrEqual(5);
    expect(new Set(images)).toEqual(new Set([UBUNTU_AMI_ID]));
    const pinUrn = pins(rec)[0].urn;
    for (const r of [...rec.ofType(LT), ...rec.ofType(INSTANCE)]) expect(r.dependencies).toContain(pinUrn);
  });

  it("shows the images in the stack outputs", () => {
    expect(rec.outputs.hostImages).toEqual({ amd64: UBUNTU_AMI_ID });
  });
});

describe("an image the operator chooses", () => {
  it("replaces the pin for its architecture, and the architecture follows the instance type", async () => {
    const invoked: { token: string; inputs: Record<string, any> }[] = [];
    const rec = await recordStack("staging", {
      invokes: loggingInvokes(invoked),
      config: {
        "webapp-platform:amis": { arm64: UBUNTU_ARM64_AMI_ID },
        "webapp-platform:apps": { ...(await stagingApps()), flashbill: { ...(await stagingApps()).flashbill, instanceType: "t4g.small" } },
      },
    });
    const flashbill = rec.ofType(INSTANCE).find((i) => i.name === "flashbill-host");
    expect(flashbill?.inputs).toMatchObject({ instanceType: "t4g.small", ami: UBUNTU_ARM64_AMI_ID });
    // arm64 is chosen, so only amd64 is pinned; the chosen image was checked with EC2.
    expect(pins(rec).map((r) => r.inputs.name)).toEqual(["/webapp-platform/staging/ami/amd64"]);
    expect(invoked.some((i) => i.token === "aws:ec2/getAmi:getAmi" && JSON.stringify(i.inputs.filters).includes(UBUNTU_ARM64_AMI_ID))).toBe(true);
    expect(rec.outputs.hostImages).toEqual({ amd64: UBUNTU_AMI_ID, arm64: UBUNTU_ARM64_AMI_ID });
  });

  it("of another architecture is refused before anything boots on it, naming the config key", () => {
    // The check runs on what EC2 says of the image (getAmi above), once the preview knows it.
    expect(() => checkChosenImage("amd64", UBUNTU_ARM64_AMI_ID, "arm64", "webapp-platform:amis"))
      .toThrow(/\(webapp-platform:amis\.amd64\): ami-0a1b2c3d4e5f60718 is an arm64 image, but amd64 instance types need an x86_64 one/);
    expect(() => checkChosenImage("arm64", UBUNTU_AMI_ID, "x86_64", "webapp-platform:amis")).toThrow(/amis\.arm64\): .* is an x86_64 image, but arm64 instance types need an arm64 one/);
    expect(checkChosenImage("arm64", UBUNTU_ARM64_AMI_ID, "arm64", "webapp-platform:amis")).toBe(UBUNTU_ARM64_AMI_ID);
  });

  it("must look like an AMI ID, and only amd64 and arm64 can be chosen", () => {
    const raw = (amis: unknown) => ({ environment: "staging", alertEmail: "a@example.com", artifactPublishers: { subjects: ["repo:acme/web:environment:staging"] }, amis, apps: { web: { architecture: "single-host", runtime: "django", domain: "example.com", dns: { mode: "route53", zone: "example.com" }, appVersion: "1.0.0" } } });
    expect(() => parseStackConfig(raw({ amd64: "ami-123" }), "staging", "eu-west-1")).toThrow(/webapp-platform:amis\.amd64: "ami-123" is not an AMI ID/);
    expect(() => parseStackConfig(raw({ x86_64: UBUNTU_AMI_ID }), "staging", "eu-west-1")).toThrow(/webapp-platform:amis\.x86_64: unknown key.*Allowed keys: amd64, arm64/);
    expect(parseStackConfig(raw({ amd64: UBUNTU_AMI_ID }), "staging", "eu-west-1").amis).toEqual({ amd64: UBUNTU_AMI_ID });
  });
});

async function stagingApps(): Promise<Record<string, any>> {
  const { loadStackFile } = await import("./harness");
  return (loadStackFile("staging") as any)["webapp-platform:apps"];
}
