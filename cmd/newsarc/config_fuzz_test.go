package main

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"newsarc/configs"
)

// malformedConfigs are seeds that a config loader gets wrong easily: bad
// syntax, wrong types, out-of-range numbers and durations, hostile zone
// names and cron specs, aliases, several documents, bytes that are not
// UTF-8.
var malformedConfigs = []string{
	"",
	"\x00",
	"\xff\xfe\xfd",
	"---\n---\n",
	"sites: [",
	"sites: {",
	"sites:\n\t- name: a\n",
	"sites: 5\n",
	"sites: [5, null, ~]\n",
	"sites:\n  - null\n",
	"crawler: []\n",
	"crawler:\n  delay: -1s\n",
	"crawler:\n  delay: 9999999999999999h\n",
	"crawler:\n  delay: 1e400\n",
	"crawler:\n  duplicate_distance: -9223372036854775808\n",
	"crawler:\n  duplicate_distance: 99999999999999999999\n",
	"schedule:\n  jitter: forever\n",
	"store:\n  type: elasticsearch\n  urls: [':::', 'http://[::1']\n",
	"store: !!binary AAAA\n",
	"data: !!map {}\n",
	"sites:\n  - name: a\n    seeds: ['http://a.example/']\n    schedule: '* * * * * * * *'\n",
	"sites:\n  - name: a\n    seeds: ['http://a.example/']\n    schedule: '@every -1s'\n",
	"sites:\n  - name: a\n    seeds: ['http://a.example/']\n    schedule: '60-0/0 * * * *'\n",
	"sites:\n  - name: a\n    seeds: ['http://a.example/']\n    timezone: ../../../etc/passwd\n",
	"sites:\n  - name: a\n    seeds: ['http://a.example/']\n    timezone: /etc/localtime\n",
	"sites:\n  - name: a\n    seeds: ['http://./', 'http://h../', '\x00']\n",
	"a: &a [*a]\n",
	"a: &a {b: 1}\nsites:\n  - <<: *a\n",
	"x: &x [1,1,1,1,1,1,1,1,1]\ny: &y [*x,*x,*x,*x,*x,*x,*x,*x,*x]\nz: [*y,*y,*y,*y,*y,*y,*y,*y,*y]\n",
	"? [a, b]\n: c\n",
	"sites: &s\n  - name: a\n    seeds: ['http://a.example/']\nmore: *s\n",
	strings.Repeat("[", 200),
	strings.Repeat("- ", 200) + "x\n",
}

// FuzzConfig decodes arbitrary bytes as a config file: decodeConfig may
// reject them, but never panics; what it accepts validates, and what it
// rejects says it was the config.
func FuzzConfig(f *testing.F) {
	files, err := fs.Glob(configs.Files, "*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no configs: %v", err)
	}
	for _, name := range files {
		b, err := fs.ReadFile(configs.Files, name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range malformedConfigs {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := decodeConfig(bytes.NewReader(b))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config: ") {
				t.Errorf("error %q does not say it is about the config", err)
			}
			return
		}
		if err := cfg.validate(); err != nil {
			t.Errorf("decodeConfig accepted a config that does not validate: %v", err)
		}
	})
}
