package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"

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
status line and headers first; --list lists every capture of the URL.`,
		Example: `  newsarc replay https://news.example.com/2025/02/18/a/ > page.html
  newsarc replay --at 2025-03-01 --headers https://news.example.com/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			when := time.Now()
			if at != "" {
				if when, err = parseDay(at, true); err != nil {
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
			if list {
				var n int
				sort.Slice(entries, func(i, j int) bool { return entries[i].Date.Before(entries[j].Date) })
				for _, e := range entries {
					if e.URL == warc.EscapeURL(args[0]) {
						n++
						fmt.Fprintf(g.stdout, "%s  %d  %s  %s@%d\n", e.Date.Format(time.RFC3339), e.Capture.Status, e.Capture.RecordID, e.Capture.File, e.Capture.Offset)
					}
				}
				if n == 0 {
					return fmt.Errorf("no capture of %s", args[0])
				}
				return nil
			}
			e, err := warc.Lookup(entries, args[0], when)
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
	cmd.Flags().StringVar(&at, "at", "", "the capture at or before this time (2006-01-02 or RFC 3339)")
	cmd.Flags().BoolVar(&headers, "headers", false, "print the status line and headers first")
	cmd.Flags().BoolVar(&list, "list", false, "list the captures of URL")
	return cmd
}
