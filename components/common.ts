/**
 * Conventions shared by every component: type tokens, the platform context passed down
 * from the stack's spec (no environment policy: that arrives as each component's args),
 * tagging, and the error for an invalid argument.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../lib/environment";
import { PROJECT } from "../lib/names";
import { TAGGABLE_TYPES } from "../lib/taggable";

/** `webapp-platform:<module>:<Type>`, the type token of a component. */
export function typeToken(module: string, type: string): string {
  return `${PROJECT}:${module}:${type}`;
}

/** What every component may need to know about the stack it is built in. */
export interface PlatformContext {
  stack: string;
  environment: Environment;
  region: string;
  /** Days CloudWatch log groups keep logs. */
  logRetentionDays: number;
  /** Region where data buckets keep a replica (prod); undefined: no replica. */
  dataReplicaRegion?: string;
}

/**
 * A transformation that merges `tags` into every taggable AWS resource below the component
 * it is attached to. Explicit tags on a resource win over these.
 */
export function tagResources(tags: Record<string, string>): pulumi.ResourceTransformation {
  return (args) => {
    if (!TAGGABLE_TYPES.has(args.type)) return undefined;
    if (args.type === "aws:autoscaling/group:Group") return undefined; // ASG tags are a list, set by the fleet
    return { props: { ...args.props, tags: { ...tags, ...(args.props.tags ?? {}) } }, opts: args.opts };
  };
}

/** Throws a uniform error for invalid component arguments, naming the component and field. */
export function invalidArg(component: string, field: string, message: string): never {
  throw new Error(`${component}: args.${field} ${message}`);
}
