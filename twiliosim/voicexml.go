package twiliosim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
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
