/** Which CPU an instance type has, and the Ubuntu image for it. Pure. */

const EC2_INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;

/** Graviton families (t4g, m7g, c7gn, a1, ...) are arm64; everything else this program allows is amd64. */
export function cpuArchitecture(instanceType: string): "amd64" | "arm64" {
  const m = EC2_INSTANCE_TYPE.exec(instanceType);
  if (!m || m[1].startsWith("db") || m[1].startsWith("cache")) {
    throw new Error(`"${instanceType}" is not an EC2 instance type (family.size, e.g. t4g.small)`);
  }
  const family = m[1];
  return family === "a1" || /^[a-z]+\d+g/.test(family) ? "arm64" : "amd64";
}

/** Canonical's SSM parameter for the current Ubuntu 24.04 LTS gp3 AMI of an architecture. */
export function ubuntuAmiParameter(arch: "amd64" | "arm64"): string {
  return `/aws/service/canonical/ubuntu/server/24.04/stable/current/${arch}/hvm/ebs-gp3/ami-id`;
}
