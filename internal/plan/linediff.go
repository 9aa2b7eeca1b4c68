package plan

import "strconv"

// diffLine is one line of a line diff: op is ' ' (in both), '-' (only in
// the old text), '+' (only in the new text), or '…' for a run of unchanged
// lines left out (Text then says how many).
type diffLine struct {
	Op   rune
	Text string
}

// maxLCSCells bounds the LCS table (4 bytes a cell). Documents this large
// do not occur in practice (a key policy is 32 KB); past it the changed
// middle is shown as removed then added, which is still a correct diff.
const maxLCSCells = 1 << 22

// lineDiff returns a shortest-edit line diff from a to b, by longest common
// subsequence after trimming the common prefix and suffix. Within a changed
// run, removed lines come before added ones.
func lineDiff(a, b []string) []diffLine {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out := make([]diffLine, 0, len(a)+len(b))
	for _, l := range a[:pre] {
		out = append(out, diffLine{' ', l})
	}
	out = append(out, lcsDiff(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		out = append(out, diffLine{' ', l})
	}
	return out
}

func lcsDiff(a, b []string) []diffLine {
	var out []diffLine
	n, m := len(a), len(b)
	if n*m > maxLCSCells || n == 0 || m == 0 {
		for _, l := range a {
			out = append(out, diffLine{'-', l})
		}
		for _, l := range b {
			out = append(out, diffLine{'+', l})
		}
		return out
	}
	// lcs[i*(m+1)+j] is the length of the LCS of a[i:] and b[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, diffLine{' ', a[i]})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, diffLine{'-', a[i]})
			i++
		default:
			out = append(out, diffLine{'+', b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, diffLine{'-', a[i]})
	}
	for ; j < m; j++ {
		out = append(out, diffLine{'+', b[j]})
	}
	return out
}

// withContext keeps the unchanged lines within ctx lines of a change and
// replaces each longer run of the others by one '…' line, so a one-line
// edit in a long policy reads as a few lines.
func withContext(d []diffLine, ctx int) []diffLine {
	keep := make([]bool, len(d))
	for i, l := range d {
		if l.Op == ' ' {
			continue
		}
		for k := max(0, i-ctx); k <= min(len(d)-1, i+ctx); k++ {
			keep[k] = true
		}
	}
	var out []diffLine
	for i := 0; i < len(d); {
		if keep[i] {
			out = append(out, d[i])
			i++
			continue
		}
		j := i
		for j < len(d) && !keep[j] {
			j++
		}
		if j-i == 1 { // a marker would be no shorter than the line
			out = append(out, d[i])
		} else {
			out = append(out, diffLine{'…', strconv.Itoa(j-i) + " unchanged lines"})
		}
		i = j
	}
	return out
}
