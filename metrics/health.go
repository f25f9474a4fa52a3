package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Paths the Handler answers.
const (
	MetricsPath = "/metrics"
	HealthPath  = "/healthz"
	ReadyPath   = "/readyz"
)

// readyTimeout bounds one readiness check.
const readyTimeout = 5 * time.Second

// Handler serves /metrics, /healthz (200 while the process serves HTTP at
// all) and /readyz (200 when ready returns nil within five seconds, 503
// with the error otherwise; no ready function means ready), and hands every
// other request to next (404 when next is nil). log receives a warning for
// each failed readiness check; nil discards.
func (m *Registry) Handler(ready func(context.Context) error, next http.Handler, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if next == nil {
		next = http.NotFoundHandler()
	}
	metrics := m.metricsHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case MetricsPath, HealthPath, ReadyPath:
		default:
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		switch r.URL.Path {
		case MetricsPath:
			metrics.ServeHTTP(w, r)
		case HealthPath:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, "ok")
		case ReadyPath:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			if ready != nil {
				ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
				defer cancel()
				if err := ready(ctx); err != nil {
					log.Warn("not ready", "err", err)
					w.WriteHeader(http.StatusServiceUnavailable)
					fmt.Fprintf(w, "not ready: %v\n", err)
					return
				}
			}
			fmt.Fprintln(w, "ready")
		}
	})
}
