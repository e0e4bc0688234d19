/**
 * The ECR registry stand-in over plain HTTP on one address, for tests and for looking at a run's
 * images by hand: every request goes through aws/services.ts `handleAws` as the rehearsal's AWS
 * server passes it (the Host is taken as `<account>.dkr.ecr.<region>.amazonaws.com`, since a
 * client here talks to 127.0.0.1:<port>), with the store `registryStore(registryDir)` and the
 * roles of `state`. Each call is one JSON line on stdout (or to `onCall`).
 *
 *   node tools/run.js tools/rehearsal/images/serve.ts --registry <dir> --state <state.json> [--listen 127.0.0.1:5000] [--region eu-west-1]
 *
 * Docker treats 127.0.0.0/8 registries as insecure (plain HTTP) by default, so
 * `docker login 127.0.0.1:<port> -u AWS` with the role's registry password, then
 * `docker pull 127.0.0.1:<port>/<repo>@<digest>`, pulls through the stand-in's code.
 */
import * as fs from "fs";
import * as http from "http";
import type { AwsState } from "../aws/plan";
import { CallRecord, handleAws, keysForRoles } from "../aws/services";
import { isMain } from "../sh";
import { registryStore } from "./store";

export interface RegistryServerOptions {
  registryDir: string;
  state: AwsState | (() => AwsState);
  region: string;
  host?: string;
  port?: number;
  onCall?: (call: CallRecord & { method: string; path: string }) => void;
}

export function startRegistryServer(opts: RegistryServerOptions): Promise<http.Server & { port: number }> {
  const state = typeof opts.state === "function" ? opts.state : () => opts.state as AwsState;
  const store = registryStore(opts.registryDir);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const s = state();
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const pathOnly = q < 0 ? url : url.slice(0, q);
      const { response, call } = handleAws({
        method: req.method ?? "GET", path: pathOnly, query: q < 0 ? "" : url.slice(q + 1), headers: req.headers, body: Buffer.concat(chunks),
        host: `${s.accountId}.dkr.ecr.${opts.region}.amazonaws.com`, source: (req.socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
      }, { state: s, keys: keysForRoles(Object.keys(s.roles)), objects: () => undefined, registry: store });
      res.writeHead(response.status, { ...response.headers, "content-length": response.headers["content-length"] ?? String(response.body.length) });
      res.end(req.method === "HEAD" ? undefined : response.body);
      (opts.onCall ?? ((c) => process.stdout.write(JSON.stringify(c) + "\n")))({ ...call, method: req.method ?? "GET", path: pathOnly });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      const a = server.address();
      resolve(Object.assign(server, { port: typeof a === "object" && a ? a.port : 0 }));
    });
  });
}

if (isMain(__filename)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const registryDir = arg("--registry");
  const stateFile = arg("--state");
  if (!registryDir || !stateFile) {
    console.error("usage: serve.ts --registry <dir> --state <state.json> [--listen 127.0.0.1:5000] [--region eu-west-1]");
    process.exit(2);
  }
  const [host, port] = (arg("--listen") ?? "127.0.0.1:5000").split(":");
  startRegistryServer({ registryDir, state: () => JSON.parse(fs.readFileSync(stateFile, "utf8")), region: arg("--region") ?? "eu-west-1", host, port: Number(port) }).then(
    (s) => process.stderr.write(`listening ${host}:${s.port}\n`),
    (e) => {
      console.error(String(e));
      process.exit(1);
    },
  );
}
