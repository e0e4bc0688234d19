/**
 * The explicit AWS providers the stack registers for regions other than its own: us-east-1
 * (CloudFront certificates, CLOUDFRONT-scope WAF ACLs and their log groups, CloudFront alarms)
 * and each data-replica region. One provider per region and stack run, named `aws-<region>`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const US_EAST_1 = "us-east-1";

// One provider per stack run and region, keyed on the root stack resource so separate program
// runs (tests record several) never share a provider registered by an earlier run.
const providers = new WeakMap<object, Map<string, aws.Provider>>();
const NO_STACK = {};

/**
 * The stack's shared AWS provider for `region`, named `aws-<region>`. Registered once at the
 * top of the stack (not under the first component that asks), so its URN does not depend on
 * which app is built first. It carries over the stack's `aws:profile` and
 * `aws:allowedAccountIds`, which an explicit provider does not read from stack config by itself.
 */
export function regionProvider(region: string): aws.Provider {
  const key = pulumi.runtime.getStackResource() ?? NO_STACK;
  const byRegion = providers.get(key) ?? new Map<string, aws.Provider>();
  providers.set(key, byRegion);
  let provider = byRegion.get(region);
  if (!provider) {
    const config = new pulumi.Config("aws");
    provider = new aws.Provider(`aws-${region}`, {
      region,
      profile: config.get("profile"),
      allowedAccountIds: config.getObject<string[]>("allowedAccountIds"),
    });
    byRegion.set(region, provider);
  }
  return provider;
}

/**
 * The stack's shared us-east-1 AWS provider (`aws-us-east-1`), for CloudFront certificates,
 * CLOUDFRONT-scope WAF ACLs and their log groups.
 */
export function usEast1Provider(): aws.Provider {
  return regionProvider(US_EAST_1);
}
