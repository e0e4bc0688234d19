/**
 * A minimal, deterministic YAML emitter for the documents the renderer writes (cloud-config,
 * compose). The program cannot depend on the `yaml` package at run time (it is a dev
 * dependency), and the documents only need maps, lists, scalars and multi-line text.
 * Multi-line strings become literal blocks so scripts stay readable in the user data; every
 * other string is double-quoted JSON, which is valid YAML and never re-typed (no "yes"/"0644"
 * surprises).
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function toYaml(value: YamlValue): string {
  return emit(value, 0).replace(/^\n/, "") + "\n";
}

function key(k: string): string {
  return PLAIN_KEY.test(k) ? k : JSON.stringify(k);
}

function scalar(v: string | number | boolean | null, indent: number): string {
  if (v === null) return "null";
  if (typeof v !== "string") {
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`cannot write ${v} as YAML`);
    return String(v);
  }
  if (!v.includes("\n")) return JSON.stringify(v);
  if (/\r/.test(v)) throw new Error("YAML block text may not contain carriage returns");
  // Literal block: keep the text byte for byte. The chomping indicator matches the trailing
  // newlines; an indentation indicator is needed when the first line starts with a space.
  const trailing = v.length - v.replace(/\n+$/, "").length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const pad = " ".repeat(indent + 2);
  const indicator = /^[ \n]/.test(v) ? "2" : "";
  const body = v.replace(/\n+$/, "").split("\n").map((line) => (line === "" ? "" : pad + line)).join("\n");
  return `|${indicator}${chomp}\n${body}${"\n".repeat(Math.max(trailing - 1, 0))}`;
}

function emit(value: YamlValue, indent: number): string {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return " []";
    return value.map((item) => {
      if (isMap(item) && Object.keys(defined(item)).length > 0) {
        // First key on the dash line, the rest aligned under it.
        const body = emit(item, indent + 2).replace(/^\n/, "");
        return `\n${pad}- ${body.slice(indent + 2)}`;
      }
      const text = emit(item, indent + 2);
      return `\n${pad}-${text.startsWith("\n") ? text : text}`;
    }).join("");
  }
  if (isMap(value)) {
    const entries = Object.entries(defined(value));
    if (entries.length === 0) return " {}";
    return entries.map(([k, v]) => `\n${pad}${key(k)}:${emit(v as YamlValue, indent + 2)}`).join("");
  }
  return ` ${scalar(value, indent - 2)}`;
}

function isMap(v: YamlValue): v is { [key: string]: YamlValue | undefined } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function defined(m: { [key: string]: YamlValue | undefined }): Record<string, YamlValue> {
  const out: Record<string, YamlValue> = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) out[k] = v;
  return out;
}
