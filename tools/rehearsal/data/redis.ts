/**
 * The ElastiCache stand-in: Debian's redis-server with transit encryption and AUTH, as a
 * replication group with `transitEncryptionEnabled` and an `authToken`: `port 0` (no plain-text
 * listener at all), `tls-port <port>`, TLS 1.2/1.3, `requirepass <authToken>`, no client
 * certificates (`tls-auth-clients no`, as ElastiCache), no persistence. It runs as the `redis`
 * user, inside `netns` when given, listening on `address` only.
 *
 *   const r = await startRedis({ dir, address, netns, authToken, ca });  ... await r.stop();
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { isAlive, must, run, sleep, stopChild, which } from "../sh";
import { Ca, issueServerCert, makeCa, mkdirMode } from "./tls";

export interface RedisOptions {
  /** Run directory (created; removed by stop() unless keep). */
  dir: string;
  address: string;
  netns?: string;
  /** TLS port. Default 6379 (ElastiCache's). */
  port?: number;
  /** requirepass: the replication group's authToken. */
  authToken: string;
  /** CA that signs the server certificate. Default: a new one in <dir>/ca. */
  ca?: Ca;
  /** Names the certificate carries besides `address` (the primary and reader endpoint names). */
  certNames?: string[];
  keep?: boolean;
  timeoutMs?: number;
}

export interface RedisStandIn {
  address: string;
  port: number;
  netns?: string;
  pid: number;
  caFile: string;
  /** rediss://:token@address:port/0 */
  url: string;
  logFile: string;
  /** SIGTERM (SIGKILL after 10 s), then the run directory is removed. */
  stop(): Promise<void>;
}

/** redis.conf of the stand-in. The token is in the file (0600, owned by redis), never on a command line. Pure. */
export function redisConf(o: { address: string; port: number; dir: string; certFile: string; keyFile: string; caFile: string; authToken: string }): string {
  if (/[\s"'\\]/.test(o.authToken)) throw new Error("the AUTH token has a space, quote or backslash, which ElastiCache does not accept either");
  return [
    `bind ${o.address}`,
    "port 0",
    `tls-port ${o.port}`,
    `tls-cert-file ${o.certFile}`,
    `tls-key-file ${o.keyFile}`,
    `tls-ca-cert-file ${o.caFile}`,
    "tls-auth-clients no",
    'tls-protocols "TLSv1.2 TLSv1.3"',
    "tls-prefer-server-ciphers yes",
    `requirepass ${o.authToken}`,
    "protected-mode yes",
    `dir ${o.dir}`,
    'save ""',
    "appendonly no",
    "daemonize no",
    'logfile ""',
    "databases 16",
    "",
  ].join("\n");
}

/** `redis-cli` over TLS against the stand-in (inside its namespace); the token goes through REDISCLI_AUTH, not argv. */
export function redisCli(s: Pick<RedisStandIn, "address" | "port" | "netns" | "caFile">, args: string[], token?: string): ReturnType<typeof run> {
  const cli = ["redis-cli", "--tls", "--cacert", s.caFile, "-h", s.address, "-p", String(s.port), ...args];
  const env = { ...process.env, ...(token ? { REDISCLI_AUTH: token } : {}) };
  return s.netns ? run("ip", ["netns", "exec", s.netns, ...cli], { env }) : run(cli[0], cli.slice(1), { env });
}

export async function startRedis(opts: RedisOptions): Promise<RedisStandIn> {
  const server = which("redis-server") ?? "/usr/bin/redis-server";
  if (!fs.existsSync(server)) throw new Error("redis-server not found (apt-get install redis-server redis-tools)");
  const port = opts.port ?? 6379;
  const dir = path.resolve(opts.dir);
  mkdirMode(dir, 0o700);
  const ca = opts.ca ?? makeCa(path.join(dir, "ca"));
  const work = path.join(dir, "redis");
  fs.mkdirSync(work, { mode: 0o700 });
  const cert = issueServerCert(ca, work, "server", opts.certNames ?? [], [opts.address]);
  const caCopy = path.join(work, "ca.pem");
  fs.copyFileSync(ca.certFile, caCopy);
  const conf = path.join(work, "redis.conf");
  fs.writeFileSync(conf, redisConf({ address: opts.address, port, dir: work, certFile: cert.certFile, keyFile: cert.keyFile, caFile: caCopy, authToken: opts.authToken }), { mode: 0o600 });
  must("chown", ["-R", "redis:redis", work]);
  fs.chmodSync(dir, 0o711);

  const logFile = path.join(dir, "redis.log");
  const out = fs.openSync(logFile, "a");
  const priv = ["setpriv", "--reuid=redis", "--regid=redis", "--init-groups", "--", server, conf];
  const [cmd, args] = opts.netns ? ["ip", ["netns", "exec", opts.netns, ...priv]] : [priv[0], priv.slice(1)];
  const child = spawn(cmd, args, { stdio: ["ignore", out, out] });
  fs.closeSync(out);

  const stop = async () => {
    await stopChild(child, "SIGTERM", 10000);
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  };
  const handle: RedisStandIn = {
    address: opts.address, port, netns: opts.netns, pid: child.pid as number, caFile: ca.certFile, logFile,
    url: `rediss://:${encodeURIComponent(opts.authToken)}@${opts.address}:${port}/0`, stop,
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 20000);
  for (;;) {
    const r = redisCli(handle, ["--no-auth-warning", "ping"], opts.authToken);
    if (r.code === 0 && r.stdout.trim() === "PONG") break;
    if (!isAlive(child) || Date.now() > deadline) {
      const why = `${isAlive(child) ? "timeout" : `exit ${child.exitCode ?? child.signalCode}`}: ${fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-1500) : ""}`;
      await stop().catch(() => undefined);
      throw new Error(`redis-server did not start (${why})`);
    }
    await sleep(200);
  }
  return handle;
}
