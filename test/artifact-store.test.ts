/**
 * The platform's artifact store on both real stacks: one private, versioned, TLS-only bucket
 * whose only writer is the publisher role, each app's hosts reading their own prefix only, the
 * default artifactUrl pointing into it, an explicit URL honoured and granted exactly, and no
 * recorded input naming a bucket the stack does not create.
 */
import { gunzipSync } from "zlib";
import { ConfigError, parseStackConfig } from "../config";
import { RecordedResource, Recording, loadStackFile, recordStack } from "./harness";
import { ACCOUNT_ID } from "./harness/outputs";

const STORE = "webapp-platform:storage:ArtifactStore";
const BUCKET = "aws:s3/bucket:Bucket";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const INSTANCE = "aws:ec2/instance:Instance";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const STACKS = ["staging", "prod"] as const;
const GH = "token.actions.githubusercontent.com";

interface Stmt { Sid?: string; Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> }
const actions = (s: Stmt) => [s.Action].flat();
const resources = (s: Stmt) => [s.Resource ?? []].flat();
const statementsOf = (policy: string): Stmt[] => [JSON.parse(policy).Statement].flat();

/** The apps of a stack file as written (not as parsed): name -> raw settings. */
function rawApps(stack: string): Record<string, Record<string, any>> {
  return loadStackFile(stack)["webapp-platform:apps"] as Record<string, Record<string, any>>;
}

const recordings: Record<string, Recording> = {};
beforeAll(async () => {
  for (const s of STACKS) recordings[s] = await recordStack(s);
}, 120_000);

function store(rec: Recording) {
  const component = rec.one(STORE);
  const below = rec.descendants(component.urn);
  const of = (type: string) => below.filter((r) => r.type === type);
  const bucket = of(BUCKET);
  expect(bucket).toHaveLength(1);
  const companion = (type: string) => {
    const hits = rec.ofType(type).filter((r) => r.inputs.bucket === bucket[0].id);
    expect(hits).toHaveLength(1);
    return hits[0];
  };
  return { component, bucket: bucket[0], role: of(ROLE)[0], rolePolicy: of(ROLE_POLICY)[0], companion };
}

/** The app's architecture component and everything below it. */
function appResources(rec: Recording, app: string): RecordedResource[] {
  const root = rec.resources.find((r) => r.type.startsWith("webapp-platform:architecture:") && r.name === app)!;
  return [root, ...rec.descendants(root.urn)];
}

/** Every statement of the IAM role policies below the app (its hosts' instance policies). */
function hostStatements(rec: Recording, app: string): Stmt[] {
  return appResources(rec, app).filter((r) => r.type === ROLE_POLICY).flatMap((p) => statementsOf(p.inputs.policy));
}

function userDataOf(r: RecordedResource): string {
  const raw = r.type === LT ? r.inputs.userData : r.inputs.userDataBase64;
  const bytes = Buffer.from(raw, "base64");
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
}

/** The deploy script's artifact URL of the app's host document, with its version filled in. */
function fetchedUrl(rec: Recording, app: string): string | undefined {
  const host = appResources(rec, app).find((r) => r.type === INSTANCE || r.type === LT)!;
  const doc = userDataOf(host);
  const t = /readonly URL_TEMPLATE='([^']+)'/.exec(doc);
  const v = /readonly VERSION="\$\{1:-([^}"]+)\}"/.exec(doc);
  return t && v ? t[1].replace("@VERSION@", v[1]) : undefined;
}

describe.each(STACKS)("the %s artifact store", (stack) => {
  const rec = () => recordings[stack];
  const prod = stack === "prod";

  it("is one private bucket: public access blocked, ACLs off, encrypted, versioned", () => {
    const s = store(rec());
    expect(rec().ofType(STORE)).toHaveLength(1);
    expect(s.companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    });
    expect(s.companion("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    const sse = s.companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules;
    expect(sse).toHaveLength(1);
    expect(["AES256", "aws:kms"]).toContain(sse[0].applyServerSideEncryptionByDefault.sseAlgorithm);
    expect(s.companion("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
  });

  it(`is ${prod ? "protected and never emptied on delete" : "disposable (force-destroyed with the stack)"}`, () => {
    const { bucket } = store(rec());
    expect(bucket.options.protect).toBe(prod);
    expect(bucket.inputs.forceDestroy).toBe(!prod);
  });

  it("keeps every current release forever; only old versions and abandoned uploads expire", () => {
    const rules = store(rec()).companion("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as any[];
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(r.status).toBe("Enabled");
      expect(r.expiration).toBeUndefined();
    }
    const enabled = rules.filter((r) => r.status === "Enabled");
    expect(enabled.some((r) => r.noncurrentVersionExpiration?.noncurrentDays >= 30)).toBe(true);
    expect(enabled.some((r) => r.abortIncompleteMultipartUpload?.daysAfterInitiation >= 1)).toBe(true);
  });

  it("refuses plain HTTP, and every object write from anyone but the publisher role", () => {
    const s = store(rec());
    const policy = s.companion(BUCKET_POLICY);
    const arn = s.bucket.outputs.arn;
    const st = statementsOf(policy.inputs.policy);
    expect(st.filter((x) => x.Effect === "Allow")).toEqual([]);
    const tls = st.find((x) => x.Condition?.Bool?.["aws:SecureTransport"] === "false")!;
    expect(tls).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*" });
    expect(resources(tls).sort()).toEqual([arn, `${arn}/*`].sort());
    const writes = st.find((x) => x.Effect === "Deny" && actions(x).includes("s3:PutObject"))!;
    expect(writes.Principal).toBe("*");
    expect(actions(writes)).toEqual(expect.arrayContaining(["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]));
    expect(resources(writes)).toEqual([`${arn}/*`]);
    expect(writes.Condition).toEqual({ ArnNotEquals: { "aws:PrincipalArn": s.role.outputs.arn } });
    // The policy waits for the public access block, so it is never applied to a public bucket.
    expect(policy.dependencies).toEqual(expect.arrayContaining([s.companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").urn]));
  });

  it("has a publisher role, named for the stack, assumed only by the configured GitHub workflows, that may upload but not delete", () => {
    const s = store(rec());
    expect(s.role.inputs.name).toBe(`${stack}-artifact-publisher`);
    expect(s.role.inputs.name.length).toBeLessThanOrEqual(64);
    expect(s.role.name).toBe(`${stack}-artifact-publisher`); // the logical name (URN) is unchanged
    const trust = statementsOf(s.role.inputs.assumeRolePolicy);
    const subjects = (loadStackFile(stack)["webapp-platform:artifactPublishers"] as { subjects: string[] }).subjects;
    expect(subjects.length).toBeGreaterThan(0);
    expect(trust).toEqual([{
      Sid: "CiAssumesPublisher", Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity",
      Principal: { Federated: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${GH}` },
      Condition: { StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com", [`${GH}:sub`]: subjects } },
    }]);
    expect(s.role.inputs.assumeRolePolicy.length).toBeLessThanOrEqual(2048);
    expect(s.rolePolicy.inputs.role).toBe(s.role.id);
    const st = statementsOf(s.rolePolicy.inputs.policy);
    const arn = s.bucket.outputs.arn;
    expect(st.find((x) => actions(x).includes("s3:PutObject"))!.Resource).toBe(`${arn}/*`);
    expect(st.flatMap(actions).filter((a) => /Delete|\*/.test(a))).toEqual([]);
    expect(st.flatMap(resources).every((r) => r === arn || r === `${arn}/*`)).toBe(true);
  });

  it("is written by no other role of the stack", () => {
    const s = store(rec());
    const arn = s.bucket.outputs.arn as string;
    for (const p of rec().ofType(ROLE_POLICY).filter((x) => x.urn !== s.rolePolicy.urn)) {
      const writes = statementsOf(p.inputs.policy).filter((x) => x.Effect === "Allow" && actions(x).some((a) => /^s3:(Put|Delete|\*)/.test(a) || a === "*"));
      for (const w of writes) expect({ policy: p.name, grants: resources(w).filter((r) => r === "*" || r.startsWith(arn)) }).toEqual({ policy: p.name, grants: [] });
    }
  });

  it("exports the bucket, the publisher role and, per app, the release URL and the prefix to publish to", () => {
    const s = store(rec());
    const bucket = s.bucket.outputs.bucket as string;
    expect(rec().outputs.artifactBucket).toBe(bucket);
    expect(rec().outputs.artifactPublisherRoleArn).toBe(s.role.outputs.arn);
    const apps = rec().outputs.apps as Record<string, Record<string, unknown>>;
    for (const [name, raw] of Object.entries(rawApps(stack))) {
      if (raw.architecture === "containers") {
        expect({ name, url: apps[name].artifactUrl, prefix: apps[name].artifactPrefix }).toEqual({ name, url: undefined, prefix: undefined });
        continue;
      }
      expect(apps[name].artifactUrl).toBe(`s3://${bucket}/${name}/${raw.appVersion}.tar.gz`);
      expect(apps[name].artifactPrefix).toBe(`s3://${bucket}/${name}/`);
    }
  });

  it("points every app's hosts at their own prefix in the store, and lets them read that prefix only", () => {
    const s = store(rec());
    const bucket = s.bucket.outputs.bucket as string;
    const arn = s.bucket.outputs.arn as string;
    const apps = rawApps(stack);
    for (const [name, raw] of Object.entries(apps)) {
      const st = hostStatements(rec(), name);
      const onStore = st.filter((x) => resources(x).some((r) => r.startsWith(arn)));
      if (raw.architecture === "containers") {
        // Container hosts run images: no artifact, no grant on the store.
        expect({ name, onStore, fetch: st.filter((x) => x.Sid === "FetchArtifact") }).toEqual({ name, onStore: [], fetch: [] });
        expect(fetchedUrl(rec(), name)).toBeUndefined();
        continue;
      }
      expect(fetchedUrl(rec(), name)).toBe(`s3://${bucket}/${name}/${raw.appVersion}.tar.gz`);
      expect(onStore).toEqual([{ Sid: "FetchArtifact", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${arn}/${name}/*` }]);
      for (const other of Object.keys(apps).filter((o) => o !== name)) {
        expect(st.flatMap(resources).filter((r) => r.startsWith(`${arn}/${other}/`))).toEqual([]);
      }
    }
  });

  it("refers to no bucket it does not create: every s3:// URL and S3 ARN in the plan names a recorded bucket", () => {
    const owned = new Set(rec().ofType(BUCKET).map((b) => b.outputs.bucket as string));
    const named = new Map<string, string>();
    const scan = (v: unknown, where: string): void => {
      if (typeof v === "string") {
        for (const m of v.matchAll(/s3:\/\/([a-z0-9][a-z0-9.-]*[a-z0-9])|arn:aws:s3:::([a-z0-9][a-z0-9.-]*[a-z0-9])/g)) named.set(m[1] ?? m[2], where);
      } else if (Array.isArray(v)) v.forEach((x) => scan(x, where));
      else if (v && typeof v === "object") Object.values(v).forEach((x) => scan(x, where));
    };
    for (const r of rec().resources) {
      scan(r.inputs, r.name);
      if (r.type === INSTANCE || r.type === LT) scan(userDataOf(r), `${r.name} user data`);
    }
    expect(named.size).toBeGreaterThan(0);
    const strangers = [...named].filter(([b]) => !owned.has(b)).map(([b, where]) => `${b} (in ${where})`);
    expect(strangers).toEqual([]);
    expect([...named.keys()]).toContain(store(rec()).bucket.outputs.bucket);
  });
});

describe("an explicit artifactUrl (a release kept outside the store)", () => {
  let rec: Recording;
  const OUTSIDE = "s3://releases.example-corp/flashbill/builds/0.9.2/flashbill.tar.gz";
  const HTTPS = "https://downloads.example.com/avanii-shop/1.2.0.tar.gz";
  beforeAll(async () => {
    const apps = JSON.parse(JSON.stringify(rawApps("staging")));
    apps.flashbill.artifactUrl = OUTSIDE;
    apps["avanii-shop"].artifactUrl = HTTPS;
    rec = await recordStack("staging", {
      config: {
        "webapp-platform:apps": apps,
        "webapp-platform:artifactPublishers": {
          subjects: ["repo:acme/shop:ref:refs/heads/main", "repo:acme/shop:ref:refs/tags/v*"],
          oidcProviderArn: "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com",
        },
      },
    });
  }, 60_000);

  it("is what the host fetches, and the host may read exactly that folder, nothing in the store", () => {
    const arn = store(rec).bucket.outputs.arn as string;
    expect(fetchedUrl(rec, "flashbill")).toBe(OUTSIDE);
    const st = hostStatements(rec, "flashbill");
    expect(st.filter((x) => x.Sid === "FetchArtifact")).toEqual([
      { Sid: "FetchArtifact", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::releases.example-corp/flashbill/builds/0.9.2/*" },
    ]);
    expect(st.flatMap(resources).filter((r) => r.startsWith(arn))).toEqual([]);
    const out = (rec.outputs.apps as Record<string, Record<string, unknown>>).flashbill;
    expect(out.artifactUrl).toBe(OUTSIDE);
    expect(out.artifactPrefix).toBeUndefined();
  });

  it("over HTTPS needs no S3 grant at all", () => {
    expect(fetchedUrl(rec, "avanii-shop")).toBe(HTTPS);
    expect(hostStatements(rec, "avanii-shop").filter((x) => actions(x).includes("s3:GetObject") && x.Sid === "FetchArtifact")).toEqual([]);
  });

  it("leaves the other apps on the store, and the publisher role trusts the configured provider and subjects only (StringLike for a tag pattern)", () => {
    const s = store(rec);
    expect(fetchedUrl(rec, "smartboostpro")).toBe(`s3://${s.bucket.outputs.bucket}/smartboostpro/${rawApps("staging").smartboostpro.appVersion}.tar.gz`);
    const [trust] = statementsOf(s.role.inputs.assumeRolePolicy);
    expect(trust.Principal).toEqual({ Federated: "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com" });
    expect(trust.Condition).toEqual({
      StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" },
      StringLike: { [`${GH}:sub`]: ["repo:acme/shop:ref:refs/heads/main", "repo:acme/shop:ref:refs/tags/v*"] },
    });
  });
});

describe("artifact config", () => {
  const raw = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(loadStackFile("staging"))) if (k.startsWith("webapp-platform:")) out[k.slice("webapp-platform:".length)] = JSON.parse(JSON.stringify(v));
    return out;
  };
  const problems = (r: Record<string, unknown>): string[] => {
    try {
      parseStackConfig(r, "staging", "eu-west-1");
      return [];
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.problems;
    }
  };

  it("has no artifactUrl default in config: the store's URL is resolved where its bucket is known", () => {
    expect(parseStackConfig(raw(), "staging", "eu-west-1").apps.map((a) => a.artifactUrl)).toEqual(Object.keys(rawApps("staging")).map(() => undefined));
  });

  it("refuses an artifactUrl on a container app, and publisher subjects that do not name one repository", () => {
    const r = raw();
    (r.apps as any)["saas-platform"].artifactUrl = "s3://x-bucket/saas/1.tar.gz";
    r.artifactPublishers = { subjects: ["*", "repo:*", "repo:acme/*:ref:refs/heads/main", "repo:acme/shop:*", "repo:acme/shop:pull_request", "repo:acme/shop:ref:refs/heads/*", "repo:acme/shop:environment:prod", "repo:acme/shop:environment:prod", 7] };
    const p = problems(r);
    for (const i of [0, 1, 2, 3, 4, 5, 8]) {
      expect(p).toContainEqual(expect.stringMatching(new RegExp(`^webapp-platform:artifactPublishers\\.subjects\\[${i}\\]: .*must be a .*repo:<owner>/<repo>:ref:refs/heads/<branch>`)));
    }
    expect(p).toEqual(expect.arrayContaining([
      expect.stringMatching(/^webapp-platform:apps\.saas-platform\.artifactUrl: container apps run images/),
      expect.stringMatching(/^webapp-platform:artifactPublishers\.subjects\[7\]: .* is listed twice/),
    ]));
    expect(p.filter((x) => x.includes("artifactPublishers.subjects[6]"))).toEqual([]);
  });

  it("requires the publishers, as a map of subjects (an old list of IAM principal ARNs is refused with the new shape)", () => {
    const r = raw();
    delete r.artifactPublishers;
    expect(problems(r)).toEqual([expect.stringMatching(/^webapp-platform:artifactPublishers: is required: the GitHub Actions workflows that may publish releases, as \{ subjects: /)]);
    r.artifactPublishers = ["arn:aws:iam::210987654321:role/ci-deploy"];
    expect(problems(r)).toEqual([expect.stringMatching(/^webapp-platform:artifactPublishers: must be a map \{ subjects: .*not IAM principals/)]);
    r.artifactPublishers = { subjects: [] };
    expect(problems(r)).toEqual([expect.stringMatching(/^webapp-platform:artifactPublishers\.subjects: is required: at least one of repo:<owner>\/<repo>/)]);
    r.artifactPublishers = { subjects: ["repo:acme/shop:environment:prod"], oidcProviderArn: "arn:aws:iam::210987654321:oidc-provider/accounts.google.com", role: "x" };
    expect(problems(r).sort()).toEqual([
      expect.stringMatching(/^webapp-platform:artifactPublishers\.oidcProviderArn: .*must be the account's IAM OIDC provider for GitHub Actions/),
      expect.stringMatching(/^webapp-platform:artifactPublishers\.role: unknown key/),
    ]);
  });

  it("refuses more subjects than IAM's trust policy quota holds", () => {
    const r = raw();
    r.artifactPublishers = { subjects: Array.from({ length: 40 }, (_, i) => `repo:acme/service-number-${i}:environment:production-eu-west-${i}`) };
    expect(problems(r)).toEqual([expect.stringMatching(/^webapp-platform:artifactPublishers\.subjects: make a trust policy of \d+ characters, over IAM's 2048/)]);
  });
});
