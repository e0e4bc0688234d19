/**
 * The vocabulary of the field tables: which API member receives each input a resource type
 * sets, and the constraints AWS states only in prose, each quoting the sentence it enforces.
 */

/** A constraint AWS states in a member's documentation; `quote` is verbatim from that text. */
export interface ProseRule {
  quote: string;
  /** What the rule allows, for messages ("at most 32 characters"). */
  allows: string;
  /** True when the value is acceptable. */
  ok: (value: string) => boolean;
}

/** An input that reaches an AWS API member. */
export interface ApiField {
  /** `<Operation>.<Member>...` in the type's model, or `<service>:<Operation>...` for another model. */
  api: string;
  prose?: ProseRule[];
  /** The member (or `<Operation>` alone) whose documentation states the prose rules, when it
   *  is not `api` itself: key/value attributes document every value on the key, and some
   *  services write a name's rules only in the operation's documentation. */
  proseFrom?: string;
}

/** An input the provider keeps to itself or sends nowhere AWS validates, with why. */
export interface LocalField {
  /** Why no AWS model applies (Pulumi-only switch, local process, another provider). */
  local: string;
  /** Constraints from the provider or tool that receives it, each citing its source. */
  rules?: (ProseRule & { source: string })[];
}

export type Field = string | ApiField | LocalField;

/** A rule over several inputs of one resource (windows, periods), quoting its member's doc. */
export interface CrossRule {
  api: string;
  quote: string;
  allows: string;
  /** Returns the offending input path and value, or undefined when the inputs are fine. */
  check: (inputs: Record<string, any>) => { path: string; value: unknown } | undefined;
}

export interface TypeMapping {
  /** Service prefix of the model the `api` paths refer to (see model.ts MODEL_FILES). */
  model?: string;
  /**
   * The property Pulumi fills with `<logical name>-<7 random hex>` when the program leaves it
   * unset; the preflight checks that composed value as AWS will receive it.
   */
  autoname?: string;
  /**
   * Input paths (`a.b`, `list[].c`, map keys `tags{}` and values `tags.*`) to what receives them.
   */
  fields: Record<string, Field>;
  cross?: CrossRule[];
}

export type FieldTable = Record<string, TypeMapping>;

// Builders for the common prose constraints.

export function maxLength(quote: string, max: number): ProseRule {
  return { quote, allows: `at most ${max} characters`, ok: (v) => [...v].length <= max };
}

export function lengthBetween(quote: string, min: number, max: number): ProseRule {
  return { quote, allows: `${min} to ${max} characters`, ok: (v) => [...v].length >= min && [...v].length <= max };
}

/** Every character from a set written as a regex class body, e.g. "a-zA-Z0-9 ._-". */
export function charset(quote: string, classBody: string, label = classBody): ProseRule {
  const re = new RegExp(`^[${classBody}]*$`, "u");
  return { quote, allows: `only the characters ${label}`, ok: (v) => re.test(v) };
}

export function matches(quote: string, re: RegExp, allows: string): ProseRule {
  return { quote, allows, ok: (v) => re.test(v) };
}

export function notMatches(quote: string, re: RegExp, allows: string): ProseRule {
  return { quote, allows, ok: (v) => !re.test(v) };
}

export function oneOf(quote: string, values: readonly string[]): ProseRule {
  return { quote, allows: `one of ${values.join(", ")}`, ok: (v) => values.includes(v) };
}

export function intRange(quote: string, min: number, max: number): ProseRule {
  return { quote, allows: `a whole number from ${min} to ${max}`, ok: (v) => /^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max };
}

/** The usual "letters, digits, hyphens; starts with a letter; no `--`; no trailing `-`" identifier. */
export function hyphenatedIdentifier(quotes: { first?: string; consecutive?: string; trailing?: string; chars?: string }): ProseRule[] {
  const out: ProseRule[] = [];
  if (quotes.chars) out.push(charset(quotes.chars, "a-zA-Z0-9-", "letters, digits and hyphens"));
  if (quotes.first) out.push(matches(quotes.first, /^[A-Za-z]/, "a letter first"));
  if (quotes.consecutive) out.push(notMatches(quotes.consecutive, /--/, "no two consecutive hyphens"));
  if (quotes.trailing) out.push(notMatches(quotes.trailing, /-$/, "no hyphen at the end"));
  return out;
}

export function isLocal(f: Field): f is LocalField {
  return typeof f === "object" && "local" in f;
}
