/**
 * `--release`: what a fleet's release must show, judged from what the booted instances printed
 * and served and what the stand-in database holds. Pure apart from `migrationsInDatabase`.
 */
import { sampleMigrations } from "./apps";
import type { ProbeResult } from "./client";
import { runAsync } from "./sh";
import type { DataHandle } from "./probes";
import type { Row } from "./report";

/** One booted instance of a release. */
export interface ReleaseInstance {
  host: string;
  version: string;
  /** Its /var/log/cloud-init-output.log (the deploy's migrate prints there). */
  bootOutput: string;
  /** Its forwarded health requests' answers (probes-http-results.json). */
  httpResults: ProbeResult[];
  healthy: boolean;
}

/** Django's line for a migration it applies (`  Applying probe.0001_initial... OK`). */
const applied = (output: string, migration: string) => output.split("\n").some((l) => l.trim().startsWith(`Applying ${migration}...`));
const LOCKED = "holding the migration lock";

/** The version a forwarded health answer reports (the sample app's JSON `version`). */
function servedVersion(results: ProbeResult[]): string | undefined {
  for (const r of results) {
    if (!r.id.startsWith("fwd-health") || r.status !== 200 || !r.body) continue;
    try {
      return String(JSON.parse(r.body).version);
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * Per version: every instance ran migrate under the lock, exactly one applied each of the
 * release's new migrations, and every instance serves that version. Pure.
 */
export function releaseRows(versions: [string, string], instances: ReleaseInstance[]): Row[] {
  const rows: Row[] = [];
  versions.forEach((version, i) => {
    const of = instances.filter((x) => x.version === version);
    const newMigrations = sampleMigrations(i === 1).slice(i === 0 ? 0 : 1);
    for (const m of newMigrations) {
      const by = of.filter((x) => applied(x.bootOutput, m)).map((x) => x.host);
      const locked = of.filter((x) => x.bootOutput.includes(LOCKED)).map((x) => x.host);
      const ok = by.length === 1 && locked.length === of.length && of.length > 1;
      rows.push({
        host: "(release)", probe: `${version}: ${m} applied once`, result: ok ? "pass" : "FAIL",
        detail: `${of.length} instances booted at once; migrate ran under the lock on ${locked.length}; applied by ${by.length ? by.join(", ") : "none"}`,
      });
    }
    const serving = of.map((x) => ({ host: x.host, healthy: x.healthy, served: servedVersion(x.httpResults) }));
    const ok = of.length > 0 && serving.every((x) => x.healthy && x.served === version);
    rows.push({
      host: "(release)", probe: `${version}: every instance serves it`, result: ok ? "pass" : "FAIL",
      detail: serving.map((x) => `${x.host}: ${x.healthy ? "healthy" : "never healthy"}, serves ${x.served ?? "nothing"}`).join("; "),
    });
  });
  return rows;
}

/** The probe app's migrations recorded in the stand-in database, each with how many rows name it. */
export async function migrationsInDatabase(db: DataHandle): Promise<Record<string, number> | string> {
  const q = "SELECT name || ' ' || count(*) FROM django_migrations WHERE app = 'probe' GROUP BY name ORDER BY name";
  const r = await runAsync("ip", ["netns", "exec", db.netns, "env", `PGPASSWORD=${db.password}`, "PGCONNECT_TIMEOUT=5", "psql", "-X", "-At",
    `host=${db.address} port=${db.port} dbname=${db.dbName} user=${db.username} sslmode=require`, "-c", q]);
  if (r.code !== 0) return (r.stderr.split("\n").find((l) => /ERROR|FATAL|error/.test(l)) ?? r.stderr.trim()).slice(0, 160);
  return Object.fromEntries(r.stdout.trim().split("\n").filter(Boolean).map((l) => [`probe.${l.split(" ")[0]}`, Number(l.split(" ")[1])]));
}

/** After the release: the database holds every migration of the new version, each once. Pure. */
export function databaseRow(counts: Record<string, number> | string): Row {
  const want = sampleMigrations(true);
  if (typeof counts === "string") return { host: "(release)", probe: "database after the release", result: "FAIL", detail: `database: ${counts}` };
  const ok = want.every((m) => counts[m] === 1) && Object.keys(counts).length === want.length;
  return { host: "(release)", probe: "database after the release", result: ok ? "pass" : "FAIL", detail: `django_migrations: ${Object.entries(counts).map(([m, n]) => `${m} x${n}`).join(", ") || "none"}` };
}
