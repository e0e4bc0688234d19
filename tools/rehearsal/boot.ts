/**
 * Boots one host document for real: an overlay of the base rootfs (lower) and a per-host upper
 * directory, the document as the NoCloud seed (byte for byte), the stand-in layer (see
 * STANDIN_FILES, each listed in docs/rehearsal.md), then `systemd-nspawn --boot` in the host's
 * network namespace until cloud-init is done; collects what the probes read, powers off, cleans up.
 */
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { HostDocument } from "./hostdocs";
import type { InstanceIdentity } from "./imds";
import { DNS_ADDRESS, HostNet } from "./netns";
import { REPO_IN_CONTAINER } from "./ubuntu-names";
import { PROXY_PORT } from "./router";
import { log, must, ProcessSet, run, runAsync, RunResult, sleep, waitFor } from "./sh";

export interface BootOptions {
  rootfs: string;
  /** Where this host's overlay and collected files go. */
  hostDir: string;
  net: HostNet;
  identity: InstanceIdentity;
  /** Seconds to wait for cloud-init to finish. */
  timeoutSeconds: number;
  keep: boolean;
  procs: ProcessSet;
  /** Built by ubuntu-names.ts: transitional packages for Ubuntu-only names, copied into the overlay. */
  ubuntuNamesRepo?: string;
  /**
   * Called after cloud-init is done and the facts are collected, while the container still runs:
   * where probes from outside (load balancer, users) and inside (`inside(leader, ...)`) go.
   */
  whileRunning?: (ctx: RunningHost) => Promise<void>;
  /** Aborted on interrupt: the boot stops waiting and collecting, and cleans up. */
  signal?: AbortSignal;
  /** The run's CA root (aws/ca.ts): trusted inside the container (system store and the AWS CLI's bundle). */
  caCert?: string;
}

/** Where the run's CA root goes in the container (update-ca-certificates picks it up from there). */
export const CA_IN_CONTAINER = "/usr/local/share/ca-certificates/webapp-platform-rehearsal-ca.crt";

export interface RunningHost { leader: number; net: HostNet; identity: InstanceIdentity; hostDir: string; merged: string; result: BootResult }

export interface BootResult {
  /** Seconds from container start to cloud-init's result.json. */
  cloudInitSeconds?: number;
  cloudInitDone: boolean;
  /** cloud-init's own verdict (result.json v1.errors / recoverable_errors). */
  errors: string[];
  recoverable: Record<string, string[]>;
  status?: { status?: string; extended_status?: string; detail?: string };
  failedUnits: string[];
  systemState?: string;
  /** Lines of cloud-init-output.log that look like failures, for the table's detail. */
  outputProblems: string[];
  /** Set when the boot itself could not run (mount, nspawn exit, timeout). */
  bootError?: string;
  files: string[];
}

/**
 * The stand-in layer: files written into the overlay (never the base rootfs) before boot.
 * Each one is a documented difference from an EC2 instance launched from Ubuntu 24.04's AMI.
 */
export function standinFiles(doc: HostDocument, id: InstanceIdentity, net: HostNet): Record<string, string | Buffer> {
  const shortHost = id.localHostname.split(".")[0];
  return {
    // NoCloud instead of the Ec2 datasource: the user data is the seed, exactly as recorded.
    "var/lib/cloud/seed/nocloud/user-data": Buffer.from(doc.userData, "utf8"),
    "var/lib/cloud/seed/nocloud/meta-data": `instance-id: ${id.instanceId}\nlocal-hostname: ${shortHost}\n`,
    "etc/cloud/cloud.cfg.d/90-webapp-platform-rehearsal.cfg": [
      "# webapp-platform rehearsal (docs/rehearsal.md): not on an EC2 instance.",
      "datasource_list: [ NoCloud, None ]",
      "# The namespace's address and route are set from outside, as EC2's DHCP would.",
      "network: {config: disabled}",
      "# Keep the rootfs's Debian sources (reached through the package proxy); merged under the user data's apt:.",
      "apt: {preserve_sources_list: true}",
      "",
    ].join("\n"),
    // The only way to packages: the proxy relayed by the router (Debian's mirror, http only).
    "etc/apt/apt.conf.d/00webapp-platform-rehearsal-proxy": `Acquire::http::Proxy "http://${net.gateway}:${PROXY_PORT}";\nAcquire::https::Proxy "http://${net.gateway}:${PROXY_PORT}";\n`,
    // The Amazon-provided resolver; its stand-in logs every name and refuses it (no DNS answers yet).
    "etc/resolv.conf": `# webapp-platform rehearsal: Amazon DNS stand-in (logs, refuses)\nnameserver ${DNS_ADDRESS}\nsearch ${id.region}.compute.internal\n`,
    // Ubuntu's AMI has snapd; a container cannot run it. This stand-in installs Debian's packages instead.
    "usr/bin/snap": SNAP_STANDIN,
  };
}

/** Trusts the run's CA root in the overlay as a local CA (update-ca-certificates run in a chroot of the overlay, before boot). */
function trustRunCa(merged: string, caCert: string): void {
  writeLayer(merged, { [CA_IN_CONTAINER.slice(1)]: fs.readFileSync(caCert) });
  must("chroot", [merged, "update-ca-certificates"]);
}

/**
 * `snap` as the host scripts use it (wait for seeding, list, install), backed by Debian packages:
 * aws-cli → Debian's awscli (v2) linked at /snap/bin/aws. Any other snap is "not found". Every
 * call is logged to /var/log/webapp-platform-rehearsal/snap.log.
 */
export const SNAP_STANDIN = `#!/bin/bash
# webapp-platform rehearsal: stand-in for snapd (docs/rehearsal.md).
set -u
mkdir -p /var/log/webapp-platform-rehearsal /var/lib/webapp-platform-rehearsal/snaps
echo "$(date -u +%FT%TZ) snap $*" >>/var/log/webapp-platform-rehearsal/snap.log
declare -A DEBIAN=([aws-cli]=awscli)
declare -A BIN=([aws-cli]=aws)
case "\${1:-}" in
  wait) exit 0 ;;
  list)
    name="\${2:-}"
    if [ -n "$name" ] && [ ! -e "/var/lib/webapp-platform-rehearsal/snaps/$name" ]; then
      echo "error: no matching snaps installed" >&2; exit 1
    fi
    ls /var/lib/webapp-platform-rehearsal/snaps; exit 0 ;;
  install)
    name="\${2:-}"
    if [ -z "\${DEBIAN[$name]:-}" ]; then echo "error: snap '$name' not found (rehearsal stand-in)" >&2; exit 1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "\${DEBIAN[$name]}" >>/var/log/webapp-platform-rehearsal/snap.log 2>&1 || exit 1
    mkdir -p /snap/bin && ln -sfn "/usr/bin/\${BIN[$name]}" "/snap/bin/\${BIN[$name]}"
    # The AWS CLI trusts only its own bundle (botocore/cacert.pem, as the snap does): the run's CA is added to it.
    ca=/usr/local/share/ca-certificates/webapp-platform-rehearsal-ca.crt
    if [ "$name" = aws-cli ] && [ -e "$ca" ]; then
      for b in /usr/lib/python3/dist-packages/awscli/botocore/cacert.pem; do
        [ -e "$b" ] && cat "$ca" >>"$b" && echo "added the rehearsal CA to $b" >>/var/log/webapp-platform-rehearsal/snap.log
      done
    fi
    touch "/var/lib/webapp-platform-rehearsal/snaps/$name"
    echo "$name (Debian's \${DEBIAN[$name]}) installed"; exit 0 ;;
  *) echo "error: rehearsal snap stand-in does not do: snap $*" >&2; exit 1 ;;
esac
`;

function writeLayer(merged: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(merged, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.rmSync(p, { force: true });
    fs.writeFileSync(p, content, { mode: rel.includes("seed/") ? 0o600 : rel.startsWith("usr/bin/") ? 0o755 : 0o644 });
  }
}

/** PID 1 of the container: the child of the systemd-nspawn process. */
function leaderOf(nspawnPid: number): number | undefined {
  try {
    const kids = fs.readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    for (const k of kids) {
      const status = fs.readFileSync(`/proc/${k}/status`, "utf8");
      const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1].trim().split(/\s+/);
      if (nspid && nspid[nspid.length - 1] === "1") return k;
    }
  } catch {
    /* gone */
  }
  return undefined;
}

/**
 * Runs a command inside the container (its mount, UTS, IPC, network, PID and cgroup namespaces),
 * without blocking the event loop (so an interrupt can still clean up), bounded by `timeoutSeconds`.
 */
export function inside(leader: number, args: string[], timeoutSeconds = 60): Promise<RunResult> {
  return runAsync("timeout", [String(timeoutSeconds), "nsenter", "-t", String(leader), "-m", "-u", "-i", "-n", "-p", "-C", "--", ...args]);
}

const PROBLEM = /(^|\W)(E:|ERROR|Error|error:|Failed|failed|FAIL|No such file|not found|command not found|Unable to locate package|Could not resolve|Temporary failure|Traceback)/;

export async function bootHost(doc: HostDocument, o: BootOptions): Promise<BootResult> {
  const result: BootResult = { cloudInitDone: false, errors: [], recoverable: {}, failedUnits: [], outputProblems: [], files: [] };
  const upper = path.join(o.hostDir, "upper");
  const work = path.join(o.hostDir, "work");
  const merged = path.join(o.hostDir, "merged");
  for (const d of [upper, work, merged]) fs.mkdirSync(d, { recursive: true });
  must("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${o.rootfs},upperdir=${upper},workdir=${work}`, merged]);
  fs.writeFileSync(path.join(o.hostDir, "mounted"), merged + "\n");
  let nspawn: ChildProcess | undefined;
  try {
    writeLayer(merged, standinFiles(doc, o.identity, o.net));
    // Masked: no NVMe devices in a container (EC2 Nitro has them), so nvme-cli's connect unit,
    // which Ubuntu's Recommends bring in, would fail for that reason alone.
    fs.symlinkSync("/dev/null", path.join(merged, "etc/systemd/system/nvmf-autoconnect.service"));
    if (o.caCert) trustRunCa(merged, o.caCert);
    if (o.ubuntuNamesRepo) {
      const dst = path.join(merged, REPO_IN_CONTAINER.slice(1));
      fs.mkdirSync(dst, { recursive: true });
      for (const f of fs.readdirSync(o.ubuntuNamesRepo)) fs.copyFileSync(path.join(o.ubuntuNamesRepo, f), path.join(dst, f));
      writeLayer(merged, { "etc/apt/sources.list.d/webapp-platform-rehearsal-ubuntu-names.list": `# webapp-platform rehearsal: Ubuntu package names -> Debian's (docs/rehearsal.md)\ndeb [trusted=yes] file:${REPO_IN_CONTAINER} ./\n` });
    }
    fs.writeFileSync(path.join(o.hostDir, "user-data"), doc.userData);
    // systemd-nspawn mounts /proc/sys read-only, so a container cannot turn on forwarding as
    // dockerd does on EC2: it is set from outside, in this host's own namespace only.
    must("ip", ["netns", "exec", o.net.netns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    // Docker's overlay2 cannot stack on the overlay root: /var/lib/docker is a plain directory.
    const dockerDir = path.join(o.hostDir, "var-lib-docker");
    fs.mkdirSync(dockerDir, { recursive: true });
    const machine = `reh-${doc.app}`.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 60);
    const t0 = Date.now();
    nspawn = o.procs.start(`nspawn ${doc.app}`, "systemd-nspawn", [
      "--boot", "--register=no", "--keep-unit", "--quiet",
      `--directory=${merged}`, `--machine=${machine}`,
      `--network-namespace-path=${o.net.nsPath}`,
      // Dropped with --network-namespace-path; ufw needs it (in the host's own namespace only).
      "--capability=CAP_NET_ADMIN",
      `--bind=${dockerDir}:/var/lib/docker`,
      "--resolv-conf=off", "--timezone=off", "--link-journal=no", "--console=read-only",
      "--setenv=SYSTEMD_COLORS=0",
    ], path.join(o.hostDir, "console.log"), { ...process.env, SYSTEMD_COLORS: "0" });
    fs.writeFileSync(path.join(o.hostDir, "nspawn.pid"), `${nspawn.pid}\n`);
    const resultFile = path.join(merged, "var/lib/cloud/data/result.json");
    const exited = () => nspawn!.exitCode !== null || nspawn!.signalCode !== null;
    const seen = await waitFor(() => (o.signal?.aborted ? false : fs.existsSync(resultFile) ? true : exited() ? false : undefined), o.timeoutSeconds * 1000, 500);
    if (o.signal?.aborted) throw new Error("interrupted");
    if (seen === true) {
      result.cloudInitDone = true;
      result.cloudInitSeconds = (Date.now() - t0) / 1000;
    } else if (seen === false) {
      result.bootError = `systemd-nspawn exited (${nspawn.exitCode ?? nspawn.signalCode}) before cloud-init finished; see console.log`;
    } else {
      result.bootError = `cloud-init not done after ${o.timeoutSeconds} s`;
    }
    const leader = nspawn.pid && !o.signal?.aborted ? leaderOf(nspawn.pid) : undefined;
    if (leader) fs.writeFileSync(path.join(o.hostDir, "leader.pid"), `${leader}\n`);
    if (leader) {
      // Let the rest of the boot settle (units started by the user data), bounded.
      const st = await inside(leader, ["systemctl", "is-system-running", "--wait"], 90);
      result.systemState = st.stdout.trim() || st.stderr.trim();
      const failed = await inside(leader, ["systemctl", "--failed", "--no-legend", "--plain"]);
      result.failedUnits = failed.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
      fs.writeFileSync(path.join(o.hostDir, "systemctl-failed.txt"), failed.stdout + failed.stderr);
      const status = await inside(leader, ["cloud-init", "status", "--long", "--format", "json"]);
      fs.writeFileSync(path.join(o.hostDir, "cloud-init-status.json"), status.stdout + status.stderr);
      try {
        result.status = JSON.parse(status.stdout);
      } catch {
        /* older cloud-init */
      }
      for (const u of result.failedUnits) {
        const unit = u.split(/\s+/)[0];
        const j = await inside(leader, ["journalctl", "-b", "-u", unit, "--no-pager", "-n", "60"]);
        fs.writeFileSync(path.join(o.hostDir, `journal-${unit}.txt`), j.stdout + j.stderr);
      }
      const j = await inside(leader, ["journalctl", "-b", "--no-pager", "-p", "warning"]);
      fs.writeFileSync(path.join(o.hostDir, "journal-warnings.txt"), j.stdout + j.stderr);
    } else if (!result.bootError) {
      result.bootError = "could not find the container's PID 1";
    }
    if (leader && o.whileRunning) await o.whileRunning({ leader, net: o.net, identity: o.identity, hostDir: o.hostDir, merged, result });
    for (const rel of ["var/log/cloud-init-output.log", "var/log/cloud-init.log", "var/lib/cloud/data/result.json", "var/lib/cloud/data/status.json", "var/log/webapp-platform-rehearsal/snap.log", "var/log/webapp-platform-rehearsal/cloudwatch-agent-ctl.log"]) {
      const src = path.join(merged, rel);
      if (fs.existsSync(src)) {
        const dst = path.join(o.hostDir, path.basename(rel));
        fs.copyFileSync(src, dst);
        result.files.push(dst);
      }
    }
    if (fs.existsSync(resultFile)) {
      const v1 = JSON.parse(fs.readFileSync(resultFile, "utf8")).v1 ?? {};
      result.errors = v1.errors ?? [];
      result.recoverable = v1.recoverable_errors ?? {};
    }
    const out = path.join(o.hostDir, "cloud-init-output.log");
    if (fs.existsSync(out)) {
      result.outputProblems = fs.readFileSync(out, "utf8").split("\n").filter((l) => PROBLEM.test(l)).slice(0, 40);
    }
  } finally {
    await shutdown(nspawn, o.hostDir);
    const u = run("umount", [merged]);
    if (u.code !== 0) {
      log(`umount ${merged} failed (${u.stderr.trim()}); retrying lazily`);
      run("umount", ["-l", merged]);
    }
    fs.rmSync(path.join(o.hostDir, "mounted"), { force: true });
    try {
      fs.rmdirSync(merged); // only when empty, i.e. really unmounted
    } catch {
      /* still mounted or not empty: left for --cleanup */
    }
    if (!o.keep) {
      fs.rmSync(path.join(o.hostDir, "upper"), { recursive: true, force: true });
      fs.rmSync(path.join(o.hostDir, "var-lib-docker"), { recursive: true, force: true });
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
  return result;
}

/** Powers the container off as `machinectl poweroff` would (SIGTERM to nspawn), then SIGKILL after 60 s. */
async function shutdown(nspawn: ChildProcess | undefined, hostDir: string): Promise<void> {
  if (!nspawn || nspawn.exitCode !== null || nspawn.signalCode !== null) return;
  nspawn.kill("SIGTERM");
  const done = await waitFor(() => (nspawn.exitCode !== null || nspawn.signalCode !== null ? true : undefined), 60000, 250);
  if (!done) {
    log(`container did not power off in 60 s; killing systemd-nspawn ${nspawn.pid}`);
    nspawn.kill("SIGKILL");
    await sleep(1000);
  }
  killLeftover(hostDir);
}

/** Kills the container's PID 1 (by the pid recorded for it) if it outlived systemd-nspawn, taking its namespace with it. */
export function killLeftover(hostDir: string): void {
  for (const f of ["leader.pid", "nspawn.pid"]) {
    const file = path.join(hostDir, f);
    if (!fs.existsSync(file)) continue;
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    let cmd = "";
    let root = "";
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      root = fs.readlinkSync(`/proc/${pid}/root`);
    } catch {
      /* gone */
    }
    // Only a process that is still ours: our systemd-nspawn (its command names this host's
    // directory) or the container's PID 1 (its root is this host's overlay).
    if (pid > 1 && (cmd.includes(hostDir) || root.startsWith(hostDir))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    fs.rmSync(file, { force: true });
  }
}
