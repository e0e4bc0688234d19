/**
 * TLS settings the pack accepts, per environment. Every entry negotiates TLS 1.2 or newer
 * only; prod additionally requires forward secrecy (TLS 1.3 families and the FS "Res"
 * policies). These are the defaults of the policies' config; a team may narrow them.
 */
import type { Environment } from "./config";

const PQ_2025 = [
  "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

const TLS13_2021 = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];

const FS_RES = ["ELBSecurityPolicy-FS-1-2-Res-2020-10", "ELBSecurityPolicy-FS-1-2-Res-2019-08"];

/** TLS 1.2-only policies without TLS 1.3 (allowed in staging for old test clients). */
const TLS12_LEGACY = ["ELBSecurityPolicy-FS-1-2-2019-08", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "ELBSecurityPolicy-TLS-1-2-2017-01"];

/** Load balancer HTTPS listener security policies allowed per environment. */
export const ALB_SSL_POLICIES: Record<Environment, string[]> = {
  prod: [...TLS13_2021, ...PQ_2025, ...FS_RES],
  staging: [...TLS13_2021, ...PQ_2025, ...FS_RES, ...TLS12_LEGACY],
};

/** The policy to recommend in messages. */
export const RECOMMENDED_ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** CloudFront viewer minimum protocol versions allowed per environment. */
export const CLOUDFRONT_MIN_PROTOCOLS: Record<Environment, string[]> = {
  prod: ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"],
  staging: ["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"],
};

export const RECOMMENDED_CLOUDFRONT_MIN_PROTOCOL = "TLSv1.2_2021";

/** Origin SSL protocols CloudFront may use towards a custom origin. */
export const CLOUDFRONT_ORIGIN_SSL_PROTOCOLS = ["TLSv1.2"];

/** AWS's managed SecurityHeadersPolicy (HSTS max-age 31536000, nosniff, SAMEORIGIN, ...). */
export const MANAGED_SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03";

/** One year, the HSTS max-age the seeds ask for. */
export const ONE_YEAR_SECONDS = 31536000;
