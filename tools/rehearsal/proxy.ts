/**
 * The package proxy: the only way out of the rehearsal's namespaces. Runs in the machine's own
 * namespace, listening on a unix socket (never on a network address); router.ts relays the
 * router's port 3128 to it. It forwards plain-HTTP GET/HEAD to the Debian mirrors apt is
 * configured with here and to nothing else: any other host, and any CONNECT (HTTPS), is
 * refused with 403 and logged, which is how the rehearsal sees what a host tries to download.
 * Files under /pool/ (immutable by name) are cached across runs.
 *
 *   node tools/run.js tools/rehearsal/proxy.ts --socket <path> --allow deb.debian.org[,..] --cache <dir>
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { isMain } from "./sh";

export interface ProxyDecision { allow: boolean; reason: string; cacheable: boolean }

/** Whether the proxy forwards a request, and whether its answer may be cached. Pure. */
export function decide(method: string, url: string, allowedHosts: string[]): ProxyDecision {
  if (method === "CONNECT") return { allow: false, reason: "CONNECT (HTTPS) leaves the rehearsal: refused", cacheable: false };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { allow: false, reason: "not an absolute URL", cacheable: false };
  }
  if (u.protocol !== "http:") return { allow: false, reason: `${u.protocol} refused`, cacheable: false };
  if (!allowedHosts.includes(u.hostname)) return { allow: false, reason: `${u.hostname} is not a Debian mirror of this machine`, cacheable: false };
  if (method !== "GET" && method !== "HEAD") return { allow: false, reason: `${method} refused`, cacheable: false };
  return { allow: true, reason: "mirror", cacheable: method === "GET" && /\/pool\//.test(u.pathname) };
}

const HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]);

export function startProxy(socketPath: string, allowedHosts: string[], cacheDir: string, logLine: (o: object) => void): http.Server {
  fs.mkdirSync(cacheDir, { recursive: true });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const server = http.createServer((req, res) => {
    const t0 = Date.now();
    const url = req.url ?? "";
    const d = decide(req.method ?? "GET", url, allowedHosts);
    const done = (status: number, extra: object = {}) => logLine({ t: new Date().toISOString(), method: req.method, url, status, ms: Date.now() - t0, ...extra });
    if (!d.allow) {
      res.writeHead(403, { "content-type": "text/plain" }).end(`rehearsal proxy: ${d.reason}\n`);
      return done(403, { refused: d.reason });
    }
    const cacheFile = d.cacheable ? path.join(cacheDir, crypto.createHash("sha256").update(url).digest("hex").slice(0, 32) + path.extname(new URL(url).pathname)) : undefined;
    if (cacheFile && fs.existsSync(cacheFile)) {
      const size = fs.statSync(cacheFile).size;
      res.writeHead(200, { "content-length": String(size), "content-type": "application/vnd.debian.binary-package" });
      fs.createReadStream(cacheFile).pipe(res);
      return done(200, { cache: "hit", bytes: size });
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
    const up = http.request(url, { method: req.method, headers, agent, timeout: 60000 }, (ur) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(ur.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(ur.statusCode ?? 502, out);
      let tmp: fs.WriteStream | undefined;
      const tmpName = cacheFile ? `${cacheFile}.${process.pid}.${Date.now()}.part` : "";
      if (cacheFile && ur.statusCode === 200) tmp = fs.createWriteStream(tmpName);
      let bytes = 0;
      ur.on("data", (c: Buffer) => {
        bytes += c.length;
        tmp?.write(c);
        res.write(c);
      });
      ur.on("end", () => {
        res.end();
        if (tmp) tmp.end(() => fs.rename(tmpName, cacheFile as string, () => undefined));
        done(ur.statusCode ?? 502, { cache: cacheFile ? "miss" : "none", bytes });
      });
      ur.on("error", () => {
        tmp?.destroy();
        fs.rm(tmpName, { force: true }, () => undefined);
        res.destroy();
      });
    });
    up.on("timeout", () => up.destroy(new Error("upstream timeout")));
    up.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(`rehearsal proxy: ${e.message}\n`);
      else res.destroy();
      done(502, { error: e.message });
    });
    req.pipe(up);
  });
  server.on("connect", (req, socket) => {
    socket.end("HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nrehearsal proxy: CONNECT refused\n");
    logLine({ t: new Date().toISOString(), method: "CONNECT", url: req.url, status: 403, refused: "CONNECT (HTTPS) leaves the rehearsal" });
  });
  fs.rmSync(socketPath, { force: true });
  server.listen(socketPath);
  return server;
}

if (isMain(__filename)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    if (i < 0 || !process.argv[i + 1]) {
      console.error("usage: proxy.ts --socket <path> --allow host[,host] --cache <dir>");
      process.exit(2);
    }
    return process.argv[i + 1];
  };
  const server = startProxy(arg("--socket"), arg("--allow").split(","), arg("--cache"), (o) => process.stdout.write(JSON.stringify(o) + "\n"));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
