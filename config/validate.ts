/**
 * Parses and validates a stack's raw configuration into a `StackConfig`, applying the
 * environment profile's defaults in one place. Pure: no Pulumi resources, no I/O.
 *
 * Every problem is reported with the full config key (`webapp-platform:apps.shop.domain`)
 * and what is allowed; all problems are collected and thrown together as one ConfigError
 * before the program creates anything. This module reads the stack-level keys; apps.ts reads
 * each app (data.ts its database and cache), names.ts checks the app and stack names, and
 * reader.ts is the typed reader they share.
 */
import { AMI_ID_RE, CPU_ARCHITECTURES, CpuArchitecture } from "../components/ami";
import {
  ArtifactPublishers, GITHUB_OIDC_HOST, GITHUB_OIDC_PROVIDER_ARN_RE, GITHUB_SUBJECT_FORMS, githubSubjectProblem, trustPolicyTooLong,
} from "../components/publisher-trust";
import { formatCidr, isPrivate, overlaps, parseCidr, subdivide } from "../lib/cidr";
import { EMAIL_RE } from "../lib/email";
import { HOSTNAME_RE } from "../lib/hostnames";
import { PROJECT, checkAppName, checkStackName } from "../lib/names";
import { AWS_REGION_RE } from "../lib/regions";
import { ParseOptions, parseApp } from "./apps";
import { DATA_REPLICA_REGIONS, EnvironmentProfile, PROFILES } from "./profiles";
import { ConfigError, Raw, Reader } from "./reader";
import { AppConfig, ENVIRONMENTS, Environment, NAT_STRATEGIES, NetworkConfig, StackConfig } from "./types";

export { ACM_COMMON_NAME_MAX, DJANGO_RELEASE_COMMAND } from "./apps";
export type { ParseOptions, ProjectFiles } from "./apps";
export {
  APP_NAME_MAX, APP_NAME_MIN, AUTONAME_SUFFIX, COMPOSED_IDENTIFIERS, NAME_RE, STACK_NAME_MAX, appNameMax, checkAppName, checkStackName,
} from "../lib/names";
export { ConfigError, nearest } from "./reader";
export { HOSTNAME_RE, PROJECT };

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Tags the program always sets itself. */
export const RESERVED_TAGS = ["app", "environment", "managed-by"];

/**
 * Stack tags land on every taggable resource, so they must satisfy the strictest service:
 * EC2 keys take 127 characters (ec2 Tag.Key), and ELB, RDS, SNS, ... accept only
 * `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$` (elbv2 TagKey / TagValue) in keys and values.
 */
const TAG_KEY_MAX = 127;
const TAG_VALUE_MAX = 256;
const TAG_TEXT_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Docker's default bridge: a VPC overlapping it makes container hosts unreachable. */
const DOCKER_BRIDGE = parseCidr("172.17.0.0/16") as ReturnType<typeof subdivide>;


/** Validates the raw project config (keys without the `webapp-platform:` prefix). */
export function parseStackConfig(raw: Raw, stack: string, region: string | undefined, options: ParseOptions = {}): StackConfig {
  const problems: string[] = [];
  const top = new Reader(problems, raw, PROJECT);
  // Top-level keys are written `webapp-platform:key`, not `webapp-platform.key`.
  const fix = (p: string) => p.split(`${PROJECT}.`).join(`${PROJECT}:`);

  top.onlyKeys(["environment", "network", "alertEmail", "adminCidrs", "verifyAfterDeploy", "logRetentionDays", "tags", "amis", "artifactPublishers", "dataReplicaRegion", "apps"]);
  const environment = top.oneOf<Environment>("environment", ENVIRONMENTS);
  const profile = PROFILES[environment] ?? PROFILES.staging;

  if (!region) problems.push("aws:region: is required (for example eu-west-1)");
  else if (!AWS_REGION_RE.test(region)) problems.push(`aws:region: "${region}" is not an AWS region name like eu-west-1`);

  const dataReplicaRegion = parseDataReplicaRegion(top, profile, region);
  let logRetentionDays = top.int("logRetentionDays", profile.logRetentionDays, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    top.fail("logRetentionDays", `${logRetentionDays} is not a CloudWatch Logs retention; allowed: ${LOG_RETENTION_DAYS.join(", ")}`);
    logRetentionDays = profile.logRetentionDays;
  }
  const network = parseNetwork(top.obj("network"), profile, logRetentionDays);
  const alertEmail = top.str("alertEmail", undefined, (v) => (EMAIL_RE.test(v) ? undefined : `"${v}" is not an e-mail address`));
  const adminCidrs = parseAdminCidrs(top);
  const artifactPublishers = parseArtifactPublishers(top);
  const verifyAfterDeploy = top.bool("verifyAfterDeploy", false);
  const amis = parseAmis(top.obj("amis"));
  const tags = top.stringMap("tags", (k, v) => {
    if (RESERVED_TAGS.includes(k)) return `is set by the program; remove it (reserved tags: ${RESERVED_TAGS.join(", ")})`;
    if (k.toLowerCase().startsWith("aws:")) return "tag keys may not start with aws:";
    if ([...k].length > TAG_KEY_MAX || [...v].length > TAG_VALUE_MAX) return `tag keys are at most ${TAG_KEY_MAX} characters and values at most ${TAG_VALUE_MAX}`;
    if (!TAG_TEXT_RE.test(k) || !TAG_TEXT_RE.test(v)) return `"${k}: ${v}" has a character AWS refuses in tags; allowed: letters, digits, spaces and _ . : / = + - @`;
    return undefined;
  });

  // The stack name is composed into identifiers too; a bad one is reported once, by itself.
  const stackProblem = checkStackName(stack);
  if (stackProblem) problems.push(`stack "${stack}" (pulumi stack name): ${stackProblem}`);

  const appsReader = top.obj("apps");
  const apps: AppConfig[] = [];
  if (Object.keys(appsReader.raw).length === 0) top.fail("apps", "is required: declare at least one app (name -> architecture, domain, dns, ...)");
  for (const name of Object.keys(appsReader.raw)) {
    const nameProblem = checkAppName(name, stackProblem ? "" : stack);
    if (nameProblem) {
      appsReader.fail(name, nameProblem);
      continue;
    }
    apps.push(parseApp(appsReader.obj(name), name, environment, profile, options));
  }
  checkAcrossApps(apps, network, appsReader, problems);

  if (problems.length > 0) throw new ConfigError(problems.map(fix));
  return { stack, environment, region: region as string, network, alertEmail, adminCidrs, verifyAfterDeploy, logRetentionDays, tags, amis, artifactPublishers, dataReplicaRegion, apps };
}

/**
 * `dataReplicaRegion`: where data buckets keep their replica. Prod always has one (default
 * DATA_REPLICA_REGIONS of the stack's region); staging only when set (opt-in, it doubles storage).
 */
function parseDataReplicaRegion(top: Reader, profile: EnvironmentProfile, region: string | undefined): string | undefined {
  const fallback = profile.dataReplica && region ? DATA_REPLICA_REGIONS[region] : undefined;
  if (!top.has("dataReplicaRegion")) {
    if (profile.dataReplica && region && !fallback) top.fail("dataReplicaRegion", `is required in prod for aws:region ${region} (no default second region for it): name the region data buckets are copied to, for example eu-central-1`);
    return fallback;
  }
  return top.str("dataReplicaRegion", undefined, (v) => {
    if (!AWS_REGION_RE.test(v)) return `"${v}" is not an AWS region name like eu-central-1`;
    if (v === region) return `"${v}" is the stack's own region (aws:region): a copy there does not survive losing the region`;
    return undefined;
  });
}

/** `amis: { amd64: ami-..., arm64: ami-... }`: the images the operator has chosen to roll to. */
function parseAmis(r: Reader): Partial<Record<CpuArchitecture, string>> {
  r.onlyKeys(CPU_ARCHITECTURES);
  const amis: Partial<Record<CpuArchitecture, string>> = {};
  for (const arch of CPU_ARCHITECTURES) {
    if (!r.has(arch)) continue;
    amis[arch] = r.str(arch, undefined, (v) => (AMI_ID_RE.test(v) ? undefined : `"${v}" is not an AMI ID (ami- and 8 or 17 hex digits, as EC2 shows it)`));
  }
  return amis;
}

function parseNetwork(r: Reader, profile: EnvironmentProfile, logRetentionDays: number): NetworkConfig {
  r.onlyKeys(["cidr", "azCount", "natStrategy", "flowLogRetentionDays"]);
  const cidr = r.str("cidr", "10.0.0.0/16", (v) => {
    const c = parseCidr(v);
    if (typeof c === "string") return c;
    if (c.prefix < 16 || c.prefix > 22) return `"${v}" must be a /16 to /22 block (AWS allows /16-/28; /22 is the smallest that fits nine subnets)`;
    if (!isPrivate(c)) return `"${v}" is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`;
    if (overlaps(c, DOCKER_BRIDGE)) return `"${v}" overlaps Docker's default bridge ${formatCidr(DOCKER_BRIDGE)}, which breaks routing on container hosts; pick another block`;
    return undefined;
  });
  const azCount = r.int("azCount", profile.azCount, 1, 6);
  if (r.has("azCount") && (azCount < 2 || azCount > 3)) {
    r.fail("azCount", `must be 2 or 3, got ${azCount}: load balancers and database subnet groups need subnets in at least 2 AZs`);
  }
  const natStrategy = r.oneOf("natStrategy", NAT_STRATEGIES, profile.natStrategy);
  const flowLogRetentionDays = r.int("flowLogRetentionDays", logRetentionDays, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(flowLogRetentionDays)) {
    r.fail("flowLogRetentionDays", `${flowLogRetentionDays} is not a CloudWatch Logs retention; allowed: ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  return { cidr, azCount: Math.min(Math.max(azCount, 2), 3), natStrategy, flowLogRetentionDays };
}

function parseAdminCidrs(top: Reader): string[] {
  const out: string[] = [];
  const parsed: { text: string; cidr: ReturnType<typeof subdivide> }[] = [];
  top.list("adminCidrs").forEach((v, i) => {
    const field = `adminCidrs[${i}]`;
    if (typeof v !== "string") return top.fail(field, `must be a CIDR string, got ${JSON.stringify(v)}`);
    const c = parseCidr(v);
    if (typeof c === "string") return top.fail(field, c);
    if (c.prefix < 16) return top.fail(field, `"${v}" opens SSH to ${2 ** (32 - c.prefix)} addresses; admin CIDRs must be /16 or narrower (use SSM Session Manager instead of wide SSH)`);
    const clash = parsed.find((p) => overlaps(p.cidr, c));
    if (clash) return top.fail(field, `"${v}" overlaps "${clash.text}"; list each admin network once`);
    parsed.push({ text: v, cidr: c });
    out.push(v);
  });
  return out;
}

/**
 * Who may assume the artifact publisher role: GitHub Actions workflows, by OIDC subject
 * (the subject rules live with the role, in components/artifact-store.ts). Required: without
 * it nobody can publish a release.
 */
function parseArtifactPublishers(top: Reader): ArtifactPublishers {
  const key = "artifactPublishers";
  const shape = `{ subjects: [<GitHub Actions OIDC subject>, ...], oidcProviderArn: <optional, default this account's ${GITHUB_OIDC_HOST} provider> }`;
  const raw = top.raw[key];
  if (raw === undefined || raw === null) {
    top.fail(key, `is required: the GitHub Actions workflows that may publish releases, as ${shape}; subjects are ${GITHUB_SUBJECT_FORMS}`);
    return { subjects: [] };
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    top.fail(key, `must be a map ${shape}, got ${JSON.stringify(raw)} (the publisher role trusts GitHub Actions' OIDC tokens, not IAM principals)`);
    return { subjects: [] };
  }
  const r = top.obj(key);
  r.onlyKeys(["subjects", "oidcProviderArn"]);
  const subjects: string[] = [];
  const list = r.list("subjects");
  if (list.length === 0 && (Array.isArray(r.raw.subjects) || !r.has("subjects"))) r.fail("subjects", `is required: at least one of ${GITHUB_SUBJECT_FORMS}`);
  list.forEach((v, i) => {
    const field = `subjects[${i}]`;
    const problem = typeof v === "string" ? githubSubjectProblem(v) : `${JSON.stringify(v)} must be a string: ${GITHUB_SUBJECT_FORMS}`;
    if (problem) return r.fail(field, problem);
    if (subjects.includes(v as string)) return r.fail(field, `"${v}" is listed twice`);
    subjects.push(v as string);
  });
  const oidcProviderArn = r.has("oidcProviderArn")
    ? r.str("oidcProviderArn", undefined, (v) => (GITHUB_OIDC_PROVIDER_ARN_RE.test(v) ? undefined : `"${v}" must be the account's IAM OIDC provider for GitHub Actions: arn:aws:iam::<12-digit account>:oidc-provider/${GITHUB_OIDC_HOST}`))
    : undefined;
  const tooLong = trustPolicyTooLong(subjects, oidcProviderArn);
  if (tooLong) r.fail("subjects", tooLong);
  return oidcProviderArn ? { subjects, oidcProviderArn } : { subjects };
}

function checkAcrossApps(apps: AppConfig[], network: NetworkConfig, appsReader: Reader, problems: string[]): void {
  const seen = new Map<string, string>();
  const privateHostApps = apps.filter((a) => a.architecture !== "single-host").map((a) => `"${a.name}" (${a.architecture})`);
  if (network.natStrategy === "none" && privateHostApps.length > 0) {
    problems.push(`${PROJECT}:network.natStrategy: "none" leaves the private hosts of app ${privateHostApps.join(", ")} without outbound access for packages and updates; use single or perAz`);
  }
  for (const app of apps) {
    for (const host of [app.domain, ...(app.www ? [`www.${app.domain}`] : [])]) {
      const other = seen.get(host);
      if (other) appsReader.fail(`${app.name}.domain`, `"${host}" is already served by app "${other}"`);
      seen.set(host, app.name);
    }
  }
}
