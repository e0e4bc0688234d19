/** Durations in seconds, named where a bare number would not say what it is. Pure. */

export const ONE_DAY_SECONDS = 86400;
/** One year (365 days): the HSTS max-age the seeds ask for and browsers' preload lists require. */
export const ONE_YEAR_SECONDS = 365 * ONE_DAY_SECONDS;
