/**
 * The instance role's permissions, evaluated as IAM does for the calls the hosts make, pure:
 * an explicit Deny wins, else an Allow whose Action and Resource match (`*` and `?` wildcards)
 * and whose conditions hold, else the implicit deny. Conditions: StringEquals / StringLike /
 * ForAllValues:StringEquals on the keys the stand-ins know (cloudwatch:namespace,
 * kms:ViaService, route53:*); a condition on any other key does not hold (logged as unevaluated).
 * AWS managed policies are known by a summary of what they allow (MANAGED below).
 */
import type { PolicyStatement, RolePolicies } from "./plan";

/** What the AWS managed policies the hosts attach allow (a summary of their documents). */
export const MANAGED: Record<string, PolicyStatement[]> = {
  "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore": [
    { Effect: "Allow", Action: ["ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation", "ssmmessages:*", "ec2messages:*"], Resource: "*" },
  ],
  "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy": [
    { Effect: "Allow", Action: ["cloudwatch:PutMetricData", "ec2:DescribeVolumes", "ec2:DescribeTags", "logs:PutLogEvents", "logs:PutRetentionPolicy", "logs:DescribeLogStreams", "logs:DescribeLogGroups", "logs:CreateLogStream", "logs:CreateLogGroup", "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"], Resource: "*" },
    { Effect: "Allow", Action: ["ssm:GetParameter"], Resource: "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*" },
  ],
};

export interface AuthzRequest { action: string; resource: string; context: Record<string, string | string[]> }
export interface AuthzResult { allowed: boolean; by?: string; reason: string; unevaluated?: string[] }

function glob(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", caseInsensitive ? "i" : "");
  return re.test(value);
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function conditionHolds(cond: PolicyStatement["Condition"], ctx: AuthzRequest["context"], unevaluated: string[]): boolean {
  if (!cond) return true;
  for (const [op, keys] of Object.entries(cond)) {
    for (const [key, want] of Object.entries(keys)) {
      const have = ctx[key];
      if (have === undefined) {
        unevaluated.push(`${op} ${key}`);
        return false;
      }
      const wants = list(want);
      const haves = list(have);
      const eq = op.endsWith("StringLike") ? (w: string, h: string) => glob(w, h) : (w: string, h: string) => w === h;
      if (op.startsWith("ForAllValues:")) {
        if (!haves.every((h) => wants.some((w) => eq(w, h)))) return false;
      } else if (op === "StringEquals" || op === "StringLike" || op.startsWith("ForAnyValue:")) {
        if (!haves.some((h) => wants.some((w) => eq(w, h)))) return false;
      } else {
        unevaluated.push(`${op} ${key}`);
        return false;
      }
    }
  }
  return true;
}

export function authorize(policies: RolePolicies | undefined, req: AuthzRequest): AuthzResult {
  if (!policies) return { allowed: false, reason: "the caller's role has no policies in the plan" };
  const statements: { by: string; s: PolicyStatement }[] = [
    ...policies.inline.flatMap((p) => p.statements.map((s) => ({ by: `${p.name}${s.Sid ? `/${s.Sid}` : ""}`, s }))),
    ...policies.managed.flatMap((arn) => (MANAGED[arn] ?? []).map((s) => ({ by: arn.split("/").pop()!, s }))),
  ];
  const unevaluated: string[] = [];
  const matches = (s: PolicyStatement) =>
    list(s.Action).some((a) => glob(a, req.action, true)) &&
    list(s.Resource ?? "*").some((r) => glob(r, req.resource)) &&
    conditionHolds(s.Condition, req.context, unevaluated);
  const deny = statements.find(({ s }) => s.Effect === "Deny" && matches(s));
  if (deny) return { allowed: false, by: deny.by, reason: `explicitly denied by ${deny.by}` };
  const allow = statements.find(({ s }) => s.Effect === "Allow" && matches(s));
  if (allow) return { allowed: true, by: allow.by, reason: `allowed by ${allow.by}` };
  return { allowed: false, reason: `no statement allows ${req.action} on ${req.resource}`, unevaluated: unevaluated.length ? [...new Set(unevaluated)] : undefined };
}
