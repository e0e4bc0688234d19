/**
 * App versions (`apps.<app>.appVersion`) and the image tags made from them. Pure.
 *
 * A version names the release directory on a host (`releases/<version>`, which the deploy
 * script removes and recreates), the artifact's S3 key (`<app>/<version>.tar.gz`), an argument
 * of the host's deploy script and the parameter of the SSM redeploy document, and starts the
 * Docker tag of container apps' images (`<version>-<12 hex>`, components/container-images.ts).
 * So it starts with a letter, digit or _ (never ".", ".." or an option-like "-"), and holds
 * only characters that need no quoting in shell, S3 keys or SSM.
 */

/**
 * The characters of a version, capped at Docker's 128: also the SSM redeploy document's
 * parameter pattern (components/ssm-redeploy.ts), so a version always fits it.
 */
export const APP_VERSION_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$/;
/** The longest version hosts' deploy script takes (components/hostconfig/scripts.ts). */
export const APP_VERSION_MAX = 64;
/**
 * The deploy script's own check on the host (an ERE for bash's =~), as it has shipped: it
 * still lets through ".." and a leading "-", which only ever reach it past config validation
 * (APP_VERSION_RE refuses them). Tightening it to APP_VERSION_RE changes every host's user
 * data, so it waits for a release that rolls the hosts anyway.
 */
export const HOST_VERSION_ERE = `^[A-Za-z0-9._+-]{1,${APP_VERSION_MAX}}$`;
/** The version rule in words, for error messages. */
export const APP_VERSION_RULE = `1-${APP_VERSION_MAX} letters, digits and _ . + -, starting with a letter, digit or _`;

/** Why `version` is not an app version, or undefined. */
export function appVersionProblem(version: string): string | undefined {
  return APP_VERSION_RE.test(version) && version.length <= APP_VERSION_MAX ? undefined : `"${version}" must be ${APP_VERSION_RULE}`;
}

/** Docker's tag grammar, which ECR image tags follow too. */
export const DOCKER_TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
