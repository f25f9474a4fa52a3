// Package export owns newsarc's dataset formats: the export record schema
// (Record), its writers (JSON Lines, CSV, Parquet), streaming an archive's
// matches into one of them (Run) and the manifest that describes the file.
// It reads articles through store.Store only; choosing files, flags and
// where the manifest goes is left to the caller (cmd/newsarc, package web).
package export

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"newsarc/store"
)

// Record is one article in an export: the documented dataset schema. Its
// JSON form is one JSON Lines record.
type Record struct {
	ID           string            `json:"id"`
	URL          string            `json:"url"`
	CanonicalURL string            `json:"canonical_url"`
	Site         string            `json:"site"`
	Title        string            `json:"title"`
	Subtitle     string            `json:"subtitle,omitempty"`
	Authors      []string          `json:"authors"` // never nil
	Editor       string            `json:"editor,omitempty"`
	Source       string            `json:"source,omitempty"`
	Publisher    string            `json:"publisher,omitempty"`
	PublishedAt  Time              `json:"published_at"`
	ModifiedAt   Time              `json:"modified_at"`
	Language     string            `json:"language"`
	Section      string            `json:"section,omitempty"`
	Tags         []string          `json:"tags"` // never nil
	Description  string            `json:"description"`
	TopImage     string            `json:"top_image,omitempty"`
	Text         string            `json:"text"`
	WordCount    int               `json:"word_count"`
	FetchedAt    Time              `json:"fetched_at"`
	ContentHash  string            `json:"content_hash"`
	Version      int               `json:"version"`
	SimHash      string            `json:"simhash,omitempty"`      // 16 hex digits, SimHash of text
	Cluster      string            `json:"cluster,omitempty"`      // group of near-duplicates (reprints)
	DuplicateOf  string            `json:"duplicate_of,omitempty"` // the earlier article this one repeats
	Provenance   map[string]string `json:"provenance,omitempty"`
	Capture      store.Capture     `json:"capture,omitzero"` // the raw response in the WARC files (JSONL only)
	// Damage is set when the archive's copy of the article failed its
	// check (store.Article.Damage): the text is not the text archived
	// (store.DamageHash), or the record could not be read at all and only
	// ID is known (store.DamageUnreadable). Empty for a sound record.
	Damage string `json:"damage,omitempty"`
}

// NewRecord returns the export record of a.
func NewRecord(a *store.Article) Record {
	r := Record{
		ID: a.ID, URL: a.URL, CanonicalURL: a.CanonicalURL, Site: a.Site, Title: a.Title, Subtitle: a.Subtitle,
		Authors: a.Authors, Editor: a.Editor, Source: a.Source, Publisher: a.Publisher,
		PublishedAt: Time{a.Published}, ModifiedAt: Time{a.Modified}, Language: a.Language,
		Section: a.Section, Tags: a.Tags, Description: a.Description, TopImage: a.TopImage, Text: a.Text,
		WordCount: a.WordCount, FetchedAt: Time{a.FetchedAt}, ContentHash: a.ContentHash,
		Version: a.Version, Provenance: a.Provenance,
		SimHash: a.SimHash, Cluster: a.Cluster, DuplicateOf: a.DuplicateOf,
		Capture: a.Capture, Damage: a.Damage,
	}
	if r.Authors == nil {
		r.Authors = []string{}
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	return r
}

// Time is a timestamp of a record. In JSON and CSV it is RFC 3339 with the
// article's own offset, or "" when unknown (the zero Time); in Parquet it is
// a TIMESTAMP in milliseconds adjusted to UTC, or null.
type Time struct{ time.Time }

// String returns t in RFC 3339, or "" when t is zero.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// MarshalJSON encodes t as an RFC 3339 string, "" when zero.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(t.String())), nil
}

// UnmarshalJSON decodes an RFC 3339 string; "" and null give the zero Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("export: time: %w", err)
	}
	if s == nil || *s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return fmt.Errorf("export: time: %w", err)
	}
	t.Time = v
	return nil
}

// CSVColumns are the CSV header, in order. Lists are joined with "; " and
// times are RFC 3339; subtitle, top_image and provenance are left out. A
// cell that a spreadsheet would run as a formula is escaped (see CSVRow).
// damage comes last, after text, so that the columns before it keep their
// places.
var CSVColumns = []string{"id", "url", "canonical_url", "site", "title", "authors", "published_at", "modified_at",
	"language", "section", "tags", "description", "editor", "source", "publisher", "word_count", "fetched_at",
	"content_hash", "version", "simhash", "cluster", "duplicate_of", "text", "damage"}

// CSVRow returns r's fields in the order of CSVColumns, as CSV cells: a
// cell that begins with =, +, -, @, a tab or a carriage return, which a
// spreadsheet would run as a formula, is prefixed with a single quote, as
// OWASP recommends against CSV injection. JSON Lines and Parquet keep the
// exact text.
func (r Record) CSVRow() []string {
	row := []string{r.ID, r.URL, r.CanonicalURL, r.Site, r.Title, strings.Join(r.Authors, "; "), r.PublishedAt.String(),
		r.ModifiedAt.String(), r.Language, r.Section, strings.Join(r.Tags, "; "), r.Description, r.Editor, r.Source,
		r.Publisher, strconv.Itoa(r.WordCount), r.FetchedAt.String(), r.ContentHash, strconv.Itoa(r.Version),
		r.SimHash, r.Cluster, r.DuplicateOf, r.Text, r.Damage}
	for i, c := range row {
		row[i] = csvCell(c)
	}
	return row
}

// formulaStart holds the first characters that make a spreadsheet read a
// cell as a formula (OWASP, CSV Injection).
const formulaStart = "=+-@\t\r"

// csvCell returns s with a single quote in front when a spreadsheet would
// run it as a formula.
func csvCell(s string) string {
	if s != "" && strings.IndexByte(formulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Field is one column of an export's schema, as the manifest lists it.
type Field struct {
	Name string `json:"name"`
	// Type is one of string, int, timestamp (RFC 3339 text in JSON Lines
	// and CSV, TIMESTAMP(MILLIS, UTC) in Parquet), list<string> (joined
	// with "; " in CSV) and map<string,string>.
	Type     string `json:"type"`
	Optional bool   `json:"optional,omitempty"` // may be null (Parquet) or "" / absent
}

// recordFields is the schema of JSON Lines and Parquet, in record order.
var recordFields = []Field{
	{"id", "string", false}, {"url", "string", false}, {"canonical_url", "string", false},
	{"site", "string", false}, {"title", "string", false}, {"subtitle", "string", true},
	{"authors", "list<string>", false}, {"editor", "string", true}, {"source", "string", true},
	{"publisher", "string", true}, {"published_at", "timestamp", true}, {"modified_at", "timestamp", true},
	{"language", "string", false}, {"section", "string", true}, {"tags", "list<string>", false},
	{"description", "string", false}, {"top_image", "string", true}, {"text", "string", false},
	{"word_count", "int", false}, {"fetched_at", "timestamp", true}, {"content_hash", "string", false},
	{"version", "int", false}, {"simhash", "string", true}, {"cluster", "string", true},
	{"duplicate_of", "string", true}, {"provenance", "map<string,string>", true},
	{"damage", "string", true},
}

// Schema returns the columns of an export in format, in file order, or nil
// for an unknown format.
func Schema(format string) []Field {
	switch format {
	case JSONL, Parquet:
		return append([]Field(nil), recordFields...)
	case CSV:
		byName := map[string]Field{}
		for _, f := range recordFields {
			byName[f.Name] = f
		}
		out := make([]Field, len(CSVColumns))
		for i, c := range CSVColumns {
			out[i] = byName[c]
		}
		return out
	}
	return nil
}
