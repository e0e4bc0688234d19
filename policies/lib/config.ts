/**
 * Configuration every policy in the pack accepts, on top of its enforcement level:
 *
 *   environment   "prod" | "staging". prod is stricter (Multi-AZ, deletion protection,
 *                 WAF, longer backups, ...). When unset, a resource policy takes the
 *                 environment from the resource's own `environment` tag and a stack policy
 *                 from the tag most resources carry; with neither, prod (the strict side).
 *   exemptions    [{ resource, reason }]: resources (by logical name, `*` wildcards allowed)
 *                 the policy skips. The reason is required and shows up in reviews; an
 *                 exemption without one is ignored.
 *
 * Example policy-pack config file (pulumi preview --policy-pack-config file.json):
 *   { "rds-multi-az-prod": { "environment": "prod",
 *       "exemptions": [{ "resource": "reports-db", "reason": "rebuildable reporting copy" }] } }
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { Tags, tagValue } from "./values";

export const ENVIRONMENTS = ["prod", "staging"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface Exemption {
  /** Logical resource name; `*` matches any run of characters. */
  resource: string;
  /** Why the resource may break the policy. Required. */
  reason: string;
}

export interface CommonConfig {
  environment?: Environment;
  exemptions?: Exemption[];
}

export type SchemaProperties = Record<string, PolicyConfigJSONSchema>;

export const COMMON_SCHEMA: SchemaProperties = {
  environment: {
    type: "string",
    enum: [...ENVIRONMENTS],
    description: "prod or staging (prod is stricter). Unset: taken from the resources' `environment` tag, else prod.",
  },
  exemptions: {
    type: "array",
    description: "Resources this policy skips, by logical name (`*` wildcards allowed), each with the reason.",
    items: {
      type: "object",
      properties: {
        resource: { type: "string", minLength: 1 },
        reason: { type: "string", minLength: 1 },
      },
      required: ["resource", "reason"],
    },
    default: [],
  },
};

/** A per-environment value in the config schema, e.g. { prod: 7, staging: 1 }. */
export function perEnvironmentSchema(item: PolicyConfigJSONSchema, defaults: Record<Environment, unknown>, description: string): PolicyConfigJSONSchema {
  return {
    type: "object",
    description,
    properties: { prod: item, staging: item },
    default: defaults as unknown as object,
  };
}

export function isEnvironment(v: unknown): v is Environment {
  return typeof v === "string" && (ENVIRONMENTS as readonly string[]).includes(v);
}

/** "production"/"prd" count as prod, "stage"/"stg" as staging. */
function environmentFromTag(v: string | undefined): Environment | undefined {
  if (!v) return undefined;
  const s = v.trim().toLowerCase();
  if (s === "prod" || s === "production" || s === "prd") return "prod";
  if (s === "staging" || s === "stage" || s === "stg") return "staging";
  return undefined;
}

/** The environment a resource policy applies: config, else the resource's tag, else prod. */
export function resourceEnvironment(config: CommonConfig, tags: Tags | symbol | undefined): Environment {
  if (isEnvironment(config.environment)) return config.environment;
  const fromTag = typeof tags === "object" ? environmentFromTag(tagValue(tags, "environment")) : undefined;
  return fromTag ?? "prod";
}

/** The environment a stack policy applies: config, else the most common resource tag, else prod. */
export function stackEnvironment(config: CommonConfig, allTags: (Tags | symbol | undefined)[]): Environment {
  if (isEnvironment(config.environment)) return config.environment;
  const counts: Record<Environment, number> = { prod: 0, staging: 0 };
  for (const t of allTags) {
    const env = typeof t === "object" ? environmentFromTag(tagValue(t, "environment")) : undefined;
    if (env) counts[env]++;
  }
  if (counts.prod === 0 && counts.staging === 0) return "prod";
  return counts.staging > counts.prod ? "staging" : "prod";
}

export type ExemptionMatch = { exempt: true; reason: string } | { exempt: false; ignoredForMissingReason: boolean };

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

/** Whether `name` is exempted. Exemptions without a reason are ignored (and say so). */
export function exemptionFor(name: string, exemptions: unknown): ExemptionMatch {
  let ignored = false;
  if (!Array.isArray(exemptions)) return { exempt: false, ignoredForMissingReason: false };
  for (const e of exemptions) {
    if (!e || typeof e !== "object" || typeof e.resource !== "string") continue;
    if (!globToRegExp(e.resource).test(name)) continue;
    if (typeof e.reason === "string" && e.reason.trim() !== "") return { exempt: true, reason: e.reason };
    ignored = true;
  }
  return { exempt: false, ignoredForMissingReason: ignored };
}
