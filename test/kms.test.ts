import { contextFrom, loadStackConfig } from "../config";
import { KEY_VIA_SERVICES, StackKey, stackKeyPolicy } from "../components/kms";
import { record } from "./harness";
import { ACCOUNT_ID } from "./harness/outputs";

const KEY = "aws:kms/key:Key";
const ALIAS = "aws:kms/alias:Alias";

async function recordKey(stack: "prod" | "staging") {
  return record(() => {
    // The architectures protect the key in prod (stacks.test.ts checks the mapping).
    const key = new StackKey(stack, { ctx: contextFrom(loadStackConfig()), protect: stack === "prod" });
    return { keyArn: key.keyArn, aliasName: key.aliasName };
  }, { stack });
}

describe.each([
  ["prod", 30, true],
  ["staging", 7, false],
] as const)("stack key in %s", (stack, deletionWindow, protect) => {
  let rec: Awaited<ReturnType<typeof recordKey>>;
  let policy: { Statement: any[] };
  beforeAll(async () => {
    rec = await recordKey(stack);
    policy = JSON.parse(rec.one(KEY).inputs.policy);
  });

  it("is a symmetric key with yearly rotation and the environment's deletion window", () => {
    const key = rec.one(KEY);
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(key.inputs.rotationPeriodInDays).toBe(365);
    expect(key.inputs.deletionWindowInDays).toBe(deletionWindow);
    expect(key.options.protect).toBe(protect);
  });

  it("has an alias on the key", () => {
    const alias = rec.one(ALIAS);
    expect(alias.inputs.name).toBe(`alias/webapp-platform/${stack}`);
    expect(alias.inputs.targetKeyId).toBe(rec.one(KEY).outputs.keyId);
    expect(rec.outputs.keyArn).toBe(rec.one(KEY).outputs.arn);
  });

  it("lets the account administer the key through IAM", () => {
    const admin = policy.Statement.find((s) => s.Sid === "AccountAdministersKeyThroughIam");
    expect(admin).toMatchObject({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: "kms:*" });
    expect(admin.Condition).toBeUndefined();
  });

  it("opens use to account principals only through the data services", () => {
    const open = policy.Statement.filter((s) => s.Principal.AWS === "*");
    expect(open).toHaveLength(2);
    for (const s of open) {
      expect(s.Condition.StringEquals["kms:CallerAccount"]).toBe(ACCOUNT_ID);
      expect([...s.Condition.StringEquals["kms:ViaService"]].sort()).toEqual(
        ["backup", "elasticache", "rds", "secretsmanager", "sns"].map((svc) => `${svc}.eu-west-1.amazonaws.com`));
      expect(s.Action).not.toContain("kms:*");
      expect(s.Action.some((a: string) => /^kms:(Put|Delete|Disable|ScheduleKeyDeletion|Update)/.test(a))).toBe(false);
    }
    const grants = open.find((s) => s.Action.includes("kms:CreateGrant"));
    expect(grants.Condition.Bool).toEqual({ "kms:GrantIsForAWSResource": "true" });
  });

  it("lets CloudWatch Logs use the key only for this account's log groups in the region", () => {
    const logs = policy.Statement.find((s) => s.Principal.Service === "logs.eu-west-1.amazonaws.com");
    expect(logs.Condition).toEqual({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-1:${ACCOUNT_ID}:log-group:*` } });
    // What CloudWatch Logs needs to associate the key with a group and read and write it.
    expect(logs.Action).toEqual(["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]);
    expect(logs.Effect).toBe("Allow");
  });

  it("lets only this account's CloudWatch alarms publish to encrypted topics", () => {
    const cw = policy.Statement.find((s) => s.Principal.Service === "cloudwatch.amazonaws.com");
    expect(cw.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(cw.Condition.StringEquals).toEqual({ "aws:SourceAccount": ACCOUNT_ID });
    expect(cw.Condition.ArnLike["aws:SourceArn"]).toBe(`arn:aws:cloudwatch:eu-west-1:${ACCOUNT_ID}:alarm:*`);
  });

  it("grants no service principal anything without a condition", () => {
    for (const s of policy.Statement.filter((st) => st.Principal.Service)) expect(Object.keys(s.Condition ?? {}).length).toBeGreaterThan(0);
  });
});

describe("stack key arguments", () => {
  const ctx = () => contextFrom(loadStackConfig());
  it("rejects bad windows and aliases before creating anything", async () => {
    await record(() => {
      expect(() => new StackKey("k", { ctx: ctx(), deletionWindowInDays: 3 })).toThrow(/StackKey: args\.deletionWindowInDays must be a whole number of days from 7 to 30, got 3/);
      expect(() => new StackKey("k", { ctx: ctx(), rotationPeriodInDays: 30 })).toThrow(/args\.rotationPeriodInDays .* 90 to 2560/);
      expect(() => new StackKey("k", { ctx: ctx(), aliasName: "alias/aws/rds" })).toThrow(/args\.aliasName/);
      expect(() => new StackKey("k", { ctx: ctx(), aliasName: "platform" })).toThrow(/args\.aliasName "platform" must be alias\//);
    });
  });

  it("lists the services the policy names", () => {
    const doc = stackKeyPolicy("111122223333", "us-east-2", "aws") as { Statement: any[] };
    const via = doc.Statement.find((s) => s.Sid === "AccountUsesKeyOnlyThroughDataServices").Condition.StringEquals["kms:ViaService"];
    expect(via).toEqual(KEY_VIA_SERVICES.map((s) => `${s}.us-east-2.amazonaws.com`));
  });
});
