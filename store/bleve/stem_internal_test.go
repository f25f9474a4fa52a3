package bleve

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"

	"newsarc/store"
)

// porterEdges are words whose Porter stem is not a prefix of the word, or
// short stems: the cases stemScan is written for.
var porterEdges = []string{
	"rational", "relational", "conditional", "happy", "happiness", "happier", "happily",
	"possibility", "possibly", "possible", "sensibility", "troubling", "troubled", "trouble",
	"hoping", "hoped", "hope", "hopping", "conflating", "conflated", "conflate",
	"generalizations", "generalization", "organization", "organizer", "realizing",
	"agreed", "agreement", "ponies", "pony", "flies", "fly", "dying", "lying", "tying",
	"spy", "spies", "ay", "ai", "ais", "us", "use", "used", "uses", "using", "age", "aged",
	"ages", "aging", "see", "seeing", "sees", "go", "goes", "going", "run", "runs", "running",
	"valency", "hesitancy", "digitizer", "sensitivity", "predication", "operator",
	"feudalism", "decisiveness", "hopefulness", "callousness", "formality", "vietnamization",
	"triplicate", "formative", "formalize", "electricity", "electrical", "hopeful",
	"goodness", "revival", "allowance", "inference", "airliner", "gyroscopic", "adjustable",
	"defensible", "irritant", "replacement", "adjustment", "dependent", "adoption",
	"homologou", "communism", "activate", "angularity", "homologous", "effective",
	"bowdlerize", "probate", "rate", "roll", "controlling", "obama's", "year's", "i", "a",
}

// vocabulary returns the distinct words the cjk analyzer indexes from the
// golden pages of extract, porterEdges and, when they are given, the
// pages of the three benchmark sets.
func vocabulary(t testing.TB) []string {
	cache := registry.NewCache()
	an, err := cache.AnalyzerNamed(cjk.AnalyzerName)
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]bool{}
	add := func(b []byte) {
		for _, tok := range an.Analyze(b) {
			words[string(tok.Term)] = true
		}
	}
	add([]byte(strings.Join(porterEdges, " ")))
	dirs := []string{filepath.Join("..", "..", "extract", "testdata")}
	for _, env := range []string{"NEWSARC_EXTRACTION_BENCH", "NEWSARC_NEWSMETA", "NEWSARC_PAGETYPES"} {
		if d := os.Getenv(env); d != "" {
			dirs = append(dirs, d)
		}
	}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".html", ".htm", ".json", ".txt":
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				add(b)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	out := make([]string, 0, len(words))
	for w := range words {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// TestStemScanCoversWords checks what the dictionary scan of stemmed
// relies on: every indexed word starts with the scan prefix of its own
// English stem, and is no longer than the scan's bound when it has one.
// A search for any word of the same stem then reads this word.
func TestStemScanCoversWords(t *testing.T) {
	cache := registry.NewCache()
	enA, err := cache.AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		t.Fatal(err)
	}
	words := vocabulary(t)
	checked, bounded := 0, 0
	var missed, long []string
	for _, w := range words {
		stem := enStem(enA, w)
		if stem == "" {
			continue
		}
		checked++
		prefix, max := stemScan(stem)
		if max > 0 {
			bounded++
		}
		switch {
		case !strings.HasPrefix(w, prefix):
			missed = append(missed, w+" (stem "+stem+", scan "+prefix+")")
		case max > 0 && utf8.RuneCountInString(w) > max:
			long = append(long, w+" (stem "+stem+")")
		}
	}
	t.Logf("%d words, %d with a stem, %d of them on a bounded scan; past the bound: %q", len(words), checked, bounded, long)
	if len(missed) > 0 {
		t.Errorf("%d words not found from their stem's scan, e.g. %q", len(missed), missed[:min(len(missed), 20)])
	}
	// The bound leaves out only derivations of very short stems.
	if len(long)*1000 > checked {
		t.Errorf("%d of %d words are longer than their stem's scan reads", len(long), checked)
	}
	if checked < 500 {
		t.Errorf("only %d words checked", checked)
	}
}

// TestStemScanPrefixes pins stemScan on the cases it is written for.
func TestStemScanPrefixes(t *testing.T) {
	for _, c := range []struct {
		stem, prefix string
		max          int
	}{
		{"elect", "elect", 0},
		{"happi", "happ", 0},
		{"relat", "relat", 0},
		{"rate", "rat", 0},
		{"possibl", "possib", 0},
		{"trouble", "troub", 0},
		{"ai", "a", 6},
		{"go", "go", 6},
		{"e", "e", 5},
		{"boe", "bo", 7},
		{"经济", "经济", 6},
		{"ünïcode", "ünïcod", 0},
	} {
		prefix, max := stemScan(c.stem)
		if prefix != c.prefix || max != c.max {
			t.Errorf("stemScan(%q) = %q, %d; want %q, %d", c.stem, prefix, max, c.prefix, c.max)
		}
	}
}

// TestStemVariantsAgainstDictionary compares the words stemVariants finds
// in an index with those a full read of its dictionary finds, for every
// indexed stem (within the bound of a short stem's scan).
func TestStemVariantsAgainstDictionary(t *testing.T) {
	s, err := Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	words := vocabulary(t)
	if len(words) > 20000 {
		words = words[:0:0]
		for i, w := range vocabulary(t) {
			if i%7 == 0 || strings.IndexFunc(w, unicode.IsLetter) == 0 && utf8.RuneCountInString(w) <= 3 {
				words = append(words, w)
			}
		}
	}
	putWords(t, s, words)
	enA := s.index.Mapping().AnalyzerNamed(en.AnalyzerName)
	byStem := map[string][]string{}
	dict, err := s.index.FieldDict(fieldText)
	if err != nil {
		t.Fatal(err)
	}
	for {
		e, err := dict.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			break
		}
		stem := enStem(enA, e.Term)
		if stem == "" {
			continue
		}
		// The scan's bound leaves out what TestStemScanCoversWords allows.
		if _, max := stemScan(stem); max == 0 || utf8.RuneCountInString(e.Term) <= max {
			byStem[stem] = append(byStem[stem], e.Term)
		}
	}
	dict.Close()
	if len(byStem) < 300 {
		t.Fatalf("only %d stems indexed", len(byStem))
	}
	for stem, want := range byStem {
		got, err := s.stemVariants(fieldText, stem, enA)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("stemVariants(%q) = %q, the dictionary holds %q", stem, got, want)
		}
	}
}

// putWords indexes words, 200 to an article, in one group.
func putWords(t testing.TB, s *Store, words []string) {
	t.Helper()
	var group []*store.Article
	for i := 0; i < len(words); i += 200 {
		group = append(group, &store.Article{
			ID: fmt.Sprintf("w%d", i), URL: fmt.Sprintf("https://words.example/%d", i), Site: "words",
			Title: "words", Text: strings.Join(words[i:min(i+200, len(words))], " "),
		})
	}
	if _, err := s.Put(t.Context(), group...); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStemVariants measures the dictionary scans of stemmed on an
// index of a real vocabulary (the golden pages, and the three benchmark
// sets when given: about 59,000 distinct words), one op being the scans
// of every stem of the vocabulary; it reports the mean and the longest
// scan of one stem, and how many words the longest read.
func BenchmarkStemVariants(b *testing.B) {
	s, err := Open(b.Context(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	words := vocabulary(b)
	putWords(b, s, words)
	enA := s.index.Mapping().AnalyzerNamed(en.AnalyzerName)
	stems := map[string]bool{}
	for _, w := range words {
		if stem := enStem(enA, w); stem != "" {
			stems[stem] = true
		}
	}
	var longest time.Duration
	var longestStem string
	b.ResetTimer()
	for b.Loop() {
		for stem := range stems {
			t0 := time.Now()
			if _, err := s.stemVariants(fieldText, stem, enA); err != nil {
				b.Fatal(err)
			}
			if d := time.Since(t0); d > longest {
				longest, longestStem = d, stem
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(stems)), "µs/stem")
	b.ReportMetric(float64(longest.Microseconds()), "longest-µs")
	b.ReportMetric(float64(len(words)), "words")
	b.Logf("longest scan: %q", longestStem)
}
