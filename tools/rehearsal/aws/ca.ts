/**
 * A certificate authority per run (openssl, in <runDir>/aws/ca/) and the AWS endpoints' server
 * certificate it signs. The root goes into each container's overlay
 * (/usr/local/share/ca-certificates/, then update-ca-certificates) and into the AWS CLI's own
 * bundle (see the snap stand-in in boot.ts): that is the one thing the hosts trust that a real
 * instance does not. The key never leaves the run directory.
 */
import * as fs from "fs";
import * as path from "path";
import { must } from "../sh";

export interface RunCa { dir: string; caCert: string; serverCert: string; serverKey: string }

/** The names the AWS stand-in's certificate covers for these regions. Pure. */
export function endpointNames(regions: string[]): string[] {
  const names = ["*.amazonaws.com", "s3.amazonaws.com", "*.s3.amazonaws.com", "sts.amazonaws.com", "route53.amazonaws.com"];
  for (const r of regions) {
    names.push(`*.${r}.amazonaws.com`, `*.s3.${r}.amazonaws.com`, `api.ecr.${r}.amazonaws.com`, `*.dkr.ecr.${r}.amazonaws.com`);
  }
  return [...new Set(names)];
}

export function makeRunCa(runDir: string, regions: string[]): RunCa {
  const dir = path.join(runDir, "aws", "ca");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => path.join(dir, n);
  must("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", `/O=webapp-platform rehearsal/CN=webapp-platform rehearsal CA ${path.basename(runDir)}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout", f("ca.key"), "-out", f("ca.crt")]);
  must("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=amazonaws.com", "-keyout", f("server.key"), "-out", f("server.csr")]);
  fs.writeFileSync(f("server.ext"), [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature",
    "extendedKeyUsage=serverAuth",
    `subjectAltName=${endpointNames(regions).map((n) => `DNS:${n}`).join(",")}`,
    "",
  ].join("\n"));
  must("openssl", ["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("server.ext"), "-out", f("server.crt")]);
  fs.chmodSync(f("ca.key"), 0o600);
  fs.chmodSync(f("server.key"), 0o600);
  return { dir, caCert: f("ca.crt"), serverCert: f("server.crt"), serverKey: f("server.key") };
}
