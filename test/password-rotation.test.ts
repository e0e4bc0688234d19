/**
 * The database password rotation: the real handler (components/rotation/rds_master_password.py)
 * run by python3 through Secrets Manager's four steps, against a stand-in boto3 that keeps
 * secret versions, stages and the database's password as AWS does; and the component's
 * resources and permissions under the mock runtime.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { contextFrom, loadStackConfig } from "../config";
import { DatabasePasswordRotation, PASSWORD_ROTATION_SCHEDULE, ROTATION_HANDLER_PATH, rotationPolicy } from "../components/password-rotation";
import { record } from "./harness";

const FAKE_BOTO3 = path.join(__dirname, "fixtures", "rotation");
const CONNECTION = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/shop/DATABASE-AbCdEf";
const MASTER = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/shop/postgres/master-AbCdEf";
const FIRST = "initialPassw0rd";
const url = (pw: string, host = "prod-shop.abc.eu-west-1.rds.amazonaws.com") => `postgresql://app_admin:${pw}@${host}:5432/shop?sslmode=require`;

/** Runs one step in its own python process, as Lambda would; returns its exit status and output. */
function step(dir: string, name: string, token: string, secretId = CONNECTION): { status: number; output: string } {
  const driver = [
    "import importlib.util, json, sys",
    "spec = importlib.util.spec_from_file_location('index', sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
    "m.POLL_SECONDS = 0",
    "m.handler({'SecretId': sys.argv[2], 'ClientRequestToken': sys.argv[3], 'Step': sys.argv[4]}, None)",
  ].join("\n");
  const r = spawnSync("python3", ["-c", driver, ROTATION_HANDLER_PATH, secretId, token, name], {
    env: { ...process.env, PYTHONPATH: FAKE_BOTO3, FAKE_AWS_STATE: path.join(dir, "state.json"), DB_INSTANCE_ID: "prod-shop", MASTER_SECRET_ARN: MASTER },
    encoding: "utf8",
  });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

function initialState(replica: boolean): any {
  const connection = { host: "old-host", port: 5432, dbname: "shop", username: "app_admin", password: FIRST, sslmode: "require", DATABASE_URL: url(FIRST, "old-host") };
  const master = { engine: "postgres", host: "old-host", port: 5432, username: "app_admin", password: FIRST, dbname: "shop", dbInstanceIdentifier: "prod-shop" };
  const instance = (id: string, extra: Record<string, unknown> = {}) => ({
    DBInstanceIdentifier: id, MasterUsername: "app_admin", DBName: "shop", Endpoint: { Address: `${id}.abc.eu-west-1.rds.amazonaws.com`, Port: 5432 }, ...extra,
  });
  return {
    secrets: {
      [CONNECTION]: { rotation: true, versions: { v1: { value: JSON.stringify(connection), stages: ["AWSCURRENT"] } } },
      [MASTER]: { rotation: false, versions: { m1: { value: JSON.stringify(master), stages: ["AWSCURRENT"] } } },
    },
    databases: {
      "prod-shop": { password: FIRST, instance: instance("prod-shop", replica ? { ReadReplicaDBInstanceIdentifiers: ["prod-shop-replica"] } : {}) },
      "prod-shop-replica": { password: FIRST, instance: instance("prod-shop-replica") },
    },
    passwords: 0,
    calls: [],
  };
}

const current = (state: any, arn: string) => {
  const v = Object.values(state.secrets[arn].versions).find((x: any) => x.stages.includes("AWSCURRENT")) as any;
  return JSON.parse(v.value);
};

describe("the rotation handler (python3, stand-in boto3)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rotation-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (s: any) => fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(s));
  const read = () => JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));

  it("compiles", () => {
    execFileSync("python3", ["-m", "py_compile", ROTATION_HANDLER_PATH], { env: { ...process.env, PYTHONPYCACHEPREFIX: os.tmpdir() } });
  });

  it("sets a new password on the database, makes it current in the connection secret and mirrors it to the master secret", () => {
    // RotateSecret has made the pending version t1, with no value yet.
    const s = initialState(false);
    s.secrets[CONNECTION].versions.t1 = { value: null, stages: ["AWSPENDING"] };
    write(s);
    for (const name of ["createSecret", "setSecret", "testSecret", "finishSecret"]) {
      const r = step(dir, name, "t1");
      expect({ name, status: r.status, output: r.output }).toMatchObject({ name, status: 0 });
    }
    const after = read();
    const pw = after.databases["prod-shop"].password;
    expect(pw).not.toBe(FIRST);
    expect(pw).toMatch(/^[A-Za-z0-9]{40}$/);
    const conn = current(after, CONNECTION);
    expect(conn).toMatchObject({ password: pw, host: "prod-shop.abc.eu-west-1.rds.amazonaws.com", sslmode: "require", DATABASE_URL: url(pw) });
    expect(conn.replicaHost).toBeUndefined();
    expect(after.secrets[CONNECTION].versions.v1.stages).toEqual(["AWSPREVIOUS"]);
    expect(after.secrets[CONNECTION].versions.t1.stages).toEqual(["AWSCURRENT"]);
    expect(current(after, MASTER)).toMatchObject({ password: pw, engine: "postgres", dbInstanceIdentifier: "prod-shop" });
    expect(after.calls).toContainEqual(["ModifyDBInstance", "prod-shop", true]);
  });

  it("picks up a read replica added after the secret was written", () => {
    const s = initialState(true);
    s.secrets[CONNECTION].versions.t1 = { value: null, stages: ["AWSPENDING"] };
    write(s);
    for (const name of ["createSecret", "setSecret", "testSecret", "finishSecret"]) expect(step(dir, name, "t1").status).toBe(0);
    const conn = current(read(), CONNECTION);
    expect(conn.replicaHost).toBe("prod-shop-replica.abc.eu-west-1.rds.amazonaws.com");
    expect(conn.DATABASE_REPLICA_URL).toBe(url(conn.password, "prod-shop-replica.abc.eu-west-1.rds.amazonaws.com"));
  });

  it("is safe to retry: a repeated createSecret keeps the pending password; a finished version is left alone", () => {
    const s = initialState(false);
    s.secrets[CONNECTION].versions.t1 = { value: null, stages: ["AWSPENDING"] };
    write(s);
    expect(step(dir, "createSecret", "t1").status).toBe(0);
    const pending = read().secrets[CONNECTION].versions.t1.value;
    expect(step(dir, "createSecret", "t1").status).toBe(0);
    expect(read().secrets[CONNECTION].versions.t1.value).toBe(pending);
    for (const name of ["setSecret", "testSecret", "finishSecret"]) expect(step(dir, name, "t1").status).toBe(0);
    const done = read();
    const r = step(dir, "finishSecret", "t1");
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/already current/);
    expect(read()).toEqual(done);
  });

  it("refuses a token that is not pending, and a secret without rotation, changing nothing", () => {
    write(initialState(false));
    const before = read();
    const r = step(dir, "setSecret", "v1-unknown");
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/is not a version of/);
    const m = step(dir, "createSecret", "m1", MASTER);
    expect(m.status).not.toBe(0);
    expect(m.output).toMatch(/rotation is not enabled/);
    expect(read()).toEqual(before);
  });

  it("never prints a password", () => {
    const s = initialState(false);
    s.secrets[CONNECTION].versions.t1 = { value: null, stages: ["AWSPENDING"] };
    write(s);
    const out = ["createSecret", "setSecret", "testSecret", "finishSecret"].map((n) => step(dir, n, "t1").output).join("\n");
    expect(out).not.toContain(FIRST);
    expect(out).not.toContain(read().databases["prod-shop"].password);
  });
});

describe("DatabasePasswordRotation (mock runtime)", () => {
  const build = (o: Record<string, unknown> = {}) => record(() => {
    const ctx = contextFrom(loadStackConfig());
    new DatabasePasswordRotation("shop-db-password", {
      ctx, dbInstanceIdentifier: "prod-shop", connectionSecretArn: CONNECTION, masterSecretArn: MASTER,
      kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", ...o,
    });
  }, { stack: "prod" });

  it("schedules a monthly rotation of the connection secret through a function Secrets Manager alone may invoke, for that secret", async () => {
    const rec = await build();
    const rotation = rec.ofType("aws:secretsmanager/secretRotation:SecretRotation")[0];
    expect(rotation.inputs).toMatchObject({ secretId: CONNECTION, rotationRules: { scheduleExpression: PASSWORD_ROTATION_SCHEDULE, duration: "2h" }, rotateImmediately: false });
    const permission = rec.ofType("aws:lambda/permission:Permission")[0];
    expect(permission.inputs).toMatchObject({ action: "lambda:InvokeFunction", principal: "secretsmanager.amazonaws.com", sourceArn: CONNECTION });
    const fn = rec.ofType("aws:lambda/function:Function")[0];
    expect(fn.inputs).toMatchObject({ name: "prod-shop-rotation", runtime: "python3.12", handler: "index.handler", timeout: 300 });
    expect(fn.inputs.environment.variables).toEqual({ DB_INSTANCE_ID: "prod-shop", MASTER_SECRET_ARN: MASTER });
    expect(fn.inputs.vpcConfig).toBeUndefined();
    const logs = rec.ofType("aws:cloudwatch/logGroup:LogGroup")[0];
    expect(logs.inputs).toMatchObject({ name: "/aws/lambda/prod-shop-rotation" });
    expect(logs.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(rotation.dependencies).toContain(permission.urn);
  });

  it("the role may change only this database's password and these two secrets", () => {
    const doc = rotationPolicy({ connection: CONNECTION, master: MASTER, key: "arn:k", db: "arn:aws:rds:eu-west-1:1:db:prod-shop", replica: "arn:aws:rds:eu-west-1:1:db:prod-shop-replica", logs: "arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/prod-shop-rotation", region: "eu-west-1" }) as any;
    const allows = (action: string) => doc.Statement.filter((s: any) => [s.Action].flat().includes(action)).map((s: any) => s.Resource);
    expect(allows("rds:ModifyDBInstance")).toEqual(["arn:aws:rds:eu-west-1:1:db:prod-shop"]);
    expect(allows("secretsmanager:PutSecretValue")).toEqual([CONNECTION, MASTER]);
    expect(allows("secretsmanager:UpdateSecretVersionStage")).toEqual([CONNECTION]);
    expect(doc.Statement.filter((s: any) => s.Resource === "*").map((s: any) => s.Action)).toEqual(["secretsmanager:GetRandomPassword"]);
    expect(JSON.stringify(doc)).not.toMatch(/"[a-z0-9]+:\*"/);
  });

  it("refuses a name Lambda would refuse, a schedule and a window Secrets Manager would, before creating anything", async () => {
    const rec = await record(() => {
      const ctx = contextFrom(loadStackConfig());
      const args = { ctx, dbInstanceIdentifier: "prod-shop", connectionSecretArn: CONNECTION, masterSecretArn: MASTER, kmsKeyArn: "arn:k" };
      expect(() => new DatabasePasswordRotation("a", { ...args, dbInstanceIdentifier: "x".repeat(60) })).toThrow(/args\.dbInstanceIdentifier makes the function name "x+-rotation", longer than Lambda's 64/);
      expect(() => new DatabasePasswordRotation("b", { ...args, scheduleExpression: "monthly" })).toThrow(/args\.scheduleExpression "monthly" must be a cron/);
      expect(() => new DatabasePasswordRotation("c", { ...args, window: "2 hours" })).toThrow(/args\.window "2 hours" must be a number of hours/);
    }, { stack: "prod" });
    expect(rec.ofType("aws:lambda/function:Function")).toEqual([]);
  });
});
