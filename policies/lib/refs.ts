/**
 * Finding which resource another one points at (a bucket's public access block, an
 * alarm's database, a rule's security group), from known identifiers when they are known
 * and from the dependency graph when they are not (preview).
 */
import type { StackResource } from "./define";
import { UNKNOWN, Unknown } from "./values";

/** Properties that carry a resource's identifiers, in the provider's outputs. */
const ID_PROPS = [
  "id", "arn", "name", "bucket", "identifier", "replicationGroupId", "arnSuffix", "keyId",
  "clusterId", "autoScalingGroupName", "targetKeyArn", "targetKeyId", "allocationId",
];

/** Known identifiers of a resource (id, arn, name, arn suffix, ...). */
export function identifiers(r: StackResource): Set<string> {
  const out = new Set<string>();
  for (const p of ID_PROPS) {
    const v = r.props[p];
    if (typeof v === "string" && v !== "") out.add(v);
  }
  const members = r.props.memberClusters;
  if (Array.isArray(members)) for (const m of members) if (typeof m === "string" && m) out.add(m);
  return out;
}

/** Whether `holder` depends on `target`, through `prop` when the engine says which input. */
export function dependsOn(holder: StackResource, target: StackResource, prop?: string): boolean {
  const byProp = prop ? holder.propertyDependencies[prop] : undefined;
  if (byProp && byProp.length > 0) return byProp.includes(target);
  return holder.dependencies.includes(target);
}

/**
 * Whether `value` (an input of `holder`, named `prop`) identifies `target`: true or false
 * when the value is known, and, when it is unknown, true if `holder` depends on `target`
 * (the value was built from the target's outputs) and UNKNOWN otherwise.
 */
export function refersTo(value: unknown, target: StackResource, holder: StackResource, prop?: string): boolean | Unknown {
  if (value === UNKNOWN) return dependsOn(holder, target, prop) ? true : UNKNOWN;
  if (typeof value !== "string" || value === "") return false;
  const ids = identifiers(target);
  if (ids.has(value)) return true;
  // An ARN with a suffix or a resource path (":*", "/*") still points at the resource.
  for (const id of ids) if (id.startsWith("arn:") && (value === `${id}/*` || value === `${id}:*`)) return true;
  return false;
}

/** Resources of `types` that `holder`'s `value` refers to (known or by dependency). */
export function resolveRefs(value: unknown, holder: StackResource, candidates: StackResource[], prop?: string): StackResource[] {
  return candidates.filter((c) => refersTo(value, c, holder, prop) === true);
}

/** Resources of `candidates` whose `prop` refers to `target`: the list, or UNKNOWN when a link cannot be told yet. */
export function linkedTo(target: StackResource, candidates: StackResource[], prop: string): StackResource[] | Unknown {
  const links = candidates.map((c) => refersTo(c.props[prop], target, c, prop));
  const mine = candidates.filter((_, i) => links[i] === true);
  return mine.length === 0 && links.includes(UNKNOWN) ? UNKNOWN : mine;
}
