/** The platform context every component gets, from the validated stack config. */
import type { PlatformContext } from "../components/common";
import { platformContext } from "../architectures/shared";
import type { StackConfig } from "./types";

export function contextFrom(config: StackConfig): PlatformContext {
  return platformContext(config);
}
