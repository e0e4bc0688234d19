/**
 * Ubuntu package names the host documents install that Debian names differently. Each is
 * provided in the boot's overlay as a tiny transitional package (in a local, trusted apt
 * repository) that depends on Debian's package, so the user data installs exactly the names it
 * says and apt resolves them to Debian's. Every entry is a documented difference (docs/rehearsal.md).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { must } from "./sh";

export const UBUNTU_NAMES: Record<string, { debian: string; why: string }> = {
  "docker-compose-v2": { debian: "docker-compose", why: "Ubuntu's Compose v2 plugin; Debian ships Compose v2 as docker-compose (2.26 in trixie)" },
};

/** Where the repository sits inside the container. */
export const REPO_IN_CONTAINER = "/var/lib/webapp-platform-rehearsal/ubuntu-names";

/** The packages a cloud-config installs (`packages:`; [name, version] pairs give the name). Pure. */
export function cloudConfigPackages(userData: string): string[] {
  if (!userData.startsWith("#cloud-config")) return [];
  let cfg: any;
  try {
    cfg = parseYaml(userData);
  } catch {
    return [];
  }
  const list: unknown[] = Array.isArray(cfg?.packages) ? cfg.packages : [];
  return list.map((p) => (Array.isArray(p) ? String(p[0]) : String(p)));
}

/** The Ubuntu-only names a document installs, with what stands in for each. Pure. */
export function ubuntuOnly(userData: string): { ubuntu: string; debian: string; why: string }[] {
  return cloudConfigPackages(userData).filter((p) => UBUNTU_NAMES[p]).map((p) => ({ ubuntu: p, ...UBUNTU_NAMES[p] }));
}

/** The control file of a transitional package. Pure. */
export function controlFor(ubuntu: string, debian: string, why: string): string {
  return [
    `Package: ${ubuntu}`,
    "Version: 0~rehearsal1",
    "Architecture: all",
    "Maintainer: webapp-platform rehearsal <rehearsal@localhost>",
    `Depends: ${debian}`,
    "Section: misc",
    "Priority: optional",
    `Description: rehearsal stand-in for Ubuntu's ${ubuntu}`,
    ` ${why}.`,
    "",
  ].join("\n");
}

/** Builds the repository (the .debs and a Packages index) into `dir`, once per content. */
export function buildUbuntuNamesRepo(dir: string): string {
  const stamp = crypto.createHash("sha256").update(JSON.stringify(UBUNTU_NAMES)).digest("hex").slice(0, 12);
  const out = path.join(dir, stamp);
  if (fs.existsSync(path.join(out, "Packages"))) return out;
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const stanzas: string[] = [];
  for (const [ubuntu, { debian, why }] of Object.entries(UBUNTU_NAMES)) {
    const tree = path.join(tmp, `${ubuntu}.tree`);
    fs.mkdirSync(path.join(tree, "DEBIAN"), { recursive: true });
    const control = controlFor(ubuntu, debian, why);
    fs.writeFileSync(path.join(tree, "DEBIAN", "control"), control);
    const deb = `${ubuntu}_0~rehearsal1_all.deb`;
    must("dpkg-deb", ["--root-owner-group", "-Zgzip", "--build", tree, path.join(tmp, deb)]);
    fs.rmSync(tree, { recursive: true });
    const bytes = fs.readFileSync(path.join(tmp, deb));
    stanzas.push(control.trimEnd().replace(/\nDescription:/, `\nFilename: ./${deb}\nSize: ${bytes.length}\nSHA256: ${crypto.createHash("sha256").update(bytes).digest("hex")}\nDescription:`));
  }
  fs.writeFileSync(path.join(tmp, "Packages"), stanzas.join("\n\n") + "\n");
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
  return out;
}
