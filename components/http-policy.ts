/**
 * What an app's HTTP front enforces, the same on nginx (hosts), CloudFront and WAF: security
 * headers and per-client request-rate limits. What each setting allows is in
 * lib/http-policy-rules.ts, for config and components alike.
 */
import { FRAME_OPTIONS } from "../lib/http-policy-rules";

export { FRAME_OPTIONS };
export type FrameOptions = (typeof FRAME_OPTIONS)[number];

/** A request-rate limit applied per client IP, by nginx on hosts and by WAF at the edge. */
export interface PathRateLimit {
  /** Short name used in resource and zone names, e.g. "login". */
  name: string;
  /** URI path prefix the limit applies to, e.g. "/api/login/". */
  path: string;
  /** Requests allowed per client IP in the window. */
  requests: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

export interface RateLimitConfig {
  /** Requests per minute per client IP for the whole site. Default 600. */
  perIpPerMinute: number;
  /** Stricter limits on sensitive paths (login, webhooks). Default none. */
  paths: PathRateLimit[];
}

export interface HeadersConfig {
  /** X-Frame-Options. Default SAMEORIGIN. */
  frameOptions: FrameOptions;
  /** Content-Security-Policy sent by nginx and CloudFront. Default "default-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'". */
  contentSecurityPolicy: string;
  /** Referrer-Policy. Default strict-origin-when-cross-origin. */
  referrerPolicy: string;
  /** HSTS max-age in seconds (one to two years, HSTS_MAX_AGE_SECONDS). Default one year (31536000). */
  hstsMaxAgeSeconds: number;
}
