package twiliosim_test

import (
	"net/url"
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/leadline/leadline/twiliosim"
)

func TestSignatureMatchesTwilioValidator(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		params url.Values
	}{
		{"form", "https://lead.example.org/twilio/sms", url.Values{"Body": {"AD 40.44,-80.00"}, "From": {jo}, "To": {program}}},
		{"query and port", "http://127.0.0.1:8080/twilio/voice/gather?step=2", url.Values{"Digits": {"12"}}},
		{"no params", "https://lead.example.org/twilio/status", url.Values{}},
	}
	v := client.NewRequestValidator(authToken)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := twiliosim.Signature(authToken, tt.url, tt.params)
			flat := make(map[string]string)
			for k := range tt.params {
				flat[k] = tt.params.Get(k)
			}
			if !v.Validate(tt.url, flat, sig) {
				t.Errorf("twilio-go rejects signature %q", sig)
			}
			if v.Validate(tt.url+"x", flat, sig) {
				t.Error("signature also valid for another URL")
			}
		})
	}
}
