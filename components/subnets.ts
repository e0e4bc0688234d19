/** Subnet planning: which CIDR each tier gets in each AZ. Pure. */
import { Cidr, formatCidr, parseCidr, subdivide } from "../lib/cidr";

export const SUBNET_TIERS = ["public", "private", "isolated"] as const;
/** public: load balancers, NAT and single web hosts; private: app hosts; isolated: databases and caches (no route out). */
export type SubnetTier = (typeof SUBNET_TIERS)[number];

export interface PlannedSubnet {
  tier: SubnetTier;
  /** Index of the AZ in the region's available-zone list. */
  azIndex: number;
  cidr: string;
}

/**
 * Splits the VPC into 16 equal blocks (a /20 each for a /16) and gives each tier a
 * four-block band: public 0-3, private 4-7, isolated 8-11, with 12-15 left for growth.
 * Subnet i of a tier is in AZ i, so adding an AZ later never renumbers existing subnets.
 */
export function planSubnets(vpcCidr: string, azCount: number): PlannedSubnet[] {
  const vpc = parseCidr(vpcCidr);
  if (typeof vpc === "string") throw new Error(`network.cidr: ${vpc}`);
  if (azCount < 1 || azCount > 4) throw new Error(`network.azCount: ${azCount} must be 1-4`);
  const prefix = vpc.prefix + 4;
  const out: PlannedSubnet[] = [];
  SUBNET_TIERS.forEach((tier, band) => {
    for (let az = 0; az < azCount; az++) {
      out.push({ tier, azIndex: az, cidr: formatCidr(subdivide(vpc as Cidr, prefix, band * 4 + az)) });
    }
  });
  return out;
}
