package dispatch

// Redis keys owned by dispatch. They share the hash tag {dispatch}, so every
// script and transaction here runs unchanged on Redis Cluster.
//
//	leadline:{dispatch}:referral:<code>         hash: the referral and its state times
//	leadline:{dispatch}:referral:<code>:events  list: "<time> <what> <who> <detail>", oldest first
//	leadline:{dispatch}:referrals               zset: codes scored by received time (ms)
//	leadline:{dispatch}:officer:<id>:last       string: the officer's latest code (STATUS without a code)
//	leadline:{dispatch}:officer:<id>:proposal   string (JSON): an outside-area referral awaiting YES; expires
//	leadline:{dispatch}:person:<id>:paged       string: the latest code paged to a case manager (replies without a code)
//	leadline:{dispatch}:sms:<MessageSid>        string: the reply given to that inbound text; makes Twilio retries no-ops
//	leadline:{dispatch}:stranger:<hash>:<hour>  counter: replies sent to an unknown number in that hour
const (
	prefix       = "leadline:{dispatch}:"
	referralsKey = prefix + "referrals"
)

func referralKey(code string) string      { return prefix + "referral:" + code }
func eventsKey(code string) string        { return prefix + "referral:" + code + ":events" }
func officerLastKey(id string) string     { return prefix + "officer:" + id + ":last" }
func proposalKey(id string) string        { return prefix + "officer:" + id + ":proposal" }
func personPagedKey(id string) string     { return prefix + "person:" + id + ":paged" }
func inboundKey(messageSID string) string { return prefix + "sms:" + messageSID }
func strangerKey(hash string, hour int64) string {
	return prefix + "stranger:" + hash + ":" + itoa(hour)
}
