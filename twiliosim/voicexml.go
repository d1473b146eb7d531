package twiliosim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// verb is one element of a voice TwiML document. Unlike the SMS side,
// voice verbs run in document order and may nest, so the document is kept
// as a tree rather than decoded into fixed fields.
type verb struct {
	name     string
	attrs    map[string]string // by local name, as written: Twilio's are case-sensitive
	text     string            // all character data inside, nested elements' included, in order
	children []verb
}

func (v *verb) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	v.name = start.Name.Local
	v.attrs = make(map[string]string, len(start.Attr))
	for _, a := range start.Attr {
		v.attrs[a.Name.Local] = a.Value
	}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var child verb
			if err := d.DecodeElement(&child, &t); err != nil {
				return err
			}
			v.children = append(v.children, child)
			// SSML inside <Say> (<break/>, <emphasis>…) is still heard.
			text.WriteString(child.text)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			v.text = text.String()
			return nil
		}
	}
}

// parseVoiceTwiML returns the verbs of a <Response>. Twilio ends a call
// whose webhook answers anything else, an empty body included, so that is
// an error here.
func parseVoiceTwiML(body []byte) ([]verb, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("twiliosim: voice webhook answered no TwiML")
	}
	var root verb
	if err := xml.Unmarshal(body, &root); err != nil {
		return nil, fmt.Errorf("twiliosim: voice webhook answered invalid TwiML: %w", err)
	}
	if root.name != "Response" {
		return nil, fmt.Errorf("twiliosim: voice webhook answered <%s>, want <Response>", root.name)
	}
	return root.children, nil
}

// said is what the callee hears from a <Say>.
func said(v verb) string { return strings.TrimSpace(v.text) }

// numbers returns what a <Dial> dials: its <Number>s, or its own text.
func numbers(v verb) []string {
	var out []string
	for _, c := range v.children {
		if c.name == "Number" {
			out = append(out, strings.TrimSpace(c.text))
		}
	}
	if len(out) == 0 {
		if n := strings.TrimSpace(v.text); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// gather is a <Gather> waiting for the callee.
type gather struct {
	action      string // absolute URL the result is posted to
	numDigits   int    // 0 for no limit
	finishOnKey string // "" for none
	dtmf        bool   // whether keys are listened for
	onEmpty     bool   // actionOnEmptyResult: post even with no input
	base        string // URL of the document the Gather is in
	rest        []verb // the verbs after it, run when nothing is entered
}

func newGather(base string, v verb, rest []verb) (*gather, error) {
	if err := postOnly(v); err != nil {
		return nil, err
	}
	g := &gather{finishOnKey: "#", base: base, rest: rest, dtmf: true}
	action := base
	if a, ok := v.attrs["action"]; ok && strings.TrimSpace(a) != "" {
		var err error
		if action, err = resolve(base, a); err != nil {
			return nil, err
		}
	}
	g.action = action
	if n, ok := v.attrs["numDigits"]; ok {
		d, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || d < 1 {
			return nil, fmt.Errorf("twiliosim: <Gather numDigits=%q>: want a positive whole number", n)
		}
		g.numDigits = d
	}
	if k, ok := v.attrs["finishOnKey"]; ok {
		g.finishOnKey = k
	}
	if in, ok := v.attrs["input"]; ok {
		g.dtmf = strings.Contains(in, "dtmf")
	}
	g.onEmpty = v.attrs["actionOnEmptyResult"] == "true"
	return g, nil
}

// collect returns the Digits Twilio reports for keys pressed: up to the
// finish key, which is not included, or numDigits of them.
func (g *gather) collect(keys string) string {
	var got strings.Builder
	for _, k := range keys {
		if g.finishOnKey != "" && string(k) == g.finishOnKey {
			break
		}
		got.WriteRune(k)
		if g.numDigits > 0 && got.Len() == g.numDigits {
			break
		}
	}
	return got.String()
}

// resolve returns ref, a URL in a TwiML document, against the URL the
// document came from, as Twilio resolves action and Redirect URLs.
func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("twiliosim: TwiML URL %q: %w", base, err)
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", fmt.Errorf("twiliosim: TwiML URL %q: %w", ref, err)
	}
	u := b.ResolveReference(r).String()
	if !absolute(u) {
		return "", fmt.Errorf("twiliosim: TwiML URL %q is not an http or https URL", u)
	}
	return u, nil
}

// postOnly refuses a verb that asks for another method than POST: only
// POST is simulated, and posting where the service expects a GET would
// hide the difference.
func postOnly(v verb) error {
	if m, ok := v.attrs["method"]; ok && !strings.EqualFold(m, "POST") {
		return fmt.Errorf("twiliosim: <%s method=%q>: only POST is simulated", v.name, m)
	}
	return nil
}
