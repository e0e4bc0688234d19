/** AWS region names. Pure. */

/** An AWS region name like eu-west-1 or us-gov-west-1. */
export const AWS_REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
