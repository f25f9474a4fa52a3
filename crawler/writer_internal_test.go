package crawler

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/boltfrontier"
	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/storetest"
)

// countingArchive records the articles of each Put.
type countingArchive struct {
	Archive
	mu   sync.Mutex
	puts [][]string // the sites of each put's articles
}

func (a *countingArchive) Put(ctx context.Context, arts ...*store.Article) ([]store.Change, error) {
	a.mu.Lock()
	var sites []string
	for _, x := range arts {
		sites = append(sites, x.Site)
	}
	a.puts = append(a.puts, sites)
	a.mu.Unlock()
	return a.Archive.Put(ctx, arts...)
}

// TestSitesShareTheWriter: the runs of one Crawler under one context (the
// sites of one crawl) hand their articles to one writer, whose groups
// hold articles of several sites; runs under other contexts have writers
// of their own.
func TestSitesShareTheWriter(t *testing.T) {
	st, err := bleve.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	arch := &countingArchive{Archive: st}
	cfg := DefaultConfig()
	cfg.GroupSize, cfg.GroupWait = 4, time.Hour
	c := New(cfg, arch, nil)
	arts := storetest.Articles(8)
	newRun := func(name string) *run {
		r, err := c.newRun(Site{Name: name, Seeds: []string{"http://" + name + ".test/"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		f, err := boltfrontier.Open(filepath.Join(t.TempDir(), "frontier.db"), frontier.Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		r.ctx = context.Background()
		r.dist = newDist(r, f, "local", true)
		return r
	}
	submit := func(r *run, as ...*store.Article) {
		for _, a := range as {
			a.Site = r.site.Name
			r.submit(&commitItem{art: a})
		}
	}

	// One context: the fourth article, whichever site it is of, fills
	// the group.
	ctx := context.Background()
	a, b := newRun("a"), newRun("b")
	a.startWriter(ctx)
	b.startWriter(ctx)
	if a.w != b.w {
		t.Fatal("two runs under one context got two writers")
	}
	submit(a, arts[0], arts[1])
	submit(b, arts[2], arts[3])
	a.stopWriter()
	b.stopWriter()
	if len(arch.puts) != 1 || len(arch.puts[0]) != 4 {
		t.Fatalf("puts %v, want one of the two sites' four articles", arch.puts)
	}

	// Two contexts: two writers, each holding its run's two articles
	// until the run ends.
	arch.puts = nil
	ctx2, cancel := context.WithCancel(context.Background())
	defer cancel()
	c2, d := newRun("c"), newRun("d")
	c2.startWriter(ctx)
	d.startWriter(ctx2)
	if c2.w == d.w {
		t.Fatal("runs under two contexts share a writer")
	}
	submit(c2, arts[4], arts[5])
	submit(d, arts[6], arts[7])
	c2.stopWriter()
	d.stopWriter()
	if len(arch.puts) != 2 || len(arch.puts[0]) != 2 || len(arch.puts[1]) != 2 {
		t.Fatalf("puts %v, want two of two articles", arch.puts)
	}
	if len(c.writers) != 0 {
		t.Fatalf("%d writers left after every run stopped", len(c.writers))
	}
}
