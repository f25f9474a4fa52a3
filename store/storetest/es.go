package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// ESURL returns $ES_URL after checking that the server answers. It skips
// the test when ES_URL is unset or the server is down, and fails it instead
// under NEWSARC_REQUIRE_ES=1, as CI sets.
func ESURL(t testing.TB) string {
	t.Helper()
	require := os.Getenv("NEWSARC_REQUIRE_ES") == "1"
	u := os.Getenv("ES_URL")
	if u == "" {
		if require {
			t.Fatal("ES_URL is not set and NEWSARC_REQUIRE_ES=1")
		}
		t.Skip("ES_URL is not set; start a node with scripts/opensearch-dev start")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatalf("ES_URL %q: %v", u, err)
	}
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %s", res.Status)
		}
	}
	if err != nil {
		if require {
			t.Fatalf("ES_URL %s unreachable: %v", u, err)
		}
		t.Skipf("ES_URL %s unreachable: %v", u, err)
	}
	return u
}

// ESIndexPrefix returns a random index prefix for one test.
func ESIndexPrefix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "newsarc-test-" + hex.EncodeToString(b)
}

// DropESIndices deletes the indices and index templates whose names start
// with prefix, one by one (Elasticsearch 8 refuses wildcard deletes).
func DropESIndices(t testing.TB, u, prefix string) {
	t.Helper()
	call := func(method, path string, out any) {
		req, err := http.NewRequest(method, strings.TrimSuffix(u, "/")+path, nil)
		if err != nil {
			t.Errorf("cleanup %s %s: %v", method, path, err)
			return
		}
		// A connection of its own per call: a pooled one may lead to a node
		// that a test has stopped and started again since (EOF).
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		res, err := client.Do(req)
		if err != nil {
			t.Errorf("cleanup %s %s: %v", method, path, err)
			return
		}
		defer res.Body.Close()
		if res.StatusCode == http.StatusNotFound {
			return
		}
		if res.StatusCode != http.StatusOK {
			t.Errorf("cleanup %s %s: %s", method, path, res.Status)
			return
		}
		if out != nil {
			if err := json.NewDecoder(res.Body).Decode(out); err != nil {
				t.Errorf("cleanup %s %s: %v", method, path, err)
			}
		}
	}
	var indices map[string]json.RawMessage
	call(http.MethodGet, "/"+prefix+"-*", &indices)
	for name := range indices {
		call(http.MethodDelete, "/"+name, nil)
	}
	var templates struct {
		IndexTemplates []struct {
			Name string `json:"name"`
		} `json:"index_templates"`
	}
	call(http.MethodGet, "/_index_template/"+prefix+"-*", &templates)
	for _, tmpl := range templates.IndexTemplates {
		call(http.MethodDelete, "/_index_template/"+tmpl.Name, nil)
	}
}
