import { randomBytes } from "crypto";
import { gunzipSync } from "zlib";
import * as pulumi from "@pulumi/pulumi";
import { ALB_SSL_POLICY, AppFleet, AppFleetArgs, LAUNCH_HOOK_NAME, encodeFleetUserData } from "../components/app-fleet";
import { REHEARSED_FLEET_BOOT_SECONDS } from "../components/boot-timing";
import { AppConfig, contextFrom, loadStackConfig, PROFILES } from "../config";
import { AppDns } from "../components/dns";
import { Recording, record } from "./harness";
import { ACCOUNT_ID } from "./harness/outputs";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const TG = "aws:lb/targetGroup:TargetGroup";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const ASG = "aws:autoscaling/group:Group";
const SCALING = "aws:autoscaling/policy:Policy";
const RECORD = "aws:route53/record:Record";

const USER_DATA = "#cloud-config\npackage_update: true\nruncmd:\n  - [systemctl, enable, --now, app.service]\n";
const SECRETS_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/avanii-shop/FLASK_SECRET_KEY-abc123" }],
});

const app = (name: string): AppConfig => loadStackConfig().apps.find((a) => a.name === name)!;
/** The args as architectures/fleet.ts maps them from the app and the environment's profile. */
function fleetArgs(a: AppConfig, dns: AppDns, extra: Partial<AppFleetArgs> = {}): AppFleetArgs {
  const ctx = contextFrom(loadStackConfig());
  return {
    ctx, protect: PROFILES[ctx.environment].protectData, detailedMonitoring: PROFILES[ctx.environment].detailedMonitoring, app: a.name, vpcId: "vpc-0abc", publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
    privateSubnetIds: ["subnet-priv-a", "subnet-priv-b"], loadBalancerSecurityGroupId: "sg-lb", instanceSecurityGroupId: "sg-app",
    hostnames: [a.domain, ...(a.www ? [`www.${a.domain}`] : [])], dns, amiId: "ami-0e5f882be1900e43b", instanceType: a.instanceType,
    userData: USER_DATA, appVersion: a.appVersion, healthCheckPath: a.healthCheckPath, fleet: a.fleet, ...extra,
  };
}

describe("the Avanii shop fleet in staging (Route53)", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const a = app("avanii-shop");
      const dns = new AppDns(a.name, { dns: a.dns, domain: a.domain });
      const fleet = new AppFleet(a.name, fleetArgs(a, dns, { instancePolicies: [SECRETS_POLICY] }));
      return {
        albArn: fleet.albArn, albArnSuffix: fleet.albArnSuffix, albDnsName: fleet.albDnsName, albZoneId: fleet.albZoneId,
        targetGroupArnSuffix: fleet.targetGroupArnSuffix, asgName: fleet.asgName, roleName: fleet.roleName, roleArn: fleet.roleArn,
        httpsListenerArn: fleet.httpsListenerArn, urls: fleet.urls,
      };
    });
  });

  it("puts an internet-facing ALB in 2+ public subnets behind the load balancer tier's group", () => {
    const lb = rec.one(LB).inputs;
    expect(lb).toMatchObject({ loadBalancerType: "application", internal: false, subnets: ["subnet-pub-a", "subnet-pub-b"], securityGroups: ["sg-lb"] });
    expect(lb.dropInvalidHeaderFields).toBe(true);
    expect(lb.enableDeletionProtection).toBe(false); // staging
  });

  it("writes access logs to an SSE-S3 bucket the region's ELB log delivery may write to", () => {
    const lb = rec.one(LB);
    const bucket = rec.one("aws:s3/bucket:Bucket", "avanii-shop-alb-logs");
    expect(lb.inputs.accessLogs).toEqual({ bucket: bucket.outputs.bucket, prefix: "alb", enabled: true });
    const sse = rec.ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((r) => r.inputs.bucket === bucket.id)!;
    expect(sse.inputs.rules[0].applyServerSideEncryptionByDefault).toEqual({ sseAlgorithm: "AES256" }); // ALB logs cannot use KMS
    const policy = rec.one("aws:s3/bucketPolicy:BucketPolicy", "avanii-shop-alb-logs");
    const doc = JSON.parse(policy.inputs.policy);
    const elb = doc.Statement.find((s: any) => s.Principal.AWS);
    expect(elb).toMatchObject({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::156460612806:root" }, Action: "s3:PutObject" }); // eu-west-1's ELB account
    expect(elb.Resource).toBe(`${bucket.outputs.arn}/alb/AWSLogs/${ACCOUNT_ID}/*`);
    expect(doc.Statement.find((s: any) => s.Effect === "Deny").Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
    expect(lb.dependencies).toContain(policy.urn); // the ALB checks write access when logging is enabled
  });

  it("terminates TLS with a TLS 1.3/1.2 policy and a validated regional certificate", () => {
    const https = rec.one(LISTENER, "avanii-shop-https").inputs;
    const validation = rec.one("aws:acm/certificateValidation:CertificateValidation");
    expect(https).toMatchObject({ port: 443, protocol: "HTTPS", sslPolicy: ALB_SSL_POLICY, certificateArn: validation.outputs.certificateArn });
    expect(ALB_SSL_POLICY).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
    expect(https.defaultActions).toEqual([{ type: "forward", targetGroupArn: rec.one(TG).outputs.arn }]);
    expect(rec.one("aws:acm/certificate:Certificate").options.provider).toBeUndefined(); // the stack's region
  });

  it("has an HTTP listener that only redirects to HTTPS with a 301, never forwards", () => {
    const http = rec.one(LISTENER, "avanii-shop-http").inputs;
    expect(http.port).toBe(80);
    expect(http.defaultActions).toEqual([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
    expect(http.defaultActions.some((a: any) => a.type === "forward" || a.targetGroupArn || a.forward)).toBe(false);
  });

  it("registers instances in a target group of type instance probing the app's health path", () => {
    const tg = rec.one(TG).inputs;
    expect(tg).toMatchObject({ targetType: "instance", port: 80, protocol: "HTTP", vpcId: "vpc-0abc", deregistrationDelay: 30 });
    expect(tg.healthCheck).toMatchObject({ path: "/healthz", matcher: "200", enabled: true });
  });

  it("launches hardened hosts: IMDSv2 with hop limit 1, encrypted gp3 root, no public IP, the app tier's group", () => {
    const lt = rec.one(LT).inputs;
    expect(lt.metadataOptions).toMatchObject({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(lt.blockDeviceMappings).toEqual([{ deviceName: "/dev/sda1", ebs: { volumeType: "gp3", volumeSize: 20, encrypted: "true", deleteOnTermination: "true" } }]);
    expect(lt).toMatchObject({ imageId: "ami-0e5f882be1900e43b", instanceType: "t3.small" });
    expect(lt.networkInterfaces).toEqual([{ deviceIndex: 0, associatePublicIpAddress: "false", securityGroups: ["sg-app"], deleteOnTermination: "true" }]);
    expect(lt.vpcSecurityGroupIds).toBeUndefined(); // groups go on the interface when one is declared
    expect(lt.iamInstanceProfile).toEqual({ arn: rec.one("aws:iam/instanceProfile:InstanceProfile").outputs.arn });
  });

  it("passes user data base64-encoded and under 16 KB", () => {
    const userData: string = rec.one(LT).inputs.userData;
    expect(userData).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const compressed = Buffer.from(userData, "base64");
    expect(gunzipSync(compressed).toString("utf8")).toBe(USER_DATA); // cloud-init detects gzip itself
    expect(compressed.length).toBeLessThanOrEqual(16 * 1024);
  });

  it("gives instances SSM, the CloudWatch agent and the app's own secrets policy", () => {
    const role = rec.one("aws:iam/role:Role");
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
    const attached = rec.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn).sort();
    expect(attached).toEqual(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]);
    const inline = rec.ofType("aws:iam/rolePolicy:RolePolicy");
    expect(inline.map((p) => p.name).sort()).toEqual(["avanii-shop-instance-0", "avanii-shop-launch-hook"]);
    expect(rec.one("aws:iam/rolePolicy:RolePolicy", "avanii-shop-instance-0").inputs.policy).toBe(SECRETS_POLICY);
  });

  it("holds every instance out of service until its bootstrap completes the launch hook", () => {
    const asg = rec.one(ASG).inputs;
    expect(asg.initialLifecycleHooks).toEqual([{
      name: LAUNCH_HOOK_NAME, lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING", defaultResult: "ABANDON", heartbeatTimeout: 600,
    }]);
    // Within EC2 Auto Scaling's limits, and above the slowest rehearsed boot with a real launch's overhead.
    expect(asg.initialLifecycleHooks[0].heartbeatTimeout).toBeGreaterThanOrEqual(30);
    expect(asg.initialLifecycleHooks[0].heartbeatTimeout).toBeLessThanOrEqual(7200);
    expect(asg.initialLifecycleHooks[0].heartbeatTimeout).toBeGreaterThan(4 * REHEARSED_FLEET_BOOT_SECONDS);
    // After the hook, only the ALB's verdict is left: 2 checks 15 s apart, one more interval, the timeout.
    const hc = rec.one(TG).inputs.healthCheck;
    expect(hc).toMatchObject({ interval: 15, timeout: 5, healthyThreshold: 2 });
    expect(asg.healthCheckGracePeriod).toBe(60);
    expect(asg.healthCheckGracePeriod).toBeGreaterThanOrEqual(hc.interval * (hc.healthyThreshold + 1) + hc.timeout);
    // The first up waits for instances to join, long enough for two abandoned attempts.
    expect(asg.waitForCapacityTimeout).toBe("30m");
    // autoRollback would roll back to the same (new) version: the provider updates the group first.
    expect(asg.instanceRefresh.preferences.autoRollback).toBeUndefined();
  });

  it("tells the alert topic when an instance fails to launch or to terminate", async () => {
    const topic = "arn:aws:sns:eu-west-1:123456789012:staging-alerts-1a2b3c4";
    const withTopic = await record(() => {
      const a = app("avanii-shop");
      new AppFleet(a.name, fleetArgs(a, new AppDns(a.name, { dns: a.dns, domain: a.domain }), { alertTopicArn: topic }));
    });
    expect(withTopic.one("aws:autoscaling/notification:Notification").inputs).toEqual({
      groupNames: [withTopic.one(ASG).outputs.name],
      notifications: ["autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"],
      topicArn: topic,
    });
    expect(rec.ofType("aws:autoscaling/notification:Notification")).toEqual([]);
  });

  it("lets instances complete only a launch hook of this app's group in this environment", () => {
    const policy = JSON.parse(rec.one("aws:iam/rolePolicy:RolePolicy", "avanii-shop-launch-hook").inputs.policy);
    expect(policy.Statement).toEqual([
      { Sid: "FindOwnGroup", Effect: "Allow", Action: "autoscaling:DescribeAutoScalingInstances", Resource: "*" },
      {
        Sid: "CompleteOwnLaunchHook", Effect: "Allow", Action: "autoscaling:CompleteLifecycleAction",
        Resource: "arn:aws:autoscaling:eu-west-1:*:autoScalingGroup:*:autoScalingGroupName/*",
        Condition: { StringEquals: { "autoscaling:ResourceTag/app": "avanii-shop", "autoscaling:ResourceTag/environment": "staging" } },
      },
    ]);
    // The condition holds for this group's own tags, and the policy exists before any instance boots.
    const tags = Object.fromEntries(rec.one(ASG).inputs.tags.map((t: any) => [t.key, t.value]));
    expect(tags).toMatchObject({ app: "avanii-shop", environment: "staging" });
    expect(rec.one(LT).dependencies).toContain(rec.one("aws:iam/rolePolicy:RolePolicy", "avanii-shop-launch-hook").urn);
  });

  it("runs an ELB-checked group over the private subnets, sized by the staging profile", () => {
    const asg = rec.one(ASG);
    const tg = rec.one(TG);
    expect(asg.inputs).toMatchObject({
      vpcZoneIdentifiers: ["subnet-priv-a", "subnet-priv-b"], minSize: 1, desiredCapacity: 1, maxSize: 2,
      healthCheckType: "ELB", targetGroupArns: [tg.outputs.arn],
    });
    // The group's targets are instances.
    expect(tg.inputs.targetType).toBe("instance");
    expect(asg.inputs.launchTemplate).toEqual({ id: rec.one(LT).id, version: "1" });
    expect(asg.options.ignoreChanges).toEqual(["desiredCapacity"]);
  });

  it("rolls a new app version out by instance refresh, keeping 90% healthy", () => {
    const asg = rec.one(ASG).inputs;
    expect(asg.instanceRefresh).toMatchObject({ strategy: "Rolling", triggers: ["tag"] });
    expect(asg.instanceRefresh.preferences).toMatchObject({ minHealthyPercentage: 90, maxHealthyPercentage: 190 });
    const tags = Object.fromEntries(asg.tags.map((t: any) => [t.key, [t.value, t.propagateAtLaunch]]));
    expect(tags).toMatchObject({
      app: ["avanii-shop", true], environment: ["staging", true], "managed-by": ["pulumi", true], "app-version": ["1.2.0", true],
    });
  });

  it("scales on average CPU by target tracking", () => {
    const policies = rec.ofType(SCALING);
    expect(policies).toHaveLength(1);
    expect(policies[0].inputs).toMatchObject({
      autoscalingGroupName: rec.one(ASG).outputs.name, policyType: "TargetTrackingScaling",
      targetTrackingConfiguration: { predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" }, targetValue: 50 },
    });
  });

  it("aliases the hostname to the load balancer with an A record", () => {
    const lb = rec.one(LB);
    const aliases = rec.ofType(RECORD).filter((r) => r.inputs.aliases);
    expect(aliases.map((r) => [r.inputs.name, r.inputs.type])).toEqual([["staging.avaniishop.com", "A"]]);
    expect(aliases[0].inputs.aliases[0]).toEqual({ name: lb.outputs.dnsName, zoneId: lb.outputs.zoneId, evaluateTargetHealth: true });
  });

  it("exposes what monitoring and the architectures need", () => {
    expect(rec.outputs).toMatchObject({
      albArn: rec.one(LB).outputs.arn, albArnSuffix: rec.one(LB).outputs.arnSuffix, targetGroupArnSuffix: rec.one(TG).outputs.arnSuffix,
      asgName: rec.one(ASG).outputs.name, roleArn: rec.one("aws:iam/role:Role").outputs.arn, httpsListenerArn: rec.one(LISTENER, "avanii-shop-https").outputs.arn,
      urls: ["https://staging.avaniishop.com"],
    });
  });
});

describe("the SaaS fleet in prod", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const a = app("saas-platform");
      const dns = new AppDns(a.name, { dns: a.dns, domain: a.domain });
      new AppFleet(a.name, fleetArgs(a, dns, {
        hostnames: [a.apiDomain], userData: pulumi.output(USER_DATA), requestsPerTargetPerMinute: 1000, tags: { "cost-center": "platform-prod" },
        metadataHopLimit: 2,
      }));
    }, { stack: "prod" });
  });

  it("protects the load balancer and its logs, and sizes the group from the app (2/3/20)", () => {
    expect(rec.one(LB).inputs.enableDeletionProtection).toBe(true);
    expect(rec.one("aws:s3/bucket:Bucket").options.protect).toBe(true);
    expect(rec.one(ASG).inputs).toMatchObject({ minSize: 2, desiredCapacity: 3, maxSize: 20 });
    expect(rec.one(LT).inputs).toMatchObject({ instanceType: "m7i.large", monitoring: { enabled: true } });
    expect(rec.one(TG).inputs.healthCheck.path).toBe("/health/");
    expect(rec.one(LT).inputs.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 2 }); // Docker hosts
  });

  it("also scales on requests per target, labelled with the ALB and target group suffixes", () => {
    const requests = rec.one(SCALING, "saas-platform-requests").inputs.targetTrackingConfiguration;
    expect(requests).toEqual({
      predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: `${rec.one(LB).outputs.arnSuffix}/${rec.one(TG).outputs.arnSuffix}` },
      targetValue: 1000,
    });
  });

  it("encodes user data given as an output, and tags instances with the stack's tags too", () => {
    expect(gunzipSync(Buffer.from(rec.one(LT).inputs.userData, "base64")).toString()).toBe(USER_DATA);
    expect(rec.one(ASG).inputs.tags).toContainEqual({ key: "cost-center", value: "platform-prod", propagateAtLaunch: true });
    expect(rec.one(RECORD, /host-0-a$/).inputs.name).toBe("api.saasplatform.io");
  });
});

describe("app fleet arguments", () => {
  it("rejects what AWS would not allow, naming the field (the environment's limits are the stack config's)", async () => {
    await record(() => {
      const a = app("avanii-shop");
      const dns = new AppDns("x", { dns: a.dns, domain: a.domain });
      const base = fleetArgs(a, dns, { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" });
      expect(() => new AppFleet("a", { ...base, publicSubnetIds: ["subnet-1"] })).toThrow(/AppFleet: args\.publicSubnetIds must list subnets in at least 2 AZs/);
      expect(() => new AppFleet("b", { ...base, userData: randomText(40000) })).toThrow(/AppFleet: args\.userData is \d+ bytes gzip-compressed, over EC2's 16384/);
      expect(() => new AppFleet("d", { ...base, fleet: { min: 2, desired: 1, max: 3 } })).toThrow(/args\.fleet must be whole numbers with 1 <= min <= desired <= max, got 2\/1\/3/);
      expect(() => new AppFleet("e", { ...base, hostnames: [] })).toThrow(/args\.hostnames must list at least one/);
      expect(() => new AppFleet("f", { ...base, healthCheckPath: "health" })).toThrow(/args\.healthCheckPath must be a path/);
      expect(() => new AppFleet("h", { ...base, metadataHopLimit: 3 as any })).toThrow(/args\.metadataHopLimit must be 1 \(hosts\) or 2/);
    });
  });

  it("compresses user data, so 16 KB of compressed bytes is the limit, not 16 KB of text", () => {
    const text = "write_files:\n" + "  - path: /etc/x\n    content: abc\n".repeat(2000); // ~70 KB of text
    expect(gunzipSync(Buffer.from(encodeFleetUserData(text), "base64")).toString()).toBe(text);
    expect(() => encodeFleetUserData(randomText(40000))).toThrow(/over EC2's 16384/); // incompressible
  });
});

/** Text that does not compress: what a 16 KB limit on compressed bytes still rejects. */
function randomText(bytes: number): string {
  return randomBytes(bytes).toString("base64");
}
