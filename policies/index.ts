/**
 * The webapp-platform policy pack: the seeds' security layers as enforceable policies.
 *
 *   pulumi preview --policy-pack policies [--policy-pack-config policies/config/<stack>.json]
 *
 * Constructing the PolicyPack starts the analyzer server the Pulumi CLI talks to, so
 * nothing but the CLI should import this file; tests use ./policies.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "./policies";

new PolicyPack(PACK_NAME, {
  description: "Security layers of the five webapp-platform architectures: transport, edge, network firewall, host hardening, data protection, secrets, observability, tagging and cost.",
  displayName: "webapp-platform",
  provider: "aws",
  tags: ["aws", "security", "webapp-platform"],
  policies: POLICIES,
});
