package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsarc/crawler/samplesite"
	"newsarc/store"
	"newsarc/store/storetest"
)

// runNewsarc runs the program with args and returns its standard output
// and error, whatever it is.
func runNewsarc(args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String() + errb.String(), err
}

// TestCheck crawls the sample site, then damages a copy of the archive in
// each way a disk, a copy or a crash can, and runs check and check
// --repair on it: check finds each fault and exits non-zero, and repair
// fixes what the records and raw captures can give back.
func TestCheck(t *testing.T) {
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	base := t.TempDir()
	newsarc(t, "crawl", "--data", base, "--delay", "0", "--quiet", srv.URL+"/")
	out := newsarc(t, "check", "--data", base)
	if !strings.Contains(out, "No problems found") || !strings.Contains(out, "16 in the index") {
		t.Fatalf("check of a fresh archive:\n%s", out)
	}
	var en samplesite.Article
	for _, a := range site.Articles() {
		if a.Lang == "en" {
			en = a
			break
		}
	}
	warcFile := func(t *testing.T, data string) string {
		m, err := filepath.Glob(filepath.Join(data, "warc", "*.warc.gz"))
		if err != nil || len(m) != 1 {
			t.Fatalf("WARC files: %v, %v", m, err)
		}
		return m[0]
	}

	tests := []struct {
		name     string
		damage   func(t *testing.T, data string)
		want     []string // in check's report
		repaired bool     // check --repair leaves no problem
		export   string   // export fails saying this; "" when it works
		crawl    string   // a crawl fails saying this; "" when not tried
	}{
		{
			name: "record text altered",
			damage: func(t *testing.T, data string) {
				snippet := []byte(en.BodySnippet)
				altered := bytes.Clone(snippet)
				altered[0] ^= 0x20 // the first letter's case
				storetest.EditFile(t, filepath.Join(data, "archive", "articles.db"), func(b []byte) []byte {
					if !bytes.Contains(b, snippet) {
						t.Fatalf("articles.db lacks %q", snippet)
					}
					return bytes.ReplaceAll(b, snippet, altered)
				})
			},
			want:     []string{"problem (record 1)", "content_hash mismatch", "raw capture is intact"},
			repaired: true,
		},
		{
			name: "index segment damaged",
			damage: func(t *testing.T, data string) {
				segs, _ := filepath.Glob(filepath.Join(data, "archive", "index.bleve", "store", "*.zap"))
				if len(segs) == 0 {
					t.Fatal("no index segment")
				}
				for _, seg := range segs {
					storetest.EditFile(t, seg, func(b []byte) []byte { b[len(b)-20] ^= 0xff; return b })
				}
			},
			want:     []string{"index", "CRC", "--repair rebuilds the index"},
			repaired: true,
		},
		{
			name: "index missing",
			damage: func(t *testing.T, data string) {
				if err := os.RemoveAll(filepath.Join(data, "archive", "index.bleve")); err != nil {
					t.Fatal(err)
				}
			},
			want:     []string{"index: missing"},
			repaired: true,
		},
		{
			name: "articles.db cut short",
			damage: func(t *testing.T, data string) {
				db := filepath.Join(data, "archive", "articles.db")
				fi, err := os.Stat(db)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(db, fi.Size()/8); err != nil {
					t.Fatal(err)
				}
			},
			want:   []string{"database", "cut short", "restore it from a backup"},
			export: "record store is damaged",
		},
		{
			name: "WARC record damaged",
			damage: func(t *testing.T, data string) {
				storetest.EditFile(t, warcFile(t, data), func(b []byte) []byte { b[len(b)/2] ^= 0x10; return b })
			},
			want: []string{"warc", "unreadable record", "the rest of the file reads"},
		},
		{
			name: "WARC file lost",
			damage: func(t *testing.T, data string) {
				if err := os.Remove(warcFile(t, data)); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"problems (capture 16)", "capture not found"},
		},
		{
			name: "crawl state cut short",
			damage: func(t *testing.T, data string) {
				files, _ := filepath.Glob(filepath.Join(data, "state", "*.db"))
				if len(files) != 1 {
					t.Fatalf("crawl state files %v, want the site's", files)
				}
				if err := os.Truncate(files[0], 5000); err != nil {
					t.Fatal(err)
				}
			},
			want:  []string{"state", "cut short", "move the file aside"},
			crawl: "crawl state: store: archive damaged",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			if err := os.CopyFS(data, os.DirFS(base)); err != nil {
				t.Fatal(err)
			}
			tt.damage(t, data)

			out, err := runNewsarc("check", "--data", data)
			if err == nil || !strings.Contains(err.Error(), "problem") {
				t.Fatalf("check of a damaged archive: err %v\n%s", err, out)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("check's report lacks %q:\n%s", want, out)
				}
			}

			out, err = runNewsarc("check", "--repair", "--data", data)
			if tt.repaired != (err == nil) {
				t.Errorf("check --repair: err %v, want repaired %v\n%s", err, tt.repaired, out)
			}
			if tt.repaired {
				if !strings.Contains(out, "Repaired:") || !strings.Contains(out, "After repair:") {
					t.Errorf("check --repair does not say what it did:\n%s", out)
				}
				out := newsarc(t, "check", "--data", data)
				if !strings.Contains(out, "No problems found") {
					t.Errorf("check after --repair:\n%s", out)
				}
			}

			out, err = runNewsarc("export", "--data", data, "--format", "jsonl")
			switch {
			case tt.export == "" && err != nil:
				t.Errorf("export: %v\n%s", err, out)
			case tt.export != "" && (err == nil || !strings.Contains(err.Error(), tt.export)):
				t.Errorf("export of the damaged archive: %v; want an error saying %q", err, tt.export)
			case tt.export != "" && !errors.Is(err, store.ErrCorrupt):
				t.Errorf("export error %v does not wrap store.ErrCorrupt", err)
			}

			if tt.crawl != "" {
				// bbolt would have crashed the process with SIGBUS.
				_, err := runNewsarc("crawl", "--data", data, "--delay", "0", "--quiet", srv.URL+"/")
				if err == nil || !strings.Contains(err.Error(), tt.crawl) || !errors.Is(err, store.ErrCorrupt) {
					t.Errorf("crawl: %v; want an error saying %q", err, tt.crawl)
				}
			}
		})
	}
}
