package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"newsarc/crawler"
	"newsarc/metrics"
	"newsarc/store"
)

// newMetrics returns the process's metrics: crawls of a (nil when the
// process does not crawl) feed them, and each scrape reads the depth of
// st's spool, a's frontiers and the bytes under cfg.Data.
func newMetrics(cfg Config, st store.Store, a *archive) *metrics.Registry {
	m := metrics.New()
	m.SetBuildInfo(versionString())
	m.WatchDisk(func() map[string]int64 { return dataSizes(cfg.Data) })
	if sp, ok := st.(interface{ Pending() int }); ok {
		m.WatchSpool(sp.Pending)
	}
	if a != nil {
		a.metrics = m
		m.WatchFrontiers(func() map[string]int {
			n, err := a.state.Frontiers()
			if err != nil {
				a.log.Warn("metrics: frontier lengths", "err", err)
			}
			return n
		})
	}
	return m
}

// dataSizes returns the bytes each part of the data directory takes.
func dataSizes(data string) map[string]int64 {
	out := map[string]int64{}
	for part, name := range map[string]string{"archive": "archive", "warc": "warc", "state": "state", "spool": "spool"} {
		var n int64
		err := filepath.WalkDir(filepath.Join(data, name), func(_ string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // a file removed while walking (a merged index segment)
			}
			if d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					n += fi.Size()
				}
			}
			return nil
		})
		if err == nil {
			if _, serr := os.Stat(filepath.Join(data, name)); serr == nil {
				out[part] = n
			}
		}
	}
	return out
}

// readyProbeID is the ID /readyz asks the archive for: no article has it,
// so a ready archive answers store.ErrNotFound at the cost of one lookup.
const readyProbeID = "readyz-probe"

// storeReady returns the readiness check of st: it is open and answers a
// lookup by ID.
func storeReady(st store.Store) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := st.Get(ctx, readyProbeID)
		if err == nil || errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return fmt.Errorf("archive not answering: %w", err)
	}
}

// observedArchive times the crawl's writes to the archive for the metrics.
type observedArchive struct {
	crawler.Archive
	m *metrics.Registry
}

func (a observedArchive) Put(ctx context.Context, articles ...*store.Article) ([]store.Change, error) {
	start := time.Now()
	changes, err := a.Archive.Put(ctx, articles...)
	a.m.StoreWrite(time.Since(start), err)
	return changes, err
}

// serveMetrics serves /metrics, /healthz and /readyz on addr, for a
// process without a web server of its own (schedule), and tells stderr
// where. It returns once the listener is open; stop shuts the server down
// and waits for it (call it before closing what the handler reads).
func serveMetrics(ctx context.Context, addr string, h http.Handler, stderr io.Writer, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		fmt.Fprintf(stderr, "warning: metrics on %s, reachable from other machines\n", ln.Addr())
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	fmt.Fprintf(stderr, "newsarc: metrics at http://%s%s (health %s, %s)\n", ln.Addr(), metrics.MetricsPath, metrics.HealthPath, metrics.ReadyPath)
	return func() {
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil {
			srv.Close()
		}
		<-done
	}, nil
}
