package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binDir holds the program buildNewsarc builds; TestMain removes it.
var binDir string

// buildNewsarc builds the program once per test binary, for the tests that
// run it as a separate process (benchmark sets, full disk, resume, owner).
var buildNewsarc = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "newsarc-bin-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "newsarc")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
