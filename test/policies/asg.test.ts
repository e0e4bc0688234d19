import { T } from "../../policies/lib/types";
import { U, describePolicy, res } from "./helpers";

const group = (name: string, o: Record<string, any> = {}) => res(T.autoscalingGroup, name, {
  minSize: 1, maxSize: 2, vpcZoneIdentifiers: ["subnet-1"], launchTemplate: { id: "lt-1", version: "1" },
  defaultCooldown: 300, targetGroupArns: ["arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/1"], healthCheckType: "ELB", ...o,
}, { id: `asg-${name}` });

describePolicy({
  policy: "asg-hardened",
  violating: [
    { title: "a launch configuration", resources: [group("web", { launchTemplate: undefined, launchConfiguration: "lc-1" })], message: /launch configuration/ },
    { title: "no cooldown", resources: [group("web", { defaultCooldown: undefined })], message: /defaultCooldown/ },
    { title: "EC2 health check behind a target group", resources: [group("web", { healthCheckType: "EC2" })], message: /"EC2", not "ELB"/ },
    { title: "default health check behind a target group", resources: [group("web", { healthCheckType: undefined })], message: /not "ELB"/ },
  ],
  compliant: [
    { title: "a hardened group", resources: [group("web")] },
    { title: "EC2 health check without target groups", resources: [group("web", { targetGroupArns: [], healthCheckType: "EC2" })] },
  ],
  unknown: [{ title: "unknown values", resources: [group("web", { launchTemplate: U, defaultCooldown: U, targetGroupArns: U, healthCheckType: U })] }],
});
