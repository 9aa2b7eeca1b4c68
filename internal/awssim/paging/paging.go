// Package paging cuts list answers into pages behind opaque tokens, the
// same way for every simulated list operation; each service words its own
// errors for a bad page size or token.
package paging

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

const prefix = "awssim:"

func token(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(prefix + s)) }

func untoken(t string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), prefix)
}

// Window returns the [start, end) window of n items at token ("" for the
// first page) with size items at most, and the token of the next page (""
// on the last). ok is false for a token Window did not make, or one past
// the end.
func Window(tok string, size, n int) (start, end int, next string, ok bool) {
	if tok != "" {
		v, found := untoken(tok)
		i, err := strconv.Atoi(v)
		if !found || err != nil || i < 0 || i > n {
			return 0, 0, "", false
		}
		start = i
	}
	end = min(start+size, n)
	if end < n {
		next = token(strconv.Itoa(end))
	}
	return start, end, next, true
}

// After returns up to size of the sorted names that follow the last one an
// earlier page returned (named by tok, "" for the first page), and the
// token of the next page ("" on the last). A page cut by name stays right
// when names are added or removed between calls. ok is false for a token
// After did not make.
func After(names []string, tok string, size int) (page []string, next string, ok bool) {
	start := 0
	if tok != "" {
		last, found := untoken(tok)
		if !found {
			return nil, "", false
		}
		start, found = slices.BinarySearch(names, last)
		if found {
			start++
		}
	}
	end := min(start+size, len(names))
	if end < len(names) {
		next = token(names[end-1])
	}
	return names[start:end], next, true
}
