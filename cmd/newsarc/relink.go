package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"newsarc/extract"
	"newsarc/store"
)

// relinkStats counts what relink did.
type relinkStats struct {
	Scanned int // articles read
	Linked  int // articles that were never linked and now are
	Reprint int // of those, near-duplicates of an earlier article
	Hashed  int // SimHashes computed for articles archived without one
}

func relinkCmd(g *globals) *cobra.Command {
	var site string
	var distance int
	cmd := &cobra.Command{
		Use:   "relink",
		Short: "Link near-duplicates among articles archived before linking existed",
		Long: `relink groups the reprints of a story among articles that were never linked
(archived by an older newsarc, or with linking turned off): it computes a
missing SimHash from the stored text, then links the articles oldest
published first, so that the oldest of a story leads its group and later
copies point at it (duplicate_of). Articles already linked keep their group;
new crawls link as they store. Safe to run again: a second run finds nothing
to do.`,
		Example: `  newsarc relink
  newsarc relink --site example-news --distance 3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := g.config()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("distance") {
				distance = cfg.Crawler.DuplicateDistance
			}
			if distance < 0 || distance > store.MaxSimilarDistance {
				return fmt.Errorf("--distance %d: want 0 to %d", distance, store.MaxSimilarDistance)
			}
			st, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			start := time.Now()
			var progress func(relinkStats, int)
			if isTerminal(g.stderr) {
				progress = func(s relinkStats, todo int) {
					fmt.Fprintf(g.stderr, "\r\033[Klinked %d of %d articles (%d near-duplicates)", s.Linked, todo, s.Reprint)
				}
			}
			s, err := relink(ctx, st, store.Query{Site: site}, distance, progress)
			if progress != nil {
				fmt.Fprint(g.stderr, "\r\033[K")
			}
			writeRelinkSummary(g.stdout, s, time.Since(start))
			return err
		},
	}
	cmd.Flags().StringVar(&site, "site", "", "only this site's articles (their near-duplicates on other sites count)")
	cmd.Flags().IntVar(&distance, "distance", 0, fmt.Sprintf("SimHash bits within which articles are near-duplicates, 0 to %d (default: the config's crawler.duplicate_distance)", store.MaxSimilarDistance))
	return cmd
}

func writeRelinkSummary(w io.Writer, s relinkStats, d time.Duration) {
	fmt.Fprintf(w, "Read %d articles in %s: %d never linked were linked, %d of them near-duplicates of an earlier article; %d SimHashes computed\n",
		s.Scanned, d.Round(time.Millisecond), s.Linked, s.Reprint, s.Hashed)
}

// relink links the never-linked articles matching q (empty Cluster),
// oldest published first (undated ones last, by fetch time), each against
// the articles linked before it. It holds the IDs and dates of the
// never-linked articles in memory, not the articles.
func relink(ctx context.Context, st store.Store, q store.Query, distance int, progress func(relinkStats, int)) (relinkStats, error) {
	type item struct {
		id                 string
		published, fetched time.Time
	}
	var s relinkStats
	var todo []item
	err := st.Scan(ctx, q, func(a *store.Article) error {
		s.Scanned++
		if a.Cluster == "" {
			todo = append(todo, item{a.ID, a.Published, a.FetchedAt})
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("relink: %w", err)
	}
	slices.SortStableFunc(todo, func(x, y item) int {
		if x.published.IsZero() != y.published.IsZero() {
			if x.published.IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Or(x.published.Compare(y.published), x.fetched.Compare(y.fetched), cmp.Compare(x.id, y.id))
	})
	// Articles not yet linked are not originals: their turn comes later,
	// and a later article is a copy of an earlier one, not the other way.
	notYet := func(store.LinkRecord) bool { return false }
	last := time.Now()
	for _, it := range todo {
		a, err := st.Get(ctx, it.id)
		if err != nil {
			return s, fmt.Errorf("relink: %w", err)
		}
		if a.SimHash == "" {
			if h := extract.SimHash(a.Text); h != 0 {
				a.SimHash = store.FormatSimHash(h)
				s.Hashed++
			}
		}
		if err := store.LinkAmong(ctx, st, a, distance, notYet); err != nil {
			return s, fmt.Errorf("relink: %w", err)
		}
		if _, err := st.Put(ctx, a); err != nil {
			return s, fmt.Errorf("relink: %w", err)
		}
		s.Linked++
		if a.DuplicateOf != "" {
			s.Reprint++
		}
		if progress != nil && time.Since(last) > 200*time.Millisecond {
			progress(s, len(todo))
			last = time.Now()
		}
	}
	return s, nil
}
