package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	hp "github.com/develeap/hyperping-go"
)

// Maintenance windows, api-contract §5: snake start_date/end_date, camel notification fields,
// full object from POST and PUT, a list paged 20 at a time that the SDK walks to the end.

var mw struct {
	want hp.Maintenance
	got  *hp.Maintenance
}

func compareMaintenance(d *diff, want, got *hp.Maintenance, full bool) {
	d.eq("name", want.Name, got.Name)
	d.eq("title", want.Title, got.Title)
	d.sameTime("start_date", deref(want.StartDate), got.StartDate)
	d.sameTime("end_date", deref(want.EndDate), got.EndDate)
	d.eq("monitors", want.Monitors, got.Monitors)
	d.eq("statuspages", want.StatusPages, got.StatusPages)
	d.want("uuid", strings.HasPrefix(got.UUID, "mw_"), "want mw_…, got %q", got.UUID)
	if full { // list items carry no text and no notification fields (§5.3)
		d.eq("text", want.Text, got.Text)
		d.eq("notificationOption", want.NotificationOption, got.NotificationOption)
		d.eq("notificationMinutes", want.NotificationMinutes, got.NotificationMinutes)
	}
	if want.Status != "" {
		d.eq("status", want.Status, got.Status)
	}
}

func maintenanceCases() {
	tag := randSuffix(5)
	start := time.Now().Add(48 * time.Hour)
	run("maintenance/create", func() error {
		need(mons["http"] != nil && sp.got != nil, "monitors/create-http and statuspages/create")
		req := hp.CreateMaintenanceRequest{
			Name: "compat window " + tag, Title: hp.LocalizedText{En: "Database upgrade", Fr: "Mise à jour"}, Text: hp.LocalizedText{En: "Short downtime"},
			StartDate: iso(start), EndDate: iso(start.Add(2 * time.Hour)),
			Monitors: []string{mons["http"].got.UUID}, StatusPages: []string{sp.got.UUID},
			NotificationOption: "scheduled", NotificationMinutes: ptr(30),
		}
		got, err := c.CreateMaintenance(ctx, req)
		if err != nil {
			return err
		}
		mw.got = got
		mw.want = hp.Maintenance{Name: req.Name, Title: req.Title, Text: req.Text, StartDate: ptr(req.StartDate), EndDate: ptr(req.EndDate),
			Monitors: req.Monitors, StatusPages: req.StatusPages, NotificationOption: "scheduled", NotificationMinutes: ptr(30), Status: "upcoming"}
		var d diff
		compareMaintenance(&d, &mw.want, got, true)
		return d.err("POST /v1/maintenance-windows response: ")
	})
	run("maintenance/get", func() error {
		need(mw.got != nil && mw.got.UUID != "", "maintenance/create")
		got, err := c.GetMaintenance(ctx, mw.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		compareMaintenance(&d, &mw.want, got, true)
		d.eq("timezone", "UTC", got.Timezone)
		return d.err("GET read back: ")
	})
	run("maintenance/update-partial", func() error {
		need(mw.got != nil && mw.got.UUID != "", "maintenance/create")
		end := iso(start.Add(3 * time.Hour))
		up := hp.UpdateMaintenanceRequest{Name: ptr(mw.want.Name + " renamed"), EndDate: ptr(end), NotificationOption: ptr("immediate")}
		got, err := c.UpdateMaintenance(ctx, mw.got.UUID, up)
		if err != nil {
			return err
		}
		mw.want.Name, mw.want.EndDate, mw.want.NotificationOption = *up.Name, ptr(end), "immediate"
		want := mw.want
		want.Status = "" // PUT omits status (§5.3)
		var d diff
		compareMaintenance(&d, &want, got, true)
		again, err := c.GetMaintenance(ctx, mw.got.UUID)
		if err != nil {
			return err
		}
		compareMaintenance(&d, &mw.want, again, true)
		return d.err("after PUT: ")
	})
	run("maintenance/list-paging", func() error {
		need(mw.got != nil && mw.got.UUID != "", "maintenance/create")
		made := []string{mw.got.UUID}
		for i := range 21 {
			s := start.Add(time.Duration(i+1) * 24 * time.Hour)
			m, err := c.CreateMaintenance(ctx, hp.CreateMaintenanceRequest{
				Name: fmt.Sprintf("compat paged %s %02d", tag, i), StartDate: iso(s), EndDate: iso(s.Add(time.Hour)),
				Monitors: []string{mons["http"].got.UUID},
			})
			if err != nil {
				return fmt.Errorf("creating window %d: %w", i, err)
			}
			made = append(made, m.UUID)
		}
		list, err := c.ListMaintenance(ctx) // walks ?page=0,1,… while hasNextPage
		if err != nil {
			return err
		}
		var d diff
		seen := map[string]int{}
		for _, m := range list {
			seen[m.UUID]++
		}
		for _, u := range made {
			d.want(u, seen[u] == 1, "listed %d times", seen[u])
		}
		d.eq("distinct windows", len(list), len(seen))
		i := slices.IndexFunc(list, func(m hp.Maintenance) bool { return m.UUID == mw.got.UUID })
		if i >= 0 {
			compareMaintenance(&d, &mw.want, &list[i], false)
		}
		return d.err(fmt.Sprintf("ListMaintenance over %d windows: ", len(made)))
	})
	run("maintenance/delete", func() error {
		need(mw.got != nil && mw.got.UUID != "", "maintenance/create")
		if err := c.DeleteMaintenance(ctx, mw.got.UUID); err != nil {
			return err
		}
		_, err := c.GetMaintenance(ctx, mw.got.UUID)
		if !hp.IsNotFound(err) {
			return fmt.Errorf("GET after delete: want IsNotFound, got %v", err)
		}
		return nil
	})
}
