package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarc/crawler/samplesite"
)

// TestSchedule runs the daemon with a one-second schedule against the
// fixture site, where one crawl takes longer than a second: runs repeat,
// never overlap, are recorded, and a cancel stops the daemon cleanly.
func TestSchedule(t *testing.T) {
	site := samplesite.New()
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	data := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "newsarc.yaml")
	cfgYAML := fmt.Sprintf(`data: %s
crawler:
  delay: 40ms
  revisit: [1ns]
sites:
  - name: sample
    seeds: [%s/]
    schedule: "@every 1s"
`, data, srv.URL)
	if err := os.WriteFile(cfgPath, []byte(cfgYAML), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() { done <- run(ctx, []string{"schedule", "--config", cfgPath}, &bytes.Buffer{}, &stderr) }()

	// Wait for three recorded runs (bounded), then stop the daemon.
	deadline := time.Now().Add(90 * time.Second)
	var runs []runRecord
	for len(runs) < 3 && time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("schedule exited early: %v\n%s", err, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
		runs, _ = readRuns(filepath.Join(data, "runs.jsonl"))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("schedule after cancel: %v", err)
	}
	runs, err := readRuns(filepath.Join(data, "runs.jsonl"))
	if err != nil || len(runs) < 3 {
		t.Fatalf("got %d runs (err %v), want at least 3", len(runs), err)
	}
	for i, r := range runs {
		if r.Trigger != "schedule" || r.Site != "sample" {
			t.Errorf("run %d: trigger %q site %q", i, r.Trigger, r.Site)
		}
		if i > 0 && r.Started.Before(runs[i-1].Finished) {
			t.Errorf("run %d started %s before run %d finished %s: overlap", i, r.Started, i-1, runs[i-1].Finished)
		}
	}
	if runs[0].Stats.New != len(site.Articles()) {
		t.Errorf("first scheduled run archived %d articles, want %d", runs[0].Stats.New, len(site.Articles()))
	}
	if runs[1].Stats.New != 0 || runs[1].Stats.NotModified == 0 {
		t.Errorf("second run: new %d, not modified %d; want 0 and conditional GETs answered 304", runs[1].Stats.New, runs[1].Stats.NotModified)
	}

	out := newsarc(t, "runs", "--data", data)
	if !strings.Contains(out, "schedule") || !strings.Contains(out, "sample") {
		t.Errorf("runs output:\n%s", out)
	}
}

func TestScheduleNeedsSchedules(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfgPath, []byte("data: "+t.TempDir()+"\nsites:\n  - seeds: [http://127.0.0.1:1/]\n"), 0o644)
	err := run(context.Background(), []string{"schedule", "--config", cfgPath}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "no site") {
		t.Fatalf("err = %v, want no site has a schedule", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("sites:\n  - seeds: [http://a.example/]\n    schedule: \"61 * * * *\"\n"), 0o644)
	err = run(context.Background(), []string{"schedule", "--config", bad}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "schedule") {
		t.Fatalf("err = %v, want a schedule error", err)
	}
}
