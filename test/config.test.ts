import {
  APP_NAME_MAX, COMPOSED_IDENTIFIERS, ConfigError, PROFILES, ParseOptions, STACK_NAME_MAX, appNameMax, parseStackConfig, projectFiles,
} from "../config";
import { loadStackFile } from "./harness";

/** The stack file's config, without the project prefix, as loadStackConfig passes it. */
function rawConfig(stack: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(loadStackFile(stack))) {
    if (k.startsWith("webapp-platform:")) out[k.slice("webapp-platform:".length)] = JSON.parse(JSON.stringify(v));
  }
  return out;
}

/** Problems of a stack file's config after `mutate`, parsed as stack `stackName` (default: the file's). */
function problemsOf(
  mutate: (raw: Record<string, any>) => void, stack: string, region: string | undefined,
  options: ParseOptions = {}, stackName = stack,
): string[] {
  const raw = rawConfig(stack);
  mutate(raw);
  try {
    parseStackConfig(raw, stackName, region, options);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("the real stack files", () => {
  it.each(["staging", "prod"])("%s parses and declares all five seed apps", (stack) => {
    const cfg = parseStackConfig(rawConfig(stack), stack, "eu-west-1");
    expect(cfg.environment).toBe(stack);
    expect(cfg.apps.map((a) => [a.name, a.architecture]).sort()).toEqual([
      ["avanii-shop", "web-fleet"],
      ["flashbill", "single-host"],
      ["investment-platform", "spa-api"],
      ["saas-platform", "containers"],
      ["smartboostpro", "single-host"],
    ]);
  });

  it("applies the profile defaults and per-app overrides", () => {
    const staging = parseStackConfig(rawConfig("staging"), "staging", "eu-west-1");
    const prod = parseStackConfig(rawConfig("prod"), "prod", "eu-west-1");
    expect(staging.network).toEqual({ cidr: "10.20.0.0/16", azCount: 2, natStrategy: "single", flowLogRetentionDays: 14 });
    expect(prod.network).toEqual({ cidr: "10.10.0.0/16", azCount: 3, natStrategy: "perAz", flowLogRetentionDays: 90 });
    const saas = prod.apps.find((a) => a.name === "saas-platform")!;
    expect(saas.instanceType).toBe("m7i.large"); // override
    expect(saas.fleet).toEqual({ min: 2, desired: 3, max: 20 });
    expect(saas.database.readReplica).toBe(true);
    expect(saas.database.multiAz).toBe(true); // prod profile
    expect(saas.headers.frameOptions).toBe("DENY");
    const flashbill = prod.apps.find((a) => a.name === "flashbill")!;
    expect(flashbill.port).toBe(3000); // rust default
    expect(flashbill.database.maxConnections).toBe(200);
    const shop = staging.apps.find((a) => a.name === "avanii-shop")!;
    expect(shop.instanceType).toBe(PROFILES.staging.instanceTypes[0]);
    expect(shop.fleet).toEqual({ min: 1, desired: 1, max: 2 });
    expect(shop.database.backupRetentionDays).toBe(1);
    // External DNS starts staged: certificates requested, HTTPS held back until the records exist.
    expect(prod.apps.find((a) => a.name === "avanii-shop")!.dns).toEqual({ mode: "external", registrar: "GoDaddy", certificateValidated: false });
    expect(prod.apps.find((a) => a.name === "smartboostpro")!.www).toBe(true);
    expect(staging.apps.find((a) => a.name === "smartboostpro")!.www).toBe(false);
  });
});

describe("bad input fails with one message naming the full key and what is allowed", () => {
  const cases: [string, (raw: Record<string, any>) => void, RegExp, string][] = [
    ["malformed CIDR", (r) => { r.network.cidr = "10.20.0/16"; }, /webapp-platform:network\.cidr: "10\.20\.0\/16" is not an IPv4 CIDR/, "staging"],
    ["CIDR with host bits", (r) => { r.network.cidr = "10.20.5.0/16"; }, /network\.cidr: .*host bits set; did you mean 10\.20\.0\.0\/16/, "staging"],
    ["public CIDR", (r) => { r.network.cidr = "8.8.0.0/16"; }, /network\.cidr: .*not inside a private range/, "staging"],
    ["CIDR too large", (r) => { r.network.cidr = "10.0.0.0/8"; }, /network\.cidr: .*must be a \/16 to \/22/, "staging"],
    ["CIDR overlapping Docker's bridge", (r) => { r.network.cidr = "172.17.0.0/16"; }, /network\.cidr: .*overlaps Docker's default bridge 172\.17\.0\.0\/16/, "staging"],
    ["overlapping admin CIDRs", (r) => { r.adminCidrs = ["203.0.113.0/24", "203.0.113.128/25"]; }, /webapp-platform:adminCidrs\[1\]: "203\.0\.113\.128\/25" overlaps "203\.0\.113\.0\/24"/, "staging"],
    ["SSH open to the world", (r) => { r.adminCidrs = ["0.0.0.0/0"]; }, /adminCidrs\[0\]: .*must be \/16 or narrower/, "staging"],
    ["one AZ", (r) => { r.network.azCount = 1; }, /network\.azCount: must be 2 or 3, got 1: load balancers and database subnet groups need subnets in at least 2 AZs/, "staging"],
    ["NAT strategy misspelt", (r) => { r.network.natStrategy = "perAZ"; }, /network\.natStrategy: "perAZ" is not allowed \(did you mean "perAz"\?\); allowed: none, single, perAz/, "staging"],
    ["no NAT with private hosts", (r) => { r.network.natStrategy = "none"; }, /network\.natStrategy: "none" leaves the private hosts of app "investment-platform"/, "staging"],
    ["unknown environment", (r) => { r.environment = "production"; }, /webapp-platform:environment: "production" is not allowed; allowed: prod, staging/, "staging"],
    ["unknown architecture", (r) => { r.apps.flashbill.architecture = "serverless"; }, /apps\.flashbill\.architecture: "serverless" is not allowed; allowed: single-host, spa-api, containers, web-fleet/, "staging"],
    ["missing domain", (r) => { delete r.apps.smartboostpro.domain; }, /webapp-platform:apps\.smartboostpro\.domain: is required/, "staging"],
    ["domain not under the zone", (r) => { r.apps.smartboostpro.domain = "smartboost.pro"; }, /apps\.smartboostpro\.domain: "smartboost\.pro" is not in the hosted zone "smartboostpro\.com"/, "staging"],
    ["malformed domain", (r) => { r.apps.smartboostpro.domain = "Staging_SmartBoostPro.com"; }, /apps\.smartboostpro\.domain: .*not a lower-case DNS name/, "staging"],
    ["bad e-mail", (r) => { r.alertEmail = "oncall@"; }, /webapp-platform:alertEmail: "oncall@" is not an e-mail address/, "staging"],
    ["missing e-mail", (r) => { delete r.alertEmail; }, /webapp-platform:alertEmail: is required/, "staging"],
    ["missing artifact publishers", (r) => { delete r.artifactPublishers; }, /webapp-platform:artifactPublishers: is required: the GitHub Actions workflows that may publish releases/, "prod"],
    ["artifact publishers for every repository", (r) => { r.artifactPublishers = { subjects: ["repo:*"] }; }, /webapp-platform:artifactPublishers\.subjects\[0\]: "repo:\*" must be a GitHub Actions OIDC subject naming one repository: repo:<owner>\/<repo>:ref:refs\/heads\/<branch>/, "staging"],
    ["negative storage", (r) => { r.apps.flashbill.database.allocatedStorageGb = -20; }, /apps\.flashbill\.database\.allocatedStorageGb: must be a whole number from 20 to 16384, got -20/, "staging"],
    ["negative fleet size", (r) => { r.apps["avanii-shop"].fleet = { min: -1 }; }, /apps\.avanii-shop\.fleet\.min: must be a whole number from 1 to 100, got -1/, "staging"],
    ["fleet min above max", (r) => { r.apps["avanii-shop"].fleet = { min: 3, desired: 3, max: 2 }; }, /apps\.avanii-shop\.fleet\.desired: must satisfy min <= desired <= max/, "staging"],
    ["instance type the environment forbids", (r) => { r.apps.smartboostpro.instanceType = "m6i.4xlarge"; }, /apps\.smartboostpro\.instanceType: "m6i\.4xlarge" is not allowed in staging; allowed: t3\.small, /, "staging"],
    ["database class the environment forbids", (r) => { r.apps.flashbill.database.instanceClass = "db.r7g.xlarge"; }, /apps\.flashbill\.database\.instanceClass: "db\.r7g\.xlarge" is not allowed in staging; allowed: db\.t4g\.micro/, "staging"],
    ["a + in a container app's version", (r) => { r.apps["saas-platform"].appVersion = "3.1.0+build.7"; }, /apps\.saas-platform\.appVersion: "3\.1\.0\+build\.7" becomes a Docker image tag, which allows letters, digits and _ \. - only \(no \+\)/, "prod"],
    ["a CSP longer than CloudFront takes", (r) => { r.apps["saas-platform"].headers.contentSecurityPolicy = `default-src 'self'; ${"img-src https:; ".repeat(120)}`; }, /apps\.saas-platform\.headers\.contentSecurityPolicy: is \d+ characters; CloudFront accepts at most 1783/, "prod"],
    ["prod cache without snapshots", (r) => { r.apps["saas-platform"].cache.snapshotRetentionDays = 0; }, /apps\.saas-platform\.cache\.snapshotRetentionDays: prod keeps cache snapshots at least 1 day, got 0/, "prod"],
    ["cache node type the environment forbids", (r) => { r.apps.flashbill.cache.nodeType = "cache.r7g.large"; }, /apps\.flashbill\.cache\.nodeType: "cache\.r7g\.large" is not allowed in staging/, "staging"],
    ["unknown top-level key (typo)", (r) => { r.alertEmial = "x@y.com"; }, /webapp-platform:alertEmial: unknown key; did you mean "alertEmail"\?/, "staging"],
    ["unknown app key (typo)", (r) => { r.apps.flashbill.heathCheckPath = "/h"; }, /apps\.flashbill\.heathCheckPath: unknown key; did you mean "healthCheckPath"\?/, "staging"],
    ["unknown database key (typo)", (r) => { r.apps.flashbill.database.multiAZ = true; }, /apps\.flashbill\.database\.multiAZ: unknown key; did you mean "multiAz"\?/, "staging"],
    ["no apps", (r) => { r.apps = {}; }, /webapp-platform:apps: is required/, "staging"],
    ["bad app name", (r) => { r.apps.Shop = r.apps["avanii-shop"]; delete r.apps["avanii-shop"]; }, /apps\.Shop: app names are 2-20 characters/, "staging"],
    ["secret written into env", (r) => { r.apps["avanii-shop"].env.SECRET_KEY = "830e5b889"; }, /apps\.avanii-shop\.env\.SECRET_KEY: looks like a secret; secrets are generated, never written in config/, "staging"],
    ["settings in Secrets Manager with no settings", (r) => { r.apps.flashbill.envInSecretsManager = true; }, /apps\.flashbill\.envInSecretsManager: is true but webapp-platform:apps\.flashbill\.env is empty: there is nothing to store/, "staging"],
    ["unknown secret kind", (r) => { r.apps.flashbill.secrets = ["PAYPAL_KEY"]; }, /apps\.flashbill\.secrets\[0\]: "PAYPAL_KEY" is not a known secret; allowed: DJANGO_SECRET_KEY/, "staging"],
    ["CSP that would break out of the nginx directive", (r) => { r.apps.flashbill.headers.contentSecurityPolicy = "default-src 'self'\"; return 200"; }, /apps\.flashbill\.headers\.contentSecurityPolicy: may contain only/, "staging"],
    ["frame options misspelt", (r) => { r.apps.flashbill.headers.frameOptions = "SAME-ORIGIN"; }, /headers\.frameOptions: "SAME-ORIGIN" is not allowed \(did you mean "SAMEORIGIN"\?\)/, "staging"],
    ["HSTS shorter than a year", (r) => { r.apps.flashbill.headers.hstsMaxAgeSeconds = 86400; }, /headers\.hstsMaxAgeSeconds: must be a whole number from 31536000/, "staging"],
    ["log retention CloudWatch does not offer", (r) => { r.logRetentionDays = 10; }, /webapp-platform:logRetentionDays: 10 is not a CloudWatch Logs retention; allowed: 1, 3, 5, 7, 14/, "staging"],
    ["containers app without images", (r) => { delete r.apps["saas-platform"].containers; }, /apps\.saas-platform\.containers: is required for the containers architecture/, "staging"],
    ["reserved tag", (r) => { r.tags.environment = "qa"; }, /webapp-platform:tags\.environment: is set by the program/, "staging"],
    ["tag value with a character ELB and RDS refuse", (r) => { r.tags.owner = "team#7"; }, /webapp-platform:tags\.owner: "owner: team#7" has a character AWS refuses in tags; allowed: letters, digits, spaces and _ \. : \/ = \+ - @/, "staging"],
    ["tag key longer than EC2 takes", (r) => { r.tags["k".repeat(128)] = "v"; }, /tag keys are at most 127 characters/, "staging"],
    ["two apps on one domain", (r) => { r.apps.flashbill.domain = "staging.smartboostpro.com"; r.apps.flashbill.dns.zone = "smartboostpro.com"; }, /apps\.flashbill\.domain: "staging\.smartboostpro\.com" is already served by app "smartboostpro"/, "staging"],
    ["port that is not a number", (r) => { r.apps.flashbill.port = "three thousand"; }, /apps\.flashbill\.port: must be a whole number from 1024 to 65535/, "staging"],
    ["prod backups shorter than 14 days", (r) => { r.apps.flashbill.database.backupRetentionDays = 7; }, /apps\.flashbill\.database\.backupRetentionDays: prod keeps automated backups at least 14 days/, "prod"],
    ["prod cache with one node", (r) => { r.apps.flashbill.cache.numNodes = 1; }, /apps\.flashbill\.cache\.numNodes: prod caches run at least 2 nodes for automatic failover/, "prod"],
    ["prod fleet of one", (r) => { r.apps["avanii-shop"].fleet = { min: 1 }; }, /apps\.avanii-shop\.fleet\.min: prod fleets run at least 2 instances/, "prod"],
    ["prod database without Multi-AZ", (r) => { r.apps.flashbill.database.multiAz = false; }, /apps\.flashbill\.database\.multiAz: prod databases run Multi-AZ/, "prod"],
  ];

  it.each(cases)("%s", (_label, mutate, expected, stack) => {
    const problems = problemsOf(mutate, stack, "eu-west-1");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it("reports a missing or malformed region by its key", () => {
    expect(problemsOf(() => undefined, "staging", undefined)).toEqual(["aws:region: is required (for example eu-west-1)"]);
    expect(problemsOf(() => undefined, "staging", "Ireland")[0]).toMatch(/^aws:region: "Ireland" is not an AWS region name/);
  });

  it("collects every problem into one error, so a user fixes them in one pass", () => {
    const raw = rawConfig("staging");
    raw.environment = "qa";
    raw.alertEmail = "nobody";
    expect(() => parseStackConfig(raw, "staging", "eu-west-1")).toThrow(/2 problems[\s\S]*environment[\s\S]*alertEmail/);
  });
});

/** Renames an app of the stack file (keeping its settings), as a user would. */
const rename = (from: string, to: string) => (r: Record<string, any>) => {
  r.apps[to] = r.apps[from];
  delete r.apps[from];
};

describe("names AWS would refuse fail at once, naming the config key and what is allowed", () => {
  it("derives the name limits from the identifiers the program composes", () => {
    // The load balancer name `<app>-alb-xxxxxxx` (32) sets the app limit; the ElastiCache id
    // `<stack>-<app>` (34 = 40 less "-final") the stack limit, with a 2-character app.
    expect(APP_NAME_MAX).toBe(20);
    expect(STACK_NAME_MAX).toBe(31);
    expect(appNameMax("staging")).toBe(20);
    expect(appNameMax("production-eu-west-1")).toBe(13);
    expect(COMPOSED_IDENTIFIERS.map((i) => i.pattern)).toContain("{app}-alb-xxxxxxx");
  });

  const cases: [string, (raw: Record<string, any>) => void, RegExp][] = [
    ["two hyphens in a row", rename("avanii-shop", "a--b"),
      /^webapp-platform:apps\.a--b: app names are 2-20 characters: lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit .*; "a--b" has two hyphens in a row$/],
    ["a trailing hyphen", rename("avanii-shop", "shop-"), /^webapp-platform:apps\.shop-: app names are 2-20 characters: .*; "shop-" ends with a hyphen$/],
    ["a leading digit", rename("avanii-shop", "2shop"), /^webapp-platform:apps\.2shop: app names are 2-20 .*; "2shop" does not start with a letter$/],
    ["an underscore", rename("avanii-shop", "avanii_shop"), /^webapp-platform:apps\.avanii_shop: app names are .*; "avanii_shop" has "_"$/],
    ["a one-letter name", rename("avanii-shop", "a"), /^webapp-platform:apps\.a: app names are 2-20 .*; "a" is 1 character$/],
    ["a prefix load balancer names may not have", rename("avanii-shop", "internal-shop"),
      /^webapp-platform:apps\.internal-shop: .*; "internal-shop" starts with "internal-", which load balancer names may not$/],
    ["a name longer than the load balancer name allows", rename("avanii-shop", "avanii-shop-storefron"),
      /^webapp-platform:apps\.avanii-shop-storefron: is too long: it gives the load balancer name \(autonamed `<app>-alb`, components\/app-fleet\.ts\) "avanii-shop-storefron-alb-xxxxxxx", 33 characters where AWS allows 32\. App names are at most 20 characters$/],
    ["a container name ECR would refuse", (r) => { r.apps["saas-platform"].containers[0].name = "back--end"; },
      /^webapp-platform:apps\.saas-platform\.containers\[0\]\.name: "back--end" must be 2-31 characters: lower-case letters, digits and single hyphens/],
    ["two containers with one name", (r) => { r.apps["saas-platform"].containers[1].name = "backend"; },
      /^webapp-platform:apps\.saas-platform\.containers\[1\]\.name: "backend" is used twice/],
    ["an API domain label ending with a hyphen", (r) => { r.apps["investment-platform"].apiDomain = "api-.staging.investplatform.app"; },
      /^webapp-platform:apps\.investment-platform\.apiDomain: "api-\.staging\.investplatform\.app" is not a lower-case DNS name like shop\.example\.com \(labels of letters, digits and hyphens \(not starting or ending with one/],
    ["a domain whose origin name is too long for an ACM certificate", (r) => { r.apps["saas-platform"].domain = `${"x".repeat(44)}.saasplatform.io`; },
      /^webapp-platform:apps\.saas-platform\.domain: "origin\.x{44}\.saasplatform\.io" is 67 characters: it is the first name of the origin load balancer's ACM certificate, whose Common Name AWS limits to 64 characters/],
  ];

  it.each(cases)("%s", (_label, mutate, expected) => {
    const problems = problemsOf(mutate, "staging", "eu-west-1");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it("accepts an app name of exactly the limit, and a 60-character domain where no certificate needs more", () => {
    expect(problemsOf(rename("avanii-shop", "avanii-shop-storefro"), "staging", "eu-west-1")).toEqual([]);
    expect(problemsOf((r) => { r.apps["saas-platform"].domain = `${"x".repeat(41)}.saasplatform.io`; }, "staging", "eu-west-1")).toEqual([]);
  });

  it("rejects an app name a long stack name makes too long, naming the app key and the stack's limit", () => {
    const problems = problemsOf(() => undefined, "prod", "eu-west-1", {}, "production-eu-west-1");
    expect(problems).toEqual([
      'webapp-platform:apps.investment-platform: is too long: it gives the ElastiCache replication group id `<stack>-<app>` with the `-final` of its final snapshot (components/redis.ts) "production-eu-west-1-investment-platform-final", 46 characters where AWS allows 40. In stack "production-eu-west-1" app names are at most 13 characters',
    ]);
  });

  const stacks: [string, string, RegExp][] = [
    ["upper case", "Staging", /has upper-case letters$/],
    ["a period", "staging.eu", /has "\."$/],
    ["two hyphens", "stag--ing", /has two hyphens in a row$/],
    ["a prefix SSM documents may not have", "aws-staging", /starts with "aws", which SSM document names may not$/],
    ["another prefix SSM reserves", "amzn-qa", /starts with "amzn", which SSM document names may not$/],
    ["too long", "s".repeat(32), /is 32 characters$/],
  ];
  it.each(stacks)("rejects a stack name with %s, naming it once", (_label, stack, expected) => {
    const problems = problemsOf(() => undefined, "staging", "eu-west-1", {}, stack);
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(`stack "${stack}" (pulumi stack name): stack names become part of AWS identifiers`)).toBe(true);
    expect(problems[0]).toMatch(/lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit, at most 31 characters, not starting with aws, amazon or amzn/);
    expect(problems[0]).toMatch(expected);
  });

  it("accepts a stack name of exactly the limit", () => {
    // With a 31-character stack only 2-character apps fit the ElastiCache id: rename them all.
    const short = (r: Record<string, any>) => {
      Object.keys(r.apps).forEach((name, i) => rename(name, `a${i}`)(r));
    };
    expect(problemsOf(short, "staging", "eu-west-1", {}, "s".repeat(31))).toEqual([]);
  });
});

describe("a containers app's release command (its migrations)", () => {
  const parsed = (mutate: (raw: Record<string, any>) => void) => {
    const raw = rawConfig("staging");
    mutate(raw);
    return parseStackConfig(raw, "staging", "eu-west-1").apps.find((a) => a.name === "saas-platform")!.containers;
  };

  it("is the stack file's on the backend, and nothing on the frontend", () => {
    expect(parsed(() => undefined).map((c) => [c.name, c.releaseCommand])).toEqual([["backend", ["python", "release.py"]], ["frontend", undefined]]);
  });

  it("defaults to Django's migrate on the service at the app's port of a django app with a database", () => {
    const c = parsed((r) => { delete r.apps["saas-platform"].containers[0].releaseCommand; });
    expect(c.map((x) => [x.name, x.releaseCommand])).toEqual([["backend", ["python", "manage.py", "migrate", "--noinput"]], ["frontend", undefined]]);
    const noDb = parsed((r) => { delete r.apps["saas-platform"].containers[0].releaseCommand; r.apps["saas-platform"].database = { enabled: false }; r.apps["saas-platform"].cache = { enabled: false }; });
    expect(noDb.every((x) => x.releaseCommand === undefined)).toBe(true);
  });

  it("is refused empty, without a database, or on two services, naming the key", () => {
    expect(problemsOf((r) => { r.apps["saas-platform"].containers[0].releaseCommand = []; }, "staging", "eu-west-1")).toEqual([
      "webapp-platform:apps.saas-platform.containers[0].releaseCommand: must be a non-empty list of arguments (strings), e.g. [python, manage.py, migrate, --noinput]",
    ]);
    expect(problemsOf((r) => { r.apps["saas-platform"].database = { enabled: false }; }, "staging", "eu-west-1")).toContain(
      "webapp-platform:apps.saas-platform.containers[0].releaseCommand: needs the app's database: the release runs under a lock in it (database.enabled)",
    );
    expect(problemsOf((r) => { r.apps["saas-platform"].containers[1].releaseCommand = ["true"]; }, "staging", "eu-west-1")).toEqual([
      "webapp-platform:apps.saas-platform.containers: name a releaseCommand on one service only: a release migrates once",
    ]);
  });
});

describe("container build contexts must exist in the project", () => {
  const files = { files: projectFiles() };

  it.each(["staging", "prod"])("%s: every context and Dockerfile exists", (stack) => {
    expect(problemsOf(() => undefined, stack, "eu-west-1", files)).toEqual([]);
  });

  it("a missing context directory is an error naming the key", () => {
    expect(problemsOf((r) => { r.apps["saas-platform"].containers[0].context = "test/fixtures/saas-app/api"; }, "staging", "eu-west-1", files)).toEqual([
      'webapp-platform:apps.saas-platform.containers[0].context: directory "test/fixtures/saas-app/api" is missing: build contexts are directories relative to the project root (where Pulumi.yaml is)',
    ]);
  });

  it("a context that is a file, not a directory, is an error too", () => {
    expect(problemsOf((r) => { r.apps["saas-platform"].containers[1].context = "test/fixtures/saas-app/README.md"; }, "staging", "eu-west-1", files)[0])
      .toMatch(/^webapp-platform:apps\.saas-platform\.containers\[1\]\.context: directory "test\/fixtures\/saas-app\/README\.md" is missing/);
  });

  it("a missing Dockerfile is an error naming the dockerfile key", () => {
    expect(problemsOf((r) => { r.apps["saas-platform"].containers[0].dockerfile = "Dockerfile.prod"; }, "staging", "eu-west-1", files)).toEqual([
      'webapp-platform:apps.saas-platform.containers[0].dockerfile: "Dockerfile.prod" is not a file in the build context "test/fixtures/saas-app/backend"',
    ]);
  });

  it("a path leaving the project is refused before the file system is asked", () => {
    const asked: string[] = [];
    const spy = { files: { isDirectory: (p: string) => { asked.push(p); return true; }, isFile: (p: string) => { asked.push(p); return true; } } };
    expect(problemsOf((r) => { r.apps["saas-platform"].containers[0].context = "../elsewhere"; }, "staging", "eu-west-1", spy)).toEqual([
      'webapp-platform:apps.saas-platform.containers[0].context: "../elsewhere" must be a relative path inside the project, without ..',
    ]);
    expect(asked).not.toContain("../elsewhere");
  });

  it("without a file check (the default) parsing does no I/O and accepts any context", () => {
    expect(problemsOf((r) => { r.apps["saas-platform"].containers[0].context = "test/fixtures/saas-app/api"; }, "staging", "eu-west-1")).toEqual([]);
  });
});
