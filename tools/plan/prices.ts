/**
 * The price table and the creation-time table the offline plan estimates with.
 *
 * Prices: AWS on-demand list prices in USD for eu-west-1 (Ireland), the region both stacks
 * use; CloudFront, WAF for CloudFront and ACM are global services billed through us-east-1.
 * A month is 730 hours (AWS's own convention: 8,760 h / 12). No free tier, savings plan or
 * reserved pricing is applied: the estimate is what a new account would pay at list price.
 *
 * The numbers were transcribed from the AWS pricing pages listed in SOURCES (snapshot
 * PRICES_AS_OF). They were not re-fetched by this program (it runs without network), so
 * re-check them there before quoting a figure to anyone who pays the bill; when a price
 * changes, edit it here and run `npm run docs:plans`.
 *
 * Usage-based charges need a volume: every such number sits next to the assumption it uses
 * (`assumed`), and the report prints both, so a reviewer can scale them.
 */

export const PRICE_REGION = "eu-west-1";
export const GLOBAL_REGION = "us-east-1";
export const PRICES_AS_OF = "2025-06";
export const HOURS_PER_MONTH = 730;

export const SOURCES = {
  ec2: "https://aws.amazon.com/ec2/pricing/on-demand/",
  ebs: "https://aws.amazon.com/ebs/pricing/",
  rds: "https://aws.amazon.com/rds/postgresql/pricing/",
  elasticache: "https://aws.amazon.com/elasticache/pricing/",
  elb: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  vpc: "https://aws.amazon.com/vpc/pricing/",
  cloudfront: "https://aws.amazon.com/cloudfront/pricing/",
  waf: "https://aws.amazon.com/waf/pricing/",
  kms: "https://aws.amazon.com/kms/pricing/",
  secretsmanager: "https://aws.amazon.com/secrets-manager/pricing/",
  s3: "https://aws.amazon.com/s3/pricing/",
  cloudwatch: "https://aws.amazon.com/cloudwatch/pricing/",
  backup: "https://aws.amazon.com/backup/pricing/",
  route53: "https://aws.amazon.com/route53/pricing/",
  ecr: "https://aws.amazon.com/ecr/pricing/",
  ses: "https://aws.amazon.com/ses/pricing/",
} as const;
export type Source = keyof typeof SOURCES;

/** Linux on-demand, USD per hour, eu-west-1: every type config/profiles.ts allows. */
export const EC2_HOURLY: Readonly<Record<string, number>> = {
  "t3.micro": 0.0114, "t3.small": 0.0228, "t3.medium": 0.0456, "t3.large": 0.0912, "t3.xlarge": 0.1824,
  "t4g.micro": 0.0092, "t4g.small": 0.0184, "t4g.medium": 0.0368, "t4g.large": 0.0736,
  "m6i.large": 0.107, "m6i.xlarge": 0.214, "m7i.large": 0.1124, "m7g.large": 0.0912,
  "c6i.large": 0.096, "c7g.large": 0.0816,
};

/** RDS for PostgreSQL, single-AZ, USD per hour, eu-west-1. Multi-AZ (one standby) is RDS_MULTI_AZ_FACTOR times this. */
export const RDS_HOURLY: Readonly<Record<string, number>> = {
  "db.t4g.micro": 0.018, "db.t4g.small": 0.036, "db.t4g.medium": 0.072, "db.t4g.large": 0.144,
  "db.m6g.large": 0.171, "db.m7g.large": 0.18, "db.m7g.xlarge": 0.36,
  "db.r6g.large": 0.243, "db.r7g.large": 0.259, "db.r7g.xlarge": 0.518,
};
/** A Multi-AZ instance deployment bills the standby like the primary: instance and storage double. */
export const RDS_MULTI_AZ_FACTOR = 2;

/** ElastiCache (Redis OSS engine) on-demand, USD per node-hour, eu-west-1. */
export const ELASTICACHE_HOURLY: Readonly<Record<string, number>> = {
  "cache.t4g.micro": 0.018, "cache.t4g.small": 0.036, "cache.t4g.medium": 0.072,
  "cache.m7g.large": 0.176, "cache.r7g.large": 0.242,
};

/** A usage-based or flat price with the unit it is quoted in and, for usage, the volume assumed per resource per month. */
export interface UnitPrice {
  usd: number;
  unit: string;
  source: Source;
  /** Monthly volume assumed per resource, in `unit`s (usage-based prices only). */
  assumed?: number;
  /** Why that volume, or what the price covers. */
  note?: string;
}

export const PRICES = {
  ebsGp3: { usd: 0.088, unit: "GB-month", source: "ebs", note: "EBS gp3; baseline 3,000 IOPS / 125 MB/s included" },
  ebsGp2: { usd: 0.11, unit: "GB-month", source: "ebs" },
  /** Root volume size when a host or launch template does not set one: the Ubuntu AMIs' 8 GB. */
  defaultRootVolume: { usd: 0, unit: "GB", source: "ebs", assumed: 8, note: "root volume size when none is set (Ubuntu AMI default)" },
  rdsGp3: { usd: 0.127, unit: "GB-month", source: "rds", note: "RDS gp3 single-AZ; Multi-AZ doubles it; automated backups up to the DB size are free" },
  albHour: { usd: 0.0252, unit: "hour", source: "elb" },
  albLcu: { usd: 0.008, unit: "LCU-hour", source: "elb", assumed: 1, note: "1 LCU on average (25 new conn/s, 3,000 active, 1 GB/h): a small web app" },
  natHour: { usd: 0.048, unit: "hour", source: "vpc" },
  natGb: { usd: 0.048, unit: "GB processed", source: "vpc", assumed: 50, note: "50 GB/month through each NAT (package updates, AWS APIs without endpoints, outbound calls)" },
  interfaceEndpointHour: { usd: 0.011, unit: "hour per AZ", source: "vpc", note: "interface endpoints only; the S3 gateway endpoint is free" },
  publicIpv4Hour: { usd: 0.005, unit: "hour per public IPv4", source: "vpc", note: "every public IPv4: Elastic IPs, and one per AZ of an internet-facing ALB" },
  cloudfrontGb: { usd: 0.085, unit: "GB out", source: "cloudfront", assumed: 50, note: "50 GB/month to viewers in Europe/US (first 10 TB tier); always-free 1 TB not applied" },
  cloudfrontRequests: { usd: 0.012, unit: "10k HTTPS requests", source: "cloudfront", assumed: 200, note: "2 M HTTPS requests/month (Europe price)" },
  cloudfrontFunction: { usd: 0.1, unit: "1M invocations", source: "cloudfront", assumed: 2, note: "one invocation per request: 2 M/month" },
  wafAcl: { usd: 5, unit: "web ACL-month", source: "waf" },
  wafRule: { usd: 1, unit: "rule-month", source: "waf", note: "each rule or managed rule group in the ACL" },
  wafRequests: { usd: 0.6, unit: "1M requests", source: "waf", assumed: 2, note: "2 M inspected requests/month" },
  kmsKey: { usd: 1, unit: "key-month", source: "kms", note: "requests within the 20,000/month free tier" },
  secret: { usd: 0.4, unit: "secret-month", source: "secretsmanager", note: "API calls (hosts read at boot) negligible" },
  s3Standard: { usd: 0.023, unit: "GB-month", source: "s3", assumed: 10, note: "10 GB stored per bucket (media, documents, SPA build, logs); requests negligible" },
  logsIngest: { usd: 0.57, unit: "GB ingested", source: "cloudwatch", assumed: 1, note: "1 GB/month per log group (flow logs, nginx/app, RDS exports)" },
  logsStorage: { usd: 0.03, unit: "GB-month stored", source: "cloudwatch", assumed: 1, note: "about one month of that volume kept" },
  alarm: { usd: 0.1, unit: "alarm metric-month", source: "cloudwatch", note: "standard resolution, per metric the alarm reads (a metric-math alarm pays for each); the 10 free alarms not applied" },
  backupRds: { usd: 0.095, unit: "GB-month", source: "backup", note: "RDS snapshots in AWS Backup; assumed stored size = allocated storage of each selected database" },
  backupEbs: { usd: 0.05, unit: "GB-month", source: "backup", note: "EBS snapshots; assumed stored size = the volumes' size" },
  backupS3: { usd: 0.05, unit: "GB-month", source: "backup", note: "S3 backups; assumed stored size = the bucket assumption (10 GB)" },
  route53Zone: { usd: 0.5, unit: "hosted zone-month", source: "route53" },
  ecrStorage: { usd: 0.1, unit: "GB-month", source: "ecr", assumed: 2, note: "2 GB of images kept per repository (lifecycle policy prunes the rest)" },
  sesEmail: { usd: 0.1, unit: "1,000 e-mails", source: "ses", assumed: 5, note: "5,000 e-mails/month (sign-up, reset, notifications)" },
} as const satisfies Record<string, UnitPrice>;

/** Monthly cost of an hourly price over the whole month. */
export function monthly(hourly: number): number {
  return hourly * HOURS_PER_MONTH;
}

/** Typical creation time of one resource type, with the range seen in practice, in seconds. */
export interface CreationTime {
  typical: number;
  min: number;
  max: number;
  note?: string;
}

/**
 * Typical `pulumi up` creation times, from AWS documentation and experience. The slow ones
 * decide how long a first deploy takes; the plan's critical path is built on these.
 * Keys are type tokens; variants that depend on inputs (Multi-AZ, an ASG with instances)
 * are separate keys chosen by critical-path.ts.
 */
export const CREATION_SECONDS: Readonly<Record<string, CreationTime>> = {
  "aws:rds/instance:Instance#multiAz": { typical: 1050, min: 900, max: 1200, note: "Multi-AZ: primary, standby and the first backup" },
  "aws:rds/instance:Instance": { typical: 600, min: 480, max: 720, note: "single-AZ, including the first automated backup" },
  "aws:rds/instance:Instance#replica": { typical: 750, min: 600, max: 900, note: "read replica: snapshot of the source, then restore" },
  "aws:elasticache/replicationGroup:ReplicationGroup": { typical: 750, min: 600, max: 900 },
  "aws:cloudfront/distribution:Distribution": { typical: 450, min: 300, max: 600, note: "until the distribution is Deployed at every edge" },
  "aws:acm/certificateValidation:CertificateValidation": { typical: 210, min: 120, max: 300, note: "waits for ACM to see the DNS validation records" },
  "aws:ec2/natGateway:NatGateway": { typical: 120, min: 90, max: 180 },
  "aws:lb/loadBalancer:LoadBalancer": { typical: 180, min: 120, max: 240, note: "until the ALB is active" },
  "aws:alb/loadBalancer:LoadBalancer": { typical: 180, min: 120, max: 240, note: "the same resource under its alb alias" },
  "aws:autoscaling/group:Group#instances": { typical: 300, min: 240, max: 420, note: "waits for the desired capacity to be InService" },
  "aws:autoscaling/group:Group": { typical: 30, min: 10, max: 60, note: "no instances to wait for" },
  "aws:ec2/instance:Instance": { typical: 60, min: 30, max: 90, note: "until running (cloud-init continues after)" },
  "aws:route53/record:Record": { typical: 45, min: 30, max: 60, note: "the provider waits for the change to be INSYNC" },
  "aws:route53/zone:Zone": { typical: 45, min: 30, max: 60, note: "INSYNC, as for records" },
  "aws:iam/role:Role": { typical: 10, min: 5, max: 15, note: "IAM is eventually consistent; the provider retries" },
  "aws:iam/instanceProfile:InstanceProfile": { typical: 10, min: 5, max: 15 },
  "aws:kms/key:Key": { typical: 10, min: 5, max: 15 },
  "aws:s3/bucket:Bucket": { typical: 10, min: 5, max: 15 },
  "aws:s3/bucketV2:BucketV2": { typical: 10, min: 5, max: 15 },
  "aws:lb/targetGroup:TargetGroup": { typical: 10, min: 5, max: 15 },
  "aws:ses/domainIdentityVerification:DomainIdentityVerification": { typical: 120, min: 60, max: 300, note: "waits for SES to see the TXT record" },
  "docker:index/image:Image": { typical: 180, min: 60, max: 600, note: "build and push; depends on cache hits" },
  "command:remote:Command": { typical: 60, min: 10, max: 300, note: "remote deploy or verify step" },
  "command:local:Command": { typical: 30, min: 5, max: 120 },
};

/** Everything else an AWS API creates in one call. */
export const DEFAULT_CREATION: CreationTime = { typical: 5, min: 5, max: 10 };
/** Providers and random values are created by the engine itself, without waiting on AWS. */
export const INSTANT: CreationTime = { typical: 0, min: 0, max: 0 };
