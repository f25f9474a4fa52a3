package elastic_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarc/store"
	"newsarc/store/elastic"
	"newsarc/store/storetest"
)

// testConfig returns a configuration for the server at $ES_URL with an
// index prefix of its own, whose indices and templates are deleted when the
// test ends. The flavor is $ES_FLAVOR, detected when unset.
func testConfig(t testing.TB) elastic.Config {
	t.Helper()
	u := storetest.ESURL(t)
	cfg := elastic.DefaultConfig()
	cfg.URLs = []string{u}
	cfg.Flavor = os.Getenv("ES_FLAVOR")
	cfg.IndexPrefix = storetest.ESIndexPrefix(t)
	t.Cleanup(func() { storetest.DropESIndices(t, u, cfg.IndexPrefix) })
	return cfg
}

// mustOpen opens a store with cfg and closes it when the test ends, unless
// the test closed it first.
func mustOpen(t testing.TB, cfg elastic.Config) *elastic.Store {
	t.Helper()
	s, err := elastic.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func mustPut(t testing.TB, s store.Store, articles ...*store.Article) []store.Change {
	t.Helper()
	changes, err := s.Put(context.Background(), articles...)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return changes
}

func mustSearch(t testing.TB, s store.Store, q store.Query) *store.Results {
	t.Helper()
	res, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

// article returns a small article of site xinhua whose body is text.
func article(url, lang, title, text string) *store.Article {
	return &store.Article{
		ID: store.IDFor(url), URL: url, CanonicalURL: url, Site: "xinhua", Language: lang,
		Title: title, Text: text, ContentHash: store.HashText(text),
		Published: time.Date(2025, 2, 18, 5, 44, 0, 0, time.UTC),
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) store.Store {
		return mustOpen(t, testConfig(t))
	})
}

func TestDetectFlavor(t *testing.T) {
	cfg := testConfig(t)
	cfg.Flavor = ""
	s := mustOpen(t, cfg)
	if got := s.Flavor(); got != elastic.FlavorOpenSearch && got != elastic.FlavorElasticsearch {
		t.Errorf("Flavor() = %q", got)
	}
	if want := os.Getenv("ES_FLAVOR"); want != "" && s.Flavor() != want {
		t.Errorf("detected flavor %q, ES_FLAVOR says %q", s.Flavor(), want)
	}
}

// TestUpgrade opens the store as an older version of the package would
// (layout version 1 without english sub-fields), stores articles, and
// reopens it with layout version 2: the documents must move to the new
// index behind the same alias and be searchable with the new mapping.
func TestUpgrade(t *testing.T) {
	ctx := t.Context()
	cfg := testConfig(t)
	old := mustOpen(t, elastic.WithSchema(cfg, 1, true))
	if idx, err := old.IndexOf(ctx); err != nil || idx != cfg.IndexPrefix+"-articles-v1" {
		t.Fatalf("IndexOf before upgrade = %q, %v", idx, err)
	}
	a := article("https://xinhua.example/elections", "en", "Elections held", "The elections were calm.")
	b := article("https://xinhua.example/zh", "zh", "数据主权", "关于数据主权的讨论。")
	mustPut(t, old, a, b)
	a2 := *a
	a2.Text = "The elections were calm and orderly."
	a2.ContentHash = store.HashText(a2.Text)
	mustPut(t, old, &a2)
	if res := mustSearch(t, old, store.Query{Text: "election"}); res.Total != 0 {
		t.Errorf("layout 1 has no stemming, yet %q found %d", "election", res.Total)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := mustOpen(t, elastic.WithSchema(cfg, 2, false))
	if idx, err := s.IndexOf(ctx); err != nil || idx != cfg.IndexPrefix+"-articles-v2" {
		t.Errorf("IndexOf after upgrade = %q, %v; want %s-articles-v2", idx, err, cfg.IndexPrefix)
	}
	got, err := s.Get(ctx, a.ID)
	if err != nil || got.Text != a2.Text || got.Version != 2 {
		t.Fatalf("Get after upgrade: %+v, %v", got, err)
	}
	vs, err := s.Versions(ctx, a.ID)
	if err != nil || len(vs) != 1 || vs[0].Text != a.Text {
		t.Errorf("Versions after upgrade: %d, %v; want the first text", len(vs), err)
	}
	if res := mustSearch(t, s, store.Query{}); res.Total != 2 {
		t.Errorf("match-all after upgrade: Total %d, want 2", res.Total)
	}
	if res := mustSearch(t, s, store.Query{Text: "election"}); res.Total != 1 {
		t.Errorf("Search(election) after upgrade to a stemmed layout: Total %d, want 1", res.Total)
	}
	if res := mustSearch(t, s, store.Query{Text: "主权"}); res.Total != 1 {
		t.Errorf("Search(主权) after upgrade: Total %d, want 1", res.Total)
	}
	// Reopening with the same layout changes nothing.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, elastic.WithSchema(cfg, 2, false))
	if _, err := again.Get(ctx, b.ID); err != nil {
		t.Errorf("Get after reopen: %v", err)
	}
	// An older program refuses the newer layout.
	if _, err := elastic.Open(ctx, elastic.WithSchema(cfg, 1, true)); err == nil {
		t.Error("Open with layout 1 after the upgrade to 2 succeeded, want an error")
	}
}

func TestChinese(t *testing.T) {
	s := mustOpen(t, testConfig(t))
	yes := article("https://xinhua.example/1", "zh", "新规", "专家们围绕关于数据主权的讨论展开了激烈辩论。")
	no := article("https://xinhua.example/2", "zh", "城市", "主要城市保障居民权利。")
	mustPut(t, s, yes, no)
	res := mustSearch(t, s, store.Query{Text: "主权"})
	if res.Total != 1 || res.Hits[0].Article.ID != yes.ID {
		t.Fatalf("Search(主权): Total %d; want only %q", res.Total, yes.Text)
	}
	if f := strings.Join(res.Hits[0].Fragments, " "); !strings.Contains(f, "<mark>主权</mark>") {
		t.Errorf("fragments %q lack <mark>主权</mark>", res.Hits[0].Fragments)
	}
}

func TestHighlightEscapes(t *testing.T) {
	s := mustOpen(t, testConfig(t))
	a := article("https://xinhua.example/html", "en", "Tags", "Never trust <script>alert(1)</script> in a tariff text.")
	mustPut(t, s, a)
	res := mustSearch(t, s, store.Query{Text: "tariff"})
	if res.Total != 1 {
		t.Fatalf("Total %d, want 1", res.Total)
	}
	f := strings.Join(res.Hits[0].Fragments, " ")
	if strings.Contains(f, "<script>") || !strings.Contains(f, "&lt;script&gt;") || !strings.Contains(f, "<mark>tariff</mark>") {
		t.Errorf("fragments %q: want escaped text and <mark>tariff</mark>", res.Hits[0].Fragments)
	}
}

// TestBulkDocumentError puts an article that the mapping rejects (a
// keyword longer than Lucene's 32766-byte term limit) with a good one: Put
// must report the bad document by ID, as an error that is not transient.
func TestBulkDocumentError(t *testing.T) {
	s := mustOpen(t, testConfig(t))
	good := article("https://xinhua.example/good", "zh", "好", "正文。")
	bad := article("https://xinhua.example/bad", "zh", "坏", "正文。")
	bad.Site = strings.Repeat("x", 40000)
	_, err := s.Put(t.Context(), good, bad)
	if err == nil {
		t.Fatal("Put of an unindexable article succeeded")
	}
	var de *elastic.DocError
	if !errors.As(err, &de) || de.ID != bad.ID || de.Status != http.StatusBadRequest {
		t.Fatalf("Put error %v: want a *DocError for %s with status 400", err, bad.ID)
	}
	if store.IsTransient(err) {
		t.Errorf("a rejected document is transient: %v", err)
	}
	if _, err := s.Get(t.Context(), good.ID); err != nil {
		t.Errorf("the good article of the batch: %v", err)
	}
}

// fakeServer answers every request with a 200 and the root endpoint's JSON
// of a server that is not Elasticsearch, without X-Elastic-Product.
func fakeServer(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"name":"fake","version":{"number":"7.10.2"},"tagline":"You Know, for Search"}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRefusesUnknownProduct(t *testing.T) {
	srv := fakeServer(t)
	for _, flavor := range []string{elastic.FlavorElasticsearch, ""} {
		cfg := elastic.DefaultConfig()
		cfg.URLs = []string{srv.URL}
		cfg.Flavor = flavor
		s, err := elastic.Open(t.Context(), cfg)
		if err == nil {
			s.Close()
			t.Fatalf("flavor %q: Open succeeded against a server without X-Elastic-Product", flavor)
		}
		if !errors.Is(err, elastic.ErrUnknownProduct) || store.IsTransient(err) {
			t.Errorf("flavor %q: Open error %v; want ErrUnknownProduct, not transient", flavor, err)
		}
	}
}

func TestTransient(t *testing.T) {
	t.Run("Unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		for _, flavor := range []string{"", elastic.FlavorOpenSearch, elastic.FlavorElasticsearch} {
			cfg := elastic.DefaultConfig()
			cfg.URLs = []string{"http://" + addr}
			cfg.Flavor = flavor
			cfg.MaxRetries = -1
			_, err := elastic.Open(t.Context(), cfg)
			if !store.IsTransient(err) {
				t.Errorf("flavor %q: Open of a closed port: %v, want a transient error", flavor, err)
			}
		}
	})
	t.Run("Unavailable", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":{"type":"cluster_block_exception","reason":"blocked"},"status":503}`)
		}))
		defer srv.Close()
		cfg := elastic.DefaultConfig()
		cfg.URLs = []string{srv.URL}
		cfg.Flavor = elastic.FlavorElasticsearch
		cfg.MaxRetries = -1
		_, err := elastic.Open(t.Context(), cfg)
		var re *elastic.ResponseError
		if !store.IsTransient(err) || !errors.As(err, &re) || re.Status != http.StatusServiceUnavailable {
			t.Errorf("Open against a 503: %v, want a transient *ResponseError", err)
		}
	})
}

func TestConfigValidation(t *testing.T) {
	for _, cfg := range []elastic.Config{
		{},
		{URLs: []string{"http://127.0.0.1:1"}, Flavor: "solr"},
		{URLs: []string{"http://127.0.0.1:1"}, Refresh: "sometimes"},
	} {
		if _, err := elastic.Open(t.Context(), cfg); err == nil || store.IsTransient(err) {
			t.Errorf("Open(%+v) = %v, want a permanent error", cfg, err)
		}
	}
}

// TestRanking pins the ranking, totals and facets of a fixed corpus
// (testdata/ranking.golden.json; NEWSARC_UPDATE_GOLDEN=1 rewrites it).
func TestRanking(t *testing.T) {
	storetest.Ranking(t, mustOpen(t, testConfig(t)), filepath.Join("testdata", "ranking.golden.json"))
}
