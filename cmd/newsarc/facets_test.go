package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"newsarc/crawler/samplesite"
	"newsarc/store"
)

// TestSectionTagFlags crawls the sample site and checks --section and
// --tag of search and export against what the archive holds, that search
// asks for the facets it prints and no others, and that a section or tag
// the archive lacks is an error naming what it holds.
func TestSectionTagFlags(t *testing.T) {
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	data := t.TempDir()
	newsarc(t, "crawl", "--data", data, "--delay", "0", "--quiet", srv.URL+"/")

	records := exportJSONL(t, data)
	sections, tags := map[string]int{}, map[string]int{}
	for _, r := range records {
		if r.Section != "" {
			sections[r.Section]++
		}
		for _, tag := range r.Tags {
			tags[tag]++
		}
	}
	if len(sections) == 0 || len(tags) == 0 {
		t.Fatalf("the sample archive has %d sections and %d tags; the test needs some of both", len(sections), len(tags))
	}
	// The most common of each, so that the filter selects some but not all.
	section := mostCommon(sections)
	tag := mostCommon(tags)
	t.Logf("%d articles, %d sections, %d tags; filtering by section %q (%d) and tag %q (%d)",
		len(records), len(sections), len(tags), section, sections[section], tag, tags[tag])

	for _, c := range []struct {
		flag, value string
		want        int
		has         func(exportRecord) bool
	}{
		{"--section", section, sections[section], func(r exportRecord) bool { return r.Section == section }},
		{"--tag", tag, tags[tag], func(r exportRecord) bool { return slices.Contains(r.Tags, tag) }},
	} {
		out := newsarc(t, "search", "--data", data, "--json", "-n", "100", c.flag, c.value)
		var res store.Results
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("search %s %s --json: %v\n%s", c.flag, c.value, err, out)
		}
		if res.Total != c.want || len(res.Hits) != c.want {
			t.Errorf("search %s %s: total %d, %d hits; the archive has %d", c.flag, c.value, res.Total, len(res.Hits), c.want)
		}
		for _, h := range res.Hits {
			r := exportRecord{Section: h.Article.Section, Tags: h.Article.Tags}
			if !c.has(r) {
				t.Errorf("search %s %s: hit %s has section %q, tags %q", c.flag, c.value, h.Article.ID, h.Article.Section, h.Article.Tags)
			}
		}
		if got := slices.Sorted(maps.Keys(res.Facets)); !slices.Equal(got, []string{"author", "date", "language", "site"}) {
			t.Errorf("search %s %s: facets %v, want the four it prints", c.flag, c.value, got)
		}

		exported := exportJSONLArgs(t, "export", "--data", data, "--format", "jsonl", c.flag, c.value)
		if len(exported) != c.want {
			t.Errorf("export %s %s: %d records, want %d", c.flag, c.value, len(exported), c.want)
		}
		for _, r := range exported {
			if !c.has(r) {
				t.Errorf("export %s %s: record %s has section %q, tags %q", c.flag, c.value, r.ID, r.Section, r.Tags)
			}
		}
	}

	// Both together narrow.
	both := 0
	for _, r := range records {
		if r.Section == section && slices.Contains(r.Tags, tag) {
			both++
		}
	}
	if both > 0 {
		out := newsarc(t, "search", "--data", data, "--json", "-n", "100", "--section", section, "--tag", tag)
		var res store.Results
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if res.Total != both {
			t.Errorf("search --section %s --tag %s: total %d, want %d", section, tag, res.Total, both)
		}
	}

	// The text output prints the facets.
	if out := newsarc(t, "search", "--data", data, "--tag", tag); !strings.Contains(out, "site:") || !strings.Contains(out, "date:") {
		t.Errorf("search --tag %s prints no facets:\n%s", tag, out)
	}

	// A value the archive lacks says what it holds.
	for _, c := range []struct{ flag, known string }{{"--section", section}, {"--tag", tag}} {
		for _, cmd := range []string{"search", "export"} {
			args := []string{cmd, "--data", data, c.flag, "nosuchvalue"}
			var out, errb bytes.Buffer
			err := run(context.Background(), args, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), c.flag+" nosuchvalue: not in the archive") || !strings.Contains(err.Error(), c.known) {
				t.Errorf("newsarc %v: err = %v, want not in the archive, naming %q", args, err, c.known)
			}
		}
	}
}

// mostCommon returns the key of counts with the largest count (the first
// in order among equals).
func mostCommon(counts map[string]int) string {
	best := ""
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		if best == "" || counts[k] > counts[best] {
			best = k
		}
	}
	return best
}
