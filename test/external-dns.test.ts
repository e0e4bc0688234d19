/**
 * The staged first deploy with DNS at an external registrar (issue 13, point 7): the staging
 * stack with every app's DNS moved to a registrar, recorded before the operator has created
 * the records (dns.certificateValidated unset: false) and after (true).
 */
import { ConfigError, parseStackConfig, projectFiles } from "../config";
import { RecordedResource, Recording, loadStackFile, recordStack } from "./harness";

const LISTENER = "aws:lb/listener:Listener";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const CERT = "aws:acm/certificate:Certificate";
const VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const RECORD = "aws:route53/record:Record";
const ACM_APPS = ["avanii-shop", "investment-platform", "saas-platform"];

interface DnsRecord { name: string; type: string; value: string; purpose: string }
interface AppOut { dnsRecords: DnsRecord[]; dnsNote?: string }

/** Staging's apps with DNS at GoDaddy; `validated` sets dns.certificateValidated on the ACM apps. */
function externalApps(validated?: boolean): Record<string, any> {
  const apps = JSON.parse(JSON.stringify(loadStackFile("staging")["webapp-platform:apps"])) as Record<string, any>;
  for (const [name, app] of Object.entries(apps)) {
    app.dns = { mode: "external", registrar: "GoDaddy", ...(validated !== undefined && ACM_APPS.includes(name) ? { certificateValidated: validated } : {}) };
  }
  return apps;
}

const appsOf = (rec: Recording) => rec.outputs.apps as Record<string, AppOut>;
const listenersOf = (rec: Recording, lb: RecordedResource) => rec.ofType(LISTENER).filter((l) => l.inputs.loadBalancerArn === lb.outputs.arn);
const lbOf = (rec: Recording, app: string) => rec.one(LB, `${app}-alb`);

describe("external DNS, step 1: certificates requested, records listed, HTTPS held back", () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await recordStack("staging", { config: { "webapp-platform:apps": externalApps() } });
  }, 120000);

  it("requests every ACM certificate but waits for none", () => {
    expect(rec.ofType(CERT).length).toBe(5); // web-fleet 1, spa-api 2, containers 2
    expect(rec.ofType(VALIDATION)).toEqual([]);
  });

  it("creates no HTTPS listener and no distribution; port 80 only redirects to HTTPS", () => {
    for (const app of ACM_APPS) {
      const listeners = listenersOf(rec, lbOf(rec, app));
      expect(listeners.map((l) => l.inputs.protocol)).toEqual(["HTTP"]);
      expect(listeners[0].inputs.defaultActions).toEqual([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
    }
    expect(rec.ofType(DISTRIBUTION)).toEqual([]);
    expect(rec.ofType(RECORD)).toEqual([]);
  });

  it("lists the web fleet's validation CNAME first, then its name's CNAME to the load balancer", () => {
    const cert = rec.one(CERT, "avanii-shop-cert-cert");
    const option = cert.outputs.domainValidationOptions[0];
    expect(appsOf(rec)["avanii-shop"].dnsRecords.map(({ name, type, value }) => ({ name, type, value }))).toEqual([
      { name: option.resourceRecordName.replace(/\.$/, ""), type: "CNAME", value: option.resourceRecordValue.replace(/\.$/, "") },
      { name: "staging.avaniishop.com", type: "CNAME", value: lbOf(rec, "avanii-shop").outputs.dnsName },
    ]);
  });

  it("lists each validation record once although two certificates use it (containers)", () => {
    const records = appsOf(rec)["saas-platform"].dnsRecords;
    const validation = records.filter((r) => r.purpose.startsWith("ACM validation"));
    expect(validation.map((r) => r.name.replace(/^_[0-9a-f]+\./, "")).sort()).toEqual(["api.staging.saasplatform.io", "origin.staging.saasplatform.io", "staging.saasplatform.io"]);
    expect(records.filter((r) => !r.purpose.startsWith("ACM validation"))).toEqual([
      expect.objectContaining({ name: "origin.staging.saasplatform.io", type: "CNAME", value: lbOf(rec, "saas-platform").outputs.dnsName }),
    ]);
  });

  it("says what to do in the order the README gives, naming the setting", () => {
    const note = appsOf(rec)["avanii-shop"].dnsNote as string;
    const steps = ["Step 1 (this pulumi up, apps.avanii-shop.dns.certificateValidated: false)", "Step 2: at GoDaddy, create every record in dnsRecords", "Step 3: when ACM shows the certificates as Issued", "set apps.avanii-shop.dns.certificateValidated: true"];
    const at = steps.map((s) => note.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(note).toMatch(/port 80 only redirects to HTTPS/);
  });

  it("stages nothing for single hosts: A records to the Elastic IP, certbot retries on the host", () => {
    const app = appsOf(rec).flashbill;
    expect(app.dnsRecords.map((r) => [r.name, r.type])).toEqual([["staging.flashbill.app", "A"], ["api.staging.flashbill.app", "A"]]);
    expect(app.dnsNote).toMatch(/Step 3: the host's certbot/);
    expect(app.dnsNote).not.toMatch(/certificateValidated/);
  });
});

describe("external DNS, step 2: dns.certificateValidated true", () => {
  let before: Recording;
  let rec: Recording;
  beforeAll(async () => {
    before = await recordStack("staging", { config: { "webapp-platform:apps": externalApps(false) } });
    rec = await recordStack("staging", { config: { "webapp-platform:apps": externalApps(true) } });
  }, 180000);

  it("waits for every certificate (ACM finds the operator's records) and gives HTTPS the issued ARN", () => {
    expect(rec.ofType(VALIDATION)).toHaveLength(5);
    for (const v of rec.ofType(VALIDATION)) expect(v.inputs.validationRecordFqdns).toBeUndefined();
    for (const app of ACM_APPS) {
      const https = listenersOf(rec, lbOf(rec, app)).filter((l) => l.inputs.protocol === "HTTPS");
      expect(https).toHaveLength(1);
      expect(rec.ofType(VALIDATION).map((v) => v.outputs.certificateArn)).toContain(https[0].inputs.certificateArn);
    }
  });

  it("leaves the HTTP listener exactly as it was (no update when HTTPS arrives)", () => {
    for (const app of ACM_APPS) {
      const http = (r: Recording) => listenersOf(r, lbOf(r, app)).find((l) => l.inputs.protocol === "HTTP") as RecordedResource;
      expect(http(rec).urn).toBe(http(before).urn);
      expect(http(rec).inputs).toEqual(http(before).inputs);
    }
  });

  it("creates the distributions and lists their names' CNAMEs", () => {
    expect(rec.ofType(DISTRIBUTION)).toHaveLength(2);
    const cdn = rec.one(DISTRIBUTION, "saas-platform-cdn-cdn");
    const names = appsOf(rec)["saas-platform"].dnsRecords.filter((r) => r.value === cdn.outputs.domainName).map((r) => r.name);
    expect(names.sort()).toEqual(["api.staging.saasplatform.io", "staging.saasplatform.io"]);
    expect(appsOf(rec)["avanii-shop"].dnsNote).toMatch(/certificateValidated is true/);
  });
});

describe("dns.certificateValidated in config", () => {
  const raw = (mutate: (apps: Record<string, any>) => void) => {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(loadStackFile("staging"))) if (k.startsWith("webapp-platform:")) out[k.slice("webapp-platform:".length)] = JSON.parse(JSON.stringify(v));
    mutate(out.apps);
    return out;
  };
  const problems = (mutate: (apps: Record<string, any>) => void) => {
    try {
      parseStackConfig(raw(mutate), "staging", "eu-west-1", { files: projectFiles() });
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it("defaults to false for external DNS", () => {
    const cfg = parseStackConfig(raw((apps) => { apps["avanii-shop"].dns = { mode: "external", registrar: "GoDaddy" }; }), "staging", "eu-west-1", { files: projectFiles() });
    expect(cfg.apps.find((a) => a.name === "avanii-shop")?.dns).toEqual({ mode: "external", registrar: "GoDaddy", certificateValidated: false });
  });

  it("is refused with route53, with single hosts and when not a boolean, naming the key", () => {
    expect(problems((apps) => { apps["avanii-shop"].dns.certificateValidated = true; })).toEqual([
      expect.stringMatching(/^webapp-platform:apps\.avanii-shop\.dns\.certificateValidated: only applies to dns\.mode external/),
    ]);
    expect(problems((apps) => { apps.flashbill.dns = { mode: "external", registrar: "GoDaddy", certificateValidated: false }; })).toEqual([
      expect.stringMatching(/^webapp-platform:apps\.flashbill\.dns\.certificateValidated: does not apply to single-host apps/),
    ]);
    expect(problems((apps) => { apps["avanii-shop"].dns = { mode: "external", registrar: "GoDaddy", certificateValidated: "yes" }; })).toEqual([
      expect.stringMatching(/^webapp-platform:apps\.avanii-shop\.dns\.certificateValidated: must be true or false/),
    ]);
  });
});
