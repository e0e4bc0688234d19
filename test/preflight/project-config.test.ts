/**
 * The Pulumi CLI's config rules, offline: Pulumi.yaml's schema applied to a stack's config as
 * the CLI applies it, and provider keys checked as the providers check them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ENGINE_CONFIG_KEYS, PROVIDER_CONFIG_KEYS, checkProjectConfig, checkStackFileConfig } from "../../tools/preflight/project-config";
import { ROOT, loadStackFile } from "../harness";

const realProject = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));

/** A real stack file's config with one edit. */
function stackWith(stack: string, edit: (c: Record<string, any>) => void): Record<string, any> {
  const config = JSON.parse(JSON.stringify(loadStackFile(stack)));
  edit(config);
  return config;
}

/** A small project declaring one key of each type, for rules the real Pulumi.yaml doesn't exercise. */
const project = (config: Record<string, unknown>) => ({ name: "webapp-platform", runtime: "nodejs", config });
const typed = project({
  environment: { type: "string" },
  logRetentionDays: { type: "integer", default: 14 },
  verifyAfterDeploy: { type: "boolean", default: false },
  adminCidrs: { type: "array", items: { type: "string" }, default: [] },
  ports: { type: "array", items: { type: "integer" }, default: [] },
  apiToken: { type: "string", secret: true, default: "unset" },
});
const errorsOf = (config: Record<string, unknown>) => checkProjectConfig(typed, { "webapp-platform:environment": "staging", ...config }, "Pulumi.dev.yaml").errors;

describe("the real project", () => {
  it.each(["staging", "prod"])("Pulumi.%s.yaml passes with zero errors and zero warnings", (stack) => {
    expect(checkStackFileConfig(stack)).toEqual({ errors: [], warnings: [] });
  });

  it("Pulumi.yaml's own declarations are coherent (types, defaults, items)", () => {
    const { errors } = checkProjectConfig(realProject, loadStackFile("staging"), "Pulumi.staging.yaml");
    expect(errors.filter((e) => e.startsWith("Pulumi.yaml:"))).toEqual([]);
  });

  it("a declared key with no default is required in every stack (alertEmail)", () => {
    const { errors } = checkProjectConfig(realProject, stackWith("staging", (c) => { delete c["webapp-platform:alertEmail"]; }), "Pulumi.staging.yaml");
    expect(errors).toContain(
      "Pulumi.staging.yaml: webapp-platform:alertEmail: is required: Pulumi.yaml declares it (type string) with no default, so the Pulumi CLI refuses a stack without it; set it in Pulumi.staging.yaml or give it a default in Pulumi.yaml",
    );
  });

  it("a declared key with no default is required: environment, in prod", () => {
    const { errors } = checkProjectConfig(realProject, stackWith("prod", (c) => { delete c["webapp-platform:environment"]; }), "Pulumi.prod.yaml");
    expect(errors.filter((e) => e.includes("webapp-platform:environment"))).toEqual([
      "Pulumi.prod.yaml: webapp-platform:environment: is required: Pulumi.yaml declares it (type string) with no default, so the Pulumi CLI refuses a stack without it; set it in Pulumi.prod.yaml or give it a default in Pulumi.yaml",
    ]);
  });

  it("a value of the wrong type is an error naming the key, the file and the declared type", () => {
    const { errors } = checkProjectConfig(realProject, stackWith("staging", (c) => { c["webapp-platform:verifyAfterDeploy"] = "yes"; }), "Pulumi.staging.yaml");
    expect(errors).toContain('Pulumi.staging.yaml: webapp-platform:verifyAfterDeploy: "yes" is not a boolean (Pulumi.yaml declares type boolean: true or false)');
  });

  it("an unknown aws: key is an error: the default aws provider refuses it", () => {
    const { errors, warnings } = checkProjectConfig(realProject, stackWith("staging", (c) => { c["aws:regoin"] = "eu-west-1"; }), "Pulumi.staging.yaml");
    const mine = errors.filter((e) => e.includes("aws:regoin"));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/^Pulumi\.staging\.yaml: aws:regoin: the aws provider has no setting "regoin" \(did you mean aws:region\?\); its default provider fails the preview with "Invalid or unknown key"; settings it knows: accessKey, allowedAccountIds, /);
    expect(warnings).toEqual([]);
  });
});

describe("Pulumi.yaml's types, as the CLI checks them", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["boolean from YAML", { "webapp-platform:verifyAfterDeploy": true }, []],
    ["boolean as its text", { "webapp-platform:verifyAfterDeploy": "false" }, []],
    ["boolean spelt True (the CLI compares the text)", { "webapp-platform:verifyAfterDeploy": "True" },
      ['Pulumi.dev.yaml: webapp-platform:verifyAfterDeploy: "True" is not a boolean (Pulumi.yaml declares type boolean: true or false)']],
    ["integer from YAML", { "webapp-platform:logRetentionDays": 30 }, []],
    ["integer quoted (the CLI parses the text)", { "webapp-platform:logRetentionDays": "30" }, []],
    ["integer with a decimal point", { "webapp-platform:logRetentionDays": "30.0" },
      ['Pulumi.dev.yaml: webapp-platform:logRetentionDays: "30.0" is not an integer (Pulumi.yaml declares type integer: a whole number such as 14)']],
    ["integer in words", { "webapp-platform:logRetentionDays": "thirty" },
      ['Pulumi.dev.yaml: webapp-platform:logRetentionDays: "thirty" is not an integer (Pulumi.yaml declares type integer: a whole number such as 14)']],
    ["string from a YAML number (any scalar is text)", { "webapp-platform:environment": 5 }, []],
    ["string given a list", { "webapp-platform:environment": ["staging"] },
      ['Pulumi.dev.yaml: webapp-platform:environment: ["staging"] is not a string (Pulumi.yaml declares type string: a text value)']],
    ["list of strings", { "webapp-platform:adminCidrs": ["203.0.113.0/24"] }, []],
    ["list with a number item", { "webapp-platform:adminCidrs": ["203.0.113.0/24", 5] },
      ["Pulumi.dev.yaml: webapp-platform:adminCidrs[1]: 5 is not a string (Pulumi.yaml declares type array<string>: a text value)"]],
    ["list given a scalar", { "webapp-platform:adminCidrs": "203.0.113.0/24" },
      ['Pulumi.dev.yaml: webapp-platform:adminCidrs: "203.0.113.0/24" is not a list (Pulumi.yaml declares type array<string>: a YAML list of string items)']],
    ["list of integers, whole numbers and integer text", { "webapp-platform:ports": [80, "443"] }, []],
    ["list of integers with a fraction", { "webapp-platform:ports": [80, 8.5] },
      ["Pulumi.dev.yaml: webapp-platform:ports[1]: 8.5 is not an integer (Pulumi.yaml declares type array<integer>: a whole number such as 14)"]],
    ["a key without the project namespace is the project's", { verifyAfterDeploy: "maybe" },
      ['Pulumi.dev.yaml: webapp-platform:verifyAfterDeploy: "maybe" is not a boolean (Pulumi.yaml declares type boolean: true or false)']],
    ["a secret in plain text", { "webapp-platform:apiToken": "hunter2" },
      ["Pulumi.dev.yaml: webapp-platform:apiToken: must be encrypted: Pulumi.yaml declares it secret (set it with pulumi config set --secret apiToken)"]],
    ["a secret encrypted", { "webapp-platform:apiToken": { secure: "v1:abc" } }, []],
    ["a key set twice, with and without the namespace", { environment: "prod" },
      ['Pulumi.dev.yaml: webapp-platform:environment: is set twice (as "environment" and with its namespace); keep one']],
  ];
  it.each(cases)("%s", (_label, config, expected) => {
    expect(errorsOf(config)).toEqual(expected);
  });

  it("a project key the schema does not declare is not an error here (config/validate.ts checks those)", () => {
    expect(checkProjectConfig(typed, { "webapp-platform:environment": "staging", "webapp-platform:network": { cidr: "10.1.0.0/16" } })).toEqual({ errors: [], warnings: [] });
  });
});

describe("Pulumi.yaml's own declarations", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["a default that contradicts the type", { verifyAfterDeploy: { type: "boolean", default: "no" } },
      'Pulumi.yaml: webapp-platform:verifyAfterDeploy: default: "no" is not a boolean, but the declared type is boolean (true or false)'],
    ["a list default with a wrong item", { adminCidrs: { type: "array", items: { type: "string" }, default: ["10.0.0.0/8", 8] } },
      "Pulumi.yaml: webapp-platform:adminCidrs: default[1]: 8 is not a string, but the declared type is array<string> (a text value)"],
    ["an array without items", { adminCidrs: { type: "array", default: [] } },
      "Pulumi.yaml: webapp-platform:adminCidrs: declares an array but no items: add items: { type: string } (or integer, boolean, array)"],
    ["a type the CLI does not know", { logRetentionDays: { type: "number", default: 14 } },
      'Pulumi.yaml: webapp-platform:logRetentionDays: type: "number" is not a config type; allowed: string, integer, boolean, array'],
    ["both a default and a value", { environment: { type: "string", default: "staging", value: "prod" } },
      "Pulumi.yaml: webapp-platform:environment: cannot have both a default and a value"],
    ["a misspelt attribute", { environment: { type: "string", descripton: "x", default: "staging" } },
      "Pulumi.yaml: webapp-platform:environment: unknown attribute descripton; allowed: type, items, description, secret, default, value"],
    ["a provider key with a type", { "aws:region": { type: "string", value: "eu-west-1" } },
      "Pulumi.yaml: aws:region: is not in the project's namespace (webapp-platform:) and may not declare a type; give it a value"],
    ["a provider key with a default", { "aws:region": { default: "eu-west-1" } },
      "Pulumi.yaml: aws:region: is not in the project's namespace and may not have a default; use value instead"],
  ];
  it.each(cases)("%s", (_label, config, expected) => {
    expect(checkProjectConfig(project(config), { "aws:region": "eu-west-1", "webapp-platform:environment": "staging" }).errors).toEqual([expected]);
  });

  it("a declared key without a type or default is required too; a plain value is a default", () => {
    const p = project({ owner: { description: "who runs it" }, team: "platform" });
    expect(checkProjectConfig(p, {}, "Pulumi.dev.yaml").errors).toEqual([
      "Pulumi.dev.yaml: webapp-platform:owner: is required: Pulumi.yaml declares it with no default, so the Pulumi CLI refuses a stack without it; set it in Pulumi.dev.yaml or give it a default in Pulumi.yaml",
    ]);
  });

  it("a provider value set in Pulumi.yaml is checked like a stack key", () => {
    expect(checkProjectConfig(project({ "aws:regoin": { value: "eu-west-1" } }), {}).errors[0])
      .toMatch(/^Pulumi\.yaml: aws:regoin: the aws provider has no setting "regoin" \(did you mean aws:region\?\)/);
  });
});

describe("provider namespaces", () => {
  const check = (config: Record<string, unknown>) => checkProjectConfig(typed, { "webapp-platform:environment": "staging", ...config }, "Pulumi.dev.yaml");

  it("known aws, docker and engine keys pass, structured ones too", () => {
    expect(check({
      "aws:region": "eu-west-1", "aws:defaultTags": { tags: { team: "platform" } }, "aws:skipRequestingAccountId": true,
      "docker:host": "unix:///var/run/docker.sock", "pulumi:disable-default-providers": ["kubernetes"],
    })).toEqual({ errors: [], warnings: [] });
  });

  it("an unknown key of another bridged provider is an error (random takes no settings)", () => {
    expect(check({ "random:seed": "42" }).errors).toEqual([
      'Pulumi.dev.yaml: random:seed: the random provider has no setting "seed"; its default provider fails the preview with "Invalid or unknown key"; it takes no settings',
    ]);
  });

  it("keys nothing here can vouch for are warnings: a namespace no provider reads, pulumi:, command:", () => {
    const { errors, warnings } = check({ "webapp-platfrom:alertEmail": "x@example.com", "pulumi:disable-default-provider": ["aws"], "command:shell": "bash" });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      'Pulumi.dev.yaml: webapp-platfrom:alertEmail: no provider this program uses reads the "webapp-platfrom" namespace, so the key is ignored; did you mean webapp-platform:alertEmail? (known namespaces: webapp-platform, aws, docker, random, command, pulumi)',
      `Pulumi.dev.yaml: pulumi:disable-default-provider: the Pulumi engine reads only ${ENGINE_CONFIG_KEYS.map((k) => `pulumi:${k}`).join(", ")}; this key is ignored`,
      'Pulumi.dev.yaml: command:shell: the command provider has no setting "shell"; it takes no settings',
    ]);
  });

  /** The config keys a provider's SDK declares (empty when it declares none). */
  const sdkKeys = (pkg: string) => {
    const file = path.join(ROOT, "node_modules", "@pulumi", pkg, "config", "vars.d.ts");
    if (!fs.existsSync(file)) return [];
    return [...fs.readFileSync(file, "utf8").matchAll(/^export declare const (\w+)\b/gm)].map((m) => m[1]).sort();
  };
  it.each(Object.keys(PROVIDER_CONFIG_KEYS))("the %s key list equals the installed SDK's config/vars.d.ts", (pkg) => {
    expect(fs.existsSync(path.join(ROOT, "node_modules", "@pulumi", pkg, "package.json"))).toBe(true);
    expect([...PROVIDER_CONFIG_KEYS[pkg].keys].sort()).toEqual(sdkKeys(pkg));
  });
  it("the aws list is not empty (the SDK file was found)", () => {
    expect(sdkKeys("aws")).toContain("region");
  });
});

describe("checkStackFileConfig reads the files as the CLI does", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "project-config-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), [
    "name: webapp-platform", "runtime: nodejs", "config:",
    "  environment: { type: string }", "  logRetentionDays: { type: integer, default: 14 }", "  verifyAfterDeploy: { type: boolean, default: false }", "",
  ].join("\n"));
  const stackFile = (name: string, lines: string[]) => {
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), ["config:", ...lines.map((l) => `  ${l}`), ""].join("\n"));
    return path.join(dir, `Pulumi.${name}.yaml`);
  };

  // Reported in Pulumi.yaml's declaration order.
  it("takes top-level scalars as their YAML text: True and 14.0 are refused, \"14\" is accepted", () => {
    const file = stackFile("dev", ["webapp-platform:environment: dev", "webapp-platform:verifyAfterDeploy: True", "webapp-platform:logRetentionDays: 14.0"]);
    expect(checkStackFileConfig("dev", file, dir)).toEqual({
      errors: [
        'Pulumi.dev.yaml: webapp-platform:logRetentionDays: "14.0" is not an integer (Pulumi.yaml declares type integer: a whole number such as 14)',
        'Pulumi.dev.yaml: webapp-platform:verifyAfterDeploy: "True" is not a boolean (Pulumi.yaml declares type boolean: true or false)',
      ],
      warnings: [],
    });
    const ok = stackFile("ok", ["webapp-platform:environment: dev", "webapp-platform:verifyAfterDeploy: true", 'webapp-platform:logRetentionDays: "14"']);
    expect(checkStackFileConfig("ok", ok, dir)).toEqual({ errors: [], warnings: [] });
  });

  it("defaults to <root>/Pulumi.<stack>.yaml, and a missing stack file is an error", () => {
    stackFile("qa", ["webapp-platform:environment: qa"]);
    expect(checkStackFileConfig("qa", undefined, dir)).toEqual({ errors: [], warnings: [] });
    expect(checkStackFileConfig("nope", undefined, dir).errors).toEqual([`Pulumi.nope.yaml: not found (${path.join(dir, "Pulumi.nope.yaml")})`]);
  });
});
