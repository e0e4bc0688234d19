/**
 * Alarm specifications per monitored resource kind. Pure: each function returns the alarms
 * a resource needs, as data; components/monitoring.ts turns them into CloudWatch alarms.
 * Thresholds are chosen to page on user-visible trouble, not on noise.
 */
import * as pulumi from "@pulumi/pulumi";
import { ONE_DAY_SECONDS } from "../lib/durations";
import type { CacheNode } from "./redis";

/** One CloudWatch metric, with the statistic an alarm reads it by. */
export interface MetricRef {
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  statistic: "Average" | "Sum" | "Maximum" | "Minimum";
}

interface AlarmBase {
  /** Suffix of the alarm's resource name, e.g. "db-cpu". */
  id: string;
  description: string;
  periodSeconds: number;
  evaluationPeriods: number;
  threshold: number;
  comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
  /** How to treat gaps: a silent host is bad news, a quiet load balancer is not. */
  treatMissingData: "breaching" | "notBreaching" | "missing";
  /** Extra actions, e.g. EC2 auto-recovery. */
  extraActions?: pulumi.Input<string>[];
}

/** An alarm on one metric. */
export interface SingleMetricAlarmSpec extends AlarmBase, MetricRef {}

/**
 * An alarm on a percentage, 100 × part / whole per period (an error rate), computed with
 * metric math. It reads 0 while `whole` is under `minWhole`, so two failures among three
 * requests at night do not page anyone.
 */
export interface RatioAlarmSpec extends AlarmBase {
  ratio: { part: MetricRef; whole: MetricRef; minWhole: number };
}

export type AlarmSpec = SingleMetricAlarmSpec | RatioAlarmSpec;

/**
 * The metric-math expression of a ratio alarm, over queries `part` and `whole`. Error counts
 * have no data points while nothing fails, so `part` is filled with 0. Pure.
 */
export function ratioExpression(minWhole: number): string {
  return `IF(whole >= ${minWhole}, 100 * FILL(part, 0) / whole, 0)`;
}

/** Error-rate alarms page above this share of failed requests, in percent. */
export const ERROR_RATE_PERCENT = 5;
/** ...and only with at least this many requests in the period. */
export const ERROR_RATE_MIN_REQUESTS = 50;

/** Namespace and metric the hosts publish for their Let's Encrypt certificate (host config). */
export const HOST_METRICS_NAMESPACE = "WebappPlatform/Host";
export const CERT_DAYS_METRIC = "CertificateDaysToExpiry";
export const NGINX_5XX_METRIC = "Nginx5xx";
export const NGINX_502_METRIC = "NginxUpstreamDown";
export const NGINX_REQUESTS_METRIC = "NginxRequests";
export const CERT_EXPIRY_ALARM_DAYS = 30;

export function hostAlarms(app: string, instanceId: pulumi.Input<string>): SingleMetricAlarmSpec[] {
  return [
    {
      id: "host-status", description: `${app}: the host failed its EC2 status checks (instance or system)`,
      namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { InstanceId: instanceId },
      statistic: "Maximum", periodSeconds: 60, evaluationPeriods: 3, threshold: 1, comparison: "GreaterThanOrEqualToThreshold", treatMissingData: "breaching",
    },
    {
      id: "host-cpu", description: `${app}: host CPU above 85% for 15 minutes`,
      namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions: { InstanceId: instanceId },
      statistic: "Average", periodSeconds: 300, evaluationPeriods: 3, threshold: 85, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    },
  ];
}

/** Alarms on the metrics a single host publishes itself (certificate expiry, nginx errors). */
export function hostAppAlarms(app: string): AlarmSpec[] {
  return [
    {
      id: "cert-expiry", description: `${app}: the Let's Encrypt certificate expires in under ${CERT_EXPIRY_ALARM_DAYS} days (renewal is failing)`,
      namespace: HOST_METRICS_NAMESPACE, metricName: CERT_DAYS_METRIC, dimensions: { App: app },
      statistic: "Minimum", periodSeconds: ONE_DAY_SECONDS, evaluationPeriods: 1, threshold: CERT_EXPIRY_ALARM_DAYS, comparison: "LessThanThreshold",
      treatMissingData: "breaching", // the daily check not reporting is itself a problem
    },
    errorRateAlarm("app-errors", `${app}: more than ${ERROR_RATE_PERCENT}% of requests answered 5xx over 5 minutes`, {
      part: { namespace: HOST_METRICS_NAMESPACE, metricName: NGINX_5XX_METRIC, dimensions: { App: app }, statistic: "Sum" },
      whole: { namespace: HOST_METRICS_NAMESPACE, metricName: NGINX_REQUESTS_METRIC, dimensions: { App: app }, statistic: "Sum" },
    }),
    {
      id: "app-down", description: `${app}: nginx cannot reach the app (502s) for 3 minutes: the service is down`,
      namespace: HOST_METRICS_NAMESPACE, metricName: NGINX_502_METRIC, dimensions: { App: app },
      statistic: "Sum", periodSeconds: 60, evaluationPeriods: 3, threshold: 0, comparison: "GreaterThanThreshold", treatMissingData: "notBreaching",
    },
  ];
}

/** A 5-minute error-rate alarm: above ERROR_RATE_PERCENT with at least ERROR_RATE_MIN_REQUESTS requests. */
function errorRateAlarm(id: string, description: string, metrics: { part: MetricRef; whole: MetricRef }): RatioAlarmSpec {
  return {
    id, description, ratio: { ...metrics, minWhole: ERROR_RATE_MIN_REQUESTS },
    periodSeconds: 300, evaluationPeriods: 1, threshold: ERROR_RATE_PERCENT, comparison: "GreaterThanThreshold", treatMissingData: "notBreaching",
  };
}

const ELB = "AWS/ApplicationELB";

/**
 * The load balancer's alarms; those on its target group only when a listener forwards to it
 * (`tgArnSuffix` undefined before then: the pair publishes no metrics).
 */
export function loadBalancerAlarms(app: string, lbArnSuffix: pulumi.Input<string>, tgArnSuffix: pulumi.Input<string> | undefined): AlarmSpec[] {
  const lb = { LoadBalancer: lbArnSuffix };
  // The load balancer's own 5xx (502/503/504: no healthy or answering host) per request.
  const own = errorRateAlarm("alb-5xx", `${app}: the load balancer answered more than ${ERROR_RATE_PERCENT}% of requests with its own 5xx over 5 minutes`, {
      part: { namespace: ELB, metricName: "HTTPCode_ELB_5XX_Count", dimensions: lb, statistic: "Sum" },
      whole: { namespace: ELB, metricName: "RequestCount", dimensions: lb, statistic: "Sum" },
    });
  if (tgArnSuffix === undefined) return [own];
  const target = { LoadBalancer: lbArnSuffix, TargetGroup: tgArnSuffix };
  return [
    own,
    errorRateAlarm("app-errors", `${app}: the app answered more than ${ERROR_RATE_PERCENT}% of requests with 5xx over 5 minutes`, {
      part: { namespace: ELB, metricName: "HTTPCode_Target_5XX_Count", dimensions: target, statistic: "Sum" },
      whole: { namespace: ELB, metricName: "RequestCount", dimensions: target, statistic: "Sum" },
    }),
    {
      id: "unhealthy-hosts", description: `${app}: at least one host failed the load balancer health check for 5 minutes`,
      namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", dimensions: { LoadBalancer: lbArnSuffix, TargetGroup: tgArnSuffix },
      statistic: "Maximum", periodSeconds: 60, evaluationPeriods: 5, threshold: 0, comparison: "GreaterThanThreshold", treatMissingData: "notBreaching",
    },
  ];
}

export function fleetAlarms(app: string, asgName: pulumi.Input<string>): SingleMetricAlarmSpec[] {
  return [{
    id: "fleet-status", description: `${app}: a fleet host failed its EC2 status checks`,
    namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: { AutoScalingGroupName: asgName },
    statistic: "Maximum", periodSeconds: 60, evaluationPeriods: 3, threshold: 1, comparison: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching",
  }];
}

/**
 * Expiry alarm for an ACM certificate, from the DaysToExpiry metric ACM publishes in the
 * certificate's own region (so a CloudFront certificate's alarm must live in us-east-1).
 * `id` tells an app's certificates apart; `label` names the one in the description.
 */
export function certificateAlarms(app: string, certificateArn: pulumi.Input<string>, id = "acm-expiry", label = "ACM certificate"): SingleMetricAlarmSpec[] {
  return [{
    id, description: `${app}: the ${label} expires in under ${CERT_EXPIRY_ALARM_DAYS} days (DNS validation records missing?)`,
    namespace: "AWS/CertificateManager", metricName: "DaysToExpiry", dimensions: { CertificateArn: certificateArn },
    statistic: "Minimum", periodSeconds: ONE_DAY_SECONDS, evaluationPeriods: 1, threshold: CERT_EXPIRY_ALARM_DAYS, comparison: "LessThanThreshold", treatMissingData: "notBreaching",
  }];
}

export function databaseAlarms(app: string, dbIdentifier: pulumi.Input<string>, allocatedStorageGb: number, maxConnections: number): SingleMetricAlarmSpec[] {
  return [
    {
      id: "db-cpu", description: `${app}: database CPU above 80% for 15 minutes`,
      namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: { DBInstanceIdentifier: dbIdentifier },
      statistic: "Average", periodSeconds: 300, evaluationPeriods: 3, threshold: 80, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    },
    {
      id: "db-storage", description: `${app}: database free storage below 10% of its initial ${allocatedStorageGb} GiB`,
      namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimensions: { DBInstanceIdentifier: dbIdentifier },
      statistic: "Minimum", periodSeconds: 300, evaluationPeriods: 1, threshold: Math.round(allocatedStorageGb * 0.1 * 1024 ** 3), comparison: "LessThanThreshold", treatMissingData: "missing",
    },
    {
      id: "db-connections", description: `${app}: database connections above 80% of max_connections (${maxConnections})`,
      namespace: "AWS/RDS", metricName: "DatabaseConnections", dimensions: { DBInstanceIdentifier: dbIdentifier },
      statistic: "Maximum", periodSeconds: 300, evaluationPeriods: 2, threshold: Math.floor(maxConnections * 0.8), comparison: "GreaterThanThreshold", treatMissingData: "missing",
    },
  ];
}

export function replicaAlarms(app: string, replicaIdentifier: pulumi.Input<string>): SingleMetricAlarmSpec[] {
  return [
    {
      id: "replica-lag", description: `${app}: the read replica is more than 5 minutes behind the primary`,
      namespace: "AWS/RDS", metricName: "ReplicaLag", dimensions: { DBInstanceIdentifier: replicaIdentifier },
      statistic: "Maximum", periodSeconds: 300, evaluationPeriods: 2, threshold: 300, comparison: "GreaterThanThreshold", treatMissingData: "breaching",
    },
    {
      id: "replica-cpu", description: `${app}: read replica CPU above 80% for 15 minutes`,
      namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: { DBInstanceIdentifier: replicaIdentifier },
      statistic: "Average", periodSeconds: 300, evaluationPeriods: 3, threshold: 80, comparison: "GreaterThanThreshold", treatMissingData: "missing",
    },
  ];
}

/**
 * Memory and eviction alarms on every node of a Redis replication group. ElastiCache publishes
 * these per cache cluster and node, never per replication group, so each member gets its own
 * (a replica fills up and evicts like the primary). Named by the member's number (the end of
 * its cluster id), so adding a replica adds alarms without renaming the others.
 */
export function cacheAlarms(app: string, nodes: CacheNode[]): SingleMetricAlarmSpec[] {
  return nodes.flatMap((n) => {
    const member = n.cacheClusterId.slice(n.cacheClusterId.lastIndexOf("-") + 1);
    const dimensions = { CacheClusterId: n.cacheClusterId, CacheNodeId: n.cacheNodeId };
    return [
      {
        id: `cache-memory-${member}`, description: `${app}: Redis node ${n.cacheClusterId} memory above 80% for 15 minutes`,
        namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions,
        statistic: "Maximum", periodSeconds: 300, evaluationPeriods: 3, threshold: 80, comparison: "GreaterThanThreshold", treatMissingData: "missing",
      },
      {
        id: `cache-evictions-${member}`, description: `${app}: Redis node ${n.cacheClusterId} is evicting keys (more than 100 in 5 minutes): the cache is too small`,
        namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions,
        statistic: "Sum", periodSeconds: 300, evaluationPeriods: 1, threshold: 100, comparison: "GreaterThanThreshold", treatMissingData: "notBreaching",
      },
    ] satisfies SingleMetricAlarmSpec[];
  });
}

/**
 * RDS's default max_connections for PostgreSQL is LEAST(DBInstanceClassMemory/9531392, 5000);
 * an approximation by class memory is enough to place the alarm threshold.
 */
export function defaultMaxConnections(instanceClass: string): number {
  const memoryGiB: Record<string, number> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };
  const size = instanceClass.split(".").pop() ?? "medium";
  const bytes = (memoryGiB[size] ?? 4) * 1024 ** 3;
  return Math.min(Math.floor(bytes / 9531392), 5000);
}
