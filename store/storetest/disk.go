package storetest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"newsarc/store"
)

// MountTmpfs mounts a tmpfs of size (as mount takes it: "20m") on a new
// directory and unmounts it when the test ends: a real disk that fills up.
// It skips the test when it cannot mount one (not root, not Linux); CI
// runs as root.
func MountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("a full disk is simulated with a tmpfs, which needs root on Linux")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// FillDisk writes a file into dir that leaves about leave bytes free on
// its disk, and returns its path. A disk that fills before (background
// work of a store took the rest) ends the filling without an error.
func FillDisk(t testing.TB, dir string, leave int64) string {
	t.Helper()
	free, err := store.FreeSpace(dir)
	if err != nil {
		t.Fatal(err)
	}
	if free <= leave {
		t.Fatalf("%s has %d bytes free, fewer than the %d to leave", dir, free, leave)
	}
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for n := free - leave; n > 0; n -= int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(n, int64(len(chunk)))]); errors.Is(err, syscall.ENOSPC) {
			break
		} else if err != nil {
			t.Fatalf("fill %s: %v", dir, err)
		}
	}
	return path
}

// EditFile rewrites the file at path with edit: the damage tests' way to
// flip a byte, cut a file short or garble a record on disk.
func EditFile(t testing.TB, path string, edit func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, edit(b), 0o600); err != nil {
		t.Fatal(err)
	}
}
