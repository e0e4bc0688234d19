/**
 * Pure rules for who may assume the artifact publisher role (components/artifact-store.ts):
 * GitHub Actions workflows, by the subject of their OIDC token, through the account's GitHub
 * OIDC provider. No imports, so config/validate.ts checks stack config with the same rules.
 */

/** IAM's default quota for a role's trust policy, in characters (AWS counts it without whitespace). */
const TRUST_POLICY_MAX = 2048;

/** GitHub Actions' OIDC issuer; its provider exists once per account (created outside any stack, see README). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience GitHub's token carries for AWS (aws-actions/configure-aws-credentials' default). */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
/** An IAM OIDC provider ARN for GitHub Actions (an enterprise's own issuer path allowed). */
export const GITHUB_OIDC_PROVIDER_ARN_RE = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com(\/[\w.-]+)?$/;
/**
 * A GitHub Actions OIDC subject that names one repository: repo:<owner>/<repo>: then
 * ref:refs/heads/<branch>, ref:refs/tags/<tag> or environment:<name>. A `*` only inside a branch
 * or tag name, after its first character (refs/tags/v*): never a wildcard owner, repository or
 * context, which would let other repositories' or pull requests' workflows publish.
 */
const GITHUB_SUBJECT_RE = /^repo:[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}:(ref:refs\/(heads|tags)\/[A-Za-z0-9._/-][A-Za-z0-9._/*-]{0,243}|environment:[A-Za-z0-9._-]{1,255})$/;
export const GITHUB_SUBJECT_FORMS = "repo:<owner>/<repo>:ref:refs/heads/<branch>, repo:<owner>/<repo>:ref:refs/tags/<tag> or repo:<owner>/<repo>:environment:<name> (a * only inside a branch or tag name, after its first character)";

/** Pure: why `subject` is not a GitHub Actions subject naming one repository, or undefined. */
export function githubSubjectProblem(subject: string): string | undefined {
  if (GITHUB_SUBJECT_RE.test(subject)) return undefined;
  return `${JSON.stringify(subject)} must be a GitHub Actions OIDC subject naming one repository: ${GITHUB_SUBJECT_FORMS}`;
}

/** Pure: a problem when the publisher role's trust policy would exceed IAM's quota, else undefined. */
export function trustPolicyTooLong(subjects: string[], oidcProviderArn?: string): string | undefined {
  // The longest ARN the default can resolve to, so the check holds before the account is known.
  const arn = oidcProviderArn ?? `arn:aws-us-gov:iam::123456789012:oidc-provider/${GITHUB_OIDC_HOST}`;
  const size = JSON.stringify(publisherTrustPolicy(arn, subjects)).length;
  return size > TRUST_POLICY_MAX
    ? `make a trust policy of ${size} characters, over IAM's ${TRUST_POLICY_MAX}; publish from fewer branches, tags or environments`
    : undefined;
}

/** Who may publish: GitHub Actions workflows, by their OIDC subject. */
export interface ArtifactPublishers {
  /** GitHub Actions OIDC subjects (see githubSubjectProblem). At least one. */
  subjects: string[];
  /**
   * The account's IAM OIDC provider for GitHub Actions.
   * @default `arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com`
   */
  oidcProviderArn?: string;
}

/**
 * Pure: the publisher role's trust policy: GitHub Actions' OIDC tokens minted for AWS, of the
 * given subjects only (StringLike when a subject has a `*`, StringEquals otherwise). The
 * condition keys are the provider's issuer (what follows `oidc-provider/` in its ARN).
 */
export function publisherTrustPolicy(oidcProviderArn: string, subjects: string[]): Record<string, unknown> {
  const issuer = oidcProviderArn.slice(oidcProviderArn.indexOf(":oidc-provider/") + ":oidc-provider/".length);
  const like = subjects.some((s) => s.includes("*"));
  const sub = { [`${issuer}:sub`]: subjects };
  return {
    Version: "2012-10-17",
    Statement: [{
      Sid: "CiAssumesPublisher",
      Effect: "Allow",
      Principal: { Federated: oidcProviderArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { [`${issuer}:aud`]: GITHUB_OIDC_AUDIENCE, ...(like ? {} : sub) },
        ...(like ? { StringLike: sub } : {}),
      },
    }],
  };
}

