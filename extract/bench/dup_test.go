package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"newsarc/extract"
	"newsarc/store"
)

// dupEdits are the changes a reprint makes to a story, applied to the
// benchmark's true bodies to make near-duplicates with a known answer.
var dupEdits = []struct {
	name string
	edit func(paras []string) []string
}{
	{"source line added", func(p []string) []string { return append(p, "Source: Example Wire Service") }},
	{"byline paragraph added", func(p []string) []string {
		return append([]string{"By Staff Reporter, Example Daily"}, p...)
	}},
	{"last paragraph dropped", func(p []string) []string {
		if len(p) < 4 {
			return p
		}
		return p[:len(p)-1]
	}},
	{"one word in 40 changed", func(p []string) []string {
		out := make([]string, len(p))
		n := 0
		for i, para := range p {
			words := strings.Fields(para)
			for j := range words {
				if n++; n%40 == 0 {
					words[j] = fmt.Sprintf("edit%dx", n) // a word of its own each time, as real edits are
				}
			}
			out[i] = strings.Join(words, " ")
		}
		return out
	}},
	{"white space reflowed", func(p []string) []string { return []string{strings.Join(p, " ")} }},
}

// paragraphs splits a body at line breaks, dropping empty lines.
func paragraphs(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestNearDuplicateRates measures near-duplicate linking on the benchmark
// set (NEWSARC_EXTRACTION_BENCH): how often a reprint is found within
// store.MaxSimilarDistance bits (the true body edited as reprints edit
// it; the same story as extracted by newsarc against the true body, as a
// stand-in for the same text in another site's layout) and how often two
// different stories are wrongly linked (every pair of true bodies). Only
// bodies long enough to link (store.MinLinkWords) count. It fails when
// unrelated stories link or edited reprints are mostly missed.
func TestNearDuplicateRates(t *testing.T) {
	pages, ex := benchSet(t)
	within := func(a, b string) (int, bool) {
		d := store.Hamming(extract.SimHash(a), extract.SimHash(b))
		return d, d <= store.MaxSimilarDistance
	}

	var bodies []string
	found := map[string]int{}
	var total, extractedSame, extractedN int
	var hist [65]int
	for _, p := range pages {
		if words(p.Truth) < store.MinLinkWords {
			continue
		}
		total++
		bodies = append(bodies, p.Truth)
		for _, e := range dupEdits {
			edited := strings.Join(e.edit(paragraphs(p.Truth)), "\n\n")
			if _, ok := within(p.Truth, edited); ok {
				found[e.name]++
			}
		}
		a, err := ex.Extract(context.Background(), p.URL, nil, p.HTML)
		if err == nil && a.Text != "" {
			extractedN++
			d, ok := within(p.Truth, a.Text)
			hist[d]++
			if ok {
				extractedSame++
			}
		}
	}
	var pairs, falseLinks, false7 int
	minD := 64
	for i := range bodies {
		for j := i + 1; j < len(bodies); j++ {
			pairs++
			d, ok := within(bodies[i], bodies[j])
			if ok {
				falseLinks++
			}
			if d <= 7 {
				false7++
			}
			minD = min(minD, d)
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "bodies with >= %d words: %d\n", store.MinLinkWords, total)
	for _, e := range dupEdits {
		fmt.Fprintf(&sb, "  %-28s found %d/%d (%.1f%%)\n", e.name, found[e.name], total, 100*float64(found[e.name])/float64(total))
	}
	fmt.Fprintf(&sb, "  %-28s found %d/%d (%.1f%%)\n", "extracted vs true body", extractedSame, extractedN, 100*float64(extractedSame)/float64(max(extractedN, 1)))
	fmt.Fprintf(&sb, "  distances extracted vs true: %v\n", hist[:12])
	fmt.Fprintf(&sb, "unrelated pairs: %d, linked at <= %d bits: %d, within 7 bits: %d, nearest pair %d bits\n",
		pairs, store.MaxSimilarDistance, falseLinks, false7, minD)
	t.Log("\n" + sb.String())

	// Floors a little under the measured rates (docs/BENCHMARKS.md), so
	// that a change to SimHash or the linking distance that loses
	// reprints, or links different stories, fails.
	if falseLinks > 0 {
		t.Errorf("%d pairs of different stories would be linked", falseLinks)
	}
	floors := map[string]float64{"source line added": 0.93, "byline paragraph added": 0.93,
		"last paragraph dropped": 0.72, "one word in 40 changed": 0.72, "white space reflowed": 1}
	for _, e := range dupEdits {
		if got := float64(found[e.name]) / float64(total); got < floors[e.name] {
			t.Errorf("%s: %d/%d reprints found, want at least %.0f%%", e.name, found[e.name], total, 100*floors[e.name])
		}
	}
	if got := float64(extractedSame) / float64(max(extractedN, 1)); got < 0.82 {
		t.Errorf("extracted vs true body: %d/%d within %d bits, want at least 82%%", extractedSame, extractedN, store.MaxSimilarDistance)
	}
}

// words counts words as WordCount does, closely enough for the cut-off:
// runs of letters or digits, each CJK character one.
func words(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		cjk := 0
		for _, r := range f {
			if r >= 0x3000 {
				cjk++
			}
		}
		n += max(1, cjk)
	}
	return n
}
