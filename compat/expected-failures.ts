// Cases of the compatibility suite that fail today, each with its reason. A listed case that
// starts to pass fails the suite (remove it here), so a fix on either side is noticed.
//
// Keys are `<part>/<case>` as compat/run.ts prints them.

const NOT_SERVED = 'the Go module proxy reachable from this project\'s machines answers 403 "This module version is not available" for';

export const EXPECTED: Record<string, string> = {
  // Clients that cannot be installed here (no download sites; only proxy.golang.org, which refuses them).
  'go-official/install': `${NOT_SERVED} github.com/hyperping/hyperping-go@v0.9.0 (every version, and by commit)`,
  'terraform-hyperping/install': `${NOT_SERVED} github.com/hyperping/terraform-provider-hyperping (v2.1.0, and by commit); registry.terraform.io is not reachable either`,
  'terraform-develeap/install': `${NOT_SERVED} github.com/develeap/terraform-provider-hyperping (v2.0.0, and by commit); registry.terraform.io is not reachable either`,
  'exporter/install': `${NOT_SERVED} github.com/develeap/hyperping-exporter@v1.4.1; its SDK, develeap/hyperping-go v0.4.0, is served and part go-develeap-v0.4 runs the MCP calls the exporter makes`,

  // develeap/hyperping-go v0.7.1: faults of the SDK itself, which the hosted API fails too.
  'go-develeap/mcp/get-monitor': 'SDK: MCPClient.GetMonitor decodes into MonitorDetails, whose escalation_policy is *string, but a monitor is read with escalation_policy {uuid,name} (api-contract §2.3; official openapi.yaml Monitor.escalation_policy = EscalationPolicyRef) — the SDK\'s own REST Monitor.UnmarshalJSON accepts the object, MonitorDetails does not; any monitor with a policy fails to decode',
  'go-develeap/mcp/create-monitor-all-fields': 'SDK: MCPClient.CreateMonitor sends method, frequency, expected_status, keyword and headers, none of which create_monitor declares (it takes http_method, check_frequency, expected_status_code, required_keyword, request_headers; additionalProperties false — testdata/mcp_tools_list.json, official openapi.yaml MCPRequest_create_monitor); Vigil refuses "Unrecognized key", and a server that dropped them would still not apply them, and MonitorDetails reads them back under the same wrong names',
  'go-develeap/mcp/update-monitor-all-fields': 'SDK: MCPClient.UpdateMonitor sends method, frequency, expected_status, keyword and headers, none of which update_monitor declares (http_method, check_frequency, expected_status_code, required_keyword, request_headers; testdata/mcp_tools_list.json, official openapi.yaml MCPRequest_update_monitor), so they are refused (Vigil) or could only be ignored',

  // develeap/hyperping-go v0.7.1: features Vigil does not have.
  'go-develeap/mcp/get-on-call-schedule': 'Vigil has no on-call schedules yet: list_on_call_schedules answers {"schedules":[]}, so there is no schedule for get_on_call_schedule to read',
};
