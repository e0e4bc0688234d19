/**
 * Estimated monthly cost of a plan, per resource, grouped per app (the nearest
 * `webapp-platform:architecture:*` ancestor) and "platform (shared)" for the rest.
 *
 * Each priced resource gets one line with its amount and the arithmetic behind it, so a
 * reviewer can check it by hand. Amounts are rounded to cents per line and totals are sums
 * of the rounded lines, so every table adds up exactly as printed. Resource types AWS does
 * not bill for are listed in FREE_TYPES; any other type is reported as "not priced" rather
 * than silently counted as zero.
 */
import {
  EC2_HOURLY, ELASTICACHE_HOURLY, HOURS_PER_MONTH, PRICES, PRICE_REGION, RDS_HOURLY, RDS_MULTI_AZ_FACTOR, UnitPrice, monthly,
} from "./prices";
import { PlanIndex, PlanResource, SHARED } from "./resources";

export interface CostItem {
  urn: string;
  name: string;
  type: string;
  /** USD per month, rounded to cents. */
  monthly: number;
  /** The arithmetic, e.g. "t3.small $0.0228/h × 730 h + 8 GB gp3 × $0.088". */
  basis: string;
}

export interface CostGroup {
  /** App name, or "platform (shared)". */
  name: string;
  /** Architecture (e.g. "WebFleetApp"); null for the shared platform. */
  architecture: string | null;
  monthly: number;
  items: CostItem[];
  /** Custom resources in this group with no direct charge. */
  freeCount: number;
}

export interface Unpriced {
  type: string;
  count: number;
  /** Why: a type not in the table, or a size the table lacks (e.g. an instance type). */
  reason: string;
}

export interface CostReport {
  currency: "USD";
  region: string;
  monthly: number;
  /** Apps in registration order, then the shared platform. */
  groups: CostGroup[];
  unpriced: Unpriced[];
}

/** Types AWS does not bill for by themselves (their usage is billed on another resource, if at all). */
export const FREE_TYPES: ReadonlySet<string> = new Set([
  "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route",
  "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:ec2/flowLog:FlowLog", "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/eipAssociation:EipAssociation",
  "aws:ec2/keyPair:KeyPair", "aws:autoscaling/policy:Policy", "aws:autoscaling/attachment:Attachment",
  "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/instanceProfile:InstanceProfile", "aws:iam/serviceLinkedRole:ServiceLinkedRole",
  "aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup",
  "aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/parameterGroup:ParameterGroup",
  "aws:lb/targetGroup:TargetGroup", "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule", "aws:lb/targetGroupAttachment:TargetGroupAttachment",
  "aws:alb/targetGroup:TargetGroup", "aws:alb/listener:Listener", "aws:alb/listenerRule:ListenerRule", "aws:alb/targetGroupAttachment:TargetGroupAttachment",
  "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
  // Alias queries to AWS resources are free; the few other queries are negligible.
  "aws:route53/record:Record",
  // E-mail notifications: the first 1,000 a month are free.
  "aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription", "aws:sns/topicPolicy:TopicPolicy",
  "aws:backup/vault:Vault", "aws:backup/plan:Plan", "aws:kms/alias:Alias", "aws:secretsmanager/secretVersion:SecretVersion",
  "aws:s3/bucketPolicy:BucketPolicy", "aws:cloudfront/originAccessControl:OriginAccessControl",
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "aws:cloudfront/cachePolicy:CachePolicy",
  "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "aws:wafv2/webAclAssociation:WebAclAssociation",
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy", "aws:ssm/document:Document", "aws:ssm/parameter:Parameter",
  "aws:ses/domainDkim:DomainDkim", "aws:ses/domainIdentityVerification:DomainIdentityVerification", "aws:ses/domainMailFrom:MailFrom",
  // Images are stored (and billed) in their ECR repository.
  "docker:index/image:Image", "docker:index/registryImage:RegistryImage",
  "command:local:Command", "command:remote:Command",
  // A rotation function runs four short invocations a month: far inside Lambda's free tier
  // (1M requests and 400,000 GB-s a month); rotation itself is not billed.
  "aws:lambda/function:Function", "aws:lambda/permission:Permission", "aws:secretsmanager/secretRotation:SecretRotation",
]);

/** One priced line: amount before rounding, and how it was computed. */
interface Charge { usd: number; basis: string }
/** A charge, null for "free", or an Unpriced reason. */
type Pricing = Charge[] | null | { unpriced: string };

const rate = (n: number) => `$${String(n)}`;
const cents = (n: number) => Math.round(n * 100) / 100;
const hourly = (price: number, what: string, count = 1): Charge => ({
  usd: count * monthly(price),
  basis: `${count !== 1 ? `${count} × ` : ""}${what} ${rate(price)}/h × ${HOURS_PER_MONTH} h`,
});
/** "50 GB out", "200 × 10k HTTPS requests". */
export const quantity = (n: number, unit: string) => (/^\d/.test(unit) ? `${n} × ${unit}` : `${n} ${unit}`);
/** A usage or flat price: the assumed monthly volume (1 for flat prices) times the unit price. */
const usage = (p: UnitPrice, n = p.assumed ?? 1): Charge => ({
  usd: n * p.usd,
  basis: `${quantity(n, p.unit)} × ${rate(p.usd)}`,
});
const gb = (size: number, volumeType: string | undefined): Charge => {
  const p = volumeType === "gp2" ? PRICES.ebsGp2 : PRICES.ebsGp3;
  return { usd: size * p.usd, basis: `${size} GB ${volumeType === "gp2" ? "gp2" : "gp3"} × ${rate(p.usd)}` };
};

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** EBS attached to a host: the root volume (AMI default when unset) and any extra volumes. */
function instanceVolumes(inputs: Record<string, any>): Charge[] {
  const root = inputs.rootBlockDevice ?? {};
  const out = [gb(num(root.volumeSize) ?? PRICES.defaultRootVolume.assumed, root.volumeType)];
  for (const v of inputs.ebsBlockDevices ?? []) out.push(gb(num(v.volumeSize) ?? 0, v.volumeType));
  return out;
}

/** EBS in a launch template's block device mappings; the AMI's root volume when there are none. */
function templateVolumes(inputs: Record<string, any>): Charge[] {
  const maps: any[] = inputs.blockDeviceMappings ?? [];
  const sized = maps.filter((m) => m?.ebs);
  if (sized.length === 0) return [gb(PRICES.defaultRootVolume.assumed, undefined)];
  return sized.map((m) => gb(num(m.ebs.volumeSize) ?? PRICES.defaultRootVolume.assumed, m.ebs.volumeType));
}

function sum(charges: Charge[]): Charge {
  return { usd: charges.reduce((n, c) => n + c.usd, 0), basis: charges.map((c) => c.basis).join(" + ") };
}

/** The RDS instance a replica or backup selection depends on, for its storage size. */
function dependencyOfType(r: PlanResource, index: PlanIndex, type: string): PlanResource | undefined {
  return r.dependencies.map((u) => index.byUrn.get(u)).find((d) => d?.type === type);
}

function rdsStorageGb(r: PlanResource, index: PlanIndex): number {
  const own = num(r.inputs.allocatedStorage);
  if (own !== undefined) return own;
  // A replica inherits its source's storage.
  const source = dependencyOfType(r, index, "aws:rds/instance:Instance");
  return source ? rdsStorageGb(source, index) : 0;
}

/** Monthly charges of one resource, from its type and inputs. */
export function priceResource(r: PlanResource, index: PlanIndex): Pricing {
  if (!r.custom) return null;
  const i = r.inputs;
  switch (r.type) {
    case "aws:ec2/instance:Instance": {
      const price = EC2_HOURLY[i.instanceType];
      if (price === undefined) return { unpriced: `instance type ${i.instanceType} not in the price table` };
      return [hourly(price, String(i.instanceType)), ...instanceVolumes(i)];
    }
    case "aws:autoscaling/group:Group": {
      const count = num(i.desiredCapacity) ?? num(i.minSize) ?? 0;
      const template = dependencyOfType(r, index, "aws:ec2/launchTemplate:LaunchTemplate");
      if (!template) return { unpriced: "auto scaling group without a recorded launch template" };
      const type = template.inputs.instanceType;
      const price = EC2_HOURLY[type];
      if (price === undefined) return { unpriced: `instance type ${type} not in the price table` };
      const perInstance = sum([hourly(price, String(type)), ...templateVolumes(template.inputs)]);
      return [{ usd: count * perInstance.usd, basis: `${count} × (${perInstance.basis}) (desired capacity)` }];
    }
    case "aws:ebs/volume:Volume":
      return [gb(num(i.size) ?? 0, i.type)];
    case "aws:ec2/eip:Eip":
      return [hourly(PRICES.publicIpv4Hour.usd, "public IPv4")];
    case "aws:ec2/natGateway:NatGateway":
      return [hourly(PRICES.natHour.usd, "NAT gateway"), usage(PRICES.natGb)];
    case "aws:ec2/vpcEndpoint:VpcEndpoint": {
      if ((i.vpcEndpointType ?? "Gateway") !== "Interface") return null;
      const azs = Array.isArray(i.subnetIds) ? i.subnetIds.length : 1;
      return [hourly(PRICES.interfaceEndpointHour.usd, "interface endpoint AZ", azs)];
    }
    case "aws:lb/loadBalancer:LoadBalancer":
    case "aws:alb/loadBalancer:LoadBalancer": {
      if ((i.loadBalancerType ?? "application") !== "application") return { unpriced: `${i.loadBalancerType} load balancers are not in the price table` };
      const out = [hourly(PRICES.albHour.usd, "ALB"), { usd: monthly(PRICES.albLcu.usd) * (PRICES.albLcu.assumed ?? 1), basis: `${PRICES.albLcu.assumed} LCU × ${rate(PRICES.albLcu.usd)}/h × ${HOURS_PER_MONTH} h` }];
      if (i.internal !== true) {
        const azs = Array.isArray(i.subnets) ? i.subnets.length : Array.isArray(i.subnetMappings) ? i.subnetMappings.length : 2;
        out.push(hourly(PRICES.publicIpv4Hour.usd, "public IPv4", azs));
      }
      return out;
    }
    case "aws:rds/instance:Instance": {
      const price = RDS_HOURLY[i.instanceClass];
      if (price === undefined) return { unpriced: `instance class ${i.instanceClass} not in the price table` };
      const factor = i.multiAz === true ? RDS_MULTI_AZ_FACTOR : 1;
      const storage = rdsStorageGb(r, index);
      const az = factor > 1 ? ` × ${factor} (Multi-AZ)` : "";
      return [
        { usd: factor * monthly(price), basis: `${i.instanceClass} ${rate(price)}/h × ${HOURS_PER_MONTH} h${az}` },
        { usd: factor * storage * PRICES.rdsGp3.usd, basis: `${storage} GB × ${rate(PRICES.rdsGp3.usd)}${az}` },
      ];
    }
    case "aws:elasticache/replicationGroup:ReplicationGroup": {
      const price = ELASTICACHE_HOURLY[i.nodeType];
      if (price === undefined) return { unpriced: `node type ${i.nodeType} not in the price table` };
      const nodes = num(i.numCacheClusters) ?? (num(i.numNodeGroups) ?? 1) * ((num(i.replicasPerNodeGroup) ?? 0) + 1);
      return [hourly(price, String(i.nodeType), nodes)];
    }
    case "aws:cloudfront/distribution:Distribution":
      return [usage(PRICES.cloudfrontGb), usage(PRICES.cloudfrontRequests)];
    case "aws:cloudfront/function:Function":
      return [usage(PRICES.cloudfrontFunction)];
    case "aws:wafv2/webAcl:WebAcl": {
      const rules = Array.isArray(i.rules) ? i.rules.length : 0;
      return [usage(PRICES.wafAcl), usage(PRICES.wafRule, rules), usage(PRICES.wafRequests)];
    }
    case "aws:wafv2/webAclRule:WebAclRule":
      return [usage(PRICES.wafRule, 1)];
    case "aws:kms/key:Key":
      return [usage(PRICES.kmsKey)];
    case "aws:secretsmanager/secret:Secret":
      return [usage(PRICES.secret)];
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      return [usage(PRICES.s3Standard)];
    case "aws:cloudwatch/logGroup:LogGroup":
      return [usage(PRICES.logsIngest), usage(PRICES.logsStorage)];
    case "aws:cloudwatch/metricAlarm:MetricAlarm": {
      const metrics = Array.isArray(i.metricQueries) ? i.metricQueries.filter((q: { metric?: unknown }) => q?.metric).length : 1;
      return [usage(PRICES.alarm, Math.max(1, metrics))];
    }
    case "aws:backup/selection:Selection":
      return backupCharges(r, index);
    case "aws:route53/zone:Zone":
      return [usage(PRICES.route53Zone)];
    case "aws:ecr/repository:Repository":
      return [usage(PRICES.ecrStorage)];
    case "aws:ses/domainIdentity:DomainIdentity":
    case "aws:sesv2/emailIdentity:EmailIdentity":
      return [usage(PRICES.sesEmail)];
    default:
      if (FREE_TYPES.has(r.type) || r.type.startsWith("pulumi:providers:") || r.type.startsWith("random:")) return null;
      // Bucket settings (versioning, encryption, public access block, ...) are part of the bucket's price.
      if (r.type.startsWith("aws:s3/bucket")) return null;
      return { unpriced: "type not in the price table" };
  }
}

/** AWS Backup storage: the selected resources' size at the backup storage price of their kind. */
function backupCharges(r: PlanResource, index: PlanIndex): Charge[] {
  const out: Charge[] = [];
  for (const u of r.dependencies) {
    const d = index.byUrn.get(u);
    if (!d) continue;
    if (d.type === "aws:rds/instance:Instance") {
      const size = rdsStorageGb(d, index);
      out.push({ usd: size * PRICES.backupRds.usd, basis: `${d.name} ${size} GB × ${rate(PRICES.backupRds.usd)}` });
    } else if (d.type === "aws:s3/bucket:Bucket" || d.type === "aws:s3/bucketV2:BucketV2") {
      const size = PRICES.s3Standard.assumed;
      out.push({ usd: size * PRICES.backupS3.usd, basis: `${d.name} ${size} GB × ${rate(PRICES.backupS3.usd)}` });
    } else if (d.type === "aws:ec2/instance:Instance" || d.type === "aws:ebs/volume:Volume") {
      const size = d.type === "aws:ebs/volume:Volume" ? num(d.inputs.size) ?? 0 : num(d.inputs.rootBlockDevice?.volumeSize) ?? PRICES.defaultRootVolume.assumed;
      out.push({ usd: size * PRICES.backupEbs.usd, basis: `${d.name} ${size} GB × ${rate(PRICES.backupEbs.usd)}` });
    }
  }
  return out;
}

export function estimateCost(resources: PlanResource[], index = new PlanIndex(resources)): CostReport {
  const groups = new Map<string, CostGroup>();
  for (const app of index.apps()) groups.set(app.name, { name: app.name, architecture: app.architecture, monthly: 0, items: [], freeCount: 0 });
  const shared: CostGroup = { name: SHARED, architecture: null, monthly: 0, items: [], freeCount: 0 };
  const unpriced = new Map<string, Unpriced>();

  for (const r of resources) {
    if (!r.custom) continue;
    const group = groups.get(index.groupOf(r)) ?? shared;
    const pricing = priceResource(r, index);
    if (pricing === null) { group.freeCount++; continue; }
    if (!Array.isArray(pricing)) {
      const key = `${r.type}\u0000${pricing.unpriced}`;
      const u = unpriced.get(key) ?? { type: r.type, count: 0, reason: pricing.unpriced };
      u.count++;
      unpriced.set(key, u);
      continue;
    }
    const charges = pricing.filter((c) => c.usd !== 0 || pricing.length === 1);
    const total = sum(charges);
    group.items.push({ urn: r.urn, name: r.name, type: r.type, monthly: cents(total.usd), basis: total.basis.replace(/\s+/g, " ").trim() });
  }

  const all = [...groups.values(), shared];
  for (const g of all) g.monthly = cents(g.items.reduce((n, it) => n + it.monthly, 0));
  return {
    currency: "USD",
    region: PRICE_REGION,
    monthly: cents(all.reduce((n, g) => n + g.monthly, 0)),
    groups: all,
    unpriced: [...unpriced.values()].sort((a, b) => a.type.localeCompare(b.type)),
  };
}

export function formatUsd(n: number): string {
  return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
