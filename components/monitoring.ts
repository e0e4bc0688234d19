import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EMAIL_RE } from "../lib/email";
import { AlarmSpec, MetricRef, RatioAlarmSpec, ratioExpression } from "./alarms";
import { invalidArg, typeToken } from "./common";

export interface AlertTopicArgs {
  /** Address subscribed to alarms (the subscription must be confirmed once by mail). Required. */
  email: string;
  /** KMS key for the topic (its policy must let CloudWatch use it). @default none (SNS-managed SSE is not usable by alarms) */
  kmsKeyId?: pulumi.Input<string>;
}

/**
 * The alarm topic's policy: CloudWatch alarms of the topic's own account and region may publish
 * (a topic policy replaces SNS's default one, which let them); nobody may publish without TLS.
 * The account's own roles (the autoscaling groups' service-linked role, operators) publish
 * through their IAM policies. Pure.
 */
export function alertTopicPolicy(topicArn: string): object {
  const [, partition, , region, account] = topicArn.split(":");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn,
        Condition: { ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` }, StringEquals: { "aws:SourceAccount": account } },
      },
      { Sid: "DenyPublishWithoutTls", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topicArn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ],
  };
}

/** The stack's alarm topic, with the on-call e-mail subscribed. */
export class AlertTopic extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("monitoring", "AlertTopic"), name, {}, opts);
    if (!EMAIL_RE.test(args.email)) invalidArg("AlertTopic", "email", `"${args.email}" is not an e-mail address`);
    const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: args.kmsKeyId }, { parent: this });
    new aws.sns.TopicPolicy(`${name}-alerts`, { arn: topic.arn, policy: topic.arn.apply((arn) => JSON.stringify(alertTopicPolicy(arn))) }, { parent: this });
    new aws.sns.TopicSubscription(`${name}-oncall`, { topic: topic.arn, protocol: "email", endpoint: args.email }, { parent: this });
    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}

export interface AppAlarmsArgs {
  /** Alarms to create (components/alarms.ts builds them). Required, at least one. */
  alarms: AlarmSpec[];
  /** SNS topic notified on ALARM and OK. Required. */
  topicArn: pulumi.Input<string>;
}

/** The metric queries of a ratio alarm: its two metrics, and the percentage it compares. */
function ratioQueries(a: RatioAlarmSpec): aws.types.input.cloudwatch.MetricAlarmMetricQuery[] {
  const query = (id: "part" | "whole", m: MetricRef) => ({
    id, returnData: false,
    metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.statistic, period: a.periodSeconds },
  });
  return [
    query("part", a.ratio.part),
    query("whole", a.ratio.whole),
    { id: "ratio", expression: ratioExpression(a.ratio.minWhole), label: `${a.ratio.part.metricName} per ${a.ratio.whole.metricName} (%)`, returnData: true },
  ];
}

/** CloudWatch alarms for one app, all notifying the stack's alert topic. */
export class AppAlarms extends pulumi.ComponentResource {
  readonly alarmNames: pulumi.Output<string>[];

  constructor(name: string, args: AppAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("monitoring", "AppAlarms"), name, {}, opts);
    if (args.alarms.length === 0) invalidArg("AppAlarms", "alarms", "must list at least one alarm");
    const ids = args.alarms.map((a) => a.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) invalidArg("AppAlarms", "alarms", `has two alarms with id "${dup}"`);
    this.alarmNames = args.alarms.map((a) => new aws.cloudwatch.MetricAlarm(`${name}-${a.id}`, {
      alarmDescription: a.description,
      ...("ratio" in a
        ? { metricQueries: ratioQueries(a) }
        : { namespace: a.namespace, metricName: a.metricName, dimensions: a.dimensions, statistic: a.statistic, period: a.periodSeconds }),
      evaluationPeriods: a.evaluationPeriods,
      threshold: a.threshold,
      comparisonOperator: a.comparison,
      treatMissingData: a.treatMissingData,
      alarmActions: [args.topicArn, ...(a.extraActions ?? [])],
      okActions: [args.topicArn],
    }, { parent: this }).name);
    this.registerOutputs({});
  }
}
