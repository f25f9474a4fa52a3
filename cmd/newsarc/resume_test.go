package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
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
	state, err := crawler.OpenState(filepath.Join(data, "state"))
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
	// The pages finished before the kill are in the resumed run's seen
	// set: they are not offered again (checked below, on the requests).
	if !s.Resumed {
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

// TestKillMidGroup kills a crawl process with SIGKILL while a group of
// articles is extracted and not yet committed (groups of four, and no time
// limit): no page of that group is done in the crawl state, every page
// that is done has its article in the archive, and the crawl that resumes
// fetches the group's pages again and archives every article once.
func TestKillMidGroup(t *testing.T) {
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
	config := filepath.Join(t.TempDir(), "newsarc.yaml")
	if err := os.WriteFile(config, []byte("crawler:\n  group_size: 4\n  group_wait: 1h\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "crawl", "--config", config, "--data", data, "--delay", "100ms", "--quiet",
		"--log-level", "debug", "--log-format", "json", srv.URL+"/")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once a group is committed and two articles of the next one
	// are handed to the writer.
	committed, handed := map[string]bool{}, map[string]bool{}
	pending := func() []string {
		var out []string
		for u := range handed {
			if !committed[u] {
				out = append(out, u)
			}
		}
		return out
	}
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec struct{ Msg, URL string }
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue
		}
		switch rec.Msg {
		case "article":
			committed[rec.URL] = true
		case "article handed to the writer":
			handed[rec.URL] = true
		}
		if len(committed) >= 4 && len(pending()) >= 2 {
			break
		}
	}
	inGroup := pending()
	if len(committed) < 4 || len(inGroup) < 2 {
		t.Fatalf("the crawl ended before the kill (%d articles committed, %d handed over)", len(committed), len(handed))
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	archived := map[string]bool{}
	for _, r := range exportJSONL(t, data) {
		archived[r.CanonicalURL] = true
	}
	state, err := crawler.OpenState(filepath.Join(data, "state"))
	if err != nil {
		t.Fatal(err)
	}
	u0, _ := url.Parse(srv.URL)
	name := siteName(u0)
	for u := range committed {
		if !archived[u] {
			t.Errorf("%s was logged as archived and is not in the archive", u)
		}
	}
	lost := 0
	for _, a := range site.Articles() {
		u := srv.URL + a.Path
		if ps, ok := state.Page(name, u); ok && ps.Kind == "article" && !archived[u] {
			t.Errorf("%s is done in the crawl state and not in the archive", u)
		}
		if !archived[u] {
			lost++
		}
	}
	notDone := 0
	for _, u := range inGroup {
		if _, ok := state.Page(name, u); !ok && !archived[u] {
			notDone++
		}
	}
	state.Close()
	if notDone == 0 {
		t.Errorf("none of the group in hand at the kill (%v) was left uncommitted: the kill was not mid-group", inGroup)
	}

	site.ResetRequests()
	out := newsarc(t, "crawl", "--data", data, "--delay", "0", "--quiet", "--json", srv.URL+"/")
	var stats []crawler.Stats
	if err := json.Unmarshal([]byte(out), &stats); err != nil || len(stats) != 1 {
		t.Fatalf("crawl --json: %v\n%s", err, out)
	}
	if !stats[0].Resumed || stats[0].New != lost {
		t.Errorf("resumed run: resumed %v, new %d; want the %d articles not archived before the kill", stats[0].Resumed, stats[0].New, lost)
	}
	after := site.Requests()
	for _, u := range inGroup {
		p, _ := url.Parse(u)
		if !archived[u] && after[p.Path] == 0 {
			t.Errorf("%s, in hand at the kill, was not fetched again", u)
		}
	}
	got := map[string]int{}
	for _, r := range exportJSONL(t, data) {
		u, _ := url.Parse(r.CanonicalURL)
		got[u.Path]++
	}
	for _, a := range site.Articles() {
		if got[a.Path] != 1 {
			t.Errorf("article %s archived %d times, want once", a.Path, got[a.Path])
		}
	}
}
