package twiliosim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// twimlResponse is the part of a TwiML <Response> the simulator acts on.
// Other verbs are ignored, as they would be for an SMS webhook.
type twimlResponse struct {
	XMLName  xml.Name       `xml:"Response"`
	Messages []twimlMessage `xml:"Message"`
}

// twimlMessage is <Message>text</Message> or <Message><Body>text</Body>
// </Message>, optionally with to and from attributes.
type twimlMessage struct {
	To   string   `xml:"to,attr"`
	From string   `xml:"from,attr"`
	Text string   `xml:",chardata"`
	Body []string `xml:"Body"`
}

// reply is one text a TwiML response asks Twilio to send.
type reply struct {
	To, From, Body string
}

// parseTwiML returns the texts in a webhook response. An empty body means
// no reply.
func parseTwiML(body []byte) ([]reply, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	var resp twimlResponse
	if err := xml.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("twiliosim: webhook answered invalid TwiML: %w", err)
	}
	out := make([]reply, 0, len(resp.Messages))
	for _, m := range resp.Messages {
		text := m.Text
		if len(m.Body) > 0 {
			text = strings.Join(m.Body, "")
		}
		out = append(out, reply{To: m.To, From: m.From, Body: strings.TrimSpace(text)})
	}
	return out, nil
}
