/**
 * Who may talk to whom, said where the parts are put together (in the spirit of AWS CDK's
 * `Connections`): `data.allowFrom(hosts, POSTGRES_PORT, "PostgreSQL from the app hosts")`.
 * Every call creates one described rule resource per side, named by content (group,
 * direction, port, peer), so adding or removing one connection never renames another.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { invalidArg } from "./common";

/** What a rule admits or reaches besides another group: addresses, or an AWS-managed prefix list. */
export type Peer =
  | { kind: "ipv4" | "ipv6"; cidr: string; label: string }
  | { kind: "prefixList"; id: pulumi.Input<string>; label: string };

/** Label of a CIDR in rule names: "world" for everything, else the CIDR with its dots and slash as dashes. */
const cidrLabel = (cidr: string, v6: boolean) =>
  cidr === (v6 ? "::/0" : "0.0.0.0/0") ? (v6 ? "world-v6" : "world") : cidr.replace(/[.:/]+/g, "-").replace(/^-|-$/g, "");

export const Peers = {
  /** Every IPv4 address. */
  anyIpv4: (): Peer => ({ kind: "ipv4", cidr: "0.0.0.0/0", label: "world" }),
  /** Every IPv6 address. */
  anyIpv6: (): Peer => ({ kind: "ipv6", cidr: "::/0", label: "world-v6" }),
  /** An IPv4 range; `label` names it in the rule's name (default: the CIDR). */
  ipv4: (cidr: string, label?: string): Peer => ({ kind: "ipv4", cidr, label: label ?? cidrLabel(cidr, false) }),
  /** An AWS-managed prefix list (e.g. CloudFront's origin-facing addresses), named `label`. */
  prefixList: (id: pulumi.Input<string>, label: string): Peer => ({ kind: "prefixList", id, label }),
};

/** Both sides of a connection between two groups of this program. */
export interface ConnectionDescriptions {
  /** The egress rule's description, on the group that connects. */
  out: string;
  /** The ingress rule's description, on the group connected to. */
  in: string;
}

export interface ConnectionsArgs {
  /** The security group the rules belong to. Required. */
  group: aws.ec2.SecurityGroup;
  /** Prefix of its rules' names, usually the group's own name (e.g. "shop-data"). Required. */
  name: string;
  /** Name of the group in other groups' rule names (e.g. "app", "lb"). Required. */
  label: string;
  /** Parent of the rule resources. Required. */
  parent: pulumi.Resource;
  /**
   * Name prefix of rules created before they were named by content (`<prefix>-in-<n>`,
   * `<prefix>-out-<n>`, n counting per direction in declaration order): each new rule gets the
   * old name as an alias, so a stack deployed with the old names keeps its rules.
   * @default none
   */
  legacyRulePrefix?: string;
}

/**
 * EC2 accepts only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=;{}!$* in a rule description, at
 * most 255 characters ("&" only on CIDR rules; never an apostrophe).
 */
const RULE_DESCRIPTION = /^[A-Za-z0-9 ._\-:/()#,@[\]+=;{}!$*]{1,255}$/;

/** The rules of one security group, created as connections are declared. */
export class Connections {
  readonly group: aws.ec2.SecurityGroup;
  readonly name: string;
  readonly label: string;
  private readonly parent: pulumi.Resource;
  private readonly legacyRulePrefix?: string;
  private readonly legacyCount = { in: 0, out: 0 };
  private readonly names = new Set<string>();

  constructor(args: ConnectionsArgs) {
    this.group = args.group;
    this.name = args.name;
    this.label = args.label;
    this.parent = args.parent;
    this.legacyRulePrefix = args.legacyRulePrefix;
  }

  /** Admits `peer` (addresses, or another group) on TCP `port`; a group peer also gets the matching egress rule. */
  allowFrom(peer: Peer | Connections, port: number, description: string | ConnectionDescriptions): void {
    if (peer instanceof Connections) {
      const d = typeof description === "string" ? { in: description, out: description } : description;
      peer.rule("out", this, port, d.out);
      this.rule("in", peer, port, d.in);
    } else {
      this.rule("in", peer, port, typeof description === "string" ? description : description.in);
    }
  }

  /** Lets this group reach `peer` on TCP `port`; a group peer also gets the matching ingress rule. */
  allowTo(peer: Peer | Connections, port: number, description: string | ConnectionDescriptions): void {
    if (peer instanceof Connections) peer.allowFrom(this, port, description);
    else this.rule("out", peer, port, typeof description === "string" ? description : description.out);
  }

  private rule(direction: "in" | "out", peer: Peer | Connections, port: number, description: string): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) invalidArg("Connections", "port", `must be a TCP port (1-65535), got ${port}`);
    if (!RULE_DESCRIPTION.test(description)) invalidArg("Connections", "description", `"${description}" is not a description EC2 accepts (1-255 of a-z A-Z 0-9 space ._-:/()#,@[]+=;{}!$*)`);
    const name = `${this.name}-${direction}-${port}-${direction === "in" ? "from" : "to"}-${peer.label}`;
    if (this.names.has(name)) invalidArg("Connections", "peer", `${name} is declared twice`);
    this.names.add(name);
    const legacy = this.legacyRulePrefix === undefined ? undefined : `${this.legacyRulePrefix}-${direction}-${this.legacyCount[direction]++}`;
    const args: aws.vpc.SecurityGroupIngressRuleArgs = {
      securityGroupId: this.group.id,
      description,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      cidrIpv4: peer instanceof Connections || peer.kind !== "ipv4" ? undefined : peer.cidr,
      cidrIpv6: peer instanceof Connections || peer.kind !== "ipv6" ? undefined : peer.cidr,
      prefixListId: peer instanceof Connections || peer.kind !== "prefixList" ? undefined : peer.id,
      referencedSecurityGroupId: peer instanceof Connections ? peer.group.id : undefined,
    };
    const opts: pulumi.CustomResourceOptions = { parent: this.parent, ...(legacy ? { aliases: [{ name: legacy }] } : {}) };
    if (direction === "in") new aws.vpc.SecurityGroupIngressRule(name, args, opts);
    else new aws.vpc.SecurityGroupEgressRule(name, args, opts);
  }
}
