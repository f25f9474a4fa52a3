package boltfrontier_test

import (
	"path/filepath"
	"testing"

	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/boltfrontier"
	"newsarc/crawler/frontier/frontiertest"
)

func TestConformance(t *testing.T) {
	frontiertest.Run(t, frontiertest.Harness{New: newFrontier})
}

func newFrontier(t *testing.T, opts frontier.Options) (frontier.Frontier, func() frontier.Frontier) {
	path := filepath.Join(t.TempDir(), "frontier.db")
	f, err := boltfrontier.Open(path, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	cur := f
	t.Cleanup(func() { cur.Close() })
	return f, func() frontier.Frontier {
		if err := cur.Close(); err != nil {
			t.Fatal(err)
		}
		g, err := boltfrontier.Open(path, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		cur = g
		return g
	}
}

// A second process cannot open a frontier file in use.
func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frontier.db")
	f, err := boltfrontier.Open(path, frontier.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := boltfrontier.Open(path, frontier.Options{}, nil); err == nil {
		t.Fatal("opened twice")
	}
}
