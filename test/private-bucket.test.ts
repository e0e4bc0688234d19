import * as pulumi from "@pulumi/pulumi";
import { privateBucket } from "../components/private-bucket";
import { record } from "./harness";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";

describe("privateBucket", () => {
  it("encrypts with SSE-S3 by default (log buckets) and expires objects and their old versions together", async () => {
    const rec = await record(() => {
      const parent = new pulumi.ComponentResource("test:index:Parent", "p");
      privateBucket("logs", parent, { ownership: "BucketOwnerPreferred", versioned: true, expireDays: 30, forceDestroy: true, protect: false });
    });
    expect(rec.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    expect(rec.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({ objectOwnership: "BucketOwnerPreferred" });
    expect(rec.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0]).toMatchObject({
      id: "expire", expiration: { days: 30 }, noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    });
  });

  it("encrypts data buckets with the given KMS key and keeps current objects while old versions expire", async () => {
    const rec = await record(() => {
      const parent = new pulumi.ComponentResource("test:index:Parent", "p");
      privateBucket("docs", parent, { ownership: "BucketOwnerEnforced", versioned: true, noncurrentVersionDays: 90, kmsKeyArn: KEY, tags: { "data-class": "kyc" }, forceDestroy: false, protect: true });
    });
    const bucket = rec.one("aws:s3/bucket:Bucket");
    expect(bucket.options.protect).toBe(true);
    expect(bucket.inputs.tags).toMatchObject({ "data-class": "kyc" });
    expect(rec.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules)
      .toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, bucketKeyEnabled: true }]);
    const rule = rec.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0];
    expect(rule).toMatchObject({ id: "expire-old-versions", noncurrentVersionExpiration: { noncurrentDays: 90 } });
    expect(rule.expiration).toBeUndefined();
  });

  it("rejects old-version expiry on an unversioned bucket and non-positive day counts", async () => {
    await record(() => {
      const parent = new pulumi.ComponentResource("test:index:Parent", "p");
      const base = { ownership: "BucketOwnerEnforced" as const, forceDestroy: true, protect: false };
      expect(() => privateBucket("a", parent, { ...base, versioned: false, noncurrentVersionDays: 30 })).toThrow(/privateBucket: args\.noncurrentVersionDays needs versioned: true/);
      expect(() => privateBucket("b", parent, { ...base, versioned: false, expireDays: 0 })).toThrow(/args\.expireDays must be a whole number of days, at least 1, got 0/);
    });
  });
});
