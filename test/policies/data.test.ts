import { isDataBucket, BUCKET_CLASS_DEFAULTS } from "../../policies/lib/buckets";
import { T } from "../../policies/lib/types";
import { TAGS, U, describePolicy, res } from "./helpers";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const db = (o: Record<string, any> = {}, outputs: Record<string, any> = {}, deps: any[] = []) => res(T.rdsInstance, "shop-db", {
  identifier: "prod-shop", engine: "postgres", instanceClass: "db.m7g.large", storageEncrypted: true, kmsKeyId: KEY, backupRetentionPeriod: 14,
  performanceInsightsEnabled: true, performanceInsightsKmsKeyId: KEY, copyTagsToSnapshot: true, caCertIdentifier: "rds-ca-rsa2048-g1", autoMinorVersionUpgrade: true,
  multiAz: true, deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "prod-shop-final", tags: TAGS, ...o,
}, { outputs: { arn: "arn:aws:rds:eu-west-1:1:db:prod-shop", ...outputs }, deps });
const replica = (o: Record<string, any> = {}) => res(T.rdsInstance, "shop-replica", {
  identifier: "prod-shop-replica", replicateSourceDb: "arn:aws:rds:eu-west-1:1:db:prod-shop", instanceClass: "db.m7g.large",
  backupRetentionPeriod: 0, multiAz: false, skipFinalSnapshot: true, tags: TAGS, ...o,
});

describePolicy({
  policy: "rds-storage-encrypted",
  violating: [
    { title: "encryption not set", resources: [db({ storageEncrypted: undefined })], message: /stored unencrypted/ },
    { title: "encryption off", resources: [db({ storageEncrypted: false })], message: /explicitly off/ },
    { title: "the AWS managed key", resources: [db({ kmsKeyId: undefined })], message: /AWS managed key aws\/rds/ },
    { title: "the aws/rds alias", resources: [db({ kmsKeyId: "alias/aws/rds" })], message: /customer-managed/ },
  ],
  compliant: [{ title: "encrypted", resources: [db()] }, { title: "a replica inheriting encryption", resources: [replica()] }],
  unknown: [{ title: "flag unknown", resources: [db({ storageEncrypted: U })] }, { title: "key unknown", resources: [db({ kmsKeyId: U })] }],
});

describePolicy({
  policy: "rds-instance-hardened",
  violating: [
    { title: "Performance Insights off on a class that has it", resources: [db({ performanceInsightsEnabled: false })], message: /Performance Insights is off although db.m7g.large/ },
    { title: "Performance Insights on the AWS managed key", resources: [db({ performanceInsightsKmsKeyId: undefined })], message: /performanceInsightsKmsKeyId/ },
    { title: "tags not copied to snapshots", resources: [db({ copyTagsToSnapshot: false })], message: /copyTagsToSnapshot/ },
    { title: "no CA pinned", resources: [db({ caCertIdentifier: undefined })], message: /no caCertIdentifier/ },
    { title: "the expired 2019 CA", resources: [db({ caCertIdentifier: "rds-ca-2019" })], message: /rds-ca-2019/ },
    { title: "minor upgrades off", resources: [db({ autoMinorVersionUpgrade: false })], message: /minor version upgrades are off/ },
  ],
  compliant: [
    { title: "every setting on", resources: [db()] },
    { title: "a micro class without Performance Insights", resources: [db({ instanceClass: "db.t4g.micro", performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined })] },
  ],
  unknown: [{ title: "class and flags unknown", resources: [db({ instanceClass: U, copyTagsToSnapshot: U, caCertIdentifier: U })] }],
});

describePolicy({
  policy: "rds-backup-retention",
  violating: [
    { title: "1 day in prod", resources: [db({ backupRetentionPeriod: 1 })], message: /at least 7/ },
    { title: "the RDS default in prod", resources: [db({ backupRetentionPeriod: undefined })], message: /RDS default/ },
    { title: "backups off in staging", resources: [db({ backupRetentionPeriod: 0 })], environment: "staging" },
  ],
  compliant: [
    { title: "14 days in prod", resources: [db()] },
    { title: "1 day in staging", resources: [db({ backupRetentionPeriod: 1 })], environment: "staging" },
    { title: "a replica without backups", resources: [replica()] },
  ],
  unknown: [{ title: "retention unknown", resources: [db({ backupRetentionPeriod: U })] }],
});

describePolicy({
  policy: "rds-multi-az-prod",
  violating: [{ title: "single-AZ in prod", resources: [db({ multiAz: false })], message: /Multi-AZ/ }, { title: "unset in prod", resources: [db({ multiAz: undefined })] }],
  compliant: [{ title: "Multi-AZ in prod", resources: [db()] }, { title: "single-AZ in staging", resources: [db({ multiAz: false })], environment: "staging" }, { title: "a replica", resources: [replica()] }],
  unknown: [{ title: "flag unknown", resources: [db({ multiAz: U })] }],
});

describePolicy({
  policy: "rds-deletion-protection-prod",
  violating: [{ title: "unprotected in prod", resources: [db({ deletionProtection: false })], message: /deletion protection/ }],
  compliant: [{ title: "protected", resources: [db()] }, { title: "unprotected in staging", resources: [db({ deletionProtection: false })], environment: "staging" }],
  unknown: [{ title: "flag unknown", resources: [db({ deletionProtection: U })] }],
});

describePolicy({
  policy: "rds-final-snapshot-prod",
  violating: [
    { title: "skipFinalSnapshot in prod", resources: [db({ skipFinalSnapshot: true, finalSnapshotIdentifier: undefined })], message: /loses its data/ },
    { title: "no snapshot identifier", resources: [db({ finalSnapshotIdentifier: undefined })], message: /finalSnapshotIdentifier/ },
  ],
  compliant: [{ title: "named final snapshot", resources: [db()] }, { title: "skipped in staging", resources: [db({ skipFinalSnapshot: true })], environment: "staging" }, { title: "a replica", resources: [replica()] }],
  unknown: [{ title: "flag unknown", resources: [db({ skipFinalSnapshot: U, finalSnapshotIdentifier: undefined })] }],
});

const rg = (o: Record<string, any> = {}) => res(T.replicationGroup, "shop-redis", {
  description: "x", nodeType: "cache.t4g.small", numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true,
  atRestEncryptionEnabled: true, kmsKeyId: KEY, subnetGroupName: "prod-data", transitEncryptionEnabled: true, authToken: "a-generated-token-0123456789", tags: TAGS, ...o,
});

describePolicy({
  policy: "elasticache-encryption-at-rest",
  violating: [
    { title: "at rest off", resources: [rg({ atRestEncryptionEnabled: false })] }, { title: "unset", resources: [rg({ atRestEncryptionEnabled: undefined })] },
    { title: "the AWS managed key", resources: [rg({ kmsKeyId: undefined })], message: /customer-managed key/ },
    { title: "no subnet group", resources: [rg({ subnetGroupName: undefined })], message: /default VPC/ },
  ],
  compliant: [{ title: "encrypted", resources: [rg()] }, { title: "string form", resources: [rg({ atRestEncryptionEnabled: "true" })] }],
  unknown: [{ title: "flag unknown", resources: [rg({ atRestEncryptionEnabled: U })] }],
});

describePolicy({
  policy: "elasticache-auth",
  violating: [{ title: "no token and no user groups", resources: [rg({ authToken: undefined })], message: /without authentication/ }],
  compliant: [{ title: "AUTH token", resources: [rg()] }, { title: "RBAC user groups", resources: [rg({ authToken: undefined, userGroupIds: ["ug-1"] })] }],
  unknown: [{ title: "token unknown (generated in the same preview)", resources: [rg({ authToken: U })] }],
});

describePolicy({
  policy: "elasticache-failover-prod",
  violating: [
    { title: "one node in prod", resources: [rg({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false })], message: /automatic failover, no Multi-AZ, no a replica node/ },
  ],
  compliant: [{ title: "two nodes with failover", resources: [rg()] }, { title: "one node in staging", resources: [rg({ numCacheClusters: 1, automaticFailoverEnabled: false })], environment: "staging" }],
  unknown: [{ title: "node count unknown", resources: [rg({ numCacheClusters: U, automaticFailoverEnabled: false })] }],
});

// --- S3 ----------------------------------------------------------------------------------
const bucket = (name: string, o: Record<string, any> = {}, outputs: Record<string, any> = {}) =>
  res(T.bucket, name, { forceDestroy: false, tags: TAGS, ...o }, { id: `${name}-8f3a`, outputs: { bucket: `${name}-8f3a`, arn: `arn:aws:s3:::${name}-8f3a`, ...outputs } });
const companion = (type: string, name: string, bucketRef: any, inputs: Record<string, any>, deps: any[] = []) => res(type, name, { bucket: bucketRef, ...inputs }, { deps });
const pab = (b: any, flags: Partial<Record<string, any>> = {}, deps: any[] = []) => companion(T.bucketPublicAccessBlock, `${typeof b === "string" ? b : "x"}-pab`, b, {
  blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, ...flags,
}, deps);
const sse = (b: any, alg: any = "aws:kms", deps: any[] = []) => companion(T.bucketSse, `${typeof b === "string" ? b : "x"}-sse`, b, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: alg } }] }, deps);
const versioning = (b: any, status: any = "Enabled", deps: any[] = []) => companion(T.bucketVersioning, `${typeof b === "string" ? b : "x"}-ver`, b, { versioningConfiguration: { status } }, deps);
const tlsPolicy = (b: any, arn: string, deps: any[] = []) => companion(T.bucketPolicy, `${typeof b === "string" ? b : "x"}-policy`, b, {
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }] }),
}, deps);

describe("data bucket classification", () => {
  const classify = (name: string, tags: Record<string, string> = {}, bucketName?: string) =>
    isDataBucket({ type: T.bucket, name, urn: "", props: { bucket: bucketName }, tags, opts: {} as any, dependencies: [], propertyDependencies: {} }, BUCKET_CLASS_DEFAULTS);
  it.each([
    ["shop-media", {}, true], ["invest-kyc", {}, true], ["shop-uploads", {}, true], ["shop-site", {}, false], ["shop-alb-logs", {}, false],
    ["api-logs", { "data-class": "data" }, true], ["shop-media", { purpose: "static-site" }, false], ["x", { purpose: "media" }, true], ["x", {}, false],
  ] as const)("%s %j is a data bucket: %s", (name, tags, expected) => expect(classify(name, tags as Record<string, string>)).toBe(expected));
  it("also reads the physical bucket name", () => expect(classify("b1", {}, "acme-documents-prod")).toBe(true));
});

const media = bucket("shop-media");
const site = bucket("shop-site");

describePolicy({
  policy: "s3-public-access-blocked",
  violating: [
    { title: "a bucket without public access block", resources: [site], message: /no public access block/ },
    { title: "a block leaving public policies allowed", resources: [site, pab("shop-site-8f3a", { blockPublicPolicy: false, restrictPublicBuckets: false })], message: /blockPublicPolicy, restrictPublicBuckets/ },
    { title: "a public-read ACL", resources: [site, pab("shop-site-8f3a"), res(T.bucketAclV2, "site-acl", { bucket: "shop-site-8f3a", acl: "public-read" })], message: /public-read/ },
    { title: "a policy allowing anyone", resources: [site, pab("shop-site-8f3a"), companion(T.bucketPolicy, "site-policy", "shop-site-8f3a", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::shop-site-8f3a/*" }] }) })], message: /any principal/ },
  ],
  compliant: [
    { title: "every bucket blocked", resources: [site, media, pab("shop-site-8f3a", {}, [site]), pab("shop-media-8f3a", {}, [media])] },
    { title: "an account-wide block", resources: [site, res(T.accountPublicAccessBlock, "account", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })] },
    { title: "the OAC bucket policy (CloudFront principal with a condition)", resources: [site, pab("shop-site-8f3a"), companion(T.bucketPolicy, "site-policy", "shop-site-8f3a", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::shop-site-8f3a/*", Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1" } } }] }) })] },
  ],
  unknown: [
    { title: "the block's bucket unknown (bucket created in the same preview)", resources: [site, pab(U, {}, [site])] },
    { title: "a bucket id unknown in a block that does not depend on it", resources: [site, pab(U)] },
    { title: "policy document unknown", resources: [site, pab("shop-site-8f3a"), companion(T.bucketPolicy, "site-policy", "shop-site-8f3a", { policy: U })] },
  ],
});

describePolicy({
  policy: "s3-encryption",
  violating: [
    { title: "a data bucket without declared encryption", resources: [media], message: /declares no default encryption/ },
    { title: "an algorithm outside the list", resources: [site, sse("shop-site-8f3a", "none")], message: /none/ },
  ],
  compliant: [
    { title: "a data bucket with SSE-KMS", resources: [media, sse("shop-media-8f3a", "aws:kms", [media])] },
    { title: "a static-site bucket relying on S3's default SSE-S3", resources: [site] },
    { title: "inline configuration (legacy Bucket)", resources: [bucket("shop-media", { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } } })] },
  ],
  unknown: [
    { title: "the configuration's bucket unknown", resources: [media, sse(U, "aws:kms", [media])] },
    { title: "the algorithm unknown", resources: [media, sse("shop-media-8f3a", U)] },
  ],
});

describePolicy({
  policy: "s3-data-bucket-versioning",
  violating: [
    { title: "a media bucket without versioning", resources: [media], message: /keeps no object versions/ },
    { title: "versioning suspended", resources: [media, versioning("shop-media-8f3a", "Suspended")], message: /Suspended/ },
    { title: "a bucket tagged as data", resources: [bucket("api-archive", { tags: { ...TAGS, "data-class": "data" } })] },
  ],
  compliant: [
    { title: "versioned media bucket", resources: [media, versioning("shop-media-8f3a", "Enabled", [media])] },
    { title: "a log bucket is exempt", resources: [bucket("shop-alb-logs")] },
    { title: "a site bucket is not a data bucket", resources: [site] },
  ],
  unknown: [{ title: "the versioning resource's bucket unknown", resources: [media, versioning(U, "Enabled", [media])] }, { title: "status unknown", resources: [media, versioning("shop-media-8f3a", U)] }],
});

const replicaOf = (source: string, destArn: any, deps: any[] = []) => companion(T.bucketReplication, `${source}-replication`, `${source}-8f3a`, {
  role: "arn:aws:iam::123456789012:role/replication",
  rules: [{ id: "copy", status: "Enabled", filter: {}, deleteMarkerReplication: { status: "Enabled" }, destination: { bucket: destArn } }],
}, deps);
const copyBucket = bucket("shop-media-replica", {}, { region: "eu-central-1" });
const mediaIn = bucket("shop-media", {}, { region: "eu-west-1" });

describePolicy({
  policy: "s3-data-bucket-replicated-prod",
  violating: [
    { title: "a prod media bucket without a copy", resources: [media], message: /has no copy/ },
    { title: "a replication rule switched off", resources: [media, copyBucket, { ...replicaOf("shop-media", copyBucket.outputs.arn), inputs: { ...replicaOf("shop-media", copyBucket.outputs.arn).inputs, rules: [{ status: "Disabled", destination: { bucket: copyBucket.outputs.arn } }] } }], message: /no enabled rule/ },
    { title: "a copy in the same region", resources: [mediaIn, bucket("shop-media-replica", {}, { region: "eu-west-1" }), replicaOf("shop-media", "arn:aws:s3:::shop-media-replica-8f3a")], message: /own region \(eu-west-1\)/ },
  ],
  compliant: [
    { title: "a copy in another region (the copy needs none of its own)", resources: [mediaIn, copyBucket, replicaOf("shop-media", copyBucket.outputs.arn)] },
    { title: "no copy in staging", resources: [media], environment: "staging" },
    { title: "a site bucket needs no copy", resources: [site] },
  ],
  unknown: [
    { title: "the rules unknown", resources: [media, companion(T.bucketReplication, "r", "shop-media-8f3a", { rules: U })] },
    { title: "the configuration's bucket unknown", resources: [media, copyBucket, replicaOf("x", copyBucket.outputs.arn)].map((r, i) => (i === 2 ? { ...r, inputs: { ...r.inputs, bucket: U } } : r)) },
  ],
});

const logging = (b: string, target: any = "shop-logs-8f3a") => companion(T.bucketLogging, `${b}-logging`, `${b}-8f3a`, { targetBucket: target, targetPrefix: "access/" });

describePolicy({
  policy: "s3-data-bucket-access-logging",
  violating: [
    { title: "a media bucket without access logs", resources: [media], message: /no server access logging/ },
    { title: "a KYC bucket without access logs, in staging too", resources: [bucket("invest-kyc")], environment: "staging" },
  ],
  compliant: [
    { title: "access logs to a log bucket", resources: [media, logging("shop-media")] },
    { title: "a site bucket is not checked", resources: [site] },
  ],
  unknown: [{ title: "the log target unknown", resources: [media, logging("shop-media", U)] }],
});

const bucketLifecycle = (b: string, rule: Record<string, any>) => companion(T.bucketLifecycle, `${b}-lifecycle`, `${b}-8f3a`, { rules: [{ id: "r", status: "Enabled", filter: {}, ...rule }] });
const expiring = { noncurrentVersionExpiration: { noncurrentDays: 90 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } };

describePolicy({
  policy: "s3-data-bucket-old-versions-expire",
  violating: [
    { title: "versions kept for ever", resources: [media, versioning("shop-media-8f3a"), bucketLifecycle("shop-media", { abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } })], message: /for ever/ },
    { title: "versions kept past the limit", resources: [media, versioning("shop-media-8f3a"), bucketLifecycle("shop-media", { ...expiring, noncurrentVersionExpiration: { noncurrentDays: 3650 } })], message: /3650 days/ },
    { title: "a rule only for one prefix", resources: [media, versioning("shop-media-8f3a"), bucketLifecycle("shop-media", { ...expiring, filter: { prefix: "tmp/" } })], message: /for ever/ },
    { title: "incomplete uploads kept", resources: [media, versioning("shop-media-8f3a"), bucketLifecycle("shop-media", { noncurrentVersionExpiration: { noncurrentDays: 90 } })], message: /multipart/ },
  ],
  compliant: [
    { title: "old versions expire after 90 days", resources: [media, versioning("shop-media-8f3a"), bucketLifecycle("shop-media", expiring)] },
    { title: "an unversioned data bucket (s3-data-bucket-versioning's finding)", resources: [media] },
  ],
  unknown: [{ title: "the rules unknown", resources: [media, versioning("shop-media-8f3a"), companion(T.bucketLifecycle, "l", "shop-media-8f3a", { rules: U })] }],
});

describePolicy({
  policy: "s3-data-bucket-tls-only",
  violating: [
    { title: "a data bucket without policy", resources: [media], message: /plain HTTP/ },
    { title: "a policy without the TLS deny", resources: [media, companion(T.bucketPolicy, "media-policy", "shop-media-8f3a", { policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::shop-media-8f3a" }] }) })] },
  ],
  compliant: [
    { title: "TLS-only policy", resources: [media, tlsPolicy("shop-media-8f3a", "arn:aws:s3:::shop-media-8f3a", [media])] },
    { title: "non-data buckets are not checked", resources: [site] },
  ],
  unknown: [{ title: "the policy document unknown", resources: [media, companion(T.bucketPolicy, "media-policy", "shop-media-8f3a", { policy: U })] }],
});

const selection = (resources: any, deps: any[] = [], o: Record<string, any> = {}) => res(T.backupSelection, "shop-selection", { name: "shop-data", planId: "plan-1", iamRoleArn: "arn:role", resources, ...o }, { deps });

describePolicy({
  policy: "backup-covers-databases",
  violating: [
    { title: "a prod database without backup selection", resources: [db()], message: /no AWS Backup selection/ },
    { title: "a selection of another database", resources: [db(), selection(["arn:aws:rds:eu-west-1:1:db:prod-other"])] },
    { title: "excluded by notResources", resources: [db(), selection(["arn:aws:rds:*:*:db:*"], [], { notResources: ["arn:aws:rds:eu-west-1:1:db:prod-shop"] })] },
  ],
  compliant: [
    { title: "selected by ARN", resources: [db(), selection(["arn:aws:rds:eu-west-1:1:db:prod-shop"])] },
    { title: "selected by wildcard", resources: [db(), selection(["arn:aws:rds:*:*:db:*"])] },
    { title: "selected by tag", resources: [db(), selection([], [], { selectionTags: [{ type: "STRINGEQUALS", key: "app", value: "shop" }] })] },
    { title: "staging is not checked", resources: [db()], environment: "staging" },
    { title: "replicas are not checked", resources: [replica()] },
  ],
  unknown: [
    { title: "the ARN list unknown, selection depends on the database", resources: [db({}, { arn: U }), selection(U, [db()])] },
    { title: "an ARN entry unknown", resources: [db({}, { arn: U }), selection([U], [db()])] },
    { title: "ARN unknown, selection not linked", resources: [db({}, { arn: U }), selection(["arn:aws:rds:eu-west-1:1:db:prod-other"])] },
  ],
});

const repo = (extra: Record<string, any> = {}) => res(T.ecrRepository, "saas-images-backend", {
  name: "prod/saas-images/backend", imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: "IMMUTABLE",
  encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KEY }], tags: TAGS, ...extra,
}, { outputs: { name: "prod/saas-images/backend", arn: "arn:aws:ecr:eu-west-1:123456789012:repository/prod/saas-images/backend" } });
const lifecycle = (repository: any = "prod/saas-images/backend") => res(T.ecrLifecyclePolicy, "saas-images-backend", { repository, policy: "{}" });
describePolicy({
  policy: "ecr-repository-hardened",
  violating: [
    { title: "no scan on push", resources: [repo({ imageScanningConfiguration: undefined }), lifecycle()], message: /not scanned on push/ },
    { title: "mutable tags (AWS's default)", resources: [repo({ imageTagMutability: undefined }), lifecycle()], message: /tags are MUTABLE/ },
    { title: "AES256 encryption", resources: [repo({ encryptionConfigurations: [{ encryptionType: "AES256" }] }), lifecycle()], message: /S3-managed keys/ },
    { title: "the AWS managed key", resources: [repo({ encryptionConfigurations: [{ encryptionType: "KMS" }] }), lifecycle()], message: /aws\/ecr key/ },
    { title: "no lifecycle policy", resources: [repo()], message: /no lifecycle policy/ },
    { title: "another repository's lifecycle policy", resources: [repo(), lifecycle("prod/other")] },
  ],
  compliant: [{ title: "scanned, immutable, on the stack key, with a lifecycle", resources: [repo(), lifecycle()] }],
  unknown: [
    { title: "the key unknown", resources: [repo({ encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: U }] }), lifecycle()] },
    { title: "settings unknown", resources: [repo({ imageScanningConfiguration: U, imageTagMutability: U, encryptionConfigurations: U }), lifecycle()] },
    { title: "the lifecycle's repository unknown", resources: [repo(), lifecycle(U)] },
  ],
});

// --- RDS logging, IAM auth, enhanced monitoring ----------------------------------------------
const pg = (o: Record<string, any> = {}) => res(T.rdsParameterGroup, "shop-params", {
  family: "postgres16", description: "x",
  parameters: [{ name: "rds.force_ssl", value: "1" }, { name: "log_min_duration_statement", value: "1000" }], ...o,
}, { outputs: { name: "shop-params-1a2b", arn: "arn:aws:rds:eu-west-1:1:pg:shop-params-1a2b" } });
const logged = { enabledCloudwatchLogsExports: ["postgresql", "upgrade"], iamDatabaseAuthenticationEnabled: true, monitoringInterval: 60, monitoringRoleArn: "arn:aws:iam::1:role/shop-monitoring", parameterGroupName: "shop-params-1a2b" };
const pgDb = (o: Record<string, any> = {}, deps: any[] = []) => db({ ...logged, ...o }, {}, deps);
const pgReplica = (o: Record<string, any> = {}) => replica({ ...logged, ...o });

describePolicy({
  policy: "rds-log-exports",
  violating: [
    { title: "no log exports", resources: [pgDb({ enabledCloudwatchLogsExports: undefined })], message: /exports no log .*not even postgresql/ },
    { title: "only the upgrade log", resources: [pgDb({ enabledCloudwatchLogsExports: ["upgrade"] })], message: /exports upgrade but not the postgresql log/ },
    { title: "a replica of a PostgreSQL source without exports", resources: [pgDb(), pgReplica({ enabledCloudwatchLogsExports: [] })], message: /"shop-replica".*postgresql/ },
    { title: "a MySQL instance without its error log", resources: [pgDb({ engine: "mysql", enabledCloudwatchLogsExports: ["slowquery"] })], message: /not the error log/ },
  ],
  compliant: [
    { title: "postgresql and upgrade exported", resources: [pgDb(), pgReplica()] },
    { title: "another engine exporting a log", resources: [pgDb({ engine: "sqlserver-se", enabledCloudwatchLogsExports: ["error"] })] },
  ],
  unknown: [
    { title: "the export list unknown", resources: [pgDb({ enabledCloudwatchLogsExports: U })] },
    { title: "the engine unknown", resources: [pgDb({ engine: U, enabledCloudwatchLogsExports: [] })] },
    { title: "a replica whose source is outside the stack", resources: [pgReplica({ enabledCloudwatchLogsExports: [] })] },
  ],
});

describePolicy({
  policy: "rds-iam-auth",
  violating: [
    { title: "IAM auth off", resources: [pgDb({ iamDatabaseAuthenticationEnabled: false })], message: /IAM database authentication is off\./ },
    { title: "IAM auth not set", resources: [pgDb({ iamDatabaseAuthenticationEnabled: undefined })], message: /RDS default/ },
    { title: "a replica without it", resources: [pgReplica({ iamDatabaseAuthenticationEnabled: false })] },
  ],
  compliant: [
    { title: "IAM auth on", resources: [pgDb(), pgReplica()] },
    { title: "an engine without IAM auth (Oracle)", resources: [pgDb({ engine: "oracle-se2", iamDatabaseAuthenticationEnabled: undefined })] },
  ],
  unknown: [{ title: "the flag unknown", resources: [pgDb({ iamDatabaseAuthenticationEnabled: U })] }, { title: "the engine unknown", resources: [pgDb({ engine: U, iamDatabaseAuthenticationEnabled: false })] }],
});

describePolicy({
  policy: "rds-enhanced-monitoring-prod",
  violating: [
    { title: "monitoring off in prod", resources: [pgDb({ monitoringInterval: 0, monitoringRoleArn: undefined })], message: /monitoringInterval 0/ },
    { title: "monitoring not set in prod", resources: [pgDb({ monitoringInterval: undefined, monitoringRoleArn: undefined })], message: /not set/ },
    { title: "an interval without a role", resources: [pgDb({ monitoringRoleArn: undefined })], message: /no monitoringRoleArn/ },
  ],
  compliant: [
    { title: "60 s with a role", resources: [pgDb(), pgReplica()] },
    { title: "off in staging", resources: [pgDb({ monitoringInterval: 0, monitoringRoleArn: undefined })], environment: "staging" },
  ],
  unknown: [{ title: "the interval unknown", resources: [pgDb({ monitoringInterval: U })] }, { title: "the role unknown (created in the same preview)", resources: [pgDb({ monitoringRoleArn: U })] }],
});

describePolicy({
  policy: "rds-postgres-query-logging",
  violating: [
    { title: "the default parameter group", resources: [pgDb({ parameterGroupName: undefined })], message: /default parameter group/ },
    { title: "a named default group", resources: [pgDb({ parameterGroupName: "default.postgres16" })], message: /default parameter group/ },
    { title: "a group without statement logging", resources: [pgDb(), pg({ parameters: [{ name: "rds.force_ssl", value: "1" }] })], message: /"shop-params" logs no statements \(log_min_duration_statement -1, the default, log_statement none\)/ },
    { title: "slow-statement logging switched off", resources: [pgDb(), pg({ parameters: [{ name: "log_min_duration_statement", value: "-1" }] })], message: /logs no statements/ },
    { title: "a group outside the stack", resources: [pgDb({ parameterGroupName: "shared-postgres16" })], message: /not managed by this stack/ },
    { title: "a replica of PostgreSQL on the default group", resources: [pgDb(), pg(), pgReplica({ parameterGroupName: undefined })], message: /"shop-replica"/ },
  ],
  compliant: [
    { title: "slow statements logged (the component's group)", resources: [pgDb(), pgReplica(), pg()] },
    { title: "DDL logged with log_statement", resources: [pgDb(), pg({ parameters: [{ name: "log_statement", value: "ddl" }] })] },
    { title: "a MySQL instance is not checked", resources: [pgDb({ engine: "mysql", parameterGroupName: undefined })] },
  ],
  unknown: [
    { title: "the group's name unknown", resources: [pgDb({ parameterGroupName: U }), pg()] },
    { title: "the parameters unknown", resources: [pgDb(), pg({ parameters: U })] },
    { title: "a parameter value unknown", resources: [pgDb(), pg({ parameters: [{ name: "log_min_duration_statement", value: U }] })] },
  ],
});

// --- S3: KMS on data buckets, ACLs disabled, no policy lockout ---------------------------------
const STACK_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const stackKey = res(T.kmsKey, "prod-key", { description: "stack key", enableKeyRotation: true }, { outputs: { arn: STACK_KEY_ARN, keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" } });
const kmsRule = (o: Record<string, any> = {}, by: Record<string, any> = {}) => ({ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: STACK_KEY_ARN, ...by }, bucketKeyEnabled: true, ...o });
const kmsSse = (b: any, rule: any = kmsRule(), deps: any[] = []) => companion(T.bucketSse, `${typeof b === "string" ? b.replace(/-8f3a$/, "") : "x"}-sse`, b, { rules: [rule] }, deps);

describePolicy({
  policy: "s3-data-bucket-kms",
  violating: [
    { title: "a data bucket on SSE-S3", resources: [stackKey, media, sse("shop-media-8f3a", "AES256")], message: /"AES256", not SSE-KMS/ },
    { title: "a data bucket without declared encryption", resources: [stackKey, media], message: /declares no SSE-KMS/ },
    { title: "SSE-KMS with the AWS managed key", resources: [stackKey, media, kmsSse("shop-media-8f3a", kmsRule({}, { kmsMasterKeyId: undefined }))], message: /aws\/s3/ },
    { title: "a key from elsewhere", resources: [stackKey, media, kmsSse("shop-media-8f3a", kmsRule({}, { kmsMasterKeyId: "arn:aws:kms:eu-west-1:999999999999:key/other" }))], message: /not a key of this stack/ },
    { title: "no bucket key", resources: [stackKey, media, kmsSse("shop-media-8f3a", kmsRule({ bucketKeyEnabled: false }))], message: /Bucket Keys are off/ },
    { title: "DSSE-KMS", resources: [stackKey, media, kmsSse("shop-media-8f3a", kmsRule({}, { sseAlgorithm: "aws:kms:dsse" }))], message: /cannot use S3 Bucket Keys/ },
  ],
  compliant: [
    { title: "the stack key with a bucket key", resources: [stackKey, media, kmsSse("shop-media-8f3a", kmsRule(), [media])] },
    { title: "the stack key by its alias", resources: [stackKey, res(T.kmsAlias, "prod-alias", { name: "alias/webapp/prod", targetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }, { outputs: { name: "alias/webapp/prod", arn: "arn:aws:kms:eu-west-1:123456789012:alias/webapp/prod" } }), media, kmsSse("shop-media-8f3a", kmsRule({}, { kmsMasterKeyId: "alias/webapp/prod" }))] },
    { title: "a log bucket on SSE-S3 is not checked", resources: [stackKey, bucket("shop-alb-logs"), sse("shop-alb-logs-8f3a", "AES256")] },
    { title: "inline configuration on the stack key", resources: [stackKey, bucket("shop-media", { serverSideEncryptionConfiguration: { rule: kmsRule() } })] },
  ],
  unknown: [
    { title: "the key unknown (created in the same preview)", resources: [stackKey, media, kmsSse("shop-media-8f3a", kmsRule({}, { kmsMasterKeyId: U }), [stackKey])] },
    { title: "the configuration's bucket unknown", resources: [stackKey, media, kmsSse(U, kmsRule(), [media])] },
    { title: "the rules unknown", resources: [stackKey, media, companion(T.bucketSse, "m-sse", "shop-media-8f3a", { rules: U })] },
    { title: "the bucket key flag unknown", resources: [stackKey, media, kmsSse("shop-media-8f3a", kmsRule({ bucketKeyEnabled: U }))] },
  ],
});

const ownership = (b: any, objectOwnership: any = "BucketOwnerEnforced", deps: any[] = []) => companion(T.bucketOwnershipControls, `${typeof b === "string" ? b.replace(/-8f3a$/, "") : "x"}-own`, b, { rule: { objectOwnership } }, deps);

describePolicy({
  policy: "s3-bucket-acls-disabled",
  violating: [
    { title: "no ownership controls", resources: [site], message: /no ownership controls/ },
    { title: "BucketOwnerPreferred", resources: [site, ownership("shop-site-8f3a", "BucketOwnerPreferred")], message: /"BucketOwnerPreferred"/ },
    { title: "ObjectWriter on a log bucket", resources: [bucket("shop-alb-logs"), ownership("shop-alb-logs-8f3a", "ObjectWriter")], message: /ObjectWriter/ },
  ],
  compliant: [{ title: "every bucket BucketOwnerEnforced", resources: [site, media, ownership("shop-site-8f3a", "BucketOwnerEnforced", [site]), ownership("shop-media-8f3a")] }],
  unknown: [
    { title: "the controls' bucket unknown", resources: [site, ownership(U, "BucketOwnerEnforced", [site])] },
    { title: "the ownership unknown", resources: [site, ownership("shop-site-8f3a", U)] },
    { title: "an unlinked control with its bucket unknown", resources: [site, ownership(U)] },
  ],
});

const bucketPolicy = (statement: any[]) => companion(T.bucketPolicy, "shop-media-policy", "shop-media-8f3a", { policy: JSON.stringify({ Version: "2012-10-17", Statement: statement }) });
const MEDIA_ARN = "arn:aws:s3:::shop-media-8f3a";
const TLS_DENY = { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [MEDIA_ARN, `${MEDIA_ARN}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } };

describePolicy({
  policy: "s3-bucket-policy-no-lockout",
  violating: [
    { title: "deny s3:* to everyone, no condition", resources: [bucketPolicy([{ Sid: "LockAll", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [MEDIA_ARN, `${MEDIA_ARN}/*`] }])], message: /statement "LockAll" denies everyone/ },
    { title: "deny everything but to root (NotPrincipal)", resources: [bucketPolicy([{ Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "*", Resource: MEDIA_ARN }])], message: /everyone but the named/ },
    { title: "deny to AWS * by NotAction leaving the policy actions in", resources: [bucketPolicy([{ Effect: "Deny", Principal: { AWS: ["*"] }, NotAction: ["s3:GetObject"], Resource: MEDIA_ARN }])] },
    { title: "deny policy changes to all but one role (ArnNotEquals aws:PrincipalArn)", resources: [bucketPolicy([{ Effect: "Deny", Principal: "*", Action: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], Resource: MEDIA_ARN, Condition: { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::1:role/admin" } } }])], message: /everyone but the named/ },
    { title: "an inline bucket policy", resources: [bucket("shop-media", { policy: JSON.stringify({ Statement: { Effect: "Deny", Principal: "*", Action: "s3:*Policy", Resource: MEDIA_ARN } }) })] },
  ],
  compliant: [
    { title: "the TLS-only deny (a narrowing condition)", resources: [bucketPolicy([TLS_DENY])] },
    { title: "the document bucket's object-only deny", resources: [bucketPolicy([TLS_DENY, { Sid: "OnlyTheApp", Effect: "Deny", Principal: "*", Action: ["s3:GetObject", "s3:PutObject"], Resource: `${MEDIA_ARN}/*`, Condition: { ArnNotEquals: { "aws:PrincipalArn": ["arn:aws:iam::1:role/app"] } } }])] },
    { title: "deny to a named principal only", resources: [bucketPolicy([{ Effect: "Deny", Principal: { AWS: "arn:aws:iam::1:role/intern" }, Action: "s3:*", Resource: MEDIA_ARN }])] },
    { title: "deny everyone s3:PutBucketPolicy but not DeleteBucketPolicy", resources: [bucketPolicy([{ Effect: "Deny", Principal: "*", Action: "s3:PutBucketPolicy", Resource: MEDIA_ARN }])] },
    { title: "an allow statement", resources: [bucketPolicy([{ Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${MEDIA_ARN}/*` }])] },
  ],
  unknown: [{ title: "the policy document unknown", resources: [companion(T.bucketPolicy, "shop-media-policy", "shop-media-8f3a", { policy: U })] }],
});

// --- AWS Backup vaults ---------------------------------------------------------------------------
const vault = (o: Record<string, any> = {}, deps: any[] = []) => res(T.backupVault, "shop-backup-vault", { name: "prod-shop-backup", kmsKeyArn: STACK_KEY_ARN, forceDestroy: false, tags: TAGS, ...o }, { deps });

describePolicy({
  policy: "backup-vault-stack-key",
  violating: [
    { title: "no kmsKeyArn (aws/backup)", resources: [stackKey, vault({ kmsKeyArn: undefined })], message: /aws\/backup/ },
    { title: "a key from elsewhere", resources: [stackKey, vault({ kmsKeyArn: "arn:aws:kms:eu-west-1:999999999999:key/other" })], message: /not a key of this stack/ },
  ],
  compliant: [{ title: "the stack key", resources: [stackKey, vault({}, [stackKey])] }],
  unknown: [
    { title: "the key unknown, built from the stack key", resources: [stackKey, vault({ kmsKeyArn: U }, [stackKey])] },
    { title: "the key unknown, not linked", resources: [stackKey, vault({ kmsKeyArn: U })] },
  ],
});

const topic = (o: Record<string, any> = {}) => res(T.snsTopic, "prod-alerts", { tags: TAGS, ...o });
describePolicy({
  policy: "sns-topic-encrypted",
  violating: [
    { title: "no key", resources: [topic()], message: /no kmsMasterKeyId/ },
    { title: "an empty key", resources: [topic({ kmsMasterKeyId: "" })], message: /no kmsMasterKeyId/ },
    { title: "the AWS managed key, which alarms cannot publish under", resources: [topic({ kmsMasterKeyId: "alias/aws/sns" })], message: /alias\/aws\/sns.*CloudWatch alarms cannot use/ },
  ],
  compliant: [
    { title: "the stack key by ARN", resources: [topic({ kmsMasterKeyId: KEY })] },
    { title: "a customer key by alias", resources: [topic({ kmsMasterKeyId: "alias/prod-stack" })] },
  ],
  unknown: [{ title: "the key not known yet", resources: [topic({ kmsMasterKeyId: U })] }],
});
