package main

import (
	"errors"
	"fmt"
	"time"

	hp "github.com/develeap/hyperping-go"
)

// The SDK's error values against Vigil's refusals: auth-spec.md for 401/403 (the SDK maps both
// to ErrUnauthorized), 404 for unknown ids and for another project's resources, 400/422 for
// input the server must refuse. Each invalid input here passes the SDK's own Validate (which
// only checks lengths), so the refusal is the server's.

// expectStatus checks an SDK error against the helper it should satisfy and the exact status.
func expectStatus(err error, status int, is func(error) bool, helper string, message string) error {
	if err == nil {
		return fmt.Errorf("want HTTP %d (%s), got success", status, helper)
	}
	var d diff
	d.want(helper, is(err), "false for %v", err)
	d.eq("status", status, apiStatus(err))
	if message != "" {
		d.eq("message", message, apiMessage(err))
	}
	return d.err("")
}

func expectValidation(err error) error {
	if err == nil {
		return fmt.Errorf("want 400/422 (IsValidation), got success")
	}
	if !hp.IsValidation(err) {
		return fmt.Errorf("want IsValidation (400/422), got %v", err)
	}
	if apiMessage(err) == "" {
		return fmt.Errorf("want a message, got none")
	}
	return nil
}

var other struct {
	mon *hp.Monitor
	hc  *hp.Healthcheck
	sp  *hp.StatusPage
	inc *hp.Incident
	mw  *hp.Maintenance
	out *hp.Outage
}

func errorCases() {
	bad := "sk_" + randSuffix(32)
	run("errors/401-bad-key", func() error {
		_, err := restClient(bad).ListMonitors(ctx)
		return expectStatus(err, 401, hp.IsUnauthorized, "IsUnauthorized", "Invalid or missing API key")
	})
	run("errors/401-bad-key-write", func() error {
		_, err := restClient(bad).CreateMonitor(ctx, hp.CreateMonitorRequest{Name: "x", URL: E.HTTPURL, Protocol: "http"})
		return expectStatus(err, 401, hp.IsUnauthorized, "IsUnauthorized", "Invalid or missing API key")
	})
	run("errors/401-mcp-bad-key", func() error {
		m, _ := mcpClient(bad)
		_, err := m.GetStatusSummary(ctx)
		if !errors.Is(err, hp.ErrUnauthorized) {
			return fmt.Errorf("want ErrUnauthorized, got %v", err)
		}
		return nil
	})
	run("errors/readonly-read", func() error {
		_, err := restClient(E.ReadOnlyKey).ListMonitors(ctx)
		return err
	})
	run("errors/403-readonly-create", func() error {
		_, err := restClient(E.ReadOnlyKey).CreateMonitor(ctx, hp.CreateMonitorRequest{Name: "compat ro", URL: E.HTTPURL, Protocol: "http"})
		return expectStatus(err, 403, hp.IsUnauthorized, "IsUnauthorized", "Insufficient permissions for this action")
	})
	run("errors/403-readonly-update", func() error {
		need(mons["http"] != nil, "monitors/create-http")
		_, err := restClient(E.ReadOnlyKey).PauseMonitor(ctx, mons["http"].got.UUID)
		return expectStatus(err, 403, hp.IsUnauthorized, "IsUnauthorized", "Insufficient permissions for this action")
	})
	run("errors/403-readonly-delete", func() error {
		need(mons["http"] != nil, "monitors/create-http")
		err := restClient(E.ReadOnlyKey).DeleteMonitor(ctx, mons["http"].got.UUID)
		return expectStatus(err, 403, hp.IsUnauthorized, "IsUnauthorized", "Insufficient permissions for this action")
	})
	run("errors/403-readonly-action", func() error {
		need(hcs["period"] != nil, "healthchecks/create-period")
		_, err := restClient(E.ReadOnlyKey).PauseHealthcheck(ctx, hcs["period"].got.UUID)
		return expectStatus(err, 403, hp.IsUnauthorized, "IsUnauthorized", "Insufficient permissions for this action")
	})
	run("errors/403-readonly-mcp", func() error {
		m, _ := mcpClient(E.ReadOnlyKey)
		_, err := m.GetStatusSummary(ctx)
		if !errors.Is(err, hp.ErrUnauthorized) {
			return fmt.Errorf("want ErrUnauthorized (MCP is a POST: 403 for a read-only key), got %v", err)
		}
		return nil
	})

	// Unknown ids of every resource: 404 and IsNotFound.
	notFound := func(name string, call func() error) {
		run("errors/404-unknown-"+name, func() error {
			return expectStatus(call(), 404, hp.IsNotFound, "IsNotFound", "")
		})
	}
	notFound("monitor", func() error { _, err := c.GetMonitor(ctx, "mon_compatnothere1"); return err })
	notFound("monitor-update", func() error {
		_, err := c.UpdateMonitor(ctx, "mon_compatnothere1", hp.UpdateMonitorRequest{Name: ptr("x")})
		return err
	})
	notFound("monitor-delete", func() error { return c.DeleteMonitor(ctx, "mon_compatnothere1") })
	notFound("healthcheck", func() error { _, err := c.GetHealthcheck(ctx, "tok_compatnothere0000000000"); return err })
	notFound("healthcheck-pause", func() error { _, err := c.PauseHealthcheck(ctx, "tok_compatnothere0000000000"); return err })
	notFound("incident", func() error { _, err := c.GetIncident(ctx, "inci_compatnothere"); return err })
	notFound("incident-update", func() error {
		_, err := c.AddIncidentUpdate(ctx, "inci_compatnothere", hp.AddIncidentUpdateRequest{Text: hp.LocalizedText{En: "x"}, Type: "update"})
		return err
	})
	notFound("maintenance", func() error { _, err := c.GetMaintenance(ctx, "mw_compatnothere1"); return err })
	notFound("outage", func() error { _, err := c.GetOutage(ctx, "outage_compatnothere"); return err })
	notFound("outage-acknowledge", func() error { _, err := c.AcknowledgeOutage(ctx, "outage_compatnothere"); return err })
	notFound("statuspage", func() error { _, err := c.GetStatusPage(ctx, "sp_compatnothere1"); return err })
	notFound("statuspage-subscribers", func() error { _, err := c.ListSubscribers(ctx, "sp_compatnothere1", nil, nil); return err })

	// Another project's resources (made with VIGIL_OTHER_PROJECT_KEY) are 404 for this key, on
	// read, write and delete alike (auth-spec.md: a key never learns of another project's data).
	run("setup/other-project", func() error {
		o := restClient(E.OtherKey)
		var err error
		tag := randSuffix(5)
		if other.mon, err = o.CreateMonitor(ctx, hp.CreateMonitorRequest{Name: "other " + tag, URL: E.HTTPURL, Protocol: "http", CheckFrequency: 3600, Paused: true}); err != nil {
			return fmt.Errorf("monitor: %w", err)
		}
		if other.hc, err = o.CreateHealthcheck(ctx, hp.CreateHealthcheckRequest{Name: "other " + tag, PeriodValue: ptr(1), PeriodType: ptr("days"), GracePeriodValue: 1, GracePeriodType: "hours"}); err != nil {
			return fmt.Errorf("healthcheck: %w", err)
		}
		if other.sp, err = o.CreateStatusPage(ctx, hp.CreateStatusPageRequest{Name: "other " + tag}); err != nil {
			return fmt.Errorf("status page: %w", err)
		}
		if other.inc, err = o.CreateIncident(ctx, hp.CreateIncidentRequest{Title: hp.LocalizedText{En: "other"}, Text: hp.LocalizedText{En: "other"}, Type: "incident", StatusPages: []string{other.sp.UUID}}); err != nil {
			return fmt.Errorf("incident: %w", err)
		}
		s := time.Now().Add(72 * time.Hour)
		if other.mw, err = o.CreateMaintenance(ctx, hp.CreateMaintenanceRequest{Name: "other " + tag, StartDate: iso(s), EndDate: iso(s.Add(time.Hour)), Monitors: []string{other.mon.UUID}}); err != nil {
			return fmt.Errorf("maintenance: %w", err)
		}
		if other.out, err = o.CreateOutage(ctx, hp.CreateOutageRequest{MonitorUUID: other.mon.UUID, StartDate: iso(time.Now().Add(-time.Hour)), EndDate: ptr(iso(time.Now().Add(-30 * time.Minute))), StatusCode: 500, Description: "other", OutageType: "manual"}); err != nil {
			return fmt.Errorf("outage: %w", err)
		}
		return nil
	})
	cross := func(name string, ok func() bool, calls map[string]func() error) {
		run("errors/404-other-project-"+name, func() error {
			need(ok(), "setup/other-project")
			var d diff
			for _, verb := range []string{"get", "update", "delete", "action", "list"} {
				call, has := calls[verb]
				if !has {
					continue
				}
				if e := expectStatus(call(), 404, hp.IsNotFound, "IsNotFound", ""); e != nil {
					d.items = append(d.items, verb+": "+e.Error())
				}
			}
			return d.err("")
		})
	}
	cross("monitor", func() bool { return other.mon != nil }, map[string]func() error{
		"get": func() error { _, err := c.GetMonitor(ctx, other.mon.UUID); return err },
		"update": func() error {
			_, err := c.UpdateMonitor(ctx, other.mon.UUID, hp.UpdateMonitorRequest{Name: ptr("hijacked")})
			return err
		},
		"delete": func() error { return c.DeleteMonitor(ctx, other.mon.UUID) },
		"action": func() error { _, err := c.GetMonitorReport(ctx, other.mon.UUID, "", ""); return err },
	})
	cross("healthcheck", func() bool { return other.hc != nil }, map[string]func() error{
		"get": func() error { _, err := c.GetHealthcheck(ctx, other.hc.UUID); return err },
		"update": func() error {
			_, err := c.UpdateHealthcheck(ctx, other.hc.UUID, hp.UpdateHealthcheckRequest{Name: ptr("hijacked")})
			return err
		},
		"delete": func() error { return c.DeleteHealthcheck(ctx, other.hc.UUID) },
		"action": func() error { _, err := c.PauseHealthcheck(ctx, other.hc.UUID); return err },
	})
	cross("statuspage", func() bool { return other.sp != nil }, map[string]func() error{
		"get": func() error { _, err := c.GetStatusPage(ctx, other.sp.UUID); return err },
		"update": func() error {
			_, err := c.UpdateStatusPage(ctx, other.sp.UUID, hp.UpdateStatusPageRequest{Name: ptr("hijacked")})
			return err
		},
		"delete": func() error { return c.DeleteStatusPage(ctx, other.sp.UUID) },
		"action": func() error {
			_, err := c.AddSubscriber(ctx, other.sp.UUID, hp.AddSubscriberRequest{Type: "email", Email: ptr("hijack@example.com")})
			return err
		},
		"list": func() error { _, err := c.ListSubscribers(ctx, other.sp.UUID, nil, nil); return err },
	})
	cross("incident", func() bool { return other.inc != nil && other.inc.UUID != "" }, map[string]func() error{
		"get": func() error { _, err := c.GetIncident(ctx, other.inc.UUID); return err },
		"update": func() error {
			_, err := c.UpdateIncident(ctx, other.inc.UUID, hp.UpdateIncidentRequest{Type: ptr("outage")})
			return err
		},
		"delete": func() error { return c.DeleteIncident(ctx, other.inc.UUID) },
		"action": func() error { _, err := c.ResolveIncident(ctx, other.inc.UUID, "hijacked"); return err },
	})
	cross("maintenance", func() bool { return other.mw != nil && other.mw.UUID != "" }, map[string]func() error{
		"get": func() error { _, err := c.GetMaintenance(ctx, other.mw.UUID); return err },
		"update": func() error {
			_, err := c.UpdateMaintenance(ctx, other.mw.UUID, hp.UpdateMaintenanceRequest{Name: ptr("hijacked")})
			return err
		},
		"delete": func() error { return c.DeleteMaintenance(ctx, other.mw.UUID) },
	})
	cross("outage", func() bool { return other.out != nil && other.out.UUID != "" }, map[string]func() error{
		"get":    func() error { _, err := c.GetOutage(ctx, other.out.UUID); return err },
		"delete": func() error { return c.DeleteOutage(ctx, other.out.UUID) },
		"action": func() error { _, err := c.AcknowledgeOutage(ctx, other.out.UUID); return err },
	})
	run("errors/404-other-project-mcp", func() error {
		need(other.mon != nil && other.out != nil, "setup/other-project")
		m, _ := mcpClient(E.Key)
		var d diff
		if r, err := m.GetMonitor(ctx, other.mon.UUID); err == nil {
			d.want("get_monitor", false, "another project's monitor was returned: %s", show(r))
		}
		if r, err := m.GetOutage(ctx, other.out.UUID); err == nil {
			d.want("get_outage", false, "another project's outage was returned: %s", show(r))
		}
		if err := m.PauseMonitor(ctx, other.mon.UUID); err == nil {
			d.want("pause_monitor", false, "succeeded on another project's monitor")
		}
		if r, err := m.ListMonitors(ctx, "", 0, 200); err == nil && r != nil {
			for _, x := range r.Monitors {
				d.want("list_monitors", x.UUID != other.mon.UUID, "lists another project's monitor %s", x.UUID)
			}
		}
		return d.err("MCP with this key on another project's data: ")
	})
	run("errors/other-project-untouched", func() error {
		need(other.mon != nil && other.hc != nil && other.sp != nil, "setup/other-project")
		o := restClient(E.OtherKey)
		var d diff
		m, err := o.GetMonitor(ctx, other.mon.UUID)
		if err != nil {
			return fmt.Errorf("monitor: %w", err)
		}
		d.want("monitor name", m.Name != "hijacked", "renamed by another project's key")
		h, err := o.GetHealthcheck(ctx, other.hc.UUID)
		if err != nil {
			return fmt.Errorf("healthcheck: %w", err)
		}
		d.eq("healthcheck isPaused", false, h.IsPaused)
		d.want("healthcheck name", h.Name != "hijacked", "renamed by another project's key")
		r, err := o.ListSubscribers(ctx, other.sp.UUID, nil, nil)
		if err != nil {
			return fmt.Errorf("subscribers: %w", err)
		}
		d.eq("subscribers", 0, r.Total)
		return d.err("the other project's data after this key's attempts: ")
	})

	// Input the server must refuse (400/422), sent past the SDK's own checks.
	invalid := func(name string, call func() error) {
		run("errors/422-"+name, func() error { return expectValidation(call()) })
	}
	mon := func(r hp.CreateMonitorRequest) func() error {
		return func() error {
			m, err := c.CreateMonitor(ctx, r)
			if err == nil && m != nil && m.UUID != "" {
				_ = c.DeleteMonitor(ctx, m.UUID)
			}
			return err
		}
	}
	invalid("monitor-url", mon(hp.CreateMonitorRequest{Name: "bad url", URL: "not-a-valid-url", Protocol: "http"}))     // §2.2: 422 Invalid URL [CAS]
	invalid("monitor-protocol", mon(hp.CreateMonitorRequest{Name: "bad protocol", URL: E.HTTPURL, Protocol: "gopher"})) // §2.2 enum
	invalid("monitor-method", mon(hp.CreateMonitorRequest{Name: "bad method", URL: E.HTTPURL, Protocol: "http", HTTPMethod: "BREW"}))
	invalid("monitor-region", mon(hp.CreateMonitorRequest{Name: "bad region", URL: E.HTTPURL, Protocol: "http", Regions: []string{"mars"}}))
	invalid("monitor-frequency", mon(hp.CreateMonitorRequest{Name: "bad frequency", URL: E.HTTPURL, Protocol: "http", CheckFrequency: 7}))
	invalid("monitor-status-code", mon(hp.CreateMonitorRequest{Name: "bad code", URL: E.HTTPURL, Protocol: "http", ExpectedStatusCode: "3xx-1xx"}))
	invalid("monitor-port-missing", mon(hp.CreateMonitorRequest{Name: "port without port", URL: "http://" + E.Host, Protocol: "port"}))
	invalid("monitor-port-range", mon(hp.CreateMonitorRequest{Name: "port range", URL: "http://" + E.Host, Protocol: "port", Port: ptr(70000)}))
	invalid("monitor-dns-record-type", mon(hp.CreateMonitorRequest{Name: "bad rr", URL: E.DNSName, Protocol: "dns", DNSRecordType: ptr("XYZ")}))
	invalid("monitor-header", mon(hp.CreateMonitorRequest{Name: "bad header", URL: E.HTTPURL, Protocol: "http", RequestHeaders: []hp.RequestHeader{{Name: "Host", Value: "evil"}}}))
	invalid("monitor-update-url", func() error {
		need(mons["http"] != nil, "monitors/create-http")
		_, err := c.UpdateMonitor(ctx, mons["http"].got.UUID, hp.UpdateMonitorRequest{URL: ptr("not-a-valid-url")})
		return err
	})
	invalid("healthcheck-no-schedule", func() error {
		h, err := c.CreateHealthcheck(ctx, hp.CreateHealthcheckRequest{Name: "no schedule", GracePeriodValue: 1, GracePeriodType: "hours"})
		if err == nil && h != nil && h.UUID != "" {
			_ = c.DeleteHealthcheck(ctx, h.UUID)
		}
		return err
	})
	invalid("healthcheck-period-type", func() error {
		h, err := c.CreateHealthcheck(ctx, hp.CreateHealthcheckRequest{Name: "bad period", PeriodValue: ptr(1), PeriodType: ptr("fortnights"), GracePeriodValue: 1, GracePeriodType: "hours"})
		if err == nil && h != nil && h.UUID != "" {
			_ = c.DeleteHealthcheck(ctx, h.UUID)
		}
		return err
	})
	invalid("healthcheck-cron", func() error {
		h, err := c.CreateHealthcheck(ctx, hp.CreateHealthcheckRequest{Name: "bad cron", Cron: ptr("every day"), Timezone: ptr("UTC"), GracePeriodValue: 1, GracePeriodType: "hours"})
		if err == nil && h != nil && h.UUID != "" {
			_ = c.DeleteHealthcheck(ctx, h.UUID)
		}
		return err
	})
	invalid("incident-type", func() error {
		need(sp.got != nil, "statuspages/create")
		i, err := c.CreateIncident(ctx, hp.CreateIncidentRequest{Title: hp.LocalizedText{En: "bad"}, Text: hp.LocalizedText{En: "bad"}, Type: "meltdown", StatusPages: []string{sp.got.UUID}})
		if err == nil && i != nil && i.UUID != "" {
			_ = c.DeleteIncident(ctx, i.UUID)
		}
		return err
	})
	invalid("incident-update-type", func() error {
		need(sp.got != nil, "statuspages/create")
		i, err := c.CreateIncident(ctx, hp.CreateIncidentRequest{Title: hp.LocalizedText{En: "ok"}, Text: hp.LocalizedText{En: "ok"}, Type: "incident", StatusPages: []string{sp.got.UUID}})
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		defer c.DeleteIncident(ctx, i.UUID)
		_, err = c.AddIncidentUpdate(ctx, i.UUID, hp.AddIncidentUpdateRequest{Text: hp.LocalizedText{En: "x"}, Type: "panicking"})
		return err
	})
	invalid("maintenance-dates", func() error {
		need(mons["http"] != nil, "monitors/create-http")
		s := time.Now().Add(24 * time.Hour)
		m, err := c.CreateMaintenance(ctx, hp.CreateMaintenanceRequest{Name: "backwards", StartDate: iso(s), EndDate: iso(s.Add(-time.Hour)), Monitors: []string{mons["http"].got.UUID}})
		if err == nil && m != nil && m.UUID != "" {
			_ = c.DeleteMaintenance(ctx, m.UUID)
		}
		return err
	})
	invalid("maintenance-notification-option", func() error {
		need(mons["http"] != nil, "monitors/create-http")
		s := time.Now().Add(24 * time.Hour)
		m, err := c.CreateMaintenance(ctx, hp.CreateMaintenanceRequest{Name: "bad option", StartDate: iso(s), EndDate: iso(s.Add(time.Hour)), Monitors: []string{mons["http"].got.UUID}, NotificationOption: "carrier-pigeon"})
		if err == nil && m != nil && m.UUID != "" {
			_ = c.DeleteMaintenance(ctx, m.UUID)
		}
		return err
	})
	invalid("outage-status-code", func() error {
		need(mons["http"] != nil, "monitors/create-http")
		o, err := c.CreateOutage(ctx, hp.CreateOutageRequest{MonitorUUID: mons["http"].got.UUID, StartDate: iso(time.Now()), StatusCode: 99, Description: "bad", OutageType: "manual"})
		if err == nil && o != nil && o.UUID != "" {
			_ = c.DeleteOutage(ctx, o.UUID)
		}
		return err
	})
	invalid("statuspage-theme", func() error {
		p, err := c.CreateStatusPage(ctx, hp.CreateStatusPageRequest{Name: "bad theme", Theme: ptr("neon")})
		if err == nil && p != nil && p.UUID != "" {
			_ = c.DeleteStatusPage(ctx, p.UUID)
		}
		return err
	})
	invalid("statuspage-language", func() error {
		p, err := c.CreateStatusPage(ctx, hp.CreateStatusPageRequest{Name: "bad language", Languages: []string{"xx"}})
		if err == nil && p != nil && p.UUID != "" {
			_ = c.DeleteStatusPage(ctx, p.UUID)
		}
		return err
	})
	invalid("statuspage-accent-color", func() error {
		p, err := c.CreateStatusPage(ctx, hp.CreateStatusPageRequest{Name: "bad color", AccentColor: ptr("red")})
		if err == nil && p != nil && p.UUID != "" {
			_ = c.DeleteStatusPage(ctx, p.UUID)
		}
		return err
	})
}

// cleanupCases: deleting what the other cases still needed, then leaving the projects tidy.
func cleanupCases() {
	deleteMonitorCases()
	// Not cases: tidying only (the database is thrown away after the run).
	fmt.Println("=== cleanup")
	if mcpMade != nil && mcpMade.UUID != "" {
		_ = restClient(E.Key).DeleteMonitor(ctxBackground(), mcpMade.UUID)
	}
}
