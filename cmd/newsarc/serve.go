package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"newsarc/crawler"
	"newsarc/export"
	"newsarc/store"
	"newsarc/store/warc"
	"newsarc/web"
)

func serveCmd(g *globals) *cobra.Command {
	var addr, token string
	var hosts []string
	var schedule bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the archive: search UI and read-only JSON API",
		Long: `Serve the archive over HTTP: a search page (facets by site and author, a
histogram by month, highlighted snippets, article view with versions and
diffs) and a read-only JSON API:

  GET /api/search?q=&site=&lang=&author=&from=&to=&sort=&limit=&offset=
  GET /api/articles/{id}             metadata, text, versions
  GET /api/articles/{id}/versions
  GET /api/articles/{id}/diff?from=1&to=2
  GET /api/articles/{id}/capture     the archived raw page, as a download
  GET /api/export?format=jsonl|csv|parquet&q=&site=&from=&to=

It listens on loopback unless --addr says otherwise. With --admin-token
(or $NEWSARC_ADMIN_TOKEN), POST /api/admin/crawl with {"site": NAME} and
"Authorization: Bearer TOKEN" crawls one site of the config in the
background.

With --schedule (or serve.schedule: true in the config) it also crawls
each site on its cron schedule, as 'newsarc schedule' does: one process
crawls nightly and serves the UI, whose runs page shows the crawls running
and done (GET /api/runs). While it runs it owns the archive, and the other
commands (search, export, runs, replay, check, crawl) run through it.`,
		Example: `  newsarc serve --data ./newsarc-data
  newsarc serve --addr 127.0.0.1:9000 --config sites.yaml --admin-token "$(openssl rand -hex 16)"
  newsarc serve --schedule --config sites.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if token == "" {
				token = os.Getenv("NEWSARC_ADMIN_TOKEN")
			}
			return runServe(cmd.Context(), g, addr, token, hosts, schedule)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (host:port)")
	f.StringSliceVar(&hosts, "host", nil, "a host name requests may use: on loopback, besides localhost and the loopback addresses; on other addresses, the only ones (e.g. behind a proxy or in a container); repeatable")
	f.StringVar(&token, "admin-token", "", "enable admin endpoints with this bearer token (default $NEWSARC_ADMIN_TOKEN)")
	f.BoolVar(&schedule, "schedule", false, "also crawl each site of --config on its schedule (default from the config's serve.schedule)")
	return cmd
}

func runServe(ctx context.Context, g *globals, addr, token string, hosts []string, schedule bool) error {
	cfg, err := g.config()
	if err != nil {
		return err
	}
	schedule = schedule || cfg.Serve.Schedule
	log, err := g.logger()
	if err != nil {
		return err
	}
	var (
		admin func(context.Context, string) error
		wg    sync.WaitGroup
	)
	// serve owns the archive: it crawls for the admin, the schedule and
	// the other commands.
	a, err := openArchive(ctx, cfg, log)
	if err != nil {
		return err
	}
	st := a.store
	defer a.Close()
	if token != "" {
		admin = adminCrawl(ctx, a, cfg, &wg)
	}
	defer wg.Wait() // admin crawls stop with ctx; let them flush first

	opts := web.Options{
		Export: func(ctx context.Context, req web.ExportRequest, w io.Writer) error {
			_, err := export.Run(ctx, st, req.Query, req.Format, w, export.Options{CreatedBy: parquetCreatedBy(), Collapse: req.Collapse})
			return err
		},
		AdminToken: token,
		Admin:      admin,
		Runs:       webRuns(a),
		Sites:      siteNames(cfg),
		Logger:     log,
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		fmt.Fprintf(g.stderr, "warning: serving on %s, reachable from other machines\n", ln.Addr())
		// Named hosts, when given, are the only ones (a container whose
		// port is published on the host's loopback, a proxy).
		opts.Hosts = hosts
	} else {
		// On loopback, only the machine's own names: a page elsewhere
		// cannot reach the archive through a name rebound to 127.0.0.1.
		opts.Hosts = append([]string{"localhost", "127.0.0.1", "::1"}, hosts...)
	}
	h := web.New(warcRaw{Store: st, dir: warcDir(cfg)}, opts)
	command := "serve"
	if schedule {
		command = "serve --schedule"
	}
	o, err := claimOwner(ctx, a, command, h, log)
	if err != nil {
		return err
	}
	defer o.Close()
	if schedule {
		out := &lockedWriter{w: g.stderr} // the runs print too, from the cron's goroutines
		c, n, err := startSchedule(ctx, a, log, out)
		if err != nil {
			return err
		}
		defer func() { <-c.Stop().Done() }() // running crawls save their state
		fmt.Fprintf(out, "newsarc serve: %d sites scheduled\n", n)
	}
	m := newMetrics(cfg, st, a) // /metrics, /healthz, /readyz beside the UI
	srv := &http.Server{
		Handler:           m.Handler(storeReady(st), h, log),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(g.stdout, "Serving the archive in %s at http://%s/ (Ctrl-C stops)\n", cfg.Data, ln.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		srv.Close()
	}
	return nil
}

// adminCrawl returns the admin hook that crawls one configured site in the
// background, one crawl at a time, stopping with root.
func adminCrawl(root context.Context, a *archive, cfg Config, wg *sync.WaitGroup) func(context.Context, string) error {
	var busy atomic.Bool
	return func(_ context.Context, name string) error {
		var site *crawler.Site
		for i := range cfg.Sites {
			if cfg.Sites[i].Name == name {
				site = &cfg.Sites[i]
			}
		}
		if site == nil {
			return fmt.Errorf("site %q is not in the config: %w", name, web.ErrUnknownSite)
		}
		if a.live.running(name) {
			return fmt.Errorf("a crawl of %s is running: %w", name, web.ErrBusy)
		}
		if !busy.CompareAndSwap(false, true) {
			return fmt.Errorf("a crawl is running: %w", web.ErrBusy)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer busy.Store(false)
			// crawl logs a failed site and records the run itself.
			a.crawl(root, []crawler.Site{*site}, "admin", nil)
		}()
		return nil
	}
}

// siteNames returns the names of cfg's sites.
func siteNames(cfg Config) []string {
	names := make([]string, 0, len(cfg.Sites))
	for _, s := range cfg.Sites {
		names = append(names, s.Name)
	}
	return names
}

// warcRaw serves an article's archived capture from the WARC files (where
// every backend's articles point), falling back to a store that keeps raw
// bodies itself.
type warcRaw struct {
	store.Store
	dir string
}

// Raw returns the body of the article's archived response as received,
// with any Content-Encoding undone.
func (w warcRaw) Raw(ctx context.Context, id string) ([]byte, error) {
	a, err := w.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Capture.File != "" {
		resp, err := warc.Read(w.dir, a.Capture)
		if err == nil {
			return resp.Body, nil
		}
		if rr, ok := w.Store.(web.RawReader); ok {
			return rr.Raw(ctx, id)
		}
		return nil, fmt.Errorf("capture of %s: %w", id, err)
	}
	if rr, ok := w.Store.(web.RawReader); ok {
		return rr.Raw(ctx, id)
	}
	return nil, fmt.Errorf("capture of %s: %w", id, store.ErrNotFound)
}
