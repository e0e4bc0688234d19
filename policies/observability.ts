/**
 * Observability: an alarm on every database, cache, load balancer, host and certificate; alarms that
 * notify someone; logs kept for a bounded, sufficient time; access logs on the load
 * balancer and CloudFront (the seeds' monitoring stack: "service down", "high error
 * rate", "SSL expiry", logs and log rotation).
 */
import { perEnvironmentSchema } from "./lib/config";
import { resourcePolicy, stackPolicy, StackResource } from "./lib/define";
import { dependsOn, identifiers, refersTo } from "./lib/refs";
import { HOSTS, LOAD_BALANCERS, T } from "./lib/types";
import { UNKNOWN, asBool, asList, asNumber, asString } from "./lib/values";

/** Which alarm dimensions identify each monitored kind of resource. */
const MONITORED: { types: string[]; what: string; dimensions: string[]; example: string; sameRegion?: boolean }[] = [
  { types: [T.rdsInstance], what: "database", dimensions: ["DBInstanceIdentifier"], example: "CPUUtilization or FreeStorageSpace with DBInstanceIdentifier" },
  { types: [T.rdsCluster], what: "database cluster", dimensions: ["DBClusterIdentifier"], example: "CPUUtilization with DBClusterIdentifier" },
  { types: [T.replicationGroup], what: "cache", dimensions: ["ReplicationGroupId", "CacheClusterId"], example: "DatabaseMemoryUsagePercentage with ReplicationGroupId" },
  { types: LOAD_BALANCERS, what: "load balancer", dimensions: ["LoadBalancer"], example: "HTTPCode_ELB_5XX_Count or UnHealthyHostCount with LoadBalancer = the arn suffix" },
  { types: [T.instance], what: "host", dimensions: ["InstanceId"], example: "StatusCheckFailed with InstanceId" },
  { types: [T.autoscalingGroup], what: "host fleet", dimensions: ["AutoScalingGroupName"], example: "StatusCheckFailed with AutoScalingGroupName" },
  // ACM publishes DaysToExpiry only in the certificate's region (us-east-1 for CloudFront), so an alarm elsewhere never fires.
  { types: [T.acmCertificate], what: "certificate", dimensions: ["CertificateArn"], example: "AWS/CertificateManager DaysToExpiry with CertificateArn, in the certificate's region", sameRegion: true },
];

/** The region in a resource's ARN; undefined when the ARN is unknown or has none (global services). */
function arnRegion(r: StackResource): string | undefined {
  const arn = asString(r.props.arn);
  return typeof arn === "string" ? arn.split(":")[3] || undefined : undefined;
}

/** Dimension maps of an alarm: its own and those of its metric queries. UNKNOWN entries when not known. */
function dimensionSets(alarm: StackResource): (Record<string, unknown> | typeof UNKNOWN)[] {
  const out: (Record<string, unknown> | typeof UNKNOWN)[] = [];
  const own = alarm.props.dimensions;
  if (own === UNKNOWN) out.push(UNKNOWN);
  else if (own && typeof own === "object") out.push(own);
  const queries = asList(alarm.props.metricQueries);
  if (queries === UNKNOWN) out.push(UNKNOWN);
  else for (const q of queries) {
    if (q === UNKNOWN || q?.metric === UNKNOWN || q?.metric?.dimensions === UNKNOWN) out.push(UNKNOWN);
    else if (q?.metric?.dimensions && typeof q.metric.dimensions === "object") out.push(q.metric.dimensions);
  }
  return out;
}

/** Whether an alarm watches `r`: a dimension names it, or (unknown values) the alarm depends on it. */
function watches(alarm: StackResource, r: StackResource, dims: string[]): boolean | typeof UNKNOWN {
  let unknown = false;
  const ids = identifiers(r);
  for (const set of dimensionSets(alarm)) {
    if (set === UNKNOWN) {
      if (dependsOn(alarm, r)) return true;
      unknown = true;
      continue;
    }
    for (const d of dims) {
      const v = set[d];
      if (v === undefined) continue;
      if (v === UNKNOWN) {
        if (dependsOn(alarm, r, "dimensions")) return true;
        unknown = true;
      } else if (typeof v === "string" && (ids.has(v) || [...ids].some((id) => id.startsWith("arn:") && id.endsWith(`/${v}`)))) {
        return true;
      }
    }
  }
  return unknown ? UNKNOWN : false;
}

export const alarmsCoverResources = stackPolicy({
  name: "alarms-cover-resources",
  layer: "observability",
  summary: "Every database, cache, load balancer, host, host fleet and ACM certificate has at least one CloudWatch alarm whose dimensions name it.",
  fix: "add the resource's alarms through components/monitoring (AppAlarms with the specs from components/alarms.ts), notifying the stack's alert topic.",
  check(ctx) {
    const alarms = ctx.ofType(T.metricAlarm);
    for (const kind of MONITORED) {
      for (const r of ctx.ofType(...kind.types)) {
        const results = alarms.map((a) => watches(a, r, kind.dimensions));
        if (results.includes(UNKNOWN)) continue;
        const watching = alarms.filter((_, i) => results[i] === true);
        const region = arnRegion(r);
        const elsewhere = kind.sameRegion && region ? watching.filter((a) => arnRegion(a) !== undefined && arnRegion(a) !== region) : [];
        if (watching.length > elsewhere.length) continue;
        ctx.report(r, watching.length === 0
          ? `no CloudWatch alarm watches this ${kind.what} (for example ${kind.example}).`
          : `its alarms are in ${arnRegion(elsewhere[0])}, but the metric exists only in ${region}, so they never fire (create them with a ${region} provider).`);
      }
    }
  },
});

export const alarmsNotify = resourcePolicy({
  name: "alarms-notify",
  layer: "observability",
  summary: "Every alarm has actions enabled and notifies at least one target (the stack's alert topic).",
  fix: "set alarmActions (and okActions) to the alert topic's ARN and leave actionsEnabled on.",
  severity: "medium",
  types: [T.metricAlarm, T.compositeAlarm],
  check(r, ctx) {
    if (asBool(r.props.actionsEnabled) === false) {
      ctx.report("the alarm's actions are disabled, so it notifies no one.");
      return;
    }
    const actions = asList(r.props.alarmActions);
    if (actions === UNKNOWN) return;
    if (actions.length === 0) ctx.report("the alarm has no alarmActions, so it notifies no one.");
  },
});

const MIN_RETENTION = { prod: 30, staging: 1 };

export const logGroupRetention = resourcePolicy<{ minRetentionDays: Record<string, number> }>({
  name: "log-group-retention",
  layer: "observability",
  summary: "Every CloudWatch log group has a retention period (never \"keep forever\"), of at least 30 days in prod.",
  fix: "set retentionInDays (the stack's logRetentionDays: 14 in staging, 90 in prod by default).",
  severity: "medium",
  types: [T.logGroup],
  schema: {
    minRetentionDays: perEnvironmentSchema({ type: "integer", minimum: 1 }, MIN_RETENTION, "Shortest retention accepted, in days, per environment."),
  },
  defaults: { minRetentionDays: MIN_RETENTION },
  check(r, ctx) {
    const days = asNumber(r.props.retentionInDays);
    if (days === UNKNOWN) return;
    if (days === undefined || days === 0) {
      ctx.report("the log group keeps its logs forever (no retentionInDays), so storage grows without bound.");
      return;
    }
    const min = ctx.config.minRetentionDays[ctx.env] ?? MIN_RETENTION[ctx.env];
    if (days < min) ctx.report(`logs are kept ${days} day(s); ${ctx.env} requires at least ${min}.`);
  },
});

export const albAccessLogs = resourcePolicy({
  name: "alb-access-logs",
  layer: "observability",
  summary: "Load balancers write access logs to S3.",
  fix: "set accessLogs { bucket: <log bucket>, prefix: <app>, enabled: true }; the log bucket's policy must allow the region's ELB log delivery account.",
  severity: "medium",
  types: LOAD_BALANCERS,
  check(r, ctx) {
    const logs = r.props.accessLogs;
    if (logs === UNKNOWN) return;
    if (!logs || typeof logs !== "object") {
      ctx.report("access logs are off (no accessLogs).");
      return;
    }
    const enabled = asBool(logs.enabled);
    if (enabled === UNKNOWN) return;
    if (enabled !== true) ctx.report("accessLogs.enabled is not true (it defaults to false even with a bucket).");
    else if (logs.bucket === undefined || logs.bucket === "") ctx.report("accessLogs names no bucket.");
  },
});

export const cloudfrontLogging = stackPolicy({
  name: "cloudfront-logging",
  layer: "observability",
  summary: "Every CloudFront distribution writes access logs: standard logging to S3 (loggingConfig) or a CloudWatch log delivery source for it.",
  fix: "set loggingConfig { bucket: <log bucket>.bucketDomainName, prefix: <app>/ } (the bucket needs ACLs enabled for CloudFront), or create an aws.cloudwatch.LogDeliverySource with resourceArn = the distribution's ARN and logType ACCESS_LOGS.",
  severity: "medium",
  check(ctx) {
    const sources = ctx.ofType(T.logDeliverySource);
    for (const d of ctx.ofType(T.distribution)) {
      const lc = d.props.loggingConfig;
      if (lc === UNKNOWN) continue;
      if (lc && typeof lc === "object" && (lc.bucket === UNKNOWN || (typeof lc.bucket === "string" && lc.bucket !== ""))) continue;
      const links = sources.map((s) => refersTo(s.props.resourceArn, d, s, "resourceArn"));
      if (links.includes(true) || links.includes(UNKNOWN)) continue;
      ctx.report(d, "the distribution writes no access logs.");
    }
  },
});

/** The group events a human must hear about: an instance that could not launch or terminate. */
const ASG_ERROR_EVENTS = ["autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"];

export const asgNotifiesErrors = stackPolicy({
  name: "asg-notifies-errors",
  layer: "observability",
  summary: "Every autoscaling group notifies an SNS topic when an instance fails to launch or to terminate.",
  fix: `add an aws.autoscaling.Notification { groupNames: [group.name], notifications: [${ASG_ERROR_EVENTS.join(", ")}], topicArn: <the alert topic> }.`,
  severity: "medium",
  check(ctx) {
    const notifications = ctx.ofType(T.autoscalingNotification);
    for (const group of ctx.ofType(T.autoscalingGroup)) {
      const covering = notifications.map((n) => {
        const names = asList(n.props.groupNames);
        if (names === UNKNOWN) return UNKNOWN;
        const link = names.map((x) => refersTo(x, group, n, "groupNames"));
        return link.includes(true) ? n : link.includes(UNKNOWN) ? UNKNOWN : undefined;
      });
      if (covering.includes(UNKNOWN)) continue;
      const events = new Set<unknown>();
      let unknownEvents = false;
      for (const n of covering) {
        if (!n || n === UNKNOWN) continue;
        const list = asList(n.props.notifications);
        if (list === UNKNOWN) unknownEvents = true;
        else list.forEach((e) => events.add(e));
      }
      if (unknownEvents) continue;
      const missing = ASG_ERROR_EVENTS.filter((e) => !events.has(e));
      if (missing.length) ctx.report(group, `no notification tells anyone about ${missing.join(" or ")}.`);
    }
  },
});

export const logGroupsEncryptedProd = resourcePolicy({
  name: "log-groups-encrypted-prod",
  layer: "observability",
  summary: "In prod, every CloudWatch log group is encrypted with the stack's KMS key (kmsKeyId), so reading its logs needs the key's policy as well as the log group's.",
  fix: "set kmsKeyId to the stack key's ARN (StackKey.keyArn; its policy lets this region's CloudWatch Logs use it). A group in another region than the key (e.g. a CloudFront WAF's in us-east-1) gets a named exemption with the reason.",
  severity: "medium",
  types: [T.logGroup],
  check(r, ctx) {
    if (ctx.env !== "prod") return;
    const key = asString(r.props.kmsKeyId);
    if (key === UNKNOWN) return;
    if (key === undefined || key === "") ctx.report("the log group has no kmsKeyId: only CloudWatch Logs' own key protects it, so logs:GetLogEvents alone reads it.");
  },
});

/** True / "true": Session documents carry booleans, sometimes written as strings. */
const isTrue = (v: unknown) => v === true || v === "true";
const nonEmpty = (v: unknown) => typeof v === "string" && v.trim() !== "";

/** What a Session Manager preferences document lacks; [] when sessions are encrypted and logged. */
function sessionGaps(content: string): string[] {
  let doc: any;
  try {
    doc = JSON.parse(content);
  } catch {
    return ["its content is not JSON (the pack reads documentFormat JSON only)"];
  }
  const inputs = doc && typeof doc === "object" ? doc.inputs : undefined;
  if (!inputs || typeof inputs !== "object") return ["it has no inputs"];
  const gaps: string[] = [];
  if (!nonEmpty(inputs.kmsKeyId)) gaps.push("inputs.kmsKeyId is empty, so session data is not encrypted with a KMS key");
  const cloudWatch = nonEmpty(inputs.cloudWatchLogGroupName) && isTrue(inputs.cloudWatchEncryptionEnabled);
  const s3 = nonEmpty(inputs.s3BucketName) && isTrue(inputs.s3EncryptionEnabled);
  if (!cloudWatch && !s3) {
    gaps.push(nonEmpty(inputs.cloudWatchLogGroupName) || nonEmpty(inputs.s3BucketName)
      ? "sessions are logged without requiring an encrypted destination (cloudWatchEncryptionEnabled / s3EncryptionEnabled is not true)"
      : "sessions are not logged (no cloudWatchLogGroupName or s3BucketName)");
  }
  return gaps;
}

export const ssmSessionsLogged = stackPolicy({
  name: "ssm-sessions-logged",
  layer: "observability",
  summary: "A stack with EC2 hosts has Session Manager preferences (a Session document of sessionType Standard_Stream) that encrypt sessions with a KMS key and log them to an encrypted log group or bucket, since SSM shells replace SSH.",
  fix: "create the preferences with SessionManager (components/session-manager.ts): inputs.kmsKeyId = the stack key, cloudWatchLogGroupName = a log group on the stack key, cloudWatchEncryptionEnabled: true (or s3BucketName with s3EncryptionEnabled: true); give the hosts' roles kms:Decrypt and the log-streaming rights (hostPolicyDocument's sessions).",
  severity: "high",
  check(ctx) {
    let covered = false;
    for (const d of ctx.ofType(T.ssmDocument)) {
      const type = asString(d.props.documentType);
      if (type === UNKNOWN) {
        covered = true;
        continue;
      }
      if (type !== "Session") continue;
      const content = asString(d.props.content);
      if (content === UNKNOWN) {
        covered = true;
        continue;
      }
      if (content === undefined) continue;
      let sessionType: unknown;
      try {
        sessionType = JSON.parse(content)?.sessionType;
      } catch {
        sessionType = undefined;
      }
      // Port forwarding and interactive-command documents are not the shell's preferences.
      if (sessionType !== undefined && sessionType !== "Standard_Stream") continue;
      const gaps = sessionGaps(content);
      if (gaps.length === 0) covered = true;
      else ctx.report(d, `the Session Manager preferences leave shells unprotected: ${gaps.join("; ")}.`);
    }
    if (covered) return;
    for (const host of ctx.ofType(...HOSTS)) {
      ctx.report(host, "no Session Manager preferences document in the stack encrypts and logs the shells opened on this host (aws ssm start-session).");
    }
  },
});

export const OBSERVABILITY_POLICIES = [alarmsCoverResources, alarmsNotify, logGroupRetention, albAccessLogs, cloudfrontLogging, asgNotifiesErrors, logGroupsEncryptedProd, ssmSessionsLogged];
