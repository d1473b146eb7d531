package phone

// statusRank orders Twilio's message and call statuses by how far along
// they are. Callbacks arrive late, repeated and out of order, so a status
// is only ever taken over one that ranks lower.
var statusRank = map[string]int{
	// messages
	"accepted": 1, "scheduled": 1, "queued": 1, "sending": 2, "sent": 3,
	"delivered": 4, "undelivered": 4, "failed": 4, "read": 5, "canceled": 4,
	// calls
	"initiated": 2, "ringing": 3, "in-progress": 4,
	"completed": 5, "busy": 5, "no-answer": 5,
}

// StatusRank is how far along a Twilio message or call status is; 0 for a
// status Twilio does not send.
func StatusRank(status string) int { return statusRank[status] }
