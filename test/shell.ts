/** Running and linting rendered shell scripts, for the deploy step tests. */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface Run { code: number; stdout: string; stderr: string }

/** Runs a script with sh asynchronously, so a server in this process can answer it. */
export function runSh(script: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile("/bin/sh", ["-c", script, "sh", ...args], { env: { ...process.env, ...env }, timeout: 30000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export function shellcheck(script: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sc-"));
  const file = path.join(dir, "script.sh");
  fs.writeFileSync(file, script);
  try {
    return execFileSync("shellcheck", ["--shell=sh", "--severity=style", file], { encoding: "utf8" });
  } catch (err) {
    return (err as { stdout?: string }).stdout || String(err);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}
