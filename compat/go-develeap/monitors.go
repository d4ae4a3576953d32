package main

import (
	"fmt"
	"slices"
	"strings"

	hp "github.com/develeap/hyperping-go"
)

// Monitors of every protocol, created with every field CreateMonitorRequest has, then read back
// field for field (api-contract §2). v0.7.1 has no ip_version, ssl_alert_days, ssl_reminders,
// ssl_notify_on_change, domain_alert_days nor domain_expiration: they cannot be sent or read here.

// monState is what the server should hold for a monitor: the SDK's own model, filled from what
// was sent (and the contract's defaults), then updated with what later cases change.
type monState struct {
	req  hp.CreateMonitorRequest
	want hp.Monitor
	got  *hp.Monitor
}

var mons = map[string]*monState{} // by protocol: http, port, icmp, dns

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func policyUUID(m *hp.Monitor) string {
	if m.EscalationPolicy == nil {
		return ""
	}
	return m.EscalationPolicy.UUID
}

// compareMonitor reports every field where got differs from want. Optional strings compare
// null and "" as equal (clearing with "" may read back as either).
func compareMonitor(d *diff, want, got *hp.Monitor) {
	d.eq("name", want.Name, got.Name)
	d.eq("url", want.URL, got.URL)
	d.eq("protocol", want.Protocol, got.Protocol)
	if want.Protocol == "http" {
		d.eq("http_method", want.HTTPMethod, got.HTTPMethod)
		d.eq("follow_redirects", want.FollowRedirects, got.FollowRedirects)
		d.eq("expected_status_code", want.ExpectedStatusCode, got.ExpectedStatusCode)
		d.eq("request_body", want.RequestBody, got.RequestBody)
		d.eq("request_headers", want.RequestHeaders, got.RequestHeaders)
		d.eq("required_keyword", deref(want.RequiredKeyword), deref(got.RequiredKeyword))
	}
	d.eq("check_frequency", want.CheckFrequency, got.CheckFrequency)
	d.eq("regions", want.Regions, got.Regions)
	d.eq("paused", want.Paused, got.Paused)
	d.eq("port", want.Port, got.Port)
	d.eq("alerts_wait", want.AlertsWait, got.AlertsWait)
	d.eq("escalation_policy.uuid", policyUUID(want), policyUUID(got))
	if want.EscalationPolicy != nil && got.EscalationPolicy != nil {
		d.eq("escalation_policy.name", want.EscalationPolicy.Name, got.EscalationPolicy.Name)
	}
	d.eq("dns_record_type", deref(want.DNSRecordType), deref(got.DNSRecordType))
	d.eq("dns_nameserver", deref(want.DNSNameserver), deref(got.DNSNameserver))
	d.eq("dns_expected_answer", deref(want.DNSExpectedAnswer), deref(got.DNSExpectedAnswer))
	d.want("uuid", strings.HasPrefix(got.UUID, "mon_"), "want mon_…, got %q", got.UUID)
	d.want("id", got.ID > 0, "want a numeric id, got %d", got.ID)
	d.eq("projectUuid", E.ProjectUUID, got.ProjectUUID)
	d.want("status", got.Status == "up" || got.Status == "down", "want up or down, got %q", got.Status)
}

// expectFrom is the state a create request should produce, with the contract's defaults (§2.2).
func expectFrom(r hp.CreateMonitorRequest) hp.Monitor {
	m := hp.Monitor{
		Name: r.Name, URL: r.URL, Protocol: r.Protocol, HTTPMethod: r.HTTPMethod, CheckFrequency: r.CheckFrequency,
		Regions: r.Regions, RequestHeaders: r.RequestHeaders, RequestBody: deref(r.RequestBody),
		FollowRedirects: true, ExpectedStatusCode: hp.FlexibleString(r.ExpectedStatusCode), RequiredKeyword: r.RequiredKeyword,
		Paused: r.Paused, Port: r.Port, AlertsWait: deref(r.AlertsWait),
		DNSRecordType: r.DNSRecordType, DNSNameserver: r.DNSNameserver, DNSExpectedAnswer: r.DNSExpectedAnswer,
	}
	if m.Protocol == "" {
		m.Protocol = "http"
	}
	if m.HTTPMethod == "" {
		m.HTTPMethod = "GET"
	}
	if m.CheckFrequency == 0 {
		m.CheckFrequency = 60
	}
	if r.FollowRedirects != nil {
		m.FollowRedirects = *r.FollowRedirects
	}
	if m.ExpectedStatusCode == "" {
		m.ExpectedStatusCode = "2xx"
	}
	if r.EscalationPolicy != nil {
		m.EscalationPolicy = &hp.EscalationPolicyRef{UUID: *r.EscalationPolicy, Name: fx.policyName}
	}
	return m
}

func createMonitorCase(key string, req hp.CreateMonitorRequest) {
	run("monitors/create-"+key, func() error {
		got, err := c.CreateMonitor(ctx, req)
		if err != nil {
			return err
		}
		st := &monState{req: req, want: expectFrom(req), got: got}
		mons[key] = st
		if req.Regions == nil { // server-chosen: take what it chose
			st.want.Regions = got.Regions
		}
		var d diff
		compareMonitor(&d, &st.want, got)
		return d.err("POST /v1/monitors response: ")
	})
	run("monitors/get-"+key, func() error {
		st := mons[key]
		need(st != nil, "monitors/create-"+key)
		got, err := c.GetMonitor(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		compareMonitor(&d, &st.want, got)
		return d.err("GET read back: ")
	})
}

func monitorCases() {
	tag := randSuffix(5)
	createMonitorCase("http", hp.CreateMonitorRequest{
		Name: "compat http " + tag, URL: E.HTTPURL, Protocol: "http", HTTPMethod: "POST", CheckFrequency: 3600,
		Regions:        []string{"london", "frankfurt", "virginia"},
		RequestHeaders: []hp.RequestHeader{{Name: "X-Compat", Value: "yes"}, {Name: "Authorization", Value: "Bearer compat-probe"}},
		RequestBody:    ptr(`{"ping":1}`), FollowRedirects: ptr(false), ExpectedStatusCode: "200", RequiredKeyword: ptr("compat"),
		AlertsWait: ptr(5), EscalationPolicy: ptr(fx.policyUUID),
	})
	createMonitorCase("port", hp.CreateMonitorRequest{
		Name: "compat port " + tag, URL: "http://" + E.Host, Protocol: "port", Port: ptr(E.TCPPort), CheckFrequency: 3600,
		Regions: []string{"paris"}, Paused: true, AlertsWait: ptr(-1),
	})
	createMonitorCase("icmp", hp.CreateMonitorRequest{
		Name: "compat icmp " + tag, URL: "http://" + E.Host, Protocol: "icmp", CheckFrequency: 86400,
		Regions: []string{"tokyo", "sydney"}, AlertsWait: ptr(0),
	})
	createMonitorCase("dns", hp.CreateMonitorRequest{
		Name: "compat dns " + tag, URL: E.DNSName, Protocol: "dns", CheckFrequency: 3600, Regions: []string{"amsterdam"},
		DNSRecordType: ptr("A"), DNSNameserver: ptr(E.DNSNS), DNSExpectedAnswer: ptr(E.Host), AlertsWait: ptr(2),
	})
	// The SDK always sends "protocol", empty when the caller leaves it unset (clients.md); the
	// contract's default is http (§2.2).
	createMonitorCase("default-protocol", hp.CreateMonitorRequest{
		Name: "compat defaults " + tag, URL: E.HTTPURL, CheckFrequency: 3600, Paused: true,
	})

	run("monitors/update-partial", func() error {
		st := mons["http"]
		need(st != nil, "monitors/create-http")
		up := hp.UpdateMonitorRequest{
			Name: ptr(st.want.Name + " renamed"), CheckFrequency: ptr(1800), Regions: &[]string{"singapore"},
			ExpectedStatusCode: ptr("2xx"), HTTPMethod: ptr("PUT"),
		}
		st.want.Name, st.want.CheckFrequency, st.want.Regions = *up.Name, 1800, []string{"singapore"}
		st.want.ExpectedStatusCode, st.want.HTTPMethod = "2xx", "PUT"
		got, err := c.UpdateMonitor(ctx, st.got.UUID, up)
		if err != nil {
			return err
		}
		var d diff
		compareMonitor(&d, &st.want, got)
		again, err := c.GetMonitor(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		var d2 diff
		compareMonitor(&d2, &st.want, again)
		if e := d.err("PUT response: "); e != nil {
			return fmt.Errorf("%v; GET: %v", e, d2.err(""))
		}
		return d2.err("GET after PUT: ")
	})

	// How the Terraform provider clears fields (§2.2, §14.5): "" for strings, [] for headers,
	// 0 for alerts_wait, "none" to unlink the escalation policy.
	run("monitors/update-clear", func() error {
		st := mons["http"]
		need(st != nil, "monitors/create-http")
		up := hp.UpdateMonitorRequest{
			RequestBody: ptr(""), RequiredKeyword: ptr(""), RequestHeaders: &[]hp.RequestHeader{},
			AlertsWait: ptr(0), EscalationPolicy: ptr("none"), HTTPMethod: ptr("GET"),
		}
		got, err := c.UpdateMonitor(ctx, st.got.UUID, up)
		if err != nil {
			return err
		}
		st.want.RequestBody, st.want.RequiredKeyword, st.want.RequestHeaders = "", nil, nil
		st.want.AlertsWait, st.want.EscalationPolicy, st.want.HTTPMethod = 0, nil, "GET"
		again, err := c.GetMonitor(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		compareMonitor(&d, &st.want, got)
		compareMonitor(&d, &st.want, again)
		return d.err("after clearing: ")
	})

	run("monitors/update-relink-policy", func() error {
		st := mons["http"]
		need(st != nil, "monitors/create-http")
		got, err := c.UpdateMonitor(ctx, st.got.UUID, hp.UpdateMonitorRequest{EscalationPolicy: ptr(fx.policyUUID)})
		if err != nil {
			return err
		}
		st.want.EscalationPolicy = &hp.EscalationPolicyRef{UUID: fx.policyUUID, Name: fx.policyName}
		var d diff
		compareMonitor(&d, &st.want, got)
		return d.err("PUT escalation_policy: ")
	})

	run("monitors/update-dns", func() error {
		st := mons["dns"]
		need(st != nil, "monitors/create-dns")
		up := hp.UpdateMonitorRequest{DNSRecordType: ptr("TXT"), DNSExpectedAnswer: ptr("compat")}
		got, err := c.UpdateMonitor(ctx, st.got.UUID, up)
		if err != nil {
			return err
		}
		st.want.DNSRecordType, st.want.DNSExpectedAnswer = up.DNSRecordType, up.DNSExpectedAnswer
		var d diff
		compareMonitor(&d, &st.want, got)
		return d.err("PUT dns fields: ")
	})

	run("monitors/pause-resume", func() error {
		st := mons["icmp"]
		need(st != nil, "monitors/create-icmp")
		var d diff
		p, err := c.PauseMonitor(ctx, st.got.UUID)
		if err != nil {
			return fmt.Errorf("pause: %w", err)
		}
		d.eq("paused after PauseMonitor", true, p.Paused)
		g, err := c.GetMonitor(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		d.eq("paused on GET after pause", true, g.Paused)
		r, err := c.ResumeMonitor(ctx, st.got.UUID)
		if err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		d.eq("paused after ResumeMonitor", false, r.Paused)
		g, err = c.GetMonitor(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		d.eq("paused on GET after resume", false, g.Paused)
		compareMonitor(&d, &st.want, g)
		return d.err("")
	})

	run("monitors/list", func() error {
		list, err := c.ListMonitors(ctx)
		if err != nil {
			return err
		}
		var d diff
		for _, key := range []string{"http", "port", "icmp", "dns", "default-protocol"} {
			st := mons[key]
			if st == nil {
				continue
			}
			i := slices.IndexFunc(list, func(m hp.Monitor) bool { return m.UUID == st.got.UUID })
			if i < 0 {
				d.want(key, false, "monitor %s missing from the list of %d", st.got.UUID, len(list))
				continue
			}
			var one diff
			compareMonitor(&one, &st.want, &list[i])
			for _, it := range one.items {
				d.items = append(d.items, key+"."+it)
			}
		}
		return d.err("GET /v1/monitors items: ")
	})
}

// deleteMonitorCases run at the end, once the other resources no longer need the monitors.
func deleteMonitorCases() {
	run("monitors/delete", func() error {
		st := mons["icmp"]
		need(st != nil, "monitors/create-icmp")
		return c.DeleteMonitor(ctx, st.got.UUID)
	})
	run("monitors/get-after-delete-404", func() error {
		st := mons["icmp"]
		need(st != nil, "monitors/create-icmp")
		_, err := c.GetMonitor(ctx, st.got.UUID)
		if !hp.IsNotFound(err) {
			return fmt.Errorf("want IsNotFound, got %v", err)
		}
		list, err := c.ListMonitors(ctx)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(list, func(m hp.Monitor) bool { return m.UUID == st.got.UUID }) {
			return fmt.Errorf("deleted monitor %s still listed", st.got.UUID)
		}
		return nil
	})
}
