/**
 * Identity and access: what the program's IAM roles may do and who may assume them.
 */
import type { PackPolicy } from "./lib/define";

export const IDENTITY_POLICIES: PackPolicy[] = [];
