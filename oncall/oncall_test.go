package oncall_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/oncall"
)

func TestSeedCurrentNext(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.Start(t)
	s := oncall.New(rdb)
	if err := s.Seed(ctx, map[string][]string{"north": {"jo", "ana", "bao"}, "east": {"dev"}}); err != nil {
		t.Fatal(err)
	}
	if id, err := s.Current(ctx, "north"); err != nil || id != "jo" {
		t.Errorf("Current(north) = %q, %v; want jo", id, err)
	}
	tests := []struct {
		cohort, after string
		skip          []string
		want          string
	}{
		{"north", "", nil, "jo"},
		{"north", "jo", nil, "ana"},
		{"north", "bao", nil, "jo"}, // wraps round
		{"north", "jo", []string{"ana"}, "bao"},
		{"north", "stranger", nil, "jo"},
		{"north", "ana", []string{"jo", "bao"}, ""},
		{"east", "dev", nil, ""},
		{"nowhere", "", nil, ""},
	}
	for _, tt := range tests {
		got, err := s.Next(ctx, tt.cohort, tt.after, tt.skip)
		if tt.want == "" {
			if !errors.Is(err, oncall.ErrNobody) {
				t.Errorf("Next(%s, %q, %v) = %q, %v; want ErrNobody", tt.cohort, tt.after, tt.skip, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Next(%s, %q, %v) = %q, %v; want %q", tt.cohort, tt.after, tt.skip, got, err, tt.want)
		}
	}
	if _, err := s.Current(ctx, "nowhere"); !errors.Is(err, oncall.ErrNobody) {
		t.Errorf("Current(nowhere) error = %v, want ErrNobody", err)
	}
}

func TestSeedSurvivesRestartUnlessConfigChanges(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.Start(t)
	cfg := map[string][]string{"north": {"jo", "ana"}}
	if err := oncall.New(rdb).Seed(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	// Someone changes the rotation in Redis (a later admin operation).
	rdb.LSet(ctx, "leadline:{oncall}:cohort:north:rotation", 0, "ana")
	rdb.LSet(ctx, "leadline:{oncall}:cohort:north:rotation", 1, "jo")

	// A restart with the same config keeps it...
	s := oncall.New(rdb)
	if err := s.Seed(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Rotation(ctx, "north"); !slices.Equal(got, []string{"ana", "jo"}) {
		t.Errorf("after restart: %v, want the rotation kept in Redis", got)
	}
	// ...and an edited config wins.
	cfg["north"] = []string{"bao", "jo", "ana"}
	if err := s.Seed(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Rotation(ctx, "north"); !slices.Equal(got, []string{"bao", "jo", "ana"}) {
		t.Errorf("after config change: %v", got)
	}
}
