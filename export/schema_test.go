package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
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
)

// schemaStore holds special (with an offset), undated, a removed article
// with a capture, and two reprints of one story.
func schemaStore(t testing.TB) store.Store {
	t.Helper()
	st, err := bleve.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gone := undated()
	gone.ID, gone.URL, gone.CanonicalURL, gone.Title = "gone", "https://news.example/g", "https://news.example/g", "Gone"
	gone.Published = time.Date(2025, 2, 1, 9, 0, 0, 0, time.FixedZone("", -5*3600))
	gone.RemovedAt = time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	gone.Capture = store.Capture{File: "a.warc.gz", Offset: 1234, RecordID: "<urn:uuid:1>", Status: 200, Type: "text/html"}
	reprint := func(id string, day int) *store.Article {
		a := undated()
		a.ID, a.URL, a.CanonicalURL, a.Cluster = id, "https://news.example/"+id, "https://news.example/"+id, "story"
		a.Published = time.Date(2025, 1, day, 0, 0, 0, 0, time.UTC)
		return a
	}
	if _, err := st.Put(context.Background(), special(), undated(), gone, reprint("story", 1), reprint("copy", 2)); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSchemaOrder reads every format back and finds the same columns in
// the same order: Schema's, for CSV (encoding/csv), JSON Lines (the keys of
// every line) and Parquet (parquet-go, and pyarrow when there is one).
func TestSchemaOrder(t *testing.T) {
	st := schemaStore(t)
	var want []string
	for _, f := range Schema(JSONL) {
		want = append(want, f.Name)
	}
	for _, format := range Formats {
		if !slices.Equal(fieldNames(Schema(format)), want) {
			t.Errorf("Schema(%s) = %v, want %v", format, fieldNames(Schema(format)), want)
		}
	}
	for _, name := range []string{"removed_at", "version", "published_offset", "subtitle", "top_image", "provenance", "capture"} {
		if !slices.Contains(want, name) {
			t.Errorf("schema lacks %s", name)
		}
	}

	t.Run("csv", func(t *testing.T) {
		out, _ := runExport(t, st, store.Query{}, CSV, Options{})
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], want) {
			t.Errorf("CSV header = %v, want %v", rows[0], want)
		}
		for _, row := range rows[1:] {
			if len(row) != len(want) {
				t.Errorf("row of %d cells, want %d", len(row), len(want))
			}
			cell := func(name string) string { return row[slices.Index(want, name)] }
			switch cell("id") {
			case "gone":
				if cell("removed_at") != "2025-05-01T10:00:00Z" || cell("published_offset") != "-05:00" ||
					cell("capture") != `{"file":"a.warc.gz","offset":1234,"record_id":"<urn:uuid:1>","status":200,"content_type":"text/html"}` {
					t.Errorf("gone: removed_at %q, published_offset %q, capture %q", cell("removed_at"), cell("published_offset"), cell("capture"))
				}
			case "special":
				if cell("subtitle") != "副标题" || cell("top_image") != "https://news.example/top.jpg" ||
					cell("published_offset") != "+08:00" || cell("removed_at") != "" || cell("version") != "1" ||
					cell("provenance") != `{"published_at":"meta","title":"json-ld"}` {
					t.Errorf("special: %q", row)
				}
			}
		}
	})

	t.Run("jsonl", func(t *testing.T) {
		out, _ := runExport(t, st, store.Query{}, JSONL, Options{})
		for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			keys := jsonKeys(t, line)
			if !slices.Equal(keys, want) {
				t.Fatalf("JSONL keys = %v, want %v", keys, want)
			}
			var r Record
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if r.ID == "gone" && (!r.RemovedAt.Equal(time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)) || r.PublishedOffset != "-05:00" ||
				r.PublishedAt.Format(time.RFC3339) != "2025-02-01T09:00:00-05:00" || r.Capture.Offset != 1234) {
				t.Errorf("gone = %+v", r)
			}
		}
	})

	t.Run("parquet", func(t *testing.T) {
		out, _ := runExport(t, st, store.Query{}, Parquet, Options{CreatedBy: "newsarc version v1.2.3 (build abc)"})
		f, err := parquet.OpenFile(bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, field := range f.Schema().Fields() {
			got = append(got, field.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("Parquet columns = %v, want %v", got, want)
		}
		if cb := f.Metadata().CreatedBy; cb != "newsarc version v1.2.3 (build abc)" {
			t.Errorf("created_by = %q", cb)
		}
		type row struct {
			ID              string     `parquet:"id"`
			PublishedAt     *time.Time `parquet:"published_at,optional,timestamp(millisecond)"`
			PublishedOffset *string    `parquet:"published_offset,optional"`
			RemovedAt       *time.Time `parquet:"removed_at,optional,timestamp(millisecond)"`
			Version         int32      `parquet:"version"`
		}
		rows, err := parquet.Read[row](bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.ID == "gone" && (r.RemovedAt == nil || !r.RemovedAt.Equal(time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)) ||
				r.PublishedOffset == nil || *r.PublishedOffset != "-05:00" || r.Version != 1) {
				t.Errorf("gone row = %+v", r)
			}
			if r.ID == "undated" && (r.RemovedAt != nil || r.PublishedOffset != nil) {
				t.Errorf("undated row = %+v, want nulls", r)
			}
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
print(json.dumps({"names": t.schema.names, "removed_ms": int(rows["gone"]["removed_at"].timestamp() * 1000),
  "offset": rows["gone"]["published_offset"], "created_by": pq.ParquetFile(sys.argv[1]).metadata.created_by}))
`
			b, err := exec.Command(py, "-c", script, path).Output()
			if err != nil {
				t.Fatalf("pyarrow: %v", err)
			}
			var res struct {
				Names     []string `json:"names"`
				RemovedMS int64    `json:"removed_ms"`
				Offset    string   `json:"offset"`
				CreatedBy string   `json:"created_by"`
			}
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
			if !slices.Equal(res.Names, want) || res.RemovedMS != time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC).UnixMilli() ||
				res.Offset != "-05:00" || !strings.Contains(res.CreatedBy, "v1.2.3") {
				t.Errorf("pyarrow read %+v", res)
			}
		})
	})
}

// TestRunCollapse writes one record per reprint group.
func TestRunCollapse(t *testing.T) {
	st := schemaStore(t)
	out, m := runExport(t, st, store.Query{}, JSONL, Options{Collapse: true})
	var ids []string
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		var r Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	// copy (2 January) is newer than story (1 January): it stands for the group.
	if want := []string{"copy", "gone", "special", "undated"}; !slices.Equal(ids, want) {
		t.Errorf("collapsed export = %v, want %v", ids, want)
	}
	if m.Count != 4 || m.Collapsed != 1 || m.Filters["collapse"] != "true" {
		t.Errorf("manifest count %d, collapsed %d, filters %v", m.Count, m.Collapsed, m.Filters)
	}
}

func fieldNames(fs []Field) []string {
	var names []string
	for _, f := range fs {
		names = append(names, f.Name)
	}
	return names
}

// jsonKeys returns the keys of the JSON object line, in order.
func jsonKeys(t testing.TB, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
