package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/gocolly/colly/v2"

	"newsarc/crawler"
	"newsarc/crawler/gensite"
	"newsarc/extract"
	"newsarc/internal/gctarget"
	"newsarc/internal/procmem"
	"newsarc/store/bleve"
	"newsarc/store/warc"
)

// serveSites starts the child's httptest servers: CRAWLBENCH_SITES
// generated sites of CRAWLBENCH_ARTICLES articles, or the frontier site of
// CRAWLBENCH_FRONTIER links.
func serveSites() ([]*httptest.Server, error) {
	if n := envInt("CRAWLBENCH_FRONTIER"); n > 0 {
		return []*httptest.Server{httptest.NewServer(frontierSite(n))}, nil
	}
	k, n := envInt("CRAWLBENCH_SITES"), envInt("CRAWLBENCH_ARTICLES")
	if k <= 0 || n <= 0 {
		return nil, fmt.Errorf("serve: want CRAWLBENCH_SITES and CRAWLBENCH_ARTICLES > 0")
	}
	var srvs []*httptest.Server
	for i := range k {
		srvs = append(srvs, httptest.NewServer(gensite.New(n, uint64(i+1))))
	}
	return srvs, nil
}

// measure is what one crawl of all the sites cost.
type measure struct {
	pages    int           // responses handled
	articles int           // articles archived (newsarc) or parsed by readability (yardstick)
	wall     time.Duration // from the first request to the last page handled
	cpu      time.Duration // user + system CPU of this process
	written  int64         // write_bytes of this process (newsarc only)
	dataSize int64         // bytes in the data directory at the end (newsarc only)
	peakAnon int64         // the process's own resident memory (RssAnon) at its highest, sampled every 100 ms
}

func (m measure) pagesPerSec() float64 { return float64(m.pages) / m.wall.Seconds() }
func (m measure) cpuPerPage() float64 {
	return float64(m.cpu.Microseconds()) / 1000 / float64(max(m.pages, 1))
}
func (m measure) amplification() float64 { return float64(m.written) / float64(max(m.dataSize, 1)) }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procIO reads a field of /proc/self/io ("write_bytes"); 0 when it
// cannot be read.
func procIO(field string) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// timed runs f and measures its CPU, wall time, bytes written and peak
// memory. A GC that returns the freed memory to the system first keeps the
// previous crawl's garbage out of this one's CPU and memory.
func timed(f func() (measure, error)) (measure, error) {
	debug.FreeOSMemory()
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var top int64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if r, err := procmem.Read(); err == nil {
				top = max(top, r.Anon)
			}
			select {
			case <-done:
				peak <- top
				return
			case <-tick.C:
			}
		}
	}()
	cpu0, w0, t0 := cpuTime(), procIO("write_bytes"), time.Now()
	m, err := f()
	m.wall = time.Since(t0)
	m.cpu = cpuTime() - cpu0
	m.written = procIO("write_bytes") - w0
	close(done)
	m.peakAnon = <-peak
	return m, err
}

// yardstick runs the rounds and prints the table.
func yardstick(ctx context.Context, o options) error {
	srv, err := startServer(fmt.Sprintf("CRAWLBENCH_SITES=%d", o.sites), fmt.Sprintf("CRAWLBENCH_ARTICLES=%d", o.articles))
	if err != nil {
		return err
	}
	defer srv.close()
	lists := (o.articles + gensite.PerList - 1) / gensite.PerList
	fmt.Printf("%d sites x %d articles (%d list pages each), parallelism %d, no delay, %d rounds, GOMAXPROCS %d\n",
		o.sites, o.articles, lists, o.parallelism, o.rounds, runtime.GOMAXPROCS(0))
	if o.cpuprofile != "" {
		fmt.Println("(CPU profiling newsarc's part: its figures carry the profiler's cost)")
	}
	type round struct{ y, n measure }
	var rounds []round
	for r := range o.rounds {
		var rd round
		order := []string{"yardstick", "newsarc"}
		if r%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, who := range order {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			if who == "yardstick" {
				rd.y, err = timed(func() (measure, error) { return crawlColly(srv.urls, o.parallelism), nil })
			} else {
				prof := ""
				if o.cpuprofile != "" {
					prof = o.cpuprofile
					if r > 0 {
						prof += "." + strconv.Itoa(r+1)
					}
				}
				rd.n, err = crawlNewsarc(ctx, srv.urls, o, lists, prof)
			}
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", r+1, who, err)
			}
		}
		rounds = append(rounds, rd)
		fmt.Fprintf(os.Stderr, "round %d done (%s first)\n", r+1, order[0])
	}

	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "round\tfirst\tyard pages\tyard pages/s\tyard CPU ms/page\tnewsarc pages\tnewsarc articles\tnewsarc pages/s\tnewsarc CPU ms/page\tratio pages/s\tratio CPU/page\twritten MB\tdata MB\twrite ampl.\tyard peak MB\tnewsarc peak MB\t")
	var col [9][]float64
	for i, rd := range rounds {
		first := "yard"
		if i%2 == 1 {
			first = "newsarc"
		}
		vals := []float64{rd.y.pagesPerSec(), rd.y.cpuPerPage(), rd.n.pagesPerSec(), rd.n.cpuPerPage(),
			rd.n.pagesPerSec() / rd.y.pagesPerSec(), rd.n.cpuPerPage() / rd.y.cpuPerPage(), rd.n.amplification(),
			float64(rd.y.peakAnon) / 1e6, float64(rd.n.peakAnon) / 1e6}
		for j, v := range vals {
			col[j] = append(col[j], v)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%.0f\t%.2f\t%d\t%d\t%.0f\t%.2f\t%.3f\t%.2f\t%.1f\t%.1f\t%.2f\t%.0f\t%.0f\t\n", i+1, first,
			rd.y.pages, vals[0], vals[1], rd.n.pages, rd.n.articles, vals[2], vals[3], vals[4], vals[5],
			float64(rd.n.written)/1e6, float64(rd.n.dataSize)/1e6, vals[6], vals[7], vals[8])
	}
	med := make([]float64, len(col))
	for j := range col {
		med[j] = median(col[j])
	}
	fmt.Fprintf(tw, "median\t\t\t%.0f\t%.2f\t\t\t%.0f\t%.2f\t%.3f\t%.2f\t\t\t%.2f\t%.0f\t%.0f\t\n", med[0], med[1], med[2], med[3], med[4], med[5], med[6], med[7], med[8])
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Printf("ratio pages/s: median %.3f, spread %.3f-%.3f (target >= 0.7)\n", med[4], slices.Min(col[4]), slices.Max(col[4]))
	return nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// crawlColly is the yardstick: bare colly v2, Async, parallelism p, no
// delay, following every link to the same site, and go-readability v2 on
// every page; the sites at once, a collector each, as newsarc crawls them.
func crawlColly(seeds []string, p int) measure {
	var m measure
	var pages, articles atomic.Int64
	var wg sync.WaitGroup
	for _, seed := range seeds {
		wg.Go(func() { crawlCollySite(seed, p, &pages, &articles) })
	}
	wg.Wait()
	m.pages, m.articles = int(pages.Load()), int(articles.Load())
	return m
}

// crawlCollySite is the yardstick's crawl of one site.
func crawlCollySite(seed string, p int, pages, articles *atomic.Int64) {
	{
		c := colly.NewCollector(colly.Async(true))
		_ = c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: p})
		c.OnHTML("a[href]", func(e *colly.HTMLElement) {
			if u := e.Request.AbsoluteURL(e.Attr("href")); strings.HasPrefix(u, seed) {
				_ = e.Request.Visit(u)
			}
		})
		c.OnResponse(func(r *colly.Response) {
			pages.Add(1)
			if _, err := readability.FromReader(bytes.NewReader(r.Body), r.Request.URL); err == nil {
				articles.Add(1)
			}
		})
		_ = c.Visit(seed + "/")
		c.Wait()
	}
}

// newsarcArchive opens what `newsarc crawl` opens in a fresh data
// directory: the embedded bleve archive, the crawl state and the WARC
// writer.
type newsarcArchive struct {
	dir   string
	store *bleve.Store
	state *crawler.State
	warc  *warc.Writer
}

func openNewsarc(ctx context.Context, dir string) (*newsarcArchive, error) {
	st, err := bleve.OpenWith(ctx, filepath.Join(dir, "archive"), bleve.Options{Logger: slog.Default()})
	if err != nil {
		return nil, err
	}
	state, err := crawler.OpenState(filepath.Join(dir, "state"))
	if err != nil {
		st.Close()
		return nil, err
	}
	wcfg := warc.DefaultConfig()
	wcfg.Dir = filepath.Join(dir, "warc")
	wcfg.Software = "newsarc crawlbench"
	w, err := warc.NewWriter(wcfg)
	if err != nil {
		state.Close()
		st.Close()
		return nil, err
	}
	return &newsarcArchive{dir: dir, store: st, state: state, warc: w}, nil
}

func (a *newsarcArchive) Close() error {
	err := a.warc.Close()
	if cerr := a.state.Close(); err == nil {
		err = cerr
	}
	if cerr := a.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// crawlerConfig is `newsarc crawl --delay 0s` with parallelism p and the
// limits raised so that a chain of lists pages is crawled to its end
// (--max-depth, --max-pages, crawler.max_list_pages).
func crawlerConfig(p, pages, lists int) crawler.Config {
	cfg := crawler.DefaultConfig()
	cfg.Delay = 0
	cfg.Parallelism = p
	cfg.MaxPages = max(cfg.MaxPages, 2*pages)
	cfg.MaxDepth = max(cfg.MaxDepth, lists+10)
	cfg.MaxListPages = max(cfg.MaxListPages, lists+10)
	cfg.NotArticle = extract.ErrNotArticle
	return cfg
}

// crawlNewsarc crawls the sites at once with newsarc's crawler into a
// fresh data directory and measures it, opening and closing the archive
// included.
func crawlNewsarc(ctx context.Context, seeds []string, o options, lists int, profile string) (measure, error) {
	dir, err := os.MkdirTemp(o.dir, "crawlbench-")
	if err != nil {
		return measure{}, err
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return measure{}, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return measure{}, err
		}
		defer pprof.StopCPUProfile()
	}
	m, err := timed(func() (measure, error) {
		var m measure
		a, err := openNewsarc(ctx, dir)
		if err != nil {
			return m, err
		}
		// The collector's target of newsarc's processes (cmd/newsarc sets
		// it too); the yardstick keeps Go's default, as a bare colly
		// program does.
		defer gctarget.Set()()
		cfg := crawlerConfig(o.parallelism, o.articles+lists+1, lists)
		cfg.State = a.state
		cfg.Recorder = a.warc
		c := crawler.New(cfg, a.store, slog.Default())
		// The sites at once, as `newsarc crawl` runs them (up to
		// crawler.sites_at_once, 4 by default).
		var mu sync.Mutex
		var firstErr error
		var wg sync.WaitGroup
		slots := make(chan struct{}, max(cfg.SitesAtOnce, 1))
		for _, seed := range seeds {
			u, err := url.Parse(seed)
			if err != nil {
				a.Close()
				return m, err
			}
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				// The site as `newsarc crawl URL` names it: host:port.
				site := crawler.Site{Name: u.Host, Seeds: []string{seed + "/"}}
				s, err := c.Run(ctx, site, extract.New(extract.DefaultOptions()))
				mu.Lock()
				defer mu.Unlock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if s.ErrorCount() > 0 {
					fmt.Fprintf(os.Stderr, "newsarc: %s: errors %v\n", u.Host, s.Errors)
				}
				m.pages += s.Fetched
				m.articles += s.Articles()
			})
		}
		wg.Wait()
		if firstErr != nil {
			a.Close()
			return m, firstErr
		}
		return m, a.Close()
	})
	m.dataSize = dirSize(dir)
	return m, err
}
