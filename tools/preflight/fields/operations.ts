/** IAM, CloudWatch (logs, metric filters, alarms), SNS, SSM, ECR, Docker images, local commands and the provider itself. */
import { DOCKER_TAG_RE } from "../../../lib/versions";
import { CrossRule, Field, FieldTable, ProseRule, charset, lengthBetween, matches, maxLength, notMatches, oneOf } from "../rules";
import { tagFields } from "./common";

/** The unknown marker the engine sends during preview (test/harness UNKNOWN); cross rules skip it. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const known = (v: unknown) => v !== undefined && v !== null && v !== UNKNOWN;

/** At most `max` characters once whitespace is removed, the way IAM counts policy sizes. */
function maxLengthWithoutWhitespace(quote: string, max: number, allows: string): ProseRule {
  return { quote, allows, ok: (v) => [...v.replace(/\s/g, "")].length <= max };
}

// --- IAM -------------------------------------------------------------------------------------
//
// IAM's patterns ([\w+=,.@-]+ for names, [\u0009...\u00FF]+ for policies) are whole-value
// patterns on the server ("Member must satisfy regular expression pattern"), but read as
// unanchored they accept "my role" or an em dash. The member docs spell the character sets
// out in prose, so the prose rules below enforce them on the whole value.

/** Every IAM name member (RoleName, PolicyName, InstanceProfileName) documents this set. */
const IAM_NAME_CHARS = charset(
  "This parameter allows (through its regex pattern ) a string of characters consisting of upper and lowercase alphanumeric characters with no spaces. You can also include any of the following characters: _+=,.@-",
  "\\w+=,.@-",
  "letters, digits and _+=,.@- (no spaces)",
);

/** The policy document character set (PutRolePolicy.PolicyDocument, CreateRole.AssumeRolePolicyDocument). */
const IAM_POLICY_CHARS = charset(
  "The regex pattern used to validate this parameter is a string of characters consisting of the following: Any printable ASCII character ranging from the space character ( \\u0020 ) through the end of the ASCII character range The printable characters in the Basic Latin and Latin-1 Supplement character set (through \\u00FF ) The special characters tab ( \\u0009 ), line feed ( \\u000A ), and carriage return ( \\u000D )",
  "\\t\\n\\r\\u0020-\\u00FF",
  "tab, LF, CR and U+0020 to U+00FF (no characters beyond Latin-1, e.g. no em dash)",
);

/** IAM paths: "/" or "/.../" of ASCII ! to ~ (the pathType pattern, whole value). */
const IAM_PATH: ProseRule = matches(
  "a string of characters consisting of either a forward slash (/) by itself or a string that must begin and end with forward slashes",
  /^(\/|\/[\u0021-\u007E]+\/)$/,
  "/ alone, or /<ASCII ! to ~>/",
);

const IAM_ROLE_NAME = (api: string): Field => ({ api, prose: [IAM_NAME_CHARS] });

/**
 * IAM parses the document and refuses it (MalformedPolicyDocument) unless it is JSON and
 * every statement's Sid is alphanumeric (IAM JSON policy element reference, Sid: "The Sid
 * element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)").
 */
const iamPolicyJson = (quote: string): ProseRule => ({
  quote,
  allows: "a JSON policy whose statement Sids use only A-Z, a-z and 0-9 (IAM JSON policy reference, Sid)",
  ok: (v) => {
    let doc: any;
    try {
      doc = JSON.parse(v);
    } catch {
      return false;
    }
    const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
    return statements.every((st: any) => st?.Sid === undefined || (typeof st.Sid === "string" && /^[A-Za-z0-9]*$/.test(st.Sid)));
  },
});

// --- CloudWatch ------------------------------------------------------------------------------

const RETENTION_DAYS = ["1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180", "365", "400", "545", "731", "1096", "1827", "2192", "2557", "2922", "3288", "3653"];

/** CloudWatch dimension names and values (PutMetricAlarm Dimension.Name / Dimension.Value docs). */
const DIMENSION_NAME_RULES: ProseRule[] = [
  charset("Dimension names must contain only ASCII characters", "\\u0000-\\u007F", "ASCII"),
  matches("must include at least one non-whitespace character", /\S/, "at least one non-whitespace character"),
  notMatches("cannot start with a colon ( : )", /^:/, "no colon first"),
  notMatches("ASCII control characters are not supported as part of dimension names.", /[\u0000-\u001F\u007F]/, "no ASCII control characters"),
];
const DIMENSION_VALUE_RULES: ProseRule[] = [
  charset("Dimension values must contain only ASCII characters", "\\u0000-\\u007F", "ASCII"),
  matches("must include at least one non-whitespace character", /\S/, "at least one non-whitespace character"),
  notMatches("ASCII control characters are not supported as part of dimension values.", /[\u0000-\u001F\u007F]/, "no ASCII control characters"),
];

/** Alarm actions: the ARN kinds PutMetricAlarm lists under "Valid values". */
const ALARM_ACTION_ARN = /^arn:aws(-cn|-us-gov)?:(automate:[a-z0-9-]+:ec2:(stop|terminate|reboot|recover)|swf:[a-z0-9-]+:\d{12}:action\/actions\/AWS_EC2\.InstanceId\.(Stop|Terminate|Reboot|Recover)\/1\.0|autoscaling:[a-z0-9-]+:\d{12}:scalingPolicy:.+|lambda:[a-z0-9-]+:\d{12}:function:.+|sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?|ssm:[a-z0-9-]+:\d{12}:opsitem:.+|ssm-incidents::\d{12}:responseplan\/.+|aiops:[a-z0-9-]+:\d{12}:investigation-group:.+)$/;
const alarmActions = (api: string): Field => ({
  api,
  prose: [matches("Each action is specified as an Amazon Resource Name (ARN).", ALARM_ACTION_ARN, "an EC2 automate / SWF, Auto Scaling policy, Lambda, SNS topic, SSM OpsItem or incident response plan ARN (the documented valid values)")],
});

/** PutMetricAlarm.Period / Metrics[].MetricStat.Period. */
const ALARM_PERIOD: ProseRule = {
  quote: "Valid values are 10, 20, 30, and any multiple of 60.",
  allows: "10, 20, 30 or a multiple of 60",
  ok: (v) => /^\d+$/.test(v) && (["10", "20", "30"].includes(v) || (Number(v) > 0 && Number(v) % 60 === 0)),
};
const METRIC_STAT_PERIOD: ProseRule = {
  quote: "the period can be 1, 5, 10, 20, 30, 60, or any multiple of 60",
  allows: "1, 5, 10, 20, 30 or a multiple of 60",
  ok: (v) => /^\d+$/.test(v) && (["1", "5", "10", "20", "30"].includes(v) || (Number(v) > 0 && Number(v) % 60 === 0)),
};

/** Statistics and extended statistics (PutMetricAlarm.ExtendedStatistic lists the forms). */
const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
const EXTENDED_STATISTIC = /^((p|tm|tc|ts|wm)(\d{1,2}(\.\d+)?|100)|IQM|(PR|TM|TC|TS|WM)\(\s*[^():]*:[^():]*\))$/;

/** The period an alarm evaluates over: its own, or (metric math) the longest of its metrics. */
function alarmPeriod(i: Record<string, any>): { path: string; value: number } | undefined {
  if (known(i.period)) return { path: "period", value: Number(i.period) };
  let best: { path: string; value: number } | undefined;
  (Array.isArray(i.metricQueries) ? i.metricQueries : []).forEach((q: any, k: number) => {
    for (const [p, v] of [[`metricQueries[${k}].metric.period`, q?.metric?.period], [`metricQueries[${k}].period`, q?.period]] as const) {
      if (known(v) && (!best || Number(v) > best.value)) best = { path: p, value: Number(v) };
    }
  });
  return best;
}

const ALARM_CROSS: CrossRule[] = [
  {
    api: "PutMetricAlarm.Period",
    quote: "Period multiplied by EvaluationPeriods can't be more than 604,800 seconds.",
    allows: "period x evaluationPeriods <= 604800 seconds (seven days)",
    check: (i) => {
      const p = alarmPeriod(i);
      return p && known(i.evaluationPeriods) && p.value * Number(i.evaluationPeriods) > 604800 ? { path: "evaluationPeriods", value: i.evaluationPeriods } : undefined;
    },
  },
  {
    api: "PutMetricAlarm.Period",
    quote: "For alarms with a period of less than one hour (3,600 seconds), the total evaluation period can't be longer than one day (86,400 seconds).",
    allows: "period x evaluationPeriods <= 86400 seconds when period < 3600",
    check: (i) => {
      const p = alarmPeriod(i);
      return p && p.value < 3600 && known(i.evaluationPeriods) && p.value * Number(i.evaluationPeriods) > 86400 ? { path: "evaluationPeriods", value: i.evaluationPeriods } : undefined;
    },
  },
  {
    api: "PutMetricAlarm.Period",
    quote: "Period is required for alarms based on static thresholds.",
    allows: "a period on every alarm that names a metric (metricName)",
    check: (i) => (known(i.metricName) && i.period === undefined ? { path: "metricName", value: i.metricName } : undefined),
  },
  {
    api: "PutMetricAlarm.MetricName",
    quote: "For each PutMetricAlarm operation, you must specify either MetricName , a Metrics array, or an EvaluationCriteria .",
    allows: "exactly one of metricName, metricQueries or evaluationCriteria",
    check: (i) => {
      const set = [i.metricName !== undefined, Array.isArray(i.metricQueries) && i.metricQueries.length > 0, i.evaluationCriteria !== undefined].filter(Boolean).length;
      return set === 1 ? undefined : { path: i.metricName !== undefined ? "metricName" : "metricQueries", value: i.metricName ?? JSON.stringify(i.metricQueries ?? null) };
    },
  },
  {
    api: "PutMetricAlarm.Statistic",
    quote: "When you call PutMetricAlarm and specify a MetricName , you must specify either Statistic or ExtendedStatistic, but not both.",
    allows: "statistic or extendedStatistic (one, not both) with metricName",
    check: (i) => {
      if (i.metricName === undefined) return undefined;
      const n = [i.statistic, i.extendedStatistic].filter((v) => v !== undefined).length;
      return n === 1 ? undefined : { path: "statistic", value: i.statistic ?? "(unset)" };
    },
  },
  {
    api: "PutMetricAlarm.Metrics",
    quote: "If you use the Metrics parameter, you cannot include the Namespace , MetricName , Dimensions , Period , Unit , Statistic , or ExtendedStatistic parameters of PutMetricAlarm in the same operation.",
    allows: "no namespace, metricName, dimensions, period, unit, statistic or extendedStatistic beside metricQueries",
    check: (i) => {
      if (!Array.isArray(i.metricQueries) || i.metricQueries.length === 0) return undefined;
      const p = ["namespace", "metricName", "dimensions", "period", "unit", "statistic", "extendedStatistic"].find((k) => i[k] !== undefined);
      return p ? { path: p, value: typeof i[p] === "object" ? JSON.stringify(i[p]) : i[p] } : undefined;
    },
  },
  {
    api: "PutMetricAlarm.Metrics[].ReturnData",
    quote: "When used in PutMetricAlarm , specify true for the one expression result to use as the alarm.",
    allows: "exactly one metric query with returnData true (omitted counts as true)",
    check: (i) => {
      if (!Array.isArray(i.metricQueries) || i.metricQueries.length === 0) return undefined;
      const returning = i.metricQueries.filter((q: any) => q?.returnData === undefined || q.returnData === true || q.returnData === "true").length;
      return returning === 1 ? undefined : { path: "metricQueries", value: `${returning} queries return data` };
    },
  },
  {
    api: "PutMetricAlarm.Metrics[].MetricStat",
    quote: "Within one MetricDataQuery object, you must specify either Expression or MetricStat but not both.",
    allows: "each metric query has either expression or metric, not both",
    check: (i) => {
      const k = (Array.isArray(i.metricQueries) ? i.metricQueries : []).findIndex((q: any) => (q?.expression !== undefined) === (q?.metric !== undefined));
      return k < 0 ? undefined : { path: `metricQueries[${k}]`, value: JSON.stringify(i.metricQueries[k]) };
    },
  },
  {
    api: "PutMetricAlarm.Metrics[].Id",
    quote: "This name must be unique within a single call to GetMetricData .",
    allows: "metric query ids unique within the alarm",
    check: (i) => {
      const ids = (Array.isArray(i.metricQueries) ? i.metricQueries : []).map((q: any) => q?.id);
      const k = ids.findIndex((id: unknown, n: number) => known(id) && ids.indexOf(id) !== n);
      return k < 0 ? undefined : { path: `metricQueries[${k}].id`, value: ids[k] };
    },
  },
  {
    api: "PutMetricAlarm.EvaluationPeriods",
    quote: "If you are setting an \"M out of N\" alarm, this value is the N.",
    allows: "datapointsToAlarm (M) <= evaluationPeriods (N)",
    check: (i) => (known(i.datapointsToAlarm) && known(i.evaluationPeriods) && Number(i.datapointsToAlarm) > Number(i.evaluationPeriods)
      ? { path: "datapointsToAlarm", value: i.datapointsToAlarm } : undefined),
  },
];

// --- ECR / Docker ----------------------------------------------------------------------------

/** ECR's repository-name grammar (the RepositoryName pattern, as a whole-value match). */
const ECR_REPOSITORY_NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const ECR_NAME_RULES: ProseRule[] = [
  matches("The repository name must start with a letter", /^[a-z]/, "a lowercase letter first"),
  matches(
    "can only contain lowercase letters, numbers, hyphens, underscores, and forward slashes.",
    ECR_REPOSITORY_NAME,
    "lowercase letters and digits in /-separated components joined by . _ __ or hyphens (the RepositoryName pattern)",
  ),
];

/** `<registry>/<repository>[:<tag>]` split the way Docker reads a reference. */
function splitImageName(ref: string): { registry?: string; repository: string; tag?: string } {
  const slash = ref.indexOf("/");
  const first = slash < 0 ? "" : ref.slice(0, slash);
  const hasRegistry = slash > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const rest = hasRegistry ? ref.slice(slash + 1) : ref;
  const at = rest.lastIndexOf(":");
  return at > rest.lastIndexOf("/") && at >= 0
    ? { registry: hasRegistry ? first : undefined, repository: rest.slice(0, at), tag: rest.slice(at + 1) }
    : { registry: hasRegistry ? first : undefined, repository: rest };
}

const ECR_REGISTRY = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

// --- local processes -------------------------------------------------------------------------

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHELL_NAME_SOURCE = "POSIX.1-2017 Base Definitions, chapter 3 Definitions, Name (the scripts read these variables as ${NAME})";

const LAMBDA_API = "AWS Lambda API Reference";
/** A Lambda field: sent to AWS, but checked against the API reference (no model here). */
function lambdaField(member: string, quote: string, allows: string, re: RegExp): Field {
  return { local: `Lambda's API model is not vendored in ../shared/aws-models; ${member} per the ${LAMBDA_API}`, rules: [{ quote, allows, source: `${LAMBDA_API}, ${member}`, ok: (v) => re.test(v) }] };
}

export const OPERATIONS: FieldTable = {
  // ---------------------------------------------------------------------------------- IAM
  "aws:iam/role:Role": {
    model: "iam",
    autoname: "name",
    fields: {
      name: IAM_ROLE_NAME("CreateRole.RoleName"),
      path: { api: "CreateRole.Path", prose: [IAM_PATH] },
      // roleDescriptionType's pattern (tab, LF, CR, printable ASCII, U+00A1-U+00FF) is the rule: no em dash or curly quotes.
      description: "CreateRole.Description",
      assumeRolePolicy: {
        api: "CreateRole.AssumeRolePolicyDocument",
        prose: [
          IAM_POLICY_CHARS,
          iamPolicyJson("In IAM, you must provide a JSON policy that has been converted to a string."),
          // IAM and STS quotas: "Role trust policy length 2,048 characters" (adjustable), whitespace not counted.
          maxLengthWithoutWhitespace(
            "The trust relationship policy document that grants an entity permission to assume the role.",
            2048,
            "at most 2,048 characters without whitespace (IAM and STS quotas, role trust policy length, default quota)",
          ),
        ],
      },
      maxSessionDuration: "CreateRole.MaxSessionDuration",
      permissionsBoundary: "CreateRole.PermissionsBoundary",
      "managedPolicyArns[]": "AttachRolePolicy.PolicyArn",
      forceDetachPolicies: { local: "the provider detaches the role's policies itself before DeleteRole; nothing is sent for it" },
      ...tagFields("CreateRole.Tags[].Key", "CreateRole.Tags[].Value"),
    },
  },
  "aws:iam/rolePolicy:RolePolicy": {
    model: "iam",
    autoname: "name",
    fields: {
      name: { api: "PutRolePolicy.PolicyName", prose: [IAM_NAME_CHARS] },
      role: IAM_ROLE_NAME("PutRolePolicy.RoleName"),
      policy: {
        api: "PutRolePolicy.PolicyDocument",
        prose: [
          IAM_POLICY_CHARS,
          iamPolicyJson("You must provide policies in JSON format in IAM."),
          // IAM and STS quotas: the inline policies of one role may total 10,240 characters,
          // whitespace not counted; one policy over it can never fit.
          maxLengthWithoutWhitespace(
            "The policy document.",
            10240,
            "at most 10,240 characters without whitespace (IAM and STS quotas, role policy size: the sum of all inline policies of a role)",
          ),
        ],
      },
    },
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    model: "iam",
    fields: {
      role: IAM_ROLE_NAME("AttachRolePolicy.RoleName"),
      policyArn: {
        api: "AttachRolePolicy.PolicyArn",
        prose: [matches("The Amazon Resource Name (ARN) of the IAM policy you want to attach.", /^arn:aws(-cn|-us-gov)?:iam::(aws|\d{12}):policy\/./, "an IAM policy ARN")],
      },
    },
  },
  "aws:iam/instanceProfile:InstanceProfile": {
    model: "iam",
    autoname: "name",
    fields: {
      name: { api: "CreateInstanceProfile.InstanceProfileName", prose: [IAM_NAME_CHARS] },
      path: { api: "CreateInstanceProfile.Path", prose: [IAM_PATH] },
      role: IAM_ROLE_NAME("AddRoleToInstanceProfile.RoleName"),
      ...tagFields("CreateInstanceProfile.Tags[].Key", "CreateInstanceProfile.Tags[].Value"),
    },
  },

  // --------------------------------------------------------------------- CloudWatch Logs
  "aws:cloudwatch/logGroup:LogGroup": {
    model: "logs",
    autoname: "name",
    fields: {
      name: {
        api: "CreateLogGroup.logGroupName",
        // The member doc is one sentence; the rules are in the operation's documentation.
        proseFrom: "CreateLogGroup",
        prose: [
          lengthBetween("Log group names can be between 1 and 512 characters long.", 1, 512),
          charset("Log group names consist of the following characters: a-z, A-Z, 0-9, '_' (underscore), '-' (hyphen), '/' (forward slash), '.' (period), and '#' (number sign)", "A-Za-z0-9_\\-/.#", "a-z, A-Z, 0-9, _ - / . #"),
          notMatches("Log group names can't start with the string aws/", /^aws\//, "no aws/ prefix"),
        ],
      },
      retentionInDays: {
        api: "PutRetentionPolicy.retentionInDays",
        prose: [{
          quote: "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, and 3653.",
          allows: `one of ${RETENTION_DAYS.join(", ")} (or 0: the provider then sets no retention policy)`,
          ok: (v) => v === "0" || RETENTION_DAYS.includes(v),
        }],
      },
      kmsKeyId: {
        api: "CreateLogGroup.kmsKeyId",
        prose: [matches("The Amazon Resource Name (ARN) of the KMS key to use when encrypting log data.", /^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key\/.+$/, "a KMS key ARN (not a key id or alias)")],
      },
      logGroupClass: "CreateLogGroup.logGroupClass",
      deletionProtectionEnabled: "CreateLogGroup.deletionProtectionEnabled",
      skipDestroy: { local: "Pulumi-only: the provider leaves the log group in place on delete instead of calling DeleteLogGroup" },
      ...tagFields("CreateLogGroup.tags{}", "CreateLogGroup.tags{value}"),
    },
  },
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": {
    model: "logs",
    autoname: "name",
    fields: {
      // FilterName's pattern [^:*]* is a whole-value rule; unanchored it accepts anything.
      name: { api: "PutMetricFilter.filterName", prose: [notMatches("A name for the metric filter.", /[:*]/, "no : or * (FilterName pattern [^:*]*)")] },
      logGroupName: "PutMetricFilter.logGroupName",
      pattern: "PutMetricFilter.filterPattern",
      applyOnTransformedLogs: "PutMetricFilter.applyOnTransformedLogs",
      "metricTransformation.name": { api: "PutMetricFilter.metricTransformations[].metricName", prose: [notMatches("The name of the CloudWatch metric.", /[:*$]/, "no : * or $ (MetricName pattern [^:*$]*)")] },
      "metricTransformation.namespace": { api: "PutMetricFilter.metricTransformations[].metricNamespace", prose: [notMatches("A custom namespace to contain your metric in CloudWatch.", /[:*$]/, "no : * or $ (MetricNamespace pattern [^:*$]*)")] },
      "metricTransformation.value": "PutMetricFilter.metricTransformations[].metricValue",
      "metricTransformation.defaultValue": "PutMetricFilter.metricTransformations[].defaultValue",
      "metricTransformation.unit": "PutMetricFilter.metricTransformations[].unit",
      "metricTransformation.dimensions{}": "PutMetricFilter.metricTransformations[].dimensions{}",
      "metricTransformation.dimensions.*": "PutMetricFilter.metricTransformations[].dimensions{value}",
    },
    cross: [{
      api: "PutMetricFilter.metricTransformations[].dimensions",
      quote: "One metric filter can include as many as three dimensions.",
      allows: "at most 3 dimensions",
      check: (i) => {
        const d = i.metricTransformation?.dimensions;
        return d && typeof d === "object" && Object.keys(d).length > 3 ? { path: "metricTransformation.dimensions", value: Object.keys(d).join(",") } : undefined;
      },
    }],
  },

  // ---------------------------------------------------------------------- CloudWatch alarms
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    model: "cloudwatch",
    autoname: "name",
    fields: {
      name: { api: "PutMetricAlarm.AlarmName", prose: [notMatches("can't contain ASCII control characters", /[\u0000-\u001F\u007F]/, "no ASCII control characters")] },
      alarmDescription: "PutMetricAlarm.AlarmDescription",
      actionsEnabled: "PutMetricAlarm.ActionsEnabled",
      "alarmActions[]": alarmActions("PutMetricAlarm.AlarmActions[]"),
      "okActions[]": alarmActions("PutMetricAlarm.OKActions[]"),
      "insufficientDataActions[]": alarmActions("PutMetricAlarm.InsufficientDataActions[]"),
      metricName: "PutMetricAlarm.MetricName",
      namespace: "PutMetricAlarm.Namespace",
      statistic: "PutMetricAlarm.Statistic",
      extendedStatistic: {
        api: "PutMetricAlarm.ExtendedStatistic",
        prose: [matches("If you specify ExtendedStatistic , the following are valid values:", EXTENDED_STATISTIC, "p90, tm90, tc90, ts90, wm90, IQM, PR(n:m), TC(X%:X%), TM(X%:X%), TS(X%:X%), WM(X%:X%)")],
      },
      "dimensions{}": { api: "PutMetricAlarm.Dimensions[].Name", prose: DIMENSION_NAME_RULES },
      "dimensions.*": { api: "PutMetricAlarm.Dimensions[].Value", prose: DIMENSION_VALUE_RULES },
      period: { api: "PutMetricAlarm.Period", prose: [ALARM_PERIOD] },
      unit: "PutMetricAlarm.Unit",
      evaluationPeriods: "PutMetricAlarm.EvaluationPeriods",
      datapointsToAlarm: "PutMetricAlarm.DatapointsToAlarm",
      threshold: "PutMetricAlarm.Threshold",
      thresholdMetricId: "PutMetricAlarm.ThresholdMetricId",
      comparisonOperator: "PutMetricAlarm.ComparisonOperator",
      treatMissingData: { api: "PutMetricAlarm.TreatMissingData", prose: [oneOf("Valid Values: breaching | notBreaching | ignore | missing", ["breaching", "notBreaching", "ignore", "missing"])] },
      evaluateLowSampleCountPercentiles: { api: "PutMetricAlarm.EvaluateLowSampleCountPercentile", prose: [oneOf("Valid Values: evaluate | ignore", ["evaluate", "ignore"])] },
      "metricQueries[].id": {
        api: "PutMetricAlarm.Metrics[].Id",
        prose: [
          charset("The valid characters are letters, numbers, and underscore.", "A-Za-z0-9_", "letters, digits and _"),
          matches("The first character must be a lowercase letter.", /^[a-z]/, "a lowercase letter first"),
        ],
      },
      "metricQueries[].expression": "PutMetricAlarm.Metrics[].Expression",
      "metricQueries[].label": "PutMetricAlarm.Metrics[].Label",
      "metricQueries[].returnData": "PutMetricAlarm.Metrics[].ReturnData",
      "metricQueries[].period": "PutMetricAlarm.Metrics[].Period",
      "metricQueries[].accountId": "PutMetricAlarm.Metrics[].AccountId",
      "metricQueries[].metric.metricName": "PutMetricAlarm.Metrics[].MetricStat.Metric.MetricName",
      "metricQueries[].metric.namespace": "PutMetricAlarm.Metrics[].MetricStat.Metric.Namespace",
      "metricQueries[].metric.dimensions{}": { api: "PutMetricAlarm.Metrics[].MetricStat.Metric.Dimensions[].Name", prose: DIMENSION_NAME_RULES },
      "metricQueries[].metric.dimensions.*": { api: "PutMetricAlarm.Metrics[].MetricStat.Metric.Dimensions[].Value", prose: DIMENSION_VALUE_RULES },
      "metricQueries[].metric.period": { api: "PutMetricAlarm.Metrics[].MetricStat.Period", prose: [METRIC_STAT_PERIOD] },
      "metricQueries[].metric.stat": {
        api: "PutMetricAlarm.Metrics[].MetricStat.Stat",
        prose: [{ quote: "It can include any CloudWatch statistic or extended statistic.", allows: `${STATISTICS.join(", ")} or an extended statistic (p90, tm90, IQM, TM(10%:90%), ...)`, ok: (v) => STATISTICS.includes(v) || EXTENDED_STATISTIC.test(v) }],
      },
      "metricQueries[].metric.unit": "PutMetricAlarm.Metrics[].MetricStat.Unit",
      ...tagFields("PutMetricAlarm.Tags[].Key", "PutMetricAlarm.Tags[].Value"),
    },
    cross: ALARM_CROSS,
  },

  // ----------------------------------------------------------------------------------- SNS
  "aws:sns/topic:Topic": {
    model: "sns",
    autoname: "name",
    fields: {
      name: {
        api: "CreateTopic.Name",
        prose: [
          matches(
            "Topic names must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
            /^[A-Za-z0-9_-]{1,256}$|^[A-Za-z0-9_-]{1,251}\.fifo$/,
            "1 to 256 of letters, digits, _ and - (plus the .fifo suffix of a FIFO topic)",
          ),
        ],
      },
      displayName: { api: "CreateTopic.Attributes{value}", proseFrom: "CreateTopic.Attributes" },
      kmsMasterKeyId: { api: "CreateTopic.Attributes{value}", proseFrom: "CreateTopic.Attributes" },
      policy: { api: "CreateTopic.Attributes{value}", proseFrom: "CreateTopic.Attributes" },
      deliveryPolicy: { api: "CreateTopic.Attributes{value}", proseFrom: "CreateTopic.Attributes" },
      fifoTopic: { api: "CreateTopic.Attributes{value}", proseFrom: "CreateTopic.Attributes" },
      ...tagFields("CreateTopic.Tags[].Key", "CreateTopic.Tags[].Value"),
    },
    cross: [{
      api: "CreateTopic.Name",
      quote: "For a FIFO (first-in-first-out) topic, the name must end with the .fifo suffix.",
      allows: "a name ending in .fifo exactly when fifoTopic is true",
      check: (i) => (known(i.name) && typeof i.name === "string" && i.name.endsWith(".fifo") !== (i.fifoTopic === true || i.fifoTopic === "true")
        ? { path: "name", value: i.name } : undefined),
    }],
  },
  "aws:sns/topicPolicy:TopicPolicy": {
    model: "sns",
    fields: {
      arn: "SetTopicAttributes.TopicArn",
      policy: "SetTopicAttributes.AttributeValue",
    },
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    model: "sns",
    fields: {
      topic: "Subscribe.TopicArn",
      protocol: {
        api: "Subscribe.Protocol",
        prose: [oneOf("The protocol that you want to use. Supported protocols include:", ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"])],
      },
      endpoint: "Subscribe.Endpoint",
      rawMessageDelivery: { api: "Subscribe.Attributes{value}", proseFrom: "Subscribe.Attributes" },
      filterPolicy: { api: "Subscribe.Attributes{value}", proseFrom: "Subscribe.Attributes" },
      filterPolicyScope: { api: "Subscribe.Attributes{value}", proseFrom: "Subscribe.Attributes", prose: [oneOf("MessageAttributes (default) – The filter is applied on the message attributes. MessageBody – The filter is applied on the message body.", ["MessageAttributes", "MessageBody"])] },
      redrivePolicy: { api: "Subscribe.Attributes{value}", proseFrom: "Subscribe.Attributes" },
      subscriptionRoleArn: { api: "Subscribe.Attributes{value}", proseFrom: "Subscribe.Attributes" },
      endpointAutoConfirms: { local: "Pulumi-only: tells the provider the endpoint confirms by itself, so it waits for confirmation" },
      confirmationTimeoutInMinutes: { local: "Pulumi-only: how long the provider waits for an auto-confirming endpoint" },
    },
    cross: [
      {
        api: "Subscribe.Endpoint",
        quote: "For the email protocol, the endpoint is an email address.",
        allows: "an email address for the email and email-json protocols",
        check: (i) => (["email", "email-json"].includes(i.protocol) && known(i.endpoint) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(i.endpoint))
          ? { path: "endpoint", value: i.endpoint } : undefined),
      },
      {
        api: "Subscribe.Endpoint",
        quote: "For the https protocol, the (public) endpoint is a URL beginning with https:// .",
        allows: "a URL beginning with https:// (https) or http:// (http)",
        check: (i) => (["http", "https"].includes(i.protocol) && known(i.endpoint) && !String(i.endpoint).startsWith(`${i.protocol}://`)
          ? { path: "endpoint", value: i.endpoint } : undefined),
      },
    ],
  },

  // ----------------------------------------------------------------------------------- SSM
  "aws:ssm/parameter:Parameter": {
    model: "ssm",
    autoname: "name",
    fields: {
      name: {
        api: "PutParameter.Name",
        prose: [
          notMatches("A parameter name can't be prefixed with \" aws \" or \" ssm \" (case-insensitive).", /^\/?(aws|ssm)/i, "no aws or ssm prefix"),
          charset("Parameter names can include only the following symbols and letters: a-zA-Z0-9_.- In addition, the slash character ( / ) is used to delineate hierarchies in parameter names.", "a-zA-Z0-9_.\\-/", "letters, digits, _ . - and /"),
          { quote: "Parameter hierarchies are limited to a maximum depth of fifteen levels.", allows: "at most 15 levels of /", ok: (v) => v.split("/").filter(Boolean).length <= 15 },
        ],
      },
      description: "PutParameter.Description",
      type: "PutParameter.Type",
      dataType: { api: "PutParameter.DataType", prose: [oneOf("The following data type values are supported. text aws:ec2:image aws:ssm:integration", ["text", "aws:ec2:image", "aws:ssm:integration"])] },
      insecureValue: {
        api: "PutParameter.Value",
        prose: [
          { quote: "Standard parameters have a value limit of 4 KB.", allows: "at most 4,096 bytes (UTF-8)", ok: (v) => Buffer.byteLength(v, "utf8") <= 4096 },
          notMatches("You can't include values wrapped in double brackets {{}} or {{ssm: parameter-name }} in a parameter value.", /\{\{.*\}\}/, "no {{...}}"),
        ],
      },
      ...tagFields("PutParameter.Tags[].Key", "PutParameter.Tags[].Value"),
    },
  },
  "aws:ssm/document:Document": {
    model: "ssm",
    autoname: "name",
    fields: {
      name: {
        api: "CreateDocument.Name",
        prose: [notMatches(
          "You can't use the following strings as document name prefixes. These are reserved by Amazon Web Services for use as document name prefixes: aws amazon amzn AWSEC2 AWSConfigRemediation AWSSupport",
          /^(aws|amazon|amzn)/i,
          "no aws, amazon, amzn (AWSEC2, AWSConfigRemediation, AWSSupport) prefix",
        )],
      },
      content: {
        api: "CreateDocument.Content",
        prose: [{ quote: "The content of the document must not exceed 64KB.", allows: "at most 65,536 bytes (UTF-8)", ok: (v) => Buffer.byteLength(v, "utf8") <= 64 * 1024 }],
      },
      documentType: "CreateDocument.DocumentType",
      documentFormat: "CreateDocument.DocumentFormat",
      targetType: "CreateDocument.TargetType",
      versionName: "CreateDocument.VersionName",
      "attachmentsSources[].key": "CreateDocument.Attachments[].Key",
      "attachmentsSources[].name": "CreateDocument.Attachments[].Name",
      "attachmentsSources[].values[]": "CreateDocument.Attachments[].Values[]",
      ...tagFields("CreateDocument.Tags[].Key", "CreateDocument.Tags[].Value"),
    },
    cross: [{
      api: "CreateDocument.DocumentFormat",
      quote: "The document format can be JSON, YAML, or TEXT. JSON is the default format.",
      allows: "content that parses as JSON when documentFormat is JSON (the default)",
      check: (i) => {
        if ((i.documentFormat ?? "JSON") !== "JSON" || !known(i.content)) return undefined;
        try {
          JSON.parse(i.content);
          return undefined;
        } catch {
          return { path: "content", value: String(i.content).slice(0, 80) };
        }
      },
    }],
  },

  // ----------------------------------------------------------------------------------- ECR
  "aws:ecr/repository:Repository": {
    model: "ecr",
    // Pulumi lower-cases the auto-name of a repository; the check sees the logical name as is.
    autoname: "name",
    fields: {
      name: { api: "CreateRepository.repositoryName", prose: ECR_NAME_RULES },
      imageTagMutability: "CreateRepository.imageTagMutability",
      "imageTagMutabilityExclusionFilters[].filter": "CreateRepository.imageTagMutabilityExclusionFilters[].filter",
      "imageTagMutabilityExclusionFilters[].filterType": "CreateRepository.imageTagMutabilityExclusionFilters[].filterType",
      "imageScanningConfiguration.scanOnPush": "CreateRepository.imageScanningConfiguration.scanOnPush",
      "encryptionConfigurations[].encryptionType": "CreateRepository.encryptionConfiguration.encryptionType",
      "encryptionConfigurations[].kmsKey": "CreateRepository.encryptionConfiguration.kmsKey",
      forceDelete: "DeleteRepository.force",
      "tags{}": { api: "CreateRepository.tags[].Key", proseFrom: "CreateRepository.tags", prose: [maxLength("Tag keys can have a maximum character length of 128 characters", 128)] },
      "tags.*": { api: "CreateRepository.tags[].Value", proseFrom: "CreateRepository.tags", prose: [maxLength("tag values can have a maximum length of 256 characters.", 256)] },
    },
    cross: [{
      api: "CreateRepository.encryptionConfiguration.kmsKey",
      quote: "If you use the KMS encryption type, specify the KMS key to use for encryption.",
      allows: "a kmsKey only with encryptionType KMS or KMS_DSSE",
      check: (i) => {
        const k = (Array.isArray(i.encryptionConfigurations) ? i.encryptionConfigurations : []).findIndex((e: any) => e?.kmsKey !== undefined && !["KMS", "KMS_DSSE"].includes(e?.encryptionType ?? "AES256"));
        return k < 0 ? undefined : { path: `encryptionConfigurations[${k}].kmsKey`, value: i.encryptionConfigurations[k].kmsKey };
      },
    }],
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": {
    model: "ecr",
    fields: {
      repository: { api: "PutLifecyclePolicy.repositoryName", prose: [ECR_NAME_RULES[1]], proseFrom: "CreateRepository.repositoryName" },
      policy: "PutLifecyclePolicy.lifecyclePolicyText",
    },
  },

  // ------------------------------------------------------------------------ Docker (local)
  "docker:index/image:Image": {
    fields: {
      imageName: {
        local: "the docker provider builds, tags and pushes locally; the registry receives the repository path and tag (ecr PutImage.repositoryName / PutImage.imageTag)",
        rules: [
          {
            quote: "The repository name must start with a letter and can only contain lowercase letters, numbers, hyphens, underscores, and forward slashes.",
            allows: "an ECR repository path (RepositoryName pattern, 2 to 256 characters)",
            source: "ecr-2015-09-21.json RepositoryName (PutImage.repositoryName)",
            ok: (v) => {
              const { registry, repository } = splitImageName(v);
              if (!registry || !ECR_REGISTRY.test(registry)) return true; // not an ECR reference: not ECR's rule
              return ECR_REPOSITORY_NAME.test(repository) && /^[a-z]/.test(repository) && repository.length >= 2 && repository.length <= 256;
            },
          },
          {
            quote: "The tag to associate with the image.",
            allows: "a tag of 1 to 300 characters (ImageTag min 1, max 300)",
            source: "ecr-2015-09-21.json ImageTag (PutImage.imageTag)",
            ok: (v) => {
              const { tag } = splitImageName(v);
              return tag === undefined || (tag.length >= 1 && tag.length <= 300);
            },
          },
          {
            quote: "The tag name must be valid ASCII and may contain lowercase and uppercase letters, digits, underscores, periods and hyphens. A tag name may not start with a period or a hyphen and may contain a maximum of 128 characters.",
            allows: `a Docker tag: ${DOCKER_TAG_RE.source.slice(1, -1)}`,
            source: "docker-image-tag(1), TAG (Docker CLI reference)",
            ok: (v) => {
              const { tag } = splitImageName(v);
              return tag === undefined || DOCKER_TAG_RE.test(tag);
            },
          },
        ],
      },
      "build.context": { local: "a directory on the machine running pulumi up, read by the local Docker build" },
      "build.dockerfile": { local: "a file on the machine running pulumi up, read by the local Docker build" },
      "build.platform": {
        local: "the local Docker build's target platform (os/arch), it never reaches AWS",
        rules: [{
          quote: "Set target platform for build",
          allows: "os/arch[/variant], e.g. linux/amd64",
          source: "docker buildx build --platform (Docker CLI reference)",
          ok: (v) => /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(v),
        }],
      },
      "build.args{}": {
        local: "a Docker build argument name (ARG in the Dockerfile), local to the build",
        rules: [{
          quote: "ARG <name>[=<default value>]",
          allows: "a build argument name without = or whitespace",
          source: "Dockerfile reference, ARG",
          ok: (v) => /^[^\s=]+$/.test(v),
        }],
      },
      "build.args.*": { local: "a Docker build argument value, local to the build" },
      buildOnPreview: { local: "Pulumi-only switch of the docker provider: build during preview or not" },
      skipPush: { local: "Pulumi-only switch of the docker provider: push the image or not" },
      "registry.server": {
        local: "the registry host the docker provider logs in to (docker login), not an AWS API member",
        rules: [{
          quote: "The hostname must comply with standard DNS rules, but may not contain underscores.",
          allows: "a DNS host name (no underscores), optionally with :port",
          source: "docker image tag (Docker CLI reference), HOST",
          ok: (v) => /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/.test(v),
        }],
      },
      "registry.username": { local: "docker login user name (AWS for an ECR authorization token), local to the docker provider" },
      "registry.password": { local: "docker login password (the ECR authorization token), local to the docker provider" },
    },
  },

  // --------------------------------------------------------------------- local commands
  "command:local:Command": {
    fields: {
      create: { local: "a script run on the operator's machine by /bin/sh -c (the command provider's default interpreter)" },
      update: { local: "a script run on the operator's machine by /bin/sh -c (the command provider's default interpreter)" },
      delete: { local: "a script run on the operator's machine by /bin/sh -c (the command provider's default interpreter)" },
      dir: { local: "the working directory of the local process" },
      stdin: { local: "standard input of the local process" },
      "interpreter[]": { local: "the program and arguments that run the command locally" },
      "environment{}": {
        local: "an environment variable name of the local process; the scripts read it as a shell variable",
        rules: [{
          quote: "In the shell command language, a word consisting solely of underscores, digits, and alphabetics from the portable character set. The first character of a name is not a digit.",
          allows: "a shell name: letters, digits and _, not starting with a digit",
          source: SHELL_NAME_SOURCE,
          ok: (v) => SHELL_NAME.test(v),
        }],
      },
      "environment.*": {
        local: "an environment variable value of the local process",
        rules: [{
          quote: "the value shall be composed of characters from the portable character set (except NUL and as indicated below).",
          allows: "no NUL character",
          source: "POSIX.1-2017 Base Definitions, 8.1 Environment Variable Definition",
          ok: (v) => !v.includes("\u0000"),
        }],
      },
      "triggers[]": { local: "Pulumi-only: a change to any trigger value replaces the command, which runs it again" },
    },
  },

  // ------------------------------------------------------------------- Lambda (no model)
  // Lambda's API model is not among ../shared/aws-models: each rule quotes the Lambda API
  // reference (CreateFunction, AddPermission) and is checked here all the same.
  "aws:lambda/function:Function": {
    fields: {
      name: lambdaField("CreateFunction FunctionName", "The length constraint applies only to the full ARN. If you specify only the function name, it is limited to 64 characters in length.", "1 to 64 letters, digits, - and _", /^[A-Za-z0-9_-]{1,64}$/),
      description: lambdaField("CreateFunction Description", "A description of the function. Length Constraints: Minimum length of 0. Maximum length of 256.", "at most 256 characters", /^[^]{0,256}$/u),
      runtime: lambdaField("CreateFunction Runtime", "The identifier of the function's runtime.", "a supported runtime identifier such as python3.12", /^(python3\.(9|1[0-3])|nodejs(18|20|22)\.x|java(11|17|21)|provided\.al2(023)?)$/),
      "architectures[]": lambdaField("CreateFunction Architectures", "The instruction set architecture that the function supports. Valid Values: x86_64 | arm64", "x86_64 or arm64", /^(x86_64|arm64)$/),
      handler: lambdaField("CreateFunction Handler", "Maximum length of 128. Pattern: [^\\s]+", "1 to 128 characters without whitespace", /^\S{1,128}$/),
      role: lambdaField("CreateFunction Role", "The Amazon Resource Name (ARN) of the function's execution role. Pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", "an IAM role ARN", /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/),
      timeout: lambdaField("CreateFunction Timeout", "The amount of time (in seconds) that Lambda allows a function to run before stopping it. The default is 3 seconds. The maximum allowed value is 900 seconds.", "1 to 900 seconds", /^([1-9]\d?|[1-8]\d\d|900)$/),
      memorySize: lambdaField("CreateFunction MemorySize", "The amount of memory available to the function at runtime. Valid Range: Minimum value of 128. Maximum value of 10240.", "128 to 10240 MB", /^(1[2-9]\d|[2-9]\d\d|[1-9]\d{3}|10[01]\d\d|102[0-3]\d|10240)$/),
      "environment.variables{}": lambdaField("Environment Variables (key)", "Environment variable key-value pairs. Key Pattern: [a-zA-Z]([a-zA-Z0-9_])+", "a letter, then letters, digits and _", /^[a-zA-Z][a-zA-Z0-9_]+$/),
      "environment.variables.*": { local: "an environment variable value (Lambda checks only the 4 KB total of all variables)" },
      "loggingConfig.logFormat": lambdaField("LoggingConfig LogFormat", "The format in which Lambda sends your function's application and system logs to CloudWatch. Valid Values: JSON | Text", "JSON or Text", /^(JSON|Text)$/),
      "loggingConfig.logGroup": lambdaField("LoggingConfig LogGroup", "The name of the Amazon CloudWatch log group the function sends logs to. Pattern: [\\.\\-_/#A-Za-z0-9]+", "1 to 512 of . - _ / # letters and digits", /^[.\-_/#A-Za-z0-9]{1,512}$/),
      code: { local: "an asset archive the provider zips on the operator's machine and uploads as CreateFunction Code.ZipFile" },
      "tags{}": lambdaField("CreateFunction Tags (key)", "Tag keys: a maximum of 128 Unicode characters; aws: is reserved.", "1 to 128 characters, not starting with aws:", /^(?!aws:)[^]{1,128}$/u),
      "tags.*": lambdaField("CreateFunction Tags (value)", "Tag values: a maximum of 256 Unicode characters.", "at most 256 characters", /^[^]{0,256}$/u),
    },
  },
  "aws:lambda/permission:Permission": {
    fields: {
      function: lambdaField("AddPermission FunctionName", "The name or ARN of the Lambda function, version, or alias. Length Constraints: Minimum length of 1. Maximum length of 140.", "1 to 140 characters", /^[^]{1,140}$/u),
      action: lambdaField("AddPermission Action", "The action that the principal can use on the function. For example, lambda:InvokeFunction or lambda:GetFunction. Pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])", "lambda:<Action>", /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/),
      principal: lambdaField("AddPermission Principal", "The AWS service, AWS account, IAM user, or IAM role that invokes the function. Pattern: [^\\s]+", "a service principal or account, no whitespace", /^\S+$/),
      sourceArn: lambdaField("AddPermission SourceArn", "For AWS services, the ARN of the AWS resource that invokes the function. Pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)", "a resource ARN", /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/),
    },
  },

  // ------------------------------------------------------------------------- the provider
  "pulumi:providers:aws": {
    fields: {
      region: {
        local: "provider configuration: selects the regional endpoints every request goes to",
        rules: [{
          quote: "The region where AWS operations will take place. Examples are us-east-1, us-west-2, etc.",
          allows: "an AWS region code such as us-east-1 (skipRegionValidation turns the provider's own check off)",
          source: "@pulumi/aws provider.d.ts ProviderArgs.region",
          ok: (v) => /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/.test(v),
        }],
      },
      profile: { local: "provider configuration: the shared-credentials profile used on the operator's machine" },
      "allowedAccountIds[]": {
        local: "provider configuration: the provider refuses to run against any other account",
        rules: [{ quote: "List of allowed AWS account IDs to prevent you from mistakenly using an incorrect one (and potentially end up destroying a live environment).", allows: "a 12-digit account id", source: "Terraform AWS provider docs, allowed_account_ids", ok: (v) => /^\d{12}$/.test(v) }],
      },
      skipCredentialsValidation: { local: "provider configuration: skip the STS GetCallerIdentity check at start-up" },
      skipRegionValidation: { local: "provider configuration: skip the provider's static check of the region name" },
      skipMetadataApiCheck: { local: "provider configuration: skip the EC2 instance metadata API credential lookup" },
      skipRequestingAccountId: { local: "provider configuration: do not look up the account id at start-up" },
    },
  },
};
