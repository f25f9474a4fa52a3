// Package crawler fetches news sites politely and hands their pages to
// extraction and the archive. It owns everything about the network and the
// link graph: seeds (front pages, feeds, sitemaps), link discovery, URL
// canonicalisation and traps, a site's scope (its origins, checked at every
// redirect hop) and the addresses it may connect to (checked at dial time),
// robots.txt (RFC 9309), per-host rate limits, retries with Retry-After and
// backoff, and response size limits. Every request of a crawl goes through
// one http.Client. A panic in any step of a page is recovered there: the
// page is counted and rests, the crawl goes on. It is the only importer of
// colly. It leaves reading articles to an Extractor and keeping them to an
// Archive, both declared here and supplied by the caller. The pages' workers
// hand their articles and crawl state to one writer per crawl, which
// commits them in groups (see group.go).
package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"golang.org/x/net/html"

	"newsarc/crawler/frontier"
	"newsarc/crawler/frontier/boltfrontier"
	"newsarc/internal/htmlsafe"
	"newsarc/store"
)

// Extractor turns one fetched page into an article. It returns an error
// wrapping ErrNotArticle for pages that are not articles (lists, tags,
// search results).
type Extractor interface {
	Extract(ctx context.Context, pageURL string, h http.Header, body []byte) (*store.Article, error)
}

// ErrNotArticle is the sentinel an Extractor's error wraps for a page that
// is not an article. Callers wire their extractor's own sentinel with
// Config.NotArticle when it differs.
var ErrNotArticle = errors.New("not an article")

// Archive keeps articles and finds their near-duplicates; store.Store
// satisfies it.
type Archive interface {
	Put(ctx context.Context, articles ...*store.Article) ([]store.Change, error)
	store.Linker
}

// Site is one news site to crawl, as listed in the config.
type Site struct {
	Name     string   `yaml:"name"`     // names the site in the archive; the first seed's host (and port, if any) by default
	Seeds    []string `yaml:"seeds"`    // front pages, section pages, RSS/Atom feeds, sitemaps
	Schedule string   `yaml:"schedule"` // cron spec for `newsarc schedule`, e.g. "CRON_TZ=Asia/Shanghai 30 2 * * *"
	// Hosts are more origins of the site besides the seeds': "host" (http
	// and https on their default ports), "host:port" (that port) or a URL
	// ("https://host:8443/", that origin). A seed on a default port brings
	// its host's http and https; one on another port, that origin only.
	Hosts []string `yaml:"hosts"`
	// ArticleURL, a regular expression, marks the URLs of article pages;
	// other pages are followed but never archived. Empty: detection decides.
	ArticleURL string `yaml:"article_url"`
	// ArticleSelector, a CSS selector, marks article pages by content; it is
	// handed to extraction.
	ArticleSelector string   `yaml:"article_selector"`
	Exclude         []string `yaml:"exclude"`  // regular expressions of URLs never to fetch
	TimeZone        string   `yaml:"timezone"` // IANA zone for dates without one; by default from language and domain
	// Per-site overrides of Config; zero keeps the crawler's value.
	Delay    time.Duration `yaml:"delay"`
	MaxPages int           `yaml:"max_pages"`
	MaxDepth int           `yaml:"max_depth"`
}

// Config sets how the crawler treats every site.
type Config struct {
	UserAgent    string        `yaml:"user_agent"`     // default names newsarc and the contact URL
	Contact      string        `yaml:"contact"`        // URL or e-mail put in the User-Agent
	Delay        time.Duration `yaml:"delay"`          // between requests to one host
	Parallelism  int           `yaml:"parallelism"`    // concurrent requests to one host, each waiting Delay (rate: Parallelism/Delay)
	MaxPages     int           `yaml:"max_pages"`      // pages fetched per site and run
	MaxDepth     int           `yaml:"max_depth"`      // links followed from a seed
	MaxListPages int           `yaml:"max_list_pages"` // non-article pages of one URL shape (pagination, calendars)
	Timeout      time.Duration `yaml:"timeout"`        // per request, including the body
	MaxBodySize  int64         `yaml:"max_body_size"`  // bytes, after decompression
	Retries      int           `yaml:"retries"`        // for 429, 5xx and network errors
	MaxRetryWait time.Duration `yaml:"max_retry_wait"` // cap on Retry-After and backoff
	IgnoreRobots bool          `yaml:"ignore_robots"`  // for sites you own only
	// Revisit is how long an archived article rests before it is fetched
	// again to catch edits: the first interval after a fetch that found a
	// change, the next one after each fetch that found none.
	Revisit []time.Duration `yaml:"revisit"`
	// DuplicateDistance is the largest SimHash distance, in bits, at which
	// an article is linked to an archived near-duplicate (a reprint on
	// another site) with store.Link; 0 links identical SimHashes only, a
	// negative value turns linking off. Up to store.MaxSimilarDistance
	// every near-duplicate is found.
	DuplicateDistance int `yaml:"duplicate_distance"`
	// MaxArticlePages is how many pages one article may span (its first
	// page and the continuation pages its extractor's NextPage names).
	MaxArticlePages int `yaml:"max_article_pages"`
	// GroupSize and GroupWait shape the group commits: the run's articles
	// are put in the archive, and its pages recorded in the crawl state,
	// by one writer, in groups of at most GroupSize articles, each
	// committed at most GroupWait after its first page was handed over
	// (and at the end of the crawl). A page is done in the crawl state
	// only once its group is committed, so a kill loses nothing. Defaults
	// DefaultGroupSize and DefaultGroupWait; 1 commits each article alone.
	GroupSize int           `yaml:"group_size"`
	GroupWait time.Duration `yaml:"group_wait"`
	// SitesAtOnce is how many sites of one crawl are crawled at the same
	// time (by the newsarc command; each site's Run has its own workers),
	// so that one slow site does not hold up the others. Default 4.
	SitesAtOnce int `yaml:"sites_at_once"`

	// Recorder, when set, keeps every request and response as received
	// (the WARC archive); archived articles point at their capture.
	Recorder Recorder `yaml:"-"`
	// State, when set, keeps each site's embedded frontier (queue, seen
	// set, per-URL fetch state) across runs: conditional GET, revisit
	// schedule, resume after a kill. Without it (and without Frontier) a
	// run crawls on a temporary frontier that it removes at its end.
	State *State `yaml:"-"`

	// FrontierType, RedisURL and LeaseTTL configure a crawl shared by
	// many workers (the caller opens the frontier they name and passes it
	// as Frontier): FrontierType "redis" (or "" / "local" for a crawl of
	// one process), the Redis server's URL, and how long a worker holds a
	// host without renewing its lease (default 30s).
	FrontierType string        `yaml:"frontier"`
	RedisURL     string        `yaml:"redis_url"`
	LeaseTTL     time.Duration `yaml:"lease_ttl"`
	// FrontierName names the shared crawl in Redis (default: the
	// archive's index prefix, else "newsarc"): workers of one crawl
	// share it, and two crawls on one server differ by it.
	FrontierName string `yaml:"frontier_name"`
	// Frontier, when set, makes the run one worker of a crawl shared with
	// other workers and processes (see distributed.go), on that frontier
	// rather than on the site's embedded one in State. Worker names this
	// worker in the frontier's leases.
	Frontier frontier.Frontier `yaml:"-"`
	Worker   string            `yaml:"-"`

	// NotArticle is the sentinel the extractor wraps for non-article pages
	// (default ErrNotArticle).
	NotArticle error `yaml:"-"`
	// Progress, when set, receives a snapshot of the counts about five
	// times a second and once at the end.
	Progress func(Stats) `yaml:"-"`
	// Observer, when set, is told of each event as it is counted in Stats
	// (responses, articles, errors, skips) and of each HTTP exchange's
	// duration: the feed of the process's metrics.
	Observer Observer `yaml:"-"`
	// Transport, when set, replaces http.DefaultTransport's clone. An
	// *http.Transport is cloned and dials through the crawler's address
	// check (no loopback, private or link-local address unless the seeds
	// resolve there), without a proxy, which would hide the address; any
	// other RoundTripper is used as it is and checks addresses itself.
	Transport http.RoundTripper `yaml:"-"`
}

// DefaultConfig returns settings suited to news sites: one request per
// second per host, robots.txt obeyed, 30 s timeouts, 10 MiB bodies.
func DefaultConfig() Config {
	return Config{
		Contact:      "https://github.com/newsarc/newsarc",
		Delay:        time.Second,
		Parallelism:  1,
		SitesAtOnce:  4,
		MaxPages:     5000,
		MaxDepth:     30,
		MaxListPages: 200,
		Timeout:      30 * time.Second,
		MaxBodySize:  10 << 20,
		Retries:      3,
		MaxRetryWait: 60 * time.Second,
		Revisit:      []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour},

		DuplicateDistance: store.MaxSimilarDistance,
		MaxArticlePages:   20,
		GroupSize:         DefaultGroupSize,
		GroupWait:         DefaultGroupWait,
	}
}

// Stats counts what a crawl did.
type Stats struct {
	Site       string        `json:"site"`
	Started    time.Time     `json:"started"`
	Duration   time.Duration `json:"duration"`
	Queued     int           `json:"queued"`      // URLs handed to the fetcher
	Fetched    int           `json:"fetched"`     // responses received
	Bytes      int64         `json:"bytes"`       // response body bytes
	New        int           `json:"new"`         // articles archived for the first time
	Updated    int           `json:"updated"`     // articles whose text changed
	Unchanged  int           `json:"unchanged"`   // articles fetched again, same text
	NotArticle int           `json:"not_article"` // pages followed but not archived
	// Waiting is what the frontier holds of the site and has not finished
	// (queued, leased, waiting for a retry), as last counted (every second
	// while the progress is watched, and at the end): what the run has
	// left to do; of a shared crawl, what all its workers have left.
	Waiting int64 `json:"waiting,omitempty"`
	// Verdicts counts the pages judged not to be articles by the reason
	// extraction gave ("list page", "teasers hold the page's prose", ...).
	Verdicts map[string]int `json:"verdicts,omitempty"`
	// Undated counts the articles archived without a publish date (kept
	// because their structure or markup shows one article).
	Undated      int  `json:"undated,omitempty"`
	Retries      int  `json:"retries"`
	NotModified  int  `json:"not_modified"`  // 304 answers to conditional requests
	Removed      int  `json:"removed"`       // archived articles that now answer 404 or 410
	Duplicates   int  `json:"duplicates"`    // new or changed articles linked to an earlier near-duplicate
	ArticlePages int  `json:"article_pages"` // continuation pages merged into their article
	Resumed      bool `json:"resumed"`       // the run continued a killed one
	// Run and Worker: of a shared crawl, the run's ID in the frontier
	// (the same for every worker of the run) and the worker that did
	// what these counts say.
	Run     int64          `json:"run,omitempty"`
	Worker  string         `json:"worker,omitempty"`
	Skipped map[string]int `json:"skipped,omitempty"` // URLs not fetched, by reason
	Errors  map[string]int `json:"errors,omitempty"`  // failed pages, by kind ("panic": a step of the page panicked)
	// RobotsUnavailable lists the origins whose robots.txt could not be
	// read (5xx, 429, unreachable, stalled): nothing was fetched from them
	// in this run, and their URLs are skipped as "robots-unavailable".
	RobotsUnavailable []string `json:"robots_unavailable,omitempty"`
}

// Articles is the number of articles archived in the run.
func (s Stats) Articles() int { return s.New + s.Updated + s.Unchanged }

// ErrorCount is the number of pages that failed.
func (s Stats) ErrorCount() int {
	n := 0
	for _, v := range s.Errors {
		n += v
	}
	return n
}

// Crawler crawls sites into an Archive.
type Crawler struct {
	cfg Config
	st  Archive
	log *slog.Logger

	wmu     sync.Mutex
	writers map[context.Context]*writer // the group writers of the runs going on, by their context
}

// New returns a Crawler. A nil logger discards logs.
func New(cfg Config, st Archive, log *slog.Logger) *Crawler {
	def := DefaultConfig()
	if cfg.Delay < 0 {
		cfg.Delay = 0
	}
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = def.Parallelism
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = def.MaxPages
	}
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = def.MaxDepth
	}
	if cfg.MaxListPages <= 0 {
		cfg.MaxListPages = def.MaxListPages
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = def.Timeout
	}
	if cfg.MaxBodySize <= 0 {
		cfg.MaxBodySize = def.MaxBodySize
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = def.MaxRetryWait
	}
	if cfg.UserAgent == "" {
		contact := cfg.Contact
		if contact == "" {
			contact = def.Contact
		}
		cfg.UserAgent = "newsarc/0.1 (+" + contact + ")"
	}
	if cfg.NotArticle == nil {
		cfg.NotArticle = ErrNotArticle
	}
	if len(cfg.Revisit) == 0 {
		cfg.Revisit = def.Revisit
	}
	if cfg.MaxArticlePages <= 0 {
		cfg.MaxArticlePages = def.MaxArticlePages
	}
	if cfg.GroupSize <= 0 {
		cfg.GroupSize = def.GroupSize
	}
	if cfg.GroupWait <= 0 {
		cfg.GroupWait = def.GroupWait
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Crawler{cfg: cfg, st: st, log: log}
}

// run is the state of one site's crawl.
type run struct {
	c       *Crawler
	site    Site
	ex      Extractor
	log     *slog.Logger
	scope   *scope // the origins the site's requests may go to
	article *regexp.Regexp
	exclude []*regexp.Regexp
	seeds   map[string]bool

	runID int64
	now   time.Time

	col      *colly.Collector
	client   *http.Client    // the one client of every request: colly's pages, robots.txt, continuation pages
	robots   sync.Map        // origin → *hostRobots, see robotsFor
	pace     *pacer          // spaces requests per host
	delay    time.Duration   // the site's delay between requests to a host
	maxDepth int             // links followed from a seed, seeds being depth 1
	ctx      context.Context // the run's, for robots.txt reads from link callbacks

	w *writer // commits articles and crawl state in groups, see group.go
	// notes hands each page's header and capture from the transport to
	// the page's callbacks.
	notes *pageNotes
	// dist is the run's share of the crawl through its frontier (see
	// distributed.go): the embedded frontier of a crawl of one process,
	// or a Redis frontier shared by many workers.
	dist *dist

	mu       sync.Mutex
	stats    Stats
	pages    map[string]bool        // continuation pages fetched in this run
	redirect map[string]string      // where a redirect chain ended → the URL it began at
	seen     urlSet                 // URLs queued or settled in this run
	rejected urlSet                 // URLs refused, counted once
	lists    map[string]int         // non-article pages fetched per URL template
	shapes   map[string]*shapeCount // verdicts per URL shape, see shape.go
	// listLinked holds the URLs list pages have linked in this run, for
	// chainEnd.
	listLinked urlSet
	attempts   map[string]int
	// shown holds the crawl state of pages handed to the writer and not
	// yet written, for previous; pendingIDs counts the articles handed to
	// it and not yet committed, by ID, for archive.
	shown      map[string]PageState
	pendingIDs map[string]int
}

// Run crawls one site until its frontier is empty, a limit is reached or
// ctx is cancelled, and returns what it did. Failed pages are counted in
// Stats.Errors, not returned; the error is for a site that cannot be
// crawled at all (bad config, no valid seed) or a cancelled ctx.
func (c *Crawler) Run(ctx context.Context, site Site, ex Extractor) (Stats, error) {
	if c.cfg.Frontier != nil {
		return c.run(ctx, site, ex, c.cfg.Frontier, false)
	}
	if len(site.Seeds) == 0 {
		return Stats{}, fmt.Errorf("crawler: site %q has no seeds", site.Name)
	}
	if site.Name == "" {
		site.Name = defaultName(site) // as newRun names it: the crawl state is the site's
	}
	f, release, err := c.localFrontier(site)
	if err != nil {
		return Stats{}, err
	}
	defer release()
	return c.run(ctx, site, ex, f, true)
}

// localFrontier returns the embedded frontier of a crawl of one process:
// the site's in the crawl state (Config.State), or, without one, a
// frontier in a temporary directory that release removes (a crawl that
// remembers nothing).
func (c *Crawler) localFrontier(site Site) (frontier.Frontier, func(), error) {
	delay := c.cfg.Delay
	if site.Delay > 0 {
		delay = site.Delay
	}
	if delay <= 0 {
		delay = -1 // none; zero would be the frontier's default
	}
	opts := frontier.Options{Delay: delay, LeaseTTL: c.cfg.LeaseTTL}
	if c.cfg.State != nil {
		return c.cfg.State.acquire(site.Name, opts)
	}
	dir, err := os.MkdirTemp("", "newsarc-frontier-")
	if err != nil {
		return nil, nil, fmt.Errorf("crawler: frontier: %w", err)
	}
	f, err := boltfrontier.Open(filepath.Join(dir, "frontier.db"), opts, nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("crawler: frontier: %w", err)
	}
	return f, func() {
		f.Close()
		os.RemoveAll(dir)
	}, nil
}

// RunWorker crawls site as Run does, as one worker of a crawl shared
// through f (the site's frontier, see Config.Frontier), whatever
// Config.Frontier says. The sites a Crawler runs at the same time, each
// with its own frontier, share one group writer, as Run's do.
func (c *Crawler) RunWorker(ctx context.Context, site Site, ex Extractor, f frontier.Frontier) (Stats, error) {
	if f == nil {
		return Stats{}, errors.New("crawler: RunWorker without a frontier")
	}
	return c.run(ctx, site, ex, f, false)
}

func (c *Crawler) run(ctx context.Context, site Site, ex Extractor, f frontier.Frontier, local bool) (Stats, error) {
	r, err := c.newRun(site, ex)
	if err != nil {
		return Stats{}, err
	}
	cfg := c.cfg
	if site.Delay > 0 {
		cfg.Delay = site.Delay
	}
	if site.MaxDepth > 0 {
		cfg.MaxDepth = site.MaxDepth
	}
	// colly fetches synchronously, in the run's goroutines that lease
	// hosts from the frontier (see distributed.go), where colly's
	// asynchronous mode started a goroutine per queued URL.
	col := colly.NewCollector(
		colly.StdlibContext(ctx),
		colly.UserAgent(cfg.UserAgent),
		colly.AllowedDomains(r.scope.hostNames()...),
	)
	col.MaxBodySize = 0 // fetchTransport enforces the limit and fails loudly
	// One client makes every request of the run: colly's, robots.txt and
	// continuation pages (see newClient). colly's redirect checks
	// (domains, pages visited), with no handler of its own, run inside the
	// run's (scope, hops, robots.txt).
	pace := newPacer(cfg.Delay, cfg.Parallelism)
	if r.client, err = r.newClient(ctx, cfg, pace); err != nil {
		return Stats{}, err
	}
	col.SetClient(r.client)
	col.SetRedirectHandler(func(*http.Request, []*http.Request) error { return nil })
	r.client.CheckRedirect = r.checkRedirect(r.client.CheckRedirect)
	r.col = col

	// robots.txt: newsarc reads each origin's file once (robotsFor) and
	// checks every URL before it is queued, and every redirect; colly's own
	// check, which would read the files again, is off.
	col.IgnoreRobotsTxt = true
	r.pace, r.delay, r.maxDepth, r.ctx = pace, cfg.Delay, cfg.MaxDepth, ctx
	// Every request to a host is made under the frontier's lease on it,
	// robots.txt's included, so robots.txt is read when a host is first
	// leased (see dist.fetch), and its Sitemap lines are queued then.
	worker := c.cfg.Worker
	if local {
		worker = "local"
	}
	r.dist = newDist(r, f, worker, local)
	col.AllowURLRevisit = true // the frontier's seen set decides
	// Requests in flight per host are the queue's to limit (Parallelism,
	// or one under a robots.txt Crawl-delay), and the pacer spaces them.
	col.OnRequest(func(req *colly.Request) {
		defer r.recoverPage("request", req.URL.String())
		r.log.Debug("fetch", "url", req.URL.String(), "depth", depthOf(req.Ctx))
		// Conditional GET with what the last fetch said; never for seeds,
		// feeds and sitemaps, whose links are the news: a 304 would hide
		// what a sitemap index's children or a front page now list.
		if p, ok := r.previous(req.URL.String()); ok && !p.Removed && (p.Status == 200 || p.Status == 304) &&
			p.Kind != KindFeed && !r.seeds[req.URL.String()] {
			if p.ETag != "" {
				req.Headers.Set("If-None-Match", p.ETag)
			}
			if p.LastModified != "" {
				req.Headers.Set("If-Modified-Since", p.LastModified)
			}
		}
	})
	col.OnResponse(func(resp *colly.Response) {
		resp.Ctx.Put(handledKey, true)
		defer r.recoverPage("response", resp.Request.URL.String())
		r.onResponse(ctx, resp)
	})
	col.OnError(func(resp *colly.Response, err error) {
		if resp.Ctx != nil {
			resp.Ctx.Put(handledKey, true)
		}
		defer r.recoverPage("error", resp.Request.URL.String())
		r.onError(ctx, resp, err)
	})

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if cfg.Progress == nil {
			<-stop
			return
		}
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for tick := 0; ; tick++ {
			select {
			case <-stop:
				return
			case <-t.C:
				if tick%5 == 0 {
					r.countWaiting(ctx)
				}
				cfg.Progress(r.snapshot())
			}
		}
	}()

	r.stats.Started = time.Now()
	due, err := r.dist.begin(ctx)
	if err != nil {
		close(stop)
		<-done
		return Stats{}, err
	}
	// All start URLs in one call, marked seen before the first is fetched,
	// so that no page fetched meanwhile claims one of them first. The URLs
	// a killed run left queued are in the frontier, with their depth.
	var start []target
	for _, list := range [][]string{site.Seeds, due} {
		for _, s := range list {
			if u, err := canonicalURL(s, nil); err == nil {
				start = append(start, target{u: u, depth: 1, seed: true})
			}
		}
	}
	// The writer commits the articles in groups; it is stopped, which
	// commits what it still holds, once every page is finished.
	r.startWriter(ctx)
	r.visit(start, true)
	var workers sync.WaitGroup
	for range r.workers() {
		workers.Go(func() { r.dist.work(ctx) })
	}
	workers.Wait()
	col.Wait()
	r.stopWriter()
	r.dist.stop()
	close(stop)
	<-done
	r.countWaiting(context.WithoutCancel(ctx))
	st := r.snapshot()
	if cfg.Progress != nil {
		cfg.Progress(st)
	}
	r.log.Info("crawl finished", "pages", st.Fetched, "new", st.New, "updated", st.Updated,
		"unchanged", st.Unchanged, "errors", st.ErrorCount(), "dur", st.Duration.Round(time.Millisecond))
	if err := ctx.Err(); err != nil {
		return st, fmt.Errorf("crawler: %s: %w", r.site.Name, err)
	}
	return st, r.dist.finish(ctx)
}

// seedHosts returns scheme://host of each seed, once.
func (r *run) seedHosts() []*url.URL {
	seen := map[string]bool{}
	var out []*url.URL
	for _, s := range r.site.Seeds {
		u, err := canonicalURL(s, nil)
		if err != nil || seen[u.Scheme+u.Host] {
			continue
		}
		seen[u.Scheme+u.Host] = true
		out = append(out, &url.URL{Scheme: u.Scheme, Host: u.Host})
	}
	return out
}

// defaultName names a site without a name: its first seed's host,
// without "www.".
func defaultName(site Site) string {
	if len(site.Seeds) == 0 {
		return ""
	}
	u, err := canonicalURL(site.Seeds[0], nil)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

func (c *Crawler) newRun(site Site, ex Extractor) (*run, error) {
	if len(site.Seeds) == 0 {
		return nil, fmt.Errorf("crawler: site %q has no seeds", site.Name)
	}
	r := &run{c: c, site: site, ex: ex, scope: newScope(), seeds: map[string]bool{},
		seen: urlSet{}, pages: map[string]bool{}, redirect: map[string]string{}, rejected: urlSet{}, lists: map[string]int{}, attempts: map[string]int{},
		shapes: map[string]*shapeCount{}, listLinked: urlSet{},
		shown: map[string]PageState{}, pendingIDs: map[string]int{},
		now: time.Now()}
	for _, s := range site.Seeds {
		u, err := canonicalURL(s, nil)
		if err != nil {
			return nil, fmt.Errorf("crawler: site %q: seed: %w", site.Name, err)
		}
		r.seeds[u.String()] = true
		r.scope.addURL(u)
	}
	if r.site.Name == "" {
		r.site.Name = defaultName(site)
	}
	for _, h := range site.Hosts {
		if err := r.scope.addListed(h); err != nil {
			return nil, fmt.Errorf("crawler: site %q: host %q: %w", site.Name, h, err)
		}
	}
	if site.ArticleURL != "" {
		re, err := regexp.Compile(site.ArticleURL)
		if err != nil {
			return nil, fmt.Errorf("crawler: site %q: article_url: %w", site.Name, err)
		}
		r.article = re
	}
	for _, x := range site.Exclude {
		re, err := regexp.Compile(x)
		if err != nil {
			return nil, fmt.Errorf("crawler: site %q: exclude: %w", site.Name, err)
		}
		r.exclude = append(r.exclude, re)
	}
	r.stats = Stats{Site: r.site.Name, Skipped: map[string]int{}, Errors: map[string]int{}, Verdicts: map[string]int{}}
	r.log = c.log.With("site", r.site.Name)
	return r, nil
}

func isIP(h string) bool {
	return strings.Trim(h, "0123456789.") == "" || strings.Contains(h, ":")
}

func (r *run) snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Skipped = maps.Clone(r.stats.Skipped)
	s.Verdicts = maps.Clone(r.stats.Verdicts)
	s.Errors = maps.Clone(r.stats.Errors)
	s.RobotsUnavailable = slices.Clone(r.stats.RobotsUnavailable)
	s.Duration = time.Since(s.Started)
	return s
}

// countWaiting sets Stats.Waiting from the frontier's count of the site's
// unfinished URLs. A frontier that does not answer within a second (Redis
// away) leaves the last count.
func (r *run) countWaiting(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if st, err := r.dist.f.Stats(ctx, r.site.Name); err == nil {
		r.count(func(s *Stats) { s.Waiting = st.Pending })
	}
}

func (r *run) count(f func(s *Stats)) {
	r.mu.Lock()
	f(&r.stats)
	r.mu.Unlock()
}

// target is a URL to visit and how it was found.
type target struct {
	u     *url.URL
	depth int  // links followed from a seed to it; seeds are 1
	seed  bool // a start URL, or a feed a seed page advertises: the trap rules do not apply
	// hub: a list page's link to a page like a list (its next page, the
	// previous day), fetched before the articles queued on its host, so
	// that the workers always have the next list's links coming.
	hub bool
}

// depthKey keeps a request's depth in its colly Context.
const depthKey = "newsarc.depth"

// depthOf returns the depth a request was queued at (1 when unknown).
func depthOf(c *colly.Context) int {
	if c != nil {
		if d, ok := c.GetAny(depthKey).(int); ok {
			return d
		}
	}
	return 1
}

// visitAll applies the link rules to each URL, records the ones that pass
// in the frontier (with their depth) in one transaction, and hands them to
// colly.
func (r *run) visitAll(ts []target) { r.visit(ts, false) }

// visit is visitAll; start says ts are the run's start URLs, which are
// enqueued once per run across a shared crawl's workers (frontier.Seed).
// robots.txt and the per-URL state are checked when a URL is leased (see
// dist.fetch): reading robots.txt is a request, made only under a lease
// on the host, and the state is the frontier's.
func (r *run) visit(ts []target, start bool) {
	var accepted []frontierURL
	var hubs, seedy []bool
	r.mu.Lock()
	for _, t := range ts {
		u := t.u
		s := u.String()
		shape := TrapReason(u) // computed once per link
		trap := shape
		if t.seed {
			trap = ""
		}
		reason := ""
		switch {
		case r.seen.has(s):
			continue
		case !r.scope.allows(u):
			reason = "offsite"
		case t.depth > r.maxDepth:
			reason = "max-depth"
		case trap != "":
			reason = trap
		case r.excluded(s):
			reason = "excluded"
		case r.lists[template(u)] >= r.c.cfg.MaxListPages:
			reason = "list-budget"
		case r.stats.Queued >= r.maxPages():
			reason = "max-pages"
		}
		if reason != "" {
			// A URL refused as a trap, off-site or too deep is not marked
			// seen: the same URL may come again as a seed (a feed, a
			// resumed frontier) or by a shorter path.
			if !r.rejected.has(s) {
				r.rejected.add(s)
				r.skippedLocked(reason)
			}
			if reason != "offsite" && reason != "max-depth" && shape == "" {
				r.seen.add(s)
			}
			continue
		}
		r.seen.add(s)
		accepted = append(accepted, frontierURL{URL: s, Depth: t.depth})
		hubs = append(hubs, t.hub)
		seedy = append(seedy, t.seed)
	}
	r.mu.Unlock()
	if len(accepted) == 0 {
		return
	}
	r.dist.enqueue(accepted, hubs, seedy, start)
}

// stateReason says why a URL whose last fetch left p is not fetched
// again in this run: "" when it is.
func (r *run) stateReason(p PageState, s string, seed bool) string {
	switch {
	case p.Run == r.runID:
		return "done-before-kill" // only when resuming
	case (p.Kind == KindArticle || p.Kind == KindAlternate) && !p.Removed && r.now.Before(p.NextDue) && !seed && !r.seeds[s]:
		// Seeds never rest: a front page judged an article still lists
		// tomorrow's news.
		return "not-due"
	case p.Kind == KindContinuation:
		return "article-page" // archived as part of its article
	case p.Kind == KindPanic && r.now.Before(p.NextDue) && !r.seeds[s]:
		return "panicked" // rests after a panic; seeds never do
	}
	return ""
}

// workers is the number of the run's goroutines that lease hosts, each
// fetching its host's URLs Parallelism at a time: one per seed host and
// one more for the site's other hosts, at most 64. An idle one polls the
// frontier.
func (r *run) workers() int {
	return min(len(r.seedHosts())+1, 64)
}

// handledKey marks a request's colly Context once its response or error
// reached the run's callbacks.
const handledKey = "newsarc.handled"

// fetch sends one leased URL through colly, whose callbacks handle the
// page; what ends it before a callback (a URL colly refuses) is counted
// here.
func (r *run) fetch(u string, depth int) {
	defer r.recoverPage("request", u)
	cctx := colly.NewContext()
	cctx.Put(depthKey, depth)
	err := r.col.Request(http.MethodGet, u, nil, cctx, nil)
	if err == nil || handled(cctx) {
		return
	}
	r.notFetched(u, err)
}

func handled(c *colly.Context) bool {
	return c != nil && c.GetAny(handledKey) != nil
}

// notFetched counts a URL colly refused before fetching it.
func (r *run) notFetched(u string, err error) {
	r.dist.drop(u, "not-fetched")
	r.count(func(st *Stats) { st.Queued-- })
	var already *colly.AlreadyVisitedError
	if errors.As(err, &already) {
		return
	}
	r.failed(errorKind(0, err))
	r.log.Warn("not fetched", "url", u, "err", err)
}

func (r *run) maxPages() int {
	if r.site.MaxPages > 0 {
		return r.site.MaxPages
	}
	return r.c.cfg.MaxPages
}

func (r *run) excluded(s string) bool {
	for _, re := range r.exclude {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func (r *run) onResponse(ctx context.Context, resp *colly.Response) {
	// A page in hand is finished even when the crawl is being stopped:
	// extracted, archived and recorded, so nothing fetched is lost.
	ctx = context.WithoutCancel(ctx)
	h, capture := r.pageNote(resp)
	pageURL := resp.Request.URL
	r.fetched(resp.StatusCode, len(resp.Body))
	ct := h.Get("Content-Type")
	self, err := canonicalURL(pageURL.String(), nil)
	if err != nil {
		self = pageURL
	}
	fromSeed := r.seeds[self.String()]
	depth := depthOf(resp.Ctx)
	// follow queues a page's links, each canonicalised once; a list page's
	// links to more lists are dropped when it brings nothing new (chainEnd).
	follow := func(links []link, list bool) {
		var us []*url.URL
		var feed []bool
		for _, l := range links {
			if l.Rel == "mobile" {
				continue // the same page for phones: see markMobile
			}
			if u, err := canonicalURL(l.URL, nil); err == nil {
				us = append(us, u)
				// The feeds a seed page advertises are seeds too; other
				// links to feeds (comment feeds, one per article) are traps.
				feed = append(feed, l.Rel == "feed" && fromSeed)
			}
		}
		if list {
			us, feed = r.chainEnd(self, us, feed)
		}
		ts := make([]target, len(us))
		for i, u := range us {
			ts[i] = target{u: u, depth: depth + 1, seed: feed[i], hub: list && r.listLike(self, u)}
		}
		r.visitAll(ts)
	}
	ps := PageState{Kind: KindPage, Status: resp.StatusCode, ETag: h.Get("ETag"),
		LastModified: h.Get("Last-Modified"), FetchedAt: time.Now().UTC(), Run: r.runID}
	// The page is recorded as done last, after its links are queued, so a
	// kill in between leaves it in the frontier to be fetched again; an
	// article page is handed to the group writer then, which records it
	// once its article is committed. A panic in any step of the page (link
	// discovery, feed parsing) ends here: counted, logged, and the page
	// rests.
	var item *commitItem // the page's article, for the writer
	panicked := false
	defer func() {
		if v := recover(); v != nil {
			r.reportPanic(pageURL.String(), &panicError{step: "page", value: v, stack: debug.Stack()})
			ps, panicked = r.panicState(resp.Request.URL.String()), true
		}
		if item != nil {
			r.submit(item)
			r.log.Debug("article handed to the writer", "url", item.art.CanonicalURL)
			return
		}
		r.recordPage(resp.Request.URL.String(), self.String(), ps)
	}()

	if isXML(ct, resp.Body) {
		ps.Kind = KindFeed
		follow(xmlLinks(pageURL, resp.Body), false)
		return
	}
	if ct != "" && !strings.Contains(strings.ToLower(ct), "html") || !isText(resp.Body) {
		// Whatever the header says, a body that is not text (an image, a
		// PDF, an archive served as text/html) is no page.
		r.skipped("not-html")
		return
	}
	// Links are followed after the page is classified, so that a list page
	// counts against its URL shape's budget before its next page is queued.
	// A page's canonical URL is visited too: the same article reached under
	// an alternative URL is archived once, under the canonical.
	isList := true // until the page is archived as an article
	// One parse of the page for its links and its extraction, when the
	// extractor can share it.
	var parsed *parsedPage
	if px, ok := r.ex.(ParsingExtractor); ok {
		_ = guard("parse", func() error {
			doc, text, err := px.Parse(ct, resp.Body)
			if err == nil {
				parsed = &parsedPage{doc: doc, text: text}
			}
			return err
		})
	}
	var links []link
	if parsed != nil {
		links = linksOf(pageURL, parsed.doc)
	} else {
		links = htmlLinks(pageURL, ct, resp.Body)
	}
	defer func() { follow(links, isList) }()

	r.mu.Lock()
	merged := r.pages[self.String()]
	r.mu.Unlock()
	if merged {
		// Fetched already as a continuation page, and merged into its
		// article.
		r.skipped("article-page")
		ps.Kind = KindContinuation
		return
	}
	if r.article != nil && !r.article.MatchString(self.String()) && !r.article.MatchString(pageURL.String()) {
		r.notArticle(self)
		r.count(func(st *Stats) { st.Verdicts["not the site's article_url pattern"]++ })
		return
	}
	art, err := r.extract(ctx, pageURL.String(), h, resp.Body, parsed)
	if pe := (*panicError)(nil); errors.As(err, &pe) {
		r.reportPanic(pageURL.String(), pe)
		ps = r.panicState(resp.Request.URL.String())
		return
	}
	if err != nil {
		if errors.Is(err, r.c.cfg.NotArticle) {
			r.notArticle(self)
			r.count(func(st *Stats) { st.Verdicts[verdictReason(err)]++ })
			r.log.Debug("not an article", "url", pageURL.String(), "err", err)
			return
		}
		r.failed("extract")
		r.log.Warn("extraction failed", "url", pageURL.String(), "err", err)
		ps.Kind = KindError
		return
	}
	capture.Type = art.Capture.Type
	art.Capture = capture
	if capture.File != "" {
		// The raw bytes are archived once, in the WARC file the record
		// points to; the store keeps them itself only for a crawl without
		// WARC files.
		art.Raw = nil
	}
	pages := r.appendPages(ctx, self.String(), h, resp.Body, art)
	alternate, err := r.archive(ctx, self, resp.StatusCode, art)
	if err != nil { // errAlternate
		// Looked at again only as rarely as an unchanging article.
		ps.Kind, ps.ArticleID = KindAlternate, art.ID
		ps.NextDue = ps.FetchedAt.Add(r.c.cfg.Revisit[len(r.c.cfg.Revisit)-1])
		return
	}
	isList = false
	pages = append(pages, r.markMobile(links, art.ID)...)
	fetched := resp.Request.URL.String()
	prev, known := r.previous(fetched) // before this fetch: the writer shows the page's new state
	urls := r.pageURLs(fetched, self.String())
	shown := ps
	shown.Kind, shown.ArticleID, shown.ContentHash = KindArticle, art.ID, art.ContentHash
	item = &commitItem{art: art, alternate: alternate, shown: recordsFor(urls, shown)}
	// Run by the writer once the archive has answered; ps is the page's
	// state as this function left it (a panic after this point marks it).
	item.state = func(ch store.Change, err error) []pageRecord {
		var pe *panicError
		switch {
		case errors.Is(err, errAlternate):
			ps.Kind, ps.ArticleID = KindAlternate, art.ID
			ps.NextDue = ps.FetchedAt.Add(r.c.cfg.Revisit[len(r.c.cfg.Revisit)-1])
			return recordsFor(urls, ps)
		case errors.As(err, &pe):
			return recordsFor(urls, r.panicStateAfter(prev, known))
		case err != nil:
			// Nothing was written (a full disk, a store that failed): the
			// page stays queued, and the run that resumes the crawl
			// fetches and archives it.
			return nil
		}
		if !panicked {
			ps.Kind, ps.ArticleID, ps.ContentHash = KindArticle, art.ID, art.ContentHash
			if known && prev.Kind == KindArticle && ch == store.Unchanged {
				ps.Interval = min(prev.Interval+1, len(r.c.cfg.Revisit)-1)
			}
			ps.NextDue = ps.FetchedAt.Add(r.c.cfg.Revisit[ps.Interval])
		}
		return append(pages, recordsFor(urls, ps)...)
	}
	item.report = func(ch store.Change, err error) { r.reportArticle(fetched, art, ch, err) }
}

// pageNote returns a page's header as received and its capture, from the
// note the transport left (see pageNote); the header colly has, and no
// capture, when there is none.
func (r *run) pageNote(resp *colly.Response) (http.Header, store.Capture) {
	if resp.Request != nil && r.notes != nil {
		if n := r.notes.take(resp.Request.URL.String()); n != nil {
			return n.header, n.capture
		}
	}
	if resp.Headers == nil {
		return http.Header{}, store.Capture{}
	}
	return resp.Headers.Clone(), store.Capture{}
}

// parsedPage is a page as a ParsingExtractor parsed it.
type parsedPage struct {
	doc  *html.Node
	text []byte
}

// extract runs the extractor on a page (on its parse, when parsed is set); a panic in it is returned as a
// *panicError, and an extractor that returns neither article nor error
// fails the page.
func (r *run) extract(ctx context.Context, pageURL string, h http.Header, body []byte, parsed *parsedPage) (*store.Article, error) {
	var art *store.Article
	err := guard("extract", func() error {
		var err error
		if px, ok := r.ex.(ParsingExtractor); ok && parsed != nil {
			art, err = px.ExtractParsed(ctx, pageURL, h, body, parsed.doc, parsed.text, r.shapeVerdicts)
		} else if sx, ok := r.ex.(ShapeExtractor); ok {
			art, err = sx.ExtractWithShapes(ctx, pageURL, h, body, r.shapeVerdicts)
		} else {
			art, err = r.ex.Extract(ctx, pageURL, h, body)
		}
		return err
	})
	if err == nil && art == nil {
		err = fmt.Errorf("extract %s: no article and no error", pageURL)
	}
	return art, err
}

// previous returns the state of a URL from before this fetch: what the
// crawl state holds, or what a page handed to the writer will record.
func (r *run) previous(u string) (PageState, bool) {
	r.mu.Lock()
	p, ok := r.shown[u]
	r.mu.Unlock()
	if ok {
		return p, true
	}
	return r.dist.page(u)
}

// recordPage has a URL's fetch state recorded, with the writer's next
// group, under the URL fetched and, when different, under its canonical
// form (a redirect's target).
func (r *run) recordPage(fetched, canonical string, ps PageState) {
	recs := recordsFor(r.pageURLs(fetched, canonical), ps)
	r.submit(&commitItem{shown: recs, state: func(store.Change, error) []pageRecord { return recs }})
}

// pageURLs returns the URLs a page's state is recorded under: the URL
// fetched, its canonical form and, when a redirect led to it, the URL the
// redirect began at (it is done too, and rests as long: the next run does
// not fetch it again for nothing).
func (r *run) pageURLs(fetched, canonical string) []string {
	urls := []string{fetched}
	if canonical != fetched {
		urls = append(urls, canonical)
	}
	r.mu.Lock()
	if from, ok := r.redirect[fetched]; ok {
		delete(r.redirect, fetched)
		if !slices.Contains(urls, from) {
			urls = append(urls, from)
		}
	}
	r.mu.Unlock()
	return urls
}

// redirected notes that a fetch of from was redirected to to.
func (r *run) redirected(from, to string) {
	f, err1 := canonicalURL(from, nil)
	t, err2 := canonicalURL(to, nil)
	if err1 != nil || err2 != nil || f.String() == t.String() {
		return // a redirect to the same page (tracking parameters dropped)
	}
	r.mu.Lock()
	r.redirect[to] = f.String() // as recordPage will see it: the final request's URL
	r.mu.Unlock()
}

// markMobile marks the mobile versions an archived article announces
// (<link rel=alternate media=…>) as alternates of it: not fetched in this
// run, and, by the records it returns, resting like the article in later
// ones, so that a site whose mobile host is listed in hosts is not
// archived twice.
func (r *run) markMobile(links []link, articleID string) []pageRecord {
	now := time.Now().UTC()
	var out []pageRecord
	for _, l := range links {
		if l.Rel != "mobile" {
			continue
		}
		u, err := canonicalURL(l.URL, nil)
		if err != nil || !r.scope.allows(u) {
			continue
		}
		s := u.String()
		r.mu.Lock()
		r.seen.add(s)
		r.mu.Unlock()
		out = append(out, pageRecord{s, PageState{Kind: KindAlternate, ArticleID: articleID, FetchedAt: now, Run: r.runID,
			NextDue: now.Add(r.c.cfg.Revisit[len(r.c.cfg.Revisit)-1])}})
	}
	return out
}

// chainEnd drops a list page's links to more list pages when the page
// brings nothing new: no link, besides those, to a page of this site that
// no list page of this run has linked yet. Pagination past the last page, calendars of empty
// days and "older stories" links that go on for ever then end where the
// news ends, instead of at the list budget. List pages are the page's own
// URL shape (the next page, the previous day) and the shapes of pages
// already found not to be articles.
func (r *run) chainEnd(self *url.URL, us []*url.URL, feed []bool) ([]*url.URL, []bool) {
	own := template(self)
	listy := func(u *url.URL) bool {
		t := template(u)
		return t == own || r.lists[t] > 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// "New" is judged against what list pages have linked so far, not
	// against every URL seen: an article that a related-stories box of
	// another article found first is still news this list brings. Judged
	// against every URL, whether a chain went on depended on which worker
	// fetched what first, and articles only its later pages list were lost.
	fresh := false
	for _, u := range us {
		s := u.String()
		if !fresh && r.scope.allows(u) && !r.listLinked.has(s) && TrapReason(u) == "" && !listy(u) {
			fresh = true
		}
		r.listLinked.add(s)
	}
	if fresh {
		return us, feed // something new: the chain goes on
	}
	var keepU []*url.URL
	var keepF []bool
	for i, u := range us {
		if listy(u) && !r.seen.has(u.String()) {
			r.skippedLocked("list-end")
			continue
		}
		keepU, keepF = append(keepU, u), append(keepF, feed[i])
	}
	return keepU, keepF
}

// listLike reports whether u, linked from the list page self, looks like
// a list too: self's URL shape, or a shape already found not to be
// articles.
func (r *run) listLike(self, u *url.URL) bool {
	t := template(u)
	if t == template(self) {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lists[t] > 0
}

func (r *run) notArticle(u *url.URL) {
	r.count(func(st *Stats) { st.NotArticle++ })
	r.mu.Lock()
	r.lists[template(u)]++
	r.shapeCount(u).others++
	r.mu.Unlock()
	r.dist.listPage(u)
}

// errAlternate is archive's answer for an alternate URL of an article
// already archived, or being archived, under its canonical URL: nothing is
// stored.
var errAlternate = errors.New("alternate of an archived article")

// archive fills the crawl's part of an article before it is handed to the
// writer: its canonical URL, ID, site and capture status. It reports
// whether the page is an alternate of the article (a URL other than the
// canonical one), and errAlternate for one whose article is archived or
// handed to the writer already; the writer asks again when it puts the
// article, in the order the pages were handed over.
func (r *run) archive(ctx context.Context, self *url.URL, status int, art *store.Article) (alternate bool, err error) {
	canon := self
	if art.CanonicalURL != "" {
		if u, err := canonicalURL(art.CanonicalURL, self); err == nil && r.scope.allows(u) {
			canon = u
		}
	}
	art.CanonicalURL = canon.String()
	art.ID = store.IDFor(art.CanonicalURL)
	art.Site = r.site.Name
	if canon.String() != self.String() {
		// An alternate of the article (a mobile, AMP or tracking variant,
		// a later page naming the first as canonical): it is archived only
		// when the article is not yet, and never replaces the record the
		// canonical page gave, which the crawl fetches too.
		r.mu.Lock()
		pending := r.pendingIDs[art.ID] > 0
		r.mu.Unlock()
		if pending {
			r.skippedAlternate(self.String(), canon.String())
			return true, errAlternate
		}
		if _, err := r.c.st.Get(ctx, art.ID); err == nil {
			r.skippedAlternate(self.String(), canon.String())
			return true, errAlternate
		}
		alternate = true
	}
	art.Capture.Status = status
	if art.FetchedAt.IsZero() {
		art.FetchedAt = time.Now().UTC()
	}
	r.mu.Lock()
	r.shapeCount(self).articles++
	r.mu.Unlock()
	return alternate, nil
}

// stopped reports whether a write failed because the crawl was stopped
// (and interruptFlush had passed): not a failure of the store.
func stopped(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func (r *run) skippedAlternate(u, canonical string) {
	r.skipped("alternate")
	r.log.Debug("alternate of an archived article", "url", u, "canonical", canonical)
}

// reportArticle counts and logs what the writer did with the article of
// the page fetched at u.
func (r *run) reportArticle(u string, art *store.Article, ch store.Change, err error) {
	var pe *panicError
	switch {
	case errors.Is(err, errAlternate):
		r.skippedAlternate(u, art.CanonicalURL)
	case errors.As(err, &pe):
		r.reportPanic(u, pe)
	case stopped(err):
		r.log.Warn("not archived before the crawl stopped; the page stays queued", "url", art.URL, "err", err)
	case err != nil:
		r.failed("store")
		r.log.Error("archive failed", "url", art.URL, "err", err)
	default:
		r.count(func(st *Stats) {
			if art.DuplicateOf != "" && ch != store.Unchanged {
				st.Duplicates++
			}
			if art.Published.IsZero() {
				st.Undated++
			}
		})
		r.archived(ch)
		r.log.Info("article", "url", art.CanonicalURL, "change", ch.String(), "title", art.Title)
	}
}

func (r *run) onError(ctx context.Context, resp *colly.Response, err error) {
	r.pageNote(resp) // not kept
	u := resp.Request.URL.String()
	status := resp.StatusCode
	var already *colly.AlreadyVisitedError
	if errors.As(err, &already) {
		// A redirect to a page this run already fetched.
		r.skipped("duplicate-redirect")
		r.dist.drop(u, "duplicate-redirect")
		return
	}
	if status > 0 {
		r.fetched(status, len(resp.Body))
	}
	prev, known := r.previous(u)
	if reason := skipReason(err); reason != "" {
		// Refused by newsarc, not failed: never retried.
		r.skipped(reason)
		r.log.Warn("page skipped", "url", u, "reason", reason, "err", err)
		ps := prev
		if !known || prev.Kind != KindArticle {
			ps.Kind = KindPage
		}
		ps.Status, ps.FetchedAt, ps.Run = status, time.Now().UTC(), r.runID
		r.recordPage(u, u, ps)
		return
	}
	switch {
	case status == http.StatusNotModified && known:
		r.notModified(u, prev)
		return
	case (status == http.StatusNotFound || status == http.StatusGone) && known && prev.Kind == KindArticle && prev.ArticleID != "":
		r.removed(u, prev)
		return
	}
	kind := errorKind(status, err)
	if retryable(status, err) && ctx.Err() == nil {
		r.mu.Lock()
		n := r.attempts[u]
		r.attempts[u] = n + 1
		r.mu.Unlock()
		if n < r.c.cfg.Retries {
			wait := r.backoff(n)
			if resp.Headers != nil {
				if ra, ok := retryAfter(resp.Headers.Get("Retry-After"), time.Now()); ok {
					wait = min(ra, r.c.cfg.MaxRetryWait)
				}
			}
			r.log.Debug("retrying", "url", u, "status", status, "err", err, "wait", wait)
			r.count(func(st *Stats) { st.Retries++ })
			// Queued again for its time, not slept on: the worker goes on
			// with other pages meanwhile.
			r.dist.retry(u, time.Now().Add(wait))
			return
		}
	}
	if ctx.Err() != nil && status == 0 {
		return // cancelled, not failed: the URL stays in the frontier
	}
	r.failed(kind)
	r.log.Warn("page failed", "url", u, "status", status, "err", err)
	ps := prev
	ps.Kind, ps.Status, ps.FetchedAt, ps.Run = KindError, status, time.Now().UTC(), r.runID
	if known && prev.Kind == KindArticle {
		ps.Kind = KindArticle // keep it on its revisit schedule
	}
	r.recordPage(u, u, ps)
}

// notModified records a 304 answer: nothing changed since the last fetch.
func (r *run) notModified(u string, prev PageState) {
	r.count(func(st *Stats) { st.NotModified++ })
	ps := prev
	ps.Status, ps.FetchedAt, ps.Run = http.StatusNotModified, time.Now().UTC(), r.runID
	if ps.Kind == KindArticle {
		ps.Interval = min(ps.Interval+1, len(r.c.cfg.Revisit)-1)
		ps.NextDue = ps.FetchedAt.Add(r.c.cfg.Revisit[ps.Interval])
	}
	r.log.Debug("not modified", "url", u)
	r.recordPage(u, u, ps)
}

// removed marks an archived article whose page now answers 404 or 410:
// the writer gives the record removed_at (it is kept) with its next group.
func (r *run) removed(u string, prev PageState) {
	now := time.Now().UTC()
	ps := prev
	ps.Status, ps.FetchedAt, ps.Run, ps.Removed = http.StatusGone, now, r.runID, true
	recs := recordsFor(r.pageURLs(u, u), ps)
	failed := func(err error) bool { return err != nil && !errors.Is(err, store.ErrNotFound) }
	r.submit(&commitItem{removal: prev.ArticleID, removedAt: now, shown: recs,
		state: func(_ store.Change, err error) []pageRecord {
			if failed(err) {
				return nil // stays queued
			}
			return recs
		},
		report: func(_ store.Change, err error) {
			if pe := (*panicError)(nil); errors.As(err, &pe) {
				r.reportPanic(u, pe)
				return
			}
			switch {
			case stopped(err):
				r.log.Warn("not marked removed before the crawl stopped; the page stays queued", "url", u, "err", err)
				return
			case failed(err):
				r.failed("store")
				r.log.Error("mark removed", "url", u, "err", err)
				return
			}
			r.count(func(st *Stats) { st.Removed++ })
			r.log.Info("article removed at source", "url", u)
		}})
}

// backoff is the wait before retry n (0-based): 1 s, 2 s, 4 s ... capped.
func (r *run) backoff(n int) time.Duration { return r.c.backoff(n) }

func (c *Crawler) backoff(n int) time.Duration {
	d := time.Second << min(n, 16)
	return min(d, c.cfg.MaxRetryWait)
}

// skipReason names the refusals that end a request before or between its
// hops (a redirect out of scope, an address newsarc never connects to):
// skips, not failures, and never retried. "" for anything else.
func skipReason(err error) string {
	switch {
	case errors.Is(err, ErrOffScope):
		return "off-scope-redirect"
	case errors.Is(err, ErrForbiddenAddress):
		return "private-address"
	}
	return ""
}

func retryable(status int, err error) bool {
	switch {
	case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable,
		status == http.StatusBadGateway, status == http.StatusGatewayTimeout, status == http.StatusInternalServerError:
		return true
	case status != 0:
		return false
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrDisallowed),
		errors.Is(err, ErrOffScope), errors.Is(err, ErrForbiddenAddress), errors.Is(err, ErrPanic),
		errors.Is(err, colly.ErrRobotsTxtBlocked):
		return false
	}
	return true // network errors and timeouts
}

// errorKind names the kind of a failed page for the crawl summary.
func errorKind(status int, err error) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "http_429"
	case status == http.StatusNotFound, status == http.StatusGone:
		return "not_found"
	case status >= 500:
		return "http_5xx"
	case status >= 400:
		return "http_4xx"
	case status >= 300:
		return "http_3xx"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrTooManyRedirects):
		return "redirect"
	case errors.Is(err, ErrPanic):
		return "panic"
	case errors.Is(err, ErrDisallowed), errors.Is(err, colly.ErrRobotsTxtBlocked):
		return "robots"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "timeout"
	}
	return "network"
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// verdictReason is the kind of reason in an extractor's not-an-article
// error, without its figures: "list page: 9 entries hold 75% of the text"
// counts as "list page".
func verdictReason(err error) string {
	s := err.Error()
	const mark = "not an article: "
	if i := strings.LastIndex(s, mark); i >= 0 {
		s = s[i+len(mark):]
	}
	if i := strings.IndexAny(s, "(:"); i > 0 {
		s = s[:i]
	}
	s = strings.TrimRightFunc(s, func(r rune) bool { return r == ' ' || r == '%' || r >= '0' && r <= '9' })
	if s == "" {
		return "not an article"
	}
	return s
}

// isText reports whether a body can be a page, as extraction judges it.
func isText(body []byte) bool {
	_, ok := htmlsafe.SniffText(body)
	return ok
}
