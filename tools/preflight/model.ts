/**
 * AWS's own API models, reduced to what the preflight needs: for an API member path such as
 * `elbv2:CreateLoadBalancer.Name` or `ec2:CreateTags.Tags[].Key`, the shape it lands on and
 * that shape's constraints (pattern, min/max, enum) and the member's documentation, where
 * AWS states the constraints it only checks at create time in prose.
 *
 * The full models live in ../shared/aws-models (botocore's service-2.json files, Apache-2.0).
 * They are 14 MB, so the repository carries only the members the field tables reference,
 * in data/aws-shapes.json, written by `npm run preflight:extract`; a test checks the extract
 * against the full models whenever they are beside the checkout.
 */
import * as fs from "fs";
import * as path from "path";

/** Model file per service prefix used in API paths. */
export const MODEL_FILES: Record<string, string> = {
  acm: "acm-2015-12-08.json",
  autoscaling: "autoscaling-2011-01-01.json",
  backup: "backup-2018-11-15.json",
  cloudfront: "cloudfront-2020-05-31.json",
  cloudwatch: "cloudwatch-2010-08-01.json",
  ec2: "ec2-2016-11-15.json",
  ecr: "ecr-2015-09-21.json",
  elasticache: "elasticache-2015-02-02.json",
  elbv2: "elbv2-2015-12-01.json",
  iam: "iam-2010-05-08.json",
  kms: "kms-2014-11-01.json",
  logs: "logs-2014-03-28.json",
  rds: "rds-2014-10-31.json",
  route53: "route53-2013-04-01.json",
  s3: "s3-2006-03-01.json",
  secretsmanager: "secretsmanager-2017-10-17.json",
  ses: "ses-2010-12-01.json",
  sns: "sns-2010-03-31.json",
  ssm: "ssm-2014-11-06.json",
  wafv2: "wafv2-2019-07-29.json",
};

/** One API member (or, for `<service>:<Operation>`, the operation), resolved: where it comes from and what AWS accepts in it. */
export interface ApiMember {
  /** `<service>:<Operation>.<Member>...` as written in the field tables. */
  api: string;
  /** Model file and the shape the member lands on, for citations. */
  file: string;
  shape: string;
  type: string;
  pattern?: string;
  min?: number;
  max?: number;
  enum?: string[];
  /** The member's documentation (or its shape's), HTML removed, whitespace collapsed. */
  doc: string;
}

export const SHAPES_FILE = path.join(__dirname, "data", "aws-shapes.json");
export const SHARED_MODELS = path.resolve(__dirname, "..", "..", "..", "shared", "aws-models");

/** HTML-free, single-spaced documentation text, so quotes in the prose rules match it. */
export function plainDoc(html: string | undefined): string {
  return (html ?? "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}

interface Model { shapes: Record<string, any>; operations: Record<string, any> }

/** Resolves one API path against a full model (used by the extract and its freshness test). */
export function resolveMember(api: string, loadModel: (service: string) => Model): ApiMember {
  const m = /^([a-z0-9]+):([A-Za-z0-9]+)(?:\.(.+))?$/.exec(api);
  if (!m) throw new Error(`API path "${api}" is not <service>:<Operation>[.<Member>...]`);
  const [, service, operation, rest] = m;
  const file = MODEL_FILES[service];
  if (!file) throw new Error(`API path "${api}": no model for service "${service}"`);
  const model = loadModel(service);
  const op = model.operations[operation];
  if (!op?.input) throw new Error(`API path "${api}": ${file} has no operation ${operation} with an input`);
  // The operation itself: some services state a field's rules only in the operation's documentation.
  if (rest === undefined) return { api, file, shape: operation, type: "operation", doc: plainDoc(op.documentation) };
  let shapeName: string = op.input.shape;
  let doc: string | undefined;
  for (const step of rest.split(".")) {
    const sm = /^([A-Za-z0-9_]+)((?:\[\]|\{\}|\{value\})*)$/.exec(step);
    if (!sm) throw new Error(`API path "${api}": bad step "${step}"`);
    const shape = model.shapes[shapeName];
    const member = shape?.members?.[sm[1]];
    if (!member) throw new Error(`API path "${api}": shape ${shapeName} in ${file} has no member ${sm[1]}`);
    shapeName = member.shape;
    doc = member.documentation ?? model.shapes[shapeName]?.documentation;
    for (const into of sm[2].match(/\[\]|\{\}|\{value\}/g) ?? []) {
      const container = model.shapes[shapeName];
      const next = into === "[]" ? container?.member : into === "{}" ? container?.key : container?.value;
      if (!next) throw new Error(`API path "${api}": shape ${shapeName} is not a ${into === "[]" ? "list" : "map"}`);
      shapeName = next.shape;
      doc = next.documentation ?? doc;
    }
  }
  const target = model.shapes[shapeName];
  // Some members carry an empty "<p/>": their shape's documentation is what states the rules.
  const out: ApiMember = { api, file, shape: shapeName, type: target.type, doc: plainDoc(doc) || plainDoc(target.documentation) };
  if (target.pattern !== undefined) out.pattern = target.pattern;
  if (target.min !== undefined) out.min = target.min;
  if (target.max !== undefined) out.max = target.max;
  if (target.enum !== undefined) out.enum = target.enum;
  return out;
}

/** Loads full models from a directory (../shared/aws-models), caching each file. */
export function modelLoader(dir: string): (service: string) => Model {
  const cache = new Map<string, Model>();
  return (service) => {
    if (!cache.has(service)) cache.set(service, JSON.parse(fs.readFileSync(path.join(dir, MODEL_FILES[service]), "utf8")));
    return cache.get(service) as Model;
  };
}

let vendored: Record<string, ApiMember> | undefined;

/** The vendored members by API path. */
export function apiMembers(): Record<string, ApiMember> {
  vendored ??= JSON.parse(fs.readFileSync(SHAPES_FILE, "utf8")) as Record<string, ApiMember>;
  return vendored;
}

/**
 * AWS writes patterns in the Java dialect, and its services match them against the whole
 * value (the familiar "Member must satisfy regular expression pattern: [\w+=,.@-]+" that
 * IAM returns for a role name with a space), although many model patterns carry no ^...$.
 * So every pattern is anchored here. JavaScript's unicode mode is the closest dialect
 * (\p{L}); a few models use escapes only the legacy mode accepts, or an inline (?i).
 */
export function compilePattern(pattern: string): RegExp {
  let flags = "u";
  let source = pattern;
  if (source.startsWith("(?i)")) {
    source = source.slice(4);
    flags += "i";
  }
  source = `^(?:${source})$`;
  try {
    return new RegExp(source, flags);
  } catch {
    return new RegExp(source, flags.replace("u", ""));
  }
}
