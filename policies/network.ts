/**
 * Network firewall: the world reaches only 80/443, and only on the edge tier; no SSH or
 * RDP from the world; database and cache ports only from security groups; data tiers never
 * public; every rule says why it exists (the seeds' "Port 80, 443 open; app port internal
 * only" firewall layer, and the UFW setup they recommend).
 */
import { resourcePolicy, stackPolicy, StackResource } from "./lib/define";
import { dependsOn, identifiers, linkedTo, refersTo } from "./lib/refs";
import { Rule, SG, SG_EGRESS, SG_INGRESS, SG_RULE, coversPort, describePorts, ruleLabel, rulesOf, worldCidrs, worldOpenRules } from "./lib/net";
import { T } from "./lib/types";
import { UNKNOWN, Unknown, asBool, asList, tagValue } from "./lib/values";

const RULE_TYPES = [SG_INGRESS, SG_EGRESS, SG_RULE, SG];
const portList = { type: "array", items: { type: "integer", minimum: 0, maximum: 65535 } } as const;

const WEB_PORTS = [80, 443];
const ADMIN_PORTS = [22, 3389];
/** PostgreSQL, MySQL, Redis, Memcached, MongoDB, SQL Server, Oracle, Redshift, OpenSearch. */
const DATA_PORTS = [5432, 3306, 6379, 11211, 27017, 1433, 1521, 5439, 9200];

export const sgWorldIngressWebOnly = resourcePolicy<{ allowedPorts: number[] }>({
  name: "sg-world-ingress-web-ports-only",
  layer: "network",
  summary: "Ingress from the internet (0.0.0.0/0, ::/0 or any public /8) is allowed only on TCP 80 and 443, one port per rule.",
  fix: "open only tcp 80 and 443 to the world; reach anything else through the load balancer, SSM Session Manager or a security-group reference.",
  types: RULE_TYPES,
  schema: { allowedPorts: { ...portList, default: WEB_PORTS, description: "Ports that may be open to the world (TCP)." } },
  defaults: { allowedPorts: WEB_PORTS },
  check(r, ctx) {
    const open = worldOpenRules(r.type, r.props);
    if (open === UNKNOWN) return;
    for (const { rule, world } of open) {
      if (rule.protocol === UNKNOWN || rule.fromPort === UNKNOWN || rule.toPort === UNKNOWN) continue;
      const ok = rule.protocol === "tcp" && rule.fromPort !== undefined && rule.fromPort === rule.toPort && ctx.config.allowedPorts.includes(rule.fromPort);
      if (!ok) ctx.report(`${ruleLabel(rule)} opens ${describePorts(rule)} to ${world.join(", ")}.`);
    }
  },
});

export const sgNoAdminFromWorld = resourcePolicy<{ adminPorts: number[] }>({
  name: "sg-no-admin-ports-from-world",
  layer: "network",
  summary: "SSH (22) and RDP (3389) are never reachable from the internet.",
  fix: "remove the rule; use SSM Session Manager, or allow SSH only from the admin CIDRs in the stack config (adminCidrs).",
  severity: "critical",
  types: RULE_TYPES,
  schema: { adminPorts: { ...portList, default: ADMIN_PORTS, description: "Remote administration ports never open to the world." } },
  defaults: { adminPorts: ADMIN_PORTS },
  check(r, ctx) {
    const open = worldOpenRules(r.type, r.props);
    if (open === UNKNOWN) return;
    for (const { rule, world } of open) {
      const hit = ctx.config.adminPorts.filter((p) => coversPort(rule, p) === true);
      if (hit.length > 0) ctx.report(`${ruleLabel(rule)} opens remote administration (port ${hit.join(", ")}) to ${world.join(", ")}.`);
    }
  },
});

export const sgDataPortsFromGroups = resourcePolicy<{ dataPorts: number[] }>({
  name: "sg-data-ports-from-groups-only",
  layer: "network",
  summary: "Database and cache ports (PostgreSQL 5432, Redis 6379, ...) accept connections only from security groups, never from CIDR ranges or prefix lists.",
  fix: "replace the CIDR with referencedSecurityGroupId set to the app hosts' security group.",
  types: RULE_TYPES,
  schema: { dataPorts: { ...portList, default: DATA_PORTS, description: "Ports of databases and caches." } },
  defaults: { dataPorts: DATA_PORTS },
  check(r, ctx) {
    const rules = rulesOf(r.type, r.props);
    if (rules === UNKNOWN) return;
    for (const rule of rules) {
      if (rule.direction !== "ingress") continue;
      const cidrs = rule.cidrs.filter((c): c is string => typeof c === "string");
      if (cidrs.length === 0 && !rule.prefixList) continue;
      const hit = ctx.config.dataPorts.filter((p) => coversPort(rule, p) === true);
      if (hit.length > 0) ctx.report(`${ruleLabel(rule)} lets ${cidrs.length > 0 ? cidrs.join(", ") : "a prefix list"} reach data port ${hit.join(", ")} by address instead of by security group.`);
    }
  },
});

export const sgRulesDescribed = resourcePolicy({
  name: "sg-rules-described",
  layer: "network",
  summary: "Every security group and every rule in it carries a description saying why it exists.",
  fix: 'give the rule a description such as "HTTPS from the internet" or "PostgreSQL from the app hosts"; give the group one other than the default "Managed by Pulumi".',
  severity: "low",
  types: RULE_TYPES,
  check(r, ctx) {
    const described = (d: unknown) => d === UNKNOWN || (typeof d === "string" && d.trim() !== "");
    if (r.type === SG) {
      const d = r.props.description;
      if (!described(d) || d === "Managed by Pulumi") ctx.report("the security group has no description of its own (it would read \"Managed by Pulumi\").");
    }
    const rules = rulesOf(r.type, r.props);
    if (rules === UNKNOWN) return;
    for (const rule of rules) if (!described(rule.description)) ctx.report(`${ruleLabel(rule)} (${rule.direction} ${describePorts(rule)}) has no description.`);
  },
});

/** Ingress rules from every resource shape, each with the security group it belongs to. */
export function rulesByGroup(ctx: { ofType(...t: string[]): StackResource[] }): { holder: StackResource; rule: Rule; group?: StackResource }[] {
  const groups = ctx.ofType(SG);
  const out: { holder: StackResource; rule: Rule; group?: StackResource }[] = [];
  for (const holder of ctx.ofType(SG_INGRESS, SG_RULE, SG)) {
    const rules = rulesOf(holder.type, holder.props);
    if (rules === UNKNOWN) continue;
    for (const rule of rules) {
      if (rule.direction !== "ingress") continue;
      const group = holder.type === SG ? holder : ownerGroup(holder, rule, groups);
      out.push({ holder, rule, group });
    }
  }
  return out;
}

/**
 * The group a separate rule belongs to: by its securityGroupId when known; when unknown
 * (preview), the one group it depends on through securityGroupId, or, without per-property
 * dependencies, the only group it depends on that is not its peer.
 */
function ownerGroup(holder: StackResource, rule: Rule, groups: StackResource[]): StackResource | undefined {
  const id = rule.groupId;
  if (id !== UNKNOWN) return groups.find((g) => refersTo(id, g, holder) === true);
  const byProp = holder.propertyDependencies.securityGroupId;
  if (byProp && byProp.length > 0) return groups.find((g) => byProp.includes(g));
  const deps = groups.filter((g) => holder.dependencies.includes(g));
  return deps.length === 1 && !rule.groupPeer ? deps[0] : undefined;
}

export const sgWorldIngressEdgeOnly = stackPolicy<{ worldIngressTiers: string[] }>({
  name: "sg-world-ingress-edge-tier-only",
  layer: "network",
  summary: "Only security groups of the edge tier (tag tier = edge, or lb for load balancers) accept traffic from the internet.",
  fix: "move the world-open rule to the edge or load balancer group, and let app and data groups accept traffic only from the tier in front of them.",
  severity: "critical",
  schema: {
    worldIngressTiers: { type: "array", items: { type: "string" }, default: ["edge", "lb"], description: "Values of the `tier` tag whose groups may accept world traffic." },
  },
  defaults: { worldIngressTiers: ["edge", "lb"] },
  check(ctx) {
    for (const { holder, rule, group } of rulesByGroup(ctx)) {
      const world = worldCidrs(rule);
      if (world.length === 0 || !group) continue;
      if (group.tags === UNKNOWN) continue;
      const tier = tagValue(group.tags, "tier");
      if (tier !== undefined && ctx.config.worldIngressTiers.includes(tier)) continue;
      ctx.report(holder, `${ruleLabel(rule)} opens ${describePorts(rule)} to ${world.join(", ")} on security group "${group.name}", whose tier is ${tier ? `"${tier}"` : "not tagged"}, not an edge tier.`);
    }
  },
});

export const sgDataTierFromGroups = stackPolicy({
  name: "sg-data-tier-from-groups-only",
  layer: "network",
  summary: "Security groups of the data tier (tag tier = data) accept traffic only from other security groups, never from addresses.",
  fix: "replace the CIDR or prefix list with referencedSecurityGroupId set to the app hosts' group.",
  severity: "critical",
  check(ctx) {
    for (const { holder, rule, group } of rulesByGroup(ctx)) {
      if (!group || tagValue(group.tags, "tier") !== "data") continue;
      const cidrs = rule.cidrs.filter((c): c is string => typeof c === "string");
      if (cidrs.length === 0 && !rule.prefixList) continue;
      ctx.report(holder, `${ruleLabel(rule)} lets ${cidrs.length > 0 ? cidrs.join(", ") : "a prefix list"} into data-tier group "${group.name}" (${describePorts(rule)}).`);
    }
  },
});

export const databasesNotPublic = resourcePolicy({
  name: "databases-not-public",
  layer: "network",
  summary: "Databases are never publicly accessible; they live in isolated subnets behind the data tier.",
  fix: "set publiclyAccessible: false and use the isolated subnets' DB subnet group.",
  severity: "critical",
  types: [T.rdsInstance, T.rdsClusterInstance],
  check(r, ctx) {
    if (asBool(r.props.publiclyAccessible) === true) ctx.report("the database is publicly accessible (it gets a public address).");
  },
});

export const vpcFlowLogs = stackPolicy({
  name: "vpc-flow-logs",
  layer: "network",
  summary: "Every VPC has a flow log of all traffic, accepted and rejected, so a connection (or an attempt) can be traced after the fact.",
  fix: 'add an aws.ec2.FlowLog with vpcId: the VPC\'s id and trafficType: "ALL" (components/network does this).',
  check(ctx) {
    const logs = ctx.ofType(T.flowLog);
    for (const vpc of ctx.ofType(T.vpc)) {
      const mine = linkedTo(vpc, logs, "vpcId");
      if (mine === UNKNOWN) continue;
      if (mine.length === 0) ctx.report(vpc, "the VPC has no flow log, so its traffic leaves no trace.");
      else if (!mine.some((l) => l.props.trafficType === "ALL" || l.props.trafficType === UNKNOWN)) {
        ctx.report(vpc, `the VPC's flow log records only ${mine.map((l) => l.props.trafficType).join(", ")} traffic, not ALL.`);
      }
    }
  },
});

export const vpcDefaultSgClosed = stackPolicy({
  name: "vpc-default-sg-closed",
  layer: "network",
  summary: "Every VPC's default security group is adopted by the program with no rules, so a resource launched without a group of its own gets no traffic at all (AWS's default group lets its members reach each other and anything outside).",
  fix: "add an aws.ec2.DefaultSecurityGroup with vpcId: the VPC's id and neither ingress nor egress: adopting it removes AWS's default rules (components/network does this).",
  check(ctx) {
    const defaults = ctx.ofType(T.defaultSecurityGroup);
    for (const vpc of ctx.ofType(T.vpc)) {
      const mine = linkedTo(vpc, defaults, "vpcId");
      if (mine === UNKNOWN) continue;
      if (mine.length === 0) ctx.report(vpc, "the VPC's default security group is not managed, so it keeps AWS's rules (members reach each other, all egress).");
    }
    for (const g of defaults) {
      for (const side of ["ingress", "egress"] as const) {
        const rules = asList(g.props[side]);
        if (rules !== UNKNOWN && rules.length > 0) ctx.report(g, `the default security group has ${rules.length} ${side} rule${rules.length > 1 ? "s" : ""}; it must have none.`);
      }
    }
  },
});

export const subnetsNoAutoPublicIp = resourcePolicy({
  name: "subnets-no-auto-public-ip",
  layer: "network",
  summary: "No subnet gives instances a public address by default (mapPublicIpOnLaunch), so a host is reachable from the internet only where the program attaches an Elastic IP on purpose.",
  fix: "leave mapPublicIpOnLaunch unset or false; give a public host an Elastic IP (components/single-host does).",
  types: [T.subnet],
  check(r, ctx) {
    if (asBool(r.props.mapPublicIpOnLaunch) === true) ctx.report("the subnet maps a public IPv4 address to every instance launched in it (mapPublicIpOnLaunch true).");
  },
});

export const eipAttached = stackPolicy({
  name: "eip-attached",
  layer: "network",
  summary: "Every Elastic IP is attached to an instance, a network interface or a NAT gateway: an unattached address costs money ($3.60 a month) and may still be in DNS, where whoever gets it next would receive the traffic.",
  fix: "associate the address (aws.ec2.EipAssociation with allocationId, or instance/networkInterface on the Eip) or use it as a NAT gateway's allocationId; release addresses nothing uses.",
  check(ctx) {
    const users = [...ctx.ofType(T.eipAssociation), ...ctx.ofType(T.natGateway)];
    for (const eip of ctx.ofType(T.eip)) {
      const direct = [eip.props.instance, eip.props.networkInterface];
      if (direct.some((v) => v === UNKNOWN || (typeof v === "string" && v !== ""))) continue;
      const mine = linkedTo(eip, users, "allocationId");
      if (mine !== UNKNOWN && mine.length === 0) ctx.report(eip, "the Elastic IP is attached to nothing (no association, instance, network interface or NAT gateway).");
    }
  },
});

/**
 * Where each AWS type that can sit in a security group names its groups (outer property,
 * then the path inside it): a group none of these name is unused.
 */
const SG_CONSUMERS: Record<string, [string, ...string[]][]> = {
  [T.loadBalancer]: [["securityGroups"]],
  [T.albLoadBalancer]: [["securityGroups"]],
  [T.instance]: [["vpcSecurityGroupIds"], ["securityGroups"]],
  [T.launchTemplate]: [["vpcSecurityGroupIds"], ["securityGroupNames"], ["networkInterfaces", "securityGroups"]],
  [T.networkInterface]: [["securityGroups"]],
  [T.rdsInstance]: [["vpcSecurityGroupIds"]],
  [T.rdsCluster]: [["vpcSecurityGroupIds"]],
  [T.replicationGroup]: [["securityGroupIds"]],
  [T.cacheCluster]: [["securityGroupIds"]],
  [T.vpcEndpoint]: [["securityGroupIds"]],
  [T.lambdaFunction]: [["vpcConfig", "securityGroupIds"]],
};

/** The strings at `path` under `v` (lists flattened at every step), or UNKNOWN when any step is unknown. */
function valuesAt(v: unknown, path: string[]): string[] | Unknown {
  if (v === UNKNOWN) return UNKNOWN;
  if (Array.isArray(v)) {
    const all = v.map((x) => valuesAt(x, path));
    return all.includes(UNKNOWN) ? UNKNOWN : (all as string[][]).flat();
  }
  if (path.length === 0) return typeof v === "string" && v !== "" ? [v] : [];
  if (v === null || typeof v !== "object") return [];
  return valuesAt((v as Record<string, unknown>)[path[0]], path.slice(1));
}

export const sgAttached = stackPolicy({
  name: "sg-attached",
  layer: "network",
  summary: "Every security group is used by something (a load balancer, host, launch template, database, cache, endpoint or function): an unused group is dead configuration that someone will one day attach without reading its rules.",
  fix: "attach the group where it is meant to be used, or delete it.",
  check(ctx) {
    const named: { holder: StackResource; prop: string; values: string[] | Unknown }[] = [];
    for (const [type, paths] of Object.entries(SG_CONSUMERS)) {
      for (const holder of ctx.ofType(type)) {
        for (const [prop, ...inner] of paths) named.push({ holder, prop, values: valuesAt(holder.props[prop], inner) });
      }
    }
    for (const sg of ctx.ofType(SG)) {
      const ids = identifiers(sg);
      const uses = named.map(({ holder, prop, values }) =>
        values === UNKNOWN ? (dependsOn(holder, sg, prop) ? true : UNKNOWN) : values.some((v) => ids.has(v)) || (ids.size === 0 && dependsOn(holder, sg, prop)));
      if (uses.includes(true)) continue;
      // A reference may hide in a value not known yet, or the group's own ids may be (preview).
      if (uses.includes(UNKNOWN) || ids.size === 0) continue;
      ctx.report(sg, "no resource uses the security group.");
    }
  },
});

export const NETWORK_POLICIES = [
  sgWorldIngressWebOnly, sgNoAdminFromWorld, sgDataPortsFromGroups, sgRulesDescribed, sgWorldIngressEdgeOnly, sgDataTierFromGroups, databasesNotPublic,
  vpcFlowLogs, vpcDefaultSgClosed, subnetsNoAutoPublicIp, eipAttached, sgAttached,
];
