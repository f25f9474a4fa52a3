package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"newsarc/store"
)

// hitJSON is one search result: the article's metadata, not its body.
type hitJSON struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	Site        string    `json:"site"`
	Authors     []string  `json:"authors"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Language    string    `json:"language,omitempty"`
	Cluster     string    `json:"cluster,omitempty"`      // its group of near-duplicates
	DuplicateOf string    `json:"duplicate_of,omitempty"` // the earlier article it nearly repeats
	Version     int       `json:"version"`                // versions archived: 1 when never changed
	RemovedAt   time.Time `json:"removed_at,omitzero"`    // when the page was found gone from its site
	Score       float64   `json:"score"`
	// Fragments are HTML: escaped text with matches in <mark></mark>,
	// and nothing else (see safeFragment).
	Fragments []string `json:"fragments"`
	// Excerpt is plain text, the description or the start of the body,
	// for hits without fragments (no query words).
	Excerpt string `json:"excerpt,omitempty"`
	// Damage says what is wrong when the archive read the article damaged
	// (store.Article.Damage); empty for a sound one.
	Damage string `json:"damage,omitempty"`
	// Reprints, in a collapsed search (collapse=true), counts the other
	// matches of the reprint group this hit stands for.
	Reprints int `json:"reprints,omitempty"`
}

// newHitJSON returns the search result of a, without score or fragments.
func newHitJSON(a *store.Article) hitJSON {
	return hitJSON{ID: a.ID, Title: a.Title, URL: articleURL(a), Site: a.Site, Authors: nonNil(a.Authors),
		PublishedAt: a.Published, Language: a.Language, Cluster: a.Cluster, DuplicateOf: a.DuplicateOf,
		Version: a.Version, RemovedAt: a.RemovedAt, Fragments: []string{}, Damage: a.Damage}
}

// excerptLen is the length of an excerpt, in characters.
const excerptLen = 160

// excerpt returns the description of a, or the start of its text, cut at
// excerptLen characters with an ellipsis.
func excerpt(a *store.Article) string {
	s := strings.Join(strings.Fields(a.Description), " ")
	if s == "" {
		s = strings.Join(strings.Fields(a.Text), " ")
	}
	if r := []rune(s); len(r) > excerptLen {
		s = strings.TrimSpace(string(r[:excerptLen])) + "…"
	}
	return s
}

// searchFacets are the facets /api/search answers with, each under its
// name: those the UI shows (site, author, language and the month
// histogram) and section and tag.
var searchFacets = []string{store.FacetSite, store.FacetAuthor, store.FacetLanguage,
	store.FacetSection, store.FacetTag, store.FacetDate}

// searchJSON is the answer of /api/search.
type searchJSON struct {
	Query  searchQuery                   `json:"query"`
	Total  int                           `json:"total"`
	TookMS float64                       `json:"took_ms"`
	Hits   []hitJSON                     `json:"hits"`
	Facets map[string][]store.FacetCount `json:"facets"`
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	q, sq, err := parseQuery(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q.Facets = searchFacets
	search := h.st.Search
	if sq.Collapse {
		search = func(ctx context.Context, q store.Query) (*store.Results, error) {
			return store.SearchCollapsed(ctx, h.st, q)
		}
	}
	res, err := search(r.Context(), q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := searchJSON{Query: sq, Total: res.Total, TookMS: float64(res.Took.Microseconds()) / 1000,
		Hits: make([]hitJSON, 0, len(res.Hits)), Facets: map[string][]store.FacetCount{}}
	for _, hit := range res.Hits {
		a := hit.Article
		frags := make([]string, 0, len(hit.Fragments))
		for _, f := range hit.Fragments {
			frags = append(frags, safeFragment(f))
		}
		hj := newHitJSON(a)
		hj.Score, hj.Fragments, hj.Reprints = hit.Score, frags, hit.Reprints
		if len(frags) == 0 {
			hj.Excerpt = excerpt(a)
		}
		out.Hits = append(out.Hits, hj)
	}
	for _, name := range searchFacets {
		out.Facets[name] = nonNil(res.Facets[name])
	}
	writeJSON(w, http.StatusOK, out)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// articleURL is the canonical URL of a, else the fetched one.
func articleURL(a *store.Article) string {
	if a.CanonicalURL != "" {
		return a.CanonicalURL
	}
	return a.URL
}

// articleJSON is an article as the API shows it: HTML sanitised, raw
// bytes left out, unknown times omitted.
type articleJSON struct {
	ID           string            `json:"id"`
	URL          string            `json:"url"`
	CanonicalURL string            `json:"canonical_url"`
	Site         string            `json:"site"`
	Title        string            `json:"title"`
	Subtitle     string            `json:"subtitle,omitempty"`
	Authors      []string          `json:"authors"`
	Editor       string            `json:"editor,omitempty"`
	Source       string            `json:"source,omitempty"`
	Publisher    string            `json:"publisher,omitempty"`
	PublishedAt  time.Time         `json:"published_at,omitzero"`
	ModifiedAt   time.Time         `json:"modified_at,omitzero"`
	Language     string            `json:"language,omitempty"`
	Section      string            `json:"section,omitempty"`
	Tags         []string          `json:"tags"`
	Description  string            `json:"description,omitempty"`
	TopImage     string            `json:"top_image,omitempty"`
	Text         string            `json:"text"`
	HTML         string            `json:"html,omitempty"` // sanitised with bluemonday's UGC policy
	WordCount    int               `json:"word_count"`
	ContentHash  string            `json:"content_hash"`
	FetchedAt    time.Time         `json:"fetched_at,omitzero"`
	Version      int               `json:"version"`
	RemovedAt    time.Time         `json:"removed_at,omitzero"`
	Capture      store.Capture     `json:"capture,omitzero"`
	Provenance   map[string]string `json:"provenance,omitempty"`
	SimHash      string            `json:"simhash,omitempty"`
	Cluster      string            `json:"cluster,omitempty"`
	DuplicateOf  string            `json:"duplicate_of,omitempty"`
	// Damage says what is wrong when the archive read this version
	// damaged (store.Article.Damage): its text is not the text archived,
	// or it could not be read and only its ID is known.
	Damage string `json:"damage,omitempty"`
}

func newArticleJSON(a *store.Article, version int) articleJSON {
	return articleJSON{ID: a.ID, URL: a.URL, CanonicalURL: articleURL(a), Site: a.Site, Title: a.Title,
		Subtitle: a.Subtitle, Authors: nonNil(a.Authors), Editor: a.Editor, Source: a.Source, Publisher: a.Publisher,
		PublishedAt: a.Published, ModifiedAt: a.Modified, Language: a.Language, Section: a.Section,
		Tags: nonNil(a.Tags), Description: a.Description, TopImage: a.TopImage, Text: a.Text,
		HTML: sanitizeHTML(a.HTML), WordCount: a.WordCount, ContentHash: a.ContentHash, FetchedAt: a.FetchedAt,
		Version: version, RemovedAt: a.RemovedAt, Capture: a.Capture, Provenance: a.Provenance,
		SimHash: a.SimHash, Cluster: a.Cluster, DuplicateOf: a.DuplicateOf, Damage: a.Damage}
}

// versionJSON is one version of an article in a versions list.
type versionJSON struct {
	Version     int       `json:"version"`
	FetchedAt   time.Time `json:"fetched_at,omitzero"`
	ContentHash string    `json:"content_hash"`
	Title       string    `json:"title"`
	WordCount   int       `json:"word_count"`
	Current     bool      `json:"current,omitempty"`
	Damage      string    `json:"damage,omitempty"` // see articleJSON.Damage
}

// articleVersions returns the current article and all of its versions,
// oldest first, the current one last, each numbered (from 1 when a store
// does not number them).
func (h *Handler) articleVersions(r *http.Request) (*store.Article, []*store.Article, []int, error) {
	id := r.PathValue("id")
	if !validID(id) {
		return nil, nil, nil, fmt.Errorf("article %q: %w", id, store.ErrNotFound)
	}
	a, err := h.st.Get(r.Context(), id)
	if err != nil {
		return nil, nil, nil, err
	}
	old, err := h.st.Versions(r.Context(), id)
	if err != nil {
		return nil, nil, nil, err
	}
	all := append(old, a)
	nums := make([]int, len(all))
	for i, v := range all {
		nums[i] = v.Version
		if nums[i] <= 0 || (i > 0 && nums[i] <= nums[i-1]) {
			nums[i] = i + 1
		}
	}
	return a, all, nums, nil
}

func versionList(all []*store.Article, nums []int) []versionJSON {
	out := make([]versionJSON, len(all))
	for i, v := range all {
		out[i] = versionJSON{Version: nums[i], FetchedAt: v.FetchedAt, ContentHash: v.ContentHash,
			Title: v.Title, WordCount: v.WordCount, Current: i == len(all)-1, Damage: v.Damage}
	}
	return out
}

// articleAnswer is the answer of /api/articles/{id}.
type articleAnswer struct {
	Article    articleJSON   `json:"article"`
	Versions   []versionJSON `json:"versions"`
	CaptureURL string        `json:"capture_url,omitempty"` // when the store keeps raw captures
	// Group is the article's near-duplicates (the same story on other
	// sites or under other URLs), newest published first, at most
	// maxGroup; GroupTotal counts them all.
	Group      []hitJSON `json:"group"`
	GroupTotal int       `json:"group_total"`
}

// maxGroup is how many near-duplicates an article answer lists.
const maxGroup = 50

// group returns the near-duplicates of a: the other members of its
// cluster, newest published first, and how many there are.
func (h *Handler) group(ctx context.Context, a *store.Article) ([]hitJSON, int, error) {
	cluster := a.Cluster
	if cluster == "" {
		cluster = a.ID
	}
	res, err := h.st.Search(ctx, store.Query{Cluster: cluster, Sort: store.ByDate, Limit: maxGroup + 1})
	if err != nil {
		return nil, 0, err
	}
	out := []hitJSON{}
	for _, hit := range res.Hits {
		m := hit.Article
		if m.ID == a.ID || len(out) == maxGroup {
			continue
		}
		out = append(out, newHitJSON(m))
	}
	return out, max(res.Total-1, 0), nil
}

func (h *Handler) article(w http.ResponseWriter, r *http.Request) {
	a, all, nums, err := h.articleVersions(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := articleAnswer{Article: newArticleJSON(a, nums[len(nums)-1]), Versions: versionList(all, nums)}
	if out.Group, out.GroupTotal, err = h.group(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	if _, ok := h.st.(RawReader); ok {
		out.CaptureURL = "/api/articles/" + a.ID + "/capture"
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) versions(w http.ResponseWriter, r *http.Request) {
	a, all, nums, err := h.articleVersions(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		ID       string        `json:"id"`
		Versions []versionJSON `json:"versions"`
	}{a.ID, versionList(all, nums)})
}

// diffSide names one side of a diff.
type diffSide struct {
	Version   int       `json:"version"`
	FetchedAt time.Time `json:"fetched_at,omitzero"`
	Title     string    `json:"title"`
	Damage    string    `json:"damage,omitempty"` // see articleJSON.Damage
}

// diffAnswer is the answer of /api/articles/{id}/diff.
type diffAnswer struct {
	ID      string   `json:"id"`
	Unit    string   `json:"unit"` // paragraph or line
	From    diffSide `json:"from"`
	To      diffSide `json:"to"`
	Ops     []DiffOp `json:"ops"`
	Added   int      `json:"added"`   // units inserted
	Removed int      `json:"removed"` // units deleted
	Changed int      `json:"changed"` // units edited in place, with a word diff
}

// maxVersion is the largest version number a diff request may name.
const maxVersion = 1 << 30

// diff compares two versions of an article: ?from=N&to=M (default: the
// version before the current one, and the current one), ?unit=line for a
// line diff instead of a paragraph diff. A malformed parameter is a 400, a
// version the article does not have a 404.
func (h *Handler) diff(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	unit, err := p.oneOf("unit", "paragraph", "paragraph", "line")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	split := Paragraphs
	if unit == "line" {
		split = Lines
	}
	a, all, nums, err := h.articleVersions(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// find returns the index in all of the version the parameter names.
	find := func(param string, def int) (int, error) {
		n, err := p.number(param, 0, 1, maxVersion)
		if err != nil || n == 0 {
			return def, err
		}
		for i, v := range nums {
			if v == n {
				return i, nil
			}
		}
		return 0, fmt.Errorf("%s: version %d of %s: %w", param, n, a.ID, store.ErrNotFound)
	}
	to, err := find("to", len(all)-1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	from, err := find("from", max(to-1, 0))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ops := Refine(Diff(split(all[from].Text), split(all[to].Text)))
	out := diffAnswer{ID: a.ID, Unit: unit, Ops: ops,
		From: diffSide{nums[from], all[from].FetchedAt, all[from].Title, all[from].Damage},
		To:   diffSide{nums[to], all[to].FetchedAt, all[to].Title, all[to].Damage}}
	for _, op := range ops {
		switch op.Op {
		case Insert:
			out.Added++
		case Delete:
			out.Removed++
		case Change:
			out.Changed++
		}
	}
	writeJSON(w, http.StatusOK, out)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// capture serves the archived raw response as a download that no browser
// renders in our origin: an attachment, application/octet-stream, no
// sniffing, and a sandboxing CSP.
func (h *Handler) capture(w http.ResponseWriter, r *http.Request) {
	rr, ok := h.st.(RawReader)
	if !ok {
		writeError(w, http.StatusNotFound, "this store keeps no raw captures")
		return
	}
	id := r.PathValue("id")
	if !validID(id) {
		h.fail(w, r, fmt.Errorf("article %q: %w", id, store.ErrNotFound))
		return
	}
	a, err := h.st.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	raw, err := rr.Raw(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ext := ".bin"
	if mt, _, _ := mime.ParseMediaType(a.Capture.Type); strings.Contains(mt, "html") || mt == "" {
		ext = ".html"
	}
	name := "newsarc-" + unsafeName.ReplaceAllString(a.ID, "_") + "-v" + strconv.Itoa(a.Version) + ext
	hd := w.Header()
	hd.Set("Content-Type", "application/octet-stream")
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	hd.Set("Content-Security-Policy", captureCSP)
	hd.Set("Content-Length", strconv.Itoa(len(raw)))
	hd.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(raw)
	}
}

// exportTypes are the media types and file extensions of export formats.
var exportTypes = map[string][2]string{
	"jsonl":   {"application/x-ndjson; charset=utf-8", ".jsonl"},
	"csv":     {"text/csv; charset=utf-8; header=present", ".csv"},
	"parquet": {"application/vnd.apache.parquet", ".parquet"},
}

// export streams a dataset of the matches: ?format=jsonl|csv|parquet and
// the filters of /api/search (limit, offset and sort do not apply, but a
// malformed one is still a 400). An export that fails before its first
// byte reaches the client is answered with an error status; one that fails
// later aborts the connection, so that the client sees a failed download
// rather than a short file.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	format, err := p.oneOf("format", "jsonl", "jsonl", "csv", "parquet")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	typ := exportTypes[format]
	q, sq, err := parseQuery(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q.Limit, q.Offset, q.Sort = 0, 0, store.ByDate
	name := "newsarc-export-" + time.Now().UTC().Format("20060102T150405Z") + typ[1]
	hd := w.Header()
	hd.Set("Content-Type", typ[0])
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	if r.Method == http.MethodHead {
		return
	}
	sw := &sentWriter{w: w}
	if err := h.opts.Export(r.Context(), ExportRequest{Query: q, Format: format, Collapse: sq.Collapse}, sw); err != nil {
		if !sw.sent {
			hd.Del("Content-Disposition")
			h.fail(w, r, fmt.Errorf("export: %w", err))
			return
		}
		h.log.Warn("export aborted", "url", r.URL.String(), "err", err)
		panic(http.ErrAbortHandler)
	}
}

// sentWriter records whether anything was written to w.
type sentWriter struct {
	w    io.Writer
	sent bool
}

func (s *sentWriter) Write(p []byte) (int, error) {
	s.sent = s.sent || len(p) > 0
	return s.w.Write(p)
}

// adminCrawl starts a crawl of one site: POST with {"site": "name"} (JSON)
// or site=name (form or query), authorised by the admin bearer token.
func (h *Handler) adminCrawl(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="newsarc admin"`)
		writeError(w, http.StatusUnauthorized, "admin token required")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	var body struct {
		Site string `json:"site"`
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "body: "+err.Error())
			return
		}
	} else {
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusBadRequest, "body: "+err.Error())
			return
		}
		body.Site = r.Form.Get("site")
	}
	if body.Site == "" {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "site: required", Param: "site"})
		return
	}
	if err := checkText("site", body.Site); err != nil {
		h.fail(w, r, err)
		return
	}
	// The crawl outlives the request: Admin gets a context that is not
	// cancelled when the client goes away.
	if err := h.opts.Admin(context.WithoutCancel(r.Context()), body.Site); err != nil {
		switch {
		case errors.Is(err, ErrUnknownSite):
			writeError(w, http.StatusNotFound, err.Error())
		case errors.Is(err, ErrBusy):
			writeError(w, http.StatusConflict, err.Error())
		default:
			h.fail(w, r, err)
		}
		return
	}
	h.log.Info("admin crawl started", "site", body.Site)
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "started", "site": body.Site})
}

// fail answers an error of the store or of the request: 400 naming the
// parameter for a badRequest, 404 for store.ErrNotFound, 500 saying so
// for store.ErrCorrupt, 503 for a closed store, else 500,
// logged.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		writeJSON(w, http.StatusBadRequest, apiError{Error: bad.Error(), Param: bad.param})
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not found")
	case errors.Is(err, store.ErrCorrupt):
		h.log.Error("damaged archive", "url", r.URL.String(), "err", err)
		writeError(w, http.StatusInternalServerError, "archive damaged: what was asked for cannot be read as it was archived")
	case r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
	case errors.Is(err, store.ErrClosed), store.IsTransient(err):
		h.log.Warn("request failed", "url", r.URL.String(), "err", err)
		writeError(w, http.StatusServiceUnavailable, "archive unavailable")
	default:
		h.log.Error("request failed", "url", r.URL.String(), "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}
