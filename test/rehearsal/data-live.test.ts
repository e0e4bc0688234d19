/**
 * The RDS and ElastiCache stand-ins for real, in a network namespace this test creates: psql with
 * sslmode=require and redis-cli --tls get in; plain text is refused by both; stop() ends the
 * processes (by pid) and removes their directories. Skipped, with the reason printed, when not
 * root or when the packages (DATA_PACKAGES) are missing.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { DATA_PACKAGES, makeCa, postgresBinDir, redisCli, startPostgres, startRedis } from "../../tools/rehearsal/data";
import { run, which } from "../../tools/rehearsal/sh";

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  const missing = ["ip", "psql", "redis-server", "redis-cli", "openssl", "setpriv"].filter((c) => !which(c));
  if (!postgresBinDir()) missing.push("postgres server");
  if (missing.length) return `missing ${missing.join(", ")} (apt-get install ${DATA_PACKAGES.join(" ")})`;
  return undefined;
}
const why = unavailable();
if (why) console.log(`SKIPPED data-store stand-ins live test: ${why}`);
const live = why ? describe.skip : describe;

live("data-store stand-ins, live", () => {
  const id = crypto.randomBytes(3).toString("hex");
  const ns = `reh-data-${id}`;
  const address = "10.250.0.5";
  const base = `/var/tmp/webapp-platform-rehearsal-test-data-${id}`;
  const password = "Pw_" + crypto.randomBytes(12).toString("hex");
  const token = crypto.randomBytes(24).toString("hex");
  const inNs = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => run("ip", ["netns", "exec", ns, cmd, ...args], env ? { env: { ...process.env, ...env } } : {});

  beforeAll(() => {
    expect(run("ip", ["netns", "add", ns]).code).toBe(0);
    run("ip", ["-n", ns, "link", "set", "lo", "up"]);
    run("ip", ["-n", ns, "addr", "add", `${address}/32`, "dev", "lo"]);
  });
  afterAll(() => {
    run("ip", ["netns", "del", ns]);
    fs.rmSync(base, { recursive: true, force: true });
  });

  test("both start in the namespace, accept TLS only, and stop cleanly", async () => {
    const ca = makeCa(`${base}/ca`);
    const pg = await startPostgres({ dir: `${base}/pg`, address, netns: ns, ca, dbName: "shop_db", username: "app_admin", password, certNames: ["db.example.internal"] });
    const redis = await startRedis({ dir: `${base}/redis`, address, netns: ns, ca, authToken: token, certNames: ["cache.example.internal"] });
    try {
      // PostgreSQL: TLS with sslmode=require, as the connection secret's DATABASE_URL says.
      const ok = inNs("psql", [pg.url, "-XAtc", "SELECT current_user, current_database(), ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"]);
      expect(ok.stderr).toBe("");
      expect(ok.stdout.trim()).toMatch(/^app_admin\|shop_db\|t\|TLSv1\.[23]$/);
      // verify-full against the CA and the address in the certificate.
      const full = inNs("psql", [`${pg.url.replace("sslmode=require", "sslmode=verify-full")}&sslrootcert=${pg.caFile}`, "-XAtc", "SELECT 1"]);
      expect(full.stdout.trim()).toBe("1");
      // The master user owns its database and can create tables; it is not a superuser.
      expect(inNs("psql", [pg.url, "-XAtq", "-c", "CREATE TABLE t (id int)", "-c", "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"]).stdout.trim()).toBe("f");
      // Plain text is refused, and a wrong password too.
      const plain = inNs("psql", [pg.url.replace("sslmode=require", "sslmode=disable"), "-XAtc", "SELECT 1"]);
      expect(plain.code).not.toBe(0);
      expect(plain.stderr).toMatch(/pg_hba\.conf rejects connection .* no encryption/);
      expect(inNs("psql", [pg.url.replace(encodeURIComponent(password), "wrong"), "-XAtc", "SELECT 1"]).stderr).toMatch(/password authentication failed/);
      // Not reachable from the machine's own namespace.
      expect(run("psql", [pg.url, "-XAtc", "SELECT 1"], { timeout: 10000 }).code).not.toBe(0);

      // Redis: TLS and AUTH.
      expect(redisCli(redis, ["--no-auth-warning", "SET", "k", "v"], token).stdout.trim()).toBe("OK");
      expect(redisCli(redis, ["--no-auth-warning", "GET", "k"], token).stdout.trim()).toBe("v");
      expect(redisCli(redis, ["PING"]).stdout).toMatch(/NOAUTH/);
      expect(redisCli(redis, ["--no-auth-warning", "PING"], "wrong-token").stdout + redisCli(redis, ["--no-auth-warning", "PING"], "wrong-token").stderr).toMatch(/WRONGPASS|invalid/i);
      // Plain text to the TLS port gets no answer; nothing listens on plain text at all.
      const plainRedis = inNs("redis-cli", ["-h", address, "-p", "6379", "PING"], { REDISCLI_AUTH: token });
      expect(plainRedis.stdout.trim()).not.toBe("PONG");
      const listening = inNs("ss", ["-Hltn"]).stdout;
      expect(listening).toMatch(new RegExp(`${address.replace(/\./g, "\\.")}:5432`));
      expect(listening).toMatch(new RegExp(`${address.replace(/\./g, "\\.")}:6379`));
      expect(listening.split("\n").filter((l) => l.trim()).length).toBe(2);
    } finally {
      await pg.stop();
      await redis.stop();
    }
    for (const pid of [pg.pid, redis.pid]) expect(() => process.kill(pid, 0)).toThrow();
    expect(fs.existsSync(`${base}/pg`)).toBe(false);
    expect(fs.existsSync(`${base}/redis`)).toBe(false);
  }, 90000);
});
