package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	hp "github.com/develeap/hyperping-go"
)

// Healthchecks (cron jobs and heartbeats), api-contract §3. The SDK writes snake_case and reads
// camelCase; period and gracePeriod are the values converted to seconds. v0.7.1's Healthcheck
// has no publicUuid, so that field cannot be read here.

type hcState struct {
	want hp.Healthcheck
	got  *hp.Healthcheck
}

var hcs = map[string]*hcState{} // "period", "cron"

func compareHealthcheck(d *diff, want, got *hp.Healthcheck, withPolicy bool) {
	d.eq("name", want.Name, got.Name)
	d.eq("cron", want.Cron, got.Cron)
	if tz := want.GetTimezone(); tz != "" {
		d.eq("timezone (timezone or tz)", tz, got.GetTimezone())
	}
	d.eq("periodValue", deref(want.PeriodValue), deref(got.PeriodValue))
	d.eq("periodType", want.PeriodType, got.PeriodType)
	if want.Period != 0 {
		d.eq("period (seconds)", want.Period, got.Period)
	}
	d.eq("gracePeriodValue", want.GracePeriodValue, got.GracePeriodValue)
	d.eq("gracePeriodType", want.GracePeriodType, got.GracePeriodType)
	d.eq("gracePeriod (seconds)", want.GracePeriod, got.GracePeriod)
	d.eq("isPaused", want.IsPaused, got.IsPaused)
	d.want("uuid", strings.HasPrefix(got.UUID, "tok_"), "want tok_…, got %q", got.UUID)
	d.want("pingUrl", got.UUID != "" && strings.HasSuffix(got.PingURL, "/"+got.UUID), "want <ping base>/%s, got %q", got.UUID, got.PingURL)
	if withPolicy {
		var w, g string
		if want.EscalationPolicy != nil {
			w = want.EscalationPolicy.UUID
		}
		if got.EscalationPolicy != nil {
			g = got.EscalationPolicy.UUID
		}
		d.eq("escalationPolicy.uuid", w, g)
	}
}

func healthcheckCases() {
	tag := randSuffix(5)
	run("healthchecks/create-period", func() error {
		req := hp.CreateHealthcheckRequest{
			Name: "compat heartbeat " + tag, PeriodValue: ptr(1), PeriodType: ptr("hours"),
			GracePeriodValue: 5, GracePeriodType: "minutes", EscalationPolicy: ptr(fx.policyUUID),
		}
		got, err := c.CreateHealthcheck(ctx, req)
		if err != nil {
			return err
		}
		st := &hcState{got: got, want: hp.Healthcheck{
			Name: req.Name, PeriodValue: ptr(1), PeriodType: "hours", Period: 3600,
			GracePeriodValue: 5, GracePeriodType: "minutes", GracePeriod: 300,
			EscalationPolicy: &hp.EscalationPolicyReference{UUID: fx.policyUUID},
		}}
		hcs["period"] = st
		var d diff
		compareHealthcheck(&d, &st.want, got, false)
		return d.err("POST /v2/healthchecks response: ")
	})
	run("healthchecks/get-period", func() error {
		st := hcs["period"]
		need(st != nil, "healthchecks/create-period")
		got, err := c.GetHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		compareHealthcheck(&d, &st.want, got, true)
		return d.err("GET read back: ")
	})

	run("healthchecks/create-cron", func() error {
		req := hp.CreateHealthcheckRequest{
			Name: "compat cron " + tag, Cron: ptr("0 3 * * 1-5"), Timezone: ptr("Europe/Paris"),
			GracePeriodValue: 10, GracePeriodType: "minutes",
		}
		got, err := c.CreateHealthcheck(ctx, req)
		if err != nil {
			return err
		}
		st := &hcState{got: got, want: hp.Healthcheck{
			Name: req.Name, Cron: "0 3 * * 1-5", Timezone: "Europe/Paris",
			GracePeriodValue: 10, GracePeriodType: "minutes", GracePeriod: 600,
		}}
		hcs["cron"] = st
		var d diff
		compareHealthcheck(&d, &st.want, got, false)
		return d.err("POST /v2/healthchecks response: ")
	})
	run("healthchecks/get-cron", func() error {
		st := hcs["cron"]
		need(st != nil, "healthchecks/create-cron")
		got, err := c.GetHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		compareHealthcheck(&d, &st.want, got, true)
		return d.err("GET read back: ")
	})

	run("healthchecks/update-partial", func() error {
		st := hcs["period"]
		need(st != nil, "healthchecks/create-period")
		up := hp.UpdateHealthcheckRequest{Name: ptr(st.want.Name + " renamed"), GracePeriodValue: ptr(2), GracePeriodType: ptr("hours")}
		got, err := c.UpdateHealthcheck(ctx, st.got.UUID, up)
		if err != nil {
			return err
		}
		st.want.Name, st.want.GracePeriodValue, st.want.GracePeriodType, st.want.GracePeriod = *up.Name, 2, "hours", 7200
		var d diff
		compareHealthcheck(&d, &st.want, got, false)
		again, err := c.GetHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		compareHealthcheck(&d, &st.want, again, true)
		return d.err("after PUT: ")
	})

	run("healthchecks/update-unlink-policy", func() error {
		st := hcs["period"]
		need(st != nil, "healthchecks/create-period")
		if _, err := c.UpdateHealthcheck(ctx, st.got.UUID, hp.UpdateHealthcheckRequest{EscalationPolicy: ptr("")}); err != nil {
			return err
		}
		st.want.EscalationPolicy = nil
		g, err := c.GetHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		compareHealthcheck(&d, &st.want, g, true)
		return d.err("escalation_policy \"\" (how Terraform clears it, §3.2): ")
	})

	// How the Terraform provider switches modes (§3.2): period_type "" (period_value omitted)
	// turns a heartbeat into a cron check; cron "" and timezone "" turn it back.
	run("healthchecks/update-period-to-cron", func() error {
		st := hcs["period"]
		need(st != nil, "healthchecks/create-period")
		up := hp.UpdateHealthcheckRequest{Cron: ptr("*/15 * * * *"), Timezone: ptr("America/New_York"), PeriodType: ptr("")}
		got, err := c.UpdateHealthcheck(ctx, st.got.UUID, up)
		if err != nil {
			return err
		}
		st.want.Cron, st.want.Timezone, st.want.PeriodType, st.want.PeriodValue, st.want.Period = "*/15 * * * *", "America/New_York", "", nil, 0
		var d diff
		compareHealthcheck(&d, &st.want, got, false)
		return d.err("PUT to cron: ")
	})
	run("healthchecks/update-cron-to-period", func() error {
		st := hcs["period"]
		need(st != nil, "healthchecks/create-period")
		up := hp.UpdateHealthcheckRequest{Cron: ptr(""), Timezone: ptr(""), PeriodValue: ptr(30), PeriodType: ptr("minutes")}
		got, err := c.UpdateHealthcheck(ctx, st.got.UUID, up)
		if err != nil {
			return err
		}
		st.want.Cron, st.want.Timezone, st.want.PeriodType, st.want.PeriodValue, st.want.Period = "", "", "minutes", ptr(30), 1800
		var d diff
		compareHealthcheck(&d, &st.want, got, false)
		again, err := c.GetHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		compareHealthcheck(&d, &st.want, again, true)
		return d.err("PUT back to a period: ")
	})

	run("healthchecks/pause-resume", func() error {
		st := hcs["cron"]
		need(st != nil, "healthchecks/create-cron")
		var d diff
		a, err := c.PauseHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return fmt.Errorf("pause: %w", err)
		}
		d.want("pause response", a != nil && a.Message != "" && a.UUID == st.got.UUID, "want {message, uuid:%s}, got %+v", st.got.UUID, a)
		g, err := c.GetHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		d.eq("isPaused on GET after pause", true, g.IsPaused)
		a, err = c.ResumeHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		d.want("resume response", a != nil && a.Message != "" && a.UUID == st.got.UUID, "want {message, uuid:%s}, got %+v", st.got.UUID, a)
		g, err = c.GetHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		d.eq("isPaused on GET after resume", false, g.IsPaused)
		return d.err("")
	})

	run("healthchecks/list", func() error {
		list, err := c.ListHealthchecks(ctx)
		if err != nil {
			return err
		}
		var d diff
		for _, key := range []string{"period", "cron"} {
			st := hcs[key]
			if st == nil {
				continue
			}
			i := slices.IndexFunc(list, func(h hp.Healthcheck) bool { return h.UUID == st.got.UUID })
			if i < 0 {
				d.want(key, false, "healthcheck %s missing from the list of %d", st.got.UUID, len(list))
				continue
			}
			var one diff
			compareHealthcheck(&one, &st.want, &list[i], false)
			for _, it := range one.items {
				d.items = append(d.items, key+"."+it)
			}
		}
		return d.err("GET /v2/healthchecks items: ")
	})

	// A cron job pings the pingUrl the SDK reads; the SDK then reads lastPing and dueDate.
	run("healthchecks/ping-url-usable", func() error {
		st := hcs["period"]
		need(st != nil, "healthchecks/create-period")
		return ping(st.got.PingURL)
	})
	run("healthchecks/ping-read-back", func() error {
		st := hcs["period"]
		need(st != nil, "healthchecks/create-period")
		u, err := url.Parse(st.got.PingURL)
		if err != nil {
			return fmt.Errorf("pingUrl %q: %w", st.got.PingURL, err)
		}
		if err := ping(E.URL + u.Path); err != nil { // the same path on the server's real address
			return err
		}
		g, err := c.GetHealthcheck(ctx, st.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		d.want("lastPing", g.LastPing != "", "want the ping's time, got none")
		d.want("dueDate", g.DueDate != "", "want the next due time, got none")
		d.eq("isDown", false, g.IsDown)
		return d.err("GET after a ping: ")
	})

	run("healthchecks/delete", func() error {
		st := hcs["cron"]
		need(st != nil, "healthchecks/create-cron")
		if err := c.DeleteHealthcheck(ctx, st.got.UUID); err != nil {
			return err
		}
		_, err := c.GetHealthcheck(ctx, st.got.UUID)
		if !hp.IsNotFound(err) {
			return fmt.Errorf("GET after delete: want IsNotFound, got %v", err)
		}
		return nil
	})
}

// ping is what a monitored job does: a plain request to its ping URL.
func ping(u string) error {
	hc := &http.Client{Timeout: 5 * time.Second, Transport: logTransport{base: &http.Transport{}}}
	resp, err := hc.Get(u)
	if err != nil {
		return fmt.Errorf("pinging %s: %v", u, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("pinging %s: HTTP %d", u, resp.StatusCode)
	}
	return nil
}
