/**
 * The secret library every component that keeps a value in Secrets Manager shares: the app
 * secret kinds and their specs, the safe character set of generated values, stable secret
 * names, recovery windows, storing a value (encrypted with the stack key), generated
 * passwords, and the IAM policy that reads exactly the given secrets. The AppSecrets
 * component (./app-secrets) builds an app's bundle from these.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PlatformContext, invalidArg } from "./common";

/** Secrets an app can ask for; each is generated (or a placeholder the operator fills in). */
export const APP_SECRET_KINDS = [
  "DJANGO_SECRET_KEY",
  "FLASK_SECRET_KEY",
  "JWT_SIGNING_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "STRIPE_SECRET_KEY",
] as const;
export type AppSecretKind = (typeof APP_SECRET_KINDS)[number];

/**
 * Specials in generated values: URL-, shell-, .env- and systemd-safe, and accepted by every
 * service here. 64 characters over [A-Za-z0-9_-] carry about 380 bits.
 */
export const SAFE_SPECIALS = "-_";

/** Every placeholder value starts with this, so hosts and reviewers can tell it was never set. */
export const PLACEHOLDER_PREFIX = "SET-ME";

/**
 * The environment variable each kind becomes on the host (the secret's last name segment):
 * Flask reads its key as SECRET_KEY, as the Avanii seed's environment shows.
 */
export const ENV_VARIABLE: Record<AppSecretKind, string> = {
  DJANGO_SECRET_KEY: "DJANGO_SECRET_KEY",
  FLASK_SECRET_KEY: "SECRET_KEY",
  JWT_SIGNING_KEY: "JWT_SIGNING_KEY",
  STRIPE_WEBHOOK_SECRET: "STRIPE_WEBHOOK_SECRET",
  STRIPE_SECRET_KEY: "STRIPE_SECRET_KEY",
};

export interface SecretKindSpec {
  description: string;
  /** Generated with this many characters; undefined for placeholders the operator sets. */
  length?: number;
}

/** What each kind is, and how long its generated value is. */
export const APP_SECRET_SPECS: Record<AppSecretKind, SecretKindSpec> = {
  DJANGO_SECRET_KEY: { description: "Django SECRET_KEY (sessions, CSRF, signing)", length: 64 },
  FLASK_SECRET_KEY: { description: "Flask SECRET_KEY (session cookie signing)", length: 64 },
  JWT_SIGNING_KEY: { description: "HMAC key signing the API's JWTs (HS256/HS512)", length: 64 },
  STRIPE_WEBHOOK_SECRET: { description: "Stripe webhook signing secret (whsec_...), set by the operator from the Stripe dashboard" },
  STRIPE_SECRET_KEY: { description: "Stripe API secret key (sk_...), set by the operator from the Stripe dashboard" },
};

/**
 * Days Secrets Manager keeps a deleted secret. Prod 30 (the maximum: a deleted secret can be
 * restored). Staging 0 (delete at once): secret names are stable paths, and a name stays taken
 * for the whole recovery window, so with any window a destroyed staging stack could not be
 * rebuilt for days. Staging values are generated again anyway. `protected`: the secrets' owner
 * protects its data (prod).
 */
export function defaultRecoveryWindowDays(protectedData: boolean): number {
  return protectedData ? 30 : 0;
}

/** The stable Secrets Manager name of an app's secret: `<stack>/<app>/<part>/...`. */
export function secretName(ctx: PlatformContext, appName: string, ...parts: string[]): string {
  return [ctx.stack, appName, ...parts].join("/");
}

export function checkRecoveryWindow(component: string, days: number): void {
  if (!Number.isInteger(days) || (days !== 0 && (days < 7 || days > 30))) {
    invalidArg(component, "recoveryWindowInDays", `must be 0 (delete at once) or 7-30 days, got ${days}`);
  }
}

export interface StoredSecretOptions {
  /** Protect the secret and its value (`protect`; prod). @default false */
  protect?: boolean;
  /** Full Secrets Manager name (see secretName). */
  secretName: string;
  description: string;
  kmsKeyArn: pulumi.Input<string>;
  recoveryWindowInDays: number;
  /** The value; must be a Pulumi secret (it is wrapped again to be sure). */
  value: pulumi.Input<string>;
  /**
   * Who owns the value after creation: "pulumi" (every update puts a new version), "operator"
   * (a placeholder the operator fills with put-secret-value) or "rotation" (a rotation function
   * puts each new version). For the last two, Pulumi never diffs or overwrites the value: it
   * would put back a value AWS no longer holds.
   * @default "pulumi"
   */
  owner?: "pulumi" | "operator" | "rotation";
}

export interface StoredSecret {
  secret: aws.secretsmanager.Secret;
  version: aws.secretsmanager.SecretVersion;
}

/**
 * A Secrets Manager secret encrypted with the stack key, and its value. The secret itself
 * depends on nothing but the key, so a host policy built from its ARN never waits for the
 * database or cache the value describes; only the version does.
 */
export function storeSecret(name: string, o: StoredSecretOptions, parent: pulumi.Resource): StoredSecret {
  const secret = new aws.secretsmanager.Secret(name, {
    name: o.secretName,
    description: o.description,
    kmsKeyId: o.kmsKeyArn,
    recoveryWindowInDays: o.recoveryWindowInDays,
  }, { parent, protect: o.protect ?? false });
  const version = new aws.secretsmanager.SecretVersion(name, {
    secretId: secret.id,
    secretString: pulumi.secret(o.value),
  }, {
    parent,
    protect: o.protect ?? false,
    ignoreChanges: (o.owner ?? "pulumi") === "pulumi" ? undefined : ["secretString", "versionStages"],
  });
  return { secret, version };
}

/** A generated password; `protect` (prod) keeps it from being regenerated by accident. */
export function generatedPassword(
  name: string,
  protect: boolean,
  parent: pulumi.Resource,
  spec: { length: number; overrideSpecial: string },
): random.RandomPassword {
  return new random.RandomPassword(name, {
    length: spec.length,
    lower: true,
    upper: true,
    numeric: true,
    special: spec.overrideSpecial.length > 0,
    overrideSpecial: spec.overrideSpecial || undefined,
  }, { parent, protect });
}

export interface SecretReadPolicyArgs {
  /** Exact ARNs of the secrets the reader may fetch. */
  secretArns: pulumi.Input<string>[];
  /** The stack key the secrets are encrypted with. */
  kmsKeyArn: pulumi.Input<string>;
  region: string;
}

/**
 * An IAM policy document (JSON) that reads only the given secrets, by exact ARN, and
 * decrypts with the stack key only through Secrets Manager.
 */
export function secretReadPolicy(args: SecretReadPolicyArgs): pulumi.Output<string> {
  if (args.secretArns.length === 0) invalidArg("secretReadPolicy", "secretArns", "must list at least one secret ARN");
  if (args.secretArns.some((a) => typeof a === "string" && a.includes("*"))) invalidArg("secretReadPolicy", "secretArns", "must be exact ARNs, without wildcards");
  return pulumi.all([pulumi.all(args.secretArns), args.kmsKeyArn]).apply(([arns, keyArn]) => {
    if (arns.some((a) => a.includes("*"))) invalidArg("secretReadPolicy", "secretArns", "must be exact ARNs, without wildcards");
    return JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadOwnSecrets",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          Resource: [...new Set(arns)].sort(),
        },
        {
          Sid: "DecryptThroughSecretsManager",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: keyArn,
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
        },
      ],
    });
  });
}
