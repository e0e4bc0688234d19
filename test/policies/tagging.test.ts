import { PROFILES } from "../../config/profiles";
import { TAGGABLE_TYPES } from "../../policies/lib/taggable";
import { T } from "../../policies/lib/types";
import { ALLOWED_SIZES } from "../../policies/tagging";
import { TAGS, U, describePolicy, policy, res } from "./helpers";

describePolicy({
  policy: "required-tags",
  violating: [
    { title: "no tags", resources: [res(T.bucket, "b", {})], message: /missing tags app, environment, managed-by/ },
    { title: "an empty app tag", resources: [res(T.rdsInstance, "db", { tags: { ...TAGS, app: " " } })], message: /missing tag app\./ },
    { title: "an autoscaling group's list tags, not propagated", resources: [res(T.autoscalingGroup, "asg", { tags: Object.entries(TAGS).map(([key, value]) => ({ key, value, propagateAtLaunch: key !== "app" })) })], message: /not propagated/ },
  ],
  compliant: [
    { title: "all three tags", resources: [res(T.bucket, "b", { tags: { ...TAGS, Name: "b" } })] },
    { title: "an autoscaling group propagating them", resources: [res(T.autoscalingGroup, "asg", { tags: Object.entries(TAGS).map(([key, value]) => ({ key, value, propagateAtLaunch: true })) })] },
    { title: "a resource type that takes no tags", resources: [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "att", {})] },
  ],
  unknown: [{ title: "tags unknown", resources: [res(T.bucket, "b", { tags: U })] }, { title: "a tag value unknown", resources: [res(T.bucket, "b", { tags: { ...TAGS, app: U } })] }],
});

describePolicy({
  policy: "allowed-instance-sizes",
  violating: [
    { title: "a large instance in staging", resources: [res(T.instance, "web", { instanceType: "m6i.4xlarge" })], environment: "staging", message: /"m6i\.4xlarge" is not allowed in staging/ },
    { title: "a micro database in prod", resources: [res(T.rdsInstance, "db", { instanceClass: "db.t4g.micro" })], message: /database instance class/ },
    { title: "an unlisted cache node type", resources: [res(T.replicationGroup, "redis", { nodeType: "cache.r7g.16xlarge" })] },
  ],
  compliant: [
    { title: "profile defaults", resources: [res(T.instance, "web", { instanceType: "t3.medium" }), res(T.rdsInstance, "db", { instanceClass: "db.t4g.medium" }), res(T.replicationGroup, "redis", { nodeType: "cache.t4g.small" })] },
    { title: "staging sizes", resources: [res(T.launchTemplate, "lt", { instanceType: "t3.small" })], environment: "staging" },
    { title: "a launch template leaving the type to its group", resources: [res(T.launchTemplate, "lt", {})] },
  ],
  unknown: [{ title: "size unknown", resources: [res(T.instance, "web", { instanceType: U })] }],
});

describe("the pack's copy of the environment profiles", () => {
  it("equals config/profiles.ts, so the policy and the program cannot drift", () => {
    for (const env of ["staging", "prod"] as const) {
      expect(ALLOWED_SIZES.instanceTypes[env]).toEqual([...PROFILES[env].instanceTypes]);
      expect(ALLOWED_SIZES.dbInstanceClasses[env]).toEqual([...PROFILES[env].dbInstanceClasses]);
      expect(ALLOWED_SIZES.cacheNodeTypes[env]).toEqual([...PROFILES[env].cacheNodeTypes]);
    }
  });

  it("is also the default of the policy's config schema", () => {
    const props = policy("allowed-instance-sizes").configSchema!.properties;
    expect(props.instanceTypes.default).toEqual(ALLOWED_SIZES.instanceTypes);
    expect(props.dbInstanceClasses.default).toEqual(ALLOWED_SIZES.dbInstanceClasses);
    expect(props.cacheNodeTypes.default).toEqual(ALLOWED_SIZES.cacheNodeTypes);
  });

  it("checks tags on exactly the taggable types the program tags", () => {
    expect([...(policy("required-tags") as { appliesTo?: readonly string[] }).appliesTo!].sort()).toEqual([...TAGGABLE_TYPES].sort());
  });
});
