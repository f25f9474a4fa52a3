// Package export owns newsarc's dataset formats: the export record schema
// (Record), its writers (JSON Lines, CSV, Parquet), streaming an archive's
// matches into one of them (Run) and the manifest that describes the file.
// It reads articles through store.Store only; choosing files, flags and
// where the manifest goes is left to the caller (cmd/newsarc, package web).
package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"newsarc/store"
)

// Record is one article in an export: the documented dataset schema. The
// order and the names of its fields in every format are those of columns;
// its JSON form (MarshalJSON) is one JSON Lines record, every field present.
type Record struct {
	ID              string            `json:"id"`
	URL             string            `json:"url"`
	CanonicalURL    string            `json:"canonical_url"`
	Site            string            `json:"site"`
	Title           string            `json:"title"`
	Subtitle        string            `json:"subtitle"`
	Authors         []string          `json:"authors"` // never nil
	Editor          string            `json:"editor"`
	Source          string            `json:"source"`
	Publisher       string            `json:"publisher"`
	PublishedAt     Time              `json:"published_at"`
	PublishedOffset string            `json:"published_offset"` // the page's own UTC offset, "+08:00"; "" when undated
	ModifiedAt      Time              `json:"modified_at"`
	ModifiedOffset  string            `json:"modified_offset"`
	Language        string            `json:"language"`
	Section         string            `json:"section"`
	Tags            []string          `json:"tags"` // never nil
	Description     string            `json:"description"`
	TopImage        string            `json:"top_image"`
	WordCount       int               `json:"word_count"`
	FetchedAt       Time              `json:"fetched_at"`
	RemovedAt       Time              `json:"removed_at"` // when the page was found gone (404/410); zero while it is up
	ContentHash     string            `json:"content_hash"`
	Version         int               `json:"version"`      // versions archived: 1 for an article never changed
	SimHash         string            `json:"simhash"`      // 16 hex digits, SimHash of text
	Cluster         string            `json:"cluster"`      // group of near-duplicates (reprints)
	DuplicateOf     string            `json:"duplicate_of"` // the earlier article this one repeats
	Provenance      map[string]string `json:"provenance"`
	Capture         store.Capture     `json:"capture"` // the raw response in the WARC files
	Text            string            `json:"text"`
	// Damage is set when the archive's copy of the article failed its
	// check (store.Article.Damage): the text is not the text archived
	// (store.DamageHash), or the record could not be read at all and only
	// ID is known (store.DamageUnreadable). Empty for a sound record.
	Damage string `json:"damage"`
}

// NewRecord returns the export record of a.
func NewRecord(a *store.Article) Record {
	r := Record{
		ID: a.ID, URL: a.URL, CanonicalURL: a.CanonicalURL, Site: a.Site, Title: a.Title, Subtitle: a.Subtitle,
		Authors: a.Authors, Editor: a.Editor, Source: a.Source, Publisher: a.Publisher,
		PublishedAt: Time{a.Published}, PublishedOffset: offset(a.Published),
		ModifiedAt: Time{a.Modified}, ModifiedOffset: offset(a.Modified), Language: a.Language,
		Section: a.Section, Tags: a.Tags, Description: a.Description, TopImage: a.TopImage, Text: a.Text,
		WordCount: a.WordCount, FetchedAt: Time{a.FetchedAt}, RemovedAt: Time{a.RemovedAt}, ContentHash: a.ContentHash,
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

// offset returns the UTC offset of t as "+08:00", or "" when t is zero.
func offset(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("-07:00")
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

// CSVColumns are the CSV header, in order: the names of columns. Lists are
// joined with "; ", times are RFC 3339, provenance and capture are JSON
// objects. A cell that a spreadsheet would run as a formula is escaped (see
// CSVRow).
var CSVColumns = columnNames()

// CSVRow returns r's fields in the order of CSVColumns, as CSV cells: a
// cell that begins with =, +, -, @, a tab or a carriage return, which a
// spreadsheet would run as a formula, is prefixed with a single quote, as
// OWASP recommends against CSV injection. JSON Lines and Parquet keep the
// exact text.
func (r Record) CSVRow() []string {
	row := make([]string, len(columns))
	for i, c := range columns {
		if row[i] = c.cell(&r); !c.made {
			row[i] = csvCell(row[i])
		}
	}
	return row
}

// MarshalJSON encodes r as a JSON object with the fields of columns, in
// their order, every one present; HTML characters are not escaped.
func (r Record) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, c := range columns {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(strconv.Quote(c.Name))
		buf.WriteByte(':')
		if err := enc.Encode(c.value(&r)); err != nil {
			return nil, fmt.Errorf("export: %s: %w", c.Name, err)
		}
		buf.Truncate(buf.Len() - 1) // the Encoder's newline
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
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
	// Type is one of string, int, timestamp (RFC 3339 text with the
	// page's offset in JSON Lines and CSV, TIMESTAMP(MILLIS, UTC) in
	// Parquet, the offset kept in the _offset column beside it),
	// list<string> (joined with "; " in CSV), map<string,string> and
	// struct (JSON object text in CSV).
	Type     string `json:"type"`
	Optional bool   `json:"optional,omitempty"` // may be null (Parquet) or "" / absent
}

// column is one field of the dataset schema and how JSON Lines and CSV
// write it; parquetRow declares the same fields in the same order.
type column struct {
	Field
	value func(r *Record) any    // the JSON value
	cell  func(r *Record) string // the CSV cell, before formula escaping
	// made says the program formats every value (numbers, times,
	// offsets), so that none is a formula: "+08:00" is written as it is.
	made bool
}

func str(name string, optional bool, get func(r *Record) string) column {
	return column{Field{name, "string", optional}, func(r *Record) any { return get(r) }, get, false}
}

// zone is the offset column beside a timestamp, "+08:00" or "".
func zone(name string, get func(r *Record) string) column {
	c := str(name, true, get)
	c.made = true
	return c
}

func list(name string, get func(r *Record) []string) column {
	return column{Field{name, "list<string>", false}, func(r *Record) any { return get(r) },
		func(r *Record) string { return strings.Join(get(r), "; ") }, false}
}

func stamp(name string, get func(r *Record) Time) column {
	return column{Field{name, "timestamp", true}, func(r *Record) any { return get(r) },
		func(r *Record) string { return get(r).String() }, true}
}

func integer(name string, get func(r *Record) int) column {
	return column{Field{name, "int", false}, func(r *Record) any { return get(r) },
		func(r *Record) string { return strconv.Itoa(get(r)) }, true}
}

// object is a field that is a JSON object in JSON Lines and CSV (empty
// cell when nil), a map or group in Parquet.
func object(name, typ string, get func(r *Record) any) column {
	return column{Field{name, typ, true}, get, func(r *Record) string {
		v := get(r)
		if v == nil {
			return ""
		}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return ""
		}
		return strings.TrimSuffix(b.String(), "\n")
	}, false}
}

// columns is the dataset schema: the fields of every export format, in
// file order. JSON Lines objects, the CSV header and the Parquet schema
// follow it; text and damage come last, so that a reader of CSV finds the
// short fields first.
var columns = []column{
	str("id", false, func(r *Record) string { return r.ID }),
	str("url", false, func(r *Record) string { return r.URL }),
	str("canonical_url", false, func(r *Record) string { return r.CanonicalURL }),
	str("site", false, func(r *Record) string { return r.Site }),
	str("title", false, func(r *Record) string { return r.Title }),
	str("subtitle", true, func(r *Record) string { return r.Subtitle }),
	list("authors", func(r *Record) []string { return r.Authors }),
	str("editor", true, func(r *Record) string { return r.Editor }),
	str("source", true, func(r *Record) string { return r.Source }),
	str("publisher", true, func(r *Record) string { return r.Publisher }),
	stamp("published_at", func(r *Record) Time { return r.PublishedAt }),
	zone("published_offset", func(r *Record) string { return r.PublishedOffset }),
	stamp("modified_at", func(r *Record) Time { return r.ModifiedAt }),
	zone("modified_offset", func(r *Record) string { return r.ModifiedOffset }),
	str("language", false, func(r *Record) string { return r.Language }),
	str("section", true, func(r *Record) string { return r.Section }),
	list("tags", func(r *Record) []string { return r.Tags }),
	str("description", false, func(r *Record) string { return r.Description }),
	str("top_image", true, func(r *Record) string { return r.TopImage }),
	integer("word_count", func(r *Record) int { return r.WordCount }),
	stamp("fetched_at", func(r *Record) Time { return r.FetchedAt }),
	stamp("removed_at", func(r *Record) Time { return r.RemovedAt }),
	str("content_hash", false, func(r *Record) string { return r.ContentHash }),
	integer("version", func(r *Record) int { return r.Version }),
	str("simhash", true, func(r *Record) string { return r.SimHash }),
	str("cluster", true, func(r *Record) string { return r.Cluster }),
	str("duplicate_of", true, func(r *Record) string { return r.DuplicateOf }),
	object("provenance", "map<string,string>", func(r *Record) any {
		if len(r.Provenance) == 0 {
			return nil
		}
		return r.Provenance
	}),
	object("capture", "struct", func(r *Record) any {
		if r.Capture == (store.Capture{}) {
			return nil
		}
		return r.Capture
	}),
	str("text", false, func(r *Record) string { return r.Text }),
	str("damage", true, func(r *Record) string { return r.Damage }),
}

func columnNames() []string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.Name
	}
	return names
}

// Schema returns the columns of an export in format, in file order (the
// same for every format), or nil for an unknown format.
func Schema(format string) []Field {
	switch format {
	case JSONL, CSV, Parquet:
		out := make([]Field, len(columns))
		for i, c := range columns {
			out[i] = c.Field
		}
		return out
	}
	return nil
}
