/**
 * Writes data/aws-shapes.json: every API member the field tables reference, resolved against
 * AWS's full models in ../shared/aws-models. Run after editing a table:
 *
 *   npm run preflight:extract [-- --models <dir>]
 */
import * as fs from "fs";
import * as path from "path";
import { FIELD_TABLE } from "./fields";
import { ApiMember, SHAPES_FILE, SHARED_MODELS, modelLoader, resolveMember } from "./model";
import { FieldTable, isLocal } from "./rules";

/** Every `<service>:<Operation>...` path the table uses, sorted. */
export function referencedApis(table: FieldTable = FIELD_TABLE): string[] {
  const out = new Set<string>();
  for (const [type, mapping] of Object.entries(table)) {
    const full = (api: string) => {
      if (api.includes(":")) return api;
      if (!mapping.model) throw new Error(`${type}: field ${api} needs the type's model`);
      return `${mapping.model}:${api}`;
    };
    for (const f of Object.values(mapping.fields)) {
      if (isLocal(f)) continue;
      out.add(full(typeof f === "string" ? f : f.api));
      if (typeof f === "object" && f.proseFrom) out.add(full(f.proseFrom));
    }
    for (const c of mapping.cross ?? []) out.add(full(c.api));
  }
  return [...out].sort();
}

/** The extract's content for a models directory. */
export function extractShapes(modelsDir: string, table: FieldTable = FIELD_TABLE): Record<string, ApiMember> {
  const load = modelLoader(modelsDir);
  const out: Record<string, ApiMember> = {};
  for (const api of referencedApis(table)) out[api] = resolveMember(api, load);
  return out;
}

if (path.resolve(process.argv[1] ?? "") === __filename) {
  const i = process.argv.indexOf("--models");
  const dir = i > 0 ? process.argv[i + 1] : SHARED_MODELS;
  const shapes = extractShapes(dir);
  fs.writeFileSync(SHAPES_FILE, JSON.stringify(shapes, null, 1) + "\n");
  console.error(`wrote ${path.relative(process.cwd(), SHAPES_FILE)}: ${Object.keys(shapes).length} API members from ${dir}`);
}
