/**
 * Security group rules in the three shapes AWS resources express them, reduced to one
 * form: separate aws:vpc rule resources (what this program creates), the legacy
 * aws:ec2/securityGroupRule, and inline ingress/egress blocks on aws:ec2/securityGroup.
 */
import { UNKNOWN, Unknown, asList, asNumber } from "./values";

export const SG = "aws:ec2/securityGroup:SecurityGroup";
export const SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
export const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const SG_RULE_TYPES = [SG_INGRESS, SG_EGRESS, SG_RULE, SG] as const;

export interface Rule {
  direction: "ingress" | "egress";
  /** "tcp", "udp", "icmp", "-1" (all), ...; UNKNOWN when not known yet. */
  protocol: string | Unknown;
  fromPort: number | Unknown | undefined;
  toPort: number | Unknown | undefined;
  /** CIDR sources/destinations (IPv4 and IPv6); UNKNOWN entries when not known. */
  cidrs: (string | Unknown)[];
  /** Another security group (or the group itself) is the peer. */
  groupPeer: boolean;
  /** A managed prefix list is the peer. */
  prefixList: boolean;
  description: unknown;
  /** Where the rule lives, for messages: "" for rule resources, "ingress[2]" for inline blocks. */
  where: string;
  /** The security group the rule belongs to: its id input, or "self" for inline rules. */
  groupId: unknown;
}

function protocolOf(v: unknown): string | Unknown {
  if (v === UNKNOWN) return UNKNOWN;
  if (v === undefined || v === null) return "-1";
  const s = String(v).toLowerCase();
  if (s === "all" || s === "-1") return "-1";
  if (s === "6") return "tcp";
  if (s === "17") return "udp";
  return s;
}

function cidrList(...vs: unknown[]): (string | Unknown)[] {
  const out: (string | Unknown)[] = [];
  for (const v of vs) {
    if (v === UNKNOWN) out.push(UNKNOWN);
    else if (typeof v === "string" && v !== "") out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (x === UNKNOWN || (typeof x === "string" && x !== "")) out.push(x);
  }
  return out;
}

const present = (v: unknown) => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);

/** The rules a resource defines (none for unrelated types). UNKNOWN if the rule list itself is unknown. */
export function rulesOf(type: string, props: Record<string, any>): Rule[] | Unknown {
  if (type === SG_INGRESS || type === SG_EGRESS) {
    return [{
      direction: type === SG_INGRESS ? "ingress" : "egress",
      protocol: protocolOf(props.ipProtocol),
      fromPort: asNumber(props.fromPort),
      toPort: asNumber(props.toPort),
      cidrs: cidrList(props.cidrIpv4, props.cidrIpv6),
      groupPeer: present(props.referencedSecurityGroupId),
      prefixList: present(props.prefixListId),
      description: props.description,
      where: "",
      groupId: props.securityGroupId,
    }];
  }
  if (type === SG_RULE) {
    const t = props.type;
    if (t === UNKNOWN) return UNKNOWN;
    return [{
      direction: t === "egress" ? "egress" : "ingress",
      protocol: protocolOf(props.protocol),
      fromPort: asNumber(props.fromPort),
      toPort: asNumber(props.toPort),
      cidrs: cidrList(props.cidrBlocks, props.ipv6CidrBlocks),
      groupPeer: present(props.sourceSecurityGroupId) || props.self === true,
      prefixList: present(props.prefixListIds),
      description: props.description,
      where: "",
      groupId: props.securityGroupId,
    }];
  }
  if (type === SG) {
    const out: Rule[] = [];
    for (const direction of ["ingress", "egress"] as const) {
      const list = asList(props[direction]);
      if (list === UNKNOWN) return UNKNOWN;
      list.forEach((r: any, i: number) => {
        if (r === UNKNOWN || !r || typeof r !== "object") return;
        out.push({
          direction,
          protocol: protocolOf(r.protocol),
          fromPort: asNumber(r.fromPort),
          toPort: asNumber(r.toPort),
          cidrs: cidrList(r.cidrBlocks, r.ipv6CidrBlocks),
          groupPeer: present(r.securityGroups) || r.self === true,
          prefixList: present(r.prefixListIds),
          description: r.description,
          where: `${direction}[${i}]`,
          groupId: "self",
        });
      });
    }
    return out;
  }
  return [];
}

/** Parses "a.b.c.d/n" or an IPv6 CIDR into its family and prefix length. */
function parseCidr(cidr: string): { v6: boolean; prefix: number; first: number[] } | undefined {
  const [addr, len] = cidr.trim().split("/");
  const prefix = len === undefined ? (addr.includes(":") ? 128 : 32) : Number(len);
  if (!Number.isInteger(prefix)) return undefined;
  if (addr.includes(":")) return { v6: true, prefix, first: [] };
  const octets = addr.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  return { v6: false, prefix, first: octets };
}

/**
 * Whether a CIDR opens the rule to the internet at large: 0.0.0.0/0 and ::/0, and also
 * any public range as wide as a /8 (IPv4) or /16 (IPv6), so splitting 0.0.0.0/0 into
 * halves does not slip through.
 */
export function isWorld(cidr: string): boolean {
  const c = parseCidr(cidr);
  if (!c) return false;
  if (c.v6) return c.prefix <= 16;
  if (c.prefix < 8) return true;
  if (c.prefix > 8) return false;
  return c.first[0] !== 10 && c.first[0] !== 127; // 10.0.0.0/8 is private
}

/** Whether the rule's port range includes `port` (UNKNOWN if the range is not known). */
export function coversPort(rule: Rule, port: number): boolean | Unknown {
  if (rule.protocol === UNKNOWN) return UNKNOWN;
  if (rule.protocol === "-1") return true;
  if (rule.protocol !== "tcp" && rule.protocol !== "udp") return false;
  if (rule.fromPort === UNKNOWN || rule.toPort === UNKNOWN) return UNKNOWN;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return from <= port && port <= to;
}

/** "tcp 443", "tcp 0-65535", "all traffic". */
export function describePorts(rule: Rule): string {
  if (rule.protocol === "-1") return "all traffic";
  const p = rule.protocol === UNKNOWN ? "?" : rule.protocol;
  const from = rule.fromPort === UNKNOWN ? "?" : rule.fromPort;
  const to = rule.toPort === UNKNOWN ? "?" : rule.toPort;
  return from === to ? `${p} ${from}` : `${p} ${from}-${to}`;
}

/** Known world-open CIDRs of an ingress rule. */
export function worldCidrs(rule: Rule): string[] {
  if (rule.direction !== "ingress") return [];
  return rule.cidrs.filter((c): c is string => typeof c === "string" && isWorld(c));
}

/** The rules of a resource that admit the internet, each with the world CIDRs it names; UNKNOWN when the rules are. */
export function worldOpenRules(type: string, props: Record<string, any>): { rule: Rule; world: string[] }[] | Unknown {
  const rules = rulesOf(type, props);
  if (rules === UNKNOWN) return UNKNOWN;
  return rules.map((rule) => ({ rule, world: worldCidrs(rule) })).filter((r) => r.world.length > 0);
}

export function ruleLabel(rule: Rule): string {
  return rule.where ? `rule ${rule.where}` : "the rule";
}
