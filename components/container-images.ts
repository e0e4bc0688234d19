import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DOCKER_TAG_RE } from "../lib/versions";
import { cpuArchitecture } from "./ami";
import { PlatformContext, invalidArg, typeToken } from "./common";

export interface ContainerServiceConfig {
  /** Service name in the compose stack, e.g. "backend"; also names its ECR repository. */
  name: string;
  /** Build context: a directory relative to the project root, which must exist (loadStackConfig checks). */
  context: string;
  /** Dockerfile path inside the context, which must exist. Default "Dockerfile". */
  dockerfile: string;
  /** Port the container listens on. */
  port: number;
  /**
   * Command (argv) run once per release in a one-off container of this service's new image,
   * before the hosts restart onto it, under the app's PostgreSQL advisory lock: the migrations.
   * Default: `python manage.py migrate --noinput` on the service at the app's port for a django
   * app with a database; none otherwise.
   */
  releaseCommand?: string[];
}

export const IMAGE_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
/** The CPU architecture an image is built for; it must match the hosts that run it. */
export type ImagePlatform = (typeof IMAGE_PLATFORMS)[number];

/** The project root: build contexts in the stack config are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Untagged layers left behind by rebuilds are useless after a week. */
export const UNTAGGED_EXPIRY_DAYS = 7;

/** ECR's repository-name grammar; CreateRepository also says "The repository name must start with a letter". */
const ECR_NAME = /^(?=[a-z])(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * A digest of everything a build can read: every file under the context (path, mode, bytes;
 * all of them, so a file .dockerignore leaves out can only add a tag, never hide a change),
 * the Dockerfile, the platform and the build arguments. Pure apart from reading the files.
 */
export function buildInputsDigest(contextDir: string, dockerfilePath: string, platform: string, buildArgs: Record<string, string>): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(contextDir, full).split(path.sep).join("/");
      if (entry.isDirectory()) {
        hash.update(`dir ${rel}\0`);
        walk(full);
      } else if (entry.isSymbolicLink()) {
        hash.update(`link ${rel} ${fs.readlinkSync(full)}\0`);
      } else if (entry.isFile()) {
        hash.update(`file ${rel} ${(fs.statSync(full).mode & 0o777).toString(8)}\0`).update(fs.readFileSync(full)).update("\0");
      }
    }
  };
  walk(contextDir);
  hash.update(`dockerfile\0`).update(fs.readFileSync(dockerfilePath)).update(`\0platform ${platform}\0`);
  for (const [k, v] of Object.entries(buildArgs).sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`arg ${k}=${v}\0`);
  return hash.digest("hex");
}

/**
 * An image's tag: the app version and the first 12 hex digits of its build inputs' digest.
 * Tags are immutable, so a rebuilt context under the same version gets a tag of its own
 * instead of failing at push time; the hosts still run it by digest. Pure.
 */
export function imageTag(appVersion: string, inputsDigest: string): string {
  return `${appVersion}-${inputsDigest.slice(0, 12)}`;
}

/**
 * The image platform for an EC2 instance type. Graviton families carry a `g` right after
 * the generation digit (t4g, m7g, c7gn, r8g, x2gd, im4gn, hpc7g) or are the original a1;
 * everything else in EC2 is x86_64. An image for the wrong one fails at `exec format error`
 * on the host, long after `pulumi up` reported success, so it is derived, not typed.
 */
export function platformForInstanceType(instanceType: string): ImagePlatform {
  return `linux/${cpuArchitecture(instanceType)}`;
}

/**
 * ECR lifecycle policy: expire untagged images after `untaggedDays` days, and keep only the
 * newest `keepTagged` tagged ones. Rules are evaluated by priority; untagged goes first so
 * it never counts towards the tagged limit.
 */
export function lifecyclePolicyDocument(keepTagged: number, untaggedDays = UNTAGGED_EXPIRY_DAYS): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedDays} days`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keepTagged} tagged images`,
        // "tagged" needs a pattern list; "*" matches every tag.
        selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keepTagged },
        action: { type: "expire" },
      },
    ],
  });
}

/**
 * The IAM policy a host role needs to pull these images: layer reads on exactly these
 * repositories, plus ecr:GetAuthorizationToken, which AWS only accepts on "*".
 */
export function ecrPullPolicyDocument(repositoryArns: string[]): string {
  if (repositoryArns.length === 0) throw new Error("ecrPullPolicyDocument: repositoryArns must list at least one repository");
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "EcrPull",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        Resource: [...repositoryArns].sort(),
      },
    ],
  });
}

export interface ContainerImagesArgs {
  /** Stack context: stack name (repository names), region. Required. */
  ctx: PlatformContext;
  /** Protect the repositories (`protect`; the architectures set it in prod): hosts run their images by digest. @default false */
  protect?: boolean;
  /** Services to build, one ECR repository and image each (AppConfig.containers). Required, at least one, unique names. */
  services: ContainerServiceConfig[];
  /** App version; every image is tagged `<appVersion>-<digest of its build inputs>` (imageTag), so a rebuild never reuses an immutable tag. Required. */
  appVersion: string;
  /** EC2 instance type of the hosts; picks the image platform (Graviton -> linux/arm64). Required unless `platform` is set. */
  instanceType?: string;
  /** Image platform. @default derived from `instanceType` by `platformForInstanceType` */
  platform?: ImagePlatform;
  /** KMS key encrypting the repositories. @default none (ECR's AES256) */
  kmsKeyArn?: pulumi.Input<string>;
  /** Tagged images kept per repository (older ones expire). @default 20 */
  keepTaggedImages?: number;
  /** Directory that service build contexts are relative to. @default the project root */
  projectRoot?: string;
  /** Repository name prefix. @default `<stack>/<component name>`, so each repository is `<prefix>/<service>` */
  repositoryPrefix?: string;
}

interface ResolvedService extends ContainerServiceConfig {
  contextDir: string;
  dockerfilePath: string;
}

/**
 * ECR repositories (scan on push, immutable tags, lifecycle policy) and the images built
 * from each service's context and pushed to them. Hosts reference images by digest, so
 * what runs is exactly what was built and scanned, whatever happens to the tag later.
 */
export class ContainerImages extends pulumi.ComponentResource {
  /** Service name -> `repository@sha256:...`, the reference hosts must run. */
  readonly imageRefs: Record<string, pulumi.Output<string>>;
  /** ARNs of the repositories, for the hosts' pull policy. */
  readonly repositoryArns: pulumi.Output<string>[];
  /** The IAM policy JSON that lets a host role pull these images (see ecrPullPolicyDocument). */
  readonly pullPolicyJson: pulumi.Output<string>;
  /** The platform the images were built for. */
  readonly platform: ImagePlatform;

  constructor(name: string, args: ContainerImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("containers", "ContainerImages"), name, {}, opts);
    const C = "ContainerImages";
    const { ctx } = args;

    // Defaults, in one place.
    const keepTagged = args.keepTaggedImages ?? 20;
    const root = args.projectRoot ?? PROJECT_ROOT;
    const prefix = args.repositoryPrefix ?? `${ctx.stack}/${name}`;

    // Validation, before any resource exists.
    if (args.services.length === 0) invalidArg(C, "services", "must list at least one container service");
    const names = args.services.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) invalidArg(C, "services", `has two services named "${dup}"`);
    if (!DOCKER_TAG_RE.test(imageTag(args.appVersion, "0".repeat(64)))) {
      invalidArg(C, "appVersion", `"${args.appVersion}" cannot start a Docker tag "<version>-<12 hex>" (letters, digits, _ . -, at most 115, not starting with . or -)`);
    }
    if (!Number.isInteger(keepTagged) || keepTagged < 1 || keepTagged > 1000) {
      invalidArg(C, "keepTaggedImages", `must be a whole number from 1 to 1000, got ${keepTagged}`);
    }
    let platform: ImagePlatform;
    if (args.platform !== undefined) {
      if (!IMAGE_PLATFORMS.includes(args.platform)) invalidArg(C, "platform", `must be one of ${IMAGE_PLATFORMS.join(", ")}, got "${args.platform}"`);
      platform = args.platform;
    } else if (args.instanceType !== undefined) {
      try {
        platform = platformForInstanceType(args.instanceType);
      } catch (err) {
        invalidArg(C, "instanceType", (err as Error).message);
      }
    } else {
      invalidArg(C, "instanceType", "is required when platform is not set (the images must match the hosts' CPU)");
    }
    const services = args.services.map((s) => resolveService(C, root, prefix, s));

    // One token for the account's registry; the password is a credential, so it is marked
    // secret before it reaches any resource (the invoke result itself is not).
    const token = aws.ecr.getAuthorizationTokenOutput({}, { parent: this });
    const registryPassword = pulumi.secret(token.password);

    this.platform = platform;
    this.imageRefs = {};
    this.repositoryArns = [];
    for (const svc of services) {
      const repo = new aws.ecr.Repository(`${name}-${svc.name}`, {
        name: `${prefix}/${svc.name}`,
        imageScanningConfiguration: { scanOnPush: true },
        // Immutable: a tag names one build forever, so a version can't silently change under the
        // hosts; tags carry the build inputs' digest, so a rebuild is a new tag, not a failed push.
        imageTagMutability: "IMMUTABLE",
        encryptionConfigurations: [args.kmsKeyArn ? { encryptionType: "KMS", kmsKey: args.kmsKeyArn } : { encryptionType: "AES256" }],
        // Deleting a repository with images would strand every host that references them.
        forceDelete: false,
      }, { parent: this, protect: args.protect ?? false });
      new aws.ecr.LifecyclePolicy(`${name}-${svc.name}`, {
        repository: repo.name,
        policy: lifecyclePolicyDocument(keepTagged),
      }, { parent: this });
      const buildArgs = { APP_VERSION: args.appVersion };
      const tag = imageTag(args.appVersion, buildInputsDigest(svc.contextDir, svc.dockerfilePath, platform, buildArgs));
      const image = new docker.Image(`${name}-${svc.name}`, {
        imageName: pulumi.interpolate`${repo.repositoryUrl}:${tag}`,
        build: {
          context: svc.contextDir,
          dockerfile: svc.dockerfilePath,
          platform,
          args: buildArgs,
        },
        // Previews (reviewers, CI) need no Docker engine; the build runs on `pulumi up`.
        buildOnPreview: false,
        registry: {
          server: repo.repositoryUrl.apply((u) => u.split("/")[0]),
          username: token.userName,
          password: registryPassword,
        },
      }, { parent: this });
      this.imageRefs[svc.name] = image.repoDigest;
      this.repositoryArns.push(repo.arn);
    }
    this.pullPolicyJson = pulumi.all(this.repositoryArns).apply(ecrPullPolicyDocument);
    this.registerOutputs({ imageRefs: this.imageRefs, repositoryArns: this.repositoryArns, pullPolicyJson: this.pullPolicyJson });
  }
}

/** Checks one service's build inputs on disk, so a typo fails before anything is created. */
function resolveService(C: string, root: string, prefix: string, svc: ContainerServiceConfig): ResolvedService {
  const at = `services[${svc.name}]`;
  if (!ECR_NAME.test(`${prefix}/${svc.name}`)) {
    invalidArg(C, `${at}.name`, `gives repository "${prefix}/${svc.name}", which ECR rejects (lowercase letters, digits, . _ - and /, starting with a letter)`);
  }
  if (!svc.context || path.isAbsolute(svc.context)) invalidArg(C, `${at}.context`, `must be a path relative to ${root}, got "${svc.context}"`);
  const contextDir = path.resolve(root, svc.context);
  if (!fs.existsSync(contextDir) || !fs.statSync(contextDir).isDirectory()) {
    invalidArg(C, `${at}.context`, `"${svc.context}" is not a directory (resolved to ${contextDir})`);
  }
  const dockerfile = svc.dockerfile || "Dockerfile";
  const dockerfilePath = path.resolve(contextDir, dockerfile);
  if (!fs.existsSync(dockerfilePath) || !fs.statSync(dockerfilePath).isFile()) {
    invalidArg(C, `${at}.dockerfile`, `"${dockerfile}" does not exist in ${contextDir}`);
  }
  return { ...svc, contextDir, dockerfilePath };
}
