package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"newsarc/metrics"
	"newsarc/store"
)

// scrape GETs /metrics from h and parses it with the Prometheus text
// parser.
func scrape(t testing.TB, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, metrics.MetricsPath, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value returns the value of the sample of family name whose labels
// include want (a counter's, a gauge's, or a histogram's count), and
// whether there is one.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func TestCounters(t *testing.T) {
	m := metrics.New()
	m.Fetched("a", 200, 1000)
	m.Fetched("a", 200, 500)
	m.Fetched("a", 404, 10)
	m.RoundTrip("a", 200, 30*time.Millisecond)
	m.RoundTrip("a", 0, 2*time.Second)
	m.Archived("a", store.Created)
	m.Archived("a", store.Updated)
	m.Archived("a", store.Unchanged)
	m.Archived("a", store.Unchanged)
	m.Failed("a", "timeout")
	m.Failed("a", "robots")
	m.Skipped("a", "robots")
	m.Skipped("a", "robots-unavailable")
	m.Skipped("a", "max-pages")
	m.StoreWrite(time.Millisecond, nil)
	m.StoreWrite(time.Millisecond, errors.New("down"))
	m.RunEnded("a", "ok", time.Unix(1700000000, 0))
	m.SetBuildInfo("newsarc test")
	spooled := 7
	m.WatchSpool(func() int { return spooled })
	m.WatchFrontiers(func() map[string]int { return map[string]int{"a": 3, "b": 1} })
	m.WatchDisk(func() map[string]int64 { return map[string]int64{"archive": 4096, "warc": 100} })

	fams := scrape(t, m.Handler(nil, nil, nil))
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{metrics.PagesFetched, map[string]string{"site": "a", "status": "200"}, 2},
		{metrics.PagesFetched, map[string]string{"site": "a", "status": "404"}, 1},
		{metrics.FetchedBytes, map[string]string{"site": "a"}, 1510},
		{metrics.FetchDuration, map[string]string{"site": "a"}, 2},
		{metrics.Articles, map[string]string{"site": "a", "change": "new"}, 1},
		{metrics.Articles, map[string]string{"site": "a", "change": "updated"}, 1},
		{metrics.Articles, map[string]string{"site": "a", "change": "unchanged"}, 2},
		{metrics.Errors, map[string]string{"site": "a", "kind": "timeout"}, 1},
		{metrics.Skipped, map[string]string{"site": "a", "reason": "max-pages"}, 1},
		{metrics.RobotsRefusals, map[string]string{"site": "a"}, 3},
		{metrics.StoreWriteDuration, nil, 2},
		{metrics.StoreWriteFailures, nil, 1},
		{metrics.Runs, map[string]string{"site": "a", "status": "ok"}, 1},
		{metrics.RunLastEnd, map[string]string{"site": "a", "status": "ok"}, 1700000000},
		{metrics.SpoolDepth, nil, 7},
		{metrics.FrontierURLs, map[string]string{"site": "a"}, 3},
		{metrics.FrontierURLs, map[string]string{"site": "b"}, 1},
		{metrics.DataBytes, map[string]string{"part": "archive"}, 4096},
		{metrics.BuildInfo, map[string]string{"version": "newsarc test"}, 1},
	} {
		got, ok := value(fams, c.name, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
	// Read at each scrape.
	spooled = 0
	if got, _ := value(scrape(t, m.Handler(nil, nil, nil)), metrics.SpoolDepth, nil); got != 0 {
		t.Errorf("spool depth after drain = %v, want 0", got)
	}
}

func TestHealth(t *testing.T) {
	m := metrics.New()
	var readyErr error
	ready := func(context.Context) error { return readyErr }
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ui") })
	h := m.Handler(ready, next, nil)
	get := func(method, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Code, rec.Body.String()
	}
	for _, c := range []struct {
		name, method, path string
		fail               bool
		code               int
		body               string
	}{
		{"healthz", http.MethodGet, "/healthz", false, 200, "ok"},
		{"healthz when not ready", http.MethodGet, "/healthz", true, 200, "ok"},
		{"readyz", http.MethodGet, "/readyz", false, 200, "ready"},
		{"readyz head", http.MethodHead, "/readyz", false, 200, ""},
		{"readyz when not ready", http.MethodGet, "/readyz", true, 503, "not ready: archive not answering"},
		{"post", http.MethodPost, "/healthz", false, 405, "method not allowed"},
		{"other paths go on", http.MethodGet, "/api/search", false, 200, "ui"},
	} {
		t.Run(c.name, func(t *testing.T) {
			readyErr = nil
			if c.fail {
				readyErr = errors.New("archive not answering")
			}
			code, body := get(c.method, c.path)
			if code != c.code || !strings.Contains(body, c.body) {
				t.Errorf("%s %s = %d %q, want %d %q", c.method, c.path, code, body, c.code, c.body)
			}
		})
	}
	// No next handler: 404; no ready function: ready.
	rec := httptest.NewRecorder()
	metrics.New().Handler(nil, nil, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET / without next = %d, want 404", rec.Code)
	}
}
