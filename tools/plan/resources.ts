/**
 * The plan's resource model, shared by cost, critical path, diagrams and diff.
 *
 * Every analysis reads this flat, JSON-safe shape rather than the harness's Recording, so
 * the same code runs on a live recording and on a plan JSON written earlier (`--base`).
 * Inputs are always the masked ones: no analysis needs a secret value.
 */
import type { RecordedResource, Recording } from "../../test/harness";

export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  /** Parent URN; null for the stack itself (and for old plans, resources registered without one). */
  parent: string | null;
  custom: boolean;
  /** Inputs with secrets replaced by "[secret]". */
  inputs: Record<string, any>;
  /** URNs this resource waits for (inputs and dependsOn). */
  dependencies: string[];
  protect: boolean;
  /** Explicit provider reference `urn::id`, or null. */
  provider: string | null;
  ignoreChanges: string[];
  /** Absent in plans written before the report existed. */
  replaceOnChanges?: string[];
  retainOnDelete?: boolean;
  secretPaths?: string[];
  /** URNs the resource had before a rename or move (its aliases); absent in older plans. */
  aliases?: string[];
}

/** What `--format json` writes and `--base` reads; older `--json` files are a subset of it. */
export interface PlanJson {
  stack: string;
  region: string;
  resources: PlanResource[];
  outputs?: Record<string, unknown>;
  warnings?: string[];
  /** The program's informational messages (e.g. rate limits WAF can only approximate). */
  notes?: string[];
}

/** Apps are the architecture components; everything outside them is shared. */
export const APP_TYPE_PREFIX = "webapp-platform:architecture:";
export const SHARED = "platform (shared)";

export function fromRecorded(rec: Recording, r: RecordedResource): PlanResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent ?? null,
    custom: r.custom,
    inputs: rec.maskedInputs(r),
    dependencies: [...r.dependencies],
    protect: r.options.protect,
    provider: r.options.provider ?? null,
    ignoreChanges: [...r.options.ignoreChanges],
    replaceOnChanges: [...r.options.replaceOnChanges],
    retainOnDelete: r.options.retainOnDelete,
    secretPaths: [...r.secretPaths],
    aliases: [...r.options.aliases],
  };
}

export function planFromRecording(rec: Recording): PlanJson {
  return {
    stack: rec.stack,
    region: rec.region,
    resources: rec.resources.map((r) => fromRecorded(rec, r)),
    outputs: rec.outputs,
    warnings: [...rec.warnings],
    notes: [...rec.infos],
  };
}

/** Fills the fields older plan files lack, so a base plan from `--json` can be compared. */
export function normalizePlan(raw: any): PlanJson {
  if (!raw || !Array.isArray(raw.resources)) throw new Error("not a plan: expected an object with a resources array (write one with --format json)");
  return {
    stack: String(raw.stack ?? ""),
    region: String(raw.region ?? ""),
    resources: raw.resources.map((r: any): PlanResource => ({
      urn: String(r.urn),
      type: String(r.type),
      name: String(r.name),
      parent: r.parent ?? null,
      custom: r.custom !== false,
      inputs: r.inputs ?? {},
      dependencies: r.dependencies ?? [],
      protect: r.protect === true,
      provider: r.provider ?? null,
      ignoreChanges: r.ignoreChanges ?? [],
      replaceOnChanges: r.replaceOnChanges ?? [],
      retainOnDelete: r.retainOnDelete === true,
      secretPaths: r.secretPaths ?? [],
      aliases: r.aliases ?? [],
    })),
    outputs: raw.outputs ?? {},
    warnings: raw.warnings ?? [],
  };
}

export { providerUrn } from "../../test/harness/refs";

export interface App {
  /** The component's logical name, e.g. "smartboostpro". */
  name: string;
  /** The architecture component's short type, e.g. "SingleHostApp". */
  architecture: string;
  urn: string;
}

/** Lookups over one plan's resources: by URN, children, descendants, owning app. */
export class PlanIndex {
  readonly byUrn = new Map<string, PlanResource>();
  private readonly kids = new Map<string, PlanResource[]>();
  private readonly appCache = new Map<string, App | null>();

  constructor(readonly resources: PlanResource[]) {
    for (const r of resources) {
      this.byUrn.set(r.urn, r);
      if (r.parent) {
        const list = this.kids.get(r.parent) ?? [];
        list.push(r);
        this.kids.set(r.parent, list);
      }
    }
  }

  children(urn: string): PlanResource[] {
    return this.kids.get(urn) ?? [];
  }

  descendants(urn: string): PlanResource[] {
    const out: PlanResource[] = [];
    const walk = (u: string) => this.children(u).forEach((c) => { out.push(c); walk(c.urn); });
    walk(urn);
    return out;
  }

  /** Apps in the order they were registered. */
  apps(): App[] {
    return this.resources.filter(isAppComponent).map(toApp);
  }

  /** The nearest ancestor (or self) that is an architecture component; null for shared resources. */
  appOf(r: PlanResource): App | null {
    const cached = this.appCache.get(r.urn);
    if (cached !== undefined) return cached;
    let app: App | null = null;
    const seen = new Set<string>();
    for (let cur: PlanResource | undefined = r; cur && !seen.has(cur.urn); cur = cur.parent ? this.byUrn.get(cur.parent) : undefined) {
      seen.add(cur.urn);
      if (isAppComponent(cur)) { app = toApp(cur); break; }
    }
    this.appCache.set(r.urn, app);
    return app;
  }

  /** Name of the cost/diagram group a resource belongs to. */
  groupOf(r: PlanResource): string {
    return this.appOf(r)?.name ?? SHARED;
  }
}

function isAppComponent(r: PlanResource): boolean {
  return !r.custom && r.type.startsWith(APP_TYPE_PREFIX);
}

function toApp(r: PlanResource): App {
  return { name: r.name, architecture: r.type.slice(APP_TYPE_PREFIX.length), urn: r.urn };
}

