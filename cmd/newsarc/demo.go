package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
	"newsarc/store"
)

func demoCmd(g *globals) *cobra.Command {
	var (
		keep  bool
		query string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Crawl the bundled sample news site and search it",
		Long: `Serve the bundled sample news site (a Chinese portal with an English section,
a GBK-encoded page, feeds, a sitemap, robots.txt and crawler traps) on
loopback, crawl it into a temporary archive, print the crawl summary and a
search, and say what to try next. --keep keeps the archive (or --data
chooses where it goes).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), g, keep || g.data != "", query)
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the demo archive and print its directory")
	cmd.Flags().StringVar(&query, "query", "主权", "search to show after the crawl")
	return cmd
}

func runDemo(ctx context.Context, g *globals, keep bool, query string) error {
	log, err := g.logger()
	if err != nil {
		return err
	}
	cfg := DefaultConfig()
	cfg.Data = g.data
	if cfg.Data == "" {
		dir, err := os.MkdirTemp("", "newsarc-demo-")
		if err != nil {
			return err
		}
		cfg.Data = dir
		if !keep {
			defer os.RemoveAll(dir)
		}
	}
	// The sample site is local, so a short delay keeps the demo quick while
	// still showing the per-host limit at work.
	cfg.Crawler.Delay = 10 * time.Millisecond
	cfg.Crawler.Parallelism = 4

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listen: %w", err)
	}
	site := samplesite.New()
	srv := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(g.stdout, "Sample news site serving at %s\nCrawling it into %s\n\n", base, cfg.Data)

	a, err := openArchive(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if keep {
		// A kept archive may be searched from another terminal meanwhile.
		o, err := claimOwner(ctx, a, "demo", nil, log)
		if err != nil {
			return err
		}
		defer o.Close()
	}
	st := a.store
	sites := []crawler.Site{{Name: "sample", Seeds: []string{base}, TimeZone: "Asia/Shanghai"}}
	start := time.Now()
	stats, err := a.crawl(ctx, sites, "demo", newProgress(g.stderr, isTerminal(g.stderr)))
	if err != nil {
		return err
	}
	writeSummary(g.stdout, stats, time.Since(start), "")
	if len(stats) == 0 || stats[0].Articles() == 0 {
		return errors.New("demo: the crawl archived no article")
	}

	q := store.Query{Text: query, Limit: 5, Facets: resultFacets}
	res, err := st.Search(ctx, q)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "\n$ newsarc search %s\n", query)
	writeResults(g.stdout, q, res, isTerminal(g.stdout))
	if res.Total == 0 {
		return fmt.Errorf("demo: search %q found nothing", query)
	}

	fmt.Fprintln(g.stdout, "\nWhat to try next:")
	if keep {
		fmt.Fprintf(g.stdout, "  newsarc search --data %s 人工智能\n", cfg.Data)
		fmt.Fprintf(g.stdout, "  newsarc export --data %s --format csv --out sample.csv\n", cfg.Data)
	} else {
		fmt.Fprintln(g.stdout, "  go run ./cmd/newsarc demo --keep        keep this archive to search and export it")
	}
	fmt.Fprintln(g.stdout, "  newsarc crawl https://your-news-site.example/   crawl a real site (robots.txt obeyed, 1 s delay)")
	fmt.Fprintln(g.stdout, "  newsarc crawl --config configs/example.yaml     crawl the sites of a config")
	fmt.Fprintln(g.stdout, "  newsarc help                                    every command and flag")
	return nil
}
