/**
 * The estimated deploy critical path: the longest chain of creations a first `pulumi up`
 * has to wait through, weighted by the typical creation times in prices.ts.
 *
 * The model (what the Pulumi engine does when it creates a fresh stack):
 * - A custom resource starts when everything it waits for has finished: its dependencies
 *   (inputs and dependsOn), its explicit provider, and its parent when the parent is a
 *   custom resource. It then takes its creation time.
 * - A component takes no time. It has finished when its own dependencies and all of its
 *   children (so all of its descendants) have finished; so depending on a component means
 *   waiting for everything inside it. A child does not wait for its component parent.
 * - Everything else runs in parallel (the engine's default, unlimited parallelism).
 * earliest finish(r) = max(finish of what r waits for) + duration(r); the plan's total is
 * the largest finish, and the chain is found by walking back from that resource through
 * whichever predecessor finished last (ties broken by URN, so the result is stable).
 */
import { CREATION_SECONDS, CreationTime, DEFAULT_CREATION, INSTANT } from "./prices";
import { PlanIndex, PlanResource, providerUrn } from "./resources";

export interface PathStep {
  urn: string;
  name: string;
  type: string;
  /** App name or "platform (shared)". */
  group: string;
  /** Creation time used, seconds. */
  seconds: number;
  /** Earliest start and finish, seconds from the start of the deploy. */
  start: number;
  finish: number;
}

export interface CriticalPath {
  /** Total with typical creation times, seconds. */
  seconds: number;
  /** The same computation with every resource at its fastest and slowest creation time. */
  low: number;
  high: number;
  /** From the first creation to the last; steps that take no time are left out. */
  chain: PathStep[];
}

type Pick = keyof Omit<CreationTime, "note">;

/** Creation time of one resource: by type, with the variants its inputs select. */
export function creationTime(r: PlanResource): CreationTime {
  if (!r.custom) return INSTANT;
  if (r.type.startsWith("pulumi:providers:") || r.type.startsWith("random:")) return INSTANT;
  let key = r.type;
  if (r.type === "aws:rds/instance:Instance") {
    if (r.inputs.replicateSourceDb) key += "#replica";
    else if (r.inputs.multiAz === true) key += "#multiAz";
  }
  if (r.type === "aws:autoscaling/group:Group") {
    const desired = Number(r.inputs.desiredCapacity ?? r.inputs.minSize ?? 0);
    if (desired > 0) key += "#instances";
  }
  return CREATION_SECONDS[key] ?? DEFAULT_CREATION;
}

/** What a resource waits for before it can start (or, for a component, before it is finished). */
function waitsFor(r: PlanResource, index: PlanIndex): string[] {
  const out = new Set(r.dependencies);
  if (r.provider) out.add(providerUrn(r.provider));
  if (r.custom && r.parent && index.byUrn.get(r.parent)?.custom) out.add(r.parent);
  out.delete(r.urn);
  return [...out].filter((u) => index.byUrn.has(u)).sort();
}

interface Timing { start: number; finish: number; seconds: number; cause?: string }

function schedule(index: PlanIndex, pick: Pick): Map<string, Timing> {
  const timings = new Map<string, Timing>();
  const visiting = new Set<string>();
  const visit = (urn: string, trail: string[]): Timing => {
    const done = timings.get(urn);
    if (done) return done;
    if (visiting.has(urn)) throw new Error(`dependency cycle: ${[...trail.slice(trail.indexOf(urn)), urn].join(" -> ")}`);
    visiting.add(urn);
    const r = index.byUrn.get(urn) as PlanResource;
    let start = 0;
    let cause: string | undefined;
    for (const d of waitsFor(r, index)) {
      const t = visit(d, [...trail, urn]);
      if (t.finish > start) { start = t.finish; cause = d; }
    }
    let finish = start;
    const seconds = creationTime(r)[pick];
    if (r.custom) {
      finish = start + seconds;
    } else {
      for (const c of [...index.children(urn)].sort((a, b) => a.urn.localeCompare(b.urn))) {
        const t = visit(c.urn, [...trail, urn]);
        if (t.finish > finish) { finish = t.finish; cause = c.urn; }
      }
    }
    visiting.delete(urn);
    const timing = { start, finish, seconds: r.custom ? seconds : 0, cause };
    timings.set(urn, timing);
    return timing;
  };
  for (const r of index.resources) visit(r.urn, []);
  return timings;
}

function longest(index: PlanIndex, timings: Map<string, Timing>): string | undefined {
  let best: string | undefined;
  for (const r of [...index.resources].filter((x) => x.custom).sort((a, b) => a.urn.localeCompare(b.urn))) {
    if (best === undefined || (timings.get(r.urn) as Timing).finish > (timings.get(best) as Timing).finish) best = r.urn;
  }
  return best;
}

export function criticalPath(resources: PlanResource[], index = new PlanIndex(resources)): CriticalPath {
  const typical = schedule(index, "typical");
  const total = (t: Map<string, Timing>) => Math.max(0, ...[...t.values()].map((x) => x.finish));
  const chain: PathStep[] = [];
  // Walk back from the last finish; through a component, follow whatever finished it last.
  for (let urn = longest(index, typical); urn !== undefined;) {
    const r = index.byUrn.get(urn) as PlanResource;
    const t = typical.get(urn) as Timing;
    if (r.custom && t.seconds > 0) {
      chain.push({ urn, name: r.name, type: r.type, group: index.groupOf(r), seconds: t.seconds, start: t.start, finish: t.finish });
    }
    urn = t.cause;
  }
  chain.reverse();
  return { seconds: total(typical), low: total(schedule(index, "min")), high: total(schedule(index, "max")), chain };
}

/** "17 min 30 s", for reports. */
export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m === 0 ? `${s} s` : s === 0 ? `${m} min` : `${m} min ${s} s`;
}
