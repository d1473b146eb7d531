package twiliosim

import "github.com/leadline/leadline/phone"

// segments returns how many SMS segments Twilio would bill body as.
func segments(body string) int { return phone.Segments(body) }
