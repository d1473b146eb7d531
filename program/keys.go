package program

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// unknownKeys finds every key in the document that the config does not
// have, with its line, each named with the nearest known key, so that a
// typo is reported with all the config's other errors, not alone.
func unknownKeys(file string, doc *yaml.Node, t reflect.Type) []error {
	var errs []error
	var walk func(n *yaml.Node, t reflect.Type, path string)
	walk = func(n *yaml.Node, t reflect.Type, path string) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch {
		case n.Kind == yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, t, path)
			}
		case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
			fields := map[string]reflect.Type{}
			for i := range t.NumField() {
				f := t.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
				if name != "" && name != "-" {
					fields[name] = f.Type
				}
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				key, val := n.Content[i], n.Content[i+1]
				ft, ok := fields[key.Value]
				if !ok {
					errs = append(errs, &Error{File: file, Item: fmt.Sprintf("line %d", key.Line),
						Reason: unknownKey(key.Value, path, fields)})
					continue
				}
				walk(val, ft, join(path, key.Value))
			}
		case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			}
		case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))
			}
		}
	}
	walk(doc, t, "")
	return errs
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// unknownKey says that key is not one of fields, naming the nearest.
func unknownKey(key, path string, fields map[string]reflect.Type) string {
	where := "at the top level"
	if path != "" {
		where = "in " + path
	}
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	best, dist := "", 0
	for _, k := range known {
		if d := editDistance(strings.ToLower(key), k); best == "" || d < dist {
			best, dist = k, d
		}
	}
	if best != "" && dist <= max(2, len(key)/3) {
		return fmt.Sprintf("unknown key %q %s: did you mean %q?", key, where, best)
	}
	return fmt.Sprintf("unknown key %q %s (known: %s)", key, where, strings.Join(known, ", "))
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
