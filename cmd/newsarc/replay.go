package main

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"newsarc/crawler"
	"newsarc/store"
	"newsarc/store/warc"
)

func replayCmd(g *globals) *cobra.Command {
	var (
		at      string
		headers bool
		list    bool
	)
	cmd := &cobra.Command{
		Use:   "replay URL",
		Short: "Print an archived response from the WARC files",
		Long: `Print the archived response of URL from the WARC files under the data
directory: the capture at or before --at (default: the latest), its body
with any Content-Encoding undone, as it was received. --headers prints the
status line and headers first; --list lists every capture of the URL.

URL is found as the archive canonicalises it: tracking parameters, the
fragment, the order of query parameters and the case of the host do not
matter, nor does a missing or extra final slash. A capture that repeated an
earlier one (a 304 answer, or the same body again; a WARC revisit record)
replays the body it repeated.

--at takes a date (2026-12-02: the end of that day), a date and time
(2026-12-02 06:10, or with seconds: the end of that minute or second) in the
site's time zone (the config's timezone of the site the URL belongs to,
else the local zone), or an RFC 3339 time with its own offset.`,
		Example: `  newsarc replay https://news.example.com/2025/02/18/a/ > page.html
  newsarc replay --at 2025-03-01 --headers https://news.example.com/
  newsarc replay --at "2026-12-02 06:10" https://news.example.com/2026/12/01/b`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			var when time.Time
			if at != "" {
				if when, err = parseAt(at, siteZone(cfg.Sites, args[0])); err != nil {
					return fmt.Errorf("--at: %w", err)
				}
			}
			if err := requireArchive(cfg); err != nil {
				return err
			}
			// The process that owns the archive writes the WARC files: ask it.
			oc, err := findOwner(cmd.Context(), cfg, g.stderr)
			if err != nil {
				return err
			}
			read := func(c store.Capture) (*warc.Response, error) { return warc.Read(warcDir(cfg), c) }
			var entries []warc.Entry
			if oc != nil {
				entries, err = oc.replayIndex(cmd.Context())
				read = func(c store.Capture) (*warc.Response, error) { return oc.replayRead(cmd.Context(), c) }
			} else {
				entries, err = warc.Index(warcDir(cfg))
			}
			if err != nil {
				return err
			}
			key, ok := replayURL(entries, args[0])
			if !ok {
				return fmt.Errorf("replay %s: %w", args[0], warc.ErrNotFound)
			}
			if list {
				sort.SliceStable(entries, func(i, j int) bool { return entries[i].Date.Before(entries[j].Date) })
				for _, e := range entries {
					if e.URL == key {
						kind := ""
						if e.RefersTo != "" {
							kind = "  revisit of " + e.RefersTo
						}
						fmt.Fprintf(g.stdout, "%s  %d  %s  %s@%d%s\n", e.Date.Format(time.RFC3339), e.Capture.Status, e.Capture.RecordID, e.Capture.File, e.Capture.Offset, kind)
					}
				}
				return nil
			}
			e, err := warc.Lookup(entries, key, when)
			if err != nil {
				return fmt.Errorf("replay %s: %w", args[0], err)
			}
			resp, err := read(e.Capture)
			if err != nil {
				return err
			}
			if headers {
				fmt.Fprintf(g.stdout, "%s %s\n", resp.Proto, resp.Status)
				resp.Header.Write(g.stdout)
				fmt.Fprintf(g.stdout, "\n")
			}
			_, err = g.stdout.Write(resp.Body)
			return err
		},
	}
	cmd.Flags().StringVar(&at, "at", "", `the capture at or before this time: "2006-01-02", "2006-01-02 15:04[:05]" in the site's zone, or RFC 3339`)
	cmd.Flags().BoolVar(&headers, "headers", false, "print the status line and headers first")
	cmd.Flags().BoolVar(&list, "list", false, "list the captures of URL")
	return cmd
}

// replayURL returns the URL under which entries hold the captures of raw:
// raw itself (as EscapeURL writes it) when it was captured, else the
// captured URL with the same canonical form, else one whose canonical form
// differs from raw's only by a final slash. With several, the one captured
// last wins.
func replayURL(entries []warc.Entry, raw string) (string, bool) {
	latest := map[string]time.Time{}
	for _, e := range entries {
		if e.Date.After(latest[e.URL]) || latest[e.URL].IsZero() {
			latest[e.URL] = e.Date
		}
	}
	if u := warc.EscapeURL(raw); !latest[u].IsZero() {
		return u, true
	}
	want := canonical(raw)
	for _, w := range []string{want, toggleSlash(want)} {
		var best string
		for u, d := range latest {
			if canonical(u) == w && (best == "" || d.After(latest[best])) {
				best = u
			}
		}
		if best != "" {
			return best, true
		}
	}
	return "", false
}

// canonical is the crawler's canonical form of a URL, escaped as the WARC
// files write URLs; an URL the crawler refuses is only escaped.
func canonical(s string) string {
	c, err := crawler.Canonicalize(warc.EscapeURL(s), nil)
	if err != nil {
		return warc.EscapeURL(s)
	}
	return warc.EscapeURL(c)
}

// toggleSlash adds a final slash to the path of a canonical URL, or
// removes it, and returns the result's canonical form.
func toggleSlash(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Path == "" || u.Path == "/" {
		return s
	}
	if strings.HasSuffix(u.Path, "/") {
		u.Path = strings.TrimSuffix(u.Path, "/")
	} else {
		u.Path += "/"
	}
	u.RawPath = ""
	return canonical(u.String())
}

// siteZone is the time zone of the configured site raw belongs to (a seed
// or one of its hosts has raw's host), else the local zone.
func siteZone(sites []crawler.Site, raw string) *time.Location {
	u, err := url.Parse(raw)
	if err != nil {
		return time.Local
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	for _, s := range sites {
		if s.TimeZone == "" {
			continue
		}
		for _, h := range append(append([]string{}, s.Seeds...), s.Hosts...) {
			if !strings.Contains(h, "://") {
				h = "http://" + h
			}
			if su, err := url.Parse(h); err == nil && strings.TrimPrefix(strings.ToLower(su.Hostname()), "www.") == host {
				if loc, err := time.LoadLocation(s.TimeZone); err == nil {
					return loc
				}
			}
		}
	}
	return time.Local
}

// parseAt parses --at: an RFC 3339 time as it is; a date, or a date and
// time to the minute or second, in loc, meaning the end of that day,
// minute or second (a capture made during it counts).
func parseAt(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, f := range []struct {
		layout string
		span   time.Duration
	}{
		{"2006-01-02 15:04:05", time.Second}, {"2006-01-02T15:04:05", time.Second},
		{"2006-01-02 15:04", time.Minute}, {"2006-01-02T15:04", time.Minute},
	} {
		if t, err := time.ParseInLocation(f.layout, s, loc); err == nil {
			return t.Add(f.span - time.Nanosecond), nil
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
	}
	return time.Time{}, fmt.Errorf(`%q: want a date (2006-01-02), a date and time ("2006-01-02 15:04" or with seconds) or RFC 3339`, s)
}
