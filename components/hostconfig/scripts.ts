/**
 * The shell scripts the host runs. Each is bash with `set -euo pipefail`, checked by
 * shellcheck in the tests, and idempotent so an operator can re-run it.
 *
 * The AWS CLI: Ubuntu 24.04 has no `awscli` deb any more (it left the archive with noble), and
 * pip-installing it would pull a second Python stack. AWS publishes CLI v2 as a classic snap,
 * snapd is on every Ubuntu cloud image, and snaps refresh themselves, so the host uses
 * `snap install aws-cli --classic` and calls /snap/bin/aws.
 */
import { cloudwatchConfigPath, CLOUDWATCH_AGENT_CTL } from "./cloudwatch";
import { sitePath } from "./nginx";
import { ARTIFACT_URL_RE, AWS_CLI, CERT_DAYS_METRIC, GUNICORN_VERSION, HOST_METRICS_NAMESPACE, MIGRATION_LOCK_KEY, NODE_EXPORTER_PORT, ResolvedHost } from "./input";
import { shq } from "./shell";
import { HOST_VERSION_ERE } from "../../lib/versions";

/** ARTIFACT_URL_RE as an ERE for bash's =~ (the deploy script checks its URL argument too). */
const HOST_ARTIFACT_URL_ERE = ARTIFACT_URL_RE.source.replace(/\\\//g, "/");

export const SECRET_TO_ENV_PATH = "/usr/local/lib/webapp-platform/secret-to-env.py";

/** How often hosts re-read their secrets: after a rotation, new database connections fail until then. */
export const SECRETS_REFRESH_MINUTES = 2;

export type HostScript = "bootstrap" | "secrets" | "deploy" | "release" | "certs" | "cert-expiry";

/** Where the host configuration installs an app's script (SsmRedeploy runs the deploy one). Pure. */
export function hostScriptPath(app: string, name: HostScript): string {
  return `/usr/local/sbin/${app}-${name}`;
}

const scriptPathOf = hostScriptPath;

export function scriptPath(r: ResolvedHost, name: HostScript): string {
  return hostScriptPath(r.app, name);
}

const HEAD = "#!/bin/bash\nset -euo pipefail\n";

/**
 * The AWS CLI, and its patience with IMDS: by default it waits 1 s, once, for the instance role's
 * credentials, and a host busy booting or restarting its app can miss that ("Unable to locate
 * credentials"), which fails a secrets refresh after a rotation.
 */
const AWS_CLI_SETUP = `readonly AWS="\${AWS_CLI:-${AWS_CLI}}"
export AWS_METADATA_SERVICE_TIMEOUT=5 AWS_METADATA_SERVICE_NUM_ATTEMPTS=3`;

/** Retries a command with a growing pause: IAM, snapd and mirrors are often not ready at first boot. */
const RETRY = `retry() {
  local n=0
  until "$@"; do
    n=$((n + 1))
    if [ "$n" -ge 8 ]; then return 1; fi
    sleep $((n * 5))
  done
}
`;

/**
 * Turns one secret value on stdin into KEY='value' lines, which systemd, docker compose and sh
 * all read the same way: a JSON object gives its upper-case keys (DATABASE_URL, REDIS_URL; the
 * lower-case parts like host or password are already inside them), anything else is the value
 * of the variable named on the command line. Never prints a value in an error.
 */
export const SECRET_TO_ENV_PY = `#!/usr/bin/env python3
"""Secret value on stdin -> KEY='value' lines on stdout. Never prints a value in an error."""
import json
import re
import sys


def emit(key, value):
    if not isinstance(value, str):
        value = json.dumps(value)
    if "'" in value or "\\n" in value or "\\r" in value:
        sys.exit("the value of %s contains a quote or a newline, which env files cannot carry" % key)
    print("%s='%s'" % (key, value))


def main():
    name = sys.argv[1]
    raw = sys.stdin.read()
    if raw.endswith("\\n"):
        raw = raw[:-1]
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        emit(name, raw)
        return
    keys = [k for k in sorted(data) if re.fullmatch(r"[A-Z_][A-Z0-9_]*", k)]
    if not keys:
        sys.exit("the JSON secret %s has no upper-case keys to export" % name)
    for key in keys:
        emit(key, data[key])


main()
`;

export const PG_ENV_PATH = "/usr/local/lib/webapp-platform/pg-env.py";

/**
 * The app's env file's DATABASE_URL as libpq's PG* variables, as `export` lines for bash to
 * eval: psql then connects with no password or URL on its command line (which the process
 * list shows). Never prints a value in an error.
 */
export const PG_ENV_PY = `#!/usr/bin/env python3
"""secrets.env's DATABASE_URL -> export PGHOST=... lines for libpq. Never prints a value in an error."""
import shlex
import sys
from urllib.parse import parse_qs, unquote, urlsplit


def main():
    url = None
    with open(sys.argv[1]) as f:
        for line in f:
            if line.startswith("DATABASE_URL="):
                url = line[len("DATABASE_URL="):].strip().strip("'")
    if not url:
        sys.exit("%s has no DATABASE_URL" % sys.argv[1])
    u = urlsplit(url)
    if u.scheme not in ("postgres", "postgresql") or not u.hostname:
        sys.exit("DATABASE_URL is not a postgres:// URL")
    # libpq's variables, in the URL's order: host, port, user, its password, database, TLS.
    names = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGCONNECT_TIMEOUT"]
    values = [u.hostname, str(u.port or 5432), unquote(u.username or ""), unquote(u.password or ""),
              unquote(u.path.lstrip("/")), parse_qs(u.query).get("sslmode", ["require"])[0], "10"]
    for key, value in zip(names, values):
        print("export %s=%s" % (key, shlex.quote(value)))


main()
`;

/**
 * A compose app's release command (ComposeService.releaseCommand) in a one-off container of
 * the pulled image, holding the PostgreSQL advisory lock for as long as it runs: psql takes the
 * lock, runs the command through \\!, and ends (releasing it) when the command has. Pure.
 */
export function renderReleaseScript(r: ResolvedHost): string {
  const svc = r.services.find((s) => s.releaseCommand);
  if (!svc?.releaseCommand) throw new Error(`HostConfig: ${r.app} has no release command`);
  const run = `docker compose --project-name ${shq(r.app)} --file ${shq(`${r.etcDir}/compose.yaml`)} run --rm --no-deps -T ${shq(svc.name)} ${svc.releaseCommand.map(shq).join(" ")}`;
  return `${HEAD}# ${r.app}'s release command, once per release and one instance at a time: in a one-off
# container of ${svc.name}'s new image, under the PostgreSQL advisory lock ${MIGRATION_LOCK_KEY}.
readonly APP=${shq(r.app)}
if [ "\${1:-}" = --locked ]; then
  # The database's credentials were for the lock only: the container reads its own env file.
  unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE PGCONNECT_TIMEOUT
  echo "$APP: holding the migration lock; running ${svc.name}'s release command"
  exec ${run}
fi
eval "$(python3 ${PG_ENV_PATH} ${shq(`${r.etcDir}/secrets.env`)})"
status=$(mktemp)
trap 'rm -f "$status"' EXIT
# psql's \\! runs the command inside the session that holds the lock; its exit status comes back in a file.
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -c "SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})" \\
  -c "\\! ${scriptPathOf(r.app, "release")} --locked; echo \\$? >$status"
rc=$(cat "$status")
if [ "$rc" != 0 ]; then
  echo "$APP: the release command failed (exit \${rc:-none}): the stack stays on its previous images" >&2
  exit 1
fi
`;
}

/** Fetches the app's secrets with the instance role and writes them to a 0600 file owned by the app user. */
export function renderSecretsScript(r: ResolvedHost): string {
  const fetches = r.secrets.map((s) => `  fetch ${shq(s.id)} ${s.variable}`);
  return `${HEAD}# Writes ${r.app}'s secret environment from Secrets Manager, read with the instance role.
# The values never pass through user data, arguments or logs.
umask 077
readonly APP=${shq(r.app)}
${fetches.length > 0 ? `readonly REGION=${shq(r.region)}\n${AWS_CLI_SETUP}\n` : ""}readonly OUT=${shq(`${r.etcDir}/secrets.env`)}
tmp=$(mktemp "$OUT.XXXXXX")
trap 'rm -f "$tmp"' EXIT
${fetches.length > 0 ? `fetch() {
  "$AWS" secretsmanager get-secret-value --region "$REGION" --secret-id "$1" --query SecretString --output text \\
    | python3 ${SECRET_TO_ENV_PATH} "$2"
}
{
${fetches.join("\n")}
} >"$tmp"` : `: # ${r.app} reads no secrets`}
chown "$APP:$APP" "$tmp"
chmod 0600 "$tmp"
# --restart-if-changed (the refresh timer): a rotated or updated secret restarts the app, which
# reads its environment only at start; an unchanged one changes nothing.
if [ "\${1:-}" = --restart-if-changed ] && cmp -s "$tmp" "$OUT"; then exit 0; fi
mv -f "$tmp" "$OUT"
trap - EXIT
echo "$APP: wrote $(wc -l <"$OUT") secret variables to $OUT"
if [ "\${1:-}" = --restart-if-changed ]; then
  echo "$APP: its secrets changed: restarting $APP.service"
  systemctl try-restart "$APP.service"
fi
`;
}

/**
 * Downloads the artifact and its `.sha256` (same path + ".sha256", as `sha256sum` writes it:
 * 64 hex digits, optionally a space and a file name) and unpacks the artifact only if they
 * agree. Messages name the URL without its query (a presigned URL's signature stays out of logs).
 */
function fetchArtifact(): string {
  return `retry fetch "$URL" "$work/artifact.tar.gz" || refuse "could not download $URL_SHOWN"
  retry fetch "$SUM_URL" "$work/artifact.sha256" || refuse "its checksum $URL_SHOWN.sha256 is missing or unreadable"
  sum_re='^([0-9a-fA-F]{64})([[:space:]].*)?$'
  sum_line=$(head -n 1 "$work/artifact.sha256" | tr -d '\\r')
  [[ "$sum_line" =~ $sum_re ]] || refuse "its checksum $URL_SHOWN.sha256 is not 64 hex digits (sha256sum's format)"
  expected=\${BASH_REMATCH[1],,}
  actual=$(sha256sum "$work/artifact.tar.gz" | cut -d' ' -f1)
  [ "$actual" = "$expected" ] || refuse "$URL_SHOWN has sha256 $actual, but $URL_SHOWN.sha256 says $expected"
  tar -xzf "$work/artifact.tar.gz" -C "$RELEASE" --no-same-owner`;
}

/** `grep -iE` pattern: does a requirements.txt name gunicorn itself (any pin, extras or marker)? */
export const GUNICORN_REQUIREMENT_ERE = "^[[:space:]]*gunicorn([^a-z0-9_.-]|$)";

/**
 * Django's migrate under a PostgreSQL advisory lock, run with `manage.py shell -c`: the
 * instances of a fleet boot together, and two concurrent migrates can both try to create the
 * same tables; with the lock they take turns and the later ones find nothing to apply. The
 * lock lasts as long as the session, so it is released when the process ends, however it ends.
 */
export function migratePython(): string {
  return `from django.core.management import call_command
from django.db import connection
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [${MIGRATION_LOCK_KEY}])
    print("holding the migration lock", flush=True)
call_command("migrate", interactive=False)
`;
}

/** The artifact URL with the app version as a placeholder, so another version can be fetched. */
export function artifactTemplate(r: ResolvedHost): string {
  // The last occurrence: the version is in the file or folder name, not in the bucket.
  const i = r.artifactUrl.lastIndexOf(r.appVersion);
  return i < 0 ? r.artifactUrl : `${r.artifactUrl.slice(0, i)}@VERSION@${r.artifactUrl.slice(i + r.appVersion.length)}`;
}

/** Installs the configured version (a release directory per version) and restarts the service. */
export function renderDeployScript(r: ResolvedHost): string {
  const vars = `readonly APP=${shq(r.app)}
readonly REGION=${shq(r.region)}
${AWS_CLI_SETUP}
`;
  if (r.kind === "compose") {
    const registries = [...new Set(r.services.map((s) => s.image.split("/")[0]))].sort();
    const logins = registries.map((reg) => /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(reg)
      ? `"$AWS" ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin ${shq(reg)}`
      : `: # ${reg} is public: no login`);
    return `${HEAD}# Pulls ${r.app}'s images (pinned by digest) and restarts the compose stack.
${vars}${RETRY}
login() {
${logins.map((l) => `  ${l}`).join("\n")}
}
retry login
retry docker compose --project-name "$APP" --file ${shq(`${r.etcDir}/compose.yaml`)} pull --quiet
${r.services.some((x) => x.releaseCommand) ? `# The new images' release command (migrations), once per release, before the stack restarts onto them.
${scriptPath(r, "release")}
` : ""}systemctl enable "$APP.service"
systemctl restart "$APP.service"
`;
  }
  const install = r.kind === "python"
    ? `  [ -f "$RELEASE/requirements.txt" ] || refuse "the artifact has no requirements.txt"
  python3 -m venv "$RELEASE/venv"
  pip_args=(--quiet --no-cache-dir --disable-pip-version-check)
  # Vendored wheels: the boot needs no package index.
  if [ -d "$RELEASE/wheels" ]; then pip_args+=(--no-index --find-links "$RELEASE/wheels"); fi
  pip_args+=(-r "$RELEASE/requirements.txt")
  # The artifact's own gunicorn pin wins; without one, the platform's.
  if ! grep -qiE ${shq(GUNICORN_REQUIREMENT_ERE)} "$RELEASE/requirements.txt"; then pip_args+=("gunicorn==$GUNICORN_VERSION"); fi
  retry "$RELEASE/venv/bin/pip" install "\${pip_args[@]}"`
    : `  [ -x "$RELEASE/bin/"${shq(r.binaryName)} ] || refuse "the artifact has no executable bin/${r.binaryName}"`;
  const django = r.runtime === "django" && r.kind === "python";
  const manage = django ? `# From the new release, before the switch: a failed migrate leaves the old release serving.
as_app() {
  systemd-run --quiet --wait --pipe --collect --uid="$APP" --gid="$APP" \\
    -p EnvironmentFile=${r.etcDir}/config.env -p EnvironmentFile=${r.etcDir}/secrets.env \\
    --working-directory="$RELEASE" -- "$RELEASE/venv/bin/python" manage.py "$@"
}
as_app collectstatic --noinput
${r.runMigrations ? `# Under a PostgreSQL advisory lock: instances booting together take turns, the later find nothing to do.
readonly MIGRATE_PY=${shq(migratePython())}
# Retried: at a new stack's first boot the database may still be starting.
retry as_app shell -c "$MIGRATE_PY"` : "# runMigrations is off: migrations are left to the operator."}
` : "";
  return `${HEAD}# Installs a release of ${r.app} from its artifact, switches to it and restarts the service.
# Usage: ${r.app}-deploy [VERSION [ARTIFACT_URL]]; defaults to the version this host was built with,
# and to its artifact URL with that version swapped for VERSION. A running host is redeployed
# this way over SSM (cloud-init runs the user data only at first boot).
${vars}readonly VERSION="\${1:-${r.appVersion}}"
readonly URL_TEMPLATE=${shq(artifactTemplate(r))}
readonly URL="\${2:-\${URL_TEMPLATE//@VERSION@/$VERSION}}"
readonly APP_DIR=${shq(r.paths.appDir)}
readonly RELEASE="$APP_DIR/releases/$VERSION"
${r.kind === "python" ? `readonly GUNICORN_VERSION=${shq(GUNICORN_VERSION)}
` : ""}version_re='${HOST_VERSION_ERE}'
url_re='${HOST_ARTIFACT_URL_ERE}'
if [[ ! "$VERSION" =~ $version_re ]] || [[ ! "$URL" =~ $url_re ]]; then
  echo "usage: $0 [VERSION [s3:// or https:// URL]]" >&2
  exit 2
fi
# The checksum sits next to the artifact: same path plus .sha256 (any query string follows it).
readonly URL_SHOWN="\${URL%%\\?*}"
readonly SUM_URL="$URL_SHOWN.sha256\${URL#"$URL_SHOWN"}"
${RETRY}
fetch() {
  case "$1" in
    s3://*) "$AWS" s3 cp --only-show-errors --region "$REGION" "$1" "$2" ;;
    *) curl -fsSL --proto '=https' -o "$2" "$1" ;;
  esac
}
refuse() {
  echo "$APP $VERSION not installed: $*" >&2
  rm -rf "$RELEASE"
  exit 1
}
if [ ! -e "$RELEASE/.installed" ]; then
  rm -rf "$RELEASE"
  install -d -m 0755 "$RELEASE"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  ${fetchArtifact()}
${install}
  # Code belongs to root: the app user runs it but cannot change it. The modes are reset because
  # tar (as root) keeps the archive's own, and a tarball made from a 0700 build directory would
  # lock the app user out of its release (found by the rehearsal).
  chown -R root:root "$RELEASE"
  chmod -R u+rwX,go+rX,go-w "$RELEASE"
  touch "$RELEASE/.installed"
fi
${manage}ln -sfn "$RELEASE" "$APP_DIR/current"
sed -i "s|^APP_VERSION=.*|APP_VERSION='$VERSION'|" ${shq(`${r.etcDir}/config.env`)}
systemctl enable "$APP.service"
systemctl restart "$APP.service"
# Keep the two previous releases for a quick roll back.
find "$APP_DIR/releases" -mindepth 1 -maxdepth 1 -type d ! -path "$RELEASE" -printf '%T@ %p\\n' \\
  | sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -rf
echo "$APP $VERSION is installed and running"
`;
}

/** Issues the certificate on first run, renews it later, and points nginx at it. */
export function renderCertsScript(r: ResolvedHost): string {
  const names = r.certNames.map((n) => `-d ${n}`).join(" ");
  const account = r.acmeEmail ? `--email ${shq(r.acmeEmail)}` : "--register-unsafely-without-email";
  const plugin = r.acmeChallenge === "dns-route53"
    ? "--dns-route53"
    : `--webroot --webroot-path ${shq(r.paths.acmeRoot)}`;
  return `${HEAD}# Issues ${r.app}'s Let's Encrypt certificate on first run (${r.acmeChallenge === "dns-route53" ? "DNS-01: TXT records in Route53, so issuance never races the A records" : "HTTP-01 through the webroot"}),
# renews it on later runs, and points nginx at it.
readonly APP=${shq(r.app)}
readonly CERT_DIR=${shq(r.paths.certDir)}
readonly LIVE="/etc/letsencrypt/live/$APP"
if [ -e "$LIVE/fullchain.pem" ]; then
  certbot renew --non-interactive --quiet --deploy-hook "systemctl reload nginx"
else
  certbot certonly --non-interactive --agree-tos ${account} \\
    --cert-name "$APP" --key-type ecdsa ${plugin} \\
    ${names} \\
    --deploy-hook "systemctl reload nginx"
fi
if [ "$(readlink "$CERT_DIR/fullchain.pem" || true)" != "$LIVE/fullchain.pem" ]; then
  ln -sfn "$LIVE/fullchain.pem" "$CERT_DIR/fullchain.pem"
  ln -sfn "$LIVE/privkey.pem" "$CERT_DIR/privkey.pem"
  systemctl reload nginx
fi
`;
}

/** Publishes the days until the served certificate expires (the cert-expiry alarm reads it). */
export function renderCertExpiryScript(r: ResolvedHost): string {
  return `${HEAD}# Reports the days until ${r.app}'s certificate expires as ${HOST_METRICS_NAMESPACE} ${CERT_DAYS_METRIC} (App=${r.app}).
readonly APP=${shq(r.app)}
readonly REGION=${shq(r.region)}
${AWS_CLI_SETUP}
readonly CERT=${shq(`${r.paths.certDir}/fullchain.pem`)}
end=$(openssl x509 -enddate -noout -in "$CERT" | cut -d= -f2)
days=$(( ($(date -d "$end" +%s) - $(date +%s)) / 86400 ))
"$AWS" cloudwatch put-metric-data --region "$REGION" --namespace ${shq(HOST_METRICS_NAMESPACE)} \\
  --metric-name ${shq(CERT_DAYS_METRIC)} --dimensions "App=$APP" --unit Count --value "$days"
echo "$APP certificate expires in $days days"
`;
}

function firewall(r: ResolvedHost): string {
  const rules = r.tls === "letsencrypt"
    ? ["ufw allow 80/tcp", "ufw allow 443/tcp", ...r.adminCidrs.map((c) => `ufw allow from ${c} to any port 22 proto tcp`)]
    : [`ufw allow from ${r.vpcCidr} to any port 80 proto tcp`];
  if (r.nodeExporter) rules.push(`ufw allow from ${r.vpcCidr} to any port ${NODE_EXPORTER_PORT} proto tcp`);
  return ["ufw --force reset >/dev/null", "ufw default deny incoming", "ufw default allow outgoing", ...rules, "ufw --force enable"].join("\n");
}

/**
 * Completes the launch lifecycle hook that holds a fleet instance out of service. Any failed
 * step ABANDONs the launch at once (the group replaces the instance); if even that call cannot
 * be made (no AWS CLI yet), the hook's timeout abandons it.
 */
function launchHookFunctions(hook: string): string {
  return `${AWS_CLI_SETUP}
readonly LAUNCH_HOOK=${shq(hook)}
JOINED=0
launch_hook() {
  local token id group state
  token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) &&
    id=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id) &&
    read -r group state < <("$AWS" autoscaling describe-auto-scaling-instances --region "$REGION" --instance-ids "$id" \\
      --query 'AutoScalingInstances[0].[AutoScalingGroupName,LifecycleState]' --output text) &&
    [ -n "$group" ] && [ "$group" != None ] || return 1
  # Re-run by hand on an instance already in service: there is no launch left to complete.
  if [ "$state" != Pending:Wait ]; then
    log "launch hook $LAUNCH_HOOK of $group: the instance is $state, nothing to complete"
    return 0
  fi
  "$AWS" autoscaling complete-lifecycle-action --region "$REGION" --auto-scaling-group-name "$group" \\
    --lifecycle-hook-name "$LAUNCH_HOOK" --instance-id "$id" --lifecycle-action-result "$1" &&
    log "launch hook $LAUNCH_HOOK of $group: $1"
}
abandon_on_failure() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$JOINED" -eq 0 ] && [ -x "$AWS" ]; then
    log "the bootstrap failed (exit $rc): abandoning this launch, so the group never sends it traffic"
    launch_hook ABANDON || log "could not abandon the launch: the hook's timeout will"
  fi
}
trap abandon_on_failure EXIT
`;
}

/** First-boot setup, run once by cloud-init (and safe to re-run). */
export function renderBootstrapScript(r: ResolvedHost): string {
  const edge = r.tls === "letsencrypt";
  const p = r.paths;
  const steps: string[] = [];
  steps.push(`log "host firewall: ${edge ? `80, 443${r.adminCidrs.length > 0 ? ", SSH from admin networks" : ""}` : "80 from the VPC (the load balancer)"}${r.nodeExporter ? `, ${NODE_EXPORTER_PORT} from the VPC` : ""}"
${firewall(r)}`);
  steps.push(`log "directories and the ${r.app} user's files"
chown root:"$APP" ${r.etcDir}
chmod 0750 ${r.etcDir}
install -d -m 0755 ${p.appDir} ${p.appDir}/releases
install -d -m 0750 -o root -g adm ${r.appLogDir}
${r.kind === "python" && r.runtime === "django" ? `install -d -m 0755 -o "$APP" -g "$APP" ${p.staticRoot}\n` : ""}echo "WEB_CONCURRENCY=$(($(nproc) * 2 + 1))" >${r.etcDir}/host.env
systemctl daemon-reload`);
  if (edge) {
    steps.push(`log "nginx with a bootstrap certificate until Let's Encrypt issues one"
install -d -m 0755 ${p.certDir} ${p.acmeRoot}
if [ ! -e ${p.certDir}/fullchain.pem ]; then
  install -d -m 0700 ${p.certDir}/bootstrap
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \\
    -subj "/CN=${r.certNames[0]}" -addext "subjectAltName=${r.certNames.map((n) => `DNS:${n}`).join(",")}" \\
    -keyout ${p.certDir}/bootstrap/privkey.pem -out ${p.certDir}/bootstrap/fullchain.pem
  ln -sfn bootstrap/fullchain.pem ${p.certDir}/fullchain.pem
  ln -sfn bootstrap/privkey.pem ${p.certDir}/privkey.pem
fi`);
  }
  steps.push(`log "nginx site"
rm -f ${p.nginxDir}/sites-enabled/default
ln -sfn ${sitePath(r)} ${p.nginxDir}/sites-enabled/${r.app}
nginx -t
systemctl enable nginx
systemctl reload-or-restart nginx`);
  if (edge) {
    steps.push(`log "Let's Encrypt: issue now, renew daily at 03:00"
systemctl disable --now certbot.timer 2>/dev/null || true
systemctl enable --now ${r.app}-certs.timer
if ! /usr/local/sbin/${r.app}-certs; then
  log "certificate issuance failed: nginx keeps the bootstrap certificate, ${r.app}-certs-retry.timer tries again every 15 minutes until one is issued, the expiry alarm fires"
fi
systemctl enable --now ${r.app}-certs-retry.timer`);
  }
  if (r.nodeExporter) {
    steps.push(`log "node exporter on the private address only"
token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)
ip=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/local-ipv4)
echo "ARGS=\\"--web.listen-address=$ip:${NODE_EXPORTER_PORT}\\"" >/etc/default/prometheus-node-exporter
systemctl restart prometheus-node-exporter`);
  }
  // The site first, then what needs AWS's APIs: if the AWS CLI, the secrets or the app fail,
  // the site still answers (502s raise the app-down alarm). The AWS CLI is what the secrets,
  // the deploy and the metrics need, so its failure stops the bootstrap here.
  steps.push(`log "AWS CLI v2 (AWS's snap)"
snap wait system seed.loaded
snap list aws-cli >/dev/null 2>&1 || retry snap install aws-cli --classic`);
  // Not fatal, and before the app: a host whose deploy fails still ships the nginx logs that
  // raise the app-down alarm; without the agent it serves but its log-fed alarms go quiet.
  // apt, not dpkg -i: at first boot unattended-upgrades or cloud-init may hold the dpkg lock,
  // which apt waits for (DPkg::Lock::Timeout); retry covers the archives lock, which it does not.
  steps.push(`log "CloudWatch agent"
cloudwatch_agent() {
  local arch
  arch=$(dpkg --print-architecture)
  retry curl -fsSL --proto '=https' -o /tmp/amazon-cloudwatch-agent.deb \\
    "https://amazoncloudwatch-agent-$REGION.s3.$REGION.amazonaws.com/ubuntu/$arch/latest/amazon-cloudwatch-agent.deb" &&
    retry env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 /tmp/amazon-cloudwatch-agent.deb &&
    rm -f /tmp/amazon-cloudwatch-agent.deb &&
    ${CLOUDWATCH_AGENT_CTL} -a fetch-config -m ec2 -s -c file:${cloudwatchConfigPath(r)}
}
cloudwatch_agent || log "the CloudWatch agent could not be installed: this host ships no logs or host metrics until the bootstrap is re-run"`);
  if (edge) steps.push(`/usr/local/sbin/${r.app}-cert-expiry || log "could not publish the certificate expiry metric"`);
  // The app last: everything that reports on it is running by now.
  steps.push(`log "secrets from Secrets Manager"
retry /usr/local/sbin/${r.app}-secrets${r.secrets.length > 0 ? `
# Re-read every ${SECRETS_REFRESH_MINUTES} minutes (a rotated password); the first run comes after the deploy has started the app.
systemctl enable --now ${r.app}-secrets-refresh.timer` : ""}`);
  if (r.kind === "compose") steps.push('log "Docker"\nsystemctl enable --now docker.service');
  steps.push(`log "${r.app} ${r.appVersion}"
/usr/local/sbin/${r.app}-deploy`);
  if (r.launchHook) {
    // The ALB's own check, from inside: the main site is nginx's default server, as for the ALB.
    // Up to 2 minutes for the app to answer; at once when its unit has failed (no restart left).
    steps.push(`log "ready: ${r.healthCheckPath} answers; the group may send traffic"
tries=0
until curl -fsS -o /dev/null --max-time 5 ${shq(`http://${r.listen.address ?? "127.0.0.1"}:${r.listen.http}${r.healthCheckPath}`)}; do
  if systemctl is-failed --quiet "$APP.service"; then log "$APP.service has failed"; exit 1; fi
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then log "${r.healthCheckPath} still does not answer"; exit 1; fi
  sleep 2
done
retry launch_hook CONTINUE
JOINED=1`);
  }
  return `${HEAD}# First-boot setup of ${r.app} (${r.environment}), run by cloud-init. Idempotent: safe to re-run by hand.
readonly APP=${shq(r.app)}
readonly REGION=${shq(r.region)}
log() { echo "[$APP bootstrap] $*"; }
${RETRY}${r.launchHook ? launchHookFunctions(r.launchHook) : ""}
${steps.join("\n\n")}

log "done"
`;
}
