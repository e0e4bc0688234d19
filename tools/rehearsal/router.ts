/**
 * The stand-ins that live in the router namespace (started by `ip netns exec <router>`):
 *   - IMDSv2 at 169.254.169.254:80, answering each host by its source address from
 *     <runDir>/instances.json (re-read when it changes);
 *   - the package proxy's port, 3128 on every router address, relayed to the proxy's unix socket
 *     in the machine's namespace (proxy.ts).
 * Every request is logged as one JSON line on stdout.
 *
 *   ip netns exec <router> node tools/run.js tools/rehearsal/router.ts --run-dir <dir> --proxy-socket <path>
 */
import * as dgram from "dgram";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { handleImds, InstanceIdentity, TokenStore } from "./imds";
import { DNS_ADDRESS, IMDS_ADDRESS } from "./netns";
import { isMain } from "./sh";

export const PROXY_PORT = 3128;

/** The name asked in a DNS query (first question), or undefined when malformed. Pure. */
export function dnsQuestion(msg: Buffer): { id: number; name: string; type: number; end: number } | undefined {
  if (msg.length < 17) return undefined;
  const labels: string[] = [];
  let i = 12;
  while (i < msg.length && msg[i] !== 0) {
    const n = msg[i];
    if (n > 63 || i + 1 + n > msg.length) return undefined;
    labels.push(msg.subarray(i + 1, i + 1 + n).toString("latin1"));
    i += 1 + n;
  }
  if (i + 5 > msg.length) return undefined;
  return { id: msg.readUInt16BE(0), name: labels.join("."), type: msg.readUInt16BE(i + 1), end: i + 5 };
}

/** A REFUSED answer echoing the question: no DNS stand-in resolves names yet, so lookups fail at once. Pure. */
export function dnsRefused(msg: Buffer, end: number): Buffer {
  const out = Buffer.from(msg.subarray(0, end));
  const rd = msg[2] & 0x01;
  out[2] = 0x80 | (msg[2] & 0x78) | rd; // QR, opcode, RD
  out[3] = 0x80 | 5; // RA, REFUSED
  out.writeUInt16BE(1, 4);
  out.writeUInt32BE(0, 6);
  out.writeUInt16BE(0, 10);
  return out;
}

function logLine(o: object): void {
  process.stdout.write(JSON.stringify({ t: new Date().toISOString(), ...o }) + "\n");
}

function instancesReader(file: string): () => Record<string, InstanceIdentity> {
  let mtime = 0;
  let cache: Record<string, InstanceIdentity> = {};
  return () => {
    try {
      const m = fs.statSync(file).mtimeMs;
      if (m !== mtime) {
        cache = JSON.parse(fs.readFileSync(file, "utf8"));
        mtime = m;
      }
    } catch {
      /* keep the last good copy */
    }
    return cache;
  };
}

export function startRouter(runDir: string, proxySocket: string): void {
  const instances = instancesReader(path.join(runDir, "instances.json"));
  const tokens = new TokenStore();
  const imds = http.createServer((req, res) => {
    const source = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    const id = instances()[source];
    const r = handleImds({ method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers }, id, tokens, source);
    res.writeHead(r.status, { ...r.headers, "content-length": String(Buffer.byteLength(r.body)) });
    res.end(req.method === "HEAD" ? undefined : r.body);
    logLine({
      svc: "imds", source, instance: id?.instanceId, method: req.method, path: req.url, status: r.status,
      token: req.headers["x-aws-ec2-metadata-token"] ? "yes" : "no", ua: req.headers["user-agent"],
    });
  });
  imds.listen(80, IMDS_ADDRESS, () => logLine({ svc: "router", msg: `imds listening on ${IMDS_ADDRESS}:80` }));

  const relay = net.createServer((client) => {
    const upstream = net.connect(proxySocket);
    client.pipe(upstream).pipe(client);
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on("error", close);
    upstream.on("error", close);
  });
  relay.listen(PROXY_PORT, "0.0.0.0", () => logLine({ svc: "router", msg: `package proxy relay on :${PROXY_PORT}` }));

  // The Amazon-provided resolver's address: every query is logged (what the host tries to reach) and refused.
  const dns = dgram.createSocket("udp4");
  dns.on("message", (msg, rinfo) => {
    const q = dnsQuestion(msg);
    if (!q) return;
    dns.send(dnsRefused(msg, q.end), rinfo.port, rinfo.address);
    logLine({ svc: "dns", source: rinfo.address, name: q.name, type: q.type, answer: "REFUSED" });
  });
  dns.bind(53, DNS_ADDRESS, () => logLine({ svc: "router", msg: `dns on ${DNS_ADDRESS}:53 (logs and refuses)` }));

  const stop = () => { imds.close(); relay.close(); dns.close(); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (isMain(__filename)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    if (i < 0 || !process.argv[i + 1]) {
      console.error("usage: router.ts --run-dir <dir> --proxy-socket <path>");
      process.exit(2);
    }
    return process.argv[i + 1];
  };
  startRouter(arg("--run-dir"), arg("--proxy-socket"));
}
