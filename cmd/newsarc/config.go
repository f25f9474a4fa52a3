package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"newsarc/crawler"
	"newsarc/store"
	"newsarc/store/elastic"
)

// Config is newsarc's whole configuration, decoded from YAML.
type Config struct {
	Data     string         `yaml:"data"`
	Store    StoreConfig    `yaml:"store"`
	Crawler  crawler.Config `yaml:"crawler"`
	Schedule ScheduleConfig `yaml:"schedule"`
	Serve    ServeConfig    `yaml:"serve"`
	Sites    []crawler.Site `yaml:"sites"`

	// Worker, set by --worker, names this process as one worker of a
	// crawl shared through the frontier (crawler.frontier: redis).
	Worker string `yaml:"-"`
}

// ServeConfig configures `newsarc serve`.
type ServeConfig struct {
	// Schedule runs the sites' schedules in the serve process, as
	// --schedule does.
	Schedule bool `yaml:"schedule"`
}

// ScheduleConfig configures `newsarc schedule`.
type ScheduleConfig struct {
	Jitter time.Duration `yaml:"jitter"` // random delay, up to this, before each scheduled run
}

// StoreConfig chooses and configures the archive backend.
type StoreConfig struct {
	Type string `yaml:"type"` // "bleve" (default) or "elasticsearch"
	// Elasticsearch (or OpenSearch, flavor: opensearch) settings: urls,
	// username, password, api_key, index_prefix, flavor.
	Elastic elastic.Config `yaml:",inline"`
}

// DefaultConfig returns the configuration used without a config file.
func DefaultConfig() Config {
	return Config{
		Data:    "./newsarc-data",
		Store:   StoreConfig{Type: "bleve", Elastic: esDefaults()},
		Crawler: crawler.DefaultConfig(),
	}
}

// decodeConfig reads YAML over the defaults. Unknown keys are errors, so a
// typo does not pass silently.
func decodeConfig(r io.Reader) (Config, error) {
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if err := cfg.validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func loadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := decodeConfig(bytes.NewReader(b))
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

func (c Config) validate() error {
	switch c.Store.Type {
	case "", "bleve":
	case "elasticsearch":
	default:
		return fmt.Errorf("config: store.type %q: want bleve or elasticsearch", c.Store.Type)
	}
	switch c.Crawler.FrontierType {
	case "", "local":
	case "redis":
		if c.Crawler.RedisURL == "" && os.Getenv("REDIS_URL") == "" {
			return errors.New("config: crawler.frontier redis needs crawler.redis_url (or $REDIS_URL)")
		}
	default:
		return fmt.Errorf("config: crawler.frontier %q: want local or redis", c.Crawler.FrontierType)
	}
	if c.Crawler.LeaseTTL < 0 {
		return fmt.Errorf("config: crawler.lease_ttl %s: must not be negative", c.Crawler.LeaseTTL)
	}
	if d := c.Crawler.DuplicateDistance; d > store.MaxSimilarDistance {
		// Beyond it, a lookup would find only the near-duplicates that
		// happen to share a SimHash band.
		return fmt.Errorf("config: crawler.duplicate_distance %d: at most %d (or -1 to turn linking off)", d, store.MaxSimilarDistance)
	}
	names := map[string]bool{}
	for i, s := range c.Sites {
		if len(s.Seeds) == 0 {
			return fmt.Errorf("config: sites[%d] (%s): no seeds", i, s.Name)
		}
		if s.Name != "" && names[s.Name] {
			return fmt.Errorf("config: sites[%d]: duplicate name %q", i, s.Name)
		}
		names[s.Name] = true
		if s.Schedule != "" {
			if _, err := parseSchedule(s.Schedule); err != nil {
				return fmt.Errorf("config: site %s: schedule %q: %w", s.Name, s.Schedule, err)
			}
		}
		if s.TimeZone != "" {
			if _, err := time.LoadLocation(s.TimeZone); err != nil {
				return fmt.Errorf("config: site %s: timezone: %w", s.Name, err)
			}
		}
	}
	return nil
}

// esDefaults are elastic.DefaultConfig without its URL: store.urls, else
// $ES_URL, else the client's localhost default is decided when the store
// is opened.
func esDefaults() elastic.Config {
	c := elastic.DefaultConfig()
	c.URLs = nil
	return c
}

// parseSchedule parses a site's schedule as cron.ParseStandard does (five
// fields or a descriptor such as @daily, after an optional CRON_TZ= or TZ=
// zone), with an error where robfig/cron v3.0.1 panics: a zone prefix with
// nothing after it ("TZ=UTC"), or any other input that makes it panic.
func parseSchedule(spec string) (sched cron.Schedule, err error) {
	if (strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=")) && !strings.Contains(spec, " ") {
		return nil, fmt.Errorf("%q names a time zone but no schedule after it (e.g. \"CRON_TZ=Asia/Shanghai 30 2 * * *\")", spec)
	}
	defer func() {
		if p := recover(); p != nil {
			sched, err = nil, fmt.Errorf("cannot parse %q: %v", spec, p)
		}
	}()
	return cron.ParseStandard(spec)
}
