// webapp-platform: read and validate the stack config, build the platform and every app,
// export what operators need. Everything else lives in architectures/ and components/.
import { buildPlatform } from "./architectures/platform";
import { PROFILES, loadStackConfig } from "./config";

const config = loadStackConfig();
const platform = buildPlatform(config, PROFILES[config.environment]);

export const environment = platform.environment;
export const vpcId = platform.vpcId;
export const alertTopicArn = platform.alertTopicArn;
export const usEast1AlertTopicArn = platform.usEast1AlertTopicArn;
export const artifactBucket = platform.artifactBucket;
export const artifactPublisherRoleArn = platform.artifactPublisherRoleArn;
export const apps = platform.apps;
export const skippedApps = platform.skippedApps;
export const hostImages = platform.hostImages;
