/**
 * An app's secret bundle (AppSecrets), built from the secret library (./secret-library).
 */
import * as pulumi from "@pulumi/pulumi";
import { checkAppName } from "../lib/names";
import { PlatformContext, invalidArg, typeToken } from "./common";
import {
  APP_SECRET_KINDS, APP_SECRET_SPECS, AppSecretKind, ENV_VARIABLE, PLACEHOLDER_PREFIX, SAFE_SPECIALS,
  checkRecoveryWindow, defaultRecoveryWindowDays, generatedPassword, secretName, secretReadPolicy, storeSecret,
} from "./secret-library";

export interface AppSecretsArgs {
  ctx: PlatformContext;
  /** The app's name (config key); the secrets are named `<stack>/<appName>/<KIND>`. Required. */
  appName: string;
  /** Secrets to create (AppConfig.secrets). Required; may be empty only with extraReadableSecretArns. */
  kinds: AppSecretKind[];
  /** ARN of the stack key the secrets are encrypted with. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** Protect the secrets and generated values (`protect`; the architectures set it in prod). @default false */
  protect?: boolean;
  /** Days a deleted secret can be restored: 0 or 7-30. @default 30 when protected, else 0 (defaultRecoveryWindowDays) */
  recoveryWindowInDays?: number;
  /**
   * Other secrets of the same app the hosts must read (database connection, Redis auth), added
   * to readPolicyJson.
   * @default []
   */
  extraReadableSecretArns?: pulumi.Input<string>[];
  /**
   * Non-secret settings (AppConfig.env) the app's runbook keeps in Secrets Manager, stored
   * as one JSON secret `<stack>/<appName>/SETTINGS` that hosts expand into variables. Their
   * value comes from config, so the pack's `secrets-generated` policy needs a named exemption
   * for this secret (policies/config).
   * @default none
   */
  settings?: Record<string, string>;
}

/** Last name segment of the settings secret (the host expands its JSON keys). */
const SETTINGS_SECRET = "SETTINGS";

/**
 * An app's secret bundle: one Secrets Manager secret per kind, generated with @pulumi/random
 * (Stripe values are placeholders the operator sets and Pulumi never overwrites), plus the
 * IAM policy document that lets the app's hosts read exactly these secrets.
 */
export class AppSecrets extends pulumi.ComponentResource {
  /** Secret ARN per kind. */
  readonly secretArns: Partial<Record<AppSecretKind, pulumi.Output<string>>>;
  /** Secrets Manager name per kind (stable: `<stack>/<app>/<KIND>`), for host boot scripts. */
  readonly secretNames: Partial<Record<AppSecretKind, string>>;
  /** Kinds whose value the operator must set (their current value starts with PLACEHOLDER_PREFIX). */
  readonly placeholders: AppSecretKind[];
  /** The settings secret's name and ARN, when `settings` were given. */
  readonly settingsSecret?: { name: string; arn: pulumi.Output<string> };
  /** IAM policy JSON reading only this app's secrets (and extraReadableSecretArns). */
  readonly readPolicyJson: pulumi.Output<string>;

  constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("secrets", "AppSecrets"), name, {}, opts);
    const { ctx } = args;
    const protect = args.protect ?? false;
    const recoveryWindowInDays = args.recoveryWindowInDays ?? defaultRecoveryWindowDays(protect);
    const extra = args.extraReadableSecretArns ?? [];
    const nameProblem = checkAppName(args.appName, ctx.stack);
    if (nameProblem) invalidArg("AppSecrets", "appName", nameProblem);
    const unknown = args.kinds.filter((k) => !APP_SECRET_KINDS.includes(k));
    if (unknown.length > 0) invalidArg("AppSecrets", "kinds", `contains unknown kinds ${unknown.join(", ")}; allowed: ${APP_SECRET_KINDS.join(", ")}`);
    if (new Set(args.kinds).size !== args.kinds.length) invalidArg("AppSecrets", "kinds", "lists a kind twice");
    const settings = args.settings;
    if (settings !== undefined && Object.keys(settings).length === 0) invalidArg("AppSecrets", "settings", "is empty: leave it out rather than store an empty secret");
    const badKeys = Object.keys(settings ?? {}).filter((k) => !/^[A-Z_][A-Z0-9_]*$/.test(k));
    if (badKeys.length > 0) invalidArg("AppSecrets", "settings", `has keys ${badKeys.join(", ")}; hosts export only upper-case variable names (letters, digits, _)`);
    if (args.kinds.length === 0 && extra.length === 0 && settings === undefined) invalidArg("AppSecrets", "kinds", "is empty and there are no extraReadableSecretArns: nothing to read");
    checkRecoveryWindow("AppSecrets", recoveryWindowInDays);

    this.secretArns = {};
    this.secretNames = {};
    this.placeholders = [];
    const arns: pulumi.Output<string>[] = [];
    for (const kind of args.kinds) {
      const spec = APP_SECRET_SPECS[kind];
      const child = `${name}-${kind.toLowerCase().replace(/_/g, "-")}`;
      const value: pulumi.Input<string> = spec.length !== undefined
        ? generatedPassword(child, protect, this, { length: spec.length, overrideSpecial: SAFE_SPECIALS }).result
        : pulumi.secret(`${PLACEHOLDER_PREFIX}: put the real ${kind} here with aws secretsmanager put-secret-value; Pulumi never overwrites it`);
      if (spec.length === undefined) this.placeholders.push(kind);
      const fullName = secretName(ctx, args.appName, ENV_VARIABLE[kind]);
      const { secret } = storeSecret(child, {
        protect,
        secretName: fullName,
        description: `${args.appName}: ${spec.description}`,
        kmsKeyArn: args.kmsKeyArn,
        recoveryWindowInDays,
        value,
        owner: spec.length === undefined ? "operator" : "pulumi",
      }, this);
      this.secretArns[kind] = secret.arn;
      arns.push(secret.arn);
      this.secretNames[kind] = fullName;
    }

    if (settings !== undefined) {
      const fullName = secretName(ctx, args.appName, SETTINGS_SECRET);
      const { secret } = storeSecret(`${name}-settings`, {
        protect,
        secretName: fullName,
        description: `${args.appName}: non-secret settings (${Object.keys(settings).sort().join(", ")}) kept beside the app's secrets`,
        kmsKeyArn: args.kmsKeyArn,
        recoveryWindowInDays,
        value: JSON.stringify(settings),
      }, this);
      this.settingsSecret = { name: fullName, arn: secret.arn };
      arns.push(secret.arn);
    }

    this.readPolicyJson = secretReadPolicy({
      secretArns: [...arns, ...extra],
      kmsKeyArn: args.kmsKeyArn,
      region: ctx.region,
    });
    this.registerOutputs({ secretArns: this.secretArns, readPolicyJson: this.readPolicyJson });
  }
}
