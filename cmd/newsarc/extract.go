package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"newsarc/crawler"
	"newsarc/extract"
)

// extractMaxBody is the most the extract command reads of a page.
const extractMaxBody = 16 << 20

func extractCmd(g *globals) *cobra.Command {
	var pageURL, zone string
	var force, noHTML, explain bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "extract FILE|URL",
		Short: "Extract one page and print the article as JSON",
		Long: `extract runs newsarc's article extraction on one page and prints the article
as JSON with every field and the provenance of its metadata. FILE is an .html
or .html.gz file; --url gives the page's URL (for relative links, the site's
zone and list-page rules). A URL argument is fetched with a plain GET, for
debugging: no robots.txt, no rate limit.

A page that is not an article prints the reason and exits non-zero; --force
prints whatever body it has instead.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			arg := args[0]
			var body []byte
			h := http.Header{}
			if u, err := url.Parse(arg); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
				final, hdr, b, err := fetchPage(ctx, arg, timeout)
				if err != nil {
					return err
				}
				body, h = b, hdr
				if pageURL == "" {
					pageURL = final
				}
			} else {
				b, err := readPageFile(arg)
				if err != nil {
					return err
				}
				body = b
				if pageURL == "" {
					abs, _ := filepath.Abs(arg)
					pageURL = "file://localhost" + filepath.ToSlash(abs)
				}
			}
			cfg, err := g.config()
			if err != nil {
				return err
			}
			u, err := url.Parse(pageURL)
			if err != nil {
				return fmt.Errorf("--url %q: %w", pageURL, err)
			}
			site := siteFor(cfg.Sites, u.Hostname())
			if zone != "" {
				site.TimeZone = zone
			}
			opts := extract.DefaultOptions()
			opts.Force = force
			if site.TimeZone != "" {
				if opts.Location, err = time.LoadLocation(site.TimeZone); err != nil {
					return fmt.Errorf("timezone: %w", err)
				}
			}
			a, err := extract.New(opts).Extract(ctx, pageURL, h, body)
			if explain {
				// The verdict and the evidence it weighed, on standard error.
				verdict := "article"
				if err != nil {
					verdict = err.Error()
				}
				fmt.Fprintf(g.stderr, "verdict: %s\n", verdict)
				if ev, everr := extract.Evidence(pageURL, h, body); everr == nil {
					fmt.Fprintf(g.stderr, "evidence: %s\n", ev)
				}
			}
			if err != nil {
				return fmt.Errorf("extract %s: %w", arg, err)
			}
			if noHTML {
				a.HTML = ""
			}
			enc := json.NewEncoder(g.stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(a)
		},
	}
	f := cmd.Flags()
	f.StringVar(&pageURL, "url", "", "the page's URL, for a FILE (default a file:// URL)")
	f.StringVar(&zone, "timezone", "", "IANA zone for dates without one (default: the config's site, else from language and domain)")
	f.BoolVar(&force, "force", false, "print the body of pages that are not articles too")
	f.BoolVar(&noHTML, "no-html", false, "leave the body HTML out")
	f.BoolVar(&explain, "explain", false, "print the page-type verdict and its evidence on standard error")
	f.DurationVar(&timeout, "timeout", 20*time.Second, "time limit for fetching a URL")
	return cmd
}

// siteFor returns the configured site that host belongs to (by its seeds'
// hosts and its hosts), or a zero Site.
func siteFor(sites []crawler.Site, host string) crawler.Site {
	host = strings.ToLower(strings.TrimPrefix(host, "www."))
	for _, s := range sites {
		hosts := append([]string(nil), s.Hosts...)
		for _, seed := range s.Seeds {
			if u, err := url.Parse(seed); err == nil {
				hosts = append(hosts, u.Hostname())
			}
		}
		for _, h := range hosts {
			if strings.ToLower(strings.TrimPrefix(h, "www.")) == host {
				return s
			}
		}
	}
	return crawler.Site{}
}

// readPageFile reads an .html or .html.gz file.
func readPageFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("gunzip %s: %w", path, err)
		}
		r = zr
	}
	b, err := io.ReadAll(io.LimitReader(r, extractMaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > extractMaxBody {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, extractMaxBody)
	}
	return b, nil
}

// fetchPage GETs a page for the extract command and returns its final URL,
// headers and body.
func fetchPage(ctx context.Context, rawURL string, timeout time.Duration) (string, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", nil, nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", "newsarc-extract/1 (+debugging one page; newsarc news archiver)")
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, nil, fmt.Errorf("fetch %s: status %s", rawURL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, extractMaxBody+1))
	if err != nil {
		return "", nil, nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	if len(b) > extractMaxBody {
		return "", nil, nil, fmt.Errorf("fetch %s: body larger than %d bytes", rawURL, extractMaxBody)
	}
	return resp.Request.URL.String(), resp.Header, b, nil
}
