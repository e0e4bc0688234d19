#!/usr/bin/env node
// Runs a TypeScript tool without a build step: transpile-only through swc, as jest does.
const path = require("path");
const { transformSync } = require("@swc/core");
const fs = require("fs");
require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), {
    filename,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  });
  module._compile(code, filename);
};
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error("usage: node tools/run.js <script.ts> [args...]");
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(script), ...args];
require(path.resolve(script));
