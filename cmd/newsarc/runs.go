package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"newsarc/crawler"
)

// runRecord is one crawl of one site, as `newsarc runs` lists it.
type runRecord struct {
	Site     string        `json:"site"`
	Trigger  string        `json:"trigger"` // "manual", "schedule", "demo"
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
	Stats    crawler.Stats `json:"stats"`
	// Status is "ok", "failed" (the site could not be crawled, no page
	// could be fetched, or every page failed) or "interrupted" (stopped
	// by a signal; the next run resumes it).
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// Workers lists the workers of a run of a shared crawl (crawl
	// --worker), whose records are shown as one: its counts are theirs
	// summed.
	Workers []string `json:"workers,omitempty"`
}

// errCrawlFailed marks a crawl that ran but achieved nothing: no page
// could be fetched, or every page fetched failed.
var errCrawlFailed = errors.New("crawl failed")

// crawlFailure returns an error wrapping errCrawlFailed when s is a run
// that fetched nothing, or whose every page failed; else nil.
func crawlFailure(s crawler.Stats) error {
	switch {
	case s.Fetched == 0:
		why := counts(s.Errors)
		if len(s.RobotsUnavailable) > 0 {
			why += "; robots.txt unavailable for " + strings.Join(s.RobotsUnavailable, ", ")
		}
		return fmt.Errorf("%w: no page could be fetched (errors: %s; skipped: %s)", errCrawlFailed, why, counts(s.Skipped))
	case s.Articles() == 0 && s.NotArticle == 0 && s.NotModified == 0 && s.ErrorCount() > 0:
		return fmt.Errorf("%w: every page failed (errors: %s)", errCrawlFailed, counts(s.Errors))
	}
	return nil
}

func newRunRecord(s crawler.Stats, trigger string, err error) runRecord {
	r := runRecord{Site: s.Site, Trigger: trigger, Started: s.Started, Finished: s.Started.Add(s.Duration), Stats: s, Status: "ok"}
	switch {
	case errors.Is(err, context.Canceled):
		r.Status, r.Error = "interrupted", "interrupted; the next run resumes it"
	case err != nil:
		r.Status, r.Error = "failed", err.Error()
	}
	return r
}

// runLog appends run records to a JSON-lines file, which other processes
// may read while a daemon writes it.
type runLog struct {
	mu   sync.Mutex
	path string
}

func (l *runLog) add(r runRecord) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("run log: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("run log: %w", err)
	}
	return f.Close()
}

// readRuns returns the recorded runs, oldest first. A torn last line (a
// process killed mid-write) is skipped.
func readRuns(path string) ([]runRecord, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("run log: %w", err)
	}
	defer f.Close()
	var out []runRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var r runRecord
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}

func runsCmd(g *globals) *cobra.Command {
	var (
		site     string
		limit    int
		asJSON   bool
		frontier string
	)
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List recorded crawl runs, newest first",
		Long: `List the crawl runs recorded in the archive (by crawl, schedule and demo):
site, trigger, start, duration, counts and errors. It reads the run log
only; while a process owns the archive (schedule, serve, crawl), it asks
that process. With --frontier (or crawler.frontier: redis in the config) it
lists the runs of the shared crawl recorded in Redis by its workers, each
run of a site once with its workers and their counts summed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			if frontier != "" {
				cfg.Crawler.FrontierType, cfg.Crawler.RedisURL = "redis", frontier
			}
			var runs []runRecord
			shared := cfg.Crawler.FrontierType == "redis"
			var oc *ownerClient
			if shared {
				if runs, err = readSharedRuns(cmd.Context(), cfg); err != nil {
					return err
				}
				runs = groupRuns(runs)
			} else {
				if err := requireArchive(cfg); err != nil {
					return err
				}
				if oc, err = findOwner(cmd.Context(), cfg, g.stderr); err != nil {
					return err
				}
			}
			switch {
			case shared:
			case oc != nil:
				r, err := oc.runs(cmd.Context())
				if err != nil {
					return err
				}
				runs = r.Recorded
			default:
				if runs, err = readRuns(runLogPath(cfg)); err != nil {
					return err
				}
			}
			slices.Reverse(runs)
			var out []runRecord
			for _, r := range runs {
				if site == "" || r.Site == site {
					out = append(out, r)
				}
				if limit > 0 && len(out) == limit {
					break
				}
			}
			if asJSON {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			writeRuns(g.stdout, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&site, "site", "", "only this site")
	cmd.Flags().IntVarP(&limit, "limit", "n", 20, "runs to list (0: all)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	cmd.Flags().StringVar(&frontier, "frontier", "", "list the shared crawl's runs recorded in this Redis server (redis://host:port/db)")
	return cmd
}

func writeRuns(w io.Writer, runs []runRecord) {
	if len(runs) == 0 {
		fmt.Fprintln(w, "no runs recorded")
		return
	}
	fmt.Fprintf(w, "%-20s %-16s %-9s %9s %6s %5s %5s %6s %6s  %s\n", "STARTED", "SITE", "TRIGGER", "DURATION", "PAGES", "NEW", "UPD", "304", "ERRORS", "STATUS")
	for _, r := range runs {
		status := r.Status
		switch {
		case status == "" && r.Error != "": // written before runs had a status
			status = "failed: " + r.Error
		case status == "":
			status = "ok"
		case status == "failed":
			status = "failed: " + r.Error
		}
		if r.Stats.Resumed {
			status += " (resumed)"
		}
		if len(r.Workers) > 0 {
			status += fmt.Sprintf(" (run %d, workers %s)", r.Stats.Run, strings.Join(r.Workers, ", "))
		}
		fmt.Fprintf(w, "%-20s %-16s %-9s %9s %6d %5d %5d %6d %6d  %s\n", r.Started.Local().Format("2006-01-02 15:04:05"),
			r.Site, r.Trigger, r.Finished.Sub(r.Started).Round(time.Second/10), r.Stats.Fetched, r.Stats.New,
			r.Stats.Updated, r.Stats.NotModified, r.Stats.ErrorCount(), status)
	}
}
