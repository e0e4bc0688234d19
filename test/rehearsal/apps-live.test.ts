/**
 * Each sample app installed the way the host's deploy script installs it (checksum, venv, pip
 * offline from the vendored wheels with the artifact's gunicorn pin, collectstatic, migrate under
 * the advisory lock) and run against the PostgreSQL
 * stand-in over TLS: its health path answers 200 while the database is up, with any Host (an ALB
 * health check sends the target's IP), and 503 once the database is gone. Needs root (the
 * stand-in runs as postgres) and the build tools; skipped, with the reason printed, otherwise.
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { MIGRATION_LOCK_KEY, migratePython } from "../../components/hostconfig";
import { APP_BUILD_PACKAGES, buildArtifact, Runtime, startApp } from "../../tools/rehearsal/apps";
import { DATA_PACKAGES, postgresBinDir, startPostgres } from "../../tools/rehearsal/data";
import { isAlive, run, sleep, stopChild, which } from "../../tools/rehearsal/sh";

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  const missing = ["python3", "cc", "pg_config", "curl", "setpriv", "openssl"].filter((c) => !which(c));
  if (!postgresBinDir()) missing.push("postgres server");
  if (run("python3", ["-c", "import ensurepip, venv"]).code !== 0) missing.push("python3-venv");
  if (missing.length) return `missing ${missing.join(", ")} (apt-get install ${[...APP_BUILD_PACKAGES, ...DATA_PACKAGES].join(" ")})`;
  return undefined;
}
const why = unavailable();
if (why) console.log(`SKIPPED sample apps live test: ${why}`);
const live = why ? describe.skip : describe;

live("sample apps against the PostgreSQL stand-in", () => {
  const id = crypto.randomBytes(3).toString("hex");
  const base = `/var/tmp/webapp-platform-rehearsal-test-apps-${id}`;
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  const cases: [Runtime, string, number][] = [["django", "/health/", 18400], ["flask", "/healthz", 18401], ["rust", "/health", 18402]];
  test.each(cases)("%s: health %s is 200 with the database, 503 without", async (runtime, healthCheckPath, port) => {
    const pgPort = port + 1000;
    const pg = await startPostgres({ dir: `${base}/pg-${runtime}`, address: "127.0.0.1", port: pgPort, dbName: "app_db", username: "app_admin", password: `pw_${id}` });
    let pgUp = true;
    try {
      const a = buildArtifact(runtime, { name: `sample-${runtime}`, healthCheckPath, appVersion: "1.0.0" }, `${base}/artifacts`);
      const app = await startApp(a, {
        dir: `${base}/run-${runtime}`, port,
        env: {
          APP_NAME: `sample-${runtime}`, APP_VERSION: "1.0.0", ALLOWED_HOSTS: "example.com,www.example.com", STATIC_ROOT: `${base}/static-${runtime}`,
          DATABASE_URL: pg.url, DJANGO_SECRET_KEY: crypto.randomBytes(32).toString("hex"), SECRET_KEY: crypto.randomBytes(32).toString("hex"), FLASK_ENV: "production",
        },
      });
      try {
        const get = (p: string, host: string) => run("curl", ["-s", "-w", "\n%{http_code}", "-H", `Host: ${host}`, `http://127.0.0.1:${port}${p}`]).stdout;
        const ok = get(healthCheckPath, "10.20.0.10");
        expect(ok.split("\n").pop()).toBe("200");
        expect(ok).toMatch(/"database_tls": true/);
        if (runtime === "django") {
          expect(app.installLog).toMatch(/Applying probe\.0001_initial\.\.\. OK/);
          expect(fs.existsSync(`${base}/static-${runtime}/site.css`)).toBe(true);
          expect(get("/visits/", "example.com").split("\n").pop()).toBe("200");
          // A name that is not the app's is refused (ALLOWED_HOSTS), except on the health path.
          expect(get("/", "evil.example").split("\n").pop()).toBe("400");
        }
        await pg.stop();
        pgUp = false;
        expect(get(healthCheckPath, "10.20.0.10").split("\n").pop()).toBe("503");
      } finally {
        await app.stop();
      }
    } finally {
      if (pgUp) await pg.stop();
    }
  }, 300000);

  // The deploy's migrate (migratePython) as two fleet instances booting together run it, while a
  // third session holds the lock: both wait, then one applies the migrations and the other finds none.
  test("django: concurrent deploys migrate one at a time under the advisory lock", async () => {
    const port = 18403;
    const pg = await startPostgres({ dir: `${base}/pg-lock`, address: "127.0.0.1", port: port + 1000, dbName: "app_db", username: "app_admin", password: `pw_${id}` });
    const children: ChildProcess[] = [];
    try {
      const a = buildArtifact("django", { name: "sample-lock", healthCheckPath: "/health/", appVersion: "1.0.0" }, `${base}/artifacts`);
      const env = {
        PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", APP_NAME: "sample-lock", ALLOWED_HOSTS: "example.com", STATIC_ROOT: `${base}/static-lock`,
        DATABASE_URL: pg.url, DJANGO_SECRET_KEY: crypto.randomBytes(32).toString("hex"),
      };
      const app = await startApp(a, { dir: `${base}/run-lock`, port, env, migrate: false });
      try {
        const python = path.join(app.releaseDir, "venv/bin/python");
        const start = (args: string[]) => {
          const c = spawn(python, args, { cwd: app.releaseDir, env, stdio: ["pipe", "pipe", "pipe"] });
          children.push(c);
          let out = "";
          c.stdout!.on("data", (d) => { out += d; });
          c.stderr!.on("data", (d) => { out += d; });
          const done = new Promise<number>((resolve) => c.on("exit", (code) => resolve(code ?? -1)));
          return { child: c, output: () => out, done };
        };
        const holder = start(["-c", `import os, sys, psycopg2
c = psycopg2.connect(os.environ["DATABASE_URL"])
c.autocommit = True
c.cursor().execute("SELECT pg_advisory_lock(%s)", [${MIGRATION_LOCK_KEY}])
print("locked", flush=True)
sys.stdin.read()`]);
        for (let i = 0; !holder.output().includes("locked"); i++) {
          if (i > 100 || !isAlive(holder.child)) throw new Error(`the lock holder did not start: ${holder.output()}`);
          await sleep(100);
        }
        const migrations = [start(["manage.py", "shell", "-c", migratePython()]), start(["manage.py", "shell", "-c", migratePython()])];
        await sleep(3000);
        // Waiting on the lock, nothing applied yet.
        for (const m of migrations) {
          expect(isAlive(m.child)).toBe(true);
          expect(m.output()).not.toContain("Applying");
        }
        holder.child.stdin!.end();
        expect(await holder.done).toBe(0);
        const codes = await Promise.all(migrations.map((m) => m.done));
        const outputs = migrations.map((m) => m.output());
        expect(codes).toEqual([0, 0]);
        for (const o of outputs) expect(o).toContain("holding the migration lock");
        expect(outputs.filter((o) => /Applying probe\.0001_initial\.\.\. OK/.test(o))).toHaveLength(1);
        expect(outputs.filter((o) => /No migrations to apply\./.test(o))).toHaveLength(1);
        expect(run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: example.com", `http://127.0.0.1:${port}/visits/`]).stdout).toBe("200");
      } finally {
        await app.stop();
      }
    } finally {
      for (const c of children) if (isAlive(c)) await stopChild(c, "SIGTERM", 5000);
      await pg.stop();
    }
  }, 300000);
});
