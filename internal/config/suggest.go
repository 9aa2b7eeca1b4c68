package config

import "strings"

// suggest returns the candidate closest to got, for "did you mean" hints,
// or "" when nothing is close enough to be a likely typo. Case is ignored
// when comparing: "guardduty" should suggest "guardDuty".
func suggest(got string, candidates []string) string {
	if len(got) > 64 {
		return "" // not a typo; and keeps the quadratic distance cheap
	}
	g := strings.ToLower(got)
	best, bestDist := "", -1
	for _, c := range candidates {
		d := levenshtein(g, strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	// Allow about one edit in four characters, at least one: "currencyy"
	// and "ROLLBACK_COMPLET" are typos, "b" for "id" is not.
	if n := len([]rune(got)); bestDist >= 0 && bestDist < n && bestDist <= max(1, n/4) {
		return best
	}
	// A shortened name ("InviteAccount" for "InviteAccountToOrganization")
	// is far in edits but obvious to a reader.
	best = ""
	if len(g) >= 4 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), g) && (best == "" || len(c) < len(best)) {
				best = c
			}
		}
	}
	return best
}

// levenshtein is the edit distance between a and b, counted in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
