package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"

	"newsarc/crawler"
)

func scheduleCmd(g *globals) *cobra.Command {
	var (
		metricsAddr string
		wf          workerFlags
	)
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run each site's crawl on its cron schedule (a daemon)",
		Long: `Run as a daemon that crawls each site of --config on its cron schedule
(sites[].schedule: five fields, descriptors such as @daily or @every 6h, and
CRON_TZ=Zone prefixes). A run still going when its next time comes is not
doubled: that time is skipped. schedule.jitter delays each run by a random
amount up to it. Each run is recorded (see 'newsarc runs'). SIGINT or
SIGTERM stops the daemon gracefully: pages in hand are finished, the crawl
state is saved, and the next run resumes where this one stopped; a second
signal kills it.

With --worker (see 'newsarc crawl --worker') each scheduled run is shared
with the daemons of the other workers: the first to fire begins the run and
enqueues its seeds, the others join it.`,
		Example: `  newsarc schedule --config configs/example.yaml
  newsarc runs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.configPath == "" {
				return errors.New("schedule needs --config with sites and their schedules")
			}
			cfg, err := g.config()
			if err != nil {
				return err
			}
			if err := wf.apply(&cfg); err != nil {
				return err
			}
			log, err := g.logger()
			if err != nil {
				return err
			}
			return runSchedule(cmd.Context(), cfg, log, g, metricsAddr)
		},
	}
	wf.add(cmd)
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", "serve /metrics, /healthz and /readyz on this address (host:port, e.g. 127.0.0.1:9464); off by default")
	return cmd
}

// runSchedule runs the daemon until ctx is done. It owns the archive
// meanwhile and answers the other commands through the local API; with
// metricsAddr it also serves /metrics, /healthz and /readyz.
func runSchedule(ctx context.Context, cfg Config, log *slog.Logger, g *globals, metricsAddr string) error {
	a, err := openArchive(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	o, err := claimOwner(ctx, a, "schedule", nil, log)
	if err != nil {
		return err
	}
	defer o.Close()
	if metricsAddr != "" {
		m := newMetrics(cfg, a.store, a)
		stop, err := serveMetrics(ctx, metricsAddr, m.Handler(storeReady(a.store), nil, log), g.stderr, log)
		if err != nil {
			return err
		}
		defer stop() // before the archive closes
	}

	out := &lockedWriter{w: g.stderr} // the runs print too, from the cron's goroutines
	c, n, err := startSchedule(ctx, a, log, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "newsarc schedule: %d sites scheduled; data in %s; stop with Ctrl-C\n", n, cfg.Data)
	<-ctx.Done()
	log.Info("stopping: waiting for running crawls to save their state")
	<-c.Stop().Done()
	return nil
}

// startSchedule starts a cron that crawls each site of a's config that has
// a schedule, into a, until ctx is done, and returns it with the number of
// sites scheduled: the caller waits on the context c.Stop() returns. Runs
// print a line to out as they start and end.
func startSchedule(ctx context.Context, a *archive, log *slog.Logger, out io.Writer) (*cron.Cron, int, error) {
	cfg := a.cfg
	clog := cronLogger{log.With("component", "cron")}
	c := cron.New(cron.WithLogger(clog), cron.WithChain(cron.Recover(clog), cron.SkipIfStillRunning(clog)))
	n := 0
	for _, site := range cfg.Sites {
		if site.Schedule == "" {
			log.Warn("site has no schedule; not scheduled", "site", site.Name)
			continue
		}
		site := site
		sched, err := parseSchedule(site.Schedule)
		if err != nil {
			return nil, 0, fmt.Errorf("site %s: schedule %q: %w", site.Name, site.Schedule, err)
		}
		c.Schedule(sched, cron.FuncJob(func() { scheduledRun(ctx, a, site, cfg.Schedule.Jitter, log, out) }))
		n++
	}
	if n == 0 {
		return nil, 0, errors.New("no site of the config has a schedule")
	}
	c.Start()
	for _, e := range c.Entries() {
		log.Info("scheduled", "next", e.Next.Format(time.RFC3339))
	}
	return c, n, nil
}

// scheduledRun is one cron firing for one site.
func scheduledRun(ctx context.Context, a *archive, site crawler.Site, jitter time.Duration, log *slog.Logger, out io.Writer) {
	if jitter > 0 {
		d := rand.N(jitter)
		log.Info("jitter", "site", site.Name, "dur", d)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	if ctx.Err() != nil {
		return
	}
	// One line when a run starts and one when it ends, whatever the log
	// level: a daemon that says nothing looks the same as one that is stuck.
	fmt.Fprintf(out, "%s run started: %s\n", time.Now().Format(time.DateTime), site.Name)
	stats, err := a.crawl(ctx, []crawler.Site{site}, "schedule", nil)
	for _, s := range stats {
		status := "ok"
		switch {
		case errors.Is(err, context.Canceled):
			status = "interrupted (the next run resumes it)"
		case err != nil:
			status = "failed: " + err.Error()
		}
		fmt.Fprintf(out, "%s run ended: %s %s in %s: %d pages, %d new, %d updated, %d unchanged, %d not modified, %d errors\n",
			time.Now().Format(time.DateTime), s.Site, status, s.Duration.Round(time.Millisecond), s.Fetched, s.New, s.Updated,
			s.Unchanged, s.NotModified, s.ErrorCount())
	}
	if err != nil && len(stats) == 0 {
		fmt.Fprintf(out, "%s run ended: %s failed: %v\n", time.Now().Format(time.DateTime), site.Name, err)
	}
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug(msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error(msg, append(kv, "err", err)...)
}

// lockedWriter serialises writes from concurrent runs.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
