package elastic

import (
	"slices"
	"testing"
)

// TestScorePage checks the page scorePage takes from hits ordered by score
// alone: re-sorted by the full relevance sort, and refused when tied hits
// straddle an edge of the page.
func TestScorePage(t *testing.T) {
	hit := func(id string, score float64, published ...string) searchHit {
		h := searchHit{ID: id, Score: &score}
		h.Fields.Published = published
		return h
	}
	ids := func(hs []searchHit) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.ID)
		}
		return out
	}
	for _, c := range []struct {
		name       string
		hits       []searchHit
		lead, size int
		want       []string // nil with ok false
	}{
		{"first page, ties inside re-sorted", []searchHit{
			hit("b", 3, "1000"), hit("c", 2), hit("a", 2, "500"), hit("d", 2, "900"), hit("e", 1, "2000"),
		}, 0, 4, []string{"b", "d", "a", "c"}},
		{"tie with the hit after the page", []searchHit{
			hit("a", 3, "1"), hit("b", 2, "1"), hit("c", 2, "2"),
		}, 0, 2, nil},
		{"tie with the hit before the page", []searchHit{
			hit("a", 2, "1"), hit("b", 2, "1"), hit("c", 1, "2"),
		}, 1, 1, nil},
		{"same time, by ID", []searchHit{
			hit("z", 5), hit("y", 4, "7"), hit("x", 4, "7"), hit("w", 3),
		}, 1, 2, []string{"x", "y"}},
		{"short last page", []searchHit{
			hit("a", 5), hit("b", 4), hit("c", 4),
		}, 1, 5, []string{"b", "c"}},
		{"past the end", []searchHit{hit("a", 5)}, 1, 5, []string{}},
	} {
		page, ok := scorePage(c.hits, c.lead, c.size)
		if ok != (c.want != nil) || ok && !slices.Equal(append([]string{}, ids(page)...), c.want) {
			t.Errorf("%s: page %v, ok %v; want %v", c.name, ids(page), ok, c.want)
		}
	}
}
