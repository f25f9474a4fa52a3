package main

import (
	"io/fs"
	"net/url"
	"strings"
	"testing"

	"newsarc/configs"
)

// TestConfigsDecode decodes every example in configs/, so the documented
// configuration cannot drift from the code.
func TestConfigsDecode(t *testing.T) {
	files, err := fs.Glob(configs.Files, "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no configs: %v", err)
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			f, err := configs.Files.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cfg, err := decodeConfig(f)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if len(cfg.Sites) == 0 {
				t.Fatalf("no sites")
			}
			for _, s := range cfg.Sites {
				if len(s.Seeds) == 0 {
					t.Errorf("site %q has no seeds", s.Name)
				}
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown key", "crawler:\n  dealy: 1s\n", "dealy"},
		{"no seeds", "sites:\n  - name: a\n", "no seeds"},
		{"bad zone", "sites:\n  - name: a\n    seeds: [http://a.example/]\n    timezone: Mars/Base\n", "timezone"},
		{"bad store", "store:\n  type: mongo\n", "store.type"},
		{"duplicate distance beyond the bands", "crawler:\n  duplicate_distance: 9\n", "duplicate_distance"},
		{"duplicate", "sites:\n  - {name: a, seeds: [http://a.example/]}\n  - {name: a, seeds: [http://b.example/]}\n", "duplicate"},
		// robfig/cron v3.0.1 panics on a zone prefix with nothing after it.
		{"zone without schedule", "sites:\n  - {name: a, seeds: [http://a.example/], schedule: TZ=UTC}\n", "no schedule after it"},
		{"cron zone without schedule", "sites:\n  - {name: a, seeds: [http://a.example/], schedule: CRON_TZ=Asia/Shanghai}\n", "no schedule after it"},
		{"bad schedule", "sites:\n  - {name: a, seeds: [http://a.example/], schedule: '61 * * * *'}\n", "schedule"},
		{"bad schedule zone", "sites:\n  - {name: a, seeds: [http://a.example/], schedule: 'CRON_TZ=Mars/Base 0 2 * * *'}\n", "Mars/Base"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeConfig(strings.NewReader(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestConfigDurations(t *testing.T) {
	cfg, err := decodeConfig(strings.NewReader("crawler:\n  delay: 250ms\nsites:\n  - seeds: [http://a.example/]\n    delay: 2s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Crawler.Delay.String() != "250ms" || cfg.Sites[0].Delay.String() != "2s" {
		t.Fatalf("delays = %v, %v", cfg.Crawler.Delay, cfg.Sites[0].Delay)
	}
	if cfg.Crawler.MaxPages == 0 {
		t.Fatalf("defaults lost: %+v", cfg.Crawler)
	}
}

func TestSiteName(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.Example.com/news/": "example.com",
		"http://example.com:80/":        "example.com",
		"http://127.0.0.1:18081/":       "127.0.0.1:18081",
		"https://news.example:8443/a":   "news.example:8443",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := siteName(u); got != want {
			t.Errorf("siteName(%s) = %q, want %q", in, got, want)
		}
	}
}
