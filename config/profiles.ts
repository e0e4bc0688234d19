import type { Environment, EnvironmentProfile } from "../lib/environment";

export type { EnvironmentProfile };


/**
 * The default second region of each stack region for data bucket replicas: close (latency,
 * data residency: EU stays in the EU) but another region. A region not listed needs
 * webapp-platform:dataReplicaRegion in a prod stack.
 */
export const DATA_REPLICA_REGIONS: Readonly<Record<string, string>> = {
  "eu-west-1": "eu-central-1", "eu-central-1": "eu-west-1", "eu-west-2": "eu-west-1", "eu-west-3": "eu-central-1",
  "eu-north-1": "eu-central-1", "eu-south-1": "eu-central-1",
  "us-east-1": "us-west-2", "us-east-2": "us-west-2", "us-west-1": "us-east-1", "us-west-2": "us-east-1",
  "ca-central-1": "us-east-1", "ap-southeast-1": "ap-southeast-2", "ap-southeast-2": "ap-southeast-1",
  "ap-northeast-1": "ap-northeast-3", "ap-south-1": "ap-southeast-1", "sa-east-1": "us-east-1",
};

export const PROFILES: Record<Environment, EnvironmentProfile> = {
  staging: {
    azCount: 2,
    natStrategy: "single",
    logRetentionDays: 14,
    instanceTypes: ["t3.small", "t3.micro", "t3.medium", "t4g.micro", "t4g.small", "t4g.medium"],
    dbInstanceClasses: ["db.t4g.micro", "db.t4g.small", "db.t4g.medium"],
    cacheNodeTypes: ["cache.t4g.micro", "cache.t4g.small"],
    fleet: { min: 1, desired: 1, max: 2 },
    db: {
      allocatedStorageGb: 20,
      maxAllocatedStorageGb: 50,
      backupRetentionDays: 1,
      minBackupRetentionDays: 1,
      multiAz: false,
      deletionProtection: false,
    },
    cache: { numNodes: 1, minNodes: 1, snapshotRetentionDays: 1 },
    wafEnabled: false,
    cdnPriceClass: "PriceClass_100",
    backup: { schedule: "weekly", retentionDays: 7 },
    protectData: false,
    detailedMonitoring: false,
    dataReplica: false,
  },
  prod: {
    azCount: 3,
    natStrategy: "perAz",
    logRetentionDays: 90,
    instanceTypes: [
      "t3.medium", "t3.large", "t3.xlarge", "t4g.medium", "t4g.large",
      "m6i.large", "m6i.xlarge", "m7i.large", "m7g.large", "c6i.large", "c7g.large",
    ],
    dbInstanceClasses: [
      "db.t4g.medium", "db.t4g.large", "db.m6g.large", "db.m7g.large", "db.m7g.xlarge",
      "db.r6g.large", "db.r7g.large", "db.r7g.xlarge",
    ],
    cacheNodeTypes: ["cache.t4g.small", "cache.t4g.medium", "cache.m7g.large", "cache.r7g.large"],
    fleet: { min: 2, desired: 2, max: 6 },
    db: {
      allocatedStorageGb: 50,
      maxAllocatedStorageGb: 500,
      backupRetentionDays: 14,
      minBackupRetentionDays: 14,
      multiAz: true,
      deletionProtection: true,
    },
    cache: { numNodes: 2, minNodes: 2, snapshotRetentionDays: 7 },
    wafEnabled: true,
    cdnPriceClass: "PriceClass_200",
    backup: { schedule: "daily", retentionDays: 35 },
    protectData: true,
    detailedMonitoring: true,
    dataReplica: true,
  },
};
