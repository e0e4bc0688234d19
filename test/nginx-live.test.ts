/**
 * The rendered nginx site, running: real nginx on loopback ports with a self-signed
 * certificate, a stub upstream standing in for gunicorn, and real HTTP(S) requests and TLS
 * handshakes. Only listen ports and file paths are relocated; the security content is what a
 * host gets.
 */
import { spawnSync, ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { resolveHostConfig } from "../components/hostconfig";
import { inputFor, stackConfig } from "./fixtures/hostconfig/inputs";
import { freePort, prepareSite, requireTool, SiteDir, startNginx, stopNginx } from "./fixtures/hostconfig/nginx";

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders }
interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(opts: { tls: boolean; port: number; host: string; path: string; method?: string; headers?: Record<string, string> }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const mod = opts.tls ? https : http;
    const req = mod.request({
      host: "127.0.0.1", port: opts.port, path: opts.path, method: opts.method ?? "GET",
      headers: { Host: opts.host, ...(opts.headers ?? {}) },
      ...(opts.tls ? { servername: opts.host, rejectUnauthorized: false, agent: false } : { agent: false }),
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * openssl s_client with one protocol version; SECLEVEL=0 so the client itself is willing to
 * speak old TLS. Returns the negotiated protocol, or undefined when no cipher was agreed.
 * (The exit status is not used: with TLS 1.3, s_client may see stdin's EOF before the
 * session ticket and exit 1 after a good handshake.)
 */
function handshake(port: number, host: string, proto: string): { protocol?: string; output: string } {
  const res = spawnSync("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", host, proto, "-cipher", "DEFAULT:@SECLEVEL=0"], { input: "", encoding: "utf8", timeout: 10000 });
  const output = `${res.stdout}${res.stderr}`;
  const established = /Cipher is (?!\(NONE\))\S+/.test(output);
  const protocol = established ? (/Protocol\s*:\s*(TLSv[\d.]+)/.exec(output)?.[1] ?? /New, (TLSv1\.3),/.exec(output)?.[1]) : undefined;
  return { protocol, output };
}

describe("the SmartBoostPro site under real nginx (prod config)", () => {
  const config = stackConfig("prod");
  const app = config.apps.find((a) => a.name === "smartboostpro")!;
  const host = app.domain;
  const seen: Seen[] = [];
  let upstream: http.Server;
  let nginx: ChildProcess | undefined;
  let site: SiteDir;
  let httpPort: number;
  let httpsPort: number;
  let controlPort: number;

  beforeAll(async () => {
    for (const tool of ["nginx", "openssl"]) requireTool(tool);
    upstream = http.createServer((req, res) => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
      req.resume();
      // As Django's SecurityMiddleware does: its own copies of two headers nginx also sets.
      req.on("end", () => { res.writeHead(200, { "Content-Type": "text/plain", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin" }); res.end(`upstream saw ${req.url}`); });
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
    const upstreamPort = (upstream.address() as { port: number }).port;
    [httpPort, httpsPort, controlPort] = [await freePort(), await freePort(), await freePort()];
    // A control server that does accept TLS 1.1: proves the client can speak it, so a refusal
    // by the app's site comes from the site's configuration, not from this machine's OpenSSL.
    const control = `  server {
    listen 127.0.0.1:${controlPort} ssl;
    ssl_certificate CERTDIR/fullchain.pem;
    ssl_certificate_key CERTDIR/privkey.pem;
    ssl_protocols TLSv1.1 TLSv1.2;
    ssl_ciphers DEFAULT:@SECLEVEL=0;
    return 204;
  }`;
    site = prepareSite(inputFor(config, app), { http: httpPort, https: httpsPort, upstreamPort, extraHttp: control });
    fs.writeFileSync(site.conf, fs.readFileSync(site.conf, "utf8").replace(/CERTDIR/g, path.join(site.dir, "certs")));
    fs.mkdirSync(path.join(site.staticRoot, "css"), { mode: 0o755 });
    fs.writeFileSync(path.join(site.staticRoot, "css", "app.css"), "body { color: teal; }\n", { mode: 0o644 });
    nginx = await startNginx(site, httpsPort);
  });

  afterAll(async () => {
    await stopNginx(nginx);
    await new Promise<void>((r) => upstream.close(() => r()));
    if (site) fs.rmSync(site.dir, { recursive: true, force: true });
  });

  it("redirects HTTP to HTTPS with a 301, keeping the path and query", async () => {
    const res = await request({ tls: false, port: httpPort, host, path: "/accounts/profile/?tab=2" });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`https://${host}:${httpsPort}/accounts/profile/?tab=2`);
    expect(seen).toHaveLength(0);
  });

  it("answers an unknown Host with nothing (no redirect to an attacker's name)", async () => {
    await expect(request({ tls: false, port: httpPort, host: "evil.example", path: "/" })).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it("adds every security header with the configured values to a proxied response, once (the app's own copies dropped)", async () => {
    const res = await request({ tls: true, port: httpsPort, host, path: "/dashboard/" });
    expect(res.status).toBe(200);
    expect(res.body).toBe("upstream saw /dashboard/");
    expect(res.headers["strict-transport-security"]).toBe(`max-age=${app.headers.hstsMaxAgeSeconds}; includeSubDomains`);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBe(app.headers.frameOptions);
    expect(res.headers["referrer-policy"]).toBe(app.headers.referrerPolicy);
    expect(res.headers["content-security-policy"]).toBe(app.headers.contentSecurityPolicy);
    expect(res.headers.server).toBe("nginx"); // server_tokens off: no version
  });

  it("proxies to the app with X-Forwarded-Proto https and the client's real address, not a spoofed one", async () => {
    seen.length = 0;
    await request({ tls: true, port: httpsPort, host, path: "/orders/?page=3", headers: { "X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "http" } });
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe("/orders/?page=3");
    expect(seen[0].headers["x-forwarded-proto"]).toBe("https");
    expect(seen[0].headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen[0].headers["x-real-ip"]).toBe("127.0.0.1");
    expect(seen[0].headers.host).toBe(host);
  });

  it("serves static files itself, with long caching and the security headers, never reaching the app", async () => {
    seen.length = 0;
    const res = await request({ tls: true, port: httpsPort, host, path: "/static/css/app.css" });
    expect(res.status).toBe(200);
    expect(res.body).toBe("body { color: teal; }\n");
    expect(res.headers["content-type"]).toBe("text/css");
    expect(res.headers["cache-control"]).toBe("max-age=2592000");
    expect(res.headers["x-frame-options"]).toBe(app.headers.frameOptions);
    expect(seen).toHaveLength(0);
  });

  it("rejects a request body over the configured limit with 413 before the app sees it", async () => {
    seen.length = 0;
    const res = await request({ tls: true, port: httpsPort, host, path: "/upload/", method: "POST", headers: { "Content-Length": String((app.maxBodyMb + 1) * 1024 * 1024) } }).catch((e) => e);
    // nginx answers 413 from the headers alone and closes; the unsent body is never read.
    expect(res.status).toBe(413);
    expect(seen).toHaveLength(0);
  });

  it("answers a burst beyond the login limit with 429, after letting the allowance through", async () => {
    seen.length = 0;
    const login = app.rateLimits.paths.find((p) => p.name === "login")!;
    const statuses: number[] = [];
    for (let i = 0; i < login.requests + 5; i++) {
      statuses.push((await request({ tls: true, port: httpsPort, host, path: login.path, method: "POST" })).status);
    }
    expect(statuses.slice(0, login.requests)).toEqual(Array(login.requests).fill(200));
    expect(statuses.slice(login.requests)).toEqual(Array(5).fill(429));
    expect(seen).toHaveLength(login.requests);
    // Other paths are not held back by the login limit.
    expect((await request({ tls: true, port: httpsPort, host, path: "/" })).status).toBe(200);
  });

  it("refuses a TLS 1.1 handshake that a TLS 1.1 server on the same machine accepts", () => {
    expect(handshake(controlPort, host, "-tls1_1").protocol).toBe("TLSv1.1");
    const refused = handshake(httpsPort, host, "-tls1_1");
    expect(refused.protocol).toBeUndefined();
    // The server answers the TLS 1.1 ClientHello with alert 70 (protocol_version): no cipher agreed.
    expect(refused.output).toMatch(/alert protocol version/);
  });

  it("negotiates TLS 1.2 with a forward-secret AEAD cipher, and TLS 1.3", () => {
    const v12 = handshake(httpsPort, host, "-tls1_2");
    expect(v12.protocol).toBe("TLSv1.2");
    expect(v12.output).toMatch(/Cipher\s*:\s*ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)/);
    expect(handshake(httpsPort, host, "-tls1_3").protocol).toBe("TLSv1.3");
  });

  it("writes JSON access logs the CloudWatch 5xx filters can read", () => {
    const r = resolveHostConfig(site.input);
    const lines = fs.readFileSync(path.join(site.logs, `${r.app}-access.log`), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const limited = lines.filter((l) => l.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(limited[0]).toMatchObject({ app: "smartboostpro", host, method: "POST" });
  });
});

describe("the FlashBill sites under real nginx (staging config)", () => {
  const config = stackConfig("staging");
  const app = config.apps.find((a) => a.name === "flashbill")!;
  const seen: Seen[] = [];
  let upstream: http.Server;
  let nginx: ChildProcess | undefined;
  let site: SiteDir;
  let httpsPort: number;

  beforeAll(async () => {
    requireTool("nginx");
    upstream = http.createServer((req, res) => { seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers }); res.end("api"); });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
    httpsPort = await freePort();
    site = prepareSite(inputFor(config, app), { http: await freePort(), https: httpsPort, upstreamPort: (upstream.address() as { port: number }).port });
    fs.writeFileSync(path.join(site.staticRoot, "index.html"), "<!doctype html><title>FlashBill</title>\n", { mode: 0o644 });
    fs.mkdirSync(path.join(site.staticRoot, "assets"), { mode: 0o755 });
    fs.writeFileSync(path.join(site.staticRoot, "assets", "logo.svg"), "<svg/>\n", { mode: 0o644 });
    nginx = await startNginx(site, httpsPort);
  });

  afterAll(async () => {
    await stopNginx(nginx);
    await new Promise<void>((r) => upstream.close(() => r()));
    if (site) fs.rmSync(site.dir, { recursive: true, force: true });
  });

  it("serves the Flutter web build at the domain, with SPA fallback, the CSP, and no app traffic", async () => {
    seen.length = 0;
    const deep = await request({ tls: true, port: httpsPort, host: app.domain, path: "/invoices/42" });
    expect(deep.status).toBe(200);
    expect(deep.body).toContain("<title>FlashBill</title>");
    expect(deep.headers["cache-control"]).toBe("no-cache"); // entry point revalidated after each deploy
    expect(deep.headers["content-security-policy"]).toBe(app.headers.contentSecurityPolicy);
    const asset = await request({ tls: true, port: httpsPort, host: app.domain, path: "/assets/logo.svg" });
    expect(asset.headers["cache-control"]).toBe("max-age=2592000");
    expect(seen).toHaveLength(0);
  });

  it("proxies the API name to the binary, with its own login limit", async () => {
    seen.length = 0;
    const res = await request({ tls: true, port: httpsPort, host: app.apiDomain, path: "/api/invoices" });
    expect(res.status).toBe(200);
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(seen[0].headers["x-forwarded-proto"]).toBe("https");
    const login = app.rateLimits.paths[0];
    const statuses: number[] = [];
    for (let i = 0; i < login.requests + 2; i++) statuses.push((await request({ tls: true, port: httpsPort, host: app.apiDomain, path: login.path, method: "POST" })).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });

  it("answers the health check on the main domain from the app", async () => {
    seen.length = 0;
    const res = await request({ tls: true, port: httpsPort, host: app.domain, path: app.healthCheckPath });
    expect(res.body).toBe("api");
    expect(seen.map((s) => s.url)).toEqual([app.healthCheckPath]);
  });
});

describe("the Avanii shop site behind the load balancer under real nginx (prod config)", () => {
  const config = stackConfig("prod");
  const app = config.apps.find((a) => a.name === "avanii-shop")!;
  const seen: Seen[] = [];
  let upstream: http.Server;
  let nginx: ChildProcess | undefined;
  let site: SiteDir;
  let httpPort: number;

  beforeAll(async () => {
    requireTool("nginx");
    upstream = http.createServer((req, res) => { seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers }); res.end("app"); });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
    httpPort = await freePort();
    site = prepareSite(inputFor(config, app), { http: httpPort, https: await freePort(), upstreamPort: (upstream.address() as { port: number }).port });
    nginx = await startNginx(site, httpPort);
  });

  afterAll(async () => {
    await stopNginx(nginx);
    await new Promise<void>((r) => upstream.close(() => r()));
    if (site) fs.rmSync(site.dir, { recursive: true, force: true });
  });

  it("passes the ALB's health check (Host: the target's IP) to the app as a request for the site's name", async () => {
    seen.length = 0;
    // As an ALB health check arrives: to the instance's private address, no X-Forwarded-* headers.
    const res = await request({ tls: false, port: httpPort, host: "10.20.0.10:80", path: app.healthCheckPath, headers: { "User-Agent": "ELB-HealthChecker/2.0" } });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe(app.healthCheckPath);
    expect(seen[0].headers.host).toBe(app.domain); // what the app's ALLOWED_HOSTS accepts
  });

  it("forwards user requests with the Host and protocol the ALB sent", async () => {
    seen.length = 0;
    const res = await request({ tls: false, port: httpPort, host: app.domain, path: "/cart", headers: { "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7", "X-Forwarded-Port": "443" } });
    expect(res.status).toBe(200);
    expect(seen[0].headers.host).toBe(app.domain);
    expect(seen[0].headers["x-forwarded-proto"]).toBe("https");
    expect(seen[0].headers["x-forwarded-for"]).toBe("198.51.100.7, 127.0.0.1");
  });
});
