/**
 * Three small apps in one stack, shaped like the architectures (web fleet behind an ALB, a
 * single host with DNS at an external registrar, an SPA and its API on CloudFront with WAF), plus the
 * shared network. Used by the diagram and report tests.
 */
import { Fixture, T } from "./fixture";

export function threeApps(): Fixture {
  const f = new Fixture("staging");
  // Shared platform.
  const net = f.component("webapp-platform:network:Network", "staging");
  const vpc = f.custom(T.vpc, "staging-vpc", { parent: net, inputs: { cidrBlock: "10.20.0.0/16" } });
  f.custom(T.subnet, "staging-public-0", { parent: net, deps: [vpc] });
  const topic = f.custom(T.topic, "staging-alerts");
  const sharedKey = f.custom(T.kms, "staging-key");

  // Web fleet: DNS -> ALB -> ASG -> PostgreSQL, Redis, media bucket, secrets.
  const shop = f.component(T.webFleetApp, "shop");
  const tiers = f.component("webapp-platform:network:SecurityTiers", "shop-tiers", { parent: shop });
  const lbSg = f.custom(T.sg, "shop-tiers-lb", { parent: tiers, deps: [vpc] });
  const appSg = f.custom(T.sg, "shop-tiers-app", { parent: tiers, deps: [vpc] });
  const dataSg = f.custom(T.sg, "shop-tiers-data", { parent: tiers, deps: [vpc] });
  f.custom(T.ingress, "shop-tiers-lb-in-0", { parent: tiers, deps: [lbSg], inputs: { fromPort: 443, toPort: 443, ipProtocol: "tcp", cidrIpv4: "0.0.0.0/0" } });
  f.custom(T.egress, "shop-tiers-lb-out-0", { parent: tiers, deps: [lbSg, appSg], inputs: { fromPort: 80, toPort: 80, ipProtocol: "tcp" } });
  f.custom(T.ingress, "shop-tiers-app-in-0", { parent: tiers, deps: [appSg, lbSg], inputs: { fromPort: 80, toPort: 80, ipProtocol: "tcp" } });
  f.custom(T.egress, "shop-tiers-app-out-0", { parent: tiers, deps: [appSg], inputs: { fromPort: 443, toPort: 443, ipProtocol: "tcp", cidrIpv4: "0.0.0.0/0" } });
  f.custom(T.egress, "shop-tiers-app-out-2", { parent: tiers, deps: [appSg, dataSg], inputs: { fromPort: 5432, toPort: 5432, ipProtocol: "tcp" } });
  f.custom(T.egress, "shop-tiers-app-out-3", { parent: tiers, deps: [appSg, dataSg], inputs: { fromPort: 6379, toPort: 6379, ipProtocol: "tcp" } });
  f.custom(T.ingress, "shop-tiers-data-in-0", { parent: tiers, deps: [dataSg, appSg], inputs: { fromPort: 5432, toPort: 5432, ipProtocol: "tcp" } });
  f.custom(T.ingress, "shop-tiers-data-in-1", { parent: tiers, deps: [dataSg, appSg], inputs: { fromPort: 6379, toPort: 6379, ipProtocol: "tcp" } });

  const logs = f.custom(T.bucket, "shop-alb-logs", { parent: shop });
  f.custom(T.bucketPolicy, "shop-alb-logs", { parent: shop, deps: [logs] });
  const media = f.custom(T.bucket, "shop-media", { parent: shop });
  const cert = f.custom(T.cert, "shop-cert", { parent: shop, inputs: { domainName: "shop.example.com", validationMethod: "DNS" } });
  const validationRecord = f.custom(T.record, "shop-cert-validation-0", { parent: shop, deps: [cert], inputs: { name: "_x1.shop.example.com", type: "CNAME" } });
  const validation = f.custom(T.certValidation, "shop-cert", { parent: shop, deps: [cert, validationRecord] });

  const fleet = f.component("webapp-platform:fleet:AppFleet", "shop-fleet", { parent: shop });
  const alb = f.custom(T.alb, "shop-fleet-alb", { parent: fleet, deps: [lbSg, logs], inputs: { loadBalancerType: "application", internal: false, subnets: ["subnet-a", "subnet-b"] } });
  const tg = f.custom(T.tg, "shop-fleet-tg", { parent: fleet, deps: [vpc], inputs: { port: 80, protocol: "HTTP" } });
  f.custom(T.listener, "shop-fleet-https", { parent: fleet, deps: [alb, tg, validation], inputs: { port: 443, protocol: "HTTPS" } });
  f.custom(T.listener, "shop-fleet-http", { parent: fleet, deps: [alb], inputs: { port: 80, protocol: "HTTP" } });
  const secret = f.custom(T.secret, "shop-flask-secret-key", { parent: shop, deps: [sharedKey] });
  const role = f.custom(T.role, "shop-fleet-instance", { parent: fleet });
  f.custom(T.rolePolicy, "shop-fleet-instance-0", { parent: fleet, deps: [role, secret, media] });
  const profile = f.custom(T.profile, "shop-fleet-instance", { parent: fleet, deps: [role] });
  const lt = f.custom(T.lt, "shop-fleet-lt", { parent: fleet, deps: [appSg, profile], inputs: { instanceType: "t3.small" } });
  const asg = f.custom(T.asg, "shop-fleet-asg", { parent: fleet, deps: [lt, tg], inputs: { minSize: 1, maxSize: 2, desiredCapacity: 1 } });
  f.custom(T.asgPolicy, "shop-fleet-cpu", { parent: fleet, deps: [asg] });
  const db = f.custom(T.rds, "shop-db", { parent: shop, deps: [dataSg, sharedKey], inputs: { engine: "postgres", engineVersion: "16.4", instanceClass: "db.t4g.micro", multiAz: false, allocatedStorage: 20, port: 5432 } });
  const cache = f.custom(T.redis, "shop-cache", { parent: shop, deps: [dataSg, sharedKey], inputs: { engineVersion: "7.1", nodeType: "cache.t4g.micro", numCacheClusters: 1, port: 6379 } });
  f.custom(T.secretVersion, "shop-database-url", { parent: shop, deps: [secret, db] });
  f.custom(T.record, "shop-a", { parent: shop, deps: [alb], inputs: { name: "shop.example.com", type: "A" } });
  f.custom(T.record, "shop-dkim-0", { parent: shop, inputs: { name: "k1._domainkey.shop.example.com", type: "CNAME" } });
  // Receives the media bucket's access logs through a bucket setting: no traffic path, so listed, not drawn.
  const accessLogs = f.custom(T.bucket, "shop-access-logs", { parent: shop });
  f.custom("aws:s3/bucketLogging:BucketLogging", "shop-media", { parent: shop, deps: [media, accessLogs] });
  // Observability and backups touch everything but carry no traffic: they must not draw edges.
  f.custom(T.alarm, "shop-db-cpu", { parent: shop, deps: [db, topic] });
  f.custom(T.alarm, "shop-alb-5xx", { parent: shop, deps: [alb, topic] });
  f.custom(T.alarm, "shop-cache-cpu", { parent: shop, deps: [cache, topic] });
  f.custom(T.backupSelection, "shop-backup-selection", { parent: shop, deps: [db, media] });

  // Single host, DNS at an external registrar: users -> registrar -> host -> PostgreSQL.
  const blog = f.component(T.singleHostApp, "blog");
  const edgeSg = f.custom(T.sg, "blog-edge", { parent: blog, deps: [vpc] });
  const blogData = f.custom(T.sg, "blog-data", { parent: blog, deps: [vpc] });
  f.custom(T.ingress, "blog-data-in-0", { parent: blog, deps: [blogData, edgeSg], inputs: { fromPort: 5432, toPort: 5432, ipProtocol: "tcp" } });
  const host = f.custom(T.instance, "blog-host", { parent: blog, deps: [edgeSg], inputs: { instanceType: "t3.micro" } });
  f.custom(T.eip, "blog-ip", { parent: blog, deps: [host] });
  f.custom(T.rds, "blog-db", { parent: blog, deps: [blogData], inputs: { engine: "postgres", engineVersion: "16.4", instanceClass: "db.t4g.micro", multiAz: false, allocatedStorage: 20 } });

  // SPA: DNS -> CloudFront (WAF in front) -> private bucket through OAC, and the API's ALB through an origin name.
  const spa = f.component(T.spaApiApp, "spa");
  const east = f.custom(T.provider, "spa-us-east-1", { parent: spa, inputs: { region: "us-east-1" } });
  const acl = f.custom(T.webAcl, "spa-waf-acl", { parent: spa, provider: `${east}::east-id`, inputs: { scope: "CLOUDFRONT", rules: [{ name: "rate" }, { name: "common" }] } });
  const site = f.custom(T.bucket, "spa-site", { parent: spa });
  const oac = f.custom(T.oac, "spa-oac", { parent: spa });
  // The API behind the same distribution, reached through an origin hostname (no resource dependency).
  const api = f.custom(T.alb, "spa-api-alb", { parent: spa, inputs: { internal: false, subnets: ["a", "b"] } });
  f.custom(T.record, "spa-origin", { parent: spa, deps: [api], inputs: { name: "origin.example.com", type: "A" } });
  const dist = f.custom(T.cdn, "spa-cdn", {
    parent: spa, deps: [site, oac, acl],
    inputs: { aliases: ["app.example.com"], origins: [{ originId: "site", domainName: "spa-site.s3.eu-west-1.amazonaws.com" }, { originId: "api", domainName: "origin.example.com" }] },
  });
  f.custom(T.bucketPolicy, "spa-site", { parent: spa, deps: [site, dist] });
  f.custom(T.record, "spa-a", { parent: spa, deps: [dist], inputs: { name: "app.example.com", type: "A" } });
  return f;
}
