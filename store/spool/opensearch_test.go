package spool

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarc/store"
	"newsarc/store/elastic"
	"newsarc/store/storetest"
)

// devNode is scripts/opensearch-dev, which starts and stops OpenSearch
// nodes.
var devNode = filepath.Join("..", "..", "scripts", "opensearch-dev")

// outagePort is the port of the node TestOutageOpenSearch starts and stops:
// its own, so that stopping it does not fail the tests of other packages
// that run at the same time against the node at ES_URL.
const outagePort = "9210"

// nodeCmd runs scripts/opensearch-dev with arg on the outage node and
// returns its stdout.
func nodeCmd(t testing.TB, arg string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, devNode, arg)
	cmd.Env = append(os.Environ(),
		"NEWSARC_OS_PORT="+outagePort,
		"NEWSARC_OS_HOME="+filepath.Join(cache, "newsarc", "opensearch-outage-test"))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", errors.New(strings.TrimSpace(err.Error() + ": " + stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// outageNode starts an OpenSearch node of the test's own with
// scripts/opensearch-dev and returns its URL; the node is stopped when the
// test ends, whatever happened. The test is gated like the others: it
// skips without ES_URL and fails under NEWSARC_REQUIRE_ES=1.
func outageNode(t testing.TB) string {
	t.Helper()
	storetest.ESURL(t) // gated like the other tests that need a server
	t.Cleanup(func() {
		if _, err := nodeCmd(t, "stop"); err != nil {
			t.Errorf("stop the outage node: %v", err)
		}
	})
	u, err := nodeCmd(t, "start")
	if err != nil {
		t.Fatalf("start an OpenSearch node on port %s: %v", outagePort, err)
	}
	return u
}

// TestOutageOpenSearch puts articles through the spool into a real
// OpenSearch node (scripts/opensearch-dev on a port of its own), stops the
// node in the middle of the stream, keeps putting, starts it again, and
// checks that every article is indexed exactly once (one record, version
// 1, no earlier versions, nothing set aside as rejected).
func TestOutageOpenSearch(t *testing.T) {
	ctx := t.Context()
	u := outageNode(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	cfg := elastic.DefaultConfig()
	cfg.URLs = []string{u}
	cfg.IndexPrefix = "newsarc-test-" + hex.EncodeToString(b)
	cfg.MaxRetries = 1
	es, err := elastic.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("elastic.Open: %v", err)
	}
	t.Cleanup(func() { storetest.DropESIndices(t, u, cfg.IndexPrefix) })
	// Registered after the index cleanup, so it runs before it: whatever
	// happens, the node is running again for the cleanup (and stopped by
	// the cleanup outageNode registered, which runs last).
	t.Cleanup(func() {
		if _, err := nodeCmd(t, "start"); err != nil {
			t.Errorf("restart the node: %v", err)
		}
	})
	dir := t.TempDir()
	s := mustNew(t, dir, es)

	arts := storetest.Articles(400)
	groups := [][]*store.Article{arts[:100], arts[100:200], arts[200:250], arts[250:350], arts[350:]}
	putAll := func(group []*store.Article) {
		t.Helper()
		for i := 0; i < len(group); i += 10 {
			mustPut(t, s, group[i:min(i+10, len(group))]...)
		}
	}
	// background runs a node command while the test keeps putting.
	background := func(arg string) <-chan error {
		done := make(chan error, 1)
		go func() {
			_, err := nodeCmd(t, arg)
			done <- err
		}()
		return done
	}

	putAll(groups[0]) // node up
	stopped := background("stop")
	putAll(groups[1]) // while the node goes down
	if err := <-stopped; err != nil {
		t.Fatalf("stop the node: %v", err)
	}
	putAll(groups[2]) // node down
	if s.Pending() == 0 {
		t.Fatal("nothing spooled while the node was down")
	}
	if _, err := s.Search(ctx, store.Query{}); !store.IsTransient(err) {
		t.Errorf("Search while the node is down: %v, want a transient error", err)
	}
	started := background("start")
	putAll(groups[3]) // while the node comes back
	if err := <-started; err != nil {
		t.Fatalf("start the node: %v", err)
	}
	putAll(groups[4]) // node up, spool draining

	deadline := time.Now().Add(2 * time.Minute)
	for {
		err := s.Flush(ctx)
		if err == nil {
			break
		}
		if !store.IsTransient(err) || time.Now().After(deadline) {
			t.Fatalf("Flush after the restart: %v", err)
		}
	}
	if n := s.Pending(); n != 0 {
		t.Fatalf("Pending = %d after Flush", n)
	}

	seen := map[string]int{}
	err = s.Scan(ctx, store.Query{}, func(a *store.Article) error {
		seen[a.ID]++
		if a.Version != 1 {
			t.Errorf("article %s has version %d, want 1: put more than once", a.ID, a.Version)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if len(seen) != len(arts) {
		t.Errorf("%d articles indexed, want %d", len(seen), len(arts))
	}
	var missing []int
	for i, a := range arts {
		if seen[a.ID] != 1 {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		t.Errorf("articles %v indexed not exactly once", missing)
		for _, p := range []string{"/_cat/indices?v", "/_cat/aliases?v"} {
			res, err := http.Get(u + p)
			if err == nil {
				var sb strings.Builder
				_, _ = io.Copy(&sb, res.Body)
				res.Body.Close()
				t.Logf("%s:\n%s", p, sb.String())
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, rejectedFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("articles were set aside as rejected (%v): an outage error was taken for a permanent one", err)
	}
	if vs, err := s.Versions(ctx, arts[150].ID); err != nil || len(vs) != 0 {
		t.Errorf("Versions of a spooled article: %d, %v; want none", len(vs), err)
	}
}
