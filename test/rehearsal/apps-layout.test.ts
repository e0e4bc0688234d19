/**
 * The sample apps' artifacts, laid out as the hosts' deploy script expects (components/hostconfig/
 * scripts.ts): built for real (wheels from Debian's packages, the compiled server with gcc), then
 * their contents checked without running anything. Building needs the Debian mirror (first
 * run; then cached), python3, gcc and libpq-dev: skipped, with the reason printed, without them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GUNICORN_REQUIREMENT_ERE, GUNICORN_VERSION } from "../../components/hostconfig";
import { APP_BUILD_PACKAGES, Artifact, buildArtifact, requirementsFor } from "../../tools/rehearsal/apps";
import { run, which } from "../../tools/rehearsal/sh";

test("requirements.txt installs every vendored wheel offline, pinned, gunicorn included (so the artifact's pin wins over the deploy's)", () => {
  expect(requirementsFor(["Django-4.2.30-py3-none-any.whl", "gunicorn-23.0.0-py3-none-any.whl", "psycopg2-2.9.10-cp313-cp313-linux_x86_64.whl"]).split("\n")).toEqual([
    "# Installed offline from the wheels in this artifact (made from Debian's packages).",
    "--no-index", "--find-links wheels", "Django==4.2.30", "gunicorn==23.0.0", "psycopg2==2.9.10", "",
  ]);
});

/** The gunicorn pin of an artifact's requirements.txt, checked as the deploy checks it. */
function gunicornPin(a: Artifact): string | undefined {
  const req = run("tar", ["-xzOf", a.path, "./requirements.txt"]).stdout;
  const lines = req.split("\n").filter((l) => run("grep", ["-qiE", GUNICORN_REQUIREMENT_ERE], { input: l }).code === 0);
  expect(lines.length).toBeLessThanOrEqual(1);
  const wheel = a.files.find((f) => /^wheels\/gunicorn-/.test(f));
  // The pin is the vendored wheel's version: the offline install finds it.
  if (lines[0]) expect(wheel).toBe(`wheels/gunicorn-${lines[0].split("==")[1]}-py3-none-any.whl`);
  return lines[0];
}

function unavailable(): string | undefined {
  const missing = ["python3", "cc", "pg_config", "apt-get", "dpkg-deb", "tar"].filter((c) => !which(c));
  if (missing.length) return `missing ${missing.join(", ")} (apt-get install ${APP_BUILD_PACKAGES.join(" ")})`;
  return undefined;
}
const why = unavailable();
if (why) console.log(`SKIPPED sample app artifact builds: ${why}`);
const build = why ? describe.skip : describe;

build("artifacts", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "apps-layout-"));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
  const tarList = (a: Artifact) => run("tar", ["-tzvf", a.path]).stdout;

  test("django: manage.py, config.wsgi, a model with its migration, static assets, wheels; health path baked in", () => {
    const a = buildArtifact("django", { name: "smartboostpro", healthCheckPath: "/health/", appVersion: "1.0.3" }, out);
    expect(path.basename(a.path)).toBe("smartboostpro-1.0.3.tar.gz");
    expect(a.entry).toBe("config.wsgi:application");
    expect(a.files).toEqual(expect.arrayContaining([
      "manage.py", "requirements.txt", "config/settings.py", "config/wsgi.py", "config/urls.py",
      "probe/models.py", "probe/migrations/0001_initial.py", "probe/middleware.py", "probe/views.py", "assets/site.css",
    ]));
    for (const dist of ["Django", "psycopg2", "redis", "gunicorn", "asgiref", "sqlparse"]) expect(a.files.some((f) => f.startsWith(`wheels/${dist}-`))).toBe(true);
    expect(a.files.some((f) => f.startsWith("venv/") || f.includes("__pycache__"))).toBe(false);
    // What the deploy reads: 64 hex digits, then the file name, as sha256sum writes it.
    expect(fs.readFileSync(`${a.path}.sha256`, "utf8")).toBe(`${a.sha256}  smartboostpro-1.0.3.tar.gz\n`);
    expect(run("sha256sum", ["-c", `${path.basename(a.path)}.sha256`], { cwd: out }).code).toBe(0);
    expect(gunicornPin(a)).toMatch(/^gunicorn==\d+\.\d+\.\d+$/);
    // Unpacked with `tar -xzf -C <release>`: paths are relative to the root, owned by root.
    const listing = tarList(a);
    expect(listing).toMatch(/ 0\/0 .* \.\/manage\.py$/m);
    expect(listing.split("\n").filter(Boolean).every((l) => / 0\/0 /.test(l))).toBe(true);
    const settings = run("tar", ["-xzOf", a.path, "./config/settings.py"]).stdout;
    expect(settings).toContain('HEALTH_CHECK_PATH = env("HEALTH_CHECK_PATH", "/health/")');
    for (const v of ["DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "STATIC_ROOT"]) expect(settings).toContain(`"${v}"`);
    expect(settings).toContain("CSRF_TRUSTED_ORIGINS");
  }, 300000);

  test("flask: wsgi.py (wsgi:app), static/, wheels; SECRET_KEY, DATABASE_URL, FLASK_ENV from the environment", () => {
    const a = buildArtifact("flask", { name: "avanii-shop", healthCheckPath: "/healthz", appVersion: "1.2.0" }, out);
    expect(a.entry).toBe("wsgi:app");
    expect(a.files).toEqual(expect.arrayContaining(["wsgi.py", "requirements.txt", "static/site.css"]));
    for (const dist of ["Flask", "Werkzeug", "Jinja2", "psycopg2"]) expect(a.files.some((f) => f.startsWith(`wheels/${dist}-`))).toBe(true);
    const src = run("tar", ["-xzOf", a.path, "./wsgi.py"]).stdout;
    expect(src).toContain('"/healthz"');
    for (const v of ["SECRET_KEY", "DATABASE_URL", "FLASK_ENV"]) expect(src).toContain(`"${v}"`);
  }, 300000);

  test(`built for the hosts' release (trixie), the artifact pins gunicorn at GUNICORN_VERSION (${GUNICORN_VERSION})`, () => {
    const a = buildArtifact("flask", { name: "avanii-shop", healthCheckPath: "/healthz", appVersion: "1.2.1" }, out, { release: "trixie" });
    expect(gunicornPin(a)).toBe(`gunicorn==${GUNICORN_VERSION}`);
  }, 300000);

  test("rust runtime: an executable bin/<binaryName> with its libraries in lib/ and the web build in web/", () => {
    const a = buildArtifact("rust", { name: "flashbill", healthCheckPath: "/health", appVersion: "0.9.2" }, out);
    expect(a.entry).toBe("bin/flashbill");
    expect(a.files).toEqual(expect.arrayContaining(["bin/flashbill", "web/index.html"]));
    expect(a.files.some((f) => /^lib\/libpq\.so\.5/.test(f))).toBe(true);
    expect(tarList(a)).toMatch(/^-rwxr-xr-x .* \.\/bin\/flashbill$/m);
  }, 120000);
});
