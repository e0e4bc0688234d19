/**
 * Tagging and cost: every taggable resource says which app and environment it belongs to
 * and that Pulumi manages it (cost reports, ownership, clean-up), and instance sizes stay
 * within what each environment allows.
 *
 * The allowed sizes are a copy of config/profiles.ts kept inside the pack, because a
 * published pack cannot import the program; test/policies/tagging.test.ts fails if the two
 * ever differ.
 */
import { perEnvironmentSchema } from "./lib/config";
import { StackResource, resourcePolicy, stackPolicy } from "./lib/define";
import { REQUIRED_TAGS, TAGGABLE_TYPES } from "./lib/taggable";
import { T } from "./lib/types";
import { UNKNOWN } from "./lib/values";

export const requiredTags = resourcePolicy<{ requiredTags: string[]; managedBy: string }>({
  name: "required-tags",
  layer: "tagging",
  summary: `Every taggable resource carries the tags ${REQUIRED_TAGS.join(", ")} with non-empty values (autoscaling groups as tags propagated at launch), environment naming the stack's environment and managed-by naming the tool that manages it.`,
  fix: "create the resource inside the platform (its stack transformation tags every taggable resource), or set the missing tags explicitly.",
  severity: "low",
  types: [...TAGGABLE_TYPES],
  schema: {
    requiredTags: { type: "array", items: { type: "string" }, default: [...REQUIRED_TAGS], description: "Tag keys every taggable resource must carry." },
    managedBy: { type: "string", default: "pulumi", description: "The value of every managed-by tag." },
  },
  defaults: { requiredTags: [...REQUIRED_TAGS], managedBy: "pulumi" },
  check(r, ctx) {
    if (r.tags === UNKNOWN) return;
    const tags = r.tags ?? {};
    const missing = ctx.config.requiredTags.filter((k) => {
      const v = tags[k];
      return v !== UNKNOWN && (v === undefined || v.trim() === "");
    });
    if (missing.length > 0) ctx.report(`missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}.`);
    const wrong = (key: string, expected: string) => {
      const v = tags[key];
      if (typeof v === "string" && v.trim() !== "" && v !== expected) ctx.report(`tag ${key} is "${v}", not "${expected}".`);
    };
    wrong("environment", ctx.env);
    wrong("managed-by", ctx.config.managedBy);
    if (r.type === T.autoscalingGroup && Array.isArray(r.props.tags)) {
      const notPropagated = r.props.tags.filter((t: any) => t && ctx.config.requiredTags.includes(t.key) && t.propagateAtLaunch === false).map((t: any) => t.key);
      if (notPropagated.length > 0) ctx.report(`tag${notPropagated.length > 1 ? "s" : ""} ${notPropagated.join(", ")} ${notPropagated.length > 1 ? "are" : "is"} not propagated to the instances it launches.`, "set propagateAtLaunch: true on the group's required tags.");
    }
  },
});

/** Copies of PROFILES[env].instanceTypes / dbInstanceClasses / cacheNodeTypes in config/profiles.ts. */
export const ALLOWED_SIZES = {
  instanceTypes: {
    staging: ["t3.small", "t3.micro", "t3.medium", "t4g.micro", "t4g.small", "t4g.medium"],
    prod: ["t3.medium", "t3.large", "t3.xlarge", "t4g.medium", "t4g.large", "m6i.large", "m6i.xlarge", "m7i.large", "m7g.large", "c6i.large", "c7g.large"],
  },
  dbInstanceClasses: {
    staging: ["db.t4g.micro", "db.t4g.small", "db.t4g.medium"],
    prod: ["db.t4g.medium", "db.t4g.large", "db.m6g.large", "db.m7g.large", "db.m7g.xlarge", "db.r6g.large", "db.r7g.large", "db.r7g.xlarge"],
  },
  cacheNodeTypes: {
    staging: ["cache.t4g.micro", "cache.t4g.small"],
    prod: ["cache.t4g.small", "cache.t4g.medium", "cache.m7g.large", "cache.r7g.large"],
  },
};

type Sizes = Record<string, string[]>;
const sizeList = { type: "array", items: { type: "string" } } as const;

/** Which property holds the size, and which list allows it, per resource type. */
const SIZE_FIELDS: Record<string, { prop: string; list: keyof typeof ALLOWED_SIZES; what: string }> = {
  [T.instance]: { prop: "instanceType", list: "instanceTypes", what: "instance type" },
  [T.launchTemplate]: { prop: "instanceType", list: "instanceTypes", what: "instance type" },
  [T.rdsInstance]: { prop: "instanceClass", list: "dbInstanceClasses", what: "database instance class" },
  [T.rdsClusterInstance]: { prop: "instanceClass", list: "dbInstanceClasses", what: "database instance class" },
  [T.replicationGroup]: { prop: "nodeType", list: "cacheNodeTypes", what: "cache node type" },
  [T.cacheCluster]: { prop: "nodeType", list: "cacheNodeTypes", what: "cache node type" },
};

export const allowedInstanceSizes = resourcePolicy<{ instanceTypes: Sizes; dbInstanceClasses: Sizes; cacheNodeTypes: Sizes }>({
  name: "allowed-instance-sizes",
  layer: "tagging",
  summary: "EC2 instance types, RDS instance classes and ElastiCache node types are within the environment's allowed list (small in staging, production sizes in prod).",
  fix: "pick a size from the environment's list (config/profiles.ts), or extend the list there and in this policy's config together.",
  severity: "medium",
  types: Object.keys(SIZE_FIELDS),
  schema: {
    instanceTypes: perEnvironmentSchema(sizeList, ALLOWED_SIZES.instanceTypes, "EC2 instance types allowed, per environment."),
    dbInstanceClasses: perEnvironmentSchema(sizeList, ALLOWED_SIZES.dbInstanceClasses, "RDS instance classes allowed, per environment."),
    cacheNodeTypes: perEnvironmentSchema(sizeList, ALLOWED_SIZES.cacheNodeTypes, "ElastiCache node types allowed, per environment."),
  },
  defaults: ALLOWED_SIZES,
  check(r, ctx) {
    const field = SIZE_FIELDS[r.type];
    const size = r.props[field.prop];
    if (size === UNKNOWN || size === undefined || size === null) return; // launch templates may leave the type to the group
    const allowed = ctx.config[field.list][ctx.env] ?? [];
    if (!allowed.includes(size)) ctx.report(`${field.what} "${size}" is not allowed in ${ctx.env}; allowed: ${allowed.join(", ")}.`);
  },
});

/** The nearest ancestor of `r` that is an app's architecture component, if any. */
function owningApp(r: StackResource, ownerTypePrefix: string): StackResource | undefined {
  for (let p = r.parent; p; p = p.parent) if (p.type.startsWith(ownerTypePrefix)) return p;
  return undefined;
}

export const appTagMatchesOwner = stackPolicy<{ ownerTypePrefix: string; sharedOwner: string }>({
  name: "app-tag-matches-owner",
  layer: "tagging",
  summary: "Every taggable resource's app tag names the app that owns it (the architecture component it is built under), and what no app owns (network, stack key, alert topics, artifact store) is tagged as the shared platform's, so cost and ownership can be allocated per app.",
  fix: "build the resource under its app's architecture component (architectures/shared appComponentOptions tags everything below it), or, for a shared resource, outside every app.",
  severity: "low",
  schema: {
    ownerTypePrefix: { type: "string", default: "webapp-platform:architecture:", description: "Type-token prefix of the components whose name is the app that owns everything below them." },
    sharedOwner: { type: "string", default: "platform", description: "The app tag of resources no app owns." },
  },
  defaults: { ownerTypePrefix: "webapp-platform:architecture:", sharedOwner: "platform" },
  check(ctx) {
    for (const r of ctx.ofType(...TAGGABLE_TYPES)) {
      if (r.tags === UNKNOWN) continue;
      const app = r.tags?.app;
      if (typeof app !== "string" || app.trim() === "") continue; // required-tags reports a missing tag
      const owner = owningApp(r, ctx.config.ownerTypePrefix);
      const expected = owner ? owner.name : ctx.config.sharedOwner;
      if (app !== expected) ctx.report(r, owner ? `tagged app "${app}", but it belongs to the app ${expected} (built under its ${owner.type.slice(ctx.config.ownerTypePrefix.length)}).` : `tagged app "${app}", but no app owns it: shared resources are tagged "${expected}".`);
    }
  },
});

export const TAGGING_POLICIES = [requiredTags, appTagMatchesOwner, allowedInstanceSizes];
