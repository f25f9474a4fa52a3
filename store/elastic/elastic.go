// Package elastic is newsarc's Elasticsearch backend: a store.Store on the
// official go-elasticsearch v8 client that also speaks OpenSearch 2. It owns
// its indices on the cluster (an index template per mapping version, the
// versioned articles and versions indices behind two aliases, the upgrade
// from one mapping version to the next by _reindex and an atomic alias swap)
// and the translation of store.Query into Elasticsearch's query DSL. It
// leaves the cluster itself (nodes, security, snapshots) to its operators,
// raw captures to the WARC archive, and holding writes during an outage to
// package spool. No esapi or esutil type leaves this package.
//
// Failures that may pass on retry (the cluster unreachable, 429, 5xx)
// satisfy store.IsTransient.
package elastic

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"newsarc/store"
)

// Flavors of server.
const (
	FlavorElasticsearch = "elasticsearch"
	FlavorOpenSearch    = "opensearch"
)

// Refresh policies for writes (Config.Refresh).
const (
	RefreshWaitFor = "wait_for" // Put returns once its documents are searchable (default)
	RefreshTrue    = "true"     // Put forces a refresh: searchable at once, more segments
	RefreshFalse   = "false"    // Put returns once written; searchable after the next refresh
)

// Config configures the connection and the indices. The zero value of a
// field means its default (see DefaultConfig), except where noted.
type Config struct {
	// URLs of the cluster's nodes, e.g. "http://127.0.0.1:9200". They are
	// always passed to the client explicitly: the client's fallback to
	// $ELASTICSEARCH_URL and localhost is never used.
	URLs []string `yaml:"urls"`
	// Username and Password for HTTP basic authentication.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// APIKey is an Elasticsearch API key (base64 of id:key, as the
	// _security/api_key API returns it as "encoded"); it takes precedence
	// over Username and Password.
	APIKey string `yaml:"api_key"`
	// IndexPrefix starts the names of every index, alias and template
	// (default "newsarc"): "<prefix>-articles", "<prefix>-versions".
	IndexPrefix string `yaml:"index_prefix"`
	// Flavor is "elasticsearch" or "opensearch"; empty detects it from the
	// server's root endpoint (version.distribution).
	Flavor string `yaml:"flavor"`
	// Refresh is the refresh policy of Put: "wait_for" (default), "true"
	// or "false".
	Refresh string `yaml:"refresh"`
	// RefreshInterval is the indices' index.refresh_interval, set on every
	// Open ("1s", "200ms"; empty keeps the engine's default of 1s). With
	// refresh wait_for, a Put takes about this long.
	RefreshInterval string `yaml:"refresh_interval"`
	// Shards and Replicas of new indices (defaults 1 and 0: one node).
	Shards   int `yaml:"shards"`
	Replicas int `yaml:"replicas"`
	// MaxRetries is how often the client retries a request that failed
	// to connect or got 429, 502, 503 or 504, with exponential backoff
	// (default 3; negative disables retries).
	MaxRetries int `yaml:"max_retries"`
	// Logger receives upgrade and retry messages; nil discards them.
	Logger *slog.Logger `yaml:"-"`

	// schema overrides the index layout; tests use it to simulate an
	// older version of this package.
	schema *schema
}

// DefaultConfig returns the configuration for an unsecured local node.
func DefaultConfig() Config {
	return Config{
		URLs:        []string{"http://127.0.0.1:9200"},
		IndexPrefix: "newsarc",
		Refresh:     RefreshWaitFor,
		Shards:      1,
		Replicas:    0,
		MaxRetries:  3,
	}
}

var _ store.Store = (*Store)(nil)

// Store is the Elasticsearch or OpenSearch archive. It is safe for
// concurrent use, also by several processes on the same indices: Put uses
// optimistic concurrency control (if_seq_no) per article.
type Store struct {
	mu     sync.RWMutex // read-held by every operation, write-held by Close
	closed bool

	client  *elasticsearch.Client
	cfg     Config
	schema  *schema
	log     *slog.Logger
	flavor  string
	version string // server version number, for messages

	articles string // alias of the current articles index
	versions string // alias of the versions index

	// noScript is set once the node refused NearLinks' filter script.
	noScript atomic.Bool
}

// Open connects to the cluster, checks that it answers as cfg.Flavor says
// (detecting the flavor when it is empty), installs the index templates and
// creates the indices and aliases when missing. When the aliases point at
// indices of an older mapping version, Open creates indices of the current
// version, copies the documents with _reindex, swaps the aliases atomically
// and deletes the old indices; no other process should write meanwhile.
// An unreachable or overloaded cluster gives an error that satisfies
// store.IsTransient.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	def := DefaultConfig()
	if len(cfg.URLs) == 0 {
		return nil, errors.New("elastic: open: no urls configured")
	}
	if cfg.IndexPrefix == "" {
		cfg.IndexPrefix = def.IndexPrefix
	}
	if cfg.Refresh == "" {
		cfg.Refresh = def.Refresh
	}
	switch cfg.Refresh {
	case RefreshWaitFor, RefreshTrue, RefreshFalse:
	default:
		return nil, fmt.Errorf("elastic: open: refresh %q: want wait_for, true or false", cfg.Refresh)
	}
	if cfg.Shards <= 0 {
		cfg.Shards = def.Shards
	}
	cfg.Replicas = max(cfg.Replicas, 0)
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = def.MaxRetries
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sch := cfg.schema
	if sch == nil {
		sch = currentSchema()
	}

	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 32
	flavor := strings.ToLower(cfg.Flavor)
	var ver string
	if flavor == "" {
		var err error
		flavor, ver, err = detect(ctx, base, cfg)
		if err != nil {
			return nil, fmt.Errorf("elastic: open: detect flavor: %w", err)
		}
	}
	var rt http.RoundTripper = base
	switch flavor {
	case FlavorElasticsearch:
	case FlavorOpenSearch:
		rt = productHeader{base}
	default:
		return nil, fmt.Errorf("elastic: open: flavor %q: want elasticsearch or opensearch", cfg.Flavor)
	}

	ecfg := elasticsearch.Config{
		Addresses:           cfg.URLs,
		Username:            cfg.Username,
		Password:            cfg.Password,
		APIKey:              cfg.APIKey,
		Transport:           rt,
		RetryOnStatus:       []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout},
		MaxRetries:          max(cfg.MaxRetries, 0),
		DisableRetry:        cfg.MaxRetries < 0,
		RetryOnError:        func(_ *http.Request, err error) bool { return !isContextErr(err) },
		RetryBackoff:        backoff,
		CompressRequestBody: false,
	}
	client, err := elasticsearch.NewClient(ecfg)
	if err != nil {
		return nil, fmt.Errorf("elastic: open: %w", err)
	}
	s := &Store{
		client:   client,
		cfg:      cfg,
		schema:   sch,
		log:      log,
		flavor:   flavor,
		version:  ver,
		articles: cfg.IndexPrefix + "-articles",
		versions: cfg.IndexPrefix + "-versions",
	}
	if err := s.setup(ctx); err != nil {
		_ = client.Close(context.Background())
		return nil, fmt.Errorf("elastic: open: %w", err)
	}
	return s, nil
}

// Flavor returns the flavor the store talks to: FlavorElasticsearch or
// FlavorOpenSearch.
func (s *Store) Flavor() string { return s.flavor }

// Close releases the client. Calling it again returns store.ErrClosed.
// The indices stay on the cluster.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	s.closed = true
	if err := s.client.Close(context.Background()); err != nil {
		return fmt.Errorf("elastic: close: %w", err)
	}
	return nil
}

// acquire read-locks the store for one operation; the caller must call the
// returned release. It fails with store.ErrClosed after Close and with the
// context's error when ctx is done.
func (s *Store) acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, store.ErrClosed
	}
	return s.mu.RUnlock, nil
}

// backoff is the client's delay before retry attempt n (1, 2, ...):
// 100 ms doubling, at most 5 s.
func backoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt-1, 6)
	return min(d, 5*time.Second)
}

// ErrUnknownProduct is returned when the server does not identify itself as
// Elasticsearch (no X-Elastic-Product header) and the flavor is
// elasticsearch. Set flavor "opensearch" (or leave it empty) for OpenSearch.
var ErrUnknownProduct = errors.New("elastic: server is not elasticsearch (no X-Elastic-Product header); for opensearch set flavor: opensearch")

// ResponseError is an error answer of the cluster to a request.
type ResponseError struct {
	Status int    // HTTP status
	Type   string // error.type, e.g. "index_not_found_exception"
	Reason string // error.reason
}

func (e *ResponseError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("status %d", e.Status)
	}
	return fmt.Sprintf("status %d: %s: %s", e.Status, e.Type, e.Reason)
}

// transientStatus reports whether an HTTP status may pass on retry.
func transientStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// classify turns an error of the transport into the error to return: the
// context's error when ctx is done, ErrUnknownProduct for the client's
// product check, a store.TransientError for a failure to connect, as is
// otherwise.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if isContextErr(err) {
		return err
	}
	if strings.Contains(err.Error(), "not Elasticsearch") {
		return fmt.Errorf("%w: %v", ErrUnknownProduct, err)
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		certInvalid      x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &certInvalid) || errors.As(err, &verify) {
		return err
	}
	return &store.TransientError{Err: err}
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// do performs req and decodes a successful JSON answer into out (unless out
// is nil). An error answer becomes a *ResponseError, wrapped in a
// store.TransientError for 429 and 5xx; a status in ok (e.g. 404) is
// returned without error and without decoding.
func (s *Store) do(ctx context.Context, req esapi.Request, out any, ok ...int) (status int, err error) {
	res, err := req.Do(ctx, s.client)
	if err != nil {
		return 0, classify(ctx, err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}()
	for _, code := range ok {
		if res.StatusCode == code {
			return res.StatusCode, nil
		}
	}
	if res.IsError() {
		return res.StatusCode, responseError(res)
	}
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			if ctx.Err() != nil {
				return res.StatusCode, ctx.Err()
			}
			return res.StatusCode, &store.TransientError{Err: fmt.Errorf("decode answer: %w", err)}
		}
	}
	return res.StatusCode, nil
}

// responseError reads an error answer.
func responseError(res *esapi.Response) error {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	e := &ResponseError{Status: res.StatusCode}
	if json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&body) == nil && len(body.Error) > 0 {
		var detail struct {
			Type     string `json:"type"`
			Reason   string `json:"reason"`
			RootCaus []struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"root_cause"`
		}
		if json.Unmarshal(body.Error, &detail) == nil {
			e.Type, e.Reason = detail.Type, detail.Reason
			if e.Reason == "" && len(detail.RootCaus) > 0 {
				e.Type, e.Reason = detail.RootCaus[0].Type, detail.RootCaus[0].Reason
			}
		} else {
			e.Reason = string(body.Error) // OpenSearch/ES can answer "error": "string"
		}
	}
	if transientStatus(res.StatusCode) {
		return &store.TransientError{Err: e}
	}
	return e
}
