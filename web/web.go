// Package web owns newsarc's HTTP interface: a read-only JSON API over a
// store.Store (search with facets and highlights, articles, their versions
// and diffs, raw captures as downloads, dataset exports), an optional admin
// hook behind a bearer token, and the embedded search UI (static HTML, CSS
// and JavaScript, no build step) with its security headers. It leaves
// storage and search to package store and its backends, exports to the
// Export function its caller passes, and listening to the caller.
package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"

	"golang.org/x/text/language"

	"newsarc/store"
)

// ExportRequest is what GET /api/export asks of Options.Export.
type ExportRequest struct {
	Query    store.Query // the articles; Limit and Offset are zero
	Format   string      // "jsonl", "csv" or "parquet"
	Collapse bool        // one record per reprint group (store.GroupOf)
}

// Options configure a Handler. The zero Options serve the read-only API
// and the UI, without exports or admin endpoints.
type Options struct {
	// Export, when set, serves GET /api/export: it writes every article
	// matching req.Query to w in req.Format, streaming. cmd/newsarc passes
	// a wrapper of export.Run.
	Export func(ctx context.Context, req ExportRequest, w io.Writer) error
	// AdminToken and Admin, when both set, serve POST /api/admin/crawl,
	// which requires "Authorization: Bearer <AdminToken>" and calls Admin
	// with the site named in the request. Admin should start the work and
	// return; it may return ErrUnknownSite or ErrBusy.
	AdminToken string
	Admin      func(ctx context.Context, site string) error
	// Hosts, when set, are the only host names (without port) the Host
	// header of a request may carry; others get 421 Misdirected Request.
	// A server on loopback sets them to its own names, so that a web page
	// elsewhere cannot reach it through a name it rebinds to 127.0.0.1
	// (DNS rebinding).
	Hosts []string
	// Runs, when set, serves GET /api/runs (?limit=N): the crawls running
	// and recorded, with Sites and whether the admin endpoint is on, for
	// the UI's runs page.
	Runs RunsFunc
	// Sites names the sites an admin may start a crawl of.
	Sites []string
	// Logger receives request failures; nil discards them.
	Logger *slog.Logger
}

// Errors an Admin hook returns for the API to map to a status.
var (
	ErrUnknownSite = errors.New("web: unknown site") // 404 Not Found
	ErrBusy        = errors.New("web: busy")         // 409 Conflict
)

// RawReader is implemented by stores that keep the raw response of an
// article's current version (store/bleve does). Raw returns an error
// wrapping store.ErrNotFound when there is no such article or capture.
type RawReader interface {
	Raw(ctx context.Context, id string) ([]byte, error)
}

// Content Security Policies. Pages may load only our own script and style
// and are never framed; Trusted Types forbid every HTML-string sink, so the
// UI builds the DOM from text nodes only. API answers and captures allow
// nothing at all and are sandboxed should a browser render them.
const (
	pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; " +
		"require-trusted-types-for 'script'; trusted-types 'none'"
	apiCSP     = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; sandbox"
	captureCSP = "sandbox; default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
)

//go:embed static
var staticFS embed.FS

var indexPage = template.Must(template.ParseFS(staticFS, "static/index.html"))

// Handler serves the API and the UI. Create it with New.
type Handler struct {
	st   store.Store
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
}

// New returns the handler of the API and the UI over st.
func New(st store.Store, opts Options) *Handler {
	h := &Handler{st: st, opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(static)
	h.mux.Handle("/static/", readOnly(http.StripPrefix("/static/", noDirs(files))))
	h.mux.Handle("/{$}", readOnly(http.HandlerFunc(h.index)))

	h.mux.Handle("/api/search", readOnly(http.HandlerFunc(h.search)))
	h.mux.Handle("/api/articles/{id}", readOnly(http.HandlerFunc(h.article)))
	h.mux.Handle("/api/articles/{id}/versions", readOnly(http.HandlerFunc(h.versions)))
	h.mux.Handle("/api/articles/{id}/diff", readOnly(http.HandlerFunc(h.diff)))
	h.mux.Handle("/api/articles/{id}/capture", readOnly(http.HandlerFunc(h.capture)))
	if opts.Export != nil {
		h.mux.Handle("/api/export", readOnly(http.HandlerFunc(h.export)))
	}
	if opts.Runs != nil {
		h.mux.Handle("/api/runs", readOnly(http.HandlerFunc(h.runs)))
	}
	if opts.AdminToken != "" && opts.Admin != nil {
		h.mux.HandleFunc("/api/admin/crawl", h.adminCrawl)
	}
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint")
	})
	return h
}

// ServeHTTP sets the security headers every answer carries and routes r.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.hostAllowed(r.Host) {
		writeError(w, http.StatusMisdirectedRequest, "unknown host name: open the address the server printed")
		return
	}
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		hd.Set("Content-Security-Policy", apiCSP)
		hd.Set("Cache-Control", "no-store")
	} else {
		hd.Set("Content-Security-Policy", pageCSP)
		hd.Set("Cache-Control", "no-cache")
	}
	rw := &answerWriter{ResponseWriter: w}
	defer h.recoverPanic(rw, r)
	h.mux.ServeHTTP(rw, r)
}

// recoverPanic turns a panic of a handler into a logged 500, or, when the
// answer has begun, into an aborted connection, so that a request that
// finds a bug is answered and logged with its URL and stack instead of
// leaving only net/http's log line. http.ErrAbortHandler passes through.
func (h *Handler) recoverPanic(w *answerWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	h.log.Error("panic serving a request", "url", r.URL.String(), "err", p, "stack", string(debug.Stack()))
	if w.started {
		panic(http.ErrAbortHandler)
	}
	w.Header().Del("Content-Disposition")
	writeError(w, http.StatusInternalServerError, "internal error")
}

// answerWriter records whether the answer has begun.
type answerWriter struct {
	http.ResponseWriter
	started bool
}

func (w *answerWriter) WriteHeader(status int) {
	w.started = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *answerWriter) Write(p []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// hostAllowed reports whether a request's Host header names this server.
func (h *Handler) hostAllowed(host string) bool {
	if len(h.opts.Hosts) == 0 {
		return true
	}
	if name, _, err := net.SplitHostPort(host); err == nil {
		host = name
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	for _, ok := range h.opts.Hosts {
		if strings.EqualFold(host, ok) {
			return true
		}
	}
	return false
}

// readOnly answers 405 to anything but GET and HEAD.
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "read-only: use GET")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// noDirs hides directory listings of the static files.
func noDirs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// uiLanguages are the languages of the UI labels, the first the default.
var uiLanguages = language.NewMatcher([]language.Tag{language.English, language.Chinese})

// pageLanguage picks the UI language: ?lang=zh|en, else Accept-Language.
func pageLanguage(r *http.Request) string {
	switch l := r.URL.Query().Get("lang"); l {
	case "zh", "en":
		return l
	}
	_, i := language.MatchStrings(uiLanguages, r.Header.Get("Accept-Language"))
	if i == 1 {
		return "zh"
	}
	return "en"
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Add("Vary", "Accept-Language")
	if err := indexPage.Execute(w, struct{ Lang string }{pageLanguage(r)}); err != nil {
		h.log.Warn("index page", "err", err)
	}
}

// writeJSON writes v as the JSON answer with status. v is encoded before
// the status is sent, so that a value JSON cannot encode is a 500 with a
// message rather than a 200 with a cut body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true) // keeps <, > and & out of the bytes, whatever sniffs them
	if err := enc.Encode(v); err != nil {
		b.Reset()
		status = http.StatusInternalServerError
		enc.Encode(apiError{Error: "internal error: cannot encode the answer"})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// apiError is the body of every error answer.
type apiError struct {
	Error string `json:"error"`
	// Param names the query parameter a 400 is about, when it is about one.
	Param string `json:"param,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Error: msg})
}

// authorized reports whether r carries the admin bearer token.
func (h *Handler) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(h.opts.AdminToken)) == 1
}
