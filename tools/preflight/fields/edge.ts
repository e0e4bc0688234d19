/** S3, CloudFront, ACM, Route 53, WAF and SES. */
import { CrossRule, Field, FieldTable, ProseRule, charset, matches, maxLength, notMatches, oneOf } from "../rules";
import { tagFields } from "./common";

// ---------------------------------------------------------------------------------------------
// S3
// ---------------------------------------------------------------------------------------------

/** A forceDestroy switch: the provider empties the bucket itself before DeleteBucket. */
const FORCE_DESTROY: Field = { local: "Pulumi-only switch: the provider deletes every object (and version) itself before DeleteBucket; AWS never receives it" };

/**
 * S3's model states no bucket naming rule: CreateBucket.Bucket (shape BucketName, no pattern or
 * length) only points at the "Bucket naming rules" page of the S3 User Guide. The rules below
 * are that page's general purpose bucket rules
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), each
 * attached to the pointer sentence the member documentation carries.
 */
const BUCKET_RULES_POINTER = "For information about bucket naming restrictions, see Bucket naming rules in the Amazon S3 User Guide";
const guide = (rule: string) => `${rule} (S3 User Guide, Bucket naming rules)`;
const BUCKET_NAME_RULES: ProseRule[] = [
  { quote: BUCKET_RULES_POINTER, allows: guide("3 to 63 characters"), ok: (v) => v.length >= 3 && v.length <= 63 },
  { quote: BUCKET_RULES_POINTER, allows: guide("only lowercase letters, numbers, dots (.) and hyphens (-)"), ok: (v) => /^[a-z0-9.-]*$/.test(v) },
  { quote: BUCKET_RULES_POINTER, allows: guide("a letter or number first and last"), ok: (v) => /^[a-z0-9](.*[a-z0-9])?$/.test(v) },
  { quote: BUCKET_RULES_POINTER, allows: guide("no two adjacent periods"), ok: (v) => !v.includes("..") },
  { quote: BUCKET_RULES_POINTER, allows: guide("not formatted as an IP address"), ok: (v) => !/^\d{1,3}(\.\d{1,3}){3}$/.test(v) },
  { quote: BUCKET_RULES_POINTER, allows: guide("no reserved prefix xn--, sthree-, amzn-s3-demo-"), ok: (v) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(v) },
  { quote: BUCKET_RULES_POINTER, allows: guide("no reserved suffix -s3alias, --ol-s3, .mrap, --x-s3, --table-s3"), ok: (v) => !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(v) },
];

const LIFECYCLE = "PutBucketLifecycleConfiguration.LifecycleConfiguration.Rules[]";
const POSITIVE_DAYS = matches("The value must be a non-zero positive integer.", /^[1-9]\d*$/, "a whole number of days, at least 1");
const SSE = "PutBucketEncryption.ServerSideEncryptionConfiguration.Rules[]";
const REPLICATION = "PutBucketReplication.ReplicationConfiguration.Rules[]";

/** Every S3 bucket setting resource names its bucket; the name was checked on the Bucket. */
const bucketRef = (api: string): Record<string, Field> => ({ bucket: api });

// ---------------------------------------------------------------------------------------------
// CloudFront (2020-05-31). The provider creates a tagged distribution with
// CreateDistributionWithTags, so the members live under DistributionConfigWithTags.
// ---------------------------------------------------------------------------------------------

const DCT = "CreateDistributionWithTags.DistributionConfigWithTags";
const DC = `${DCT}.DistributionConfig`;
const CF_COMMENT = maxLength("The comment cannot be longer than 128 characters.", 128);
/**
 * CloudFront's TagKey / TagValue patterns are left unanchored (so they match any value); the
 * prose names the characters. The class is the pattern's own ([\p{L}\p{Z}\p{N}_.:/=+\-@],
 * which the prose's a-z, A-Z, 0-9 illustrate), applied to the whole value.
 */
const CF_TAG_TEXT = charset("Valid characters include a-z , A-Z , 0-9 , space, and the special characters _ - . : / = + @ .", "\\p{L}\\p{Z}\\p{N}_.:/=+@\\-", "letters, digits, spaces and _ - . : / = + @");
const CF_TAGS: Record<string, Field> = {
  "tags{}": { api: `${DCT}.Tags.Items[].Key`, prose: [CF_TAG_TEXT] },
  "tags.*": { api: `${DCT}.Tags.Items[].Value`, prose: [CF_TAG_TEXT] },
};
const CACHED_METHODS = oneOf("Valid values for CachedMethods include GET , HEAD , and OPTIONS", ["GET", "HEAD", "OPTIONS"]);

/** The members a default and an ordered cache behavior share, under `input` and `api`. */
function cacheBehavior(input: string, api: string): Record<string, Field> {
  return {
    [`${input}.targetOriginId`]: `${api}.TargetOriginId`,
    [`${input}.viewerProtocolPolicy`]: `${api}.ViewerProtocolPolicy`,
    [`${input}.allowedMethods[]`]: `${api}.AllowedMethods.Items[]`,
    [`${input}.cachedMethods[]`]: { api: `${api}.AllowedMethods.CachedMethods.Items[]`, prose: [CACHED_METHODS] },
    [`${input}.compress`]: `${api}.Compress`,
    [`${input}.cachePolicyId`]: `${api}.CachePolicyId`,
    [`${input}.originRequestPolicyId`]: `${api}.OriginRequestPolicyId`,
    [`${input}.responseHeadersPolicyId`]: `${api}.ResponseHeadersPolicyId`,
    [`${input}.functionAssociations[].eventType`]: {
      api: `${api}.FunctionAssociations.Items[].EventType`,
      prose: [oneOf("The event type of the function, either viewer-request or viewer-response .", ["viewer-request", "viewer-response"])],
    },
    [`${input}.functionAssociations[].functionArn`]: `${api}.FunctionAssociations.Items[].FunctionARN`,
  };
}

/** The behaviors of a distribution's inputs: the default one first, then the ordered ones. */
function behaviors(i: Record<string, any>): { path: string; b: any }[] {
  const out: { path: string; b: any }[] = [];
  if (i.defaultCacheBehavior) out.push({ path: "defaultCacheBehavior", b: i.defaultCacheBehavior });
  (i.orderedCacheBehaviors ?? []).forEach((b: any, n: number) => out.push({ path: `orderedCacheBehaviors[${n}]`, b }));
  return out;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && b.every((x) => a.includes(x));
const ALLOWED_METHOD_SETS = [["GET", "HEAD"], ["GET", "HEAD", "OPTIONS"], ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]];
const CACHED_METHOD_SETS = [["GET", "HEAD"], ["GET", "HEAD", "OPTIONS"]];

const DISTRIBUTION_CROSS: CrossRule[] = [
  {
    api: `${DC}.Origins.Items[].Id`,
    quote: "This value must be unique within the distribution.",
    allows: "origin ids that are unique within the distribution",
    check: (i) => {
      const seen = new Set<string>();
      for (const [n, o] of (i.origins ?? []).entries()) {
        if (seen.has(o.originId)) return { path: `origins[${n}].originId`, value: o.originId };
        seen.add(o.originId);
      }
      return undefined;
    },
  },
  {
    api: `${DC}.DefaultCacheBehavior.TargetOriginId`,
    quote: "The value of ID for the origin that you want CloudFront to route requests to when they use the default cache behavior.",
    allows: "the id of one of the distribution's origins",
    check: (i) => {
      const ids = (i.origins ?? []).map((o: any) => o.originId);
      const t = i.defaultCacheBehavior?.targetOriginId;
      return t !== undefined && !ids.includes(t) ? { path: "defaultCacheBehavior.targetOriginId", value: t } : undefined;
    },
  },
  {
    api: `${DC}.CacheBehaviors.Items[].TargetOriginId`,
    quote: "The value of ID for the origin that you want CloudFront to route requests to when they match this cache behavior.",
    allows: "the id of one of the distribution's origins",
    check: (i) => {
      const ids = (i.origins ?? []).map((o: any) => o.originId);
      for (const [n, b] of (i.orderedCacheBehaviors ?? []).entries()) {
        if (b.targetOriginId !== undefined && !ids.includes(b.targetOriginId)) return { path: `orderedCacheBehaviors[${n}].targetOriginId`, value: b.targetOriginId };
      }
      return undefined;
    },
  },
  {
    api: `${DC}.DefaultCacheBehavior.AllowedMethods`,
    quote: "There are three choices: CloudFront forwards only GET and HEAD requests. CloudFront forwards only GET , HEAD , and OPTIONS requests. CloudFront forwards GET, HEAD, OPTIONS, PUT, PATCH, POST , and DELETE requests.",
    allows: "allowed methods GET+HEAD, GET+HEAD+OPTIONS, or all seven",
    check: (i) => {
      for (const { path, b } of behaviors(i)) {
        if (b.allowedMethods && !ALLOWED_METHOD_SETS.some((s) => sameSet(b.allowedMethods, s))) return { path: `${path}.allowedMethods`, value: b.allowedMethods.join(",") };
      }
      return undefined;
    },
  },
  {
    api: `${DC}.DefaultCacheBehavior.AllowedMethods.CachedMethods`,
    quote: "There are two choices: CloudFront caches responses to GET and HEAD requests. CloudFront caches responses to GET , HEAD , and OPTIONS requests.",
    allows: "cached methods GET+HEAD or GET+HEAD+OPTIONS, all of them allowed methods",
    check: (i) => {
      for (const { path, b } of behaviors(i)) {
        if (!b.cachedMethods) continue;
        const bad = !CACHED_METHOD_SETS.some((s) => sameSet(b.cachedMethods, s)) || (b.allowedMethods && b.cachedMethods.some((m: string) => !b.allowedMethods.includes(m)));
        if (bad) return { path: `${path}.cachedMethods`, value: b.cachedMethods.join(",") };
      }
      return undefined;
    },
  },
  {
    api: `${DC}.DefaultCacheBehavior.CachePolicyId`,
    quote: "A DefaultCacheBehavior must include either a CachePolicyId or ForwardedValues .",
    allows: "a default cache behavior with a cachePolicyId or forwardedValues",
    check: (i) => {
      const b = i.defaultCacheBehavior;
      return b && b.cachePolicyId === undefined && b.forwardedValues === undefined ? { path: "defaultCacheBehavior.cachePolicyId", value: "(unset)" } : undefined;
    },
  },
  {
    api: `${DC}.ViewerCertificate.ACMCertificateArn`,
    quote: "If you specify an ACM certificate ARN, you must also specify values for MinimumProtocolVersion and SSLSupportMethod .",
    allows: "minimumProtocolVersion and sslSupportMethod set with an ACM certificate",
    check: (i) => {
      const v = i.viewerCertificate;
      if (!v?.acmCertificateArn) return undefined;
      if (v.minimumProtocolVersion === undefined) return { path: "viewerCertificate.minimumProtocolVersion", value: "(unset)" };
      if (v.sslSupportMethod === undefined) return { path: "viewerCertificate.sslSupportMethod", value: "(unset)" };
      return undefined;
    },
  },
  {
    api: `${DC}.ViewerCertificate.MinimumProtocolVersion`,
    quote: "When you're using SNI only (you set SSLSupportMethod to sni-only ), you must specify TLSv1 or higher.",
    allows: "TLSv1 or higher with sni-only",
    check: (i) => {
      const v = i.viewerCertificate;
      return v?.sslSupportMethod === "sni-only" && v.minimumProtocolVersion === "SSLv3" ? { path: "viewerCertificate.minimumProtocolVersion", value: v.minimumProtocolVersion } : undefined;
    },
  },
  {
    api: `${DC}.CustomErrorResponses.Items[].ResponseCode`,
    quote: "If you specify a value for ResponseCode , you must also specify a value for ResponsePagePath .",
    allows: "a responsePagePath with every responseCode",
    check: (i) => {
      for (const [n, r] of (i.customErrorResponses ?? []).entries()) {
        if (r.responseCode !== undefined && r.responsePagePath === undefined) return { path: `customErrorResponses[${n}].responsePagePath`, value: "(unset)" };
      }
      return undefined;
    },
  },
  {
    api: `${DC}.CustomErrorResponses.Items[].ResponsePagePath`,
    quote: "If you specify a value for ResponsePagePath , you must also specify a value for ResponseCode .",
    allows: "a responseCode with every responsePagePath",
    check: (i) => {
      for (const [n, r] of (i.customErrorResponses ?? []).entries()) {
        if (r.responsePagePath !== undefined && r.responseCode === undefined) return { path: `customErrorResponses[${n}].responseCode`, value: "(unset)" };
      }
      return undefined;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Route 53
// ---------------------------------------------------------------------------------------------

const RRS = "ChangeResourceRecordSets.ChangeBatch.Changes[].ResourceRecordSet";
const CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2";
const isCloudFrontAlias = (a: any) => typeof a?.name === "string" && /\.cloudfront\.net\.?$/i.test(a.name);
/** Aliases of a record's inputs (a list in the provider's schema) with their input path. */
const aliasesOf = (i: Record<string, any>): { path: string; a: any }[] => (i.aliases ?? []).map((a: any, n: number) => ({ path: `aliases[${n}]`, a }));

// ---------------------------------------------------------------------------------------------
// WAFv2
// ---------------------------------------------------------------------------------------------

const RULE = "CreateWebACL.Rules[]";
const RATE = `${RULE}.Statement.RateBasedStatement`;
const BYTE_MATCH = `${RATE}.ScopeDownStatement.ByteMatchStatement`;
const METRIC_NAME_RULES: ProseRule[] = [
  charset("The name can contain only the characters: A-Z, a-z, 0-9, - (hyphen), and _ (underscore).", "A-Za-z0-9_\\-", "A-Z, a-z, 0-9, - and _"),
  maxLength("The name can be from one to 128 characters long.", 128),
  notMatches("It can't contain whitespace or metric names that are reserved for WAF, for example All and Default_Action .", /^(All|Default_Action)$/, "not a name WAF reserves (All, Default_Action)"),
];
const visibility = (input: string, api: string): Record<string, Field> => ({
  [`${input}.cloudwatchMetricsEnabled`]: `${api}.CloudWatchMetricsEnabled`,
  [`${input}.sampledRequestsEnabled`]: `${api}.SampledRequestsEnabled`,
  [`${input}.metricName`]: { api: `${api}.MetricName`, prose: METRIC_NAME_RULES },
});
/** Resource-name parts of the destinations WAF logs to: a log group, a bucket or a Firehose stream. */
const WAF_LOG_DESTINATION = /^arn:aws[\w-]*:(logs:[a-z0-9-]+:\d{12}:log-group:|s3:::|firehose:[a-z0-9-]+:\d{12}:deliverystream\/)aws-waf-logs-/;
const WAF_ASSOCIABLE_ARN = new RegExp("^arn:aws[\\w-]*:(" + [
  "elasticloadbalancing:[a-z0-9-]+:\\d{12}:loadbalancer/app/[^/]+/[^/]+",
  "apigateway:[a-z0-9-]+::/restapis/[^/]+/stages/[^/]+",
  "appsync:[a-z0-9-]+:\\d{12}:apis/.+",
  "cognito-idp:[a-z0-9-]+:\\d{12}:userpool/.+",
  "apprunner:[a-z0-9-]+:\\d{12}:service/[^/]+/[^/]+",
  "ec2:[a-z0-9-]+:\\d{12}:verified-access-instance/.+",
  "amplify:[a-z0-9-]+:\\d{12}:apps/.+",
  "bedrock-agentcore:[a-z0-9-]+:\\d{12}:gateway/.+",
].join("|") + ")$");

/** The first value repeated in a list, with its index. */
function firstRepeat<T>(values: T[]): { index: number; value: T } | undefined {
  const seen = new Set<T>();
  for (const [index, value] of values.entries()) {
    if (seen.has(value)) return { index, value };
    seen.add(value);
  }
  return undefined;
}

const WEB_ACL_CROSS: CrossRule[] = [
  {
    api: `${RULE}.Priority`,
    quote: "The priorities don't need to be consecutive, but they must all be different.",
    allows: "a different priority for every rule",
    check: (i) => {
      const r = firstRepeat((i.rules ?? []).map((x: any) => x.priority));
      return r ? { path: `rules[${r.index}].priority`, value: r.value } : undefined;
    },
  },
  {
    api: `${BYTE_MATCH}.TextTransformations[].Priority`,
    quote: "The priorities don't need to be consecutive, but they must all be different.",
    allows: "a different priority for every text transformation of a statement",
    check: (i) => {
      for (const [n, rule] of (i.rules ?? []).entries()) {
        const t = rule.statement?.rateBasedStatement?.scopeDownStatement?.byteMatchStatement?.textTransformations ?? [];
        const r = firstRepeat(t.map((x: any) => x.priority));
        if (r) return { path: `rules[${n}].statement.rateBasedStatement.scopeDownStatement.byteMatchStatement.textTransformations[${r.index}].priority`, value: r.value };
      }
      return undefined;
    },
  },
  {
    api: `${BYTE_MATCH}.PositionalConstraint`,
    quote: "CONTAINS_WORD The specified part of the web request must include the value of SearchString , and SearchString must contain only alphanumeric characters or underscore (A-Z, a-z, 0-9, or _).",
    allows: "with CONTAINS_WORD, a search string of only A-Z, a-z, 0-9 and _",
    check: (i) => {
      for (const [n, rule] of (i.rules ?? []).entries()) {
        const b = rule.statement?.rateBasedStatement?.scopeDownStatement?.byteMatchStatement;
        if (b?.positionalConstraint === "CONTAINS_WORD" && typeof b.searchString === "string" && !/^\w+$/.test(b.searchString)) {
          return { path: `rules[${n}].statement.rateBasedStatement.scopeDownStatement.byteMatchStatement.searchString`, value: b.searchString };
        }
      }
      return undefined;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

export const EDGE: FieldTable = {
  "aws:s3/bucket:Bucket": {
    model: "s3",
    // Pulumi names a bucket `<logical name, lower-cased>-<7 hex>`.
    autoname: "bucket",
    fields: {
      bucket: { api: "CreateBucket.Bucket", prose: BUCKET_NAME_RULES },
      forceDestroy: FORCE_DESTROY,
      ...tagFields("PutBucketTagging.Tagging.TagSet[].Key", "PutBucketTagging.Tagging.TagSet[].Value"),
    },
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
    model: "s3",
    fields: {
      ...bucketRef("PutBucketOwnershipControls.Bucket"),
      "rule.objectOwnership": "PutBucketOwnershipControls.OwnershipControls.Rules[].ObjectOwnership",
    },
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    model: "s3",
    fields: {
      ...bucketRef("PutPublicAccessBlock.Bucket"),
      blockPublicAcls: "PutPublicAccessBlock.PublicAccessBlockConfiguration.BlockPublicAcls",
      blockPublicPolicy: "PutPublicAccessBlock.PublicAccessBlockConfiguration.BlockPublicPolicy",
      ignorePublicAcls: "PutPublicAccessBlock.PublicAccessBlockConfiguration.IgnorePublicAcls",
      restrictPublicBuckets: "PutPublicAccessBlock.PublicAccessBlockConfiguration.RestrictPublicBuckets",
    },
  },
  "aws:s3/bucketVersioning:BucketVersioning": {
    model: "s3",
    fields: {
      ...bucketRef("PutBucketVersioning.Bucket"),
      "versioningConfiguration.status": "PutBucketVersioning.VersioningConfiguration.Status",
    },
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    model: "s3",
    fields: {
      ...bucketRef("PutBucketLifecycleConfiguration.Bucket"),
      "rules[].id": { api: `${LIFECYCLE}.ID`, prose: [maxLength("The value cannot be longer than 255 characters.", 255)] },
      "rules[].status": `${LIFECYCLE}.Status`,
      "rules[].expiration.days": { api: `${LIFECYCLE}.Expiration.Days`, prose: [POSITIVE_DAYS] },
      "rules[].noncurrentVersionExpiration.noncurrentDays": { api: `${LIFECYCLE}.NoncurrentVersionExpiration.NoncurrentDays`, prose: [POSITIVE_DAYS] },
      "rules[].abortIncompleteMultipartUpload.daysAfterInitiation": `${LIFECYCLE}.AbortIncompleteMultipartUpload.DaysAfterInitiation`,
      "rules[].filter.prefix": `${LIFECYCLE}.Filter.Prefix`,
    },
  },
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": {
    model: "s3",
    fields: {
      ...bucketRef("PutBucketReplication.Bucket"),
      role: "PutBucketReplication.ReplicationConfiguration.Role",
      "rules[].id": { api: `${REPLICATION}.ID`, prose: [maxLength("The maximum value is 255 characters.", 255)] },
      "rules[].priority": `${REPLICATION}.Priority`,
      "rules[].status": `${REPLICATION}.Status`,
      "rules[].filter.prefix": `${REPLICATION}.Filter.Prefix`,
      "rules[].deleteMarkerReplication.status": `${REPLICATION}.DeleteMarkerReplication.Status`,
      "rules[].destination.bucket": `${REPLICATION}.Destination.Bucket`,
      "rules[].destination.storageClass": `${REPLICATION}.Destination.StorageClass`,
      "rules[].destination.encryptionConfiguration.replicaKmsKeyId": `${REPLICATION}.Destination.EncryptionConfiguration.ReplicaKmsKeyID`,
      "rules[].sourceSelectionCriteria.sseKmsEncryptedObjects.status": `${REPLICATION}.SourceSelectionCriteria.SseKmsEncryptedObjects.Status`,
    },
  },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    model: "s3",
    fields: {
      ...bucketRef("PutBucketEncryption.Bucket"),
      "rules[].applyServerSideEncryptionByDefault.sseAlgorithm": `${SSE}.ApplyServerSideEncryptionByDefault.SSEAlgorithm`,
      "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId": `${SSE}.ApplyServerSideEncryptionByDefault.KMSMasterKeyID`,
      "rules[].bucketKeyEnabled": `${SSE}.BucketKeyEnabled`,
    },
    cross: [{
      api: `${SSE}.ApplyServerSideEncryptionByDefault.KMSMasterKeyID`,
      quote: "General purpose buckets - This parameter is allowed if and only if SSEAlgorithm is set to aws:kms or aws:kms:dsse .",
      allows: "a kmsMasterKeyId only with sseAlgorithm aws:kms or aws:kms:dsse",
      check: (i) => {
        for (const [n, r] of (i.rules ?? []).entries()) {
          const d = r.applyServerSideEncryptionByDefault;
          if (d?.kmsMasterKeyId !== undefined && d.sseAlgorithm !== "aws:kms" && d.sseAlgorithm !== "aws:kms:dsse") {
            return { path: `rules[${n}].applyServerSideEncryptionByDefault.kmsMasterKeyId`, value: d.kmsMasterKeyId };
          }
        }
        return undefined;
      },
    }],
  },
  "aws:s3/bucketLogging:BucketLogging": {
    model: "s3",
    fields: {
      ...bucketRef("PutBucketLogging.Bucket"),
      targetBucket: "PutBucketLogging.BucketLoggingStatus.LoggingEnabled.TargetBucket",
      targetPrefix: "PutBucketLogging.BucketLoggingStatus.LoggingEnabled.TargetPrefix",
    },
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    model: "s3",
    fields: {
      ...bucketRef("PutBucketPolicy.Bucket"),
      policy: {
        api: "PutBucketPolicy.Policy",
        prose: [{
          quote: "The bucket policy as a JSON document.", allows: "a JSON document",
          ok: (v) => { try { return typeof JSON.parse(v) === "object"; } catch { return false; } },
        }],
      },
    },
  },

  "aws:cloudfront/distribution:Distribution": {
    model: "cloudfront",
    fields: {
      enabled: `${DC}.Enabled`,
      comment: { api: `${DC}.Comment`, prose: [CF_COMMENT] },
      "aliases[]": `${DC}.Aliases.Items[]`,
      defaultRootObject: { api: `${DC}.DefaultRootObject`, prose: [notMatches("Your string can't begin with a forward slash ( / ).", /^\//, "no leading /")] },
      httpVersion: `${DC}.HttpVersion`,
      isIpv6Enabled: `${DC}.IsIPV6Enabled`,
      priceClass: `${DC}.PriceClass`,
      webAclId: {
        api: `${DC}.WebACLId`,
        prose: [matches(
          "To specify a web ACL created using the latest version of WAF, use the ACL ARN, for example arn:aws:wafv2:us-east-1:123456789012:global/webacl/ExampleWebACL/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 .",
          /^(arn:aws[\w-]*:wafv2:[a-z0-9-]+:\d{12}:global\/webacl\/[^/]+\/[^/]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/,
          "a global (CLOUDFRONT-scope) WAFv2 web ACL ARN, or a WAF Classic ACL id",
        )],
      },
      "origins[].originId": `${DC}.Origins.Items[].Id`,
      "origins[].domainName": `${DC}.Origins.Items[].DomainName`,
      "origins[].originAccessControlId": `${DC}.Origins.Items[].OriginAccessControlId`,
      "origins[].customOriginConfig.httpPort": `${DC}.Origins.Items[].CustomOriginConfig.HTTPPort`,
      "origins[].customOriginConfig.httpsPort": `${DC}.Origins.Items[].CustomOriginConfig.HTTPSPort`,
      "origins[].customOriginConfig.originProtocolPolicy": `${DC}.Origins.Items[].CustomOriginConfig.OriginProtocolPolicy`,
      "origins[].customOriginConfig.originSslProtocols[]": `${DC}.Origins.Items[].CustomOriginConfig.OriginSslProtocols.Items[]`,
      ...cacheBehavior("defaultCacheBehavior", `${DC}.DefaultCacheBehavior`),
      ...cacheBehavior("orderedCacheBehaviors[]", `${DC}.CacheBehaviors.Items[]`),
      "orderedCacheBehaviors[].pathPattern": `${DC}.CacheBehaviors.Items[].PathPattern`,
      "customErrorResponses[].errorCode": {
        api: `${DC}.CustomErrorResponses.Items[].ErrorCode`,
        proseFrom: `${DC}.CustomErrorResponses`,
        prose: [matches("Whether CloudFront replaces HTTP status codes in the 4xx and 5xx range with custom error messages before returning the response to the viewer.", /^[45]\d\d$/, "an HTTP status code in the 4xx or 5xx range")],
      },
      "customErrorResponses[].responseCode": `${DC}.CustomErrorResponses.Items[].ResponseCode`,
      "customErrorResponses[].responsePagePath": `${DC}.CustomErrorResponses.Items[].ResponsePagePath`,
      "customErrorResponses[].errorCachingMinTtl": `${DC}.CustomErrorResponses.Items[].ErrorCachingMinTTL`,
      "viewerCertificate.acmCertificateArn": {
        api: `${DC}.ViewerCertificate.ACMCertificateArn`,
        prose: [matches("CloudFront only supports ACM certificates in the US East (N. Virginia) Region ( us-east-1 ).", /^arn:aws[\w-]*:acm:us-east-1:/, "an ACM certificate ARN in us-east-1")],
      },
      "viewerCertificate.sslSupportMethod": `${DC}.ViewerCertificate.SSLSupportMethod`,
      "viewerCertificate.minimumProtocolVersion": `${DC}.ViewerCertificate.MinimumProtocolVersion`,
      "restrictions.geoRestriction.restrictionType": `${DC}.Restrictions.GeoRestriction.RestrictionType`,
      "loggingConfig.bucket": {
        api: `${DC}.Logging.Bucket`,
        prose: [matches("The Amazon S3 bucket to store the access logs in, for example, amzn-s3-demo-bucket.s3.amazonaws.com .", /^[a-z0-9][a-z0-9.-]*\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/, "the bucket's domain name, <bucket>.s3.amazonaws.com")],
      },
      "loggingConfig.prefix": `${DC}.Logging.Prefix`,
      "loggingConfig.includeCookies": `${DC}.Logging.IncludeCookies`,
      ...CF_TAGS,
    },
    cross: DISTRIBUTION_CROSS,
  },
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": {
    model: "cloudfront",
    autoname: "name",
    fields: {
      name: "CreateResponseHeadersPolicy.ResponseHeadersPolicyConfig.Name",
      comment: { api: "CreateResponseHeadersPolicy.ResponseHeadersPolicyConfig.Comment", prose: [CF_COMMENT] },
      ...Object.fromEntries(Object.entries({
        "strictTransportSecurity.accessControlMaxAgeSec": "StrictTransportSecurity.AccessControlMaxAgeSec",
        "strictTransportSecurity.includeSubdomains": "StrictTransportSecurity.IncludeSubdomains",
        "strictTransportSecurity.preload": "StrictTransportSecurity.Preload",
        "strictTransportSecurity.override": "StrictTransportSecurity.Override",
        "contentTypeOptions.override": "ContentTypeOptions.Override",
        "frameOptions.frameOption": "FrameOptions.FrameOption",
        "frameOptions.override": "FrameOptions.Override",
        "referrerPolicy.referrerPolicy": "ReferrerPolicy.ReferrerPolicy",
        "referrerPolicy.override": "ReferrerPolicy.Override",
        "contentSecurityPolicy.contentSecurityPolicy": "ContentSecurityPolicy.ContentSecurityPolicy",
        "contentSecurityPolicy.override": "ContentSecurityPolicy.Override",
      }).map(([input, api]) => [`securityHeadersConfig.${input}`, `CreateResponseHeadersPolicy.ResponseHeadersPolicyConfig.SecurityHeadersConfig.${api}`])),
    },
  },
  // Created by StaticSite only when an API shares the distribution (not in either stack today).
  "aws:cloudfront/function:Function": {
    model: "cloudfront",
    autoname: "name",
    fields: {
      name: "CreateFunction.Name",
      comment: "CreateFunction.FunctionConfig.Comment",
      runtime: "CreateFunction.FunctionConfig.Runtime",
      code: "CreateFunction.FunctionCode",
      publish: { local: "Pulumi-only switch: when true the provider calls PublishFunction after each change; the flag itself is not sent" },
    },
  },
  "aws:cloudfront/originAccessControl:OriginAccessControl": {
    model: "cloudfront",
    autoname: "name",
    fields: {
      name: { api: "CreateOriginAccessControl.OriginAccessControlConfig.Name", prose: [maxLength("You can specify up to 64 characters.", 64)] },
      description: "CreateOriginAccessControl.OriginAccessControlConfig.Description",
      originAccessControlOriginType: "CreateOriginAccessControl.OriginAccessControlConfig.OriginAccessControlOriginType",
      signingBehavior: "CreateOriginAccessControl.OriginAccessControlConfig.SigningBehavior",
      signingProtocol: "CreateOriginAccessControl.OriginAccessControlConfig.SigningProtocol",
    },
  },

  "aws:acm/certificate:Certificate": {
    model: "acm",
    fields: {
      domainName: {
        api: "RequestCertificate.DomainName",
        prose: [maxLength("the length of the domain name (technically, the Common Name) that you provide cannot exceed 64 octets (characters), including periods.", 64)],
      },
      "subjectAlternativeNames[]": {
        api: "RequestCertificate.SubjectAlternativeNames[]",
        prose: [notMatches("No label can be longer than 63 octets.", /(^|\.)[^.]{64,}(\.|$)/, "labels of at most 63 characters")],
      },
      validationMethod: "RequestCertificate.ValidationMethod",
      keyAlgorithm: {
        api: "RequestCertificate.KeyAlgorithm",
        prose: [oneOf("Algorithms supported for an ACM certificate request include: RSA_2048 EC_prime256v1 EC_secp384r1 Other listed algorithms are for imported certificates only.", ["RSA_2048", "EC_prime256v1", "EC_secp384r1"])],
      },
      ...tagFields("RequestCertificate.Tags[].Key", "RequestCertificate.Tags[].Value"),
    },
    cross: [{
      api: "RequestCertificate.SubjectAlternativeNames",
      quote: "However, the initial quota is 10 domain names. If you need more than 10 names, you must request a quota increase.",
      allows: "at most 10 names on the certificate (domainName and subjectAlternativeNames) without a quota increase",
      check: (i) => {
        const names = new Set([i.domainName, ...(i.subjectAlternativeNames ?? [])].filter((n) => n !== undefined));
        return names.size > 10 ? { path: "subjectAlternativeNames", value: `${names.size} names` } : undefined;
      },
    }],
  },
  "aws:acm/certificateValidation:CertificateValidation": {
    model: "acm",
    fields: {
      certificateArn: { local: "provider-side waiter: it only polls DescribeCertificate until ACM reports the certificate ISSUED; nothing is created in AWS" },
      "validationRecordFqdns[]": { local: "provider-side waiter: the provider compares these names with the certificate's DNS validation records (trailing dots ignored) before waiting; AWS never receives them" },
    },
  },

  "aws:route53/record:Record": {
    model: "route53",
    fields: {
      zoneId: "ChangeResourceRecordSets.HostedZoneId",
      name: {
        api: `${RRS}.Name`,
        prose: [notMatches("The * must replace the entire label. For example, you can't specify *prod.example.com or prod*.example.com .", /(^|\.)(?!\*(\.|$))[^.]*\*/, "a * only as a whole label")],
      },
      type: `${RRS}.Type`,
      ttl: `${RRS}.TTL`,
      "records[]": `${RRS}.ResourceRecords[].Value`,
      "aliases[].name": `${RRS}.AliasTarget.DNSName`,
      "aliases[].zoneId": `${RRS}.AliasTarget.HostedZoneId`,
      "aliases[].evaluateTargetHealth": `${RRS}.AliasTarget.EvaluateTargetHealth`,
      allowOverwrite: { local: "Pulumi-only switch: the provider sends the change as UPSERT instead of CREATE (ChangeAction enum), taking over an existing record" },
    },
    cross: [
      {
        api: `${RRS}.TTL`,
        quote: "If you're creating or updating an alias resource record set, omit TTL .",
        allows: "no ttl on an alias record",
        check: (i) => (i.ttl !== undefined && aliasesOf(i).length > 0 ? { path: "ttl", value: i.ttl } : undefined),
      },
      {
        api: `${RRS}.ResourceRecords[].Value`,
        quote: "You can specify more than one value for all record types except CNAME and SOA .",
        allows: "a single value for a CNAME or SOA record",
        check: (i) => ((i.type === "CNAME" || i.type === "SOA") && (i.records ?? []).length > 1 ? { path: "records", value: i.records.join(",") } : undefined),
      },
      {
        api: `${RRS}.AliasTarget.EvaluateTargetHealth`,
        quote: "You can't set EvaluateTargetHealth to true when the alias target is a CloudFront distribution.",
        allows: "evaluateTargetHealth false for a CloudFront alias",
        check: (i) => {
          const bad = aliasesOf(i).find(({ a }) => isCloudFrontAlias(a) && a.evaluateTargetHealth === true);
          return bad ? { path: `${bad.path}.evaluateTargetHealth`, value: true } : undefined;
        },
      },
      {
        api: `${RRS}.AliasTarget.HostedZoneId`,
        quote: "CloudFront distribution Specify Z2FDTNDATAQYW2 .",
        allows: `zone id ${CLOUDFRONT_ZONE} for a CloudFront alias`,
        check: (i) => {
          const bad = aliasesOf(i).find(({ a }) => isCloudFrontAlias(a) && typeof a.zoneId === "string" && a.zoneId !== CLOUDFRONT_ZONE);
          return bad ? { path: `${bad.path}.zoneId`, value: bad.a.zoneId } : undefined;
        },
      },
      {
        api: `${RRS}.Type`,
        quote: "CloudFront distributions: A If IPv6 is enabled for the distribution, create two resource record sets to route traffic to your distribution, one with a value of A and one with a value of AAAA .",
        allows: "type A or AAAA for a CloudFront alias",
        check: (i) => (aliasesOf(i).some(({ a }) => isCloudFrontAlias(a)) && i.type !== "A" && i.type !== "AAAA" ? { path: "type", value: i.type } : undefined),
      },
      {
        api: `${RRS}.Type`,
        quote: "ELB load balancers: A | AAAA",
        allows: "type A or AAAA for a load balancer alias",
        check: (i) => (aliasesOf(i).some(({ a }) => typeof a.name === "string" && /\.elb\.amazonaws\.com\.?$/i.test(a.name)) && i.type !== "A" && i.type !== "AAAA" ? { path: "type", value: i.type } : undefined),
      },
    ],
  },

  "aws:wafv2/webAcl:WebAcl": {
    model: "wafv2",
    autoname: "name",
    fields: {
      name: "CreateWebACL.Name",
      description: "CreateWebACL.Description",
      scope: "CreateWebACL.Scope",
      ...visibility("visibilityConfig", "CreateWebACL.VisibilityConfig"),
      "rules[].name": `${RULE}.Name`,
      "rules[].priority": `${RULE}.Priority`,
      "rules[].action.block.customResponse.responseCode": `${RULE}.Action.Block.CustomResponse.ResponseCode`,
      "rules[].statement.rateBasedStatement.aggregateKeyType": `${RATE}.AggregateKeyType`,
      "rules[].statement.rateBasedStatement.limit": `${RATE}.Limit`,
      "rules[].statement.rateBasedStatement.evaluationWindowSec": {
        api: `${RATE}.EvaluationWindowSec`,
        prose: [oneOf("Valid settings are 60, 120, 300, and 600.", ["60", "120", "300", "600"])],
      },
      "rules[].statement.rateBasedStatement.scopeDownStatement.byteMatchStatement.positionalConstraint": `${BYTE_MATCH}.PositionalConstraint`,
      "rules[].statement.rateBasedStatement.scopeDownStatement.byteMatchStatement.searchString": {
        api: `${BYTE_MATCH}.SearchString`,
        prose: [{ quote: "The maximum length of the value is 200 bytes.", allows: "at most 200 bytes (UTF-8)", ok: (v) => Buffer.byteLength(v, "utf8") <= 200 }],
      },
      "rules[].statement.rateBasedStatement.scopeDownStatement.byteMatchStatement.textTransformations[].priority": `${BYTE_MATCH}.TextTransformations[].Priority`,
      "rules[].statement.rateBasedStatement.scopeDownStatement.byteMatchStatement.textTransformations[].type": `${BYTE_MATCH}.TextTransformations[].Type`,
      "rules[].statement.managedRuleGroupStatement.name": `${RULE}.Statement.ManagedRuleGroupStatement.Name`,
      "rules[].statement.managedRuleGroupStatement.vendorName": `${RULE}.Statement.ManagedRuleGroupStatement.VendorName`,
      "rules[].statement.managedRuleGroupStatement.ruleActionOverrides[].name": `${RULE}.Statement.ManagedRuleGroupStatement.RuleActionOverrides[].Name`,
      ...visibility("rules[].visibilityConfig", `${RULE}.VisibilityConfig`),
      ...tagFields("CreateWebACL.Tags[].Key", "CreateWebACL.Tags[].Value"),
    },
    cross: WEB_ACL_CROSS,
  },
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": {
    model: "wafv2",
    fields: {
      resourceArn: "PutLoggingConfiguration.LoggingConfiguration.ResourceArn",
      "logDestinationConfigs[]": {
        api: "PutLoggingConfiguration.LoggingConfiguration.LogDestinationConfigs[]",
        // The naming rule itself is stated on the LoggingConfiguration shape ("The name that
        // you give the destination must start with aws-waf-logs- ."), whose request member
        // carries an empty documentation element, so it is attached to the member's sentence.
        prose: [matches(
          "The logging destination configuration that you want to associate with the web ACL.",
          WAF_LOG_DESTINATION,
          "a log group, S3 bucket or Firehose stream whose name starts with aws-waf-logs- (LoggingConfiguration: \"The name that you give the destination must start with aws-waf-logs- .\")",
        )],
      },
      "redactedFields[].singleHeader.name": "PutLoggingConfiguration.LoggingConfiguration.RedactedFields[].SingleHeader.Name",
    },
    cross: [{
      api: "PutLoggingConfiguration.LoggingConfiguration.LogDestinationConfigs",
      quote: "You can associate one logging destination to a web ACL.",
      allows: "exactly one logging destination",
      check: (i) => ((i.logDestinationConfigs ?? []).length > 1 ? { path: "logDestinationConfigs", value: `${i.logDestinationConfigs.length} destinations` } : undefined),
    }],
  },
  "aws:wafv2/webAclAssociation:WebAclAssociation": {
    model: "wafv2",
    fields: {
      resourceArn: {
        api: "AssociateWebACL.ResourceArn",
        prose: [matches("The ARN must be in one of the following formats:", WAF_ASSOCIABLE_ARN, "the ARN of an Application Load Balancer, API Gateway stage, AppSync API, Cognito user pool, App Runner service, Verified Access instance, Amplify app or AgentCore gateway")],
      },
      webAclArn: "AssociateWebACL.WebACLArn",
    },
  },

  "aws:ses/domainIdentity:DomainIdentity": {
    model: "ses",
    fields: { domain: "VerifyDomainIdentity.Domain" },
  },
  "aws:ses/domainDkim:DomainDkim": {
    model: "ses",
    fields: { domain: "VerifyDomainDkim.Domain" },
  },
  "aws:ses/domainIdentityVerification:DomainIdentityVerification": {
    model: "ses",
    // A provider-side waiter: it polls the identity's verification status until it is Success.
    fields: { domain: "GetIdentityVerificationAttributes.Identities[]" },
  },
};
