package web

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"newsarc/export"
)

// TestSearchCollapse checks collapse=true: one hit per reprint group with
// the count of its other matches, limit and offset counting groups, the
// total still counting articles; and the export with collapse=true.
func TestSearchCollapse(t *testing.T) {
	st := analystStore(t)
	srv := newServer(t, st, Options{Export: func(ctx context.Context, req ExportRequest, w io.Writer) error {
		_, err := export.Run(ctx, st, req.Query, req.Format, w, export.Options{Collapse: req.Collapse})
		return err
	}})
	var res struct {
		Total int `json:"total"`
		Query struct {
			Collapse bool `json:"collapse"`
		} `json:"query"`
		Hits []struct {
			ID       string `json:"id"`
			Reprints int    `json:"reprints"`
		} `json:"hits"`
	}
	q := "q=" + url.QueryEscape("长江禁渔")
	getJSON(t, srv.URL, "/api/search?"+q, http.StatusOK, &res)
	if res.Total != 3 || len(res.Hits) != 3 || res.Hits[0].Reprints != 0 {
		t.Fatalf("uncollapsed: total %d, %d hits (%+v); want 3 prints, no reprint counts", res.Total, len(res.Hits), res.Hits)
	}
	getJSON(t, srv.URL, "/api/search?collapse=true&"+q, http.StatusOK, &res)
	if res.Total != 3 || len(res.Hits) != 1 || res.Hits[0].Reprints != 2 || !res.Query.Collapse {
		t.Errorf("collapsed: total %d, hits %+v, echo %v; want 3 matches in one hit with 2 reprints", res.Total, res.Hits, res.Query.Collapse)
	}

	// Everything, collapsed: 13 articles, 11 stories; pages count stories.
	seen := map[string]bool{}
	for offset := 0; ; offset += 4 {
		getJSON(t, srv.URL, "/api/search?collapse=true&limit=4&offset="+strconv.Itoa(offset), http.StatusOK, &res)
		if res.Total != 13 {
			t.Errorf("offset %d: total %d, want 13 articles", offset, res.Total)
		}
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Errorf("offset %d: %s shown twice", offset, h.ID)
			}
			seen[h.ID] = true
		}
		if len(res.Hits) < 4 {
			break
		}
	}
	if len(seen) != 11 {
		t.Errorf("%d stories over the pages, want 11", len(seen))
	}

	resp, err := http.Get(srv.URL + "/api/export?format=jsonl&collapse=true&" + q)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n := 0
	for sc := bufio.NewScanner(resp.Body); sc.Scan(); n++ {
		var r struct{ ID string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
	}
	if resp.StatusCode != http.StatusOK || n != 1 {
		t.Errorf("export collapse=true: %s, %d records; want one for the story", resp.Status, n)
	}
}
