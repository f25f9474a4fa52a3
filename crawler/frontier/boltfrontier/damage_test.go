package boltfrontier_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/boltfrontier"
	"newsarc/crawler/frontier/frontiertest"
)

// TestDamagedFile: a frontier file whose pages were overwritten (a disk
// fault, a bad copy) gives errors, never a panic that would end the
// process: bbolt panics on a page that is not what its parent says, and a
// child pointer of garbage leads past the mapped file. Each kind of
// damage is tried on many pages of a file holding thousands of URLs; every
// call on the damaged file must return (a test that panicked would stop
// here), and the damage must be noticed by some call, as ErrCorrupt where
// bbolt panicked.
func TestDamagedFile(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.db")
	f, err := boltfrontier.Open(clean, frontier.Options{Delay: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	frontiertest.QueueMillion(t, f, "s", 6000, 60)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096 // bbolt's page size on this platform's default
	pages := len(good) / pageSize
	if pages < 40 {
		t.Fatalf("the file has %d pages, too few to damage", pages)
	}

	r := rand.New(rand.NewPCG(7, 8))
	damages := map[string]func(page []byte){
		"zeroed": func(p []byte) { clear(p) },
		"random": func(p []byte) {
			for i := range p {
				p[i] = byte(r.Uint32())
			}
		},
		// A valid-looking header (its own id, a branch page) over
		// elements of garbage: child pointers anywhere.
		"garbage branch": func(p []byte) {
			id := append([]byte(nil), p[:8]...)
			for i := range p {
				p[i] = byte(r.Uint32())
			}
			copy(p, id)
			p[8], p[9] = 0x01, 0x00 // branch flag
			p[10], p[11] = 0x20, 0x00
		},
	}
	noticed, corrupt, tries := 0, 0, 0
	for _, name := range slices.Sorted(maps.Keys(damages)) {
		damage := damages[name]
		for try := range 8 {
			page := 2 + r.IntN(pages-2) // not the two meta pages: bbolt checks those itself
			b := append([]byte(nil), good...)
			damage(b[page*pageSize : (page+1)*pageSize])
			path := filepath.Join(dir, fmt.Sprintf("%s-%d.db", name, try))
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			tries++
			errs := exercise(ctx, path)
			if len(errs) > 0 {
				noticed++
			}
			for _, err := range errs {
				if errors.Is(err, frontier.ErrCorrupt) {
					corrupt++
					break
				}
			}
		}
	}
	t.Logf("%d damaged files: %d noticed, %d with ErrCorrupt", tries, noticed, corrupt)
	if corrupt == 0 {
		t.Error("no damage was reported as ErrCorrupt: the panics were not met, the test proves nothing")
	}
}

// exercise opens path and drives the frontier through a crawl's calls,
// returning the errors met.
func exercise(ctx context.Context, path string) []error {
	var errs []error
	f, err := boltfrontier.Open(path, frontier.Options{Delay: -1}, nil)
	if err != nil {
		return append(errs, err)
	}
	defer func() {
		if err := f.Close(); err != nil {
			errs = append(errs, err)
		}
	}()
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	_, err = f.Stats(ctx, "s")
	note(err)
	_, err = f.Due(ctx, "s", time.Now())
	note(err)
	_, _, err = f.Page(ctx, "s", "http://h1.example/story/1-a-long-slug-to-fill-pages")
	note(err)
	for range 30 {
		l, err := f.Lease(ctx, "w", 50)
		if err != nil {
			note(err)
			break
		}
		if l.Empty() {
			break
		}
		var outs []frontier.Outcome
		for _, e := range l.Entries {
			outs = append(outs, frontier.Outcome{Lease: l, URL: e.URL})
		}
		_, err = f.Done(ctx, outs...)
		note(err)
		_, err = f.Enqueue(ctx, frontier.Entry{URL: l.Entries[0].URL + "/next", Site: "s", Depth: 2})
		note(err)
		note(f.Release(ctx, l))
	}
	return errs
}
