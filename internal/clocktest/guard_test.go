package clocktest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// wallReads are the calls that read the wall clock.
var wallReads = map[string]map[string]bool{
	"time":      {"Now": true, "Since": true, "Until": true},
	"clocktest": {"Wall": true},
}

// TestNoWallClockInTests fails when a test or test helper reads the wall
// clock. Tests take their time from a clocktest.Clock, so that they pass on
// any date and in any zone. Two places may read it: benchmarks (functions
// named Benchmark… or bench…), which measure real timing, and a line that
// says why with a "wall clock:" comment, for a test that times a real
// timeout or a cap kept by Redis's own clock.
func TestNoWallClockInTests(t *testing.T) {
	root := moduleRoot(t)
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "vendor" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		rel, _ := filepath.Rel(root, path)
		for _, v := range wallClockReads(t, path) {
			t.Errorf("%s:%d: %s reads the wall clock; take the test's clocktest.Clock (or, for a real timeout, say why with a \"wall clock:\" comment)", rel, v.line, v.call)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("read only %d test files under %s", files, root)
	}
}

// The guard itself: a test that reads the wall clock is caught, one in a
// benchmark or with a reason is not.
func TestGuardCatchesWallClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x_test.go")
	src := `package x

import (
	"testing"
	"time"
	when "time"
)

func TestLate(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	_ = when.Since(deadline)
	f := time.Now
	_ = f
	_ = time.Since(deadline) // wall clock: times the retry's real back-off
}

func BenchmarkLag(b *testing.B) { _ = time.Now() }

func benchHelper() { _ = time.Until(time.Time{}) }
`
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range wallClockReads(t, path) {
		got = append(got, strconv.Itoa(v.line)+" "+v.call)
	}
	want := "10 time.Now,11 time.Since,12 time.Now"
	if strings.Join(got, ",") != want {
		t.Errorf("caught %q, want %q", strings.Join(got, ","), want)
	}
}

type wallRead struct {
	line int
	call string
}

// wallClockReads parses one test file and returns its wall-clock reads
// that are neither in a benchmark nor explained.
func wallClockReads(t *testing.T, path string) []wallRead {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	// Import names as the file spells them: time may be renamed.
	pkgOf := map[string]string{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		base := p[strings.LastIndex(p, "/")+1:]
		if _, watched := wallReads[base]; !watched {
			continue
		}
		name := base
		if imp.Name != nil {
			name = imp.Name.Name
		}
		pkgOf[name] = base
	}
	explained := map[int]bool{}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.Contains(c.Text, "wall clock:") {
				explained[fset.Position(c.Slash).Line] = true
			}
		}
	}
	var out []wallRead
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if ok && (strings.HasPrefix(fn.Name.Name, "Benchmark") || strings.HasPrefix(fn.Name.Name, "bench")) {
			continue
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok || !wallReads[pkgOf[id.Name]][sel.Sel.Name] {
				return true
			}
			line := fset.Position(sel.Pos()).Line
			if !explained[line] {
				out = append(out, wallRead{line, pkgOf[id.Name] + "." + sel.Sel.Name})
			}
			return true
		})
	}
	return out
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}
