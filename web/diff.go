package web

import (
	"strings"
	"unicode"
)

// DiffOp is one step of a diff: a unit of text kept, inserted, deleted or
// changed.
type DiffOp struct {
	Op   string `json:"op"` // Equal, Insert, Delete or Change
	Text string `json:"text"`
	// Words, for a Change, diffs the old unit with the new one (Text)
	// word by word, each Chinese, Japanese or Korean character a word:
	// the Equal, Delete and Insert runs that make up both.
	Words []DiffOp `json:"words,omitempty"`
}

// The kinds of DiffOp.
const (
	Equal  = "equal"
	Insert = "insert"
	Delete = "delete"
	Change = "change" // a unit edited in place: see DiffOp.Words
)

// minSimilar is how much of two units (the share of their words, spaces
// aside, that they have in common) must be alike for Refine to show one
// as an edit of the other rather than as deleted and inserted.
const minSimilar = 0.5

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
		ops = append(ops, DiffOp{Op: Equal, Text: a[pre]})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops = append(ops, lcsDiff(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, s := range a[len(a)-suf:] {
		ops = append(ops, DiffOp{Op: Equal, Text: s})
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
			ops = append(ops, DiffOp{Op: Delete, Text: s})
		}
		for _, s := range b {
			ops = append(ops, DiffOp{Op: Insert, Text: s})
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
			ops = append(ops, DiffOp{Op: Equal, Text: a[i]})
			i++
			j++
		case l[i+1][j] >= l[i][j+1]:
			ops = append(ops, DiffOp{Op: Delete, Text: a[i]})
			i++
		default:
			ops = append(ops, DiffOp{Op: Insert, Text: b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, DiffOp{Op: Delete, Text: a[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, DiffOp{Op: Insert, Text: b[j]})
	}
	return ops
}

// Refine turns each deleted unit followed, in the same run of changes, by
// an inserted unit mostly alike (minSimilar) into one Change with a word
// diff, so that a one-word correction shows as one word. Deletions and
// insertions are paired in order; the rest are left as they are.
func Refine(ops []DiffOp) []DiffOp {
	var out []DiffOp
	for i := 0; i < len(ops); {
		if ops[i].Op == Equal {
			out = append(out, ops[i])
			i++
			continue
		}
		j := i
		for j < len(ops) && ops[j].Op != Equal {
			j++
		}
		var dels, ins []DiffOp
		for _, op := range ops[i:j] {
			if op.Op == Delete {
				dels = append(dels, op)
			} else {
				ins = append(ins, op)
			}
		}
		k := 0
		for ; k < len(dels) && k < len(ins); k++ {
			words, ok := similar(dels[k].Text, ins[k].Text)
			if !ok {
				break
			}
			out = append(out, DiffOp{Op: Change, Text: ins[k].Text, Words: words})
		}
		out = append(out, dels[k:]...)
		out = append(out, ins[k:]...)
		i = j
	}
	return out
}

// similar returns the word diff of a and b, and whether they are alike
// enough to be one unit edited.
func similar(a, b string) ([]DiffOp, bool) {
	wa, wb := Words(a), Words(b)
	if len(wa)*len(wb) > maxDiffCells {
		return nil, false
	}
	ops := Diff(wa, wb)
	same, na, nb := 0, 0, 0
	for _, op := range ops {
		if strings.TrimSpace(op.Text) == "" {
			continue
		}
		switch op.Op {
		case Equal:
			same++
			na++
			nb++
		case Delete:
			na++
		case Insert:
			nb++
		}
	}
	if na+nb == 0 || float64(2*same)/float64(na+nb) < minSimilar {
		return nil, false
	}
	return merge(ops), true
}

// merge joins neighbouring ops of one kind, and a space between two
// changes of one kind into them, so that "a b" replaced shows as one run.
func merge(ops []DiffOp) []DiffOp {
	var out []DiffOp
	for _, op := range ops {
		if n := len(out); n > 0 && out[n-1].Op == op.Op {
			out[n-1].Text += op.Text
			continue
		}
		out = append(out, op)
	}
	return out
}

// Words splits text into the units of a word diff: runs of letters, digits
// and marks; each Han, Hiragana, Katakana or Hangul character alone; runs
// of white space; and each other character alone. Joined, they give text
// back.
func Words(text string) []string {
	var out []string
	rs := []rune(text)
	for i := 0; i < len(rs); {
		j := i + 1
		switch r := rs[i]; {
		case cjk(r):
		case unicode.IsSpace(r):
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
		case wordRune(r):
			for j < len(rs) && wordRune(rs[j]) && !cjk(rs[j]) {
				j++
			}
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

func cjk(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\'' || r == '’'
}
