/**
 * AWS resource types the program creates that accept `tags`: the tagging policy requires the
 * tags on each of them. The program's own list (lib/taggable.ts, which tags them) is kept
 * equal to this one by test/layers.test.ts, since neither side imports the other.
 */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
  "aws:acm/certificate:Certificate",
  "aws:autoscaling/group:Group", // tags via its own `tags` list, see components/app-fleet
  "aws:backup/plan:Plan",
  "aws:backup/vault:Vault",
  "aws:cloudfront/distribution:Distribution",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:ec2/eip:Eip",
  "aws:ec2/flowLog:FlowLog",
  "aws:ec2/instance:Instance",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/networkInterface:NetworkInterface",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/vpc:Vpc",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  "aws:ecr/repository:Repository",
  "aws:elasticache/parameterGroup:ParameterGroup",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:elasticache/subnetGroup:SubnetGroup",
  "aws:iam/instanceProfile:InstanceProfile",
  "aws:iam/policy:Policy",
  "aws:iam/role:Role",
  "aws:kms/key:Key",
  "aws:lb/listener:Listener",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:lb/targetGroup:TargetGroup",
  "aws:rds/instance:Instance",
  "aws:rds/parameterGroup:ParameterGroup",
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:secretsmanager/secret:Secret",
  "aws:sns/topic:Topic",
  "aws:ssm/document:Document",
  "aws:ssm/parameter:Parameter",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:wafv2/webAcl:WebAcl",
]);

/** Tags every taggable resource carries. */
export const REQUIRED_TAGS = ["app", "environment", "managed-by"] as const;
