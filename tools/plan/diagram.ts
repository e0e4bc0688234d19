/**
 * Per-app architecture diagrams (Mermaid `flowchart LR`), drawn the way the seeds draw
 * theirs: users -> DNS -> CDN / load balancer / host -> app -> PostgreSQL / Redis / buckets.
 *
 * Nothing here is written per app. The diagram is derived from one app's recorded
 * resources and their dependencies in three steps:
 * 1. Nodes: resources are grouped by kind (KINDS: the record types of a kind become one node;
 *    S3 buckets stay one node each, because their roles differ: SPA, media, documents).
 * 2. Connections: two nodes are connected when a member of one depends on a member of the
 *    other (a DNS alias on the ALB, an ASG on the ALB's target group), or when a "connector"
 *    joins them: a security-group rule joins the owners of its two groups, an IAM policy joins
 *    the hosts holding the role to the bucket or secret it grants, a bucket policy joins the
 *    bucket to the distribution it admits, a WAF association joins the ACL to the ALB. The
 *    owners of a security group, role or certificate are the nodes that use it (through
 *    instance profiles and launch templates). Alarms, backups, keys and log groups connect
 *    everything to everything and carry no traffic, so they are not connectors. A CloudFront
 *    origin given as a DNS name joins the distribution to whatever that record points at.
 * 3. Direction: connections point from the kind nearer the user to the one further away
 *    (RANK); connections within one rank (the database and the cache sharing a data-tier
 *    group) are not traffic and are dropped. DNS only points at entry points.
 * Users are drawn in front of DNS. An app without Route 53 records gets a node for the
 * external registrar, in front of its entry points.
 */
import { App, PlanIndex, PlanResource } from "./resources";

type Shape = "rect" | "cylinder" | "stadium" | "hexagon";

interface Kind {
  id: string;
  /** Distance from the user: edges point from lower to higher rank. */
  rank: number;
  types: string[];
  shape: Shape;
  /** Where users' requests can arrive (what DNS names point at). */
  entry?: boolean;
  /** One node per resource, instead of one per kind. */
  perResource?: boolean;
  /** Ports the node serves (data stores), so a rule for another port does not reach it. */
  ports?(members: PlanResource[]): number[];
  /** First line and detail lines of the node's label, from its members. */
  label(members: PlanResource[], app: App): string[];
}

const RANK = { users: 0, dns: 1, waf: 2, cdn: 3, lb: 4, compute: 5, data: 6 } as const;

const ofType = (members: PlanResource[], type: string) => members.filter((m) => m.type === type);
const uniq = <T>(xs: T[]) => [...new Set(xs)];
const shortName = (name: string, app: App) => (name.startsWith(`${app.name}-`) ? name.slice(app.name.length + 1) : name);
const list = (xs: string[], max = 3) => (xs.length > max ? [...xs.slice(0, max), `+${xs.length - max} more`] : xs);
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const KINDS: Kind[] = [
  {
    id: "dns", rank: RANK.dns, shape: "rect",
    types: ["aws:route53/record:Record", "aws:route53/zone:Zone"],
    label: (m) => {
      // Service records (certificate validation, DKIM, _dmarc: a label starting with "_") are not where users go.
      const names = uniq(ofType(m, "aws:route53/record:Record")
        .filter((r) => ["A", "AAAA", "CNAME"].includes(r.inputs.type) && !String(r.inputs.name ?? "").split(".").some((l) => l.startsWith("_")))
        .map((r) => String(r.inputs.name)));
      return ["Route 53", ...list(names.sort())];
    },
  },
  {
    id: "waf", rank: RANK.waf, shape: "hexagon",
    types: ["aws:wafv2/webAcl:WebAcl", "aws:wafv2/webAclRule:WebAclRule"],
    label: (m) => ["AWS WAF", count(m.reduce((n, r) => n + (Array.isArray(r.inputs.rules) ? r.inputs.rules.length : 0), 0) + ofType(m, "aws:wafv2/webAclRule:WebAclRule").length, "rule")],
  },
  {
    id: "cdn", rank: RANK.cdn, shape: "rect", entry: true,
    types: [
      "aws:cloudfront/distribution:Distribution", "aws:cloudfront/function:Function", "aws:cloudfront/originAccessControl:OriginAccessControl",
      "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "aws:cloudfront/cachePolicy:CachePolicy", "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
    ],
    label: (m) => ["CloudFront", ...list(uniq(ofType(m, "aws:cloudfront/distribution:Distribution").flatMap((d) => d.inputs.aliases ?? []).map(String)))],
  },
  {
    id: "lb", rank: RANK.lb, shape: "rect", entry: true,
    types: [
      "aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule", "aws:lb/targetGroup:TargetGroup",
      "aws:alb/loadBalancer:LoadBalancer", "aws:alb/listener:Listener", "aws:alb/listenerRule:ListenerRule", "aws:alb/targetGroup:TargetGroup",
    ],
    label: (m) => {
      const ports = uniq(m.filter((r) => r.type.endsWith("/listener:Listener")).map((l) => Number(l.inputs.port))).filter(Number.isFinite).sort((a, b) => a - b);
      return ["Application Load Balancer", ...(ports.length ? [`listeners ${ports.join(", ")}`] : [])];
    },
  },
  {
    id: "host", rank: RANK.compute, shape: "rect", entry: true,
    types: ["aws:ec2/instance:Instance", "aws:ec2/eip:Eip", "aws:ec2/eipAssociation:EipAssociation"],
    label: (m) => {
      const hosts = ofType(m, "aws:ec2/instance:Instance");
      const types = uniq(hosts.map((h) => String(h.inputs.instanceType)));
      const eip = ofType(m, "aws:ec2/eip:Eip").length > 0 ? " + Elastic IP" : "";
      return [hosts.length > 1 ? `${hosts.length} EC2 hosts` : "EC2 host", `${types.join(", ")}${eip}`];
    },
  },
  {
    id: "fleet", rank: RANK.compute, shape: "rect",
    types: ["aws:autoscaling/group:Group", "aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/policy:Policy"],
    label: (m) => {
      const types = uniq(ofType(m, "aws:ec2/launchTemplate:LaunchTemplate").map((t) => String(t.inputs.instanceType)));
      const sizes = ofType(m, "aws:autoscaling/group:Group").map((g) => `${g.inputs.minSize}-${g.inputs.maxSize} × ${types.join("/")}`);
      return ["Auto Scaling group", ...sizes];
    },
  },
  {
    id: "images", rank: RANK.data, shape: "rect",
    types: ["aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "docker:index/image:Image", "docker:index/registryImage:RegistryImage"],
    label: (m, app) => ["ECR images", ...list(ofType(m, "aws:ecr/repository:Repository").map((r) => shortName(r.name, app)))],
  },
  {
    id: "postgres", rank: RANK.data, shape: "cylinder",
    types: ["aws:rds/instance:Instance", "aws:rds/parameterGroup:ParameterGroup"],
    ports: (m) => ofType(m, "aws:rds/instance:Instance").map((d) => Number(d.inputs.port ?? 5432)),
    label: (m) => {
      const dbs = ofType(m, "aws:rds/instance:Instance");
      const primaries = dbs.filter((d) => !d.inputs.replicateSourceDb);
      const replicas = dbs.length - primaries.length;
      const version = uniq(primaries.map((d) => d.inputs.engineVersion).filter(Boolean).map(String)).join("/");
      return [
        `PostgreSQL${version ? ` ${version}` : ""}`,
        ...primaries.map((d) => `${d.inputs.instanceClass}, ${d.inputs.multiAz === true ? "Multi-AZ" : "single-AZ"}`),
        ...(replicas > 0 ? [`+ ${count(replicas, "read replica")}`] : []),
      ];
    },
  },
  {
    id: "redis", rank: RANK.data, shape: "cylinder",
    types: ["aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/parameterGroup:ParameterGroup"],
    ports: (m) => ofType(m, "aws:elasticache/replicationGroup:ReplicationGroup").map((g) => Number(g.inputs.port ?? 6379)),
    label: (m) => {
      const groups = ofType(m, "aws:elasticache/replicationGroup:ReplicationGroup");
      const version = uniq(groups.map((g) => g.inputs.engineVersion).filter(Boolean).map(String)).join("/");
      return [`Redis${version ? ` ${version}` : ""}`, ...groups.map((g) => `${g.inputs.nodeType} × ${g.inputs.numCacheClusters ?? 1}`)];
    },
  },
  {
    id: "bucket", rank: RANK.data, shape: "cylinder", perResource: true,
    types: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    label: (m, app) => [`S3: ${shortName(m[0].name, app)}`],
  },
  {
    id: "secrets", rank: RANK.data, shape: "rect",
    types: ["aws:secretsmanager/secret:Secret", "aws:secretsmanager/secretVersion:SecretVersion"],
    label: (m) => {
      const n = ofType(m, "aws:secretsmanager/secret:Secret").length;
      return ["Secrets Manager", ...(n > 0 ? [count(n, "secret")] : [])];
    },
  },
  {
    id: "email", rank: RANK.data, shape: "rect",
    types: ["aws:ses/domainIdentity:DomainIdentity", "aws:sesv2/emailIdentity:EmailIdentity", "aws:ses/domainDkim:DomainDkim"],
    label: (m) => ["SES e-mail", ...uniq(m.map((r) => r.inputs.domain ?? r.inputs.emailIdentity).filter(Boolean).map(String))],
  },
];

/** Used by nodes that own them: they only say who may talk to whom through their connectors. */
const OWNED_GLUE = new Set([
  "aws:ec2/securityGroup:SecurityGroup", "aws:iam/role:Role", "aws:iam/instanceProfile:InstanceProfile",
  "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
]);
/** Join the nodes their dependencies resolve to. */
const CONNECTORS = new Set([
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:s3/bucketPolicy:BucketPolicy", "aws:wafv2/webAclAssociation:WebAclAssociation",
  "aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:alb/targetGroupAttachment:TargetGroupAttachment", "aws:autoscaling/attachment:Attachment",
]);
const SG_RULES = new Set([
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:ec2/securityGroupRule:SecurityGroupRule",
]);

const KIND_BY_TYPE = new Map<string, Kind>(KINDS.flatMap((k) => k.types.map((t) => [t, k] as [string, Kind])));

export interface DiagramNode {
  id: string;
  kind: string;
  rank: number;
  /** Label lines; the first is the title. */
  label: string[];
  /** URNs of the resources the node stands for. */
  members: string[];
}

export interface DiagramEdge {
  from: string;
  to: string;
  /** Ports of the security-group rules behind the edge, e.g. "tcp 5432". */
  label?: string;
}

export interface AppDiagram {
  app: string;
  architecture: string;
  /** Nodes drawn: each has at least one edge. */
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  /** Nodes no dependency connects to the others (e.g. an access-log bucket, a mail identity no role is granted): listed, not drawn. */
  detached: DiagramNode[];
  mermaid: string;
}

/** The resources drawn for one app: its descendants, plus stack-level DNS records aimed at them. */
function appResources(app: App, index: PlanIndex): PlanResource[] {
  const own = index.descendants(app.urn);
  const ownUrns = new Set(own.map((r) => r.urn));
  const records = index.resources.filter((r) => r.type === "aws:route53/record:Record" && !ownUrns.has(r.urn) && index.appOf(r) === null && r.dependencies.some((d) => ownUrns.has(d)));
  return [...own, ...records];
}

const nodeId = (kind: Kind, r: PlanResource, app: App) =>
  kind.perResource ? `${kind.id}_${shortName(r.name, app).replace(/[^A-Za-z0-9]/g, "_")}` : kind.id;

interface Group { kind: Kind; members: PlanResource[] }

/** Step 1: the kind nodes and which node each member resource belongs to. */
function groupNodes(resources: PlanResource[], app: App): { groups: Map<string, Group>; nodeOf: Map<string, string> } {
  const groups = new Map<string, Group>();
  const nodeOf = new Map<string, string>();
  for (const r of resources) {
    const kind = KIND_BY_TYPE.get(r.type);
    if (!kind || !r.custom) continue;
    const id = nodeId(kind, r, app);
    nodeOf.set(r.urn, id);
    const group = groups.get(id) ?? { kind, members: [] };
    group.members.push(r);
    groups.set(id, group);
  }
  return { groups, nodeOf };
}

/** Step 2: unordered node pairs that talk to each other, with the ports that say so. */
function connections(resources: PlanResource[], groups: Map<string, Group>, nodeOf: Map<string, string>): Map<string, Set<string>> {
  const inApp = new Map(resources.map((r) => [r.urn, r]));
  const dependents = new Map<string, PlanResource[]>();
  for (const r of resources) for (const d of r.dependencies) if (inApp.has(d)) dependents.set(d, [...(dependents.get(d) ?? []), r]);

  // The nodes using a security group, role or certificate, directly or through other glue (role -> profile -> launch template).
  const owners = (urn: string, seen = new Set<string>()): Set<string> => {
    const out = new Set<string>();
    seen.add(urn);
    for (const u of dependents.get(urn) ?? []) {
      const n = nodeOf.get(u.urn);
      if (n) out.add(n);
      else if (OWNED_GLUE.has(u.type) && !seen.has(u.urn)) owners(u.urn, seen).forEach((o) => out.add(o));
    }
    return out;
  };
  // The nodes a connector joins: its dependencies, resolved through glue and through other connectors (policy -> attachment).
  const endpoints = (r: PlanResource, seen = new Set<string>()): Set<string> => {
    const out = new Set<string>();
    seen.add(r.urn);
    for (const d of r.dependencies) {
      const dep = inApp.get(d);
      if (!dep || seen.has(d)) continue;
      const n = nodeOf.get(d);
      if (n) out.add(n);
      else if (OWNED_GLUE.has(dep.type)) owners(d).forEach((o) => out.add(o));
      else if (CONNECTORS.has(dep.type)) endpoints(dep, seen).forEach((o) => out.add(o));
    }
    return out;
  };

  const pairs = new Map<string, Set<string>>();
  const connect = (a: string, b: string, label?: string) => {
    if (a === b) return;
    const key = [a, b].sort().join("\u0000");
    const labels = pairs.get(key) ?? new Set<string>();
    if (label) labels.add(label);
    pairs.set(key, labels);
  };
  // A distribution reaching its API through a DNS name (origin.example.com -> ALB) depends on no
  // resource for it; the origin's domain names the record, and the record depends on the target.
  const recordsByName = new Map<string, PlanResource[]>();
  for (const r of resources) {
    if (r.type !== "aws:route53/record:Record" || typeof r.inputs.name !== "string") continue;
    const name = r.inputs.name.replace(/\.$/, "");
    recordsByName.set(name, [...(recordsByName.get(name) ?? []), r]);
  }
  for (const r of resources) {
    const from = nodeOf.get(r.urn);
    if (from) {
      for (const d of r.dependencies) { const to = nodeOf.get(d); if (to) connect(from, to); }
      if (r.type === "aws:cloudfront/distribution:Distribution") {
        for (const origin of Array.isArray(r.inputs.origins) ? r.inputs.origins : []) {
          for (const record of recordsByName.get(String(origin?.domainName ?? "").replace(/\.$/, "")) ?? []) {
            for (const d of record.dependencies) { const to = nodeOf.get(d); if (to) connect(from, to); }
          }
        }
      }
      continue;
    }
    if (!CONNECTORS.has(r.type)) continue;
    const rule = SG_RULES.has(r.type) && r.inputs.fromPort !== undefined ? { from: Number(r.inputs.fromPort), to: Number(r.inputs.toPort ?? r.inputs.fromPort) } : undefined;
    // A data tier's group is shared by the database and the cache: a PostgreSQL rule reaches only the database.
    const serves = (id: string) => {
      const g = groups.get(id) as Group;
      return !rule || !g.kind.ports || g.kind.ports(g.members).some((p) => p >= rule.from && p <= rule.to);
    };
    const ends = [...endpoints(r)].filter(serves).sort();
    const label = rule && !r.inputs.cidrIpv4 && !r.inputs.cidrIpv6
      ? `${r.inputs.ipProtocol ?? "tcp"} ${rule.from === rule.to ? rule.from : `${rule.from}-${rule.to}`}`
      : undefined;
    ends.forEach((a, i) => ends.slice(i + 1).forEach((b) => connect(a, b, label)));
  }
  return pairs;
}

/** Step 3: edges pointing away from the user; same-rank pairs dropped, DNS only to entry points. */
function orient(pairs: Map<string, Set<string>>, groups: Map<string, Group>): DiagramEdge[] {
  const kindOf = (id: string) => (groups.get(id) as Group).kind;
  const edges: DiagramEdge[] = [];
  for (const [key, labels] of pairs) {
    const [a, b] = key.split("\u0000");
    if (kindOf(a).rank === kindOf(b).rank) continue;
    const [from, to] = kindOf(a).rank < kindOf(b).rank ? [a, b] : [b, a];
    if (kindOf(from).id === "dns" && !kindOf(to).entry) continue;
    edges.push({ from, to, ...(labels.size ? { label: [...labels].sort().join(", ") } : {}) });
  }
  return edges;
}

export function appDiagram(app: App, index: PlanIndex): AppDiagram {
  const resources = appResources(app, index);
  const { groups, nodeOf } = groupNodes(resources, app);
  const edges = orient(connections(resources, groups, nodeOf), groups);
  const nodes: DiagramNode[] = [...groups.entries()].map(([id, g]) => ({
    id, kind: g.kind.id, rank: g.kind.rank, label: g.kind.label(g.members, app), members: g.members.map((m) => m.urn),
  }));
  const shapes = new Map<string, Shape>([...groups.entries()].map(([id, g]) => [id, g.kind.shape]));

  // Users, and DNS outside the stack when the app has no Route 53 records.
  const entries = nodes.filter((n) => groups.get(n.id)?.kind.entry);
  if (entries.length > 0) {
    let dns = nodes.find((n) => n.kind === "dns");
    if (!dns) {
      dns = { id: "dns", kind: "dns", rank: RANK.dns, label: ["DNS at external registrar", "records listed in stack outputs"], members: [] };
      nodes.push(dns);
      shapes.set(dns.id, "rect");
      const behind = new Set(edges.filter((e) => groups.get(e.from)?.kind.entry).map((e) => e.to));
      for (const e of entries) if (!behind.has(e.id)) edges.push({ from: dns.id, to: e.id });
    }
    nodes.push({ id: "users", kind: "users", rank: RANK.users, label: ["Users"], members: [] });
    shapes.set("users", "stadium");
    edges.push({ from: "users", to: dns.id });
  }

  nodes.sort((a, b) => a.rank - b.rank || a.id.localeCompare(b.id));
  const linked = new Set(edges.flatMap((e) => [e.from, e.to]));
  const drawn = nodes.filter((n) => linked.has(n.id));
  const order = new Map(drawn.map((n, i) => [n.id, i]));
  const at = (id: string) => order.get(id) as number;
  edges.sort((a, b) => at(a.from) - at(b.from) || at(a.to) - at(b.to));
  return {
    app: app.name, architecture: app.architecture, nodes: drawn, edges,
    detached: nodes.filter((n) => !linked.has(n.id)), mermaid: renderMermaid(drawn, edges, shapes),
  };
}

export function appDiagrams(resources: PlanResource[], index = new PlanIndex(resources)): AppDiagram[] {
  return index.apps().map((app) => appDiagram(app, index));
}

/** Keeps labels inside Mermaid's quoted strings: no quotes, angle brackets or pipes from data. */
const clean = (s: string) => s.replace(/["<>|`]/g, "").replace(/\s+/g, " ").trim();

function renderMermaid(nodes: DiagramNode[], edges: DiagramEdge[], shapes: Map<string, Shape>): string {
  const wrap: Record<Shape, [string, string]> = { rect: ["[", "]"], cylinder: ["[(", ")]"], stadium: ["([", "])"], hexagon: ["{{", "}}"] };
  const lines = ["flowchart LR"];
  for (const n of nodes) {
    const [open, close] = wrap[shapes.get(n.id) ?? "rect"];
    lines.push(`  ${n.id}${open}"${n.label.map(clean).join("<br/>")}"${close}`);
  }
  for (const e of edges) lines.push(`  ${e.from} -->${e.label ? `|${clean(e.label)}|` : ""} ${e.to}`);
  return lines.join("\n");
}
