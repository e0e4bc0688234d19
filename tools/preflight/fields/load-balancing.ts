/** Elastic Load Balancing v2 and EC2 Auto Scaling. */
import { FieldTable, charset, intRange, lengthBetween, matches, maxLength, notMatches, oneOf } from "../rules";
import { tagFields } from "./common";

const LB_TAGS = tagFields("CreateLoadBalancer.Tags[].Key", "CreateLoadBalancer.Tags[].Value");

/** ELB states its name rules in prose only (LoadBalancerName / TargetGroupName have no pattern). */
const ELB_NAME_RULES = [
  maxLength("can have a maximum of 32 characters", 32),
  matches("must contain only alphanumeric characters or hyphens", /^[A-Za-z0-9-]*$/, "letters, digits and hyphens"),
  notMatches("must not begin or end with a hyphen", /^-|-$/, "no hyphen at either end"),
];

/** Load balancer attributes travel as key/value strings (ModifyLoadBalancerAttributes). */
const LB_ATTRIBUTE = { api: "ModifyLoadBalancerAttributes.Attributes[].Value", proseFrom: "ModifyLoadBalancerAttributes.Attributes[].Key" };
const TG_ATTRIBUTE = { api: "ModifyTargetGroupAttributes.Attributes[].Value", proseFrom: "ModifyTargetGroupAttributes.Attributes[].Key" };

const ASG_ENABLED_METRICS = [
  "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances",
  "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances", "GroupInServiceCapacity",
  "GroupPendingCapacity", "GroupStandbyCapacity", "GroupTerminatingCapacity", "GroupTotalCapacity",
];

export const LOAD_BALANCING: FieldTable = {
  "aws:lb/loadBalancer:LoadBalancer": {
    model: "elbv2",
    autoname: "name",
    fields: {
      name: { api: "CreateLoadBalancer.Name", prose: [...ELB_NAME_RULES, notMatches('must not begin with "internal-"', /^internal-/, 'no "internal-" prefix')] },
      loadBalancerType: "CreateLoadBalancer.Type",
      internal: { local: "the provider sends internal as Scheme internal / internet-facing (CreateLoadBalancer.Scheme enum)" },
      "subnets[]": "CreateLoadBalancer.Subnets[]",
      "securityGroups[]": "CreateLoadBalancer.SecurityGroups[]",
      "accessLogs.bucket": { ...LB_ATTRIBUTE, prose: [lengthBetween("access_logs.s3.bucket - The name of the S3 bucket for the access logs.", 3, 63)] },
      "accessLogs.enabled": { ...LB_ATTRIBUTE, prose: [oneOf("access_logs.s3.enabled - Indicates whether access logs are enabled. The value is true or false .", ["true", "false"])] },
      "accessLogs.prefix": {
        ...LB_ATTRIBUTE,
        // The S3 key prefix may not start or end with a slash (ELB then writes to "//AWSLogs").
        prose: [notMatches("access_logs.s3.prefix - The prefix for the location in the S3 bucket for the access logs.", /^\/|\/$/, "a prefix without a leading or trailing slash")],
      },
      desyncMitigationMode: { ...LB_ATTRIBUTE, prose: [oneOf("The possible values are monitor , defensive , and strictest .", ["monitor", "defensive", "strictest"])] },
      dropInvalidHeaderFields: { ...LB_ATTRIBUTE, prose: [oneOf("routing.http.drop_invalid_header_fields.enabled - Indicates whether HTTP headers with invalid header fields are removed by the load balancer ( true ) or routed to targets ( false ).", ["true", "false"])] },
      enableDeletionProtection: { ...LB_ATTRIBUTE, prose: [oneOf("deletion_protection.enabled - Indicates whether deletion protection is enabled. The value is true or false .", ["true", "false"])] },
      ...LB_TAGS,
    },
  },
  "aws:lb/targetGroup:TargetGroup": {
    model: "elbv2",
    autoname: "name",
    fields: {
      name: { api: "CreateTargetGroup.Name", prose: ELB_NAME_RULES },
      port: "CreateTargetGroup.Port",
      protocol: { api: "CreateTargetGroup.Protocol", prose: [oneOf("For Application Load Balancers, the supported protocols are HTTP and HTTPS.", ["HTTP", "HTTPS"])] },
      targetType: "CreateTargetGroup.TargetType",
      vpcId: "CreateTargetGroup.VpcId",
      deregistrationDelay: { ...TG_ATTRIBUTE, prose: [matches("The range is 0-3600 seconds.", /^(\d{1,3}|[0-2]\d{3}|3[0-5]\d\d|3600)$/, "0 to 3600 seconds")] },
      "healthCheck.enabled": "CreateTargetGroup.HealthCheckEnabled",
      "healthCheck.healthyThreshold": "CreateTargetGroup.HealthyThresholdCount",
      "healthCheck.unhealthyThreshold": "CreateTargetGroup.UnhealthyThresholdCount",
      "healthCheck.interval": "CreateTargetGroup.HealthCheckIntervalSeconds",
      "healthCheck.timeout": "CreateTargetGroup.HealthCheckTimeoutSeconds",
      "healthCheck.path": { api: "CreateTargetGroup.HealthCheckPath", prose: [matches("[HTTP1 or HTTP2 protocol version] The ping path. The default is /.", /^\//, "a path starting with /")] },
      "healthCheck.port": "CreateTargetGroup.HealthCheckPort",
      "healthCheck.protocol": "CreateTargetGroup.HealthCheckProtocol",
      "healthCheck.matcher": {
        api: "CreateTargetGroup.Matcher.HttpCode",
        prose: [matches("For Application Load Balancers, you can specify values between 200 and 499", /^([2-4]\d\d)([,-][2-4]\d\d)*$/, "HTTP codes 200-499, as a list or range")],
      },
      ...tagFields("CreateTargetGroup.Tags[].Key", "CreateTargetGroup.Tags[].Value"),
    },
    cross: [{
      api: "CreateTargetGroup.HealthCheckTimeoutSeconds",
      quote: "The amount of time, in seconds, during which no response from a target means a failed health check.",
      allows: "a health-check timeout shorter than the interval (ELB rejects timeout >= interval)",
      check: (i) => (i.healthCheck?.timeout !== undefined && i.healthCheck?.interval !== undefined && i.healthCheck.timeout >= i.healthCheck.interval
        ? { path: "healthCheck.timeout", value: i.healthCheck.timeout } : undefined),
    }],
  },
  "aws:lb/listener:Listener": {
    model: "elbv2",
    fields: {
      loadBalancerArn: "CreateListener.LoadBalancerArn",
      port: "CreateListener.Port",
      protocol: { api: "CreateListener.Protocol", prose: [oneOf("For Application Load Balancers, the supported protocols are HTTP and HTTPS.", ["HTTP", "HTTPS"])] },
      sslPolicy: { api: "CreateListener.SslPolicy", prose: [matches("[HTTPS and TLS listeners] The security policy that defines which protocols and ciphers are supported.", /^ELBSecurityPolicy-/, "an ELBSecurityPolicy-* policy name")] },
      certificateArn: "CreateListener.Certificates[].CertificateArn",
      "defaultActions[].type": "CreateListener.DefaultActions[].Type",
      "defaultActions[].targetGroupArn": "CreateListener.DefaultActions[].TargetGroupArn",
      "defaultActions[].redirect.port": { api: "CreateListener.DefaultActions[].RedirectConfig.Port", prose: [matches("You can specify a value from 1 to 65535 or #{port}.", /^([1-9]\d{0,4}|#\{port\})$/, "1 to 65535 or #{port}")] },
      "defaultActions[].redirect.protocol": { api: "CreateListener.DefaultActions[].RedirectConfig.Protocol", prose: [oneOf("You can specify HTTP, HTTPS, or #{protocol}.", ["HTTP", "HTTPS", "#{protocol}"])] },
      "defaultActions[].redirect.statusCode": "CreateListener.DefaultActions[].RedirectConfig.StatusCode",
      ...tagFields("CreateListener.Tags[].Key", "CreateListener.Tags[].Value"),
    },
  },
  "aws:autoscaling/group:Group": {
    model: "autoscaling",
    autoname: "name",
    fields: {
      name: {
        api: "CreateAutoScalingGroup.AutoScalingGroupName",
        prose: [
          charset("The name can contain any ASCII character 33 to 126 including most punctuation characters, digits, and upper and lowercased letters.", "!-~", "ASCII 33 to 126"),
          notMatches("You cannot use a colon (:) in the name.", /:/, "no colon"),
        ],
      },
      minSize: "CreateAutoScalingGroup.MinSize",
      maxSize: "CreateAutoScalingGroup.MaxSize",
      desiredCapacity: "CreateAutoScalingGroup.DesiredCapacity",
      defaultInstanceWarmup: "CreateAutoScalingGroup.DefaultInstanceWarmup",
      healthCheckGracePeriod: "CreateAutoScalingGroup.HealthCheckGracePeriod",
      defaultCooldown: "CreateAutoScalingGroup.DefaultCooldown",
      healthCheckType: { api: "CreateAutoScalingGroup.HealthCheckType", prose: [matches("The valid values are EC2 , EBS , ELB , and VPC_LATTICE .", /^(EC2|EBS|ELB|VPC_LATTICE)(,(EC2|EBS|ELB|VPC_LATTICE))*$/, "EC2, EBS, ELB, VPC_LATTICE (comma-separated)")] },
      "vpcZoneIdentifiers[]": "CreateAutoScalingGroup.VPCZoneIdentifier",
      "targetGroupArns[]": "CreateAutoScalingGroup.TargetGroupARNs[]",
      "launchTemplate.id": "CreateAutoScalingGroup.LaunchTemplate.LaunchTemplateId",
      "launchTemplate.version": { api: "CreateAutoScalingGroup.LaunchTemplate.Version", prose: [matches("The version number, $Latest , or $Default .", /^(\d+|\$Latest|\$Default)$/, "a version number, $Latest or $Default")] },
      "enabledMetrics[]": { api: "EnableMetricsCollection.Metrics[]", prose: [oneOf("You can specify one or more of the following metrics:", ASG_ENABLED_METRICS)] },
      "instanceRefresh.strategy": "StartInstanceRefresh.Strategy",
      "instanceRefresh.preferences.instanceWarmup": "StartInstanceRefresh.Preferences.InstanceWarmup",
      "instanceRefresh.preferences.minHealthyPercentage": "StartInstanceRefresh.Preferences.MinHealthyPercentage",
      "instanceRefresh.preferences.maxHealthyPercentage": "StartInstanceRefresh.Preferences.MaxHealthyPercentage",
      "instanceRefresh.triggers[]": { local: "the provider starts an instance refresh when one of these ASG properties changes; the names are Pulumi property names, not sent to AWS" },
      waitForCapacityTimeout: { local: "how long the provider waits for the group's instances to be in service; not sent to AWS" },
      "initialLifecycleHooks[].name": "CreateAutoScalingGroup.LifecycleHookSpecificationList[].LifecycleHookName",
      "initialLifecycleHooks[].lifecycleTransition": {
        api: "CreateAutoScalingGroup.LifecycleHookSpecificationList[].LifecycleTransition",
        prose: [oneOf("To create a lifecycle hook for scale-out events, specify autoscaling:EC2_INSTANCE_LAUNCHING . To create a lifecycle hook for scale-in events, specify autoscaling:EC2_INSTANCE_TERMINATING .", ["autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING"])],
      },
      "initialLifecycleHooks[].heartbeatTimeout": {
        api: "CreateAutoScalingGroup.LifecycleHookSpecificationList[].HeartbeatTimeout",
        prose: [intRange("The range is from 30 to 7200 seconds.", 30, 7200)],
      },
      "initialLifecycleHooks[].defaultResult": {
        api: "CreateAutoScalingGroup.LifecycleHookSpecificationList[].DefaultResult",
        prose: [oneOf("Valid values: CONTINUE | ABANDON", ["CONTINUE", "ABANDON"])],
      },
      "tags[].key": "CreateAutoScalingGroup.Tags[].Key",
      "tags[].value": "CreateAutoScalingGroup.Tags[].Value",
      "tags[].propagateAtLaunch": "CreateAutoScalingGroup.Tags[].PropagateAtLaunch",
    },
    cross: [{
      api: "StartInstanceRefresh.Preferences.MaxHealthyPercentage",
      quote: "the difference between them cannot be greater than 100",
      allows: "maxHealthyPercentage - minHealthyPercentage <= 100",
      check: (i) => {
        const p = i.instanceRefresh?.preferences;
        return p?.maxHealthyPercentage !== undefined && p.maxHealthyPercentage - (p.minHealthyPercentage ?? 90) > 100
          ? { path: "instanceRefresh.preferences.maxHealthyPercentage", value: p.maxHealthyPercentage } : undefined;
      },
    }],
  },
  "aws:autoscaling/notification:Notification": {
    model: "autoscaling",
    fields: {
      "groupNames[]": "PutNotificationConfiguration.AutoScalingGroupName",
      "notifications[]": "PutNotificationConfiguration.NotificationTypes[]",
      topicArn: "PutNotificationConfiguration.TopicARN",
    },
  },
  "aws:autoscaling/policy:Policy": {
    model: "autoscaling",
    autoname: "name",
    fields: {
      name: "PutScalingPolicy.PolicyName",
      autoscalingGroupName: "PutScalingPolicy.AutoScalingGroupName",
      policyType: { api: "PutScalingPolicy.PolicyType", prose: [oneOf("One of the following policy types: TargetTrackingScaling StepScaling SimpleScaling (default) PredictiveScaling", ["TargetTrackingScaling", "StepScaling", "SimpleScaling", "PredictiveScaling"])] },
      "targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType": "PutScalingPolicy.TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
      "targetTrackingConfiguration.targetValue": "PutScalingPolicy.TargetTrackingConfiguration.TargetValue",
    },
  },
};

