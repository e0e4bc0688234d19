/** The environments a stack can be (each has a profile of defaults and limits, config/profiles.ts) and the architectures an app can be built as. */
export const ENVIRONMENTS = ["prod", "staging"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const ARCHITECTURES = ["single-host", "spa-api", "containers", "web-fleet"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const NAT_STRATEGIES = ["none", "single", "perAz"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** How often AppBackup backs up. */
export const BACKUP_SCHEDULES = ["daily", "weekly"] as const;
export type BackupSchedule = (typeof BACKUP_SCHEDULES)[number];

/**
 * What each environment allows and defaults to (values in config/profiles.ts): config applies
 * its defaults and limits to what a user types, and the architectures map the rest (protection,
 * monitoring, price class) to their components' explicit args. No component reads it.
 * Staging is small and cheap; prod is
 * highly available and protected. Apps override the defaults per field, within the
 * allowed lists.
 */
export interface EnvironmentProfile {
  azCount: number;
  natStrategy: NatStrategy;
  logRetentionDays: number;
  /** EC2 instance types an app may use. The first is the default. */
  instanceTypes: readonly string[];
  /** RDS instance classes an app may use. The first is the default. */
  dbInstanceClasses: readonly string[];
  /** ElastiCache node types an app may use. The first is the default. */
  cacheNodeTypes: readonly string[];
  fleet: { min: number; desired: number; max: number };
  db: {
    allocatedStorageGb: number;
    maxAllocatedStorageGb: number;
    backupRetentionDays: number;
    /** Lowest backup retention the environment accepts. */
    minBackupRetentionDays: number;
    multiAz: boolean;
    deletionProtection: boolean;
  };
  cache: { numNodes: number; minNodes: number; snapshotRetentionDays: number };
  wafEnabled: boolean;
  /** CloudFront price class. */
  cdnPriceClass: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
  backup: { schedule: BackupSchedule; retentionDays: number };
  /** Stateful resources get `protect`, deletion protection and final snapshots. */
  protectData: boolean;
  /** EC2 detailed (1-minute) monitoring and termination protection on single hosts. */
  detailedMonitoring: boolean;
  /** Data buckets keep a replica in a second region (webapp-platform:dataReplicaRegion). */
  dataReplica: boolean;
}
