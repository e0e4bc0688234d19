import { CREDENTIALS_EXPOSURE_ACTIONS, DATA_EXFILTRATION_ACTIONS, EVERY_RESOURCE_ACTIONS, PRIVILEGE_ESCALATION_ACTIONS, mayHaveEveryResource, riskOf } from "../../policies/lib/iam";
import { T } from "../../policies/lib/types";
import { U, check, describePolicy, res } from "./helpers";

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const inline = (...statements: object[]) => res(T.iamRolePolicy, "api-instance-0", { role: "api-instance", policy: doc(...statements) });
const READ_SECRET = { Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/shop-AbCdEf"] };
const METRICS = { Sid: "PublishHostMetrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "WebappPlatform/Host" } } };

describePolicy({
  policy: "iam-no-wildcard-actions",
  violating: [
    { title: "Action * on *", resources: [inline(READ_SECRET, { Effect: "Allow", Action: "*", Resource: "*" })], message: /statement 2: allows every action \("\*"\)/ },
    { title: "*:* in a list, on a named resource", resources: [inline({ Sid: "All", Effect: "Allow", Action: ["s3:GetObject", "*:*"], Resource: "arn:aws:s3:::media/*" })], message: /statement "All": allows every action/ },
    { title: "a whole service on every resource", resources: [res(T.iamPolicy, "ops", { policy: doc({ Effect: "Allow", Action: ["s3:*"], Resource: ["*"] }) })], message: /every action of a service \("s3:\*"\) on every resource/ },
    { title: "a whole service on NotResource", resources: [res(T.iamUserPolicy, "ops-user", { user: "ops", policy: doc({ Effect: "Allow", Action: "iam:*", NotResource: "arn:aws:iam::123456789012:role/admin" }) })] },
    { title: "Allow with NotAction", resources: [res(T.iamGroupPolicy, "ops-group", { group: "ops", policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) })], message: /NotAction grants every action/ },
    { title: "a role's inlinePolicies", resources: [res(T.iamRole, "legacy", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }), inlinePolicies: [{ name: "everything", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }] })], message: /inline policy "everything"/ },
    { title: "a single statement object, action in odd case", resources: [res(T.iamRolePolicy, "x", { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "EC2:*", Resource: "*" } }) })] },
  ],
  compliant: [
    { title: "named actions; * only where AWS does not scope", resources: [inline(READ_SECRET, METRICS, { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" })] },
    { title: "a whole service on its own bucket", resources: [inline({ Effect: "Allow", Action: "s3:*", Resource: ["arn:aws:s3:::media", "arn:aws:s3:::media/*"] })] },
    { title: "a Deny with *", resources: [inline(READ_SECRET, { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })] },
    { title: "a prefix wildcard is a list of actions", resources: [inline({ Effect: "Allow", Action: "autoscaling:Describe*", Resource: "*" })] },
  ],
  unknown: [
    { title: "the document unknown (built from ARNs created in this preview)", resources: [res(T.iamRolePolicy, "x", { role: U, policy: U })] },
    { title: "a service wildcard on an unknown resource", resources: [res(T.iamRolePolicy, "x", { role: "r", policy: doc({ Effect: "Allow", Action: "s3:*", Resource: U }) })] },
    { title: "the actions unknown", resources: [res(T.iamRolePolicy, "x", { role: "r", policy: doc({ Effect: "Allow", Action: U, Resource: "*" }) })] },
    { title: "the effect unknown", resources: [res(T.iamRolePolicy, "x", { role: "r", policy: doc({ Effect: U, Action: "*", Resource: "*" }) })] },
  ],
});

const PASS = (Resource: unknown, extra: object = {}) => inline({ Sid: "PassOwnRole", Effect: "Allow", Action: "iam:PassRole", Resource, ...extra });
const ROLE_ARN = "arn:aws:iam::123456789012:role/prod-shop-instance";

describePolicy({
  policy: "iam-passrole-named-roles",
  violating: [
    { title: "PassRole on *", resources: [PASS("*")], message: /iam:PassRole on "\*", which is not one named role/ },
    { title: "PassRole on every role of a path, even for one service", resources: [PASS("arn:aws:iam::123456789012:role/app/*", { Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } } })] },
    { title: "iam:Pass* on a named role and a wildcard", resources: [inline({ Effect: "Allow", Action: ["iam:Pass*"], Resource: [ROLE_ARN, "arn:aws:iam::123456789012:role/prod-*"] })], message: /"arn:aws:iam::123456789012:role\/prod-\*"/ },
    { title: "iam:* on every role", resources: [inline({ Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::123456789012:role/*" })] },
    { title: "NotResource", resources: [inline({ Effect: "Allow", Action: "iam:PassRole", NotResource: ROLE_ARN })], message: /every role but those NotResource names/ },
    { title: "NotAction that leaves PassRole in", resources: [inline({ Effect: "Allow", NotAction: "s3:*", Resource: "arn:aws:iam::123456789012:role/*" })] },
  ],
  compliant: [
    { title: "PassRole on named roles", resources: [PASS([ROLE_ARN, "arn:aws:iam::123456789012:role/service/prod-backup"])] },
    { title: "PassRole on a named role for one service", resources: [PASS(ROLE_ARN, { Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } } })] },
    { title: "no PassRole at all", resources: [inline(READ_SECRET, METRICS)] },
    { title: "a Deny of PassRole on *", resources: [inline({ Effect: "Deny", Action: "iam:PassRole", Resource: "*" })] },
  ],
  unknown: [
    { title: "the role ARN unknown (created in this preview)", resources: [PASS([U])] },
    { title: "the resource list unknown", resources: [PASS(U)] },
    { title: "the document unknown", resources: [res(T.iamPolicy, "x", { policy: U })] },
  ],
});

const trust = (...statements: object[]) => res(T.iamRole, "prod-artifact-publisher", { name: "prod-artifact-publisher", assumeRolePolicy: doc(...statements) });
const GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const GH = "token.actions.githubusercontent.com";
const oidc = (condition: unknown, provider: unknown = GITHUB) => trust({ Effect: "Allow", Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", ...(condition === undefined ? {} : { Condition: condition }) });
const GH_OK = { StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com", [`${GH}:sub`]: ["repo:acme/shop:environment:prod"] } };

describePolicy({
  policy: "iam-role-trust-conditions",
  violating: [
    { title: "the account root", resources: [trust({ Effect: "Allow", Principal: { AWS: ["arn:aws:iam::123456789012:root"] }, Action: "sts:AssumeRole" })], message: /trusts the AWS principal "arn:aws:iam::123456789012:root"/ },
    { title: "an account id, beside a service", resources: [trust({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com", AWS: "123456789012" }, Action: "sts:AssumeRole" })], message: /AWS principal "123456789012"/ },
    { title: "anyone", resources: [trust({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" })], message: /trusts anyone/ },
    { title: "AWS: *", resources: [trust({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" })], message: /trusts anyone/ },
    { title: "NotPrincipal", resources: [trust({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" })], message: /NotPrincipal/ },
    { title: "GitHub without conditions", resources: [oidc(undefined)], message: /without any Condition/ },
    { title: "GitHub with the audience only", resources: [oidc({ StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" } })], message: /without a condition on token\.actions\.githubusercontent\.com:sub/ },
    { title: "GitHub for every repository", resources: [oidc({ StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${GH}:sub`]: "repo:*" } })], message: /subject "repo:\*", which matches every repository/ },
    { title: "a SAML provider without conditions", resources: [oidc(undefined, "arn:aws:iam::123456789012:saml-provider/corp")] },
  ],
  compliant: [
    { title: "service principals", resources: [trust({ Effect: "Allow", Principal: { Service: ["backup.amazonaws.com", "s3.amazonaws.com", "lambda.amazonaws.com"] }, Action: "sts:AssumeRole" })] },
    { title: "GitHub Actions for one repository's environment", resources: [oidc(GH_OK)] },
    { title: "GitHub Actions for release tags (StringLike)", resources: [oidc({ StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${GH}:sub`]: "repo:acme/shop:ref:refs/tags/v*" } })] },
    { title: "a SAML provider with its audience", resources: [oidc({ StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } }, "arn:aws:iam::123456789012:saml-provider/corp")] },
    { title: "a Deny naming an account", resources: [trust({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }, { Effect: "Deny", Principal: { AWS: "*" }, Action: "sts:AssumeRole" })] },
  ],
  unknown: [
    { title: "the trust policy unknown", resources: [res(T.iamRole, "r", { assumeRolePolicy: U })] },
    { title: "the provider ARN unknown (account looked up in this preview)", resources: [oidc(GH_OK, U)] },
    { title: "the conditions unknown", resources: [oidc(U)] },
    { title: "the subject values unknown", resources: [oidc({ StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com", [`${GH}:sub`]: U } })] },
    { title: "the principal unknown", resources: [trust({ Effect: "Allow", Principal: U, Action: "sts:AssumeRole" })] },
  ],
});

const attach = (policyArn: unknown, type: string = T.iamRolePolicyAttachment) =>
  res(type, "api-managed", type === T.iamPolicyAttachment ? { roles: ["api-instance"], policyArn } : { role: "api-instance", policyArn });

describePolicy({
  policy: "iam-managed-policies-allowed",
  violating: [
    { title: "AdministratorAccess", resources: [attach("arn:aws:iam::aws:policy/AdministratorAccess")], message: /"AdministratorAccess", which is not in the allow-list/ },
    { title: "a policy attachment in another partition", resources: [attach("arn:aws-us-gov:iam::aws:policy/AmazonS3FullAccess", T.iamPolicyAttachment)] },
    { title: "a role's managedPolicyArns", resources: [res(T.iamRole, "legacy", { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "arn:aws:iam::aws:policy/PowerUserAccess"] })], message: /PowerUserAccess/ },
    { title: "an allowed name under another path", resources: [attach("arn:aws:iam::aws:policy/service-role/AmazonSSMManagedInstanceCore")] },
  ],
  compliant: [
    { title: "SSM core and the CloudWatch agent", resources: [attach("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"), attach("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy")] },
    { title: "AWS Backup's and RDS monitoring's service-role policies", resources: ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores", "AmazonRDSEnhancedMonitoringRole"].map((p) => attach(`arn:aws:iam::aws:policy/service-role/${p}`)) },
    { title: "a customer-managed policy of the stack", resources: [attach("arn:aws:iam::123456789012:policy/prod-shop-extra")] },
  ],
  unknown: [
    { title: "the ARN of a policy created in this preview", resources: [attach(U)] },
    { title: "managedPolicyArns unknown", resources: [res(T.iamRole, "legacy", { managedPolicyArns: U })] },
  ],
});

describe("the managed-policy allow-list in config", () => {
  it("replaces the default: a reviewed addition passes, and what the list leaves out fails", () => {
    const admin = [attach("arn:aws:iam::aws:policy/AdministratorAccess")];
    const allowedManagedPolicies = [{ name: "AdministratorAccess", reason: "break-glass role, SEC-7" }];
    expect(check("iam-managed-policies-allowed", admin, { config: { allowedManagedPolicies } })).toEqual([]);
    expect(check("iam-managed-policies-allowed", [attach("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")], { config: { allowedManagedPolicies } })).toHaveLength(1);
  });

  it("requires a reason for every entry", () => {
    expect(() => check("iam-managed-policies-allowed", [], { config: { allowedManagedPolicies: [{ name: "AdministratorAccess" }] } })).toThrow(/reason/);
  });
});

const permission = (o: Record<string, any> = {}) => res(T.lambdaPermission, "shop-rotation", {
  function: "prod-shop-rotation", action: "lambda:InvokeFunction", principal: "secretsmanager.amazonaws.com",
  sourceArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/shop/DATABASE-AbCdEf", ...o,
});

describePolicy({
  policy: "lambda-permission-scoped",
  violating: [
    { title: "a service for any resource (no sourceArn)", resources: [permission({ sourceArn: undefined })], message: /confused deputy/ },
    { title: "anyone", resources: [permission({ principal: "*", sourceArn: undefined })], message: /anyone may invoke/ },
    { title: "another account", resources: [permission({ principal: "arn:aws:iam::210987654321:root", sourceArn: undefined })], message: /account 210987654321/ },
  ],
  compliant: [
    { title: "Secrets Manager for one secret", resources: [permission()] },
  ],
  unknown: [{ title: "the secret ARN unknown (preview)", resources: [permission({ sourceArn: U })] }, { title: "the principal unknown", resources: [permission({ principal: U })] }],
});

test("lambda-permission-scoped lets an account of allowedAccounts invoke, and only that one", () => {
  const other = permission({ principal: "210987654321", sourceArn: undefined });
  expect(check("lambda-permission-scoped", [other], { config: { allowedAccounts: ["210987654321"] } })).toEqual([]);
  expect(check("lambda-permission-scoped", [other], { config: { allowedAccounts: ["111122223333"] } })).toHaveLength(1);
});

// --- Actions on every resource -----------------------------------------------------------------

const ROLE = (...statements: object[]) => res(T.iamRole, "legacy", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }), inlinePolicies: [{ name: "ops", policy: doc(...statements) }] });

describePolicy({
  policy: "iam-resource-wildcard-allowlisted",
  violating: [
    { title: "privilege escalation on * (CKV_AWS_286)", resources: [inline({ Sid: "Escalate", Effect: "Allow", Action: ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], Resource: "*" })], message: /statement "Escalate": allows "iam:CreatePolicyVersion" \(privilege escalation, permissions management\), "iam:SetDefaultPolicyVersion".* on every resource \("\*"\)/ },
    { title: "credentials exposure on * (CKV_AWS_287), beside the ECR login", resources: [inline({ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "sts:GetFederationToken"], Resource: "*" })], message: /"sts:GetFederationToken" \(credentials exposure\)/ },
    { title: "data exfiltration on * (CKV_AWS_288), even with a condition", resources: [inline({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ["*"], Condition: { StringEquals: { "aws:ResourceTag/app": "shop" } } })], message: /"secretsmanager:GetSecretValue" \(data exfiltration\)/ },
    { title: "permissions management on * (CKV_AWS_289)", resources: [res(T.iamPolicy, "ops", { policy: doc({ Effect: "Allow", Action: ["s3:PutBucketPolicy", "kms:PutKeyPolicy"], Resource: "*" }) })], message: /"s3:PutBucketPolicy" \(permissions management\)/ },
    { title: "write access on * (CKV_AWS_290)", resources: [res(T.iamUserPolicy, "ops-user", { user: "ops", policy: doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }) })], message: /"sqs:SendMessage" on every resource/ },
    { title: "a read action that can be scoped, on every bucket's objects (CKV_AWS_355)", resources: [res(T.iamGroupPolicy, "ops-group", { group: "ops", policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*/*" }) })], message: /every resource \("arn:aws:s3:::\*\/\*"\)/ },
    { title: "a prefix wildcard that reaches scopable actions", resources: [inline({ Effect: "Allow", Action: "logs:Describe*", Resource: "*" })], message: /"logs:Describe\*"/ },
    { title: "NotResource", resources: [inline({ Effect: "Allow", Action: "ec2:TerminateInstances", NotResource: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0" })], message: /every resource but those NotResource names/ },
    { title: "a role's inlinePolicies, action in odd case", resources: [ROLE({ Effect: "Allow", Action: "IAM:PassRole", Resource: "*" })], message: /inline policy "ops".*"IAM:PassRole" \(privilege escalation/ },
    { title: "every action (also iam-no-wildcard-actions)", resources: [inline({ Effect: "Allow", Action: "*", Resource: "*" })] },
  ],
  compliant: [
    { title: "the reviewed actions AWS does not scope", resources: [inline(METRICS, { Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "logs:DescribeLogGroups", "route53:ListHostedZones", "secretsmanager:GetRandomPassword"], Resource: "*" }, { Effect: "Allow", Action: ["autoscaling:DescribeAutoScalingInstances", "ec2:Describe*", "xray:PutTraceSegments"], Resource: ["*"] })] },
    { title: "scopable actions on the role's own ARNs", resources: [inline(READ_SECRET, { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::media/*" }, { Effect: "Allow", Action: "autoscaling:CompleteLifecycleAction", Resource: "arn:aws:autoscaling:eu-west-1:*:autoScalingGroup:*:autoScalingGroupName/*" })] },
    { title: "a Deny on *", resources: [inline(READ_SECRET, { Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })] },
    { title: "NotAction (left to iam-no-wildcard-actions)", resources: [inline({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })] },
  ],
  unknown: [
    { title: "the document unknown", resources: [res(T.iamRolePolicy, "x", { role: U, policy: U })] },
    { title: "the resources unknown (ARNs created in this preview)", resources: [inline({ Effect: "Allow", Action: "s3:GetObject", Resource: U })] },
    { title: "a resource unknown in the list", resources: [inline({ Effect: "Allow", Action: "s3:GetObject", Resource: [U, "arn:aws:s3:::media/*"] })] },
    { title: "the actions unknown", resources: [inline({ Effect: "Allow", Action: U, Resource: "*" })] },
    { title: "an action unknown beside a reviewed one", resources: [inline({ Effect: "Allow", Action: [U, "ecr:GetAuthorizationToken"], Resource: "*" })] },
    { title: "the effect unknown", resources: [inline({ Effect: U, Action: "s3:GetObject", Resource: "*" })] },
  ],
});

describe("the actions allowed on every resource (EVERY_RESOURCE_ACTIONS)", () => {
  it("each has a reason, and none escalates privilege, reads data or manages permissions; the one credentials action is the ECR login", () => {
    for (const e of EVERY_RESOURCE_ACTIONS) {
      expect(e.reason.length).toBeGreaterThan(20);
      const risks = riskOf(e.action);
      expect([e.action, risks]).toEqual([e.action, e.action === "ecr:GetAuthorizationToken" ? ["credentials exposure"] : []]);
    }
    for (const a of [...PRIVILEGE_ESCALATION_ACTIONS, ...DATA_EXFILTRATION_ACTIONS, ...CREDENTIALS_EXPOSURE_ACTIONS.filter((x) => x !== "ecr:GetAuthorizationToken")]) {
      expect([a, mayHaveEveryResource(a)]).toEqual([a, false]);
    }
  });

  it("covers a prefix entry's actions, and only those", () => {
    expect(mayHaveEveryResource("autoscaling:DescribeAutoScalingGroups")).toBe(true);
    expect(mayHaveEveryResource("autoscaling:Describe*")).toBe(true);
    expect(mayHaveEveryResource("autoscaling:*")).toBe(false);
    expect(mayHaveEveryResource("ec2:*")).toBe(false);
    expect(mayHaveEveryResource("ecr:Get*")).toBe(false);
    expect(mayHaveEveryResource("ECR:GetAuthorizationToken")).toBe(true);
  });
});

// --- Resource policies open to anyone ----------------------------------------------------------

const ACCOUNT = "123456789012";
const ROOT_ADMIN = { Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" };
const VIA_SERVICES = (Condition: unknown) => ({ Sid: "AccountUsesKeyOnlyThroughDataServices", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", ...(Condition === undefined ? {} : { Condition }) });
const PINNED = { StringEquals: { "kms:CallerAccount": ACCOUNT, "kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com", "rds.eu-west-1.amazonaws.com"] } };
const LOGS = { Sid: "CloudWatchLogs", Effect: "Allow", Principal: { Service: "logs.eu-west-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*"], Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*` } } };
const key = (...statements: object[]) => res(T.kmsKey, "prod-key", { description: "stack key", enableKeyRotation: true, policy: doc(...statements) });

describePolicy({
  policy: "kms-key-policy-no-public-principal",
  violating: [
    { title: "AWS * without a condition", resources: [key(ROOT_ADMIN, VIA_SERVICES(undefined))], message: /key policy, statement "AccountUsesKeyOnlyThroughDataServices": Principal AWS "\*" without a condition that pins the caller/ },
    { title: "Principal * pinned only to a service (kms:ViaService)", resources: [key(ROOT_ADMIN, { ...VIA_SERVICES({ StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } }), Principal: "*" })], message: /Principal "\*" without a condition/ },
    { title: "a negated or IfExists account test does not pin", resources: [key(VIA_SERVICES({ StringNotEquals: { "kms:CallerAccount": "210987654321" }, StringEqualsIfExists: { "aws:PrincipalAccount": ACCOUNT } }))] },
    { title: "an account test with a wildcard value", resources: [key(VIA_SERVICES({ StringLike: { "aws:PrincipalAccount": "*" } }))] },
    { title: "* in a list of principals", resources: [key({ Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/admin`, "*"] }, Action: "kms:Decrypt", Resource: "*" })] },
    { title: "NotPrincipal", resources: [key({ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:Decrypt", Resource: "*" })], message: /NotPrincipal/ },
    { title: "a separate key policy resource", resources: [res(T.kmsKeyPolicy, "prod-key-policy", { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", policy: doc(VIA_SERVICES(undefined)) })] },
  ],
  compliant: [
    { title: "StackKey: the account root, * pinned to the account through the data services, the logs service", resources: [key(ROOT_ADMIN, VIA_SERVICES(PINNED), LOGS)] },
    { title: "* pinned to the organization", resources: [key(ROOT_ADMIN, VIA_SERVICES({ StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } }))] },
    { title: "* pinned to a source ARN of the account (ArnLike)", resources: [key(VIA_SERVICES({ ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:*` } }))] },
    { title: "a Deny with *", resources: [key(ROOT_ADMIN, { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })] },
    { title: "no policy (kms-key-configured asks for one)", resources: [res(T.kmsKey, "k", { description: "x" })] },
  ],
  unknown: [
    { title: "the policy unknown (account looked up in this preview)", resources: [res(T.kmsKey, "k", { policy: U })] },
    { title: "the account value unknown", resources: [key(VIA_SERVICES({ StringEquals: { "kms:CallerAccount": U } }))] },
    { title: "the condition unknown", resources: [key(VIA_SERVICES(U))] },
    { title: "the principal unknown", resources: [key({ Effect: "Allow", Principal: U, Action: "kms:Decrypt", Resource: "*" })] },
  ],
});

const REPO_ARN = `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/prod/shop`;
const PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const repoPolicy = (policy: unknown) => res(T.ecrRepositoryPolicy, "shop-images", { repository: "prod/shop", policy });

describePolicy({
  policy: "ecr-repository-policy-not-public",
  violating: [
    { title: "anyone may pull", resources: [repoPolicy(doc({ Sid: "PublicPull", Effect: "Allow", Principal: "*", Action: PULL }))], message: /repository policy, statement "PublicPull": Principal "\*" without a condition/ },
    { title: "AWS * as an object document", resources: [repoPolicy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: PULL }] })], message: /Principal AWS "\*"/ },
    { title: "a registry policy open to anyone", resources: [res("aws:ecr/registryPolicy:RegistryPolicy", "registry", { policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: ["ecr:ReplicateImage"], Resource: `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/*` }) })], message: /registry policy/ },
    { title: "pinned only by an IP range", resources: [repoPolicy(doc({ Effect: "Allow", Principal: "*", Action: PULL, Condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } } }))] },
  ],
  compliant: [
    { title: "another account's role by ARN", resources: [repoPolicy(doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:role/ci-pull" }, Action: PULL }))] },
    { title: "* pinned to the organization", resources: [repoPolicy(doc({ Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } }))] },
    { title: "a service pinned to its source account", resources: [repoPolicy(doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: PULL, Condition: { StringLike: { "aws:sourceArn": `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:*` } } }))] },
    { title: "a registry policy replicating to a named account", resources: [res("aws:ecr/registryPolicy:RegistryPolicy", "registry", { policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::210987654321:root` }, Action: ["ecr:ReplicateImage", "ecr:CreateRepository"], Resource: REPO_ARN }) })] },
  ],
  unknown: [
    { title: "the policy unknown", resources: [repoPolicy(U)] },
    { title: "the organization unknown", resources: [repoPolicy(doc({ Effect: "Allow", Principal: "*", Action: PULL, Condition: { StringEquals: { "aws:PrincipalOrgID": U } } }))] },
    { title: "the effect unknown", resources: [repoPolicy(doc({ Effect: U, Principal: "*", Action: PULL }))] },
  ],
});

const TOPIC_ARN = `arn:aws:sns:eu-west-1:${ACCOUNT}:prod-alerts`;
const topicPolicy = (...statements: object[]) => res(T.snsTopicPolicy, "prod-alerts", { arn: TOPIC_ARN, policy: doc(...statements) });
const ALARMS_PUBLISH = {
  Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: TOPIC_ARN,
  Condition: { ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:*` }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
};
const TLS_DENY = { Sid: "DenyPublishWithoutTls", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: TOPIC_ARN, Condition: { Bool: { "aws:SecureTransport": "false" } } };
describePolicy({
  policy: "sns-topic-policy-not-public",
  violating: [
    { title: "anyone may publish", resources: [topicPolicy(ALARMS_PUBLISH, { Sid: "AnyonePublishes", Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: TOPIC_ARN })], message: /topic policy, statement "AnyonePublishes": Principal "\*" without a condition/ },
    { title: "anyone may subscribe, through the topic's own policy input", resources: [res(T.snsTopic, "prod-alerts", { policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Subscribe", Resource: TOPIC_ARN }) })], message: /Principal AWS "\*"/ },
    { title: "* with only a TLS condition (not a caller pin)", resources: [topicPolicy({ Sid: "TlsPublish", Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: TOPIC_ARN, Condition: { Bool: { "aws:SecureTransport": "true" } } })], message: /"TlsPublish"/ },
  ],
  compliant: [
    { title: "CloudWatch by service principal, and the TLS deny to everyone (components/monitoring)", resources: [topicPolicy(ALARMS_PUBLISH, TLS_DENY)] },
    { title: "* pinned to the account", resources: [topicPolicy({ Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: TOPIC_ARN, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } })] },
  ],
  unknown: [{ title: "the policy not known yet", resources: [res(T.snsTopicPolicy, "prod-alerts", { arn: U, policy: U })] }],
});
