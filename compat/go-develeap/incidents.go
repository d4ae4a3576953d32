package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	hp "github.com/develeap/hyperping-go"
)

// Incidents and their updates, api-contract §4. The SDK decodes the create, update and
// add-update responses as a whole incident; "resolve" is an update of type resolved.

var inc struct {
	want hp.Incident
	got  *hp.Incident
}

func compareIncident(d *diff, want, got *hp.Incident) {
	d.eq("title", want.Title, got.Title)
	d.eq("text", want.Text, got.Text)
	d.eq("type", want.Type, got.Type)
	d.eq("statuspages", want.StatusPages, got.StatusPages)
	d.eq("affectedComponents", want.AffectedComponents, got.AffectedComponents)
	d.want("uuid", strings.HasPrefix(got.UUID, "inci_"), "want inci_…, got %q", got.UUID)
	if want.Date != "" {
		d.sameTime("date", want.Date, &got.Date)
	}
	if len(want.Updates) != len(got.Updates) {
		d.want("updates", false, "want %d updates, got %d: %s", len(want.Updates), len(got.Updates), show(got.Updates))
		return
	}
	for i, u := range want.Updates {
		g := got.Updates[i]
		d.eq(fmt.Sprintf("updates[%d].type", i), u.Type, g.Type)
		d.eq(fmt.Sprintf("updates[%d].text", i), u.Text, g.Text)
		d.want(fmt.Sprintf("updates[%d].uuid", i), g.UUID != "", "want a uuid, got none")
		if u.Date != "" {
			d.sameTime(fmt.Sprintf("updates[%d].date", i), u.Date, &g.Date)
		} else {
			_, err := time.Parse(time.RFC3339, g.Date)
			d.want(fmt.Sprintf("updates[%d].date", i), err == nil, "sent \"\" (now), got %q", g.Date)
		}
	}
}

func incidentCases() {
	tag := randSuffix(5)
	started := iso(time.Now().Add(-30 * time.Minute))
	run("incidents/create", func() error {
		need(sp.got != nil && mons["http"] != nil, "statuspages/create and monitors/create-http")
		req := hp.CreateIncidentRequest{
			Title: hp.LocalizedText{En: "Compat incident " + tag, Fr: "Incident " + tag},
			Text:  hp.LocalizedText{En: "Investigating elevated errors"},
			Type:  "incident", StatusPages: []string{sp.got.UUID}, AffectedComponents: []string{mons["http"].got.UUID},
			Date:    started,
			Updates: []hp.AddIncidentUpdateRequest{{Text: hp.LocalizedText{En: "We are looking into it"}, Type: "investigating", Date: started}},
		}
		got, err := c.CreateIncident(ctx, req)
		if err != nil {
			return err
		}
		inc.got = got
		inc.want = hp.Incident{Title: req.Title, Text: req.Text, Type: req.Type, StatusPages: req.StatusPages, AffectedComponents: req.AffectedComponents, Date: started,
			Updates: []hp.IncidentUpdate{{Text: req.Updates[0].Text, Type: "investigating", Date: started}}}
		var d diff
		compareIncident(&d, &inc.want, got)
		return d.err("POST /v3/incidents response: ")
	})
	run("incidents/get", func() error {
		need(inc.got != nil && inc.got.UUID != "", "incidents/create")
		got, err := c.GetIncident(ctx, inc.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		compareIncident(&d, &inc.want, got)
		return d.err("GET read back: ")
	})
	run("incidents/update", func() error {
		need(inc.got != nil && inc.got.UUID != "", "incidents/create")
		up := hp.UpdateIncidentRequest{Title: &hp.LocalizedText{En: "Compat outage " + tag}, Type: ptr("outage")}
		got, err := c.UpdateIncident(ctx, inc.got.UUID, up)
		if err != nil {
			return err
		}
		inc.want.Title, inc.want.Type = *up.Title, "outage"
		var d diff
		compareIncident(&d, &inc.want, got)
		again, err := c.GetIncident(ctx, inc.got.UUID)
		if err != nil {
			return err
		}
		compareIncident(&d, &inc.want, again)
		return d.err("after PUT: ")
	})
	run("incidents/add-update", func() error {
		need(inc.got != nil && inc.got.UUID != "", "incidents/create")
		req := hp.AddIncidentUpdateRequest{Text: hp.LocalizedText{En: "Root cause identified", De: "Ursache gefunden"}, Type: "identified"}
		got, err := c.AddIncidentUpdate(ctx, inc.got.UUID, req)
		if err != nil {
			return err
		}
		inc.want.Updates = append(inc.want.Updates, hp.IncidentUpdate{Text: req.Text, Type: req.Type})
		var d diff
		compareIncident(&d, &inc.want, got)
		return d.err("POST /v3/incidents/{uuid}/updates response (the whole incident, newest update last): ")
	})
	run("incidents/resolve", func() error {
		need(inc.got != nil && inc.got.UUID != "", "incidents/create")
		got, err := c.ResolveIncident(ctx, inc.got.UUID, "Fixed "+tag)
		if err != nil {
			return err
		}
		inc.want.Updates = append(inc.want.Updates, hp.IncidentUpdate{Text: hp.LocalizedText{En: "Fixed " + tag}, Type: "resolved"})
		var d diff
		compareIncident(&d, &inc.want, got)
		again, err := c.GetIncident(ctx, inc.got.UUID)
		if err != nil {
			return err
		}
		compareIncident(&d, &inc.want, again)
		return d.err("after ResolveIncident: ")
	})
	run("incidents/list", func() error {
		need(inc.got != nil && inc.got.UUID != "", "incidents/create")
		list, err := c.ListIncidents(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(list, func(x hp.Incident) bool { return x.UUID == inc.got.UUID })
		if i < 0 {
			return fmt.Errorf("incident %s missing from the list of %d", inc.got.UUID, len(list))
		}
		var d diff
		compareIncident(&d, &inc.want, &list[i])
		return d.err("GET /v3/incidents item: ")
	})
	run("incidents/delete", func() error {
		need(inc.got != nil && inc.got.UUID != "", "incidents/create")
		if err := c.DeleteIncident(ctx, inc.got.UUID); err != nil {
			return err
		}
		_, err := c.GetIncident(ctx, inc.got.UUID)
		if !hp.IsNotFound(err) {
			return fmt.Errorf("GET after delete: want IsNotFound, got %v", err)
		}
		return nil
	})
}
