/** EC2 and VPC networking, instances and launch templates. */
import { CrossRule, Field, FieldTable, ProseRule, intRange, matches, maxLength, notMatches, oneOf } from "../rules";
import { EC2_GROUP_TEXT, EC2_TAGS } from "./common";

/** The unknown marker the engine sends during preview (test/harness UNKNOWN); cross rules skip it. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const known = (v: unknown) => v !== undefined && v !== null && v !== UNKNOWN;

/** EC2 tag rules (ec2 Tag.Key / Tag.Value documentation) on another tag list of the same Tag shape. */
function ec2TagsAt(keyApi: string, valueApi: string, prefix = "tags"): Record<string, Field> {
  const key = EC2_TAGS["tags{}"] as { prose: ProseRule[] };
  const value = EC2_TAGS["tags.*"] as { prose: ProseRule[] };
  return { [`${prefix}{}`]: { api: keyApi, prose: key.prose }, [`${prefix}.*`]: { api: valueApi, prose: value.prose } };
}

/** A boolean VPC / subnet attribute travels as AttributeBooleanValue.Value ("true" or "false"). */
const attributeBoolean = (api: string): Field => ({ api, prose: [oneOf("The attribute value. The valid values are true or false .", ["true", "false"])] });

// --- user data -------------------------------------------------------------------------------

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const USER_DATA_MAX = 16 * 1024;
/** Bytes the base64 text decodes to. */
const decodedBytes = (b64: string) => Math.floor((b64.replace(/=+$/, "").length * 3) / 4);

/** Launch template user data: base64 text, at most 16 KB (RequestLaunchTemplateData.UserData). */
const LT_USER_DATA: Field = {
  api: "CreateLaunchTemplate.LaunchTemplateData.UserData",
  prose: [
    matches("You must provide base64-encoded text.", BASE64, "base64-encoded text"),
    maxLength("User data is limited to 16 KB.", USER_DATA_MAX),
  ],
};

/**
 * Instance user data (userDataBase64 is passed to RunInstances.UserData as is). RunInstances
 * states the encoding; the 16 KB limit is stated on the launch template's user data, and the
 * EC2 User Guide applies it to the raw data before encoding, so the decoded size is checked.
 */
const INSTANCE_USER_DATA: Field = {
  api: "RunInstances.UserData",
  prose: [matches("User data must be base64-encoded.", BASE64, "base64-encoded text")],
};
const INSTANCE_USER_DATA_CROSS: CrossRule = {
  api: "CreateLaunchTemplate.LaunchTemplateData.UserData",
  quote: "User data is limited to 16 KB.",
  allows: "user data of at most 16 KB (16384 bytes before base64 encoding)",
  check: (i) => {
    const b64 = i.userDataBase64;
    if (known(b64) && typeof b64 === "string" && decodedBytes(b64) > USER_DATA_MAX) return { path: "userDataBase64", value: `${decodedBytes(b64)} bytes` };
    const raw = i.userData;
    if (known(raw) && typeof raw === "string" && Buffer.byteLength(raw, "utf8") > USER_DATA_MAX) return { path: "userData", value: `${Buffer.byteLength(raw, "utf8")} bytes` };
    return undefined;
  },
};

// --- EBS volumes -----------------------------------------------------------------------------

/** Sizes per volume type, as EbsBlockDevice.VolumeSize / LaunchTemplateEbsBlockDeviceRequest.VolumeSize state them. */
const VOLUME_SIZES: Record<string, [number, number]> = {
  gp2: [1, 16384], gp3: [1, 65536], io1: [4, 16384], io2: [4, 65536], st1: [125, 16384], sc1: [125, 16384], standard: [1, 1024],
};
const sizeFits = (type: unknown, size: unknown) => {
  if (!known(type) || !known(size) || !VOLUME_SIZES[String(type)]) return true;
  const [lo, hi] = VOLUME_SIZES[String(type)];
  const n = Number(size);
  return Number.isInteger(n) && n >= lo && n <= hi;
};
const VOLUME_SIZE_ALLOWS = "a volume size within its type's range (gp2 1-16384, gp3 1-65536, io1 4-16384, io2 4-65536, st1/sc1 125-16384, standard 1-1024 GiB)";

const INSTANCE_VOLUME_SIZE: CrossRule = {
  api: "RunInstances.BlockDeviceMappings[].Ebs.VolumeSize",
  quote: "The following are the supported sizes for each volume type: gp2 : 1 - 16,384 GiB gp3 : 1 - 65,536 GiB io1 : 4 - 16,384 GiB io2 : 4 - 65,536 GiB st1 and sc1 : 125 - 16,384 GiB standard : 1 - 1024 GiB",
  allows: VOLUME_SIZE_ALLOWS,
  check: (i) => {
    for (const [path, d] of [["rootBlockDevice", i.rootBlockDevice], ...((i.ebsBlockDevices ?? []) as any[]).map((d, n) => [`ebsBlockDevices[${n}]`, d])] as [string, any][]) {
      if (d && !sizeFits(d.volumeType, d.volumeSize)) return { path: `${path}.volumeSize`, value: d.volumeSize };
    }
    return undefined;
  },
};
const LT_VOLUME_SIZE: CrossRule = {
  api: "CreateLaunchTemplate.LaunchTemplateData.BlockDeviceMappings[].Ebs.VolumeSize",
  quote: "The following are the supported volumes sizes for each volume type: gp2 : 1 - 16,384 GiB gp3 : 1 - 65,536 GiB io1 : 4 - 16,384 GiB io2 : 4 - 65,536 GiB st1 and sc1 : 125 - 16,384 GiB standard : 1 - 1024 GiB",
  allows: VOLUME_SIZE_ALLOWS,
  check: (i) => {
    for (const [n, d] of ((i.blockDeviceMappings ?? []) as any[]).entries()) {
      if (d?.ebs && !sizeFits(d.ebs.volumeType, d.ebs.volumeSize)) return { path: `blockDeviceMappings[${n}].ebs.volumeSize`, value: d.ebs.volumeSize };
    }
    return undefined;
  },
};

const HOP_LIMIT = [intRange("Possible values: Integers from 1 to 64", 1, 64)];

// --- security group rules --------------------------------------------------------------------

/**
 * A VPC security group rule (aws:vpc/securityGroup{Ingress,Egress}Rule) is one IpPermission of
 * AuthorizeSecurityGroupIngress / AuthorizeSecurityGroupEgress; its description lands on the
 * IpRange, Ipv6Range, PrefixListId or UserIdGroupPair that its peer input selects, and those
 * accept different characters (the prefix list and group pair descriptions refuse "&").
 */
function ruleFields(op: string): Record<string, Field> {
  const perm = `${op}.IpPermissions[]`;
  return {
    securityGroupId: `${op}.GroupId`,
    ipProtocol: {
      api: `${perm}.IpProtocol`,
      prose: [matches("The IP protocol name ( tcp , udp , icmp , icmpv6 ) or number (see Protocol Numbers ). Use -1 to specify all protocols.",
        /^(tcp|udp|icmp|icmpv6|-1|\d|[1-9]\d|1\d\d|2[0-4]\d|25[0-5])$/, "tcp, udp, icmp, icmpv6, a protocol number (0-255) or -1")],
    },
    fromPort: `${perm}.FromPort`,
    toPort: `${perm}.ToPort`,
    cidrIpv4: `${perm}.IpRanges[].CidrIp`,
    cidrIpv6: `${perm}.Ipv6Ranges[].CidrIpv6`,
    prefixListId: `${perm}.PrefixListIds[].PrefixListId`,
    referencedSecurityGroupId: `${perm}.UserIdGroupPairs[].GroupId`,
    // The length limit is the same on all four; the character set is checked by the cross rules below.
    description: { api: `${perm}.IpRanges[].Description`, prose: [maxLength("Up to 255 characters in length.", 255)] },
    ...EC2_TAGS,
  };
}

const RULE_TEXT_WITH_AMPERSAND = "a-zA-Z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*";
const RULE_TEXT_WITHOUT_AMPERSAND = "a-zA-Z0-9 ._\\-:/()#,@\\[\\]+=;{}!$*";

function ruleCross(op: string): CrossRule[] {
  const perm = `${op}.IpPermissions[]`;
  const description = (peer: string, member: string, quote: string, classBody: string, label: string): CrossRule => {
    const re = new RegExp(`^[${classBody}]*$`, "u");
    return {
      api: `${perm}.${member}.Description`,
      quote,
      allows: `a rule description of only the characters ${label} (the ${member.replace("[]", "")} description)`,
      check: (i) => (known(i[peer]) && known(i.description) && !re.test(String(i.description)) ? { path: "description", value: i.description } : undefined),
    };
  };
  return [
    description("cidrIpv4", "IpRanges[]", "Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*", RULE_TEXT_WITH_AMPERSAND, "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"),
    description("cidrIpv6", "Ipv6Ranges[]", "Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*", RULE_TEXT_WITH_AMPERSAND, "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"),
    description("prefixListId", "PrefixListIds[]", "Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=;{}!$*", RULE_TEXT_WITHOUT_AMPERSAND, "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=;{}!$*"),
    description("referencedSecurityGroupId", "UserIdGroupPairs[]", "Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=;{}!$*", RULE_TEXT_WITHOUT_AMPERSAND, "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=;{}!$*"),
    {
      api: `${perm}.IpProtocol`,
      quote: "For tcp , udp , and icmp , you must specify a port range.",
      allows: "fromPort and toPort on a tcp, udp or icmp rule",
      check: (i) => {
        const p = String(i.ipProtocol).toLowerCase();
        if (!["tcp", "udp", "icmp", "6", "17", "1"].includes(p)) return undefined;
        if (i.fromPort === undefined) return { path: "fromPort", value: "(unset)" };
        if (i.toPort === undefined) return { path: "toPort", value: "(unset)" };
        return undefined;
      },
    },
    {
      api: `${perm}.ToPort`,
      quote: "If the start port is -1 (all ICMP types), then the end port must be -1 (all ICMP codes).",
      allows: "toPort -1 when fromPort is -1",
      check: (i) => (known(i.fromPort) && Number(i.fromPort) === -1 && known(i.toPort) && Number(i.toPort) !== -1 ? { path: "toPort", value: i.toPort } : undefined),
    },
    {
      api: `${perm}.IpRanges[].CidrIp`,
      quote: "You can either specify a CIDR block or a source security group, not both.",
      allows: "either a CIDR block or a referenced security group, not both",
      check: (i) => ((i.cidrIpv4 !== undefined || i.cidrIpv6 !== undefined) && i.referencedSecurityGroupId !== undefined
        ? { path: "referencedSecurityGroupId", value: i.referencedSecurityGroupId } : undefined),
    },
  ];
}

// --- security groups -------------------------------------------------------------------------

const GROUP_NAME: Field = {
  api: "CreateSecurityGroup.GroupName",
  prose: [
    maxLength("Up to 255 characters in length.", 255),
    notMatches("Can't start with sg-", /^sg-/i, 'no "sg-" prefix'),
    EC2_GROUP_TEXT,
  ],
};
const GROUP_DESCRIPTION: Field = {
  api: "CreateSecurityGroup.Description",
  prose: [maxLength("Up to 255 characters in length", 255), EC2_GROUP_TEXT],
};

export const NETWORK: FieldTable = {
  "aws:ec2/vpc:Vpc": {
    model: "ec2",
    fields: {
      cidrBlock: "CreateVpc.CidrBlock",
      instanceTenancy: "CreateVpc.InstanceTenancy",
      assignGeneratedIpv6CidrBlock: "CreateVpc.AmazonProvidedIpv6CidrBlock",
      enableDnsSupport: attributeBoolean("ModifyVpcAttribute.EnableDnsSupport.Value"),
      enableDnsHostnames: attributeBoolean("ModifyVpcAttribute.EnableDnsHostnames.Value"),
      ...EC2_TAGS,
    },
    cross: [{
      api: "ModifyVpcAttribute.EnableDnsHostnames",
      quote: "You can only enable DNS hostnames if you've enabled DNS support.",
      allows: "enableDnsHostnames only with enableDnsSupport (which defaults to true)",
      check: (i) => (i.enableDnsHostnames === true && i.enableDnsSupport === false ? { path: "enableDnsHostnames", value: true } : undefined),
    }],
  },
  "aws:ec2/subnet:Subnet": {
    model: "ec2",
    fields: {
      vpcId: "CreateSubnet.VpcId",
      cidrBlock: "CreateSubnet.CidrBlock",
      availabilityZone: "CreateSubnet.AvailabilityZone",
      availabilityZoneId: "CreateSubnet.AvailabilityZoneId",
      ipv6CidrBlock: "CreateSubnet.Ipv6CidrBlock",
      mapPublicIpOnLaunch: attributeBoolean("ModifySubnetAttribute.MapPublicIpOnLaunch.Value"),
      ...EC2_TAGS,
    },
  },
  "aws:ec2/internetGateway:InternetGateway": {
    model: "ec2",
    fields: {
      // The provider creates the gateway, then attaches it to the VPC.
      vpcId: "AttachInternetGateway.VpcId",
      ...EC2_TAGS,
    },
  },
  "aws:ec2/routeTable:RouteTable": {
    model: "ec2",
    fields: {
      vpcId: "CreateRouteTable.VpcId",
      ...EC2_TAGS,
    },
  },
  "aws:ec2/route:Route": {
    model: "ec2",
    fields: {
      routeTableId: "CreateRoute.RouteTableId",
      destinationCidrBlock: "CreateRoute.DestinationCidrBlock",
      destinationIpv6CidrBlock: "CreateRoute.DestinationIpv6CidrBlock",
      gatewayId: "CreateRoute.GatewayId",
      natGatewayId: "CreateRoute.NatGatewayId",
      vpcEndpointId: "CreateRoute.VpcEndpointId",
    },
  },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": {
    model: "ec2",
    fields: {
      subnetId: "AssociateRouteTable.SubnetId",
      gatewayId: "AssociateRouteTable.GatewayId",
      routeTableId: "AssociateRouteTable.RouteTableId",
    },
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
    model: "ec2",
    fields: {
      // The provider adopts the VPC's group named "default" (found by a vpc-id filter), tags it
      // and revokes its rules; nothing is created.
      vpcId: "DescribeSecurityGroups.Filters[].Values[]",
      ...EC2_TAGS,
    },
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    model: "ec2",
    autoname: "name",
    fields: {
      name: GROUP_NAME,
      description: GROUP_DESCRIPTION,
      vpcId: "CreateSecurityGroup.VpcId",
      revokeRulesOnDelete: { local: "a provider switch: revoke the group's rules before deleting it; not an API member" },
      ...EC2_TAGS,
    },
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
    model: "ec2",
    fields: ruleFields("AuthorizeSecurityGroupIngress"),
    cross: ruleCross("AuthorizeSecurityGroupIngress"),
  },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
    model: "ec2",
    fields: ruleFields("AuthorizeSecurityGroupEgress"),
    cross: ruleCross("AuthorizeSecurityGroupEgress"),
  },
  "aws:ec2/eip:Eip": {
    model: "ec2",
    fields: {
      domain: "AllocateAddress.Domain",
      publicIpv4Pool: "AllocateAddress.PublicIpv4Pool",
      networkBorderGroup: "AllocateAddress.NetworkBorderGroup",
      ...EC2_TAGS,
    },
  },
  "aws:ec2/eipAssociation:EipAssociation": {
    model: "ec2",
    fields: {
      allocationId: "AssociateAddress.AllocationId",
      instance: "AssociateAddress.InstanceId",
      networkInterfaceId: "AssociateAddress.NetworkInterfaceId",
      privateIpAddress: "AssociateAddress.PrivateIpAddress",
      allowReassociation: "AssociateAddress.AllowReassociation",
    },
    cross: [{
      api: "AssociateAddress.NetworkInterfaceId",
      quote: "You can specify either the instance ID or the network interface ID, but not both.",
      allows: "instance or networkInterfaceId, not both",
      check: (i) => (i.instance !== undefined && i.networkInterfaceId !== undefined ? { path: "networkInterfaceId", value: i.networkInterfaceId } : undefined),
    }],
  },
  "aws:ec2/natGateway:NatGateway": {
    model: "ec2",
    fields: {
      allocationId: "CreateNatGateway.AllocationId",
      subnetId: "CreateNatGateway.SubnetId",
      connectivityType: "CreateNatGateway.ConnectivityType",
      privateIp: "CreateNatGateway.PrivateIpAddress",
      "secondaryAllocationIds[]": "CreateNatGateway.SecondaryAllocationIds[]",
      secondaryPrivateIpAddressCount: "CreateNatGateway.SecondaryPrivateIpAddressCount",
      ...EC2_TAGS,
    },
    cross: [{
      api: "CreateNatGateway.AllocationId",
      quote: "You cannot specify an Elastic IP address with a private NAT gateway.",
      allows: "no allocationId on a private NAT gateway",
      check: (i) => (i.connectivityType === "private" && i.allocationId !== undefined ? { path: "allocationId", value: i.allocationId } : undefined),
    }],
  },
  "aws:ec2/networkInterface:NetworkInterface": {
    model: "ec2",
    fields: {
      subnetId: "CreateNetworkInterface.SubnetId",
      description: "CreateNetworkInterface.Description",
      "securityGroups[]": "CreateNetworkInterface.Groups[]",
      "privateIps[]": "CreateNetworkInterface.PrivateIpAddresses[].PrivateIpAddress",
      sourceDestCheck: "ModifyNetworkInterfaceAttribute.SourceDestCheck.Value",
      ...EC2_TAGS,
    },
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    model: "ec2",
    fields: {
      vpcId: "CreateVpcEndpoint.VpcId",
      serviceName: "CreateVpcEndpoint.ServiceName",
      vpcEndpointType: "CreateVpcEndpoint.VpcEndpointType",
      "routeTableIds[]": "CreateVpcEndpoint.RouteTableIds[]",
      "subnetIds[]": "CreateVpcEndpoint.SubnetIds[]",
      "securityGroupIds[]": "CreateVpcEndpoint.SecurityGroupIds[]",
      privateDnsEnabled: "CreateVpcEndpoint.PrivateDnsEnabled",
      policy: "CreateVpcEndpoint.PolicyDocument",
      ...EC2_TAGS,
    },
    cross: [{
      api: "CreateVpcEndpoint.RouteTableIds",
      quote: "(Gateway endpoint) The route table IDs.",
      allows: "routeTableIds only on a Gateway endpoint (the default type)",
      check: (i) => (known(i.vpcEndpointType) && i.vpcEndpointType !== "Gateway" && (i.routeTableIds ?? []).length > 0 ? { path: "routeTableIds", value: JSON.stringify(i.routeTableIds) } : undefined),
    }],
  },
  "aws:ec2/flowLog:FlowLog": {
    model: "ec2",
    fields: {
      // The provider sends the one resource id it is given, with ResourceType VPC / Subnet / NetworkInterface.
      vpcId: "CreateFlowLogs.ResourceIds[]",
      subnetId: "CreateFlowLogs.ResourceIds[]",
      eniId: "CreateFlowLogs.ResourceIds[]",
      trafficType: "CreateFlowLogs.TrafficType",
      iamRoleArn: "CreateFlowLogs.DeliverLogsPermissionArn",
      logDestination: "CreateFlowLogs.LogDestination",
      logDestinationType: "CreateFlowLogs.LogDestinationType",
      logFormat: "CreateFlowLogs.LogFormat",
      maxAggregationInterval: {
        api: "CreateFlowLogs.MaxAggregationInterval",
        prose: [oneOf("The possible values are 60 seconds (1 minute) or 600 seconds (10 minutes).", ["60", "600"])],
      },
      ...EC2_TAGS,
    },
    cross: [
      {
        api: "CreateFlowLogs.DeliverLogsPermissionArn",
        quote: "This parameter is required if the destination type is cloud-watch-logs",
        allows: "an iamRoleArn when logDestinationType is cloud-watch-logs (the default)",
        check: (i) => ((i.logDestinationType ?? "cloud-watch-logs") === "cloud-watch-logs" && i.iamRoleArn === undefined ? { path: "iamRoleArn", value: "(unset)" } : undefined),
      },
      {
        api: "CreateFlowLogs.LogDestination",
        quote: "If the destination type is cloud-watch-logs , specify the ARN of a CloudWatch Logs log group.",
        allows: "a CloudWatch Logs log group ARN (arn:aws:logs:<region>:<account>:log-group:<name>) for cloud-watch-logs",
        check: (i) => ((i.logDestinationType ?? "cloud-watch-logs") === "cloud-watch-logs" && known(i.logDestination)
          && !/^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:]+(:\*)?$/.test(String(i.logDestination)) ? { path: "logDestination", value: i.logDestination } : undefined),
      },
      {
        api: "CreateFlowLogs.LogDestination",
        quote: "Note that you can't use AWSLogs as a subfolder name.",
        allows: "an S3 destination without an AWSLogs subfolder",
        check: (i) => (i.logDestinationType === "s3" && known(i.logDestination) && /^arn:[^:]+:s3:::[^/]+\/(.*\/)?AWSLogs(\/|$)/.test(String(i.logDestination))
          ? { path: "logDestination", value: i.logDestination } : undefined),
      },
    ],
  },
  "aws:ec2/instance:Instance": {
    model: "ec2",
    fields: {
      ami: "RunInstances.ImageId",
      instanceType: "RunInstances.InstanceType",
      disableApiTermination: "RunInstances.DisableApiTermination",
      disableApiStop: "RunInstances.DisableApiStop",
      iamInstanceProfile: "RunInstances.IamInstanceProfile.Name",
      monitoring: "RunInstances.Monitoring.Enabled",
      subnetId: "RunInstances.SubnetId",
      "vpcSecurityGroupIds[]": "RunInstances.SecurityGroupIds[]",
      associatePublicIpAddress: "RunInstances.NetworkInterfaces[].AssociatePublicIpAddress",
      "primaryNetworkInterface.networkInterfaceId": "RunInstances.NetworkInterfaces[].NetworkInterfaceId",
      "metadataOptions.httpEndpoint": "RunInstances.MetadataOptions.HttpEndpoint",
      "metadataOptions.httpTokens": "RunInstances.MetadataOptions.HttpTokens",
      "metadataOptions.httpPutResponseHopLimit": { api: "RunInstances.MetadataOptions.HttpPutResponseHopLimit", prose: HOP_LIMIT },
      "metadataOptions.httpProtocolIpv6": "RunInstances.MetadataOptions.HttpProtocolIpv6",
      "metadataOptions.instanceMetadataTags": "RunInstances.MetadataOptions.InstanceMetadataTags",
      // The root volume is a block device mapping on the AMI's root device name.
      "rootBlockDevice.deleteOnTermination": "RunInstances.BlockDeviceMappings[].Ebs.DeleteOnTermination",
      "rootBlockDevice.encrypted": "RunInstances.BlockDeviceMappings[].Ebs.Encrypted",
      "rootBlockDevice.kmsKeyId": "RunInstances.BlockDeviceMappings[].Ebs.KmsKeyId",
      "rootBlockDevice.iops": "RunInstances.BlockDeviceMappings[].Ebs.Iops",
      "rootBlockDevice.throughput": "RunInstances.BlockDeviceMappings[].Ebs.Throughput",
      "rootBlockDevice.volumeSize": "RunInstances.BlockDeviceMappings[].Ebs.VolumeSize",
      "rootBlockDevice.volumeType": "RunInstances.BlockDeviceMappings[].Ebs.VolumeType",
      userDataBase64: INSTANCE_USER_DATA,
      userData: { local: "the provider base64-encodes userData into RunInstances.UserData; the size is checked by the cross rule on the raw text" },
      userDataReplaceOnChange: { local: "a provider switch: replace the instance instead of stopping it when the user data changes; not sent to AWS" },
      ...EC2_TAGS,
    },
    cross: [
      INSTANCE_USER_DATA_CROSS,
      INSTANCE_VOLUME_SIZE,
      {
        api: "RunInstances.SecurityGroupIds",
        quote: "If you specify a network interface, you must specify any security groups as part of the network interface instead of using this parameter.",
        allows: "security groups on the network interface, not vpcSecurityGroupIds, when primaryNetworkInterface is set",
        check: (i) => (i.primaryNetworkInterface !== undefined && (i.vpcSecurityGroupIds ?? []).length > 0 ? { path: "vpcSecurityGroupIds", value: JSON.stringify(i.vpcSecurityGroupIds) } : undefined),
      },
      {
        api: "RunInstances.SubnetId",
        quote: "If you specify a network interface, you must specify any subnets as part of the network interface instead of using this parameter.",
        allows: "the subnet on the network interface, not subnetId, when primaryNetworkInterface is set",
        check: (i) => (i.primaryNetworkInterface !== undefined && i.subnetId !== undefined ? { path: "subnetId", value: i.subnetId } : undefined),
      },
    ],
  },
  "aws:ec2/launchTemplate:LaunchTemplate": {
    model: "ec2",
    autoname: "name",
    fields: {
      // CreateLaunchTemplate types its LaunchTemplateName as a plain String in this model, but the
      // name the template is created with is the LaunchTemplateName shape (3-128 characters,
      // pattern [a-zA-Z0-9\(\)\.\-/_]+) that every later call addressing it by name takes
      // (ModifyLaunchTemplate, CreateLaunchTemplateVersion, DeleteLaunchTemplate); AWS's API
      // reference states the same constraints on CreateLaunchTemplate.
      name: "ModifyLaunchTemplate.LaunchTemplateName",
      description: "CreateLaunchTemplate.VersionDescription",
      updateDefaultVersion: { local: "a provider switch: after each new version, make it the default (ModifyLaunchTemplate.DefaultVersion); the boolean itself is not sent" },
      imageId: "CreateLaunchTemplate.LaunchTemplateData.ImageId",
      instanceType: "CreateLaunchTemplate.LaunchTemplateData.InstanceType",
      userData: LT_USER_DATA,
      "iamInstanceProfile.arn": "CreateLaunchTemplate.LaunchTemplateData.IamInstanceProfile.Arn",
      "iamInstanceProfile.name": "CreateLaunchTemplate.LaunchTemplateData.IamInstanceProfile.Name",
      "vpcSecurityGroupIds[]": "CreateLaunchTemplate.LaunchTemplateData.SecurityGroupIds[]",
      "monitoring.enabled": "CreateLaunchTemplate.LaunchTemplateData.Monitoring.Enabled",
      "metadataOptions.httpEndpoint": "CreateLaunchTemplate.LaunchTemplateData.MetadataOptions.HttpEndpoint",
      "metadataOptions.httpTokens": "CreateLaunchTemplate.LaunchTemplateData.MetadataOptions.HttpTokens",
      "metadataOptions.httpPutResponseHopLimit": { api: "CreateLaunchTemplate.LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit", prose: HOP_LIMIT },
      "metadataOptions.httpProtocolIpv6": "CreateLaunchTemplate.LaunchTemplateData.MetadataOptions.HttpProtocolIpv6",
      "metadataOptions.instanceMetadataTags": "CreateLaunchTemplate.LaunchTemplateData.MetadataOptions.InstanceMetadataTags",
      "blockDeviceMappings[].deviceName": "CreateLaunchTemplate.LaunchTemplateData.BlockDeviceMappings[].DeviceName",
      "blockDeviceMappings[].ebs.deleteOnTermination": "CreateLaunchTemplate.LaunchTemplateData.BlockDeviceMappings[].Ebs.DeleteOnTermination",
      "blockDeviceMappings[].ebs.encrypted": "CreateLaunchTemplate.LaunchTemplateData.BlockDeviceMappings[].Ebs.Encrypted",
      "blockDeviceMappings[].ebs.kmsKeyId": "CreateLaunchTemplate.LaunchTemplateData.BlockDeviceMappings[].Ebs.KmsKeyId",
      "blockDeviceMappings[].ebs.iops": "CreateLaunchTemplate.LaunchTemplateData.BlockDeviceMappings[].Ebs.Iops",
      "blockDeviceMappings[].ebs.throughput": "CreateLaunchTemplate.LaunchTemplateData.BlockDeviceMappings[].Ebs.Throughput",
      "blockDeviceMappings[].ebs.volumeSize": "CreateLaunchTemplate.LaunchTemplateData.BlockDeviceMappings[].Ebs.VolumeSize",
      "blockDeviceMappings[].ebs.volumeType": "CreateLaunchTemplate.LaunchTemplateData.BlockDeviceMappings[].Ebs.VolumeType",
      "networkInterfaces[].associatePublicIpAddress": "CreateLaunchTemplate.LaunchTemplateData.NetworkInterfaces[].AssociatePublicIpAddress",
      "networkInterfaces[].deleteOnTermination": "CreateLaunchTemplate.LaunchTemplateData.NetworkInterfaces[].DeleteOnTermination",
      "networkInterfaces[].deviceIndex": "CreateLaunchTemplate.LaunchTemplateData.NetworkInterfaces[].DeviceIndex",
      "networkInterfaces[].subnetId": "CreateLaunchTemplate.LaunchTemplateData.NetworkInterfaces[].SubnetId",
      "networkInterfaces[].securityGroups[]": "CreateLaunchTemplate.LaunchTemplateData.NetworkInterfaces[].Groups[]",
      "tagSpecifications[].resourceType": {
        api: "CreateLaunchTemplate.LaunchTemplateData.TagSpecifications[].ResourceType",
        prose: [oneOf("When you create a launch template, you can specify tags for the following resource types only: instance | volume | network-interface | spot-instances-request .",
          ["instance", "volume", "network-interface", "spot-instances-request"])],
      },
      ...ec2TagsAt("CreateLaunchTemplate.LaunchTemplateData.TagSpecifications[].Tags[].Key", "CreateLaunchTemplate.LaunchTemplateData.TagSpecifications[].Tags[].Value", "tagSpecifications[].tags"),
      ...EC2_TAGS,
    },
    cross: [
      LT_VOLUME_SIZE,
      {
        api: "CreateLaunchTemplate.LaunchTemplateData.SecurityGroupIds",
        quote: "If you specify a network interface, you must specify any security groups as part of the network interface instead of using this parameter.",
        allows: "security groups on networkInterfaces[].securityGroups, not vpcSecurityGroupIds, when network interfaces are set",
        check: (i) => ((i.networkInterfaces ?? []).length > 0 && (i.vpcSecurityGroupIds ?? []).length > 0 ? { path: "vpcSecurityGroupIds", value: JSON.stringify(i.vpcSecurityGroupIds) } : undefined),
      },
    ],
  },
};
