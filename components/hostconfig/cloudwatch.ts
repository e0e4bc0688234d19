/**
 * The CloudWatch agent's configuration: nginx and app logs to the app's log groups, memory
 * and disk metrics under the platform's host namespace (the instance role may publish only
 * there).
 */
import { accessLogPath, errorLogPath } from "./nginx";
import { HOST_METRICS_NAMESPACE, ResolvedHost } from "./input";

export const CLOUDWATCH_AGENT_CTL = "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl";

export function cloudwatchConfigPath(r: ResolvedHost): string {
  return `${r.etcDir}/cloudwatch-agent.json`;
}

export function renderCloudWatchConfig(r: ResolvedHost): string {
  const app = { App: r.app };
  const files = [
    { file_path: accessLogPath(r), log_group_name: r.logGroups.nginxAccess, log_stream_name: "{instance_id}" },
    { file_path: errorLogPath(r), log_group_name: r.logGroups.nginxError, log_stream_name: "{instance_id}" },
    // Compose services log to the app group through Docker's awslogs driver instead.
    ...(r.kind === "compose" ? [] : [{ file_path: `${r.appLogDir}/app.log`, log_group_name: r.logGroups.app, log_stream_name: "{instance_id}" }]),
    { file_path: "/var/log/cloud-init-output.log", log_group_name: r.logGroups.app, log_stream_name: "{instance_id}/boot" },
  ];
  const config = {
    agent: { metrics_collection_interval: 60, run_as_user: "root" },
    metrics: {
      namespace: HOST_METRICS_NAMESPACE,
      append_dimensions: { InstanceId: "${aws:InstanceId}" },
      metrics_collected: {
        mem: { measurement: ["mem_used_percent"], append_dimensions: app },
        disk: { measurement: ["used_percent"], resources: ["/"], drop_device: true, append_dimensions: app },
      },
    },
    logs: { logs_collected: { files: { collect_list: files } } },
  };
  return JSON.stringify(config) + "\n";
}
