/**
 * The stand-ins that live in the router namespace (started by `ip netns exec <router>`):
 *   - IMDSv2 at 169.254.169.254:80, answering each host by its source address from
 *     <runDir>/instances.json (re-read when it changes);
 *   - the package proxy's port, 3128 on every router address, relayed to the proxy's unix socket
 *     in the machine's namespace (proxy.ts);
 *   - the Amazon DNS stand-in at 169.254.169.253:53/udp (dnsDecision: AWS API names and the
 *     instances' own names are answered, everything else refused);
 *   - the AWS API stand-in at AWS_ENDPOINT_ADDRESS:443 (aws/server.ts) when <runDir>/aws/state.json exists.
 * Every request is logged as one JSON line on stdout (the AWS calls in <runDir>/aws-calls.jsonl).
 *
 *   ip netns exec <router> node tools/run.js tools/rehearsal/router.ts --run-dir <dir> --proxy-socket <path>
 */
import * as dgram from "dgram";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { AWS_ENDPOINT_ADDRESS, startAwsServer } from "./aws/server";
import { handleImds, InstanceIdentity, TokenStore } from "./imds";
import { DNS_ADDRESS, IMDS_ADDRESS } from "./netns";
import { isMain, jsonFileReader } from "./sh";

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

export const DNS_A = 1;
export const DNS_AAAA = 28;

/**
 * What the Amazon DNS stand-in answers for a name, pure:
 *   - `overrides` first (name -> address: the data stand-ins register their endpoints here,
 *     e.g. the RDS and ElastiCache names of the plan, through <runDir>/dns.json);
 *   - ip-a-b-c-d.<region>.compute.internal (and the bare ip-a-b-c-d) -> a.b.c.d, as Amazon DNS does;
 *   - *.amazonaws.com -> the AWS API stand-in, except *.rds.amazonaws.com and
 *     *.cache.amazonaws.com, which only an override answers (a database name must not reach the API server);
 *   - anything else: REFUSED (logged), as the rehearsal has no internet.
 * An answered name asked for another type than A gets NOERROR with no records (NODATA), so resolvers fall back to A.
 */
export function dnsDecision(name: string, overrides: Record<string, string> = {}): { answer?: string; why: string } {
  const n = name.toLowerCase().replace(/\.$/, "");
  if (overrides[n]) return { answer: overrides[n], why: "override" };
  const ec2 = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(\.[a-z0-9-]+\.compute\.internal)?$/.exec(n);
  if (ec2 && ec2.slice(1, 5).every((x) => +x <= 255)) return { answer: ec2.slice(1, 5).join("."), why: "ec2 private name" };
  if (/(^|\.)amazonaws\.com$/.test(n)) {
    if (/\.(rds|cache)\.amazonaws\.com$/.test(n)) return { why: "data store name without a stand-in" };
    return { answer: AWS_ENDPOINT_ADDRESS, why: "aws api" };
  }
  return { why: "not an AWS name" };
}

/** An answer echoing the question: one A record (TTL 60), or NOERROR/NODATA for another type. Pure. */
export function dnsAnswer(msg: Buffer, end: number, type: number, address: string): Buffer {
  const head = Buffer.from(msg.subarray(0, end));
  head[2] = 0x80 | (msg[2] & 0x78) | 0x04 | (msg[2] & 0x01); // QR, opcode, AA, RD
  head[3] = 0x80; // RA, NOERROR
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(type === DNS_A ? 1 : 0, 6);
  head.writeUInt32BE(0, 8);
  if (type !== DNS_A) return head;
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0); // the name: pointer to the question
  rr.writeUInt16BE(DNS_A, 2);
  rr.writeUInt16BE(1, 4); // IN
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(4, 10);
  address.split(".").forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
  return Buffer.concat([head, rr]);
}

/** A REFUSED answer echoing the question: the name is not one the rehearsal answers, so the lookup fails at once. Pure. */
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


export function startRouter(runDir: string, proxySocket: string): void {
  const instances = jsonFileReader<Record<string, InstanceIdentity>>(path.join(runDir, "instances.json"), {});
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

  // The Amazon-provided resolver's address: every query is logged (what the host tries to reach);
  // AWS names and the instances' own names are answered, the rest refused.
  const overrides = jsonFileReader<Record<string, string>>(path.join(runDir, "dns.json"), {});
  const dns = dgram.createSocket("udp4");
  dns.on("message", (msg, rinfo) => {
    const q = dnsQuestion(msg);
    if (!q) return;
    const d = dnsDecision(q.name, overrides());
    dns.send(d.answer ? dnsAnswer(msg, q.end, q.type, d.answer) : dnsRefused(msg, q.end), rinfo.port, rinfo.address);
    logLine({ svc: "dns", source: rinfo.address, name: q.name, type: q.type, answer: d.answer ? (q.type === DNS_A ? d.answer : "NODATA") : "REFUSED", why: d.why });
  });
  dns.bind(53, DNS_ADDRESS, () => logLine({ svc: "router", msg: `dns on ${DNS_ADDRESS}:53 (AWS names answered, the rest refused)` }));

  const aws = startAwsServer(runDir, instances);
  if (aws) aws.on("listening", () => logLine({ svc: "router", msg: `aws api stand-in on ${AWS_ENDPOINT_ADDRESS}:443` }));

  const stop = () => { imds.close(); relay.close(); dns.close(); aws?.close(); process.exit(0); };
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
