// Command crawlbench measures newsarc's crawl against its yardstick in one
// run: generated news sites (crawler/gensite) served on loopback by a child
// process, crawled in interleaved rounds by
//
//   - the yardstick: bare colly v2 (Async, the same parallelism, no delay)
//     following the same links and running go-readability v2 on every
//     page, and nothing else;
//   - newsarc: the crawler package configured as `newsarc crawl` configures
//     it, into a fresh embedded archive, WARC files and crawl state, with
//     politeness off (delay 0) and robots.txt read as a real crawl reads it.
//
// It reports per round and the median: pages fetched, pages/s, the ratio
// newsarc/yardstick, CPU ms per page (getrusage of this process; the sites
// are served by a child process), and newsarc's bytes written
// (/proc/self/io write_bytes) per byte of the data directory at the end.
//
// With --frontier-mem N it measures instead the memory of a frontier of N
// queued URLs: one site whose front page links N URLs that never answer
// while the measure is taken, crawled by newsarc and by bare colly, each in
// its own process; it reports the growth of VmRSS and of the Go heap per
// million queued URLs.
//
// With --workers 1,2,3 --newsarc BIN --redis URL it measures instead a
// crawl of the generated sites shared by that many `newsarc crawl
// --worker` processes through a Redis frontier: pages/s and Redis
// commands per page for each count (see workers.go).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
)

type options struct {
	sites       int
	articles    int
	rounds      int
	parallelism int
	cpuprofile  string
	dir         string
	frontier    int
	keep        bool
	workers     string
	newsarc     string
	redis       string
}

func main() {
	if role := os.Getenv(roleEnv); role != "" {
		if err := child(role); err != nil {
			fmt.Fprintln(os.Stderr, "crawlbench:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.IntVar(&o.sites, "sites", 3, "generated sites to crawl")
	flag.IntVar(&o.articles, "articles", 2000, "articles per site")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each crawls every site with both crawlers, alternating which goes first")
	flag.IntVar(&o.parallelism, "parallelism", 8, "concurrent requests per site, both crawlers")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of newsarc's part of each round to `FILE` (round 2 to FILE.2, ...; pprof merges them)")
	flag.StringVar(&o.dir, "dir", "", "directory for newsarc's data directories (default: the system's temp dir; write_bytes is 0 on tmpfs)")
	flag.IntVar(&o.frontier, "frontier-mem", 0, "measure the memory of `N` queued URLs instead of crawling")
	flag.BoolVar(&o.keep, "keep", false, "keep newsarc's data directories")
	flag.StringVar(&o.workers, "workers", "", "measure a crawl shared by `N,M,...` worker processes (newsarc crawl --worker) instead")
	flag.StringVar(&o.newsarc, "newsarc", "", "the newsarc binary the workers run (with --workers)")
	flag.StringVar(&o.redis, "redis", os.Getenv("REDIS_URL"), "the Redis server of the workers' frontier (with --workers; default $REDIS_URL)")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch {
	case o.workers != "":
		err = workersBench(ctx, o)
	case o.frontier > 0:
		err = frontierMem(ctx, o)
	default:
		err = yardstick(ctx, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "crawlbench:", err)
		os.Exit(1)
	}
}

// roleEnv tells a child process of crawlbench what it is: "serve" (the
// generated sites), "frontier-newsarc" or "frontier-colly".
const roleEnv = "CRAWLBENCH_ROLE"

func child(role string) error {
	switch role {
	case "serve":
		return serve()
	case "frontier-newsarc", "frontier-colly":
		return frontierChild(role)
	}
	return fmt.Errorf("unknown role %q", role)
}

// server is the child process that serves the sites.
type server struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	urls  []string
}

// startServer starts a child process serving what env asks for, and
// returns once it has printed its sites' URLs.
func startServer(env ...string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), append(env, roleEnv+"=serve")...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	s := &server{cmd: cmd, stdin: stdin}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if line == "ready" {
			return s, nil
		}
		s.urls = append(s.urls, line)
	}
	s.close()
	return nil, errors.New("server: exited before it was ready")
}

// close ends the child: it exits when its standard input closes.
func (s *server) close() {
	s.stdin.Close()
	_ = s.cmd.Wait()
}

// serve runs in the child: it serves the sites CRAWLBENCH_SITES,
// CRAWLBENCH_ARTICLES (or the frontier site of CRAWLBENCH_FRONTIER) on
// loopback, prints their URLs and "ready", and returns when its standard
// input closes.
func serve() error {
	srvs, err := serveSites()
	if err != nil {
		return err
	}
	for _, s := range srvs {
		fmt.Println(s.URL)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, s := range srvs {
		s.CloseClientConnections()
		s.Close()
	}
	return nil
}

func envInt(name string) int {
	var n int
	fmt.Sscan(strings.TrimSpace(os.Getenv(name)), &n)
	return n
}
