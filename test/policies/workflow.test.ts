/**
 * The CI workflow users get: previews gated by the policy pack on pull requests, the offline
 * plan as a comment, `pulumi up` of staging on main and prod behind an approval.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const wf = parseYaml(fs.readFileSync(path.join(ROOT, ".github/workflows/infrastructure.yml"), "utf8"));
const steps = (job: string): any[] => wf.jobs[job].steps;
const pulumiStep = (job: string) => steps(job).find((s) => String(s.uses).startsWith("pulumi/actions@"));

describe("the infrastructure workflow", () => {
  it("runs on pull requests and on pushes to main", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["pull_request", "push"]);
    expect(wf.on.push.branches).toEqual(["main"]);
  });

  it("pins every action to a commit SHA or an exact release", () => {
    const uses = Object.keys(wf.jobs).flatMap((j) => steps(j).map((s) => s.uses).filter(Boolean));
    expect(uses.length).toBeGreaterThan(10);
    for (const u of uses) expect(u).toMatch(/@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/);
  });

  it("tests with the README's command on a fresh machine", () => {
    const run = steps("test").map((s) => s.run).filter(Boolean).join("\n");
    expect(run).toContain("bash .ci/run");
    const ci = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8");
    expect(ci).toMatch(/npm ci/);
    // The README's test command: unit tests, then the rehearsal of both stacks and its self-test, required.
    expect(ci).toMatch(/^npm run test:all$/m);
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    expect(scripts["test:all"]).toMatch(/^npm test && /);
    for (const stack of ["staging", "prod"]) expect(scripts["test:all"]).toContain(`npm run rehearse -- --stack ${stack}`);
    expect(scripts["test:all"]).toContain("--self-test");
    // A Django fleet's release: migrated once, served by every new instance.
    expect(scripts["test:all"]).toContain("npm run rehearse -- --stack staging --release");
    expect(scripts["test:all"]).not.toContain("--skip-unavailable");
    expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain("npm run test:all");
  });

  it("installs in CI every Debian package the rehearsal's stand-ins and sample apps need", () => {
    const { DATA_PACKAGES } = require("../../tools/rehearsal/data") as { DATA_PACKAGES: string[] };
    const { APP_BUILD_PACKAGES } = require("../../tools/rehearsal/apps") as { APP_BUILD_PACKAGES: string[] };
    const ci = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8");
    const listed = (/packages=\(([^)]*)\)/.exec(ci)?.[1] ?? "").split(/\s+/).filter(Boolean);
    const { IMAGE_BUILD_PACKAGES } = require("../../tools/rehearsal/images/dockerd") as { IMAGE_BUILD_PACKAGES: string[] };
    for (const p of [...DATA_PACKAGES, ...APP_BUILD_PACKAGES, ...IMAGE_BUILD_PACKAGES]) expect(listed).toContain(p);
  });

  it("posts the offline plan of both stacks as a pull-request comment, without credentials", () => {
    const job = wf.jobs.plan;
    expect(job.strategy.matrix.stack).toEqual(["staging", "prod"]);
    expect(steps("plan").map((s) => s.run).join("\n")).toContain("npm run --silent plan -- --stack ${{ matrix.stack }} --format markdown");
    expect(JSON.stringify(job)).not.toMatch(/configure-aws-credentials|PULUMI_ACCESS_TOKEN|id-token/);
    expect(job.permissions["pull-requests"]).toBe("write");
    expect(steps("plan").some((s) => String(s.uses).startsWith("actions/github-script@"))).toBe(true);
    // The report diffs against the base branch's plan, so replacements of stateful resources show up.
    const run = steps("plan").map((s) => s.run).join("\n");
    expect(run).toMatch(/--format json --out "\$GITHUB_WORKSPACE\/base-\$\{\{ matrix\.stack \}\}\.json"/);
    expect(run).toMatch(/base=\(--base base-\$\{\{ matrix\.stack \}\}\.json\)/);
  });

  it("gates every pull request, forks included, on the offline plan's exit status, after its report is posted", () => {
    const job = wf.jobs.plan;
    expect(job.if).toBe("github.event_name == 'pull_request'"); // no same-repository condition: forks get the gate too
    const all = steps("plan");
    const plan = all.find((s) => s.id === "plan");
    expect(plan.run).toMatch(/\|\| status=\$\?/);
    expect(plan.run).not.toMatch(/--no-fail/);
    expect(plan.run).toContain('echo "status=$status" >> "$GITHUB_OUTPUT"');
    const gate = all[all.length - 1];
    expect(gate.if).toBe("steps.plan.outputs.status != '0'");
    expect(gate.run).toMatch(/exit 1/);
    const comment = all.findIndex((s) => String(s.uses).startsWith("actions/github-script@"));
    expect(comment).toBeGreaterThan(all.indexOf(plan));
    expect(comment).toBeLessThan(all.indexOf(gate));
  });

  it("previews both stacks with the policy pack and comments the result, with AWS credentials from OIDC", () => {
    const job = wf.jobs.preview;
    expect(job.strategy.matrix.stack).toEqual(["staging", "prod"]);
    expect(job.permissions["id-token"]).toBe("write");
    const aws = steps("preview").find((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));
    expect(aws.with["role-to-assume"]).toBe("${{ vars.AWS_ROLE_ARN }}");
    expect(pulumiStep("preview").with).toMatchObject({
      command: "preview", "stack-name": "${{ matrix.stack }}", diff: true, policyPacks: "policies",
      policyPackConfigs: "policies/config/${{ matrix.stack }}.json", "comment-on-pr": true,
    });
    const order = steps("preview").map((s) => s.uses ?? s.run);
    expect(order.findIndex((s) => String(s).startsWith("npm ci"))).toBeLessThan(order.findIndex((s) => String(s).startsWith("pulumi/actions@")));
  });

  it("deploys staging on main, then prod only through the production environment's approval", () => {
    expect(wf.jobs["deploy-staging"].if).toContain("github.event_name == 'push'");
    expect(pulumiStep("deploy-staging").with).toMatchObject({ command: "up", "stack-name": "staging", policyPacks: "policies", policyPackConfigs: "policies/config/staging.json" });
    const prod = wf.jobs["deploy-prod"];
    expect(prod.needs).toBe("deploy-staging");
    expect(prod.environment).toBe("production");
    expect(pulumiStep("deploy-prod").with).toMatchObject({ command: "up", "stack-name": "prod", policyPacks: "policies", policyPackConfigs: "policies/config/prod.json" });
    for (const j of ["deploy-staging", "deploy-prod"]) expect(wf.jobs[j].concurrency["cancel-in-progress"]).toBe(false);
  });

  it("names only policy config files that exist", () => {
    for (const s of ["staging", "prod"]) expect(fs.existsSync(path.join(ROOT, `policies/config/${s}.json`))).toBe(true);
  });
});
