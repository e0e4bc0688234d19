/**
 * Runs policies through @pulumi/policy's own analyzer RPC handlers (Analyze for every
 * resource, AnalyzeStack once), with protobuf requests shaped as the Pulumi CLI sends them,
 * unknown sentinels included. Used to check that tools/policy-check.ts reports the same.
 */
import type { RecordedResource } from "../harness";
import { PackPolicy, POLICIES } from "../../policies/policies";
import { UNKNOWN_VALUE, Verdict } from "../../tools/policy-check";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require("google-protobuf/google/protobuf/struct_pb");

const LEVELS: Record<number, string> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };

function options(r: RecordedResource) {
  const o = new analyzerproto.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setIgnorechangesList(r.options.ignoreChanges);
  o.setAdditionalsecretoutputsList([]);
  o.setAliasesList([]);
  if (r.parent) o.setParent(r.parent);
  return o;
}

export interface Diag { policy: string; level: string; urn: string; message: string }

function collect(resp: any): Diag[] {
  return resp.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), level: LEVELS[d.getEnforcementlevel()], urn: d.getUrn(), message: d.getMessage() }));
}

/**
 * Verdicts of the real analyzer. `preview` marks ids of custom resources unknown in the
 * stack analysis, as a first preview sends them (and as the runner's preview replay does).
 * The stack resource and providers are not analyzed per resource (nor by the runner).
 */
export async function analyze(resources: RecordedResource[], policies: PackPolicy[] = POLICIES, preview = false): Promise<Diag[]> {
  const analyzeRpc = server.makeAnalyzeRpcFun("webapp-platform", "0.1.0", "advisory", policies);
  const stackRpc = server.makeAnalyzeStackRpcFun("webapp-platform", "0.1.0", "advisory", policies);
  const call = (fn: any, request: any) => new Promise<Diag[]>((resolve, reject) => fn({ request }, (err: unknown, resp: any) => (err ? reject(err) : resolve(collect(resp)))));
  const out: Diag[] = [];
  for (const r of resources) {
    if (r.type === "pulumi:pulumi:Stack" || r.type.startsWith("pulumi:providers:")) continue;
    const req = new analyzerproto.AnalyzeRequest();
    req.setType(r.type);
    req.setName(r.name);
    req.setUrn(r.urn);
    req.setProperties(structproto.Struct.fromJavaScript(r.inputs));
    req.setOptions(options(r));
    out.push(...(await call(analyzeRpc, req)).map((d) => ({ ...d, urn: r.urn })));
  }
  const stack = new analyzerproto.AnalyzeStackRequest();
  stack.setResourcesList(resources.map((r) => {
    const a = new analyzerproto.AnalyzerResource();
    a.setType(r.type);
    a.setName(r.name);
    a.setUrn(r.urn);
    const id = r.id ? { id: r.id } : preview && r.custom ? { id: UNKNOWN_VALUE } : {};
    a.setProperties(structproto.Struct.fromJavaScript({ ...r.inputs, ...r.outputs, ...id }));
    a.setOptions(options(r));
    if (r.parent) a.setParent(r.parent);
    a.setDependenciesList(r.dependencies);
    return a;
  }));
  out.push(...(await call(stackRpc, stack)));
  return out;
}

export const diagKey = (d: Diag) => `${d.policy}|${d.level}|${d.urn}|${d.message}`;


/** A runner verdict in the analyzer's terms. */
export function asDiag(v: Verdict): Diag {
  return { policy: v.policy, level: v.enforcementLevel, urn: v.urn ?? "", message: v.message };
}
