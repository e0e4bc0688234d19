#!/usr/bin/env node
// Completes package-lock.json after `npm install` on a machine whose registry mirror lacks
// some optional platform binaries (swc, unrs-resolver): it adds their lock entries with os/cpu,
// so `npm ci` anywhere sees a complete lock and skips them by platform.
// Usage: node tools/complete-lockfile.js package-lock.json
const fs = require("fs");
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const platform = (name) => {
  const n = name.split("/").pop();
  const os = /darwin/.test(n) ? "darwin" : /win32/.test(n) ? "win32" : /freebsd/.test(n) ? "freebsd" : /android/.test(n) ? "android" : /openharmony/.test(n) ? "openharmony" : "linux";
  const cpu = /arm64|aarch64/.test(n) ? "arm64" : /x64/.test(n) ? "x64" : /ia32/.test(n) ? "ia32" : /arm-/.test(n) ? "arm" : /ppc64/.test(n) ? "ppc64" : /s390x/.test(n) ? "s390x" : /riscv64/.test(n) ? "riscv64" : /loong64/.test(n) ? "loong64" : "unknown";
  const libc = /musl/.test(n) ? ["musl"] : /gnu/.test(n) ? ["glibc"] : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
};
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (lock.packages[key] || !/(core|binding)-/.test(dep)) continue;
    lock.packages[key] = { version, ...platform(dep), dev: pkg.dev, optional: true };
    added++;
  }
}
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`added ${added} entries`);
