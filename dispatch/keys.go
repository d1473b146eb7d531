package dispatch

import "strconv"

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
//	leadline:{dispatch}:msg:<MessageSid>        hash: a page text: code, person, step, latest status; 24 h
//	leadline:{dispatch}:call:<CallSid>          hash: a page call: code, person, step, status, prompts; 24 h
//	leadline:{dispatch}:timers:due|leased       zsets: the timer queue (package timers); IDs are
//	                                             "step:<code>:<n>" (step n's wait is over) and
//	                                             "purge:<code>" (remove the details of an ended referral)
const (
	prefix       = "leadline:{dispatch}:"
	referralsKey = prefix + "referrals"
	timersBase   = prefix + "timers"
)

func referralKey(code string) string      { return prefix + "referral:" + code }
func eventsKey(code string) string        { return prefix + "referral:" + code + ":events" }
func officerLastKey(id string) string     { return prefix + "officer:" + id + ":last" }
func proposalKey(id string) string        { return prefix + "officer:" + id + ":proposal" }
func personPagedKey(id string) string     { return prefix + "person:" + id + ":paged" }
func inboundKey(messageSID string) string { return prefix + "sms:" + messageSID }
func messageKey(sid string) string        { return prefix + "msg:" + sid }
func callKey(sid string) string           { return prefix + "call:" + sid }
func stepTimer(code string, n int) string { return "step:" + code + ":" + strconv.Itoa(n) }
func purgeTimer(code string) string       { return "purge:" + code }
func strangerKey(hash string, hour int64) string {
	return prefix + "stranger:" + hash + ":" + itoa(hour)
}
