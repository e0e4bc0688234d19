/** The release rehearsal's verdicts (tools/rehearsal/release.ts), on made-up boot outputs. */
import { sampleMigrations } from "../../tools/rehearsal/apps";
import { nextVersion } from "../../tools/rehearsal/index";
import { databaseRow, ReleaseInstance, releaseRows } from "../../tools/rehearsal/release";

const LOCK = "holding the migration lock";
const health = (version: string) => [{ id: "fwd-health api.example.com", status: 200, body: JSON.stringify({ version, database: "ok" }) }];
const instance = (host: string, version: string, output: string, served = version, healthy = true): ReleaseInstance =>
  ({ host, version, bootOutput: output, httpResults: health(served), healthy });
const applying = (m: string) => `  Applying ${m}... OK`;

test("the next version increases the last number", () => {
  expect(nextVersion("2.4.0")).toBe("2.4.1");
  expect(nextVersion("1.0.9")).toBe("1.0.10");
  expect(nextVersion("3.1.0-rc1")).toBe("3.1.0-rc2");
  expect(() => nextVersion("main")).toThrow(/no number/);
});

test("the next sample release carries exactly one more migration", () => {
  expect(sampleMigrations()).toEqual(["probe.0001_initial"]);
  expect(sampleMigrations(true)).toEqual(["probe.0001_initial", "probe.0002_visit_note"]);
});

describe("release verdicts", () => {
  const good = [
    instance("a1", "2.4.0", `${LOCK}\n${applying("probe.0001_initial")}`),
    instance("a2", "2.4.0", `${LOCK}\n  No migrations to apply.`),
    instance("b1", "2.4.1", `${LOCK}\n  No migrations to apply.`),
    instance("b2", "2.4.1", `${LOCK}\n${applying("probe.0002_visit_note")}`),
  ];

  it("pass when every instance migrated under the lock, one applied each new migration, all serve their version", () => {
    const rows = releaseRows(["2.4.0", "2.4.1"], good);
    expect(rows.map((r) => [r.probe, r.result])).toEqual([
      ["2.4.0: probe.0001_initial applied once", "pass"],
      ["2.4.0: every instance serves it", "pass"],
      ["2.4.1: probe.0002_visit_note applied once", "pass"],
      ["2.4.1: every instance serves it", "pass"],
    ]);
  });

  it("fail when two instances applied the same migration, one skipped the lock, or one serves the old version", () => {
    const twice = [...good.slice(0, 2), instance("b1", "2.4.1", `${LOCK}\n${applying("probe.0002_visit_note")}`), good[3]];
    expect(releaseRows(["2.4.0", "2.4.1"], twice)[2]).toMatchObject({ result: "FAIL", detail: expect.stringContaining("applied by b1, b2") });
    const unlocked = [good[0], instance("a2", "2.4.0", "  No migrations to apply."), ...good.slice(2)];
    expect(releaseRows(["2.4.0", "2.4.1"], unlocked)[0].result).toBe("FAIL");
    const stale = [...good.slice(0, 3), instance("b2", "2.4.1", `${LOCK}\n${applying("probe.0002_visit_note")}`, "2.4.0")];
    expect(releaseRows(["2.4.0", "2.4.1"], stale)[3]).toMatchObject({ result: "FAIL", detail: expect.stringContaining("b2: healthy, serves 2.4.0") });
    const alone = [good[0], ...good.slice(2)];
    expect(releaseRows(["2.4.0", "2.4.1"], alone)[0].result).toBe("FAIL");
  });

  it("check the database holds each migration of the new version once", () => {
    expect(databaseRow({ "probe.0001_initial": 1, "probe.0002_visit_note": 1 }).result).toBe("pass");
    expect(databaseRow({ "probe.0001_initial": 1 }).result).toBe("FAIL");
    expect(databaseRow("connection refused").result).toBe("FAIL");
  });
});
