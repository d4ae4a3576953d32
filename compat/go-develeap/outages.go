package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	hp "github.com/develeap/hyperping-go"
)

// Outages, api-contract §6: manual create (the submitted dates, status code and monitor are
// honoured, §6.3), wrapped get, a list paged 20 at a time with a status filter, and the
// acknowledge / unacknowledge / resolve / escalate actions.

var outs = map[string]*hp.Outage{} // "ongoing", "resolved"

func compareOutage(d *diff, req hp.CreateOutageRequest, got *hp.Outage) {
	d.want("uuid", strings.HasPrefix(got.UUID, "outage_"), "want outage_…, got %q", got.UUID)
	d.sameTime("startDate", req.StartDate, &got.StartDate)
	if req.EndDate == nil {
		d.eq("endDate", nil, got.EndDate)
		d.eq("isResolved", false, got.IsResolved)
	} else {
		d.sameTime("endDate", *req.EndDate, got.EndDate)
		d.eq("isResolved", true, got.IsResolved)
	}
	d.eq("statusCode", req.StatusCode, got.StatusCode)
	d.eq("description", req.Description, got.Description)
	d.eq("outageType", req.OutageType, got.OutageType)
	d.eq("monitor.uuid", req.MonitorUUID, got.Monitor.UUID)
	d.eq("severity", deref(req.Severity), got.Severity)
	d.eq("summary", deref(req.Summary), got.Summary)
	if req.EscalationPolicyUUID != nil {
		var g string
		if got.EscalationPolicy != nil {
			g = got.EscalationPolicy.UUID
		}
		d.eq("escalationPolicy.uuid", *req.EscalationPolicyUUID, g)
	}
}

func outageCases() {
	tag := randSuffix(5)
	reqs := map[string]hp.CreateOutageRequest{}
	create := func(name string, req hp.CreateOutageRequest) {
		run("outages/create-"+name, func() error {
			got, err := c.CreateOutage(ctx, req)
			if err != nil {
				return err
			}
			outs[name], reqs[name] = got, req
			var d diff
			compareOutage(&d, req, got)
			return d.err("POST /v2/outages response: ")
		})
		run("outages/get-"+name, func() error {
			o := outs[name]
			need(o != nil && o.UUID != "", "outages/create-"+name)
			got, err := c.GetOutage(ctx, o.UUID)
			if err != nil {
				return err
			}
			var d diff
			compareOutage(&d, req, got)
			if req.EndDate != nil {
				s, _ := time.Parse(time.RFC3339, req.StartDate)
				e, _ := time.Parse(time.RFC3339, *req.EndDate)
				d.eq("durationMs", int(e.Sub(s).Milliseconds()), got.DurationMs)
			}
			return d.err("GET read back: ")
		})
	}
	if mons["http"] == nil {
		run("outages/create-ongoing", func() error { return fmt.Errorf("precondition: monitors/create-http") })
		return
	}
	now := time.Now()
	create("ongoing", hp.CreateOutageRequest{
		MonitorUUID: mons["http"].got.UUID, StartDate: iso(now.Add(-time.Hour)), StatusCode: 503,
		Description: "compat manual outage " + tag, OutageType: "manual",
		EscalationPolicyUUID: ptr(fx.policyUUID), Severity: ptr("major"), Summary: ptr("Compat summary"),
	})
	create("resolved", hp.CreateOutageRequest{
		MonitorUUID: mons["http"].got.UUID, StartDate: iso(now.Add(-3 * time.Hour)), EndDate: ptr(iso(now.Add(-150 * time.Minute))),
		StatusCode: 500, Description: "compat resolved outage " + tag, OutageType: "manual",
	})

	run("outages/list", func() error {
		list, err := c.ListOutages(ctx)
		if err != nil {
			return err
		}
		var d diff
		for name, o := range outs {
			i := slices.IndexFunc(list, func(x hp.Outage) bool { return x.UUID == o.UUID })
			if i < 0 {
				d.want(name, false, "outage %s missing from the list of %d", o.UUID, len(list))
				continue
			}
			var one diff
			compareOutage(&one, reqs[name], &list[i])
			for _, it := range one.items {
				d.items = append(d.items, name+"."+it)
			}
		}
		return d.err("GET /v2/outages items: ")
	})
	run("outages/list-status-filter", func() error {
		on, re := outs["ongoing"], outs["resolved"]
		if on == nil || re == nil {
			return fmt.Errorf("precondition: outages/create-ongoing and outages/create-resolved")
		}
		var d diff
		for _, f := range []struct {
			status       string
			want, unwant *hp.Outage
		}{{"ongoing", on, re}, {"resolved", re, on}, {"all", on, nil}} {
			list, err := c.ListOutages(ctx, hp.WithStatus(f.status))
			if err != nil {
				return fmt.Errorf("status=%s: %w", f.status, err)
			}
			has := func(o *hp.Outage) bool {
				return slices.ContainsFunc(list, func(x hp.Outage) bool { return x.UUID == o.UUID })
			}
			d.want("status="+f.status, has(f.want), "outage %s missing", f.want.UUID)
			if f.unwant != nil {
				d.want("status="+f.status, !has(f.unwant), "outage %s should not be listed", f.unwant.UUID)
			}
			if f.status == "all" {
				d.want("status=all", has(re), "outage %s missing", re.UUID)
			}
		}
		return d.err("")
	})
	run("outages/list-paging", func() error {
		target := mons["dns"]
		if target == nil {
			target = mons["http"]
		}
		made := []string{}
		for i := range 21 {
			s := now.Add(-time.Duration(48+i) * time.Hour)
			o, err := c.CreateOutage(ctx, hp.CreateOutageRequest{
				MonitorUUID: target.got.UUID, StartDate: iso(s), EndDate: ptr(iso(s.Add(10 * time.Minute))), StatusCode: 502,
				Description: fmt.Sprintf("compat paged outage %s %02d", tag, i), OutageType: "manual",
			})
			if err != nil {
				return fmt.Errorf("creating outage %d: %w", i, err)
			}
			made = append(made, o.UUID)
		}
		list, err := c.ListOutages(ctx) // walks ?page=0,1,… while hasNextPage
		if err != nil {
			return err
		}
		var d diff
		seen := map[string]int{}
		for _, o := range list {
			seen[o.UUID]++
		}
		for _, u := range append(made, outs["ongoing"].UUID) {
			d.want(u, seen[u] == 1, "listed %d times", seen[u])
		}
		d.eq("distinct outages", len(list), len(seen))
		return d.err(fmt.Sprintf("ListOutages over %d outages: ", len(list)))
	})

	action := func(name string, do func(string) (*hp.OutageAction, error), check func(*diff, *hp.Outage)) {
		run("outages/"+name, func() error {
			o := outs["ongoing"]
			if o == nil || o.UUID == "" {
				return fmt.Errorf("precondition: outages/create-ongoing")
			}
			a, err := do(o.UUID)
			if err != nil {
				return err
			}
			var d diff
			d.want("response", a != nil && a.Message != "", "want {message}, got %s", show(a))
			if a != nil {
				d.eq("response uuid", o.UUID, a.UUID)
			}
			if check != nil {
				g, err := c.GetOutage(ctx, o.UUID)
				if err != nil {
					return err
				}
				check(&d, g)
			}
			return d.err("")
		})
	}
	action("acknowledge", func(u string) (*hp.OutageAction, error) { return c.AcknowledgeOutage(ctx, u) }, func(d *diff, g *hp.Outage) {
		d.want("acknowledgedAt after acknowledge", g.AcknowledgedAt != nil, "want a timestamp, got null")
	})
	action("unacknowledge", func(u string) (*hp.OutageAction, error) { return c.UnacknowledgeOutage(ctx, u) }, func(d *diff, g *hp.Outage) {
		d.eq("acknowledgedAt after unacknowledge", nil, g.AcknowledgedAt)
		d.eq("acknowledgedBy after unacknowledge", nil, g.AcknowledgedBy)
	})
	action("escalate", func(u string) (*hp.OutageAction, error) { return c.EscalateOutage(ctx, u) }, nil)
	action("resolve", func(u string) (*hp.OutageAction, error) { return c.ResolveOutage(ctx, u) }, func(d *diff, g *hp.Outage) {
		d.eq("isResolved after resolve", true, g.IsResolved)
		d.want("endDate after resolve", g.EndDate != nil, "want a timestamp, got null")
	})

	run("outages/delete", func() error {
		o := outs["resolved"]
		if o == nil || o.UUID == "" {
			return fmt.Errorf("precondition: outages/create-resolved")
		}
		if err := c.DeleteOutage(ctx, o.UUID); err != nil {
			return err
		}
		delete(outs, "resolved")
		_, err := c.GetOutage(ctx, o.UUID)
		if !hp.IsNotFound(err) {
			return fmt.Errorf("GET after delete: want IsNotFound, got %v", err)
		}
		return nil
	})
}
