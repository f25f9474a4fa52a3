package export

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"newsarc/store"
)

// The export formats.
const (
	JSONL   = "jsonl"   // JSON Lines: one Record per line, UTF-8
	CSV     = "csv"     // RFC 4180 with CRLF line ends and a header row of CSVColumns
	Parquet = "parquet" // Apache Parquet, Snappy-compressed, row groups of RowsPerGroup
)

// Formats lists the export formats.
var Formats = []string{JSONL, CSV, Parquet}

// ErrFormat is returned for a format that is not one of Formats.
var ErrFormat = errors.New("export: unknown format")

// ContentType returns the media type of a format, "" for an unknown one.
func ContentType(format string) string {
	switch format {
	case JSONL:
		return "application/x-ndjson; charset=utf-8"
	case CSV:
		return "text/csv; charset=utf-8; header=present"
	case Parquet:
		return "application/vnd.apache.parquet"
	}
	return ""
}

// Writer writes export records in one format.
type Writer interface {
	// Write adds one record.
	Write(Record) error
	// Close writes what is buffered and ends the file (the Parquet footer);
	// it does not close the underlying io.Writer.
	Close() error
}

// NewWriter returns a Writer of format on w, or an error wrapping ErrFormat.
// Of opts it uses BOM (CSV) and CreatedBy (Parquet).
func NewWriter(format string, w io.Writer, opts Options) (Writer, error) {
	switch format {
	case JSONL:
		return NewJSONL(w), nil
	case CSV:
		return NewCSV(w, opts.BOM)
	case Parquet:
		return NewParquet(w, opts.CreatedBy), nil
	}
	return nil, fmt.Errorf("%w %q: want jsonl, csv or parquet", ErrFormat, format)
}

// JSONLWriter writes JSON Lines: each record's JSON, HTML characters not
// escaped, then "\n".
type JSONLWriter struct{ enc *json.Encoder }

// NewJSONL returns a JSON Lines writer on w.
func NewJSONL(w io.Writer) *JSONLWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONLWriter{enc}
}

// Write writes r as one line.
func (w *JSONLWriter) Write(r Record) error { return w.enc.Encode(r) }

// Close does nothing: lines are written as they come.
func (w *JSONLWriter) Close() error { return nil }

// CSVWriter writes RFC 4180 CSV: a header of CSVColumns, CRLF line ends.
type CSVWriter struct{ w *csv.Writer }

// NewCSV writes the optional byte-order mark and the header to w and
// returns the writer of the rows.
func NewCSV(w io.Writer, bom bool) (*CSVWriter, error) {
	if bom {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return nil, fmt.Errorf("export: csv: %w", err)
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180
	if err := cw.Write(CSVColumns); err != nil {
		return nil, fmt.Errorf("export: csv: %w", err)
	}
	return &CSVWriter{cw}, nil
}

// Write writes r as one row.
func (w *CSVWriter) Write(r Record) error { return w.w.Write(r.CSVRow()) }

// Close flushes the rows buffered by encoding/csv.
func (w *CSVWriter) Close() error { w.w.Flush(); return w.w.Error() }

// RowsPerGroup is the number of records in each Parquet row group: the
// Parquet writer holds one row group in memory before writing it.
const RowsPerGroup = 5000

// parquetRow is the Parquet schema of a Record, field for field in the
// order of columns (TestSchemaOrder holds them together). Strings are UTF-8
// (STRING), lists are 3-level LISTs of STRING, times are
// TIMESTAMP(MILLIS, UTC) and null when unknown, the page's offset in the
// _offset column beside them.
type parquetRow struct {
	ID              string            `parquet:"id"`
	URL             string            `parquet:"url"`
	CanonicalURL    string            `parquet:"canonical_url"`
	Site            string            `parquet:"site,dict"`
	Title           string            `parquet:"title"`
	Subtitle        *string           `parquet:"subtitle,optional"`
	Authors         []string          `parquet:"authors,list"`
	Editor          *string           `parquet:"editor,optional"`
	Source          *string           `parquet:"source,optional"`
	Publisher       *string           `parquet:"publisher,optional,dict"`
	PublishedAt     *time.Time        `parquet:"published_at,optional,timestamp(millisecond:utc)"`
	PublishedOffset *string           `parquet:"published_offset,optional,dict"`
	ModifiedAt      *time.Time        `parquet:"modified_at,optional,timestamp(millisecond:utc)"`
	ModifiedOffset  *string           `parquet:"modified_offset,optional,dict"`
	Language        string            `parquet:"language,dict"`
	Section         *string           `parquet:"section,optional,dict"`
	Tags            []string          `parquet:"tags,list"`
	Description     string            `parquet:"description"`
	TopImage        *string           `parquet:"top_image,optional"`
	WordCount       int64             `parquet:"word_count"`
	FetchedAt       *time.Time        `parquet:"fetched_at,optional,timestamp(millisecond:utc)"`
	RemovedAt       *time.Time        `parquet:"removed_at,optional,timestamp(millisecond:utc)"`
	ContentHash     string            `parquet:"content_hash"`
	Version         int32             `parquet:"version"`
	SimHash         *string           `parquet:"simhash,optional"`
	Cluster         *string           `parquet:"cluster,optional"`
	DuplicateOf     *string           `parquet:"duplicate_of,optional"`
	Provenance      map[string]string `parquet:"provenance,optional"`
	Capture         *parquetCapture   `parquet:"capture,optional"`
	Text            string            `parquet:"text"`
	Damage          *string           `parquet:"damage,optional"`
}

// parquetCapture is store.Capture in Parquet, with the names of its JSON
// form.
type parquetCapture struct {
	File     string `parquet:"file"`
	Offset   int64  `parquet:"offset"`
	RecordID string `parquet:"record_id"`
	Status   int32  `parquet:"status"`
	Type     string `parquet:"content_type"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optTime(t Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func newParquetRow(r Record) parquetRow {
	row := parquetRow{
		ID: r.ID, URL: r.URL, CanonicalURL: r.CanonicalURL, Site: r.Site, Title: r.Title,
		Subtitle: optString(r.Subtitle), Authors: r.Authors, Editor: optString(r.Editor),
		Source: optString(r.Source), Publisher: optString(r.Publisher),
		PublishedAt: optTime(r.PublishedAt), PublishedOffset: optString(r.PublishedOffset),
		ModifiedAt: optTime(r.ModifiedAt), ModifiedOffset: optString(r.ModifiedOffset), Language: r.Language,
		Section: optString(r.Section), Tags: r.Tags, Description: r.Description, TopImage: optString(r.TopImage),
		Text: r.Text, WordCount: int64(r.WordCount), FetchedAt: optTime(r.FetchedAt), RemovedAt: optTime(r.RemovedAt),
		ContentHash: r.ContentHash, Version: int32(r.Version), Provenance: r.Provenance,
		SimHash: optString(r.SimHash), Cluster: optString(r.Cluster), DuplicateOf: optString(r.DuplicateOf),
		Damage: optString(r.Damage),
	}
	if c := r.Capture; c != (store.Capture{}) {
		row.Capture = &parquetCapture{File: c.File, Offset: c.Offset, RecordID: c.RecordID, Status: int32(c.Status), Type: c.Type}
	}
	return row
}

// ParquetWriter writes an Apache Parquet file. It buffers a row group of up
// to RowsPerGroup records, so its memory does not grow with the export.
type ParquetWriter struct {
	pw    *parquet.GenericWriter[parquetRow]
	batch []parquetRow
}

// parquetBatch is how many rows ParquetWriter hands to parquet-go at once.
const parquetBatch = 128

// NewParquet returns a Parquet writer on w; nothing is written before the
// first row group is full or Close is called. createdBy is the footer's
// created_by, by convention "newsarc version VERSION (build BUILD)"; ""
// writes "newsarc".
func NewParquet(w io.Writer, createdBy string) *ParquetWriter {
	pw := parquet.NewGenericWriter[parquetRow](w,
		parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(RowsPerGroup),
		&parquet.WriterConfig{CreatedBy: cmp.Or(createdBy, "newsarc")},
		parquet.KeyValueMetadata("newsarc.schema", "article/v1"),
	)
	return &ParquetWriter{pw: pw, batch: make([]parquetRow, 0, parquetBatch)}
}

// Write adds r to the current row group.
func (w *ParquetWriter) Write(r Record) error {
	w.batch = append(w.batch, newParquetRow(r))
	if len(w.batch) == cap(w.batch) {
		return w.flushBatch()
	}
	return nil
}

func (w *ParquetWriter) flushBatch() error {
	if len(w.batch) == 0 {
		return nil
	}
	if _, err := w.pw.Write(w.batch); err != nil {
		return fmt.Errorf("export: parquet: %w", err)
	}
	clear(w.batch)
	w.batch = w.batch[:0]
	return nil
}

// Close writes the last row group and the footer.
func (w *ParquetWriter) Close() error {
	if err := w.flushBatch(); err != nil {
		return err
	}
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("export: parquet: %w", err)
	}
	return nil
}
