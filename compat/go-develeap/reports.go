package main

import (
	"fmt"
	"slices"
	"time"

	hp "github.com/develeap/hyperping-go"
)

// Reports, api-contract §7: SLA and outage summary per monitor over from/to. The http monitor
// had a one-hour manual outage (outages/create-ongoing, resolved by outages/resolve) inside the
// window, so its report must count it.

func compareReport(d *diff, st *monState, r *hp.MonitorReport) {
	d.eq("uuid", st.got.UUID, r.UUID)
	d.eq("name", st.want.Name, r.Name)
	d.eq("protocol", st.want.Protocol, r.Protocol)
	d.want("sla", r.SLA >= 0 && r.SLA < 100, "want a percentage below 100 after a one-hour outage, got %v", r.SLA)
	d.want("outages.count", r.Outages.Count >= 1, "want at least the manual outage, got %d", r.Outages.Count)
	d.want("outages.totalDowntime", r.Outages.TotalDowntime >= 3000, "want about 3600 s, got %d", r.Outages.TotalDowntime)
	d.want("outages.longestOutage", r.Outages.LongestOutage >= 3000, "want about 3600 s, got %d", r.Outages.LongestOutage)
	d.want("outages.totalDowntimeFormatted", r.Outages.TotalDowntimeFormatted != "", "want text, got none")
	d.want("mttrFormatted", r.MTTRFormatted != "", "want text, got none")
}

func reportCases() {
	from, to := iso(time.Now().Add(-7*24*time.Hour)), iso(time.Now().Add(time.Minute))
	run("reports/list", func() error {
		st := mons["http"]
		need(st != nil && outs["ongoing"] != nil, "monitors/create-http and outages/create-ongoing")
		list, err := c.ListMonitorReports(ctx, from, to)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(list, func(r hp.MonitorReport) bool { return r.UUID == st.got.UUID })
		if i < 0 {
			return fmt.Errorf("monitor %s missing from %d reports", st.got.UUID, len(list))
		}
		var d diff
		compareReport(&d, st, &list[i])
		return d.err("GET /v2/reporting/monitor-reports?from&to item: ")
	})
	run("reports/list-default-window", func() error {
		st := mons["http"]
		need(st != nil, "monitors/create-http")
		list, err := c.ListMonitorReports(ctx, "", "")
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(list, func(r hp.MonitorReport) bool { return r.UUID == st.got.UUID }) {
			return fmt.Errorf("monitor %s missing from %d reports", st.got.UUID, len(list))
		}
		return nil
	})
	run("reports/get", func() error {
		st := mons["http"]
		need(st != nil && outs["ongoing"] != nil, "monitors/create-http and outages/create-ongoing")
		r, err := c.GetMonitorReport(ctx, st.got.UUID, from, to)
		if err != nil {
			return err
		}
		var d diff
		compareReport(&d, st, r)
		d.sameTime("period.from", from, &r.Period.From)
		d.sameTime("period.to", to, &r.Period.To)
		return d.err("GET /v2/reporting/monitor-reports/{uuid}: ")
	})
	run("reports/get-404", func() error {
		_, err := c.GetMonitorReport(ctx, "mon_compatnothere1", from, to)
		if !hp.IsNotFound(err) {
			return fmt.Errorf("want IsNotFound, got %v", err)
		}
		return nil
	})
}
