package bleve_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/storetest"
)

func mustCheck(t testing.TB, dir string) *bleve.Report {
	t.Helper()
	r, err := bleve.Check(t.Context(), dir, nil)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return r
}

// problems returns the report's problems of part, as text.
func problems(r *bleve.Report, part string) []string {
	var out []string
	for _, p := range r.Problems {
		if p.Part == part {
			out = append(out, p.String())
		}
	}
	return out
}

func TestCheckSoundArchive(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	a := article("https://xinhua.example/1", "第一版")
	a.Raw = []byte("<p>第一版</p>")
	mustPut(t, s, a)
	mustPut(t, s, article(a.URL, "第二版"))
	mustPut(t, s, article("https://xinhua.example/2", "另一篇"))
	mustClose(t, s)

	seen := 0
	r, err := bleve.Check(t.Context(), dir, func(*store.Article) error { seen++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 || r.Records != 2 || r.Versions != 1 || r.Raw != 1 || r.Indexed != 2 || seen != 2 {
		t.Errorf("Check of a sound archive: %+v, fn saw %d", r, seen)
	}
}

// TestCheckFindsDamage damages each file of the archive in turn: Check
// finds it, and a rebuild repairs what concerns the index only.
func TestCheckFindsDamage(t *testing.T) {
	tests := []struct {
		name       string
		damage     func(t *testing.T, dir string)
		part       string
		want       string
		repairable bool
	}{
		{"record text altered", func(t *testing.T, dir string) {
			replaceAll(t, filepath.Join(dir, "articles.db"), "check-marker", "check-markes")
		}, bleve.PartRecord, store.DamageHash, false},
		{"record undecodable", func(t *testing.T, dir string) {
			replaceAll(t, filepath.Join(dir, "articles.db"), `数据主权 end of text"`, `数据主权 end of tex\"`)
		}, bleve.PartRecord, store.DamageUnreadable, false},
		{"database cut short", func(t *testing.T, dir string) {
			used, _ := dbUsed(t, filepath.Join(dir, "articles.db"))
			if err := os.Truncate(filepath.Join(dir, "articles.db"), used/2); err != nil {
				t.Fatal(err)
			}
		}, bleve.PartDatabase, "cut short", false},
		{"segment byte flipped", func(t *testing.T, dir string) {
			for _, seg := range segments(t, filepath.Join(dir, "index.bleve")) {
				storetest.EditFile(t, seg, func(b []byte) []byte { b[len(b)/3] ^= 0x01; return b })
			}
		}, bleve.PartIndex, "CRC", true},
		{"index missing", func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
				t.Fatal(err)
			}
		}, bleve.PartIndex, "missing", true},
		{"index behind", func(t *testing.T, dir string) {
			// The index of the archive before its last article.
			old := filepath.Join(t.TempDir(), "old")
			fillArchive(t, old, 30, "check-marker")
			if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(old, "index.bleve"), filepath.Join(dir, "index.bleve")); err != nil {
				t.Fatal(err)
			}
		}, bleve.PartIndex, "not in the index", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			fillArchive(t, dir, 30, "check-marker")
			s := mustOpen(t, dir)
			mustPut(t, s, article("https://xinhua.example/last", "the last one"))
			mustClose(t, s)
			if r := mustCheck(t, dir); len(r.Problems) > 0 {
				t.Fatalf("before the damage: %v", r.Problems)
			}
			tt.damage(t, dir)

			r := mustCheck(t, dir)
			found := strings.Join(problems(r, tt.part), "\n")
			if !strings.Contains(found, tt.want) {
				t.Fatalf("Check: %v; want a %s problem saying %q", r.Problems, tt.part, tt.want)
			}
			if r.OnlyIndex() != tt.repairable {
				t.Errorf("OnlyIndex = %v, want %v", r.OnlyIndex(), tt.repairable)
			}
			if !tt.repairable {
				return
			}
			s, err := bleve.OpenWith(t.Context(), dir, bleve.Options{Rebuild: true})
			if err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			mustClose(t, s)
			if r := mustCheck(t, dir); len(r.Problems) > 0 || r.Indexed != 32 {
				t.Errorf("after the rebuild: %+v", r)
			}
		})
	}
}

func TestCheckNoArchive(t *testing.T) {
	if _, err := bleve.Check(t.Context(), t.TempDir(), nil); err == nil {
		t.Error("Check of an empty directory: no error")
	}
}
