package store

import "context"

// GroupOf returns the reprint group of a: its Cluster, or its own ID when
// it has no near-duplicate.
func GroupOf(a *Article) string {
	if a.Cluster != "" {
		return a.Cluster
	}
	return a.ID
}

// collapsePage is how many hits SearchCollapsed asks for at a time.
const collapsePage = 100

// SearchCollapsed searches q with one result per group of reprints
// (GroupOf): the best-ranked match of each group stands for it, with
// Hit.Reprints counting the group's other matches, and q.Offset and
// q.Limit count groups. Total and Facets still count articles.
func SearchCollapsed(ctx context.Context, st Store, q Query) (*Results, error) {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	want := max(q.Offset, 0) + q.Limit
	seen := map[string]bool{}
	var hits []Hit
	var first *Results
	page := q
	page.Offset, page.Limit = 0, collapsePage
	for {
		res, err := st.Search(ctx, page)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = res
			page.Facets = nil // counted once, on the first page
		}
		for _, h := range res.Hits {
			if g := GroupOf(h.Article); !seen[g] {
				seen[g] = true
				hits = append(hits, h)
			}
		}
		page.Offset += len(res.Hits)
		if len(hits) >= want || len(res.Hits) < page.Limit || page.Offset >= res.Total {
			break
		}
	}
	out := *first
	out.Hits = hits[min(max(q.Offset, 0), len(hits)):min(want, len(hits))]
	for i, h := range out.Hits {
		group := q
		group.Cluster, group.Facets, group.Offset, group.Limit = GroupOf(h.Article), nil, 0, 1
		res, err := st.Search(ctx, group)
		if err != nil {
			return nil, err
		}
		out.Hits[i].Reprints = max(res.Total-1, 0)
	}
	return &out, nil
}
