/**
 * The AWS API stand-in's HTTPS server: one Node server on AWS_ENDPOINT_ADDRESS:443 in the router
 * namespace (started by router.ts, in the router's process), the certificate from ca.ts, the
 * answers from services.ts, the state from <runDir>/aws/state.json (re-read when it changes, so a
 * data stand-in can repoint the connection secrets while the run goes on). Every call is one JSON
 * line in <runDir>/aws-calls.jsonl: time, source address, instance, host, service, action,
 * parameters (no secret values), status, error, IAM verdict.
 */
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import type { InstanceIdentity } from "../imds";
import { AWS_ENDPOINT_ADDRESS } from "../netns";
import type { AwsState } from "./plan";
import { objectPath } from "./objects";
import { handleAws, keysForRoles } from "./services";
import { registryDirOf, registryStore } from "../images/store";
import { jsonFileReader } from "../sh";

export { AWS_ENDPOINT_ADDRESS };


export function startAwsServer(runDir: string, instances: () => Record<string, InstanceIdentity>): https.Server | undefined {
  const awsDir = path.join(runDir, "aws");
  const stateFile = path.join(awsDir, "state.json");
  if (!fs.existsSync(stateFile)) return undefined;
  const state = jsonFileReader<AwsState>(stateFile, { accountId: "123456789012", regions: [], secrets: [], roles: {}, artifacts: [], groups: [], publicBuckets: [] });
  const s3Root = path.join(awsDir, "s3");
  // The images the run built (images/), served by the ECR registry stand-in.
  const registry = registryStore(registryDirOf(runDir));
  const calls = fs.createWriteStream(path.join(runDir, "aws-calls.jsonl"), { flags: "a" });
  const server = https.createServer({ key: fs.readFileSync(path.join(awsDir, "ca", "server.key")), cert: fs.readFileSync(path.join(awsDir, "ca", "server.crt")) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const source = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const ids = instances();
      const roles = [...new Set(Object.values(ids).map((i) => i.role).filter((r): r is string => !!r))];
      let out;
      try {
        out = handleAws({
          method: req.method ?? "GET", path: q < 0 ? url : url.slice(0, q), query: q < 0 ? "" : url.slice(q + 1),
          headers: req.headers, body: Buffer.concat(chunks), host: String(req.headers.host ?? ""), source,
        }, {
          state: state(), keys: keysForRoles(roles), registry,
          objects: (bucket, key) => {
            const p = objectPath(s3Root, bucket, key);
            return p && fs.existsSync(p) && fs.statSync(p).isFile() ? fs.readFileSync(p) : undefined;
          },
        });
      } catch (e) {
        out = { response: { status: 500, headers: { "content-type": "text/plain" }, body: Buffer.from("internal error of the rehearsal stand-in\n") }, call: { service: "unknown", action: `${req.method} ${url}`, status: 500, error: (e as Error).message } };
      }
      const { response, call } = out;
      res.writeHead(response.status, { ...response.headers, "content-length": response.headers["content-length"] ?? String(response.body.length) });
      res.end(req.method === "HEAD" ? undefined : response.body);
      calls.write(JSON.stringify({ t: new Date().toISOString(), source, instance: ids[source]?.instanceId, host: req.headers.host, method: req.method, ua: String(req.headers["user-agent"] ?? "").slice(0, 80), ...call }) + "\n");
    });
  });
  server.on("tlsClientError", (err, socket) => {
    calls.write(JSON.stringify({ t: new Date().toISOString(), source: socket.remoteAddress?.replace(/^::ffff:/, ""), service: "tls", action: "handshake", status: 0, error: err.message }) + "\n");
  });
  server.listen(443, AWS_ENDPOINT_ADDRESS);
  return server;
}
