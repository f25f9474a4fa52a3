package gensite_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"newsarc/crawler/gensite"
)

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestSiteServesChainedLists(t *testing.T) {
	s := gensite.New(60, 1)
	if s.Lists() != 3 || s.Pages() != 64 {
		t.Fatalf("lists %d pages %d, want 3 and 64", s.Lists(), s.Pages())
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	code, body := get(t, srv, "/") // follows the redirect
	if code != 200 || !strings.Contains(body, `href="/news/0.html"`) || !strings.Contains(body, `href="/list/2/"`) {
		t.Fatalf("front page: %d %q", code, body)
	}
	if _, body := get(t, srv, "/list/3/"); strings.Contains(body, "/list/4/") || !strings.Contains(body, "/news/59.html") {
		t.Fatalf("last list page: %q", body)
	}
	if code, body := get(t, srv, gensite.ArticlePath(59)); code != 200 || body != s.Article(59) {
		t.Fatalf("article 59: %d", code)
	}
	for _, p := range []string{"/news/60.html", "/list/4/", "/list/0/", "/other"} {
		if code, _ := get(t, srv, p); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
}

func TestSeedsGiveDistinctSites(t *testing.T) {
	a, b, a2 := gensite.New(10, 1), gensite.New(10, 2), gensite.New(10, 1)
	for i := range 10 {
		if a.Article(i) != a2.Article(i) {
			t.Fatalf("article %d differs for the same seed", i)
		}
		if a.Article(i) == b.Article(i) {
			t.Fatalf("article %d is the same for seeds 1 and 2", i)
		}
	}
}
