/**
 * A database password rotation, as the rotation function does it, against a booted host:
 * the stand-in database's password changes (ALTER ROLE, like RDS's ModifyDBInstance), the
 * stand-in Secrets Manager serves the new connection secret, and the host's refresh unit runs
 * (as its timer would). The host passes when its app restarted with the new DATABASE_URL (by
 * hash: no value on any command line), answers its health check again, and the old password
 * no longer opens a connection.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { inside, RunningHost } from "./boot";
import type { AwsState } from "./aws/plan";
import type { HostExpectations } from "./expect";
import type { DataHandle } from "./probes";
import type { Row } from "./report";
import { runAsync } from "./sh";

const PROBE = "secrets rotation";
const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/** Hosts whose app reads DATABASE_URL from its unit's environment (not compose, whose containers hold it). */
export function rotates(exp: HostExpectations, db: DataHandle | undefined): db is DataHandle {
  return exp.hasDatabase && exp.secretStatePaths.length === 0 && db !== undefined && exp.secrets.some((s) => /\/DATABASE$/.test(s.name));
}

/** The connection secret with password `from` replaced by `to`, as is and URL-encoded (in the URLs). Pure. */
export function rotatedSecretString(secretString: string, from: string, to: string): string {
  const v = JSON.parse(secretString) as Record<string, unknown>;
  const swap = (x: string) => x.split(from).join(to).split(encodeURIComponent(from)).join(encodeURIComponent(to));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === "string" ? swap(x) : x;
  return JSON.stringify(out);
}

async function psql(db: DataHandle, password: string, sql: string) {
  return runAsync("ip", ["netns", "exec", db.netns, "env", `PGPASSWORD=${password}`, "PGCONNECT_TIMEOUT=5", "psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
    `host=${db.address} port=${db.port} dbname=${db.dbName} user=${db.username} sslmode=require`, "-c", sql]);
}

async function mainPid(h: RunningHost, app: string): Promise<string> {
  return (await inside(h.leader, ["systemctl", "show", "-p", "MainPID", "--value", `${app}.service`])).stdout.trim();
}

/** Copies a unit's journal into the host's directory, for a failed check. */
async function keepJournal(h: RunningHost, unit: string): Promise<void> {
  const j = await inside(h.leader, ["journalctl", "--no-pager", "-o", "short-precise", "-u", unit]);
  fs.writeFileSync(path.join(h.hostDir, `journal-${unit}.txt`), j.stdout + j.stderr);
}

/** An edit's result: the new secret string, or why there is none. */
type Outcome = { ok: true; value: string } | { ok: false; value: string };

// Hosts boot in parallel and each rotation edits the one state file the stand-in serves:
// edits take turns, or one host's edit overwrites another's (a lost rotation).
let stateEdits: Promise<unknown> = Promise.resolve();

/**
 * Runs `edit` on a fresh copy of the stand-in's state, one edit at a time, and replaces the file
 * atomically (the stand-in never reads half a file) when `edit` returns ok. The stand-in notices
 * the new state by its mtime.
 */
async function editState(stateFile: string, edit: (s: AwsState) => Promise<Outcome>): Promise<Outcome> {
  const turn = stateEdits.then(async (): Promise<Outcome> => {
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as AwsState;
    const out = await edit(state);
    if (!out.ok) return out;
    const tmp = `${stateFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, stateFile);
    await new Promise((r) => setTimeout(r, 1500));
    return out;
  });
  stateEdits = turn.catch(() => undefined);
  return turn;
}

/**
 * Rotates the app's database password and checks the host follows. `stateFile` is the AWS
 * stand-in's state (re-read by the server when it changes); `healthy` asks the host's health
 * check once. Mutates `db.password` so later checks use the new one.
 */
export async function rotationRow(
  h: RunningHost, label: string, exp: HostExpectations, db: DataHandle, stateFile: string, healthy: () => Promise<boolean>,
): Promise<Row> {
  const row = (result: Row["result"], detail: string): Row => ({ host: label, probe: PROBE, result, detail });
  const before = await mainPid(h, exp.app);
  const old = db.password;
  const next = crypto.randomBytes(30).toString("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, 40);
  const rotated = await editState(stateFile, async (state) => {
    const secret = state.secrets.find((s) => /\/DATABASE$/.test(s.name) && s.secretString?.includes(old) && exp.secrets.some((e) => e.name === s.name || e.name === s.arn));
    if (!secret?.secretString) return { ok: false, value: "the app's DATABASE secret is not in the stand-in with the database's password" };
    const alter = await psql(db, old, `ALTER ROLE "${db.username}" PASSWORD '${next}'`);
    if (alter.code !== 0) return { ok: false, value: `could not change the stand-in database's password: ${alter.stderr.trim().slice(0, 160)}` };
    db.password = next;
    secret.secretString = rotatedSecretString(secret.secretString, old, next);
    secret.versionId = crypto.randomUUID();
    return { ok: true, value: secret.secretString };
  });
  if (!rotated.ok) return row("FAIL", rotated.value);
  const secretString = rotated.value;

  const refresh = await inside(h.leader, ["systemctl", "start", `${exp.app}-secrets-refresh.service`], 120);
  if (refresh.code !== 0) {
    await keepJournal(h, `${exp.app}-secrets-refresh.service`);
    await keepJournal(h, `${exp.app}.service`);
    return row("FAIL", `${exp.app}-secrets-refresh.service failed (its journal is in the host's directory): ${refresh.stderr.trim().slice(0, 160)}`);
  }
  let answered = false;
  for (let i = 0; i < 30 && !answered; i++) {
    answered = await healthy();
    if (!answered) await new Promise((r) => setTimeout(r, 2000));
  }
  // Once it answers: right after the restart the main pid may still be systemd's fork, before exec.
  const after = await mainPid(h, exp.app);
  const wanted = sha256(`DATABASE_URL=${JSON.parse(secretString).DATABASE_URL}`);
  const env = await inside(h.leader, ["sh", "-c", `tr '\\0' '\\n' </proc/${after}/environ | grep '^DATABASE_URL=' | tr -d '\\n' | sha256sum | cut -d' ' -f1`]);
  const oldRefused = (await psql(db, old, "SELECT 1")).code !== 0;
  const checks: [boolean, string][] = [
    [after !== "0" && after !== before, `the app restarted (main pid ${before} -> ${after})`],
    [env.stdout.trim() === wanted, "its environment holds the new DATABASE_URL"],
    [answered, "it answers its health check again"],
    [oldRefused, "the old password no longer opens a connection"],
  ];
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => `not: ${what}`);
  if (failed.length) await keepJournal(h, `${exp.app}-secrets-refresh.service`);
  return failed.length ? row("FAIL", failed.join("; ")) : row("pass", checks.map(([, what]) => what).join("; "));
}
