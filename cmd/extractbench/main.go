// Command extractbench measures newsarc's article extraction on a benchmark
// set (html/<id>.html.gz and ground-truth.json): body F1, precision and
// recall with the benchmark's metric, and time per page.
//
// Usage:
//
//	extractbench [-dir DIR] [-pred pred.json] [-pages N] [-v]
//
// DIR defaults to $NEWSARC_EXTRACTION_BENCH, else
// ../shared/benchmarks/article-extraction. Measure speed on one core with
// GOMAXPROCS=1. The pred file can be scored by the set's score.py too.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"time"

	"newsarc/extract"
	"newsarc/extract/bench"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "extractbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("extractbench", flag.ContinueOnError)
	dir := fs.String("dir", "", "benchmark set (default $NEWSARC_EXTRACTION_BENCH, else ../shared/benchmarks/article-extraction)")
	predPath := fs.String("pred", "", "write predictions here, in score.py's format")
	rounds := fs.Int("rounds", 1, "extract the set this many times; times are the per-page minimum")
	verbose := fs.Bool("v", false, "print per-page scores, worst first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		*dir = os.Getenv("NEWSARC_EXTRACTION_BENCH")
	}
	if *dir == "" {
		*dir = "../shared/benchmarks/article-extraction"
	}
	pages, err := bench.Load(*dir)
	if err != nil {
		return err
	}
	opts := extract.DefaultOptions()
	opts.Force = true
	opts.Now = func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }
	ex := extract.New(opts)
	var res *bench.Result
	for i := 0; i < max(1, *rounds); i++ {
		r, err := bench.Run(ctx, ex, pages)
		if err != nil {
			return err
		}
		if res != nil {
			for id, d := range res.Duration {
				r.Duration[id] = min(d, r.Duration[id])
			}
		}
		res = r
	}
	bench.Summarize(res)
	if *predPath != "" {
		if err := bench.WritePred(*predPath, res.Pred); err != nil {
			return err
		}
	}
	if *verbose {
		ids := make([]string, 0, len(res.PerPage))
		for id := range res.PerPage {
			ids = append(ids, id)
		}
		f1 := func(c bench.Counts) float64 { return c.TP / (c.TP + (c.FP+c.FN)/2 + 1e-12) }
		sort.Slice(ids, func(i, j int) bool { return f1(res.PerPage[ids[i]]) < f1(res.PerPage[ids[j]]) })
		for _, id := range ids {
			c := res.PerPage[id]
			fmt.Fprintf(stdout, "%s P %.3f R %.3f %6.1fms %s\n", id[:12], c.Precision(), c.Recall(),
				float64(res.Duration[id].Microseconds())/1000, res.Errors[id])
		}
	}
	fmt.Fprintf(stdout, "pages %d  F1 %.3f  precision %.3f  recall %.3f  median %.2f ms  mean %.2f ms  (GOMAXPROCS=%d, errors %d)\n",
		res.Pages, res.F1, res.Precision, res.Recall,
		float64(res.Median.Microseconds())/1000, float64(res.Mean.Microseconds())/1000, runtime.GOMAXPROCS(0), len(res.Errors))
	return nil
}
