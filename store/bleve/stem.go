package bleve

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// English stems are matched at search time, not indexed. A word of a
// query (elections) matches the indexed words of title and text whose
// English stem (the en analyzer: possessive, stop words, Porter) is its
// stem (elect): election, elected, elections. Those words are found in
// the field's dictionary, where they all start with the stem's first
// letters (stemScan), and checked one by one.
//
// This replaces a second, stemmed copy of every article's title and text
// in the index, which cost a sixth of a crawl's CPU (a second
// tokenisation, a second inverted index to build and merge). The words
// matched are the copy's, but for the rare ones stemScan's bound and
// enStem leave out, and they now include the English words of Chinese
// articles, which had no copy.

// maxStemVariants bounds the indexed words one stem stands for.
const maxStemVariants = 1000

// shortScan is the fewest letters a dictionary scan starts from without a
// bound on the words' length; see stemScan.
const shortScan = 3

// shortSlack bounds the words a scan of fewer than shortScan letters
// reads: at most this many letters longer than the stem, enough for its
// inflections (ad: adding, ads, ad's; boe: boeing) but not for all of
// its derivations (us: useful, usefulness), which such a short stem
// rarely means anyway.
const shortSlack = 4

// stemScan returns where the indexed words whose stem is stem are: they
// start with prefix, and when max > 0 they have at most max letters.
//
// Porter's steps change only a word's end, and every change but four
// leaves the stem a prefix of the word: the stem's final e can stand for
// another letter (hoping → hope, relational → relate, troubling →
// trouble), its final i for a y (happy → happi), and a final "ble" or "bl"
// for "bil" (possibility → possible). So the stem less those letters is a
// prefix of every word it stems; the prefix keeps the stem's first
// letter. A scan from one or two letters would read a large part of the
// dictionary, so it is bounded to words at most shortSlack letters longer
// than the stem. TestStemScanCoversWords checks on real vocabularies that
// every word is found from its stem's scan, but for the few longer ones
// of a stem of two or three letters (boeing's: 1 of the 46,288 words with
// a stem in the golden pages and the three benchmark sets).
func stemScan(stem string) (prefix string, max int) {
	drop := 0
	switch {
	case strings.HasSuffix(stem, "ble"):
		drop = 2
	case strings.HasSuffix(stem, "bl"), strings.HasSuffix(stem, "e"), strings.HasSuffix(stem, "i"):
		drop = 1
	}
	prefix = stem
	for ; drop > 0 && utf8.RuneCountInString(prefix) > 1; drop-- {
		_, n := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-n]
	}
	if utf8.RuneCountInString(prefix) < shortScan {
		return prefix, utf8.RuneCountInString(stem) + shortSlack
	}
	return prefix, 0
}

// enStem returns the stem of an indexed word under en, or "" when it has
// none: a stop word, a word en splits (i̇stanbul, whose dotted capital
// the cjk analyzer lower-cased into a letter and a combining mark), or
// one with capitals left (a few letters lower-case only to themselves
// under the cjk analyzer's filters but not under en's).
func enStem(en analysis.Analyzer, word string) string {
	tokens := en.Analyze([]byte(word))
	if len(tokens) != 1 || tokens[0].Start != 0 || tokens[0].End != len(word) || strings.ToLower(word) != word {
		return ""
	}
	return string(tokens[0].Term)
}

// stemmed returns the query for the English stems of text in field: every
// stem of text must match one of the indexed words with that stem. It
// returns nil when text has no stem (only stop words), and a query that
// matches nothing when a stem has no word in the index.
func (s *Store) stemmed(text, field string, boost float64, en analysis.Analyzer) (query.Query, error) {
	tokens := en.Analyze([]byte(text))
	if len(tokens) == 0 {
		return nil, nil
	}
	var all []query.Query
	seen := map[string]bool{}
	for _, tok := range tokens {
		stem := string(tok.Term)
		if seen[stem] {
			continue
		}
		seen[stem] = true
		words, err := s.stemVariants(field, stem, en)
		if err != nil {
			return nil, err
		}
		if len(words) == 0 {
			return query.NewMatchNoneQuery(), nil
		}
		either := make([]query.Query, len(words))
		for i, w := range words {
			t := query.NewTermQuery(w)
			t.SetField(field)
			t.SetBoost(boost)
			either[i] = t
		}
		if len(either) == 1 {
			all = append(all, either[0])
		} else {
			all = append(all, query.NewDisjunctionQuery(either))
		}
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return query.NewConjunctionQuery(all), nil
}

// stemVariants returns the words of field whose stem under en is stem.
func (s *Store) stemVariants(field, stem string, en analysis.Analyzer) (_ []string, err error) {
	prefix, max := stemScan(stem)
	var dict index.FieldDict
	if max == 0 {
		dict, err = s.index.FieldDictPrefix(field, []byte(prefix))
	} else {
		dict, err = s.fieldDictRegexp(field, fmt.Sprintf("%s.{0,%d}", regexp.QuoteMeta(prefix), max-utf8.RuneCountInString(prefix)))
	}
	if err != nil {
		return nil, fmt.Errorf("words of %s stemming to %q: %w", field, stem, err)
	}
	defer dict.Close()
	var words []string
	for len(words) < maxStemVariants {
		entry, err := dict.Next()
		if err != nil {
			return nil, fmt.Errorf("words of %s stemming to %q: %w", field, stem, err)
		}
		if entry == nil {
			break
		}
		if enStem(en, entry.Term) == stem {
			words = append(words, entry.Term)
		}
	}
	return words, nil
}

// fieldDictRegexp returns the words of field that match the regular
// expression re as a whole, read from one snapshot of the index.
func (s *Store) fieldDictRegexp(field, re string) (index.FieldDict, error) {
	adv, err := s.index.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	rr, ok := r.(index.IndexReaderRegexp)
	if !ok {
		r.Close()
		return nil, fmt.Errorf("index reader %T reads no regular expressions", r)
	}
	d, err := rr.FieldDictRegexp(field, re)
	if err != nil {
		r.Close()
		return nil, err
	}
	return &readerDict{FieldDict: d, r: r}, nil
}

// readerDict closes its reader with it.
type readerDict struct {
	index.FieldDict
	r index.IndexReader
}

func (d *readerDict) Close() error {
	err := d.FieldDict.Close()
	if cerr := d.r.Close(); err == nil {
		err = cerr
	}
	return err
}
