/**
 * Metric and dimension-set combinations the vendored catalogue (data/cloudwatch-metrics.json)
 * lacks, each confirmed by the AWS documentation page that states it. The catalogue is
 * partial: it misses whole namespaces (AWS/CertificateManager) and some dimension sets, and
 * the alarm check treats a set it does not list as never published unless an entry here
 * cites AWS saying otherwise. Add an entry only with the page and the sentence or table row;
 * never because the program happens to alarm on it.
 */

export interface DocumentedMetric {
  namespace: string;
  metric: string;
  /** Dimension names, as the alarm must give them (order does not matter). */
  dimensions: string[];
  source: {
    /** The AWS documentation page. */
    url: string;
    /** The sentence or table row on that page that states the combination, as AWS words it. */
    quote: string;
  };
  /** A further condition the page states: the metric exists only for resources of this kind. */
  onlyFor?: "rds-read-replica";
}

export const DOCUMENTED_METRICS: DocumentedMetric[] = [
  {
    namespace: "AWS/ApplicationELB",
    metric: "UnHealthyHostCount",
    dimensions: ["LoadBalancer", "TargetGroup"],
    source: {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html",
      quote: "The AWS/ApplicationELB namespace includes the following metrics for targets. UnHealthyHostCount | The number of targets that are considered unhealthy. "
        + "Reporting criteria: Reported if there are registered targets. Dimensions: LoadBalancer, TargetGroup; "
        + "LoadBalancer, AvailabilityZone, TargetGroup",
    },
  },
  {
    namespace: "AWS/CertificateManager",
    metric: "DaysToExpiry",
    dimensions: ["CertificateArn"],
    source: {
      url: "https://docs.aws.amazon.com/acm/latest/userguide/cloudwatch-metrics.html",
      quote: "The AWS/CertificateManager namespace includes the following metric. DaysToExpiry | Number of days until "
        + "a certificate expires. ACM stops publishing this metric after a certificate expires. | Integer | CertificateArn",
    },
  },
  {
    namespace: "AWS/EC2",
    metric: "StatusCheckFailed",
    dimensions: ["AutoScalingGroupName"],
    source: {
      url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html",
      quote: "Status check metrics: the AWS/EC2 namespace includes StatusCheckFailed. Amazon EC2 metric dimensions: "
        + "AutoScalingGroupName | This dimension filters the data you request for all instances in a specified capacity group. "
        + "This dimension is available only for Amazon EC2 metrics when the instances are in such an Auto Scaling group. "
        + "Available for instances with Detailed or Basic Monitoring enabled.",
    },
  },
  {
    namespace: "AWS/RDS",
    metric: "ReplicaLag",
    dimensions: ["DBInstanceIdentifier"],
    source: {
      url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html",
      quote: "The AWS/RDS namespace includes the following metrics. ReplicaLag | The amount of time a read replica DB instance "
        + "lags behind the source DB instance. Applies to MySQL, MariaDB, Oracle, PostgreSQL, and SQL Server read replicas. "
        + "Amazon RDS dimensions: DBInstanceIdentifier | A specific DB instance.",
    },
    onlyFor: "rds-read-replica",
  },
];
