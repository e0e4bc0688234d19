import { T } from "../../policies/lib/types";
import { TAGS, U, check, describePolicy, res } from "./helpers";

const db = res(T.rdsInstance, "shop-db", { identifier: "prod-shop", engine: "postgres", tags: TAGS }, { outputs: { arn: "arn:aws:rds:eu-west-1:1:db:prod-shop" } });
const cache = res(T.replicationGroup, "shop-redis", { replicationGroupId: "prod-shop", description: "x" }, { outputs: { memberClusters: ["prod-shop-001", "prod-shop-002"] } });
const alb = res(T.loadBalancer, "api-alb", { loadBalancerType: "application" }, { outputs: { arn: "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/api-alb/abc", arnSuffix: "app/api-alb/abc" } });
const host = res(T.instance, "web-host", { instanceType: "t3.small" }, { id: "i-0abc123456789def0" });
const fleet = res(T.autoscalingGroup, "api-asg", { minSize: 1, maxSize: 2 }, { id: "api-asg-7d2c", outputs: { name: "api-asg-7d2c" } });
const CDN_CERT_ARN = "arn:aws:acm:us-east-1:1:certificate/cdn";
const cdnCert = res(T.acmCertificate, "site-cert", { domainName: "example.com", validationMethod: "DNS" }, { outputs: { arn: CDN_CERT_ARN } });
const alarm = (name: string, dimensions: any, deps: any[] = [], o: Record<string, any> = {}, region = "eu-west-1") =>
  res(T.metricAlarm, name, { namespace: "AWS/X", metricName: "M", dimensions, alarmActions: [`arn:aws:sns:${region}:1:alerts`], comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, threshold: 1, tags: TAGS, ...o }, { deps, outputs: { arn: `arn:aws:cloudwatch:${region}:1:alarm:${name}` } });
const covering = [
  alarm("db-cpu", { DBInstanceIdentifier: "prod-shop" }),
  alarm("cache-memory", { CacheClusterId: "prod-shop-001" }),
  alarm("alb-5xx", { LoadBalancer: "app/api-alb/abc", TargetGroup: "targetgroup/x/1" }),
  alarm("host-status", { InstanceId: "i-0abc123456789def0" }),
  alarm("fleet-status", { AutoScalingGroupName: "api-asg-7d2c" }),
];

describePolicy({
  policy: "alarms-cover-resources",
  violating: [
    { title: "nothing watched", resources: [db, cache, alb, host, fleet], message: /no CloudWatch alarm watches this database/ },
    { title: "an alarm on another database", resources: [db, alarm("db-cpu", { DBInstanceIdentifier: "prod-other" })] },
    { title: "an unwatched host among watched ones", resources: [db, host, covering[0]], message: /this host/ },
    { title: "a certificate without an expiry alarm", resources: [cdnCert], message: /no CloudWatch alarm watches this certificate/ },
    {
      title: "a us-east-1 certificate's alarm created in eu-west-1", resources: [cdnCert, alarm("cert-expiry", { CertificateArn: CDN_CERT_ARN })],
      message: /alarms are in eu-west-1, but the metric exists only in us-east-1/,
    },
  ],
  compliant: [
    { title: "every kind watched by its dimension", resources: [db, cache, alb, host, fleet, ...covering] },
    { title: "a certificate's expiry alarm in its region", resources: [cdnCert, alarm("cert-expiry", { CertificateArn: CDN_CERT_ARN }, [], {}, "us-east-1")] },
    { title: "a metric-math alarm", resources: [db, alarm("db-math", undefined, [], { metricQueries: [{ id: "m1", metric: { metricName: "CPUUtilization", namespace: "AWS/RDS", period: 60, stat: "Average", dimensions: { DBInstanceIdentifier: "prod-shop" } }, returnData: true }] })] },
  ],
  unknown: [
    { title: "dimension values unknown, alarm depends on the resource", resources: [db, alarm("db-cpu", { DBInstanceIdentifier: U }, [db])] },
    { title: "dimensions unknown altogether, no dependency", resources: [db, alarm("db-cpu", U)] },
    { title: "the certificate's ARN unknown (first preview)", resources: [res(T.acmCertificate, "site-cert", { domainName: "example.com" }, { outputs: { arn: U } }), alarm("cert-expiry", { CertificateArn: U })] },
  ],
});

describePolicy({
  policy: "alarms-notify",
  violating: [
    { title: "no alarm actions", resources: [alarm("db-cpu", { DBInstanceIdentifier: "x" }, [], { alarmActions: [] })], message: /notifies no one/ },
    { title: "actions disabled", resources: [alarm("db-cpu", { DBInstanceIdentifier: "x" }, [], { actionsEnabled: false })], message: /disabled/ },
  ],
  compliant: [{ title: "notifies the topic", resources: [covering[0]] }],
  unknown: [{ title: "actions unknown", resources: [alarm("db-cpu", {}, [], { alarmActions: U })] }],
});

const logGroup = (days: any) => res(T.logGroup, "app-log", { name: "/webapp/shop/app", retentionInDays: days, tags: TAGS });
describePolicy({
  policy: "log-group-retention",
  violating: [
    { title: "no retention", resources: [logGroup(undefined)], message: /forever/ },
    { title: "retention 0 (never expire)", resources: [logGroup(0)] },
    { title: "7 days in prod", resources: [logGroup(7)], message: /at least 30/ },
  ],
  compliant: [{ title: "90 days in prod", resources: [logGroup(90)] }, { title: "7 days in staging", resources: [logGroup(7)], environment: "staging" }],
  unknown: [{ title: "retention unknown", resources: [logGroup(U)] }],
});

const lb = (accessLogs: any) => res(T.loadBalancer, "api-alb", { loadBalancerType: "application", accessLogs, tags: TAGS });
describePolicy({
  policy: "alb-access-logs",
  violating: [
    { title: "no access logs", resources: [lb(undefined)], message: /access logs are off/ },
    { title: "a bucket but not enabled", resources: [lb({ bucket: "logs", prefix: "alb" })], message: /defaults to false/ },
  ],
  compliant: [{ title: "enabled", resources: [lb({ bucket: "logs", prefix: "alb", enabled: true })] }],
  unknown: [{ title: "block unknown", resources: [lb(U)] }, { title: "enabled unknown", resources: [lb({ bucket: U, enabled: U })] }],
});

const cdn = (loggingConfig: any) => res(T.distribution, "site-cdn", { loggingConfig, tags: TAGS }, { outputs: { arn: "arn:aws:cloudfront::1:distribution/E1" } });
describePolicy({
  policy: "cloudfront-logging",
  violating: [{ title: "no logging", resources: [cdn(undefined)], message: /no access logs/ }],
  compliant: [
    { title: "standard logging to S3", resources: [cdn({ bucket: "logs.s3.amazonaws.com", prefix: "cf/" })] },
    { title: "a CloudWatch log delivery source", resources: [cdn(undefined), res(T.logDeliverySource, "cdn-logs", { name: "cdn", logType: "ACCESS_LOGS", resourceArn: "arn:aws:cloudfront::1:distribution/E1" })] },
  ],
  unknown: [
    { title: "bucket unknown", resources: [cdn({ bucket: U })] },
    { title: "the log source's ARN unknown", resources: [cdn(undefined), res(T.logDeliverySource, "cdn-logs", { name: "cdn", logType: "ACCESS_LOGS", resourceArn: U })] },
  ],
});

const ERRORS = ["autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"];
const group = () => res(T.autoscalingGroup, "shop-asg", { minSize: 1, maxSize: 2, tags: [] }, { outputs: { name: "shop-asg-1a2b3c4" } });
const notify = (groupNames: any, notifications: any) => res(T.autoscalingNotification, "shop-errors", { groupNames, notifications, topicArn: "arn:aws:sns:eu-west-1:123456789012:alerts" });
describePolicy({
  policy: "asg-notifies-errors",
  violating: [
    { title: "a group nobody hears from", resources: [group()], message: /EC2_INSTANCE_LAUNCH_ERROR or autoscaling:EC2_INSTANCE_TERMINATE_ERROR/ },
    { title: "launch errors only", resources: [group(), notify(["shop-asg-1a2b3c4"], ERRORS.slice(0, 1))], message: /no notification tells anyone about autoscaling:EC2_INSTANCE_TERMINATE_ERROR\./ },
    { title: "another group's notification", resources: [group(), notify(["other-asg"], ERRORS)] },
  ],
  compliant: [{ title: "both error events to the alert topic", resources: [group(), notify(["shop-asg-1a2b3c4"], [...ERRORS, "autoscaling:EC2_INSTANCE_LAUNCH"])] }],
  unknown: [
    { title: "group names unknown", resources: [group(), notify(U, ERRORS)] },
    { title: "events unknown", resources: [group(), notify(["shop-asg-1a2b3c4"], U)] },
  ],
});

const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const encryptedGroup = (kmsKeyId: any, name = "app-log") => res(T.logGroup, name, { name: "/webapp/shop/app", retentionInDays: 90, kmsKeyId, tags: TAGS });
describePolicy({
  policy: "log-groups-encrypted-prod",
  violating: [
    { title: "no kmsKeyId in prod", resources: [encryptedGroup(undefined)], message: /no kmsKeyId/ },
    { title: "an empty kmsKeyId", resources: [encryptedGroup("")] },
  ],
  compliant: [
    { title: "on the stack key", resources: [encryptedGroup(KEY_ARN)] },
    { title: "no key in staging", resources: [encryptedGroup(undefined)], environment: "staging" },
  ],
  unknown: [{ title: "the key's ARN unknown (first preview)", resources: [encryptedGroup(U)] }],
});

describe("log-groups-encrypted-prod exemptions", () => {
  it("skips a log group exempted by name with a reason (a CloudFront WAF's, in us-east-1)", () => {
    const exemptions = [{ resource: "shop-cdn-waf-logs", reason: "us-east-1, where the stack key cannot encrypt" }];
    const resources = [encryptedGroup(undefined, "shop-cdn-waf-logs"), encryptedGroup(undefined, "shop-flow-logs")];
    const vs = check("log-groups-encrypted-prod", resources, { environment: "prod", config: { exemptions } });
    expect(vs.map((v) => v.name)).toEqual(["shop-flow-logs"]);
  });
});

const preferences = (inputs: Record<string, unknown>, o: Record<string, unknown> = {}) => JSON.stringify({
  schemaVersion: "1.0", description: "x", sessionType: "Standard_Stream",
  inputs: {
    kmsKeyId: KEY_ARN, cloudWatchLogGroupName: "/prod/ssm/sessions", cloudWatchEncryptionEnabled: true, cloudWatchStreamingEnabled: true,
    s3BucketName: "", s3KeyPrefix: "", s3EncryptionEnabled: true, runAsEnabled: false, ...inputs,
  },
  ...o,
});
const sessionDoc = (content: any, documentType: any = "Session") =>
  res(T.ssmDocument, "prod-session-preferences", { name: "SSM-SessionManagerRunShell", documentType, documentFormat: "JSON", content, tags: TAGS });
const ssmHost = res(T.instance, "web-host", { instanceType: "t3.small", tags: TAGS });
const ssmTemplate = res(T.launchTemplate, "api-lt", { instanceType: "t3.small", tags: TAGS });
describePolicy({
  policy: "ssm-sessions-logged",
  violating: [
    { title: "hosts and no preferences document", resources: [ssmHost, ssmTemplate], message: /no Session Manager preferences document in the stack encrypts and logs/ },
    { title: "a document without a KMS key", resources: [ssmHost, sessionDoc(preferences({ kmsKeyId: "" }))], message: /inputs\.kmsKeyId is empty/ },
    { title: "logged to an unencrypted log group", resources: [ssmHost, sessionDoc(preferences({ cloudWatchEncryptionEnabled: false }))], message: /without requiring an encrypted destination/ },
    { title: "not logged at all", resources: [ssmHost, sessionDoc(preferences({ cloudWatchLogGroupName: "" }))], message: /sessions are not logged/ },
    { title: "only a port-forwarding document", resources: [ssmHost, sessionDoc(preferences({}, { sessionType: "Port" }))], message: /this host/ },
    { title: "a command document, not a Session one", resources: [ssmTemplate, sessionDoc(preferences({}), "Command")] },
  ],
  compliant: [
    { title: "encrypted and logged to CloudWatch", resources: [ssmHost, ssmTemplate, sessionDoc(preferences({}))] },
    { title: "encrypted and logged to an encrypted bucket", resources: [ssmHost, sessionDoc(preferences({ cloudWatchLogGroupName: "", s3BucketName: "audit-logs", s3EncryptionEnabled: "true" }))] },
    { title: "no hosts, no document", resources: [encryptedGroup(KEY_ARN)] },
  ],
  unknown: [
    { title: "content unknown (built from the key's ARN)", resources: [ssmHost, sessionDoc(U)] },
    { title: "document type unknown", resources: [ssmHost, sessionDoc(preferences({ kmsKeyId: "" }), U)] },
  ],
});
