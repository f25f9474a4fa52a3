package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"newsarc/store"
)

// schemaVersion names the current index layout. Changing the mapping must
// bump it: Open then moves the documents of older indices into new ones.
const schemaVersion = 2

// schema is one index layout: a version and the mapping of both indices.
type schema struct {
	version  int
	mappings map[string]any
}

// currentSchema returns the layout this package writes.
func currentSchema() *schema {
	return &schema{version: schemaVersion, mappings: mappings(true)}
}

// mappings returns the explicit mapping of article documents: title and
// text analysed with the built-in cjk analyzer (standard tokenizer, CJK
// bigrams, lower case) with an "en" sub-field analysed with the english
// analyzer (stems, stop words); keyword fields for filters, facets and the
// sort tie-break; dates. Fields not listed (html, images, capture,
// provenance, ...) are kept in _source only: dynamic mapping is off, so
// that an upgrade copies documents with fields the new layout does not know.
// Without withEnglish, the layout has no "en" sub-fields (the layout of
// tests' simulated older version).
func mappings(withEnglish bool) map[string]any {
	text := map[string]any{"type": "text", "analyzer": "cjk"}
	if withEnglish {
		text["fields"] = map[string]any{"en": map[string]any{"type": "text", "analyzer": "english"}}
	}
	keyword := map[string]any{"type": "keyword"}
	longKeyword := map[string]any{"type": "keyword", "ignore_above": 2048}
	date := map[string]any{"type": "date"}
	integer := map[string]any{"type": "integer"}
	return map[string]any{
		"dynamic": false,
		"properties": map[string]any{
			"id":            keyword,
			"url":           longKeyword,
			"canonical_url": longKeyword,
			"site":          keyword,
			"authors":       keyword,
			"tags":          keyword,
			"language":      keyword,
			"section":       keyword,
			"content_hash":  keyword,
			"title":         text,
			"text":          text,
			"published":     date,
			"modified":      date,
			"fetched":       date,
			"removed":       date,
			"version":       integer,
			"word_count":    integer,
			"simhash":       map[string]any{"type": "keyword", "index": false},
			"simhash_bands": keyword,
			"cluster":       keyword,
			"duplicate_of":  keyword,
		},
	}
}

// setup installs the templates and brings both aliases to indices of the
// current layout.
func (s *Store) setup(ctx context.Context) error {
	for _, alias := range []string{s.articles, s.versions} {
		if err := s.ensure(ctx, alias); err != nil {
			return err
		}
	}
	if ri := s.cfg.RefreshInterval; ri != "" {
		body := map[string]any{"index": map[string]any{"refresh_interval": ri}}
		req := esapi.IndicesPutSettingsRequest{Index: []string{s.articles}, Body: jsonBody(body)}
		if _, err := s.do(ctx, req, nil); err != nil {
			return fmt.Errorf("set refresh_interval %s: %w", ri, err)
		}
	}
	return nil
}

// indexName is the concrete index of alias for layout version v.
func indexName(alias string, v int) string {
	return alias + "-v" + strconv.Itoa(v)
}

// ensure puts the index template of the current layout for alias and
// makes alias point at an index of that layout: creating it, or upgrading
// from the index of an older layout alias points at.
func (s *Store) ensure(ctx context.Context, alias string) error {
	target := indexName(alias, s.schema.version)
	tmpl := map[string]any{
		"index_patterns": []string{target},
		"priority":       500,
		"version":        s.schema.version,
		"_meta":          map[string]any{"managed_by": "newsarc", "schema": s.schema.version},
		"template": map[string]any{
			"settings": map[string]any{
				"number_of_shards":   s.cfg.Shards,
				"number_of_replicas": s.cfg.Replicas,
			},
			"mappings": s.schema.mappings,
		},
	}
	if _, err := s.do(ctx, esapi.IndicesPutIndexTemplateRequest{Name: target, Body: jsonBody(tmpl)}, nil); err != nil {
		return fmt.Errorf("put index template %s: %w", target, err)
	}

	current, err := s.aliasIndices(ctx, alias)
	if err != nil {
		return err
	}
	switch len(current) {
	case 0:
		body := map[string]any{"aliases": map[string]any{alias: map[string]any{}}}
		_, err := s.do(ctx, esapi.IndicesCreateRequest{Index: target, Body: jsonBody(body)}, nil)
		if err != nil && !alreadyExists(err) {
			return fmt.Errorf("create index %s: %w", target, err)
		}
		if err != nil {
			// Already there (a concurrent Open, or a crash before the
			// alias was set): point the alias at it.
			return s.swapAlias(ctx, alias, "", target)
		}
		return nil
	case 1:
	default:
		return fmt.Errorf("alias %s points at %d indices %v, want one", alias, len(current), current)
	}
	old := current[0]
	if old == target {
		return nil
	}
	oldVersion, err := strconv.Atoi(strings.TrimPrefix(old, alias+"-v"))
	if err != nil || !strings.HasPrefix(old, alias+"-v") {
		return fmt.Errorf("alias %s points at %s, not an index of this store", alias, old)
	}
	if oldVersion > s.schema.version {
		return fmt.Errorf("alias %s points at %s, layout version %d; this program writes version %d: upgrade newsarc", alias, old, oldVersion, s.schema.version)
	}
	return s.upgrade(ctx, alias, old, target)
}

// upgrade copies every document of old into target (created from its
// template when missing) with _reindex, swaps alias from old to target in
// one atomic _aliases request, and deletes old and its template.
func (s *Store) upgrade(ctx context.Context, alias, old, target string) error {
	start := time.Now()
	s.log.Info("elastic: upgrading index", "alias", alias, "from", old, "to", target)
	if _, err := s.do(ctx, esapi.IndicesCreateRequest{Index: target}, nil); err != nil && !alreadyExists(err) {
		return fmt.Errorf("upgrade %s: create index %s: %w", alias, target, err)
	}
	var out struct {
		Total    int               `json:"total"`
		Created  int               `json:"created"`
		Updated  int               `json:"updated"`
		Failures []json.RawMessage `json:"failures"`
	}
	wait, refresh := true, true
	body := map[string]any{
		"source": map[string]any{"index": old},
		"dest":   map[string]any{"index": target},
	}
	req := esapi.ReindexRequest{Body: jsonBody(body), WaitForCompletion: &wait, Refresh: &refresh}
	if _, err := s.do(ctx, req, &out); err != nil {
		return fmt.Errorf("upgrade %s: reindex %s into %s: %w", alias, old, target, err)
	}
	if len(out.Failures) > 0 {
		return fmt.Errorf("upgrade %s: reindex %s into %s: %d failures, first: %s", alias, old, target, len(out.Failures), out.Failures[0])
	}
	if err := s.swapAlias(ctx, alias, old, target); err != nil {
		return fmt.Errorf("upgrade %s: %w", alias, err)
	}
	if _, err := s.do(ctx, esapi.IndicesDeleteRequest{Index: []string{old}}, nil, http.StatusNotFound); err != nil {
		return fmt.Errorf("upgrade %s: delete old index %s: %w", alias, old, err)
	}
	if _, err := s.do(ctx, esapi.IndicesDeleteIndexTemplateRequest{Name: old}, nil, http.StatusNotFound); err != nil {
		return fmt.Errorf("upgrade %s: delete old template %s: %w", alias, old, err)
	}
	s.log.Info("elastic: upgraded index", "alias", alias, "to", target, "count", out.Total, "dur", time.Since(start))
	return nil
}

// swapAlias moves alias from index old (none when empty) to index target
// in one atomic request.
func (s *Store) swapAlias(ctx context.Context, alias, old, target string) error {
	var actions []any
	if old != "" {
		actions = append(actions, map[string]any{"remove": map[string]any{"index": old, "alias": alias}})
	}
	actions = append(actions, map[string]any{"add": map[string]any{"index": target, "alias": alias}})
	body := map[string]any{"actions": actions}
	if _, err := s.do(ctx, esapi.IndicesUpdateAliasesRequest{Body: jsonBody(body)}, nil); err != nil {
		return fmt.Errorf("point alias %s at %s: %w", alias, target, err)
	}
	return nil
}

// aliasIndices returns the indices alias points at, none when it does not
// exist.
func (s *Store) aliasIndices(ctx context.Context, alias string) ([]string, error) {
	var out map[string]json.RawMessage
	status, err := s.do(ctx, esapi.IndicesGetAliasRequest{Name: []string{alias}}, &out, http.StatusNotFound)
	if err != nil {
		return nil, fmt.Errorf("get alias %s: %w", alias, err)
	}
	if status == http.StatusNotFound {
		return nil, nil
	}
	var indices []string
	for name := range out {
		indices = append(indices, name)
	}
	return indices, nil
}

// IndexOf returns the concrete index the articles alias points at, such
// as "newsarc-articles-v1".
func (s *Store) IndexOf(ctx context.Context) (string, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return "", fmt.Errorf("elastic: index of %s: %w", s.articles, err)
	}
	defer release()
	indices, err := s.aliasIndices(ctx, s.articles)
	if err != nil {
		return "", fmt.Errorf("elastic: %w", err)
	}
	if len(indices) != 1 {
		return "", fmt.Errorf("elastic: alias %s points at %v, want one index", s.articles, indices)
	}
	return indices[0], nil
}

// alreadyExists reports whether err says that an index exists already.
func alreadyExists(err error) bool {
	var re *ResponseError
	return errors.As(err, &re) && re.Type == "resource_already_exists_exception"
}

// doc is an article as indexed: store.Article with dates that are absent
// when unknown (so that they neither match ranges nor sort first) and
// without Raw.
type doc struct {
	ID           string            `json:"id"`
	URL          string            `json:"url,omitempty"`
	CanonicalURL string            `json:"canonical_url,omitempty"`
	Site         string            `json:"site,omitempty"`
	Title        string            `json:"title"`
	Subtitle     string            `json:"subtitle,omitempty"`
	Authors      []string          `json:"authors,omitempty"`
	Editor       string            `json:"editor,omitempty"`
	Source       string            `json:"source,omitempty"`
	Publisher    string            `json:"publisher,omitempty"`
	Published    *time.Time        `json:"published,omitempty"`
	Modified     *time.Time        `json:"modified,omitempty"`
	Language     string            `json:"language,omitempty"`
	Section      string            `json:"section,omitempty"`
	Tags         []string          `json:"tags,omitempty"`
	Description  string            `json:"description,omitempty"`
	TopImage     string            `json:"top_image,omitempty"`
	Images       []store.Image     `json:"images,omitempty"`
	Text         string            `json:"text"`
	HTML         string            `json:"html,omitempty"`
	WordCount    int               `json:"word_count"`
	ContentHash  string            `json:"content_hash"`
	Fetched      *time.Time        `json:"fetched,omitempty"`
	Version      int               `json:"version"`
	Removed      *time.Time        `json:"removed,omitempty"`
	Capture      *store.Capture    `json:"capture,omitempty"`
	Provenance   map[string]string `json:"provenance,omitempty"`
	SimHash      string            `json:"simhash,omitempty"`
	SimHashBands []string          `json:"simhash_bands,omitempty"` // store.SimHashBands, for Similar
	Cluster      string            `json:"cluster,omitempty"`
	DuplicateOf  string            `json:"duplicate_of,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// toDoc converts an article for indexing.
func toDoc(a *store.Article) *doc {
	d := &doc{
		ID: a.ID, URL: a.URL, CanonicalURL: a.CanonicalURL, Site: a.Site, Title: a.Title, Subtitle: a.Subtitle,
		Authors: a.Authors, Editor: a.Editor, Source: a.Source, Publisher: a.Publisher,
		Published: timePtr(a.Published), Modified: timePtr(a.Modified), Language: a.Language, Section: a.Section,
		Tags: a.Tags, Description: a.Description, TopImage: a.TopImage, Images: a.Images, Text: a.Text, HTML: a.HTML,
		WordCount: a.WordCount, ContentHash: a.ContentHash, Fetched: timePtr(a.FetchedAt), Version: a.Version,
		Removed: timePtr(a.RemovedAt), Provenance: a.Provenance,
		SimHash: a.SimHash, Cluster: a.Cluster, DuplicateOf: a.DuplicateOf,
	}
	if h, err := store.ParseSimHash(a.SimHash); err == nil {
		d.SimHashBands = store.SimHashBands(h)
	}
	if a.Capture != (store.Capture{}) {
		c := a.Capture
		d.Capture = &c
	}
	return d
}

// article converts an indexed document back.
func (d *doc) article() *store.Article {
	a := &store.Article{
		ID: d.ID, URL: d.URL, CanonicalURL: d.CanonicalURL, Site: d.Site, Title: d.Title, Subtitle: d.Subtitle,
		Authors: d.Authors, Editor: d.Editor, Source: d.Source, Publisher: d.Publisher,
		Published: timeOf(d.Published), Modified: timeOf(d.Modified), Language: d.Language, Section: d.Section,
		Tags: d.Tags, Description: d.Description, TopImage: d.TopImage, Images: d.Images, Text: d.Text, HTML: d.HTML,
		WordCount: d.WordCount, ContentHash: d.ContentHash, FetchedAt: timeOf(d.Fetched), Version: d.Version,
		RemovedAt: timeOf(d.Removed), Provenance: d.Provenance,
		SimHash: d.SimHash, Cluster: d.Cluster, DuplicateOf: d.DuplicateOf,
	}
	if d.Capture != nil {
		a.Capture = *d.Capture
	}
	if a.Text != "" {
		// A document whose text no longer matches its content_hash is
		// served marked damaged, as the embedded store does. (Searches
		// that leave the text out of _source are not checked.)
		a.MarkDamage()
	}
	return a
}

// jsonBody encodes v as a request body. v is built by this package and
// always encodes.
func jsonBody(v any) *bytes.Reader {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("elastic: encode request: %v", err))
	}
	return bytes.NewReader(b)
}
