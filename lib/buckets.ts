/** S3 bucket names. Pure. */

/** A general purpose bucket name: 3-63 lower-case letters, digits, dots and hyphens, a letter or digit first and last. */
export const S3_BUCKET_NAME_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
