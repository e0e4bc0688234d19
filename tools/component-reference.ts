/**
 * The component reference (docs/components.md), read from the code itself with the
 * TypeScript compiler: every exported ComponentResource of components/ and architectures/,
 * its args interface (each input's type, whether it is required, its default and its doc
 * comment) and its public outputs. `renderComponentReference()` is pure so the staleness test
 * can compare it with the committed file. Usage: npm run docs:components
 */
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";

const ROOT = path.join(__dirname, "..");
export const REFERENCE_FILE = path.join(ROOT, "docs", "components.md");
const DIRS = ["architectures", "components"];

interface Input { name: string; type: string; required: boolean; default?: string; doc: string }
interface Output { name: string; type: string; doc: string }
export interface ComponentDoc { name: string; file: string; summary: string; argsType?: string; inputs: Input[]; outputs: Output[] }

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
const cell = (s: string) => oneLine(s).replace(/\|/g, "\\|");

/** The doc comment of a node (text and tags), as the compiler reads it. */
function docOf(node: ts.Node, checker: ts.TypeChecker, symbolNode?: ts.Node): { text: string; tags: Record<string, string> } {
  const symbol = checker.getSymbolAtLocation((symbolNode ?? (node as any).name) as ts.Node);
  if (!symbol) return { text: "", tags: {} };
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker));
  const tags: Record<string, string> = {};
  for (const t of symbol.getJsDocTags(checker)) tags[t.name] = ts.displayPartsToString(t.text ?? []);
  return { text, tags };
}

/** Closes what a sentence cut short left open (a parenthesis, a code span). */
function balanced(s: string): string {
  let out = s;
  if ((out.match(/`/g) ?? []).length % 2 === 1) out = out.endsWith("`") ? out.slice(0, -1) : `${out}\``;
  const open = (out.match(/\(/g) ?? []).length - (out.match(/\)/g) ?? []).length;
  return open > 0 ? out + ")".repeat(open) : open < 0 && out.endsWith(")") ? out.slice(0, -1) : out;
}

/** The default a field's doc states: an `@default` tag, else its "Default ..." sentence. */
export function statedDefault(text: string, tags: Record<string, string>): string | undefined {
  if (tags.default !== undefined) return oneLine(tags.default);
  const m = /(?:^|[.;)]\s+|\()Default(?:s to|:)?\s+([^.;]*(?:\.\d[^.;]*)*)/.exec(text);
  if (m) return balanced(oneLine(m[1]));
  const conditional = /\bRequired ((?:unless|when|if) [^.;]*)/.exec(text);
  return conditional ? `required ${oneLine(conditional[1])}` : undefined;
}

function isComponentClass(c: ts.ClassDeclaration): boolean {
  return (c.heritageClauses ?? []).some((h) => h.types.some((t) => /ComponentResource\b/.test(t.expression.getText())));
}

export function collectComponents(): ComponentDoc[] {
  const files = DIRS.flatMap((d) => fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith(".ts")).map((f) => path.join(ROOT, d, f)));
  const program = ts.createProgram(files, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const out: ComponentDoc[] = [];
  for (const file of files) {
    const sf = program.getSourceFile(file)!;
    for (const st of sf.statements) {
      if (!ts.isClassDeclaration(st) || !st.name || !isComponentClass(st)) continue;
      if (!(ts.getCombinedModifierFlags(st) & ts.ModifierFlags.Export)) continue;
      const ctor = st.members.find(ts.isConstructorDeclaration);
      // (name, args, opts): a component taking (name, opts) has no args.
      const argsParam = ctor?.parameters.length === 3 || (ctor?.parameters.length === 2 && !/Options\b/.test(ctor.parameters[1].type?.getText() ?? "")) ? ctor.parameters[1] : undefined;
      const argsTypeNode = argsParam?.type;
      const doc: ComponentDoc = {
        name: st.name.text,
        file: path.relative(ROOT, file),
        summary: oneLine(docOf(st, checker).text.split(/\n\n/)[0]),
        argsType: argsTypeNode?.getText(),
        inputs: [],
        outputs: [],
      };
      if (argsTypeNode) {
        const type = checker.getTypeFromTypeNode(argsTypeNode);
        for (const prop of checker.getPropertiesOfType(type)) {
          const decl = prop.valueDeclaration ?? prop.declarations?.[0];
          if (!decl) continue;
          const text = ts.displayPartsToString(prop.getDocumentationComment(checker));
          const tags: Record<string, string> = {};
          for (const t of prop.getJsDocTags(checker)) tags[t.name] = ts.displayPartsToString(t.text ?? []);
          const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
          doc.inputs.push({
            name: prop.name,
            type: (decl as ts.PropertySignature).type?.getText() ?? checker.typeToString(checker.getTypeOfSymbolAtLocation(prop, decl)),
            required: !optional,
            default: optional ? statedDefault(text, tags) : undefined,
            doc: text,
          });
        }
      }
      for (const m of st.members) {
        if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name)) continue;
        const flags = ts.getCombinedModifierFlags(m);
        if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || m.name.text.startsWith("_")) continue;
        doc.outputs.push({ name: m.name.text, type: m.type?.getText() ?? "", doc: docOf(m, checker).text });
      }
      out.push(doc);
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
}

export function renderComponentReference(docs: ComponentDoc[] = collectComponents()): string {
  const lines = [
    "# Component reference",
    "",
    "Generated from the code by `npm run docs:components` (a test fails when it is stale). Every",
    "component is `new Name(name, args, opts)`; inputs without a default are required.",
    "",
  ];
  for (const d of docs) {
    lines.push(`## ${d.name}`, "", `\`${d.file}\`${d.argsType ? ` · args \`${d.argsType}\`` : ""}`, "");
    if (d.summary) lines.push(d.summary, "");
    if (d.inputs.length > 0) {
      lines.push("| input | type | default | description |", "| --- | --- | --- | --- |");
      for (const i of d.inputs) lines.push(`| \`${i.name}\` | \`${cell(i.type)}\` | ${i.required ? "required" : i.default ? cell(i.default) : "—"} | ${cell(i.doc)} |`);
      lines.push("");
    }
    if (d.outputs.length > 0) {
      lines.push("| output | type | description |", "| --- | --- | --- |");
      for (const o of d.outputs) lines.push(`| \`${o.name}\` | \`${cell(o.type)}\` | ${cell(o.doc)} |`);
      lines.push("");
    }
  }
  return lines.join("\n");
}

if (path.resolve(process.argv[1] ?? "") === __filename) {
  const docs = collectComponents();
  fs.writeFileSync(REFERENCE_FILE, renderComponentReference(docs));
  const undocumented = docs.flatMap((d) => d.inputs.filter((i) => !i.required && !i.default).map((i) => `${d.name}.${i.name}`));
  console.log(`wrote ${path.relative(ROOT, REFERENCE_FILE)}: ${docs.length} components, ${docs.reduce((n, d) => n + d.inputs.length, 0)} inputs`);
  if (undocumented.length > 0) console.log(`optional inputs stating no default (${undocumented.length}): ${undocumented.join(", ")}`);
}
