package main

import (
	"fmt"
	"slices"
	"time"

	hp "github.com/develeap/hyperping-go"
)

// What the exporter's metrics are about, created with the same SDK.
var data struct {
	http, port *hp.Monitor
	hc         *hp.Healthcheck
	sp         *hp.StatusPage
	inc        *hp.Incident
	mw         *hp.Maintenance
	ongoing    *hp.Outage
	resolved   *hp.Outage
}

func setupCases() {
	tag := randSuffix(5)
	run("setup/monitors", func() error {
		var err error
		data.http, err = c.CreateMonitor(ctx, hp.CreateMonitorRequest{
			Name: "exporter http " + tag, URL: E.HTTPURL, Protocol: "http", CheckFrequency: 3600, Regions: []string{"london", "virginia"},
		})
		if err != nil {
			return fmt.Errorf("http monitor: %w", err)
		}
		data.port, err = c.CreateMonitor(ctx, hp.CreateMonitorRequest{
			Name: "exporter port " + tag, URL: "http://" + E.Host, Protocol: "port", Port: ptr(E.TCPPort), CheckFrequency: 3600, Paused: true, Regions: []string{"paris"},
		})
		if err != nil {
			return fmt.Errorf("port monitor: %w", err)
		}
		return nil
	})
	run("setup/healthcheck", func() error {
		var err error
		data.hc, err = c.CreateHealthcheck(ctx, hp.CreateHealthcheckRequest{
			Name: "exporter heartbeat " + tag, PeriodValue: ptr(1), PeriodType: ptr("hours"), GracePeriodValue: 5, GracePeriodType: "minutes",
		})
		return err
	})
	run("setup/incident", func() error {
		var err error
		if data.sp, err = c.CreateStatusPage(ctx, hp.CreateStatusPageRequest{Name: "exporter page " + tag}); err != nil {
			return fmt.Errorf("status page: %w", err)
		}
		data.inc, err = c.CreateIncident(ctx, hp.CreateIncidentRequest{
			Title: hp.LocalizedText{En: "exporter incident " + tag}, Text: hp.LocalizedText{En: "open"}, Type: "incident",
			StatusPages: []string{data.sp.UUID},
			Updates:     []hp.AddIncidentUpdateRequest{{Text: hp.LocalizedText{En: "looking"}, Type: "investigating", Date: iso(time.Now())}},
		})
		return err
	})
	run("setup/maintenance", func() error {
		need(data.http != nil, "setup/monitors")
		var err error
		data.mw, err = c.CreateMaintenance(ctx, hp.CreateMaintenanceRequest{
			Name: "exporter window " + tag, StartDate: iso(time.Now().Add(-10 * time.Minute)), EndDate: iso(time.Now().Add(time.Hour)),
			Monitors: []string{data.http.UUID},
		})
		return err
	})
	run("setup/outages", func() error {
		need(data.http != nil, "setup/monitors")
		var err error
		data.ongoing, err = c.CreateOutage(ctx, hp.CreateOutageRequest{
			MonitorUUID: data.http.UUID, StartDate: iso(time.Now().Add(-20 * time.Minute)), StatusCode: 503, Description: "exporter ongoing " + tag, OutageType: "manual",
		})
		if err != nil {
			return fmt.Errorf("ongoing: %w", err)
		}
		data.resolved, err = c.CreateOutage(ctx, hp.CreateOutageRequest{
			MonitorUUID: data.http.UUID, StartDate: iso(time.Now().Add(-3 * time.Hour)), EndDate: ptr(iso(time.Now().Add(-2 * time.Hour))),
			StatusCode: 500, Description: "exporter resolved " + tag, OutageType: "manual",
		})
		if err != nil {
			return fmt.Errorf("resolved: %w", err)
		}
		return nil
	})
}

// restCases: the reads of fetchCoreData and fetchReports, checked on the fields the exporter
// turns into metrics and labels.
func restCases() {
	run("rest/list-monitors", func() error {
		need(data.http != nil && data.port != nil, "setup/monitors")
		list, err := c.ListMonitors(ctx)
		if err != nil {
			return err
		}
		var d diff
		for _, want := range []*hp.Monitor{data.http, data.port} {
			i := slices.IndexFunc(list, func(m hp.Monitor) bool { return m.UUID == want.UUID })
			if i < 0 {
				d.want(want.UUID, false, "missing from the list of %d", len(list))
				continue
			}
			m := list[i]
			p := want.Protocol + "."
			d.eq(p+"name", want.Name, m.Name)
			d.want(p+"status (hyperping_monitor_up)", m.Status == "up" || m.Status == "down", "want up or down, got %q", m.Status)
			d.eq(p+"paused (hyperping_monitor_paused)", want.Paused, m.Paused)
			d.eq(p+"check_frequency (check_interval_seconds)", want.CheckFrequency, m.CheckFrequency)
			d.eq(p+"protocol (monitor_info)", want.Protocol, m.Protocol)
			d.eq(p+"url (monitor_info)", want.URL, m.URL)
			d.eq(p+"projectUuid (monitor_info)", E.ProjectUUID, m.ProjectUUID)
			d.eq(p+"http_method (monitor_info)", want.HTTPMethod, m.HTTPMethod)
			d.eq(p+"regions (up_by_region)", want.Regions, m.Regions)
		}
		return d.err("ListMonitors: ")
	})
	run("rest/list-healthchecks", func() error {
		need(data.hc != nil, "setup/healthcheck")
		list, err := c.ListHealthchecks(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(list, func(h hp.Healthcheck) bool { return h.UUID == data.hc.UUID })
		if i < 0 {
			return fmt.Errorf("healthcheck %s missing from the list of %d", data.hc.UUID, len(list))
		}
		h := list[i]
		var d diff
		d.eq("name", data.hc.Name, h.Name)
		d.eq("isDown (healthcheck_up)", false, h.IsDown)
		d.eq("isPaused (healthcheck_paused)", false, h.IsPaused)
		d.eq("period (period_seconds)", 3600, h.Period)
		return d.err("ListHealthchecks: ")
	})
	run("rest/list-outages", func() error {
		need(data.ongoing != nil && data.resolved != nil, "setup/outages")
		list, err := c.ListOutages(ctx)
		if err != nil {
			return err
		}
		var d diff
		for _, want := range []*hp.Outage{data.ongoing, data.resolved} {
			i := slices.IndexFunc(list, func(o hp.Outage) bool { return o.UUID == want.UUID })
			if i < 0 {
				d.want(want.UUID, false, "missing from the list of %d", len(list))
				continue
			}
			o := list[i]
			ongoing := want == data.ongoing
			p := map[bool]string{true: "ongoing.", false: "resolved."}[ongoing]
			d.eq(p+"isResolved", !ongoing, o.IsResolved)
			d.want(p+"endDate", (o.EndDate == nil) == ongoing, "ongoing=%v but endDate %s", ongoing, show(o.EndDate))
			d.eq(p+"monitor.uuid (outage_active)", data.http.UUID, o.Monitor.UUID)
			d.eq(p+"statusCode (active_outage_status_code)", want.StatusCode, o.StatusCode)
		}
		return d.err("ListOutages: ")
	})
	for _, p := range []struct {
		name string
		dur  time.Duration
	}{{"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}} {
		run("rest/list-reports-"+p.name, func() error {
			need(data.http != nil && data.resolved != nil, "setup/monitors and setup/outages")
			now := time.Now().UTC()
			list, err := c.ListMonitorReports(ctx, now.Add(-p.dur).Format(time.RFC3339), now.Format(time.RFC3339))
			if err != nil {
				return err
			}
			i := slices.IndexFunc(list, func(r hp.MonitorReport) bool { return r.UUID == data.http.UUID })
			if i < 0 {
				return fmt.Errorf("monitor %s missing from %d reports", data.http.UUID, len(list))
			}
			r := list[i]
			var d diff
			d.eq("name", data.http.Name, r.Name)
			d.want("sla (sla_ratio = sla/100)", r.SLA > 0 && r.SLA < 100, "want a percentage below 100 after the outages, got %v", r.SLA)
			d.want("outages.count", r.Outages.Count >= 1, "want the resolved outage at least, got %d", r.Outages.Count)
			d.want("outages.totalDowntime", r.Outages.TotalDowntime >= 3600, "want at least the resolved hour, got %d", r.Outages.TotalDowntime)
			d.want("outages.longestOutage", r.Outages.LongestOutage >= 3600, "want at least 3600, got %d", r.Outages.LongestOutage)
			d.want("mttr", r.MTTR > 0, "want a recovery time, got %d", r.MTTR)
			return d.err("ListMonitorReports(" + p.name + "): ")
		})
	}
	run("rest/list-maintenance", func() error {
		need(data.mw != nil && data.mw.UUID != "", "setup/maintenance")
		list, err := c.ListMaintenance(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(list, func(m hp.Maintenance) bool { return m.UUID == data.mw.UUID })
		if i < 0 {
			return fmt.Errorf("window %s missing from the list of %d", data.mw.UUID, len(list))
		}
		m := list[i]
		var d diff
		d.eq("monitors (monitor_in_maintenance)", []string{data.http.UUID}, m.Monitors)
		d.eq("status (maintenance_windows_active)", "ongoing", m.Status)
		d.want("start_date/end_date", m.StartDate != nil && m.EndDate != nil, "want both dates, got %s / %s", show(m.StartDate), show(m.EndDate))
		return d.err("ListMaintenance: ")
	})
	run("rest/list-incidents", func() error {
		need(data.inc != nil && data.inc.UUID != "", "setup/incident")
		list, err := c.ListIncidents(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(list, func(x hp.Incident) bool { return x.UUID == data.inc.UUID })
		if i < 0 {
			return fmt.Errorf("incident %s missing from the list of %d", data.inc.UUID, len(list))
		}
		x := list[i]
		var d diff
		d.want("updates (incidents_open)", len(x.Updates) == 1 && x.Updates[0].Type == "investigating", "want the one investigating update, got %s", show(x.Updates))
		return d.err("ListIncidents: ")
	})
}

// mcpCases: fetchMcpData with SDK v0.4.0's MCP client and transport.
func mcpCases() {
	m, tr := mcpClient(E.Key)
	uuid := func() string {
		need(data.http != nil, "setup/monitors")
		return data.http.UUID
	}
	run("mcp/initialize", func() error {
		res, err := tr.Initialize(ctx)
		if err != nil {
			return err
		}
		if res["protocolVersion"] == nil {
			return fmt.Errorf("initialize result without protocolVersion: %s", show(res))
		}
		return nil
	})
	// SDK v0.4.0 omits "arguments" when a tool takes none (fixed in v0.7.1).
	run("mcp/list-recent-alerts", func() error {
		r, err := m.ListRecentAlerts(ctx)
		if err != nil {
			return err
		}
		need(r != nil, "a decoded AlertHistory (nil here makes the exporter dereference nil at alerts.Total)")
		return nil
	})
	// SDK v0.4.0 sends {"uuid": …} to the windowed tools (v0.7.0 changed it to monitor_uuids).
	run("mcp/response-time", func() error {
		r, err := m.GetMonitorResponseTime(ctx, uuid())
		if err != nil {
			return err
		}
		need(r != nil, "a decoded ResponseTimeReport (nil here makes the exporter dereference nil at report.Avg)")
		return nil
	})
	run("mcp/mtta", func() error {
		r, err := m.GetMonitorMtta(ctx, uuid())
		if err != nil {
			return err
		}
		need(r != nil, "a decoded MttaReport (nil here makes the exporter dereference nil at report.AvgWait)")
		return nil
	})
	run("mcp/anomalies", func() error {
		a, err := m.GetMonitorAnomalies(ctx, uuid())
		if err != nil {
			return err
		}
		for _, x := range a {
			if x.Score < 0 {
				return fmt.Errorf("anomaly score %v", x.Score)
			}
		}
		return nil
	})
}
