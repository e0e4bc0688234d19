/**
 * Fidelity of the offline runner: the same resources go through @pulumi/policy's own
 * analyzer RPC handlers (Analyze and AnalyzeStack, with protobuf requests as the Pulumi
 * CLI sends them, unknown sentinels included) and through tools/policy-check.ts. Both must
 * give the same verdicts, so what the tests and the plan report is what `pulumi preview
 * --policy-pack policies` reports.
 */
import { SG, SG_INGRESS } from "../../policies/lib/net";
import { T } from "../../policies/lib/types";
import { runPolicyPack } from "../../tools/policy-check";
import { analyze, asDiag, diagKey } from "./engine";
import { TAGS, U, res } from "./helpers";

describe("the offline runner agrees with @pulumi/policy's analyzer", () => {
  const stg = { ...TAGS, environment: "staging" };
  const db = res(T.rdsInstance, "shop-db", { identifier: "prod-shop", engine: "postgres", instanceClass: "db.t4g.micro", multiAz: false, storageEncrypted: U, backupRetentionPeriod: 1, publiclyAccessible: true, tags: TAGS }, { outputs: { arn: "arn:aws:rds:eu-west-1:1:db:prod-shop" } });
  const stagingDb = res(T.rdsInstance, "stg-db", { identifier: "stg-shop", engine: "postgres", instanceClass: "db.t4g.micro", multiAz: false, storageEncrypted: true, backupRetentionPeriod: 1, tags: stg });
  const lt = res(T.launchTemplate, "api-lt", { metadataOptions: { httpTokens: "optional" }, userData: Buffer.from("#!/bin/bash\nexport DB_PASSWORD=Tr0ub4dor-and-3\n").toString("base64"), blockDeviceMappings: U, tags: TAGS });
  const sg = res(SG, "shop-app", { description: "app", tags: { ...TAGS, tier: "app" } }, { id: "sg-app" });
  const rule = res(SG_INGRESS, "shop-app-in", { securityGroupId: "sg-app", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", tags: TAGS }, { deps: [sg] });
  const bucket = res(T.bucket, "shop-media", { tags: TAGS }, { id: "shop-media-1", outputs: { bucket: "shop-media-1", arn: "arn:aws:s3:::shop-media-1" } });
  const pab = res(T.bucketPublicAccessBlock, "shop-media", { bucket: U, blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: U }, { deps: [bucket] });
  const resources = [db, stagingDb, lt, sg, rule, bucket, pab];

  it("on resources, stack policies and unknown values alike", async () => {
    const engine = await analyze(resources);
    const ours = runPolicyPack(resources).map(asDiag);
    expect(ours.map(diagKey).sort()).toEqual(engine.map(diagKey).sort());
    // And the scenario really exercises the pack.
    const policies = new Set(engine.map((d) => d.policy));
    for (const p of ["databases-not-public", "rds-multi-az-prod", "imdsv2-required", "user-data-no-secrets", "sg-no-admin-ports-from-world", "sg-world-ingress-edge-tier-only", "s3-public-access-blocked", "alarms-cover-resources", "allowed-instance-sizes"]) {
      expect(policies).toContain(p);
    }
    expect(engine.filter((d) => d.message.includes("can't run policy"))).toEqual([]);
    expect(engine.some((d) => d.urn === stagingDb.urn && d.policy === "rds-multi-az-prod")).toBe(false);
  });
});
