/**
 * The config rules the Pulumi CLI and the providers apply before the program runs, applied
 * offline: Pulumi.yaml's `config:` block against a stack's config, and provider-namespace keys
 * against what the providers know. `pulumi up` stops on any of the errors; warnings are what
 * the run would print or silently ignore.
 *
 * The CLI's behaviour, as documented and as implemented (pulumi/pulumi
 * sdk/go/common/workspace/config.go mergeConfig / validateStackConfigValue and project.go
 * ValidateConfigValue / Project.Validate; docs: https://www.pulumi.com/docs/iac/concepts/projects/project-file/#config-options):
 *  - A key declared without a namespace belongs to the project (`webapp-platform:<key>`); so
 *    does a stack-file key without one.
 *  - A project key declared with neither `default` nor `value` is required in every stack:
 *    "Stack 'x' is missing configuration value '<key>'", whatever its type.
 *  - A declared `type` (string, integer, boolean, array with `items`) is checked against the
 *    stack's value. A top-level scalar reaches the CLI as its YAML text: "string" accepts any
 *    scalar, "integer" text that parses as a whole number (strconv.Atoi), "boolean" exactly
 *    `true` or `false`. Lists are typed values: items "integer" accept whole numbers (or
 *    integer text), "boolean" true/false (or that text), "string" only strings.
 *  - `secret: true` needs an encrypted (`secure:`) stack value.
 *  - Pulumi.yaml itself: `default` must match `type`; an array needs `items`; `default` and
 *    `value` exclude each other; a key of another namespace (aws:region) takes only `value`.
 *  - Decided here, as the CLI does: a project key the schema does not declare is NOT an error
 *    (the structured keys network, apps and tags are declared nowhere in Pulumi.yaml). Every
 *    project key is still checked: config/validate.ts rejects unknown ones, naming the key,
 *    with a "did you mean".
 *
 * Provider namespaces: the program uses the aws, random and docker default providers, which
 * are Terraform-bridged; the bridge's CheckConfig fails the default provider on a key it does
 * not know ("could not validate provider configuration: Invalid or unknown key. Check
 * `pulumi config get aws:foo`", pulumi/pulumi-terraform-bridge provider.go, and intended per
 * pulumi/pulumi-aws#3360), so those are errors. Keys of other namespaces nothing here can
 * vouch for (command:, pulumi:, a namespace no provider reads) are warnings.
 *
 * Pure apart from checkStackFileConfig, which reads the two files.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { nearest } from "../../config/validate";

export interface ConfigCheck {
  errors: string[];
  warnings: string[];
}

/** The repository root (Pulumi.yaml and the stack files). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Types a Pulumi.yaml config declaration may give (the project schema's simpleConfigType). */
const CONFIG_TYPES = ["string", "integer", "boolean", "array"] as const;
/** Attributes of a structured declaration (configTypeDeclaration, plus `value`). */
const DECLARATION_ATTRIBUTES = ["type", "items", "description", "secret", "default", "value"];

/**
 * Config keys of the providers the program installs, as their SDKs declare them in
 * node_modules/@pulumi/<provider>/config/vars.d.ts (a test keeps these lists equal to it).
 * `bridged`: a Terraform-bridged provider, whose default provider fails on an unknown key.
 */
export const PROVIDER_CONFIG_KEYS: Record<string, { keys: readonly string[]; bridged: boolean }> = {
  aws: {
    bridged: true,
    keys: [
      "accessKey", "allowedAccountIds", "assumeRoleWithWebIdentity", "assumeRoles", "customCaBundle", "defaultTags",
      "ec2MetadataServiceEndpoint", "ec2MetadataServiceEndpointMode", "endpoints", "forbiddenAccountIds", "httpProxy",
      "httpsProxy", "ignoreTags", "insecure", "maxRetries", "noProxy", "profile", "region", "retryMode",
      "s3UsEast1RegionalEndpoint", "s3UsePathStyle", "secretKey", "sharedConfigFiles", "sharedCredentialsFiles",
      "skipCredentialsValidation", "skipMetadataApiCheck", "skipRegionValidation", "skipRequestingAccountId", "stsRegion",
      "tagPolicyCompliance", "token", "tokenBucketRateLimiterCapacity", "useDualstackEndpoint", "useFipsEndpoint", "userAgents",
    ],
  },
  docker: {
    bridged: true,
    keys: ["caMaterial", "certMaterial", "certPath", "context", "disableDockerDaemonCheck", "host", "keyMaterial", "registryAuth", "sshOpts"],
  },
  random: { bridged: true, keys: [] },
  command: { bridged: false, keys: [] },
};

/** Keys of the `pulumi:` namespace the engine itself reads. */
export const ENGINE_CONFIG_KEYS = ["autonaming", "disable-default-providers", "tags"];

type Declared = {
  /** The key as written in Pulumi.yaml. */
  written: string;
  /** Full key, `<namespace>:<name>`. */
  key: string;
  project: boolean;
  type?: string;
  items?: ItemsType;
  secret: boolean;
  hasDefault: boolean;
  default?: unknown;
  hasValue: boolean;
  value?: unknown;
};
type ItemsType = { type: string; items?: ItemsType };

/**
 * Applies Pulumi.yaml's config schema to a stack's config as the CLI does, and checks provider
 * keys. `stackConfig` is the stack file's `config:` map; a top-level scalar may be its YAML
 * text (as the CLI sees it, see checkStackFileConfig) or the parsed value. `stackFile` names
 * the stack file in messages.
 */
export function checkProjectConfig(projectYaml: unknown, stackConfig: Record<string, unknown>, stackFile = "stack config"): ConfigCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const inProject = (key: string, message: string) => errors.push(`Pulumi.yaml: ${key}: ${message}`);
  const inStack = (key: string, message: string) => errors.push(`${stackFile}: ${key}: ${message}`);

  if (!isMap(projectYaml)) return { errors: ["Pulumi.yaml: is not a YAML map with name, runtime and config"], warnings };
  const project = typeof projectYaml.name === "string" && projectYaml.name ? projectYaml.name : "";
  if (!project) return { errors: ["Pulumi.yaml: name: is required (the project name, the namespace of its config keys)"], warnings };

  const declared = readDeclarations(project, projectYaml.config, inProject);

  // The stack's keys, namespaced as the CLI reads them.
  const stack = new Map<string, unknown>();
  for (const [written, value] of Object.entries(stackConfig ?? {})) {
    const key = written.includes(":") ? written : `${project}:${written}`;
    if (stack.has(key)) inStack(key, `is set twice (as "${written}" and with its namespace); keep one`);
    stack.set(key, value);
  }

  for (const d of declared) {
    const found = stack.has(d.key);
    if (!found) {
      if (d.project && !d.hasDefault && !d.hasValue) {
        inStack(d.key, `is required: Pulumi.yaml declares it${d.type ? ` (type ${typeName(d)})` : ""} with no default, so the Pulumi CLI refuses a stack without it; set it in ${stackFile} or give it a default in Pulumi.yaml`);
      }
      continue;
    }
    if (!d.project || d.type === undefined) continue;
    const value = stack.get(d.key);
    if (isSecure(value)) continue; // encrypted: its type is checked when it is decrypted
    if (d.secret) {
      inStack(d.key, `must be encrypted: Pulumi.yaml declares it secret (set it with pulumi config set --secret ${d.written})`);
      continue;
    }
    const problem = typeProblem(d.type, d.items, topLevel(value), d.key);
    if (problem) inStack(problem.at, `${problem.message} (Pulumi.yaml declares type ${typeName(d)}: ${problem.allowed})`);
  }

  // Provider namespaces: the stack's keys and the values Pulumi.yaml sets for them.
  const providerKeys = new Map<string, string>();
  for (const key of stack.keys()) providerKeys.set(key, stackFile);
  for (const d of declared) if (!d.project && d.hasValue && !providerKeys.has(d.key)) providerKeys.set(d.key, "Pulumi.yaml");
  for (const [key, file] of providerKeys) {
    const [namespace, name] = splitKey(key);
    if (namespace === project) continue;
    const problem = providerKeyProblem(namespace, name, project);
    if (problem) (problem.error ? errors : warnings).push(`${file}: ${key}: ${problem.message}`);
  }

  return { errors, warnings };
}

/**
 * Reads Pulumi.yaml (under `root`) and a stack file (default `<root>/Pulumi.<stack>.yaml`)
 * and checks them with checkProjectConfig. Top-level scalars are taken as their YAML text,
 * which is what the CLI validates.
 */
export function checkStackFileConfig(stack: string, stackFile?: string, root: string = REPO_ROOT): ConfigCheck {
  const projectPath = path.join(root, "Pulumi.yaml");
  const project = readYaml(projectPath);
  if ("error" in project) return { errors: [project.error], warnings: [] };
  const configDir = isMap(project.doc) && typeof project.doc.stackConfigDir === "string" ? path.join(root, project.doc.stackConfigDir) : root;
  const file = path.resolve(stackFile ?? path.join(configDir, `Pulumi.${stack}.yaml`));
  const label = path.basename(file);
  const stackDoc = readYaml(file);
  if ("error" in stackDoc) return { errors: [stackDoc.error], warnings: [] };
  const doc = stackDoc.doc ?? {};
  if (!isMap(doc)) return { errors: [`${label}: is not a YAML map with a config: block`], warnings: [] };
  if (doc.config !== undefined && doc.config !== null && !isMap(doc.config)) return { errors: [`${label}: config: must be a map of keys to values`], warnings: [] };

  // The same document with every scalar as its text, for the top-level values.
  const text = parseYaml(fs.readFileSync(file, "utf8"), { schema: "failsafe" }) as Record<string, unknown> | null;
  const textConfig = isMap(text) && isMap(text.config) ? text.config : {};
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
    config[key] = value === null || isMap(value) || Array.isArray(value) ? value : (textConfig[key] ?? value);
  }
  const result = checkProjectConfig(project.doc, config, label);
  if (doc.environment !== undefined) {
    result.warnings.push(`${label}: environment: Pulumi ESC environments are not resolved offline; the values they add are not checked`);
  }
  return result;
}

// ---- Pulumi.yaml declarations ---------------------------------------------------------------

function readDeclarations(project: string, config: unknown, fail: (key: string, message: string) => void): Declared[] {
  // A string `config:` is the deprecated form of stackConfigDir; null means none.
  if (config === undefined || config === null || typeof config === "string") return [];
  if (!isMap(config)) {
    fail("config", "must be a map of config keys to values or declarations");
    return [];
  }
  const out: Declared[] = [];
  for (const [written, raw] of Object.entries(config)) {
    const projectKey = !written.includes(":") || written.startsWith(`${project}:`);
    const key = written.includes(":") ? written : `${project}:${written}`;
    const d: Declared = { written, key, project: projectKey, secret: false, hasDefault: false, hasValue: false };
    out.push(d);
    if (!isMap(raw)) {
      // A plain value: the project's default for a project key, the value for another namespace's.
      if (projectKey) Object.assign(d, { hasDefault: raw !== null, default: raw });
      else Object.assign(d, { hasValue: raw !== null, value: raw });
      continue;
    }
    const unknown = Object.keys(raw).filter((a) => !DECLARATION_ATTRIBUTES.includes(a));
    if (unknown.length > 0) fail(key, `unknown attribute${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; allowed: ${DECLARATION_ATTRIBUTES.join(", ")}`);
    d.hasDefault = raw.default !== undefined && raw.default !== null;
    d.default = raw.default;
    d.hasValue = raw.value !== undefined && raw.value !== null;
    d.value = raw.value;
    d.secret = raw.secret === true;
    if (raw.secret !== undefined && typeof raw.secret !== "boolean") fail(key, `secret: must be true or false, got ${show(raw.secret)}`);
    if (d.hasDefault && d.hasValue) fail(key, "cannot have both a default and a value");

    if (!projectKey) {
      // Another namespace (a provider's): the CLI accepts only a value for it.
      if (raw.type !== undefined) fail(key, `is not in the project's namespace (${project}:) and may not declare a type; give it a value`);
      if (d.hasDefault) fail(key, "is not in the project's namespace and may not have a default; use value instead");
      if (!d.hasValue && raw.type === undefined && !d.hasDefault) fail(key, "is in another namespace and must give a value");
      continue;
    }
    if (raw.type === undefined) continue; // untyped: its default or value is applied unchecked
    if (typeof raw.type !== "string" || !(CONFIG_TYPES as readonly string[]).includes(raw.type)) {
      fail(key, `type: ${show(raw.type)} is not a config type; allowed: ${CONFIG_TYPES.join(", ")}`);
      continue;
    }
    d.type = raw.type;
    if (raw.type === "array") {
      const items = readItems(raw.items, `${key}.items`, fail);
      if (!items) continue;
      d.items = items;
    } else if (raw.items !== undefined) {
      fail(key, `items: only an array declares items; this is type ${raw.type}`);
    }
    for (const [attr, v] of [["default", d.default], ["value", d.value]] as const) {
      if (v === undefined || v === null) continue;
      const problem = typeProblem(d.type, d.items, v, attr);
      if (problem) fail(key, `${problem.at}: ${problem.message}, but the declared type is ${typeName(d)} (${problem.allowed})`);
    }
  }
  return out;
}

function readItems(raw: unknown, at: string, fail: (key: string, message: string) => void): ItemsType | undefined {
  if (raw === undefined || raw === null) {
    fail(at.replace(/\.items$/, ""), "declares an array but no items: add items: { type: string } (or integer, boolean, array)");
    return undefined;
  }
  if (!isMap(raw) || typeof raw.type !== "string" || !(CONFIG_TYPES as readonly string[]).includes(raw.type)) {
    fail(at, `must be { type: ${CONFIG_TYPES.join(" | ")} }, got ${show(raw)}`);
    return undefined;
  }
  if (raw.type !== "array") return { type: raw.type };
  const inner = readItems(raw.items, `${at}.items`, fail);
  return inner ? { type: "array", items: inner } : undefined;
}

function typeName(d: { type?: string; items?: ItemsType }): string {
  const name = (t: ItemsType): string => (t.type === "array" && t.items ? `array<${name(t.items)}>` : t.type);
  return d.type ? name({ type: d.type, items: d.items }) : "untyped";
}

// ---- Values ---------------------------------------------------------------------------------

/** What the CLI validates for a top-level stack value: scalars as their text. */
function topLevel(value: unknown): unknown {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value;
}

/**
 * The CLI's ValidateConfigValue, reporting where it fails: `at` is the key, with [i] for the
 * failing list item.
 */
function typeProblem(type: string, items: ItemsType | undefined, value: unknown, at: string): { at: string; message: string; allowed: string } | undefined {
  const fail = (what: string, allowed: string) => ({ at, message: `${show(value)} is not ${what}`, allowed });
  switch (type) {
    case "string":
      return typeof value === "string" ? undefined : fail("a string", "a text value");
    case "integer":
      if (typeof value === "number" && Number.isInteger(value)) return undefined;
      if (typeof value === "string" && /^[+-]?\d+$/.test(value)) return undefined;
      return fail("an integer", "a whole number such as 14");
    case "boolean":
      if (typeof value === "boolean" || value === "true" || value === "false") return undefined;
      return fail("a boolean", "true or false");
    case "array": {
      if (!Array.isArray(value) || !items) return fail("a list", `a YAML list of ${typeName(items ?? { type: "string" })} items`);
      for (const [i, item] of value.entries()) {
        const problem = typeProblem(items.type, items.items, item, `${at}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return fail(`of the unknown type ${type}`, CONFIG_TYPES.join(", "));
  }
}

// ---- Provider namespaces --------------------------------------------------------------------

function providerKeyProblem(namespace: string, name: string, project: string): { error: boolean; message: string } | undefined {
  const provider = PROVIDER_CONFIG_KEYS[namespace];
  if (provider) {
    const root = name.split(/[.[]/)[0]; // a path into a structured setting (aws:defaultTags.tags)
    if (provider.keys.includes(root)) return undefined;
    const near = nearest(root, provider.keys);
    const known = provider.keys.length > 0 ? `settings it knows: ${provider.keys.join(", ")}` : "it takes no settings";
    return provider.bridged
      ? { error: true, message: `the ${namespace} provider has no setting "${root}"${near ? ` (did you mean ${namespace}:${near}?)` : ""}; its default provider fails the preview with "Invalid or unknown key"; ${known}` }
      : { error: false, message: `the ${namespace} provider has no setting "${root}"${near ? ` (did you mean ${namespace}:${near}?)` : ""}; ${known}` };
  }
  if (namespace === "pulumi") {
    if (ENGINE_CONFIG_KEYS.includes(name.split(/[.[]/)[0])) return undefined;
    return { error: false, message: `the Pulumi engine reads only ${ENGINE_CONFIG_KEYS.map((k) => `pulumi:${k}`).join(", ")}; this key is ignored` };
  }
  const nearProject = nearest(namespace, [project]);
  return {
    error: false,
    message: `no provider this program uses reads the "${namespace}" namespace, so the key is ignored${nearProject ? `; did you mean ${project}:${name}?` : ""} (known namespaces: ${[project, ...Object.keys(PROVIDER_CONFIG_KEYS), "pulumi"].join(", ")})`,
  };
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf(":");
  return [key.slice(0, i), key.slice(i + 1)];
}

/** The candidate within a small edit distance, for "did you mean" hints. */

// ---- Helpers --------------------------------------------------------------------------------

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An encrypted stack value: `{ secure: <ciphertext> }`. */
function isSecure(v: unknown): boolean {
  return isMap(v) && Object.keys(v).length === 1 && typeof v.secure === "string";
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

function readYaml(file: string): { doc: unknown } | { error: string } {
  const label = path.basename(file);
  if (!fs.existsSync(file)) return { error: `${label}: not found (${file})` };
  try {
    return { doc: parseYaml(fs.readFileSync(file, "utf8")) };
  } catch (e) {
    return { error: `${label}: is not valid YAML: ${(e as Error).message.split("\n")[0]}` };
  }
}
