/**
 * The project's name, and the app and stack names the program composes into AWS identifiers:
 * they follow the strictest identifier's characters and fit the tightest identifier's length.
 * Used by config validation and by the components alike. Pure.
 */
/** The Pulumi project name: the config namespace (`webapp-platform:<key>`) and the prefix of component type tokens. */
export const PROJECT = "webapp-platform";

/**
 * App names, container names and the stack name become parts of AWS identifiers. The
 * character rule is what all of those accept: RDS instance and parameter group ids and
 * ElastiCache replication group ids (a letter first, letters, digits and hyphens, no two
 * hyphens in a row, no trailing hyphen), load balancer and target group names (no leading or
 * trailing hyphen), S3 bucket names (lower case), ECR repository names (single separators).
 */
export const NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
export const NAME_RULE = "lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit";
/** Prefixes AWS refuses at the start of a name the app name begins: load balancer names, S3 bucket names. */
const RESERVED_NAME_PREFIXES: readonly { prefix: string; by: string }[] = [
  { prefix: "internal-", by: "load balancer names" },
  { prefix: "sthree-", by: "S3 bucket names" },
  { prefix: "amzn-s3-demo-", by: "S3 bucket names" },
];
/** SSM reserves these prefixes for its own documents, and ours are named `<stack>-<app>-redeploy` (components/ssm-redeploy.ts). */
const RESERVED_STACK_PREFIXES = ["aws", "amazon", "amzn"];

/** What Pulumi appends to a logical name when it autonames a resource: "-" and 7 random hex digits. */
export const AUTONAME_SUFFIX = "-xxxxxxx";

/**
 * The identifiers with a length limit that the program composes from the stack and app names
 * ({stack}, {app}), each with AWS's limit. Only the tight ones are listed: the rest (log
 * groups, secrets, alarms, security groups, SSM documents) allow 128 characters or more.
 */
export const COMPOSED_IDENTIFIERS: readonly { what: string; pattern: string; max: number }[] = [
  { what: "load balancer name (autonamed `<app>-alb`, components/app-fleet.ts)", pattern: `{app}-alb${AUTONAME_SUFFIX}`, max: 32 },
  { what: "target group name (autonamed `<app>-tg`, components/app-fleet.ts)", pattern: `{app}-tg${AUTONAME_SUFFIX}`, max: 32 },
  { what: "S3 bucket name of the KYC access logs (autonamed, architectures/spa-api.ts)", pattern: `{app}-kyc-access-logs${AUTONAME_SUFFIX}`, max: 63 },
  { what: "S3 bucket name of the KYC replica's access logs (autonamed, components/document-bucket.ts)", pattern: `{app}-kyc-replica-access-logs${AUTONAME_SUFFIX}`, max: 63 },
  { what: "S3 bucket name of the media replica's access logs (autonamed, components/private-bucket.ts)", pattern: `{app}-media-replica-access-logs${AUTONAME_SUFFIX}`, max: 63 },
  { what: "CloudFront function name (autonamed, components/static-site.ts)", pattern: `{app}-spa-spa-routing${AUTONAME_SUFFIX}`, max: 64 },
  { what: "IAM role name of the backup role (autonamed, components/backups.ts)", pattern: `{app}-backup-backup${AUTONAME_SUFFIX}`, max: 64 },
  { what: "AWS Backup selection name (components/backups.ts)", pattern: "{app}-backup-data", max: 50 },
  // components/redis.ts keeps the id at 34 so that `<id>-final`, its final snapshot, fits the 40 too.
  { what: "ElastiCache replication group id `<stack>-<app>` with the `-final` of its final snapshot (components/redis.ts)", pattern: "{stack}-{app}-final", max: 40 },
  { what: "RDS instance identifier of the read replica (components/postgres.ts)", pattern: "{stack}-{app}-replica", max: 63 },
  { what: "AWS Backup vault and plan name (components/backups.ts)", pattern: "{stack}-{app}-backup", max: 50 },
  { what: "IAM role name of the VPC flow logs (autonamed, components/network.ts)", pattern: `{stack}-flow-logs${AUTONAME_SUFFIX}`, max: 64 },
  { what: "IAM role name of the artifact publisher (components/artifact-store.ts)", pattern: "{stack}-artifact-publisher", max: 64 },
];

const compose = (pattern: string, stack: string, app: string) => pattern.split("{stack}").join(stack).split("{app}").join(app);
/** Characters an identifier adds around the names. */
const fixedLength = (pattern: string) => compose(pattern, "", "").length;
const usesApp = (pattern: string) => pattern.includes("{app}");
const usesStack = (pattern: string) => pattern.includes("{stack}");

/** Shortest app name (a one-letter name says nothing in a resource list). */
export const APP_NAME_MIN = 2;
/** Longest app name in any stack: 20, set by the load balancer name `<app>-alb-xxxxxxx` (32). */
export const APP_NAME_MAX = Math.min(...COMPOSED_IDENTIFIERS.filter((i) => usesApp(i.pattern) && !usesStack(i.pattern)).map((i) => i.max - fixedLength(i.pattern)));
/** Longest stack name: 31, set by the ElastiCache id with the shortest app name (`<stack>-ab-final`, 40). */
export const STACK_NAME_MAX = Math.min(...COMPOSED_IDENTIFIERS.filter((i) => usesStack(i.pattern)).map((i) => i.max - fixedLength(i.pattern) - (usesApp(i.pattern) ? APP_NAME_MIN : 0)));

/** Longest app name in `stack`: the app-only limit, or less where the stack name takes room. */
export function appNameMax(stack: string): number {
  return Math.min(APP_NAME_MAX, ...COMPOSED_IDENTIFIERS.filter((i) => usesApp(i.pattern) && usesStack(i.pattern)).map((i) => i.max - fixedLength(i.pattern) - stack.length));
}

/** The first composed identifier the names make too long, as a sentence; undefined if all fit. */
function tooLong(stack: string, app: string | undefined): string | undefined {
  for (const i of COMPOSED_IDENTIFIERS) {
    if (app === undefined ? usesApp(i.pattern) : !usesApp(i.pattern)) continue;
    const id = compose(i.pattern, stack, app ?? "");
    if (id.length > i.max) return `gives the ${i.what} "${id}", ${id.length} characters where AWS allows ${i.max}`;
  }
  return undefined;
}

/** Why `name` can't be part of AWS identifiers (character rule only), or undefined. */
function nameCharacterProblem(name: string): string | undefined {
  if (/[A-Z]/.test(name)) return "has upper-case letters";
  if (/[^a-z0-9-]/.test(name)) return `has "${name.match(/[^a-z0-9-]/)![0]}"`;
  if (!/^[a-z]/.test(name)) return "does not start with a letter";
  if (name.includes("--")) return "has two hyphens in a row";
  if (name.endsWith("-")) return "ends with a hyphen";
  return undefined;
}

/** Problem with an app name (the key of `apps`), or undefined. */
export function checkAppName(name: string, stack: string): string | undefined {
  const max = appNameMax(stack);
  const rule = `app names are ${APP_NAME_MIN}-${APP_NAME_MAX} characters: ${NAME_RULE} (they become RDS, ElastiCache, load balancer and S3 names)`;
  const problem = nameCharacterProblem(name)
    ?? (name.length < APP_NAME_MIN ? `is ${name.length} character${name.length === 1 ? "" : "s"}` : undefined)
    ?? RESERVED_NAME_PREFIXES.filter((r) => name.startsWith(r.prefix)).map((r) => `starts with "${r.prefix}", which ${r.by} may not`)[0];
  if (problem) return `${rule}; "${name}" ${problem}`;
  const long = tooLong(stack, name);
  if (long) return `is too long: it ${long}. ${name.length > APP_NAME_MAX ? `App names are at most ${APP_NAME_MAX} characters` : `In stack "${stack}" app names are at most ${max} characters`}`;
  return undefined;
}

/** Problem with the stack name (pulumi stack), or undefined. */
export function checkStackName(stack: string): string | undefined {
  const rule = `stack names become part of AWS identifiers (RDS and ElastiCache ids, ECR repositories, SSM documents, Backup vaults): ${NAME_RULE}, at most ${STACK_NAME_MAX} characters, not starting with ${RESERVED_STACK_PREFIXES.slice(0, -1).join(", ")} or ${RESERVED_STACK_PREFIXES[RESERVED_STACK_PREFIXES.length - 1]}`;
  const problem = nameCharacterProblem(stack)
    ?? (stack.length > STACK_NAME_MAX ? `is ${stack.length} characters` : undefined)
    ?? RESERVED_STACK_PREFIXES.filter((p) => stack.toLowerCase().startsWith(p)).map((p) => `starts with "${p}", which SSM document names may not`)[0]
    ?? tooLong(stack, undefined);
  return problem ? `${rule}; "${stack}" ${problem}` : undefined;
}
