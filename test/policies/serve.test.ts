/**
 * The pack as the Pulumi CLI runs it: `pulumi preview --policy-pack policies` starts
 * @pulumi/pulumi's run-policy-pack in policies/ (TypeScript compiled and type-checked by
 * ts-node with policies/tsconfig.json), which serves the analyzer over gRPC and prints its
 * port. Here the same command is started and spoken to over gRPC: analyzer info, configure
 * (the --policy-pack-config step), and an Analyze call.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { POLICIES } from "../../policies/policies";
import { T } from "../../policies/lib/types";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpc = require("@grpc/grpc-js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require("google-protobuf/google/protobuf/struct_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");

const ROOT = path.resolve(__dirname, "..", "..");
const MANDATORY = 1;
const ADVISORY = 0;

let child: ChildProcess;
let client: any;

const call = <T>(method: string, req: unknown): Promise<T> =>
  new Promise((resolve, reject) => client[method](req, (err: unknown, resp: T) => (err ? reject(err) : resolve(resp))));

beforeAll(async () => {
  child = spawn(process.execPath, [path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], { cwd: path.join(ROOT, "policies") });
  let stderr = "";
  child.stderr!.on("data", (d) => { stderr += String(d); });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (d) => resolve(String(d).trim()));
    child.once("exit", (code) => reject(new Error(`the policy pack exited with ${code} before serving:\n${stderr}`)));
  });
  expect(port).toMatch(/^\d+$/);
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  if (child && child.exitCode === null) child.kill();
});

function analyzeRequest(type: string, name: string, props: Record<string, unknown>) {
  const req = new analyzerproto.AnalyzeRequest();
  req.setType(type);
  req.setName(name);
  req.setUrn(`urn:pulumi:prod::webapp-platform::${type}::${name}`);
  req.setProperties(structproto.Struct.fromJavaScript(props));
  const opts = new analyzerproto.AnalyzerResourceOptions();
  opts.setProtect(false);
  req.setOptions(opts);
  return req;
}

describe("the pack served the way the Pulumi CLI runs it", () => {
  it("announces webapp-platform with every policy, its level and config schema", async () => {
    const info = await call<any>("getAnalyzerInfo", new emptyproto.Empty());
    expect(info.getName()).toBe("webapp-platform");
    expect(info.getSupportsconfig()).toBe(true);
    const served = info.getPoliciesList().map((p: any) => p.getName());
    expect(served).toEqual(POLICIES.map((p) => p.name));
    const failover = info.getPoliciesList().find((p: any) => p.getName() === "elasticache-failover-prod");
    expect(failover.getEnforcementlevel()).toBe(ADVISORY);
    const schema = info.getPoliciesList()[0].getConfigschema().getProperties().toJavaScript();
    expect(Object.keys(schema)).toEqual(expect.arrayContaining(["environment", "exemptions"]));
  });

  it("analyzes a resource, with unknown values, under the config the CLI sends", async () => {
    const db = analyzeRequest(T.rdsInstance, "shop-db", {
      engine: "postgres", instanceClass: "db.m7g.large", multiAz: false, storageEncrypted: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", tags: { app: "shop", environment: "prod", "managed-by": "pulumi" },
    });
    const before = (await call<any>("analyze", db)).getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getEnforcementlevel()]);
    expect(before).toEqual(expect.arrayContaining([["rds-multi-az-prod", MANDATORY]]));
    expect(before.map(([p]: string[]) => p)).not.toContain("rds-storage-encrypted"); // unknown: nothing to say yet

    // --policy-pack-config: staging environment for one policy, advisory for another.
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    const staging = new analyzerproto.PolicyConfig();
    staging.setEnforcementlevel(MANDATORY);
    staging.setProperties(structproto.Struct.fromJavaScript({ environment: "staging" }));
    req.getPolicyconfigMap().set("rds-multi-az-prod", staging);
    const advisory = new analyzerproto.PolicyConfig();
    advisory.setEnforcementlevel(ADVISORY);
    advisory.setProperties(structproto.Struct.fromJavaScript({}));
    req.getPolicyconfigMap().set("rds-final-snapshot-prod", advisory);
    await call("configure", req);

    const after = (await call<any>("analyze", db)).getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getEnforcementlevel()]);
    expect(after.map(([p]: string[]) => p)).not.toContain("rds-multi-az-prod");
    expect(after).toEqual(expect.arrayContaining([["rds-final-snapshot-prod", ADVISORY]]));
  });
});
