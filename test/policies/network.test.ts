import { SG, SG_EGRESS, SG_INGRESS, SG_RULE, isWorld } from "../../policies/lib/net";
import { T } from "../../policies/lib/types";
import { TAGS, U, describePolicy, res } from "./helpers";

const group = (name: string, tier: string, extra: Record<string, any> = {}) =>
  res(SG, name, { vpcId: "vpc-1", description: `${name} group`, tags: { ...TAGS, tier, role: tier === "edge" && name.includes("lb") ? "lb" : tier }, ...extra }, { id: `sg-${name}` });
const ingress = (name: string, o: Record<string, any>, deps: any[] = []) =>
  res(SG_INGRESS, name, { securityGroupId: "sg-x", ipProtocol: "tcp", description: "why", tags: TAGS, ...o }, { deps });
const world = (port: number, o: Record<string, any> = {}) => ingress(`in-${port}`, { fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0", ...o });

describe("CIDR classification", () => {
  it.each([
    ["0.0.0.0/0", true], ["::/0", true], ["0.0.0.0/1", true], ["128.0.0.0/1", true], ["3.0.0.0/8", true], ["2000::/3", true],
    ["10.0.0.0/8", false], ["203.0.113.0/24", false], ["10.1.0.0/16", false], ["2001:db8::/32", false], ["not-a-cidr", false],
  ])("%s is world: %s", (cidr, expected) => expect(isWorld(cidr)).toBe(expected));
});

describePolicy({
  policy: "sg-world-ingress-web-ports-only",
  violating: [
    { title: "PostgreSQL open to the world", resources: [world(5432)], message: /tcp 5432 to 0\.0\.0\.0\/0/ },
    { title: "a port range including 443", resources: [world(0, { toPort: 1024 })], message: /tcp 0-1024/ },
    { title: "all traffic over IPv6", resources: [ingress("in-all", { ipProtocol: "-1", cidrIpv6: "::/0", fromPort: undefined, toPort: undefined })], message: /all traffic/ },
    { title: "an inline ingress block", resources: [group("web", "edge", { ingress: [{ protocol: "tcp", fromPort: 8080, toPort: 8080, cidrBlocks: ["0.0.0.0/0"], description: "dev" }] })], message: /ingress\[0\]/ },
    { title: "an aws:ec2 SecurityGroupRule", resources: [res(SG_RULE, "legacy", { type: "ingress", securityGroupId: "sg-x", protocol: "tcp", fromPort: 3000, toPort: 3000, cidrBlocks: ["0.0.0.0/0"], description: "x" })] },
    { title: "half the internet", resources: [world(6379, { cidrIpv4: "0.0.0.0/1" })] },
  ],
  compliant: [
    { title: "80 and 443 from the world", resources: [world(80), world(443), world(443, { cidrIpv4: undefined, cidrIpv6: "::/0" })] },
    { title: "SSH from an admin /32", resources: [ingress("ssh", { fromPort: 22, toPort: 22, cidrIpv4: "203.0.113.7/32" })] },
    { title: "a security-group reference", resources: [ingress("pg", { fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-app" })] },
    { title: "egress to the world", resources: [res(SG_EGRESS, "out", { securityGroupId: "sg-x", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "all out" })] },
  ],
  unknown: [
    { title: "ports unknown", resources: [world(0, { fromPort: U, toPort: U })] },
    { title: "CIDR unknown", resources: [world(5432, { cidrIpv4: U })] },
    { title: "inline rules unknown", resources: [group("web", "edge", { ingress: U })] },
  ],
});

describePolicy({
  policy: "sg-no-admin-ports-from-world",
  violating: [
    { title: "SSH from the world", resources: [world(22)], message: /port 22/ },
    { title: "RDP from the world over IPv6", resources: [world(3389, { cidrIpv4: undefined, cidrIpv6: "::/0" })] },
    { title: "all ports from the world", resources: [ingress("all", { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" })], message: /22, 3389/ },
  ],
  compliant: [
    { title: "SSH from an admin network", resources: [ingress("ssh", { fromPort: 22, toPort: 22, cidrIpv4: "198.51.100.0/24" })] },
    { title: "HTTPS from the world", resources: [world(443)] },
  ],
  unknown: [{ title: "protocol unknown", resources: [world(22, { ipProtocol: U })] }],
});

describePolicy({
  policy: "sg-data-ports-from-groups-only",
  violating: [
    { title: "PostgreSQL from the VPC CIDR", resources: [ingress("pg", { fromPort: 5432, toPort: 5432, cidrIpv4: "10.0.0.0/16" })], message: /10\.0\.0\.0\/16 reach data port 5432/ },
    { title: "Redis from a prefix list", resources: [ingress("redis", { fromPort: 6379, toPort: 6379, prefixListId: "pl-123" })], message: /prefix list/ },
  ],
  compliant: [
    { title: "PostgreSQL from the app group", resources: [ingress("pg", { fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-app" })] },
    { title: "HTTP from a CIDR", resources: [ingress("http", { fromPort: 80, toPort: 80, cidrIpv4: "10.0.0.0/16" })] },
  ],
  unknown: [{ title: "ports unknown", resources: [ingress("pg", { fromPort: U, toPort: U, cidrIpv4: "10.0.0.0/16" })] }],
});

describePolicy({
  policy: "sg-rules-described",
  violating: [
    { title: "a rule without description", resources: [ingress("in", { fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: undefined })], message: /no description/ },
    { title: "a group with the default description", resources: [group("web", "edge", { description: "Managed by Pulumi" })], message: /Managed by Pulumi/ },
    { title: "an inline egress rule without description", resources: [group("web", "edge", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] })], message: /egress\[0\]/ },
  ],
  compliant: [{ title: "described group and rules", resources: [group("web", "edge"), world(443)] }],
  unknown: [{ title: "descriptions unknown", resources: [group("web", "edge", { description: U }), world(443, { description: U })] }],
});

const edge = group("shop-edge", "edge");
const lbGroup = group("api-lb", "edge");
const app = group("shop-app", "app");
const data = group("shop-data", "data");

describePolicy({
  policy: "sg-world-ingress-edge-tier-only",
  violating: [
    { title: "HTTPS from the world into the app tier", resources: [app, world(443, { securityGroupId: "sg-shop-app" })], message: /tier is "app"/ },
    { title: "world ingress into an untagged group", resources: [res(SG, "misc", { description: "x", tags: TAGS }, { id: "sg-misc" }), world(443, { securityGroupId: "sg-misc" })], message: /not tagged/ },
    { title: "inline world ingress on the data tier", resources: [group("db", "data", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "x" }] })] },
  ],
  compliant: [
    { title: "the edge host group and the load balancer group", resources: [edge, lbGroup, world(443, { securityGroupId: "sg-shop-edge" }), world(80, { securityGroupId: "sg-api-lb" })] },
    { title: "the app tier from the load balancer group", resources: [app, ingress("app-in", { securityGroupId: "sg-shop-app", fromPort: 80, toPort: 80, referencedSecurityGroupId: "sg-api-lb" })] },
  ],
  unknown: [
    { title: "group id unknown, rule depends only on the edge group", resources: [edge, ingress("in", { securityGroupId: U, fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, [edge])] },
    { title: "group id unknown and no dependency", resources: [app, ingress("in", { securityGroupId: U, fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" })] },
    { title: "the group's tags unknown", resources: [group("x", "app", { tags: U }), world(443, { securityGroupId: "sg-x" })] },
  ],
});

describePolicy({
  policy: "sg-data-tier-from-groups-only",
  violating: [
    { title: "HTTPS from a CIDR into the data tier", resources: [data, ingress("d", { securityGroupId: "sg-shop-data", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/16" })], message: /data-tier group "shop-data"/ },
    { title: "found through the dependency in preview", resources: [data, ingress("d", { securityGroupId: U, fromPort: 5432, toPort: 5432, cidrIpv4: "10.0.0.0/16" }, [data])] },
  ],
  compliant: [
    { title: "PostgreSQL from the app group", resources: [data, app, ingress("d", { securityGroupId: "sg-shop-data", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-shop-app" }, [data, app])] },
    { title: "a CIDR into the app tier", resources: [app, ingress("a", { securityGroupId: "sg-shop-app", fromPort: 80, toPort: 80, cidrIpv4: "10.0.0.0/16" })] },
  ],
  unknown: [{ title: "CIDR unknown", resources: [data, ingress("d", { securityGroupId: "sg-shop-data", fromPort: 5432, toPort: 5432, cidrIpv4: U })] }],
});

const rds = (o: Record<string, any>) => res(T.rdsInstance, "shop-db", { engine: "postgres", instanceClass: "db.t4g.medium", tags: TAGS, ...o });
describePolicy({
  policy: "databases-not-public",
  violating: [{ title: "a publicly accessible database", resources: [rds({ publiclyAccessible: true })], message: /publicly accessible/ }],
  compliant: [{ title: "private", resources: [rds({ publiclyAccessible: false })] }, { title: "the default (private)", resources: [rds({})] }],
  unknown: [{ title: "flag unknown", resources: [rds({ publiclyAccessible: U })] }],
});

const vpc = (name = "net") => res(T.vpc, `${name}-vpc`, { cidrBlock: "10.0.0.0/16" }, { id: `vpc-${name}` });
const flowLog = (o: Record<string, any> = {}, deps: any[] = []) => res(T.flowLog, "net-flow-log", { vpcId: "vpc-net", trafficType: "ALL", logDestination: "arn:aws:logs:eu-west-1:1:log-group:net-flow-logs", ...o }, { deps });

describePolicy({
  policy: "vpc-flow-logs",
  violating: [
    { title: "a VPC without a flow log", resources: [vpc()], message: /no flow log/ },
    { title: "a flow log of another VPC only", resources: [vpc(), flowLog({ vpcId: "vpc-other" })], message: /no flow log/ },
    { title: "rejected traffic only", resources: [vpc(), flowLog({ trafficType: "REJECT" })], message: /only REJECT traffic/ },
  ],
  compliant: [
    { title: "all traffic logged", resources: [vpc(), flowLog()] },
    { title: "an ACCEPT log beside an ALL log", resources: [vpc(), flowLog({ trafficType: "ACCEPT" }), res(T.flowLog, "net-flow-log-all", { vpcId: "vpc-net", trafficType: "ALL" })] },
  ],
  unknown: [
    { title: "the VPC id unknown (same update), the log depends on the VPC", resources: [vpc(), flowLog({ vpcId: U }, ["urn:pulumi:test::webapp-platform::aws:ec2/vpc:Vpc::net-vpc"])] },
    { title: "the VPC id unknown, no dependency recorded", resources: [vpc(), flowLog({ vpcId: U })] },
    { title: "traffic type unknown", resources: [vpc(), flowLog({ trafficType: U })] },
  ],
});

const defaultSg = (o: Record<string, any> = {}) => res(T.defaultSecurityGroup, "net-default-sg", { vpcId: "vpc-net", ...o });
describePolicy({
  policy: "vpc-default-sg-closed",
  violating: [
    { title: "the default group left to AWS", resources: [vpc()], message: /not managed/ },
    { title: "the default group adopted with a self-referencing ingress rule", resources: [vpc(), defaultSg({ ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }] })], message: /1 ingress rule;/ },
    { title: "the default group adopted with all egress", resources: [vpc(), defaultSg({ egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] })], message: /1 egress rule;/ },
  ],
  compliant: [{ title: "adopted with no rules", resources: [vpc(), defaultSg()] }, { title: "empty rule lists", resources: [vpc(), defaultSg({ ingress: [], egress: [] })] }],
  unknown: [{ title: "VPC id and rules unknown", resources: [vpc(), defaultSg({ vpcId: U, ingress: U, egress: U })] }],
});

describePolicy({
  policy: "subnets-no-auto-public-ip",
  violating: [{ title: "a subnet that maps public addresses", resources: [res(T.subnet, "net-public-0", { vpcId: "vpc-net", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true })], message: /mapPublicIpOnLaunch true/ }],
  compliant: [
    { title: "mapPublicIpOnLaunch false", resources: [res(T.subnet, "net-public-0", { vpcId: "vpc-net", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: false })] },
    { title: "unset (AWS's default for a new subnet is false)", resources: [res(T.subnet, "net-public-0", { vpcId: "vpc-net", cidrBlock: "10.0.0.0/24" })] },
  ],
  unknown: [{ title: "unknown", resources: [res(T.subnet, "net-public-0", { vpcId: U, mapPublicIpOnLaunch: U })] }],
});

const eip = (name: string, o: Record<string, any> = {}) => res(T.eip, name, { domain: "vpc", ...o }, { id: `eipalloc-${name}`, outputs: { allocationId: `eipalloc-${name}`, publicIp: "198.51.100.7" } });
describePolicy({
  policy: "eip-attached",
  violating: [
    { title: "an address attached to nothing", resources: [eip("spare")], message: /attached to nothing/ },
    { title: "an association of another address", resources: [eip("spare"), res(T.eipAssociation, "web-host", { allocationId: "eipalloc-other", networkInterfaceId: "eni-1" })], message: /attached to nothing/ },
  ],
  compliant: [
    { title: "associated with a network interface", resources: [eip("web"), res(T.eipAssociation, "web-host", { allocationId: "eipalloc-web", networkInterfaceId: "eni-1" })] },
    { title: "a NAT gateway's address", resources: [eip("nat"), res(T.natGateway, "nat-0", { allocationId: "eipalloc-nat", subnetId: "subnet-1" })] },
    { title: "attached to an instance on the Eip itself", resources: [eip("web", { instance: "i-1" })] },
  ],
  unknown: [
    { title: "the allocation id unknown, the association depends on the address", resources: [eip("web"), res(T.eipAssociation, "web-host", { allocationId: U }, { deps: ["urn:pulumi:test::webapp-platform::aws:ec2/eip:Eip::web"] })] },
    { title: "the allocation id unknown, no dependency recorded", resources: [eip("web"), res(T.eipAssociation, "web-host", { allocationId: U })] },
    { title: "the instance unknown", resources: [eip("web", { instance: U })] },
  ],
});

describePolicy({
  policy: "sg-attached",
  violating: [
    { title: "a group nothing uses", resources: [group("spare", "app")], message: /no resource uses/ },
    { title: "a group only rules point at", resources: [group("spare", "app"), ingress("spare-in", { securityGroupId: "sg-spare", referencedSecurityGroupId: "sg-spare", fromPort: 80, toPort: 80 })], message: /no resource uses/ },
    { title: "a group's id only in a host's description", resources: [group("spare", "app"), group("app", "app"), res(T.instance, "web", { vpcSecurityGroupIds: ["sg-app"], userData: "# sg-spare" })], message: /no resource uses/ },
  ],
  compliant: [
    { title: "a load balancer's group", resources: [group("lb", "edge"), res(T.loadBalancer, "web-alb", { securityGroups: ["sg-lb"], subnets: ["subnet-1"] })] },
    { title: "a launch template's interface group", resources: [group("app", "app"), res(T.launchTemplate, "web-lt", { networkInterfaces: [{ securityGroups: ["sg-app"] }] })] },
    { title: "a function's VPC group", resources: [group("fn", "app"), res(T.lambdaFunction, "rotate", { vpcConfig: { securityGroupIds: ["sg-fn"], subnetIds: ["subnet-1"] } })] },
  ],
  unknown: [
    { title: "the group's id unknown, the database depends on it", resources: [res(SG, "db", { vpcId: "vpc-1" }), res(T.rdsInstance, "db", { vpcSecurityGroupIds: [U] }, { deps: ["urn:pulumi:test::webapp-platform::aws:ec2/securityGroup:SecurityGroup::db"] })] },
  ],
});
