/**
 * A per-run certificate authority and server certificates for the data-store stand-ins, made
 * with openssl (RSA 2048 and SHA-256, like RDS's rds-ca-rsa2048-g1). The CA's certificate is
 * what a host would trust in place of the RDS CA bundle or Amazon's public roots.
 */
import * as fs from "fs";
import * as path from "path";
import { must } from "../sh";

/** Creates `dir` with `mode` (parents with the default mode, so other users can still traverse them). */
export function mkdirMode(dir: string, mode: number): void {
  fs.mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { mode });
  fs.chmodSync(dir, mode);
}

export interface Ca {
  /** PEM certificate (give it to clients: sslrootcert, --cacert, the host's trust store). */
  certFile: string;
  keyFile: string;
}

export interface ServerCert {
  certFile: string;
  keyFile: string;
  /** The CA certificate that signed it. */
  caFile: string;
}

/** A self-signed CA in `dir` (ca.pem, ca.key), valid for two days. */
export function makeCa(dir: string, name = "webapp-platform rehearsal CA"): Ca {
  mkdirMode(dir, 0o700);
  const certFile = path.join(dir, "ca.pem");
  const keyFile = path.join(dir, "ca.key");
  must("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-nodes", "-days", "2",
    "-subj", `/O=webapp-platform rehearsal/CN=${name}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout", keyFile, "-out", certFile,
  ]);
  fs.chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}

/** The openssl extension section of a server certificate for these names and addresses. Pure. */
export function serverExtensions(names: string[], ips: string[]): string {
  const san = [...names.map((n) => `DNS:${n}`), ...ips.map((i) => `IP:${i}`)];
  if (san.length === 0) throw new Error("a server certificate needs at least one name or address");
  return [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    `subjectAltName=${san.join(",")}`,
    "",
  ].join("\n");
}

/** A server certificate for `names` (DNS) and `ips`, signed by `ca`, written as `<base>.pem` / `<base>.key` in `dir`. */
export function issueServerCert(ca: Ca, dir: string, base: string, names: string[], ips: string[]): ServerCert {
  mkdirMode(dir, 0o700);
  const keyFile = path.join(dir, `${base}.key`);
  const csr = path.join(dir, `${base}.csr`);
  const ext = path.join(dir, `${base}.ext`);
  const certFile = path.join(dir, `${base}.pem`);
  fs.writeFileSync(ext, serverExtensions(names, ips));
  // X.509 caps a CN at 64 characters and RDS endpoint names run longer; clients match the SANs anyway.
  const cn = [...names, ...ips].find((n) => n.length <= 64) ?? "webapp-platform rehearsal data stand-in";
  must("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${cn}`, "-keyout", keyFile, "-out", csr]);
  must("openssl", [
    "x509", "-req", "-in", csr, "-CA", ca.certFile, "-CAkey", ca.keyFile, "-CAcreateserial",
    "-sha256", "-days", "2", "-extfile", ext, "-out", certFile,
  ]);
  fs.rmSync(csr);
  fs.chmodSync(keyFile, 0o600);
  return { certFile, keyFile, caFile: ca.certFile };
}
