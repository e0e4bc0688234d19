/**
 * Hand-built plan recordings for the plan tests: resources with the URNs, parents and
 * dependencies the engine would record, without running any program. The architectures are
 * still being built, so the analyses are tested on these small, fully known graphs.
 */
import type { PlanResource } from "../../tools/plan/resources";

export interface Opts {
  parent?: string;
  inputs?: Record<string, any>;
  deps?: string[];
  protect?: boolean;
  provider?: string;
  ignoreChanges?: string[];
}

export class Fixture {
  readonly resources: PlanResource[] = [];
  readonly stack: string;
  private readonly typeChain = new Map<string, string[]>();

  constructor(stack = "test") {
    this.stack = stack;
    const urn = `urn:pulumi:${stack}::webapp-platform::pulumi:pulumi:Stack::webapp-platform-${stack}`;
    this.add(urn, "pulumi:pulumi:Stack", `webapp-platform-${stack}`, false, {});
    this.typeChain.set(urn, []);
  }

  get root(): string {
    return this.resources[0].urn;
  }

  private add(urn: string, type: string, name: string, custom: boolean, o: Opts): string {
    if (this.resources.some((r) => r.urn === urn)) throw new Error(`duplicate ${urn}`);
    this.resources.push({
      urn, type, name, custom,
      parent: o.parent ?? null,
      inputs: o.inputs ?? {},
      dependencies: o.deps ?? [],
      protect: o.protect ?? false,
      provider: o.provider ?? null,
      ignoreChanges: o.ignoreChanges ?? [],
      replaceOnChanges: [],
      retainOnDelete: false,
      secretPaths: [],
    });
    return urn;
  }

  private urnFor(type: string, name: string, parent: string): string {
    const chain = [...(this.typeChain.get(parent) ?? []), type];
    return `urn:pulumi:${this.stack}::webapp-platform::${chain.join("$")}::${name}`;
  }

  component(type: string, name: string, o: Opts = {}): string {
    const parent = o.parent ?? this.root;
    const urn = this.urnFor(type, name, parent);
    this.typeChain.set(urn, [...(this.typeChain.get(parent) ?? []), type]);
    return this.add(urn, type, name, false, { ...o, parent });
  }

  custom(type: string, name: string, o: Opts = {}): string {
    const parent = o.parent ?? this.root;
    const urn = this.urnFor(type, name, parent);
    this.typeChain.set(urn, [...(this.typeChain.get(parent) ?? []), type]);
    return this.add(urn, type, name, true, { ...o, parent });
  }

  get(urn: string): PlanResource {
    const r = this.resources.find((x) => x.urn === urn);
    if (!r) throw new Error(`no ${urn}`);
    return r;
  }
}

export const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  nat: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  instance: "aws:ec2/instance:Instance",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  asg: "aws:autoscaling/group:Group",
  asgPolicy: "aws:autoscaling/policy:Policy",
  alb: "aws:lb/loadBalancer:LoadBalancer",
  tg: "aws:lb/targetGroup:TargetGroup",
  listener: "aws:lb/listener:Listener",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  profile: "aws:iam/instanceProfile:InstanceProfile",
  cert: "aws:acm/certificate:Certificate",
  certValidation: "aws:acm/certificateValidation:CertificateValidation",
  record: "aws:route53/record:Record",
  rds: "aws:rds/instance:Instance",
  redis: "aws:elasticache/replicationGroup:ReplicationGroup",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  kms: "aws:kms/key:Key",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  topic: "aws:sns/topic:Topic",
  backupSelection: "aws:backup/selection:Selection",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  cdn: "aws:cloudfront/distribution:Distribution",
  oac: "aws:cloudfront/originAccessControl:OriginAccessControl",
  webAcl: "aws:wafv2/webAcl:WebAcl",
  provider: "pulumi:providers:aws",
  webFleetApp: "webapp-platform:architecture:WebFleetApp",
  singleHostApp: "webapp-platform:architecture:SingleHostApp",
  spaApiApp: "webapp-platform:architecture:SpaApiApp",
} as const;
