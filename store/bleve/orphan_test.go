package bleve_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsarc/store/bleve"
)

// TestOrphanSegmentIsNoDamage: a segment file the index does not use (one a
// process left half-written when it exited during a merge) is not damage:
// opening the archive neither rebuilds the index nor complains, and Check
// passes. A live segment cut short is still found (TestOpenDamagedIndex).
func TestOrphanSegmentIsNoDamage(t *testing.T) {
	dir := t.TempDir()
	fillArchive(t, dir, 20, "孤儿")
	store := filepath.Join(dir, "index.bleve", "store")
	for _, name := range []string{"0000000000ff.zap", "000000000100.zap"} {
		if err := os.WriteFile(filepath.Join(store, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	s, err := bleve.OpenWith(t.Context(), dir, bleve.Options{Logger: slogTo(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	if notes := strings.Join(s.Notes(), "\n"); strings.Contains(notes, "rebuilt") || strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("an orphan segment made the index count as damaged: notes %q, log %q", notes, logs.String())
	}
	checkSearch(t, s, "孤儿", 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := bleve.Check(t.Context(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Errorf("check found problems: %v", rep.Problems)
	}
}
