/**
 * A step that runs on the operator's machine during `pulumi up` (@pulumi/command): a
 * post-deploy HTTPS check of the app's health URL. The shell script comes from a pure
 * renderer, so tests can lint and run it.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { ONE_YEAR_SECONDS } from "../lib/durations";
import { invalidArg, typeToken } from "./common";
import { wholeNumber } from "./deploy-common";

export interface HealthCheckScriptOptions {
  /** Require a Strict-Transport-Security header. @default true */
  expectHsts?: boolean;
  /** Lowest HSTS max-age accepted, in seconds. @default 31536000 (one year) */
  minHstsMaxAgeSeconds?: number;
  /** Keep retrying for this long, in seconds. @default 600 */
  timeoutSeconds?: number;
  /** Delay before the first retry; it doubles up to maxDelaySeconds. @default 5 */
  initialDelaySeconds?: number;
  /** Longest delay between attempts. @default 60 */
  maxDelaySeconds?: number;
  /** Timeout of one request, in seconds. @default 10 */
  requestTimeoutSeconds?: number;
  /** Refuse any scheme but https (curl --proto =https). @default true; tests turn it off to probe a loopback HTTP server */
  httpsOnly?: boolean;
}

/**
 * A POSIX sh script that GETs $CHECK_URL (read from the environment, so the URL is never
 * spliced into shell code) until it answers 200 with HSTS, retrying with backoff because
 * DNS, certificate validation and CloudFront lag the resources `pulumi up` just created.
 * Exits 1 with the last problem when time runs out. Redirects are not followed: a health
 * URL that redirects is misconfigured.
 */
export function renderHealthCheckScript(options: HealthCheckScriptOptions = {}): string {
  const C = "renderHealthCheckScript";
  const expectHsts = options.expectHsts ?? true;
  const minMaxAge = wholeNumber(C, "minHstsMaxAgeSeconds", options.minHstsMaxAgeSeconds ?? ONE_YEAR_SECONDS, 0, 10 * ONE_YEAR_SECONDS);
  const timeout = wholeNumber(C, "timeoutSeconds", options.timeoutSeconds ?? 600, 0, 3600);
  const delay = wholeNumber(C, "initialDelaySeconds", options.initialDelaySeconds ?? 5, 1, 600);
  const maxDelay = wholeNumber(C, "maxDelaySeconds", options.maxDelaySeconds ?? 60, delay, 600);
  const requestTimeout = wholeNumber(C, "requestTimeoutSeconds", options.requestTimeoutSeconds ?? 10, 1, 120);
  const proto = options.httpsOnly ?? true ? "--proto '=https' " : "";
  const hstsText = expectHsts ? ` with Strict-Transport-Security max-age >= ${minMaxAge}` : "";
  return `#!/bin/sh
# Post-deploy check: $CHECK_URL must answer 200${hstsText}.
set -u
url="\${CHECK_URL:?CHECK_URL must be set to the health URL}"
timeout=${timeout}
delay=${delay}
max_delay=${maxDelay}
expect_hsts=${expectHsts ? 1 : 0}
min_max_age=${minMaxAge}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
deadline=$(( $(date +%s) + timeout ))
attempt=0
while :; do
  attempt=$((attempt + 1))
  : >"$tmp/headers"
  status=$(curl --silent --show-error ${proto}--max-time ${requestTimeout} --output /dev/null \\
    --dump-header "$tmp/headers" --write-out '%{http_code}' "$url" 2>"$tmp/error") || status=000
  problem=""
  if [ "$status" = "000" ]; then
    problem="gave no HTTP answer ($(head -c 300 "$tmp/error" | tr '\\n' ' '))"
  elif [ "$status" != "200" ]; then
    problem="answered HTTP $status, expected 200"
  elif [ "$expect_hsts" = 1 ]; then
    hsts=$(tr -d '\\r' <"$tmp/headers" | tr '[:upper:]' '[:lower:]' | sed -n 's/^strict-transport-security:[[:space:]]*//p' | tail -n 1)
    if [ -z "$hsts" ]; then
      problem="answered 200 without a Strict-Transport-Security header"
    else
      max_age=$(printf '%s\\n' "$hsts" | sed -n 's/.*max-age="\\{0,1\\}\\([0-9][0-9]*\\).*/\\1/p')
      if [ -z "$max_age" ] || [ "$max_age" -lt "$min_max_age" ]; then
        problem="sent Strict-Transport-Security \\"$hsts\\", expected max-age >= $min_max_age"
      fi
    fi
  fi
  if [ -z "$problem" ]; then
    echo "post-deploy check passed: $url answered 200${hstsText} (attempt $attempt)"
    exit 0
  fi
  now=$(date +%s)
  if [ "$now" -ge "$deadline" ]; then
    echo "post-deploy check FAILED: $url $problem; gave up after $attempt attempt(s) over \${timeout}s" >&2
    exit 1
  fi
  echo "attempt $attempt: $url $problem; retrying in \${delay}s" >&2
  remaining=$((deadline - now))
  if [ "$delay" -gt "$remaining" ]; then delay=$remaining; fi
  sleep "$delay"
  delay=$((delay * 2))
  if [ "$delay" -gt "$max_delay" ]; then delay=$max_delay; fi
done
`;
}

export interface PostDeployCheckArgs {
  /** Health URL to probe, e.g. https://example.com/health/. Required; must be https://. */
  url: pulumi.Input<string>;
  /** Fail when the answer lacks Strict-Transport-Security. @default true */
  expectHsts?: boolean;
  /** Lowest HSTS max-age accepted, in seconds. @default 31536000 (one year) */
  minHstsMaxAgeSeconds?: number;
  /** Minutes to keep retrying before failing the update (DNS and certificates lag). @default 10 */
  timeoutMinutes?: number;
  /** Values whose change re-runs the check, e.g. the app version. @default [] (the URL is always one) */
  triggers?: pulumi.Input<unknown>[];
}

/**
 * Fails `pulumi up` with a clear message when the app's health URL does not answer 200 over
 * HTTPS with HSTS. Pass what must exist first (hosts, DNS records, distribution) as
 * `dependsOn` in opts; the check forwards it to its command.
 */
export class PostDeployCheck extends pulumi.ComponentResource {
  /** What the check printed on success. */
  readonly report: pulumi.Output<string>;

  constructor(name: string, args: PostDeployCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("deploy", "PostDeployCheck"), name, {}, opts);
    const C = "PostDeployCheck";
    const expectHsts = args.expectHsts ?? true;
    const timeoutMinutes = args.timeoutMinutes ?? 10;
    const triggers = args.triggers ?? [];
    if (typeof args.url === "string" && !/^https:\/\/[^\s/]+/.test(args.url)) {
      invalidArg(C, "url", `must be an https:// URL, got "${args.url}"`);
    }
    wholeNumber(C, "timeoutMinutes", timeoutMinutes, 1, 60);
    const script = renderHealthCheckScript({
      expectHsts,
      minHstsMaxAgeSeconds: args.minHstsMaxAgeSeconds,
      timeoutSeconds: timeoutMinutes * 60,
    });
    const check = new command.local.Command(`${name}-check`, {
      create: script,
      environment: { CHECK_URL: args.url },
      triggers: [args.url, ...triggers],
    }, { parent: this, dependsOn: opts?.dependsOn });
    this.report = check.stdout;
    this.registerOutputs({ report: this.report });
  }
}
