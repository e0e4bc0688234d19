import { AppSecrets } from "../components/app-secrets";
import { PLACEHOLDER_PREFIX } from "../components/secret-library";
import { contextFrom, loadStackConfig, PROFILES } from "../config";
import { StackKey } from "../components/kms";
import { Recording, record } from "./harness";

const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const EXTRA_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/saas-platform/DATABASE-AbCdEf";

/** Builds the saas-platform app's bundle (Django + two Stripe placeholders) from the real stack file. */
async function recordSaas(stack: "prod" | "staging"): Promise<Recording> {
  return record(() => {
    const config = loadStackConfig();
    const ctx = contextFrom(config);
    const app = config.apps.find((a) => a.name === "saas-platform")!;
    const key = new StackKey(stack, { ctx });
    // Protected as architectures/app-data.ts maps it from the environment's profile.
    const secrets = new AppSecrets(app.name, { ctx, protect: PROFILES[ctx.environment].protectData, appName: app.name, kinds: app.secrets, kmsKeyArn: key.keyArn, extraReadableSecretArns: [EXTRA_ARN] });
    return { policy: secrets.readPolicyJson, names: secrets.secretNames, placeholders: secrets.placeholders };
  }, { stack });
}

function versionOf(rec: Recording, secret: { id: string }) {
  return rec.ofType(VERSION).find((v) => v.inputs.secretId === secret.id)!;
}

describe.each([
  ["prod", 30, true],
  ["staging", 0, false],
] as const)("app secrets in %s", (stack, recoveryWindow, protect) => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await recordSaas(stack);
  });

  it("creates one secret per configured kind, named by a stable path, described, encrypted with the stack key", () => {
    const keyArn = rec.one("aws:kms/key:Key").outputs.arn;
    const secrets = rec.ofType(SECRET);
    expect(secrets.map((s) => s.inputs.name).sort()).toEqual(
      ["DJANGO_SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"].map((k) => `${stack}/saas-platform/${k}`));
    for (const s of secrets) {
      expect(s.inputs.kmsKeyId).toBe(keyArn);
      expect(s.inputs.description).toMatch(/^saas-platform: \w.{10,}/);
      expect(s.inputs.recoveryWindowInDays).toBe(recoveryWindow);
    }
  });

  it("generates the Django key with URL- and shell-safe characters only", () => {
    const pw = rec.one(PASSWORD);
    expect(pw.name).toBe("saas-platform-django-secret-key");
    expect(pw.inputs).toMatchObject({ length: 64, lower: true, upper: true, numeric: true, special: true, overrideSpecial: "-_" });
    expect(pw.outputs.result).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const django = rec.ofType(SECRET).find((s) => s.inputs.name.endsWith("/DJANGO_SECRET_KEY"))!;
    const version = versionOf(rec, django);
    expect(version.inputs.secretString).toBe(pw.outputs.result);
    expect(version.options.ignoreChanges).toEqual([]);
  });

  it("stores Stripe values as marked placeholders that Pulumi never overwrites", () => {
    expect(rec.outputs.placeholders).toEqual(["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]);
    for (const s of rec.ofType(SECRET).filter((x) => x.inputs.name.includes("STRIPE"))) {
      const version = versionOf(rec, s);
      expect(version.inputs.secretString.startsWith(`${PLACEHOLDER_PREFIX}: `)).toBe(true);
      expect(version.options.ignoreChanges.sort()).toEqual(["secretString", "versionStages"]);
      expect(version.secretPaths).toContain("secretString");
    }
  });

  it("sends every value to AWS only as a Pulumi secret", () => {
    const versions = rec.ofType(VERSION);
    expect(versions).toHaveLength(3);
    for (const v of versions) expect(v.secretPaths).toContain("secretString");
    for (const s of rec.ofType(SECRET)) expect(s.secretPaths).toEqual([]);
  });

  it(`protects secrets, values and generators ${protect ? "in prod" : "nowhere in staging"}`, () => {
    for (const r of [...rec.ofType(SECRET), ...rec.ofType(VERSION), ...rec.ofType(PASSWORD)]) expect(r.options.protect).toBe(protect);
  });

  it("reads only this app's secrets by exact ARN and decrypts only through Secrets Manager", () => {
    const doc = JSON.parse(rec.outputs.policy as string);
    const [read, decrypt] = doc.Statement;
    expect(read.Action).toEqual(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
    expect(read.Resource).toEqual([...rec.ofType(SECRET).map((s) => s.outputs.arn), EXTRA_ARN].sort());
    expect(read.Resource.some((r: string) => r.includes("*"))).toBe(false);
    expect(decrypt).toEqual({
      Sid: "DecryptThroughSecretsManager", Effect: "Allow", Action: "kms:Decrypt",
      Resource: rec.one("aws:kms/key:Key").outputs.arn,
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
    });
    expect(doc.Statement).toHaveLength(2);
  });
});

describe("app secrets for every app of the prod stack file", () => {
  it("creates exactly the kinds each app lists, with a generator for each generated kind", async () => {
    const rec = await record(() => {
      const config = loadStackConfig();
      const ctx = contextFrom(config);
      for (const app of config.apps) new AppSecrets(app.name, { ctx, appName: app.name, kinds: app.secrets, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k" });
    }, { stack: "prod" });
    const names = rec.ofType(SECRET).map((s) => s.inputs.name);
    expect(names.sort()).toEqual([
      "prod/avanii-shop/SECRET_KEY", "prod/flashbill/JWT_SIGNING_KEY",
      "prod/investment-platform/DJANGO_SECRET_KEY", "prod/investment-platform/JWT_SIGNING_KEY",
      "prod/saas-platform/DJANGO_SECRET_KEY", "prod/saas-platform/STRIPE_SECRET_KEY", "prod/saas-platform/STRIPE_WEBHOOK_SECRET",
      "prod/smartboostpro/DJANGO_SECRET_KEY",
    ]);
    const generated = rec.ofType(PASSWORD);
    expect(generated).toHaveLength(6);
    for (const pw of generated) expect(pw.outputs.result).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });
});

describe("app settings kept in Secrets Manager", () => {
  it("stores them as one JSON secret beside the app's secrets, readable by the same policy", async () => {
    const rec = await record(() => {
      const ctx = contextFrom(loadStackConfig());
      const secrets = new AppSecrets("shop", { ctx, protect: true, appName: "shop", kinds: ["FLASK_SECRET_KEY"], kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k", settings: { FLASK_ENV: "production", LOG_LEVEL: "info" } });
      return { policy: secrets.readPolicyJson, settings: secrets.settingsSecret };
    }, { stack: "prod" });
    const secret = rec.ofType(SECRET).find((s) => s.name === "shop-settings")!;
    expect(secret.inputs).toMatchObject({ name: "prod/shop/SETTINGS", kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k", recoveryWindowInDays: 30 });
    expect(secret.inputs.description).toMatch(/non-secret settings \(FLASK_ENV, LOG_LEVEL\)/);
    expect(JSON.parse(versionOf(rec, secret).inputs.secretString)).toEqual({ FLASK_ENV: "production", LOG_LEVEL: "info" });
    expect(versionOf(rec, secret).options.ignoreChanges).toEqual([]); // config owns the value: a change is applied
    expect(rec.outputs.settings).toEqual({ name: "prod/shop/SETTINGS", arn: secret.outputs.arn });
    expect(JSON.parse(rec.outputs.policy as string).Statement[0].Resource).toContain(secret.outputs.arn);
  });

  it("rejects empty settings and names the host could not export", async () => {
    await record(() => {
      const ctx = contextFrom(loadStackConfig());
      const base = { ctx, appName: "shop", kinds: ["FLASK_SECRET_KEY" as const], kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k" };
      expect(() => new AppSecrets("a", { ...base, settings: {} })).toThrow(/AppSecrets: args\.settings is empty/);
      expect(() => new AppSecrets("b", { ...base, settings: { flask_env: "x", OK: "y" } })).toThrow(/args\.settings has keys flask_env; hosts export only upper-case/);
    });
  });
});

describe("app secrets arguments", () => {
  it("rejects unknown kinds, duplicates and bad recovery windows at once", async () => {
    await record(() => {
      const ctx = contextFrom(loadStackConfig());
      const base = { ctx, appName: "shop", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k" };
      expect(() => new AppSecrets("a", { ...base, kinds: ["AWS_SECRET" as any] })).toThrow(/AppSecrets: args\.kinds contains unknown kinds AWS_SECRET; allowed: DJANGO_SECRET_KEY/);
      expect(() => new AppSecrets("b", { ...base, kinds: ["FLASK_SECRET_KEY", "FLASK_SECRET_KEY"] })).toThrow(/args\.kinds lists a kind twice/);
      expect(() => new AppSecrets("c", { ...base, kinds: ["FLASK_SECRET_KEY"], recoveryWindowInDays: 3 })).toThrow(/args\.recoveryWindowInDays must be 0 \(delete at once\) or 7-30 days, got 3/);
      expect(() => new AppSecrets("d", { ...base, kinds: [] })).toThrow(/args\.kinds is empty/);
      expect(() => new AppSecrets("e", { ...base, appName: "Shop_1", kinds: ["FLASK_SECRET_KEY"] })).toThrow(/args\.appName app names are .*"Shop_1" has upper-case letters/);
    });
  });
});
