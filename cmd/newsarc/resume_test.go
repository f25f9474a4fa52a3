package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
)

// TestResumeAfterKill kills a real crawl process with SIGKILL midway, runs
// the crawl again and checks that it resumed: pages finished before the
// kill are not fetched again, and every article is archived exactly once.
func TestResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	bin, err := buildNewsarc()
	if err != nil {
		t.Fatal(err)
	}
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	data := t.TempDir()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "crawl", "--data", data, "--delay", "100ms", "--quiet",
		"--log-level", "info", "--log-format", "json", srv.URL+"/")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once a few articles are archived, in the middle of the crawl.
	sc := bufio.NewScanner(stderr)
	articles := 0
	for sc.Scan() {
		var rec struct{ Msg string }
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "article" {
			articles++
			if articles == 4 {
				break
			}
		}
	}
	if articles < 4 {
		t.Fatalf("the crawl ended before the kill (%d articles)", articles)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	before := site.Requests()
	// What the killed run recorded as finished.
	state, err := crawler.OpenState(filepath.Join(data, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	u0, _ := url.Parse(srv.URL)
	finished := map[string]bool{}
	for p := range before {
		if ps, ok := state.Page(siteName(u0), srv.URL+p); ok && ps.Kind != "error" {
			finished[p] = true
		}
	}
	state.Close()
	if len(finished) == 0 {
		t.Fatalf("the killed run recorded no finished page")
	}

	site.ResetRequests()
	out := newsarc(t, "crawl", "--data", data, "--delay", "0", "--quiet", "--json", srv.URL+"/")
	var stats []crawler.Stats
	if err := json.Unmarshal([]byte(out), &stats); err != nil || len(stats) != 1 {
		t.Fatalf("crawl --json: %v\n%s", err, out)
	}
	s := stats[0]
	if !s.Resumed || s.Skipped["done-before-kill"] == 0 {
		t.Errorf("second run did not resume: resumed %v, skipped %v", s.Resumed, s.Skipped)
	}
	after := site.Requests()
	inFlight := 0
	for p, n := range after {
		if before[p] == 0 || n == 0 || strings.HasPrefix(p, "/robots.txt") {
			continue
		}
		if finished[p] {
			t.Errorf("%s was finished before the kill and fetched again", p)
		} else {
			inFlight++
			t.Logf("in flight at the kill, fetched again: %s", p)
		}
	}
	// In flight: the requests open (per-host parallelism) and the
	// response being processed when the kill landed.
	if inFlight > 3 {
		t.Errorf("%d pages fetched again, more than could be in flight", inFlight)
	}
	records := exportJSONL(t, data)
	got := map[string]int{}
	for _, r := range records {
		u, _ := url.Parse(r.CanonicalURL)
		got[u.Path]++
	}
	for _, a := range site.Articles() {
		if got[a.Path] != 1 {
			t.Errorf("article %s archived %d times, want once", a.Path, got[a.Path])
		}
	}
	if len(records) != len(site.Articles()) {
		t.Errorf("archive holds %d records, want %d", len(records), len(site.Articles()))
	}
}
