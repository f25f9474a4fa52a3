package export

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"

	"newsarc/store"
)

// Options tune Run.
type Options struct {
	// BOM starts a CSV export with a UTF-8 byte-order mark.
	BOM bool
	// CreatedBy is a Parquet file's created_by: the program and its
	// version, "newsarc version VERSION (build BUILD)". Empty writes
	// "newsarc".
	CreatedBy string
	// Collapse writes one record per group of near-duplicates (reprints
	// of a story: store.Article.Cluster), the first the scan meets (the
	// newest published); an article of no group is its own. Run then
	// holds the IDs of the groups written (some bytes each) in memory.
	Collapse bool
	// Progress, when set, is called with the number of records written so
	// far every ProgressEvery records, and once more at the end.
	Progress func(count int)
	// ProgressEvery defaults to 1000.
	ProgressEvery int
	// Now stamps Manifest.CreatedAt; it defaults to time.Now.
	Now func() time.Time
	// SkipDamaged leaves out of the file the records the store read
	// damaged (store.Article.Damage set). By default they are written, each
	// saying what is wrong in its damage field. The manifest counts and
	// lists them either way.
	SkipDamaged bool
}

// maxDamagedIDs is how many damaged records a manifest lists by ID.
const maxDamagedIDs = 1000

// Manifest describes one export file. Write it beside the file with
// WriteManifest.
type Manifest struct {
	File    string            `json:"file,omitempty"` // base name of the export file
	Format  string            `json:"format"`
	Query   string            `json:"query"`             // full-text query, "" for all
	Filters map[string]string `json:"filters,omitempty"` // site, language, author, section, tag, cluster, removed, changed, from, to (RFC 3339)
	Count   int               `json:"count"`             // records written
	// Damaged counts the records the store read damaged (see
	// Record.Damage): written with their damage field set, or, with
	// Options.SkipDamaged, left out and counted in Skipped. DamagedIDs
	// lists the first maxDamagedIDs of them.
	Damaged    int      `json:"damaged,omitempty"`
	Skipped    int      `json:"skipped,omitempty"`
	DamagedIDs []string `json:"damaged_ids,omitempty"`
	// Collapsed counts the records left out by Options.Collapse: later
	// members of a group already written.
	Collapsed int       `json:"collapsed,omitempty"`
	Bytes     int64     `json:"bytes"`  // size of the file
	SHA256    string    `json:"sha256"` // of the file's bytes, hex
	Schema    []Field   `json:"schema"`
	CreatedAt time.Time `json:"created_at"`
}

// Run writes every article matching q (newest published first, as
// store.Store.Scan orders them; q.Limit, q.Offset and q.Sort are ignored)
// to w in format, streaming in constant memory, and returns the manifest of
// what it wrote (File left empty). A record the store read damaged is
// never written as if it were sound: it carries its damage field, or is
// left out (Options.SkipDamaged), and the manifest counts it. An unknown format returns an error
// wrapping ErrFormat before anything is written; an error of st, of w or of
// ctx stops the export and is returned wrapped, with a partial file on w.
func Run(ctx context.Context, st store.Store, q store.Query, format string, w io.Writer, opts Options) (Manifest, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = 1000
	}
	m := Manifest{Format: format, Query: q.Text, Filters: filters(q), Schema: Schema(format), CreatedAt: now().UTC()}
	if m.Schema == nil {
		return m, fmt.Errorf("%w %q: want jsonl, csv or parquet", ErrFormat, format)
	}
	sum := &counter{h: sha256.New()}
	bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 1<<16)
	rw, err := NewWriter(format, bw, opts)
	if err != nil {
		return m, err
	}
	q.Sort, q.Limit, q.Offset = store.ByDate, 0, 0
	var groups map[string]bool // with Collapse: the groups written
	if opts.Collapse {
		groups = map[string]bool{}
		if m.Filters == nil {
			m.Filters = map[string]string{}
		}
		m.Filters["collapse"] = "true"
	}
	err = st.Scan(ctx, q, func(a *store.Article) error {
		if groups != nil {
			g := store.GroupOf(a)
			if groups[g] {
				m.Collapsed++
				return nil
			}
			groups[g] = true
		}
		if a.Damage != "" {
			m.Damaged++
			if len(m.DamagedIDs) < maxDamagedIDs {
				m.DamagedIDs = append(m.DamagedIDs, a.ID)
			}
			if opts.SkipDamaged {
				m.Skipped++
				return nil
			}
		}
		if err := rw.Write(NewRecord(a)); err != nil {
			return fmt.Errorf("write %s: %w", a.ID, err)
		}
		m.Count++
		if m.Count%every == 0 {
			if opts.Progress != nil {
				opts.Progress(m.Count)
			}
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("export: after %d records: %w", m.Count, err)
	}
	if err := rw.Close(); err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	if opts.Progress != nil {
		opts.Progress(m.Count)
	}
	m.Bytes, m.SHA256 = sum.n, hex.EncodeToString(sum.h.Sum(nil))
	return m, nil
}

// filters returns the non-empty filters of q.
func filters(q store.Query) map[string]string {
	f := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			f[k] = v
		}
	}
	set("site", q.Site)
	set("language", q.Language)
	set("author", q.Author)
	set("section", q.Section)
	set("tag", q.Tag)
	set("cluster", q.Cluster)
	if q.Removed {
		f["removed"] = "true"
	}
	if q.Changed {
		f["changed"] = "true"
	}
	if !q.From.IsZero() {
		f["from"] = q.From.Format(time.RFC3339)
	}
	if !q.To.IsZero() {
		f["to"] = q.To.Format(time.RFC3339)
	}
	if len(f) == 0 {
		return nil
	}
	return f
}

// counter hashes and counts the bytes written to it.
type counter struct {
	h hash.Hash
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// ManifestPath returns where the manifest of file goes: file +
// ".manifest.json".
func ManifestPath(file string) string { return file + ".manifest.json" }

// WriteManifest writes m, with File set to file's base name, as indented
// JSON to ManifestPath(file), replacing it atomically.
func WriteManifest(file string, m Manifest) error {
	m.File = filepath.Base(file)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("export: manifest: %w", err)
	}
	path := ManifestPath(file)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".newsarc-manifest-*")
	if err != nil {
		return fmt.Errorf("export: manifest: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("export: manifest: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("export: manifest: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export: manifest: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export: manifest: %w", err)
	}
	return nil
}
