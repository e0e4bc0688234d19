/**
 * The Debian mirror apt is configured with on this machine, and the Debian release the
 * rehearsal boots: the one closest to the hosts' Ubuntu 24.04 that this mirror serves.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";

/**
 * Debian releases, closest to Ubuntu 24.04 (noble) first. Noble was cut from Debian testing in
 * early 2024, which became trixie (13); bookworm (12) is the older fallback.
 * Versions are what each ships, for docs/rehearsal.md.
 */
export const RELEASES_BY_CLOSENESS = [
  { codename: "trixie", note: "Debian 13: systemd 257, cloud-init 25.1, Python 3.13, nginx 1.26 (noble: 255, 24.x, 3.12, 1.24)" },
  { codename: "bookworm", note: "Debian 12: systemd 252, cloud-init 22.4, Python 3.11, nginx 1.22" },
];

export interface AptSource { uri: string; suites: string[]; components: string[] }

/** Parses one-line and deb822 apt sources (Types: deb only). Pure. */
export function parseAptSources(text: string, deb822: boolean): AptSource[] {
  const out: AptSource[] = [];
  if (!deb822) {
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*/, "").trim();
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
      if (m) out.push({ uri: m[1], suites: [m[2]], components: m[3].split(/\s+/).filter(Boolean) });
    }
    return out;
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields: Record<string, string> = {};
    for (const raw of stanza.split("\n")) {
      if (raw.startsWith("#")) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
      if (m) fields[m[1].toLowerCase()] = m[2].trim();
    }
    if (!fields.types?.split(/\s+/).includes("deb") || !fields.uris) continue;
    if (fields.enabled === "no") continue;
    for (const uri of fields.uris.split(/\s+/)) {
      out.push({ uri, suites: (fields.suites ?? "").split(/\s+/).filter(Boolean), components: (fields.components ?? "main").split(/\s+/) });
    }
  }
  return out;
}

/** The machine's enabled Debian sources (archive and security), from /etc/apt. */
export function machineDebianSources(root = "/etc/apt"): { archive: string; security?: string } {
  const sources: AptSource[] = [];
  const files = [path.join(root, "sources.list")];
  const dir = path.join(root, "sources.list.d");
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir).sort()) files.push(path.join(dir, f));
  for (const f of files) {
    if (!fs.existsSync(f)) continue;
    if (f.endsWith(".list")) sources.push(...parseAptSources(fs.readFileSync(f, "utf8"), false));
    else if (f.endsWith(".sources")) sources.push(...parseAptSources(fs.readFileSync(f, "utf8"), true));
  }
  const debian = sources.filter((s) => /debian/.test(s.uri) && s.suites.some((x) => /^[a-z]+(-updates|-security)?$/.test(x)));
  const security = debian.find((s) => s.suites.some((x) => x.endsWith("-security")))?.uri;
  const archive = debian.find((s) => s.suites.some((x) => !x.endsWith("-security")))?.uri;
  if (!archive) throw new Error("no Debian archive in apt's configured sources (/etc/apt/sources.list*)");
  return { archive: archive.replace(/\/+$/, ""), security: security?.replace(/\/+$/, "") };
}

/** Status code of a HEAD request (follows no redirects). */
export function head(url: string, timeoutMs = 10000): Promise<number> {
  return new Promise((resolve) => {
    const mod = url.startsWith("https:") ? https : http;
    const req = mod.request(url, { method: "HEAD", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
    req.end();
  });
}

/** The closest release to Ubuntu 24.04 whose InRelease this mirror serves (REHEARSAL_RELEASE overrides). */
export async function detectRelease(archive: string): Promise<string> {
  const forced = process.env.REHEARSAL_RELEASE;
  const candidates = forced ? [{ codename: forced }] : RELEASES_BY_CLOSENESS;
  for (const c of candidates) {
    if ((await head(`${archive}/dists/${c.codename}/InRelease`)) === 200) return c.codename;
  }
  throw new Error(`the Debian mirror ${archive} serves none of ${candidates.map((c) => c.codename).join(", ")}`);
}
