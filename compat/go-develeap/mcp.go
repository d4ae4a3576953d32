package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	hp "github.com/develeap/hyperping-go"
)

// The SDK's MCP client (api-contract §10): initialize, then tools/call with the payload as JSON
// text in content[0]. Every MCPClient method is called. The SDK returns (nil, nil) whenever a
// payload is not the JSON type it expects, so each case also checks that something was decoded.

var mcpMade *hp.MonitorDetails

func mcpCases() {
	m, tr := mcpClient(E.Key)
	from, to := time.Now().Add(-7*24*time.Hour), time.Now().Add(time.Minute)
	httpMon := func() *monState {
		need(mons["http"] != nil, "monitors/create-http")
		return mons["http"]
	}

	run("mcp/initialize", func() error {
		res, err := tr.Initialize(ctx)
		if err != nil {
			return err
		}
		var d diff
		d.eq("protocolVersion", "2025-03-26", res["protocolVersion"])
		d.want("serverInfo", res["serverInfo"] != nil, "want serverInfo, got %s", show(res))
		return d.err("initialize result: ")
	})
	run("mcp/list-monitors", func() error {
		st := httpMon()
		r, err := m.ListMonitors(ctx, "", 0, 50)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable list_monitors payload (the SDK returned nil)")
		i := slices.IndexFunc(r.Monitors, func(x hp.Monitor) bool { return x.UUID == st.got.UUID })
		if i < 0 {
			return fmt.Errorf("monitor %s missing from %d monitors", st.got.UUID, len(r.Monitors))
		}
		var d diff
		x := r.Monitors[i]
		d.eq("name", st.want.Name, x.Name)
		d.eq("url", st.want.URL, x.URL)
		d.eq("protocol", st.want.Protocol, x.Protocol)
		d.eq("check_frequency", st.want.CheckFrequency, x.CheckFrequency)
		d.eq("paused", st.want.Paused, x.Paused)
		d.eq("limit", 50, r.Limit)
		d.want("total", r.Total >= len(r.Monitors) && r.Total >= 4, "want every monitor counted, got %d", r.Total)
		return d.err("list_monitors: ")
	})
	run("mcp/list-monitors-paused", func() error {
		need(mons["port"] != nil, "monitors/create-port")
		r, err := m.ListMonitors(ctx, "paused", 0, 0)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable list_monitors payload (the SDK returned nil)")
		var d diff
		for _, x := range r.Monitors {
			d.want(x.UUID, x.Paused, "listed under status=paused but paused is false")
		}
		d.want("port monitor", slices.ContainsFunc(r.Monitors, func(x hp.Monitor) bool { return x.UUID == mons["port"].got.UUID }), "paused monitor %s missing", mons["port"].got.UUID)
		return d.err("list_monitors status=paused: ")
	})
	run("mcp/list-monitors-page", func() error {
		r, err := m.ListMonitors(ctx, "", 1, 2)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable list_monitors payload (the SDK returned nil)")
		var d diff
		d.eq("page", 1, r.Page)
		d.eq("limit", 2, r.Limit)
		d.want("monitors", len(r.Monitors) == 2, "want 2 monitors on page 1 of %d, got %d", r.Total, len(r.Monitors))
		return d.err("list_monitors page=1 limit=2: ")
	})
	run("mcp/get-monitor", func() error {
		st := httpMon()
		r, err := m.GetMonitor(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable get_monitor payload (the SDK returned nil)")
		var d diff
		d.eq("uuid", st.got.UUID, r.UUID)
		d.eq("name", st.want.Name, r.Name)
		d.eq("url", st.want.URL, r.URL)
		d.want("status", r.Status != "", "want a status, got none")
		return d.err("get_monitor: ")
	})
	run("mcp/get-monitor-unknown", func() error {
		r, err := m.GetMonitor(ctx, "mon_compatnothere1")
		if err == nil {
			return fmt.Errorf("want an error for an unknown monitor, got %s", show(r))
		}
		return nil
	})
	run("mcp/search-monitors-by-name", func() error {
		st := httpMon()
		q := strings.ToUpper(strings.TrimPrefix(st.want.Name, "compat "))[:8]
		r, err := m.SearchMonitorsByName(ctx, q)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(r, func(x hp.Monitor) bool { return x.UUID == st.got.UUID }) {
			return fmt.Errorf("search %q: monitor %s not among %d results (the SDK decodes a bare JSON array only)", q, st.got.UUID, len(r))
		}
		return nil
	})
	run("mcp/create-monitor", func() error {
		r, err := m.CreateMonitor(ctx, hp.MCPCreateMonitorRequest{Name: "compat mcp " + randSuffix(5), URL: E.HTTPURL})
		if err != nil {
			return err
		}
		need(r != nil, "a decodable create_monitor payload (the SDK returned nil)")
		mcpMade = r
		var d diff
		d.want("uuid", strings.HasPrefix(r.UUID, "mon_"), "want mon_…, got %q", r.UUID)
		d.eq("url", E.HTTPURL, r.URL)
		if r.UUID != "" {
			g, err := c.GetMonitor(ctx, r.UUID)
			if err != nil {
				return fmt.Errorf("REST read of the MCP-made monitor: %w", err)
			}
			d.eq("REST name", r.Name, g.Name)
		}
		return d.err("create_monitor {name,url}: ")
	})
	// Every optional field of MCPCreateMonitorRequest is sent under the SDK's own key names.
	run("mcp/create-monitor-all-fields", func() error {
		r, err := m.CreateMonitor(ctx, hp.MCPCreateMonitorRequest{
			Name: "compat mcp full " + randSuffix(5), URL: E.HTTPURL, Method: "GET", Frequency: 3600, ExpectedStatus: 200,
			Regions: []string{"london"}, Keyword: "compat", Headers: map[string]string{"X-Compat": "yes"}, EscalationPolicy: fx.policyUUID,
		})
		if err != nil {
			return err
		}
		need(r != nil, "a decodable create_monitor payload (the SDK returned nil)")
		var d diff
		d.eq("frequency", 3600, r.Frequency)
		d.eq("method", "GET", r.Method)
		d.eq("expected_status", 200, r.ExpectedStatus)
		if r.UUID != "" {
			_ = c.DeleteMonitor(ctx, r.UUID)
		}
		return d.err("create_monitor: ")
	})
	run("mcp/update-monitor", func() error {
		need(mcpMade != nil && mcpMade.UUID != "", "mcp/create-monitor")
		name := mcpMade.Name + " renamed"
		r, err := m.UpdateMonitor(ctx, mcpMade.UUID, hp.MCPUpdateMonitorRequest{Name: name})
		if err != nil {
			return err
		}
		need(r != nil, "a decodable update_monitor payload (the SDK returned nil)")
		g, err := c.GetMonitor(ctx, mcpMade.UUID)
		if err != nil {
			return err
		}
		var d diff
		d.eq("name (MCP)", name, r.Name)
		d.eq("name (REST)", name, g.Name)
		return d.err("update_monitor {uuid,name}: ")
	})
	run("mcp/update-monitor-all-fields", func() error {
		need(mcpMade != nil && mcpMade.UUID != "", "mcp/create-monitor")
		r, err := m.UpdateMonitor(ctx, mcpMade.UUID, hp.MCPUpdateMonitorRequest{Frequency: 3600, Method: "HEAD", ExpectedStatus: 204, Keyword: "ok", Headers: map[string]string{"X-Compat": "yes"}})
		if err != nil {
			return err
		}
		need(r != nil, "a decodable update_monitor payload (the SDK returned nil)")
		g, err := c.GetMonitor(ctx, mcpMade.UUID)
		if err != nil {
			return err
		}
		var d diff
		d.eq("check_frequency (REST)", 3600, g.CheckFrequency)
		d.eq("http_method (REST)", "HEAD", g.HTTPMethod)
		return d.err("update_monitor: ")
	})
	run("mcp/pause-resume-monitor", func() error {
		need(mcpMade != nil && mcpMade.UUID != "", "mcp/create-monitor")
		var d diff
		if err := m.PauseMonitor(ctx, mcpMade.UUID); err != nil {
			return fmt.Errorf("pause_monitor: %w", err)
		}
		g, err := c.GetMonitor(ctx, mcpMade.UUID)
		if err != nil {
			return err
		}
		d.eq("paused after pause_monitor", true, g.Paused)
		if err := m.ResumeMonitor(ctx, mcpMade.UUID); err != nil {
			return fmt.Errorf("resume_monitor: %w", err)
		}
		g, err = c.GetMonitor(ctx, mcpMade.UUID)
		if err != nil {
			return err
		}
		d.eq("paused after resume_monitor", false, g.Paused)
		return d.err("")
	})
	run("mcp/status-summary", func() error {
		s, err := m.GetStatusSummary(ctx)
		if err != nil {
			return err
		}
		need(s != nil, "a decodable get_status_summary payload (the SDK returned nil)")
		list, err := c.ListMonitors(ctx)
		if err != nil {
			return err
		}
		paused := 0
		for _, x := range list {
			if x.Paused {
				paused++
			}
		}
		var d diff
		d.eq("total", len(list), s.Total)
		d.eq("paused", paused, s.Paused)
		d.eq("up+down+paused+unknown", s.Total, s.Up+s.Down+s.Paused+s.Unknown)
		d.eq("len(paused_monitors)", s.Paused, len(s.PausedMonitors))
		return d.err("get_status_summary vs GET /v1/monitors: ")
	})

	ongoing := func() *hp.Outage {
		o := outs["ongoing"]
		need(o != nil && o.UUID != "", "outages/create-ongoing")
		return o
	}
	run("mcp/list-outages", func() error {
		o := ongoing()
		r, err := m.ListOutages(ctx, 0)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable list_outages payload (the SDK returned nil)")
		var d diff
		d.want("total", r.Total >= 22, "want every outage counted (at least 22), got %d", r.Total)
		d.want("page 0", len(r.Outages) == 20, "want 20 outages on page 0 of %d, got %d", r.Total, len(r.Outages))
		r1, err := m.ListOutages(ctx, 1)
		if err != nil {
			return fmt.Errorf("page 1: %w", err)
		}
		need(r1 != nil, "a decodable list_outages page 1 (the SDK returned nil)")
		d.want("page 1", len(r1.Outages) == r.Total-20, "want the %d outages past the first 20, got %d", r.Total-20, len(r1.Outages))
		all := append(r.Outages, r1.Outages...)
		d.want("outages", slices.ContainsFunc(all, func(x hp.MCPOutage) bool { return x.UUID == o.UUID }), "outage %s on neither page", o.UUID)
		return d.err("list_outages: ")
	})
	run("mcp/get-outage", func() error {
		o := ongoing()
		r, err := m.GetOutage(ctx, o.UUID)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable get_outage payload (the SDK returned nil)")
		if r.UUID != o.UUID {
			return fmt.Errorf("get_outage: uuid sent %q, got %q", o.UUID, r.UUID)
		}
		return nil
	})
	run("mcp/get-outage-timeline", func() error {
		o := ongoing()
		r, err := m.GetOutageTimeline(ctx, o.UUID)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable get_outage_timeline payload (the SDK returned nil)")
		return nil
	})
	run("mcp/get-monitor-outages", func() error {
		o := ongoing()
		r, err := m.GetMonitorOutages(ctx, httpMon().got.UUID, 0)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable get_monitor_outages payload (the SDK returned nil)")
		if !slices.ContainsFunc(r.Outages, func(x hp.MCPOutage) bool { return x.UUID == o.UUID }) {
			return fmt.Errorf("outage %s missing from the monitor's %d outages", o.UUID, len(r.Outages))
		}
		return nil
	})
	run("mcp/list-recent-alerts", func() error {
		r, err := m.ListRecentAlerts(ctx)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable list_recent_alerts payload (the SDK returned nil)")
		return nil
	})
	windowed := func(name string, call func(from, to time.Time, uuids ...string) (bool, []string, error)) {
		run("mcp/"+name, func() error {
			st := httpMon()
			ok, got, err := call(from, to, st.got.UUID)
			if err != nil {
				return err
			}
			need(ok, "a decodable payload (the SDK returned nil)")
			if !slices.Contains(got, st.got.UUID) {
				return fmt.Errorf("monitors[] lacks %s: got %v", st.got.UUID, got)
			}
			ok, _, err = call(time.Time{}, time.Time{})
			if err != nil {
				return fmt.Errorf("default window, every monitor: %w", err)
			}
			need(ok, "a decodable payload for the default window (the SDK returned nil)")
			return nil
		})
	}
	windowed("uptime", func(f, t time.Time, u ...string) (bool, []string, error) {
		r, err := m.GetMonitorUptime(ctx, f, t, u...)
		if r == nil {
			return false, nil, err
		}
		var ids []string
		for _, x := range r.Monitors {
			ids = append(ids, x.UUID)
		}
		return true, ids, err
	})
	windowed("response-time", func(f, t time.Time, u ...string) (bool, []string, error) {
		r, err := m.GetMonitorResponseTime(ctx, f, t, u...)
		if r == nil {
			return false, nil, err
		}
		var ids []string
		for _, x := range r.Monitors {
			ids = append(ids, x.UUID)
		}
		return true, ids, err
	})
	windowed("mttr", func(f, t time.Time, u ...string) (bool, []string, error) {
		r, err := m.GetMonitorMttr(ctx, f, t, u...)
		if r == nil {
			return false, nil, err
		}
		var ids []string
		for _, x := range r.Monitors {
			ids = append(ids, x.UUID)
		}
		return true, ids, err
	})
	run("mcp/mtta", func() error {
		r, err := m.GetMonitorMtta(ctx, from, to, httpMon().got.UUID)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable get_monitor_mtta payload (the SDK returned nil)")
		r, err = m.GetMonitorMtta(ctx, time.Time{}, time.Time{})
		if err != nil {
			return fmt.Errorf("default window: %w", err)
		}
		need(r != nil, "a decodable payload for the default window (the SDK returned nil)")
		return nil
	})
	run("mcp/anomalies", func() error {
		_, err := m.GetMonitorAnomalies(ctx, httpMon().got.UUID)
		return err
	})
	run("mcp/http-logs", func() error {
		r, err := m.GetMonitorHttpLogs(ctx, httpMon().got.UUID)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable get_monitor_http_logs payload (the SDK returned nil)")
		return nil
	})
	run("mcp/list-escalation-policies", func() error {
		r, err := m.ListEscalationPolicies(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(r, func(p hp.EscalationPolicy) bool { return p.UUID == fx.policyUUID })
		if i < 0 {
			return fmt.Errorf("policy %s missing from %d decoded policies (the SDK decodes a bare JSON array only)", fx.policyUUID, len(r))
		}
		if r[i].Name != fx.policyName {
			return fmt.Errorf("name: sent %q, got %q", fx.policyName, r[i].Name)
		}
		return nil
	})
	run("mcp/get-escalation-policy", func() error {
		r, err := m.GetEscalationPolicy(ctx, fx.policyUUID)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable get_escalation_policy payload (the SDK returned nil)")
		var d diff
		d.eq("uuid", fx.policyUUID, r.UUID)
		d.eq("name", fx.policyName, r.Name)
		d.want("steps", len(r.Steps) == 1, "want the 1 step, got %d", len(r.Steps))
		return d.err("get_escalation_policy: ")
	})
	run("mcp/list-integrations", func() error {
		r, err := m.ListIntegrations(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(r, func(p hp.Integration) bool { return p.UUID == fx.integrationUUID })
		if i < 0 {
			return fmt.Errorf("integration %s missing from %d decoded integrations (the SDK decodes a bare JSON array only)", fx.integrationUUID, len(r))
		}
		var d diff
		d.eq("name", fx.integrationName, r[i].Name)
		d.eq("type", "webhook", r[i].Type)
		return d.err("list_integrations: ")
	})
	run("mcp/get-integration", func() error {
		r, err := m.GetIntegration(ctx, fx.integrationUUID)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable get_integration payload (the SDK returned nil)")
		var d diff
		d.eq("uuid", fx.integrationUUID, r.UUID)
		d.eq("name", fx.integrationName, r.Name)
		d.eq("type", "webhook", r.Type)
		return d.err("get_integration: ")
	})
	run("mcp/list-team-members", func() error {
		_, err := m.ListTeamMembers(ctx)
		return err
	})
	var schedules []hp.OnCallSchedule
	run("mcp/list-on-call-schedules", func() error {
		var err error
		schedules, err = m.ListOnCallSchedules(ctx)
		return err
	})
	run("mcp/get-on-call-schedule", func() error {
		need(len(schedules) > 0, "an on-call schedule to read (mcp/list-on-call-schedules returned none, and neither the SDK nor Hyperping's API can create one)")
		r, err := m.GetOnCallSchedule(ctx, schedules[0].UUID)
		if err != nil {
			return err
		}
		need(r != nil, "a decodable get_on_call_schedule payload (the SDK returned nil)")
		if r.UUID != schedules[0].UUID {
			return fmt.Errorf("uuid: sent %q, got %q", schedules[0].UUID, r.UUID)
		}
		return nil
	})
}
