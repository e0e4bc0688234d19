import * as pulumi from "@pulumi/pulumi";
import { PROJECT, parseStackConfig } from "./validate";
import { StackConfig } from "./types";

export * from "./types";
export { PROFILES } from "./profiles";
export type { EnvironmentProfile } from "./profiles";
export { ConfigError, PROJECT, parseStackConfig } from "./validate";

/**
 * Reads every `webapp-platform:*` key of the current stack (so unknown keys are caught too)
 * and validates it. Structured values arrive as JSON text; scalars as plain strings.
 */
export function loadStackConfig(): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!key.startsWith(`${PROJECT}:`)) continue;
    raw[key.slice(PROJECT.length + 1)] = parseValue(value);
  }
  const region = pulumi.runtime.getConfig("aws:region");
  return parseStackConfig(raw, pulumi.getStack(), region);
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
