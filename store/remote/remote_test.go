package remote_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/remote"
)

// TestSearchFacetsAndFilters checks that the section and tag filters and
// the facets asked for travel to the serving store and back, and that an
// unknown facet is still store.ErrUnknownFacet on the reading side.
func TestSearchFacetsAndFilters(t *testing.T) {
	ctx := context.Background()
	st, err := bleve.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var arts []*store.Article
	for i, c := range []struct {
		section string
		tags    []string
	}{{"world", []string{"trade", "tariffs"}}, {"world", []string{"trade"}}, {"business", []string{"markets"}}} {
		text := strings.Repeat("word ", i+1)
		url := "https://news.example/" + c.section + "/" + strings.Join(c.tags, "-")
		arts = append(arts, &store.Article{ID: store.IDFor(url), URL: url, CanonicalURL: url, Site: "news", Title: url,
			Text: text, ContentHash: store.HashText(text), Section: c.section, Tags: c.tags,
			Published: time.Date(2025, 3, i+1, 0, 0, 0, 0, time.UTC)})
	}
	if _, err := st.Put(ctx, arts...); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(remote.Handler(st))
	t.Cleanup(srv.Close)
	rs := remote.New(srv.Client(), srv.URL)

	res, err := rs.Search(ctx, store.Query{Section: "world", Tag: "tariffs", Facets: []string{store.FacetTag, store.FacetSection}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].Article.ID != arts[0].ID {
		t.Errorf("section world, tag tariffs: total %d, %d hits; want %s", res.Total, len(res.Hits), arts[0].ID)
	}
	if len(res.Facets) != 2 || len(res.Facets["tag"]) != 2 || len(res.Facets["section"]) != 1 {
		t.Errorf("facets = %v, want tag (2 buckets) and section (1)", res.Facets)
	}

	res, err = rs.Search(ctx, store.Query{Tag: "trade"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || len(res.Facets) != 0 {
		t.Errorf("tag trade: total %d, facets %v; want 2, none", res.Total, res.Facets)
	}

	_, err = rs.Search(ctx, store.Query{Facets: []string{"tags"}})
	if !errors.Is(err, store.ErrUnknownFacet) || !strings.Contains(err.Error(), `"tags"`) {
		t.Errorf("unknown facet over remote: %v, want ErrUnknownFacet naming \"tags\"", err)
	}
}
