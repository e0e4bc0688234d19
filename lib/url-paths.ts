/** URL paths an app's config names (health check, static files, rate-limited paths). Pure. */

/** A URL path: a / and unreserved characters. */
export const URL_PATH_RE = /^\/[A-Za-z0-9._~\/-]*$/;

/** Why `path` is not a URL path, or undefined. */
export function urlPathProblem(path: string): string | undefined {
  return URL_PATH_RE.test(path) ? undefined : `"${path}" must be a URL path starting with /`;
}

/** A URL directory: segments of letters, digits and . _ -, starting and ending with / ("/" itself too). */
const URL_DIRECTORY_RE = /^\/([A-Za-z0-9._-]+\/)*$/;

/** Why `path` is not a URL directory (staticPath), or undefined. */
export function urlDirectoryProblem(path: string): string | undefined {
  return URL_DIRECTORY_RE.test(path) ? undefined : `"${path}" must be a path that starts and ends with /`;
}
