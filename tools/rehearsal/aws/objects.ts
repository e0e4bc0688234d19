/**
 * What the S3 stand-in serves, laid out under <runDir>/aws/s3/<bucket>/<key>:
 *   - each app's sample artifact (tools/rehearsal/apps) at the key its deploy script asks for,
 *     with `<key>.sha256` beside it;
 *   - the CloudWatch agent .deb at amazoncloudwatch-agent-<region>/ubuntu/<arch>/latest/: a
 *     stand-in package (dpkg-deb) whose amazon-cloudwatch-agent-ctl records its arguments and
 *     checks the config file it is given is JSON.
 */
import * as fs from "fs";
import * as path from "path";
import { must } from "../sh";
import type { ArtifactRecord } from "./plan";

export const AGENT_CTL = "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl";
export const AGENT_LOG = "/var/log/webapp-platform-rehearsal/cloudwatch-agent-ctl.log";

export function objectPath(root: string, bucket: string, key: string): string | undefined {
  const p = path.resolve(root, bucket, key);
  return p.startsWith(path.resolve(root) + path.sep) ? p : undefined;
}

export const AGENT_CTL_SCRIPT = `#!/bin/bash
# webapp-platform rehearsal: stand-in for amazon-cloudwatch-agent-ctl (docs/rehearsal.md).
# Records its arguments; with -a fetch-config -c file:<path> checks the file is JSON.
set -u
mkdir -p "$(dirname ${AGENT_LOG})"
echo "$(date -u +%FT%TZ) amazon-cloudwatch-agent-ctl $*" >>${AGENT_LOG}
config=""
while [ $# -gt 0 ]; do
  case "$1" in
    -c) config="\${2:-}"; shift ;;
  esac
  shift
done
if [ -n "$config" ]; then
  file="\${config#file:}"
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$file" 2>>${AGENT_LOG}; then
    echo "amazon-cloudwatch-agent-ctl: $file is not a readable JSON config" | tee -a ${AGENT_LOG} >&2
    exit 1
  fi
  echo "$(date -u +%FT%TZ) config $file is JSON" >>${AGENT_LOG}
fi
exit 0
`;

/** Builds the stand-in agent .deb for an architecture (dpkg-deb). */
export function buildAgentDeb(work: string, arch: string): string {
  const root = path.join(work, `cwagent-${arch}`);
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(path.join(root, "DEBIAN"), { recursive: true });
  fs.mkdirSync(path.join(root, path.dirname(AGENT_CTL).slice(1)), { recursive: true });
  fs.writeFileSync(path.join(root, "DEBIAN", "control"), [
    "Package: amazon-cloudwatch-agent",
    "Version: 1.300000.0~rehearsal1",
    `Architecture: ${arch}`,
    "Maintainer: webapp-platform rehearsal <rehearsal@invalid>",
    "Description: webapp-platform rehearsal stand-in for the Amazon CloudWatch agent",
    " Records amazon-cloudwatch-agent-ctl's arguments; ships no logs or metrics.",
    "",
  ].join("\n"));
  fs.writeFileSync(path.join(root, AGENT_CTL.slice(1)), AGENT_CTL_SCRIPT, { mode: 0o755 });
  const out = path.join(work, `amazon-cloudwatch-agent-${arch}.deb`);
  must("dpkg-deb", ["--root-owner-group", "--build", root, out]);
  return out;
}

/** Lays out every object the hosts will ask for. Returns the S3 root. */
export function layoutObjects(awsDir: string, artifacts: { record: ArtifactRecord; file: string; sha256: string }[], regions: string[]): string {
  const root = path.join(awsDir, "s3");
  const work = path.join(awsDir, "build");
  fs.mkdirSync(root, { recursive: true });
  fs.mkdirSync(work, { recursive: true });
  const put = (bucket: string, key: string, data: Buffer) => {
    const p = objectPath(root, bucket, key);
    if (!p) throw new Error(`bad S3 key ${bucket}/${key}`);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
  };
  // The release and, next to it, the checksum the host verifies before unpacking (as `sha256sum` writes it).
  for (const a of artifacts) {
    const bytes = fs.readFileSync(a.file);
    // Tampered: one byte more after the checksum was taken (the self-test's refused artifact).
    put(a.record.bucket, a.record.key, a.record.tampered ? Buffer.concat([bytes, Buffer.from("\0")]) : bytes);
    put(a.record.bucket, `${a.record.key}.sha256`, Buffer.from(`${a.sha256}  ${path.basename(a.record.key)}\n`));
  }
  for (const arch of ["amd64", "arm64"]) {
    const deb = fs.readFileSync(buildAgentDeb(work, arch));
    for (const r of regions) put(`amazoncloudwatch-agent-${r}`, `ubuntu/${arch}/latest/amazon-cloudwatch-agent.deb`, deb);
  }
  return root;
}
