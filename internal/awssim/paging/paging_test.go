package paging

import (
	"slices"
	"testing"
)

func TestWindow(t *testing.T) {
	var seen []int
	tok := ""
	for range 10 {
		start, end, next, ok := Window(tok, 3, 7)
		if !ok {
			t.Fatalf("Window(%q) refused its own token", tok)
		}
		for i := start; i < end; i++ {
			seen = append(seen, i)
		}
		if tok = next; tok == "" {
			break
		}
	}
	if !slices.Equal(seen, []int{0, 1, 2, 3, 4, 5, 6}) {
		t.Errorf("pages = %v", seen)
	}
	for _, bad := range []string{"!!", "Mw", token("x"), token("-1"), token("8")} {
		if _, _, _, ok := Window(bad, 3, 7); ok {
			t.Errorf("Window accepted %q", bad)
		}
	}
}

func TestAfter(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e"}
	page, next, ok := After(names, "", 2)
	if !ok || !slices.Equal(page, []string{"a", "b"}) || next == "" {
		t.Fatalf("first page = %v %q %v", page, next, ok)
	}
	// "b" is deleted and "bb" added between calls: the next page goes on
	// after the last name returned.
	page, next, ok = After([]string{"a", "bb", "c", "d", "e"}, next, 2)
	if !ok || !slices.Equal(page, []string{"bb", "c"}) || next == "" {
		t.Fatalf("second page = %v %q %v", page, next, ok)
	}
	page, next, ok = After(names, next, 2)
	if !ok || !slices.Equal(page, []string{"d", "e"}) || next != "" {
		t.Fatalf("last page = %v %q %v", page, next, ok)
	}
	if _, _, ok := After(names, "not-a-token", 2); ok {
		t.Error("After accepted a forged token")
	}
}
