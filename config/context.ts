/** The platform context every component gets, from the validated stack config and its environment's profile. */
import type { PlatformContext } from "../components/common";
import { platformContext } from "../architectures/shared";
import { PROFILES } from "./profiles";
import type { StackConfig } from "./types";

export function contextFrom(config: StackConfig): PlatformContext {
  return platformContext(config, PROFILES[config.environment]);
}
