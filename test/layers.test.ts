/**
 * The program's layers, checked on its import statements: index.ts -> config -> architectures
 * -> components -> lib, each importing only layers below it (or itself), no circle anywhere,
 * and the policy pack and the program independent of each other (the pack reads what the
 * program built, never its code).
 */
import * as fs from "fs";
import * as path from "path";
import { TAGGABLE_TYPES as PROGRAM_TAGGABLE } from "../lib/taggable";
import { TAGGABLE_TYPES as PACK_TAGGABLE } from "../policies/lib/taggable";
import { ONE_YEAR_SECONDS as PACK_ONE_YEAR } from "../policies/lib/tls";
import { ONE_YEAR_SECONDS } from "../lib/durations";

const ROOT = path.join(__dirname, "..");
/** Rank of each program layer: a file may import its own layer or a higher rank. */
const LAYERS: Record<string, number> = { "index.ts": 0, "library.ts": 0, config: 1, architectures: 2, components: 3, lib: 4 };
const PACK = "policies";

function tsFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [dir];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) =>
    e.name === "node_modules" ? [] : e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);
}

/** Relative module specifiers of a file (import/export ... from, import(), require()), resolved to repository paths. */
export function localImports(file: string, source: string): string[] {
  const specs = [...source.matchAll(/(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3]).filter((s) => s.startsWith("."));
  return specs.map((s) => {
    const base = path.normalize(path.join(path.dirname(file), s));
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) if (fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) return candidate;
    return base;
  });
}

const layerOf = (file: string): string => (file.includes(path.sep) ? file.split(path.sep)[0] : file);

const PROGRAM = Object.keys(LAYERS).flatMap(tsFiles);
const PACK_FILES = tsFiles(PACK);
const graph = new Map<string, string[]>();
for (const f of [...PROGRAM, ...PACK_FILES]) graph.set(f, localImports(f, fs.readFileSync(path.join(ROOT, f), "utf8")));

/** Strongly connected components with more than one file (or a file importing itself). */
function circles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe("layers", () => {
  it("finds the program's files and their imports (the check is not vacuous)", () => {
    expect(PROGRAM.length).toBeGreaterThan(50);
    expect(graph.get("index.ts")).toEqual(expect.arrayContaining([path.join("config", "index.ts")]));
    expect(localImports(path.join("components", "x.ts"), 'import { a } from "../lib/names";\nexport * from "./y";\nconst z = require("../config");')).toEqual([
      path.join("lib", "names.ts"), path.join("components", "y"), path.join("config", "index.ts"),
    ]);
  });

  it("has no import circle, in the program or the pack", () => {
    expect(circles(graph)).toEqual([]);
  });

  it("imports only downward: index.ts -> config -> architectures -> components -> lib", () => {
    const upward = PROGRAM.flatMap((f) => (graph.get(f) ?? []).filter((t) => {
      const to = layerOf(t);
      return to in LAYERS && LAYERS[to] < LAYERS[layerOf(f)];
    }).map((t) => `${f} imports ${t}`));
    expect(upward).toEqual([]);
  });

  it("keeps the program and the policy pack apart (neither imports the other, nor tools or tests)", () => {
    const crossing = [
      ...PROGRAM.flatMap((f) => (graph.get(f) ?? []).filter((t) => !(layerOf(t) in LAYERS)).map((t) => `${f} imports ${t}`)),
      ...PACK_FILES.flatMap((f) => (graph.get(f) ?? []).filter((t) => layerOf(t) !== PACK).map((t) => `${f} imports ${t}`)),
    ];
    expect(crossing).toEqual([]);
  });

  it("agrees with the pack on what both keep (what is taggable, a year of HSTS)", () => {
    expect([...PROGRAM_TAGGABLE].sort()).toEqual([...PACK_TAGGABLE].sort());
    expect(PACK_ONE_YEAR).toBe(ONE_YEAR_SECONDS);
  });

  it("exports every architecture, component and rule module from the library entry point (library.ts)", () => {
    const exported = new Set(localImports("library.ts", fs.readFileSync(path.join(ROOT, "library.ts"), "utf8")));
    const modules = ["architectures", "components", "lib"].flatMap((d) => fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith(".ts")).map((f) => path.join(d, f)));
    expect(modules.filter((m) => !exported.has(m))).toEqual([]);
  });
});
