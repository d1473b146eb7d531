package geo

import (
	"cmp"
	"slices"
)

// streetTypos finds names within one typo (see oneTypo) of a text by
// single-letter deletions: two strings are within one typo only if they,
// or one and a deletion from the other, or a deletion from each, are equal.
// It keeps a hash of each deletion, sorted, and checks every hit.
type streetTypos struct {
	names []string
	dels  []typoDeletion
}

type typoDeletion struct {
	hash uint64
	name int32
}

func newStreetTypos(keys map[string][]int32) streetTypos {
	var t streetTypos
	for name := range keys {
		rs := []rune(name)
		if !typoLength(rs) {
			continue
		}
		id := int32(len(t.names))
		t.names = append(t.names, name)
		for i := -1; i < len(rs); i++ {
			t.dels = append(t.dels, typoDeletion{deletionHash(rs, i), id})
		}
	}
	slices.SortFunc(t.dels, func(x, y typoDeletion) int { return cmp.Compare(x.hash, y.hash) })
	return t
}

// near returns the names within one typo of s, but not s itself.
func (t *streetTypos) near(s string) []string {
	rs := []rune(s)
	if !typoLength(rs) || len(t.dels) == 0 {
		return nil
	}
	var found []string
	for i := -1; i < len(rs); i++ {
		h := deletionHash(rs, i)
		j, _ := slices.BinarySearchFunc(t.dels, h, func(d typoDeletion, h uint64) int { return cmp.Compare(d.hash, h) })
		for ; j < len(t.dels) && t.dels[j].hash == h; j++ {
			name := t.names[t.dels[j].name]
			if name != s && !slices.Contains(found, name) && oneTypo(rs, []rune(name)) {
				found = append(found, name)
			}
		}
	}
	slices.Sort(found)
	return found
}

// deletionHash is the FNV-1a hash of rs without rs[skip] (skip -1: all).
func deletionHash(rs []rune, skip int) uint64 {
	h := uint64(14695981039346656037)
	for i, r := range rs {
		if i != skip {
			h = (h ^ uint64(r)) * 1099511628211
		}
	}
	return h
}
