/**
 * DNS names, one rule for every place a hostname is typed (config) or taken (components). Pure.
 * Lower case only: Route53, ACM and nginx compare names as written, so "Shop.example.com"
 * and "shop.example.com" would be two names.
 */

/** One DNS label: 1-63 letters, digits and hyphens, not starting or ending with a hyphen. */
export const DNS_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** A lower-case hostname of 2+ labels ending in an alphabetic TLD, at most 253 characters (RFC 1035). */
export const HOSTNAME_RE = new RegExp(`^(?=.{1,253}$)(?:${DNS_LABEL}\\.)+[a-z]{2,63}$`);
/** A hostname, or `*.` and a hostname: the names an ACM certificate may carry. */
export const CERTIFICATE_NAME_RE = new RegExp(`^(?=.{1,253}$)(?:\\*\\.)?(?:${DNS_LABEL}\\.)+[a-z]{2,63}$`);
/** HOSTNAME_RE in words, for error messages. */
export const HOSTNAME_RULE = "labels of letters, digits and hyphens (not starting or ending with one, at most 63), at most 253 characters";
