package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"newsarc/crawler/samplesite"
)

// lastRun returns the newest run `newsarc runs --json` lists.
func lastRun(t *testing.T, data string) runRecord {
	t.Helper()
	var runs []runRecord
	if err := json.Unmarshal([]byte(newsarc(t, "runs", "--data", data, "--json")), &runs); err != nil || len(runs) == 0 {
		t.Fatalf("runs: %v (%d)", err, len(runs))
	}
	return runs[0]
}

// TestHonestOutcome: a crawl that fetches nothing, or whose every page
// fails, exits non-zero and is recorded as failed; an interrupted crawl is
// recorded as interrupted; a crawl that works is ok.
func TestHonestOutcome(t *testing.T) {
	t.Run("nothing listens", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL + "/"
		srv.Close() // the port is closed now
		data := t.TempDir()
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"crawl", "--data", data, "--delay", "0", "--quiet", url}, &out, &errb)
		if !errors.Is(err, errCrawlFailed) || !strings.Contains(err.Error(), "no page could be fetched") {
			t.Fatalf("err = %v, want a failed crawl", err)
		}
		if r := lastRun(t, data); r.Status != "failed" || !strings.Contains(r.Error, "no page could be fetched") {
			t.Errorf("run recorded as %q %q", r.Status, r.Error)
		}
	})
	t.Run("every page fails", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				http.NotFound(w, r)
				return
			}
			http.Error(w, "down", http.StatusInternalServerError)
		}))
		defer srv.Close()
		data := t.TempDir()
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"crawl", "--data", data, "--delay", "0", "--quiet", srv.URL + "/"}, &out, &errb)
		if !errors.Is(err, errCrawlFailed) {
			t.Fatalf("err = %v, want a failed crawl", err)
		}
		if r := lastRun(t, data); r.Status != "failed" {
			t.Errorf("run recorded as %q %q", r.Status, r.Error)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		site := samplesite.New()
		srv := httptest.NewServer(site.Handler())
		defer srv.Close()
		data := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // a signal before the first page
		var out, errb bytes.Buffer
		err := run(ctx, []string{"crawl", "--data", data, "--delay", "0", "--quiet", srv.URL + "/"}, &out, &errb)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want an interrupted crawl", err)
		}
		if r := lastRun(t, data); r.Status != "interrupted" || strings.Contains(r.Error, "context canceled") {
			t.Errorf("run recorded as %q %q", r.Status, r.Error)
		}
	})
	t.Run("ok", func(t *testing.T) {
		site := samplesite.New()
		srv := httptest.NewServer(site.Handler())
		defer srv.Close()
		data := t.TempDir()
		newsarc(t, "crawl", "--data", data, "--delay", "0", "--quiet", srv.URL+"/")
		if r := lastRun(t, data); r.Status != "ok" || r.Error != "" {
			t.Errorf("run recorded as %q %q", r.Status, r.Error)
		}
	})
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out := newsarc(t, args...)
		if !strings.HasPrefix(out, "newsarc ") || !strings.Contains(out, "go1.") {
			t.Errorf("newsarc %v = %q", args, out)
		}
	}
}

// TestTyposAreNotSilent: read commands on a directory without an archive,
// and filters that name nothing in the archive, are errors that say what
// the archive holds.
func TestTyposAreNotSilent(t *testing.T) {
	empty := t.TempDir()
	for _, args := range [][]string{
		{"search", "--data", empty, "x"},
		{"export", "--data", empty},
		{"runs", "--data", empty},
		{"replay", "--data", empty, "https://example.com/"},
		{"check", "--data", empty},
	} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), args, &out, &errb); err == nil || !strings.Contains(err.Error(), "no archive in") {
			t.Errorf("newsarc %v: err = %v, want no archive", args, err)
		}
	}

	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	data := t.TempDir()
	newsarc(t, "crawl", "--data", data, "--delay", "0", "--quiet", srv.URL+"/")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"search", "--data", data, "--site", "nosuchsite", "x"}, "it holds: "},
		{[]string{"export", "--data", data, "--lang", "xx"}, "it holds: "},
		{[]string{"search", "--data", data, "--cluster", "0123456789abcdef0123456"}, "no such group"},
	} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), tc.args, &out, &errb); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("newsarc %v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
	// A filter that names something real still works when nothing matches the words.
	newsarc(t, "search", "--data", data, "--lang", "zh", "nosuchwordanywhere")
}
