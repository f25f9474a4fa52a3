package main

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose loads the repository's docker-compose.yml with compose-go,
// the loader docker compose itself uses: the file is interpolated with env
// and validated against the Compose specification's schema.
func loadCompose(t *testing.T, env ...string) (*types.Project, error) {
	t.Helper()
	file, err := filepath.Abs("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithEnv(env),
		cli.WithDiscardEnvFile,
	)
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

// TestComposeFile checks docker-compose.yml without a Docker engine: it
// must load and validate as docker compose would load it, the worker
// service must be one that `docker compose up --scale worker=N` can
// replicate, and the config it hands the services must be a valid newsarc
// config whose Redis and Elasticsearch are the file's own services. What
// it cannot check is that the images build and run.
func TestComposeFile(t *testing.T) {
	if _, err := loadCompose(t); err == nil {
		t.Error("the file loads without ELASTIC_PASSWORD and KIBANA_PASSWORD; it should demand them")
	} else if !strings.Contains(err.Error(), "ELASTIC_PASSWORD") {
		t.Errorf("error without ELASTIC_PASSWORD does not name it: %v", err)
	}

	p, err := loadCompose(t, "ELASTIC_PASSWORD=s3cret-pass", "KIBANA_PASSWORD=k1bana-pass")
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	for _, name := range []string{"elasticsearch", "redis", "worker", "newsarc"} {
		if _, ok := p.Services[name]; !ok {
			t.Fatalf("no %q service; services: %v", name, p.ServiceNames())
		}
	}

	w := p.Services["worker"]
	if w.ContainerName != "" {
		t.Errorf("worker has container_name %q: replicas cannot share it", w.ContainerName)
	}
	if len(w.Ports) > 0 {
		t.Errorf("worker publishes ports %v: a second replica could not bind them", w.Ports)
	}
	for _, v := range w.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source != "" {
			t.Errorf("worker mounts the named volume %q at %s: replicas would share one data directory", v.Source, v.Target)
		}
		if v.Type == types.VolumeTypeBind {
			t.Errorf("worker bind-mounts %s: replicas would share it", v.Source)
		}
	}
	if !slices.ContainsFunc(w.Volumes, func(v types.ServiceVolumeConfig) bool { return v.Target == "/data" }) {
		t.Errorf("worker has no volume at /data (its WARC files and spool): %+v", w.Volumes)
	}
	for dep, cond := range map[string]string{"redis": types.ServiceConditionHealthy, "elasticsearch": types.ServiceConditionHealthy} {
		if d, ok := w.DependsOn[dep]; !ok || d.Condition != cond {
			t.Errorf("worker depends on %s as %+v, want condition %s", dep, d, cond)
		}
	}
	if !slices.Contains([]string(w.Command), "--worker") {
		t.Errorf("worker command %q lacks --worker", w.Command)
	}
	if w.Build == nil {
		t.Error("worker has no build: it would run an image nobody built")
	}
	if p.Services["redis"].HealthCheck == nil {
		t.Error("redis has no healthcheck, so the worker's service_healthy condition never holds")
	}

	// The commands must be ones newsarc accepts: cobra parses every flag
	// before it answers --help, so an unknown flag fails here.
	for _, name := range []string{"worker", "newsarc"} {
		args := append(slices.Clone([]string(p.Services[name].Command)), "--help")
		if err := run(context.Background(), args, io.Discard, io.Discard); err != nil {
			t.Errorf("%s's command %q: %v", name, p.Services[name].Command, err)
		}
	}

	// The config both services mount, after interpolation.
	for _, name := range []string{"worker", "newsarc"} {
		s := p.Services[name]
		if len(s.Configs) != 1 || s.Configs[0].Target != "/config.yaml" {
			t.Fatalf("%s mounts configs %+v, want one at /config.yaml", name, s.Configs)
		}
		if !slices.Contains([]string(s.Command), "/config.yaml") {
			t.Errorf("%s's command %q does not read /config.yaml", name, s.Command)
		}
	}
	src := p.Services["worker"].Configs[0].Source
	obj, ok := p.Configs[src]
	if !ok || obj.Content == "" {
		t.Fatalf("config %q has no content", src)
	}
	cfg, err := decodeConfig(bytes.NewReader([]byte(obj.Content)))
	if err != nil {
		t.Fatalf("the compose file's newsarc config: %v\n%s", err, obj.Content)
	}
	if err := cfg.validate(); err != nil {
		t.Fatalf("the compose file's newsarc config is invalid: %v", err)
	}
	if cfg.Crawler.FrontierType != "redis" {
		t.Errorf("frontier %q, want redis", cfg.Crawler.FrontierType)
	}
	serviceOf := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("url %q: %v", raw, err)
			return ""
		}
		return u.Hostname()
	}
	if h := serviceOf(cfg.Crawler.RedisURL); h != "redis" {
		t.Errorf("redis_url %q names host %q, not the redis service", cfg.Crawler.RedisURL, h)
	}
	if cfg.Store.Type != "elasticsearch" || len(cfg.Store.Elastic.URLs) == 0 {
		t.Fatalf("store %+v: want elasticsearch", cfg.Store)
	}
	for _, u := range cfg.Store.Elastic.URLs {
		if h := serviceOf(u); h != "elasticsearch" {
			t.Errorf("store url %q names host %q, not the elasticsearch service", u, h)
		}
	}
	if cfg.Store.Elastic.Password != "s3cret-pass" {
		t.Errorf("store password %q: ELASTIC_PASSWORD was not passed through", cfg.Store.Elastic.Password)
	}
	if len(cfg.Sites) == 0 {
		t.Error("the config lists no site")
	}
}
