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
//	leadline:{dispatch}:sms:<MessageSid>        string: that inbound text was handled; makes Twilio retries no-ops
//	leadline:{dispatch}:stranger:<hash>:<hour>  counter: replies sent to an unknown number in that hour
//	leadline:{dispatch}:person:<id>:open        zset: referrals whose follow-up the case manager owes, scored by due time (ms)
//	leadline:{dispatch}:person:<id>:appts       zset: referrals with an appointment the case manager made, scored by its time (ms)
//	leadline:{dispatch}:participant:<hash>      hash: a participant's number (phone), consent (asked|yes|no), stopped
//	                                             (keyword|words|carrier), lang, code (the referral their replies are about);
//	                                             <hash> is the number's hashed, never the number
//	leadline:{dispatch}:participant:<hash>:codes set: referrals that hold the number; when none is left the number goes
//	leadline:{dispatch}:participant:<hash>:sent  zset: when capped texts (consent request, reminders) were sent, for the caps
//	leadline:{dispatch}:call:<CallSid>          hash: a page call: code, person, step, status, prompts; 24 h
//	leadline:{dispatch}:timers:due|leased       zsets: the timer queue (package timers); IDs are
//	                                             "step:<code>:<n>" (step n's wait is over) and
//	                                             "purge:<code>" (remove the details of an ended referral),
//	                                             "follow:<code>:<n>" (the n-th follow-up reminder to the case manager),
//	                                             "due:<code>" (the follow-up's deadline), "ask:<code>" (ask the
//	                                             participant's consent), "appt:<code>:<version>:<n>" (the n-th reminder
//	                                             of that version of the appointment), "note:<code>:<version>" (tell
//	                                             the participant of a move or cancel), "forget:<code>" (drop the
//	                                             participant's number once it is no longer needed)
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
func callKey(sid string) string           { return prefix + "call:" + sid }
func stepTimer(code string, n int) string { return "step:" + code + ":" + strconv.Itoa(n) }
func purgeTimer(code string) string       { return "purge:" + code }
func personOpenKey(id string) string      { return prefix + "person:" + id + ":open" }
func personApptsKey(id string) string     { return prefix + "person:" + id + ":appts" }
func participantKey(hash string) string   { return prefix + "participant:" + hash }
func participantCodesKey(h string) string { return prefix + "participant:" + h + ":codes" }
func participantSentKey(h string) string  { return prefix + "participant:" + h + ":sent" }
func strangerKey(hash string, hour int64) string {
	return prefix + "stranger:" + hash + ":" + itoa(hour)
}
