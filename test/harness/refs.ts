/**
 * Provider references as the engine writes them, `<provider urn>::<provider id>`. A URN
 * itself contains `::`, so both parts are split at the last one. Pure; no Pulumi runtime.
 */

/** The URN part of a provider reference. */
export function providerUrn(ref: string): string {
  const i = ref.lastIndexOf("::");
  return i > 0 ? ref.slice(0, i) : ref;
}

/** The id part of a provider reference. */
export function providerId(ref: string): string {
  return ref.slice(ref.lastIndexOf("::") + 2);
}
