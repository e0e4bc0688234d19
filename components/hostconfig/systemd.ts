/**
 * systemd units: the app service (hardened, bound to 127.0.0.1, restarted on failure) and,
 * on edge hosts, the daily 03:00 certificate renewal + expiry report.
 */
import { SECRETS_REFRESH_MINUTES } from "./scripts";
import { ResolvedHost } from "./input";

export function appUnitPath(r: ResolvedHost): string {
  return `/etc/systemd/system/${r.app}.service`;
}

/** The sandbox every app process runs in: it can read its release and talk to the network, nothing more. */
const HARDENING = [
  "NoNewPrivileges=yes",
  "ProtectSystem=strict",
  "ProtectHome=yes",
  "PrivateTmp=yes",
  "PrivateDevices=yes",
  "ProtectKernelTunables=yes",
  "ProtectKernelModules=yes",
  "ProtectKernelLogs=yes",
  "ProtectControlGroups=yes",
  "ProtectClock=yes",
  "ProtectHostname=yes",
  "RestrictSUIDSGID=yes",
  "RestrictRealtime=yes",
  "RestrictNamespaces=yes",
  "LockPersonality=yes",
  "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
  "SystemCallArchitectures=native",
  "CapabilityBoundingSet=",
  "AmbientCapabilities=",
  "UMask=0027",
];

export function renderAppUnit(r: ResolvedHost): string {
  const env = [`EnvironmentFile=${r.etcDir}/config.env`, `EnvironmentFile=-${r.etcDir}/host.env`, `EnvironmentFile=${r.etcDir}/secrets.env`];
  if (r.kind === "compose") {
    const compose = `/usr/bin/docker compose --project-name ${r.app} --file ${r.etcDir}/compose.yaml`;
    return [
      "[Unit]",
      `Description=${r.app} compose stack (webapp-platform)`,
      "Requires=docker.service",
      "After=docker.service network-online.target",
      "Wants=network-online.target",
      "",
      "[Service]",
      "Type=simple",
      `ExecStart=${compose} up --no-build --remove-orphans`,
      `ExecStop=${compose} down`,
      "Restart=on-failure",
      "RestartSec=5",
      "",
      "[Install]",
      "WantedBy=multi-user.target",
      "",
    ].join("\n");
  }
  const exec = r.kind === "python"
    ? `${r.paths.appDir}/current/venv/bin/gunicorn --bind 127.0.0.1:${r.port} --forwarded-allow-ips 127.0.0.1 --access-logfile - --error-logfile - ${r.wsgiApp}`
    : `${r.paths.appDir}/current/bin/${r.binaryName}`;
  return [
    "[Unit]",
    `Description=${r.app} ${r.kind === "python" ? "(gunicorn)" : "(binary)"} on 127.0.0.1:${r.port} (webapp-platform)`,
    "After=network-online.target",
    "Wants=network-online.target",
    "StartLimitIntervalSec=300",
    "StartLimitBurst=10",
    "",
    "[Service]",
    "Type=simple",
    `User=${r.app}`,
    `Group=${r.app}`,
    `WorkingDirectory=${r.paths.appDir}/current`,
    ...env,
    `ExecStart=${exec}`,
    "Restart=on-failure",
    "RestartSec=5",
    "TimeoutStopSec=30",
    "LimitNOFILE=65536",
    // systemd opens the log as root, so the app user cannot rewrite its own history.
    `StandardOutput=append:${r.appLogDir}/app.log`,
    "StandardError=inherit",
    ...HARDENING,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

export function renderCertUnits(r: ResolvedHost): { service: string; timer: string; retryService: string; retryTimer: string } {
  return {
    service: [
      "[Unit]",
      `Description=Renew ${r.app}'s Let's Encrypt certificate and report its days to expiry`,
      "After=network-online.target",
      "Wants=network-online.target",
      "",
      "[Service]",
      "Type=oneshot",
      // A failed renewal must not stop the report: the expiry alarm is what tells a human.
      `ExecStart=-/usr/local/sbin/${r.app}-certs`,
      `ExecStart=/usr/local/sbin/${r.app}-cert-expiry`,
      "",
    ].join("\n"),
    timer: [
      "[Unit]",
      `Description=Daily 03:00 certificate renewal for ${r.app}`,
      "",
      "[Timer]",
      "OnCalendar=*-*-* 03:00:00",
      "Persistent=true",
      "",
      "[Install]",
      "WantedBy=timers.target",
      "",
    ].join("\n"),
    // Until the first certificate is issued (DNS not pointing here yet, a Let's Encrypt outage),
    // try again every 15 minutes instead of waiting for 03:00: 4 tries an hour stay under Let's
    // Encrypt's 5 failed validations per name and hour. Once issued, the condition skips it.
    retryService: [
      "[Unit]",
      `Description=Issue ${r.app}'s first Let's Encrypt certificate (until it exists)`,
      "After=network-online.target",
      "Wants=network-online.target",
      `ConditionPathExists=!/etc/letsencrypt/live/${r.app}/fullchain.pem`,
      "",
      "[Service]",
      "Type=oneshot",
      `ExecStart=/usr/local/sbin/${r.app}-certs`,
      "",
    ].join("\n"),
    retryTimer: [
      "[Unit]",
      `Description=Retry ${r.app}'s first certificate every 15 minutes`,
      "",
      "[Timer]",
      "OnCalendar=*:0/15",
      "",
      "[Install]",
      "WantedBy=timers.target",
      "",
    ].join("\n"),
  };
}

/**
 * Re-reads the app's secrets every SECRETS_REFRESH_MINUTES and restarts the app when they
 * changed (a rotated database password, an operator's new API key). The random delay spreads
 * a fleet's restarts, so its hosts do not all restart at once.
 */
export function renderSecretsRefreshUnits(r: ResolvedHost): { service: string; timer: string } {
  return {
    service: [
      "[Unit]",
      `Description=Re-read ${r.app}'s secrets from Secrets Manager; restart it if they changed`,
      "After=network-online.target",
      "Wants=network-online.target",
      "",
      "[Service]",
      "Type=oneshot",
      `ExecStart=/usr/local/sbin/${r.app}-secrets --restart-if-changed`,
      "",
    ].join("\n"),
    timer: [
      "[Unit]",
      `Description=Re-read ${r.app}'s secrets every ${SECRETS_REFRESH_MINUTES} minutes`,
      "",
      "[Timer]",
      `OnActiveSec=${SECRETS_REFRESH_MINUTES}min`,
      `OnUnitActiveSec=${SECRETS_REFRESH_MINUTES}min`,
      "RandomizedDelaySec=30s",
      "",
      "[Install]",
      "WantedBy=timers.target",
      "",
    ].join("\n"),
  };
}

/** App logs: systemd appends to one file, so rotation truncates it in place. nginx's own logrotate covers nginx. */
export function renderLogrotate(r: ResolvedHost): string {
  return [
    `${r.appLogDir}/*.log {`,
    "  daily",
    "  rotate 14",
    "  maxsize 100M",
    "  missingok",
    "  notifempty",
    "  compress",
    "  delaycompress",
    "  copytruncate",
    "}",
    "",
  ].join("\n");
}
