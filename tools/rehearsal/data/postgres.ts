/**
 * The RDS stand-in: a private PostgreSQL cluster (Debian's server binaries, `initdb` into a run
 * directory, never the system service) that requires TLS, like RDS with `rds.force_ssl=1`:
 * pg_hba has `hostssl` lines only (plain TCP is rejected), `ssl = on`, TLS 1.2 at least,
 * SCRAM passwords. The master user and database are the plan's; the master user is not a
 * superuser (on RDS it is a member of rds_superuser: CREATEDB, CREATEROLE), and it owns its database.
 *
 * It runs as the `postgres` user, inside a network namespace when `netns` is given
 * (`ip netns exec <ns> setpriv ... postgres -D <dir>`, so the pid is the postmaster's), listening on
 * `address:port` only. Its own unix socket (in the run directory, peer auth for `postgres` only)
 * is how the stand-in creates the user and database; nothing else uses it.
 *
 *   const pg = await startPostgres({ dir, address: "10.20.0.50", netns: "reh-x-r", dbName, username, password, ca });
 *   ... pg.url ... await pg.stop();
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isAlive, must, run, sleep, stopChild } from "../sh";
import { Ca, issueServerCert, makeCa, mkdirMode } from "./tls";

export interface PostgresOptions {
  /** Run directory (created; removed by stop() unless keep). Must be reachable by the postgres user. */
  dir: string;
  /** Address to listen on (inside `netns` when given). */
  address: string;
  /** Network namespace (a name under /run/netns) to run in. Default: the caller's. */
  netns?: string;
  /** Port. Default 5432. */
  port?: number;
  dbName: string;
  username: string;
  password: string;
  /** CA that signs the server certificate. Default: a new one in <dir>/ca. */
  ca?: Ca;
  /** Names the certificate carries besides `address` (the RDS endpoint names from the plan). */
  certNames?: string[];
  /** Keep the run directory on stop(). Default false. */
  keep?: boolean;
  /** Start timeout. Default 30 s. */
  timeoutMs?: number;
}

export interface PostgresStandIn {
  address: string;
  port: number;
  netns?: string;
  /** postmaster pid. */
  pid: number;
  /** CA certificate that verifies the server (sslrootcert for verify-full). */
  caFile: string;
  /** postgresql://user:password@address:port/db?sslmode=require */
  url: string;
  dataDir: string;
  logFile: string;
  /** Fast shutdown (SIGINT to the postmaster, SIGKILL after 15 s), then the run directory is removed. */
  stop(): Promise<void>;
}

/** PostgreSQL server binaries of the newest installed major (Debian: /usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const majors = fs.readdirSync(root).filter((m) => /^\d+$/.test(m) && fs.existsSync(path.join(root, m, "bin", "postgres"))).sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(root, majors[0], "bin") : undefined;
}

/** postgresql.conf lines of the stand-in. Pure. */
export function postgresConf(o: { address: string; port: number; socketDir: string; certFile: string; keyFile: string }): string {
  return [
    `listen_addresses = '${o.address}'`,
    `port = ${o.port}`,
    `unix_socket_directories = '${o.socketDir}'`,
    "ssl = on",
    `ssl_cert_file = '${o.certFile}'`,
    `ssl_key_file = '${o.keyFile}'`,
    "ssl_min_protocol_version = 'TLSv1.2'",
    "password_encryption = 'scram-sha-256'",
    "max_connections = 50",
    "shared_buffers = 32MB",
    "log_connections = on",
    "log_disconnections = on",
    "log_destination = 'stderr'",
    "logging_collector = off",
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "",
  ].join("\n");
}

/** pg_hba.conf: TLS only from the network (like rds.force_ssl=1), peer for the local postgres user. Pure. */
export function postgresHba(): string {
  return [
    "# webapp-platform rehearsal: RDS stand-in (TLS required)",
    "local   all  postgres                peer",
    "hostnossl all all      0.0.0.0/0      reject",
    "hostnossl all all      ::/0           reject",
    "hostssl all  all       0.0.0.0/0      scram-sha-256",
    "hostssl all  all       ::/0           scram-sha-256",
    "",
  ].join("\n");
}

/** SQL that creates the master user and database, values as literals (quotes doubled). Pure. */
export function bootstrapSql(username: string, password: string, dbName: string): string[] {
  const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return [
    `CREATE ROLE ${ident(username)} LOGIN CREATEDB CREATEROLE PASSWORD ${lit(password)}`,
    `CREATE DATABASE ${ident(dbName)} OWNER ${ident(username)}`,
  ];
}

function asPostgres(netns: string | undefined, cmd: string, args: string[]): [string, string[]] {
  const priv = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", cmd, ...args];
  return netns ? ["ip", ["netns", "exec", netns, ...priv]] : [priv[0], priv.slice(1)];
}

export async function startPostgres(opts: PostgresOptions): Promise<PostgresStandIn> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
  const port = opts.port ?? 5432;
  const dir = path.resolve(opts.dir);
  mkdirMode(dir, 0o700);
  const ca = opts.ca ?? makeCa(path.join(dir, "ca"));
  const tlsDir = path.join(dir, "tls");
  const cert = issueServerCert(ca, tlsDir, "server", opts.certNames ?? [], [opts.address]);
  const dataDir = path.join(dir, "pgdata");
  // A unix socket path must fit 107 bytes: the run directory is too deep, so the socket lives in /tmp.
  const socketDir = fs.mkdtempSync("/tmp/reh-pg-");
  fs.chmodSync(socketDir, 0o700);
  fs.mkdirSync(dataDir, { mode: 0o700 });
  must("chown", ["-R", "postgres:postgres", tlsDir, socketDir, dataDir]);
  fs.chmodSync(dir, 0o711); // postgres can reach its own files below; nobody can list the directory
  const pwFile = path.join(dir, "superuser.pw");
  fs.writeFileSync(pwFile, `${crypto.randomUUID()}\n`, { mode: 0o600 });
  must("chown", ["postgres:postgres", pwFile]);
  const [icmd, iargs] = asPostgres(undefined, path.join(bin, "initdb"), [
    "-D", dataDir, "-U", "postgres", "--auth-local=peer", "--auth-host=scram-sha-256", `--pwfile=${pwFile}`,
    "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions",
  ]);
  must(icmd, iargs);
  fs.rmSync(pwFile);
  fs.writeFileSync(path.join(dataDir, "postgresql.conf"), postgresConf({ address: opts.address, port, socketDir, certFile: cert.certFile, keyFile: cert.keyFile }));
  fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), postgresHba());
  must("chown", ["postgres:postgres", path.join(dataDir, "postgresql.conf"), path.join(dataDir, "pg_hba.conf")]);

  const logFile = path.join(dir, "postgres.log");
  const out = fs.openSync(logFile, "a");
  const [scmd, sargs] = asPostgres(opts.netns, path.join(bin, "postgres"), ["-D", dataDir]);
  const child = spawn(scmd, sargs, { stdio: ["ignore", out, out] });
  fs.closeSync(out);

  const stop = async () => {
    await stopChild(child, "SIGINT", 15000);
    fs.rmSync(socketDir, { recursive: true, force: true });
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  };

  const psql = (db: string, sql: string) => {
    const [c, a] = asPostgres(undefined, path.join(bin, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDir, "-p", String(port), "-U", "postgres", "-d", db, "-c", sql]);
    return run(c, a);
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 30000);
  for (;;) {
    const [c, a] = asPostgres(undefined, path.join(bin, "pg_isready"), ["-q", "-h", socketDir, "-p", String(port)]);
    if (run(c, a).code === 0) break;
    if (!isAlive(child) || Date.now() > deadline) {
      const why = `${isAlive(child) ? "timeout" : `exit ${child.exitCode ?? child.signalCode}`}: ${fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-1500) : ""}`;
      await stop().catch(() => undefined);
      throw new Error(`PostgreSQL did not start (${why})`);
    }
    await sleep(200);
  }
  for (const sql of bootstrapSql(opts.username, opts.password, opts.dbName)) {
    const r = psql("postgres", sql);
    if (r.code !== 0) {
      await stop();
      // The statement carries the password: report the error without it.
      throw new Error(`creating the master user or database failed: ${r.stderr.replace(opts.password, "[secret]").trim()}`);
    }
  }
  const e = encodeURIComponent;
  return {
    address: opts.address, port, netns: opts.netns, pid: child.pid as number, caFile: ca.certFile, dataDir, logFile,
    url: `postgresql://${e(opts.username)}:${e(opts.password)}@${opts.address}:${port}/${e(opts.dbName)}?sslmode=require`,
    stop,
  };
}

