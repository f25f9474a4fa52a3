// Command newsarc crawls news sites into a searchable archive.
//
// Usage:
//
//	newsarc demo                 crawl the bundled sample site and search it
//	newsarc crawl URL...         crawl sites from their front pages, feeds or sitemaps
//	newsarc crawl --config FILE  crawl the sites of a config file
//	newsarc search QUERY         search the archive
//	newsarc export --format jsonl|csv
//
// Run newsarc help COMMAND for the flags of each command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // site time zones work on machines without zoneinfo

	"github.com/spf13/cobra"

	"newsarc/internal/gctarget"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal cancels ctx: in-flight pages finish and the store
		// is flushed. Restoring the default handlers lets a second signal kill.
		<-ctx.Done()
		stop()
	}()
	gctarget.Set() // for the life of the process
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errSilent) {
			fmt.Fprintln(os.Stderr, "newsarc:", err)
		}
		if errors.Is(err, context.Canceled) {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

// errSilent is returned when the error was already reported.
var errSilent = errors.New("error already reported")

// globals are the flags every command shares.
type globals struct {
	data       string
	configPath string
	esURL      string
	logLevel   string
	logFormat  string
	stdout     io.Writer
	stderr     io.Writer
}

// run executes newsarc with args (without the program name).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "newsarc",
		Short: "Crawl news sites into a searchable archive",
		Long: `newsarc crawls news sites politely (robots.txt, per-host delays, Retry-After),
extracts clean articles with their metadata, archives them with their raw
response and indexes them for full-text search, Chinese included.

Start with 'newsarc demo', which crawls a bundled sample news site.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.data, "data", "", "archive directory (default $NEWSARC_DATA, else the config's data, else ./newsarc-data)")
	pf.StringVar(&g.configPath, "config", "", "YAML config file (see configs/example.yaml)")
	pf.StringVar(&g.esURL, "es", "", "use Elasticsearch or OpenSearch at this URL (comma-separated nodes) as the archive")
	pf.StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	pf.StringVar(&g.logFormat, "log-format", "text", "log format: text or json")
	root.AddCommand(crawlCmd(g), scheduleCmd(g), runsCmd(g), searchCmd(g), exportCmd(g), demoCmd(g), extractCmd(g), serveCmd(g), replayCmd(g), relinkCmd(g), checkCmd(g), versionCmd(g))
	return root.ExecuteContext(ctx)
}

// config loads the config file when one is given and applies --data and
// NEWSARC_DATA over it.
func (g *globals) config() (Config, error) {
	cfg := DefaultConfig()
	if g.configPath != "" {
		c, err := loadConfig(g.configPath)
		if err != nil {
			return Config{}, err
		}
		cfg = c
	}
	if v := os.Getenv("NEWSARC_DATA"); v != "" {
		cfg.Data = v
	}
	if g.data != "" {
		cfg.Data = g.data
	}
	if g.esURL != "" {
		cfg.Store.Type = "elasticsearch"
		cfg.Store.Elastic.URLs = strings.Split(g.esURL, ",")
	}
	if err := cfg.validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func (g *globals) logger() (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: %w", g.logLevel, err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(g.logFormat) {
	case "json":
		return slog.New(slog.NewJSONHandler(g.stderr, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(g.stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", g.logFormat)
}

// isTerminal reports whether w is a terminal, for live progress lines.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
