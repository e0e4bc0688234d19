/**
 * The rehearsal's pure parts: decoding and grouping host documents, addressing, the IMDSv2
 * stand-in's token rules and answers, the package proxy's decisions, apt sources parsing and
 * the table. No containers, no processes, no network.
 */
import * as zlib from "zlib";
import { addressing, decodeUserData, groupDocuments, hashDocument, HostDocument, selectDocuments } from "../../tools/rehearsal/hostdocs";
import { handleImds, InstanceIdentity, instanceIdFor, macFor, metadataTree, TokenStore } from "../../tools/rehearsal/imds";
import { parseAptSources } from "../../tools/rehearsal/mirror";
import { decide } from "../../tools/rehearsal/proxy";
import { renderTable, rowsFor } from "../../tools/rehearsal/report";
import { parseArgs } from "../../tools/rehearsal/index";

const CLOUD_CONFIG = "#cloud-config\npackages:\n  - nginx\n";

function doc(resource: string, text: string, app = resource): HostDocument {
  return {
    kind: "fleet", resource, type: "aws:ec2/launchTemplate:LaunchTemplate", app, userData: text, gzip: false, raw: Buffer.from(text),
    hash: hashDocument(text), region: "eu-west-1", availabilityZone: "eu-west-1a", instanceType: "t3.small", imageId: "ami-1",
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled", instanceMetadataTags: "disabled" },
  };
}

describe("host documents", () => {
  test("base64 and base64+gzip decode to the exact text; plain user data passes through", () => {
    const plain = Buffer.from(CLOUD_CONFIG).toString("base64");
    const gz = zlib.gzipSync(Buffer.from(CLOUD_CONFIG)).toString("base64");
    expect(decodeUserData(plain)).toMatchObject({ text: CLOUD_CONFIG, gzip: false });
    const d = decodeUserData(gz);
    expect(d).toMatchObject({ text: CLOUD_CONFIG, gzip: true });
    expect(d.raw.toString("base64")).toBe(gz); // IMDS serves the stored bytes
    expect(decodeUserData(CLOUD_CONFIG, false).text).toBe(CLOUD_CONFIG);
    expect(() => decodeUserData("#cloud-config not base64!")).toThrow(/base64/);
  });

  test("identical documents form one group that boots once; different ones boot apart", () => {
    const groups = groupDocuments([doc("a-lt", CLOUD_CONFIG), doc("b-lt", CLOUD_CONFIG + "# b\n"), doc("c-lt", CLOUD_CONFIG)]);
    expect(groups.map((g) => [g.boot.resource, g.members.map((m) => m.resource)])).toEqual([
      ["a-lt", ["a-lt", "c-lt"]],
      ["b-lt", ["b-lt"]],
    ]);
  });

  test("--app selects by app or resource and names the choices when nothing matches", () => {
    const docs = [doc("shop-lt", "x", "shop"), doc("blog-host", "y", "blog")];
    expect(selectDocuments(docs, "blog").map((d) => d.resource)).toEqual(["blog-host"]);
    expect(selectDocuments(docs).length).toBe(2);
    expect(() => selectDocuments(docs, "nope")).toThrow(/shop, blog/);
  });

  test("a host gets a private address in its subnet, never AWS's reserved ones, and the subnet router", () => {
    expect(addressing("10.20.0.0/20", 0)).toEqual({ host: "10.20.0.10", gateway: "10.20.0.1", prefix: 20 });
    expect(addressing("10.20.64.0/20", 3)).toEqual({ host: "10.20.64.13", gateway: "10.20.64.1", prefix: 20 });
    expect(addressing(undefined, 2)).toEqual({ host: "172.31.2.10", gateway: "172.31.2.1", prefix: 24 });
  });
});

describe("IMDSv2 stand-in", () => {
  const id: InstanceIdentity = {
    instanceId: instanceIdFor("x"), accountId: "123456789012", region: "eu-west-1", availabilityZone: "eu-west-1a",
    privateIp: "10.20.0.10", localHostname: "ip-10-20-0-10.eu-west-1.compute.internal", mac: macFor("x"),
    subnetCidr: "10.20.0.0/20", vpcCidr: "10.20.0.0/16", instanceType: "t3.small", imageId: "ami-1", role: "app-role",
    httpTokens: "required", httpEndpoint: "enabled", instanceMetadataTags: "disabled",
    userDataBase64: Buffer.from(CLOUD_CONFIG).toString("base64"), pendingTime: "2025-01-01T00:00:00Z",
  };
  const get = (path: string, headers: Record<string, string> = {}, tokens = new TokenStore(), who = id.privateIp) =>
    handleImds({ method: "GET", path, headers }, id, tokens, who);
  const token = (tokens: TokenStore, ttl = "21600", extra: Record<string, string> = {}) =>
    handleImds({ method: "PUT", path: "/latest/api/token", headers: { "x-aws-ec2-metadata-token-ttl-seconds": ttl, ...extra } }, id, tokens, id.privateIp);

  test("a token comes from PUT with a TTL in 1..21600; not with X-Forwarded-For, not from GET", () => {
    const tokens = new TokenStore();
    const ok = token(tokens);
    expect(ok.status).toBe(200);
    expect(ok.headers["x-aws-ec2-metadata-token-ttl-seconds"]).toBe("21600");
    expect(token(tokens, "0").status).toBe(400);
    expect(token(tokens, "21601").status).toBe(400);
    expect(token(tokens, "60", { "x-forwarded-for": "1.2.3.4" }).status).toBe(403);
    expect(get("/latest/api/token").status).toBe(405);
  });

  test("with httpTokens=required: 401 without or with a wrong, expired or other instance's token", () => {
    const tokens = new TokenStore();
    expect(get("/latest/meta-data/instance-id", {}, tokens).status).toBe(401);
    expect(get("/latest/meta-data/instance-id", { "x-aws-ec2-metadata-token": "forged" }, tokens).status).toBe(401);
    const t = token(tokens, "1").body as string;
    expect(get("/latest/meta-data/instance-id", { "x-aws-ec2-metadata-token": t }, tokens)).toMatchObject({ status: 200, body: id.instanceId });
    expect(get("/latest/meta-data/instance-id", { "x-aws-ec2-metadata-token": t }, tokens, "10.20.0.11").status).toBe(401);
    expect(handleImds({ method: "GET", path: "/latest/meta-data/instance-id", headers: { "x-aws-ec2-metadata-token": t } }, id, tokens, id.privateIp, Date.now() + 2000).status).toBe(401);
  });

  test("httpTokens=optional answers IMDSv1 GETs", () => {
    expect(handleImds({ method: "GET", path: "/latest/meta-data/instance-id", headers: {} }, { ...id, httpTokens: "optional" }, new TokenStore(), id.privateIp).status).toBe(200);
  });

  test("serves identity, placement, address, role credentials and user data; 404 elsewhere", () => {
    const tokens = new TokenStore();
    const h = { "x-aws-ec2-metadata-token": token(tokens).body as string };
    const body = (p: string) => String(get(p, h, tokens).body);
    expect(body("/latest/meta-data/placement/region")).toBe("eu-west-1");
    expect(body("/latest/meta-data/placement/availability-zone")).toBe("eu-west-1a");
    expect(body("/latest/meta-data/local-ipv4")).toBe("10.20.0.10");
    expect(JSON.parse(body("/latest/dynamic/instance-identity/document"))).toMatchObject({ region: "eu-west-1", instanceId: id.instanceId, privateIp: "10.20.0.10", accountId: "123456789012" });
    expect(body("/latest/meta-data/iam/security-credentials/")).toBe("app-role");
    const creds = JSON.parse(body("/latest/meta-data/iam/security-credentials/app-role"));
    expect(creds).toMatchObject({ Code: "Success", Type: "AWS-HMAC" });
    expect(creds.AccessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(new Date(creds.Expiration).getTime()).toBeGreaterThan(Date.now());
    expect(body("/latest/user-data")).toBe(CLOUD_CONFIG);
    expect(body("/latest/meta-data/")).toContain("instance-id");
    expect(body("/latest/meta-data/")).toContain("placement/");
    expect(get("/latest/meta-data/tags/instance/Name", h, tokens).status).toBe(404); // instanceMetadataTags disabled
    expect(get("/latest/meta-data/nope", h, tokens).status).toBe(404);
    expect(metadataTree({ ...id, role: undefined }).has("meta-data/iam/info")).toBe(false);
  });

  test("an address no rehearsed host has gets nothing; httpEndpoint=disabled answers 403", () => {
    expect(handleImds({ method: "GET", path: "/latest/meta-data/", headers: {} }, undefined, new TokenStore(), "10.9.9.9").status).toBe(404);
    expect(handleImds({ method: "PUT", path: "/latest/api/token", headers: {} }, { ...id, httpEndpoint: "disabled" }, new TokenStore(), id.privateIp).status).toBe(403);
  });

  test("instance ids and MACs have EC2's shapes", () => {
    expect(instanceIdFor("a")).toMatch(/^i-[0-9a-f]{17}$/);
    expect(macFor("a")).toMatch(/^06(:[0-9a-f]{2}){5}$/);
  });
});

describe("package proxy", () => {
  const mirrors = ["deb.debian.org"];
  test("forwards plain-HTTP GET/HEAD to the machine's Debian mirrors only, caches pool files", () => {
    expect(decide("GET", "http://deb.debian.org/debian/pool/main/n/nginx/nginx_1.26_amd64.deb", mirrors)).toEqual({ allow: true, reason: "mirror", cacheable: true });
    expect(decide("GET", "http://deb.debian.org/debian/dists/trixie/InRelease", mirrors).cacheable).toBe(false);
    expect(decide("HEAD", "http://deb.debian.org/debian/pool/x.deb", mirrors)).toMatchObject({ allow: true, cacheable: false });
  });
  test("refuses HTTPS tunnels, other hosts and other methods", () => {
    expect(decide("CONNECT", "amazoncloudwatch-agent-eu-west-1.s3.eu-west-1.amazonaws.com:443", mirrors).allow).toBe(false);
    expect(decide("GET", "http://archive.ubuntu.com/ubuntu/dists/noble/InRelease", mirrors).allow).toBe(false);
    expect(decide("POST", "http://deb.debian.org/debian/x", mirrors).allow).toBe(false);
    expect(decide("GET", "/relative", mirrors).allow).toBe(false);
  });
});

describe("apt sources", () => {
  test("deb822 and one-line sources", () => {
    const deb822 = "Types: deb\n# comment\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb-src\nURIs: http://x\nSuites: y\n";
    expect(parseAptSources(deb822, true)).toEqual([{ uri: "http://deb.debian.org/debian", suites: ["bookworm", "bookworm-updates"], components: ["main"] }]);
    expect(parseAptSources("deb [arch=amd64] http://m/debian trixie main contrib\n# deb http://no x y\n", false)).toEqual([{ uri: "http://m/debian", suites: ["trixie"], components: ["main", "contrib"] }]);
  });
});

describe("table and arguments", () => {
  test("a failed unit or an unfinished cloud-init is a FAIL row; deprecations are info", () => {
    const g = groupDocuments([doc("a-lt", "x")])[0];
    const rows = rowsFor({
      group: g, proxy: [{ status: 403, url: "x:443" }], imds: [],
      boot: { cloudInitDone: true, cloudInitSeconds: 42, errors: [], recoverable: { DEPRECATED: ["old key"] }, status: { status: "done", extended_status: "done" }, failedUnits: ["nginx.service loaded failed failed"], outputProblems: [], files: [], systemState: "degraded" },
    });
    const byProbe = Object.fromEntries(rows.map((r) => [r.probe, r.result]));
    expect(byProbe).toMatchObject({ "cloud-init finished": "pass", "cloud-init status": "pass", "cloud-init errors": "pass", "cloud-init deprecations": "info", "failed units": "FAIL" });
    const unfinished = rowsFor({ group: g, proxy: [], imds: [], boot: { cloudInitDone: false, errors: [], recoverable: {}, failedUnits: [], outputProblems: [], files: [], bootError: "timeout" } });
    expect(unfinished[0]).toMatchObject({ probe: "cloud-init finished", result: "FAIL", detail: "timeout" });
    expect(renderTable(rows).split("\n")[0]).toMatch(/^host\s+\| probe\s+\| result \| detail$/);
  });
  test("arguments", () => {
    expect(parseArgs(["--stack", "prod", "--app", "shop", "--skip-unavailable"])).toMatchObject({ stack: "prod", app: "shop", skipUnavailable: true, timeout: 900 });
    expect(() => parseArgs([])).toThrow(/--stack is required/);
    expect(() => parseArgs(["--stack"])).toThrow(/needs a value/);
    expect(() => parseArgs(["--stack", "x", "--bogus"])).toThrow(/unknown argument/);
  });
});

describe("DNS stand-in", () => {
  test("reads the question and answers REFUSED with it echoed", () => {
    const { dnsQuestion, dnsRefused } = require("../../tools/rehearsal/router");
    const name = "secretsmanager.eu-west-1.amazonaws.com";
    const qname = Buffer.concat([...name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
    const query = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), qname, Buffer.from([0, 1, 0, 1])]);
    const q = dnsQuestion(query);
    expect(q).toMatchObject({ id: 0x1234, name, type: 1 });
    const a: Buffer = dnsRefused(query, q.end);
    expect(a.readUInt16BE(0)).toBe(0x1234);
    expect(a[2] & 0x80).toBe(0x80); // a response
    expect(a[3] & 0x0f).toBe(5); // REFUSED
    expect(a.readUInt16BE(4)).toBe(1);
    expect(dnsQuestion(Buffer.from([1, 2, 3]))).toBeUndefined();
  });
});

describe("Ubuntu package names", () => {
  const { cloudConfigPackages, controlFor, ubuntuOnly } = require("../../tools/rehearsal/ubuntu-names");
  test("finds the Ubuntu-only names a cloud-config installs", () => {
    const ud = '#cloud-config\npackages:\n  - "nginx"\n  - "docker-compose-v2"\n  - [libpq-dev, "15.*"]\n';
    expect(cloudConfigPackages(ud)).toEqual(["nginx", "docker-compose-v2", "libpq-dev"]);
    expect(ubuntuOnly(ud)).toEqual([expect.objectContaining({ ubuntu: "docker-compose-v2", debian: "docker-compose" })]);
    expect(cloudConfigPackages("#!/bin/bash\napt-get install x\n")).toEqual([]);
  });
  test("the transitional package depends on Debian's", () => {
    const c = controlFor("docker-compose-v2", "docker-compose", "why");
    expect(c).toMatch(/^Package: docker-compose-v2\n/);
    expect(c).toContain("\nDepends: docker-compose\n");
    expect(c).toContain("\nArchitecture: all\n");
  });
});

describe("boot times per kind", () => {
  test("slowest and fastest boot per host kind", () => {
    const { bootTimeRows } = require("../../tools/rehearsal/report");
    const boot = (s?: number) => ({ cloudInitDone: s !== undefined, cloudInitSeconds: s, errors: [], recoverable: {}, failedUnits: [], outputProblems: [], files: [] });
    const single = groupDocuments([{ ...doc("a-host", "a"), kind: "single-host" as const }])[0];
    const fleet = groupDocuments([doc("b-lt", "b")])[0];
    const rows = bootTimeRows([
      { group: single, boot: boot(60), proxy: [], imds: [] },
      { group: fleet, boot: boot(30), proxy: [], imds: [] },
      { group: fleet, boot: boot(40), proxy: [], imds: [] },
      { group: fleet, boot: boot(undefined), proxy: [], imds: [] },
    ]);
    expect(rows.map((r: { host: string; probe: string; detail: string }) => [r.host, r.probe, r.detail])).toEqual([
      ["(single-host)", "boot to cloud-init done", "max 60 s, min 60 s over 1 host"],
      ["(single-host)", "boot to healthy", "never healthy"],
      ["(fleet)", "boot to cloud-init done", "max 40 s, min 30 s over 2 hosts"],
      ["(fleet)", "boot to healthy", "never healthy"],
    ]);
  });
});
