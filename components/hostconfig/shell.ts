/** Shell quoting for the scripts the renderer writes. */

/** Single-quotes a value for bash (validated values never contain a quote; this is belt and braces). */
export function shq(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}
