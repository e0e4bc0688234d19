/**
 * A compose host's release command (components/hostconfig/scripts.ts renderReleaseScript), for
 * real: the rendered script against a real PostgreSQL with TLS (the rehearsal's stand-in, in a
 * network namespace this test creates), a stub `docker` that records when each one-off container
 * runs. Two hosts releasing at once take turns under the advisory lock; a failing command fails
 * the release; the database password is never on a command line. Skipped, with the reason
 * printed, when not root or when psql / the PostgreSQL server are missing.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PG_ENV_PATH, PG_ENV_PY } from "../components/hostconfig/scripts";
import { renderHostFiles } from "../components/hostconfig";
import { DATA_PACKAGES, makeCa, postgresBinDir, startPostgres } from "../tools/rehearsal/data";
import { run, runAsync, which } from "../tools/rehearsal/sh";
import { allCases } from "./fixtures/hostconfig/inputs";

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  const missing = ["ip", "psql", "python3", "openssl"].filter((c) => !which(c));
  if (!postgresBinDir()) missing.push("postgres server");
  if (missing.length) return `missing ${missing.join(", ")} (apt-get install ${DATA_PACKAGES.join(" ")})`;
  return undefined;
}
const why = unavailable();
if (why) console.log(`SKIPPED compose release live test: ${why}`);
const live = why ? describe.skip : describe;

const saas = allCases().find((c) => c.stack === "staging" && c.app.name === "saas-platform")!;

live("a compose host's release command, live", () => {
  const id = crypto.randomBytes(3).toString("hex");
  const ns = `reh-rel-${id}`;
  const address = "10.250.1.5";
  const base = `/var/tmp/webapp-platform-test-release-${id}`;
  // Characters a URL must encode, as RDS passwords may hold (not / " @ or space).
  const password = `Pw-${crypto.randomBytes(10).toString("hex")}%+:?#`;
  let stop: (() => Promise<void>) | undefined;

  /** A host: the rendered release script with its paths moved into `dir`, a stub docker. */
  const host = (name: string, dockerBody: string) => {
    const dir = path.join(base, name);
    fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
    const files = renderHostFiles(saas.input);
    const release = files.find((f) => f.path.endsWith("-release"))!;
    const script = path.join(dir, "release");
    fs.writeFileSync(script, release.content.split(PG_ENV_PATH).join(path.join(dir, "pg-env.py"))
      .split(`/etc/${saas.app.name}/`).join(`${dir}/`).split(release.path).join(script), { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "pg-env.py"), PG_ENV_PY, { mode: 0o755 });
    const url = `postgres://app_admin:${encodeURIComponent(password)}@${address}:5432/saas?sslmode=require`;
    fs.writeFileSync(path.join(dir, "secrets.env"), `DJANGO_SECRET_KEY='k'\nDATABASE_URL='${url}'\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "bin", "docker"), `#!/bin/bash\n${dockerBody}\n`, { mode: 0o755 });
    return { dir, script, run: () => runAsync("ip", ["netns", "exec", ns, "env", `PATH=${dir}/bin:/usr/bin:/bin`, `LOG=${base}/runs.log`, `HOST=${name}`, "bash", script]) };
  };

  beforeAll(async () => {
    expect(run("ip", ["netns", "add", ns]).code).toBe(0);
    run("ip", ["-n", ns, "link", "set", "lo", "up"]);
    run("ip", ["-n", ns, "addr", "add", `${address}/32`, "dev", "lo"]);
    const pg = await startPostgres({ dir: `${base}/pg`, address, netns: ns, ca: makeCa(`${base}/ca`), dbName: "saas", username: "app_admin", password, certNames: ["db.example.internal"] });
    stop = () => pg.stop();
  }, 120000);
  afterAll(async () => {
    await stop?.();
    run("ip", ["netns", "del", ns]);
    fs.rmSync(base, { recursive: true, force: true });
  });

  test("two hosts releasing at once take turns under the lock; each runs the command once, in a one-off container of the app service", async () => {
    // The one-off container: records its start and end (3 s apart) and its arguments.
    const docker = 'echo "start $HOST $(date +%s.%N) $*" >>"$LOG"; ps -eo args >"$LOG.ps.$HOST"; sleep 3; echo "end $HOST $(date +%s.%N)" >>"$LOG"';
    const a = host("a", docker);
    const b = host("b", docker);
    const [ra, rb] = await Promise.all([a.run(), b.run()]);
    expect([ra.code, ra.stderr]).toEqual([0, ""]);
    expect([rb.code, rb.stderr]).toEqual([0, ""]);
    const lines = fs.readFileSync(`${base}/runs.log`, "utf8").trim().split("\n").map((l) => l.split(" "));
    expect(lines.map((l) => l[0])).toEqual(["start", "end", "start", "end"]);
    // The second starts only after the first has ended: the lock serialized them.
    expect(lines[1][1]).toBe(lines[0][1]);
    expect(Number(lines[2][2])).toBeGreaterThanOrEqual(Number(lines[1][2]));
    expect(lines[0].slice(3)).toEqual(expect.arrayContaining(["compose", "run", "--rm", "--no-deps", "-T", "backend", "python", "release.py"]));
    expect(ra.stdout + rb.stdout).toContain("saas-platform: holding the migration lock; running backend's release command");
    // The password reached psql through the environment only: no process had it in its arguments.
    for (const h of ["a", "b"]) expect(fs.readFileSync(`${base}/runs.log.ps.${h}`, "utf8")).not.toContain(password.slice(0, 12));
  }, 60000);

  test("a failing release command fails the release (so the deploy stops before the restart), and the lock is free again", async () => {
    const failing = host("failing", 'echo "migration 0042 failed" >&2; exit 3');
    const r = await failing.run();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("saas-platform: the release command failed (exit 3): the stack stays on its previous images");
    const next = host("after", 'echo "ran $HOST" >>"$LOG.after"');
    expect((await next.run()).code).toBe(0);
    expect(fs.readFileSync(`${base}/runs.log.after`, "utf8").trim()).toBe("ran after");
  }, 60000);
});
