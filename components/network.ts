import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NatStrategy } from "../lib/environment";
import { PlatformContext, invalidArg, typeToken } from "./common";
import { SubnetTier, planSubnets } from "./subnets";

export interface NetworkArgs {
  /** Stack name, region and log retention. Required. */
  ctx: PlatformContext;
  /** VPC IPv4 CIDR. Required (validated config: a private /16-/22). */
  cidr: string;
  /** Availability zones to use, 2 or 3 (the stack config picks 3 in prod). @default 2 */
  azCount?: number;
  /** NAT gateways: none, one shared, or one per AZ (the stack config picks perAz in prod). @default "single" */
  natStrategy?: NatStrategy;
  /** Days the VPC flow logs are kept. @default the stack's log retention */
  flowLogRetentionDays?: number;
  /**
   * KMS key ARN that encrypts the flow-log group (the stack key; its policy must let this
   * region's CloudWatch Logs use it).
   * @default none: CloudWatch Logs' own encryption
   */
  kmsKeyArn?: pulumi.Input<string>;
}

/**
 * The stack's VPC: public, private (app) and isolated (data) subnets over 2-3 AZs, an
 * internet gateway, NAT per strategy, flow logs, an S3 gateway endpoint, a default
 * security group with no rules, and the subnet groups databases and caches use.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: string;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly isolatedSubnetIds: pulumi.Output<string>[];
  /** RDS subnet group over the isolated subnets. */
  readonly dbSubnetGroupName: pulumi.Output<string>;
  /** ElastiCache subnet group over the isolated subnets. */
  readonly cacheSubnetGroupName: pulumi.Output<string>;
  readonly natGatewayCount: number;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("network", "Network"), name, {}, opts);
    const { ctx } = args;
    const azCount = args.azCount ?? 2;
    const natStrategy = args.natStrategy ?? "single";
    if (azCount < 2 || azCount > 3) invalidArg("Network", "azCount", `must be 2 or 3, got ${azCount}`);
    const plan = planSubnets(args.cidr, azCount);
    const parent = { parent: this };

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
      cidrBlock: args.cidr,
      enableDnsHostnames: true, // RDS, ElastiCache and interface endpoints resolve through VPC DNS
      enableDnsSupport: true,
      tags: { Name: `${name}-vpc` },
    }, parent);

    // Take over the default security group and leave it with no rules, so nothing can use it by accident.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: { Name: `${name}-default-closed` } }, parent);

    const azs = aws.getAvailabilityZonesOutput({ state: "available" }, parent);
    const subnets: Record<SubnetTier, aws.ec2.Subnet[]> = { public: [], private: [], isolated: [] };
    for (const s of plan) {
      subnets[s.tier].push(new aws.ec2.Subnet(`${name}-${s.tier}-${s.azIndex}`, {
        vpcId: vpc.id,
        cidrBlock: s.cidr,
        availabilityZone: azs.names[s.azIndex],
        mapPublicIpOnLaunch: false, // single hosts get an Elastic IP explicitly; nothing else is public
        tags: { Name: `${name}-${s.tier}-${s.azIndex}`, tier: s.tier },
      }, parent));
    }

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${name}-igw` } }, parent);
    const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id, tags: { Name: `${name}-public`, tier: "public" } }, parent);
    new aws.ec2.Route(`${name}-public-default`, { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, parent);
    subnets.public.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: s.id, routeTableId: publicRt.id }, parent));

    const natCount = natStrategy === "none" ? 0 : natStrategy === "single" ? 1 : azCount;
    const nats = Array.from({ length: natCount }, (_, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: { Name: `${name}-nat-${i}` } }, parent);
      return new aws.ec2.NatGateway(`${name}-nat-${i}`, {
        allocationId: eip.id, subnetId: subnets.public[i].id, tags: { Name: `${name}-nat-${i}` },
      }, { parent: this, dependsOn: [igw] });
    });

    // One private route table per AZ, so perAz NAT keeps each AZ's egress in its own AZ.
    const privateRts = subnets.private.map((s, i) => {
      const rt = new aws.ec2.RouteTable(`${name}-private-rt-${i}`, { vpcId: vpc.id, tags: { Name: `${name}-private-${i}`, tier: "private" } }, parent);
      if (natCount > 0) {
        new aws.ec2.Route(`${name}-private-default-${i}`, {
          routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nats[Math.min(i, natCount - 1)].id,
        }, parent);
      }
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: s.id, routeTableId: rt.id }, parent);
      return rt;
    });

    // Isolated subnets have no default route at all: data never talks to the internet.
    const isolatedRt = new aws.ec2.RouteTable(`${name}-isolated-rt`, { vpcId: vpc.id, tags: { Name: `${name}-isolated`, tier: "isolated" } }, parent);
    subnets.isolated.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-isolated-${i}`, { subnetId: s.id, routeTableId: isolatedRt.id }, parent));

    // S3 traffic (artifacts, media, logs) stays on the AWS network and costs no NAT processing.
    new aws.ec2.VpcEndpoint(`${name}-s3`, {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${ctx.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: [publicRt.id, ...privateRts.map((rt) => rt.id)],
      tags: { Name: `${name}-s3` },
    }, parent);

    const flowLogGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
      name: `/${ctx.stack}/vpc/${name}/flow-logs`,
      retentionInDays: args.flowLogRetentionDays ?? ctx.logRetentionDays,
      kmsKeyId: args.kmsKeyArn,
    }, parent);
    const flowLogRole = new aws.iam.Role(`${name}-flow-logs`, {
      description: "Lets VPC Flow Logs write to its log group",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }, parent);
    new aws.iam.RolePolicy(`${name}-flow-logs`, {
      role: flowLogRole.id,
      policy: flowLogGroup.arn.apply((arn) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [arn, `${arn}:*`],
        }],
      })),
    }, parent);
    new aws.ec2.FlowLog(`${name}-flow-log`, {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: flowLogGroup.arn,
      iamRoleArn: flowLogRole.arn,
      maxAggregationInterval: 60,
    }, parent);

    const dbSubnetGroup = new aws.rds.SubnetGroup(`${name}-db`, {
      description: "PostgreSQL on the isolated subnets",
      subnetIds: subnets.isolated.map((s) => s.id),
    }, parent);
    const cacheSubnetGroup = new aws.elasticache.SubnetGroup(`${name}-cache`, {
      description: "Redis on the isolated subnets",
      subnetIds: subnets.isolated.map((s) => s.id),
    }, parent);

    this.vpcId = vpc.id;
    this.vpcCidr = args.cidr;
    this.publicSubnetIds = subnets.public.map((s) => s.id);
    this.privateSubnetIds = subnets.private.map((s) => s.id);
    this.isolatedSubnetIds = subnets.isolated.map((s) => s.id);
    this.dbSubnetGroupName = dbSubnetGroup.name;
    this.cacheSubnetGroupName = cacheSubnetGroup.name;
    this.natGatewayCount = natCount;
    this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds, isolatedSubnetIds: this.isolatedSubnetIds });
  }
}
