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
