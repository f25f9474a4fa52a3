package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"newsarc/store"
)

// exportRecord is one article in an export: the documented dataset schema.
type exportRecord struct {
	ID           string            `json:"id"`
	URL          string            `json:"url"`
	CanonicalURL string            `json:"canonical_url"`
	Site         string            `json:"site"`
	Title        string            `json:"title"`
	Subtitle     string            `json:"subtitle,omitempty"`
	Authors      []string          `json:"authors"`
	Editor       string            `json:"editor,omitempty"`
	Source       string            `json:"source,omitempty"`
	Publisher    string            `json:"publisher,omitempty"`
	PublishedAt  string            `json:"published_at"` // RFC 3339, "" when unknown
	ModifiedAt   string            `json:"modified_at"`
	Language     string            `json:"language"`
	Section      string            `json:"section,omitempty"`
	Tags         []string          `json:"tags"`
	Description  string            `json:"description"`
	TopImage     string            `json:"top_image,omitempty"`
	Text         string            `json:"text"`
	WordCount    int               `json:"word_count"`
	FetchedAt    string            `json:"fetched_at"`
	ContentHash  string            `json:"content_hash"`
	Version      int               `json:"version"`
	Provenance   map[string]string `json:"provenance,omitempty"`
	Capture      store.Capture     `json:"capture"` // the raw response in the WARC files
}

// csvColumns are the CSV header, in order; lists are joined with "; ".
var csvColumns = []string{"id", "url", "canonical_url", "site", "title", "authors", "published_at", "modified_at",
	"language", "section", "tags", "description", "editor", "source", "publisher", "word_count", "fetched_at",
	"content_hash", "version", "text"}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func newRecord(a *store.Article) exportRecord {
	r := exportRecord{
		ID: a.ID, URL: a.URL, CanonicalURL: a.CanonicalURL, Site: a.Site, Title: a.Title, Subtitle: a.Subtitle,
		Authors: a.Authors, Editor: a.Editor, Source: a.Source, Publisher: a.Publisher,
		PublishedAt: rfc3339(a.Published), ModifiedAt: rfc3339(a.Modified), Language: a.Language,
		Section: a.Section, Tags: a.Tags, Description: a.Description, TopImage: a.TopImage, Text: a.Text,
		WordCount: a.WordCount, FetchedAt: rfc3339(a.FetchedAt), ContentHash: a.ContentHash,
		Version: a.Version, Provenance: a.Provenance, Capture: a.Capture,
	}
	if r.Authors == nil {
		r.Authors = []string{}
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	return r
}

func (r exportRecord) csvRow() []string {
	return []string{r.ID, r.URL, r.CanonicalURL, r.Site, r.Title, strings.Join(r.Authors, "; "), r.PublishedAt,
		r.ModifiedAt, r.Language, r.Section, strings.Join(r.Tags, "; "), r.Description, r.Editor, r.Source,
		r.Publisher, strconv.Itoa(r.WordCount), r.FetchedAt, r.ContentHash, strconv.Itoa(r.Version), r.Text}
}

// recordWriter writes export records in one format.
type recordWriter interface {
	Write(exportRecord) error
	Flush() error
}

type jsonlWriter struct{ enc *json.Encoder }

func (w jsonlWriter) Write(r exportRecord) error { return w.enc.Encode(r) }
func (w jsonlWriter) Flush() error               { return nil }

type csvWriter struct{ w *csv.Writer }

func (w csvWriter) Write(r exportRecord) error { return w.w.Write(r.csvRow()) }
func (w csvWriter) Flush() error               { w.w.Flush(); return w.w.Error() }

func newRecordWriter(format string, w io.Writer, bom bool) (recordWriter, error) {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return jsonlWriter{enc}, nil
	case "csv":
		if bom {
			if _, err := io.WriteString(w, "\uFEFF"); err != nil {
				return nil, err
			}
		}
		cw := csv.NewWriter(w)
		cw.UseCRLF = true // RFC 4180
		if err := cw.Write(csvColumns); err != nil {
			return nil, err
		}
		return csvWriter{cw}, nil
	}
	return nil, fmt.Errorf("--format %q: want jsonl or csv", format)
}

func exportCmd(g *globals) *cobra.Command {
	var (
		qf     queryFlags
		format string
		out    string
		text   string
		bom    bool
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export archived articles as a dataset (JSONL or CSV)",
		Long: `Export archived articles, one record per article, newest first, streaming
in constant memory. Fields: id, url, canonical_url, site, title, authors,
published_at and modified_at (RFC 3339), language, section, tags,
description, editor, source, publisher, text, word_count, fetched_at,
content_hash, version, and (JSONL) provenance of each metadata field.
CSV follows RFC 4180 (CRLF line ends); --bom adds a UTF-8 byte-order mark
for spreadsheets.`,
		Example: `  newsarc export --format jsonl > articles.jsonl
  newsarc export --format csv --bom --site example-news --from 2025-01-01 --out feb.csv
  newsarc export --query 主权 --format jsonl --out sovereignty.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := g.config()
			if err != nil {
				return err
			}
			q, err := qf.query(text)
			if err != nil {
				return err
			}
			q.Sort = store.ByDate
			var w io.Writer = g.stdout
			var f *os.File
			if out != "" && out != "-" {
				f, err = os.CreateTemp(filepath.Dir(out), ".newsarc-export-*")
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				defer os.Remove(f.Name())
				defer f.Close()
				w = f
			}
			bw := bufio.NewWriterSize(w, 1<<16)
			rw, err := newRecordWriter(format, bw, bom)
			if err != nil {
				return err
			}
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			tty := isTerminal(g.stderr)
			start := time.Now()
			n := 0
			err = st.Scan(ctx, q, func(a *store.Article) error {
				if err := rw.Write(newRecord(a)); err != nil {
					return err
				}
				n++
				if tty && n%500 == 0 {
					fmt.Fprintf(g.stderr, "\r\033[Kexported %d articles", n)
				}
				return nil
			})
			if tty {
				fmt.Fprint(g.stderr, "\r\033[K")
			}
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if err := rw.Flush(); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			dest := "standard output"
			if f != nil {
				if err := f.Close(); err != nil {
					return fmt.Errorf("export: %w", err)
				}
				if err := os.Rename(f.Name(), out); err != nil {
					return fmt.Errorf("export: %w", err)
				}
				dest = out
			}
			fmt.Fprintf(g.stderr, "Exported %d articles as %s to %s in %s\n", n, format, dest, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	qf.add(cmd)
	f := cmd.Flags()
	f.StringVar(&format, "format", "jsonl", "jsonl or csv")
	f.StringVarP(&out, "out", "o", "", "output file (default standard output)")
	f.StringVar(&text, "query", "", "only articles matching this full-text query")
	f.BoolVar(&bom, "bom", false, "CSV: start with a UTF-8 byte-order mark")
	return cmd
}
