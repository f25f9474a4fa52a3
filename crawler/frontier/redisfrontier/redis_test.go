package redisfrontier_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/frontiertest"
	"newsarc/crawler/frontier/redisfrontier"
)

// serverURL is the Redis of REDIS_URL; without it the tests skip, unless
// NEWSARC_REQUIRE_REDIS=1 makes that a failure.
func serverURL(t testing.TB) string {
	u := os.Getenv("REDIS_URL")
	if u == "" {
		if os.Getenv("NEWSARC_REQUIRE_REDIS") == "1" {
			t.Fatal("NEWSARC_REQUIRE_REDIS=1 and REDIS_URL is not set (scripts/redis-dev start)")
		}
		t.Skip("REDIS_URL not set: start one with scripts/redis-dev start")
	}
	return u
}

var crawls atomic.Int64

// crawlName is a name no other test or run uses: the tests share the server.
func crawlName(t testing.TB) string {
	return fmt.Sprintf("test-%d-%d-%d", os.Getpid(), time.Now().UnixNano(), crawls.Add(1))
}

func client(t testing.TB, url string) *redis.Client {
	o, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(o)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		rdb.Close()
		t.Fatalf("redis at %s: %v", url, err)
	}
	return rdb
}

// dropCrawl deletes the keys of a test's crawl.
func dropCrawl(rdb *redis.Client, prefix string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

func TestConformance(t *testing.T) {
	url := serverURL(t)
	frontiertest.Run(t, frontiertest.Harness{
		New: func(t *testing.T, opts frontier.Options) (frontier.Frontier, func() frontier.Frontier) {
			name := crawlName(t)
			rdb := client(t, url)
			f := redisfrontier.New(rdb, name, opts, nil)
			t.Cleanup(func() { dropCrawl(rdb, f.Prefix()); rdb.Close() })
			return f, func() frontier.Frontier {
				rdb := client(t, url)
				t.Cleanup(func() { rdb.Close() })
				return redisfrontier.New(rdb, name, opts, nil)
			}
		},
		Restart: func(t *testing.T, opts frontier.Options) (frontier.Frontier, func()) {
			srv := startServer(t)
			// go-redis's own retries (3 by default) would hide a short
			// restart; the frontier's waiting is under test.
			o, err := redis.ParseURL(srv.url())
			if err != nil {
				t.Fatal(err)
			}
			o.MaxRetries = -1
			rdb := redis.NewClient(o)
			t.Cleanup(func() { rdb.Close() })
			// The restart must have been felt: calls waited for the server.
			waits := &countHandler{msg: "frontier: redis unreachable, waiting"}
			t.Cleanup(func() {
				if waits.n.Load() == 0 {
					t.Error("no call waited for the restarting server")
				}
				t.Logf("%d calls waited for the restarting server", waits.n.Load())
			})
			return redisfrontier.New(rdb, crawlName(t), opts, slog.New(waits)), func() {
				t0 := time.Now()
				srv.stop(t)
				time.Sleep(time.Second) // workers find it gone
				srv.start(t)
				t.Logf("server away for %v", time.Since(t0).Round(time.Millisecond))
			}
		},
	})
}

// server is a redis-server of the test's own, keeping an append-only
// file in a temporary directory, so that a restart keeps its data.
type server struct {
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
}

func (s *server) url() string { return "redis://127.0.0.1:" + strconv.Itoa(s.port) + "/0" }

func startServer(t *testing.T) *server {
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
	s := &server{bin: bin, dir: t.TempDir(), port: port}
	s.start(t)
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *server) start(t *testing.T) {
	t.Helper()
	s.cmd = exec.Command(s.bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(s.port),
		"--dir", s.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
		"--logfile", filepath.Join(s.dir, "redis.log"))
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.port), time.Second)
		if err == nil {
			c.Close()
			rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(s.port)})
			err = rdb.Ping(context.Background()).Err()
			rdb.Close()
			if err == nil {
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

// stop shuts the server down as SIGTERM does: the append-only file is
// flushed.
func (s *server) stop(t *testing.T) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// countHandler counts the log records of one message.
type countHandler struct {
	msg string
	n   atomic.Int64
}

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.n.Add(1)
	}
	return nil
}
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countHandler) WithGroup(string) slog.Handler      { return h }
