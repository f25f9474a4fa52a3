package main

// One process owns an archive: the process that opens it for writing
// (crawl, schedule, serve, demo --keep) records in the data directory who
// it is and where its local API listens, and the other commands (search,
// export, runs, replay, check, crawl) run through it instead of waiting
// for the embedded store's lock. This file holds the record, the API the
// owner serves and the client the others use.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"newsarc/crawler"
	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/remote"
	"newsarc/store/warc"
)

// Files of the owner in the data directory.
const (
	ownerFile  = "owner.json"
	socketFile = "newsarc.sock"
	tokenFile  = "owner.token"
	// maxSocketPath is the longest Unix socket path every platform takes
	// (sun_path is 108 bytes on Linux, 104 on the BSDs, with its NUL).
	maxSocketPath = 103
)

// ownerRecord says which process owns the archive and how to reach it.
type ownerRecord struct {
	PID     int       `json:"pid"`
	Started time.Time `json:"started"` // when the process opened the archive
	Command string    `json:"command"` // e.g. "serve --schedule"
	// ProcStart is the process's start time as the kernel counts it
	// (/proc/PID/stat), so that a PID used again by another process is
	// not taken for the owner; empty where unknown.
	ProcStart string `json:"proc_start,omitempty"`
	Network   string `json:"network"` // "unix" or "tcp"
	Address   string `json:"address"` // the socket's path, or host:port on loopback
	// TokenFile, for "tcp", names the file (mode 0600) holding the bearer
	// token every request must carry.
	TokenFile string `json:"token_file,omitempty"`
}

func (r ownerRecord) String() string {
	return fmt.Sprintf("process %d (newsarc %s, since %s)", r.PID, r.Command, r.Started.Local().Format(time.DateTime))
}

func ownerPath(cfg Config) string { return filepath.Join(cfg.Data, ownerFile) }

// readOwner returns the owner record of cfg.Data, or nil when there is none.
func readOwner(cfg Config) (*ownerRecord, error) {
	b, err := os.ReadFile(ownerPath(cfg))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("owner record: %w", err)
	}
	var r ownerRecord
	if err := json.Unmarshal(b, &r); err != nil || r.PID <= 0 {
		// A torn or foreign file names nobody: treat it as stale.
		return &ownerRecord{}, nil
	}
	return &r, nil
}

// procStart returns the start time of process pid as /proc/PID/stat counts
// it, and whether the process is a zombie (dead, not yet reaped); ok is
// false where /proc does not say.
func procStart(pid int) (start string, zombie, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false, false
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", false, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return "", false, false
	}
	return f[19], f[0] == "Z", true // state is field 3, starttime field 22
}

// alive reports whether the process r names still runs.
func (r *ownerRecord) alive() bool {
	if r.PID <= 0 {
		return false
	}
	if err := syscall.Kill(r.PID, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	start, zombie, ok := procStart(r.PID)
	if ok && (zombie || (r.ProcStart != "" && start != r.ProcStart)) {
		return false
	}
	return true
}

// removeOwnerFiles removes the record, the socket and the token file.
func removeOwnerFiles(cfg Config) {
	for _, f := range []string{ownerFile, socketFile, tokenFile} {
		os.Remove(filepath.Join(cfg.Data, f))
	}
}

// errOwnerUnreachable is wrapped when a live owner does not answer.
var errOwnerUnreachable = errors.New("the process that holds the archive does not answer")

// ownerHeldError says who holds the archive and what to do.
type ownerHeldError struct {
	data string
	rec  *ownerRecord // nil: a process that left no record
	err  error
}

func (e *ownerHeldError) Error() string {
	if e.rec == nil {
		return fmt.Sprintf("the archive in %s is in use by another process that left no owner record (a newsarc older than this one?): stop it, then run the command again (%v)", e.data, e.err)
	}
	return fmt.Sprintf("the archive in %s is held by %s, which does not answer on %s (%v): wait for it to finish or stop it (kill %d), then run the command again",
		e.data, e.rec, e.rec.Address, e.err, e.rec.PID)
}

func (e *ownerHeldError) Unwrap() error { return e.err }

// findOwner returns a client of the process that owns cfg's archive, or
// nil when none does. A record left by a process that no longer runs is
// removed, saying so on stderr. A live owner that does not answer is an
// error that names it.
func findOwner(ctx context.Context, cfg Config, stderr io.Writer) (*ownerClient, error) {
	if cfg.Store.Type != "" && cfg.Store.Type != "bleve" {
		return nil, nil // a cluster serves every process itself
	}
	rec, err := readOwner(cfg)
	if err != nil || rec == nil {
		return nil, err
	}
	if !rec.alive() {
		removeOwnerFiles(cfg)
		if rec.PID > 0 {
			fmt.Fprintf(stderr, "newsarc: removed the stale owner record of %s: it no longer runs\n", rec)
		}
		return nil, nil
	}
	oc, err := dialOwner(cfg, rec)
	if err == nil {
		err = oc.ping(ctx)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &ownerHeldError{data: cfg.Data, rec: rec, err: fmt.Errorf("%w: %w", errOwnerUnreachable, err)}
	}
	return oc, nil
}

// heldError turns an open that found the archive in use into an error
// that names the holder; other errors pass unchanged.
func heldError(cfg Config, err error) error {
	if !errors.Is(err, bleve.ErrInUse) {
		return err
	}
	rec, _ := readOwner(cfg)
	if rec != nil && rec.PID <= 0 {
		rec = nil
	}
	return &ownerHeldError{data: cfg.Data, rec: rec, err: err}
}

// openReader returns the archive of cfg for reading: through the process
// that owns it when one does, else opened here.
func openReader(ctx context.Context, cfg Config, stderr io.Writer) (store.Store, error) {
	oc, err := findOwner(ctx, cfg, stderr)
	if err != nil {
		return nil, err
	}
	if oc != nil {
		return oc.store(), nil
	}
	st, err := openReadStore(ctx, cfg)
	if errors.Is(err, bleve.ErrInUse) {
		// Opened by another process meanwhile: its record follows the open.
		if oc, ferr := findOwner(ctx, cfg, stderr); ferr == nil && oc != nil {
			return oc.store(), nil
		}
	}
	return st, err
}

// owner is the local API of the process that owns an archive.
type owner struct {
	cfg  Config
	rec  ownerRecord
	srv  *http.Server
	done chan struct{}
}

// claimOwner records this process as the owner of a's archive, which it
// has open, and serves the local API: on a Unix socket in the data
// directory (mode 0600), or, when its path is too long for one, on a
// loopback port with a token in a file readable by the owner only. ui,
// when not nil, is served under the API's other paths (the web API).
func claimOwner(ctx context.Context, a *archive, command string, ui http.Handler, log *slog.Logger) (*owner, error) {
	cfg := a.cfg
	// This process holds the archive: any record is a dead process's.
	removeOwnerFiles(cfg)
	rec := ownerRecord{PID: os.Getpid(), Started: time.Now().UTC().Truncate(time.Second), Command: command}
	if start, _, ok := procStart(rec.PID); ok {
		rec.ProcStart = start
	}
	var (
		ln    net.Listener
		token string
		err   error
	)
	sock := filepath.Join(cfg.Data, socketFile)
	if abs, aerr := filepath.Abs(sock); aerr == nil {
		sock = abs
	}
	if tmp := sock + fmt.Sprintf(".%d", os.Getpid()); len(tmp) <= maxSocketPath {
		// Bound under a temporary name, made private, then renamed into
		// place: the socket is never reachable by others at its known
		// name. Close leaves the file to removeOwnerFiles.
		os.Remove(tmp)
		var l net.Listener
		l, err = net.Listen("unix", tmp)
		if err == nil {
			l.(*net.UnixListener).SetUnlinkOnClose(false)
			if err = os.Chmod(tmp, 0o600); err == nil {
				err = os.Rename(tmp, sock)
			}
			if err != nil {
				l.Close()
				os.Remove(tmp)
				return nil, fmt.Errorf("owner socket: %w", err)
			}
			ln = l
			rec.Network, rec.Address = "unix", sock
		}
	}
	if ln == nil {
		// Too long a path (or no Unix sockets here): loopback TCP, and a
		// token only this user can read.
		b := make([]byte, 24)
		rand.Read(b)
		token = hex.EncodeToString(b)
		tf := filepath.Join(cfg.Data, tokenFile)
		if err := writeFileAtomic(tf, []byte(token+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("owner token: %w", err)
		}
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("owner API: %w", err)
		}
		rec.Network, rec.Address, rec.TokenFile = "tcp", ln.Addr().String(), tf
	}
	o := &owner{cfg: cfg, rec: rec, done: make(chan struct{})}
	o.srv = &http.Server{
		Handler:           ownerHandler(a, rec, token, ui, log),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	go func() {
		defer close(o.done)
		if err := o.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("owner API", "err", err)
		}
	}()
	b, _ := json.MarshalIndent(rec, "", "  ")
	if err := writeFileAtomic(ownerPath(cfg), append(b, '\n'), 0o644); err != nil {
		o.srv.Close()
		removeOwnerFiles(cfg)
		return nil, fmt.Errorf("owner record: %w", err)
	}
	log.Info("owner API", "network", rec.Network, "address", rec.Address)
	return o, nil
}

// Close stops the local API, waiting a little for requests in flight, and
// removes the record, the socket and the token file.
func (o *owner) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.srv.Shutdown(ctx); err != nil {
		o.srv.Close()
	}
	<-o.done
	if rec, err := readOwner(o.cfg); err == nil && rec != nil && rec.PID == o.rec.PID {
		removeOwnerFiles(o.cfg)
	}
	return nil
}

func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// ownerRuns is the answer of GET /owner/runs.
type ownerRuns struct {
	Recorded []runRecord  `json:"recorded"` // oldest first, as the run log holds them
	Running  []runningRun `json:"running"`
}

// replayRead is the body of POST /owner/replay/read.
type replayRead struct {
	Capture store.Capture `json:"capture"`
}

// crawlRequest is the body of POST /owner/crawl: what `newsarc crawl`
// would crawl, with its flags' overrides of the crawler's config.
type crawlRequest struct {
	Sites    []crawler.Site `json:"sites"`
	Trigger  string         `json:"trigger"`
	Delay    *time.Duration `json:"delay,omitempty"`
	MaxPages int            `json:"max_pages,omitempty"`
	MaxDepth int            `json:"max_depth,omitempty"`
}

// crawlFrame is one line of the answer to POST /owner/crawl.
type crawlFrame struct {
	Progress *crawler.Stats `json:"progress,omitempty"`
	Done     *crawler.Stats `json:"done,omitempty"`
	Result   *crawlResult   `json:"result,omitempty"`
}

type crawlResult struct {
	Stats []crawler.Stats `json:"stats"`
	Error string          `json:"error,omitempty"`
	Kind  string          `json:"kind,omitempty"` // "failed", "interrupted", "disk_full" or ""
}

// checkWire is the answer of POST /owner/check: a checkReport.
type checkWire struct {
	Archive   *bleve.Report `json:"archive,omitempty"`
	Records   int           `json:"records"`
	Warc      *warc.Report  `json:"warc,omitempty"` // without faults: they are among the problems
	Captures  int           `json:"captures"`
	NoCapture int           `json:"no_capture"`
	Problems  []struct {
		Part, ID, Detail, Hint string
	} `json:"problems"`
}

func (r *checkReport) wire() checkWire {
	w := checkWire{Archive: r.archive, Records: r.records, Captures: r.captures, NoCapture: r.noCapture}
	if r.warc != nil {
		w.Warc = &warc.Report{Files: r.warc.Files, Records: r.warc.Records}
	}
	for _, p := range r.problems {
		w.Problems = append(w.Problems, struct{ Part, ID, Detail, Hint string }{p.part, p.id, p.detail, p.hint})
	}
	return w
}

func (w checkWire) report() *checkReport {
	r := &checkReport{archive: w.Archive, records: w.Records, warc: w.Warc, captures: w.Captures, noCapture: w.NoCapture}
	for _, p := range w.Problems {
		r.problems = append(r.problems, checkProblem{part: p.Part, id: p.ID, detail: p.Detail, hint: p.Hint})
	}
	return r
}

// ownerHandler serves the owner's local API:
//
//	GET  /owner               the owner record
//	     /owner/store/...     the archive's reads (package remote)
//	GET  /owner/runs          recorded and running crawls
//	GET  /owner/replay/index  the WARC index
//	POST /owner/replay/read   one archived response
//	POST /owner/check         `newsarc check` of the open archive
//	POST /owner/crawl         a crawl in the owner, its progress streamed
//
// and ui, when given, under every other path. With a token, every request
// must carry it.
func ownerHandler(a *archive, rec ownerRecord, token string, ui http.Handler, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /owner", func(w http.ResponseWriter, r *http.Request) { ownerJSON(w, rec, nil) })
	mux.Handle("/owner/store/", http.StripPrefix("/owner/store", remote.Handler(a.store)))
	mux.HandleFunc("GET /owner/runs", func(w http.ResponseWriter, r *http.Request) {
		recorded, err := readRuns(runLogPath(a.cfg))
		ownerJSON(w, ownerRuns{Recorded: recorded, Running: a.live.list()}, err)
	})
	mux.HandleFunc("GET /owner/replay/index", func(w http.ResponseWriter, r *http.Request) {
		entries, err := warc.Index(warcDir(a.cfg))
		ownerJSON(w, entries, err)
	})
	mux.HandleFunc("POST /owner/replay/read", func(w http.ResponseWriter, r *http.Request) {
		var req replayRead
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			ownerJSON(w, nil, err)
			return
		}
		resp, err := warc.Read(warcDir(a.cfg), req.Capture)
		ownerJSON(w, resp, err)
	})
	mux.HandleFunc("POST /owner/check", func(w http.ResponseWriter, r *http.Request) {
		rep, err := checkArchive(r.Context(), a.cfg, a.store)
		if err != nil {
			ownerJSON(w, nil, err)
			return
		}
		ownerJSON(w, rep.wire(), nil)
	})
	mux.HandleFunc("POST /owner/crawl", func(w http.ResponseWriter, r *http.Request) {
		var req crawlRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			ownerJSON(w, nil, err)
			return
		}
		ownerCrawl(r.Context(), a, req, w, log)
	})
	if ui != nil {
		mux.Handle("/", ui)
	}
	if token == "" {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "owner token required", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

type ownerErrorBody struct {
	Error string `json:"error"`
}

func ownerJSON(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(ownerErrorBody{Error: err.Error()})
		return
	}
	json.NewEncoder(w).Encode(v)
}

// ownerCrawl runs a crawl asked for by another process, streaming its
// progress as crawl frames. The crawl stops when the asker goes away.
func ownerCrawl(ctx context.Context, a *archive, req crawlRequest, w http.ResponseWriter, log *slog.Logger) {
	ccfg := a.cfg.Crawler
	if req.Delay != nil {
		ccfg.Delay = *req.Delay
	}
	if req.MaxPages > 0 {
		ccfg.MaxPages = req.MaxPages
	}
	if req.MaxDepth > 0 {
		ccfg.MaxDepth = req.MaxDepth
	}
	if req.Trigger == "" {
		req.Trigger = "manual"
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	rc := http.NewResponseController(w)
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	send := func(f crawlFrame) {
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(f)
		rc.Flush()
	}
	watch := funcWatcher{
		onUpdate: func(s crawler.Stats) { send(crawlFrame{Progress: &s}) },
		onDone:   func(s crawler.Stats) { send(crawlFrame{Done: &s}) },
	}
	stats, err := a.crawlWith(ctx, ccfg, req.Sites, req.Trigger, watch)
	res := &crawlResult{Stats: stats}
	if err != nil {
		res.Error = err.Error()
		var full *store.DiskFullError
		switch {
		case errors.Is(err, context.Canceled):
			res.Kind = "interrupted"
		case errors.As(err, &full):
			res.Kind = "disk_full"
		case errors.Is(err, errCrawlFailed):
			res.Kind = "failed"
		}
		log.Info("crawl for another process ended", "err", err)
	}
	send(crawlFrame{Result: res})
}

// ownerClient talks to the process that owns an archive.
type ownerClient struct {
	rec   ownerRecord
	c     *http.Client
	base  string
	token string
}

// dialOwner returns a client of the owner rec describes.
func dialOwner(cfg Config, rec *ownerRecord) (*ownerClient, error) {
	oc := &ownerClient{rec: *rec}
	tr := &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
	switch rec.Network {
	case "unix":
		addr := rec.Address
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", addr)
		}
		oc.base = "http://newsarc-owner"
	case "tcp":
		host, _, err := net.SplitHostPort(rec.Address)
		if err != nil || !net.ParseIP(host).IsLoopback() {
			return nil, fmt.Errorf("owner address %q: want a loopback address", rec.Address)
		}
		tf := rec.TokenFile
		if tf == "" {
			tf = filepath.Join(cfg.Data, tokenFile)
		}
		b, err := os.ReadFile(tf)
		if err != nil {
			return nil, fmt.Errorf("owner token: %w", err)
		}
		oc.token = strings.TrimSpace(string(b))
		oc.base = "http://" + rec.Address
	default:
		return nil, fmt.Errorf("owner network %q: want unix or tcp", rec.Network)
	}
	oc.c = &http.Client{Transport: tokenTransport{tr, oc.token}}
	return oc, nil
}

// tokenTransport adds the owner's token to each request.
type tokenTransport struct {
	rt    http.RoundTripper
	token string
}

func (t tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+t.token)
	}
	return t.rt.RoundTrip(r)
}

func (oc *ownerClient) store() store.Store { return remote.New(oc.c, oc.base+"/owner/store") }

// call sends in (when not nil) to path and decodes the answer into out.
func (oc *ownerClient) call(ctx context.Context, method, path string, in, out any) error {
	resp, err := oc.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("owner %d: %s: %w", oc.rec.PID, path, err)
	}
	return nil
}

func (oc *ownerClient) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, oc.base+path, body)
	if err != nil {
		return nil, err
	}
	resp, err := oc.c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("owner %d: %s: %w", oc.rec.PID, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		var e ownerErrorBody
		if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e) == nil && e.Error != "" {
			return nil, errors.New(e.Error)
		}
		return nil, fmt.Errorf("owner %d: %s: %s", oc.rec.PID, path, resp.Status)
	}
	return resp, nil
}

// ping checks that the owner answers and is the process its record names.
func (oc *ownerClient) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var rec ownerRecord
	if err := oc.call(ctx, http.MethodGet, "/owner", nil, &rec); err != nil {
		return err
	}
	if rec.PID != oc.rec.PID {
		return fmt.Errorf("the API answers for process %d, not %d", rec.PID, oc.rec.PID)
	}
	return nil
}

func (oc *ownerClient) runs(ctx context.Context) (ownerRuns, error) {
	var r ownerRuns
	err := oc.call(ctx, http.MethodGet, "/owner/runs", nil, &r)
	return r, err
}

func (oc *ownerClient) replayIndex(ctx context.Context) ([]warc.Entry, error) {
	var e []warc.Entry
	err := oc.call(ctx, http.MethodGet, "/owner/replay/index", nil, &e)
	return e, err
}

func (oc *ownerClient) replayRead(ctx context.Context, c store.Capture) (*warc.Response, error) {
	var r warc.Response
	if err := oc.call(ctx, http.MethodPost, "/owner/replay/read", replayRead{Capture: c}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func (oc *ownerClient) check(ctx context.Context) (*checkReport, error) {
	var w checkWire
	if err := oc.call(ctx, http.MethodPost, "/owner/check", nil, &w); err != nil {
		return nil, err
	}
	return w.report(), nil
}

// ownerCrawlError is a crawl's error as the owner reported it: its message,
// and the condition it wrapped.
type ownerCrawlError struct {
	msg  string
	kind string
}

func (e *ownerCrawlError) Error() string { return e.msg }

func (e *ownerCrawlError) Unwrap() error {
	switch e.kind {
	case "interrupted":
		return context.Canceled
	case "failed":
		return errCrawlFailed
	}
	return nil
}

// crawl has the owner crawl req's sites, showing progress on p (when not
// nil) as it comes, and returns the stats and error the owner's crawl did.
func (oc *ownerClient) crawl(ctx context.Context, req crawlRequest, w crawlWatcher) ([]crawler.Stats, error) {
	resp, err := oc.send(ctx, http.MethodPost, "/owner/crawl", req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var f crawlFrame
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			return nil, fmt.Errorf("owner %d: crawl: %w", oc.rec.PID, err)
		}
		switch {
		case f.Progress != nil && w != nil:
			w.update(*f.Progress)
		case f.Done != nil && w != nil:
			w.done(*f.Done)
		case f.Result != nil:
			if f.Result.Error != "" {
				return f.Result.Stats, &ownerCrawlError{msg: f.Result.Error, kind: f.Result.Kind}
			}
			return f.Result.Stats, nil
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("owner %d: crawl: the answer was cut short (%v): see newsarc runs", oc.rec.PID, sc.Err())
}
