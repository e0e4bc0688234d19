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
    { title: "a staging environment tag in prod", resources: [res(T.bucket, "b", { tags: { ...TAGS, environment: "staging" } })], message: /tag environment is "staging", not "prod"/ },
    { title: "another manager", resources: [res(T.bucket, "b", { tags: { ...TAGS, "managed-by": "terraform" } })], message: /tag managed-by is "terraform", not "pulumi"/ },
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

const APP_COMPONENT = res("webapp-platform:architecture:WebFleetApp", "shop", {});
const underShop = { parent: APP_COMPONENT.urn };
const fleetComponent = res("webapp-platform:fleet:AppFleet", "shop-fleet", {}, underShop);
describePolicy({
  policy: "app-tag-matches-owner",
  violating: [
    { title: "an app's bucket tagged as the platform's", resources: [APP_COMPONENT, res(T.bucket, "shop-media", { tags: { ...TAGS, app: "platform" } }, underShop)], message: /tagged app "platform", but it belongs to the app shop \(built under its WebFleetApp\)/ },
    { title: "a grandchild tagged as another app's", resources: [APP_COMPONENT, fleetComponent, res(T.launchTemplate, "shop-lt", { tags: { ...TAGS, app: "blog" } }, { parent: fleetComponent.urn })], message: /belongs to the app shop/ },
    { title: "a shared resource tagged as an app's", resources: [res(T.vpc, "prod", { tags: { ...TAGS, app: "shop" } })], message: /no app owns it: shared resources are tagged "platform"/ },
    { title: "an app's group, list tags", resources: [APP_COMPONENT, res(T.autoscalingGroup, "shop-asg", { tags: Object.entries({ ...TAGS, app: "platform" }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })) }, underShop)], message: /belongs to the app shop/ },
  ],
  compliant: [
    { title: "an app's resources tagged with its name, shared ones with platform", resources: [APP_COMPONENT, fleetComponent, res(T.launchTemplate, "shop-lt", { tags: TAGS }, { parent: fleetComponent.urn }), res(T.vpc, "prod", { tags: { ...TAGS, app: "platform" } })] },
    { title: "a missing app tag is left to required-tags", resources: [res(T.vpc, "prod", { tags: { environment: "prod" } })] },
  ],
  unknown: [{ title: "tags unknown", resources: [APP_COMPONENT, res(T.bucket, "shop-media", { tags: U }, underShop)] }],
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
