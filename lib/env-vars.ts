/** The plain environment variables apps get: written into env files and read by shell scripts. Pure. */

/** A variable name: upper-case letters, digits and _, not starting with a digit. */
export const ENV_VAR_NAME_RE = /^[A-Z_][A-Z0-9_]*$/;
/** A value that needs no quoting in shell scripts, env files and nginx: no quotes, $, backslashes or newlines. */
export const ENV_VALUE_RE = /^[^\n\r"'$`\\]*$/;
/** ENV_VALUE_RE in words, for error messages. */
export const ENV_VALUE_RULE = "values may not contain quotes, $, backslashes or newlines";
