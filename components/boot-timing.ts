/**
 * How long a fleet host's first boot takes, and the autoscaling timings derived from it. Pure.
 * The rehearsal (tools/rehearsal) boots every host document for real and measures it, with the
 * AWS APIs and downloads answered on the machine; EC2 adds what the rehearsal cannot see.
 */

/**
 * The slowest fleet host's first boot in the rehearsal, container start to the bootstrap's
 * "done", in seconds (docs/rehearsal.md, "The latest measurements"; the rehearsal prints each
 * boot against it, so a slower bootstrap shows up there first).
 */
export const REHEARSED_FLEET_BOOT_SECONDS = 51;

/**
 * What a real launch adds: EC2 starting the instance, the kernel, cloud-init's early stages,
 * and Ubuntu's archive, the snap store and AWS's agent download over the network.
 */
export const UNREHEARSED_BOOT_SECONDS = 150;

/** One step that needs all of the bootstrap's retries (8 tries, 140 s of pauses) still joins. */
export const RETRIED_STEP_SECONDS = 140;

const roundUp = (seconds: number, step: number) => Math.ceil(seconds / step) * step;

/**
 * How long a launching instance may take to complete its launch lifecycle hook before the
 * group abandons it: twice the expected boot, plus one fully retried step, whole minutes.
 */
export function launchHookTimeoutSeconds(): number {
  return roundUp(2 * (REHEARSED_FLEET_BOOT_SECONDS + UNREHEARSED_BOOT_SECONDS) + RETRIED_STEP_SECONDS, 60);
}

/** A target group's health check timings (seconds, counts). */
export interface HealthCheckTimings { interval: number; timeout: number; healthyThreshold: number }

/**
 * The autoscaling group's health-check grace. With a launch hook the grace starts only when
 * the bootstrap has completed it, and the app already answered locally; what is left is the
 * load balancer's own verdict: `healthyThreshold` passing checks `interval` apart, one more
 * interval for the registration, and the last check's timeout, rounded up to a whole minute.
 */
export function healthCheckGraceSeconds(hc: HealthCheckTimings): number {
  return roundUp(hc.interval * (hc.healthyThreshold + 1) + hc.timeout, 60);
}
