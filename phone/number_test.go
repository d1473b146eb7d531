package phone_test

import (
	"strings"
	"testing"

	"github.com/leadline/leadline/phone"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, region string
		want       string // "" means an error
	}{
		{"412-555-0111", "US", "+14125550111"},
		{"(412) 555-0111", "US", "+14125550111"},
		{"412.555.0111", "us", "+14125550111"},
		{" +1 412 555 0111 ", "", "+14125550111"},
		{"+14125550100", "", "+14125550100"},
		{"+44 20 7946 0018", "US", "+442079460018"},
		{"+44 20 7946 0018", "", "+442079460018"},
		{"020 7946 0018", "GB", "+442079460018"},
		{"412-555-0111", "", ""},
		{"555-1234", "US", ""},
		{"+1 412 555", "", ""},
		{"call me", "US", ""},
		{"", "US", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.region, func(t *testing.T) {
			got, err := phone.Parse(tt.in, tt.region)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Parse = %q, want an error", got)
				}
				if !strings.Contains(err.Error(), `"`+tt.in+`"`) {
					t.Errorf("error %q does not quote the input", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Parse = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestRegion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+14125550100", "US"},
		{"+442079460018", "GB"},
		{"+16135550123", "CA"},
		{"+33123456789", "FR"},
		{"+15551234", ""},
		{"+80012345678", ""},
		{"4125550100", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := phone.Region(tt.in); got != tt.want {
				t.Errorf("Region = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+14125550111", "+1412***0111"},
		{"+442079460018", "+4420***0018"},
		{"+123456789012345", "+1234***2345"},
		{"+12345678", "+1***5678"},
		{"+123456789", "+12***6789"},
		{"412-555-0111", "***11"},
		{"whatsapp:+14125550111", "***11"},
		{"12345", "***45"},
		{"1234", "***"},
		{"+1", "***"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := phone.Mask(tt.in); got != tt.want {
				t.Errorf("Mask = %q, want %q", got, tt.want)
			}
		})
	}
}
