/**
 * The field tables themselves: every API path resolves in AWS's models, every prose rule
 * quotes its member's documentation word for word, and the vendored extract is what the
 * full models give.
 */
import * as fs from "fs";
import { extractShapes, referencedApis } from "../../tools/preflight/extract";
import { FIELD_TABLE } from "../../tools/preflight/fields";
import { SHARED_MODELS, apiMembers, compilePattern } from "../../tools/preflight/model";
import { isLocal } from "../../tools/preflight/rules";

const members = apiMembers();

describe("field tables", () => {
  test("every referenced API member is in the vendored extract, and nothing else is", () => {
    expect(Object.keys(members).sort()).toEqual(referencedApis());
  });

  const haveModels = fs.existsSync(SHARED_MODELS);
  (haveModels ? test : test.skip)("the vendored extract equals a fresh extract from ../shared/aws-models", () => {
    expect(extractShapes(SHARED_MODELS)).toEqual(members);
  });

  test("every prose rule quotes the documentation of the member it is attached to", () => {
    const missing: string[] = [];
    for (const [type, mapping] of Object.entries(FIELD_TABLE)) {
      const full = (api: string) => (api.includes(":") ? api : `${mapping.model}:${api}`);
      for (const [path, f] of Object.entries(mapping.fields)) {
        if (typeof f !== "object" || isLocal(f)) continue;
        const doc = members[full(f.proseFrom ?? f.api)].doc;
        for (const r of f.prose ?? []) if (!doc.includes(r.quote)) missing.push(`${type} ${path} (${f.api}): "${r.quote}"`);
      }
      for (const c of mapping.cross ?? []) if (!members[full(c.api)].doc.includes(c.quote)) missing.push(`${type} cross (${c.api}): "${c.quote}"`);
    }
    expect(missing).toEqual([]);
  });

  test("fields kept out of AWS's models say why, and cite the source of any rule they carry", () => {
    for (const mapping of Object.values(FIELD_TABLE)) {
      for (const f of Object.values(mapping.fields)) {
        if (!isLocal(f)) continue;
        expect(f.local.length).toBeGreaterThan(20);
        for (const r of f.rules ?? []) expect(r.source).toMatch(/\S/);
      }
    }
  });

  test("every model pattern the tables reach compiles", () => {
    for (const m of Object.values(members)) if (m.pattern) expect(() => compilePattern(m.pattern as string)).not.toThrow();
  });
});
