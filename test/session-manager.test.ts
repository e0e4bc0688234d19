import { contextFrom, loadStackConfig } from "../config";
import { hostPolicyDocument } from "../components/hostconfig";
import { DEFAULT_SESSION_DOCUMENT, SessionManager, sessionDocumentArgs } from "../components/session-manager";
import { Recording, record, recordStack } from "./harness";

const DOC = "aws:ssm/document:Document";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const KEY = "aws:kms/key:Key";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const SESSION_LOGS = "arn:aws:logs:eu-west-1:123456789012:log-group:/prod/ssm/sessions";

describe("SessionManager (prod)", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await record(() => {
      const s = new SessionManager("prod", { ctx: contextFrom(loadStackConfig()), kmsKeyArn: KEY_ARN });
      return { documentName: s.documentName, logGroupArn: s.logGroupArn };
    }, { stack: "prod" });
  });

  it("streams sessions to a log group on the stack key, with the stack's retention", () => {
    expect(rec.one(LOG_GROUP).inputs).toMatchObject({ name: "/prod/ssm/sessions", retentionInDays: 90, kmsKeyId: KEY_ARN });
    expect(rec.one(LOG_GROUP).name).toBe("prod-sessions");
  });

  it("owns the account's default preferences document, created after its log group", () => {
    const doc = rec.one(DOC);
    expect(doc.name).toBe("prod-session-preferences");
    expect(doc.inputs).toMatchObject({ name: DEFAULT_SESSION_DOCUMENT, documentType: "Session", documentFormat: "JSON" });
    expect(doc.dependencies).toContain(rec.one(LOG_GROUP).urn);
    expect(rec.outputs.documentName).toBe(DEFAULT_SESSION_DOCUMENT);
  });

  it("encrypts sessions with the key and requires an encrypted, streamed log group", () => {
    const content = JSON.parse(rec.one(DOC).inputs.content);
    expect(content).toMatchObject({ schemaVersion: "1.0", sessionType: "Standard_Stream" });
    expect(content.inputs).toMatchObject({
      kmsKeyId: KEY_ARN, cloudWatchLogGroupName: "/prod/ssm/sessions", cloudWatchEncryptionEnabled: true, cloudWatchStreamingEnabled: true,
      s3BucketName: "", idleSessionTimeout: "20", maxSessionDuration: "60", runAsEnabled: false,
    });
  });
});

describe("SessionManager arguments", () => {
  it("can skip the document (managed elsewhere) and refuses names AWS would refuse, naming the field", async () => {
    const rec = await record(() => {
      const ctx = contextFrom(loadStackConfig());
      new SessionManager("skip", { ctx, kmsKeyArn: KEY_ARN, createDocument: false, documentName: "SSM-SessionManagerRunShell-staging" });
      expect(() => new SessionManager("a", { ctx, kmsKeyArn: KEY_ARN, documentName: "AWS-Custom" })).toThrow(/SessionManager: args\.documentName "AWS-Custom" starts with a prefix AWS reserves/);
      expect(() => new SessionManager("b", { ctx, kmsKeyArn: KEY_ARN, documentName: "my doc" })).toThrow(/args\.documentName "my doc" must be 3-128/);
      expect(() => new SessionManager("c", { ctx, kmsKeyArn: KEY_ARN, logGroupName: "/a b" })).toThrow(/args\.logGroupName/);
      expect(() => new SessionManager("d", { ctx, kmsKeyArn: KEY_ARN, idleSessionTimeoutMinutes: 61 })).toThrow(/args\.idleSessionTimeoutMinutes must be a whole number of minutes from 1 to 60/);
      expect(() => new SessionManager("e", { ctx, kmsKeyArn: KEY_ARN, maxSessionDurationMinutes: 0 })).toThrow(/args\.maxSessionDurationMinutes/);
    });
    expect(rec.ofType(DOC).filter((d) => d.name.startsWith("skip"))).toEqual([]);
    expect(rec.ofType(LOG_GROUP).map((g) => g.name)).toContain("skip-sessions");
  });

  it("names the document in the shell command unless it is the account's default", () => {
    expect(sessionDocumentArgs(DEFAULT_SESSION_DOCUMENT)).toBe("");
    expect(sessionDocumentArgs("SSM-SessionManagerRunShell-staging")).toBe(" --document-name SSM-SessionManagerRunShell-staging");
  });
});

describe("the host policy's session rights", () => {
  const doc = hostPolicyDocument({ region: "eu-west-1", sessions: { kmsKeyArn: KEY_ARN, logGroupArn: SESSION_LOGS } });
  const sid = (s: string) => doc.Statement.find((x) => x.Sid === s);

  it("decrypts only session data keys, on the exact key", () => {
    expect(sid("DecryptSessionDataKeys")).toEqual({
      Sid: "DecryptSessionDataKeys", Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY_ARN,
      Condition: { StringLike: { "kms:EncryptionContext:aws:ssm:SessionId": "*" } },
    });
  });

  it("streams to the session log group only; DescribeLogGroups (a list action) is the one '*' resource", () => {
    expect(sid("StreamSessionLogs")).toMatchObject({ Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [SESSION_LOGS, `${SESSION_LOGS}:*`] });
    expect(sid("FindSessionLogGroup")).toMatchObject({ Action: ["logs:DescribeLogGroups"], Resource: "*" });
    for (const s of doc.Statement) for (const a of s.Action) expect(a).not.toMatch(/\*$/);
  });

  it("refuses wildcard ARNs, and grants nothing for sessions without them", () => {
    expect(() => hostPolicyDocument({ region: "eu-west-1", sessions: { kmsKeyArn: "*", logGroupArn: SESSION_LOGS } })).toThrow(/input\.sessions must be exact ARNs/);
    expect(hostPolicyDocument({ region: "eu-west-1" }).Statement.map((s) => s.Sid)).not.toContain("DecryptSessionDataKeys");
  });
});

describe.each(["prod", "staging"] as const)("Session Manager in the %s stack", (stack) => {
  let rec: Recording;
  beforeAll(async () => { rec = await recordStack(stack); }, 120_000);

  it("has one preferences document: prod the account's default, staging its own (they share a region, maybe an account)", () => {
    const docs = rec.ofType(DOC).filter((d) => d.inputs.documentType === "Session");
    expect(docs.map((d) => d.inputs.name)).toEqual([stack === "prod" ? DEFAULT_SESSION_DOCUMENT : `${DEFAULT_SESSION_DOCUMENT}-staging`]);
    expect(JSON.parse(docs[0].inputs.content).inputs.kmsKeyId).toBe(rec.one(KEY, `${stack}-key`).outputs.arn);
    const shells = Object.values(rec.outputs.apps as Record<string, { ssmShellCommand: string }>).map((a) => a.ssmShellCommand);
    expect(shells.length).toBeGreaterThan(0);
    for (const cmd of shells) {
      if (stack === "prod") expect(cmd).not.toContain("--document-name");
      else expect(cmd).toContain(` --document-name ${DEFAULT_SESSION_DOCUMENT}-staging`);
    }
  });

  it("gives every host role the session rights on the stack key and the session log group, exactly", () => {
    const keyArn = rec.one(KEY, `${stack}-key`).outputs.arn;
    const sessionLogs = rec.ofType(LOG_GROUP).find((g) => g.inputs.name === `/${stack}/ssm/sessions`)!;
    expect(sessionLogs.inputs.kmsKeyId).toBe(keyArn);
    const hostRoles = rec.ofType(ROLE).filter((r) => JSON.parse(r.inputs.assumeRolePolicy).Statement.some((s: any) => s.Principal?.Service === "ec2.amazonaws.com"));
    expect(hostRoles.length).toBeGreaterThanOrEqual(5);
    for (const role of hostRoles) {
      const statements = rec.ofType(ROLE_POLICY)
        .filter((p) => [role.id, role.outputs.name, role.outputs.id].includes(p.inputs.role))
        .flatMap((p) => JSON.parse(p.inputs.policy).Statement);
      expect(statements.find((s: any) => s.Sid === "DecryptSessionDataKeys")?.Resource).toBe(keyArn);
      expect(statements.find((s: any) => s.Sid === "StreamSessionLogs")?.Resource).toEqual([sessionLogs.outputs.arn, `${sessionLogs.outputs.arn}:*`]);
    }
  });

  it("encrypts every log group with the stack key, but the CloudFront WAFs' in us-east-1", () => {
    const keyArn = rec.one(KEY, `${stack}-key`).outputs.arn;
    const unencrypted = rec.ofType(LOG_GROUP).filter((g) => g.inputs.kmsKeyId !== keyArn).map((g) => g.inputs.name);
    expect(unencrypted.every((n) => n.startsWith("aws-waf-logs-"))).toBe(true);
    expect(unencrypted.sort()).toEqual(stack === "prod"
      ? ["aws-waf-logs-prod-investment-platform-cdn-waf", "aws-waf-logs-prod-saas-platform-waf"]
      : ["aws-waf-logs-staging-saas-platform-waf"]);
  });
});
