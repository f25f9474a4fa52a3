package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
	"newsarc/store/storetest"
)

// redisURL is the Redis of REDIS_URL; without it the tests skip, unless
// NEWSARC_REQUIRE_REDIS=1 makes that a failure.
func redisURL(t *testing.T) string {
	u := os.Getenv("REDIS_URL")
	if u == "" {
		if os.Getenv("NEWSARC_REQUIRE_REDIS") == "1" {
			t.Fatal("NEWSARC_REQUIRE_REDIS=1 and REDIS_URL is not set (scripts/redis-dev start)")
		}
		t.Skip("REDIS_URL not set: start one with scripts/redis-dev start")
	}
	return u
}

// requestLog is a fixture server's log of request arrival times.
type requestLog struct {
	mu  sync.Mutex
	log []loggedRequest
}

type loggedRequest struct {
	at   time.Time
	path string
	ua   string
}

func (l *requestLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.log = append(l.log, loggedRequest{at: time.Now(), path: r.URL.RequestURI(), ua: r.UserAgent()})
		l.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// closest returns the two requests that arrived closest together.
func (l *requestLog) closest() (gap time.Duration, a, b loggedRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	gap = -1
	for i := 1; i < len(l.log); i++ {
		if d := l.log[i].at.Sub(l.log[i-1].at); gap < 0 || d < gap {
			gap, a, b = d, l.log[i-1], l.log[i]
		}
	}
	return gap, a, b
}

// workerCrawl is a shared crawl of the fixture site run by worker
// processes into OpenSearch.
type workerCrawl struct {
	t      *testing.T
	bin    string
	site   *samplesite.Site
	srv    *httptest.Server
	reqs   *requestLog
	cfg    string // the workers' config file
	es     string
	prefix string
}

const workerDelay = 100 * time.Millisecond

func newWorkerCrawl(t *testing.T, redis string) *workerCrawl {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	es := storetest.ESURL(t)
	bin, err := buildNewsarc()
	if err != nil {
		t.Fatal(err)
	}
	w := &workerCrawl{t: t, bin: bin, site: samplesite.New(), reqs: &requestLog{}, es: es, prefix: storetest.ESIndexPrefix(t)}
	t.Cleanup(func() { storetest.DropESIndices(t, es, w.prefix) })
	w.srv = httptest.NewServer(w.reqs.wrap(w.site.Handler()))
	t.Cleanup(w.srv.Close)
	w.cfg = filepath.Join(t.TempDir(), "worker.yaml")
	// A short lease: a killed worker's host goes to another worker soon.
	cfg := fmt.Sprintf(`store:
  type: elasticsearch
  urls: [%s]
  index_prefix: %s
crawler:
  frontier: redis
  redis_url: %s
  lease_ttl: 2s
  delay: %s
  group_wait: 50ms
`, es, w.prefix, redis, workerDelay)
	if err := os.WriteFile(w.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// worker is one worker process.
type worker struct {
	id     string
	data   string
	cmd    *exec.Cmd
	stdout bytes.Buffer
	// articles receives a value for each article the worker logs.
	articles chan struct{}
	done     chan error
}

func (w *workerCrawl) start(ctx context.Context, id string) *worker {
	t := w.t
	wk := &worker{id: id, data: t.TempDir(), articles: make(chan struct{}, 1000), done: make(chan error, 1)}
	wk.cmd = exec.CommandContext(ctx, w.bin, "crawl", "--worker", "--worker-id", id, "--config", w.cfg,
		"--data", wk.data, "--quiet", "--json", "--log-level", "info", "--log-format", "json", w.srv.URL+"/")
	wk.cmd.Stdout = &wk.stdout
	stderr, err := wk.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := wk.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			logs.Write(sc.Bytes())
			logs.WriteByte('\n')
			var rec struct{ Msg string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "article" {
				select {
				case wk.articles <- struct{}{}:
				default:
				}
			}
		}
		err := wk.cmd.Wait()
		if err != nil {
			err = fmt.Errorf("worker %s: %w\n%s", id, err, tail(logs.String(), 4000))
		}
		wk.done <- err
	}()
	return wk
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// stats returns the crawl stats a finished worker printed.
func (wk *worker) stats(t *testing.T) crawler.Stats {
	var st []crawler.Stats
	if err := json.Unmarshal(wk.stdout.Bytes(), &st); err != nil || len(st) != 1 {
		t.Fatalf("worker %s: crawl --json: %v\n%s", wk.id, err, wk.stdout.String())
	}
	return st[0]
}

// archived checks that the archive holds every article of the fixture
// site exactly once, and returns the records' WARC file names.
func (w *workerCrawl) archived() []string {
	t := w.t
	recs := exportJSONLArgs(t, "export", "--data", t.TempDir(), "--es", w.es, "--config", w.cfg, "--format", "jsonl")
	got := map[string]int{}
	var files []string
	for _, r := range recs {
		u, _ := url.Parse(r.CanonicalURL)
		got[u.Path]++
		files = append(files, r.Capture.File)
	}
	for _, a := range w.site.Articles() {
		if got[a.Path] != 1 {
			t.Errorf("article %s archived %d times, want once", a.Path, got[a.Path])
		}
	}
	if len(recs) != len(w.site.Articles()) {
		t.Errorf("archive holds %d records, want %d", len(recs), len(w.site.Articles()))
	}
	return files
}

// polite checks the request log: no two requests to the fixture host
// (one host) closer than the delay, whichever workers sent them.
func (w *workerCrawl) polite() {
	gap, a, b := w.reqs.closest()
	w.t.Logf("%d requests; closest two %s apart (delay %s)", len(w.reqs.log), gap, workerDelay)
	// The workers space the requests as they send them; their arrival
	// here is later than the sending by the scheduling of the goroutines
	// on both sides (worker processes, OpenSearch, Redis and this test
	// share the machine), by more for one request than for the next:
	// 15% of the delay is allowed for that (10 ms were seen on a loaded
	// machine). Two workers on the host at once would put requests any
	// distance apart, most of them far closer.
	if gap >= 0 && gap < workerDelay*85/100 {
		w.t.Errorf("requests %s and %s arrived %s apart, under the delay %s", a.path, b.path, gap, workerDelay)
	}
}

// TestWorkersShareACrawl runs three worker processes on one crawl of the
// fixture site, coordinated by a real Redis server, writing into a real
// OpenSearch node: every article is archived exactly once (each one new
// once, never rewritten), the work is shared, each worker's WARC files
// carry its name, and the host is never sent two requests closer than the
// delay.
func TestWorkersShareACrawl(t *testing.T) {
	w := newWorkerCrawl(t, redisURL(t))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var ws []*worker
	for i := range 3 {
		ws = append(ws, w.start(ctx, "w"+strconv.Itoa(i+1)))
	}
	news, fetched, busy := 0, 0, 0
	for _, wk := range ws {
		if err := <-wk.done; err != nil {
			t.Fatal(err)
		}
		st := wk.stats(t)
		t.Logf("worker %s: run %d, %d fetched, %d new, %d updated, %d unchanged, skipped %v, errors %v",
			wk.id, st.Run, st.Fetched, st.New, st.Updated, st.Unchanged, st.Skipped, st.Errors)
		news += st.New
		fetched += st.Fetched
		if st.Updated+st.Unchanged > 0 {
			t.Errorf("worker %s rewrote %d articles another worker had archived", wk.id, st.Updated+st.Unchanged)
		}
		if st.Fetched > 0 {
			busy++
		}
		if st.Worker != wk.id || st.Run == 0 || st.Run != ws[0].stats(t).Run {
			t.Errorf("worker %s: stats say worker %q run %d, want its name and the first worker's run", wk.id, st.Worker, st.Run)
		}
		warcs, _ := filepath.Glob(filepath.Join(wk.data, "warc", "newsarc-"+wk.id+"-*.warc.gz"))
		if st.Fetched > 0 && len(warcs) == 0 {
			t.Errorf("worker %s fetched %d pages and wrote no WARC file named after it", wk.id, st.Fetched)
		}
	}
	if news != len(w.site.Articles()) {
		t.Errorf("the workers archived %d new articles, want %d", news, len(w.site.Articles()))
	}
	if busy < 2 {
		t.Errorf("%d of 3 workers fetched pages: the crawl was not shared", busy)
	}
	for _, f := range w.archived() {
		if !strings.HasPrefix(f, "newsarc-w") {
			t.Errorf("capture in %q: not a worker's WARC file", f)
		}
	}
	w.polite()
	// runs shows the run once, with its three workers.
	var runs []runRecord
	out := newsarc(t, "runs", "--config", w.cfg, "--json")
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		t.Fatalf("runs --json: %v\n%s", err, out)
	}
	if len(runs) != 1 || len(runs[0].Workers) != 3 || runs[0].Stats.New != len(w.site.Articles()) {
		t.Errorf("runs: %s\nwant one run of three workers with %d new articles", out, len(w.site.Articles()))
	}
	if text := newsarc(t, "runs", "--config", w.cfg); !strings.Contains(text, "workers w") {
		t.Errorf("runs does not name the run's workers:\n%s", text)
	}
	// Each page was fetched once by the three (robots.txt once per worker).
	for p, n := range w.site.Requests() {
		if n > 1 && p != "/robots.txt" && !strings.HasPrefix(p, "/trouble/") {
			t.Errorf("%s fetched %d times", p, n)
		}
	}

	// The next run, by a worker of its own, asks for the pages it fetches
	// again with the validators the others recorded in Redis: unchanged,
	// they answer 304, and nothing is archived anew.
	next := w.start(ctx, "w4")
	if err := <-next.done; err != nil {
		t.Fatal(err)
	}
	st := next.stats(t)
	t.Logf("next run: %d fetched, %d not modified, %d new, %d updated, skipped %v", st.Fetched, st.NotModified, st.New, st.Updated, st.Skipped)
	if st.NotModified == 0 || st.New+st.Updated != 0 {
		t.Errorf("next run by another worker: %d not modified, %d new, %d updated; want 304s and nothing archived anew",
			st.NotModified, st.New, st.Updated)
	}
}

// TestWorkerKilled kills one of three workers with SIGKILL mid-crawl: its
// leases expire and the others finish its URLs: no article is lost, none
// is archived twice.
func TestWorkerKilled(t *testing.T) {
	w := newWorkerCrawl(t, redisURL(t))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var ws []*worker
	for i := range 3 {
		ws = append(ws, w.start(ctx, "k"+strconv.Itoa(i+1)))
	}
	// Kill the first worker to archive three articles.
	var victim *worker
	counts := make([]int, len(ws))
	for victim == nil {
		select {
		case <-ws[0].articles:
			counts[0]++
		case <-ws[1].articles:
			counts[1]++
		case <-ws[2].articles:
			counts[2]++
		case <-ctx.Done():
			t.Fatal("no worker archived three articles")
		}
		for i, n := range counts {
			if n >= 3 && victim == nil {
				victim = ws[i]
			}
		}
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed %s after %v articles", victim.id, counts)
	for _, wk := range ws {
		err := <-wk.done
		if wk == victim {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		st := wk.stats(t)
		t.Logf("worker %s: %d fetched, %d new, %d updated, %d unchanged", wk.id, st.Fetched, st.New, st.Updated, st.Unchanged)
	}
	w.archived()
	w.polite()
}

// redisServer is a redis-server the test starts and stops, with an
// append-only file so that a restart keeps its data.
type redisServer struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
}

func startRedis(t *testing.T) *redisServer {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("NEWSARC_REQUIRE_REDIS") == "1" {
			t.Fatal("NEWSARC_REQUIRE_REDIS=1 and redis-server is not on PATH (scripts/redis-dev installs it)")
		}
		t.Skip("redis-server not on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &redisServer{bin: bin, dir: t.TempDir(), port: port}
	s.start(t)
	t.Cleanup(s.stop)
	return s
}

func (s *redisServer) url() string { return "redis://127.0.0.1:" + strconv.Itoa(s.port) + "/0" }

func (s *redisServer) start(t *testing.T) {
	t.Helper()
	s.cmd = exec.Command(s.bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(s.port), "--dir", s.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--logfile", filepath.Join(s.dir, "redis.log"))
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.port), time.Second)
		if err == nil {
			fmt.Fprint(c, "PING\r\n")
			b := make([]byte, 7)
			c.SetReadDeadline(time.Now().Add(time.Second))
			_, err = io.ReadFull(c, b)
			c.Close()
			if err == nil && string(b) == "+PONG\r\n" {
				return
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			t.Fatalf("redis-server did not start: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop shuts the server down with SIGTERM: its append-only file is
// flushed.
func (s *redisServer) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// TestWorkersRedisRestart stops the Redis server under two workers
// mid-crawl and starts it again: the workers wait, go on, and archive
// every article exactly once.
func TestWorkersRedisRestart(t *testing.T) {
	rs := startRedis(t)
	w := newWorkerCrawl(t, rs.url())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ws := []*worker{w.start(ctx, "r1"), w.start(ctx, "r2")}
	n := 0
	for n < 3 {
		select {
		case <-ws[0].articles:
		case <-ws[1].articles:
		case <-ctx.Done():
			t.Fatal("no three articles before the restart")
		}
		n++
	}
	rs.stop()
	before := len(w.reqs.log)
	time.Sleep(3 * time.Second) // longer than the lease TTL
	rs.start(t)
	t.Logf("redis stopped for 3s after %d articles; %d requests before", n, before)
	for _, wk := range ws {
		if err := <-wk.done; err != nil {
			t.Fatal(err)
		}
		st := wk.stats(t)
		t.Logf("worker %s: %d fetched, %d new, %d updated, %d unchanged", wk.id, st.Fetched, st.New, st.Updated, st.Unchanged)
	}
	w.archived()
	w.polite()
	if paths := w.reqs.paths(); !slices.Contains(paths, "/") {
		t.Errorf("front page never fetched")
	}
}

func (l *requestLog) paths() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.log {
		out = append(out, r.path)
	}
	return out
}
