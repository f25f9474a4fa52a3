package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"newsarc/crawler/samplesite"
	"newsarc/store"
	"newsarc/store/storetest"
)

// TestEndToEndElasticsearch crawls the fixture site into a real
// Elasticsearch/OpenSearch node chosen by the config, and searches it.
func TestEndToEndElasticsearch(t *testing.T) {
	es := storetest.ESURL(t)
	prefix := storetest.ESIndexPrefix(t)
	t.Cleanup(func() { storetest.DropESIndices(t, es, prefix) })
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	data := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "es.yaml")
	// No urls in the config: the nodes come from $ES_URL.
	os.WriteFile(cfgPath, []byte(fmt.Sprintf("data: %s\nstore:\n  type: elasticsearch\n  index_prefix: %s\n", data, prefix)), 0o644)

	newsarc(t, "crawl", "--config", cfgPath, "--delay", "0", "--quiet", srv.URL+"/")
	out := newsarc(t, "search", "--config", cfgPath, "--json", "主权")
	var res store.Results
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json: %v\n%s", err, out)
	}
	if res.Total != 1 || len(res.Hits) != 1 {
		t.Fatalf("search 主权 in Elasticsearch: %d hits, want 1", res.Total)
	}
	recs := exportJSONLArgs(t, "export", "--config", cfgPath, "--format", "jsonl")
	if len(recs) != len(site.Articles()) {
		t.Errorf("export from Elasticsearch: %d records, want %d", len(recs), len(site.Articles()))
	}
}
