/**
 * A documentation site from webapp-platform's bricks alone, without its stack config: a
 * private S3 bucket behind CloudFront (origin access control, TLS 1.2+, security headers),
 * an ACM certificate validated through Route53, and the DNS records; nothing protected (a
 * docs site is rebuilt from its sources).
 * Run it from this folder with `pulumi up` (config: docs-site:domain, docs-site:zone).
 */
import * as pulumi from "@pulumi/pulumi";
import { AppDns, PlatformContext, StaticSite } from "../../library";

const config = new pulumi.Config("docs-site");
const domain = config.require("domain");
const zone = config.require("zone");

const ctx: PlatformContext = {
  stack: pulumi.getStack(),
  environment: "staging",
  region: new pulumi.Config("aws").require("region"),
  logRetentionDays: 30,
};

const dns = new AppDns("docs", { dns: { mode: "route53", zone }, domain });
const site = new StaticSite("docs", {
  ctx,
  domain,
  dns,
  headers: {
    frameOptions: "DENY",
    contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
    referrerPolicy: "strict-origin-when-cross-origin",
    hstsMaxAgeSeconds: 31536000,
  },
});

export const bucketName = site.bucketName;
export const urls = site.urls;
export const distributionDomainName = site.distributionDomainName;
