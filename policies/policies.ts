/**
 * Every policy of the pack, as a plain list (index.ts serves them as the PolicyPack).
 * Tests and the offline runner (tools/policy-check.ts) import this list and call each
 * policy's validateResource / validateStack directly, as the engine would.
 */
import type { PackPolicy } from "./lib/define";
import { DATA_POLICIES } from "./data";
import { EDGE_POLICIES } from "./edge";
import { HOST_POLICIES } from "./host";
import { IDENTITY_POLICIES } from "./identity";
import { NETWORK_POLICIES } from "./network";
import { OBSERVABILITY_POLICIES } from "./observability";
import { SECRETS_POLICIES } from "./secrets";
import { TAGGING_POLICIES } from "./tagging";
import { TRANSPORT_POLICIES } from "./transport";

export const PACK_NAME = "webapp-platform";

export const POLICIES: PackPolicy[] = [
  ...TRANSPORT_POLICIES,
  ...EDGE_POLICIES,
  ...NETWORK_POLICIES,
  ...HOST_POLICIES,
  ...DATA_POLICIES,
  ...SECRETS_POLICIES,
  ...IDENTITY_POLICIES,
  ...OBSERVABILITY_POLICIES,
  ...TAGGING_POLICIES,
];

export type { PackPolicy } from "./lib/define";
