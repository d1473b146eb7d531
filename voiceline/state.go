package voiceline

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/leadline/leadline/geo"
)

func callKey(sid string) string { return "leadline:{dispatch}:line:" + sid }
func seenKey(sid string) string { return "leadline:{dispatch}:callsid:" + sid }

// stage is where a call is: the question it was last asked.
type stage string

const (
	stBadge   stage = "badge"
	stPIN     stage = "pin"
	stType    stage = "type"
	stWhere   stage = "where"
	stCode    stage = "code" // a place code by keys, after speech failed
	stChoose  stage = "choose"
	stConfirm stage = "confirm"
	stConnect stage = "connect"
)

// field is one field of a call's stored state.
type field string

const (
	fStage      field = "stage"
	fOfficer    field = "officer"
	fBadge      field = "badge"
	fType       field = "type"
	fGiven      field = "given" // the location as said or keyed
	fChoices    field = "choices"
	fReadback   field = "readback"
	fLat        field = "lat"
	fLon        field = "lon"
	fPlace      field = "place"
	fCohort     field = "cohort"
	fOutside    field = "outside_m"
	fNear       field = "near"
	fConfirmed  field = "confirmed"
	fCode       field = "code"
	fQueue      field = "queue"
	fDialling   field = "dialling"
	fTexted     field = "texted"
	fSilences   field = "silences"
	fSignIns    field = "sign_ins"
	fWhereTries field = "where_tries"
)

// sealed are the fields that say where: kept sealed under the data key
// for the few minutes a call lasts, like the referral they become.
var sealed = map[field]bool{fGiven: true, fChoices: true, fReadback: true, fLat: true, fLon: true, fPlace: true}

// call is a voice-line call's state, as stored under callKey(CallSid).
type call struct {
	sid      string
	stage    stage
	officer  string
	badge    string
	refType  string
	given    string
	choices  []geo.Candidate
	readback string
	point    geo.Candidate // where it will be: lat, lon, place, cohort, near
	outside  float64
	code     string
	queue    []string
	dialling string
	texted   bool
}

// load reads the call's state; nil if the call is not one of the line's.
func (l *Line) load(ctx context.Context, sid string) (*call, error) {
	if sid == "" {
		return nil, nil
	}
	h, err := l.rdb.HGetAll(ctx, callKey(sid)).Result()
	if err != nil {
		return nil, fmt.Errorf("load call: %w", err)
	}
	if h[string(fStage)] == "" {
		return nil, nil
	}
	for f := range sealed {
		if v := h[string(f)]; v != "" {
			if h[string(f)], err = l.refs.Keys().Open(v, callKey(sid), string(f)); err != nil {
				return nil, fmt.Errorf("load call: %w", err)
			}
		}
	}
	g := func(f field) string { return h[string(f)] }
	c := &call{sid: sid, stage: stage(g(fStage)), officer: g(fOfficer), badge: g(fBadge), refType: g(fType),
		given: g(fGiven), readback: g(fReadback), code: g(fCode), queue: strings.Fields(g(fQueue)),
		dialling: g(fDialling), texted: g(fTexted) == "true"}
	if v := g(fChoices); v != "" {
		if err := json.Unmarshal([]byte(v), &c.choices); err != nil {
			return nil, fmt.Errorf("decode choices: %w", err)
		}
	}
	c.point.Place, c.point.Cohort, c.point.NearBoundary = g(fPlace), g(fCohort), g(fNear) == "1"
	lat, _ := strconv.ParseFloat(g(fLat), 64)
	lon, _ := strconv.ParseFloat(g(fLon), 64)
	c.point.Point[0], c.point.Point[1] = lon, lat
	c.outside, _ = strconv.ParseFloat(g(fOutside), 64)
	return c, nil
}

// set stores fields of a call's state (field, value pairs).
func (l *Line) set(ctx context.Context, sid string, kv ...any) error {
	for i := 0; i < len(kv); i += 2 {
		f, ok := kv[i].(field)
		if !ok {
			continue
		}
		kv[i] = string(f)
		if sealed[f] {
			v, err := l.refs.Keys().Seal(fmt.Sprint(kv[i+1]), callKey(sid), string(f))
			if err != nil {
				return fmt.Errorf("store call: %w", err)
			}
			kv[i+1] = v
		}
	}
	if err := l.rdb.HSet(ctx, callKey(sid), kv...).Err(); err != nil {
		return fmt.Errorf("store call: %w", err)
	}
	return l.rdb.Expire(ctx, callKey(sid), callTTL).Err()
}

// count adds one to a counter of the call's and returns it.
func (l *Line) count(ctx context.Context, sid string, f field) (int64, error) {
	n, err := l.rdb.HIncrBy(ctx, callKey(sid), string(f), 1).Result()
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", f, err)
	}
	return n, nil
}
