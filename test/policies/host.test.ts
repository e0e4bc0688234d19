import { SG } from "../../policies/lib/net";
import { T } from "../../policies/lib/types";
import { TAGS, U, describePolicy, res } from "./helpers";

const instance = (name: string, o: Record<string, any> = {}, deps: any[] = []) => res(T.instance, name, {
  ami: "ami-1", instanceType: "t3.medium", iamInstanceProfile: "shop-host",
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { volumeType: "gp3", volumeSize: 20, encrypted: true },
  tags: TAGS, ...o,
}, { id: `i-${name}`, deps });
const template = (name: string, o: Record<string, any> = {}) => res(T.launchTemplate, name, {
  imageId: "ami-1", instanceType: "t3.medium", iamInstanceProfile: { arn: "arn:aws:iam::1:instance-profile/x" },
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required" },
  blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { volumeType: "gp3", encrypted: "true" } }],
  tags: TAGS, ...o,
}, { id: `lt-${name}` });

describePolicy({
  policy: "imdsv2-required",
  violating: [
    { title: "an instance without metadataOptions", resources: [instance("web", { metadataOptions: undefined })], message: /IMDSv1/ },
    { title: "a launch template with optional tokens", resources: [template("api-lt", { metadataOptions: { httpTokens: "optional" } })], message: /"optional"/ },
    { title: "tokens left out", resources: [instance("web", { metadataOptions: { httpEndpoint: "enabled" } })] },
  ],
  compliant: [
    { title: "tokens required", resources: [instance("web"), template("api-lt")] },
    { title: "metadata endpoint disabled", resources: [instance("web", { metadataOptions: { httpEndpoint: "disabled" } })] },
  ],
  unknown: [{ title: "metadata options unknown", resources: [instance("web", { metadataOptions: U }), template("api-lt", { metadataOptions: { httpTokens: U } })] }],
});

describePolicy({
  policy: "ebs-volumes-encrypted",
  violating: [
    { title: "an unencrypted root volume", resources: [instance("web", { rootBlockDevice: { volumeSize: 20, encrypted: false } })], message: /explicitly unencrypted/ },
    { title: "no root block device", resources: [instance("web", { rootBlockDevice: undefined })], message: /AMI snapshot/ },
    { title: "an unencrypted data volume", resources: [instance("web", { ebsBlockDevices: [{ deviceName: "/dev/sdf", volumeSize: 50 }] })], message: /\/dev\/sdf/ },
    { title: "a launch template mapping without encryption", resources: [template("api-lt", { blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { volumeSize: 20 } }] })] },
    { title: "a launch template mapping no volume", resources: [template("api-lt", { blockDeviceMappings: undefined })], message: /maps no EBS volume/ },
    { title: "a standalone unencrypted volume", resources: [res(T.ebsVolume, "data", { availabilityZone: "eu-west-1a", size: 10, tags: TAGS })] },
  ],
  compliant: [
    { title: "encrypted everywhere (launch template as string)", resources: [instance("web", { ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }] }), template("api-lt"), res(T.ebsVolume, "data", { size: 10, encrypted: true })] },
  ],
  unknown: [
    { title: "encryption flags unknown", resources: [instance("web", { rootBlockDevice: { encrypted: U } }), template("api-lt", { blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: U } }] })] },
    { title: "mappings unknown", resources: [template("api-lt", { blockDeviceMappings: U }), instance("web", { rootBlockDevice: U })] },
  ],
});

describePolicy({
  policy: "instance-profile-attached",
  violating: [
    { title: "an instance without profile", resources: [instance("web", { iamInstanceProfile: undefined })], message: /no instance profile/ },
    { title: "a launch template with an empty profile block", resources: [template("api-lt", { iamInstanceProfile: {} })] },
  ],
  compliant: [{ title: "profiles attached", resources: [instance("web"), template("api-lt", { iamInstanceProfile: { name: "api" } })] }],
  unknown: [{ title: "profile unknown", resources: [instance("web", { iamInstanceProfile: U }), template("api-lt", { iamInstanceProfile: { arn: U } })] }],
});

const subnet = (name: string, tier: string, o: Record<string, any> = {}) => res(T.subnet, name, { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", tags: { ...TAGS, tier }, ...o }, { id: `subnet-${name}` });
const pub = subnet("pub-0", "public", { mapPublicIpOnLaunch: true });
const priv = subnet("priv-0", "private");
const edgeSg = res(SG, "shop-edge", { description: "edge", tags: { ...TAGS, tier: "edge", role: "edge" } }, { id: "sg-edge" });
const appSg = res(SG, "api-app", { description: "app", tags: { ...TAGS, tier: "app", role: "app" } }, { id: "sg-app" });
const asg = (subnets: any, lt: any, deps: any[] = []) => res(T.autoscalingGroup, "api-asg", { vpcZoneIdentifiers: subnets, launchTemplate: { id: lt, version: "$Latest" }, minSize: 1, maxSize: 2 }, { deps, outputs: { name: "api-asg-1" } });
const eni = (name: string, o: Record<string, any>) => res(T.networkInterface, name, { subnetId: "subnet-pub-0", ...o }, { id: `eni-${name}` });

describePolicy({
  policy: "fleet-no-public-ip",
  violating: [
    { title: "a launch template asking for a public IP", resources: [template("api-lt", { networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "true" }] })], message: /public IP/ },
    { title: "a group in public subnets", resources: [pub, template("api-lt"), asg(["subnet-pub-0"], "lt-api-lt")], message: /"pub-0"/ },
    { title: "a non-edge instance with a public IP", resources: [appSg, instance("worker", { associatePublicIpAddress: true, vpcSecurityGroupIds: ["sg-app"] })] },
    { title: "a non-edge instance in a public subnet", resources: [appSg, pub, instance("worker", { subnetId: "subnet-pub-0", vpcSecurityGroupIds: ["sg-app"] })], message: /public subnet/ },
    { title: "an Elastic IP on a fleet host's network interface", resources: [appSg, priv, eni("worker-eni", { subnetId: "subnet-priv-0", securityGroups: ["sg-app"] }), instance("worker", { primaryNetworkInterface: { networkInterfaceId: "eni-worker-eni" } }), res(T.eipAssociation, "worker-eip", { allocationId: "eipalloc-1", networkInterfaceId: "eni-worker-eni" })], message: /Elastic IP/ },
  ],
  compliant: [
    { title: "fleet in private subnets", resources: [priv, template("api-lt"), asg(["subnet-priv-0"], "lt-api-lt")] },
    { title: "public subnets but the template refuses public IPs", resources: [pub, template("api-lt", { networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false" }] }), asg(["subnet-pub-0"], "lt-api-lt")] },
    {
      title: "the single edge host with an Elastic IP on its interface (edge-tier group)",
      resources: [edgeSg, pub, eni("web-eni", { securityGroups: ["sg-edge"] }), instance("web", { primaryNetworkInterface: { networkInterfaceId: "eni-web-eni" } }), res(T.eipAssociation, "web-eip", { allocationId: "eipalloc-1", networkInterfaceId: "eni-web-eni" })],
    },
    { title: "an instance tagged tier = edge", resources: [pub, instance("web", { subnetId: "subnet-pub-0", associatePublicIpAddress: true, tags: { ...TAGS, tier: "edge" } })] },
  ],
  unknown: [
    { title: "subnets unknown, group depends on a private subnet", resources: [priv, template("api-lt"), asg(U, U, [priv])] },
    { title: "the instance's groups unknown", resources: [edgeSg, pub, instance("web", { subnetId: "subnet-pub-0", vpcSecurityGroupIds: U }, [edgeSg])] },
    { title: "public IP flag unknown", resources: [template("api-lt", { networkInterfaces: [{ associatePublicIpAddress: U }] })] },
  ],
});

const ROTATION_ROLE = "arn:aws:iam::123456789012:role/prod-shop-rotation";
const fn = (name: string, o: Record<string, any> = {}) => res(T.lambdaFunction, name, {
  description: "Secrets Manager rotation of prod-shop's master password", runtime: "python3.12", handler: "index.handler", role: ROTATION_ROLE, tags: TAGS, ...o,
});

describePolicy({
  policy: "lambda-function-hardened",
  violating: [
    { title: "a runtime AWS no longer supports", resources: [fn("shop-rotation", { runtime: "python3.7" })], message: /python3.7 is not one AWS still supports/ },
    { title: "no description", resources: [fn("shop-rotation", { description: "" })], message: /no description/ },
    { title: "two functions on one role", resources: [fn("shop-rotation"), fn("blog-rotation")], message: /shares its execution role with blog-rotation/ },
  ],
  compliant: [
    { title: "a described function on a current runtime", resources: [fn("shop-rotation")] },
    { title: "two functions with a role each", resources: [fn("shop-rotation"), fn("blog-rotation", { role: "arn:aws:iam::123456789012:role/prod-blog-rotation" })] },
  ],
  unknown: [{ title: "runtime, description and roles unknown", resources: [fn("shop-rotation", { runtime: U, description: U, role: U }), fn("blog-rotation", { role: U })] }],
});

describePolicy({
  policy: "ec2-detailed-monitoring-prod",
  violating: [
    { title: "a prod instance on basic monitoring", resources: [instance("web", { monitoring: false })], message: /basic \(5-minute\) monitoring/ },
    { title: "a prod instance not setting monitoring", resources: [instance("web")] },
    { title: "a prod launch template without monitoring", resources: [template("api-lt")], message: /monitoring.enabled is not true/ },
    { title: "a prod launch template with monitoring off", resources: [template("api-lt", { monitoring: { enabled: false } })] },
  ],
  compliant: [
    { title: "detailed monitoring on both", resources: [instance("web", { monitoring: true }), template("api-lt", { monitoring: { enabled: true } })] },
    { title: "staging may stay on basic monitoring", environment: "staging", resources: [instance("web", { monitoring: false }), template("api-lt")] },
  ],
  unknown: [{ title: "monitoring unknown", resources: [instance("web", { monitoring: U }), template("api-lt", { monitoring: { enabled: U } })] }],
});

describePolicy({
  policy: "instance-termination-protection-prod",
  violating: [
    { title: "a prod instance without termination protection", resources: [instance("web")], message: /no termination protection/ },
    { title: "protection explicitly off", resources: [instance("web", { disableApiTermination: false })] },
  ],
  compliant: [
    { title: "protected", resources: [instance("web", { disableApiTermination: true })] },
    { title: "staging hosts may be terminated", environment: "staging", resources: [instance("web", { disableApiTermination: false })] },
  ],
  unknown: [{ title: "protection unknown", resources: [instance("web", { disableApiTermination: U })] }],
});

describePolicy({
  policy: "imds-hop-limit-one",
  violating: [
    { title: "a Docker-style hop limit of 2", resources: [template("api-lt", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } })], message: /httpPutResponseHopLimit is 2/ },
    { title: "a launch template leaving the hop limit to the image", resources: [template("api-lt")], message: /not set/ },
    { title: "an instance without metadataOptions", resources: [instance("web", { metadataOptions: undefined })] },
  ],
  compliant: [
    { title: "hop limit 1", resources: [instance("web"), template("api-lt", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } })] },
    { title: "metadata endpoint disabled", resources: [instance("web", { metadataOptions: { httpEndpoint: "disabled" } })] },
  ],
  unknown: [{ title: "hop limit unknown", resources: [instance("web", { metadataOptions: U }), template("api-lt", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: U } })] }],
});
