package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"newsarc/store"
)

// queryFlags are the filters search and export share.
type queryFlags struct {
	site, lang, author, section, tag, cluster, from, to string
	removed, changed                                    bool
}

func (q *queryFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&q.site, "site", "", "only this site")
	f.StringVar(&q.lang, "lang", "", "only this language (e.g. zh, en)")
	f.StringVar(&q.author, "author", "", "only this author")
	f.StringVar(&q.section, "section", "", "only this section (exact, as archived: e.g. world, 国内)")
	f.StringVar(&q.tag, "tag", "", "only articles with this tag (exact, one of the article's tags)")
	f.StringVar(&q.cluster, "cluster", "", "only this group of near-duplicates (an article's cluster id: the story and its reprints)")
	f.StringVar(&q.from, "from", "", "published on or after this date (2006-01-02 or RFC 3339)")
	f.StringVar(&q.to, "to", "", "published on or before this date (2006-01-02 or RFC 3339)")
	f.BoolVar(&q.removed, "removed", false, "only articles removed from their site (the page later answered 404 or 410)")
	f.BoolVar(&q.changed, "changed", false, "only articles changed since first archived (more than one version)")
}

// check says, for each of --site, --lang, --section, --tag and --cluster
// that names nothing in the archive, which values it holds (from the
// filter's facet, asked for only then): a typo is not a silent empty
// result.
func (q *queryFlags) check(ctx context.Context, st store.Store) error {
	for _, f := range []struct {
		flag, value, facet string
		query              store.Query
	}{
		{"--site", q.site, store.FacetSite, store.Query{Site: q.site, Limit: 1}},
		{"--lang", q.lang, store.FacetLanguage, store.Query{Language: q.lang, Limit: 1}},
		{"--section", q.section, store.FacetSection, store.Query{Section: q.section, Limit: 1}},
		{"--tag", q.tag, store.FacetTag, store.Query{Tag: q.tag, Limit: 1}},
		{"--cluster", q.cluster, "", store.Query{Cluster: q.cluster, Limit: 1}},
	} {
		if f.value == "" {
			continue
		}
		res, err := st.Search(ctx, f.query)
		if err != nil {
			return fmt.Errorf("%s %s: %w", f.flag, f.value, err)
		}
		if res.Total > 0 {
			continue
		}
		if f.facet == "" {
			return fmt.Errorf("%s %s: no such group of near-duplicates in the archive", f.flag, f.value)
		}
		all, err := st.Search(ctx, store.Query{Limit: 1, Facets: []string{f.facet}})
		if err != nil {
			return fmt.Errorf("%s %s: %w", f.flag, f.value, err)
		}
		var known []string
		for _, c := range all.Facets[f.facet] {
			known = append(known, c.Term)
		}
		switch {
		case all.Total == 0:
			return fmt.Errorf("%s %s: the archive is empty", f.flag, f.value)
		case len(known) == 0:
			return fmt.Errorf("%s %s: no article in the archive has a %s", f.flag, f.value, f.facet)
		case len(known) >= store.FacetSize:
			return fmt.Errorf("%s %s: not in the archive (its %d most frequent: %s)", f.flag, f.value, len(known), strings.Join(known, ", "))
		}
		return fmt.Errorf("%s %s: not in the archive (it holds: %s)", f.flag, f.value, strings.Join(known, ", "))
	}
	return nil
}

func (q *queryFlags) query(text string) (store.Query, error) {
	sq := store.Query{Text: text, Site: q.site, Language: q.lang, Author: q.author, Section: q.section, Tag: q.tag,
		Cluster: q.cluster, Removed: q.removed, Changed: q.changed}
	var err error
	if sq.From, err = parseDay(q.from, false); err != nil {
		return sq, fmt.Errorf("--from: %w", err)
	}
	if sq.To, err = parseDay(q.to, true); err != nil {
		return sq, fmt.Errorf("--to: %w", err)
	}
	return sq, nil
}

// parseDay parses a date or an RFC 3339 time. A bare date given as an end
// bound means the end of that day.
func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want 2006-01-02 or RFC 3339", s)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func searchCmd(g *globals) *cobra.Command {
	var (
		qf       queryFlags
		limit    int
		offset   int
		sortBy   string
		asJSON   bool
		collapse bool
	)
	cmd := &cobra.Command{
		Use:   "search [QUERY]",
		Short: "Search the archive",
		Long: `Search the archive's titles and bodies. Results are ranked, with highlighted
snippets and facets by site, author, language and month. Chinese queries work,
two-character words such as 主权 included. Words in a query must all match.

Reprints of one story on several sites are linked when they are archived
(near-duplicate bodies by SimHash): a result that is one shows the article it
repeats, and --cluster ID lists a story with all its reprints. Without QUERY,
a filter is needed and results come newest first. --collapse shows each group
of reprints once, by its best match.

--removed lists the articles that disappeared from their site (marked
[removed DATE]); --changed those edited after they were first archived.`,
		Example: `  newsarc search 主权
  newsarc search "data sovereignty" --site example-news --from 2025-01-01 --limit 20
  newsarc search 人工智能 --sort date --json
  newsarc search --cluster 0632188c778eb1d665bbd4f4
  newsarc search --removed --site example-news
  newsarc search 关税 --section 国际 --tag 经济
  newsarc search 主权 --changed --collapse`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && qf == (queryFlags{}) {
				return fmt.Errorf("search: give words to search for, or a filter such as --site or --cluster")
			}
			ctx := cmd.Context()
			cfg, err := g.config()
			if err != nil {
				return err
			}
			text := strings.Join(args, " ")
			if strings.TrimSpace(text) != "" {
				if _, err := store.ParseQuery(text); err != nil {
					return fmt.Errorf("search: %w", err)
				}
			}
			q, err := qf.query(text)
			if err != nil {
				return err
			}
			q.Limit, q.Offset, q.Facets = limit, offset, resultFacets
			switch sortBy {
			case "relevance", "":
				if len(args) == 0 {
					q.Sort = store.ByDate
					break
				}
				q.Sort = store.ByRelevance
			case "date":
				q.Sort = store.ByDate
			default:
				return fmt.Errorf("--sort %q: want relevance or date", sortBy)
			}
			st, err := openReader(ctx, cfg, g.stderr)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := qf.check(ctx, st); err != nil {
				return err
			}
			search := st.Search
			if collapse {
				search = func(ctx context.Context, q store.Query) (*store.Results, error) {
					return store.SearchCollapsed(ctx, st, q)
				}
			}
			res, err := search(ctx, q)
			if err != nil {
				return err
			}
			if asJSON {
				for _, h := range res.Hits {
					h.Article.HTML = ""
				}
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(res)
			}
			writeResults(g.stdout, q, res, isTerminal(g.stdout))
			return nil
		},
	}
	qf.add(cmd)
	f := cmd.Flags()
	f.IntVarP(&limit, "limit", "n", 10, "results per page")
	f.IntVar(&offset, "offset", 0, "results to skip")
	f.StringVar(&sortBy, "sort", "relevance", "relevance or date")
	f.BoolVar(&asJSON, "json", false, "print results as JSON")
	f.BoolVar(&collapse, "collapse", false, "one result per group of reprints (near-duplicates), its best match")
	return cmd
}

var markTag = regexp.MustCompile(`</?mark>`)

// resultFacets are the facets writeResults prints, in order; search asks
// for these only.
var resultFacets = []string{store.FacetSite, store.FacetAuthor, store.FacetLanguage, store.FacetDate}

// writeResults prints search results for a person: bold matches on a
// terminal, [brackets] elsewhere, then those of resultFacets res has.
func writeResults(w io.Writer, q store.Query, res *store.Results, tty bool) {
	noun := "results"
	if res.Total == 1 {
		noun = "result"
	}
	what := fmt.Sprintf("%q", q.Text)
	if q.Cluster != "" {
		what += " in group " + q.Cluster
	}
	if q.Removed {
		what += ", removed from their site"
	}
	if q.Changed {
		what += ", changed since archived"
	}
	fmt.Fprintf(w, "%d %s for %s (%s)\n", res.Total, noun, what, res.Took.Round(time.Microsecond))
	for i, h := range res.Hits {
		a := h.Article
		meta := []string{a.Site}
		if !a.Published.IsZero() {
			meta = append(meta, a.Published.Format("2006-01-02 15:04 MST"))
		}
		if len(a.Authors) > 0 {
			meta = append(meta, strings.Join(a.Authors, ", "))
		}
		title := a.Title
		if !a.RemovedAt.IsZero() {
			title = "[removed " + a.RemovedAt.UTC().Format("2006-01-02") + "] " + title
		}
		if a.Version > 1 {
			meta = append(meta, fmt.Sprintf("%d versions", a.Version))
		}
		fmt.Fprintf(w, "\n%d. %s\n   %s\n   %s\n", q.Offset+i+1, title, strings.Join(meta, " · "), a.CanonicalURL)
		if a.DuplicateOf != "" {
			fmt.Fprintf(w, "   near-duplicate of %s (group: --cluster %s)\n", a.DuplicateOf, a.Cluster)
		}
		if h.Reprints > 0 {
			fmt.Fprintf(w, "   + %d more of this story (--cluster %s)\n", h.Reprints, store.GroupOf(a))
		}
		for _, f := range h.Fragments {
			f = strings.Join(strings.Fields(f), " ")
			f = markTag.ReplaceAllStringFunc(f, func(m string) string {
				switch {
				case tty && m == "<mark>":
					return "\033[1;33m"
				case tty:
					return "\033[0m"
				case m == "<mark>":
					return "["
				}
				return "]"
			})
			f = html.UnescapeString(f) // fragments are HTML; the terminal shows text
			if !strings.HasPrefix(f, "…") {
				f = "…" + f
			}
			if !strings.HasSuffix(f, "…") {
				f += "…"
			}
			fmt.Fprintf(w, "   %s\n", f)
		}
	}
	for _, name := range resultFacets {
		if fc := res.Facets[name]; len(fc) > 0 {
			parts := make([]string, 0, len(fc))
			for _, c := range fc[:min(len(fc), 8)] {
				parts = append(parts, fmt.Sprintf("%s (%d)", c.Term, c.Count))
			}
			fmt.Fprintf(w, "\n%-8s %s", name+":", strings.Join(parts, ", "))
		}
	}
	if len(res.Facets) > 0 {
		fmt.Fprintln(w)
	}
}
