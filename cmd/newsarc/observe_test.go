package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
	"newsarc/metrics"
	"newsarc/store/bleve"
)

// parseMetrics parses a /metrics answer with the Prometheus text parser.
func parseMetrics(t testing.TB, r io.Reader) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// byLabel sums family name's samples (counter, gauge, or histogram count)
// by the value of label, keeping those whose labels include where.
func byLabel(fams map[string]*dto.MetricFamily, name, label string, where map[string]string) map[string]float64 {
	out := map[string]float64{}
	f := fams[name]
	if f == nil {
		return out
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range where {
			if labels[k] != v {
				continue next
			}
		}
		var v float64
		switch {
		case m.Counter != nil:
			v = m.GetCounter().GetValue()
		case m.Gauge != nil:
			v = m.GetGauge().GetValue()
		case m.Histogram != nil:
			v = float64(m.GetHistogram().GetSampleCount())
		}
		out[labels[label]] += v
	}
	return out
}

func total(m map[string]float64) float64 {
	var n float64
	for _, v := range m {
		n += v
	}
	return n
}

func floatCounts(m map[string]int) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}

func sameCounts(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestMetricsAgreeWithSummary crawls the fixture site (with seeds that
// fail) through the wiring serve and schedule use (newMetrics, then
// archive.crawl), scrapes /metrics, parses it with the Prometheus text
// parser, and finds the counts of the run summary and the run log.
func TestMetricsAgreeWithSummary(t *testing.T) {
	srv := httptest.NewServer(samplesite.New().Handler())
	defer srv.Close()
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.Data = t.TempDir()
	cfg.Crawler.Delay = 0
	cfg.Crawler.MaxRetryWait = 5 * time.Millisecond
	cfg.Crawler.MaxBodySize = 1 << 20 // /trouble/huge fails as too_large
	a, err := openArchive(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	m := newMetrics(cfg, a.store, a)
	site := crawler.Site{Name: "sample", Seeds: []string{srv.URL + "/", srv.URL + "/trouble/500",
		srv.URL + "/trouble/redirect-loop", srv.URL + "/trouble/huge", srv.URL + "/no-such-story"}}
	stats, err := a.crawl(ctx, []crawler.Site{site}, "manual", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := stats[0]
	if s.New == 0 || len(s.Errors) < 3 || s.Skipped["robots"] == 0 {
		t.Fatalf("the fixture crawl did too little to compare: %+v", s)
	}

	rec := httptest.NewRecorder()
	m.Handler(storeReady(a.store), nil, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	fams := parseMetrics(t, rec.Body)
	where := map[string]string{"site": "sample"}

	// The run summary prints these very counts.
	var summary bytes.Buffer
	writeSummary(&summary, stats, s.Duration, "")
	fetched := total(byLabel(fams, metrics.PagesFetched, "status", where))
	if !strings.Contains(summary.String(), fmt.Sprintf("pages fetched   %d (", int(fetched))) {
		t.Errorf("metrics count %v pages fetched; the summary says:\n%s", fetched, summary.String())
	}
	articles := byLabel(fams, metrics.Articles, "change", where)
	if want := fmt.Sprintf("articles        %d new, %d updated, %d unchanged", int(articles["new"]), int(articles["updated"]), int(articles["unchanged"])); !strings.Contains(summary.String(), want) {
		t.Errorf("metrics count articles %v; the summary says:\n%s", articles, summary.String())
	}

	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"pages fetched", fetched, float64(s.Fetched)},
		{"bytes", total(byLabel(fams, metrics.FetchedBytes, "site", where)), float64(s.Bytes)},
		{"new", articles["new"], float64(s.New)},
		{"updated", articles["updated"], float64(s.Updated)},
		{"unchanged", articles["unchanged"], float64(s.Unchanged)},
		{"robots refusals", total(byLabel(fams, metrics.RobotsRefusals, "site", where)),
			float64(s.Skipped["robots"] + s.Skipped["robots-unavailable"] + s.Errors["robots"])},
		{"runs ok", byLabel(fams, metrics.Runs, "status", where)["ok"], 1},
		{"store write failures", total(byLabel(fams, metrics.StoreWriteFailures, "", nil)), 0},
		{"frontier after the run", total(byLabel(fams, metrics.FrontierURLs, "site", where)), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: metrics %v, run summary %v", c.name, c.got, c.want)
		}
	}
	// The articles are written in group commits: at least one write, and
	// at most one per article.
	if n := total(byLabel(fams, metrics.StoreWriteDuration, "", nil)); n < 1 || n > float64(s.Articles()+s.Removed) {
		t.Errorf("store writes: metrics %v, for %d articles", n, s.Articles()+s.Removed)
	}
	if got := byLabel(fams, metrics.Errors, "kind", where); !sameCounts(got, floatCounts(s.Errors)) {
		t.Errorf("errors by kind: metrics %v, run summary %v", got, s.Errors)
	}
	if got := byLabel(fams, metrics.Skipped, "reason", where); !sameCounts(got, floatCounts(s.Skipped)) {
		t.Errorf("skipped by reason: metrics %v, run summary %v", got, s.Skipped)
	}
	if n := total(byLabel(fams, metrics.FetchDuration, "site", where)); n < float64(s.Fetched) {
		t.Errorf("%v fetches timed for %d pages fetched", n, s.Fetched)
	}
	disk := byLabel(fams, metrics.DataBytes, "part", nil)
	if disk["archive"] == 0 || disk["warc"] == 0 || disk["state"] == 0 {
		t.Errorf("data bytes %v: want the archive, WARC files and state counted", disk)
	}
	// The run log says the same.
	if r := lastRun(t, cfg.Data); r.Stats.Fetched != int(fetched) || r.Status != "ok" {
		t.Errorf("run log: %d pages, %s; metrics %v pages", r.Stats.Fetched, r.Status, fetched)
	}
}

// TestReadyz: /readyz answers 200 while the archive answers a lookup, 503
// once it is closed; /healthz answers 200 either way.
func TestReadyz(t *testing.T) {
	st, err := bleve.Open(context.Background(), filepath.Join(t.TempDir(), "archive"))
	if err != nil {
		t.Fatal(err)
	}
	h := metrics.New().Handler(storeReady(st), nil, nil)
	get := func(path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	if c := get("/readyz"); c != http.StatusOK {
		t.Errorf("readyz with the archive open: %d, want 200", c)
	}
	st.Close()
	if c := get("/readyz"); c != http.StatusServiceUnavailable {
		t.Errorf("readyz with the archive closed: %d, want 503", c)
	}
	if c := get("/healthz"); c != http.StatusOK {
		t.Errorf("healthz with the archive closed: %d, want 200", c)
	}
}

// waitFor polls f (bounded) until it returns a non-empty string.
func waitFor(t *testing.T, what string, f func() string) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s := f(); s != "" {
			return s
		}
	}
	t.Fatalf("no %s", what)
	return ""
}

func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServeHealth: `newsarc serve` answers /healthz, /readyz and /metrics
// beside the UI, whatever the Host header.
func TestServeHealth(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, &out, &errb)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, errb.String())
		}
	}()
	rx := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/`)
	addr := waitFor(t, "address printed by serve", func() string {
		if m := rx.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		return ""
	})
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": metrics.BuildInfo} {
		code, body := httpGet(t, "http://"+addr+path)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %.200q, want 200 with %q", path, code, body, want)
		}
	}
	if code, _ := httpGet(t, "http://"+addr+"/api/search?q=x"); code != http.StatusOK {
		t.Errorf("the API behind the metrics handler: %d", code)
	}
}

// TestScheduleMetrics: `newsarc schedule --metrics-addr` serves the
// endpoints, and its counters carry the runs it records.
func TestScheduleMetrics(t *testing.T) {
	srv := httptest.NewServer(samplesite.New().Handler())
	defer srv.Close()
	data := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "newsarc.yaml")
	cfgYAML := fmt.Sprintf("data: %s\ncrawler:\n  delay: 0s\nsites:\n  - name: sample\n    seeds: [%s/]\n    schedule: \"@every 1s\"\n", data, srv.URL)
	if err := os.WriteFile(cfgPath, []byte(cfgYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"schedule", "--config", cfgPath, "--metrics-addr", "127.0.0.1:0"}, io.Discard, &stderr)
	}()
	rx := regexp.MustCompile(`metrics at http://(127\.0\.0\.1:\d+)/metrics`)
	addr := waitFor(t, "metrics address printed by schedule", func() string {
		if m := rx.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		return ""
	})
	if code, _ := httpGet(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz: %d", code)
	}
	if code, body := httpGet(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz: %d %s", code, body)
	}
	waitFor(t, "run ended", func() string {
		if strings.Contains(stderr.String(), "run ended: sample ok") {
			return "ok"
		}
		return ""
	})
	first := lastRun(t, data) // runs recorded before the scrape: the counters hold at least these
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	fams := parseMetrics(t, res.Body)
	res.Body.Close()
	where := map[string]string{"site": "sample"}
	if n := byLabel(fams, metrics.Runs, "status", where)["ok"]; n < 1 {
		t.Errorf("runs ok = %v, want at least 1", n)
	}
	if n := total(byLabel(fams, metrics.PagesFetched, "status", where)); n < float64(first.Stats.Fetched) {
		t.Errorf("pages fetched = %v, want at least the first run's %d", n, first.Stats.Fetched)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("schedule: %v\n%s", err, stderr.String())
	}
}

// TestServeHostsBeyondLoopback: serving on all interfaces (as in a
// container) with --host, only the named hosts reach the UI and API, so a
// page elsewhere cannot read the archive through a rebound name; the
// probes answer whatever the Host header.
func TestServeHostsBeyondLoopback(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", t.TempDir(), "--addr", "0.0.0.0:0", "--host", "localhost"}, &out, &errb)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, errb.String())
		}
	}()
	rx := regexp.MustCompile(`http://[^/]*:(\d+)/`)
	port := waitFor(t, "address printed by serve", func() string {
		if m := rx.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		return ""
	})
	for _, c := range []struct {
		host, path string
		want       int
	}{
		{"localhost:" + port, "/api/search?q=x", http.StatusOK},
		{"rebound.attacker.test", "/api/search?q=x", http.StatusMisdirectedRequest},
		{"newsarc:8080", "/readyz", http.StatusOK},
	} {
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+port+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = c.host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("Host %s %s: %d, want %d", c.host, c.path, res.StatusCode, c.want)
		}
	}
}
