/**
 * The nginx site of an app: the seeds' security layers 1-2 (TLS, headers, rate limits) in
 * one file under sites-available/. It holds only http-level directives Ubuntu's nginx.conf
 * does not already set (so including it never duplicates a directive), and server blocks.
 */
import type { PathRateLimit } from "../http-policy";
import { ResolvedHost } from "./input";

/** Mozilla "intermediate" TLS 1.2 ciphers (forward secret AEAD only); TLS 1.3 suites are OpenSSL's defaults. */
export const TLS_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

export interface NginxRate {
  /** nginx rate, e.g. "10r/m". */
  rate: string;
  perMinute: number;
  /** Extra requests let through at once (nodelay): the configured count is allowed as a burst. */
  burst: number;
  /** Whether the long-run rate equals the configured requests / window. */
  exact: boolean;
  /** What the translation allows, for the config comment and the docs. */
  note: string;
}

/**
 * Translates "N requests per W seconds" into nginx's leaky bucket. nginx rates are whole
 * requests per second or per minute, so the rate is N/W rounded down to a whole r/m (never
 * looser), but never below 1r/m, the slowest rate nginx can express. burst = N - 1 with
 * nodelay lets a client send its N requests at once, then one every 60/rate seconds.
 * The gap: below 1r/m (e.g. 5 per 900 s) the long-run rate is looser than configured; the WAF
 * rule (prod) enforces such windows exactly at the edge.
 */
export function pathRate(limit: Pick<PathRateLimit, "requests" | "windowSeconds">): NginxRate {
  const wanted = (limit.requests * 60) / limit.windowSeconds;
  const perMinute = Math.max(1, Math.floor(wanted));
  const burst = limit.requests - 1;
  const exact = perMinute === wanted;
  const inWindow = limit.requests + Math.floor((perMinute * limit.windowSeconds) / 60);
  const note = exact
    ? `${limit.requests} per ${limit.windowSeconds}s = ${perMinute}r/m; ${limit.requests} at once, then 1 every ${60 / perMinute}s`
    : wanted < 1
      ? `${limit.requests} per ${limit.windowSeconds}s is below nginx's slowest rate (1r/m): ${limit.requests} at once, then 1/min (up to ${inWindow} in ${limit.windowSeconds}s); WAF enforces the exact window`
      : `${limit.requests} per ${limit.windowSeconds}s rounded down to ${perMinute}r/m; ${limit.requests} at once`;
  return { rate: `${perMinute}r/m`, perMinute, burst, exact, note };
}

/** The site-wide per-IP limit: perIpPerMinute, with ten seconds' worth as a burst (page loads). */
export function globalRate(perIpPerMinute: number): NginxRate {
  const burst = Math.max(1, Math.ceil(perIpPerMinute / 6));
  return { rate: `${perIpPerMinute}r/m`, perMinute: perIpPerMinute, burst, exact: true, note: `${perIpPerMinute}/min per IP, bursts of ${burst}` };
}

/** Path of the site file (and its sites-enabled symlink name). */
export function sitePath(r: ResolvedHost): string {
  return `${r.paths.nginxDir}/sites-available/${r.app}`;
}

export function accessLogPath(r: ResolvedHost): string {
  return `${r.paths.nginxLogDir}/${r.app}-access.log`;
}

export function errorLogPath(r: ResolvedHost): string {
  return `${r.paths.nginxLogDir}/${r.app}-error.log`;
}

function block(head: string, lines: (string | false | undefined)[], indent = ""): string {
  const body = lines.filter((l): l is string => typeof l === "string").map((l) => l.split("\n").map((x) => (x ? `${indent}  ${x}` : x)).join("\n"));
  return `${indent}${head} {\n${body.join("\n")}\n${indent}}`;
}

function listen(r: ResolvedHost, port: number, flags: string): string[] {
  const f = flags ? ` ${flags}` : "";
  return r.listen.address ? [`listen ${r.listen.address}:${port}${f};`] : [`listen ${port}${f};`, `listen [::]:${port}${f};`];
}

/** Renders the site. Pure; ports and paths come from the resolved input. */
export function renderNginxSite(r: ResolvedHost): string {
  const id = r.ident;
  const edge = r.tls === "letsencrypt";
  const global = globalRate(r.rateLimits.perIpPerMinute);
  const limits = r.rateLimits.paths.map((p) => ({ ...p, nginx: pathRate(p) }));
  const appUpstream = `${id}_app`;
  const webUpstream = r.kind === "compose" && r.webService !== r.appService ? `${id}_web` : appUpstream;
  const webPort = r.services.find((s) => s.name === r.webService)?.port;

  const http: string[] = [
    `# Managed by webapp-platform: the ${r.app} site (${edge ? "TLS on this host, Let's Encrypt" : "behind the load balancer"}).`,
    "# Changes made on the host are lost on the next deploy.",
    `limit_req_zone $binary_remote_addr zone=${id}_global:10m rate=${global.rate};`,
    ...limits.flatMap((l) => [`# ${l.name}: ${l.nginx.note}`, `limit_req_zone $binary_remote_addr zone=${id}_${l.name}:10m rate=${l.nginx.rate};`]),
    // JSON lines: CloudWatch metric filters count 5xx/502 by $.status and $.app.
    `log_format ${id}_json escape=json '{"time":"$time_iso8601","app":"${r.app}","client":"$remote_addr","host":"$host",'`,
    `  '"method":"$request_method","uri":"$request_uri","status":$status,"bytes":$body_bytes_sent,'`,
    `  '"request_time":$request_time,"upstream_status":"$upstream_status","upstream_time":"$upstream_response_time",'`,
    `  '"referer":"$http_referer","user_agent":"$http_user_agent"}';`,
    block(`upstream ${appUpstream}`, [`server 127.0.0.1:${r.port};`, "keepalive 16;"]),
    webUpstream !== appUpstream && block(`upstream ${webUpstream}`, [`server 127.0.0.1:${webPort};`, "keepalive 16;"]),
    // Behind the ALB only: trust its X-Forwarded-Proto (only the ALB reaches port 80).
    !edge && block(`map $http_x_forwarded_proto $${id}_proto`, ["default $scheme;", "https https;"]),
  ].filter((l): l is string => typeof l === "string");

  const proto = edge ? "https" : `$${id}_proto`;
  // A location that sets any proxy header inherits none, so the set is written once here.
  const proxyHeaders = (host: string) => [
    'proxy_set_header Connection "";',
    `proxy_set_header Host ${host};`,
    "proxy_set_header X-Real-IP $remote_addr;",
    // At the edge nginx is the first trusted hop: replace whatever the client claimed.
    `proxy_set_header X-Forwarded-For ${edge ? "$remote_addr" : "$proxy_add_x_forwarded_for"};`,
    `proxy_set_header X-Forwarded-Proto ${proto};`,
    `proxy_set_header X-Forwarded-Host ${host};`,
  ];
  const h = r.headers;
  const securityHeaders: [string, string][] = [
    ["Strict-Transport-Security", `max-age=${h.hstsMaxAgeSeconds}; includeSubDomains`],
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", h.frameOptions],
    ["Referrer-Policy", h.referrerPolicy],
    ["Content-Security-Policy", h.contentSecurityPolicy],
  ];
  const common = [
    "server_tokens off;",
    `client_max_body_size ${r.maxBodyMb}m;`,
    !edge && [
      "# Client addresses come from the ALB's X-Forwarded-For; only VPC addresses are trusted to set it.",
      `set_real_ip_from ${r.vpcCidr};`, "real_ip_header X-Forwarded-For;", "real_ip_recursive on;",
    ].join("\n"),
    `access_log ${accessLogPath(r)} ${id}_json;`,
    `error_log ${errorLogPath(r)} warn;`,
    "limit_req_status 429;",
    "limit_req_log_level warn;",
    `limit_req zone=${id}_global burst=${global.burst} nodelay;`,
    ...securityHeaders.map(([name, value]) => `add_header ${name} "${value}" always;`),
    // nginx is the one source of these: the app's own copies (Django's SecurityMiddleware sends
    // X-Content-Type-Options and Referrer-Policy) would otherwise go out twice, with two values.
    ...securityHeaders.map(([name]) => `proxy_hide_header ${name};`),
    "proxy_http_version 1.1;",
    ...proxyHeaders("$host"),
    "proxy_connect_timeout 5s;",
    "proxy_read_timeout 60s;",
    "proxy_redirect off;",
    !edge && 'if ($http_x_forwarded_proto = "http") {\n  return 301 https://$host$request_uri;\n}',
  ].filter((l): l is string => typeof l === "string");

  const tls = [
    `ssl_certificate ${r.paths.certDir}/fullchain.pem;`,
    `ssl_certificate_key ${r.paths.certDir}/privkey.pem;`,
  ];
  // Set in every 443 server: the default server's versions decide the handshake before SNI.
  const tlsPolicy = [
    "ssl_protocols TLSv1.2 TLSv1.3;",
    `ssl_ciphers ${TLS_CIPHERS};`,
    "ssl_prefer_server_ciphers off;",
    `ssl_session_cache shared:${id}_tls:10m;`,
    "ssl_session_timeout 1d;",
    "ssl_session_tickets off;",
  ];

  const proxied = (path: string, exact = false) => block(`location ${exact ? "=" : "^~"} ${path}`, [`proxy_pass http://${appUpstream};`]);
  const limited = limits.map((l) => block(`location ^~ ${l.path}`, [
    `limit_req zone=${id}_global burst=${global.burst} nodelay;`,
    `limit_req zone=${id}_${l.name} burst=${l.nginx.burst} nodelay;`,
    `proxy_pass http://${appUpstream};`,
  ]));
  // The ALB's health checks carry the target's IP as Host, which the app's allowed hosts
  // (Django's ALLOWED_HOSTS: the served names) refuse with a 400: the check is passed on as
  // a request for the site's own name, so it proves the app answers for real.
  const health = edge
    ? proxied(r.healthCheckPath, true)
    : block(`location = ${r.healthCheckPath}`, [...proxyHeaders(r.domains[0]), `proxy_pass http://${appUpstream};`]);

  let mainLocations: string[];
  if (r.staticPath === "/" && r.kind !== "compose") {
    // A web build (Flutter) is the whole site: hashed assets cached long, entry points revalidated.
    mainLocations = [
      `root ${r.paths.staticRoot};`,
      "index index.html;",
      health,
      block("location /", ["try_files $uri $uri/ /index.html;", "expires 1h;"]),
      block("location = /index.html", ["expires -1;"]),
      block("location ^~ /assets/", ["expires 30d;"]),
      block("location ^~ /canvaskit/", ["expires 30d;"]),
    ];
  } else {
    // No /media/ alias: uploads live in the S3 media bucket; the app links or streams them.
    mainLocations = [
      // Inside a compose stack the static files live in the images, so the app serves them.
      r.kind !== "compose" && block(`location ^~ ${r.staticPath}`, [`alias ${r.paths.staticRoot}/;`, "expires 30d;"]),
      health,
      ...limited,
      block("location /", [`proxy_pass http://${webUpstream};`]),
    ].filter((l): l is string => typeof l === "string");
  }
  const apiLocations = [health, ...limited, block("location /", [`proxy_pass http://${appUpstream};`])];

  const servers: string[] = [];
  if (edge) {
    const port = r.listen.https;
    const http2 = "ssl http2";
    servers.push(block("server", [
      "# Unknown names get nothing: no certificate, no redirect.",
      ...listen(r, r.listen.http, "default_server"),
      ...listen(r, port, `${http2} default_server`),
      "ssl_reject_handshake on;",
      ...tlsPolicy,
      "server_tokens off;",
      `access_log ${accessLogPath(r)} ${id}_json;`,
      "return 444;",
    ]));
    const httpsUrl = port === 443 ? "https://$host$request_uri" : `https://$host:${port}$request_uri`;
    servers.push(block("server", [
      ...listen(r, r.listen.http, ""),
      `server_name ${r.certNames.join(" ")};`,
      "server_tokens off;",
      `access_log ${accessLogPath(r)} ${id}_json;`,
      `error_log ${errorLogPath(r)} warn;`,
      block("location ^~ /.well-known/acme-challenge/", [`root ${r.paths.acmeRoot};`, "default_type text/plain;"]),
      block("location /", [`return 301 ${httpsUrl};`]),
    ]));
    servers.push(block("server", [...listen(r, port, http2), `server_name ${r.domains.join(" ")};`, ...tls, ...tlsPolicy, ...common, ...mainLocations]));
    if (r.apiDomain) servers.push(block("server", [...listen(r, port, http2), `server_name ${r.apiDomain};`, ...tls, ...tlsPolicy, ...common, ...apiLocations]));
  } else {
    // The ALB's health checks carry the target's IP as Host: the main site is the default server.
    servers.push(block("server", [...listen(r, r.listen.http, "default_server"), `server_name ${r.domains.join(" ")};`, ...common, ...mainLocations]));
    if (r.apiDomain) servers.push(block("server", [...listen(r, r.listen.http, ""), `server_name ${r.apiDomain};`, ...common, ...apiLocations]));
  }
  return `${http.join("\n")}\n\n${servers.join("\n\n")}\n`;
}
