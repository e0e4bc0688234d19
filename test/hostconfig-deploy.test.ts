/**
 * The rendered deploy script and the bootstrap's CloudWatch agent step, run for real with bash
 * against stubbed tools (aws, curl, python3's venv, pip, systemd-run, systemctl, apt-get): the
 * artifact's checksum, the gunicorn pin and the offline install, migrations before the restart.
 * The stubs record every call; sleep is a no-op so retries are instant.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GUNICORN_REQUIREMENT_ERE, GUNICORN_VERSION, HostConfigInput, MIGRATION_LOCK_KEY, renderHostFiles } from "../components/hostconfig";
import { allCases } from "./fixtures/hostconfig/inputs";

/** The prod artifact store's bucket as the fixtures name it: releases are <bucket>/<app>/<version>.tar.gz. */
const STORE = "prod-artifacts-4d5e6f7";

const cases = allCases();
const prod = (name: string) => cases.find((c) => c.stack === "prod" && c.app.name === name)!;
let work: string;
beforeAll(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), "webapp-deploy-")); });
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const STUBS: Record<string, string> = {
  // aws s3 cp --only-show-errors --region R s3://bucket/key DEST, served from $S3.
  aws: `echo "aws $*" >>"$CALLS"
[ "$1 $2" = "s3 cp" ] || exit 2
src="\${*: -2:1}"; dst="\${*: -1}"
f="$S3/\${src#s3://}"
if [ ! -f "$f" ]; then echo "fatal error: An error occurred (404) when calling the HeadObject operation: Not Found" >&2; exit 1; fi
cp "$f" "$dst"`,
  // curl -fsSL --proto '=https' -o DEST URL, served from $WEB/<host>/<path> (the query ignored).
  curl: `echo "curl $*" >>"$CALLS"
url="\${*: -1}"; dst="\${*: -2:1}"
f="$WEB/\${url#https://}"; f="\${f%%\\?*}"
[ -f "$f" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$f" "$dst"`,
  // python3 -m venv DIR: a venv whose pip and python record their arguments.
  python3: `[ "$1 $2" = "-m venv" ] || exit 2
mkdir -p "$3/bin"
printf '#!/bin/bash\\necho "pip $*" >>"$CALLS"\\n' >"$3/bin/pip"
printf '#!/bin/bash\\necho "python $*" >>"$CALLS"\\n' >"$3/bin/python"
chmod +x "$3/bin/pip" "$3/bin/python"`,
  // The arguments on one line, newlines as "|"; and where "current" points at that moment.
  "systemd-run": `printf 'systemd-run %s [current=%s]\\n' "$(printf '%s ' "$@" | tr '\\n' '|')" "$(readlink "$APP_DIR/current" || true)" >>"$CALLS"`,
  systemctl: `echo "systemctl $* [current=$(readlink "$APP_DIR/current" || true)]" >>"$CALLS"`,
  chown: "exit 0",
  sleep: "exit 0",
};

interface Deploy { code: number; stdout: string; stderr: string; calls: string[]; appDir: string; etc: string }

/** A sandbox: stub tools, the relocated app and etc directories, S3 and HTTPS object roots. */
function sandbox(name: string) {
  const dir = fs.mkdtempSync(path.join(work, `${name}-`));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const [tool, body] of Object.entries(STUBS)) fs.writeFileSync(path.join(bin, tool), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  const s3 = path.join(dir, "s3");
  const web = path.join(dir, "web");
  const appDir = path.join(dir, "srv");
  const etc = path.join(dir, "etc");
  fs.mkdirSync(etc);
  fs.writeFileSync(path.join(etc, "config.env"), "APP_NAME='x'\nAPP_VERSION='0.0.0'\n");
  const put = (root: string, key: string, data: Buffer | string) => {
    fs.mkdirSync(path.dirname(path.join(root, key)), { recursive: true });
    fs.writeFileSync(path.join(root, key), data);
  };
  const run = (input: HostConfigInput, args: string[] = []): Deploy => {
    const script = renderHostFiles({ ...input, paths: { ...input.paths, appDir } }).find((f) => f.path.endsWith("-deploy"))!.content
      .split(`/etc/${input.app}/`).join(`${etc}/`);
    const file = path.join(dir, "deploy");
    fs.writeFileSync(file, script, { mode: 0o755 });
    const calls = path.join(dir, "calls");
    fs.writeFileSync(calls, "");
    const r = spawnSync("bash", [file, ...args], {
      encoding: "utf8",
      env: { PATH: `${bin}:/usr/bin:/bin`, AWS_CLI: path.join(bin, "aws"), CALLS: calls, S3: s3, WEB: web, APP_DIR: appDir },
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, calls: fs.readFileSync(calls, "utf8").split("\n").filter(Boolean), appDir, etc };
  };
  return { dir, s3, web, put, run, appDir };
}

/** A .tar.gz of `files` and its sha256. */
function tarball(dir: string, files: Record<string, string>): { data: Buffer; sha256: string } {
  const stage = fs.mkdtempSync(path.join(dir, "stage-"));
  for (const [f, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
    fs.writeFileSync(path.join(stage, f), content, { mode: f.startsWith("bin/") ? 0o755 : 0o644 });
  }
  const out = `${stage}.tar.gz`;
  expect(spawnSync("tar", ["-czf", out, "-C", stage, "."]).status).toBe(0);
  const data = fs.readFileSync(out);
  return { data, sha256: crypto.createHash("sha256").update(data).digest("hex") };
}

const DJANGO = { "manage.py": "#!/usr/bin/env python3\n", "requirements.txt": "Django==4.2.30\n" };
const index = (calls: string[], re: RegExp) => calls.findIndex((l) => re.test(l));

describe("the deploy script: the artifact's checksum", () => {
  const smart = prod("smartboostpro").input; // s3://<store>/smartboostpro/1.0.3.tar.gz
  const key = `${STORE}/smartboostpro/1.0.3.tar.gz`;
  const shown = `s3:\\/\\/${STORE}\\/smartboostpro\\/1\\.0\\.3\\.tar\\.gz\\.sha256`;

  it("downloads <artifact>.sha256 next to the artifact and unpacks only when it matches (sha256sum's format)", () => {
    const sb = sandbox("ok");
    const t = tarball(sb.dir, DJANGO);
    sb.put(sb.s3, key, t.data);
    sb.put(sb.s3, `${key}.sha256`, `${t.sha256}  smartboostpro-1.0.3.tar.gz\n`);
    const d = sb.run(smart);
    expect(d.stderr).toBe("");
    expect(d.code).toBe(0);
    expect(d.calls.filter((c) => c.startsWith("aws "))).toEqual([
      expect.stringMatching(new RegExp(`^aws s3 cp --only-show-errors --region eu-west-1 s3://${key} \\S+/artifact\\.tar\\.gz$`)),
      expect.stringMatching(new RegExp(`^aws s3 cp --only-show-errors --region eu-west-1 s3://${key}\\.sha256 \\S+/artifact\\.sha256$`)),
    ]);
    expect(fs.readFileSync(path.join(sb.appDir, "releases/1.0.3/manage.py"), "utf8")).toBe(DJANGO["manage.py"]);
    expect(fs.existsSync(path.join(sb.appDir, "releases/1.0.3/.installed"))).toBe(true);
    expect(fs.readlinkSync(path.join(sb.appDir, "current"))).toBe(path.join(sb.appDir, "releases/1.0.3"));
  });

  it.each([
    ["a bare digest, upper-case, CRLF", (h: string) => `${h.toUpperCase()}\r\n`],
    ["binary mode (` *file`), no newline", (h: string) => `${h} *smartboostpro-1.0.3.tar.gz`],
  ])("accepts %s", (_, content) => {
    const sb = sandbox("formats");
    const t = tarball(sb.dir, DJANGO);
    sb.put(sb.s3, key, t.data);
    sb.put(sb.s3, `${key}.sha256`, content(t.sha256));
    expect(sb.run(smart).code).toBe(0);
  });

  it.each([
    ["a mismatch", (h: string) => `${h.replace(/^./, (c) => (c === "0" ? "1" : "0"))}  smartboostpro-1.0.3.tar.gz\n`, new RegExp(`has sha256 [0-9a-f]{64}, but ${shown} says [0-9a-f]{64}`)],
    ["a missing checksum", undefined, new RegExp(`its checksum ${shown} is missing or unreadable`)],
    ["a short digest", (h: string) => `${h.slice(1)}  x.tar.gz\n`, new RegExp(`its checksum ${shown} is not 64 hex digits`)],
    ["an empty file", () => "", /is not 64 hex digits/],
    ["a digest with junk glued on", (h: string) => `${h}xyz\n`, /is not 64 hex digits/],
  ] as [string, ((h: string) => string) | undefined, RegExp][])("refuses %s: exit 1, the URL named, nothing unpacked, the release removed, the old release still current", (_, content, message) => {
    const sb = sandbox("refuse");
    // A running 1.0.2 that must stay as it is.
    fs.mkdirSync(path.join(sb.appDir, "releases/1.0.2"), { recursive: true });
    fs.symlinkSync(path.join(sb.appDir, "releases/1.0.2"), path.join(sb.appDir, "current"));
    const t = tarball(sb.dir, DJANGO);
    sb.put(sb.s3, key, t.data);
    if (content) sb.put(sb.s3, `${key}.sha256`, content(t.sha256));
    const d = sb.run(smart);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^smartboostpro 1\.0\.3 not installed: /m);
    expect(d.stderr).toMatch(message);
    expect(fs.existsSync(path.join(sb.appDir, "releases/1.0.3"))).toBe(false);
    expect(d.calls.filter((c) => /^(pip|python|systemd-run|systemctl) /.test(c))).toEqual([]);
    expect(fs.readlinkSync(path.join(sb.appDir, "current"))).toBe(path.join(sb.appDir, "releases/1.0.2"));
  });

  it("over HTTPS, asks for the .sha256 before the query string and keeps the query out of its messages", () => {
    const sb = sandbox("https");
    const t = tarball(sb.dir, DJANGO);
    sb.put(sb.web, "downloads.example.com/shop/1.0.3.tar.gz", t.data);
    const url = "https://downloads.example.com/shop/1.0.3.tar.gz?token=abc123";
    const missing = sb.run(smart, ["1.0.3", url]);
    expect(missing.code).toBe(1);
    expect(missing.calls[0]).toMatch(/^curl -fsSL --proto =https -o \S+\/artifact\.tar\.gz https:\/\/downloads\.example\.com\/shop\/1\.0\.3\.tar\.gz\?token=abc123$/);
    expect(missing.calls[1]).toMatch(/^curl -fsSL --proto =https -o \S+\/artifact\.sha256 https:\/\/downloads\.example\.com\/shop\/1\.0\.3\.tar\.gz\.sha256\?token=abc123$/);
    expect(missing.stderr).toContain("https://downloads.example.com/shop/1.0.3.tar.gz.sha256 is missing");
    expect(missing.stderr).not.toContain("abc123");
    sb.put(sb.web, "downloads.example.com/shop/1.0.3.tar.gz.sha256", `${t.sha256}  1.0.3.tar.gz\n`);
    expect(sb.run(smart, ["1.0.3", url]).code).toBe(0);
  });
});

describe("the deploy script: python install", () => {
  const shop = prod("avanii-shop").input; // flask fleet host
  const key = `${STORE}/avanii-shop/1.2.0.tar.gz`;
  const deploy = (files: Record<string, string>) => {
    const sb = sandbox("pip");
    const t = tarball(sb.dir, files);
    sb.put(sb.s3, key, t.data);
    sb.put(sb.s3, `${key}.sha256`, `${t.sha256}  x\n`);
    const d = sb.run(shop);
    return { ...d, release: path.join(sb.appDir, "releases/1.2.0") };
  };

  it(`installs requirements.txt with gunicorn==${GUNICORN_VERSION} when it names no gunicorn, from the package index without wheels/`, () => {
    expect(GUNICORN_VERSION).toBe("23.0.0");
    const d = deploy({ "wsgi.py": "", "requirements.txt": "Flask==3.1.1\n" });
    expect(d.code).toBe(0);
    expect(d.calls.filter((c) => c.startsWith("pip "))).toEqual([
      `pip install --quiet --no-cache-dir --disable-pip-version-check -r ${d.release}/requirements.txt gunicorn==23.0.0`,
    ]);
  });

  it("installs offline from the artifact's wheels/, and the artifact's own gunicorn pin wins", () => {
    const d = deploy({ "wsgi.py": "", "requirements.txt": "Flask==3.1.1\ngunicorn==22.0.0\n", "wheels/Flask-3.1.1-py3-none-any.whl": "" });
    expect(d.code).toBe(0);
    expect(d.calls.filter((c) => c.startsWith("pip "))).toEqual([
      `pip install --quiet --no-cache-dir --disable-pip-version-check --no-index --find-links ${d.release}/wheels -r ${d.release}/requirements.txt`,
    ]);
  });

  it("opens the release to the app user however the tarball was made (a 0700 build directory, 0600 files)", () => {
    const d = deploy({ "wsgi.py": "", "requirements.txt": "Flask==3.1.1\n" });
    expect(d.code).toBe(0);
    // tarball() stages in a mkdtemp directory (0700): tar as root would keep that mode on the release.
    const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
    expect(mode(d.release)).toBe("755");
    expect(mode(path.join(d.release, "wsgi.py"))).toBe("644");
  });

  it("refuses an artifact without requirements.txt", () => {
    const d = deploy({ "wsgi.py": "" });
    expect(d.code).toBe(1);
    expect(d.stderr).toContain("the artifact has no requirements.txt");
    expect(fs.existsSync(d.release)).toBe(false);
  });

  it.each([
    ["gunicorn==22.0.0", true], ["Gunicorn>=21", true], ["gunicorn", true], ["  gunicorn[gevent]==23.0.0", true],
    ["gunicorn ; python_version >= '3.8'", true], ["gunicorn~=23.0", true], ["gunicorn\t==23.0.0", true],
    ["gunicorn-extras==1.0", false], ["gunicorn_thrift==0.3", false], ["# gunicorn==23.0.0", false], ["django-gunicorn==1", false],
  ] as [string, boolean][])("tells whether requirements.txt names gunicorn itself: %j -> %s", (line, names) => {
    const f = path.join(work, "requirements.txt");
    fs.writeFileSync(f, `Flask==3.1.1\n${line}\n`);
    expect(spawnSync("grep", ["-qiE", GUNICORN_REQUIREMENT_ERE, f]).status).toBe(names ? 0 : 1);
  });
});

describe("the deploy script: Django's migrations", () => {
  const deployDjango = (input: HostConfigInput, key: string, previous?: string) => {
    const sb = sandbox("django");
    if (previous) {
      fs.mkdirSync(path.join(sb.appDir, "releases", previous), { recursive: true });
      fs.symlinkSync(path.join(sb.appDir, "releases", previous), path.join(sb.appDir, "current"));
    }
    const t = tarball(sb.dir, DJANGO);
    sb.put(sb.s3, key, t.data);
    sb.put(sb.s3, `${key}.sha256`, `${t.sha256}\n`);
    return sb.run(input);
  };

  it.each([["smartboostpro", "single host"], ["investment-platform", "fleet host behind the ALB"]])("%s (%s): migrate under the advisory lock, from the new release, before the switch and the restart", (name) => {
    const c = prod(name);
    const key = `${STORE}/${name}/${c.app.appVersion}.tar.gz`;
    const d = deployDjango(c.input, key, "0.0.1");
    expect(d.stderr).toBe("");
    expect(d.code).toBe(0);
    const release = path.join(d.appDir, "releases", c.app.appVersion);
    const old = path.join(d.appDir, "releases/0.0.1");
    const runs = d.calls.filter((l) => l.startsWith("systemd-run "));
    expect(runs).toHaveLength(2);
    const asApp = `systemd-run --quiet --wait --pipe --collect --uid=${name} --gid=${name} -p EnvironmentFile=${d.etc}/config.env -p EnvironmentFile=${d.etc}/secrets.env --working-directory=${release} -- ${release}/venv/bin/python manage.py`;
    expect(runs[0]).toBe(`${asApp} collectstatic --noinput  [current=${old}]`);
    expect(runs[1].startsWith(`${asApp} shell -c from django.core.management import call_command|`)).toBe(true);
    // The lock is taken before migrate, in the same session, with the fixed key.
    expect(runs[1]).toContain(`cursor.execute("SELECT pg_advisory_lock(%s)", [${MIGRATION_LOCK_KEY}])`);
    expect(runs[1].indexOf("pg_advisory_lock")).toBeLessThan(runs[1].indexOf('call_command("migrate", interactive=False)'));
    expect(runs[1]).toMatch(new RegExp(`\\[current=${old}\\]$`));
    const migrate = index(d.calls, / shell -c /);
    const restart = index(d.calls, /^systemctl restart /);
    expect(migrate).toBeLessThan(restart);
    expect(d.calls[restart]).toBe(`systemctl restart ${name}.service [current=${release}]`);
    expect(fs.readFileSync(path.join(d.etc, "config.env"), "utf8")).toContain(`APP_VERSION='${c.app.appVersion}'`);
  });

  it("skips migrate, not collectstatic, with runMigrations: false", () => {
    const c = prod("investment-platform");
    const d = deployDjango({ ...c.input, runMigrations: false }, `${STORE}/investment-platform/${c.app.appVersion}.tar.gz`);
    expect(d.code).toBe(0);
    expect(d.calls.filter((l) => l.startsWith("systemd-run ")).map((l) => / manage\.py (\S+)/.exec(l)![1])).toEqual(["collectstatic"]);
  });

  it("runs migrate only on Django python hosts", () => {
    for (const name of ["avanii-shop", "flashbill", "saas-platform"]) {
      expect(renderHostFiles(prod(name).input).find((f) => f.path.endsWith("-deploy"))!.content).not.toMatch(/migrate|systemd-run/);
    }
  });

  it("keeps a failed migrate from switching or restarting: the old release keeps serving", () => {
    const c = prod("investment-platform");
    const sb = sandbox("failing-migrate");
    fs.writeFileSync(path.join(sb.dir, "bin", "systemd-run"), `#!/bin/bash\necho "systemd-run $*" | tr '\\n' '|' >>"$CALLS"; echo >>"$CALLS"\ncase "$*" in *" shell -c "*) echo "django.db.utils.OperationalError: ..." >&2; exit 1 ;; esac\n`, { mode: 0o755 });
    fs.mkdirSync(path.join(sb.appDir, "releases/0.0.1"), { recursive: true });
    fs.symlinkSync(path.join(sb.appDir, "releases/0.0.1"), path.join(sb.appDir, "current"));
    const key = `${STORE}/investment-platform/${c.app.appVersion}.tar.gz`;
    const t = tarball(sb.dir, DJANGO);
    sb.put(sb.s3, key, t.data);
    sb.put(sb.s3, `${key}.sha256`, `${t.sha256}\n`);
    const d = sb.run(c.input);
    expect(d.code).not.toBe(0);
    expect(d.calls.some((l) => l.startsWith("systemctl "))).toBe(false);
    expect(fs.readlinkSync(path.join(sb.appDir, "current"))).toBe(path.join(sb.appDir, "releases/0.0.1"));
  });
});

describe("the bootstrap's CloudWatch agent step", () => {
  const c = prod("avanii-shop");
  const bootstrap = renderHostFiles(c.input).find((f) => f.path.endsWith("-bootstrap"))!.content;
  const step = (() => {
    const m = /\ncloudwatch_agent\(\) \{\n[\s\S]*?\n\}\ncloudwatch_agent \|\| log [^\n]*\n/.exec(bootstrap);
    if (!m) throw new Error("no cloudwatch_agent step in the bootstrap");
    return m[0];
  })();

  it("installs the .deb with apt, waiting for the dpkg lock, instead of dpkg -i", () => {
    expect(step).toContain("apt-get install -y -q -o DPkg::Lock::Timeout=300 /tmp/amazon-cloudwatch-agent.deb");
    expect(bootstrap).not.toContain("dpkg -i");
  });

  const runStep = (aptFailures: number) => {
    const dir = fs.mkdtempSync(path.join(work, "agent-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const calls = path.join(dir, "calls");
    fs.writeFileSync(calls, "");
    const stubs: Record<string, string> = {
      curl: `echo "curl $*" >>"$CALLS"; : >"\${*: -2:1}"`,
      dpkg: "echo amd64",
      sleep: "exit 0",
      // Fails like apt does when another apt holds /var/cache/apt/archives/lock, $FAILS times.
      "apt-get": `echo "apt-get DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >>"$CALLS"
n=$(grep -c '^apt-get ' "$CALLS")
if [ "$n" -le "$FAILS" ]; then echo "E: Could not get lock /var/cache/apt/archives/lock" >&2; exit 100; fi`,
      ctl: `echo "ctl $*" >>"$CALLS"`,
    };
    for (const [tool, body] of Object.entries(stubs)) fs.writeFileSync(path.join(bin, tool), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
    const script = `#!/bin/bash\nset -euo pipefail\nREGION=eu-west-1\nlog() { echo "[log] $*"; }\nretry() {\n  local n=0\n  until "$@"; do\n    n=$((n + 1))\n    if [ "$n" -ge 8 ]; then return 1; fi\n    sleep $((n * 5))\n  done\n}\n`
      + step.split("/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl").join(path.join(bin, "ctl"))
        .split("/tmp/amazon-cloudwatch-agent.deb").join(path.join(dir, "agent.deb")) + 'echo "after the agent"\n';
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, CALLS: calls, FAILS: String(aptFailures) } });
    return { code: r.status, stdout: r.stdout, calls: fs.readFileSync(calls, "utf8").split("\n").filter(Boolean), deb: path.join(dir, "agent.deb") };
  };

  it("retries apt when a lock apt does not wait for is held, then configures the agent", () => {
    const r = runStep(2);
    expect(r.code).toBe(0);
    const apt = r.calls.filter((l) => l.startsWith("apt-get "));
    expect(apt).toHaveLength(3);
    expect(apt[2]).toBe(`apt-get DEBIAN_FRONTEND=noninteractive install -y -q -o DPkg::Lock::Timeout=300 ${r.deb}`);
    expect(r.calls[r.calls.length - 1]).toBe(`ctl -a fetch-config -m ec2 -s -c file:/etc/avanii-shop/cloudwatch-agent.json`);
    expect(r.stdout).toBe("after the agent\n");
  });

  it("stays non-fatal when apt never succeeds: the bootstrap logs it and goes on", () => {
    const r = runStep(100);
    expect(r.code).toBe(0);
    expect(r.calls.some((l) => l.startsWith("ctl "))).toBe(false);
    expect(r.stdout).toMatch(/^\[log\] the CloudWatch agent could not be installed[^\n]*\nafter the agent\n$/);
  });
});

describe("the bootstrap's launch hook", () => {
  /** The bootstrap's own functions, with stub curl (IMDS) and aws answering `state` for the instance. */
  const hookRun = (state: string, result: "CONTINUE" | "ABANDON") => {
    const boot = renderHostFiles(prod("avanii-shop").input).find((f) => f.path.endsWith("-bootstrap"))!.content;
    const functions = boot.slice(boot.indexOf("readonly AWS="), boot.indexOf("trap abandon_on_failure EXIT"));
    const dir = fs.mkdtempSync(path.join(work, "hook-"));
    const calls = path.join(dir, "calls");
    fs.writeFileSync(path.join(dir, "curl"), "#!/bin/bash\ncase \"$*\" in *api/token*) echo token ;; *instance-id*) echo i-0abc ;; esac\n", { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "aws"), `#!/bin/bash\necho "aws $*" >>"${calls}"\ncase "$*" in *describe-auto-scaling-instances*) printf 'shop-asg-1a2b3c4\\t${state}\\n' ;; esac\n`, { mode: 0o755 });
    const script = `set -euo pipefail\nREGION=eu-west-1\nlog() { echo "[log] $*"; }\n${functions}\nlaunch_hook ${result}\n`;
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { PATH: `${dir}:/usr/bin:/bin`, AWS_CLI: path.join(dir, "aws") } });
    return { code: r.status, stdout: r.stdout, calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [] };
  };

  it("completes the launch of an instance waiting on it, for its own group", () => {
    const r = hookRun("Pending:Wait", "CONTINUE");
    expect(r.code).toBe(0);
    expect(r.calls[1]).toBe("aws autoscaling complete-lifecycle-action --region eu-west-1 --auto-scaling-group-name shop-asg-1a2b3c4 --lifecycle-hook-name bootstrap-done --instance-id i-0abc --lifecycle-action-result CONTINUE");
    expect(r.stdout).toContain("[log] launch hook bootstrap-done of shop-asg-1a2b3c4: CONTINUE");
  });

  it("does nothing, successfully, when the bootstrap is re-run on an instance already in service", () => {
    const r = hookRun("InService", "CONTINUE");
    expect(r.code).toBe(0);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]).toMatch(/describe-auto-scaling-instances/);
    expect(r.stdout).toContain("the instance is InService, nothing to complete");
  });
});
