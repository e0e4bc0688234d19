/**
 * Renders policies/PEER-RULES.md from policies/peer-rules.json: each rule of the peer rule
 * sets (Pulumi's compliance policies, cdk-nag AwsSolutions, checkov) for a resource type the
 * stacks create, mapped to the pack's policies or to why it is not covered / not applicable.
 *
 *   npm run docs:peer-rules            # rewrites policies/PEER-RULES.md
 *
 * test/policies/peer-rules.test.ts checks the JSON (every policy it names exists, every type
 * is created by a stack, coverage) and that the Markdown is up to date.
 */
import * as fs from "fs";
import * as path from "path";

export const PEER_RULES_JSON = path.resolve(__dirname, "..", "policies", "peer-rules.json");
export const PEER_RULES_MD = path.resolve(__dirname, "..", "policies", "PEER-RULES.md");

export type RuleSet = "pulumi" | "cdk-nag" | "checkov";
export type Status = "covered" | "not covered" | "not applicable";

export interface PeerRule {
  set: RuleSet;
  /** The rule's own id: a Pulumi policy name, AwsSolutions-XXX, CKV_AWS_n / CKV2_AWS_n. */
  id: string;
  /** What the rule requires, in a sentence. */
  requires: string;
  /** The @pulumi/aws type tokens it applies to (each created by at least one stack). */
  types: string[];
  status: Status;
  /** Covered: the pack's policies that enforce it. */
  policies?: string[];
  /** Covered: how far (prod only, data buckets only, ...). */
  note?: string;
  /** Not covered / not applicable: why. */
  reason?: string;
  /** Not covered but cheap: the existing policy it would extend. */
  extend?: string;
}

export interface PeerRules {
  /** The coverage (covered / (covered + not covered)) the pack aims for. */
  target: number;
  /** The coverage reached so far: a ratchet, raised with each covered row, never lowered. */
  floor: number;
  rows: PeerRule[];
}

export const RULE_SETS: Record<RuleSet, string> = {
  pulumi: "Pulumi compliance policies",
  "cdk-nag": "cdk-nag AwsSolutions",
  checkov: "checkov",
};
export const STATUSES: Status[] = ["covered", "not covered", "not applicable"];

const SERVICES: Record<string, string> = {
  rds: "RDS databases",
  elasticache: "ElastiCache (Redis)",
  s3: "S3 buckets",
  lb: "Load balancers",
  cloudfront: "CloudFront",
  wafv2: "WAF",
  ec2: "EC2 hosts, security groups and the VPC",
  autoscaling: "Autoscaling groups",
  kms: "KMS",
  secretsmanager: "Secrets Manager",
  ecr: "ECR",
  sns: "SNS",
  cloudwatch: "CloudWatch",
  backup: "AWS Backup",
  iam: "IAM",
  ssm: "Systems Manager",
  acm: "ACM",
  route53: "Route 53",
  lambda: "Lambda",
};

export function loadPeerRules(file = PEER_RULES_JSON): PeerRules {
  return JSON.parse(fs.readFileSync(file, "utf8")) as PeerRules;
}

export interface Coverage {
  covered: number;
  notCovered: number;
  notApplicable: number;
  /** covered / (covered + not covered); 1 when nothing applies. */
  ratio: number;
}

export function coverage(rows: PeerRule[]): Coverage {
  const n = (s: Status) => rows.filter((r) => r.status === s).length;
  const covered = n("covered");
  const notCovered = n("not covered");
  return { covered, notCovered, notApplicable: n("not applicable"), ratio: covered + notCovered === 0 ? 1 : covered / (covered + notCovered) };
}

const pct = (x: number) => `${(Math.floor(x * 1000) / 10).toFixed(1)}%`;
/** "aws:rds/instance:Instance" -> "rds/instance". */
export const shortType = (t: string) => t.replace(/^aws:/, "").replace(/:[A-Za-z0-9]+$/, "");
const service = (r: PeerRule) => shortType(r.types[0] ?? "").split("/")[0];
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (names: string[]) => names.map((p) => `\`${p}\``).join(", ");

function verdict(r: PeerRule): string {
  if (r.status === "covered") return `covered by ${code(r.policies ?? [])}${r.note ? `: ${r.note}` : ""}`;
  const cheap = r.extend ? ` Cheap: extend \`${r.extend}\`.` : "";
  return `${r.status}: ${r.reason ?? ""}${cheap}`;
}

export function renderPeerRules(data: PeerRules): string {
  const all = coverage(data.rows);
  const out: string[] = [];
  out.push(
    "<!-- Generated from peer-rules.json by `npm run docs:peer-rules`; edit the JSON, not this file. -->",
    "# Peer rule sets and this pack",
    "",
    "Each rule of three public rule sets that applies to a resource type the stacks create",
    "(`npm run plan -- --stack prod` / `staging`), mapped to the pack's policies that enforce it, or to",
    "why it is not covered or does not apply:",
    "",
    "- **Pulumi compliance policies** (`pulumi/compliance-policies`, the `aws-<service>-<type>-...` policies for the types used),",
    "- **cdk-nag AwsSolutions** (`AwsSolutions-*` rules, warnings and errors),",
    "- **checkov** (`CKV_AWS_*` and graph `CKV2_AWS_*` checks for the matching Terraform resources).",
    "",
    "Only rules for types the stacks create are listed; `test/policies/peer-rules.test.ts` records both",
    "stacks and fails if a row names a type neither creates. Rules of those sets for other types are left",
    "out: Classic Load Balancers (AwsSolutions-ELB1, ELB3, ELB4, ELB5; CKV_AWS_92), Aurora clusters",
    "(AwsSolutions-RDS6, RDS14, RDS15, RDS16), `aws_elasticache_cluster` (CKV_AWS_134), ECR repository",
    "policies (CKV_AWS_32), hosted zones (CKV2_AWS_38, CKV2_AWS_39), IAM users and groups (CKV_AWS_40),",
    "NACLs (AwsSolutions-VPC3), SES configuration sets, and every service the program does not use.",
    "",
    "**covered**: a policy of the pack fails the resource when the rule's requirement is missing (the note",
    "says where the pack's form differs, e.g. prod only or data buckets only). **not covered**: the rule",
    "applies and the pack does not enforce it (the components may still comply); *Cheap* names the",
    "existing policy it would extend. **not applicable**: the rule cannot apply to what the stacks build.",
    "",
    `Coverage (covered / (covered + not covered)): **${pct(all.ratio)}**, ${all.covered} covered, ${all.notCovered} not covered, ${all.notApplicable} not applicable; target ${pct(data.target)}${all.ratio < data.target ? ` (not reached yet: ${Math.ceil(data.target * (all.covered + all.notCovered)) - all.covered} more rows to cover)` : ""}.`,
    "",
    "| rule set | covered | not covered | not applicable | coverage |",
    "|---|---:|---:|---:|---:|",
  );
  for (const set of Object.keys(RULE_SETS) as RuleSet[]) {
    const c = coverage(data.rows.filter((r) => r.set === set));
    out.push(`| ${RULE_SETS[set]} | ${c.covered} | ${c.notCovered} | ${c.notApplicable} | ${pct(c.ratio)} |`);
  }
  out.push(`| all | ${all.covered} | ${all.notCovered} | ${all.notApplicable} | ${pct(all.ratio)} |`);

  const groups = new Map<string, PeerRule[]>();
  for (const r of data.rows) groups.set(service(r), [...(groups.get(service(r)) ?? []), r]);
  for (const [svc, rows] of groups) {
    out.push("", `## ${SERVICES[svc] ?? svc}`, "", "| rule set | rule | requires | type used | status |", "|---|---|---|---|---|");
    for (const r of rows) {
      out.push(`| ${RULE_SETS[r.set]} | \`${r.id}\` | ${cell(r.requires)} | ${r.types.map((t) => `\`${shortType(t)}\``).join(", ")} | ${cell(verdict(r))} |`);
    }
  }
  out.push("");
  return out.join("\n");
}

if (path.resolve(process.argv[1] ?? "") === __filename) {
  fs.writeFileSync(PEER_RULES_MD, renderPeerRules(loadPeerRules()));
  const c = coverage(loadPeerRules().rows);
  console.log(`wrote ${path.relative(process.cwd(), PEER_RULES_MD)}: ${c.covered} covered, ${c.notCovered} not covered, ${c.notApplicable} not applicable (${pct(c.ratio)})`);
}
