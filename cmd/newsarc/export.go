package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"newsarc/export"
)

func exportCmd(g *globals) *cobra.Command {
	var (
		qf          queryFlags
		format      string
		out         string
		text        string
		bom         bool
		skipDamaged bool
		collapse    bool
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export archived articles as a dataset (JSONL, CSV or Parquet)",
		Long: `Export archived articles, one record per article, newest first, streaming
in constant memory. Every format has the same fields in the same order: id,
url, canonical_url, site, title, subtitle, authors, editor, source,
publisher, published_at, published_offset, modified_at, modified_offset,
language, section, tags, description, top_image, word_count, fetched_at,
removed_at (when the page was found gone), content_hash, version (the number
of versions archived), simhash, cluster and duplicate_of (near-duplicates:
reprints of a story share a cluster id), provenance (where each metadata
field came from), capture (the raw response in the WARC files), text and
damage. Times are RFC 3339 with the page's own offset in JSONL and CSV, and
UTC timestamps in Parquet; the _offset columns keep the page's offset.
CSV follows RFC 4180 (CRLF line ends), lists joined with "; ", provenance
and capture as JSON; --bom adds a UTF-8 byte-order mark for spreadsheets.
--collapse writes one record per group of reprints. With --out, the file
is readable by all (mode 0644) and a manifest (query, filters, count,
schema, sha256, time) is written beside it as FILE.manifest.json.`,
		Example: `  newsarc export --format jsonl > articles.jsonl
  newsarc export --format csv --bom --site example-news --from 2025-01-01 --out feb.csv
  newsarc export --query 主权 --format parquet --out sovereignty.parquet
  newsarc export --cluster 0632188c778eb1d665bbd4f4 --format csv   # one story and its reprints
  newsarc export --removed --format csv --out removed.csv           # articles gone from their site
  newsarc export --collapse --format parquet --out stories.parquet  # one record per story`,
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
			format = strings.ToLower(format)
			if export.Schema(format) == nil {
				return fmt.Errorf("--format %q: want jsonl, csv or parquet", format)
			}
			if format == export.Parquet && (out == "" || out == "-") && isTerminal(g.stdout) {
				return fmt.Errorf("--format parquet is binary: give --out FILE or redirect standard output")
			}
			var w io.Writer = g.stdout
			var f *os.File
			if out != "" && out != "-" {
				f, err = os.CreateTemp(filepath.Dir(out), ".newsarc-export-*")
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				defer os.Remove(f.Name())
				defer f.Close()
				if err := f.Chmod(0o644); err != nil { // CreateTemp makes it 0600
					return fmt.Errorf("export: %w", err)
				}
				w = f
			}
			bw := bufio.NewWriterSize(w, 1<<16)
			st, err := openReader(ctx, cfg, g.stderr)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := qf.check(ctx, st); err != nil {
				return err
			}
			tty := isTerminal(g.stderr)
			start := time.Now()
			opts := export.Options{BOM: bom, ProgressEvery: 500, SkipDamaged: skipDamaged, Collapse: collapse,
				CreatedBy: parquetCreatedBy()}
			if tty {
				opts.Progress = func(n int) {
					fmt.Fprintf(g.stderr, "\r\033[Kexported %d articles (%s)", n, time.Since(start).Round(time.Second))
				}
			}
			m, err := export.Run(ctx, st, q, format, bw, opts)
			if tty {
				fmt.Fprint(g.stderr, "\r\033[K")
			}
			if err != nil {
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
				m.File = filepath.Base(out)
				if err := export.WriteManifest(out, m); err != nil {
					return fmt.Errorf("export: %w", err)
				}
				dest = out + " (manifest " + export.ManifestPath(out) + ")"
			}
			fmt.Fprintf(g.stderr, "Exported %d articles as %s to %s in %s, sha256 %s\n", m.Count, format, dest,
				time.Since(start).Round(time.Millisecond), m.SHA256)
			if m.Damaged > 0 {
				// A record whose text no longer matches its content_hash
				// is never exported without a word.
				how := "written with their damage field set"
				if skipDamaged {
					how = "left out"
				}
				fmt.Fprintf(g.stderr, "Warning: %d damaged records (text does not match its content_hash), %s; `newsarc check` tells more\n", m.Damaged, how)
			}
			return nil
		},
	}
	qf.add(cmd)
	f := cmd.Flags()
	f.StringVar(&format, "format", "jsonl", "jsonl, csv or parquet")
	f.StringVarP(&out, "out", "o", "", "output file (default standard output)")
	f.StringVar(&text, "query", "", "only articles matching this full-text query")
	f.BoolVar(&bom, "bom", false, "CSV: start with a UTF-8 byte-order mark")
	f.BoolVar(&collapse, "collapse", false, "one record per group of reprints (near-duplicates), the newest")
	f.BoolVar(&skipDamaged, "skip-damaged", false, "leave out records whose text does not match their content_hash (default: write them with damage set)")
	return cmd
}

// parquetCreatedBy is the created_by of Parquet exports, in the form
// Parquet readers know: "newsarc version VERSION (build ...)".
func parquetCreatedBy() string {
	return "newsarc version " + strings.TrimPrefix(versionString(), "newsarc ")
}

// exportRecord is the record type the tests read back.
type exportRecord = export.Record

var csvColumns = export.CSVColumns
