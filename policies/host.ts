/**
 * Host hardening for EC2 instances and launch templates: IMDSv2 only, encrypted volumes,
 * an instance profile (so hosts fetch secrets with their role, not with keys), and no
 * public address on fleet hosts; the single web host at the edge is the one exception. And
 * the Lambda functions (secret rotation): supported runtimes, one role each.
 */
import { exemptionFor } from "./lib/config";
import { resourcePolicy, stackPolicy, StackResource } from "./lib/define";
import { refersTo } from "./lib/refs";
import { SG } from "./lib/net";
import { T } from "./lib/types";
import { UNKNOWN, asBool, asList, tagValue } from "./lib/values";

export const imdsv2Required = resourcePolicy({
  name: "imdsv2-required",
  layer: "host",
  summary: "Instances and launch templates require IMDSv2 session tokens, so a server-side request forgery cannot read the instance role's credentials.",
  fix: 'set metadataOptions { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 (2 for Docker hosts) }.',
  severity: "critical",
  types: [T.instance, T.launchTemplate],
  check(r, ctx) {
    const mo = r.props.metadataOptions;
    if (mo === UNKNOWN) return;
    if (!mo || typeof mo !== "object") {
      ctx.report("no metadataOptions are set, so IMDSv1 (no token) stays enabled.");
      return;
    }
    if (mo.httpEndpoint === "disabled" || mo.httpTokens === "required") return;
    if (mo.httpTokens === UNKNOWN || mo.httpEndpoint === UNKNOWN) return; // may turn out required, or the endpoint off
    if (mo.httpTokens !== "required") ctx.report(`metadataOptions.httpTokens is "${mo.httpTokens ?? "optional"}", so IMDSv1 (no token) stays enabled.`);
  },
});

export const ebsEncrypted = resourcePolicy<{ accountEncryptionByDefault: boolean }>({
  name: "ebs-volumes-encrypted",
  layer: "host",
  summary: "Every EBS volume of an instance or launch template (root and data) is encrypted.",
  fix: "set rootBlockDevice { encrypted: true } on instances, blockDeviceMappings [{ deviceName: \"/dev/sda1\", ebs: { encrypted: \"true\", volumeType: \"gp3\" } }] on launch templates, and encrypted: true on volumes.",
  types: [T.instance, T.launchTemplate, T.ebsVolume],
  schema: {
    accountEncryptionByDefault: {
      type: "boolean", default: false,
      description: "The target accounts enforce EBS encryption by default, so a volume without an explicit setting is encrypted.",
    },
  },
  defaults: { accountEncryptionByDefault: false },
  check(r, ctx) {
    const implicitOk = ctx.config.accountEncryptionByDefault;
    const verdict = (v: unknown, what: string) => {
      const b = asBool(v);
      if (b === UNKNOWN || b === true) return;
      if (b === undefined && implicitOk) return;
      ctx.report(b === false ? `${what} is explicitly unencrypted.` : `${what} does not set encrypted, so it follows the AMI snapshot and is unencrypted unless the account enforces EBS encryption.`);
    };
    if (r.type === T.ebsVolume) {
      verdict(r.props.encrypted, "the volume");
      return;
    }
    if (r.type === T.instance) {
      const root = r.props.rootBlockDevice;
      if (root === UNKNOWN) return;
      if (!root || typeof root !== "object") {
        if (!implicitOk) ctx.report("the root volume's encryption is not set (no rootBlockDevice), so it follows the AMI snapshot and is unencrypted.");
      } else verdict(root.encrypted, "the root volume");
      const ebs = asList(r.props.ebsBlockDevices);
      if (ebs === UNKNOWN) return;
      for (const d of ebs) if (d && d !== UNKNOWN) verdict(d.encrypted, `data volume ${typeof d.deviceName === "string" ? d.deviceName : "?"}`);
      return;
    }
    const mappings = asList(r.props.blockDeviceMappings);
    if (mappings === UNKNOWN) return;
    const withEbs = mappings.filter((m) => m && m !== UNKNOWN && m.ebs !== undefined);
    if (withEbs.length === 0) {
      if (!implicitOk) ctx.report("the launch template maps no EBS volume, so the root volume follows the AMI snapshot and is unencrypted.");
      return;
    }
    for (const m of withEbs) {
      if (m.ebs === UNKNOWN) continue;
      verdict(m.ebs?.encrypted, `volume ${typeof m.deviceName === "string" ? m.deviceName : "?"}`);
    }
  },
});

export const instanceProfileAttached = resourcePolicy({
  name: "instance-profile-attached",
  layer: "host",
  summary: "Every instance and launch template has an instance profile, so the host reaches AWS (Secrets Manager, S3, SSM, CloudWatch) with its role and never with stored keys.",
  fix: "create an aws.iam.InstanceProfile for the host's role (scoped to its own secrets and buckets) and set iamInstanceProfile (launch templates: iamInstanceProfile { arn } or { name }).",
  types: [T.instance, T.launchTemplate],
  check(r, ctx) {
    const p = r.props.iamInstanceProfile;
    if (p === UNKNOWN) return;
    if (r.type === T.instance) {
      if (typeof p !== "string" || p === "") ctx.report("the instance has no instance profile.");
      return;
    }
    const set = (v: unknown) => v === UNKNOWN || (typeof v === "string" && v !== "");
    if (!p || typeof p !== "object" || !(set(p.arn) || set(p.name))) ctx.report("the launch template has no instance profile.");
  },
});

export const detailedMonitoringProd = resourcePolicy({
  name: "ec2-detailed-monitoring-prod",
  layer: "host",
  summary: "Prod instances and launch templates have detailed (1-minute) CloudWatch monitoring, so alarms and scaling see a failing host within minutes; staging may stay on basic (5-minute) monitoring.",
  fix: "set monitoring: true on instances and monitoring { enabled: true } on launch templates (the prod profile's detailedMonitoring does).",
  types: [T.instance, T.launchTemplate],
  check(r, ctx) {
    if (ctx.env !== "prod") return;
    const m = r.props.monitoring;
    if (m === UNKNOWN) return;
    const on = asBool(r.type === T.instance ? m : m && typeof m === "object" ? m.enabled : undefined);
    if (on === UNKNOWN || on === true) return;
    ctx.report(r.type === T.instance ? "the prod instance has only basic (5-minute) monitoring (monitoring is not true)." : "the prod launch template launches hosts with only basic (5-minute) monitoring (monitoring.enabled is not true).");
  },
});

export const terminationProtectionProd = resourcePolicy({
  name: "instance-termination-protection-prod",
  layer: "host",
  summary: "Prod instances outside an autoscaling group (the single hosts) have termination protection, so neither a console click nor a stray API call terminates them; replacing one then needs protection switched off on purpose.",
  fix: "set disableApiTermination: true (the prod profile's detailedMonitoring does on SingleWebHost).",
  severity: "high",
  types: [T.instance],
  check(r, ctx) {
    if (ctx.env !== "prod") return;
    const on = asBool(r.props.disableApiTermination);
    if (on === UNKNOWN || on === true) return;
    ctx.report("the prod instance has no termination protection (disableApiTermination is not true).");
  },
});

export const imdsHopLimitOne = resourcePolicy({
  name: "imds-hop-limit-one",
  layer: "host",
  summary: "The metadata service answers at most one network hop away (httpPutResponseHopLimit 1), so a container or forwarded request cannot fetch the instance role's token; Docker hosts whose containers need the role are named exemptions.",
  fix: "set metadataOptions.httpPutResponseHopLimit: 1 (AppFleet metadataHopLimit 1), or name the Docker host in this policy's exemptions with the reason its containers need the instance role.",
  types: [T.instance, T.launchTemplate],
  check(r, ctx) {
    const mo = r.props.metadataOptions;
    if (mo === UNKNOWN) return;
    if (mo && typeof mo === "object" && (mo.httpEndpoint === "disabled" || mo.httpEndpoint === UNKNOWN)) return; // off, or may turn out off
    const hop = mo && typeof mo === "object" ? mo.httpPutResponseHopLimit : undefined;
    if (hop === UNKNOWN) return;
    if (hop === undefined || hop === null) {
      if (r.type === T.launchTemplate) ctx.report("metadataOptions.httpPutResponseHopLimit is not set, so the AMI's or account's default applies (2 on Ubuntu images).");
      else ctx.report("metadataOptions.httpPutResponseHopLimit is not set, so the instance gets the image's or account's default, which may be 2.");
      return;
    }
    const n = Number(hop);
    if (!(n <= 1)) ctx.report(`metadataOptions.httpPutResponseHopLimit is ${hop}, so the metadata service answers ${hop} hops away (through a Docker bridge or a forwarding proxy).`);
  },
});

/** Network interfaces an instance is launched with (primaryNetworkInterface, networkInterfaces). */
function interfacesOf(inst: StackResource, enis: StackResource[]): StackResource[] {
  const refs: { value: unknown; prop: string }[] = [];
  const primary = inst.props.primaryNetworkInterface;
  if (primary === UNKNOWN) refs.push({ value: UNKNOWN, prop: "primaryNetworkInterface" });
  else if (primary && typeof primary === "object") refs.push({ value: primary.networkInterfaceId, prop: "primaryNetworkInterface" });
  const nics = asList(inst.props.networkInterfaces);
  if (nics === UNKNOWN) refs.push({ value: UNKNOWN, prop: "networkInterfaces" });
  else for (const n of nics) refs.push({ value: n === UNKNOWN ? UNKNOWN : n?.networkInterfaceId, prop: "networkInterfaces" });
  return enis.filter((e) => refs.some((r) => r.value !== undefined && refersTo(r.value, e, inst, r.prop) === true));
}

/** Whether `holder`'s security groups (in `prop`) include an edge-tier group (not the load balancer's). */
function inEdgeGroup(holder: StackResource, prop: string, edgeGroups: StackResource[]): boolean | typeof UNKNOWN {
  const ids = asList(holder.props[prop]);
  if (ids === UNKNOWN) return edgeGroups.some((g) => holder.dependencies.includes(g)) ? true : UNKNOWN;
  let unknown = false;
  for (const id of ids) {
    const hits = edgeGroups.map((g) => refersTo(id, g, holder, prop));
    if (hits.includes(true)) return true;
    if (hits.includes(UNKNOWN)) unknown = true;
  }
  return unknown ? UNKNOWN : false;
}

/**
 * An edge host: tagged tier/role "edge", named in config, or placed (directly or through
 * its network interface) in an edge-tier security group that is not the load balancer's.
 */
function isEdgeHost(inst: StackResource, enis: StackResource[], groups: StackResource[], edgeHosts: string[]): boolean | typeof UNKNOWN {
  if (tagValue(inst.tags, "tier") === "edge" || tagValue(inst.tags, "role") === "edge") return true;
  if (exemptionFor(inst.name, edgeHosts.map((h) => ({ resource: h, reason: "edge host" }))).exempt) return true;
  const edgeGroups = groups.filter((g) => tagValue(g.tags, "tier") === "edge" && tagValue(g.tags, "role") !== "lb");
  const results = [
    inEdgeGroup(inst, "vpcSecurityGroupIds", edgeGroups),
    inEdgeGroup(inst, "securityGroups", edgeGroups),
    ...enis.map((e) => inEdgeGroup(e, "securityGroups", edgeGroups)),
  ];
  if (results.includes(true)) return true;
  return results.includes(UNKNOWN) ? UNKNOWN : false;
}

/** Whether a subnet hands out public addresses (tier tag "public" or mapPublicIpOnLaunch). */
function isPublicSubnet(s: StackResource): boolean | typeof UNKNOWN {
  if (tagValue(s.tags, "tier") === "public") return true;
  const map = asBool(s.props.mapPublicIpOnLaunch);
  return map === UNKNOWN ? UNKNOWN : map === true;
}

function publicSubnetsOf(holder: StackResource, ids: unknown, prop: string, subnets: StackResource[]): StackResource[] {
  const list = ids === UNKNOWN ? subnets.filter((s) => holder.dependencies.includes(s)) : typeof ids === "string" ? [ids] : asList(ids);
  if (list === UNKNOWN) return [];
  const out: StackResource[] = [];
  for (const id of list) {
    const s = typeof id === "object" && id !== null && "urn" in id ? (id as StackResource) : subnets.find((x) => refersTo(id, x, holder, prop) === true);
    if (s && isPublicSubnet(s) === true) out.push(s);
  }
  return out;
}

export const fleetNoPublicIp = stackPolicy<{ edgeHosts: string[] }>({
  name: "fleet-no-public-ip",
  layer: "host",
  summary: "Fleet hosts (launch templates, autoscaling groups, instances behind a load balancer) get no public IP address; only the single web host at the edge (tier = edge) faces the internet.",
  fix: "launch fleet hosts into the private subnets and set associatePublicIpAddress to false (launch templates: networkInterfaces [{ associatePublicIpAddress: \"false\" }]); reach them through the load balancer and SSM.",
  severity: "critical",
  schema: {
    edgeHosts: { type: "array", items: { type: "string" }, default: [], description: "Logical names of instances that are edge hosts although not tagged tier = edge." },
  },
  defaults: { edgeHosts: [] },
  check(ctx) {
    const groups = ctx.ofType(SG);
    const subnets = ctx.ofType(T.subnet);
    const templates = ctx.ofType(T.launchTemplate);
    const publicFlag = (lt: StackResource): boolean | undefined | typeof UNKNOWN => {
      const nics = asList(lt.props.networkInterfaces);
      if (nics === UNKNOWN) return UNKNOWN;
      const flags = nics.map((n) => (n && n !== UNKNOWN ? asBool(n.associatePublicIpAddress) : UNKNOWN));
      if (flags.includes(true)) return true;
      if (flags.includes(UNKNOWN)) return UNKNOWN;
      return flags.includes(false) ? false : undefined;
    };
    for (const lt of templates) {
      if (publicFlag(lt) === true) ctx.report(lt, "the launch template gives fleet hosts a public IP (associatePublicIpAddress \"true\").");
    }
    for (const asg of ctx.ofType(T.autoscalingGroup)) {
      const pub = publicSubnetsOf(asg, asg.props.vpcZoneIdentifiers, "vpcZoneIdentifiers", subnets);
      if (pub.length === 0) continue;
      const ltRef = asg.props.launchTemplate;
      const lt = ltRef && ltRef !== UNKNOWN
        ? templates.find((t) => refersTo(ltRef.id ?? ltRef.name, t, asg, "launchTemplate") === true)
        : templates.find((t) => asg.dependencies.includes(t));
      const flag = lt ? publicFlag(lt) : undefined;
      if (flag === false || flag === UNKNOWN) continue;
      ctx.report(asg, `the group launches hosts into public subnet(s) ${pub.map((s) => `"${s.name}"`).join(", ")}, where they get public IPs.`);
    }
    const eips = ctx.ofType(T.eip);
    const eipAssociations = ctx.ofType(T.eipAssociation);
    const allEnis = ctx.ofType(T.networkInterface);
    for (const inst of ctx.ofType(T.instance)) {
      const enis = interfacesOf(inst, allEnis);
      if (isEdgeHost(inst, enis, groups, ctx.config.edgeHosts) !== false) continue;
      const assoc = asBool(inst.props.associatePublicIpAddress);
      if (assoc === true) {
        ctx.report(inst, "the instance is not an edge host but gets a public IP (associatePublicIpAddress: true).");
        continue;
      }
      if (assoc !== false && assoc !== UNKNOWN) {
        const pub = [
          ...publicSubnetsOf(inst, inst.props.subnetId, "subnetId", subnets),
          ...enis.flatMap((e) => publicSubnetsOf(e, e.props.subnetId, "subnetId", subnets)),
        ];
        if (pub.length > 0) ctx.report(inst, `the instance is not an edge host but sits in public subnet "${pub[0].name}", where it gets a public IP.`);
      }
      const onInstance = (holder: StackResource, instanceProp: string, eniProp: string) =>
        (holder.props[instanceProp] !== undefined && refersTo(holder.props[instanceProp], inst, holder, instanceProp) === true)
        || (holder.props[eniProp] !== undefined && enis.some((e) => refersTo(holder.props[eniProp], e, holder, eniProp) === true));
      const attached = eips.some((e) => onInstance(e, "instance", "networkInterface"))
        || eipAssociations.some((a) => onInstance(a, "instanceId", "networkInterfaceId"));
      if (attached) ctx.report(inst, "the instance is not an edge host but has an Elastic IP.");
    }
  },
});

/** Lambda runtimes AWS still supports and patches (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). */
const SUPPORTED_RUNTIMES = ["python3.12", "python3.13", "nodejs20.x", "nodejs22.x", "java21", "dotnet8", "ruby3.3", "ruby3.4", "provided.al2023"];

export const lambdaFunctionHardened = stackPolicy<{ allowedRuntimes: string[] }>({
  name: "lambda-function-hardened",
  layer: "host",
  summary: "Every Lambda function runs a supported runtime (allowedRuntimes), says what it does (description), and has an execution role of its own, so one function's rights never widen another's.",
  fix: "pin a current runtime (components/password-rotation uses python3.12), describe the function, and give each function its own role.",
  schema: { allowedRuntimes: { type: "array", items: { type: "string" }, default: SUPPORTED_RUNTIMES, description: "Runtimes functions may use: those AWS supports today." } },
  defaults: { allowedRuntimes: SUPPORTED_RUNTIMES },
  check(ctx) {
    const functions = ctx.ofType(T.lambdaFunction);
    for (const fn of functions) {
      const p = fn.props;
      if (p.runtime !== UNKNOWN && typeof p.runtime === "string" && !ctx.config.allowedRuntimes.includes(p.runtime)) {
        ctx.report(fn, `the runtime ${p.runtime} is not one AWS still supports (${ctx.config.allowedRuntimes.join(", ")}).`);
      }
      if (p.description !== UNKNOWN && (typeof p.description !== "string" || p.description.trim() === "")) ctx.report(fn, "the function has no description of what it does.");
      if (typeof p.role === "string" && p.role !== "") {
        const sharing = functions.filter((o) => o !== fn && o.props.role === p.role).map((o) => o.name);
        if (sharing.length > 0) ctx.report(fn, `the function shares its execution role with ${sharing.join(", ")}.`);
      }
    }
  },
});

export const asgHardened = resourcePolicy({
  name: "asg-hardened",
  layer: "host",
  summary: "Autoscaling groups launch from a launch template (not a launch configuration), set a default cooldown, and use the load balancer's health check when they serve target groups, so unhealthy instances are replaced.",
  fix: 'set launchTemplate { id, version }, defaultCooldown (seconds, e.g. 300), and healthCheckType: "ELB" on groups with targetGroupArns.',
  types: [T.autoscalingGroup],
  check(r, ctx) {
    const p = r.props;
    if (p.launchConfiguration !== undefined && p.launchConfiguration !== UNKNOWN && p.launchConfiguration !== "") ctx.report("the group launches from a launch configuration, not a launch template.");
    else if (p.launchTemplate === undefined && p.mixedInstancesPolicy === undefined && p.launchConfiguration === undefined) ctx.report("the group names no launch template.");
    if (p.defaultCooldown === undefined || p.defaultCooldown === null) ctx.report("the group sets no defaultCooldown.");
    const tgs = asList(p.targetGroupArns);
    if (tgs !== UNKNOWN && tgs.length > 0 && p.healthCheckType !== UNKNOWN && p.healthCheckType !== "ELB") {
      ctx.report(`the group serves target groups but its healthCheckType is "${p.healthCheckType ?? "EC2"}", not "ELB".`);
    }
  },
});

export const HOST_POLICIES = [imdsv2Required, ebsEncrypted, instanceProfileAttached, detailedMonitoringProd, terminationProtectionProd, imdsHopLimitOne, fleetNoPublicIp, lambdaFunctionHardened, asgHardened];
