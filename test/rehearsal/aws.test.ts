/**
 * The AWS API stand-ins' pure parts: SigV4 checking (against requests signed by botocore), the
 * endpoint names, IAM evaluation of the hosts' policies, request parsing (Secrets Manager JSON 1.1,
 * CloudWatch query protocol, S3 REST), what is logged (never a secret value), the DNS answers,
 * the connection-secret hook and the AWS probes of the table. No containers, no network.
 */
import { fakeCredentials } from "../../tools/rehearsal/imds";
import { authorize } from "../../tools/rehearsal/aws/iam";
import { artifactOf, AwsState, PolicyStatement, pointConnectionSecretsAt } from "../../tools/rehearsal/aws/plan";
import { launchHookPolicy } from "../../components/app-fleet";
import { endpointOf, findSecret, handleAws, keysForRoles, parseForm, registryPassword, parsePutMetricData } from "../../tools/rehearsal/aws/services";
import { checkSigV4, Credentials, parseAmzDate, parseAuthorization, sign } from "../../tools/rehearsal/aws/sigv4";
import { endpointNames } from "../../tools/rehearsal/aws/ca";
import { awsRows, bootstrapProgress } from "../../tools/rehearsal/report";
import { dnsAnswer, dnsDecision, dnsQuestion } from "../../tools/rehearsal/router";

/** Requests signed by botocore 1.43 (SigV4Auth / S3SigV4Auth) with the credentials below: the verifier must accept them as AWS does. */
const BOTOCORE_SIGNED = [
  {
    "method": "POST",
    "path": "/",
    "query": "",
    "headers": {
      "x-amz-target": "secretsmanager.GetSecretValue",
      "content-type": "application/x-amz-json-1.1",
      "x-amz-date": "20261201T233139Z",
      "x-amz-security-token": "tok/en+==",
      "authorization": "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY000001/20261201/eu-west-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=2bf85c50a24a2a3e5092ea465ca15fd0c9638711c06d4c2159d6dfcb8ba87623",
      "host": "secretsmanager.eu-west-1.amazonaws.com"
    },
    "body": "{\"SecretId\": \"staging/app/DATABASE\"}"
  },
  {
    "method": "POST",
    "path": "/",
    "query": "",
    "headers": {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      "x-amz-date": "20261201T233139Z",
      "x-amz-security-token": "tok/en+==",
      "authorization": "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY000001/20261201/eu-west-1/monitoring/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=a667934b148348db1a9035ac59b82794ee04f1d2c83bb894fa9019ad8e7c5f7c",
      "host": "monitoring.eu-west-1.amazonaws.com"
    },
    "body": "Action=PutMetricData&Version=2010-08-01&Namespace=WebappPlatform%2FHost&MetricData.member.1.MetricName=CertificateDaysToExpiry&MetricData.member.1.Dimensions.member.1.Name=App&MetricData.member.1.Dimensions.member.1.Value=smartboostpro&MetricData.member.1.Value=6&MetricData.member.1.Unit=Count"
  },
  {
    "method": "GET",
    "path": "/smartboost%20pro/1.0.3%2Bb.tar.gz",
    "query": "versionId=a%2Fb&x=1",
    "headers": {
      "x-amz-date": "20261201T233139Z",
      "x-amz-security-token": "tok/en+==",
      "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "authorization": "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY000001/20261201/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=40c06b2d5fb7fac55df5c9131b1b5de179108097938c4f81faede6b5e5e272da",
      "host": "artifacts.s3.eu-west-1.amazonaws.com"
    },
    "body": ""
  }
] as const;

const BOTO: Credentials = { accessKeyId: "ASIAEXAMPLEKEY000001", secretAccessKey: "secretkeysecretkeysecretkeysecretkey0000", sessionToken: "tok/en+==", role: "r" };
const keys = (id: string) => (id === BOTO.accessKeyId ? BOTO : undefined);
const req = (c: (typeof BOTOCORE_SIGNED)[number]) => ({ method: c.method, path: c.path, query: c.query, headers: { ...c.headers } as Record<string, string>, body: Buffer.from(c.body) });
const when = (c: (typeof BOTOCORE_SIGNED)[number]) => parseAmzDate(c.headers["x-amz-date"]);
const scope = (c: (typeof BOTOCORE_SIGNED)[number]) => parseAuthorization(c.headers.authorization)!;

describe("SigV4", () => {
  test.each(BOTOCORE_SIGNED.map((c) => [scope(c).service, c] as const))("accepts botocore's signature (%s)", (_s, c) => {
    const r = checkSigV4(req(c), { region: scope(c).region, service: scope(c).service }, keys, when(c));
    expect(r).toMatchObject({ ok: true, accessKeyId: BOTO.accessKeyId, role: "r" });
  });

  test("refuses what AWS refuses: no signature, unknown key, changed body/header, wrong token, wrong scope, late", () => {
    const c = BOTOCORE_SIGNED[0];
    const exp = { region: "eu-west-1", service: "secretsmanager" };
    const unsigned = req(c);
    delete unsigned.headers.authorization;
    expect(checkSigV4(unsigned, exp, keys, when(c))).toMatchObject({ ok: false, status: 403, code: "MissingAuthenticationToken" });
    expect(checkSigV4(req(c), exp, () => undefined, when(c))).toMatchObject({ ok: false, code: "UnrecognizedClientException" });
    expect(checkSigV4({ ...req(c), body: Buffer.from('{"SecretId":"other"}') }, exp, keys, when(c))).toMatchObject({ ok: false, code: "SignatureDoesNotMatch" });
    const target = req(c);
    target.headers["x-amz-target"] = "secretsmanager.PutSecretValue";
    expect(checkSigV4(target, exp, keys, when(c))).toMatchObject({ ok: false, code: "SignatureDoesNotMatch" });
    const token = req(c);
    delete token.headers["x-amz-security-token"];
    expect(checkSigV4(token, exp, keys, when(c))).toMatchObject({ ok: false, code: "UnrecognizedClientException" });
    expect(checkSigV4(req(c), { region: "us-east-1", service: "secretsmanager" }, keys, when(c))).toMatchObject({ ok: false, code: "SignatureDoesNotMatch" });
    expect(checkSigV4(req(c), exp, keys, when(c) + 16 * 60 * 1000)).toMatchObject({ ok: false, code: "RequestExpired" });
    const basic = req(c);
    basic.headers.authorization = "Basic QVdTOng=";
    expect(checkSigV4(basic, exp, keys, when(c))).toMatchObject({ ok: false, code: "IncompleteSignature" });
  });

  test("sign() and checkSigV4() agree, for the credentials IMDS hands out", () => {
    const c = fakeCredentials("web-role");
    const k = keysForRoles(["web-role"]);
    const now = new Date("2026-12-01T12:00:00Z");
    const r = { method: "POST", path: "/", query: "", headers: { "content-type": "application/x-amz-json-1.1" }, body: Buffer.from("{}"), host: "secretsmanager.eu-west-1.amazonaws.com" };
    const headers = sign(r, k(c.AccessKeyId)!, "eu-west-1", "secretsmanager", now);
    expect(checkSigV4({ ...r, headers }, { region: "eu-west-1", service: "secretsmanager" }, k, now.getTime())).toMatchObject({ ok: true, role: "web-role" });
  });
});

describe("endpoints and the certificate's names", () => {
  test("hosts the scripts and the CLI call map to service, signing name and region", () => {
    expect(endpointOf("secretsmanager.eu-west-1.amazonaws.com")).toMatchObject({ service: "secretsmanager", signingName: "secretsmanager", region: "eu-west-1" });
    expect(endpointOf("monitoring.eu-west-1.amazonaws.com")).toMatchObject({ service: "cloudwatch", signingName: "monitoring" });
    expect(endpointOf("artifacts.s3.eu-west-1.amazonaws.com")).toMatchObject({ service: "s3", bucket: "artifacts", region: "eu-west-1" });
    expect(endpointOf("amazoncloudwatch-agent-eu-west-1.s3.eu-west-1.amazonaws.com")).toMatchObject({ service: "s3", bucket: "amazoncloudwatch-agent-eu-west-1" });
    expect(endpointOf("s3.eu-west-1.amazonaws.com")).toMatchObject({ service: "s3", bucket: undefined });
    expect(endpointOf("my.bucket.s3.amazonaws.com")).toMatchObject({ service: "s3", bucket: "my.bucket", region: "us-east-1" });
    expect(endpointOf("api.ecr.eu-west-1.amazonaws.com")).toMatchObject({ service: "ecr", signingName: "ecr" });
    expect(endpointOf("123456789012.dkr.ecr.eu-west-1.amazonaws.com:443")).toMatchObject({ service: "ecr-registry", registry: "123456789012" });
    expect(endpointOf("sts.amazonaws.com")).toMatchObject({ service: "sts", region: "us-east-1" });
    expect(endpointOf("route53.amazonaws.com")).toMatchObject({ service: "route53", region: "us-east-1" });
    expect(endpointOf("example.com")).toBeUndefined();
  });

  test("the server certificate covers every endpoint form (one label per wildcard)", () => {
    const names = endpointNames(["eu-west-1"]);
    const covered = (host: string) => names.some((n) => (n.startsWith("*.") ? host.endsWith(n.slice(1)) && !host.slice(0, -n.length + 1).includes(".") : host === n));
    for (const h of ["secretsmanager.eu-west-1.amazonaws.com", "monitoring.eu-west-1.amazonaws.com", "artifacts.s3.eu-west-1.amazonaws.com", "api.ecr.eu-west-1.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "sts.amazonaws.com", "route53.amazonaws.com", "ssm.eu-west-1.amazonaws.com"]) {
      expect([h, covered(h)]).toEqual([h, true]);
    }
  });
});

const SECRET_VALUE = "Kr-f1MA4ad3INupPN1a3O0KVNeAylPZS3txb6MNGmCUgmBAkX8bRcM5FjaIn1oXU";
const DB = JSON.stringify({ host: "staging-app.abc.eu-west-1.rds.amazonaws.com", port: 5432, dbname: "app", username: "app_admin", password: "pw", sslmode: "require", DATABASE_URL: "postgres://app_admin:pw@staging-app.abc.eu-west-1.rds.amazonaws.com:5432/app?sslmode=require" });
function state(): AwsState {
  return {
    accountId: "123456789012", regions: ["eu-west-1", "us-east-1"], publicBuckets: ["amazoncloudwatch-agent-eu-west-1"],
    secrets: [
      { name: "staging/app/SECRET_KEY", arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/app/SECRET_KEY-a1b2c3", secretString: SECRET_VALUE, versionId: "v1", resource: "app-secret" },
      { name: "staging/app/DATABASE", arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/app/DATABASE-d4e5f6", secretString: DB, versionId: "v2", resource: "app-db" },
      { name: "staging/other/SECRET_KEY", arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/other/SECRET_KEY-g7h8i9", secretString: "x", versionId: "v3", resource: "other" },
    ],
    roles: {
      "web-role": {
        inline: [{ name: "web", statements: [
          { Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/app/SECRET_KEY-a1b2c3", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/app/DATABASE-d4e5f6"] },
          { Sid: "PublishHostMetrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "WebappPlatform/Host" } } },
          { Sid: "FetchArtifact", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::artifacts/app/*" },
          { Sid: "ShipLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:/webapp-platform/staging/app/*:*" },
        ] }, { name: "launch-hook", statements: (launchHookPolicy("eu-west-1", "app", "staging") as { Statement: PolicyStatement[] }).Statement }],
        managed: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
      },
    },
    artifacts: [{ app: "app", bucket: "artifacts", key: "app/1.0.0.tar.gz", version: "1.0.0", kind: "python" }],
    groups: [
      { name: "app-asg-1a2b3c4", arn: `${GROUP_ARN_PREFIX}app-asg-1a2b3c4`, role: "web-role", tags: { app: "app", environment: "staging" }, launchHooks: ["bootstrap-done"] },
      { name: "other-asg-5d6e7f8", arn: `${GROUP_ARN_PREFIX}other-asg-5d6e7f8`, role: "other-role", tags: { app: "other", environment: "staging" }, launchHooks: ["bootstrap-done"] },
    ],
  };
}
const GROUP_ARN_PREFIX = "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:6d3b7a52-0000-4000-8000-000000000000:autoScalingGroupName/";
const NOW = new Date("2026-12-01T12:00:00Z");
const KEYS = keysForRoles(["web-role"]);
const CREDS = KEYS(fakeCredentials("web-role").AccessKeyId)!;
const OBJECTS: Record<string, Buffer> = { "artifacts/app/1.0.0.tar.gz": Buffer.from("0123456789"), "amazoncloudwatch-agent-eu-west-1/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb": Buffer.from("deb") };
function call(host: string, method: string, pathAndQuery: string, headers: Record<string, string>, body = "", signIt = true) {
  const [p, q = ""] = pathAndQuery.split("?");
  const ep = endpointOf(host)!;
  const base = { method, path: p, query: q, headers, body: Buffer.from(body), host };
  const h = signIt ? sign(base, CREDS, ep.region, ep.signingName, NOW) : { ...headers, host };
  return handleAws({ ...base, headers: h, source: "10.0.1.10" }, { state: state(), keys: KEYS, objects: (b, k) => OBJECTS[`${b}/${k}`], now: NOW.getTime() });
}
const getSecret = (id: string, signIt = true) => call("secretsmanager.eu-west-1.amazonaws.com", "POST", "/", { "x-amz-target": "secretsmanager.GetSecretValue", "content-type": "application/x-amz-json-1.1" }, JSON.stringify({ SecretId: id }), signIt);

describe("Auto Scaling (query)", () => {
  const form = (fields: Record<string, string>) => new URLSearchParams({ Version: "2011-01-01", ...fields }).toString();
  const autoscaling = (fields: Record<string, string>) => call("autoscaling.eu-west-1.amazonaws.com", "POST", "/", { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, form(fields));
  const complete = (instance: string, extra: Record<string, string> = {}) => autoscaling({
    Action: "CompleteLifecycleAction", AutoScalingGroupName: "app-asg-1a2b3c4", LifecycleHookName: "bootstrap-done", InstanceId: instance, LifecycleActionResult: "CONTINUE", ...extra,
  });

  test("DescribeAutoScalingInstances names the caller's group, its instance waiting on the hook", () => {
    const { response, call: c } = autoscaling({ Action: "DescribeAutoScalingInstances", "InstanceIds.member.1": "i-0aaa000000000001" });
    expect(response.status).toBe(200);
    const xml = response.body.toString();
    expect(xml).toContain("<AutoScalingGroupName>app-asg-1a2b3c4</AutoScalingGroupName>");
    expect(xml).toContain("<InstanceId>i-0aaa000000000001</InstanceId><AutoScalingGroupName>app-asg-1a2b3c4</AutoScalingGroupName>");
    expect(xml).toContain("<LifecycleState>Pending:Wait</LifecycleState>");
    expect(c).toMatchObject({ service: "autoscaling", action: "DescribeAutoScalingInstances", params: { InstanceIds: ["i-0aaa000000000001"] }, authz: "allowed by launch-hook/FindOwnGroup" });
  });

  test("CompleteLifecycleAction: the fleet's own policy allows its group's hook once; then the instance is in service", () => {
    const first = complete("i-0aaa000000000002");
    expect(first.response.status).toBe(200);
    expect(first.call).toMatchObject({ action: "CompleteLifecycleAction", authz: "allowed by launch-hook/CompleteOwnLaunchHook", params: { LifecycleActionResult: "CONTINUE", LifecycleHookName: "bootstrap-done" } });
    expect(complete("i-0aaa000000000002").response.status).toBe(400);
    const after = autoscaling({ Action: "DescribeAutoScalingInstances", "InstanceIds.member.1": "i-0aaa000000000002" });
    expect(after.response.body.toString()).toContain("<LifecycleState>InService</LifecycleState>");
  });

  test("another app's group is denied by the tag condition; an unknown hook or result is refused", () => {
    const other = complete("i-0aaa000000000003", { AutoScalingGroupName: "other-asg-5d6e7f8" });
    expect(other.response.status).toBe(403);
    expect(other.call.authz).toMatch(/no statement allows autoscaling:CompleteLifecycleAction on .*other-asg-5d6e7f8/);
    const hook = complete("i-0aaa000000000004", { LifecycleHookName: "ready" });
    expect([hook.response.status, hook.call.error]).toEqual([400, "ValidationError"]);
    const result = complete("i-0aaa000000000005", { LifecycleActionResult: "DONE" });
    expect([result.response.status, result.call.error]).toEqual([400, "ValidationError"]);
  });
});

describe("Secrets Manager (JSON 1.1)", () => {
  test("GetSecretValue by name, ARN or partial ARN answers the plan's value; the log has the id, never the value", () => {
    for (const id of ["staging/app/SECRET_KEY", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/app/SECRET_KEY-a1b2c3", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/app/SECRET_KEY"]) {
      const { response, call: c } = getSecret(id);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body.toString())).toMatchObject({ Name: "staging/app/SECRET_KEY", SecretString: SECRET_VALUE, VersionStages: ["AWSCURRENT"] });
      expect(c).toMatchObject({ service: "secretsmanager", action: "GetSecretValue", role: "web-role", params: { SecretId: id } });
      expect(JSON.stringify(c)).not.toContain(SECRET_VALUE);
    }
    expect(findSecret(state().secrets, "staging/app/SECRET")).toBeUndefined();
  });

  test("another app's secret is AccessDenied (the role's policy, as IAM evaluates it); an unknown one too; unsigned is refused", () => {
    const other = getSecret("staging/other/SECRET_KEY");
    expect(other.response.status).toBe(400);
    expect(other.call.error).toBe("AccessDeniedException");
    expect(getSecret("staging/app/NOPE").call.error).toBe("AccessDeniedException");
    const unsigned = getSecret("staging/app/SECRET_KEY", false);
    expect(unsigned.response.status).toBe(403);
    expect(unsigned.call.error).toMatch(/^MissingAuthenticationToken/);
    expect(unsigned.response.body.toString()).not.toContain(SECRET_VALUE);
  });

  test("an operation it does not stand in for is logged as unanswered", () => {
    const r = call("secretsmanager.eu-west-1.amazonaws.com", "POST", "/", { "x-amz-target": "secretsmanager.PutSecretValue", "content-type": "application/x-amz-json-1.1" }, "{}");
    expect(r.call).toMatchObject({ action: "PutSecretValue", unanswered: true, error: "UnknownOperationException" });
  });
});

describe("CloudWatch PutMetricData (query protocol)", () => {
  const FORM = "Action=PutMetricData&Version=2010-08-01&Namespace=WebappPlatform%2FHost&MetricData.member.1.MetricName=CertificateDaysToExpiry&MetricData.member.1.Dimensions.member.1.Name=App&MetricData.member.1.Dimensions.member.1.Value=app&MetricData.member.1.Value=6&MetricData.member.1.Unit=Count";
  test("the form is parsed into namespace, metric, dimensions, value and unit", () => {
    expect(parsePutMetricData(parseForm(FORM))).toEqual({ namespace: "WebappPlatform/Host", data: [{ MetricName: "CertificateDaysToExpiry", Dimensions: [{ Name: "App", Value: "app" }], Value: 6, Unit: "Count" }] });
  });
  test("the host namespace is allowed by the policy's condition; another namespace is AccessDenied", () => {
    const ok = call("monitoring.eu-west-1.amazonaws.com", "POST", "/", { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, FORM);
    expect(ok.response.status).toBe(200);
    expect(ok.response.body.toString()).toContain("<PutMetricDataResponse");
    expect(ok.call).toMatchObject({ service: "cloudwatch", action: "PutMetricData", params: { Namespace: "WebappPlatform/Host" }, authz: "allowed by web/PublishHostMetrics" });
    const other = call("monitoring.eu-west-1.amazonaws.com", "POST", "/", { "content-type": "application/x-www-form-urlencoded" }, FORM.replace("WebappPlatform%2FHost", "Other"));
    expect(other.response.status).toBe(403);
    expect(other.call.error).toBe("AccessDenied");
  });
});

describe("S3 (REST)", () => {
  test("HeadObject and GetObject (and a Range) of the artifact with the role; another key is AccessDenied, as S3 answers without s3:ListBucket", () => {
    const h = call("artifacts.s3.eu-west-1.amazonaws.com", "HEAD", "/app/1.0.0.tar.gz", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" });
    expect(h.response).toMatchObject({ status: 200, headers: { "content-length": "10" } });
    expect(h.response.body.length).toBe(0);
    const g = call("artifacts.s3.eu-west-1.amazonaws.com", "GET", "/app/1.0.0.tar.gz", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" });
    expect(g.response.body.toString()).toBe("0123456789");
    expect(g.call).toMatchObject({ action: "GetObject", params: { Bucket: "artifacts", Key: "app/1.0.0.tar.gz" }, authz: "allowed by web/FetchArtifact" });
    const r = call("artifacts.s3.eu-west-1.amazonaws.com", "GET", "/app/1.0.0.tar.gz", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", range: "bytes=2-4" });
    expect(r.response).toMatchObject({ status: 206, headers: { "content-range": "bytes 2-4/10" } });
    expect(r.response.body.toString()).toBe("234");
    const path = call("s3.eu-west-1.amazonaws.com", "GET", "/artifacts/app/1.0.0.tar.gz", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" });
    expect(path.response.status).toBe(200);
    expect(call("artifacts.s3.eu-west-1.amazonaws.com", "GET", "/other/1.tar.gz", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }).response.status).toBe(403);
    expect(call("artifacts.s3.eu-west-1.amazonaws.com", "GET", "/app/1.0.0.tar.gz", {}, "", false).response.status).toBe(403);
  });
  test("the public CloudWatch agent bucket answers an anonymous GET (curl), and 404 for a missing key", () => {
    const g = call("amazoncloudwatch-agent-eu-west-1.s3.eu-west-1.amazonaws.com", "GET", "/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb", {}, "", false);
    expect(g.response.status).toBe(200);
    expect(call("amazoncloudwatch-agent-eu-west-1.s3.eu-west-1.amazonaws.com", "GET", "/ubuntu/arm64/latest/x.deb", {}, "", false).response.status).toBe(404);
  });
});

describe("ECR", () => {
  test("GetAuthorizationToken needs the policy's EcrLogin; the registry takes AWS:<token> and has no images yet", () => {
    const denied = call("api.ecr.eu-west-1.amazonaws.com", "POST", "/", { "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", "content-type": "application/x-amz-json-1.1" }, "{}");
    expect(denied.call).toMatchObject({ action: "GetAuthorizationToken", error: "AccessDeniedException" });
    const reg = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    const challenge = call(reg, "GET", "/v2/", {}, "", false);
    expect(challenge.response).toMatchObject({ status: 401, headers: { "www-authenticate": expect.stringMatching(/^Basic realm=/) } });
    const basic = (pw: string) => ({ authorization: `Basic ${Buffer.from(`AWS:${pw}`).toString("base64")}` });
    expect(call(reg, "GET", "/v2/", basic("wrong"), "", false).response.status).toBe(401);
    expect(call(reg, "GET", "/v2/", basic(registryPassword("web-role")), "", false).response.status).toBe(200);
    const pull = call(reg, "GET", "/v2/app/web/manifests/sha256:" + "a".repeat(64), basic(registryPassword("web-role")), "", false);
    expect(pull.call).toMatchObject({ role: "web-role", unanswered: true, error: "MANIFEST_UNKNOWN" });
  });
});

describe("IAM evaluation", () => {
  test("exact ARNs, wildcards, conditions, managed policies, explicit deny", () => {
    const p = state().roles["web-role"];
    expect(authorize(p, { action: "ssm:UpdateInstanceInformation", resource: "*", context: {} })).toMatchObject({ allowed: true, by: "AmazonSSMManagedInstanceCore" });
    expect(authorize(p, { action: "cloudwatch:PutMetricData", resource: "*", context: {} })).toMatchObject({ allowed: false, unevaluated: ["StringEquals cloudwatch:namespace"] });
    expect(authorize({ inline: [{ name: "d", statements: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }, { Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" }] }], managed: [] }, { action: "s3:GetObject", resource: "arn:aws:s3:::x/k", context: {} })).toMatchObject({ allowed: false, reason: "explicitly denied by d" });
    expect(authorize(undefined, { action: "s3:GetObject", resource: "*", context: {} }).allowed).toBe(false);
  });
});

describe("plan hooks", () => {
  test("the artifact a document's deploy script fetches", () => {
    const userData = "readonly VERSION=\"${1:-1.0.3}\"\nreadonly URL_TEMPLATE='s3://artifacts/smartboostpro/@VERSION@.tar.gz'\n\"$RELEASE/venv/bin/pip\" install --quiet\n";
    expect(artifactOf({ app: "smartboostpro", userData })).toEqual({ app: "smartboostpro", bucket: "artifacts", key: "smartboostpro/1.0.3.tar.gz", version: "1.0.3", kind: "python", binaryName: undefined });
    expect(artifactOf({ app: "x", userData: "no deploy" })).toBeUndefined();
  });
  test("the connection secret is repointed at the stand-in database: host, port and DATABASE_URL only", () => {
    const s = state();
    expect(pointConnectionSecretsAt(s, (x) => x.name.endsWith("/DATABASE"), { host: "10.99.0.5", port: 15432 })).toBe(1);
    const v = JSON.parse(s.secrets[1].secretString!);
    expect(v).toMatchObject({ host: "10.99.0.5", port: 15432, password: "pw", username: "app_admin", dbname: "app", DATABASE_URL: "postgres://app_admin:pw@10.99.0.5:15432/app?sslmode=require" });
    expect(s.secrets[0].secretString).toBe(SECRET_VALUE);
  });
});

describe("DNS stand-in", () => {
  test("AWS names go to the API stand-in, instance names to their address, data stores and the rest are refused", () => {
    expect(dnsDecision("secretsmanager.eu-west-1.amazonaws.com").answer).toBe("198.51.100.10");
    expect(dnsDecision("ARTIFACTS.s3.eu-west-1.amazonaws.com.").answer).toBe("198.51.100.10");
    expect(dnsDecision("ip-10-20-0-10.eu-west-1.compute.internal").answer).toBe("10.20.0.10");
    expect(dnsDecision("db.abc.eu-west-1.rds.amazonaws.com").answer).toBeUndefined();
    expect(dnsDecision("db.abc.eu-west-1.rds.amazonaws.com", { "db.abc.eu-west-1.rds.amazonaws.com": "10.99.0.5" }).answer).toBe("10.99.0.5");
    expect(dnsDecision("pypi.org").answer).toBeUndefined();
    expect(dnsDecision("amazonaws.com.evil.example").answer).toBeUndefined();
  });
  test("an A answer carries the address; AAAA gets NOERROR with no records", () => {
    const q = (type: number) => {
      const name = Buffer.concat(["sts", "amazonaws", "com"].map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])));
      const head = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
      return Buffer.concat([head, name, Buffer.from([0, 0, type, 0, 1])]);
    };
    const a = q(1);
    const qa = dnsQuestion(a)!;
    const ans = dnsAnswer(a, qa.end, 1, "198.51.100.10");
    expect(ans.readUInt16BE(0)).toBe(0x1234);
    expect(ans[3] & 0x0f).toBe(0);
    expect(ans.readUInt16BE(6)).toBe(1);
    expect([...ans.subarray(ans.length - 4)]).toEqual([198, 51, 100, 10]);
    const aaaa = q(28);
    const nodata = dnsAnswer(aaaa, dnsQuestion(aaaa)!.end, 28, "198.51.100.10");
    expect(nodata.readUInt16BE(6)).toBe(0);
    expect(nodata.length).toBe(dnsQuestion(aaaa)!.end);
  });
});

describe("AWS probes of the table", () => {
  test("calls per API with refusals, secrets fetched, metrics sent; bootstrap done or where it stopped", () => {
    const calls = [
      { service: "secretsmanager", action: "GetSecretValue", status: 200, params: { SecretId: "staging/app/SECRET_KEY" } },
      { service: "secretsmanager", action: "GetSecretValue", status: 400, error: "AccessDeniedException", params: { SecretId: "staging/other/X" } },
      { service: "cloudwatch", action: "PutMetricData", status: 200, params: { Namespace: "WebappPlatform/Host", MetricData: [{ MetricName: "CertificateDaysToExpiry", Dimensions: [{ Name: "App", Value: "app" }] }] } },
      { service: "ssm", action: "AmazonSSM.UpdateInstanceInformation", status: 400, unanswered: true, error: "UnknownOperationException" },
    ];
    const rows = awsRows("h", calls);
    const by = (p: string) => rows.find((r) => r.probe === p)!.detail;
    expect(by("AWS calls")).toMatch(/^4 \(2 refused\): secretsmanager GetSecretValue x2 \[refused: 400 AccessDeniedException x1\]/);
    expect(by("AWS calls not stood in for")).toBe("ssm AmazonSSM.UpdateInstanceInformation");
    expect(by("secrets fetched")).toBe("staging/app/SECRET_KEY; refused: staging/other/X (AccessDeniedException)");
    expect(by("metrics sent")).toBe("WebappPlatform/Host CertificateDaysToExpiry {App=app}");
    expect(bootstrapProgress("app", "[app bootstrap] nginx site\n[app bootstrap] app 1.0\n")).toEqual({ done: false, lastStep: "app 1.0" });
    expect(bootstrapProgress("app", "[app bootstrap] done\n").done).toBe(true);
  });
});

describe("CloudWatch Logs (Docker's awslogs driver)", () => {
  const logs = (action: string, body: Record<string, unknown>) => call("logs.eu-west-1.amazonaws.com", "POST", "/", { "x-amz-target": `Logs_20140328.${action}`, "content-type": "application/x-amz-json-1.1" }, JSON.stringify(body));
  test("a stream in the role's own group is created once and takes events; another group is denied", () => {
    const group = "/webapp-platform/staging/app/containers";
    const stream = `s-${Date.now()}`;
    expect(logs("CreateLogStream", { logGroupName: group, logStreamName: stream }).response.status).toBe(200);
    expect(JSON.parse(logs("CreateLogStream", { logGroupName: group, logStreamName: stream }).response.body.toString()).__type).toBe("ResourceAlreadyExistsException");
    const put = logs("PutLogEvents", { logGroupName: group, logStreamName: stream, logEvents: [{ timestamp: 1, message: "x" }] });
    expect(put.response.status).toBe(200);
    expect(put.call).toMatchObject({ service: "logs", action: "PutLogEvents", params: { events: 1 } });
    const other = logs("CreateLogStream", { logGroupName: "/webapp-platform/staging/other/containers", logStreamName: stream });
    expect(JSON.parse(other.response.body.toString()).__type).toBe("AccessDeniedException");
    expect(logs("DeleteLogGroup", { logGroupName: group }).call.unanswered).toBe(true);
  });
});
