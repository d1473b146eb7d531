package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

func (in *Inbox) officerText(ctx context.Context, o *program.Person, body string) (string, error) {
	cmd, err := parseOfficer(body)
	if err != nil {
		return officer.Usage, nil
	}
	d := in.Officers
	switch cmd.verb {
	case vRefer:
		return d.Refer(ctx, o, cmd.refType, cmd.location, cmd.notes)
	case vYes:
		return d.Yes(ctx, o)
	case vChoose:
		return d.Choose(ctx, o, cmd.minutes)
	case vStatus:
		return d.Status(ctx, o, cmd.code)
	case vCancel:
		return d.Cancel(ctx, o, cmd.code)
	case vFix:
		return d.Fix(ctx, o, cmd.code, cmd.location)
	}
	return d.Help(), nil
}

func (in *Inbox) caseManagerText(ctx context.Context, p *program.Person, body string) (string, error) {
	cmd, err := parseCaseManager(body)
	if err != nil {
		return "Not understood. " + in.caseManagerHelp(), nil
	}
	switch cmd.verb {
	case vHelp:
		return in.caseManagerHelp(), nil
	case vWho:
		return in.Handoff.Who(ctx, p)
	case vOff:
		return in.Handoff.Off(ctx, p, cmd.span)
	case vOn:
		return in.Handoff.On(ctx, p)
	case vAppt, vLang, vTZ, vFollowed, vMsg:
		return in.aboutCase(ctx, p, cmd)
	case vSOS:
		return in.Scene.SOS(ctx, p, cmd.code)
	case vOK:
		return in.Scene.OK(ctx, p, cmd.code)
	case vUnlock:
		return in.Lockout.Text(ctx, p, cmd.text)
	}
	if cmd.code == "" && (cmd.verb == vAccept || cmd.verb == vDecline) {
		code, reply, err := in.onlyOpenPage(ctx, p)
		if code == "" {
			return reply, err
		}
		cmd.code = code
	}
	r, reply, err := in.pagedReferral(ctx, p, cmd.code)
	if r == nil {
		return reply, err
	}
	switch cmd.verb {
	case vAccept:
		reply, _, err := in.Chain.Accept(ctx, p, r, cmd.minutes)
		return reply, err
	case vDecline:
		return in.Chain.Decline(ctx, p, r)
	case vETA:
		return in.Scene.ETA(ctx, p, r, cmd.minutes)
	case vArrived:
		return in.Scene.Arrived(ctx, p, r)
	case vDone:
		return in.Scene.Done(ctx, p, r, cmd.outcome)
	}
	return in.caseManagerHelp(), nil
}

// onlyOpenPage is the code a bare 1 or 2 means: the one page still open
// for p, or with none open the latest one paged (an accept after the chain
// ran out still counts). With several open it is "", and the reply asks
// which, listing them.
func (in *Inbox) onlyOpenPage(ctx context.Context, p *program.Person) (code, reply string, err error) {
	open, err := in.Chain.Open(ctx, p.ID)
	if err != nil {
		return "", "", err
	}
	switch len(open) {
	case 0:
		latest, err := in.Chain.Latest(ctx, p.ID)
		if err == nil && latest == "" {
			return "", "You have no page to answer.", nil
		}
		return latest, "", err
	case 1:
		return open[0].Code, "", nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "You have %d open pages:", len(open))
	for i, r := range open {
		sep := ","
		if i == len(open)-1 {
			sep = "."
		}
		fmt.Fprintf(&b, " %s (%s, %s)%s", r.Code, r.Type.Label(), in.Program.CohortName(r.Cohort), sep)
	}
	fmt.Fprintf(&b, " Which one? Reply 1 %s to accept or 2 %s to decline.", open[len(open)-1].Code, open[len(open)-1].Code)
	return "", b.String(), nil
}

// aboutCase handles what a case manager texts about a referral they have
// taken on: APPT, LANG, TZ, MSG, INTAKE/FOLLOWED.
func (in *Inbox) aboutCase(ctx context.Context, p *program.Person, cmd command) (string, error) {
	r, reply, err := in.caseReferral(ctx, p, cmd.code)
	if r == nil {
		return reply, err
	}
	switch cmd.verb {
	case vAppt:
		return in.Book.Appoint(ctx, p, r, cmd.action, cmd.text)
	case vLang, vTZ:
		return in.Book.Setting(ctx, r, cmd.verb == vLang, cmd.text)
	case vMsg:
		return in.Book.Message(ctx, p, r, cmd.text)
	}
	return in.FollowUps.Followed(ctx, p, r)
}

// pagedReferral is the referral a case manager's text is about: the code
// they gave, or the latest one paged to them. Someone never paged for a
// code learns nothing about it.
func (in *Inbox) pagedReferral(ctx context.Context, p *program.Person, code string) (*referral.Referral, string, error) {
	if code == "" {
		c, err := in.Chain.Latest(ctx, p.ID)
		if err != nil {
			return nil, "", err
		}
		if c == "" {
			return nil, "You have no page to answer.", nil
		}
		code = c
	}
	r, err := in.Referrals.Load(ctx, code)
	if errors.Is(err, referral.ErrNotFound) || (err == nil && !slices.Contains(r.PagedList, p.ID)) {
		return nil, "No page " + code + " for you.", nil
	}
	return r, "", err
}

// caseReferral is a referral a case manager's APPT, LANG, TZ, MSG or INTAKE is
// about: one they accepted, or one in a cohort they supervise. The code
// may be left out for the latest one paged to them.
func (in *Inbox) caseReferral(ctx context.Context, p *program.Person, code string) (*referral.Referral, string, error) {
	if code == "" {
		r, reply, err := in.pagedReferral(ctx, p, "")
		if r == nil {
			return nil, reply, err
		}
		code = r.Code
	}
	r, err := in.Referrals.Load(ctx, code)
	if errors.Is(err, referral.ErrNotFound) {
		return nil, officer.NotYours(code), nil
	}
	if err != nil {
		return nil, "", err
	}
	if r.AcceptedBy == p.ID || slices.Contains(in.Program.Supervisors(r.Cohort), p.ID) {
		return r, "", nil
	}
	if r.AcceptedBy == "" && slices.Contains(r.PagedList, p.ID) {
		return nil, r.Code + " is not accepted yet. Reply 1 " + r.Code + " to accept.", nil
	}
	return nil, officer.NotYours(code), nil
}

func (in *Inbox) caseManagerHelp() string {
	return "Leadline: 1 [code] [min] accept, 2 [code] decline, ETA <min>, ARRIVED, OK, DONE ENGAGED|REFUSED|GONE, SOS, WHO, OFF [2h], ON, " +
		"INTAKE|FOLLOWED <code>, APPT <code> <phone> <date> <time> [@ place] (or CANCEL, MOVE <date> <time>, NUMBER <phone>), LANG <code> en|es, MSG <code> <text>." +
		in.Notify.SupportLine("Help: ")
}
