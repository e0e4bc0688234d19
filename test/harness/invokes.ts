/**
 * Answers for the data-source calls (invokes) the program makes, as AWS would answer them
 * for the stack's region. An invoke without a fixture fails the run loudly, so a new data
 * source cannot silently return nothing.
 */
import { ACCOUNT_ID } from "./outputs";

/** Canonical publishes Ubuntu AMI ids under this SSM path. */
export const UBUNTU_AMI_PARAMETER = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";
export const UBUNTU_AMI_ID = "ami-0e5f882be1900e43b";
export const UBUNTU_ARM64_AMI_ID = "ami-0a1b2c3d4e5f60718";
/** Images EC2 describes (ec2/getAmi by image-id), with their architecture. */
export const KNOWN_AMIS: Record<string, { architecture: string; name: string; ownerId: string }> = {
  [UBUNTU_AMI_ID]: { architecture: "x86_64", name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261101", ownerId: "099720109477" },
  [UBUNTU_ARM64_AMI_ID]: { architecture: "arm64", name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20261101", ownerId: "099720109477" },
};

/** The regional ELB log-delivery accounts (elb/getServiceAccount). */
const ELB_ACCOUNTS: Record<string, string> = {
  "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-2": "797873946194",
  "eu-west-1": "156460612806", "eu-central-1": "054676820928", "eu-west-2": "652711504416",
};

const MANAGED_CLOUDFRONT_POLICIES: Record<string, string> = {
  "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
  "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
  "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
  "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
};

/** The mock ECR registry password (aws:ecr/getAuthorizationToken). */
export const ECR_MOCK_PASSWORD = "ecr-mock-password-eyJwYXlsb2FkIjoibW9jayJ9";

export type InvokeHandler = (inputs: Record<string, any>, region: string) => Record<string, any>;

export const INVOKES: Record<string, InvokeHandler> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": (_, region) => ({
    names: ["a", "b", "c"].map((s) => `${region}${s}`),
    zoneIds: [1, 2, 3].map((n) => `${region.slice(0, 3)}${region.split("-")[2]}-az${n}`),
    state: "available", id: region,
  }),
  "aws:index/getRegion:getRegion": (_, region) => ({ name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci`, userId: "AIDAEXAMPLE", id: ACCOUNT_ID }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
  "aws:route53/getZone:getZone": (inputs) => {
    const name = String(inputs.name).replace(/\.$/, "");
    const zoneId = `Z${Buffer.from(name).toString("hex").toUpperCase().slice(0, 20)}`;
    return { id: zoneId, zoneId, name, privateZone: false, nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"] };
  },
  "aws:ssm/getParameter:getParameter": (inputs) => {
    const ubuntu = /^\/aws\/service\/canonical\/ubuntu\/server\/24\.04\/stable\/current\/(amd64|arm64)\/hvm\/ebs-gp3\/ami-id$/.exec(String(inputs.name));
    if (ubuntu) {
      const id = ubuntu[1] === "arm64" ? UBUNTU_ARM64_AMI_ID : UBUNTU_AMI_ID;
      return { id: inputs.name, name: inputs.name, type: "String", value: id, insecureValue: id, version: 1 };
    }
    throw new Error(`no fixture for SSM parameter ${inputs.name}`);
  },
  "aws:ec2/getAmi:getAmi": (inputs) => {
    const ids: string[] = (inputs.filters ?? []).filter((f: { name: string }) => f.name === "image-id").flatMap((f: { values: string[] }) => f.values);
    const image = ids.length === 1 ? KNOWN_AMIS[ids[0]] : undefined;
    if (!image) throw new Error(`no image fixture for ${JSON.stringify(inputs.filters)} (EC2 would return no image: "Your query returned no results")`);
    return { id: ids[0], imageId: ids[0], ...image };
  },
  "aws:elb/getServiceAccount:getServiceAccount": (_, region) => {
    const account = ELB_ACCOUNTS[region];
    if (!account) throw new Error(`no ELB log-delivery account fixture for ${region}`);
    return { id: account, arn: `arn:aws:iam::${account}:root` };
  },
  // The password is a short-lived registry credential; the fixture's is recognisable so tests can look for leaks.
  "aws:ecr/getAuthorizationToken:getAuthorizationToken": (inputs, region) => {
    const registryId = inputs.registryId ?? ACCOUNT_ID;
    return {
      id: region, region, registryId, userName: "AWS", password: ECR_MOCK_PASSWORD,
      authorizationToken: Buffer.from(`AWS:${ECR_MOCK_PASSWORD}`).toString("base64"),
      proxyEndpoint: `https://${registryId}.dkr.ecr.${region}.amazonaws.com`,
      expiresAt: "2030-01-01T12:00:00Z",
    };
  },
  "aws:ec2/getManagedPrefixList:getManagedPrefixList": (inputs) => {
    if (inputs.name !== "com.amazonaws.global.cloudfront.origin-facing") throw new Error(`no fixture for prefix list ${inputs.name}`);
    return { id: "pl-4fa04526", name: inputs.name, addressFamily: "IPv4", maxEntries: 55, arn: "arn:aws:ec2:aws-managed-prefix-list/pl-4fa04526" };
  },
  "aws:cloudfront/getCachePolicy:getCachePolicy": (inputs) => managedPolicy(inputs.name),
  "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy": (inputs) => managedPolicy(inputs.name),
};

function managedPolicy(name: string): Record<string, any> {
  const id = MANAGED_CLOUDFRONT_POLICIES[name];
  if (!id) throw new Error(`no fixture for CloudFront managed policy ${name}`);
  return { id, name };
}
