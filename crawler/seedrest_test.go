package crawler_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/extract"
)

// TestSeedNeverRests: a seed judged an article (a front page that reads as
// one story) is fetched again on the next run, though articles rest for a
// day; the article it links to rests.
func TestSeedNeverRests(t *testing.T) {
	f := newFixture(t, map[string]http.HandlerFunc{
		"/latest/":                          html(datedPage("Latest: the council story", "seedword", "/news/council-story-number-1.html")),
		"/news/council-story-number-1.html": html(datedPage("Council story 1", "storyword", "")),
	})
	state, err := crawler.OpenState(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	cfg := testConfig()
	cfg.State = state
	cfg.NotArticle = extract.ErrNotArticle
	cfg.Revisit = []time.Duration{24 * time.Hour}
	st := openStore(t)
	run := func() crawler.Stats {
		stats, err := crawler.New(cfg, st, nil).Run(context.Background(), crawler.Site{Name: "test", Seeds: []string{f.URL + "/latest/"}}, extract.New(extract.DefaultOptions()))
		if err != nil {
			t.Fatal(err)
		}
		return stats
	}
	first := run()
	if first.New != 2 {
		t.Fatalf("first run archived %d, want the seed and its story (2); verdicts %v", first.New, first.Verdicts)
	}
	run()
	if got := f.count("/latest/"); got != 2 {
		t.Errorf("the seed was fetched %d times in two runs, want 2", got)
	}
	if got := f.count("/news/council-story-number-1.html"); got != 1 {
		t.Errorf("the story, not due, was fetched %d times in two runs, want 1", got)
	}
}
