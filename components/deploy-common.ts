/**
 * What the deploy steps (./post-deploy-check, ./ssm-redeploy) share: checking their
 * whole-number arguments.
 */
import { invalidArg } from "./common";

/** Returns `value` when it is a whole number from min to max; fails naming the field otherwise. */
export function wholeNumber(component: string, field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) invalidArg(component, field, `must be a whole number from ${min} to ${max}, got ${value}`);
  return value;
}
