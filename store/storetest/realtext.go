package storetest

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"newsarc/extract"
	"newsarc/store"
)

//go:embed corpus/*.txt
var corpusFS embed.FS

// RealBodies returns article bodies of real text for benchmarks: the true
// bodies of the article-extraction benchmark set when
// NEWSARC_EXTRACTION_BENCH names it (181 pages in a dozen languages), else
// the bundled corpus (the sample site's 16 Chinese articles). The second
// result names the source.
func RealBodies(tb testing.TB) ([]string, string) {
	tb.Helper()
	if dir := os.Getenv("NEWSARC_EXTRACTION_BENCH"); dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
		if err != nil {
			tb.Fatalf("NEWSARC_EXTRACTION_BENCH: %v", err)
		}
		var gt map[string]struct {
			ArticleBody string `json:"articleBody"`
		}
		if err := json.Unmarshal(b, &gt); err != nil {
			tb.Fatalf("NEWSARC_EXTRACTION_BENCH: ground-truth.json: %v", err)
		}
		var out []string
		for _, id := range slices.Sorted(maps.Keys(gt)) {
			if body := gt[id].ArticleBody; body != "" {
				out = append(out, body)
			}
		}
		return out, "article-extraction benchmark set"
	}
	var out []string
	err := fs.WalkDir(corpusFS, "corpus", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := corpusFS.ReadFile(path)
		out = append(out, string(b))
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out, "bundled corpus"
}

var sentenceRE = regexp.MustCompile(`[^.!?。！？\n]+[.!?。！？]*`)

// RealArchive is a generated archive of real text: each article a story
// made of real sentences, most from one real body and the rest from
// others, so that, as in a real archive, stories on one subject share
// words and their SimHashes crowd the same bands. Reprints are near
// copies of archived articles, edited as reprints are; they and New are
// held out of Articles, for lookups.
type RealArchive struct {
	Source   string
	Articles []*store.Article
	Reprints []*store.Article
	Of       []int // Of[i]: the index in Articles of Reprints[i]'s original
	New      []*store.Article
}

// NewRealArchive generates n articles, and n/20 reprints and n/20 new
// stories held out, from RealBodies, the same for the same n.
func NewRealArchive(tb testing.TB, n int) *RealArchive {
	tb.Helper()
	bodies, source := RealBodies(tb)
	var topics [][]string
	for _, b := range bodies {
		var ss []string
		for _, s := range sentenceRE.FindAllString(b, -1) {
			if s = strings.TrimSpace(s); len(s) >= 12 {
				ss = append(ss, s)
			}
		}
		if len(ss) >= 4 {
			topics = append(topics, ss)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	story := func(i int, site string) *store.Article {
		t := topics[rng.IntN(len(topics))]
		k := 12 + rng.IntN(20)
		var paras []string
		var para []string
		for range k {
			var s string
			if rng.IntN(10) < 6 {
				s = t[rng.IntN(len(t))]
			} else {
				o := topics[rng.IntN(len(topics))]
				s = o[rng.IntN(len(o))]
			}
			para = append(para, s)
			if len(para) == 3 {
				paras = append(paras, strings.Join(para, " "))
				para = nil
			}
		}
		if len(para) > 0 {
			paras = append(paras, strings.Join(para, " "))
		}
		url := fmt.Sprintf("https://%s.example/%d.html", site, i)
		return realArticle(url, site, strings.Join(paras, "\n\n"), day.Add(time.Duration(rng.IntN(2*365*24))*time.Hour))
	}
	ra := &RealArchive{Source: source}
	for i := range n {
		ra.Articles = append(ra.Articles, story(i, fmt.Sprintf("site%d", i%20)))
	}
	for i := range n / 20 {
		j := rng.IntN(n)
		ra.Reprints = append(ra.Reprints, reprint(ra.Articles[j], i, rng))
		ra.Of = append(ra.Of, j)
		ra.New = append(ra.New, story(n+i, "fresh"))
	}
	return ra
}

// reprint copies a as another site reprints it, with one of the edits
// reprints make: a source line added, the last paragraph dropped, or one
// word in 40 replaced.
func reprint(a *store.Article, i int, rng *rand.Rand) *store.Article {
	paras := strings.Split(a.Text, "\n\n")
	switch i % 3 {
	case 0:
		paras = append([]string{"Source: a wire agency, reprinted with permission."}, paras...)
	case 1:
		if len(paras) > 2 {
			paras = paras[:len(paras)-1]
		}
	default:
		words := strings.Fields(strings.Join(paras, "\n\n"))
		for w := rng.IntN(40); w < len(words); w += 40 {
			words[w] = "replaced"
		}
		paras = []string{strings.Join(words, " ")}
	}
	return realArticle(fmt.Sprintf("https://reprints.example/%d.html", i), "reprints", strings.Join(paras, "\n\n"), a.Published.Add(3*time.Hour))
}

func realArticle(url, site, text string, published time.Time) *store.Article {
	words := len(strings.Fields(text))
	for _, r := range text {
		if r >= 0x3000 {
			words++
		}
	}
	return &store.Article{
		ID: store.IDFor(url), URL: url, CanonicalURL: url, Site: site,
		Title: strings.SplitN(text, ".", 2)[0], Text: text, Language: "en",
		Published: published, FetchedAt: published, WordCount: max(words, store.MinLinkWords),
		ContentHash: store.HashText(text), SimHash: store.FormatSimHash(extract.SimHash(text)),
	}
}

// similarOnly hides a store's LinkReader, so that Link takes the path it
// took before there was one: Get and Similar.
type similarOnly struct{ store.Linker }

// BenchLinkReal runs store.Link b.N times against s, which holds
// ra.Articles: each time for one of ra's held-out reprints and new stories
// in turn, through the store's LinkReader, or with viaSimilar through Get
// and Similar as before there was one. It reports the median and 95th
// percentile latency; the recall of true near-duplicates (reprints within
// store.MaxSimilarDistance bits of their original that Link put in the
// original's group); and, when s has a LinkCandidates(hash) method, the
// mean and 95th percentile of the articles sharing a band per lookup.
func BenchLinkReal(b *testing.B, s store.Linker, ra *RealArchive, viaSimilar bool) {
	ctx := context.Background()
	var l store.Linker = s
	if viaSimilar {
		l = similarOnly{s}
	}
	counter, _ := s.(interface{ LinkCandidates(uint64) int })
	var lat []time.Duration
	var cands []int
	i, trueDups, found := 0, 0, 0
	for b.Loop() {
		var a store.Article
		reprintOf := -1
		if k := i / 2 % len(ra.Reprints); i%2 == 0 {
			a, reprintOf = *ra.Reprints[k], ra.Of[k]
		} else {
			a = *ra.New[k]
		}
		start := time.Now()
		if err := store.Link(ctx, l, &a, store.MaxSimilarDistance); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		h, _ := store.ParseSimHash(a.SimHash)
		if counter != nil {
			cands = append(cands, counter.LinkCandidates(h))
		}
		if reprintOf >= 0 {
			orig := ra.Articles[reprintOf]
			oh, _ := store.ParseSimHash(orig.SimHash)
			if store.Hamming(h, oh) <= store.MaxSimilarDistance {
				trueDups++
				if a.Cluster == orig.ID || a.Cluster == orig.Cluster && orig.Cluster != "" {
					found++
				}
			}
		}
		i++
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)*50/100]), "p50-ms")
	b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*95/100)]), "p95-ms")
	if trueDups > 0 {
		b.ReportMetric(float64(found)/float64(trueDups), "recall")
	}
	if len(cands) > 0 {
		slices.Sort(cands)
		sum := 0
		for _, c := range cands {
			sum += c
		}
		b.ReportMetric(float64(sum)/float64(len(cands)), "cand-mean")
		b.ReportMetric(float64(cands[min(len(cands)-1, len(cands)*95/100)]), "cand-p95")
	}
}
