/**
 * The probes' client: runs inside the router namespace (where the load balancer and the users
 * stand), sends the requests a JSON spec lists and prints one JSON result per request.
 *
 *   ip netns exec <router> node tools/run.js tools/rehearsal/client.ts <spec.json>
 *
 * A request names the address and source it uses, so "from the internet" (a TEST-NET-3 source)
 * and "from the VPC" (the subnet router's address) are both exact.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import { isMain } from "./sh";

export interface HttpProbe {
  type: "http";
  id: string;
  address: string;
  port: number;
  tls?: boolean;
  /** TLS server name (SNI); the Host header is separate. */
  servername?: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Source address to bind. */
  source?: string;
  minVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
  maxVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
  /** Send this many, one after another as fast as they answer; statuses are returned. */
  count?: number;
  timeoutMs?: number;
}

export interface TcpProbe { type: "tcp"; id: string; address: string; port: number; source?: string; timeoutMs?: number }

export type Probe = HttpProbe | TcpProbe;

export interface ProbeResult {
  id: string;
  status?: number;
  statuses?: number[];
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  /** TLS version negotiated. */
  protocol?: string;
  open?: boolean;
  error?: string;
}

function once(p: HttpProbe): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const old = p.maxVersion === "TLSv1" || p.maxVersion === "TLSv1.1";
    const opts: https.RequestOptions = {
      host: p.address, port: p.port, method: p.method ?? "GET", path: p.path, headers: p.headers ?? {},
      localAddress: p.source, agent: false, timeout: p.timeoutMs ?? 5000,
      ...(p.tls ? {
        servername: p.servername, rejectUnauthorized: false, minVersion: p.minVersion, maxVersion: p.maxVersion,
        // OpenSSL's default security level forbids TLS 1.0/1.1 on this side: lowered, so only the server can refuse.
        ...(old ? { ciphers: "DEFAULT@SECLEVEL=0" } : {}),
      } : {}),
    };
    const req = (p.tls ? https : http).request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => { if (chunks.reduce((n, b) => n + b.length, 0) < 4096) chunks.push(c); });
      res.on("end", () => resolve({
        id: p.id, status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks).toString("utf8").slice(0, 2000),
        protocol: p.tls ? (res.socket as import("tls").TLSSocket).getProtocol?.() ?? undefined : undefined,
      }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ id: p.id, error: `${e.code ?? ""} ${e.message}`.trim() }));
    req.end();
  });
}

function tcp(p: TcpProbe): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = net.connect({ host: p.address, port: p.port, localAddress: p.source, timeout: p.timeoutMs ?? 2000 });
    s.on("connect", () => { s.destroy(); resolve({ id: p.id, open: true }); });
    s.on("timeout", () => { s.destroy(); resolve({ id: p.id, open: false, error: "timeout (filtered)" }); });
    s.on("error", (e: NodeJS.ErrnoException) => resolve({ id: p.id, open: false, error: e.code ?? e.message }));
  });
}

export async function runProbes(probes: Probe[]): Promise<ProbeResult[]> {
  const out: ProbeResult[] = [];
  for (const p of probes) {
    if (p.type === "tcp") {
      out.push(await tcp(p));
    } else if ((p.count ?? 1) > 1) {
      const statuses: number[] = [];
      let error: string | undefined;
      for (let i = 0; i < p.count!; i++) {
        const r = await once(p);
        if (r.status === undefined) { error = r.error; break; }
        statuses.push(r.status);
      }
      out.push({ id: p.id, statuses, error });
    } else {
      out.push(await once(p));
    }
  }
  return out;
}

if (isMain(__filename)) {
  const probes = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as Probe[];
  runProbes(probes).then((r) => process.stdout.write(JSON.stringify(r)), (e) => {
    console.error(e);
    process.exit(1);
  });
}
