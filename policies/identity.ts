/**
 * Identity and access: what the program's IAM roles may do and who may assume them. Identity
 * policies (inline and customer-managed) grant named actions, never everything, and on every
 * resource ("*") only the reviewed actions AWS does not scope; roles are passed only by name;
 * every role trusts an AWS service, or a federated identity narrowed by conditions, never an
 * account or anyone; AWS-managed policies only from a reviewed list. Of resource policies,
 * key policies and ECR repository and registry policies are read here for one thing: a "*"
 * principal must be pinned by a condition (a key policy's root `kms:*` statement is AWS's
 * recommended default and stays allowed); the data layer checks bucket policies.
 */
import { PackPolicy, resourcePolicy, Subject } from "./lib/define";
import {
  EVERY_RESOURCE_ACTIONS, EXACT_ROLE_ARN_RE, Statement, awsManagedPolicyName, conditionKeys, conditionUnknown, coversEveryResource, grants,
  isEveryAction, isEveryResource, mayHaveEveryResource, principalEntries, publicPrincipalProblem, riskOf, statementsOf, wholeServiceWildcard,
} from "./lib/iam";
import { T } from "./lib/types";
import { UNKNOWN, Unknown, asList } from "./lib/values";

/** Resources whose `policy` input is an identity policy document. */
const IDENTITY_POLICY_TYPES = [T.iamRolePolicy, T.iamPolicy, T.iamUserPolicy, T.iamGroupPolicy];

/** The identity policy documents a resource writes, with where each is (for messages). */
function documentsOf(r: Subject): { where: string; statements: Statement[] }[] {
  const docs: { where: string; doc: unknown }[] = [];
  if (r.type === T.iamRole) {
    // A role's inline policies may also be given on the role itself (inlinePolicies).
    const inline = asList(r.props.inlinePolicies);
    if (inline !== UNKNOWN) inline.forEach((p, i) => docs.push({ where: `inline policy ${typeof p?.name === "string" ? `"${p.name}"` : `#${i + 1}`}`, doc: p?.policy }));
  } else {
    docs.push({ where: "the policy", doc: r.props.policy });
  }
  const out: { where: string; statements: Statement[] }[] = [];
  for (const d of docs) {
    const statements = statementsOf(d.doc);
    if (statements && statements !== UNKNOWN) out.push({ where: d.where, statements });
  }
  return out;
}

const allows = (s: Statement) => s.effect === "Allow";
const sid = (s: Statement, i: number) => (typeof s.sid === "string" ? `statement "${s.sid}"` : `statement ${i + 1}`);
/** A resource list that covers everything: `*` (or only wildcards), or NotResource. */
const everyResource = (s: Statement) => s.has.notResource || (s.resource !== UNKNOWN && s.resource.some((r) => typeof r === "string" && /^[*?]+$/.test(r)));

export const iamNoWildcardActions = resourcePolicy({
  name: "iam-no-wildcard-actions",
  layer: "identity",
  summary: "No identity policy the program writes (inline, customer-managed, user or group) allows every action (`*`), every action but some (NotAction), or a whole service (`<service>:*`) on every resource.",
  fix: "list the actions the role needs (e.g. s3:GetObject) and scope them to its own resources' ARNs; `*` resources only for actions AWS does not scope (cloudwatch:PutMetricData, ecr:GetAuthorizationToken).",
  severity: "critical",
  types: [...IDENTITY_POLICY_TYPES, T.iamRole],
  check(r, ctx) {
    for (const { where, statements } of documentsOf(r)) {
      statements.forEach((s, i) => {
        if (!allows(s)) return;
        if (s.has.notAction) {
          ctx.report(`${where}, ${sid(s, i)}: Allow with NotAction grants every action it does not name, including those of services added later.`, "replace NotAction with the list of actions the role needs.");
        }
        if (s.action === UNKNOWN) return;
        const every = s.action.filter((a): a is string => typeof a === "string" && isEveryAction(a));
        if (every.length > 0) {
          ctx.report(`${where}, ${sid(s, i)}: allows every action ("${every[0]}").`);
          return;
        }
        if (!everyResource(s)) return;
        const services = s.action.filter((a): a is string => typeof a === "string" && wholeServiceWildcard(a) !== undefined);
        if (services.length > 0) ctx.report(`${where}, ${sid(s, i)}: allows every action of a service (${services.map((a) => `"${a}"`).join(", ")}) on every resource.`);
      });
    }
  },
});

export const iamPassRoleNamedRoles = resourcePolicy({
  name: "iam-passrole-named-roles",
  layer: "identity",
  summary: "Every statement that allows iam:PassRole names the exact role ARNs it may pass: no wildcard in the resource, no NotResource. An iam:PassedToService condition does not replace this: it limits the service, not the role, so an admin role could still be handed to an instance.",
  fix: "set Resource to the ARNs of the roles the principal must pass (the role resources' arn outputs), one by one.",
  severity: "critical",
  types: [...IDENTITY_POLICY_TYPES, T.iamRole],
  check(r, ctx) {
    for (const { where, statements } of documentsOf(r)) {
      statements.forEach((s, i) => {
        if (!allows(s) || grants(s, "iam:PassRole") !== true) return;
        if (s.has.notResource) {
          ctx.report(`${where}, ${sid(s, i)}: allows iam:PassRole on every role but those NotResource names.`);
          return;
        }
        if (s.resource === UNKNOWN) return;
        const loose = s.resource.filter((x): x is string => typeof x === "string" && !EXACT_ROLE_ARN_RE.test(x));
        if (loose.length > 0) ctx.report(`${where}, ${sid(s, i)}: allows iam:PassRole on ${loose.map((x) => `"${x}"`).join(", ")}, which is not one named role.`);
      });
    }
  },
});

/** The condition keys an OIDC provider's trust must test: its audience and its subject. */
function oidcHost(provider: string): string | undefined {
  const m = /:oidc-provider\/(.+)$/.exec(provider);
  return m ? m[1].toLowerCase() : undefined;
}

/** A subject pattern that matches every repository or identity: "*", "repo:*", "repo:*:*", ... */
const everySubject = (v: string) => v.replace(/^repo:/i, "").replace(/[*?:/]/g, "") === "";

/** What is wrong with one Federated principal's statement, or undefined. */
function federatedProblem(provider: string | Unknown, s: Statement): string | undefined {
  if (s.condition === UNKNOWN) return undefined;
  const keys = conditionKeys(s.condition);
  if (keys.size === 0) {
    return conditionUnknown(s.condition) ? undefined : "trusts a federated identity provider without any Condition: every identity it issues tokens to (for GitHub Actions, every repository on GitHub) may assume the role.";
  }
  if (provider === UNKNOWN) return undefined;
  const host = oidcHost(provider);
  if (!host) return undefined; // SAML and web-identity providers: a condition is present
  if (conditionUnknown(s.condition)) return undefined;
  const missing = ["aud", "sub"].filter((k) => !keys.has(`${host}:${k}`));
  if (missing.length > 0) return `trusts the OIDC provider ${host} without a condition on ${missing.map((k) => `${host}:${k}`).join(" and ")}: the ${missing.includes("sub") ? "subject (which repository, branch or environment)" : "audience"} is what limits who may assume the role.`;
  const sub = keys.get(`${host}:sub`)!;
  if (sub === UNKNOWN) return undefined;
  const broad = sub.filter((v): v is string => typeof v === "string" && everySubject(v));
  if (broad.length > 0) return `trusts the OIDC provider ${host} for the subject ${broad.map((v) => `"${v}"`).join(", ")}, which matches every repository or identity.`;
  return undefined;
}

export const iamRoleTrustConditions = resourcePolicy({
  name: "iam-role-trust-conditions",
  layer: "identity",
  summary: "Every role's trust policy names only AWS service principals, or federated principals narrowed by conditions (an OIDC provider's audience and subject); never an AWS account, user or role, and never anyone (`*`).",
  fix: "trust the service that uses the role (Principal.Service), or a federated provider with conditions on its :aud and :sub keys (GitHub Actions: repo:<owner>/<repo>:ref:refs/heads/main or :environment:<name>, as webapp-platform:artifactPublishers sets).",
  severity: "critical",
  types: [T.iamRole],
  check(r, ctx) {
    const statements = statementsOf(r.props.assumeRolePolicy);
    if (!statements || statements === UNKNOWN) return;
    statements.forEach((s, i) => {
      if (!allows(s)) return;
      if (s.has.notPrincipal) {
        ctx.report(`${sid(s, i)}: Allow with NotPrincipal trusts every principal it does not name.`);
        return;
      }
      const p = principalEntries(s.principal);
      if (!p || p === UNKNOWN) return;
      for (const [kind, values] of Object.entries(p)) {
        if (kind === "Service") continue;
        if (kind === "*" || (values !== UNKNOWN && values.includes("*"))) {
          ctx.report(`${sid(s, i)}: trusts anyone ("*").`);
        } else if (kind === "AWS" || kind === "CanonicalUser") {
          const known = values === UNKNOWN ? [] : values.filter((v): v is string => typeof v === "string");
          ctx.report(`${sid(s, i)}: trusts the AWS principal${known.length === 1 ? "" : "s"} ${known.length > 0 ? known.map((v) => `"${v}"`).join(", ") : "(not known yet)"}: any identity there whose own policy allows sts:AssumeRole may assume the role, and nothing in this stack limits which.`);
        } else if (kind === "Federated") {
          const providers: (string | Unknown)[] = values === UNKNOWN ? [UNKNOWN] : values;
          for (const provider of providers) {
            const problem = federatedProblem(provider, s);
            if (problem) ctx.report(`${sid(s, i)}: ${problem}`);
          }
        } else {
          ctx.report(`${sid(s, i)}: trusts a principal of kind "${kind}", which IAM does not know.`);
        }
      }
    });
  },
});

interface AllowedManagedPolicy {
  /** The policy's path and name after `arn:aws:iam::aws:policy/`. */
  name: string;
  /** Why the stack may attach it. */
  reason: string;
}

/** The AWS-managed policies the program attaches, each with why (see README, "Identity and access"). */
const ALLOWED_MANAGED_POLICIES: AllowedManagedPolicy[] = [
  { name: "AmazonSSMManagedInstanceCore", reason: "SSM Session Manager on every host instead of SSH; AWS's minimal policy for a managed instance (SSM's own APIs take no narrower scope)." },
  { name: "CloudWatchAgentServerPolicy", reason: "the fleet hosts' CloudWatch agent (metrics and logs); the single hosts scope these rights inline instead." },
  { name: "service-role/AmazonRDSEnhancedMonitoringRole", reason: "RDS enhanced monitoring writes OS metrics to its own RDSOSMetrics log group only." },
  { name: "service-role/AWSBackupServiceRolePolicyForBackup", reason: "AWS Backup snapshots the databases; AWS keeps the service role's rights current as Backup changes." },
  { name: "service-role/AWSBackupServiceRolePolicyForRestores", reason: "AWS Backup restores those recovery points." },
];

export const iamManagedPoliciesAllowed = resourcePolicy<{ allowedManagedPolicies: AllowedManagedPolicy[] }>({
  name: "iam-managed-policies-allowed",
  layer: "identity",
  summary: "Roles attach AWS-managed policies only from the reviewed allow-list (allowedManagedPolicies, each with its reason): AWS changes those policies without notice, and many grant far more than a role needs. Customer-managed policies are checked like inline ones.",
  fix: "replace the managed policy with an inline policy scoped to the role's own resources, or, after review, add it to allowedManagedPolicies with the reason.",
  severity: "high",
  types: [T.iamRolePolicyAttachment, T.iamPolicyAttachment, T.iamRole],
  schema: {
    allowedManagedPolicies: {
      type: "array",
      description: "AWS-managed policies roles may attach, by path and name after arn:aws:iam::aws:policy/, each with why.",
      items: {
        type: "object",
        properties: { name: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 1 } },
        required: ["name", "reason"],
      },
      default: ALLOWED_MANAGED_POLICIES as unknown as object[],
    },
  },
  defaults: { allowedManagedPolicies: ALLOWED_MANAGED_POLICIES },
  check(r, ctx) {
    const arns = r.type === T.iamRole ? asList(r.props.managedPolicyArns) : [r.props.policyArn];
    if (arns === UNKNOWN) return;
    const allowed = new Set(ctx.config.allowedManagedPolicies.map((p) => p.name));
    for (const arn of arns) {
      if (typeof arn !== "string") continue; // unknown: a policy created in this preview, or not known yet
      const name = awsManagedPolicyName(arn);
      if (name !== undefined && !allowed.has(name)) ctx.report(`attaches the AWS-managed policy "${name}", which is not in the allow-list (allowedManagedPolicies).`);
    }
  },
});

/** A principal that is an AWS service (lambda.amazonaws.com, secretsmanager.amazonaws.com, ...). */
const SERVICE_PRINCIPAL_RE = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;

export const lambdaPermissionScoped = resourcePolicy<{ allowedAccounts: string[] }>({
  name: "lambda-permission-scoped",
  layer: "identity",
  summary: "A Lambda function's resource policy lets a named principal invoke it: an AWS service only for a given resource (sourceArn), never anyone (\"*\"), and another account only if listed in allowedAccounts.",
  fix: "set principal to the service (secretsmanager.amazonaws.com) and sourceArn to the one resource that invokes the function (components/password-rotation names its secret).",
  types: [T.lambdaPermission],
  schema: { allowedAccounts: { type: "array", items: { type: "string" }, default: [], description: "Account IDs (12 digits) besides services that may invoke functions." } },
  defaults: { allowedAccounts: [] },
  check(r, ctx) {
    const principal = r.props.principal;
    if (principal === UNKNOWN) return;
    if (principal === "*") { ctx.report("anyone may invoke the function (principal \"*\")."); return; }
    if (typeof principal !== "string") return;
    if (SERVICE_PRINCIPAL_RE.test(principal)) {
      const arn = r.props.sourceArn;
      if (arn !== UNKNOWN && (typeof arn !== "string" || arn === "")) ctx.report(`${principal} may invoke the function for any resource, of any account (no sourceArn): a confused deputy.`);
      return;
    }
    const account = /^(\d{12})$|^arn:aws[a-z-]*:iam::(\d{12}):/.exec(principal);
    const id = account?.[1] ?? account?.[2];
    if (id && !ctx.config.allowedAccounts.includes(id)) ctx.report(`account ${id} may invoke the function, and it is not among allowedAccounts.`);
  },
});

/** How a statement's every-resource scope reads in a message. */
const everyResourceText = (s: Statement) =>
  s.has.notResource ? "every resource but those NotResource names" : `every resource (${(s.resource === UNKNOWN ? [] : s.resource).filter((x): x is string => typeof x === "string" && isEveryResource(x)).map((x) => `"${x}"`).join(", ")})`;

/**
 * Answers checkov's CKV_AWS_355 (no "*" resource for actions that can be scoped), and with
 * it CKV_AWS_286 (privilege escalation), CKV_AWS_287 (credentials exposure), CKV_AWS_288
 * (data exfiltration), CKV_AWS_289 (permissions management) and CKV_AWS_290 (write access)
 * as far as those are about actions allowed on every resource: every such action, whatever
 * its category, is flagged unless it is in EVERY_RESOURCE_ACTIONS (policies/lib/iam.ts), the
 * reviewed list of actions AWS does not scope, each with its reason. Conditions do not count
 * as scope (a condition narrows the request, not the resources the action reaches), and the
 * one credentials-exposing action of the list, ecr:GetAuthorizationToken, is there because
 * AWS takes only "*" for it. NotAction statements are left to iam-no-wildcard-actions.
 */
export const iamResourceWildcardAllowlisted = resourcePolicy({
  name: "iam-resource-wildcard-allowlisted",
  layer: "identity",
  summary: "No identity policy allows, on every resource (\"*\", an ARN of wildcards only, or NotResource), an action AWS lets you scope to resource ARNs: only the reviewed actions that AWS does not scope (ecr:GetAuthorizationToken, cloudwatch:PutMetricData, ...; EVERY_RESOURCE_ACTIONS in policies/lib/iam.ts, each with its reason) may have \"*\". This covers privilege-escalating, credential-returning, data-reading, permission-changing and write actions alike; conditions do not replace resource ARNs.",
  fix: "set Resource to the ARNs of the role's own resources (the resources' arn outputs); if AWS really takes only \"*\" for the action (Service Authorization Reference: no resource type), add it to EVERY_RESOURCE_ACTIONS in policies/lib/iam.ts with the reason.",
  severity: "high",
  types: [...IDENTITY_POLICY_TYPES, T.iamRole],
  check(r, ctx) {
    for (const { where, statements } of documentsOf(r)) {
      statements.forEach((s, i) => {
        if (!allows(s) || s.has.notAction || s.action === UNKNOWN || !coversEveryResource(s)) return;
        const scopable = s.action.filter((a): a is string => typeof a === "string" && !mayHaveEveryResource(a, EVERY_RESOURCE_ACTIONS));
        if (scopable.length === 0) return;
        const named = scopable.map((a) => {
          const risks = riskOf(a);
          return risks.length > 0 ? `"${a}" (${risks.join(", ")})` : `"${a}"`;
        });
        ctx.report(`${where}, ${sid(s, i)}: allows ${named.join(", ")} on ${everyResourceText(s)}; AWS lets ${scopable.length === 1 ? "it" : "them"} be scoped to resource ARNs.`);
      });
    }
  },
});

/** Resources whose `policy` input is a KMS key policy. */
const KEY_POLICY_TYPES = [T.kmsKey, T.kmsKeyPolicy, T.kmsReplicaKey, T.kmsExternalKey, T.kmsReplicaExternalKey];

/** The Allow statements of a resource policy document that open it to anyone, reported one by one. */
function reportPublicStatements(doc: unknown, report: (what: string) => void): void {
  const statements = statementsOf(doc);
  if (!statements || statements === UNKNOWN) return;
  statements.forEach((s, i) => {
    const problem = publicPrincipalProblem(s);
    if (problem) report(`${sid(s, i)}: ${problem}`);
  });
}

/**
 * Answers checkov's CKV_AWS_33 (no wildcard principal in a key policy), read as AWS reads
 * "public": a "*" principal is allowed only with a condition that pins the caller to an
 * account, organization, ARN or source (kms:CallerAccount, aws:PrincipalAccount, ...), as
 * components/kms's StackKey does for the data services (kms:CallerAccount with
 * kms:ViaService) and AWS's own managed keys do. checkov flags every "*", pinned or not.
 */
export const kmsKeyPolicyNoPublicPrincipal = resourcePolicy({
  name: "kms-key-policy-no-public-principal",
  layer: "identity",
  summary: "No KMS key policy allows anyone: an Allow statement with Principal \"*\" (or AWS \"*\") carries a condition that pins the caller (kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn, ... with a fixed value), and no Allow uses NotPrincipal.",
  fix: "name the principal (the account root, a role ARN, a service principal), or keep \"*\" with a StringEquals condition on kms:CallerAccount (or aws:PrincipalAccount) set to the account id, as components/kms StackKey does.",
  severity: "critical",
  types: KEY_POLICY_TYPES,
  check(r, ctx) {
    reportPublicStatements(r.props.policy, (what) => ctx.report(`key policy, ${what}`));
  },
});

/** Resources whose `policy` input is an ECR repository or registry policy. */
const ECR_POLICY_TYPES = [T.ecrRepositoryPolicy, T.ecrRegistryPolicy];

/**
 * Answers cdk-nag's AwsSolutions-ECR1 (a repository policy does not allow open access):
 * repository and registry policies get the same test as key policies. The program writes
 * none today (hosts pull through their IAM roles), so this guards future ones.
 */
export const ecrRepositoryPolicyNotPublic = resourcePolicy({
  name: "ecr-repository-policy-not-public",
  layer: "identity",
  summary: "No ECR repository or registry policy allows anyone: an Allow statement with Principal \"*\" (or AWS \"*\") carries a condition that pins the caller (aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn, ... with a fixed value), and no Allow uses NotPrincipal.",
  fix: "grant the accounts or roles that pull by ARN (Principal.AWS), a service by Principal.Service with aws:SourceAccount, or keep \"*\" with a StringEquals condition on aws:PrincipalOrgID or aws:PrincipalAccount.",
  severity: "critical",
  types: ECR_POLICY_TYPES,
  check(r, ctx) {
    reportPublicStatements(r.props.policy, (what) => ctx.report(`${r.type === T.ecrRegistryPolicy ? "registry" : "repository"} policy, ${what}`));
  },
});

/**
 * Answers checkov's CKV_AWS_169 (a topic policy is not public): the same test as key
 * policies, for topic policies and a topic's own policy input. components/monitoring lets
 * CloudWatch publish by service principal with aws:SourceAccount and aws:SourceArn.
 */
export const snsTopicPolicyNotPublic = resourcePolicy({
  name: "sns-topic-policy-not-public",
  layer: "identity",
  summary: "No SNS topic policy allows anyone: an Allow statement with Principal \"*\" (or AWS \"*\") carries a condition that pins the caller (aws:SourceAccount, aws:SourceArn, aws:PrincipalAccount, aws:PrincipalOrgID, ... with a fixed value), and no Allow uses NotPrincipal. A Deny to everyone (the TLS-only statement) is fine.",
  fix: "let services publish by Principal.Service with aws:SourceAccount (and aws:SourceArn), as components/monitoring AlertTopic does, or name the accounts or roles.",
  severity: "critical",
  types: [T.snsTopicPolicy, T.snsTopic],
  check(r, ctx) {
    reportPublicStatements(r.props.policy, (what) => ctx.report(`topic policy, ${what}`));
  },
});

export const IDENTITY_POLICIES: PackPolicy[] = [
  iamNoWildcardActions, iamPassRoleNamedRoles, iamRoleTrustConditions, iamManagedPoliciesAllowed, lambdaPermissionScoped,
  iamResourceWildcardAllowlisted, kmsKeyPolicyNoPublicPrincipal, ecrRepositoryPolicyNotPublic, snsTopicPolicyNotPublic,
];
