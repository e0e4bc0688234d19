/**
 * IAM policy documents as the identity policies read them: parsed from the JSON string the
 * provider takes (or the object some programs pass), every list-or-string field as a list,
 * and unknown values kept as UNKNOWN, so a first preview (a document built from ARNs not
 * created yet) is never a violation while everything known is still checked. Pure.
 */
import { UNKNOWN, Unknown, normalize } from "./values";

/** A statement's field as a list: UNKNOWN when the field is, [] when absent; unknown items stay UNKNOWN. */
export type Field = (string | Unknown)[] | Unknown;

export interface Statement {
  /** The statement's Sid, when it has a known one. */
  sid?: string;
  /** "Allow", "Deny", UNKNOWN, or whatever else the document says. */
  effect: unknown;
  action: Field;
  notAction: Field;
  resource: Field;
  notResource: Field;
  /** The raw Principal / NotPrincipal ("*" or { AWS | Service | Federated | CanonicalUser: ... }). */
  principal: unknown;
  notPrincipal: unknown;
  has: { action: boolean; notAction: boolean; resource: boolean; notResource: boolean; principal: boolean; notPrincipal: boolean };
  /** Condition as written ({ operator: { key: value(s) } }), UNKNOWN, or undefined. */
  condition: Record<string, unknown> | Unknown | undefined;
}

/**
 * The statements of a policy document: UNKNOWN when the document (or its statement list) is
 * not known yet, undefined when it is absent or not JSON (IAM refuses those itself). A
 * statement that is UNKNOWN as a whole is left out: nothing in it can be judged.
 */
export function statementsOf(doc: unknown): Statement[] | Unknown | undefined {
  let d: unknown = doc;
  if (d === UNKNOWN) return UNKNOWN;
  if (typeof d === "string") {
    if (d.trim() === "") return undefined;
    try {
      d = normalize(JSON.parse(d));
    } catch {
      return undefined;
    }
  }
  if (!d || typeof d !== "object") return undefined;
  const raw = (d as Record<string, unknown>).Statement;
  if (raw === UNKNOWN) return UNKNOWN;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : [];
  return list.filter((s): s is Record<string, unknown> => !!s && typeof s === "object").map(statement);
}

function statement(s: Record<string, unknown>): Statement {
  const c = s.Condition;
  return {
    sid: typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : undefined,
    effect: s.Effect,
    action: field(s.Action),
    notAction: field(s.NotAction),
    resource: field(s.Resource),
    notResource: field(s.NotResource),
    principal: s.Principal,
    notPrincipal: s.NotPrincipal,
    has: {
      action: s.Action !== undefined, notAction: s.NotAction !== undefined, resource: s.Resource !== undefined,
      notResource: s.NotResource !== undefined, principal: s.Principal !== undefined, notPrincipal: s.NotPrincipal !== undefined,
    },
    condition: c === UNKNOWN ? UNKNOWN : c && typeof c === "object" ? (c as Record<string, unknown>) : undefined,
  };
}

/** A string-or-list field as a list (non-strings dropped, UNKNOWN kept). */
export function field(v: unknown): Field {
  if (v === UNKNOWN) return UNKNOWN;
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.filter((x): x is string | Unknown => typeof x === "string" || x === UNKNOWN);
}

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive as IAM compares actions. */
export function globMatches(pattern: string, value: string): boolean {
  const re = pattern.split("").map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${re}$`, "i").test(value);
}

/** `*` or `*:*`: every action of every service. */
export function isEveryAction(action: string): boolean {
  return /^\*(:\*)?$/.test(action.trim());
}

/** `<service>:*`: every action of one service (the service name, e.g. "s3"), else undefined. */
export function wholeServiceWildcard(action: string): string | undefined {
  const m = /^([a-z0-9-]+):\*+$/i.exec(action.trim());
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * Whether an Allow statement grants `action` (e.g. "iam:PassRole"): true, false, or UNKNOWN
 * when an action (or the whole list) that might grant it is not known yet.
 */
export function grants(s: Statement, action: string): boolean | Unknown {
  if (s.has.notAction) {
    // NotAction allows everything it does not name.
    if (s.notAction === UNKNOWN || s.notAction.includes(UNKNOWN)) return UNKNOWN;
    return !s.notAction.some((p) => typeof p === "string" && globMatches(p, action));
  }
  if (s.action === UNKNOWN) return UNKNOWN;
  if (s.action.some((p) => typeof p === "string" && globMatches(p, action))) return true;
  return s.action.includes(UNKNOWN) ? UNKNOWN : false;
}

/** An exact IAM role ARN (no wildcard): arn:<partition>:iam::<12-digit account>:role/<path/>name. */
export const EXACT_ROLE_ARN_RE = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** An AWS-managed policy ARN, as its path and name after `policy/` (e.g. "service-role/AWSBackupServiceRolePolicyForBackup"). */
export function awsManagedPolicyName(arn: string): string | undefined {
  const m = /^arn:aws(-[a-z]+)*:iam::aws:policy\/(.+)$/.exec(arn.trim());
  return m ? m[2] : undefined;
}

/** A principal block's entries per kind ("*" counts as { "*": ["*"] }); UNKNOWN when it is not known. */
export function principalEntries(p: unknown): Record<string, Field> | Unknown | undefined {
  if (p === UNKNOWN) return UNKNOWN;
  if (p === undefined || p === null) return undefined;
  if (typeof p === "string") return { [p === "*" ? "*" : "AWS"]: [p] };
  if (typeof p !== "object") return undefined;
  const out: Record<string, Field> = {};
  for (const [k, v] of Object.entries(p as Record<string, unknown>)) out[k] = field(v);
  return out;
}

/** The condition keys a Condition block tests (lower-case), with their values; UNKNOWN parts are skipped. */
export function conditionKeys(c: Statement["condition"]): Map<string, Field> {
  const out = new Map<string, Field>();
  if (!c || c === UNKNOWN) return out;
  for (const test of Object.values(c)) {
    if (!test || test === UNKNOWN || typeof test !== "object") continue;
    for (const [k, v] of Object.entries(test as Record<string, unknown>)) {
      const key = k.toLowerCase();
      const prev = out.get(key);
      const vals = field(v);
      out.set(key, prev === UNKNOWN || vals === UNKNOWN ? UNKNOWN : [...(prev ?? []), ...vals]);
    }
  }
  return out;
}

/** Whether any part of a Condition block is not known yet. */
export function conditionUnknown(c: Statement["condition"]): boolean {
  if (c === UNKNOWN) return true;
  if (!c) return false;
  return Object.values(c).some((t) => t === UNKNOWN || (!!t && typeof t === "object" && Object.entries(t as Record<string, unknown>).some(([, v]) => v === UNKNOWN)));
}

// --- Every resource, and the actions that may have it ----------------------------------------

/**
 * Whether an Allow statement's resources are every resource: NotResource (everything but
 * what it names), a resource of wildcards only ("*"), or an ARN whose resource part is
 * wildcards only ("arn:aws:s3:::*", "arn:aws:s3:::*\/*": every bucket or object there is).
 * UNKNOWN items are skipped: a known "*" beside them still covers everything.
 */
export function coversEveryResource(s: Statement): boolean {
  if (s.has.notResource) return true;
  if (s.resource === UNKNOWN) return false;
  return s.resource.some((r) => typeof r === "string" && isEveryResource(r));
}

/** A resource that is every resource: wildcards only, or an ARN whose resource part is wildcards only. */
export function isEveryResource(r: string): boolean {
  const v = r.trim();
  if (/^[*?]+$/.test(v)) return true;
  const parts = v.split(":");
  return parts.length >= 6 && parts[0] === "arn" && /^[*?/:]+$/.test(parts.slice(5).join(":"));
}

export interface EveryResourceAction {
  /** The action, or a prefix pattern ("ec2:Describe*") whose every action qualifies. */
  action: string;
  /** Why "*" is the right resource for it. */
  reason: string;
}

/**
 * The one home of the actions an identity policy may allow on every resource ("*"): those
 * the Service Authorization Reference lists with no resource type (AWS accepts only "*"),
 * or whose narrowest resource is every resource of its kind in the account. Every other
 * action can be scoped to ARNs and must be. An action missing here is flagged even if AWS
 * takes only "*" for it: add it, with the reason, after checking the reference.
 * ecr:GetAuthorizationToken is the only credentials-exposing action here (peer rule
 * CKV_AWS_287 lists it); no privilege-escalation, data-exfiltration or permissions-
 * management action is (test/policies/identity.test.ts checks that).
 */
export const EVERY_RESOURCE_ACTIONS: readonly EveryResourceAction[] = [
  { action: "ecr:GetAuthorizationToken", reason: "ECR login: AWS accepts only \"*\"; the token lets the caller do only what its own policy allows on each repository (image reads are scoped to repository ARNs)." },
  { action: "cloudwatch:PutMetricData", reason: "no resource type; the cloudwatch:namespace condition is the scope (components/hostconfig/iam.ts sets it)." },
  { action: "logs:DescribeLogGroups", reason: "a list action over the account's log groups (names and settings, no log data): its narrowest resource is every log group of the account and region." },
  { action: "route53:ListHostedZones", reason: "no resource type; read-only (certbot finds the zone it may then change, by exact zone ARN)." },
  { action: "secretsmanager:GetRandomPassword", reason: "no resource type; generates a random string, reads no secret." },
  { action: "autoscaling:Describe*", reason: "Auto Scaling's Describe actions have no resource type; read-only metadata." },
  { action: "ec2:Describe*", reason: "EC2's Describe actions take no resource-level permissions (AWS accepts \"*\" for them); read-only metadata." },
  { action: "xray:PutTraceSegments", reason: "no resource type; writes trace data." },
  { action: "xray:PutTelemetryRecords", reason: "no resource type; writes daemon telemetry." },
  { action: "xray:GetSamplingRules", reason: "no resource type; read-only sampling configuration." },
  { action: "xray:GetSamplingTargets", reason: "no resource type; read-only sampling configuration." },
  { action: "ssmmessages:CreateControlChannel", reason: "Session Manager's agent channel: no resource type." },
  { action: "ssmmessages:CreateDataChannel", reason: "Session Manager's agent channel: no resource type." },
  { action: "ssmmessages:OpenControlChannel", reason: "Session Manager's agent channel: no resource type." },
  { action: "ssmmessages:OpenDataChannel", reason: "Session Manager's agent channel: no resource type." },
];

/**
 * Whether pattern `p` covers every action `a` matches: equal (ignoring case), `p` a prefix
 * wildcard ("svc:Prefix*") and `a` starting with that prefix, or `a` a plain action `p` matches.
 */
export function patternCovers(p: string, a: string): boolean {
  const pl = p.trim().toLowerCase();
  const al = a.trim().toLowerCase();
  if (pl === al) return true;
  if (/^[^*?]+\*$/.test(pl)) return al.startsWith(pl.slice(0, -1));
  return !/[*?]/.test(al) && globMatches(pl, al);
}

/** Whether an action (or pattern) may be allowed on every resource (EVERY_RESOURCE_ACTIONS). */
export function mayHaveEveryResource(action: string, list: readonly EveryResourceAction[] = EVERY_RESOURCE_ACTIONS): boolean {
  return list.some((e) => patternCovers(e.action, action));
}

/** Privilege escalation (CKV_AWS_286): actions that grant their holder more rights (Rhino Security Labs' methods). */
export const PRIVILEGE_ESCALATION_ACTIONS = [
  "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:PassRole", "iam:CreateAccessKey", "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile", "iam:AttachUserPolicy", "iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy",
  "iam:PutGroupPolicy", "iam:PutRolePolicy", "iam:AddUserToGroup", "iam:UpdateAssumeRolePolicy", "lambda:UpdateFunctionCode",
  "glue:UpdateDevEndpoint",
] as const;

/** Credentials exposure (CKV_AWS_287): actions that return credentials or tokens. */
export const CREDENTIALS_EXPOSURE_ACTIONS = [
  "chime:CreateApiKey", "codepipeline:PollForJobs", "cognito-identity:GetOpenIdToken", "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
  "cognito-identity:GetCredentialsForIdentity", "connect:GetFederationToken", "connect:GetFederationTokens", "ec2:GetPasswordData",
  "ecr:GetAuthorizationToken", "gamelift:RequestUploadCredentials", "iam:CreateAccessKey", "iam:CreateLoginProfile",
  "iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential", "iam:UpdateAccessKey", "lightsail:GetInstanceAccessDetails",
  "lightsail:GetRelationalDatabaseMasterUserPassword", "rds-db:Connect", "redshift:GetClusterCredentials", "sso:GetRoleCredentials",
  "mediapackage:RotateChannelCredentials", "mediapackage:RotateIngestEndpointCredentials", "sts:AssumeRole", "sts:GetFederationToken",
  "sts:GetSessionToken",
] as const;

/** Data exfiltration (CKV_AWS_288): reads of data or secrets, and snapshot copies. */
export const DATA_EXFILTRATION_ACTIONS = [
  "s3:GetObject", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "secretsmanager:GetSecretValue",
  "rds:CopyDBSnapshot", "rds:CopyDBClusterSnapshot",
] as const;

/** Permissions management (CKV_AWS_289): actions that change who may do what (patterns). */
export const PERMISSIONS_MANAGEMENT_ACTIONS = [
  "iam:Attach*", "iam:Detach*", "iam:Put*Policy", "iam:Delete*Policy", "iam:CreatePolicy*", "iam:SetDefaultPolicyVersion",
  "iam:UpdateAssumeRolePolicy", "iam:PassRole", "*:Put*Policy", "*:Delete*Policy", "*:SetRepositoryPolicy", "*:AddPermission",
  "*:RemovePermission", "kms:CreateGrant", "kms:PutKeyPolicy", "s3:PutBucketAcl", "s3:PutObjectAcl", "s3:PutBucketPublicAccessBlock",
] as const;

/** Whether an allowed action (a plain action or a pattern) reaches any entry of a list of actions or patterns. */
function reaches(action: string, list: readonly string[]): boolean {
  return list.some((x) => globMatches(action, x) || (!/[*?]/.test(action) && globMatches(x, action)));
}

/** The peer categories an allowed action (or pattern) falls in, for messages: "privilege escalation", ... */
export function riskOf(action: string): string[] {
  const out: string[] = [];
  if (reaches(action, PRIVILEGE_ESCALATION_ACTIONS)) out.push("privilege escalation");
  if (reaches(action, CREDENTIALS_EXPOSURE_ACTIONS)) out.push("credentials exposure");
  if (reaches(action, DATA_EXFILTRATION_ACTIONS)) out.push("data exfiltration");
  if (reaches(action, PERMISSIONS_MANAGEMENT_ACTIONS)) out.push("permissions management");
  return out;
}

// --- Resource policies: who "*" is -----------------------------------------------------------

/**
 * Condition keys that pin who may call, whatever the principal says: the caller's account,
 * organization or ARN, the calling service's source account or resource, the network it
 * comes through. With a fixed value, "*" is then no longer anyone (as IAM Access Analyzer
 * and S3's public-policy test read it). kms:ViaService alone is not among them: any
 * account's principal may call through the same service.
 */
const PINNING_KEYS = new Set([
  "aws:principalaccount", "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths", "aws:sourceaccount", "aws:sourcearn",
  "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths", "aws:userid", "aws:sourcevpc", "aws:sourcevpce", "kms:calleraccount",
]);

/**
 * Whether a condition operator narrows: it must hold for the request to be allowed, and
 * fails when the key is absent. Negated operators, ...IfExists, ForAllValues (true when the
 * key is absent), Null and the numeric, date, Bool and IP tests do not pin a caller.
 */
function narrowingOperator(op: string): boolean {
  const o = op.toLowerCase();
  if (o.endsWith("ifexists") || o.startsWith("forallvalues:")) return false;
  const base = o.replace(/^foranyvalue:/, "");
  return ["stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"].includes(base);
}

/** A condition value that names one account, organization, ARN or network: no wildcard, or an ARN with a fixed account. */
function fixedValue(key: string, v: string): boolean {
  if (!/[*?]/.test(v)) return v.trim() !== "";
  const parts = v.split(":");
  if (parts[0] === "arn" && parts.length >= 6 && /^\d{12}$/.test(parts[4])) return true;
  return key.endsWith("orgpaths") && /^o-[a-z0-9]+\//i.test(v);
}

/**
 * Whether a statement's condition pins the caller (see PINNING_KEYS): true, false, or
 * UNKNOWN when a part that might pin it is not known yet.
 */
export function pinsCaller(c: Statement["condition"]): boolean | Unknown {
  if (c === UNKNOWN) return UNKNOWN;
  if (!c) return false;
  let unknown = false;
  for (const [op, test] of Object.entries(c)) {
    if (test === UNKNOWN) { unknown = true; continue; }
    if (!test || typeof test !== "object" || !narrowingOperator(op)) continue;
    for (const [k, raw] of Object.entries(test as Record<string, unknown>)) {
      const key = k.toLowerCase();
      if (!PINNING_KEYS.has(key)) continue;
      const vals = field(raw);
      if (vals === UNKNOWN || vals.includes(UNKNOWN)) { unknown = true; continue; }
      if (vals.length > 0 && vals.every((v) => typeof v === "string" && fixedValue(key, v))) return true;
    }
  }
  return unknown ? UNKNOWN : false;
}

/**
 * What makes an Allow statement of a resource policy (key, repository or registry policy)
 * open to anyone, or undefined: NotPrincipal, or a "*" principal (Principal "*", AWS "*")
 * whose condition does not pin the caller. Unknown principals or conditions are undefined.
 */
export function publicPrincipalProblem(s: Statement): string | undefined {
  if (s.effect !== "Allow") return undefined;
  if (s.has.notPrincipal) return "Allow with NotPrincipal allows every principal it does not name, of any account.";
  const p = principalEntries(s.principal);
  if (!p || p === UNKNOWN) return undefined;
  const wildcard = Object.entries(p).find(([kind, values]) => kind === "*" || (values !== UNKNOWN && values.includes("*")));
  if (!wildcard) return undefined;
  const pinned = pinsCaller(s.condition);
  if (pinned !== false) return undefined;
  const who = wildcard[0] === "*" ? "Principal \"*\"" : `Principal ${wildcard[0]} "*"`;
  return `${who} without a condition that pins the caller (aws:PrincipalAccount, aws:PrincipalOrgID, kms:CallerAccount, aws:SourceAccount, aws:SourceArn, ... with a fixed value): anyone, in any account, may use it.`;
}
