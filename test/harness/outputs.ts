/**
 * Realistic provider outputs per resource type, for the mock runtime. Anything a real
 * provider computes and the program reads (arn, endpoint, dnsName, zoneId, ...) must be
 * here: under preview, a missing output becomes unknown and the harness rejects the run.
 */
import { createHash } from "crypto";

export const ACCOUNT_ID = "123456789012";

type Inputs = Record<string, any>;
type Outputs = Record<string, any>;

function hex(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}:${i}`).digest("hex");
  return out.slice(0, length);
}

/** A deterministic UUID-shaped id (8-4-4-4-12 hex digits), as ACM and others use. */
function uuid(seed: string): string {
  const h = hex(`${seed}:uuid`, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Maps a type token like aws:ec2/securityGroup:SecurityGroup to service and short name. */
function parts(type: string): { pkg: string; service: string; kind: string } {
  const [pkg, mod = "", kind = ""] = type.split(":");
  return { pkg, service: mod.split("/")[0], kind: kind.toLowerCase() };
}

export function idFor(type: string, name: string): string {
  const { service, kind } = parts(type);
  const prefix: Record<string, string> = {
    vpc: "vpc", subnet: "subnet", securitygroup: "sg", internetgateway: "igw", natgateway: "nat", eip: "eipalloc",
    routetable: "rtb", instance: "i", launchtemplate: "lt", vpcendpoint: "vpce", flowlog: "fl", networkacl: "acl",
  };
  const p = service === "ec2" || service === "vpc" ? prefix[kind] : undefined;
  return p ? `${p}-${hex(type + name, 17)}` : `${name}-${hex(type + name, 8)}`;
}

export interface OutputOptions {
  /**
   * The digest (`sha256:<hex>`) of the image really built, per docker Image: keyed by the
   * resource's logical name, its `imageName` (`<repo>:<tag>`) or its repository (`<repo>`).
   * Its `repoDigest` becomes `<repo>@<digest>`, as `pulumi up` records the pushed image's.
   * An image without an entry keeps the fake digest. `used` collects the keys that matched.
   */
  imageDigests?: Record<string, string>;
  used?: Set<string>;
}

const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Checks an imageDigests map: every value must be a sha256 digest. */
export function checkImageDigests(digests: Record<string, string>): void {
  for (const [k, v] of Object.entries(digests)) {
    if (!IMAGE_DIGEST.test(v)) throw new Error(`imageDigests["${k}"] is "${v}", not a sha256:<64 hex> digest`);
  }
}

/** Outputs for one resource: its inputs, plus what AWS (or the provider) computes. */
export function outputsFor(type: string, name: string, inputs: Inputs, id: string, region: string, options: OutputOptions = {}): Outputs {
  const { pkg, service, kind } = parts(type);
  const physical = inputs.name ?? `${name}-${hex(name, 7)}`;
  const arn = `arn:aws:${service}:${region}:${ACCOUNT_ID}:${kind}/${physical}`;
  const base: Outputs = pkg === "aws" ? { ...inputs, arn: inputs.arn ?? arn, name: physical, tagsAll: inputs.tags ?? {} } : { ...inputs };
  const extra = SPECIFIC[type]?.({ name, inputs, id, region, arn, physical, options }) ?? {};
  return { ...base, ...extra };
}

interface Ctx { name: string; inputs: Inputs; id: string; region: string; arn: string; physical: string; options?: OutputOptions }

/** The built image's digest for a docker Image, when one was given (see OutputOptions.imageDigests). */
function builtDigest(c: Ctx, image: string, repo: string): string | undefined {
  const digests = c.options?.imageDigests;
  if (!digests) return undefined;
  const key = [c.name, image, repo].find((k) => digests[k] !== undefined);
  if (key === undefined) return undefined;
  c.options?.used?.add(key);
  if (!IMAGE_DIGEST.test(digests[key])) throw new Error(`imageDigests["${key}"] is "${digests[key]}", not a sha256:<64 hex> digest`);
  return digests[key];
}

const SPECIFIC: Record<string, (c: Ctx) => Outputs> = {
  "aws:ec2/vpc:Vpc": (c) => ({
    defaultSecurityGroupId: `sg-${hex(c.name + "default", 17)}`,
    mainRouteTableId: `rtb-${hex(c.name + "main", 17)}`,
    defaultNetworkAclId: `acl-${hex(c.name, 17)}`,
    ipv6CidrBlock: c.inputs.assignGeneratedIpv6CidrBlock ? "2600:1f18:abcd:1200::/56" : "",
    arn: `arn:aws:ec2:${c.region}:${ACCOUNT_ID}:vpc/${c.id}`,
  }),
  "aws:ec2/subnet:Subnet": (c) => ({ arn: `arn:aws:ec2:${c.region}:${ACCOUNT_ID}:subnet/${c.id}` }),
  "aws:ec2/securityGroup:SecurityGroup": (c) => ({ arn: `arn:aws:ec2:${c.region}:${ACCOUNT_ID}:security-group/${c.id}`, ownerId: ACCOUNT_ID }),
  "aws:ec2/eip:Eip": (c) => ({ publicIp: `203.0.113.${parseInt(hex(c.name, 2), 16) % 250 + 1}`, allocationId: c.id, publicDns: `ec2-203-0-113-1.${c.region}.compute.amazonaws.com` }),
  "aws:ec2/instance:Instance": (c) => ({
    privateIp: `10.0.${parseInt(hex(c.name, 2), 16) % 200}.10`, publicIp: "", primaryNetworkInterfaceId: `eni-${hex(c.name, 17)}`,
    arn: `arn:aws:ec2:${c.region}:${ACCOUNT_ID}:instance/${c.id}`, availabilityZone: `${c.region}a`,
  }),
  "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1, defaultVersion: 1 }),
  "aws:ec2/natGateway:NatGateway": (c) => ({ publicIp: `198.51.100.${parseInt(hex(c.name, 2), 16) % 250 + 1}` }),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => ({ prefixListId: `pl-${hex(c.name, 8)}` }),
  "aws:lb/loadBalancer:LoadBalancer": (c) => ({
    dnsName: `${c.physical}-${parseInt(hex(c.name, 8), 16)}.${c.region}.elb.amazonaws.com`,
    zoneId: "Z32O12XQLNTSW2",
    arnSuffix: `app/${c.physical}/${hex(c.name, 16)}`,
    arn: `arn:aws:elasticloadbalancing:${c.region}:${ACCOUNT_ID}:loadbalancer/app/${c.physical}/${hex(c.name, 16)}`,
  }),
  "aws:lb/targetGroup:TargetGroup": (c) => ({
    arnSuffix: `targetgroup/${c.physical}/${hex(c.name, 16)}`,
    arn: `arn:aws:elasticloadbalancing:${c.region}:${ACCOUNT_ID}:targetgroup/${c.physical}/${hex(c.name, 16)}`,
  }),
  "aws:lb/listener:Listener": (c) => ({ arn: `arn:aws:elasticloadbalancing:${c.region}:${ACCOUNT_ID}:listener/app/${hex(c.name, 16)}` }),
  "aws:rds/instance:Instance": (c) => {
    const ident = c.inputs.identifier ?? c.physical;
    const address = `${ident}.${hex(c.name, 12)}.${c.region}.rds.amazonaws.com`;
    return {
      identifier: ident, address, endpoint: `${address}:5432`, port: c.inputs.port ?? 5432,
      resourceId: `db-${hex(c.name, 26).toUpperCase()}`, arn: `arn:aws:rds:${c.region}:${ACCOUNT_ID}:db:${ident}`,
      masterUserSecrets: c.inputs.manageMasterUserPassword ? [{ secretArn: `arn:aws:secretsmanager:${c.region}:${ACCOUNT_ID}:secret:rds!db-${hex(c.name, 8)}`, kmsKeyId: c.inputs.masterUserSecretKmsKeyId ?? "", secretStatus: "active" }] : [],
    };
  },
  "aws:rds/parameterGroup:ParameterGroup": (c) => ({ arn: `arn:aws:rds:${c.region}:${ACCOUNT_ID}:pg:${c.physical}` }),
  "aws:rds/subnetGroup:SubnetGroup": (c) => ({ arn: `arn:aws:rds:${c.region}:${ACCOUNT_ID}:subgrp:${c.physical}` }),
  "aws:elasticache/replicationGroup:ReplicationGroup": (c) => {
    const rg = c.inputs.replicationGroupId ?? c.physical;
    return {
      primaryEndpointAddress: `master.${rg}.${hex(c.name, 6)}.${c.region.replace(/-/g, "")}.cache.amazonaws.com`,
      readerEndpointAddress: `replica.${rg}.${hex(c.name, 6)}.cache.amazonaws.com`,
      port: c.inputs.port ?? 6379, arn: `arn:aws:elasticache:${c.region}:${ACCOUNT_ID}:replicationgroup:${rg}`,
      // AWS names a cluster-mode-disabled group's clusters <group>-001, -002, ... (describe-replication-groups).
      memberClusters: Array.from({ length: c.inputs.numCacheClusters ?? 1 }, (_, i) => `${rg}-${String(i + 1).padStart(3, "0")}`),
    };
  },
  "aws:cloudfront/distribution:Distribution": (c) => ({
    domainName: `d${hex(c.name, 13)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2",
    arn: `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/E${hex(c.name, 13).toUpperCase()}`, status: "Deployed",
  }),
  "aws:cloudfront/originAccessControl:OriginAccessControl": () => ({ etag: "E1" }),
  // CloudFront is global: its ARNs have no region.
  "aws:cloudfront/function:Function": (c) => ({ arn: `arn:aws:cloudfront::${ACCOUNT_ID}:function/${c.physical}`, etag: "E1" }),
  "aws:acm/certificate:Certificate": (c) => {
    const names: string[] = [c.inputs.domainName, ...(c.inputs.subjectAlternativeNames ?? [])];
    return {
      // ACM certificate ids are UUIDs; the DaysToExpiry alarm's CertificateArn must be this whole ARN.
      arn: `arn:aws:acm:${c.region}:${ACCOUNT_ID}:certificate/${uuid(c.name)}`,
      domainValidationOptions: names.map((n) => {
        const base = n.replace(/^\*\./, "");
        return { domainName: n, resourceRecordName: `_${hex(base, 32)}.${base}.`, resourceRecordType: "CNAME", resourceRecordValue: `_${hex(base + "v", 32)}.acm-validations.aws.` };
      }),
      status: "ISSUED",
    };
  },
  "aws:route53/record:Record": (c) => ({ fqdn: String(c.inputs.name ?? "").replace(/\.$/, "") }),
  "aws:s3/bucket:Bucket": (c) => bucket(c, c.inputs.bucket ?? c.physical),
  "aws:s3/bucketV2:BucketV2": (c) => bucket(c, c.inputs.bucket ?? c.physical),
  "aws:kms/key:Key": (c) => {
    const h = hex(c.name, 32); // a key id is a UUID, and the key's ARN ends in it
    const keyId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    return { keyId, arn: `arn:aws:kms:${c.region}:${ACCOUNT_ID}:key/${keyId}` };
  },
  "aws:kms/alias:Alias": (c) => ({ arn: `arn:aws:kms:${c.region}:${ACCOUNT_ID}:${c.inputs.name}` }),
  "aws:secretsmanager/secret:Secret": (c) => ({ arn: `arn:aws:secretsmanager:${c.region}:${ACCOUNT_ID}:secret:${c.physical}-${hex(c.name, 6)}` }),
  "aws:secretsmanager/secretVersion:SecretVersion": (c) => ({ versionId: hex(c.name, 32), arn: c.inputs.secretId }),
  "aws:iam/role:Role": (c) => ({ arn: `arn:aws:iam::${ACCOUNT_ID}:role/${c.physical}`, uniqueId: `AROA${hex(c.name, 17).toUpperCase()}` }),
  "aws:iam/policy:Policy": (c) => ({ arn: `arn:aws:iam::${ACCOUNT_ID}:policy/${c.physical}`, policyId: `ANPA${hex(c.name, 17).toUpperCase()}` }),
  "aws:iam/instanceProfile:InstanceProfile": (c) => ({ arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${c.physical}` }),
  "aws:cloudwatch/logGroup:LogGroup": (c) => ({ arn: `arn:aws:logs:${c.region}:${ACCOUNT_ID}:log-group:${c.physical}` }),
  "aws:sns/topic:Topic": (c) => ({ arn: `arn:aws:sns:${c.region}:${ACCOUNT_ID}:${c.physical}` }),
  "aws:ecr/repository:Repository": (c) => ({ repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${c.region}.amazonaws.com/${c.physical}`, registryId: ACCOUNT_ID }),
  "aws:autoscaling/group:Group": (c) => ({ arn: `arn:aws:autoscaling:${c.region}:${ACCOUNT_ID}:autoScalingGroup:${hex(c.name, 8)}:autoScalingGroupName/${c.physical}` }),
  "aws:wafv2/webAcl:WebAcl": (c) => ({
    arn: `arn:aws:wafv2:${c.region}:${ACCOUNT_ID}:${c.inputs.scope === "CLOUDFRONT" ? "global" : "regional"}/webacl/${c.physical}/${hex(c.name, 8)}`,
    capacity: 700,
  }),
  "aws:ses/domainIdentity:DomainIdentity": (c) => ({ verificationToken: Buffer.from(hex(c.name, 32), "hex").toString("base64") }),
  "aws:ses/domainDkim:DomainDkim": (c) => ({ dkimTokens: [0, 1, 2].map((i) => hex(`${c.name}${i}`, 32)) }),
  "aws:backup/vault:Vault": (c) => ({ arn: `arn:aws:backup:${c.region}:${ACCOUNT_ID}:backup-vault:${c.physical}` }),
  "aws:backup/plan:Plan": (c) => ({ arn: `arn:aws:backup:${c.region}:${ACCOUNT_ID}:backup-plan:${hex(c.name, 8)}`, version: hex(c.name, 16) }),
  "aws:ssm/document:Document": (c) => ({ arn: `arn:aws:ssm:${c.region}:${ACCOUNT_ID}:document/${c.physical}` }),
  "random:index/randomPassword:RandomPassword": (c) => ({ result: randomFrom(c, c.inputs.length ?? 32), bcryptHash: `$2a$10$${hex(c.name, 53)}` }),
  "random:index/randomString:RandomString": (c) => ({ result: randomFrom(c, c.inputs.length ?? 32) }),
  "random:index/randomId:RandomId": (c) => ({ hex: hex(c.name, (c.inputs.byteLength ?? 8) * 2), b64Url: Buffer.from(hex(c.name, (c.inputs.byteLength ?? 8) * 2), "hex").toString("base64url"), dec: String(parseInt(hex(c.name, 8), 16)) }),
  "docker:index/image:Image": (c) => {
    const image = String(c.inputs.imageName ?? c.name);
    const repo = image.split(":")[0];
    const digest = builtDigest(c, image, repo) ?? `sha256:${hex(c.name, 64)}`;
    return { repoDigest: `${repo}@${digest}`, baseImageName: image, imageName: image, registryServer: repo.split("/")[0] };
  },
  "command:local:Command": (c) => ({ stdout: `mock stdout of ${c.name}`, stderr: "" }),
  "command:remote:Command": (c) => ({ stdout: `mock stdout of ${c.name}`, stderr: "" }),
};

function bucket(c: Ctx, name: string): Outputs {
  return {
    bucket: name, id: name, arn: `arn:aws:s3:::${name}`,
    bucketDomainName: `${name}.s3.amazonaws.com`, bucketRegionalDomainName: `${name}.s3.${c.region}.amazonaws.com`,
    hostedZoneId: "Z3AQBSTGFYJSTF", region: c.region,
  };
}

/**
 * A deterministic value that honours the random provider's character-class switches, so
 * tests can check generated credentials against each service's character rules.
 */
function randomFrom(c: Ctx, length: number): string {
  const i = c.inputs;
  let alphabet = "";
  if (i.lower !== false) alphabet += "abcdefghijklmnopqrstuvwxyz";
  if (i.upper !== false) alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  if (i.numeric !== false && i.number !== false) alphabet += "0123456789";
  if (i.special !== false) alphabet += i.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?";
  const bytes = hex(c.name, length * 2);
  let out = "";
  for (let k = 0; k < length; k++) out += alphabet[parseInt(bytes.slice(k * 2, k * 2 + 2), 16) % alphabet.length];
  return out;
}
