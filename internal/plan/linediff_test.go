package plan

import (
	"strings"
	"testing"
)

// render writes a diff one character per line: " a", "-b", "+c".
func render(d []diffLine) string {
	var parts []string
	for _, l := range d {
		parts = append(parts, string(l.Op)+l.Text)
	}
	return strings.Join(parts, " ")
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

func TestLineDiff(t *testing.T) {
	cases := []struct {
		name, a, b, want string
	}{
		{"both empty", "", "", ""},
		{"equal", "a b c", "a b c", " a  b  c"},
		{"all added", "", "a b", "+a +b"},
		{"all removed", "a b", "", "-a -b"},
		{"one changed", "a b c", "a x c", " a -b +x  c"},
		{"insert in the middle", "a c", "a b c", " a +b  c"},
		{"remove at the start", "a b c", "b c", "-a  b  c"},
		{"append", "a b", "a b c", " a  b +c"},
		{"longest common subsequence", "a b c d e f", "a c b d f e", " a -b  c +b  d -e  f +e"},
		{"removed before added", "x y", "p q", "-x -y +p +q"},
		{"repeated lines", "} } }", "} x } }", " } +x  }  }"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := lineDiff(lines(c.a), lines(c.b))
			if got := render(d); got != c.want {
				t.Errorf("lineDiff(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
			}
			checkDiff(t, d, lines(c.a), lines(c.b))
		})
	}
}

// checkDiff checks that d turns a into b: its ' ' and '-' lines are a, its
// ' ' and '+' lines are b.
func checkDiff(t *testing.T, d []diffLine, a, b []string) {
	t.Helper()
	var gotA, gotB []string
	for _, l := range d {
		if l.Op != '+' {
			gotA = append(gotA, l.Text)
		}
		if l.Op != '-' {
			gotB = append(gotB, l.Text)
		}
	}
	if strings.Join(gotA, "\n") != strings.Join(a, "\n") || strings.Join(gotB, "\n") != strings.Join(b, "\n") {
		t.Errorf("diff %q does not turn %q into %q", render(d), a, b)
	}
}

func TestLineDiffOverTheTableBound(t *testing.T) {
	// Past maxLCSCells the middle is removed then added: still a diff
	// from a to b, without the quadratic table.
	n := 3000
	a := make([]string, n)
	b := make([]string, n)
	for i := range a {
		a[i] = "a" + strings.Repeat("x", i%7)
		b[i] = "b" + strings.Repeat("x", i%5)
	}
	a[0], b[0] = "same", "same"
	d := lineDiff(a, b)
	checkDiff(t, d, a, b)
	if d[0].Op != ' ' || d[1].Op != '-' || d[len(d)-1].Op != '+' {
		t.Errorf("diff starts %q and ends %q", render(d[:2]), render(d[len(d)-1:]))
	}
}

func TestWithContext(t *testing.T) {
	cases := []struct {
		name, diff string
		ctx        int
		want       string
	}{
		{"nothing to hide", " a -b +c  d", 3, " a -b +c  d"},
		{"a long run is one marker", " 1  2  3  4  5  6 -x +y  7  8", 1, "…5 unchanged lines  6 -x +y  7  8"},
		{"a run of one stays", " 1  2 -x", 1, " 1  2 -x"},
		{"between two changes", "-x  1  2  3  4  5 +y", 1, "-x  1 …3 unchanged lines  5 +y"},
		{"no change at all", " 1  2  3", 1, "…3 unchanged lines"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := parseOps(c.diff)
			if got := render(withContext(d, c.ctx)); got != c.want {
				t.Errorf("withContext = %q, want %q", got, c.want)
			}
		})
	}
}

// parseOps reads the render format back: " x" unchanged, "-x", "+x".
func parseOps(s string) []diffLine {
	var d []diffLine
	for i := 0; i < len(s); {
		op := rune(s[i])
		j := i + 1
		for j < len(s) && s[j] != ' ' {
			j++
		}
		d = append(d, diffLine{op, s[i+1 : j]})
		i = j + 1
	}
	return d
}
