import { gzipSync } from "zlib";
import { T } from "../../policies/lib/types";
import { TAGS, U, check, describePolicy, res } from "./helpers";

const PASSWORD_LINE = ["DB_PASSWORD", "=", "Tr0ub4dor-and-3"].join("");
const STRIPE = ["whsec", "Zk29d8Hq3LmN5pQ7rS9tV1wX"].join("_");
const b64 = (s: string) => Buffer.from(s).toString("base64");
const CLEAN = `#!/bin/bash
set -euo pipefail
export DATABASE_SECRET_ID=prod/shop/DATABASE
DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id "$DATABASE_SECRET_ID" --query SecretString --output text | jq -r .password)"
systemctl restart app
`;
const instance = (o: Record<string, any>) => res(T.instance, "web-host", { ami: "ami-1", instanceType: "t3.small", tags: TAGS, ...o });
const template = (o: Record<string, any>) => res(T.launchTemplate, "api-lt", { imageId: "ami-1", tags: TAGS, ...o });

describePolicy({
  policy: "user-data-no-secrets",
  violating: [
    { title: "a password in plain user data", resources: [instance({ userData: `#!/bin/bash\n${PASSWORD_LINE}\n` })], message: /literal value assigned to a secret-named setting \(line 2\)/ },
    { title: "a webhook secret in base64 launch template user data", resources: [template({ userData: b64(`#!/bin/bash\nexport STRIPE_WEBHOOK=${STRIPE}\n`) })], message: /Stripe webhook signing secret/ },
    { title: "a password in gzip-compressed base64 user data", resources: [instance({ userDataBase64: gzipSync(`#cloud-config\nruncmd:\n  - echo ${PASSWORD_LINE} >> /etc/app.env\n`).toString("base64") })], message: /line 3/ },
  ],
  compliant: [
    { title: "secrets fetched at boot by name", resources: [instance({ userData: CLEAN }), template({ userData: b64(CLEAN) })] },
    { title: "no user data", resources: [instance({})] },
  ],
  unknown: [{ title: "user data unknown (rendered from endpoints)", resources: [instance({ userData: U }), template({ userData: U })] }],
});

describe("user-data-no-secrets messages", () => {
  it("never repeat the secret", () => {
    const vs = check("user-data-no-secrets", [template({ userData: b64(`${PASSWORD_LINE}\nexport STRIPE_WEBHOOK=${STRIPE}\n`) })]);
    expect(vs).toHaveLength(1);
    expect(vs[0].message).not.toContain("Tr0ub4dor");
    expect(vs[0].message).not.toContain(STRIPE);
    expect(vs[0].message).toContain("api-lt");
  });
});

describePolicy({
  policy: "no-secrets-in-plain-config",
  violating: [
    { title: "a secret in a tag", resources: [res(T.bucket, "b", { tags: { ...TAGS, api_token: "zzzz-1234-abcd-9876" } })], message: /the tags contain/ },
    { title: "a password in a plain SSM parameter", resources: [res(T.ssmParameter, "db-pw", { name: "/shop/prod/DB_PASSWORD", type: "String", value: "Tr0ub4dor-and-3", tags: TAGS })], message: /plain String parameter holds a literal value/ },
    { title: "a secret in a remote command's environment", resources: [res(T.remoteCommand, "migrate", { create: "python manage.py migrate", environment: { DJANGO_SECRET_KEY: "abcdef0123456789abcdef" } })], message: /environment/ },
    { title: "a key in a local command script", resources: [res(T.localCommand, "deploy", { create: `curl -H "Authorization: Bearer abcdefghijklmnop1234" https://api.example.com` })], message: /create script/ },
  ],
  compliant: [
    { title: "ordinary tags and a SecureString", resources: [res(T.bucket, "b", { tags: TAGS }), res(T.ssmParameter, "db-pw", { name: "/shop/prod/DB_PASSWORD", type: "SecureString", value: "Tr0ub4dor-and-3" })] },
    { title: "a plain parameter holding a hostname", resources: [res(T.ssmParameter, "db-host", { name: "/shop/prod/DB_HOST", type: "String", value: "db.internal" })] },
    { title: "a command reading the secret itself", resources: [res(T.remoteCommand, "migrate", { create: CLEAN, environment: { SECRET_ID: "prod/shop/DATABASE" } })] },
  ],
  unknown: [
    { title: "values unknown", resources: [res(T.ssmParameter, "db-pw", { name: "/shop/prod/DB_PASSWORD", type: "String", value: U }), res(T.remoteCommand, "migrate", { create: U, environment: U })] },
    { title: "parameter type unknown", resources: [res(T.ssmParameter, "db-pw", { name: "/x/DB_PASSWORD", type: U, value: "Tr0ub4dor-and-3" })] },
  ],
});

describePolicy({
  policy: "kms-key-rotation",
  violating: [{ title: "rotation off", resources: [res(T.kmsKey, "stack-key", { description: "k", enableKeyRotation: false, tags: TAGS })], message: /rotation is off/ }, { title: "rotation unset", resources: [res(T.kmsKey, "stack-key", { description: "k" })] }],
  compliant: [
    { title: "rotation on", resources: [res(T.kmsKey, "stack-key", { enableKeyRotation: true })] },
    { title: "an asymmetric signing key (cannot rotate)", resources: [res(T.kmsKey, "signing", { keyUsage: "SIGN_VERIFY", customerMasterKeySpec: "RSA_2048" })] },
  ],
  unknown: [{ title: "rotation unknown", resources: [res(T.kmsKey, "stack-key", { enableKeyRotation: U })] }],
});

const configuredKey = (o: Record<string, any> = {}) => res(T.kmsKey, "stack-key", {
  description: "webapp-platform prod: data, secrets, logs", enableKeyRotation: true, policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }), tags: TAGS, ...o,
});

describePolicy({
  policy: "kms-key-configured",
  violating: [
    { title: "the lockout safety check bypassed", resources: [configuredKey({ bypassPolicyLockoutSafetyCheck: true })], message: /lockout safety check/ },
    { title: "a disabled key", resources: [configuredKey({ isEnabled: false })], message: /disabled/ },
    { title: "no description", resources: [configuredKey({ description: undefined })], message: /no description/ },
    { title: "KMS's default policy", resources: [configuredKey({ policy: undefined })], message: /no policy of its own/ },
  ],
  compliant: [{ title: "described, with its own policy", resources: [configuredKey()] }, { title: "explicitly enabled", resources: [configuredKey({ isEnabled: true, bypassPolicyLockoutSafetyCheck: false })] }],
  unknown: [{ title: "policy and description unknown", resources: [configuredKey({ policy: U, description: U })] }],
});

const key = res(T.kmsKey, "stack-key", { enableKeyRotation: true }, { id: "1234abcd-key", outputs: { arn: "arn:aws:kms:eu-west-1:1:key/1234abcd-key", keyId: "1234abcd-key" } });
const alias = res(T.kmsAlias, "stack-alias", { name: "alias/webapp-platform/prod", targetKeyId: "1234abcd-key" }, { outputs: { arn: "arn:aws:kms:eu-west-1:1:alias/webapp-platform/prod" } });
const secret = (kmsKeyId: any, deps: any[] = []) => res(T.secret, "shop-django", { name: "prod/shop/DJANGO_SECRET_KEY", kmsKeyId, tags: TAGS }, { deps });

describePolicy({
  policy: "secrets-use-stack-key",
  violating: [
    { title: "the AWS managed key", resources: [key, secret(undefined)], message: /aws\/secretsmanager/ },
    { title: "a key of another stack", resources: [key, secret("arn:aws:kms:eu-west-1:1:key/other")], message: /not a key of this stack/ },
  ],
  compliant: [
    { title: "the stack key's ARN", resources: [key, secret("arn:aws:kms:eu-west-1:1:key/1234abcd-key", [key])] },
    { title: "the stack key's alias", resources: [key, alias, secret("alias/webapp-platform/prod")] },
  ],
  unknown: [{ title: "the key ARN unknown (key created in the same preview)", resources: [key, secret(U, [key])] }],
});

const password = res("random:index/randomPassword:RandomPassword", "shop-pw", { length: 40 });
const version = (value: any, deps: any[] = [], ignoreChanges: string[] = []) => res(T.secretVersion, "shop-django", { secretId: "s", secretString: value }, { deps, ignoreChanges });

describePolicy({
  policy: "secrets-generated",
  violating: [
    { title: "a typed secret value", resources: [version("django-insecure-abcdef0123456789")], message: /typed into the program/ },
    { title: "a typed database password", resources: [res(T.rdsInstance, "shop-db", { engine: "postgres", password: "Tr0ub4dor-and-3" })], message: /master password/ },
    { title: "a typed AUTH token", resources: [res(T.replicationGroup, "shop-redis", { description: "x", authToken: "typed-token-0123456789" })], message: /AUTH token/ },
  ],
  compliant: [
    { title: "values derived from random passwords", resources: [password, version("generated", [password]), res(T.rdsInstance, "shop-db", { engine: "postgres", password: "generated" }, { deps: [password] })] },
    { title: "an operator-owned placeholder with ignoreChanges", resources: [version("SET-ME: put the real STRIPE_SECRET_KEY here", [], ["secretString", "versionStages"])] },
    { title: "a bare placeholder", resources: [version("CHANGE_ME")] },
    { title: "an RDS-managed master password", resources: [res(T.rdsInstance, "shop-db", { engine: "postgres", manageMasterUserPassword: true })] },
  ],
  unknown: [{ title: "the value unknown", resources: [version(U), res(T.rdsInstance, "shop-db", { engine: "postgres", password: U })] }],
});

// --- secrets-rotated: a database's connection secret rotated by a function that also writes the operators' copy.
const rotDb = res(T.rdsInstance, "shop-db", { identifier: "prod-shop", engine: "postgres", password: "generated" }, { deps: [password], outputs: { arn: "arn:aws:rds:eu-west-1:1:db:prod-shop", identifier: "prod-shop" } });
const CONN_ARN = "arn:aws:secretsmanager:eu-west-1:1:secret:prod/shop/DATABASE-AbCdEf";
const MASTER_ARN = "arn:aws:secretsmanager:eu-west-1:1:secret:prod/shop/postgres/master-AbCdEf";
const conn = res(T.secret, "shop-db-connection", { name: "prod/shop/DATABASE" }, { outputs: { arn: CONN_ARN, id: CONN_ARN } });
const master = res(T.secret, "shop-db-master", { name: "prod/shop/postgres/master" }, { outputs: { arn: MASTER_ARN, id: MASTER_ARN } });
const connVersion = (secretId: any = CONN_ARN) => res(T.secretVersion, "shop-db-connection", { secretId, secretString: "generated" }, { deps: [password, rotDb], ignoreChanges: ["secretString", "versionStages"] });
const masterVersion = res(T.secretVersion, "shop-db-master", { secretId: MASTER_ARN, secretString: "generated" }, { deps: [password, rotDb], ignoreChanges: ["secretString", "versionStages"] });
const FN_ARN = "arn:aws:lambda:eu-west-1:1:function:prod-shop-rotation";
const rotationFn = (env: any = { DB_INSTANCE_ID: "prod-shop", MASTER_SECRET_ARN: MASTER_ARN }) => res(T.lambdaFunction, "shop-db-password-rotation", { name: "prod-shop-rotation", environment: { variables: env } }, { outputs: { arn: FN_ARN } });
const rotation = (secretId: any = CONN_ARN, deps: any[] = []) => res(T.secretRotation, "shop-db-password-rotation", { secretId, rotationLambdaArn: FN_ARN, rotationRules: { scheduleExpression: "cron(0 4 1 * ? *)" } }, { deps });
const djangoKey = res(T.secret, "shop-django", { name: "prod/shop/DJANGO_SECRET_KEY" }, { outputs: { arn: "arn:aws:secretsmanager:eu-west-1:1:secret:prod/shop/DJANGO_SECRET_KEY-AbCdEf" } });
const djangoVersion = res(T.secretVersion, "shop-django", { secretId: "arn:aws:secretsmanager:eu-west-1:1:secret:prod/shop/DJANGO_SECRET_KEY-AbCdEf", secretString: "generated" }, { deps: [password] });
const rotatedStack = [password, rotDb, conn, master, connVersion(), masterVersion, rotationFn(), rotation()];
describePolicy({
  policy: "secrets-rotated",
  violating: [
    { title: "a generated key that never rotates", resources: [password, djangoKey, djangoVersion], message: /shop-django.*never rotates/s },
    { title: "a database whose secrets have no rotation", resources: [password, rotDb, conn, master, connVersion(), masterVersion], message: /master password never rotates/ },
    { title: "the operators' copy not written by the rotation function", resources: [password, rotDb, conn, master, connVersion(), masterVersion, rotationFn({ DB_INSTANCE_ID: "prod-shop" }), rotation()], message: /shop-db-master/ },
    { title: "a generated Redis AUTH token", resources: [password, res(T.replicationGroup, "shop-redis", { description: "x", authToken: "generated" }, { deps: [password] })], message: /AUTH token never rotates/ },
  ],
  compliant: [
    { title: "a rotated connection secret, its function writing the master copy", resources: rotatedStack },
    { title: "an RDS-managed master password", resources: [res(T.rdsInstance, "shop-db", { engine: "postgres", manageMasterUserPassword: true })] },
    { title: "an operator's placeholder (not generated)", resources: [djangoKey, res(T.secretVersion, "shop-django", { secretId: djangoKey.outputs.arn, secretString: "SET-ME" }, { ignoreChanges: ["secretString"] })] },
    { title: "a read replica (its source's credentials)", resources: [res(T.rdsInstance, "shop-replica", { replicateSourceDb: "arn:aws:rds:eu-west-1:1:db:prod-shop" })] },
  ],
  unknown: [
    { title: "the rotation's secret unknown (first preview), depending on it", resources: [password, rotDb, conn, master, connVersion(U), masterVersion, rotationFn(), rotation(U, [conn])] },
    { title: "the function's environment unknown", resources: [password, rotDb, conn, master, connVersion(), masterVersion, rotationFn(U), rotation()] },
  ],
});

const describedSecret = (o: Record<string, any> = {}) => res(T.secret, "shop-DATABASE", { name: "prod/shop/DATABASE", kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1", tags: TAGS, ...o });
describePolicy({
  policy: "secrets-described",
  violating: [
    { title: "no description", resources: [describedSecret()], message: /no description/ },
    { title: "a blank description", resources: [describedSecret({ description: "  " })], message: /no description/ },
  ],
  compliant: [{ title: "says what it is", resources: [describedSecret({ description: "PostgreSQL connection for shop (host, port, dbname, user, password)" })] }],
  unknown: [{ title: "the description not known yet", resources: [describedSecret({ description: U })] }],
});
