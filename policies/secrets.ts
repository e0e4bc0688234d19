/**
 * Secrets: none written into user data, tags, plain parameters or command environments;
 * secret values generated (random provider), never typed into code or config; Secrets
 * Manager secrets encrypted with the stack's own KMS key, and KMS keys rotated (the seeds'
 * ".env (gitignored)" and "secrets not in code" layers, done properly).
 */
import { resourcePolicy, stackPolicy, StackResource } from "./lib/define";
import { isReplica } from "./data";
import { refersTo } from "./lib/refs";
import { SecretFinding, describeFindings, scanText, scanUserData } from "./lib/secret-scan";
import { T } from "./lib/types";
import { UNKNOWN, asBool, stringsIn } from "./lib/values";

const FETCH_AT_BOOT = "keep only the secret's name or ARN in user data and fetch the value at boot with the instance role (aws secretsmanager get-secret-value), then rotate the exposed secret.";

export const userDataNoSecrets = resourcePolicy({
  name: "user-data-no-secrets",
  layer: "secrets",
  summary: "EC2 user data (instances and launch templates, decoded from base64 and gzip) contains no keys, passwords or tokens: anyone who can describe the instance can read it.",
  fix: FETCH_AT_BOOT,
  severity: "critical",
  types: [T.instance, T.launchTemplate],
  check(r, ctx) {
    const findings: SecretFinding[] = [];
    for (const prop of r.type === T.instance ? ["userData", "userDataBase64"] : ["userData"]) { // launch templates: userData only
      const v = r.props[prop];
      if (typeof v === "string" && v !== "") findings.push(...scanUserData(v));
    }
    if (findings.length > 0) ctx.report(`the user data contains ${describeFindings(findings)}. (The values are not repeated here.)`);
  },
});

/** Text of a map as KEY=VALUE lines, so name-based detection sees the key. */
function mapLines(m: unknown): string {
  if (!m || typeof m !== "object") return "";
  return Object.entries(m as Record<string, unknown>)
    .filter(([, v]) => typeof v === "string")
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
}

/** The last segment of a parameter name: "/shop/prod/DB_PASSWORD" -> "DB_PASSWORD". */
function baseName(name: unknown): string {
  return typeof name === "string" ? name.split("/").filter(Boolean).pop() ?? name : "";
}

export const noSecretsInPlainConfig = resourcePolicy({
  name: "no-secrets-in-plain-config",
  layer: "secrets",
  summary: "No secret sits in a place stored or shown in plain text: resource tags, plain (String) SSM parameters, command scripts and environments, Lambda environment variables.",
  fix: "store the value in Secrets Manager (or an SSM SecureString) and pass only its name or ARN; let the consumer read it with its own role.",
  severity: "critical",
  types: ["*"],
  check(r, ctx) {
    const report = (where: string, findings: SecretFinding[]) => {
      if (findings.length > 0) ctx.report(`${where} contain${where.endsWith("s") ? "" : "s"} ${describeFindings(findings)}. (The values are not repeated here.)`);
    };
    if (r.tags && r.tags !== UNKNOWN) report("the tags", scanText(mapLines(r.tags), 1));
    if (r.type === T.ssmParameter) {
      const type = r.props.type;
      if (type === UNKNOWN || type === "SecureString") return;
      const value = r.props.value ?? r.props.insecureValue;
      const name = baseName(r.props.name);
      if (typeof value === "string" && value !== "") {
        const findings = scanText(`${name || "value"}=${value}`, 1);
        if (findings.length > 0) {
          ctx.report(`the plain ${type ?? "String"} parameter holds ${describeFindings(findings).replace(/ \(line.*?\)/g, "")}.`, "make it a SecureString parameter (type: \"SecureString\", keyId: the stack key) or move it to Secrets Manager.");
        }
      }
      return;
    }
    if (r.type === T.remoteCommand || r.type === T.localCommand) {
      for (const prop of ["create", "update", "delete", "stdin"]) {
        const v = r.props[prop];
        if (typeof v === "string") report(`the ${prop} script`, scanText(v, 2));
      }
      report("the environment", scanText(mapLines(r.props.environment), 1));
      return;
    }
    if (r.type === T.lambdaFunction) {
      const env = r.props.environment;
      if (env && env !== UNKNOWN) report("the environment variables", scanText(mapLines(env.variables), 1));
    }
  },
});

export const kmsKeyRotation = resourcePolicy({
  name: "kms-key-rotation",
  layer: "secrets",
  summary: "Symmetric KMS keys rotate their key material automatically (yearly by default).",
  fix: "set enableKeyRotation: true on the key (rotationPeriodInDays optional, 90-2560).",
  types: [T.kmsKey],
  check(r, ctx) {
    const usage = r.props.keyUsage;
    const spec = r.props.customerMasterKeySpec; // aws.kms.Key has no keySpec
    if (usage === UNKNOWN || spec === UNKNOWN) return;
    if ((usage ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT" || (spec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT") return; // asymmetric and HMAC keys cannot rotate
    const on = asBool(r.props.enableKeyRotation);
    if (on === UNKNOWN || on === true) return;
    ctx.report("automatic key rotation is off.");
  },
});

export const kmsKeyConfigured = resourcePolicy({
  name: "kms-key-configured",
  layer: "secrets",
  summary: "Every KMS key is enabled, says what it protects (description), carries an explicit key policy (not KMS's default), and never bypasses the policy lockout safety check (a policy that locks everyone out makes the data it encrypts unrecoverable).",
  fix: "give the key a description and a policy (components/kms StackKey writes both), leave isEnabled and bypassPolicyLockoutSafetyCheck unset.",
  types: [T.kmsKey],
  check(r, ctx) {
    const p = r.props;
    if (asBool(p.bypassPolicyLockoutSafetyCheck) === true) ctx.report("the key's policy skips the lockout safety check (bypassPolicyLockoutSafetyCheck), so it may lock every principal out of the key.");
    if (asBool(p.isEnabled) === false) ctx.report("the key is disabled (isEnabled: false): everything it encrypts is unreadable until it is enabled again.");
    if (p.description !== UNKNOWN && (typeof p.description !== "string" || p.description.trim() === "")) ctx.report("the key has no description of what it protects.");
    if (p.policy !== UNKNOWN && (typeof p.policy !== "string" || p.policy.trim() === "")) ctx.report("the key has no policy of its own, so KMS's default (the whole account, through IAM) applies.");
  },
});

export const secretsUseStackKey = stackPolicy<{ allowedKeyIds: string[] }>({
  name: "secrets-use-stack-key",
  layer: "secrets",
  summary: "Every Secrets Manager secret is encrypted with the stack's own KMS key (not the AWS managed aws/secretsmanager key), so access needs both the secret's and the key's policy.",
  fix: "set kmsKeyId on the secret to the stack key's ARN (components/secrets creates the key and passes it).",
  schema: { allowedKeyIds: { type: "array", items: { type: "string" }, default: [], description: "Key ids, ARNs or aliases outside the stack that secrets may use." } },
  defaults: { allowedKeyIds: [] },
  check(ctx) {
    const keys = [...ctx.ofType(T.kmsKey), ...ctx.ofType(T.kmsAlias)];
    for (const s of ctx.ofType(T.secret)) {
      const key = s.props.kmsKeyId;
      if (key === undefined || key === null || key === "" || key === "alias/aws/secretsmanager") {
        ctx.report(s, "the secret is encrypted with the AWS managed key aws/secretsmanager, which every principal with secretsmanager access in the account can use.");
        continue;
      }
      if (key === UNKNOWN) continue; // built from a key created in this preview
      if (ctx.config.allowedKeyIds.includes(key)) continue;
      if (keys.some((k) => refersTo(key, k, s, "kmsKeyId") === true)) continue;
      ctx.report(s, `the secret is encrypted with key "${key}", which is not a key of this stack.`);
    }
  },
});

const GENERATORS = [
  "random:index/randomPassword:RandomPassword",
  "random:index/randomString:RandomString",
  "random:index/randomBytes:RandomBytes",
  "random:index/randomId:RandomId",
  "random:index/randomUuid:RandomUuid",
  "tls:index/privateKey:PrivateKey",
];

const PLACEHOLDER = /^(?:change[-_ ]?me|replace[-_ ]?me|placeholder|set[-_ ]?me|todo|tbd|pending|unset|<[^>]*>)$/i;

/** A value that is only placeholders (text, or JSON whose values are all placeholders or empty). */
function isPlaceholder(v: string): boolean {
  if (PLACEHOLDER.test(v.trim()) || v.trim() === "" || v.trim() === "{}") return true;
  try {
    const parsed = JSON.parse(v);
    if (parsed && typeof parsed === "object") return stringsIn(parsed).every((x) => x === "" || PLACEHOLDER.test(x.trim()));
  } catch {
    // not JSON
  }
  return false;
}

export const secretsGenerated = stackPolicy<{ generatorTypes: string[] }>({
  name: "secrets-generated",
  layer: "secrets",
  summary: "Secret values (Secrets Manager versions, database master passwords, Redis AUTH tokens) are generated by a random resource, never typed into code or config. Operator-filled secrets are placeholders with ignoreChanges.",
  fix: "derive the value from a random.RandomPassword (or let RDS manage it with manageMasterUserPassword); for a value an operator provides (a Stripe key), create a placeholder version with ignoreChanges: [\"secretString\"] and fill it in the console or CLI.",
  schema: { generatorTypes: { type: "array", items: { type: "string" }, default: GENERATORS, description: "Resource types whose outputs count as generated secret material." } },
  defaults: { generatorTypes: GENERATORS },
  check(ctx) {
    const generated = (r: StackResource) => r.dependencies.some((d) => ctx.config.generatorTypes.includes(d.type));
    for (const v of ctx.ofType(T.secretVersion)) {
      const prop = v.props.secretString !== undefined ? "secretString" : v.props.secretBinary !== undefined ? "secretBinary" : undefined;
      if (!prop) continue;
      if ((v.opts.ignoreChanges ?? []).includes(prop)) continue;
      const value = v.props[prop];
      if (value === UNKNOWN || generated(v)) continue;
      if (typeof value === "string" && isPlaceholder(value)) continue;
      ctx.report(v, `the secret value (${prop}) is typed into the program or its config rather than generated.`);
    }
    for (const db of ctx.ofType(T.rdsInstance, T.rdsCluster)) {
      if (asBool(db.props.manageMasterUserPassword) === true) continue;
      const pw = db.type === T.rdsCluster ? db.props.masterPassword : db.props.password;
      if (pw === undefined || pw === null || pw === UNKNOWN || generated(db)) continue;
      ctx.report(db, "the master password is typed into the program or its config rather than generated.");
    }
    for (const rg of ctx.ofType(T.replicationGroup)) {
      const token = rg.props.authToken;
      if (token === undefined || token === null || token === UNKNOWN || generated(rg)) continue;
      ctx.report(rg, "the AUTH token is typed into the program or its config rather than generated.");
    }
  },
});

export const secretsRotated = stackPolicy<{ generatorTypes: string[] }>({
  name: "secrets-rotated",
  layer: "secrets",
  summary: "Every generated credential rotates: a Secrets Manager secret holding generated material has a rotation schedule (or is written by the rotation function of one), database master passwords rotate (RDS-managed, or a rotated secret built from the database), and Redis AUTH tokens rotate.",
  fix: "add an aws.secretsmanager.SecretRotation with a rotation function for the secret (for an RDS master password: manageMasterUserPassword, or a rotation function that sets it and rewrites the secret); a credential that cannot rotate yet needs a named exemption saying why.",
  schema: { generatorTypes: { type: "array", items: { type: "string" }, default: GENERATORS, description: "Resource types whose outputs count as generated secret material." } },
  defaults: { generatorTypes: GENERATORS },
  check(ctx) {
    const generated = (r: StackResource) => r.dependencies.some((d) => ctx.config.generatorTypes.includes(d.type));
    const rotations = ctx.ofType(T.secretRotation);
    const functions = ctx.ofType(T.lambdaFunction);
    const versions = ctx.ofType(T.secretVersion);
    const link = (value: unknown, target: StackResource, holder: StackResource, prop: string) => refersTo(value, target, holder, prop);
    /** true, false, or UNKNOWN when a rotation's secret (or function) is not known yet. */
    const rotatedSecret = (secret: StackResource, mirrors = true): boolean | typeof UNKNOWN => {
      let maybe = false;
      for (const rot of rotations) {
        const direct = link(rot.props.secretId, secret, rot, "secretId");
        if (direct === true) return true;
        if (direct === UNKNOWN) maybe = true;
        if (!mirrors) continue;
        // A secret its rotation function writes too (the operators' copy of a database password).
        for (const fn of functions.filter((f) => link(rot.props.rotationLambdaArn, f, rot, "rotationLambdaArn") === true)) {
          const vars = fn.props.environment === UNKNOWN ? UNKNOWN : fn.props.environment?.variables;
          if (vars === UNKNOWN) { maybe = true; continue; }
          for (const v of Object.values(vars ?? {})) {
            const r = link(v, secret, fn, "environment");
            if (r === true) return true;
            if (r === UNKNOWN) maybe = true;
          }
        }
      }
      return maybe ? UNKNOWN : false;
    };
    /** The secrets a version belongs to; with `maybe`, also those it may belong to (secretId unknown). */
    const secretsOf = (v: StackResource, maybe = false) => ctx.ofType(T.secret).filter((s) => {
      const r = link(v.props.secretId, s, v, "secretId");
      return r === true || (maybe && r === UNKNOWN);
    });

    for (const secret of ctx.ofType(T.secret)) {
      const holdsGenerated = versions.some((v) => generated(v) && secretsOf(v).includes(secret));
      if (!holdsGenerated) continue;
      if (rotatedSecret(secret) === false) ctx.report(secret, "it holds a generated credential that never rotates: no rotation schedule names it, nor does a rotation function write it.");
    }
    for (const db of ctx.ofType(T.rdsInstance, T.rdsCluster)) {
      if (isReplica(db)) continue; // a replica shares its source's credentials
      const managed = asBool(db.props.manageMasterUserPassword);
      if (managed === true || managed === UNKNOWN) continue;
      if ((db.type === T.rdsCluster ? db.props.masterPassword : db.props.password) === undefined) continue;
      // Rotated when some rotated secret's value was built from this database (its host, port).
      const built = versions.filter((v) => v.dependencies.includes(db)).flatMap((v) => secretsOf(v, true));
      // Rotated itself: a copy the function writes does not set the database's password.
      const verdicts = built.map((x) => rotatedSecret(x, false));
      if (verdicts.includes(true) || verdicts.includes(UNKNOWN)) continue;
      ctx.report(db, "its master password never rotates: set manageMasterUserPassword, or rotate a secret built from this database with a function that sets its password.");
    }
    for (const rg of ctx.ofType(T.replicationGroup)) {
      if (rg.props.authToken === undefined || rg.props.authToken === null || rg.props.authToken === UNKNOWN) continue;
      if (!generated(rg)) continue; // secrets-generated reports a typed token
      ctx.report(rg, "its AUTH token never rotates.", "ElastiCache rotates a token with authTokenUpdateStrategy ROTATE then SET, with every client moved to the new token in between; until that is automated, give the group a named exemption saying so.");
    }
  },
});

export const secretsDescribed = resourcePolicy({
  name: "secrets-described",
  layer: "secrets",
  summary: "Every Secrets Manager secret has a description saying what it is and who uses it, so whoever rotates, restores or deletes it knows what breaks.",
  fix: "set description (components/app-secrets storeSecret takes one for every secret it stores).",
  severity: "low",
  types: [T.secret],
  check(r, ctx) {
    const d = r.props.description;
    if (d === UNKNOWN) return;
    if (typeof d !== "string" || d.trim() === "") ctx.report("the secret has no description.");
  },
});

export const SECRETS_POLICIES = [userDataNoSecrets, noSecretsInPlainConfig, kmsKeyRotation, kmsKeyConfigured, secretsUseStackKey, secretsGenerated, secretsRotated, secretsDescribed];
