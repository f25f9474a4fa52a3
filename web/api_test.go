package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"newsarc/export"
	"newsarc/store"
)

// getJSON fetches path and decodes its JSON answer into v, checking status.
func getJSON(t testing.TB, srv string, path string, status int, v any) *http.Response {
	t.Helper()
	res := request(t, http.MethodGet, srv+path, "", "")
	if res.StatusCode != status {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: status %d, want %d: %s", path, res.StatusCode, status, b)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res
}

func TestSearch(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	var res searchJSON
	getJSON(t, srv.URL, "/api/search?q="+url.QueryEscape("数据主权"), http.StatusOK, &res)
	if res.Total != 4 || len(res.Hits) != 4 {
		t.Fatalf("total %d, %d hits; want 4", res.Total, len(res.Hits))
	}
	if res.Query.Text != "数据主权" || res.Query.Sort != "relevance" || res.Query.Limit != 10 {
		t.Errorf("query echo = %+v", res.Query)
	}
	for _, h := range res.Hits {
		if h.ID == "" || h.Title == "" || h.Site == "" || len(h.Fragments) == 0 {
			t.Errorf("hit = %+v", h)
		}
		marked := false
		for _, f := range h.Fragments {
			marked = marked || strings.Contains(f, "<mark>")
			if strings.Contains(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(f), "<") {
				t.Errorf("fragment of %s holds a tag besides <mark>: %s", h.ID, f)
			}
		}
		if !marked {
			t.Errorf("hit %s: no <mark> in %q", h.ID, h.Fragments)
		}
	}
	if got := slices.Sorted(maps.Keys(res.Facets)); !slices.Equal(got, []string{"author", "date", "language", "section", "site", "tag"}) {
		t.Errorf("facets %v, want author, date, language, section, site, tag", got)
	}
	if got := facetMap(res.Facets["site"]); got["xinhua"] != 1 || got["people"] != 2 || got["payload"] != 1 {
		t.Errorf("site facet = %v", got)
	}
	if got := facetMap(res.Facets["author"]); got["张伟"] != 2 {
		t.Errorf("author facet = %v", got)
	}
	if got := facetMap(res.Facets["language"]); got["zh"] != 4 {
		t.Errorf("language facet = %v", got)
	}
	if got := facetMap(res.Facets["date"]); got["2025-02"] != 2 {
		t.Errorf("date facet = %v", got)
	}
}

// TestSearchSectionTag checks the section and tag filters of /api/search
// and /api/export, and the section and tag facets.
func TestSearchSectionTag(t *testing.T) {
	st := fixtureStore(t)
	intl := newArticle("people", "zh", "https://people.example/2025/04/diplomacy.html", "外交部回应贸易问题",
		"外交部发言人回答了关于贸易的提问。", time.Date(2025, 4, 2, 10, 0, 0, 0, cst), "王芳")
	intl.Section, intl.Tags = "国际", []string{"外交", "经济"}
	world := newArticle("bbc", "en", "https://bbc.example/news/trade-talks", "Trade talks resume",
		"Negotiators met again to discuss tariffs.", time.Date(2025, 4, 3, 9, 0, 0, 0, time.UTC), "Jane Doe")
	world.Section, world.Tags = "world", []string{"trade", "经济"}
	business := newArticle("bbc", "en", "https://bbc.example/news/exporters", "Exporters count the cost",
		"Firms that sell abroad expect a hard year.", time.Date(2025, 4, 4, 9, 0, 0, 0, time.UTC), "John Smith")
	business.Section, business.Tags = "business", []string{"trade"}
	if _, err := st.Put(context.Background(), intl, world, business); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, st, Options{Export: func(ctx context.Context, req ExportRequest, w io.Writer) error {
		_, err := export.Run(ctx, st, req.Query, req.Format, w, export.Options{Collapse: req.Collapse})
		return err
	}})

	tests := []struct {
		name, query      string
		want             []string // IDs, newest first
		section, tag     map[string]int
		site             map[string]int
		echoSec, echoTag string
	}{
		{"no filter", "", nil,
			map[string]int{"国际": 1, "world": 1, "business": 1}, map[string]int{"经济": 2, "trade": 2, "外交": 1}, nil, "", ""},
		{"section", "section=world", []string{world.ID},
			map[string]int{"world": 1}, map[string]int{"trade": 1, "经济": 1}, map[string]int{"bbc": 1}, "world", ""},
		{"section is exact", "section=World", []string{}, map[string]int{}, map[string]int{}, map[string]int{}, "World", ""},
		{"tag", "tag=trade", []string{business.ID, world.ID},
			map[string]int{"world": 1, "business": 1}, map[string]int{"trade": 2, "经济": 1}, map[string]int{"bbc": 2}, "", "trade"},
		{"tag is any of the tags", "tag=" + url.QueryEscape("经济"), []string{world.ID, intl.ID},
			map[string]int{"world": 1, "国际": 1}, map[string]int{"经济": 2, "trade": 1, "外交": 1}, map[string]int{"bbc": 1, "people": 1}, "", "经济"},
		{"section and tag", "section=" + url.QueryEscape("国际") + "&tag=" + url.QueryEscape("经济"), []string{intl.ID},
			map[string]int{"国际": 1}, map[string]int{"经济": 1, "外交": 1}, map[string]int{"people": 1}, "国际", "经济"},
		{"tag and words", "tag=trade&q=tariffs", []string{world.ID},
			map[string]int{"world": 1}, map[string]int{"trade": 1, "经济": 1}, map[string]int{"bbc": 1}, "", "trade"},
		{"tag no article has", "tag=sport", []string{}, map[string]int{}, map[string]int{}, map[string]int{}, "", "sport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res searchJSON
			getJSON(t, srv.URL, "/api/search?limit=100&"+tt.query, http.StatusOK, &res)
			if res.Query.Section != tt.echoSec || res.Query.Tag != tt.echoTag {
				t.Errorf("query echo: section %q, tag %q; want %q, %q", res.Query.Section, res.Query.Tag, tt.echoSec, tt.echoTag)
			}
			if tt.want != nil {
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.ID)
				}
				if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
					t.Errorf("hits = %v, want %v", got, tt.want)
				}
			}
			if got := facetMap(res.Facets["section"]); !reflect.DeepEqual(got, tt.section) {
				t.Errorf("section facet = %v, want %v", got, tt.section)
			}
			if got := facetMap(res.Facets["tag"]); !reflect.DeepEqual(got, tt.tag) {
				t.Errorf("tag facet = %v, want %v", got, tt.tag)
			}
			if got := facetMap(res.Facets["site"]); tt.site != nil && !reflect.DeepEqual(got, tt.site) {
				t.Errorf("site facet = %v, want %v", got, tt.site)
			}
			if tt.want == nil {
				return
			}
			r := request(t, http.MethodGet, srv.URL+"/api/export?format=jsonl&"+tt.query, "", "")
			if r.StatusCode != http.StatusOK {
				t.Fatalf("export: status %d", r.StatusCode)
			}
			var exported []string
			for dec := json.NewDecoder(r.Body); dec.More(); {
				var rec struct {
					ID string `json:"id"`
				}
				if err := dec.Decode(&rec); err != nil {
					t.Fatalf("export: %v", err)
				}
				exported = append(exported, rec.ID)
			}
			if !slices.Equal(exported, tt.want) && !(len(exported) == 0 && len(tt.want) == 0) {
				t.Errorf("export = %v, want %v", exported, tt.want)
			}
		})
	}

	// Every facet is an array, also when nothing matches: the UI reads
	// them without checking for null.
	res := request(t, http.MethodGet, srv.URL+"/api/search?q=nonexistentword", "", "")
	var raw struct {
		Facets map[string]json.RawMessage `json:"facets"`
	}
	if err := json.NewDecoder(res.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"site", "author", "language", "section", "tag", "date"} {
		if string(raw.Facets[name]) != "[]" {
			t.Errorf("facets.%s = %s with no match, want []", name, raw.Facets[name])
		}
	}
}

func facetMap(fc []store.FacetCount) map[string]int {
	m := map[string]int{}
	for _, c := range fc {
		m[c.Term] = c.Count
	}
	return m
}

func TestSearchFilters(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	tests := []struct {
		name  string
		query string
		want  []string // IDs, in order when sorted by date
	}{
		{"all by date", "", []string{zhAI.ID, zhYangtze.ID, versioned.ID, zhFocus.ID, enElection.ID, payload.ID, enClimate.ID, zhEconomy.ID}},
		{"site", "site=xinhua", []string{zhYangtze.ID, zhEconomy.ID}},
		{"author", "author=" + url.QueryEscape("Jane Doe"), []string{enElection.ID, enClimate.ID}},
		{"language", "lang=en", []string{versioned.ID, enElection.ID, enClimate.ID}},
		{"month", "from=2025-02&to=2025-02", []string{zhFocus.ID, enElection.ID, payload.ID}},
		{"days", "from=2025-03-03&to=2025-03-08", []string{zhYangtze.ID, versioned.ID}},
		{"query and site", "q=" + url.QueryEscape("主权") + "&site=people&sort=date", []string{zhAI.ID, zhFocus.ID}},
		{"page 2", "limit=3&offset=3", []string{zhFocus.ID, enElection.ID, payload.ID}},
		{"nothing", "q=nonexistentword", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res searchJSON
			getJSON(t, srv.URL, "/api/search?"+tt.query, http.StatusOK, &res)
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("hits = %v, want %v", got, tt.want)
			}
			if res.Hits == nil {
				t.Error("hits is null, want []")
			}
			for _, h := range res.Hits {
				if (len(h.Fragments) == 0) == (h.Excerpt == "") {
					t.Errorf("hit %s: %d fragments, excerpt %q; want one or the other", h.ID, len(h.Fragments), h.Excerpt)
				}
			}
		})
	}
}

func TestSearchBadRequest(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	for _, q := range []string{"sort=popular", "limit=0", "limit=1000", "offset=-1", "limit=x", "from=yesterday", "to=2025-13-01",
		"q=" + strings.Repeat("长", maxQueryLen+1)} {
		t.Run(q[:min(len(q), 20)], func(t *testing.T) {
			var e apiError
			getJSON(t, srv.URL, "/api/search?"+q, http.StatusBadRequest, &e)
			if e.Error == "" {
				t.Error("no error message")
			}
		})
	}
}

func TestArticle(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	var res struct {
		Article    map[string]any `json:"article"`
		Versions   []versionJSON  `json:"versions"`
		CaptureURL string         `json:"capture_url"`
	}
	getJSON(t, srv.URL, "/api/articles/"+zhFocus.ID, http.StatusOK, &res)
	a := res.Article
	if a["id"] != zhFocus.ID || a["title"] != zhFocus.Title || a["text"] != zhFocus.Text || a["site"] != "people" ||
		a["published_at"] != "2025-02-20T10:00:00+08:00" || a["version"] != 1.0 {
		t.Errorf("article = %v", a)
	}
	if _, ok := a["raw"]; ok {
		t.Error("raw bytes in the article JSON")
	}
	if len(res.Versions) != 1 || !res.Versions[0].Current || res.Versions[0].Version != 1 {
		t.Errorf("versions = %+v", res.Versions)
	}
	if res.CaptureURL != "/api/articles/"+zhFocus.ID+"/capture" {
		t.Errorf("capture_url = %q", res.CaptureURL)
	}

	t.Run("html sanitised", func(t *testing.T) {
		var res struct{ Article articleJSON }
		getJSON(t, srv.URL, "/api/articles/"+payload.ID, http.StatusOK, &res)
		h := strings.ToLower(res.Article.HTML)
		for _, bad := range []string{"<script", "onerror", "onload", "javascript:", "<iframe", "<svg", "style="} {
			if strings.Contains(h, bad) {
				t.Errorf("sanitised HTML holds %q: %s", bad, res.Article.HTML)
			}
		}
		if !strings.Contains(res.Article.HTML, "正文讨论数据主权") {
			t.Errorf("sanitised HTML lost the text: %s", res.Article.HTML)
		}
		if res.Article.Title != payload.Title {
			t.Errorf("title = %q: plain text is passed as is, the UI shows it as text", res.Article.Title)
		}
	})
}

func TestVersionsAndDiff(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	var vs struct {
		ID       string        `json:"id"`
		Versions []versionJSON `json:"versions"`
	}
	getJSON(t, srv.URL, "/api/articles/"+versioned.ID+"/versions", http.StatusOK, &vs)
	if len(vs.Versions) != 2 || vs.Versions[0].Version != 1 || vs.Versions[1].Version != 2 || !vs.Versions[1].Current ||
		vs.Versions[0].Title != "Markets rally" {
		t.Fatalf("versions = %+v", vs.Versions)
	}

	var d diffAnswer
	getJSON(t, srv.URL, "/api/articles/"+versioned.ID+"/diff", http.StatusOK, &d)
	want := []DiffOp{
		{Op: Equal, Text: "Stocks rose after the central bank held rates."},
		{Op: Delete, Text: "Analysts expected calm."}, // too little alike to be one paragraph edited
		{Op: Insert, Text: "Analysts now expect volatility."},
		{Op: Equal, Text: "Trading closes at four."},
	}
	if !reflect.DeepEqual(d.Ops, want) || d.From.Version != 1 || d.To.Version != 2 || d.Added != 1 || d.Removed != 1 ||
		d.To.Title != versionedV2.Title || d.Unit != "paragraph" {
		t.Errorf("diff = %+v", d)
	}
	getJSON(t, srv.URL, "/api/articles/"+versioned.ID+"/diff?from=2&to=1&unit=line", http.StatusOK, &d)
	if d.From.Version != 2 || d.To.Version != 1 || !reflect.DeepEqual(d.Ops[1], DiffOp{Op: Delete, Text: "Analysts now expect volatility."}) {
		t.Errorf("reverse diff = %+v", d)
	}
	var e apiError
	getJSON(t, srv.URL, "/api/articles/"+versioned.ID+"/diff?from=9", http.StatusNotFound, &e)
	getJSON(t, srv.URL, "/api/articles/"+versioned.ID+"/diff?from=one", http.StatusBadRequest, &e)
	getJSON(t, srv.URL, "/api/articles/"+versioned.ID+"/diff?unit=word", http.StatusBadRequest, &e)
}

func TestNotFound(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	for _, path := range []string{"/api/articles/nope", "/api/articles/nope/versions", "/api/articles/nope/diff",
		"/api/articles/nope/capture", "/api/nothing", "/api/export", "/api/admin/crawl"} {
		var e apiError
		getJSON(t, srv.URL, path, http.StatusNotFound, &e)
	}
}

func TestCapture(t *testing.T) {
	st := fixtureStore(t)
	srv := newServer(t, st, Options{})
	res := request(t, http.MethodGet, srv.URL+"/api/articles/"+payload.ID+"/capture", "", "")
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, payloadPage) {
		t.Fatalf("status %d, %d bytes; want the archived page", res.StatusCode, len(body))
	}
	h := res.Header
	if ct := h.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, `filename=newsarc-`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}

	t.Run("store without raw", func(t *testing.T) {
		srv := newServer(t, struct{ store.Store }{st}, Options{})
		var e apiError
		getJSON(t, srv.URL, "/api/articles/"+payload.ID+"/capture", http.StatusNotFound, &e)
		var a articleAnswer
		getJSON(t, srv.URL, "/api/articles/"+payload.ID, http.StatusOK, &a)
		if a.CaptureURL != "" {
			t.Errorf("capture_url = %q for a store without raw", a.CaptureURL)
		}
	})
}

func TestReadOnly(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{Export: func(context.Context, ExportRequest, io.Writer) error { return nil }})
	for _, path := range []string{"/", "/static/app.js", "/api/search", "/api/articles/" + zhFocus.ID,
		"/api/articles/" + zhFocus.ID + "/versions", "/api/articles/" + zhFocus.ID + "/diff",
		"/api/articles/" + zhFocus.ID + "/capture", "/api/export"} {
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			res := request(t, method, srv.URL+path, "", `{}`)
			if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: status %d, Allow %q; want 405", method, path, res.StatusCode, res.Header.Get("Allow"))
			}
		}
	}
}

func TestAdmin(t *testing.T) {
	st := fixtureStore(t)
	var mu sync.Mutex
	var calls []string
	hook := func(ctx context.Context, site string) error {
		mu.Lock()
		defer mu.Unlock()
		switch site {
		case "unknown":
			return ErrUnknownSite
		case "busy":
			return ErrBusy
		case "broken":
			return errors.New("disk on fire")
		}
		calls = append(calls, site)
		return nil
	}
	t.Run("no token configured", func(t *testing.T) {
		srv := newServer(t, st, Options{Admin: hook})
		res := request(t, http.MethodPost, srv.URL+"/api/admin/crawl", "anything", `{"site":"xinhua"}`)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404: no admin endpoint without a token", res.StatusCode)
		}
	})
	srv := newServer(t, st, Options{AdminToken: "s3cret", Admin: hook})
	tests := []struct {
		name, method, token, body string
		want                      int
	}{
		{"no token", http.MethodPost, "", `{"site":"xinhua"}`, http.StatusUnauthorized},
		{"wrong token", http.MethodPost, "s3cre", `{"site":"xinhua"}`, http.StatusUnauthorized},
		{"get", http.MethodGet, "s3cret", "", http.StatusMethodNotAllowed},
		{"no site", http.MethodPost, "s3cret", `{}`, http.StatusBadRequest},
		{"bad json", http.MethodPost, "s3cret", `{"site":`, http.StatusBadRequest},
		{"unknown site", http.MethodPost, "s3cret", `{"site":"unknown"}`, http.StatusNotFound},
		{"busy", http.MethodPost, "s3cret", `{"site":"busy"}`, http.StatusConflict},
		{"failure", http.MethodPost, "s3cret", `{"site":"broken"}`, http.StatusInternalServerError},
		{"ok", http.MethodPost, "s3cret", `{"site":"xinhua"}`, http.StatusAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := request(t, tt.method, srv.URL+"/api/admin/crawl", tt.token, tt.body)
			if res.StatusCode != tt.want {
				t.Errorf("status %d, want %d", res.StatusCode, tt.want)
			}
			if tt.want == http.StatusUnauthorized && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Error("no WWW-Authenticate: Bearer")
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(calls, []string{"xinhua"}) {
		t.Errorf("hook calls = %v, want only the authorised one", calls)
	}
}

func TestSecurityHeaders(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	page := request(t, http.MethodGet, srv.URL+"/", "", "")
	csp := page.Header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
		"base-uri 'none'", "require-trusted-types-for 'script'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("page CSP %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-") {
		t.Errorf("page CSP allows unsafe sources: %q", csp)
	}
	for _, path := range []string{"/", "/static/app.js", "/api/search"} {
		res := request(t, http.MethodGet, srv.URL+path, "", "")
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, res.Header)
		}
	}
	api := request(t, http.MethodGet, srv.URL+"/api/search", "", "")
	if csp := api.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("API CSP = %q", csp)
	}
	js := request(t, http.MethodGet, srv.URL+"/static/app.js", "", "")
	if ct := js.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("app.js Content-Type = %q", ct)
	}
	if res := request(t, http.MethodGet, srv.URL+"/static/", "", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("/static/ listing: status %d", res.StatusCode)
	}
}

func TestPageLanguage(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	tests := []struct{ accept, query, want string }{
		{"zh-CN,zh;q=0.9,en;q=0.8", "", `lang="zh"`},
		{"zh-TW", "", `lang="zh"`},
		{"en-US,en;q=0.9", "", `lang="en"`},
		{"fr-FR", "", `lang="en"`},
		{"", "", `lang="en"`},
		{"en-US", "?lang=zh", `lang="zh"`},
		{"zh-CN", "?lang=en", `lang="en"`},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/"+tt.query, nil)
		req.Header.Set("Accept-Language", tt.accept)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), "<html "+tt.want+">") {
			t.Errorf("Accept-Language %q%s: page lacks %s", tt.accept, tt.query, tt.want)
		}
	}
}

func TestExport(t *testing.T) {
	st := fixtureStore(t)
	srv := newServer(t, st, Options{Export: func(ctx context.Context, req ExportRequest, w io.Writer) error {
		_, err := export.Run(ctx, st, req.Query, req.Format, w, export.Options{Collapse: req.Collapse})
		return err
	}})
	res := request(t, http.MethodGet, srv.URL+"/api/export?format=jsonl&site=xinhua", "", "")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/x-ndjson") ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("status %d, headers %v", res.StatusCode, res.Header)
	}
	var ids []string
	dec := json.NewDecoder(res.Body)
	for dec.More() {
		var r export.Record
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, []string{zhYangtze.ID, zhEconomy.ID}) {
		t.Errorf("exported %v", ids)
	}

	res = request(t, http.MethodGet, srv.URL+"/api/export?format=csv&q="+url.QueryEscape("主权"), "", "")
	rows, err := csv.NewReader(res.Body).ReadAll()
	if err != nil || len(rows) != 5 || rows[0][0] != "id" {
		t.Errorf("CSV: %d rows, %v", len(rows), err)
	}
	var e apiError
	getJSON(t, srv.URL, "/api/export?format=xml", http.StatusBadRequest, &e)
	getJSON(t, srv.URL, "/api/export?from=never", http.StatusBadRequest, &e)
}

func TestSafeFragment(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "关于<mark>数据</mark><mark>主权</mark>的讨论", "关于<mark>数据</mark><mark>主权</mark>的讨论"},
		{"escaped kept", "a &lt;b&gt; &amp; <mark>c</mark>", "a &lt;b&gt; &amp; <mark>c</mark>"},
		{"raw tag escaped", `<img src=x onerror=alert(1)><mark>x</mark>`, `&lt;img src=x onerror=alert(1)&gt;<mark>x</mark>`},
		{"script", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"unclosed mark", "<mark>x", "<mark>x</mark>"},
		{"stray close", "x</mark>y", "xy"},
		{"nested mark", "<mark>a<mark>b</mark>c</mark>", "<mark>ab</mark>c"},
		{"double escaped stays text", "&amp;lt;script&amp;gt;", "&amp;lt;script&amp;gt;"},
		{"quotes", `"it's"`, "&#34;it&#39;s&#34;"},
		{"mark with attribute", `<mark onclick="x">y</mark>`, `&lt;mark onclick=&#34;x&#34;&gt;y`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := safeFragment(tt.in); got != tt.want {
				t.Errorf("safeFragment(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b []string
		want []DiffOp
	}{
		{"same", []string{"x", "y"}, []string{"x", "y"}, []DiffOp{{Op: Equal, Text: "x"}, {Op: Equal, Text: "y"}}},
		{"empty to some", nil, []string{"x"}, []DiffOp{{Op: Insert, Text: "x"}}},
		{"some to empty", []string{"x"}, nil, []DiffOp{{Op: Delete, Text: "x"}}},
		{"replace middle", []string{"a", "b", "c"}, []string{"a", "B", "c"}, []DiffOp{{Op: Equal, Text: "a"}, {Op: Delete, Text: "b"}, {Op: Insert, Text: "B"}, {Op: Equal, Text: "c"}}},
		{"insert", []string{"a", "c"}, []string{"a", "b", "c"}, []DiffOp{{Op: Equal, Text: "a"}, {Op: Insert, Text: "b"}, {Op: Equal, Text: "c"}}},
		{"move", []string{"a", "b", "c", "d"}, []string{"b", "c", "a", "d"},
			[]DiffOp{{Op: Delete, Text: "a"}, {Op: Equal, Text: "b"}, {Op: Equal, Text: "c"}, {Op: Insert, Text: "a"}, {Op: Equal, Text: "d"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.a, tt.b); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Diff = %v, want %v", got, tt.want)
			}
		})
	}
	if got := Paragraphs("a\n\n\n b \r\n\r\nc\n"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Paragraphs = %q", got)
	}
	if got := Lines("a\nb\r\n\nc"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Lines = %q", got)
	}
}

// TestGroup checks that a story's reprints are searchable as a group and
// listed with the article.
func TestGroup(t *testing.T) {
	st := fixtureStore(t)
	reprint := putReprint(t, st)
	srv := newServer(t, st, Options{})

	var res searchJSON
	getJSON(t, srv.URL, "/api/search?cluster="+zhYangtze.ID, http.StatusOK, &res)
	if res.Total != 2 || res.Query.Cluster != zhYangtze.ID {
		t.Fatalf("cluster search: total %d, query %+v; want the original and its reprint", res.Total, res.Query)
	}
	for _, h := range res.Hits {
		if h.ID == reprint.ID && (h.DuplicateOf != zhYangtze.ID || h.Cluster != zhYangtze.ID) {
			t.Errorf("reprint hit: duplicate_of %q cluster %q", h.DuplicateOf, h.Cluster)
		}
	}
	getJSON(t, srv.URL, "/api/search?q="+url.QueryEscape("禁渔")+"&cluster="+zhYangtze.ID+"&site=chinadaily", http.StatusOK, &res)
	if res.Total != 1 || res.Hits[0].ID != reprint.ID {
		t.Errorf("cluster search with words and site: total %d", res.Total)
	}

	var art articleAnswer
	getJSON(t, srv.URL, "/api/articles/"+zhYangtze.ID, http.StatusOK, &art)
	if art.GroupTotal != 1 || len(art.Group) != 1 || art.Group[0].ID != reprint.ID || art.Group[0].Site != "chinadaily" {
		t.Errorf("original's group = %d %+v, want the reprint", art.GroupTotal, art.Group)
	}
	getJSON(t, srv.URL, "/api/articles/"+reprint.ID, http.StatusOK, &art)
	if art.GroupTotal != 1 || len(art.Group) != 1 || art.Group[0].ID != zhYangtze.ID || art.Article.DuplicateOf != zhYangtze.ID {
		t.Errorf("reprint's group = %d %+v, duplicate_of %q; want the original", art.GroupTotal, art.Group, art.Article.DuplicateOf)
	}
	getJSON(t, srv.URL, "/api/articles/"+zhAI.ID, http.StatusOK, &art)
	if art.GroupTotal != 0 || art.Group == nil || len(art.Group) != 0 {
		t.Errorf("a lone article's group = %d %+v, want an empty list", art.GroupTotal, art.Group)
	}
}

// TestHostCheck: with Hosts set, a request naming another host (a page
// that rebound its own name to this machine) is refused before any data
// is read.
func TestHostCheck(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{Hosts: []string{"localhost", "127.0.0.1", "::1", "archive.example"}})
	for _, tc := range []struct {
		host string
		want int
	}{
		{"", http.StatusOK}, // the test server's own 127.0.0.1:port
		{"localhost:8080", http.StatusOK},
		{"LOCALHOST", http.StatusOK},
		{"[::1]:8080", http.StatusOK},
		{"archive.example.", http.StatusOK},
		{"attacker.example", http.StatusMisdirectedRequest},
		{"attacker.example:8080", http.StatusMisdirectedRequest},
		{"127.0.0.1.attacker.example", http.StatusMisdirectedRequest},
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/search?q="+url.QueryEscape("主权"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.host != "" {
			req.Host = tc.host
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("Host %q: status %d, want %d", tc.host, res.StatusCode, tc.want)
		}
		if tc.want != http.StatusOK && strings.Contains(string(body), "主权") {
			t.Errorf("Host %q: refused answer carries archive data: %s", tc.host, body)
		}
	}
}
