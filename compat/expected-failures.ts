// Cases of the compatibility suite that fail today, each with its reason. A listed case that
// starts to pass fails the suite (remove it here), so a fix on either side is noticed.
//
// Keys are `<part>/<case>` as compat/run.ts prints them.

const PY_SDK = 'the Python SDK (hyperping 1.9.0)';
const NOT_SERVED =
  'the Go module proxy reachable from this project\'s machines answers 403 "This module version is not available" for';

export const EXPECTED: Record<string, string> = {
  // Clients that cannot be installed here (no download sites; only proxy.golang.org, which refuses them).
  'go-official/install': `${NOT_SERVED} github.com/hyperping/hyperping-go@v0.9.0 (every version, and by commit)`,
  'terraform-hyperping/install': `${NOT_SERVED} github.com/hyperping/terraform-provider-hyperping (v2.1.0, and by commit); registry.terraform.io is not reachable either`,
  'terraform-develeap/install': `${NOT_SERVED} github.com/develeap/terraform-provider-hyperping (v2.0.0, and by commit); registry.terraform.io is not reachable either`,
  'exporter/install': `${NOT_SERVED} github.com/develeap/hyperping-exporter@v1.4.1; its SDK, develeap/hyperping-go v0.4.0, is served and part go-develeap-v0.4 runs the MCP calls the exporter makes`,

  // develeap/hyperping-go v0.7.1: faults of the SDK itself, which the hosted API fails too.
  'go-develeap/mcp/get-monitor':
    "SDK: MCPClient.GetMonitor decodes into MonitorDetails, whose escalation_policy is *string, but a monitor is read with escalation_policy {uuid,name} (api-contract §2.3; official openapi.yaml Monitor.escalation_policy = EscalationPolicyRef) — the SDK's own REST Monitor.UnmarshalJSON accepts the object, MonitorDetails does not; any monitor with a policy fails to decode",
  'go-develeap/mcp/create-monitor-all-fields':
    'SDK: MCPClient.CreateMonitor sends method, frequency, expected_status, keyword and headers, none of which create_monitor declares (it takes http_method, check_frequency, expected_status_code, required_keyword, request_headers; additionalProperties false — testdata/mcp_tools_list.json, official openapi.yaml MCPRequest_create_monitor); Vigil drops them as the hosted server does, so the monitor is made without those settings, and MonitorDetails reads them back under the same wrong names',
  'go-develeap/mcp/update-monitor-all-fields':
    'SDK: MCPClient.UpdateMonitor sends method, frequency, expected_status, keyword and headers, none of which update_monitor declares (http_method, check_frequency, expected_status_code, required_keyword, request_headers; testdata/mcp_tools_list.json, official openapi.yaml MCPRequest_update_monitor), so they can only be dropped (Vigil drops them, as the hosted server does) and nothing changes',

  // develeap/hyperping-go v0.7.1: features Vigil does not have.
  'go-develeap/mcp/get-on-call-schedule':
    'Vigil has no on-call schedules yet: list_on_call_schedules answers {"schedules":[]}, so there is no schedule for get_on_call_schedule to read',

  // Python SDK (PyPI hyperping 1.9.0), compat/python/run.py. Each entry below fails against the
  // hosted API too: the SDK sends or reads shapes the hosted contract does not have (api-contract.md
  // sections, the official hyperping-go openapi.yaml, the develeap hyperping-go v0.7.1 MCP models it
  // cites as [GO]), or reads what Vigil does not have yet. The request and the answer behind each
  // are in artifacts/compat/python.log. Where Vigil could still honour the SDK, the reason says so.
  'python/monitors/region-oregon': `${PY_SDK} offers hyperping.Region.OREGON, but api-contract §2.2 lists 18 regions without "oregon" (a Terraform migration-helper mistake, not an API region), so POST /v1/monitors with regions ["oregon"] is refused (Vigil: 422 "regions[0] must be one of …")`,
  'python/monitors/read-options-method': `${PY_SDK}'s HttpMethod enum lacks OPTIONS, which api-contract §2.2 and the official openapi.yaml allow; a monitor using OPTIONS (made by any other client) makes get_monitor raise a pydantic ValidationError and list_monitors drop it`,
  'python/monitors/down-flag': `${PY_SDK}'s Monitor.down is never in a Hyperping answer: api-contract §2.3 carries the state as status "up"|"down", so Monitor.down stays False for a down monitor`,
  'python/healthchecks/create-period': `${PY_SDK}'s HealthcheckCreate sends {name, period, grace}; api-contract §3.2 and the official openapi.yaml require grace_period_value and grace_period_type (period_value/period_type for the period), so the create is refused (422 "grace_period_value is required"); and the SDK reads the 201 {"message","healthcheck":{…}} unwrapped (§1.7)`,
  'python/healthchecks/read-period': `${PY_SDK}'s get_healthcheck validates GET /v2/healthchecks/{uuid} unwrapped, but the answer is {"healthcheck":{…}} (api-contract §1.7, recorded), and its Healthcheck model requires a "grace" key no Hyperping answer has (§3.3: gracePeriod)`,
  'python/healthchecks/read-cron': `${PY_SDK}'s get_healthcheck reads the wrapped {"healthcheck":{…}} unwrapped (api-contract §1.7) and requires integer "period" and "grace" keys (§3.3 has period, null without a period, and gracePeriod); HealthcheckCreate cannot express a cron at all`,
  'python/healthchecks/list': `${PY_SDK}'s Healthcheck model requires "grace" (and an integer "period"), which list items never carry (api-contract §3.3: gracePeriod), so list_healthchecks drops every item and returns []`,
  'python/healthchecks/update': `${PY_SDK}'s HealthcheckUpdate sends period/grace (seconds), which api-contract §3.2 does not define (period_value/period_type, grace_period_value/grace_period_type), so the period is left unchanged; the PUT answer {"message","healthcheck":{…}} is read unwrapped (§1.7). Vigil could accept period/grace as seconds`,
  'python/healthchecks/pause': `${PY_SDK}'s pause_healthcheck validates the answer as a full Healthcheck, but api-contract §3.1 answers {"message","uuid"} (official openapi.yaml: HealthcheckAction); the server does pause it`,
  'python/healthchecks/resume': `${PY_SDK}'s resume_healthcheck validates the answer as a full Healthcheck, but api-contract §3.1 answers {"message","uuid"} (official openapi.yaml: HealthcheckAction); the server does resume it`,
  'python/maintenance/list-status-filter': `${PY_SDK}'s list_maintenance(status=…) sends ?status= with its own words (scheduled, in_progress, completed); GET /v1/maintenance-windows takes no filter (api-contract §5.1 and §11) and its statuses are upcoming, ongoing, completed (§5.3): every window is listed`,
  'python/outages/create': `${PY_SDK}'s create_outage sends only {"monitor_uuid"}; api-contract §6.2 (official openapi.yaml CreateOutageRequest) requires monitorUuid, startDate, statusCode, description, outageType, so it is refused (422 "monitorUuid is required"), and the SDK reads the 201 {"message","outage":{…}} unwrapped (§1.7)`,
  'python/outages/get': `${PY_SDK}'s get_outage validates GET /v2/outages/{uuid} unwrapped; the recorded answer is {"outage":{…}} (api-contract §1.7 and §6.1)`,
  'python/outages/list-fields': `${PY_SDK}'s Outage model reads monitorUuid, startedAt, endedAt, acknowledged, resolved; Hyperping outages carry monitor.uuid, startDate, endDate, acknowledgedAt, isResolved (api-contract §6.3, recorded), so those fields are always None/False`,
  'python/outages/acknowledge': `${PY_SDK}'s OutageAction model requires "status"; api-contract §6.1 answers {"message"} (official openapi.yaml OutageAction) or {"message","uuid"}, so acknowledge_outage raises although the server acknowledged`,
  'python/outages/unacknowledge': `${PY_SDK}'s OutageAction model requires "status"; api-contract §6.1 answers {"message"} or {"message","uuid"}, so unacknowledge_outage raises although the server did it`,
  'python/outages/escalate': `${PY_SDK}'s OutageAction model requires "status"; api-contract §6.1 answers {"message"} or {"message","uuid"}, so escalate_outage raises although the server did it`,
  'python/outages/resolve': `${PY_SDK}'s OutageAction model requires "status"; api-contract §6.1 answers {"message"} or {"message","uuid"}, so resolve_outage raises although the server resolved it`,
  'python/statuspages/create': `${PY_SDK}'s create_status_page reads the 201 {"message","statuspage":{…}} unwrapped (api-contract §1.7, recorded); its StatusPageCreate sends monitors/public/customDomain, which §8.2 does not define (monitors go in sections), so the page is made without them`,
  'python/statuspages/get': `${PY_SDK}'s get_status_page validates GET /v2/statuspages/{uuid} unwrapped; the recorded answer is {"statuspage":{…}} (api-contract §1.7 and §8.1)`,
  'python/statuspages/read-sections': `${PY_SDK}'s get_status_page reads the wrapped {"statuspage":{…}} unwrapped (api-contract §1.7); its models have no sections at all, so a page with sections and groups cannot be read or written through it`,
  'python/statuspages/update': `${PY_SDK}'s update_status_page reads the 200 {"message","statuspage":{…}} unwrapped (api-contract §1.7, recorded); the server does apply the update`,
  'python/subscribers/add': `${PY_SDK}'s add_subscriber sends {"email"} without the "type" that api-contract §9 and the official openapi.yaml AddSubscriberRequest require (422 "type is required"), and reads the 201 {"message","subscriber":{…}} unwrapped with a string id (§9: numeric id). Vigil could default type to email when only email is given, but the answer would still not parse`,
  'python/subscribers/list': `${PY_SDK}'s StatusPageSubscriber model wants a string id; subscriber ids are numbers (api-contract §1.5 and §9, recorded 17705), so list_subscribers drops every subscriber`,
  'python/subscribers/list-type': `${PY_SDK}'s StatusPageSubscriber model wants a string id; subscriber ids are numbers (api-contract §9), so list_subscribers(subscriber_type=…) drops every subscriber`,
  'python/mcp/status-summary': `${PY_SDK}'s StatusSummary wants down_monitors/paused_monitors as objects; the MCP tool returns monitor uuid strings (official openapi.yaml StatusSummary items: string; develeap hyperping-go v0.7.1 [GO] probed the live server: []string)`,
  'python/mcp/on-call-schedule-get':
    'Vigil has no on-call schedules yet: list_on_call_schedules is always empty, so get_on_call_schedule has nothing to read',
  'python/mcp/escalation-policies': `${PY_SDK}'s EscalationStep model requires a step "uuid"; MCP policy steps are {delay, target_type, target_id} (official openapi.yaml EscalationStep; [GO] mcp_models.go)`,
  'python/mcp/escalation-policy-get': `${PY_SDK}'s EscalationStep model requires a step "uuid"; MCP policy steps are {delay, target_type, target_id} (official openapi.yaml EscalationStep; [GO] mcp_models.go)`,
  'python/mcp/integrations': `${PY_SDK}'s Integration model requires "channel"; MCP integrations carry "type" (official openapi.yaml MCPIntegration {uuid, name, type}; [GO] mcp_models.go)`,
  'python/mcp/integration-get': `${PY_SDK}'s Integration model requires "channel"; MCP integrations carry "type" (official openapi.yaml MCPIntegration {uuid, name, type}; [GO] mcp_models.go)`,
  'python/mcp/http-logs': `${PY_SDK}'s ProbeLogResponse reads "pings"; get_monitor_http_logs answers {uuid, …, logs:[…]} ([GO] mcp_models.go ProbeLogResponse; api-contract §10), so the SDK's list is always empty`,
  'python/mcp/anomalies': `${PY_SDK}'s MonitorAnomaly requires an integer "id" and "timestamp"; anomalies are {uuid, monitor_uuid, detected_at, score, type} ([GO] mcp_models.go MonitorAnomaly)`,
  'python/mcp/outage-timeline': `${PY_SDK}'s OutageTimeline requires "outage", "monitor" and "timeline"; get_outage_timeline answers {uuid, monitor_uuid, events:[…]} ([GO] mcp_models.go OutageTimeline; Vigil adds outage and checks)`,
  'python/async/healthchecks': `${PY_SDK}'s async healthcheck methods share the sync models and bodies: see python/healthchecks/* (period/grace, unwrapped reads, "grace" never returned)`,
  'python/async/outages': `${PY_SDK}'s async outage methods share the sync models and bodies: see python/outages/create, get, acknowledge (monitor_uuid body, unwrapped reads, OutageAction.status)`,
  'python/async/statuspages': `${PY_SDK}'s async status page and subscriber methods share the sync models: see python/statuspages/get, python/subscribers/* (unwrapped reads, {"email"} body, string ids)`,
  'python/async/mcp': `${PY_SDK}'s async MCP client shares the sync models and arguments: see python/mcp/status-summary, escalation-policies, integrations, anomalies, http-logs, outage-timeline`,
  'python/async/mcp-on-call-schedule-get':
    'Vigil has no on-call schedules yet: list_on_call_schedules is always empty, so get_on_call_schedule has nothing to read',
};
