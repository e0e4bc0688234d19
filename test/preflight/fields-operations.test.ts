/**
 * The operations field table (IAM, CloudWatch Logs and alarms, SNS, SSM, ECR, Docker images,
 * local commands, the provider): both stacks pass it untouched, and a value AWS (or the local
 * tool) refuses is reported on the input path, with the kind and the model file and shape
 * that say so.
 */
import { Recording, recordStack } from "../harness";
import { FieldViolation, PreflightResource, runPreflight } from "../../tools/preflight/check";
import { OPERATIONS } from "../../tools/preflight/fields/operations";

const TYPES = Object.keys(OPERATIONS);

let staging: Recording;
let prod: Recording;

beforeAll(async () => {
  staging = await recordStack("staging");
  prod = await recordStack("prod");
}, 120_000);

/** A deep copy of the first recorded resource of a type (optionally by name), to seed a violation into. */
function copyOf(type: string, name?: string, rec: Recording = prod): PreflightResource {
  const r = rec.ofType(type).find((x) => x.custom && (name === undefined || x.name === name));
  if (!r) throw new Error(`no ${type}${name ? ` named ${name}` : ""} in the recording`);
  return structuredClone({ type: r.type, name: r.name, custom: r.custom, inputs: r.inputs, secretPaths: r.secretPaths });
}

function violationsOf(r: PreflightResource): FieldViolation[] {
  return runPreflight([r]).violations;
}

/** Exactly the violations on one path. */
function at(r: PreflightResource, path: string): FieldViolation[] {
  return violationsOf(r).filter((v) => v.path === path);
}

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const DOCUMENT = "aws:ssm/document:Document";
const REPOSITORY = "aws:ecr/repository:Repository";
const IMAGE = "docker:index/image:Image";
const COMMAND = "command:local:Command";

describe("operations field table on the real stacks", () => {
  test.each(["staging", "prod"])("%s: every resource of these types passes, and every input it sets is mapped", (stack) => {
    const rec = stack === "staging" ? staging : prod;
    const mine = rec.resources.filter((r) => r.custom && TYPES.includes(r.type));
    expect(mine.length).toBeGreaterThan(50);
    const result = runPreflight(mine);
    expect(result.violations).toEqual([]);
    for (const c of result.coverage) {
      expect({ type: c.type, noMapping: c.noMapping, unmapped: c.unmapped }).toEqual({ type: c.type, noMapping: false, unmapped: [] });
    }
    // Every type the table names is actually exercised by at least one stack.
    expect(result.valuesChecked).toBeGreaterThan(500);
  });

  test("the table covers every type of this group that the stacks create", () => {
    const created = new Set([...staging.resources, ...prod.resources].filter((r) => r.custom).map((r) => r.type));
    for (const t of TYPES) expect(created.has(t)).toBe(true);
  });
});

describe("seeded violations", () => {
  test("pattern: an SSM document name with a space (ssm DocumentName)", () => {
    const doc = copyOf(DOCUMENT);
    doc.inputs.name = "prod redeploy";
    const [v] = at(doc, "name");
    expect(v).toMatchObject({ kind: "pattern", value: "prod redeploy" });
    expect(v.source).toContain("ssm-2014-11-06.json DocumentName (ssm:CreateDocument.Name)");
  });

  test("pattern: an SSM target type without the leading slash (ssm TargetType)", () => {
    const doc = copyOf(DOCUMENT);
    doc.inputs.targetType = "AWS::EC2::Instance";
    expect(at(doc, "targetType")).toEqual([expect.objectContaining({ kind: "pattern", source: expect.stringContaining("ssm-2014-11-06.json TargetType") })]);
  });

  test("length: an alarm description over 1024 characters (cloudwatch AlarmDescription)", () => {
    const alarm = copyOf(ALARM);
    alarm.inputs.alarmDescription = "x".repeat(1025);
    const [v] = at(alarm, "alarmDescription");
    expect(v.kind).toBe("length");
    expect(v.source).toContain("cloudwatch-2010-08-01.json AlarmDescription");
  });

  test("length: an ECR lifecycle policy shorter than 100 characters (ecr LifecyclePolicyText)", () => {
    const lp = copyOf("aws:ecr/lifecyclePolicy:LifecyclePolicy");
    lp.inputs.policy = '{"rules":[]}';
    expect(at(lp, "policy")).toEqual([expect.objectContaining({ kind: "length", source: expect.stringContaining("ecr-2015-09-21.json LifecyclePolicyText") })]);
  });

  test("enum: a comparison operator CloudWatch does not know (cloudwatch ComparisonOperator)", () => {
    const alarm = copyOf(ALARM);
    alarm.inputs.comparisonOperator = "GreaterThan";
    const [v] = at(alarm, "comparisonOperator");
    expect(v.kind).toBe("enum");
    expect(v.source).toContain("cloudwatch-2010-08-01.json ComparisonOperator");
  });

  test("enum: lower-case image tag mutability (ecr ImageTagMutability)", () => {
    const repo = copyOf(REPOSITORY);
    repo.inputs.imageTagMutability = "immutable";
    expect(at(repo, "imageTagMutability")).toEqual([expect.objectContaining({ kind: "enum", source: expect.stringContaining("ecr-2015-09-21.json ImageTagMutability") })]);
  });

  test("range: zero evaluation periods, and a session duration under an hour", () => {
    const alarm = copyOf(ALARM);
    alarm.inputs.evaluationPeriods = 0;
    const [v] = at(alarm, "evaluationPeriods");
    expect(v.kind).toBe("range");
    expect(v.source).toContain("cloudwatch-2010-08-01.json EvaluationPeriods");

    const role = copyOf(ROLE);
    role.inputs.maxSessionDuration = 600;
    expect(at(role, "maxSessionDuration")).toEqual([expect.objectContaining({ kind: "range", source: expect.stringContaining("iam-2010-05-08.json roleMaxSessionDurationType") })]);
  });

  test("type: a threshold that is not a number", () => {
    const alarm = copyOf(ALARM);
    alarm.inputs.threshold = "thirty";
    expect(at(alarm, "threshold")).toEqual([expect.objectContaining({ kind: "type", source: expect.stringContaining("cloudwatch-2010-08-01.json Threshold") })]);
  });

  test("prose character set: an em dash in an IAM role description", () => {
    const role = copyOf(ROLE);
    role.inputs.description = "Web host role — SSM and logs";
    // The model's pattern, matched against the whole value as IAM does, refuses it.
    expect(at(role, "description")).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "pattern", source: expect.stringContaining("iam-2010-05-08.json roleDescriptionType (iam:CreateRole.Description)") })]));
  });

  test("prose character set: an em dash in an inline policy, a space in a role name", () => {
    const policy = copyOf(ROLE_POLICY);
    const doc = JSON.parse(policy.inputs.policy);
    doc.Statement[0].Condition = { StringEquals: { "aws:PrincipalTag/team": "ops—web" } };
    policy.inputs.policy = JSON.stringify(doc);
    expect(at(policy, "policy")).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "pattern", source: expect.stringContaining("iam-2010-05-08.json policyDocumentType (iam:PutRolePolicy.PolicyDocument)") })]));

    const role = copyOf(ROLE);
    role.inputs.name = "web host";
    expect(at(role, "name")).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "pattern", source: expect.stringContaining("iam-2010-05-08.json roleNameType") })]));
  });

  test("prose: a policy statement Sid with a hyphen, and an inline policy over IAM's 10,240 characters", () => {
    const policy = copyOf(ROLE_POLICY);
    const doc = JSON.parse(policy.inputs.policy);
    doc.Statement[0].Sid = "read-own-secrets";
    policy.inputs.policy = JSON.stringify(doc);
    expect(at(policy, "policy")).toEqual([expect.objectContaining({ kind: "prose", rule: expect.stringContaining("Sid") })]);

    const big = copyOf(ROLE_POLICY);
    const bigDoc = JSON.parse(big.inputs.policy);
    bigDoc.Statement.push({ Effect: "Allow", Action: ["s3:GetObject"], Resource: Array.from({ length: 500 }, (_, k) => `arn:aws:s3:::bucket-${k}/*`) });
    big.inputs.policy = JSON.stringify(bigDoc, null, 2); // whitespace does not count; the ARNs alone exceed the quota
    const [v] = at(big, "policy");
    expect(v).toMatchObject({ kind: "prose", rule: expect.stringContaining("10,240") });
    expect(v.source).toContain("iam-2010-05-08.json policyDocumentType");
  });

  test("prose: a metric query id that starts with an upper-case letter, and a period CloudWatch refuses", () => {
    const alarm = prod.ofType(ALARM).find((a) => Array.isArray(a.inputs.metricQueries));
    const copy = copyOf(ALARM, alarm?.name);
    copy.inputs.metricQueries[0].id = "Part";
    copy.inputs.metricQueries[0].metric.period = 90;
    const found = violationsOf(copy);
    expect(found).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: "metricQueries[0].id", kind: "prose", source: expect.stringContaining("The first character must be a lowercase letter.") }),
      expect.objectContaining({ path: "metricQueries[0].metric.period", kind: "prose", source: expect.stringContaining("cloudwatch-2010-08-01.json Period") }),
    ]));
    // The expression now names an id that no longer exists: that is for CloudWatch to find, not a field rule.
  });

  test("prose: treatMissingData, a log retention CloudWatch does not offer, a log group name with a space", () => {
    const alarm = copyOf(ALARM);
    alarm.inputs.treatMissingData = "notbreaching";
    expect(at(alarm, "treatMissingData")).toEqual([expect.objectContaining({ kind: "prose", source: expect.stringContaining("Valid Values: breaching | notBreaching | ignore | missing") })]);

    const group = copyOf(LOG_GROUP);
    group.inputs.retentionInDays = 10;
    group.inputs.name = "/webapp-platform/prod/my app";
    expect(at(group, "retentionInDays")).toEqual([expect.objectContaining({ kind: "prose", source: expect.stringContaining("logs-2014-03-28.json Days (logs:PutRetentionPolicy.retentionInDays)") })]);
    expect(at(group, "name")).toEqual(expect.arrayContaining([expect.objectContaining({ source: expect.stringContaining("logs-2014-03-28.json LogGroupName") })]));
  });

  test("prose: an SNS topic name with a dot, an SSM name with a reserved prefix, an ECR name with capitals", () => {
    const topic = copyOf(TOPIC);
    topic.inputs.name = "prod.alerts";
    expect(at(topic, "name")).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "prose", source: expect.stringContaining("sns-2010-03-31.json topicName") })]));

    const doc = copyOf(DOCUMENT);
    doc.inputs.name = "amzn-redeploy";
    expect(at(doc, "name")).toEqual([expect.objectContaining({ kind: "prose", source: expect.stringContaining("reserved by Amazon Web Services") })]);

    const repo = copyOf(REPOSITORY);
    repo.inputs.name = "prod/SaaS/backend";
    expect(at(repo, "name")).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "pattern", source: expect.stringContaining("ecr-2015-09-21.json RepositoryName") })]));
  });

  test("cross: period x evaluation periods over one day for a sub-hour period", () => {
    const alarm = copyOf(ALARM, "smartboostpro-app-down");
    expect(alarm.inputs.period).toBeLessThan(3600);
    alarm.inputs.evaluationPeriods = Math.floor(86400 / alarm.inputs.period) + 1;
    const [v] = violationsOf(alarm).filter((x) => x.kind === "cross");
    expect(v).toMatchObject({ path: "evaluationPeriods", kind: "cross" });
    expect(v.source).toContain("cloudwatch-2010-08-01.json Period (cloudwatch:PutMetricAlarm.Period)");
    expect(v.source).toContain("can't be longer than one day (86,400 seconds)");
  });

  test("cross: a daily alarm evaluated over more than seven days", () => {
    const alarm = copyOf(ALARM, "smartboostpro-cert-expiry");
    expect(alarm.inputs.period).toBe(86400);
    alarm.inputs.evaluationPeriods = 8;
    expect(violationsOf(alarm)).toEqual([expect.objectContaining({ kind: "cross", path: "evaluationPeriods", source: expect.stringContaining("can't be more than 604,800 seconds") })]);
  });

  test("cross: a metric-math alarm that also sets a metric name, and two queries returning data", () => {
    const alarm = prod.ofType(ALARM).find((a) => Array.isArray(a.inputs.metricQueries));
    const copy = copyOf(ALARM, alarm?.name);
    copy.inputs.metricName = "Nginx5xx";
    copy.inputs.metricQueries[0].returnData = true;
    const cross = violationsOf(copy).filter((x) => x.kind === "cross");
    expect(cross).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: "metricName", source: expect.stringContaining("If you use the Metrics parameter, you cannot include the Namespace") }),
      expect.objectContaining({ path: "metricQueries", source: expect.stringContaining("cloudwatch-2010-08-01.json ReturnData") }),
    ]));
  });

  test("cross: four metric filter dimensions, an email subscription to a URL, a KMS key on an AES256 repository, non-JSON SSM content", () => {
    const filter = copyOf(METRIC_FILTER);
    filter.inputs.metricTransformation.dimensions = { App: "$.app", Host: "$.host", Status: "$.status", Path: "$.path" };
    expect(violationsOf(filter)).toEqual([expect.objectContaining({ kind: "cross", path: "metricTransformation.dimensions", source: expect.stringContaining("One metric filter can include as many as three dimensions.") })]);

    const sub = copyOf(SUBSCRIPTION);
    sub.inputs.endpoint = "https://hooks.example.com/alerts";
    expect(violationsOf(sub)).toEqual([expect.objectContaining({ kind: "cross", path: "endpoint", source: expect.stringContaining("sns-2010-03-31.json endpoint") })]);

    const repo = copyOf(REPOSITORY);
    repo.inputs.encryptionConfigurations = [{ encryptionType: "AES256", kmsKey: "arn:aws:kms:eu-west-1:123456789012:key/abc" }];
    expect(violationsOf(repo)).toEqual([expect.objectContaining({ kind: "cross", path: "encryptionConfigurations[0].kmsKey", source: expect.stringContaining("ecr-2015-09-21.json KmsKey") })]);

    const doc = copyOf(DOCUMENT);
    doc.inputs.content = "schemaVersion: '2.2'\nmainSteps: []\n";
    expect(violationsOf(doc)).toEqual([expect.objectContaining({ kind: "cross", path: "content", source: expect.stringContaining("ssm-2014-11-06.json DocumentFormat") })]);
  });

  test("autoname: a role logical name that, with Pulumi's suffix, exceeds IAM's 64 characters", () => {
    const role = copyOf(ROLE);
    expect(role.inputs.name).toBeUndefined();
    role.name = "investment-platform-fleet-instances-with-a-rather-long-name";
    const [v] = at(role, "name");
    expect(v).toMatchObject({ kind: "length", value: `${role.name}-1a2b3c4` });
    expect(v.source).toContain("iam-2010-05-08.json roleNameType (iam:CreateRole.RoleName)");
    // The same logical name is fine for an alarm (255 characters).
    const alarm = copyOf(ALARM);
    alarm.name = role.name;
    expect(at(alarm, "name")).toEqual([]);
  });

  test("local rules: an environment variable name the scripts cannot read, a Docker tag Docker refuses", () => {
    const cmd = copyOf(COMMAND);
    cmd.inputs.environment = { ...cmd.inputs.environment, "APP-VERSION": "1.0.0" };
    expect(at(cmd, "environment{APP-VERSION}")).toEqual([expect.objectContaining({ kind: "prose", source: expect.stringContaining("POSIX.1-2017") })]);

    const image = copyOf(IMAGE);
    image.inputs.imageName = image.inputs.imageName.replace(/:[^:/]+$/, ":-rc1");
    expect(at(image, "imageName")).toEqual([expect.objectContaining({ kind: "prose", source: expect.stringContaining("docker-image-tag(1)") })]);

    const longTag = copyOf(IMAGE);
    longTag.inputs.imageName = longTag.inputs.imageName.replace(/:[^:/]+$/, `:${"1".repeat(301)}`);
    expect(at(longTag, "imageName")).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "prose", source: expect.stringContaining("ecr-2015-09-21.json ImageTag") })]));
  });
});
