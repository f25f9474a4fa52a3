package web

import "strings"

// DiffOp is one step of a diff: a unit of text kept, inserted or deleted.
type DiffOp struct {
	Op   string `json:"op"` // Equal, Insert or Delete
	Text string `json:"text"`
}

// The kinds of DiffOp.
const (
	Equal  = "equal"
	Insert = "insert"
	Delete = "delete"
)

// maxDiffCells bounds the table of Diff (rows times columns): beyond it,
// the differing middle is shown as deleted then inserted.
const maxDiffCells = 4_000_000

// Paragraphs splits text into its paragraphs (separated by blank lines),
// trimmed, without empty ones.
func Paragraphs(text string) []string {
	return nonEmpty(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n"))
}

// Lines splits text into its non-empty lines, trimmed.
func Lines(text string) []string {
	return nonEmpty(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n"))
}

func nonEmpty(parts []string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Diff returns a shortest edit script from a to b, each unit kept, deleted
// or inserted as a whole, deletions before insertions where both apply.
// It finds a longest common subsequence after trimming the common prefix
// and suffix.
func Diff(a, b []string) []DiffOp {
	var ops []DiffOp
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		ops = append(ops, DiffOp{Equal, a[pre]})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops = append(ops, lcsDiff(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, s := range a[len(a)-suf:] {
		ops = append(ops, DiffOp{Equal, s})
	}
	return ops
}

// lcsDiff diffs a and b by dynamic programming over their longest common
// subsequence.
func lcsDiff(a, b []string) []DiffOp {
	n, m := len(a), len(b)
	var ops []DiffOp
	if n*m > maxDiffCells || n == 0 || m == 0 {
		for _, s := range a {
			ops = append(ops, DiffOp{Delete, s})
		}
		for _, s := range b {
			ops = append(ops, DiffOp{Insert, s})
		}
		return ops
	}
	// l[i][j] is the LCS length of a[i:] and b[j:].
	l := make([][]int32, n+1)
	for i := range l {
		l[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = append(ops, DiffOp{Equal, a[i]})
			i++
			j++
		case l[i+1][j] >= l[i][j+1]:
			ops = append(ops, DiffOp{Delete, a[i]})
			i++
		default:
			ops = append(ops, DiffOp{Insert, b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, DiffOp{Delete, a[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, DiffOp{Insert, b[j]})
	}
	return ops
}
