// Package metrics owns newsarc's Prometheus metrics and the process's
// health endpoints: /metrics (the Prometheus text format), /healthz and
// /readyz. It is the only importer of prometheus/client_golang, and none
// of its types leave the package: the crawl feeds a Registry through the
// methods of crawler.Observer, the rest of the process through plain
// methods (StoreWrite, RunEnded) and functions it reads at each scrape
// (spool depth, frontier lengths, bytes on disk). What is counted, and when,
// is the crawler's and the caller's business; how it is named and served is
// this package's.
package metrics

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"newsarc/store"
)

// Metric names, as scraped.
const (
	PagesFetched       = "newsarc_pages_fetched_total"
	FetchedBytes       = "newsarc_fetched_bytes_total"
	FetchDuration      = "newsarc_fetch_duration_seconds"
	Articles           = "newsarc_articles_total"
	Errors             = "newsarc_errors_total"
	Skipped            = "newsarc_skipped_total"
	RobotsRefusals     = "newsarc_robots_refusals_total"
	StoreWriteDuration = "newsarc_store_write_duration_seconds"
	StoreWriteFailures = "newsarc_store_write_failures_total"
	Runs               = "newsarc_runs_total"
	RunLastEnd         = "newsarc_run_last_end_timestamp_seconds"
	FrontierURLs       = "newsarc_frontier_urls"
	SpoolDepth         = "newsarc_spool_articles"
	DataBytes          = "newsarc_data_bytes"
	BuildInfo          = "newsarc_build_info"
)

// Registry holds one process's metrics. It is safe for concurrent use and
// satisfies crawler.Observer.
type Registry struct {
	reg *prometheus.Registry

	pages     *prometheus.CounterVec
	bytes     *prometheus.CounterVec
	fetchDur  *prometheus.HistogramVec
	articles  *prometheus.CounterVec
	errors    *prometheus.CounterVec
	skipped   *prometheus.CounterVec
	robots    *prometheus.CounterVec
	storeDur  prometheus.Histogram
	storeFail prometheus.Counter
	runs      *prometheus.CounterVec
	lastRun   *prometheus.GaugeVec
}

// New returns a Registry with newsarc's metrics and the Go runtime's and
// the process's (memory, goroutines, CPU, open files).
func New() *Registry {
	m := &Registry{reg: prometheus.NewRegistry()}
	m.pages = prometheus.NewCounterVec(prometheus.CounterOpts{Name: PagesFetched,
		Help: "Responses to pages of a site, by HTTP status (a crawl summary's pages fetched)."}, []string{"site", "status"})
	m.bytes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: FetchedBytes,
		Help: "Body bytes of the pages fetched, after decompression."}, []string{"site"})
	m.fetchDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: FetchDuration,
		Help:    "Time of each HTTP exchange of a crawl (pages, robots.txt, redirect hops) from request to body read, politeness waits excluded.",
		Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"site"})
	m.articles = prometheus.NewCounterVec(prometheus.CounterOpts{Name: Articles,
		Help: "Articles archived, by change: new, updated, unchanged."}, []string{"site", "change"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: Errors,
		Help: "Pages that failed, by kind (network, timeout, http_5xx, http_429, extract, store, panic...)."}, []string{"site", "kind"})
	m.skipped = prometheus.NewCounterVec(prometheus.CounterOpts{Name: Skipped,
		Help: "URLs not fetched, by reason (robots, max-pages, not-due, offsite, trap rules...)."}, []string{"site", "reason"})
	m.robots = prometheus.NewCounterVec(prometheus.CounterOpts{Name: RobotsRefusals,
		Help: "URLs and redirects robots.txt kept the crawler from, an unavailable robots.txt included."}, []string{"site"})
	m.storeDur = prometheus.NewHistogram(prometheus.HistogramOpts{Name: StoreWriteDuration,
		Help:    "Time of each write of articles to the archive.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}})
	m.storeFail = prometheus.NewCounter(prometheus.CounterOpts{Name: StoreWriteFailures,
		Help: "Writes of articles to the archive that failed (each attempt; transient failures are retried)."})
	m.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: Runs,
		Help: "Crawl runs ended, by status: ok, failed, interrupted."}, []string{"site", "status"})
	m.lastRun = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: RunLastEnd,
		Help: "When the site's last run with this status ended, in Unix seconds."}, []string{"site", "status"})
	m.reg.MustRegister(m.pages, m.bytes, m.fetchDur, m.articles, m.errors, m.skipped, m.robots,
		m.storeDur, m.storeFail, m.runs, m.lastRun,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Fetched counts a response to a page.
func (m *Registry) Fetched(site string, status int, bytes int) {
	m.pages.WithLabelValues(site, strconv.Itoa(status)).Inc()
	m.bytes.WithLabelValues(site).Add(float64(bytes))
}

// RoundTrip observes one HTTP exchange's duration.
func (m *Registry) RoundTrip(site string, _ int, dur time.Duration) {
	m.fetchDur.WithLabelValues(site).Observe(dur.Seconds())
}

// Archived counts an archived article by its change: "new", "updated" or
// "unchanged", as the crawl summary says.
func (m *Registry) Archived(site string, change store.Change) {
	name := "unchanged"
	switch change {
	case store.Created:
		name = "new"
	case store.Updated:
		name = "updated"
	}
	m.articles.WithLabelValues(site, name).Inc()
}

// Failed counts a failed page; kind "robots" (a redirect robots.txt
// forbids) is a robots refusal too.
func (m *Registry) Failed(site, kind string) {
	m.errors.WithLabelValues(site, kind).Inc()
	if kind == "robots" {
		m.robots.WithLabelValues(site).Inc()
	}
}

// Skipped counts a URL not fetched; reasons "robots" and
// "robots-unavailable" are robots refusals too.
func (m *Registry) Skipped(site, reason string) {
	m.skipped.WithLabelValues(site, reason).Inc()
	if reason == "robots" || reason == "robots-unavailable" {
		m.robots.WithLabelValues(site).Inc()
	}
}

// StoreWrite observes one write of articles to the archive: how long it
// took and whether it failed.
func (m *Registry) StoreWrite(dur time.Duration, err error) {
	m.storeDur.Observe(dur.Seconds())
	if err != nil {
		m.storeFail.Inc()
	}
}

// RunEnded counts a crawl run that ended with status ("ok", "failed",
// "interrupted") at end.
func (m *Registry) RunEnded(site, status string, end time.Time) {
	m.runs.WithLabelValues(site, status).Inc()
	m.lastRun.WithLabelValues(site, status).Set(float64(end.UnixNano()) / 1e9)
}

// SetBuildInfo exports the build as newsarc_build_info{version} 1.
func (m *Registry) SetBuildInfo(version string) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: BuildInfo, Help: "The build of newsarc running, as `newsarc version` prints it.",
		ConstLabels: prometheus.Labels{"version": version}})
	g.Set(1)
	m.reg.MustRegister(g)
}

// WatchSpool exports the articles waiting in the store's spool for the
// cluster (see store/spool) as read by pending at each scrape.
func (m *Registry) WatchSpool(pending func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: SpoolDepth,
		Help: "Articles spooled on disk while the cluster is away, not yet indexed."},
		func() float64 { return float64(pending()) }))
}

// WatchFrontiers exports each site's frontier length (URLs queued and not
// yet done, a killed run's included) as read by lengths at each scrape.
func (m *Registry) WatchFrontiers(lengths func() map[string]int) {
	m.reg.MustRegister(&mapGauge{desc: prometheus.NewDesc(FrontierURLs,
		"URLs in a site's crawl frontier: queued and not yet fetched.", []string{"site"}, nil),
		read: func() map[string]float64 { return floats(lengths()) }})
}

// WatchDisk exports the bytes each part of the data directory takes
// ("archive": the embedded index and records; "warc", "state", "spool") as
// read by sizes at each scrape.
func (m *Registry) WatchDisk(sizes func() map[string]int64) {
	m.reg.MustRegister(&mapGauge{desc: prometheus.NewDesc(DataBytes,
		"Bytes on disk of each part of the data directory: archive (embedded index and records), warc, state, spool.", []string{"part"}, nil),
		read: func() map[string]float64 { return floats(sizes()) }})
}

func floats[V int | int64](m map[string]V) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}

// mapGauge is a gauge with one label whose values are read at each scrape.
type mapGauge struct {
	desc *prometheus.Desc
	read func() map[string]float64
}

func (g *mapGauge) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *mapGauge) Collect(ch chan<- prometheus.Metric) {
	vals := g.read()
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, vals[k], k)
	}
}

// metricsHandler serves the registry in the Prometheus text format (or
// what the scraper negotiates).
func (m *Registry) metricsHandler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
