package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"newsarc/crawler/samplesite"
	"newsarc/export"
	"newsarc/store"
	"newsarc/web"
)

// deadline bounds every wait of these tests: generous, so that a loaded
// machine is slow, not failing.
const deadline = 90 * time.Second

// ownerBin builds the program, or skips where it cannot run processes.
func ownerBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the program: not in -short")
	}
	bin, err := buildNewsarc()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// runBin runs the program as its own process and returns its standard
// output and error; a failure fails the test.
func runBin(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "NEWSARC_DATA=")
	if err := cmd.Run(); err != nil {
		t.Fatalf("newsarc %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// daemon is a newsarc process running in the background.
type daemon struct {
	cmd    *exec.Cmd
	addr   chan string // the address serve prints
	stderr *lockedBuffer
	waited chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startDaemon(t *testing.T, bin string, args ...string) *daemon {
	t.Helper()
	d := &daemon{cmd: exec.Command(bin, args...), addr: make(chan string, 1), stderr: &lockedBuffer{}, waited: make(chan error, 1)}
	d.cmd.Env = append(os.Environ(), "NEWSARC_DATA=")
	d.cmd.Stderr = d.stderr
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), " at http://"); ok {
				select {
				case d.addr <- strings.Fields(rest)[0]:
				default:
				}
			}
		}
		d.waited <- d.cmd.Wait()
	}()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			d.cmd.Process.Kill()
			<-d.waited
		}
	})
	return d
}

// stop stops the daemon as Ctrl-C does and waits for it to exit.
func (d *daemon) stop(t *testing.T) {
	t.Helper()
	d.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-d.waited:
		if err != nil {
			t.Fatalf("daemon: %v\n%s", err, d.stderr.String())
		}
	case <-time.After(deadline):
		t.Fatalf("daemon did not stop\n%s", d.stderr.String())
	}
}

// waitOwner polls the data directory until the daemon's owner record is
// there.
func waitOwner(t *testing.T, d *daemon, data string) ownerRecord {
	t.Helper()
	end := time.Now().Add(deadline)
	for time.Now().Before(end) {
		rec, _ := readOwner(Config{Data: data})
		if rec != nil && rec.PID == d.cmd.Process.Pid {
			return *rec
		}
		select {
		case err := <-d.waited:
			t.Fatalf("daemon exited: %v\n%s", err, d.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no owner record in %s\n%s", data, d.stderr.String())
	return ownerRecord{}
}

// TestServeScheduleSharesArchive runs `serve --schedule` on the fixture
// site with a run every two seconds and, while runs are in progress, runs
// search, export, runs, replay and check as processes of their own against
// the same data directory: each succeeds, through the process that owns
// the archive, with what the same command says once serve has stopped.
func TestServeScheduleSharesArchive(t *testing.T) {
	bin := ownerBin(t)
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfgPath := filepath.Join(dir, "newsarc.yaml")
	cfgYAML := fmt.Sprintf(`data: %s
crawler:
  delay: 0s
sites:
  - name: sample
    seeds: [%s/]
    schedule: "@every 2s"
    timezone: Asia/Shanghai
`, data, srv.URL)
	if err := os.WriteFile(cfgPath, []byte(cfgYAML), 0o644); err != nil {
		t.Fatal(err)
	}

	d := startDaemon(t, bin, "serve", "--schedule", "--config", cfgPath, "--addr", "127.0.0.1:0")
	var addr string
	select {
	case addr = <-d.addr:
	case err := <-d.waited:
		t.Fatalf("serve exited: %v\n%s", err, d.stderr.String())
	case <-time.After(deadline):
		t.Fatalf("serve printed no address\n%s", d.stderr.String())
	}
	rec := waitOwner(t, d, data)
	if rec.Command != "serve --schedule" || rec.Network != "unix" {
		t.Errorf("owner record %+v", rec)
	}
	if fi, err := os.Stat(rec.Address); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket %s: %v %v, want mode 0600", rec.Address, fi.Mode(), err)
	}

	// A first run is recorded: the archive holds the site.
	end := time.Now().Add(deadline)
	for {
		out, _ := runBin(t, bin, "runs", "--data", data, "--json")
		var runs []runRecord
		if err := json.Unmarshal([]byte(out), &runs); err != nil {
			t.Fatalf("runs --json: %v\n%s", err, out)
		}
		if len(runs) > 0 {
			if runs[0].Status != "ok" {
				t.Fatalf("first run: %+v", runs[0])
			}
			break
		}
		if time.Now().After(end) {
			t.Fatalf("no run recorded\n%s", d.stderr.String())
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}

	// Wait for a later run to be in progress, as the UI's API shows it.
	end = time.Now().Add(deadline)
	for {
		if r := apiRuns(t, addr); len(r.Runs) > 0 && r.Runs[0].Running {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("no run seen in progress\n%s", d.stderr.String())
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}

	during := sharedCommands(t, bin, data, filepath.Join(dir, "during.parquet"))
	d.stop(t)
	if _, err := os.Stat(filepath.Join(data, ownerFile)); !os.IsNotExist(err) {
		t.Errorf("owner record left after a clean exit: %v", err)
	}
	if _, err := os.Stat(rec.Address); !os.IsNotExist(err) {
		t.Errorf("socket left after a clean exit: %v", err)
	}
	after := sharedCommands(t, bin, data, filepath.Join(dir, "after.parquet"))

	if during.total == 0 || during.total != after.total || !slices.Equal(during.ids, after.ids) {
		t.Errorf("search while serving: %d %v; after: %d %v", during.total, during.ids, after.total, after.ids)
	}
	if during.exported != after.exported || during.exported != after.archived || during.exported != during.archived {
		t.Errorf("exported %d while serving, %d after; the archive holds %d (%d while serving)", during.exported, after.exported, after.archived, during.archived)
	}
	if during.sha != after.sha {
		t.Errorf("export while serving differs from the export after: sha256 %s, %s", during.sha, after.sha)
	}
	if n := len(during.runs); n == 0 || n > len(after.runs) || !slices.Equal(during.runs, after.runs[len(after.runs)-n:]) {
		t.Errorf("runs while serving are not those recorded:\n%v\nafter:\n%v", during.runs, after.runs)
	}
	if !bytes.Equal(during.replay, after.replay) || len(during.replay) == 0 {
		t.Errorf("replay while serving: %d bytes; after: %d bytes", len(during.replay), len(after.replay))
	}
	if !strings.Contains(during.check, "No problems found.") {
		t.Errorf("check while serving:\n%s", during.check)
	}
}

func apiRuns(t *testing.T, addr string) (r struct{ Runs []web.Run }) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/runs")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/runs: %s %v", resp.Status, err)
	}
	return r
}

// shared is what the commands that share the archive said.
type shared struct {
	total    int
	ids      []string
	exported int
	archived int
	sha      string
	runs     []string // each run as JSON, newest first
	replay   []byte
	check    string
}

// sharedCommands runs search, export, runs, replay and check against data,
// each as a process of its own, at once.
func sharedCommands(t *testing.T, bin, data, parquet string) shared {
	t.Helper()
	var s shared
	var url string
	{
		out, _ := runBin(t, bin, "search", "--data", data, "--json", "-n", "50", "主权")
		var res store.Results
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("search --json: %v\n%s", err, out)
		}
		s.total = res.Total
		for _, h := range res.Hits {
			s.ids = append(s.ids, h.Article.ID)
		}
		slices.Sort(s.ids)
		if len(res.Hits) > 0 {
			url = res.Hits[0].Article.URL
		}
	}
	if url == "" {
		t.Fatal("search found nothing to replay")
	}
	var wg sync.WaitGroup
	do := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	do(func() {
		_, errOut := runBin(t, bin, "export", "--data", data, "--format", "parquet", "--out", parquet)
		b, err := os.ReadFile(export.ManifestPath(parquet))
		if err != nil {
			t.Errorf("export manifest: %v\n%s", err, errOut)
			return
		}
		var m export.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("export manifest: %v", err)
		}
		s.exported, s.sha = m.Count, m.SHA256
	})
	do(func() {
		out, _ := runBin(t, bin, "search", "--data", data, "--json", "-n", "1", "--site", "sample")
		var res store.Results
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Errorf("search --site: %v", err)
		}
		s.archived = res.Total
	})
	do(func() {
		out, _ := runBin(t, bin, "runs", "--data", data, "--json", "-n", "0")
		var runs []json.RawMessage
		if err := json.Unmarshal([]byte(out), &runs); err != nil {
			t.Errorf("runs --json: %v", err)
		}
		for _, r := range runs {
			var b bytes.Buffer
			json.Compact(&b, r)
			s.runs = append(s.runs, b.String())
		}
	})
	do(func() {
		out, _ := runBin(t, bin, "replay", "--data", data, url)
		s.replay = []byte(out)
	})
	do(func() {
		s.check, _ = runBin(t, bin, "check", "--data", data)
	})
	wg.Wait()
	return s
}

// TestOwnerKilled: a crawl started from another process runs in the owner;
// then the owner dies by SIGKILL, leaving its record, and the next command
// removes the stale record and opens the archive itself.
func TestOwnerKilled(t *testing.T) {
	bin := ownerBin(t)
	srv := httptest.NewServer(samplesite.New().Handler())
	defer srv.Close()
	data := t.TempDir()

	d := startDaemon(t, bin, "serve", "--data", data, "--addr", "127.0.0.1:0")
	rec := waitOwner(t, d, data)
	out, _ := runBin(t, bin, "crawl", "--data", data, "--delay", "0", "--quiet", srv.URL+"/")
	if !strings.Contains(out, "pages fetched") {
		t.Errorf("crawl through the owner printed no summary:\n%s", out)
	}

	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.waited
	if _, err := os.Stat(filepath.Join(data, ownerFile)); err != nil {
		t.Fatalf("the killed owner's record should be left: %v", err)
	}

	out, errOut := runBin(t, bin, "search", "--data", data, "主权")
	if !strings.Contains(out, "主权") || !strings.Contains(errOut, fmt.Sprintf("removed the stale owner record of process %d", rec.PID)) {
		t.Errorf("search after the owner died:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
	for _, f := range []string{ownerFile, socketFile} {
		if _, err := os.Stat(filepath.Join(data, f)); !os.IsNotExist(err) {
			t.Errorf("%s left after the stale record was removed: %v", f, err)
		}
	}
}

// TestOwnerTCPFallback: a data directory whose socket path would be too
// long for a Unix socket gets a loopback port and a token file of mode
// 0600; a client finds it, and the record goes on Close.
func TestOwnerTCPFallback(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, strings.Repeat("d", 120))
	cfg := DefaultConfig()
	cfg.Data = data
	ctx := context.Background()
	a, err := openArchive(ctx, cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.store.Put(ctx, &store.Article{ID: "a1", URL: "https://x.example/1", Site: "x", Title: "主权 test", Text: "主权"}); err != nil {
		t.Fatal(err)
	}
	o, err := claimOwner(ctx, a, "test", nil, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := readOwner(cfg)
	if rec == nil || rec.Network != "tcp" || rec.TokenFile == "" {
		t.Fatalf("record %+v, want tcp with a token file", rec)
	}
	if fi, err := os.Stat(rec.TokenFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file: %v %v", fi.Mode(), err)
	}
	// Without the token, nothing.
	resp, err := http.Get("http://" + rec.Address + "/owner")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the token: %s", resp.Status)
	}
	oc, err := findOwner(ctx, cfg, io.Discard)
	if err != nil || oc == nil {
		t.Fatalf("findOwner: %v %v", oc, err)
	}
	res, err := oc.store().Search(ctx, store.Query{Site: "x"})
	if err != nil || res.Total != 1 {
		t.Fatalf("search through the owner: %v %v", res, err)
	}
	if _, err := oc.store().Get(ctx, "nope"); !errorsIs(err, store.ErrNotFound) {
		t.Errorf("get of a missing ID: %v, want store.ErrNotFound", err)
	}
	o.Close()
	for _, f := range []string{ownerFile, tokenFile} {
		if _, err := os.Stat(filepath.Join(data, f)); !os.IsNotExist(err) {
			t.Errorf("%s left after Close: %v", f, err)
		}
	}
}

// TestStaleOwnerRecord: a record naming a process that no longer runs is
// removed by the next command, which then runs by itself.
func TestStaleOwnerRecord(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	data := t.TempDir()
	cfg := Config{Data: data}
	b, _ := json.Marshal(ownerRecord{PID: cmd.Process.Pid, Started: time.Now(), Command: "serve", Network: "unix", Address: filepath.Join(data, socketFile)})
	if err := os.WriteFile(ownerPath(cfg), b, 0o644); err != nil {
		t.Fatal(err)
	}
	var msg bytes.Buffer
	oc, err := findOwner(context.Background(), cfg, &msg)
	if err != nil || oc != nil {
		t.Fatalf("findOwner = %v, %v; want none", oc, err)
	}
	if !strings.Contains(msg.String(), "stale owner record") {
		t.Errorf("no word of the stale record: %q", msg.String())
	}
	if _, err := os.Stat(ownerPath(cfg)); !os.IsNotExist(err) {
		t.Errorf("stale record not removed: %v", err)
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
