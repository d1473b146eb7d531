package referral

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// A year's report reads tens of thousands of records. Reading each
// referral's fields from its hash costs Redis about 10 µs a referral (half
// a second for a year of 50,000), so each record is also kept packed in one
// hash (recordsKey, code -> fields): a report reads a thousand of them in
// one HMGET. The cache is only ever a copy: the transition script drops a
// referral's packed record with every change, PurgeDetails with the purge,
// and the next report packs it again, in a script, from the referral's
// hash (BENCHMARKS.md, the console's dashboard).
const (
	recordsKey    = prefix + "records"
	recordBatch   = 1000 // codes per HMGET of packed records
	packBatch     = 100  // records packed per script: a short hold on Redis
	recordReaders = 4    // batches at a time: Redis answers one while the last is parsed
	recordSep     = "\x1f"
)

// reportFields are recordFields, in a fixed order, but the officer: sealed,
// it costs a decryption per referral, and is read only for a referral
// stored before its agency was (officersOf).
var reportFields = func() []string {
	f := slices.DeleteFunc(slices.Clone(recordFields), func(f string) bool { return f == string(FOfficer) })
	slices.Sort(f)
	return f
}()

// recordTag heads every packed record: a record packed with other fields
// (an older or newer version of Leadline) is not read, but packed again.
var recordTag = func() string {
	h := fnv.New32a()
	h.Write([]byte(strings.Join(reportFields, ",")))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}()

// packRecords packs the report's fields of each referral, stores the
// packed record and returns it, or "" for a referral whose hash expired
// (its stale copy is dropped).
//
// KEYS: records, then each referral's hash. ARGV: tag, the number of
// fields, the fields, then each referral's code.
var packRecords = redis.NewScript(`
local nf = tonumber(ARGV[2])
local fields = {}
for i = 1, nf do fields[i] = ARGV[2 + i] end
local out = {}
for k = 2, #KEYS do
  local code = ARGV[2 + nf + k - 1]
  if redis.call('EXISTS', KEYS[k]) == 1 then
    local v = redis.call('HMGET', KEYS[k], unpack(fields))
    for i = 1, nf do v[i] = v[i] or '' end
    local packed = ARGV[1] .. '\31' .. table.concat(v, '\31')
    redis.call('HSET', KEYS[1], code, packed)
    out[k - 1] = packed
  else
    redis.call('HDEL', KEYS[1], code)
    out[k - 1] = ''
  end
end
return out
`)

// reportRecords is ReportRecords: the records of the referrals received
// in [from, to), oldest first, with recordFields.
func reportRecords(ctx context.Context, rdb redis.UniversalClient, keys Sealer, from, to time.Time) ([]*Referral, error) {
	codes, err := rdb.ZRangeByScore(ctx, referralsKey, &redis.ZRangeBy{
		Min: strconv.FormatInt(from.UnixMilli(), 10), Max: "(" + strconv.FormatInt(to.UnixMilli(), 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	out := make([]*Referral, len(codes))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	sem := make(chan struct{}, recordReaders)
	for lo := 0; lo < len(codes); lo += recordBatch {
		hi := min(lo+recordBatch, len(codes))
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := readRecords(ctx, rdb, codes[lo:hi], out[lo:hi]); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	out = slices.DeleteFunc(out, func(r *Referral) bool { return r == nil }) // expired meanwhile
	if err := officersOf(ctx, rdb, keys, out); err != nil {
		return nil, err
	}
	return out, nil
}

// readRecords reads the records of codes into out, packing those not
// packed yet, and leaves nil those whose referral expired.
func readRecords(ctx context.Context, rdb redis.UniversalClient, codes []string, out []*Referral) error {
	packed, err := rdb.HMGet(ctx, recordsKey, codes...).Result()
	if err != nil {
		return fmt.Errorf("load records: %w", err)
	}
	var missing []int
	for i, v := range packed {
		s, _ := v.(string)
		r, err := unpackRecord(s)
		if err != nil {
			return fmt.Errorf("record %s: %w", codes[i], err)
		}
		if r == nil {
			missing = append(missing, i)
			continue
		}
		out[i] = r
	}
	for lo := 0; lo < len(missing); lo += packBatch {
		batch := missing[lo:min(lo+packBatch, len(missing))]
		keys := []string{recordsKey}
		args := []any{recordTag, len(reportFields)}
		for _, f := range reportFields {
			args = append(args, f)
		}
		for _, i := range batch {
			keys = append(keys, hashKey(codes[i]))
			args = append(args, codes[i])
		}
		res, err := packRecords.Run(ctx, rdb, keys, args...).StringSlice()
		if err != nil {
			return fmt.Errorf("pack records: %w", err)
		}
		for j, i := range batch {
			if res[j] == "" {
				continue // expired
			}
			r, err := unpackRecord(res[j])
			if err != nil {
				return fmt.Errorf("record %s: %w", codes[i], err)
			}
			if r == nil {
				// A field holds the separator: read it from the hash.
				r, err = recordFromHash(ctx, rdb, codes[i])
				if err != nil {
					return err
				}
			}
			out[i] = r
		}
	}
	return nil
}

// unpackRecord reads a packed record; nil if there is none, or it was
// packed with other fields.
func unpackRecord(s string) (*Referral, error) {
	tag, rest, ok := strings.Cut(s, recordSep)
	if !ok || tag != recordTag {
		return nil, nil
	}
	r := &Referral{}
	n := 0
	for v := range strings.SplitSeq(rest, recordSep) {
		if n == len(reportFields) {
			return nil, nil
		}
		if err := r.setRecordField(Field(reportFields[n]), v); err != nil {
			return nil, err
		}
		n++
	}
	if n != len(reportFields) {
		return nil, nil
	}
	return r, nil
}

// setRecordField sets one of a record's fields from its stored value, as
// fromHash does.
func (r *Referral) setRecordField(f Field, v string) error {
	if v == "" {
		return nil
	}
	var err error
	switch f {
	case FCode:
		r.Code = v
	case FType:
		r.Type = Type(v)
	case FCohort:
		r.Cohort = v
	case FState:
		r.State = State(v)
	case FAgency:
		r.Agency = v
	case FAcceptedBy:
		r.AcceptedBy = v
	case FAssignedBy:
		r.AssignedBy = v
	case FOutcome:
		r.Outcome = v
	case FEscalations:
		r.Escalations, err = strconv.Atoi(v)
	case FETA:
		r.ETAMinutes, err = strconv.Atoi(v)
	case FNudges:
		r.Nudges, err = strconv.Atoi(v)
	case FCheckIns:
		r.CheckIns, err = strconv.Atoi(v)
	case FSOSes:
		r.SOSes, err = strconv.Atoi(v)
	case FFollowedAt:
		r.FollowedAt, err = time.Parse(time.RFC3339Nano, v)
	case FArriveBy:
		r.ArriveBy, err = time.Parse(time.RFC3339Nano, v)
	default:
		for s, name := range timeFields {
			if name == f {
				*r.timePtr(s), err = time.Parse(time.RFC3339Nano, v)
				return err
			}
		}
		return fmt.Errorf("report field %s: %w", f, errNoRecordField)
	}
	return err
}

// errNoRecordField is a field recordFields names that setRecordField does
// not know: add it there.
var errNoRecordField = errors.New("not readable from a packed record")

// recordFromHash reads one record from its referral's hash.
func recordFromHash(ctx context.Context, rdb redis.UniversalClient, code string) (*Referral, error) {
	vals, err := rdb.HMGet(ctx, hashKey(code), reportFields...).Result()
	if err != nil {
		return nil, fmt.Errorf("load referral %s: %w", code, err)
	}
	r := &Referral{}
	for i, v := range vals {
		s, _ := v.(string)
		if err := r.setRecordField(Field(reportFields[i]), s); err != nil {
			return nil, fmt.Errorf("referral %s: %w", code, err)
		}
	}
	return r, nil
}

// officersOf reads and opens the officer of each record without an agency
// (stored before agencies were), which the report names the agency by.
func officersOf(ctx context.Context, rdb redis.UniversalClient, keys Sealer, refs []*Referral) error {
	var need []*Referral
	for _, r := range refs {
		if r.Agency == "" {
			need = append(need, r)
		}
	}
	for lo := 0; lo < len(need); lo += recordBatch {
		batch := need[lo:min(lo+recordBatch, len(need))]
		cmds := make([]*redis.StringCmd, len(batch))
		if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, r := range batch {
				cmds[i] = p.HGet(ctx, hashKey(r.Code), string(FOfficer))
			}
			return nil
		}); err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("load referrals' officers: %w", err)
		}
		for i, r := range batch {
			v := cmds[i].Val()
			if v == "" {
				continue
			}
			plain, err := keys.Open(v, SealAAD(r.Code, FOfficer)...)
			if err != nil {
				return fmt.Errorf("referral %s: %s: %w", r.Code, FOfficer, err)
			}
			r.Officer = plain
		}
	}
	return nil
}
