package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	hp "github.com/develeap/hyperping-go"
)

// Status pages (api-contract §8) and their subscribers (§9). The write body is flat, the read
// shape nests settings; sections are written with plain-string names and monitor_uuid, read
// with localized names and uuid. v0.7.1's services have no "type" (monitor/healthcheck): the
// SDK cannot put a healthcheck on a page.

var sp struct {
	req  hp.CreateStatusPageRequest
	want spWant
	got  *hp.StatusPage
}

type spWant struct {
	name, subdomain, website, description, theme, font, accent, logo, logoHeight, favicon, ga string
	languages                                                                                 []string
	defaultLanguage                                                                           string
	autoRefresh, bannerHeader, hidePowered, hideSearch, passwordProtected                     bool
	subscribe                                                                                 hp.StatusPageSubscribeSettings
}

func (w spWant) compare(d *diff, got *hp.StatusPage) {
	d.eq("name", w.name, got.Name)
	d.eq("settings.name", w.name, got.Settings.Name)
	d.eq("hostname", nil, got.Hostname)
	d.want("hostedsubdomain", strings.HasPrefix(got.HostedSubdomain, w.subdomain+"."), "sent subdomain %q, got %q", w.subdomain, got.HostedSubdomain)
	d.eq("url (no hostname: the hosted subdomain)", got.HostedSubdomain, got.URL)
	d.eq("password_protected", w.passwordProtected, got.PasswordProtected)
	s := got.Settings
	d.eq("settings.website", w.website, s.Website)
	d.eq("settings.description.en", w.description, s.Description["en"])
	d.eq("settings.languages", w.languages, s.Languages)
	d.eq("settings.default_language", w.defaultLanguage, s.DefaultLanguage)
	d.eq("settings.theme", w.theme, s.Theme)
	d.eq("settings.font", w.font, s.Font)
	d.eq("settings.accent_color", w.accent, s.AccentColor)
	d.eq("settings.auto_refresh", w.autoRefresh, s.AutoRefresh)
	d.eq("settings.banner_header", w.bannerHeader, s.BannerHeader)
	d.eq("settings.logo", w.logo, deref(s.Logo))
	d.eq("settings.logo_height", w.logoHeight, s.LogoHeight)
	d.eq("settings.favicon", w.favicon, deref(s.Favicon))
	d.eq("settings.hide_powered_by", w.hidePowered, s.HidePoweredBy)
	d.eq("settings.hide_from_search_engines", w.hideSearch, s.HideFromSearchEngines)
	d.eq("settings.google_analytics", w.ga, deref(s.GoogleAnalytics))
	d.eq("settings.subscribe", w.subscribe, s.Subscribe)
	d.eq("settings.authentication.password_protection", w.passwordProtected, s.Authentication.PasswordProtection)
	d.eq("settings.authentication.google_sso", false, s.Authentication.GoogleSSO)
	d.eq("settings.authentication.saml_sso", false, s.Authentication.SAMLSSO)
}

// sameMonitor: a service names its monitor by mon_ uuid or by the numeric id (§8.4).
func sameMonitor(m *hp.Monitor, uuid string) bool {
	return m != nil && (uuid == m.UUID || uuid == strconv.Itoa(m.ID))
}

// compareSections checks the sections written by statuspages/create (is_split is write-only on
// the hosted API, §8.4, so it is not compared).
func compareSections(d *diff, got []hp.StatusPageSection) {
	httpMon, portMon := mons["http"], mons["port"]
	if len(got) != 1 {
		d.want("sections", false, "sent 1 section, got %d", len(got))
		return
	}
	s := got[0]
	d.eq("sections[0].name.en", "Core", s.Name["en"])
	if len(s.Services) != 2 {
		d.want("sections[0].services", false, "sent 2 services, got %d: %s", len(s.Services), show(s.Services))
		return
	}
	a, g := s.Services[0], s.Services[1]
	if httpMon != nil {
		d.want("sections[0].services[0].uuid", sameMonitor(httpMon.got, a.UUID), "sent monitor_uuid %q, got %q", httpMon.got.UUID, a.UUID)
	}
	d.eq("sections[0].services[0].name.en (name_shown)", "API", a.Name["en"])
	d.eq("sections[0].services[0].show_uptime", true, a.ShowUptime)
	d.eq("sections[0].services[0].show_response_times", true, a.ShowResponseTimes)
	d.eq("sections[0].services[0].is_group", false, a.IsGroup)
	d.eq("sections[0].services[0].description.en", "Main API", a.Description["en"])
	d.eq("sections[0].services[1].is_group", true, g.IsGroup)
	d.eq("sections[0].services[1].name.en (name_shown)", "Edge", g.Name["en"])
	if len(g.Services) != 1 {
		d.want("sections[0].services[1].services", false, "sent 1 nested service, got %d", len(g.Services))
		return
	}
	n := g.Services[0]
	if portMon != nil {
		d.want("sections[0].services[1].services[0].uuid", sameMonitor(portMon.got, n.UUID), "sent uuid %q, got %q", portMon.got.UUID, n.UUID)
	}
	d.eq("sections[0].services[1].services[0].name.en", "TCP", n.Name["en"])
	d.eq("sections[0].services[1].services[0].show_uptime", true, n.ShowUptime)
	d.eq("sections[0].services[1].services[0].show_response_times", false, n.ShowResponseTimes)
}

var pagedPages []string

func statusPageCases() {
	tag := randSuffix(6)
	run("statuspages/create", func() error {
		need(mons["http"] != nil && mons["port"] != nil, "monitors/create-http and monitors/create-port")
		w := spWant{
			name: "Compat page " + tag, subdomain: "compat-go-" + tag, website: E.HTTPURL, description: "Compat status page",
			theme: "dark", font: "Lato", accent: "#123456", logo: E.HTTPURL + "logo.png", logoHeight: "40px",
			favicon: E.HTTPURL + "favicon.ico", ga: "G-COMPAT123", languages: []string{"en", "fr"}, defaultLanguage: "en",
			autoRefresh: true, bannerHeader: false, hidePowered: true, hideSearch: true, passwordProtected: true,
			subscribe: hp.StatusPageSubscribeSettings{Enabled: true, Email: true, Slack: false, Teams: true, SMS: true},
		}
		req := hp.CreateStatusPageRequest{
			Name: w.name, Subdomain: ptr(w.subdomain), Website: ptr(w.website), Description: ptr(w.description),
			Languages: w.languages, DefaultLanguage: ptr(w.defaultLanguage), Theme: ptr(w.theme), Font: ptr(w.font),
			AccentColor: ptr(w.accent), AutoRefresh: ptr(w.autoRefresh), BannerHeader: ptr(w.bannerHeader), Logo: ptr(w.logo),
			LogoHeight: ptr(w.logoHeight), Favicon: ptr(w.favicon), HidePoweredBy: ptr(w.hidePowered),
			HideFromSearchEngines: ptr(w.hideSearch), GoogleAnalytics: ptr(w.ga), Password: ptr("compat-secret-" + tag),
			Subscribe:      &hp.CreateStatusPageSubscribeSettings{Enabled: ptr(true), Email: ptr(true), Slack: ptr(false), Teams: ptr(true), SMS: ptr(true)},
			Authentication: &hp.CreateStatusPageAuthenticationSettings{PasswordProtection: ptr(true), GoogleSSO: ptr(false), SAMLSSO: ptr(false)},
			Sections: []hp.CreateStatusPageSection{{
				Name: "Core", IsSplit: ptr(true),
				Services: []hp.CreateStatusPageService{
					{MonitorUUID: ptr(mons["http"].got.UUID), NameShown: ptr("API"), ShowUptime: ptr(true), ShowResponseTimes: ptr(true), Description: ptr("Main API")},
					{IsGroup: ptr(true), NameShown: ptr("Edge"), Services: []hp.CreateStatusPageService{
						{UUID: ptr(mons["port"].got.UUID), Name: map[string]string{"en": "TCP"}, ShowUptime: ptr(true), ShowResponseTimes: ptr(false)},
					}},
				},
			}},
		}
		got, err := c.CreateStatusPage(ctx, req)
		if err != nil {
			return err
		}
		sp.req, sp.want, sp.got = req, w, got
		var d diff
		d.want("uuid", strings.HasPrefix(got.UUID, "sp_"), "want sp_…, got %q", got.UUID)
		w.compare(&d, got)
		compareSections(&d, got.Sections)
		return d.err("POST /v2/statuspages response: ")
	})
	run("statuspages/get", func() error {
		need(sp.got != nil, "statuspages/create")
		got, err := c.GetStatusPage(ctx, sp.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		sp.want.compare(&d, got)
		compareSections(&d, got.Sections)
		return d.err("GET read back: ")
	})
	run("statuspages/update-partial", func() error {
		need(sp.got != nil, "statuspages/create")
		up := hp.UpdateStatusPageRequest{Name: ptr(sp.want.name + " renamed"), Theme: ptr("light"), AccentColor: ptr("#abcdef"), HidePoweredBy: ptr(false)}
		got, err := c.UpdateStatusPage(ctx, sp.got.UUID, up)
		if err != nil {
			return err
		}
		sp.want.name, sp.want.theme, sp.want.accent, sp.want.hidePowered = *up.Name, "light", "#abcdef", false
		var d diff
		sp.want.compare(&d, got)
		compareSections(&d, got.Sections)
		again, err := c.GetStatusPage(ctx, sp.got.UUID)
		if err != nil {
			return err
		}
		sp.want.compare(&d, again)
		compareSections(&d, again.Sections)
		return d.err("after PUT (sections not sent, so unchanged): ")
	})
	// Terraform sends the whole sections list on update, with the monitor's numeric id as a
	// string in monitor_uuid (§8.4); the server takes either form and replaces the sections.
	run("statuspages/update-sections", func() error {
		need(sp.got != nil && mons["dns"] != nil && mons["http"] != nil, "statuspages/create, monitors/create-dns")
		dns, httpMon := mons["dns"].got, mons["http"].got
		up := hp.UpdateStatusPageRequest{Sections: []hp.CreateStatusPageSection{
			{Name: "Resolvers", Services: []hp.CreateStatusPageService{
				{MonitorUUID: ptr(strconv.Itoa(dns.ID)), NameShown: ptr("DNS"), ShowUptime: ptr(false), ShowResponseTimes: ptr(true)},
			}},
			{Name: "Web", Services: []hp.CreateStatusPageService{
				{MonitorUUID: ptr(httpMon.UUID), NameShown: ptr("Site"), ShowUptime: ptr(true)},
			}},
		}}
		got, err := c.UpdateStatusPage(ctx, sp.got.UUID, up)
		if err != nil {
			return err
		}
		again, err := c.GetStatusPage(ctx, sp.got.UUID)
		if err != nil {
			return err
		}
		var d diff
		for _, p := range []*hp.StatusPage{got, again} {
			if len(p.Sections) != 2 || len(p.Sections[0].Services) != 1 || len(p.Sections[1].Services) != 1 {
				d.want("sections", false, "sent 2 sections of 1 service each, got %s", show(p.Sections))
				continue
			}
			a, b := p.Sections[0].Services[0], p.Sections[1].Services[0]
			d.eq("sections[0].name.en", "Resolvers", p.Sections[0].Name["en"])
			d.want("sections[0].services[0].uuid", sameMonitor(dns, a.UUID), "sent monitor_uuid %q (numeric id of %s), got %q", strconv.Itoa(dns.ID), dns.UUID, a.UUID)
			d.eq("sections[0].services[0].name.en", "DNS", a.Name["en"])
			d.eq("sections[0].services[0].show_uptime", false, a.ShowUptime)
			d.eq("sections[0].services[0].show_response_times", true, a.ShowResponseTimes)
			d.eq("sections[1].name.en", "Web", p.Sections[1].Name["en"])
			d.want("sections[1].services[0].uuid", sameMonitor(httpMon, b.UUID), "sent monitor_uuid %q, got %q", httpMon.UUID, b.UUID)
		}
		sp.want.compare(&d, again)
		return d.err("PUT sections: ")
	})
	run("statuspages/update-clear-password", func() error {
		need(sp.got != nil, "statuspages/create")
		up := hp.UpdateStatusPageRequest{Password: ptr(""), Authentication: &hp.CreateStatusPageAuthenticationSettings{PasswordProtection: ptr(false)}}
		got, err := c.UpdateStatusPage(ctx, sp.got.UUID, up)
		if err != nil {
			return err
		}
		sp.want.passwordProtected = false
		var d diff
		sp.want.compare(&d, got)
		return d.err("password \"\" and password_protection false (§8.2): ")
	})
	run("statuspages/list", func() error {
		need(sp.got != nil, "statuspages/create")
		r, err := c.ListStatusPages(ctx, nil, nil)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(r.StatusPages, func(p hp.StatusPage) bool { return p.UUID == sp.got.UUID })
		if i < 0 {
			return fmt.Errorf("page %s missing from the list (%d items, total %d)", sp.got.UUID, len(r.StatusPages), r.Total)
		}
		p := r.StatusPages[i]
		var d diff
		d.eq("name", sp.want.name, p.Name)
		d.eq("hostedsubdomain", sp.got.HostedSubdomain, p.HostedSubdomain)
		d.eq("url", sp.got.URL, p.URL)
		d.eq("password_protected", sp.want.passwordProtected, p.PasswordProtected)
		d.eq("page", 0, r.Page)
		d.eq("resultsPerPage", 20, r.ResultsPerPage)
		return d.err("GET /v2/statuspages: ")
	})
	run("statuspages/list-paging", func() error {
		for i := range 20 {
			p, err := c.CreateStatusPage(ctx, hp.CreateStatusPageRequest{Name: fmt.Sprintf("compat paged %s %02d", tag, i)})
			if err != nil {
				return fmt.Errorf("creating page %d: %w", i, err)
			}
			pagedPages = append(pagedPages, p.UUID)
		}
		var d diff
		seen := map[string]int{}
		total := 0
		for page := 0; page < 5; page++ {
			r, err := c.ListStatusPages(ctx, ptr(page), nil)
			if err != nil {
				return fmt.Errorf("page %d: %w", page, err)
			}
			d.eq(fmt.Sprintf("page %d: page", page), page, r.Page)
			d.eq(fmt.Sprintf("page %d: resultsPerPage", page), 20, r.ResultsPerPage)
			if page == 0 {
				total = r.Total
				d.want("page 0", len(r.StatusPages) == 20 && r.HasNextPage, "want 20 items and hasNextPage with %d pages, got %d items, hasNextPage %v", r.Total, len(r.StatusPages), r.HasNextPage)
			}
			for _, p := range r.StatusPages {
				seen[p.UUID]++
			}
			if !r.HasNextPage {
				break
			}
		}
		d.want("total", total >= 21, "want at least 21, got %d", total)
		d.eq("distinct pages over all pages", total, len(seen))
		for _, u := range append([]string{sp.got.UUID}, pagedPages...) {
			d.want("page "+u, seen[u] == 1, "seen %d times", seen[u])
		}
		return d.err("paging: ")
	})
	run("statuspages/list-search", func() error {
		need(sp.got != nil, "statuspages/create")
		r, err := c.ListStatusPages(ctx, nil, ptr("Compat page "+tag))
		if err != nil {
			return err
		}
		var d diff
		d.want("search by name", len(r.StatusPages) == 1 && r.StatusPages[0].UUID == sp.got.UUID && r.Total == 1,
			"want only %s, got %d items (total %d)", sp.got.UUID, len(r.StatusPages), r.Total)
		r, err = c.ListStatusPages(ctx, nil, ptr("compat-go-"+tag))
		if err != nil {
			return err
		}
		d.want("search by subdomain", len(r.StatusPages) == 1 && r.Total == 1, "want 1, got %d items (total %d)", len(r.StatusPages), r.Total)
		r, err = c.ListStatusPages(ctx, nil, ptr("no-such-page-"+tag))
		if err != nil {
			return err
		}
		d.want("search without match", len(r.StatusPages) == 0 && r.Total == 0 && !r.HasNextPage, "want empty, got %d items (total %d)", len(r.StatusPages), r.Total)
		return d.err("")
	})
	run("statuspages/delete", func() error {
		need(len(pagedPages) > 0, "statuspages/list-paging")
		u := pagedPages[0]
		if err := c.DeleteStatusPage(ctx, u); err != nil {
			return err
		}
		_, err := c.GetStatusPage(ctx, u)
		if !hp.IsNotFound(err) {
			return fmt.Errorf("GET after delete: want IsNotFound, got %v", err)
		}
		return nil
	})
}

var subs = map[string]*hp.StatusPageSubscriber{}

func subscriberCases() {
	tag := randSuffix(5)
	add := func(name string, req hp.AddSubscriberRequest, value, language string) {
		run("subscribers/add-"+name, func() error {
			need(sp.got != nil, "statuspages/create")
			got, err := c.AddSubscriber(ctx, sp.got.UUID, req)
			if err != nil {
				return err
			}
			subs[name] = got
			var d diff
			d.want("id", got.ID > 0, "want a numeric id, got %d", got.ID)
			d.eq("type", req.Type, got.Type)
			d.eq("email", req.Email, got.Email)
			d.eq("phone", req.Phone, got.Phone)
			d.eq("value", value, got.Value)
			d.eq("language", language, got.Language)
			return d.err("POST subscribers response: ")
		})
	}
	email := "compat-" + tag + "@example.com"
	add("email", hp.AddSubscriberRequest{Type: "email", Email: ptr(email), Language: ptr("fr")}, email, "fr")
	add("sms", hp.AddSubscriberRequest{Type: "sms", Phone: ptr("+12125551234")}, "+12125551234", "en")
	// Vigil wants an https webhook; this one stays on loopback (nothing answers TLS there).
	teams := strings.Replace(E.HTTPURL, "http://", "https://", 1) + "teams-" + tag
	add("teams", hp.AddSubscriberRequest{Type: "teams", TeamsWebhookURL: ptr(teams), Language: ptr("de")}, teams, "de")

	run("subscribers/list", func() error {
		need(sp.got != nil, "statuspages/create")
		r, err := c.ListSubscribers(ctx, sp.got.UUID, nil, nil)
		if err != nil {
			return err
		}
		var d diff
		for name, s := range subs {
			i := slices.IndexFunc(r.Subscribers, func(x hp.StatusPageSubscriber) bool { return x.ID == s.ID })
			if i < 0 {
				d.want(name, false, "subscriber %d missing from the list", s.ID)
				continue
			}
			x := r.Subscribers[i]
			d.eq(name+".type", s.Type, x.Type)
			d.eq(name+".value", s.Value, x.Value)
			d.eq(name+".email", s.Email, x.Email)
			d.eq(name+".phone", s.Phone, x.Phone)
			d.eq(name+".language", s.Language, x.Language)
			d.want(name+".created_at", x.CreatedAt != "", "want a timestamp, got %q", x.CreatedAt)
		}
		d.eq("total", len(subs), r.Total)
		d.eq("resultsPerPage", 20, r.ResultsPerPage)
		return d.err("GET subscribers: ")
	})
	run("subscribers/list-type-filter", func() error {
		need(sp.got != nil && subs["sms"] != nil, "subscribers/add-sms")
		r, err := c.ListSubscribers(ctx, sp.got.UUID, nil, ptr("sms"))
		if err != nil {
			return err
		}
		if len(r.Subscribers) != 1 || r.Subscribers[0].ID != subs["sms"].ID || r.Total != 1 {
			return fmt.Errorf("type=sms: want only subscriber %d, got %s (total %d)", subs["sms"].ID, show(r.Subscribers), r.Total)
		}
		return nil
	})
	run("subscribers/list-paging", func() error {
		need(sp.got != nil, "statuspages/create")
		for i := range 20 {
			if _, err := c.AddSubscriber(ctx, sp.got.UUID, hp.AddSubscriberRequest{Type: "email", Email: ptr(fmt.Sprintf("paged-%02d-%s@example.com", i, tag))}); err != nil {
				return fmt.Errorf("adding subscriber %d: %w", i, err)
			}
		}
		var d diff
		seen := map[int]int{}
		r0, err := c.ListSubscribers(ctx, sp.got.UUID, ptr(0), nil)
		if err != nil {
			return err
		}
		d.want("page 0", len(r0.Subscribers) == 20 && r0.HasNextPage && r0.Page == 0, "want 20 items, hasNextPage, page 0; got %d, %v, %d", len(r0.Subscribers), r0.HasNextPage, r0.Page)
		r1, err := c.ListSubscribers(ctx, sp.got.UUID, ptr(1), nil)
		if err != nil {
			return err
		}
		d.want("page 1", len(r1.Subscribers) == r0.Total-20 && !r1.HasNextPage && r1.Page == 1, "want %d items, no next page, page 1; got %d, %v, %d", r0.Total-20, len(r1.Subscribers), r1.HasNextPage, r1.Page)
		for _, s := range append(r0.Subscribers, r1.Subscribers...) {
			seen[s.ID]++
		}
		d.eq("total", len(subs)+20, r0.Total)
		d.eq("distinct subscribers over both pages", r0.Total, len(seen))
		return d.err("paging: ")
	})
	run("subscribers/get", func() error {
		s := subs["sms"]
		need(sp.got != nil && s != nil, "subscribers/add-sms")
		got, err := c.GetSubscriber(ctx, sp.got.UUID, s.ID)
		if err != nil {
			return err
		}
		var d diff
		d.eq("type", "sms", got.Type)
		d.eq("phone", s.Phone, got.Phone)
		return d.err("")
	})
	run("subscribers/delete", func() error {
		s := subs["teams"]
		need(sp.got != nil && s != nil, "subscribers/add-teams")
		if err := c.DeleteSubscriber(ctx, sp.got.UUID, s.ID); err != nil {
			return err
		}
		delete(subs, "teams")
		_, err := c.GetSubscriber(ctx, sp.got.UUID, s.ID)
		if !hp.IsNotFound(err) {
			return fmt.Errorf("after delete: want IsNotFound, got %v", err)
		}
		err = c.DeleteSubscriber(ctx, sp.got.UUID, s.ID)
		if !hp.IsNotFound(err) {
			return fmt.Errorf("deleting it again: want IsNotFound, got %v", err)
		}
		return nil
	})
}
