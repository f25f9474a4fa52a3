package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"newsarc/extract"
)

// TestBenchmarkSet runs the whole benchmark when NEWSARC_EXTRACTION_BENCH
// names the set's directory, and fails below the quality the project
// promises. With NEWSARC_EXTRACTION_PRED set it also writes the predictions
// for score.py.
func TestBenchmarkSet(t *testing.T) {
	pages, ex := benchSet(t)
	res, err := Run(context.Background(), ex, pages)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pages %d F1 %.3f precision %.3f recall %.3f median %v mean %v",
		res.Pages, res.F1, res.Precision, res.Recall, res.Median, res.Mean)
	if res.F1 < 0.970 || res.Precision < 0.95 || res.Recall < 0.95 {
		t.Errorf("body quality below target: F1 %.3f (want >= 0.970), P %.3f, R %.3f (want >= 0.95)", res.F1, res.Precision, res.Recall)
	}
	if out := os.Getenv("NEWSARC_EXTRACTION_PRED"); out != "" {
		if err := WritePred(filepath.Clean(out), res.Pred); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("Load of an empty directory: no error")
	}
}

// benchSet loads the set NEWSARC_EXTRACTION_BENCH names, or skips the
// test, and returns it with the extractor the benchmark runs: Force, so
// that every page gives its body, and a fixed clock.
func benchSet(t *testing.T) ([]Page, *extract.Extractor) {
	t.Helper()
	dir := os.Getenv("NEWSARC_EXTRACTION_BENCH")
	if dir == "" {
		t.Skip("NEWSARC_EXTRACTION_BENCH is not set")
	}
	pages, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := extract.DefaultOptions()
	opts.Force = true
	opts.Now = func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }
	return pages, extract.New(opts)
}
