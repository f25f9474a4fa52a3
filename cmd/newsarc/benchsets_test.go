package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The benchmark sets of real pages written by other people, scored the way
// a crawl sees them: each page through the built program's `extract`
// without --force, one process a page, by the sets' own scorers where they
// have one. Each set runs when its variable names its folder (CI sets them
// when the sets are there); without it the test skips.
//
//	NEWSARC_PAGETYPES         page-types: article or not (score.sh)
//	NEWSARC_NEWSMETA          news-metadata: title, authors, dates, body (score.py)
//	NEWSARC_EXTRACTION_BENCH  article-extraction: every page is an article
//
// Floors are the figures reached (docs/BENCHMARKS.md); a change that falls
// below one fails. No page may crash the program on any set.

func benchSet(t *testing.T, env string) (dir, bin string) {
	t.Helper()
	dir = os.Getenv(env)
	if dir == "" {
		t.Skipf("%s not set", env)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	bin, err := buildNewsarc()
	if err != nil {
		t.Fatal(err)
	}
	return dir, bin
}

// lastFigures parses the scorers' last line, "k=v k=v ...".
func lastFigures(t *testing.T, out string) map[string]float64 {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	figs := map[string]float64{}
	for _, kv := range strings.Fields(lines[len(lines)-1]) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			figs[k] = f
		}
	}
	if len(figs) == 0 {
		t.Fatalf("no figures in the scorer's last line:\n%s", out)
	}
	return figs
}

func atLeast(t *testing.T, figs map[string]float64, floors map[string]float64) {
	t.Helper()
	for k, floor := range floors {
		got, ok := figs[k]
		if !ok {
			t.Errorf("%s: missing from the scorer's output", k)
			continue
		}
		if got < floor {
			t.Errorf("%s = %.3f, below the floor %.3f", k, got, floor)
		}
	}
}

func TestBenchPageTypes(t *testing.T) {
	dir, bin := benchSet(t, "NEWSARC_PAGETYPES")
	results := filepath.Join(t.TempDir(), "results.jsonl")
	cmd := exec.Command("bash", filepath.Join(dir, "score.sh"), bin, dir)
	cmd.Env = append(os.Environ(), "RESULTS="+results)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("score.sh: %v\n%s", err, out)
	}
	t.Logf("page-types:\n%s", out)
	noCrashes(t, results)
	atLeast(t, lastFigures(t, string(out)), map[string]float64{
		"article_recall":    0.99,
		"nonarticle_reject": 0.95,
	})
}

// noCrashes fails for every page of a page-types results file whose run
// ended in an error (a panic, a timeout) rather than a verdict.
func noCrashes(t *testing.T, results string) {
	t.Helper()
	f, err := os.Open(results)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r struct {
			File, Decision, Reason string
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Decision == "error" {
			t.Errorf("%s: %s", r.File, r.Reason)
		}
	}
}

func TestBenchNewsMetadata(t *testing.T) {
	dir, bin := benchSet(t, "NEWSARC_NEWSMETA")
	cmd := exec.Command("python3", filepath.Join(dir, "score.py"), bin, dir)
	cmd.Dir = t.TempDir() // no config or archive is picked up
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("score.py: %v\n%s", err, out)
	}
	t.Logf("news-metadata: %s", strings.TrimSpace(string(out)))
	figs := lastFigures(t, string(out))
	if figs["refused"] != 0 {
		t.Errorf("refused = %v articles (or crashed), want 0", figs["refused"])
	}
	atLeast(t, figs, map[string]float64{
		"title":    0.92,
		"authors":  0.90,
		"date_min": 0.92,
		"date_day": 0.97,
		"body_f1":  0.951,
	})
}

var rxPanic = regexp.MustCompile(`(?m)^panic:|goroutine \d+ \[running\]`)

func TestBenchExtractionRefusals(t *testing.T) {
	dir, bin := benchSet(t, "NEWSARC_EXTRACTION_BENCH")
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth map[string]struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	var mu sync.Mutex
	var refused []string
	preds := map[string]map[string]string{}
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for key, gt := range truth {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cmd := exec.Command(bin, "extract", filepath.Join(dir, "html", key+".html.gz"), "--url", gt.URL, "--no-html")
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "HOME="+work, "NEWSARC_DATA="+filepath.Join(work, "data"))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var a struct {
				Text string `json:"text"`
			}
			if err == nil {
				_ = json.Unmarshal(stdout.Bytes(), &a)
			}
			mu.Lock()
			defer mu.Unlock()
			preds[key] = map[string]string{"articleBody": a.Text}
			if rxPanic.Match(stderr.Bytes()) {
				t.Errorf("%s: crashed:\n%s", key, stderr.String())
			}
			if err != nil {
				refused = append(refused, gt.URL+": "+lastLine(stderr.String()))
			}
		}()
	}
	wg.Wait()
	t.Logf("article-extraction: %d of %d articles refused", len(refused), len(truth))
	for _, r := range refused {
		t.Log("  ", r)
	}
	// Every page of the set is an article.
	if len(refused) > 0 {
		t.Errorf("%d articles refused, want 0", len(refused))
	}
	// Body F1 as a crawl sees it (a refused article scores 0), by the
	// set's own scorer.
	pred := filepath.Join(work, "crawl.json")
	b, err := json.Marshal(preds)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pred, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("python3", filepath.Join(dir, "score.py"), "--gt", filepath.Join(dir, "ground-truth.json"), pred).CombinedOutput()
	if err != nil {
		t.Fatalf("score.py: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^crawl\s+([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no F1 in score.py's output:\n%s", out)
	}
	f1, _ := strconv.ParseFloat(string(m[1]), 64)
	t.Logf("article-extraction body F1 without --force: %.3f", f1)
	if f1 < 0.974 {
		t.Errorf("body F1 %.3f, below the 0.974 reached", f1)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
