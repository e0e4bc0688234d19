import { gzipSync } from "zlib";
import { decodeUserData, describeFindings, scanText, scanUserData } from "../../policies/lib/secret-scan";

// Realistic-looking but fake values, assembled so this file itself holds no token literal.
const STRIPE = ["sk", "live", "51HxQ2pLk9aZ7bVn3CdE8fGh"].join("_");
const AKID = "AKIA" + "IOSFODNN7EXAMPLE";
const PEM = ["-----BEGIN", "RSA PRIVATE KEY-----"].join(" ");
const b64 = (s: string) => Buffer.from(s).toString("base64");
const kinds = (text: string) => scanText(text).map((f) => f.kind);

describe("secret scanner", () => {
  it.each([
    ["a private key", `${PEM}\nMIIEow...\n-----END RSA PRIVATE KEY-----`],
    ["an AWS access key id", `export AWS_ACCESS_KEY_ID=${AKID}`],
    ["a Stripe secret key", `stripe.api_key = os.environ.get("X", "${STRIPE}")`],
    ["a password inside a connection URL", "DATABASE_URL=postgres://app:s3cretPw9@db.internal:5432/app"],
    ["a literal value assigned to a secret-named setting", "DB_PASSWORD=Tr0ub4dor&3x"],
    ["a literal value assigned to a secret-named setting", '  "jwt_secret": "k3y-th4t-should-n0t-be-here"'],
    ["a literal value assigned to a secret-named setting", "Environment=DJANGO_SECRET_KEY=abcdef1234567890qwerty"],
    ["a literal secret passed as a command-line option", "mysql --password=Hunter2Hunter2 -h db"],
    ["credentials in an Authorization header", 'curl -H "Authorization: Bearer abcdefghijklmnop1234" https://x'],
  ])("finds %s", (kind, text) => expect(kinds(text)).toContain(kind));

  it.each([
    "SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/shop/DJANGO_SECRET_KEY-abc",
    'DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id prod/shop/DATABASE --query SecretString --output text | jq -r .password)"',
    "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app",
    "REDIS_URL=rediss://:$REDIS_AUTH@cache:6379/0",
    "password: {{ db_password }}",
    "lock_passwd: true",
    "ssh_pwauth: false",
    "chpasswd: { expire: false }",
    "SECRET_KEY_FILE=/run/secrets/django",
    "secret_id: prod/shop/django-secret-key",
    "STRIPE_SECRET_KEY=SET-ME",
    "docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    `"$AWS" ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin '1.dkr.ecr.eu-west-1.amazonaws.com'`,
    "psql --password --host db",
    "proxy_pass http://127.0.0.1:8000;",
    "token_endpoint: https://example.com/oauth/token",
    "export AWS_REGION=eu-west-1",
    "PASSWORD_MIN_LENGTH: 12",
    "api_key: PLACEHOLDER",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmI0k1Y2lYxN3eR1xq2pJ0t9mWqYvV8l4s5a6b7c8d9 ops@example",
  ])("leaves alone: %s", (text) => expect(kinds(text)).toEqual([]));

  it("decodes base64 user data and gunzips it when compressed", () => {
    const script = `#!/bin/bash\necho hi\nexport DB_PASSWORD=Tr0ub4dor-and-3\n`;
    expect(decodeUserData(b64(script))).toBe(script);
    expect(decodeUserData(gzipSync(script).toString("base64"))).toBe(script);
    expect(scanUserData(gzipSync(script).toString("base64"))).toEqual([{ kind: "a literal value assigned to a secret-named setting", line: 3 }]);
    expect(decodeUserData("#!/bin/bash\necho plain")).toBe("#!/bin/bash\necho plain");
  });

  it("looks inside base64 blocks of cloud-init files and MIME parts, gzip included", () => {
    const inner = `[Service]\nEnvironment=STRIPE_KEY=${STRIPE}\n`;
    const cloudInit = `#cloud-config\nwrite_files:\n  - path: /etc/app.env\n    encoding: gz+b64\n    content: ${gzipSync(inner).toString("base64")}\n`;
    const found = scanUserData(b64(cloudInit));
    expect(found.map((f) => f.kind)).toContain("a Stripe secret key");
    expect(found.every((f) => f.encoded && f.line === 5)).toBe(true);
    const mime = `Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Transfer-Encoding: base64\n\n${b64(`#!/bin/sh\n${PEM}\n`).replace(/(.{76})/g, "$1\n")}\n--b--\n`;
    expect(scanText(mime).map((f) => f.kind)).toContain("a private key");
  });

  it("describes findings by kind and line, never by value", () => {
    const text = `DB_PASSWORD=Tr0ub4dor-and-3\nX=1\nexport AWS_ACCESS_KEY_ID=${AKID}\nAPI_TOKEN=zzzzzzzz-1234-abcd\n`;
    const d = describeFindings(scanText(text));
    expect(d).toBe("a literal value assigned to a secret-named setting (lines 1; 4), an AWS access key id (line 3)");
    expect(d).not.toContain("Tr0ub4dor");
    expect(d).not.toContain(AKID);
  });

  it("ignores binary base64 (certificates, keys' public halves)", () => {
    const binary = Buffer.from(Array.from({ length: 96 }, (_, i) => (i * 37) % 256)).toString("base64");
    expect(scanText(`ca_cert: ${binary}`)).toEqual([]);
  });
});
