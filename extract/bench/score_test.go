package bench

import (
	"math"
	"slices"
	"testing"
)

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"words and punctuation", "Hello, world! It's 2019.", []string{"Hello", "world", "It", "s", "2019"}},
		{"underscore is a word character", "snake_case x", []string{"snake_case", "x"}},
		{"accents", "Olá, você está?", []string{"Olá", "você", "está"}},
		{"han runs stay whole", "中国 新闻，今天。", []string{"中国", "新闻", "今天"}},
		{"empty", " ,. ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Tokens(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestPageCounts(t *testing.T) {
	for _, tc := range []struct {
		name        string
		truth, pred string
		p, r        float64
		tp, fp, fn  float64
	}{
		// 6 tokens: 3 shingles each side, all shared.
		{"identical", "a b c d e f", "a b c d e f", 1, 1, 1, 0, 0},
		// pred adds "x y": 5 shingles, of which the 3 true ones match.
		{"extra tail", "a b c d e f", "a b c d e f x y", 3.0 / 5, 1, 3.0 / 5, 2.0 / 5, 0},
		// pred misses the last 2 tokens: 1 of 3 shingles found.
		{"missing tail", "a b c d e f", "a b c d", 1, 1.0 / 3, 1.0 / 3, 0, 2.0 / 3},
		{"empty prediction", "a b c d", "", 0, 0, 0, 0, 1},
		{"both empty", "", "", 1, 1, 0, 0, 0},
		// Fewer than 4 tokens: one shorter shingle.
		{"short texts", "a b", "a b", 1, 1, 1, 0, 0},
		// Multiset: the truth's 5 shingles hold "a b c d" twice; pred's
		// one "a b c d" matches once.
		{"repeats", "a b c d a b c d", "a b c d", 1, 1.0 / 5, 1.0 / 5, 0, 4.0 / 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := PageCounts(tc.truth, tc.pred)
			if !near(c.TP, tc.tp) || !near(c.FP, tc.fp) || !near(c.FN, tc.fn) {
				t.Errorf("counts = %+v, want tp %v fp %v fn %v", c, tc.tp, tc.fp, tc.fn)
			}
			if !near(c.Precision(), tc.p) || !near(c.Recall(), tc.r) {
				t.Errorf("P/R = %v/%v, want %v/%v", c.Precision(), c.Recall(), tc.p, tc.r)
			}
		})
	}
}

func TestScore(t *testing.T) {
	truth := map[string]string{"1": "a b c d e f", "2": "a b c d e f", "3": "a b c d"}
	pred := map[string]string{"1": "a b c d e f", "2": "a b c d e f x y"} // "3" missing: empty
	m, per := Score(truth, pred)
	// Precision over pages 1 and 2 (page 3 predicted nothing): (1+0.6)/2.
	// Recall over all three: (1+1+0)/3. F1 of the means.
	wantP, wantR := 0.8, 2.0/3
	if !near(m.Precision, wantP) || !near(m.Recall, wantR) || !near(m.F1, 2*wantP*wantR/(wantP+wantR)) || m.Pages != 3 {
		t.Errorf("Score = %+v, want P %v R %v", m, wantP, wantR)
	}
	if len(per) != 3 {
		t.Errorf("per-page counts for %d pages, want 3", len(per))
	}
}
