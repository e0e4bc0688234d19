import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, ProjectFiles, parseStackConfig } from "./validate";
import { StackConfig } from "./types";

export * from "./types";
// The context every component gets; config re-exports it for programs and tests that start from a config.
export { platformContext as contextFrom } from "../architectures/shared";
export { PROFILES } from "./profiles";
export type { EnvironmentProfile } from "./profiles";
export {
  ACM_COMMON_NAME_MAX, APP_NAME_MAX, APP_NAME_MIN, AUTONAME_SUFFIX, COMPOSED_IDENTIFIERS, ConfigError, HOSTNAME_RE, NAME_RE, PROJECT,
  STACK_NAME_MAX, appNameMax, checkAppName, checkStackName, parseStackConfig,
} from "./validate";
export type { ParseOptions, ProjectFiles } from "./validate";

/** The project root: where Pulumi.yaml is, and what container build contexts are relative to. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The real project tree under `root`, for the checks parseStackConfig leaves to its caller. */
export function projectFiles(root: string = PROJECT_ROOT): ProjectFiles {
  const stat = (rel: string) => {
    try {
      return fs.statSync(path.resolve(root, rel));
    } catch {
      return undefined;
    }
  };
  return { isDirectory: (rel) => stat(rel)?.isDirectory() ?? false, isFile: (rel) => stat(rel)?.isFile() ?? false };
}

/**
 * Reads every `webapp-platform:*` key of the current stack (so unknown keys are caught too)
 * and validates it, with the project tree (container build contexts must exist).
 * Structured values arrive as JSON text; scalars as plain strings.
 */
export function loadStackConfig(): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!key.startsWith(`${PROJECT}:`)) continue;
    raw[key.slice(PROJECT.length + 1)] = parseValue(value);
  }
  const region = pulumi.runtime.getConfig("aws:region");
  return parseStackConfig(raw, pulumi.getStack(), region, { files: projectFiles() });
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
