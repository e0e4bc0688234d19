/** IPv4 CIDR arithmetic for config validation and subnet planning. Pure functions. */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "a.b.c.d/n"; returns an error string when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | string {
  const m = CIDR_RE.exec(text);
  if (!m) return `"${text}" is not an IPv4 CIDR like 10.0.0.0/16`;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255)) return `"${text}" has an octet above 255`;
  if (prefix > 32) return `"${text}" has a prefix length above 32`;
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  if ((base & hostMask(prefix)) !== 0) {
    return `"${text}" has host bits set; did you mean ${formatCidr({ base: base & netMask(prefix), prefix })}?`;
  }
  return { base, prefix };
}

function netMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function hostMask(prefix: number): number {
  return ~netMask(prefix) >>> 0;
}

export function formatCidr(c: Cidr): string {
  const b = c.base >>> 0;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${c.prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return ((a.base & netMask(prefix)) >>> 0) === ((b.base & netMask(prefix)) >>> 0);
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((t) => parseCidr(t) as Cidr);

/** True when the whole block lies inside one RFC 1918 private range. */
export function isPrivate(c: Cidr): boolean {
  return PRIVATE_RANGES.some((r) => c.prefix >= r.prefix && overlaps(c, r));
}

/** The `index`-th block of length `newPrefix` inside `parent`. */
export function subdivide(parent: Cidr, newPrefix: number, index: number): Cidr {
  const count = 2 ** (newPrefix - parent.prefix);
  if (newPrefix < parent.prefix || index < 0 || index >= count) {
    throw new Error(`cannot take block ${index} of /${newPrefix} from ${formatCidr(parent)}`);
  }
  return { base: (parent.base + index * 2 ** (32 - newPrefix)) >>> 0, prefix: newPrefix };
}
