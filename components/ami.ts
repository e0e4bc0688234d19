/** Which CPU an instance type has, and the Ubuntu image for it. Pure. */

const EC2_INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;

/** The CPU architectures hosts run on, as Debian/Ubuntu and Docker name them. */
export const CPU_ARCHITECTURES = ["amd64", "arm64"] as const;
export type CpuArchitecture = (typeof CPU_ARCHITECTURES)[number];

/** EC2's name of each architecture (`DescribeImages` `Architecture`). */
export const EC2_IMAGE_ARCHITECTURE: Record<CpuArchitecture, string> = { amd64: "x86_64", arm64: "arm64" };

/** An EC2 image ID as EC2 writes it: `ami-` and 8 or 17 hex digits. */
export const AMI_ID_RE = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Canonical's AWS account, the owner of the official Ubuntu images. */
export const CANONICAL_ACCOUNT = "099720109477";

/** Graviton families (t4g, m7g, c7gn, a1, ...) are arm64; everything else this program allows is amd64. */
export function cpuArchitecture(instanceType: string): CpuArchitecture {
  const m = EC2_INSTANCE_TYPE.exec(instanceType);
  if (!m || m[1].startsWith("db") || m[1].startsWith("cache")) {
    throw new Error(`"${instanceType}" is not an EC2 instance type (family.size, e.g. t4g.small)`);
  }
  const family = m[1];
  return family === "a1" || /^[a-z]+\d+g/.test(family) ? "arm64" : "amd64";
}

/** Canonical's SSM parameter for the current Ubuntu 24.04 LTS gp3 AMI of an architecture. */
export function ubuntuAmiParameter(arch: CpuArchitecture): string {
  return `/aws/service/canonical/ubuntu/server/24.04/stable/current/${arch}/hvm/ebs-gp3/ami-id`;
}
