/**
 * Reads one object of raw stack config with types, collecting every problem under its full
 * config key (`webapp-platform:apps.shop.domain`) instead of stopping at the first. Pure.
 */

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

export type Raw = Record<string, unknown>;

/** Collects problems while reading one object of raw config. */
export class Reader {
  constructor(
    readonly problems: string[],
    readonly raw: Raw,
    readonly path: string,
  ) {}

  key(field: string): string {
    return `${this.path}.${field}`;
  }

  fail(field: string, message: string): void {
    this.problems.push(`${this.key(field)}: ${message}`);
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  /** Reports keys that are not in `allowed`, suggesting the nearest allowed key. */
  onlyKeys(allowed: readonly string[]): void {
    for (const k of Object.keys(this.raw)) {
      if (allowed.includes(k)) continue;
      const near = nearest(k, allowed);
      this.fail(k, `unknown key${near ? `; did you mean "${near}"?` : ""} Allowed keys: ${allowed.join(", ")}`);
    }
  }

  str(field: string, fallback?: string, check?: (v: string) => string | undefined): string {
    const v = this.raw[field];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.fail(field, "is required");
      return fallback ?? "";
    }
    if (typeof v !== "string" || v.length === 0) {
      this.fail(field, `must be a non-empty string, got ${JSON.stringify(v)}`);
      return fallback ?? "";
    }
    const problem = check?.(v);
    if (problem) this.fail(field, problem);
    return v;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T {
    const v = this.str(field, fallback);
    if (v && !allowed.includes(v as T)) {
      const near = nearest(v, allowed);
      this.fail(field, `"${v}" is not allowed${near ? ` (did you mean "${near}"?)` : ""}; allowed: ${allowed.join(", ")}`);
      return fallback ?? allowed[0];
    }
    return v as T;
  }

  int(field: string, fallback: number | undefined, min: number, max: number): number {
    let v = this.raw[field];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.fail(field, "is required");
      return fallback ?? min;
    }
    if (typeof v === "string" && /^-?\d+$/.test(v)) v = Number(v);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.fail(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return fallback ?? min;
    }
    return v;
  }

  bool(field: string, fallback: boolean): boolean {
    const v = this.raw[field];
    if (v === undefined || v === null) return fallback;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    this.fail(field, `must be true or false, got ${JSON.stringify(v)}`);
    return fallback;
  }

  obj(field: string): Reader {
    const v = this.raw[field];
    if (v === undefined || v === null) return new Reader(this.problems, {}, this.key(field));
    if (typeof v !== "object" || Array.isArray(v)) {
      this.fail(field, `must be a map of settings, got ${JSON.stringify(v)}`);
      return new Reader(this.problems, {}, this.key(field));
    }
    return new Reader(this.problems, v as Raw, this.key(field));
  }

  list(field: string): unknown[] {
    const v = this.raw[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(field, `must be a list, got ${JSON.stringify(v)}`);
      return [];
    }
    return v;
  }

  stringMap(field: string, check: (k: string, v: string) => string | undefined): Record<string, string> {
    const r = this.obj(field);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.raw)) {
      if (typeof v !== "string") {
        r.fail(k, `must be a string, got ${JSON.stringify(v)}`);
        continue;
      }
      const problem = check(k, v);
      if (problem) r.fail(k, problem);
      else out[k] = v;
    }
    return out;
  }
}

/** The candidate closest to a mistyped word, if any is close enough to suggest ("did you mean" hints). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
