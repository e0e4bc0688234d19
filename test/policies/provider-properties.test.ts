/**
 * Every property a policy reads exists on that resource type in the installed providers
 * (@pulumi/aws 7.x, @pulumi/command): a policy that reads a name the provider does not use
 * (v6's name, another resource's name, a typo) never sees a value, so it silently passes
 * or always fails. The same holds for the test fixtures: a fixture with a wrong key hides a
 * wrong policy.
 *
 * How:
 *  - The providers' declarations are parsed with the TypeScript compiler API: a type token
 *    "aws:rds/clusterInstance:ClusterInstance" is the class ClusterInstance in
 *    node_modules/@pulumi/aws/rds/clusterInstance.d.ts (its .js must declare that
 *    __pulumiType), with ClusterInstanceArgs (inputs) and ClusterInstanceState / the class's
 *    own properties (outputs). Nested properties follow the declared types into the package's
 *    types/input.d.ts and types/output.d.ts (inputs.ecr.RepositoryImageScanningConfiguration,
 *    ...); maps, JSON documents and types outside those files are open (any key).
 *  - policies/lib/define.ts's setPropertyReadTracer reports every read a policy makes on a
 *    resource's props, with its path. Every policy of POLICIES runs on the synthetic cases
 *    of the layer tests (collected from their describePolicy calls without running their
 *    tests, as given and with their values unknown) and on both real stacks (recorded, and
 *    replayed as a first preview).
 *  - Resource policies see inputs, so their reads are checked against Args; stack policies
 *    see inputs and outputs (tools/policy-check.ts passes the union; the engine passes
 *    outputs), so theirs against Args, State and the class's outputs, plus id and urn.
 *  - One generic reader is allowed to probe: identifiers() in policies/lib/refs.ts looks for
 *    an identifier among a fixed list of names on any resource; a name the type lacks is
 *    simply absent. Any other read of a missing name fails, with the code that read it.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { setPropertyReadTracer } from "../../policies/lib/define";
import { SG_RULE_TYPES } from "../../policies/lib/net";
import { TAGGABLE_TYPES } from "../../policies/lib/taggable";
import { T } from "../../policies/lib/types";
import { POLICIES, PackPolicy } from "../../policies/policies";
import { UNKNOWN_VALUE, runPolicyPack, simulatePreview } from "../../tools/policy-check";
import type { RecordedResource, Recording } from "../harness";

const ROOT = path.resolve(__dirname, "..", "..");
const PULUMI_MODULES = path.join(ROOT, "node_modules", "@pulumi");
const THIS_FILE = path.basename(__filename);

// ---------------------------------------------------------------------------------------
// The providers' declarations
// ---------------------------------------------------------------------------------------

/** A declared type, with the package whose types/input.d.ts and output.d.ts its names refer to. */
interface TypeRef { node: ts.TypeNode; pkg: string }

/** What may be read below a property: members of an object, elements of a list, or anything (open). */
interface Shape { open: boolean; members: Map<string, TypeRef[]>; element: TypeRef[]; objectLike: boolean }

const sourceFiles = new Map<string, ts.SourceFile | undefined>();
function sourceFile(file: string): ts.SourceFile | undefined {
  if (!sourceFiles.has(file)) {
    sourceFiles.set(file, fs.existsSync(file) ? ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false) : undefined);
  }
  return sourceFiles.get(file);
}

/** Interfaces of a package's types/input.d.ts or output.d.ts, by namespace path ("ecr.RepositoryImageScanningConfiguration"). */
const typeIndexes = new Map<string, Map<string, ts.InterfaceDeclaration>>();
function typeIndex(pkg: string, which: "input" | "output"): Map<string, ts.InterfaceDeclaration> {
  const key = `${pkg}/${which}`;
  let index = typeIndexes.get(key);
  if (!index) {
    index = new Map();
    const sf = sourceFile(path.join(PULUMI_MODULES, pkg, "types", `${which}.d.ts`));
    const walk = (stmts: readonly ts.Statement[], prefix: string) => {
      for (const st of stmts) {
        if (ts.isInterfaceDeclaration(st)) index!.set(prefix + st.name.text, st);
        else if (ts.isModuleDeclaration(st)) {
          let body: ts.ModuleBody | undefined = st.body;
          let name = prefix + st.name.getText(sf);
          while (body && ts.isModuleDeclaration(body)) {
            name += `.${body.name.getText(sf)}`;
            body = body.body;
          }
          if (body && ts.isModuleBlock(body)) walk(body.statements, `${name}.`);
        }
      }
    };
    if (sf) walk(sf.statements, "");
    typeIndexes.set(key, index);
  }
  return index;
}

function nameText(n: ts.EntityName): string {
  return ts.isIdentifier(n) ? n.text : `${nameText(n.left)}.${n.right.text}`;
}

function propertyName(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return undefined;
}

function addMembers(members: Map<string, TypeRef[]>, decls: readonly ts.TypeElement[] | readonly ts.ClassElement[], pkg: string): void {
  for (const m of decls) {
    if (!(ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) || !m.type) continue;
    if (m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) continue;
    const name = propertyName(m.name);
    if (!name) continue;
    members.set(name, [...(members.get(name) ?? []), { node: m.type, pkg }]);
  }
}

/** The shape of a union of declared types (pulumi.Input/Output and undefined unwrapped). */
function shapeOf(refs: TypeRef[]): Shape {
  const shape: Shape = { open: false, members: new Map(), element: [], objectLike: false };
  const visit = (node: ts.TypeNode, pkg: string): void => {
    if (ts.isParenthesizedTypeNode(node)) return visit(node.type, pkg);
    if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) return node.types.forEach((t) => visit(t, pkg));
    if (ts.isArrayTypeNode(node)) { shape.element.push({ node: node.elementType, pkg }); return; }
    if (ts.isTypeLiteralNode(node)) {
      shape.objectLike = true;
      if (node.members.some((m) => ts.isIndexSignatureDeclaration(m))) shape.open = true; // a map: any key
      addMembers(shape.members, node.members, pkg);
      return;
    }
    if (ts.isTypeReferenceNode(node)) {
      const name = nameText(node.typeName);
      const args = node.typeArguments ?? [];
      if (/^(pulumi\.)?(Input|Output)$/.test(name) && args.length === 1) return visit(args[0], pkg);
      if (name === "Array" && args.length === 1) { shape.element.push({ node: args[0], pkg }); return; }
      if (name === "Record") { shape.objectLike = true; shape.open = true; return; }
      const m = /^(inputs|outputs)\.(.+)$/.exec(name);
      if (m) {
        const decl = typeIndex(pkg, m[1] === "inputs" ? "input" : "output").get(m[2]);
        if (!decl) { shape.open = true; return; } // not resolvable here: nothing to check below
        shape.objectLike = true;
        addMembers(shape.members, decl.members, pkg);
        return;
      }
      if (/^enums\./.test(name)) return; // a value
      shape.open = true; // documents (iam PolicyDocument), assets, other packages' types
      return;
    }
    if (node.kind === ts.SyntaxKind.AnyKeyword || node.kind === ts.SyntaxKind.UnknownKeyword || node.kind === ts.SyntaxKind.ObjectKeyword) {
      shape.open = true;
      return;
    }
    // string, number, boolean, literals, undefined, null: values with nothing below them
  };
  for (const r of refs) visit(r.node, r.pkg);
  return shape;
}

interface ResourceDecl {
  token: string;
  file: string;
  /** Top-level inputs (Args). */
  inputs: Shape;
  /** Inputs and outputs (Args, State, the class's properties, id, urn). */
  all: Shape;
}

const ENGINE_FIELDS = ["id", "urn"];

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The resource a type token names, or why it cannot be found. */
const resourceDecls = new Map<string, ResourceDecl | string>();
function resourceDecl(token: string): ResourceDecl | string {
  let d = resourceDecls.get(token);
  if (d === undefined) {
    d = findResource(token);
    resourceDecls.set(token, d);
  }
  return d;
}

function findResource(token: string): ResourceDecl | string {
  const m = /^([a-z0-9-]+):([A-Za-z0-9]+)(?:\/([A-Za-z0-9]+))?:([A-Za-z0-9]+)$/.exec(token);
  if (!m) return `"${token}" is not a type token (package:module/file:Class)`;
  const [, pkg, mod, fileName, cls] = m;
  const dir = path.join(PULUMI_MODULES, pkg, mod === "index" ? "" : mod);
  const base = path.join(dir, fileName ?? lowerFirst(cls));
  const rel = path.relative(ROOT, `${base}.d.ts`);
  if (!fs.existsSync(`${base}.js`) || !fs.existsSync(`${base}.d.ts`)) return `"${token}": no ${rel} in the installed @pulumi/${pkg}`;
  if (!fs.readFileSync(`${base}.js`, "utf8").includes(`__pulumiType = '${token}'`)) return `"${token}": ${rel} declares another type token`;
  const sf = sourceFile(`${base}.d.ts`)!;
  const classDecl = sf.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === cls);
  const iface = (n: string) => sf.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === n);
  const args = iface(`${cls}Args`);
  const state = iface(`${cls}State`);
  if (!classDecl || !args) return `"${token}": ${rel} has no class ${cls} with ${cls}Args`;
  const inputs: Shape = { open: false, members: new Map(), element: [], objectLike: true };
  addMembers(inputs.members, args.members, pkg);
  const all: Shape = { open: false, members: new Map(inputs.members), element: [], objectLike: true };
  if (state) addMembers(all.members, state.members, pkg);
  addMembers(all.members, classDecl.members, pkg);
  for (const f of ENGINE_FIELDS) if (!all.members.has(f)) all.members.set(f, []);
  return { token, file: rel, inputs, all };
}

/** Why a property path cannot be read on a type (undefined: it can). "[]" is a list element. */
const pathVerdicts = new Map<string, string | undefined>();
function pathProblem(type: string, side: "inputs" | "all", p: readonly string[]): string | undefined {
  const key = `${side}\t${type}\t${p.join("\u0000")}`;
  if (pathVerdicts.has(key)) return pathVerdicts.get(key);
  const verdict = computePathProblem(type, side, p);
  pathVerdicts.set(key, verdict);
  return verdict;
}

function computePathProblem(type: string, side: "inputs" | "all", p: readonly string[]): string | undefined {
  const decl = resourceDecl(type);
  if (typeof decl === "string") return decl;
  let shape = decl[side];
  for (let i = 0; i < p.length; i++) {
    const seg = p[i];
    const at = formatPath(p.slice(0, i + 1));
    if (shape.open) return undefined;
    if (seg === "[]") {
      if (shape.element.length === 0) return `${formatPath(p.slice(0, i))} is not a list in ${decl.file}`;
      shape = shapeOf(shape.element);
      continue;
    }
    const member = shape.members.get(seg);
    if (member === undefined) {
      if (i === 0) return `${decl.file} declares no ${side === "inputs" ? "input" : "input or output"} "${seg}"`;
      if (!shape.objectLike) return `${formatPath(p.slice(0, i))} is ${shape.element.length > 0 ? "a list" : "a plain value"}, not an object, in ${decl.file}`;
      return `${at}: the declared type of ${formatPath(p.slice(0, i))} has no "${seg}"`;
    }
    if (i === p.length - 1) return undefined;
    shape = shapeOf(member);
  }
  return undefined;
}

function formatPath(p: readonly string[]): string {
  return p.map((s, i) => (s === "[]" ? "[]" : i === 0 ? s : `.${s}`)).join("");
}

// ---------------------------------------------------------------------------------------
// The cases of the layer tests, collected without running their tests
// ---------------------------------------------------------------------------------------

interface Scenario { title: string; resources: RecordedResource[]; environment?: "prod" | "staging" }
interface CollectedCases { policy: string; environment?: "prod" | "staging"; violating: Scenario[]; compliant: Scenario[]; unknown: Scenario[] }
interface Collected { cases: { file: string; c: CollectedCases }[]; created: { file: string; r: RecordedResource }[]; current: { file: string } }

jest.mock("./helpers", () => {
  const actual = jest.requireActual("./helpers");
  const collected = { cases: [] as unknown[], created: [] as unknown[], current: { file: "" } };
  return {
    ...actual,
    describePolicy: (c: unknown) => { collected.cases.push({ file: collected.current.file, c }); },
    res: (...a: unknown[]) => {
      const r = actual.res(...a);
      collected.created.push({ file: collected.current.file, r });
      return r;
    },
    __collected: collected,
  };
});

/** Loads every test file that calls describePolicy, with describe bodies run and tests and hooks skipped. */
function collectLayerCases(notes: string[]): { collected: Collected; files: string[] } {
  const helpers = require("./helpers") as { __collected: Collected };
  const collected = helpers.__collected;
  const files = fs.readdirSync(__dirname)
    .filter((f) => f.endsWith(".test.ts") && f !== THIS_FILE && /\bdescribePolicy\(/.test(fs.readFileSync(path.join(__dirname, f), "utf8")))
    .sort();
  const g = globalThis as Record<string, any>;
  const names = ["describe", "it", "test", "beforeAll", "afterAll", "beforeEach", "afterEach", "xit", "xtest", "xdescribe", "fit", "fdescribe"];
  const saved = Object.fromEntries(names.map((n) => [n, g[n]]));
  const body = (file: string) => (title: unknown, fn?: (...a: any[]) => unknown, ...rows: any[][]) => {
    try {
      if (typeof fn === "function") fn(...(rows[0] ?? []));
    } catch (e) {
      notes.push(`${file}: the body of describe("${String(title)}") threw while collecting its cases: ${e instanceof Error ? e.message : e}`);
    }
  };
  const skip = Object.assign(() => undefined, { each: () => () => undefined, skip: () => undefined, only: () => undefined, todo: () => undefined, concurrent: () => undefined, failing: () => undefined });
  try {
    for (const file of files) {
      collected.current.file = file;
      const run = body(file);
      const describeStub = Object.assign((t: unknown, fn?: () => unknown) => run(t, fn), {
        skip: (t: unknown, fn?: () => unknown) => run(t, fn),
        only: (t: unknown, fn?: () => unknown) => run(t, fn),
        each: (table: unknown) => (t: unknown, fn?: (...a: any[]) => unknown) => {
          if (Array.isArray(table)) for (const row of table) run(t, fn, Array.isArray(row) ? row : [row]);
        },
      });
      Object.assign(g, { describe: describeStub, xdescribe: describeStub, fdescribe: describeStub, it: skip, test: skip, xit: skip, xtest: skip, fit: skip, beforeAll: skip, afterAll: skip, beforeEach: skip, afterEach: skip });
      try {
        require(path.join(__dirname, file));
      } catch (e) {
        notes.push(`${file} could not be loaded to collect its cases: ${e instanceof Error ? e.message : e}`);
      }
    }
  } finally {
    Object.assign(g, saved);
    collected.current.file = "";
  }
  return { collected, files };
}

// ---------------------------------------------------------------------------------------
// Running the pack with the tracer on
// ---------------------------------------------------------------------------------------

interface Site { fn: string; file: string; line: number }

/** The first frame outside this test and the tracing seam: the code that read the property. */
function readSite(): Site | undefined {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  try {
    Error.stackTraceLimit = 16;
    Error.prepareStackTrace = (_e, callSites) => callSites;
    Error.captureStackTrace(holder);
    const callSites = holder.stack as NodeJS.CallSite[];
    for (const s of callSites ?? []) {
      const file = s.getFileName() ?? "";
      if (file.endsWith(THIS_FILE) || file.endsWith(path.join("lib", "define.ts"))) continue;
      return { fn: s.getFunctionName() ?? "(anonymous)", file: path.relative(ROOT, file), line: s.getLineNumber() ?? 0 };
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/** identifiers() in policies/lib/refs.ts probes a fixed list of identifier names on any resource. */
const isIdentifierProbe = (p: readonly string[], site: Site | undefined) =>
  p.length === 1 && site !== undefined && site.fn === "identifiers" && site.file === path.join("policies", "lib", "refs.ts");

interface BadRead { policy: string; type: string; path: string; problem: string; sites: Map<string, Site>; runs: Set<string> }

const isStackPolicy = (p: PackPolicy) => "validateStack" in p && typeof p.validateStack === "function";

class Trace {
  /** policy -> type -> property paths read. */
  readonly reads = new Map<string, Map<string, Set<string>>>();
  /** policy -> types a stack policy asked for (ctx.ofType). */
  readonly asked = new Map<string, Set<string>>();
  readonly bad = new Map<string, BadRead>();
  readonly probes = new Map<string, BadRead>();
  readonly errors: string[] = [];
  private readonly kind = new Map(POLICIES.map((p) => [p.name, isStackPolicy(p) ? "all" as const : "inputs" as const]));
  private run = "";

  private readonly tracer = (policy: string, type: string, p: readonly string[]): void => {
    if (p.length === 0) {
      let s = this.asked.get(policy);
      if (!s) this.asked.set(policy, (s = new Set()));
      s.add(type);
      return;
    }
    let byType = this.reads.get(policy);
    if (!byType) this.reads.set(policy, (byType = new Map()));
    let paths = byType.get(type);
    if (!paths) byType.set(type, (paths = new Set()));
    const shown = formatPath(p);
    const side = this.kind.get(policy) ?? "all";
    if (paths.has(shown) && pathProblem(type, side, p) === undefined) return;
    paths.add(shown);
    const problem = pathProblem(type, side, p);
    if (problem === undefined) return;
    const site = readSite();
    const target = isIdentifierProbe(p, site) ? this.probes : this.bad;
    const key = `${policy}\t${type}\t${shown}`;
    let b = target.get(key);
    if (!b) target.set(key, (b = { policy, type, path: shown, problem, sites: new Map(), runs: new Set() }));
    if (site) b.sites.set(`${site.file}:${site.line} ${site.fn}`, site);
    if (b.runs.size < 3) b.runs.add(this.run);
  };

  /** Runs every policy of the pack on `resources`, one at a time (a throw in one does not hide the others). */
  runAll(label: string, resources: RecordedResource[], environment: "prod" | "staging"): void {
    this.run = label;
    setPropertyReadTracer(this.tracer);
    try {
      for (const p of POLICIES) {
        try {
          runPolicyPack(resources, { environment, policies: [p] });
        } catch (e) {
          if (this.errors.length < 20) this.errors.push(`${label}: ${p.name}: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
        }
      }
    } finally {
      setPropertyReadTracer(undefined);
    }
  }
}

/** Every leaf value unknown, structure kept (as helpers.leavesUnknown). */
function leavesUnknown(r: RecordedResource): RecordedResource {
  const walk = (v: any): any => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v === undefined || v === null ? v : UNKNOWN_VALUE;
  };
  return { ...r, id: "", inputs: walk(r.inputs), outputs: walk(r.outputs) };
}

/** Every top-level value unknown (as helpers.topUnknown). */
function topUnknown(r: RecordedResource): RecordedResource {
  const walk = (o: Record<string, any>) => Object.fromEntries(Object.keys(o ?? {}).map((k) => [k, UNKNOWN_VALUE]));
  return { ...r, id: "", inputs: walk(r.inputs), outputs: walk(r.outputs) };
}

/** Key paths of a fixture's data (objects' keys, "[]" for list elements), deepest first. */
function keyPaths(v: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (Array.isArray(v)) {
    for (const x of v) keyPaths(x, [...prefix, "[]"], out);
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      const p = [...prefix, k];
      out.push(p);
      keyPaths(x, p, out);
    }
  }
  return out;
}

/** Wrong keys in resources' inputs (against Args) and outputs (against Args and outputs); one problem per key. */
function keyProblems(resources: { where: string; r: RecordedResource }[]): Map<string, { problem: string; where: Set<string> }> {
  const out = new Map<string, { problem: string; where: Set<string> }>();
  for (const { where, r } of resources) {
    if (r.type.startsWith("pulumi:")) continue;
    for (const [side, data] of [["inputs", r.inputs], ["all", r.outputs]] as const) {
      for (const p of keyPaths(data)) {
        const problem = pathProblem(r.type, side, p);
        if (problem === undefined) continue;
        const key = `${r.type} ${side === "inputs" ? "input" : "output"} ${formatPath(p)}: ${problem}`;
        let e = out.get(key);
        if (!e) out.set(key, (e = { problem, where: new Set() }));
        if (e.where.size < 4) e.where.add(where);
      }
    }
  }
  // A wrong key is reported once, not again for every key below it.
  for (const key of [...out.keys()]) {
    const m = /^(\S+) (input|output) (\S+):/.exec(key);
    if (!m) continue;
    const [, type, side, at] = m;
    if ([...out.keys()].some((k) => k !== key && k.startsWith(`${type} ${side} `) && at.startsWith(/^\S+ \S+ (\S+):/.exec(k)![1]) && at !== /^\S+ \S+ (\S+):/.exec(k)![1])) out.delete(key);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------

const notes: string[] = [];
const trace = new Trace();
let fixtures: { where: string; r: RecordedResource }[] = [];
let layerFiles: string[] = [];
let caseCount = 0;
const recordings = new Map<string, Recording>();

beforeAll(async () => {
  const { collected, files } = collectLayerCases(notes);
  layerFiles = files;
  caseCount = collected.cases.length;
  const seenRes = new Set<RecordedResource>();
  for (const { file, c } of collected.cases) {
    for (const [kind, list] of [["violating", c.violating], ["compliant", c.compliant], ["unknown", c.unknown]] as const) {
      for (const s of list ?? []) {
        const env = s.environment ?? c.environment ?? "prod";
        const label = `${file} ${c.policy} ${kind}: ${s.title}`;
        for (const r of s.resources) if (!seenRes.has(r)) { seenRes.add(r); fixtures.push({ where: `${file} (${c.policy}: ${s.title})`, r }); }
        trace.runAll(label, s.resources, env);
        trace.runAll(`${label} (every value unknown)`, s.resources.map(leavesUnknown), env);
        trace.runAll(`${label} (top-level values unknown)`, s.resources.map(topUnknown), env);
      }
    }
  }
  for (const { file, r } of collected.created) if (!seenRes.has(r)) { seenRes.add(r); fixtures.push({ where: file, r }); }

  const { recordStack } = require("../harness") as typeof import("../harness");
  const spy = jest.spyOn(console, "log").mockImplementation(() => undefined);
  // A stack that fails to build (its config invalid, say) is a failure of the first test, not a crash.
  const stray: unknown[] = [];
  const onStray = (e: unknown) => { stray.push(e); };
  process.on("unhandledRejection", onStray);
  try {
    for (const stack of ["staging", "prod"] as const) {
      try {
        recordings.set(stack, await recordStack(stack));
      } catch (e) {
        notes.push(`the ${stack} stack could not be recorded: ${e instanceof Error ? e.message : e}`);
      }
    }
  } finally {
    spy.mockRestore();
    process.off("unhandledRejection", onStray);
  }
  for (const e of stray.slice(0, 2)) notes.push(`recording the stacks: ${e instanceof Error ? e.message : e}`);
  for (const [stack, rec] of recordings) {
    const env = stack === "prod" ? "prod" : "staging";
    trace.runAll(`the ${stack} stack`, rec.resources, env);
    trace.runAll(`the ${stack} stack as a first preview`, simulatePreview(rec.resources), env);
  }
}, 240_000);

function describeBad(list: BadRead[]): string {
  return list
    .sort((a, b) => `${a.policy} ${a.type} ${a.path}`.localeCompare(`${b.policy} ${b.type} ${b.path}`))
    .map((b) => `${b.policy} reads ${b.path} on ${b.type}: ${b.problem}\n    read by ${[...b.sites.keys()].join(", ") || "?"}\n    in ${[...b.runs].join(" | ")}`)
    .join("\n");
}

describe("policy property names against @pulumi/aws 7.x", () => {
  it("collects the layer tests' cases and both stacks", () => {
    expect(notes).toEqual([]);
    expect(layerFiles).toEqual(expect.arrayContaining(["transport.test.ts", "data.test.ts", "network.test.ts"]));
    expect(caseCount).toBeGreaterThan(40);
    expect([...recordings.keys()]).toEqual(["staging", "prod"]);
    // The tracer saw reads of (nearly) every policy.
    const silent = POLICIES.filter((p) => !trace.reads.has(p.name) && !trace.asked.has(p.name)).map((p) => p.name);
    expect(silent).toEqual([]);
  });

  it("checks paths against the declarations (the known v6 names are rejected, the v7 ones accepted)", () => {
    expect(pathProblem(T.rdsClusterInstance, "inputs", ["parameterGroupName"])).toMatch(/declares no input "parameterGroupName"/);
    expect(pathProblem(T.rdsClusterInstance, "inputs", ["dbParameterGroupName"])).toBeUndefined();
    expect(pathProblem(T.rdsInstance, "inputs", ["parameterGroupName"])).toBeUndefined();
    expect(pathProblem(T.ecrRepository, "all", ["imageScanningConfiguration", "scanOnPush"])).toBeUndefined();
    expect(pathProblem(T.ecrRepository, "all", ["imageScanningConfiguration", "scanOnPushh"])).toMatch(/has no "scanOnPushh"/);
    expect(pathProblem(T.distribution, "inputs", ["defaultCacheBehavior", "viewerProtocolPolicy"])).toBeUndefined();
    expect(pathProblem(T.listener, "inputs", ["defaultActions", "[]", "redirect", "protocol"])).toBeUndefined();
    expect(pathProblem(T.listener, "inputs", ["defaultActions", "[]", "redirect", "protocl"])).toMatch(/has no "protocl"/);
    expect(pathProblem(T.rdsInstance, "inputs", ["arn"])).toMatch(/declares no input "arn"/);
    expect(pathProblem(T.rdsInstance, "all", ["arn"])).toBeUndefined();
    expect(pathProblem(T.rdsInstance, "all", ["tags", "anything"])).toBeUndefined(); // a map
    expect(pathProblem("aws:rds/clusterInstance:Instance", "all", ["id"])).toMatch(/declares another type token|no class/);
    expect(pathProblem("aws:rds/nothing:Nothing", "all", ["id"])).toMatch(/no node_modules/);
  });

  it("every type token the pack names is a resource of the installed providers", () => {
    const tokens = new Set<string>([...Object.values(T), ...SG_RULE_TYPES, ...TAGGABLE_TYPES]);
    for (const p of POLICIES) for (const t of p.appliesTo ?? []) if (t !== "*") tokens.add(t);
    for (const ts of trace.asked.values()) for (const t of ts) tokens.add(t);
    const problems = [...tokens].map(resourceDecl).filter((d): d is string => typeof d === "string");
    expect(problems).toEqual([]);
  });

  it("every taggable type (policies/lib/taggable.ts) has a tags input", () => {
    const untaggable = [...TAGGABLE_TYPES].filter((t) => pathProblem(t, "inputs", ["tags"]) !== undefined);
    expect(untaggable).toEqual([]);
  });

  it("every property a policy reads exists on that type (resource policies: inputs; stack policies: inputs and outputs)", () => {
    expect(describeBad([...trace.bad.values()])).toBe("");
  });

  it("no policy throws on the cases and stacks it is fed", () => {
    expect(trace.errors).toEqual([]);
  });

  it("every key of the layer tests' fixtures exists on its type (inputs in Args; outputs in Args, State and the class)", () => {
    const problems = keyProblems(fixtures);
    expect([...problems.entries()].map(([k, v]) => `${k}\n    in ${[...v.where].join(" | ")}`).sort().join("\n")).toBe("");
  });

  it("reports the types each policy filters on but never read a property of (informational)", () => {
    const lines: string[] = [];
    for (const p of POLICIES) {
      const filtered = new Set<string>([...(p.appliesTo ?? []).filter((t) => t !== "*"), ...(trace.asked.get(p.name) ?? [])]);
      const read = trace.reads.get(p.name) ?? new Map();
      const never = [...filtered].filter((t) => !read.has(t));
      if (never.length > 0) lines.push(`${p.name}: ${never.join(", ")}`);
    }
    const probes = [...trace.probes.values()].map((b) => `${b.type} ${b.path}`);
    // eslint-disable-next-line no-console
    console.log([
      `Checked ${[...trace.reads.values()].reduce((n, m) => n + [...m.values()].reduce((k, s) => k + s.size, 0), 0)} distinct (policy, type, property) reads of ${POLICIES.length} policies over ${caseCount} describePolicy cases in ${layerFiles.length} files and both stacks.`,
      `Types a policy filters on but never read a property of (no fixture or stack resource exercised it):`,
      ...(lines.length ? lines.map((l) => `  ${l}`) : ["  (none)"]),
      `identifiers() probes of names a type lacks (allowed): ${new Set(probes).size}`,
    ].join("\n"));
    expect(true).toBe(true);
  });
});
