// Package bench runs newsarc's extractor over an article-extraction
// benchmark set (html/<id>.html.gz and ground-truth.json, as in
// shared/benchmarks/article-extraction) and scores the bodies with the
// benchmark's metric, the same as its score.py. It owns loading the set,
// timing the extraction and scoring; extraction itself is package extract's.
package bench

import (
	"strings"
	"unicode"
)

// Tokens splits text into the benchmark's tokens: runs of word characters
// as Python's Unicode \w+ sees them (letters, numbers and '_').
func Tokens(text string) []string {
	var out []string
	start := -1
	for i, r := range text {
		if isWord(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, text[start:])
	}
	return out
}

// isWord is Python's \w for str patterns: str.isalnum() or '_'.
func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// shingles returns the multiset of n-token shingles of tokens; fewer than n
// tokens make one shorter shingle, no tokens none.
func shingles(tokens []string, n int) map[string]int {
	out := map[string]int{}
	if len(tokens) == 0 {
		return out
	}
	for i := 0; i < max(1, len(tokens)-n+1); i++ {
		out[strings.Join(tokens[i:min(len(tokens), i+n)], "\x00")]++
	}
	return out
}

// Counts are one page's shingle counts, normalised to sum to 1 (all zero
// when both texts are empty).
type Counts struct{ TP, FP, FN float64 }

// PageCounts compares a predicted body with the true one.
func PageCounts(truth, pred string) Counts {
	t, p := shingles(Tokens(truth), 4), shingles(Tokens(pred), 4)
	var tp, fp, fn int
	for k, pn := range p {
		tn := t[k]
		tp += min(tn, pn)
		fp += max(0, pn-tn)
	}
	for k, tn := range t {
		fn += max(0, tn-p[k])
	}
	s := float64(tp + fp + fn)
	if s == 0 {
		return Counts{}
	}
	return Counts{float64(tp) / s, float64(fp) / s, float64(fn) / s}
}

// Precision is TP/(TP+FP); 1 when nothing was missed or added.
func (c Counts) Precision() float64 {
	switch {
	case c.FP == 0 && c.FN == 0:
		return 1
	case c.TP == 0 && c.FP == 0:
		return 0
	}
	return c.TP / (c.TP + c.FP)
}

// Recall is TP/(TP+FN); 1 when nothing was missed or added.
func (c Counts) Recall() float64 {
	switch {
	case c.FP == 0 && c.FN == 0:
		return 1
	case c.TP == 0 && c.FN == 0:
		return 0
	}
	return c.TP / (c.TP + c.FN)
}

// Metrics are the benchmark's figures over a set of pages.
type Metrics struct {
	F1        float64 `json:"f1"`
	Precision float64 `json:"precision"` // mean over pages that predicted something
	Recall    float64 `json:"recall"`    // mean over pages with a true body
	Pages     int     `json:"pages"`
}

// Aggregate computes the metrics of per-page counts: precision is the mean
// over pages with TP+FP > 0, recall the mean over pages with TP+FN > 0, and
// F1 the harmonic mean of those two means.
func Aggregate(counts []Counts) Metrics {
	var ps, rs float64
	var np, nr int
	for _, c := range counts {
		if c.TP+c.FP > 0 {
			ps += c.Precision()
			np++
		}
		if c.TP+c.FN > 0 {
			rs += c.Recall()
			nr++
		}
	}
	m := Metrics{Pages: len(counts)}
	if np > 0 {
		m.Precision = ps / float64(np)
	}
	if nr > 0 {
		m.Recall = rs / float64(nr)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}

// Score scores predicted bodies against true ones, both by page id; a page
// missing from pred counts as empty output.
func Score(truth, pred map[string]string) (Metrics, map[string]Counts) {
	per := make(map[string]Counts, len(truth))
	counts := make([]Counts, 0, len(truth))
	for id, t := range truth {
		c := PageCounts(t, pred[id])
		per[id] = c
		counts = append(counts, c)
	}
	return Aggregate(counts), per
}
