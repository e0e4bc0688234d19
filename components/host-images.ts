/**
 * The Ubuntu image every host of a stack boots, pinned per CPU architecture so that a new
 * Ubuntu build never rolls a fleet (or replaces a single host) on an unrelated `pulumi up`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CANONICAL_ACCOUNT, CpuArchitecture, EC2_IMAGE_ARCHITECTURE, cpuArchitecture, ubuntuAmiParameter } from "./ami";
import { PROJECT } from "../lib/names";
import { invalidArg, typeToken } from "./common";

export interface HostImagesArgs {
  /** Stack name: part of the pins' SSM parameter names. Required. */
  stack: string;
  /**
   * AMI IDs chosen by the operator, per architecture (the stack's `webapp-platform:amis`).
   * An architecture without one is pinned to Canonical's current Ubuntu 24.04 image when it is
   * first needed, and stays on it (recorded in an SSM parameter of the stack) until the
   * operator names another image here or replaces the pin.
   * @default {} (every architecture pinned on first use)
   */
  chosen?: Partial<Record<CpuArchitecture, string>>;
  /**
   * The config key `chosen` comes from, named in errors.
   * @default "webapp-platform:amis"
   */
  configKey?: string;
}

/** The SSM parameter that records an architecture's pinned image. Pure. */
export function imagePinParameterName(stack: string, arch: CpuArchitecture): string {
  return `/${PROJECT}/${stack}/ami/${arch}`;
}

/**
 * Refuses a chosen image of another architecture than its key's, naming the config key. Pure.
 * `ec2Architecture` is what EC2 says of the image (DescribeImages `Architecture`).
 */
export function checkChosenImage(arch: CpuArchitecture, imageId: string, ec2Architecture: string, configKey: string): string {
  const key = `${configKey}.${arch}`;
  if (ec2Architecture !== EC2_IMAGE_ARCHITECTURE[arch]) {
    invalidArg("HostImages", "chosen", `(${key}): ${imageId} is an ${ec2Architecture} image, but ${arch} instance types need an ${EC2_IMAGE_ARCHITECTURE[arch]} one; name an ${arch} Ubuntu 24.04 image under ${key}`);
  }
  return imageId;
}

/**
 * Hands out the image for an instance type; the architecture always follows the instance type.
 * A chosen image is checked against EC2 at preview: one of another architecture is refused,
 * naming the config key, before anything boots on it.
 */
export class HostImages extends pulumi.ComponentResource {
  private readonly name: string;
  private readonly args: Required<HostImagesArgs>;
  private readonly images = new Map<CpuArchitecture, pulumi.Output<string>>();

  constructor(name: string, args: HostImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("compute", "HostImages"), name, {}, opts);
    this.name = name;
    this.args = { chosen: {}, configKey: `${PROJECT}:amis`, ...args };
    this.registerOutputs({});
  }

  /** The pinned image ID for hosts of `instanceType`. */
  imageFor(instanceType: string): pulumi.Output<string> {
    const arch = cpuArchitecture(instanceType);
    let image = this.images.get(arch);
    if (!image) {
      image = this.args.chosen[arch] !== undefined ? this.chosenImage(arch, this.args.chosen[arch] as string) : this.pinnedImage(arch);
      this.images.set(arch, image);
    }
    return image;
  }

  /** Image IDs handed out so far, per architecture (a stack output: what the hosts boot). */
  get pinned(): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(this.images);
  }

  private chosenImage(arch: CpuArchitecture, imageId: string): pulumi.Output<string> {
    // Only once EC2 has described it: an unknown or foreign image fails the preview here.
    const found = aws.ec2.getAmiOutput({ owners: ["self", CANONICAL_ACCOUNT], filters: [{ name: "image-id", values: [imageId] }] }, { parent: this });
    return found.architecture.apply((actual) => checkChosenImage(arch, imageId, actual, this.args.configKey));
  }

  private pinnedImage(arch: CpuArchitecture): pulumi.Output<string> {
    const current = aws.ssm.getParameterOutput({ name: ubuntuAmiParameter(arch) }, { parent: this });
    const pin = new aws.ssm.Parameter(`${this.name}-ami-${arch}`, {
      name: imagePinParameterName(this.args.stack, arch),
      description: `Ubuntu 24.04 ${arch} image the stack's hosts boot; roll it on purpose (${this.args.configKey}.${arch}, or replace this parameter)`,
      type: "String",
      dataType: "aws:ec2:image", // SSM checks the ID is an image of this account's region
      insecureValue: current.insecureValue,
    }, { parent: this, ignoreChanges: ["insecureValue"] });
    return pin.insecureValue;
  }
}
