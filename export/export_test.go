package export

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/storetest"
)

var cst = time.FixedZone("CST", 8*3600)

// special is an article whose fields exercise quoting, CJK, lists,
// sub-second times, an offset and optional fields.
func special() *store.Article {
	text := "第一段，含有逗号, \"引号\" and <b>tags</b>.\n\nSecond paragraph; with a semicolon\nand a line break."
	return &store.Article{
		ID: "special", URL: "https://news.example/a?x=1,2&y=\"3\"", CanonicalURL: "https://news.example/a",
		Site: "special-site", Title: `Quote "this", comma, <b>tag</b> 数据主权`, Subtitle: "副标题",
		Authors: []string{"张伟", "Jane Doe"}, Editor: "李编辑", Source: "新华社", Publisher: "Example News",
		Published:   time.Date(2025, 3, 1, 12, 30, 45, 123e6, cst),
		Modified:    time.Date(2025, 3, 2, 8, 0, 0, 0, time.UTC),
		Language:    "zh",
		Section:     "科技",
		Tags:        []string{"a;b", "数据"},
		Description: "desc, with comma",
		TopImage:    "https://news.example/top.jpg",
		Text:        text, WordCount: 42, ContentHash: store.HashText(text),
		FetchedAt:  time.Date(2025, 4, 1, 8, 0, 0, 250e6, time.UTC),
		Provenance: map[string]string{"title": "json-ld", "published_at": "meta"},
		SimHash:    "0123456789abcdef", Cluster: "original", DuplicateOf: "original",
	}
}

// undated has no dates, authors, tags or optional fields.
func undated() *store.Article {
	return &store.Article{ID: "undated", URL: "https://news.example/u", CanonicalURL: "https://news.example/u",
		Site: "special-site", Title: "Undated", Language: "en", Text: "No date.", ContentHash: store.HashText("No date.")}
}

// testStore returns a bleve store with more articles than one Scan page.
func testStore(t testing.TB) store.Store {
	t.Helper()
	st, err := bleve.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	arts := append(storetest.Articles(620), special(), undated())
	if _, err := st.Put(context.Background(), arts...); err != nil {
		t.Fatal(err)
	}
	return st
}

// scanIDs returns the IDs Scan visits for q, in order.
func scanIDs(t testing.TB, st store.Store, q store.Query) []string {
	t.Helper()
	var ids []string
	if err := st.Scan(context.Background(), q, func(a *store.Article) error { ids = append(ids, a.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func runExport(t testing.TB, st store.Store, q store.Query, format string, opts Options) ([]byte, Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := Run(context.Background(), st, q, format, &buf, opts)
	if err != nil {
		t.Fatalf("Run %s: %v", format, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	if m.SHA256 != hex.EncodeToString(sum[:]) || m.Bytes != int64(buf.Len()) {
		t.Errorf("manifest sha256/bytes = %s/%d, want %x/%d", m.SHA256, m.Bytes, sum, buf.Len())
	}
	if m.Format != format || len(m.Schema) == 0 || m.CreatedAt.IsZero() {
		t.Errorf("manifest = %+v", m)
	}
	return buf.Bytes(), m
}

func TestRunJSONL(t *testing.T) {
	st := testStore(t)
	want := scanIDs(t, st, store.Query{})
	out, m := runExport(t, st, store.Query{}, JSONL, Options{})
	if m.Count != len(want) {
		t.Fatalf("count = %d, want %d", m.Count, len(want))
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(lines), len(want))
	}
	var got []string
	for i, line := range lines {
		var raw map[string]any
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		got = append(got, raw["id"].(string))
		if _, ok := raw["authors"].([]any); !ok {
			t.Errorf("line %d: authors = %v, want a list", i+1, raw["authors"])
		}
		switch raw["id"] {
		case "special":
			var r Record
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			a := special()
			if r.Title != a.Title || r.Text != a.Text || !slices.Equal(r.Authors, a.Authors) || !slices.Equal(r.Tags, a.Tags) ||
				r.Provenance["title"] != "json-ld" || r.Subtitle != a.Subtitle || r.TopImage != a.TopImage {
				t.Errorf("special record = %+v", r)
			}
			if raw["published_at"] != "2025-03-01T12:30:45+08:00" {
				t.Errorf("published_at = %v, want RFC 3339 with the article's offset", raw["published_at"])
			}
			if !strings.Contains(line, "<b>tag</b>") {
				t.Errorf("HTML characters escaped in %s", line)
			}
		case "undated":
			if raw["published_at"] != "" || raw["modified_at"] != "" {
				t.Errorf("undated times = %v %v, want \"\"", raw["published_at"], raw["modified_at"])
			}
			if tags, _ := raw["tags"].([]any); tags == nil || len(tags) != 0 {
				t.Errorf("undated tags = %v, want []", raw["tags"])
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("JSONL order differs from Scan order")
	}
}

func TestRunCSV(t *testing.T) {
	st := testStore(t)
	for _, bom := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "bom"}[bom], func(t *testing.T) {
			out, m := runExport(t, st, store.Query{}, CSV, Options{BOM: bom})
			if got := bytes.HasPrefix(out, []byte("\uFEFF")); got != bom {
				t.Fatalf("BOM present = %v, want %v", got, bom)
			}
			if !bytes.HasSuffix(out, []byte("\r\n")) || bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
				t.Error("line ends are not all CRLF")
			}
			rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\uFEFF")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], CSVColumns) {
				t.Fatalf("header = %v", rows[0])
			}
			if len(rows)-1 != m.Count || m.Count != len(scanIDs(t, st, store.Query{})) {
				t.Fatalf("%d rows, count %d", len(rows)-1, m.Count)
			}
			col := map[string]int{}
			for i, c := range CSVColumns {
				col[c] = i
			}
			found := false
			for _, row := range rows[1:] {
				if row[col["id"]] != "special" {
					continue
				}
				found = true
				a := special()
				checks := map[string]string{
					"title": a.Title, "text": a.Text, "authors": "张伟; Jane Doe", "tags": "a;b; 数据",
					"published_at": "2025-03-01T12:30:45+08:00", "url": a.URL, "word_count": "42", "description": a.Description,
				}
				for c, want := range checks {
					if got := row[col[c]]; got != want {
						t.Errorf("%s = %q, want %q", c, got, want)
					}
				}
			}
			if !found {
				t.Error("special article missing")
			}
		})
	}
}

// parquetRecord is an independent declaration of the Parquet schema, to
// read files back with parquet-go's reader.
type parquetRecord struct {
	ID          string            `parquet:"id"`
	Title       string            `parquet:"title"`
	Subtitle    *string           `parquet:"subtitle,optional"`
	Authors     []string          `parquet:"authors,list"`
	PublishedAt *time.Time        `parquet:"published_at,optional,timestamp(millisecond)"`
	Tags        []string          `parquet:"tags,list"`
	Text        string            `parquet:"text"`
	WordCount   int64             `parquet:"word_count"`
	FetchedAt   *time.Time        `parquet:"fetched_at,optional,timestamp(millisecond)"`
	Version     int32             `parquet:"version"`
	Provenance  map[string]string `parquet:"provenance,optional"`
	SimHash     *string           `parquet:"simhash,optional"`
	Cluster     *string           `parquet:"cluster,optional"`
	DuplicateOf *string           `parquet:"duplicate_of,optional"`
}

func TestRunParquet(t *testing.T) {
	st := testStore(t)
	want := scanIDs(t, st, store.Query{})
	out, m := runExport(t, st, store.Query{}, Parquet, Options{})
	if m.Count != len(want) {
		t.Fatalf("count = %d, want %d", m.Count, len(want))
	}
	f, err := parquet.OpenFile(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	if f.NumRows() != int64(len(want)) {
		t.Fatalf("rows = %d, want %d", f.NumRows(), len(want))
	}
	for _, name := range []string{"published_at", "modified_at", "fetched_at"} {
		col, ok := f.Schema().Lookup(name)
		if !ok {
			t.Fatalf("no column %s", name)
		}
		lt := col.Node.Type().LogicalType()
		if lt == nil || lt.String() != "TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS)" || !col.Node.Optional() {
			t.Errorf("%s: logical type %v, want optional TIMESTAMP(MILLIS, UTC)", name, lt)
		}
	}
	for _, name := range []string{"authors", "tags"} {
		lt := f.Schema().Fields()[slices.IndexFunc(f.Schema().Fields(), func(f parquet.Field) bool { return f.Name() == name })].Type().LogicalType()
		if lt == nil || lt.String() != "LIST" {
			t.Errorf("%s: logical type %v, want LIST", name, lt)
		}
	}

	rows, err := parquet.Read[parquetRecord](bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.ID)
		switch r.ID {
		case "special":
			a := special()
			if r.Title != a.Title || r.Text != a.Text || !slices.Equal(r.Authors, a.Authors) || !slices.Equal(r.Tags, a.Tags) ||
				r.Subtitle == nil || *r.Subtitle != a.Subtitle || r.WordCount != 42 || r.Provenance["published_at"] != "meta" {
				t.Errorf("special row = %+v", r)
			}
			if r.PublishedAt == nil || !r.PublishedAt.Equal(a.Published) {
				t.Errorf("published_at = %v, want %v (milliseconds kept)", r.PublishedAt, a.Published)
			}
			if r.SimHash == nil || *r.SimHash != a.SimHash || r.Cluster == nil || *r.Cluster != "original" || r.DuplicateOf == nil || *r.DuplicateOf != "original" {
				t.Errorf("special row near-duplicate fields = %v %v %v", r.SimHash, r.Cluster, r.DuplicateOf)
			}
		case "undated":
			if r.PublishedAt != nil || r.Subtitle != nil || len(r.Authors) != 0 || r.FetchedAt != nil || r.SimHash != nil || r.Cluster != nil {
				t.Errorf("undated row = %+v, want nulls and empty lists", r)
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Error("Parquet order differs from Scan order")
	}

	t.Run("pyarrow", func(t *testing.T) {
		py := findPyarrow(t)
		path := filepath.Join(t.TempDir(), "out.parquet")
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		script := `
import json, sys
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
rows = {r["id"]: r for r in t.to_pylist()}
s = rows["special"]
u = rows["undated"]
print(json.dumps({
  "rows": t.num_rows,
  "types": {f.name: str(f.type) for f in t.schema},
  "special": {"title": s["title"], "authors": s["authors"], "tags": s["tags"], "text": s["text"],
              "published_ms": int(s["published_at"].timestamp() * 1000), "tz": str(s["published_at"].tzinfo),
              "provenance": dict(s["provenance"]), "word_count": s["word_count"]},
  "undated": {"published_at": u["published_at"], "authors": u["authors"], "subtitle": u["subtitle"]},
}, ensure_ascii=False))
`
		cmd := exec.Command(py, "-c", script, path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("pyarrow: %v\n%s", err, stderr.String())
		}
		var res struct {
			Rows    int               `json:"rows"`
			Types   map[string]string `json:"types"`
			Special struct {
				Title       string            `json:"title"`
				Authors     []string          `json:"authors"`
				Tags        []string          `json:"tags"`
				Text        string            `json:"text"`
				PublishedMS int64             `json:"published_ms"`
				TZ          string            `json:"tz"`
				Provenance  map[string]string `json:"provenance"`
				WordCount   int64             `json:"word_count"`
			} `json:"special"`
			Undated struct {
				PublishedAt *string  `json:"published_at"`
				Authors     []string `json:"authors"`
				Subtitle    *string  `json:"subtitle"`
			} `json:"undated"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		if res.Rows != len(want) {
			t.Errorf("pyarrow rows = %d, want %d", res.Rows, len(want))
		}
		wantTypes := map[string]string{
			"id": "string", "title": "string", "authors": "list<element: string not null>", "tags": "list<element: string not null>",
			"published_at": "timestamp[ms, tz=UTC]", "fetched_at": "timestamp[ms, tz=UTC]",
			"word_count": "int64", "version": "int32", "provenance": "map<string, string>",
		}
		for name, typ := range wantTypes {
			got := strings.Replace(res.Types[name], "large_", "", 1)
			if got != typ && !(strings.HasPrefix(typ, "map") && strings.HasPrefix(got, "map<string, string")) {
				t.Errorf("pyarrow type of %s = %q, want %q", name, res.Types[name], typ)
			}
		}
		a := special()
		s := res.Special
		if s.Title != a.Title || s.Text != a.Text || !slices.Equal(s.Authors, a.Authors) || !slices.Equal(s.Tags, a.Tags) ||
			s.PublishedMS != a.Published.UnixMilli() || s.TZ != "UTC" || s.Provenance["title"] != "json-ld" || s.WordCount != 42 {
			t.Errorf("pyarrow special = %+v", s)
		}
		if res.Undated.PublishedAt != nil || res.Undated.Subtitle != nil || len(res.Undated.Authors) != 0 {
			t.Errorf("pyarrow undated = %+v", res.Undated)
		}
	})
}

// findPyarrow returns a python that imports pyarrow: $NEWSARC_PYTHON, the
// venv of scripts/install-pyarrow, or python3. It skips the test when there
// is none, or fails it under NEWSARC_REQUIRE_PYARROW=1.
func findPyarrow(t testing.TB) string {
	t.Helper()
	var candidates []string
	if p := os.Getenv("NEWSARC_PYTHON"); p != "" {
		candidates = append(candidates, p)
	}
	env := os.Getenv("NEWSARC_PYENV")
	if env == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		env = filepath.Join(cache, "newsarc", "pyenv")
	}
	candidates = append(candidates, filepath.Join(env, "bin", "python"), "python3")
	for _, py := range candidates {
		if exec.Command(py, "-c", "import pyarrow").Run() == nil {
			return py
		}
	}
	if os.Getenv("NEWSARC_REQUIRE_PYARROW") == "1" {
		t.Fatal("no python with pyarrow (run scripts/install-pyarrow) and NEWSARC_REQUIRE_PYARROW=1")
	}
	t.Skip("no python with pyarrow; run scripts/install-pyarrow (NEWSARC_REQUIRE_PYARROW=1 makes this fail)")
	return ""
}

func TestRunFilters(t *testing.T) {
	st := testStore(t)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	q := store.Query{Text: "经济", Site: "xinhua", From: from, Limit: 3, Offset: 7, Sort: store.ByRelevance}
	want := scanIDs(t, st, q)
	if len(want) < 4 {
		t.Fatalf("only %d matches: choose another query", len(want))
	}
	out, m := runExport(t, st, q, JSONL, Options{})
	if m.Count != len(want) {
		t.Errorf("count = %d, want %d (Limit and Offset ignored)", m.Count, len(want))
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var r Record
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		if r.Site != "xinhua" || r.PublishedAt.Before(from) {
			t.Errorf("record %s of %s at %v passed the filters", r.ID, r.Site, r.PublishedAt)
		}
	}
	if m.Query != "经济" || m.Filters["site"] != "xinhua" || m.Filters["from"] != "2025-01-01T00:00:00Z" || len(m.Filters) != 2 {
		t.Errorf("manifest query %q filters %v", m.Query, m.Filters)
	}
}

// TestRunSectionTag checks the section and tag filters of an export and
// that its manifest records them.
func TestRunSectionTag(t *testing.T) {
	st := testStore(t)
	tagged := storetest.Articles(622)[620:] // new IDs, not among testStore's
	tagged[0].Section, tagged[0].Tags = "国际", []string{"经济", "外交"}
	tagged[1].Section, tagged[1].Tags = "国际", []string{"外交"}
	if _, err := st.Put(context.Background(), tagged...); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q       store.Query
		want    int
		filters map[string]string
	}{
		{store.Query{Section: "国际"}, 2, map[string]string{"section": "国际"}},
		{store.Query{Section: "国际", Tag: "经济"}, 1, map[string]string{"section": "国际", "tag": "经济"}},
		{store.Query{Tag: "外交"}, 2, map[string]string{"tag": "外交"}},
		{store.Query{Tag: "经济"}, len(scanIDs(t, st, store.Query{Tag: "经济"})), map[string]string{"tag": "经济"}},
	} {
		out, m := runExport(t, st, c.q, JSONL, Options{})
		if m.Count != c.want {
			t.Errorf("export %+v: %d records, want %d", c.q, m.Count, c.want)
		}
		if !maps.Equal(m.Filters, c.filters) {
			t.Errorf("export %+v: manifest filters %v, want %v", c.q, m.Filters, c.filters)
		}
		for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
			var r Record
			if err := dec.Decode(&r); err != nil {
				t.Fatal(err)
			}
			if c.q.Section != "" && r.Section != c.q.Section || c.q.Tag != "" && !slices.Contains(r.Tags, c.q.Tag) {
				t.Errorf("export %+v: record %s (section %q, tags %q) passed the filters", c.q, r.ID, r.Section, r.Tags)
			}
		}
	}
}

func TestRunProgress(t *testing.T) {
	st := testStore(t)
	var calls []int
	_, m := runExport(t, st, store.Query{}, CSV, Options{ProgressEvery: 200, Progress: func(n int) { calls = append(calls, n) }})
	want := []int{200, 400, 600, m.Count}
	if !slices.Equal(calls, want) {
		t.Errorf("progress calls = %v, want %v", calls, want)
	}
}

func TestRunErrors(t *testing.T) {
	st := testStore(t)
	t.Run("format", func(t *testing.T) {
		var buf bytes.Buffer
		_, err := Run(context.Background(), st, store.Query{}, "xml", &buf, Options{})
		if !errors.Is(err, ErrFormat) || buf.Len() != 0 {
			t.Errorf("err = %v, %d bytes written; want ErrFormat and nothing", err, buf.Len())
		}
	})
	t.Run("writer", func(t *testing.T) {
		boom := errors.New("disk full")
		_, err := Run(context.Background(), st, store.Query{}, JSONL, failWriter{boom}, Options{})
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want %v", err, boom)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		_, err := Run(ctx, st, store.Query{}, JSONL, io.Discard, Options{ProgressEvery: 10, Progress: func(int) {
			if n++; n == 2 {
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWriteManifest(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "out.csv")
	m := Manifest{Format: CSV, Count: 3, SHA256: "abc", Schema: Schema(CSV), CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := WriteManifest(file, m); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out.csv.manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got Manifest
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.File != "out.csv" || got.Count != 3 || len(got.Schema) != len(CSVColumns) || got.Schema[6].Name != "authors" {
		t.Errorf("manifest = %+v", got)
	}
	if fi, err := os.Stat(ManifestPath(file)); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("manifest mode: %v %v", fi.Mode(), err)
	}
}

func TestTimeJSON(t *testing.T) {
	tests := []struct {
		name string
		in   Time
		want string
	}{
		{"zero", Time{}, `""`},
		{"offset", Time{time.Date(2025, 2, 18, 5, 44, 0, 0, cst)}, `"2025-02-18T05:44:00+08:00"`},
		{"utc", Time{time.Date(2025, 2, 18, 5, 44, 0, 0, time.UTC)}, `"2025-02-18T05:44:00Z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil || string(b) != tt.want {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tt.want)
			}
			var back Time
			if err := json.Unmarshal(b, &back); err != nil || !back.Equal(tt.in.Time) {
				t.Errorf("Unmarshal = %v, %v", back, err)
			}
		})
	}
	var null Time
	if err := json.Unmarshal([]byte("null"), &null); err != nil || !null.IsZero() {
		t.Errorf("null = %v, %v", null, err)
	}
}

// TestRunCluster exports one group of near-duplicates and names the
// filter in the manifest.
func TestRunCluster(t *testing.T) {
	st := testStore(t)
	out, m := runExport(t, st, store.Query{Cluster: "original"}, JSONL, Options{})
	var r Record
	if err := json.Unmarshal(bytes.TrimSpace(out), &r); err != nil {
		t.Fatalf("want one record: %v\n%s", err, out)
	}
	if m.Count != 1 || r.ID != "special" || r.Cluster != "original" || r.DuplicateOf != "original" || r.SimHash != "0123456789abcdef" {
		t.Errorf("count %d, record %s cluster %q duplicate_of %q simhash %q", m.Count, r.ID, r.Cluster, r.DuplicateOf, r.SimHash)
	}
	if m.Filters["cluster"] != "original" {
		t.Errorf("manifest filters %v, want the cluster", m.Filters)
	}
}
