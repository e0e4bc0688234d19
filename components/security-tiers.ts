import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "./common";
import { Connections } from "./connections";

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
/** Port nginx listens on for the load balancer on fleet and container hosts. */
export const HOST_HTTP_PORT = 80;

export interface SecurityTiersArgs {
  /** VPC the groups belong to. Required. */
  vpcId: pulumi.Input<string>;
  /**
   * Where the app's hosts sit: "edge" for a single web host that faces the internet itself
   * (one group), "fleet" for hosts behind a load balancer (a load balancer group and an app
   * group). Required.
   */
  hosts: "edge" | "fleet";
}

/** AWS-managed prefix list of CloudFront's origin-facing addresses. */
export const CLOUDFRONT_ORIGIN_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

/**
 * An app's security groups, one per tier (edge host, or load balancer and app hosts; data),
 * each with its Connections: the architecture declares who talks to whom, and every rule is a
 * separate described resource named by content. A group starts with no rule at all (the
 * provider removes AWS's default allow-all egress).
 */
export class SecurityTiers extends pulumi.ComponentResource {
  /** The hosts' group (edge host or fleet instances). */
  readonly hosts: Connections;
  /** The load balancer's group; undefined for an edge host. */
  readonly loadBalancer?: Connections;
  /** The databases' and caches' group. */
  readonly data: Connections;
  readonly hostSecurityGroupId: pulumi.Output<string>;
  readonly loadBalancerSecurityGroupId?: pulumi.Output<string>;
  readonly dataSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: SecurityTiersArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("network", "SecurityTiers"), name, {}, opts);
    const tier = (tierTag: string, role: string, description: string) => {
      const group = new aws.ec2.SecurityGroup(`${name}-${role}`, {
        vpcId: args.vpcId,
        description,
        // Rules are separate resources (Connections); never mix them with inline rules (the
        // provider would fight itself).
        tags: { Name: `${name}-${role}`, tier: tierTag, role },
      }, { parent: this });
      // Rules were once named by list position (`<group>-in-<n>`): Connections aliases them.
      return new Connections({ group, name: `${name}-${role}`, label: role, parent: this, legacyRulePrefix: `${name}-${role}` });
    };
    this.data = tier("data", "data", `${name} data tier: databases and caches`);
    if (args.hosts === "edge") {
      this.hosts = tier("edge", "edge", `${name} edge host: HTTP(S) from the internet`);
    } else {
      this.loadBalancer = tier("edge", "lb", `${name} load balancer: HTTP(S) from the internet`);
      this.hosts = tier("app", "app", `${name} app hosts: only from the load balancer`);
      this.loadBalancerSecurityGroupId = this.loadBalancer.group.id;
    }
    this.hostSecurityGroupId = this.hosts.group.id;
    this.dataSecurityGroupId = this.data.group.id;
    this.registerOutputs({ hostSecurityGroupId: this.hostSecurityGroupId, dataSecurityGroupId: this.dataSecurityGroupId });
  }
}
