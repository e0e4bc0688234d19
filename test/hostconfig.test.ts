/**
 * The host configuration renderer as pure functions: structure, defaults, validation,
 * determinism, and what each kind of host gets. The real tools check the same output in
 * hostconfig-tools.test.ts and nginx-live.test.ts.
 */
import { parse as parseYaml } from "yaml";
import {
  artifactObjectArn, artifactTemplate, decodeUserData, encodeUserData, globalRate, HostConfigInput, hostConfigFromApp, hostPolicyDocument, pathRate,
  plainHostEnv, renderCloudConfig, renderHostFiles, resolveHostConfig,
} from "../components/hostconfig";
import { toYaml } from "../components/hostconfig/yaml";
import { MIGRATION_LOCK_KEY } from "../components/hostconfig/input";
import { gunzipSync } from "zlib";
import { allCases, artifactBucketOf, inputFor, stackConfig } from "./fixtures/hostconfig/inputs";

const cases = allCases();
const find = (stack: "staging" | "prod", name: string) => cases.find((c) => c.stack === stack && c.app.name === name)!;
const file = (input: HostConfigInput, suffix: string) => {
  const f = renderHostFiles(input).find((x) => x.path.endsWith(suffix));
  if (!f) throw new Error(`no file ending ${suffix}`);
  return f.content;
};

describe("the YAML emitter", () => {
  it("round-trips the awkward values exactly", () => {
    const value = {
      plain: "yes", octal: "0644", colon: "a: b", hash: "# not a comment", empty: "", quote: "it's \"quoted\"",
      block: "line 1\n  indented\n\nlast\n", noNewline: "a\nb", manyNewlines: "a\n\n\n", leadingSpace: "  starts with spaces\nnext\n",
      list: ["a", { k: "v", n: 1, nested: ["x"] }, [1, 2]], emptyList: [], emptyMap: {}, flag: false, nothing: null,
    };
    expect(parseYaml(toYaml(value))).toEqual(value);
  });
});

describe("user data encoding", () => {
  it("decodes what it encodes (gzip, base64), and refuses text that is not base64", () => {
    const doc = "#cloud-config\nruncmd:\n  - [echo, ok]\n";
    expect(decodeUserData(encodeUserData(doc).base64)).toMatchObject({ text: doc, gzip: true });
    expect(() => decodeUserData("not base64!")).toThrow(/not valid base64/);
  });
});

describe("the bootstrap's order", () => {
  // Seen in the rehearsal: with the AWS CLI and the CloudWatch agent downloads first, any
  // outage of the snap store or S3 left a host with no site at all.
  it.each(cases.map((c) => [`${c.stack} ${c.app.name}`, c] as const))("%s: the site is up before anything that needs AWS, the agent before the app, and neither agent nor app can take the site down", (_, c) => {
    const bootstrap = file(c.input, "-bootstrap");
    const at = (needle: string) => {
      const i = bootstrap.indexOf(needle);
      expect(i).toBeGreaterThanOrEqual(0);
      return i;
    };
    const site = at("systemctl reload-or-restart nginx");
    expect(site).toBeLessThan(at("snap install aws-cli"));
    // The agent comes before the app (a failed deploy must still ship the logs that raise the
    // app-down alarm), inside a function whose failure is logged, not fatal.
    expect(at("snap install aws-cli")).toBeLessThan(at("amazon-cloudwatch-agent.deb"));
    expect(at("amazon-cloudwatch-agent.deb")).toBeLessThan(at(`/usr/local/sbin/${c.app.name}-secrets`));
    expect(at(`/usr/local/sbin/${c.app.name}-secrets`)).toBeLessThan(at(`/usr/local/sbin/${c.app.name}-deploy`));
    // The app is the last step; behind the ALB, joining the group follows it.
    const last = c.app.architecture === "single-host" ? `/usr/local/sbin/${c.app.name}-deploy` : "retry launch_hook CONTINUE\nJOINED=1";
    expect(bootstrap.trimEnd().endsWith(`${last}\n\nlog "done"`)).toBe(true);
    expect(bootstrap).toMatch(/\ncloudwatch_agent \|\| log "the CloudWatch agent could not be installed/);
  });
});

describe("the cloud-config document", () => {
  it.each(cases.map((c) => [`${c.stack} ${c.app.name}`, c] as const))("%s: parses to exactly the rendered files and runs the bootstrap", (_, c) => {
    const doc = renderCloudConfig(c.input);
    expect(doc.split("\n")[0]).toBe("#cloud-config");
    const parsed = parseYaml(doc);
    const files = renderHostFiles(c.input);
    expect(parsed.write_files).toEqual(files.map((f) => ({ path: f.path, owner: "root:root", permissions: f.permissions, content: f.content })));
    expect(parsed.runcmd).toEqual([`/usr/local/sbin/${c.app.name}-bootstrap`]);
    expect(parsed.users[1]).toMatchObject({ name: c.app.name, system: true, shell: "/usr/sbin/nologin", lock_passwd: true });
    expect(parsed).toMatchObject({ package_update: true, package_upgrade: true, ssh_pwauth: false, timezone: "Etc/UTC" });
  });

  it("is identical for identical input, byte for byte, compressed too", () => {
    const c = find("prod", "flashbill");
    const again = inputFor(stackConfig("prod"), c.app);
    expect(renderCloudConfig(again)).toBe(renderCloudConfig(c.input));
    expect(encodeUserData(renderCloudConfig(again)).base64).toBe(encodeUserData(renderCloudConfig(c.input)).base64);
    expect(renderCloudConfig({ ...c.input, appVersion: "0.9.3" })).not.toBe(renderCloudConfig(c.input));
  });

  it("is gzip-compressed far under EC2's 16 KB for every app", () => {
    for (const c of cases) {
      const doc = renderCloudConfig(c.input);
      const enc = encodeUserData(doc);
      expect(enc.bytes).toBeLessThan(8 * 1024);
      expect(gunzipSync(Buffer.from(enc.base64, "base64")).toString("utf8")).toBe(doc);
    }
    expect(() => encodeUserData(Array.from({ length: 40000 }, (_, i) => `${i}-${Math.sin(i)}`).join("\n"))).toThrow(/over EC2's 16384/);
  });

  it("contains no secret values: secrets are fetched by name at boot into a 0600 file of the app user", () => {
    const c = find("prod", "smartboostpro");
    const secrets = file(c.input, "-secrets");
    expect(secrets).toContain("fetch 'prod/smartboostpro/DJANGO_SECRET_KEY' DJANGO_SECRET_KEY");
    expect(secrets).toContain("fetch 'prod/smartboostpro/DATABASE' DATABASE");
    expect(secrets).toContain("fetch 'prod/smartboostpro/REDIS' REDIS");
    expect(secrets).toMatch(/umask 077[\s\S]*chown "\$APP:\$APP" "\$tmp"\nchmod 0600 "\$tmp"\n[\s\S]*mv -f "\$tmp" "\$OUT"/);
    const env = file(c.input, "/config.env");
    expect(env).not.toMatch(/SECRET|PASSWORD|DATABASE_URL|TOKEN/);
    expect(env).toContain("MEDIA_BUCKET='smartboostpro-media-prod-0a1b2c3'");
  });
});

describe("nginx rate limits", () => {
  it("translates N per W seconds into the nearest nginx rate that is not looser, with N as the burst", () => {
    expect(pathRate({ requests: 10, windowSeconds: 60 })).toMatchObject({ rate: "10r/m", burst: 9, exact: true });
    expect(pathRate({ requests: 100, windowSeconds: 60 })).toMatchObject({ rate: "100r/m", burst: 99, exact: true });
    expect(pathRate({ requests: 7, windowSeconds: 30 })).toMatchObject({ rate: "14r/m", burst: 6, exact: true });
    expect(pathRate({ requests: 10, windowSeconds: 45 })).toMatchObject({ rate: "13r/m", burst: 9, exact: false });
  });

  it("documents the gap below nginx's slowest rate (SaaS login: 5 per 900 s)", () => {
    const r = pathRate({ requests: 5, windowSeconds: 900 });
    expect(r).toMatchObject({ rate: "1r/m", burst: 4, exact: false });
    expect(r.note).toBe("5 per 900s is below nginx's slowest rate (1r/m): 5 at once, then 1/min (up to 20 in 900s); WAF enforces the exact window");
    expect(file(find("prod", "saas-platform").input, "sites-available/saas-platform")).toContain(`# login: ${r.note}`);
  });

  it("limits the whole site per IP with ten seconds' worth of burst, and returns 429", () => {
    expect(globalRate(600)).toMatchObject({ rate: "600r/m", burst: 100 });
    const site = file(find("prod", "saas-platform").input, "sites-available/saas-platform");
    expect(site).toContain("limit_req_zone $binary_remote_addr zone=saas_platform_global:10m rate=1000r/m;");
    expect(site).toContain("limit_req_zone $binary_remote_addr zone=saas_platform_webhook:10m rate=100r/m;");
    expect(site).toContain("limit_req_status 429;");
    expect(site).toMatch(/location \^~ \/api\/stripe\/webhook\/ \{\n\s+limit_req zone=saas_platform_global burst=167 nodelay;\n\s+limit_req zone=saas_platform_webhook burst=99 nodelay;/);
  });
});

describe("hosts that terminate TLS themselves (Let's Encrypt)", () => {
  const c = find("prod", "flashbill");

  it("issue with DNS-01 for every served name and renew daily at 03:00 with an nginx reload", () => {
    const certs = file(c.input, "-certs");
    expect(certs).toContain("--dns-route53");
    expect(certs).toContain("-d flashbill.app -d www.flashbill.app -d api.flashbill.app");
    expect(certs).toContain('certbot renew --non-interactive --quiet --deploy-hook "systemctl reload nginx"');
    expect(file(c.input, "-certs.timer")).toContain("OnCalendar=*-*-* 03:00:00");
    // A failed first issuance is retried every 15 minutes (under Let's Encrypt's 5 failures per
    // name and hour), not at the next 03:00; once a certificate exists the retry is skipped.
    expect(file(c.input, "-certs-retry.timer")).toContain("OnCalendar=*:0/15");
    expect(file(c.input, "-certs-retry.service")).toContain("ConditionPathExists=!/etc/letsencrypt/live/flashbill/fullchain.pem");
    expect(file(c.input, "-certs-retry.service")).toContain("ExecStart=/usr/local/sbin/flashbill-certs");
    const boot = file(c.input, "-bootstrap");
    expect(boot.indexOf("systemctl enable --now flashbill-certs-retry.timer")).toBeGreaterThan(boot.indexOf("if ! /usr/local/sbin/flashbill-certs; then"));
    const bootstrap = file(c.input, "-bootstrap");
    expect(bootstrap).toContain("systemctl disable --now certbot.timer");
    expect(bootstrap).toMatch(/openssl req -x509 [^\n]*-days 7/); // a bootstrap cert so nginx starts before issuance
    expect(bootstrap.indexOf("openssl req -x509")).toBeLessThan(bootstrap.indexOf("nginx -t"));
  });

  it("open only 80 and 443 in the host firewall, and SSH only from admin CIDRs", () => {
    const bootstrap = file(c.input, "-bootstrap");
    expect(bootstrap).toMatch(/ufw default deny incoming\nufw default allow outgoing\nufw allow 80\/tcp\nufw allow 443\/tcp\n/);
    expect(bootstrap).not.toContain("port 22");
    const withAdmin = inputFor({ ...stackConfig("prod"), adminCidrs: ["198.51.100.0/24"] }, c.app);
    expect(file(withAdmin, "-bootstrap")).toContain("ufw allow from 198.51.100.0/24 to any port 22 proto tcp");
  });

  it("run the Rust binary as its own user on 127.0.0.1 under a hardened unit", () => {
    const unit = file(c.input, "/flashbill.service");
    expect(unit).toContain("ExecStart=/srv/flashbill/current/bin/flashbill");
    expect(unit).toContain("User=flashbill");
    expect(unit).toContain("Restart=on-failure");
    for (const d of ["NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "ProtectHome=yes", "CapabilityBoundingSet="]) expect(unit).toContain(d);
    expect(file(c.input, "/config.env")).toContain("HOST='127.0.0.1'\nPORT='3000'");
  });

  it("run Django under gunicorn bound to 127.0.0.1, with collectstatic and migrations at deploy", () => {
    const s = find("prod", "smartboostpro");
    expect(file(s.input, "/smartboostpro.service")).toContain("gunicorn --bind 127.0.0.1:8000 --forwarded-allow-ips 127.0.0.1 --access-logfile - --error-logfile - config.wsgi:application");
    const deploy = file(s.input, "-deploy");
    expect(deploy).toContain('manage.py "$@"\n}\nas_app collectstatic --noinput\n');
    expect(deploy).toMatch(/\nretry as_app shell -c "\$MIGRATE_PY"\n/);
    expect(deploy).toContain('call_command("migrate", interactive=False)');
  });

  it("publish the certificate's days to expiry in the namespace the alarm reads", () => {
    expect(file(c.input, "-cert-expiry")).toContain("--namespace 'WebappPlatform/Host'");
    expect(file(c.input, "-certs.service")).toMatch(/ExecStart=-\/usr\/local\/sbin\/flashbill-certs\nExecStart=\/usr\/local\/sbin\/flashbill-cert-expiry/);
  });

  it("run the node exporter on the private address only", () => {
    const bootstrap = file(c.input, "-bootstrap");
    expect(bootstrap).toContain("latest/meta-data/local-ipv4");
    expect(bootstrap).toContain('--web.listen-address=$ip:9100');
    expect(renderCloudConfig(c.input)).toContain("prometheus-node-exporter");
    expect(renderCloudConfig(find("prod", "smartboostpro").input)).not.toContain("prometheus-node-exporter");
  });
});

describe("hosts behind a load balancer", () => {
  it("listen on 80 for the ALB only, trust its X-Forwarded-For from the VPC, and keep headers and limits", () => {
    const c = find("prod", "avanii-shop");
    const site = file(c.input, "sites-available/avanii-shop");
    expect(site).not.toMatch(/listen [^;]*443/);
    expect(site).not.toContain("ssl_certificate");
    expect(site).toContain("listen 80 default_server;");
    expect(site).toContain(`set_real_ip_from ${c.config.network.cidr};`);
    expect(site).toContain("real_ip_header X-Forwarded-For;");
    expect(site).toContain("proxy_set_header X-Forwarded-Proto $avanii_shop_proto;");
    expect(site).toContain('add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;');
    expect(site).toContain("limit_req zone=avanii_shop_login burst=9 nodelay;");
    const doc = renderCloudConfig(c.input);
    expect(doc).not.toContain("certbot");
    expect(file(c.input, "-bootstrap")).toContain(`ufw allow from ${c.config.network.cidr} to any port 80 proto tcp`);
    expect(file(c.input, "-bootstrap")).not.toContain("ufw allow 443");
  });

  it("join their group only when ready: the launch hook is completed after the deploy and a local health check, abandoned on any failure", () => {
    for (const name of ["avanii-shop", "investment-platform", "saas-platform"]) {
      const c = find("staging", name);
      const boot = file(c.input, "-bootstrap");
      const deploy = boot.indexOf(`/usr/local/sbin/${name}-deploy\n`);
      const health = boot.indexOf(`until curl -fsS -o /dev/null --max-time 5 'http://127.0.0.1:80${c.app.healthCheckPath}'; do\n  if systemctl is-failed --quiet "$APP.service"; then`);
      const join = boot.indexOf("retry launch_hook CONTINUE");
      expect(deploy).toBeGreaterThan(0);
      expect(health).toBeGreaterThan(deploy);
      expect(join).toBeGreaterThan(health);
      expect(boot.indexOf('log "done"')).toBeGreaterThan(join);
      expect(boot).toContain("readonly LAUNCH_HOOK='bootstrap-done'");
      expect(boot).toContain('--lifecycle-hook-name "$LAUNCH_HOOK" --instance-id "$id" --lifecycle-action-result "$1"');
      expect(boot).toContain("trap abandon_on_failure EXIT");
      expect(boot).toMatch(/abandon_on_failure\(\) \{\n  local rc=\$\?\n  if \[ "\$rc" -ne 0 \] && \[ "\$JOINED" -eq 0 \][^\n]*\n[^\n]*\n    launch_hook ABANDON/);
    }
    // A single host is in no group.
    expect(file(find("staging", "smartboostpro").input, "-bootstrap")).not.toContain("launch_hook");
    expect(() => resolveHostConfig({ ...find("staging", "smartboostpro").input, launchHook: "bootstrap-done" }))
      .toThrow(/input\.launchHook only applies to hosts behind a load balancer/);
    expect(() => resolveHostConfig({ ...find("staging", "avanii-shop").input, launchHook: "no spaces" }))
      .toThrow(/input\.launchHook "no spaces" must be 1-255 letters, digits, _ and -/);
  });

  it("run the release command once per release, under the database lock, after the pull and before the restart", () => {
    const c = find("prod", "saas-platform");
    const deploy = file(c.input, "-deploy");
    const pull = deploy.indexOf("pull --quiet");
    const release = deploy.indexOf("\n/usr/local/sbin/saas-platform-release\n");
    expect(pull).toBeGreaterThan(0);
    expect(release).toBeGreaterThan(pull);
    expect(deploy.indexOf('systemctl restart "$APP.service"')).toBeGreaterThan(release);
    const script = file(c.input, "-release");
    expect(script).toContain(`psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -c "SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})"`);
    expect(script).toContain("exec docker compose --project-name 'saas-platform' --file '/etc/saas-platform/compose.yaml' run --rm --no-deps -T 'backend' 'python' 'release.py'");
    // The database credentials come from the env file through libpq's variables, never an argument.
    expect(script).toContain("eval \"$(python3 /usr/local/lib/webapp-platform/pg-env.py '/etc/saas-platform/secrets.env')\"");
    expect(script).not.toMatch(/psql[^\n]*DATABASE_URL/);
    expect(renderCloudConfig(c.input)).toContain("postgresql-client");
    // Without a release command there is neither script nor psql.
    const plain = { ...c.input, compose: { ...c.input.compose!, services: c.input.compose!.services.map(({ releaseCommand: _, ...s }) => s) } };
    expect(renderHostFiles(plain).some((f) => f.path.endsWith("-release"))).toBe(false);
    expect(renderCloudConfig(plain)).not.toContain("postgresql-client");
    expect(() => resolveHostConfig({ ...c.input, secrets: c.input.secrets!.filter((x) => !x.endsWith("/DATABASE")) }))
      .toThrow(/input\.compose\.services have a releaseCommand but no DATABASE secret/);
    expect(() => resolveHostConfig({ ...plain, compose: { ...plain.compose!, services: plain.compose!.services.map((s) => ({ ...s, releaseCommand: ["x'y"] })) } }))
      .toThrow(/releaseCommand\[0\] "x'y" must be 1-200 printable characters without quotes/);
  });

  it("run a compose stack pinned by digest on loopback, the frontend on the domain and the API on its own name", () => {
    const c = find("prod", "saas-platform");
    const compose = parseYaml(file(c.input, "/compose.yaml"));
    expect(Object.keys(compose.services)).toEqual(["backend", "frontend"]);
    expect(compose.services.backend).toMatchObject({
      image: expect.stringMatching(/^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/saas-platform-backend@sha256:[0-9a-f]{64}$/),
      ports: ["127.0.0.1:8000:8000"], env_file: ["/etc/saas-platform/config.env", "/etc/saas-platform/secrets.env"],
      logging: { driver: "awslogs", options: { "awslogs-group": "/webapp-platform/prod/saas-platform/app" } },
    });
    const site = file(c.input, "sites-available/saas-platform");
    expect(site).toMatch(/server_name saasplatform\.io www\.saasplatform\.io;[\s\S]*location \/ \{\n\s+proxy_pass http:\/\/saas_platform_web;/);
    expect(site).toMatch(/server_name api\.saasplatform\.io;[\s\S]*location \/ \{\n\s+proxy_pass http:\/\/saas_platform_app;/);
    expect(site).toContain("server 127.0.0.1:3000;");
    const doc = renderCloudConfig(c.input);
    expect(doc).toContain("docker-compose-v2");
    expect(doc).not.toContain("python3-venv");
    expect(file(c.input, "-deploy")).toContain("ecr get-login-password --region \"$REGION\" | docker login --username AWS --password-stdin '123456789012.dkr.ecr.eu-west-1.amazonaws.com'");
  });
});

describe("hostConfigFromApp", () => {
  it("serves the API name only for the Rust and containers apps and picks TLS by architecture", () => {
    const map = Object.fromEntries(cases.filter((c) => c.stack === "prod").map((c) => {
      const r = resolveHostConfig(c.input);
      return [c.app.name, [r.tls, r.apiDomain ?? null, r.kind]];
    }));
    expect(map).toEqual({
      smartboostpro: ["letsencrypt", null, "python"],
      "investment-platform": ["alb", null, "python"],
      "saas-platform": ["alb", "api.saasplatform.io", "compose"],
      flashbill: ["letsencrypt", "api.flashbill.app", "binary"],
      "avanii-shop": ["alb", null, "python"],
    });
  });

  it("keeps settings delivered through Secrets Manager out of the document, leaving a digest that changes with them", () => {
    const config = stackConfig("prod");
    const shop = config.apps.find((a) => a.name === "avanii-shop")!;
    const render = (env: Record<string, string>, inSecretsManager: boolean) =>
      file(hostConfigFromApp({ ...shop, env, envInSecretsManager: inSecretsManager }, { stack: config, artifactBucket: artifactBucketOf(config) }), "config.env");
    expect(render({ FLASK_ENV: "production" }, false)).toMatch(/^FLASK_ENV='production'$/m);
    const hidden = render({ FLASK_ENV: "production", B: "1" }, true);
    expect(hidden).not.toContain("FLASK_ENV");
    expect(hidden).toMatch(/^APP_SETTINGS_SHA256='[0-9a-f]{16}'$/m);
    expect(render({ B: "1", FLASK_ENV: "production" }, true)).toBe(hidden); // key order does not matter
    expect(render({ FLASK_ENV: "development", B: "1" }, true)).not.toBe(hidden);
    expect(plainHostEnv({ env: { A: "1" }, envInSecretsManager: false })).toEqual({ A: "1" });
  });

  it("migrates at deploy on every Django python host, single or fleet, unless runMigrations is false", () => {
    const by = Object.fromEntries(cases.filter((c) => c.stack === "prod").map((c) => [c.app.name, resolveHostConfig(c.input).runMigrations]));
    expect(by).toEqual({ smartboostpro: true, "investment-platform": true, "saas-platform": false, flashbill: false, "avanii-shop": false });
    expect(resolveHostConfig({ ...find("prod", "investment-platform").input, runMigrations: false }).runMigrations).toBe(false);
  });

  it("validates over HTTP-01 when the app's DNS is at an external registrar", () => {
    const config = stackConfig("prod");
    const app = { ...config.apps.find((a) => a.name === "smartboostpro")!, dns: { mode: "external" as const, registrar: "GoDaddy" } };
    const input = hostConfigFromApp(app, { stack: config, artifactBucket: artifactBucketOf(config), logGroups: { nginxAccess: "a", nginxError: "b", app: "c" } });
    expect(file(input, "-certs")).toContain("--webroot --webroot-path '/var/www/letsencrypt'");
    expect(renderCloudConfig(input)).not.toContain("python3-certbot-dns-route53");
  });
});

describe("input validation", () => {
  const base = find("staging", "smartboostpro").input;
  it.each([
    ["app", { app: "Bad_Name" }, /input\.app app names are 2-20 characters: lower-case letters.*"Bad_Name" has upper-case letters/],
    ["port", { port: 80 }, /input\.port 80 must be an integer 1024-65535/],
    ["CSP", { headers: { ...base.headers, contentSecurityPolicy: "default-src 'self'\"; evil" } }, /input\.headers\.contentSecurityPolicy may contain only/],
    ["HSTS", { headers: { ...base.headers, hstsMaxAgeSeconds: 3600 } }, /input\.headers\.hstsMaxAgeSeconds 3600 must be at least 31536000/],
    ["limit on the static path", { rateLimits: { perIpPerMinute: 600, paths: [{ name: "st", path: "/static/", requests: 1, windowSeconds: 60 }] } }, /input\.rateLimits\.paths\[0\]\.path "\/static\/" is the static or health-check path/],
    ["world SSH", { adminCidrs: ["0.0.0.0/0"] }, /input\.adminCidrs\[0\] may not be a \/0/],
    ["env with a quote", { env: { GREETING: "it's" } }, /input\.env\.GREETING values may not contain quotes/],
    ["secret not named for a variable", { secrets: ["prod/app/db-connection"] }, /input\.secrets\[0\] "prod\/app\/db-connection" must end in an upper-case variable name/],
    ["an insecure artifact", { artifactUrl: "http://example.com/app.tar.gz" }, /input\.artifactUrl "http:\/\/example\.com\/app\.tar\.gz" must be an s3:\/\/ or https:\/\/ URL/],
    ["compose on a python app", { compose: { services: [] } }, /input\.compose only applies to appKind compose, not python/],
    ["an undigested image", { appKind: "compose" as const, compose: { services: [{ name: "web", image: "nginx:latest", port: 8000 }] } }, /input\.compose\.services\[0\]\.image "nginx:latest" must be pinned by digest/],
    ["a relative path", { paths: { certDir: "certs" } }, /input\.paths\.certDir "certs" must be an absolute path/],
    ["migrations on a flask host", { runtime: "flask" as const, runMigrations: true }, /input\.runMigrations applies to django python hosts only, not flask python/],
  ] as [string, Partial<HostConfigInput>, RegExp][])("rejects %s, naming the field", (_, change, error) => {
    expect(() => renderCloudConfig({ ...base, ...change })).toThrow(error);
  });
});

describe("IAM policy and artifact helpers", () => {
  it("scopes artifact reads to the app's folder and swaps the version for redeploys", () => {
    expect(artifactObjectArn("s3://artifacts/smartboostpro/1.0.3.tar.gz")).toBe("arn:aws:s3:::artifacts/smartboostpro/*");
    expect(artifactObjectArn("s3://artifacts/app.tar.gz")).toBe("arn:aws:s3:::artifacts/app.tar.gz");
    // The deploy reads <artifact>.sha256 next to the artifact: the folder covers it, a root key gets it named.
    const fetch = (url: string) => hostPolicyDocument({ region: "eu-west-1", artifactUrl: url }).Statement.find((x) => x.Sid === "FetchArtifact")!;
    expect(fetch("s3://artifacts/smartboostpro/1.0.3.tar.gz")).toEqual({ Sid: "FetchArtifact", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::artifacts/smartboostpro/*" });
    expect(fetch("s3://artifacts/app.tar.gz").Resource).toEqual(["arn:aws:s3:::artifacts/app.tar.gz", "arn:aws:s3:::artifacts/app.tar.gz.sha256"]);
    const covers = (resource: string | string[], arn: string) => [resource].flat().some((r) => new RegExp(`^${r.split("*").map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, "\\$&")).join(".*")}$`).test(arn));
    for (const c of cases.filter((x) => x.input.artifactUrl?.startsWith("s3://"))) {
      const resource = fetch(c.input.artifactUrl!).Resource;
      const object = c.input.artifactUrl!.replace(/^s3:\/\//, "arn:aws:s3:::");
      expect(covers(resource, object)).toBe(true);
      expect(covers(resource, `${object}.sha256`)).toBe(true);
    }
    expect(artifactObjectArn("https://example.com/a.tar.gz")).toBeUndefined();
    const r = resolveHostConfig({ ...find("prod", "flashbill").input, artifactUrl: "s3://builds-0.9.2/flashbill/0.9.2/flashbill-0.9.2.tar.gz" });
    expect(artifactTemplate(r)).toBe("s3://builds-0.9.2/flashbill/0.9.2/flashbill-@VERSION@.tar.gz");
  });

  it("refuses wildcard secret ARNs and grants Route53 only with ACME names", () => {
    expect(() => hostPolicyDocument({ region: "eu-west-1", secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/*"] })).toThrow(/secretArns must be exact ARNs/);
    const doc = hostPolicyDocument({ region: "eu-west-1" });
    expect(doc.Statement.map((s) => s.Sid)).toEqual(["PublishHostMetrics"]);
  });
});
