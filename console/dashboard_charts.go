package console

import (
	"slices"
	"time"

	"github.com/leadline/leadline/report"
)

// week is one week of the trend chart, Monday to Sunday in the program's
// zone: referrals received and the median time to accept.
type week struct {
	Start        string `json:"start"` // YYYY-MM-DD of its Monday
	Count        int    `json:"count"`
	Accepted     int    `json:"accepted"`
	MedianAccept string `json:"-"`               // as the report shows it
	MedianS      *int64 `json:"median_accept_s"` // null with nothing accepted
}

// weekly is the period's weeks, from the one holding its first day.
func weekly(rows []report.Row, p period, loc *time.Location) []week {
	first := p.from.AddDate(0, 0, -((int(p.from.Weekday()) + 6) % 7)) // its Monday
	var weeks []week
	var accepts [][]report.Row
	for d := first; d.Before(p.to); d = d.AddDate(0, 0, 7) {
		weeks = append(weeks, week{Start: d.Format(time.DateOnly)})
		accepts = append(accepts, nil)
	}
	for _, r := range rows {
		i := int(r.Received.In(loc).Sub(first).Hours()) / (7 * 24)
		// Hours over daylight-saving changes are off by one at most: mend at the edges.
		for i+1 < len(weeks) && !r.Received.Before(monday(weeks[i+1].Start, loc)) {
			i++
		}
		for i > 0 && r.Received.Before(monday(weeks[i].Start, loc)) {
			i--
		}
		if i < 0 || i >= len(weeks) {
			continue
		}
		weeks[i].Count++
		if !r.Accepted.IsZero() {
			accepts[i] = append(accepts[i], r)
		}
	}
	for i := range weeks {
		weeks[i].Accepted = len(accepts[i])
		if len(accepts[i]) == 0 {
			weeks[i].MedianAccept = "-"
			continue
		}
		ds := make([]time.Duration, len(accepts[i]))
		for j, r := range accepts[i] {
			ds[j] = r.Accepted.Sub(r.Received)
		}
		slices.Sort(ds)
		med := ds[(len(ds)+1)/2-1] // nearest rank, as the report's median
		secs := int64(med.Round(time.Second) / time.Second)
		weeks[i].MedianAccept, weeks[i].MedianS = report.Duration(med), &secs
	}
	return weeks
}

func monday(day string, loc *time.Location) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, day, loc)
	return t
}

// bucket is one bar of the distribution of time to accept.
type bucket struct {
	Label string `json:"label"`
	Count int    `json:"count"`
	upTo  time.Duration
}

// acceptBuckets counts accepted referrals by time to accept.
func acceptBuckets(rows []report.Row) []bucket {
	bs := []bucket{{Label: "under 1 min", upTo: time.Minute}, {Label: "1–2 min", upTo: 2 * time.Minute},
		{Label: "2–5 min", upTo: 5 * time.Minute}, {Label: "5–10 min", upTo: 10 * time.Minute},
		{Label: "10–15 min", upTo: 15 * time.Minute}, {Label: "15–30 min", upTo: 30 * time.Minute},
		{Label: "30–60 min", upTo: time.Hour}, {Label: "an hour or more", upTo: 1<<63 - 1}}
	for _, r := range rows {
		if r.Accepted.IsZero() {
			continue
		}
		d := r.Accepted.Sub(r.Received)
		for i := range bs {
			if d < bs[i].upTo {
				bs[i].Count++
				break
			}
		}
	}
	return bs
}
