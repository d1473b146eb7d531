package main

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/twiliosim"
)

// demoPhone is one simulated phone on the demo's phone page.
type demoPhone struct {
	ID, Name, Role, Number string
	Officer                bool
	Texts                  []twiliosim.Message // newest first
	Ringing                bool                // a call to it waits to be answered
	Said                   []string            // what its call said last
	OnCall                 bool
}

var phonesPage = template.Must(template.New("phones").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Phones · Leadline demo</title><link rel="stylesheet" href="/static/console.css">
<script src="/static/vendor/htmx-2.0.11/htmx.min.js" defer></script></head>
<body><header class="top"><p class="brand">Leadline demo: simulated phones</p>
<nav aria-label="Demo"><ul><li><a href="/">Board</a></li><li><a href="/signin/demo">Sign in as…</a></li></ul></nav></header>
<main id="main"><h1>Phones</h1>
<p class="small">Text the program number ({{.Program}}) as anyone; each phone shows what it receives. Refreshes every 2 s.</p>
<div id="phones" hx-get="/demo/phones" hx-trigger="every 2s" hx-select="#phones" hx-swap="outerHTML">
{{range .Phones}}<section aria-labelledby="p-{{.ID}}" id="phone-{{.ID}}">
<h2 id="p-{{.ID}}">{{.Name}} <span class="count">({{.Role}}, {{.Number}})</span></h2>
{{if .Ringing}}<form method="post" action="/demo/phones/call" class="inline"><input type="hidden" name="csrf" value="{{$.CSRF}}">
<input type="hidden" name="who" value="{{.ID}}"><input type="hidden" name="verb" value="answer"><button type="submit">Answer the call</button></form>{{end}}
{{if .Said}}<ul>{{range .Said}}<li>🔊 {{.}}</li>{{end}}</ul>{{end}}
{{if .OnCall}}<form method="post" action="/demo/phones/call" class="filters"><input type="hidden" name="csrf" value="{{$.CSRF}}">
<input type="hidden" name="who" value="{{.ID}}"><input type="hidden" name="verb" value="press">
<div class="field"><label for="k-{{.ID}}">Keys</label><input type="text" id="k-{{.ID}}" name="keys" inputmode="tel"></div>
<button type="submit" class="secondary">Press</button></form>{{end}}
{{if .Officer}}<form method="post" action="/demo/phones/call" class="inline"><input type="hidden" name="csrf" value="{{$.CSRF}}">
<input type="hidden" name="who" value="{{.ID}}"><input type="hidden" name="verb" value="call"><button type="submit" class="secondary">Call the voice line</button></form>{{end}}
<form method="post" action="/demo/phones/text" class="filters"><input type="hidden" name="csrf" value="{{$.CSRF}}">
<input type="hidden" name="who" value="{{.ID}}">
<div class="field"><label for="t-{{.ID}}">Text as {{.Name}}</label><input type="text" id="t-{{.ID}}" name="body"></div>
<button type="submit">Send</button></form>
{{if .Texts}}<ol class="timeline">{{range .Texts}}<li>{{.Body}}</li>{{end}}</ol>{{else}}<p class="small">No texts yet.</p>{{end}}
</section>{{end}}
</div></main></body></html>`))

// phones adds the demo's phone page to the console, for signed-in staff:
// every sample phone, what it received, and forms to text, answer a call,
// press keys and call the voice line as that person.
func (p *printer) phones(con *console.Server) {
	e := con.Echo()
	e.GET("/demo/phones", func(c echo.Context) error {
		tok, err := con.CSRF(c)
		if err != nil {
			return err
		}
		var sb strings.Builder
		if err := phonesPage.Execute(&sb, map[string]any{"Program": p.prog.Phone, "CSRF": tok, "Phones": p.phoneList()}); err != nil {
			return err
		}
		return c.HTML(http.StatusOK, sb.String())
	}, con.Require())
	e.POST("/demo/phones/text", func(c echo.Context) error {
		from, ok := p.number(c.FormValue("who"))
		if body := strings.TrimSpace(c.FormValue("body")); ok && body != "" {
			p.printf("  (phone page) %s %s\n", c.FormValue("who"), body)
			if _, err := p.sim.Text(c.Request().Context(), from, p.prog.Phone, body); err != nil {
				return echo.NewHTTPError(http.StatusBadGateway, "Not delivered: "+err.Error())
			}
		}
		return c.Redirect(http.StatusSeeOther, "/demo/phones#phone-"+c.FormValue("who"))
	}, con.Require())
	e.POST("/demo/phones/call", func(c echo.Context) error {
		x, ok := p.prog.Person(c.FormValue("who"))
		verb := c.FormValue("verb")
		if !ok || !slices.Contains([]string{"answer", "press", "call"}, verb) {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, "No such person or action.")
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 20*time.Second)
		defer cancel()
		if err := p.play(ctx, x, verb, strings.TrimSpace(c.FormValue("keys"))); err != nil {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, err.Error())
		}
		return c.Redirect(http.StatusSeeOther, "/demo/phones#phone-"+x.ID)
	}, con.Require())
}

func (p *printer) number(id string) (string, bool) {
	switch id {
	case "stranger":
		return strangerFrom, true
	case "participant":
		return participantFrom, true
	}
	x, ok := p.prog.Person(id)
	if !ok {
		return "", false
	}
	return x.Phone, true
}

func (p *printer) phoneList() []demoPhone {
	msgs, calls := p.sim.Messages(), p.sim.Calls()
	var out []demoPhone
	add := func(ph demoPhone) {
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].To == ph.Number {
				ph.Texts = append(ph.Texts, msgs[i])
			}
		}
		p.callsMu.Lock()
		s := p.calls[ph.ID]
		p.callsMu.Unlock()
		answered := map[string]bool{}
		if s != nil {
			ph.Said, ph.OnCall = s.Said(), !s.HungUp()
		}
		for _, c := range p.answered() {
			answered[c] = true
		}
		for _, c := range calls {
			if c.To == ph.Number && !answered[c.SID] {
				ph.Ringing = true
			}
		}
		out = append(out, ph)
	}
	for _, x := range p.prog.People {
		add(demoPhone{ID: x.ID, Name: x.Name, Role: strings.ReplaceAll(string(x.Role), "_", " "), Number: x.Phone, Officer: x.Role == "officer"})
	}
	add(demoPhone{ID: "stranger", Name: "Stranger", Role: "unknown number", Number: strangerFrom})
	add(demoPhone{ID: "participant", Name: "Participant", Role: "participant", Number: participantFrom})
	return out
}
