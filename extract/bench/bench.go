package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"newsarc/extract"
)

// Page is one page of a benchmark set.
type Page struct {
	ID    string
	URL   string
	Truth string // the true article body
	HTML  []byte // the page as fetched, decompressed
}

// Load reads a benchmark set: dir/ground-truth.json and
// dir/html/<id>.html.gz (or .html), sorted by id.
func Load(dir string) ([]Page, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var gt map[string]struct {
		URL  string `json:"url"`
		Body string `json:"articleBody"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		return nil, fmt.Errorf("bench: ground truth: %w", err)
	}
	pages := make([]Page, 0, len(gt))
	for id, g := range gt {
		body, err := ReadPage(filepath.Join(dir, "html", id+".html.gz"))
		if errors.Is(err, os.ErrNotExist) {
			body, err = ReadPage(filepath.Join(dir, "html", id+".html"))
		}
		if err != nil {
			return nil, fmt.Errorf("bench: page %s: %w", id, err)
		}
		pages = append(pages, Page{ID: id, URL: g.URL, Truth: g.Body, HTML: body})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].ID < pages[j].ID })
	return pages, nil
}

// ReadPage reads an HTML file, gunzipping it when its name ends in .gz.
func ReadPage(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if filepath.Ext(path) != ".gz" {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("gunzip %s: %w", path, err)
	}
	return io.ReadAll(zr)
}

// Result is the outcome of a run.
type Result struct {
	Metrics
	Pred     map[string]string        // extracted body by page id
	PerPage  map[string]Counts        // shingle counts by page id
	Errors   map[string]string        // extraction errors by page id
	Duration map[string]time.Duration // extraction time by page id
	Median   time.Duration
	Mean     time.Duration
}

// Run extracts every page with ex, which should be built with
// Options.Force so that pages it would reject still give their body, and
// scores the result. Each page is extracted once for timing, in order, on
// the calling goroutine.
func Run(ctx context.Context, ex *extract.Extractor, pages []Page) (*Result, error) {
	res := &Result{
		Pred:     map[string]string{},
		Errors:   map[string]string{},
		Duration: map[string]time.Duration{},
	}
	truth := map[string]string{}
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		truth[p.ID] = p.Truth
		start := time.Now()
		a, err := ex.Extract(ctx, p.URL, http.Header{}, p.HTML)
		d := time.Since(start)
		res.Duration[p.ID] = d
		if err != nil {
			res.Errors[p.ID] = err.Error()
			res.Pred[p.ID] = ""
			continue
		}
		res.Pred[p.ID] = a.Text
	}
	res.Metrics, res.PerPage = Score(truth, res.Pred)
	Summarize(res)
	return res, nil
}

// WritePred writes predictions in score.py's format:
// {"<id>": {"articleBody": "..."}}.
func WritePred(path string, pred map[string]string) error {
	out := make(map[string]map[string]string, len(pred))
	for id, body := range pred {
		out[id] = map[string]string{"articleBody": body}
	}
	raw, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o644)
}

// Summarize recomputes the median and mean from r.Duration.
func Summarize(r *Result) {
	durs := make([]time.Duration, 0, len(r.Duration))
	var sum time.Duration
	for _, d := range r.Duration {
		durs = append(durs, d)
		sum += d
	}
	if len(durs) == 0 {
		return
	}
	slices.Sort(durs)
	r.Median = durs[len(durs)/2]
	r.Mean = sum / time.Duration(len(durs))
}
