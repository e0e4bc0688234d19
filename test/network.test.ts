import { Recording, recordStack } from "./harness";

const SUBNET = "aws:ec2/subnet:Subnet";

function subnetsByTier(rec: Recording): Record<string, { cidr: string; az: string; id: string }[]> {
  const out: Record<string, { cidr: string; az: string; id: string }[]> = {};
  for (const s of rec.ofType(SUBNET)) (out[s.inputs.tags.tier] ??= []).push({ cidr: s.inputs.cidrBlock, az: s.inputs.availabilityZone, id: s.id });
  return out;
}

describe("network of the staging stack", () => {
  let rec: Recording;
  beforeAll(async () => { rec = await recordStack("staging"); });

  it("lays out public, private and isolated subnets over 2 AZs from the configured CIDR", () => {
    const tiers = subnetsByTier(rec);
    expect(tiers.public.map((s) => [s.cidr, s.az])).toEqual([["10.20.0.0/20", "eu-west-1a"], ["10.20.16.0/20", "eu-west-1b"]]);
    expect(tiers.private.map((s) => [s.cidr, s.az])).toEqual([["10.20.64.0/20", "eu-west-1a"], ["10.20.80.0/20", "eu-west-1b"]]);
    expect(tiers.isolated.map((s) => [s.cidr, s.az])).toEqual([["10.20.128.0/20", "eu-west-1a"], ["10.20.144.0/20", "eu-west-1b"]]);
    expect(rec.ofType(SUBNET).every((s) => s.inputs.mapPublicIpOnLaunch === false)).toBe(true);
  });

  it("uses one NAT gateway, in a public subnet, for every private route table", () => {
    const nats = rec.ofType("aws:ec2/natGateway:NatGateway");
    expect(nats).toHaveLength(1);
    expect(subnetsByTier(rec).public.map((s) => s.id)).toContain(nats[0].inputs.subnetId);
    const natRoutes = rec.ofType("aws:ec2/route:Route").filter((r) => r.inputs.natGatewayId);
    expect(natRoutes).toHaveLength(2);
    expect(new Set(natRoutes.map((r) => r.inputs.natGatewayId))).toEqual(new Set([nats[0].id]));
  });

  it("gives isolated subnets no route out", () => {
    const isolatedRt = rec.one("aws:ec2/routeTable:RouteTable", /isolated/);
    expect(rec.ofType("aws:ec2/route:Route").filter((r) => r.inputs.routeTableId === isolatedRt.id)).toEqual([]);
    const isolatedIds = subnetsByTier(rec).isolated.map((s) => s.id);
    const assoc = rec.ofType("aws:ec2/routeTableAssociation:RouteTableAssociation").filter((a) => isolatedIds.includes(a.inputs.subnetId));
    expect(assoc.map((a) => a.inputs.routeTableId)).toEqual([isolatedRt.id, isolatedRt.id]);
  });

  it("sends flow logs for all traffic to a log group with retention", () => {
    const flow = rec.one("aws:ec2/flowLog:FlowLog");
    const group = rec.one("aws:cloudwatch/logGroup:LogGroup", /flow-logs/);
    expect(flow.inputs).toMatchObject({ trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: group.outputs.arn });
    expect(group.inputs.retentionInDays).toBe(14);
  });

  it("encrypts the flow-log group with the stack key, which exists first (AWS checks its policy on association)", () => {
    const group = rec.one("aws:cloudwatch/logGroup:LogGroup", /flow-logs/);
    const key = rec.one("aws:kms/key:Key", "staging-key");
    expect(group.inputs.kmsKeyId).toBe(key.outputs.arn);
    expect(group.dependencies).toContain(key.urn);
  });

  it("routes S3 through a gateway endpoint and leaves the default security group with no rules", () => {
    expect(rec.one("aws:ec2/vpcEndpoint:VpcEndpoint").inputs).toMatchObject({ vpcEndpointType: "Gateway", serviceName: "com.amazonaws.eu-west-1.s3" });
    const def = rec.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(def.inputs.ingress ?? []).toEqual([]);
    expect(def.inputs.egress ?? []).toEqual([]);
  });

  it("puts the database and cache subnet groups on the isolated subnets only", () => {
    const isolatedIds = subnetsByTier(rec).isolated.map((s) => s.id);
    expect(rec.one("aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds).toEqual(isolatedIds);
    expect(rec.one("aws:elasticache/subnetGroup:SubnetGroup").inputs.subnetIds).toEqual(isolatedIds);
  });

  it("tags shared resources as platform resources of the environment", () => {
    expect(rec.one("aws:ec2/vpc:Vpc").inputs.tags).toMatchObject({ app: "platform", environment: "staging", "managed-by": "pulumi", "cost-center": "platform-staging" });
  });
});

describe("network of the prod stack", () => {
  it("spreads over 3 AZs with a NAT gateway per AZ, each AZ routed through its own", async () => {
    const rec = await recordStack("prod");
    const tiers = subnetsByTier(rec);
    expect(tiers.private.map((s) => s.az)).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(tiers.isolated.map((s) => s.cidr)).toEqual(["10.10.128.0/20", "10.10.144.0/20", "10.10.160.0/20"]);
    const nats = rec.ofType("aws:ec2/natGateway:NatGateway");
    expect(nats.map((n) => n.inputs.subnetId)).toEqual(tiers.public.map((s) => s.id));
    const routes = rec.ofType("aws:ec2/route:Route").filter((r) => r.inputs.natGatewayId);
    expect(routes.map((r) => r.inputs.natGatewayId)).toEqual(nats.map((n) => n.id));
    expect(rec.one("aws:cloudwatch/logGroup:LogGroup", /flow-logs/).inputs.retentionInDays).toBe(90);
  });

  it("honours a NAT strategy override: none creates no NAT and no default route for private subnets", async () => {
    const rec = await recordStack("staging", {
      config: {
        "webapp-platform:network": { cidr: "10.30.0.0/16", natStrategy: "none" },
        // natStrategy none is only valid without private hosts: keep the single-host apps.
        "webapp-platform:apps": Object.fromEntries(Object.entries((await import("./harness")).loadStackFile("staging")["webapp-platform:apps"] as object)
          .filter(([, a]) => (a as { architecture: string }).architecture === "single-host")),
      },
    });
    expect(rec.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(0);
    expect(rec.ofType("aws:ec2/eip:Eip").filter((e) => /nat/.test(e.name))).toHaveLength(0);
    expect(rec.ofType("aws:ec2/route:Route").map((r) => r.name)).toEqual(["staging-public-default"]);
  });
});
