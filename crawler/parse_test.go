package crawler_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"newsarc/crawler"
	"newsarc/crawler/samplesite"
	"newsarc/extract"
	"newsarc/store"
)

// countingExtractor counts how the crawl calls the real extractor.
type countingExtractor struct {
	*extract.Extractor
	mu                       sync.Mutex
	parses, parsed, unparsed int
}

func (c *countingExtractor) Parse(ct string, body []byte) (*xhtml.Node, []byte, error) {
	c.mu.Lock()
	c.parses++
	c.mu.Unlock()
	return c.Extractor.Parse(ct, body)
}

func (c *countingExtractor) ExtractParsed(ctx context.Context, u string, h http.Header, body []byte, doc *xhtml.Node, text []byte,
	shape func(*url.URL) (int, int)) (*store.Article, error) {
	c.mu.Lock()
	c.parsed++
	c.mu.Unlock()
	return c.Extractor.ExtractParsed(ctx, u, h, body, doc, text, shape)
}

func (c *countingExtractor) ExtractWithShapes(ctx context.Context, u string, h http.Header, body []byte,
	shape func(*url.URL) (int, int)) (*store.Article, error) {
	c.mu.Lock()
	c.unparsed++
	c.mu.Unlock()
	return c.Extractor.ExtractWithShapes(ctx, u, h, body, shape)
}

// shapeOnly hides the extractor's Parse: the crawl parses each page twice,
// once for its links and once in extraction, as it did before.
type shapeOnly struct{ *extract.Extractor }

// TestOneParsePerPage: with an extractor that can share its parse, each
// HTML page is parsed once for its links and its extraction, and the
// crawl of the sample site finds, judges and archives exactly what the
// crawl that parses each page twice does.
func TestOneParsePerPage(t *testing.T) {
	crawl := func(ex crawler.Extractor) crawler.Stats {
		srv := httptest.NewServer(samplesite.New().Handler())
		defer srv.Close()
		s, err := crawler.New(testConfig(), openStore(t), nil).Run(context.Background(),
			crawler.Site{Name: "sample", Seeds: []string{srv.URL + "/"}}, ex)
		if err != nil {
			t.Fatal(err)
		}
		s.Started, s.Duration = time.Time{}, 0
		delete(s.Skipped, "feed") // timing-dependent, see TestGroupStatsUnchanged
		return s
	}
	counting := &countingExtractor{Extractor: extract.New(extract.DefaultOptions())}
	once := crawl(counting)
	twice := crawl(shapeOnly{extract.New(extract.DefaultOptions())})
	a, _ := json.Marshal(once)
	b, _ := json.Marshal(twice)
	if string(a) != string(b) {
		t.Errorf("one parse per page:\n %s\nparsed twice:\n %s", a, b)
	}
	if counting.unparsed != 0 {
		t.Errorf("%d pages extracted without the crawl's parse", counting.unparsed)
	}
	if counting.parsed == 0 || counting.parsed != once.Articles()+once.NotArticle {
		t.Errorf("%d pages extracted from the crawl's parse; %d articles and %d not articles judged",
			counting.parsed, once.Articles(), once.NotArticle)
	}
	if counting.parses < counting.parsed || counting.parses > once.Fetched {
		t.Errorf("%d parses for %d pages extracted and %d fetched", counting.parses, counting.parsed, once.Fetched)
	}
}
