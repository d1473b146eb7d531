package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
)

// A participant's consent to reminders.
const (
	consentAsked = "asked"
	consentYes   = "yes"
	consentNo    = "no"
)

// Why a number gets no more texts.
const (
	stopKeyword = "keyword" // Twilio's own STOP keywords: Twilio confirms and blocks
	stopWords   = "words"   // plain words or Spanish: Leadline confirms
	stopCarrier = "carrier" // Twilio refused a send with 21610
)

// An appointment's state.
const (
	apptSet        = "set"
	apptConfirmed  = "confirmed"
	apptReschedule = "reschedule" // the participant asked to move it: no more reminders of it
	apptCancelled  = "cancelled"
)

// participantRecord is what is kept about one participant's number.
type participantRecord struct {
	Phone, Consent, Stopped, Code, Lang string
}

func (s *Service) participantRecord(ctx context.Context, hash string) (participantRecord, bool, error) {
	h, err := s.rdb.HGetAll(ctx, participantKey(hash)).Result()
	if err != nil {
		return participantRecord{}, false, fmt.Errorf("load participant: %w", err)
	}
	return participantRecord{Phone: h["phone"], Consent: h["consent"], Stopped: h["stopped"], Code: h["code"], Lang: h["lang"]},
		h["phone"] != "", nil
}

func (s *Service) participantTexts() participant.Texts {
	return participant.Texts{Sender: s.prog.Participants.Sender, Callback: s.prog.SupportPhone}
}

// zoneOf is the participant's time zone: the program's unless the case
// manager set another.
func (s *Service) zoneOf(r *Referral) *time.Location {
	if r.TZ != "" {
		if loc, err := time.LoadLocation(r.TZ); err == nil {
			return loc
		}
	}
	return s.prog.TimeZone
}

func langOf(rec participantRecord, r *Referral) participant.Lang {
	if r != nil && r.Lang != "" {
		return participant.Lang(r.Lang)
	}
	if rec.Lang != "" {
		return participant.Lang(rec.Lang)
	}
	return participant.English
}

// appointment handles APPT: set, move or cancel a referral's appointment.
func (s *Service) appointment(ctx context.Context, p *program.Person, cmd command) (string, error) {
	r, reply, err := s.caseReferral(ctx, p, cmd.code)
	if r == nil {
		return reply, err
	}
	hasAppt := r.Participant != "" && r.ApptState != "" && r.ApptState != apptCancelled
	switch cmd.action {
	case "cancel":
		if !hasAppt {
			return "No appointment for " + r.Code + ".", nil
		}
		return s.cancelAppointment(ctx, p, r)
	case "move":
		if !hasAppt {
			return "No appointment for " + r.Code + ". " + apptUsage(r.Code), nil
		}
		at, place, problem := s.readWhen(cmd.text, r)
		if problem != "" {
			return problem, nil
		}
		if place == "" {
			place = r.ApptPlace
		}
		return s.setAppointment(ctx, p, r, r.Participant, at, place)
	}
	number, rest := s.readNumber(cmd.text)
	if number == "" {
		return apptUsage(r.Code), nil
	}
	if _, staff := s.prog.PersonByPhone(number); staff || number == s.prog.Phone {
		return "That number is not a participant's. " + apptUsage(r.Code), nil
	}
	at, place, problem := s.readWhen(rest, r)
	if problem != "" {
		return problem, nil
	}
	return s.setAppointment(ctx, p, r, number, at, place)
}

func apptUsage(code string) string {
	return "Send APPT " + code + " <phone> <date> <time> [@ place], e.g. APPT " + code + " 412-555-0177 11/25 2:30pm @ 123 Center Ave"
}

// readNumber takes the participant's number from the start of text: the
// fewest words that make a valid number, as "412 555 0177" is three.
func (s *Service) readNumber(text string) (number, rest string) {
	f := strings.Fields(text)
	for n := 1; n <= min(4, len(f)); n++ {
		if pn, err := phone.Parse(strings.Join(f[:n], " "), s.prog.Region); err == nil {
			return pn, strings.Join(f[n:], " ")
		}
	}
	return "", text
}

// readWhen reads "<date> <time> [@ place]" in the participant's zone. A
// problem is the reply that says what to fix.
func (s *Service) readWhen(text string, r *Referral) (time.Time, string, string) {
	when, place, _ := strings.Cut(text, "@")
	place = strings.Join(strings.Fields(place), " ")
	if w := participant.Forbidden(place); w != "" {
		return time.Time{}, "", "The place may not say \"" + w + "\": texts to participants never say what the program is."
	}
	place = participant.Clean(place)
	at, err := participant.ParseWhen(strings.TrimSpace(when), s.now(), s.zoneOf(r))
	if err != nil {
		return time.Time{}, "", err.Error()
	}
	return at, place, ""
}

func apptTimer(code string, ver, n int) string {
	return "appt:" + code + ":" + strconv.Itoa(ver) + ":" + strconv.Itoa(n)
}
func noteTimer(code string, ver int) string { return "note:" + code + ":" + strconv.Itoa(ver) }
func askTimer(code string) string           { return "ask:" + code }
func forgetTimer(code string) string        { return "forget:" + code }

// setAppointment stores r's appointment with number at `at`, queues its
// reminders (dropping any of the one it replaces), and asks a number new
// to the program for consent first.
func (s *Service) setAppointment(ctx context.Context, p *program.Person, r *Referral, number string, at time.Time, place string) (string, error) {
	now := s.now()
	moved := r.ApptState != "" && r.ApptState != apptCancelled
	ver, err := s.rdb.HIncrBy(ctx, referralKey(r.Code), "appt_ver", 1).Result()
	if err != nil {
		return "", fmt.Errorf("appointment of %s: %w", r.Code, err)
	}
	v := int(ver)
	hash := numberHash(number)
	keep := s.prog.Participants.Keep
	if r.Participant != "" && r.Participant != number {
		// A corrected number: the old one no longer hears about r.
		old := numberHash(r.Participant)
		if err := s.rdb.SRem(ctx, participantCodesKey(old), r.Code).Err(); err != nil {
			return "", fmt.Errorf("appointment of %s: %w", r.Code, err)
		}
		if rec, _, err := s.participantRecord(ctx, old); err == nil && rec.Code == r.Code {
			s.rdb.HDel(ctx, participantKey(old), "code")
		}
	}
	_, err = s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.HSet(ctx, referralKey(r.Code), "participant", number, "appt_at", formatTime(at), "appt_place", place,
			"appt_state", apptSet, "appt_by", p.ID)
		what := "appt_set"
		if moved {
			what = "appt_moved"
		}
		pl.RPush(ctx, eventsKey(r.Code), event(now, what, p.ID, strconv.Itoa(v)))
		pl.HSet(ctx, participantKey(hash), "phone", number, "code", r.Code)
		if r.Lang != "" {
			pl.HSet(ctx, participantKey(hash), "lang", r.Lang)
		}
		pl.SAdd(ctx, participantCodesKey(hash), r.Code)
		if r.ApptBy != "" && r.ApptBy != p.ID {
			pl.ZRem(ctx, personApptsKey(r.ApptBy), r.Code)
		}
		pl.ZAdd(ctx, personApptsKey(p.ID), redis.Z{Score: float64(at.UnixMilli()), Member: r.Code})
		for n := range s.prog.Participants.Reminders {
			pl.ZRem(ctx, s.timers.DueKey(), apptTimer(r.Code, v-1, n))
		}
		for n, before := range s.prog.Participants.Reminders {
			if t := at.Add(-before); t.After(now) {
				pl.ZAdd(ctx, s.timers.DueKey(), redis.Z{Score: float64(t.UnixMilli()), Member: apptTimer(r.Code, v, n)})
			}
		}
		pl.ZAddGT(ctx, s.timers.DueKey(), redis.Z{Score: float64(at.Add(keep).UnixMilli()), Member: forgetTimer(r.Code)})
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store appointment of %s: %w", r.Code, err)
	}
	s.log.Info("appointment set", "code", r.Code, "by", p.ID, "version", v)
	rec, _, err := s.participantRecord(ctx, hash)
	if err != nil {
		return "", err
	}
	head := r.Code + ": appointment " + participant.FormatWhen(at, s.zoneOf(r))
	if place != "" {
		head += " @ " + place
	}
	if moved {
		head = r.Code + ": appointment moved to " + participant.FormatWhen(at, s.zoneOf(r))
	}
	switch {
	case rec.Stopped != "":
		return head + " saved. That number has opted out of texts: no reminders will go.", nil
	case rec.Consent == consentNo:
		return head + " saved. They declined reminders: none will go.", nil
	case rec.Consent == "":
		if err := s.rdb.HSetNX(ctx, participantKey(hash), "consent", consentAsked).Err(); err != nil {
			return "", fmt.Errorf("ask consent: %w", err)
		}
		if err := s.participantTimer(ctx, askTimer(r.Code)); err != nil {
			return "", err
		}
		return head + " saved. Asked " + phone.Mask(number) + " to agree to reminders; you will hear their answer.", nil
	case rec.Consent == consentAsked:
		return head + " saved. Waiting for " + phone.Mask(number) + " to agree to reminders.", nil
	}
	if moved && r.ApptTold != 0 {
		if err := s.participantTimer(ctx, noteTimer(r.Code, v)); err != nil {
			return "", err
		}
		return head + ". The participant is told; reminders follow the new time.", nil
	}
	return head + " saved. Reminders will go before it.", nil
}

// cancelAppointment cancels r's appointment and its reminders, and tells
// the participant if they had heard of it.
func (s *Service) cancelAppointment(ctx context.Context, p *program.Person, r *Referral) (string, error) {
	now := s.now()
	ver, err := s.rdb.HIncrBy(ctx, referralKey(r.Code), "appt_ver", 1).Result()
	if err != nil {
		return "", fmt.Errorf("cancel appointment of %s: %w", r.Code, err)
	}
	v := int(ver)
	_, err = s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.HSet(ctx, referralKey(r.Code), "appt_state", apptCancelled)
		pl.RPush(ctx, eventsKey(r.Code), event(now, "appt_cancelled", p.ID, strconv.Itoa(v)))
		pl.ZRem(ctx, personApptsKey(r.ApptBy), r.Code)
		for n := range s.prog.Participants.Reminders {
			pl.ZRem(ctx, s.timers.DueKey(), apptTimer(r.Code, v-1, n))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("cancel appointment of %s: %w", r.Code, err)
	}
	reply := r.Code + ": appointment " + participant.FormatWhen(r.Appt, s.zoneOf(r)) + " cancelled; no more reminders."
	if r.ApptTold != 0 && r.Appt.After(now) {
		if err := s.participantTimer(ctx, noteTimer(r.Code, v)); err != nil {
			return "", err
		}
		reply += " The participant is told."
	}
	return reply, nil
}

// participantSetting handles LANG and TZ.
func (s *Service) participantSetting(ctx context.Context, p *program.Person, cmd command) (string, error) {
	r, reply, err := s.caseReferral(ctx, p, cmd.code)
	if r == nil {
		return reply, err
	}
	if cmd.verb == vTZ {
		loc, err := time.LoadLocation(cmd.text)
		if err != nil || cmd.text == "Local" || !strings.Contains(cmd.text, "/") {
			return "Unknown time zone " + cmd.text + ". Use a name like America/Chicago.", nil
		}
		if err := s.rdb.HSet(ctx, referralKey(r.Code), "p_tz", loc.String()).Err(); err != nil {
			return "", fmt.Errorf("set zone of %s: %w", r.Code, err)
		}
		return r.Code + ": participant texts follow " + loc.String() + " time.", nil
	}
	lang, ok := participant.ParseLang(cmd.text)
	if !ok {
		return "LANG " + r.Code + " en or es.", nil
	}
	_, err = s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.HSet(ctx, referralKey(r.Code), "p_lang", string(lang))
		if r.Participant != "" {
			pl.HSet(ctx, participantKey(numberHash(r.Participant)), "lang", string(lang))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("set language of %s: %w", r.Code, err)
	}
	name := map[participant.Lang]string{participant.English: "English", participant.Spanish: "Spanish"}[lang]
	return r.Code + ": participant texts in " + name + ".", nil
}

// capSend takes one of a participant's capped sends at ARGV[1] if the day
// (from ARGV[2]) and the week (from ARGV[3]) have room for it, so two
// instances sending two reminders at once cannot both pass the caps.
var capSend = redis.NewScript(`
if redis.call('ZCOUNT', KEYS[1], ARGV[2], '+inf') >= tonumber(ARGV[4]) then return 0 end
if redis.call('ZCOUNT', KEYS[1], ARGV[3], '+inf') >= tonumber(ARGV[5]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[3]) - 86400000))
redis.call('PEXPIRE', KEYS[1], 8 * 86400000)
return 1
`)

// participantTimer sends a consent request, reminder or change notice
// whose time has come, if it still stands, within the participant's hours
// and caps; otherwise it waits for the next slot, or is dropped when that
// would be too late to matter.
func (s *Service) participantTimer(ctx context.Context, id string) error {
	f := strings.Split(id, ":")
	kind, code := f[0], f[1]
	ver, n := -1, -1
	if len(f) > 2 {
		ver = atoiOr(f[2], -1)
	}
	if len(f) > 3 {
		n = atoiOr(f[3], -1)
	}
	r, err := s.load(ctx, code)
	if errors.Is(err, errNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.Participant == "" {
		return nil
	}
	hash := numberHash(r.Participant)
	rec, ok, err := s.participantRecord(ctx, hash)
	if err != nil || !ok || rec.Stopped != "" {
		return err
	}
	now := s.now()
	loc := s.zoneOf(r)
	texts, lang := s.participantTexts(), langOf(rec, r)
	var body, mkind string
	switch kind {
	case "ask":
		if rec.Consent != consentAsked {
			return nil
		}
		body, mkind = texts.Consent(lang), kindAsk
	case "appt":
		if rec.Consent != consentYes || ver != r.ApptVer || (r.ApptState != apptSet && r.ApptState != apptConfirmed) || !now.Before(r.Appt) {
			return nil
		}
		body, mkind = texts.Reminder(lang, r.Appt.In(loc), r.ApptPlace), kindReminder
	case "note":
		if rec.Consent != consentYes || ver != r.ApptVer || !now.Before(r.Appt) {
			return nil
		}
		if r.ApptState == apptCancelled {
			body = texts.Cancelled(lang, r.Appt.In(loc))
		} else {
			body = texts.Moved(lang, r.Appt.In(loc), r.ApptPlace)
		}
		mkind = kindReminder
	default:
		return nil
	}
	for range 3 {
		sent, err := s.rdb.ZRangeByScore(ctx, participantSentKey(hash), &redis.ZRangeBy{
			Min: strconv.FormatInt(now.Add(-8*24*time.Hour).UnixMilli(), 10), Max: "+inf"}).Result()
		if err != nil {
			return fmt.Errorf("participant's sends: %w", err)
		}
		times := make([]time.Time, 0, len(sent))
		for _, m := range sent {
			ms, _, _ := strings.Cut(m, " ")
			times = append(times, time.UnixMilli(int64(atoiOr(ms, 0))))
		}
		slot := participant.NextSlot(now, loc, times, s.prog.Participants.Window)
		if slot.After(now) {
			if kind != "ask" && !slot.Before(r.Appt) {
				s.log.Info("participant text dropped: no slot before the appointment", "timer", id)
				return nil
			}
			if kind == "appt" && n+1 < len(s.prog.Participants.Reminders) && !r.Appt.Add(-s.prog.Participants.Reminders[n+1]).After(slot) {
				s.log.Info("reminder dropped: the next one comes first", "timer", id)
				return nil
			}
			return s.timers.Schedule(ctx, id, slot)
		}
		if kind == "appt" && !s.planned(now, r.Appt, times, n, loc) {
			s.log.Info("reminder dropped: the caps keep room for the later ones", "timer", id)
			return nil
		}
		member := strconv.FormatInt(now.UnixMilli(), 10) + " " + id
		got, err := capSend.Run(ctx, s.rdb, []string{participantSentKey(hash)}, now.UnixMilli(),
			participant.DayStart(now, loc).UnixMilli(), participant.WeekStart(now, loc).UnixMilli(),
			s.prog.Participants.Window.PerDay, s.prog.Participants.Window.PerWeek, member).Int()
		if err != nil {
			return fmt.Errorf("participant's caps: %w", err)
		}
		if got == 1 {
			return s.sendParticipant(ctx, r, hash, id, mkind, ver, body)
		}
	}
	return fmt.Errorf("participant text %s: caps kept changing", id)
}

// planned reports whether reminder n, due now, is one the caps leave room
// for. The reminders nearest the appointment matter most, so the plan is
// made from the last one back: each is kept if it fits with the texts
// already sent and the later ones kept, and an earlier one gives way.
func (s *Service) planned(now, appt time.Time, sent []time.Time, n int, loc *time.Location) bool {
	rem, lim := s.prog.Participants.Reminders, s.prog.Participants.Window
	set := slices.Clone(sent)
	for k := len(rem) - 1; k > n; k-- {
		t := participant.NextSlot(appt.Add(-rem[k]), loc, nil, lim) // its time, or the window's next opening
		if t.After(now) && t.Before(appt) && fits(t, set, loc, lim) {
			set = append(set, t)
		}
	}
	return fits(now, set, loc, lim)
}

// fits reports whether one more text at x keeps set within the caps: no
// more than PerDay on x's local day, and no more than PerWeek in any run
// of seven local days that holds it.
func fits(x time.Time, set []time.Time, loc *time.Location, lim participant.Limits) bool {
	day := participant.DayStart(x, loc)
	days := func(i int) time.Time { return time.Date(day.Year(), day.Month(), day.Day()+i, 0, 0, 0, 0, loc) }
	count := func(from, to time.Time) int {
		n := 0
		for _, t := range set {
			if !t.Before(from) && t.Before(to) {
				n++
			}
		}
		return n
	}
	if count(day, days(1)) >= max(lim.PerDay, 1) {
		return false
	}
	for i := range 7 {
		if count(days(i-6), days(i+1)) >= max(lim.PerWeek, 1) {
			return false
		}
	}
	return true
}

// sendParticipant queues a capped text to r's participant and notes what
// they have been told.
func (s *Service) sendParticipant(ctx context.Context, r *Referral, hash, id, kind string, ver int, body string) error {
	s.text(ctx, outbox.Message{ID: "p:" + id, To: r.Participant, Body: body, Priority: outbox.Reminder, Kind: outbox.Kind(kind),
		Meta: map[string]string{"code": r.Code, "ver": strconv.Itoa(ver)}})
	_, err := s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.HSet(ctx, participantKey(hash), "code", r.Code)
		if kind == kindReminder {
			pl.HSet(ctx, referralKey(r.Code), "appt_told", ver)
		}
		pl.RPush(ctx, eventsKey(r.Code), event(s.now(), "participant_"+kind, "", strings.SplitN(id, ":", 2)[0]))
		return nil
	})
	if err != nil {
		return fmt.Errorf("note participant text: %w", err)
	}
	return nil
}

// participantMayGet is the outbox's last check of a participant text: the
// number has not opted out since, and a reminder's appointment is still
// the one it was written for.
func (s *Service) participantMayGet(ctx context.Context, m outbox.Message) (bool, error) {
	if m.Kind == kindPartReply {
		return true, nil // an answer to their own text
	}
	rec, ok, err := s.participantRecord(ctx, numberHash(m.To))
	if err != nil || !ok || rec.Stopped != "" {
		return false, err
	}
	if m.Kind != kindReminder {
		return rec.Consent == consentAsked, nil
	}
	r, err := s.load(ctx, m.Meta["code"])
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return strconv.Itoa(r.ApptVer) == m.Meta["ver"] && r.Participant == m.To, nil
}

// unknownSender handles a text from a number that is not staff: a
// participant's reply, or a stranger's.
func (s *Service) unknownSender(ctx context.Context, from, body string) (string, string, error) {
	hash := numberHash(from)
	rec, ok, err := s.participantRecord(ctx, hash)
	if err != nil {
		return "", "", err
	}
	if !ok {
		if rec.Stopped != "" {
			return "", "", nil // a number forgotten but for its opt-out
		}
		answer, err := s.countStranger(ctx, from, hash)
		if !answer || err != nil {
			return "", "", err
		}
		return strangerReply, kindTell, nil
	}
	reply, err := s.participantText(ctx, hash, rec, body)
	return reply, kindPartReply, err
}

// participantText answers a participant: C, R, YES/NO to consent, STOP and
// START, HELP.
func (s *Service) participantText(ctx context.Context, hash string, rec participantRecord, body string) (string, error) {
	rp := participant.ParseReply(body)
	texts := s.participantTexts()
	var r *Referral
	if rec.Code != "" {
		var err error
		if r, err = s.load(ctx, rec.Code); errors.Is(err, errNotFound) {
			r = nil
		} else if err != nil {
			return "", err
		}
	}
	lang := langOf(rec, r)
	if r == nil || r.Lang == "" && rec.Lang == "" {
		if rp.Lang != "" {
			lang = rp.Lang
		}
	}
	switch rp.Kind {
	case participant.Stop:
		how := stopWords
		if rp.Keyword {
			how = stopKeyword
		}
		if err := s.stopNumber(ctx, hash, rec, r, how); err != nil {
			return "", err
		}
		if rp.Keyword {
			return "", nil // Twilio confirms its own keywords
		}
		return texts.Stopped(lang), nil
	case participant.Start:
		if rec.Stopped != "" {
			if err := s.rdb.HDel(ctx, participantKey(hash), "stopped").Err(); err != nil {
				return "", fmt.Errorf("resume texts: %w", err)
			}
			s.toApptBy(ctx, r, "the participant opted back in to texts.")
		}
		if rp.Keyword {
			return "", nil
		}
		return texts.Started(lang), nil
	case participant.Help:
		return texts.Help(lang), nil
	}
	if rec.Stopped != "" || r == nil {
		return "", nil
	}
	if rec.Consent == consentNo && rp.Kind == participant.Yes {
		// Changed their mind: reminders of appointments still ahead go.
		if err := s.consent(ctx, hash, r, consentYes); err != nil {
			return "", err
		}
		return texts.ConsentThanks(lang), nil
	}
	if rec.Consent == consentAsked {
		switch rp.Kind {
		case participant.Yes:
			if err := s.consent(ctx, hash, r, consentYes); err != nil {
				return "", err
			}
			return texts.ConsentThanks(lang), nil
		case participant.No:
			if err := s.consent(ctx, hash, r, consentNo); err != nil {
				return "", err
			}
			return texts.ConsentDeclined(lang), nil
		}
		return texts.Consent(lang), nil
	}
	open := rec.Consent == consentYes && (r.ApptState == apptSet || r.ApptState == apptConfirmed || r.ApptState == apptReschedule) &&
		s.now().Before(r.Appt)
	if !open {
		return texts.Usage(lang), nil
	}
	at := r.Appt.In(s.zoneOf(r))
	switch rp.Kind {
	case participant.Confirm, participant.Yes:
		if err := s.apptAnswer(ctx, r, apptConfirmed); err != nil {
			return "", err
		}
		s.toApptBy(ctx, r, "the participant confirmed "+participant.FormatWhen(r.Appt, s.zoneOf(r))+".")
		return texts.Confirmed(lang, at), nil
	case participant.Reschedule:
		if err := s.apptAnswer(ctx, r, apptReschedule); err != nil {
			return "", err
		}
		s.toApptBy(ctx, r, "the participant asks to reschedule "+participant.FormatWhen(r.Appt, s.zoneOf(r))+
			". Text APPT "+r.Code+" MOVE <date> <time>, or APPT "+r.Code+" CANCEL.")
		return texts.Reschedule(lang), nil
	}
	return texts.Usage(lang), nil
}

// consent records the participant's answer and tells the case manager; a
// YES lets the appointment's reminders go.
func (s *Service) consent(ctx context.Context, hash string, r *Referral, answer string) error {
	_, err := s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.HSet(ctx, participantKey(hash), "consent", answer)
		pl.RPush(ctx, eventsKey(r.Code), event(s.now(), "consent", "", answer))
		return nil
	})
	if err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	if answer == consentYes {
		s.toApptBy(ctx, r, "the participant agreed to appointment reminders.")
	} else {
		s.toApptBy(ctx, r, "the participant declined appointment reminders; none will go.")
	}
	return nil
}

func (s *Service) apptAnswer(ctx context.Context, r *Referral, state string) error {
	_, err := s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.HSet(ctx, referralKey(r.Code), "appt_state", state)
		pl.RPush(ctx, eventsKey(r.Code), event(s.now(), "appt_"+state, "", strconv.Itoa(r.ApptVer)))
		return nil
	})
	if err != nil {
		return fmt.Errorf("record appointment answer: %w", err)
	}
	return nil
}

// toApptBy tells the case manager who made r's appointment something about
// its participant.
func (s *Service) toApptBy(ctx context.Context, r *Referral, what string) {
	if r == nil {
		return
	}
	who := r.ApptBy
	if who == "" {
		who = r.AcceptedBy
	}
	s.tell(ctx, who, r.Code+": "+what)
}

// stopNumber stops every text to a participant's number at once.
func (s *Service) stopNumber(ctx context.Context, hash string, rec participantRecord, r *Referral, how string) error {
	if err := s.rdb.HSet(ctx, participantKey(hash), "stopped", how).Err(); err != nil {
		return fmt.Errorf("record opt-out: %w", err)
	}
	s.log.Info("participant opted out", "how", how)
	if rec.Stopped == "" {
		if r != nil {
			s.rdb.RPush(ctx, eventsKey(r.Code), event(s.now(), "opted_out", "", how))
		}
		s.toApptBy(ctx, r, "the participant opted out of texts; no more reminders will go.")
	}
	return nil
}

// optedOut records that Twilio refused a text to number because its owner
// opted out.
func (s *Service) optedOut(ctx context.Context, number, how string) error {
	hash := numberHash(number)
	rec, ok, err := s.participantRecord(ctx, hash)
	if err != nil || !ok || rec.Stopped != "" {
		return err
	}
	var r *Referral
	if rec.Code != "" {
		if r, err = s.load(ctx, rec.Code); err != nil {
			r = nil
		}
	}
	return s.stopNumber(ctx, hash, rec, r, how)
}

// forget drops a participant's number from r once nothing needs it: the
// referral and its follow-up are over and its appointment past, plus the
// program's grace period. The number's own record goes with its last
// referral, except that an opt-out is kept, under the number's hash only.
func (s *Service) forget(ctx context.Context, code string) error {
	r, err := s.load(ctx, code)
	if errors.Is(err, errNotFound) {
		return nil
	}
	if err != nil || r.Participant == "" {
		return err
	}
	now := s.now()
	last := r.Appt
	if end := r.Ended(); r.Open() || end.IsZero() {
		last = maxTime(last, now)
	} else {
		last = maxTime(last, end)
	}
	if s.owesFollowUp(r) {
		last = maxTime(last, r.FollowUpDue(s.prog))
	}
	if until := last.Add(s.prog.Participants.Keep); until.After(now) {
		return s.timers.Schedule(ctx, forgetTimer(code), until)
	}
	return s.dropParticipant(ctx, r)
}

// dropParticipant removes r's participant: their number, the place and
// zone from r, and the number's own record once no referral holds it.
func (s *Service) dropParticipant(ctx context.Context, r *Referral) error {
	code, now := r.Code, s.now()
	hash := numberHash(r.Participant)
	rec, _, err := s.participantRecord(ctx, hash)
	if err != nil {
		return err
	}
	_, err = s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.HDel(ctx, referralKey(code), "participant", "appt_place", "p_tz")
		pl.RPush(ctx, eventsKey(code), event(now, "participant_forgotten", "", ""))
		pl.SRem(ctx, participantCodesKey(hash), code)
		pl.ZRem(ctx, personApptsKey(r.ApptBy), code)
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget participant of %s: %w", code, err)
	}
	left, err := s.rdb.SCard(ctx, participantCodesKey(hash)).Result()
	if err != nil || left > 0 {
		return err
	}
	_, err = s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.Del(ctx, participantKey(hash), participantSentKey(hash), participantCodesKey(hash))
		if rec.Stopped != "" {
			pl.HSet(ctx, participantKey(hash), "stopped", rec.Stopped)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget participant: %w", err)
	}
	s.log.Info("participant number removed", "code", code)
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
