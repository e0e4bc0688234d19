/**
 * The rehearsal's network, all inside network namespaces this run creates (nothing is added to
 * the machine's own namespace):
 *
 *   router namespace  reh-<run>-r : bridge "vpc0" with each subnet's router address (x.x.x.1,
 *                     as the VPC router), 169.254.169.254 (IMDS) and 169.254.169.253 (DNS);
 *                     the stand-ins listen here.
 *   host namespace    reh-<run>-<n> : "ens5" (the name Ubuntu gives the first ENI on Nitro), the
 *                     host's private address in its subnet, default route via the subnet router.
 *
 * The veth pair is created inside the router namespace with its peer put straight into the host
 * namespace. Every name created is written to <runDir>/netns.json so `--cleanup <runDir>`
 * removes exactly those.
 *
 *   node tools/run.js tools/rehearsal/netns.ts --cleanup <runDir>
 */
import * as fs from "fs";
import * as path from "path";
import { isMain, log, must, run } from "./sh";

/** TEST-NET-3 (RFC 5737): where the probes' internet users come from. */
export const INTERNET_NET = "203.0.113";

export const IMDS_ADDRESS = "169.254.169.254";
/** The Amazon-provided DNS server's link-local address (also reachable at the VPC base + 2). */
export const DNS_ADDRESS = "169.254.169.253";
/** EC2's MTU inside a VPC (jumbo frames). */
export const VPC_MTU = 9001;
/** Where the AWS API names resolve (TEST-NET-2, never routed on the internet); the AWS stand-in listens here. */
export const AWS_ENDPOINT_ADDRESS = "198.51.100.10";

export interface HostNet { netns: string; nsPath: string; address: string; prefix: number; gateway: string; routerIf: string }

interface State { router?: string; hosts: string[] }

export class RehearsalNetwork {
  readonly router: string;
  private readonly state: State = { hosts: [] };
  private readonly gateways = new Set<string>();
  private count = 0;

  constructor(readonly runId: string, readonly runDir: string) {
    this.router = `reh-${runId}-r`;
  }

  private save(): void {
    fs.writeFileSync(path.join(this.runDir, "netns.json"), JSON.stringify(this.state, null, 2));
  }

  /** The router namespace with its bridge, loopback and the IMDS address. */
  createRouter(): void {
    must("ip", ["netns", "add", this.router]);
    this.state.router = this.router;
    this.save();
    const ip = (...a: string[]) => must("ip", ["-n", this.router, ...a]);
    ip("link", "set", "lo", "up");
    ip("link", "add", "vpc0", "type", "bridge");
    ip("link", "set", "vpc0", "mtu", String(VPC_MTU));
    ip("addr", "add", `${IMDS_ADDRESS}/32`, "dev", "vpc0");
    ip("addr", "add", `${DNS_ADDRESS}/32`, "dev", "vpc0");
    // Every *.amazonaws.com name resolves here (aws/server.ts); routed to the router like any public address.
    ip("addr", "add", `${AWS_ENDPOINT_ADDRESS}/32`, "dev", "vpc0");
    ip("link", "set", "vpc0", "up");
    // The probes' "users on the internet" (probes.ts): any TEST-NET-3 address is local here, so a
    // probe can send from 203.0.113.x and the host's answer comes back through its default route.
    ip("route", "add", "local", `${INTERNET_NET}.0/24`, "dev", "lo");
  }

  /** An address of a stand-in service (a database, a cache) on the router's bridge, reached through each host's default route. */
  addServiceAddress(address: string): void {
    must("ip", ["-n", this.router, "addr", "add", `${address}/32`, "dev", "vpc0"]);
  }

  /** A host namespace joined to the router by a veth, with its address and default route. */
  addHost(address: string, prefix: number, gateway: string): HostNet {
    const n = this.count++;
    const netns = `reh-${this.runId}-${n}`;
    const routerIf = `h${n}`;
    must("ip", ["netns", "add", netns]);
    this.state.hosts.push(netns);
    this.save();
    const r = (...a: string[]) => must("ip", ["-n", this.router, ...a]);
    const h = (...a: string[]) => must("ip", ["-n", netns, ...a]);
    r("link", "add", routerIf, "mtu", String(VPC_MTU), "type", "veth", "peer", "name", "ens5", "netns", netns);
    r("link", "set", routerIf, "master", "vpc0");
    r("link", "set", routerIf, "up");
    const gw = `${gateway}/${prefix}`;
    if (!this.gateways.has(gw)) {
      r("addr", "add", gw, "dev", "vpc0");
      this.gateways.add(gw);
    }
    h("link", "set", "lo", "up");
    h("addr", "add", `${address}/${prefix}`, "dev", "ens5");
    h("link", "set", "ens5", "up");
    h("route", "add", "default", "via", gateway, "dev", "ens5");
    return { netns, nsPath: `/run/netns/${netns}`, address, prefix, gateway, routerIf };
  }

  removeHost(net: HostNet): void {
    run("ip", ["netns", "delete", net.netns]);
    this.state.hosts = this.state.hosts.filter((x) => x !== net.netns);
    this.save();
  }

  /** Deletes every namespace this run created, by name. */
  destroy(): void {
    cleanupNetwork(this.runDir);
  }
}

/** Removes the namespaces recorded in <runDir>/netns.json (after a crash too). */
export function cleanupNetwork(runDir: string): string[] {
  const file = path.join(runDir, "netns.json");
  if (!fs.existsSync(file)) return [];
  const state = JSON.parse(fs.readFileSync(file, "utf8")) as State;
  const removed: string[] = [];
  for (const ns of [...state.hosts, ...(state.router ? [state.router] : [])]) {
    if (fs.existsSync(`/run/netns/${ns}`)) {
      const r = run("ip", ["netns", "delete", ns]);
      if (r.code === 0) removed.push(ns);
      else log(`could not delete network namespace ${ns}: ${r.stderr.trim()}`);
    }
  }
  fs.writeFileSync(file, JSON.stringify({ hosts: [] }, null, 2));
  return removed;
}

if (isMain(__filename)) {
  const i = process.argv.indexOf("--cleanup");
  if (i < 0 || !process.argv[i + 1]) {
    console.error("usage: node tools/run.js tools/rehearsal/netns.ts --cleanup <runDir>");
    process.exit(2);
  }
  console.log(`removed: ${cleanupNetwork(process.argv[i + 1]).join(", ") || "nothing"}`);
}
