/** Text views of a recording for reviewers: the component tree and counts by type. Pure. */
import type { RecordedResource, Recording } from "../../test/harness";
import { providerUrn } from "../../test/harness/refs";

/** A short, readable label for one resource: its name, and the inputs that identify it. */
export function describe(r: RecordedResource): string {
  const i = r.inputs;
  const facts: string[] = [];
  const add = (label: string, v: unknown) => { if (v !== undefined && v !== null && v !== "") facts.push(`${label}=${typeof v === "string" ? v : JSON.stringify(v)}`); };
  switch (r.type) {
    case "aws:ec2/vpc:Vpc": add("cidr", i.cidrBlock); break;
    case "aws:ec2/subnet:Subnet": add("cidr", i.cidrBlock); add("az", i.availabilityZone); add("tier", i.tags?.tier); break;
    case "aws:ec2/route:Route": add("dest", i.destinationCidrBlock); add("via", i.natGatewayId ? "nat" : i.gatewayId ? "igw" : undefined); break;
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
    case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
      add("port", i.fromPort === i.toPort ? i.fromPort : `${i.fromPort}-${i.toPort}`);
      add("from", i.cidrIpv4 ?? i.cidrIpv6 ?? (i.referencedSecurityGroupId ? "sg" : undefined));
      add("why", i.description);
      break;
    case "aws:ec2/securityGroup:SecurityGroup": add("tier", i.tags?.tier); break;
    case "aws:cloudwatch/logGroup:LogGroup": add("retention", i.retentionInDays); break;
    default: break;
  }
  const flags = [r.options.protect ? "protected" : "", r.options.provider ? `provider=${providerName(r.options.provider)}` : ""].filter(Boolean);
  return [r.name, facts.length ? `(${facts.join(", ")})` : "", flags.length ? `[${flags.join(", ")}]` : ""].filter(Boolean).join(" ");
}

/** The provider's logical name (the last URN segment), e.g. aws-us-east-1. */
function providerName(ref: string): string {
  return providerUrn(ref).split("::").pop() ?? ref;
}

/** The component tree, children indented under their parents, with types. */
export function renderTree(rec: Recording): string {
  const lines: string[] = [];
  const root = rec.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const walk = (urn: string, depth: number) => {
    const kids = rec.children(urn).sort((a, b) => Number(a.custom) - Number(b.custom) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    for (const k of kids) {
      lines.push(`${"  ".repeat(depth)}${k.custom ? "-" : "+"} ${k.type}  ${describe(k)}`);
      walk(k.urn, depth + 1);
    }
  };
  if (root) {
    lines.push(`+ ${root.type}  ${root.name}`);
    walk(root.urn, 1);
  }
  // Resources without a recorded parent (providers registered before the stack, if any).
  for (const r of rec.resources.filter((r) => r !== root && !r.parent)) lines.push(`- ${r.type}  ${describe(r)}`);
  return lines.join("\n");
}

export function countByType(rec: Recording): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of rec.resources) if (r.custom) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
