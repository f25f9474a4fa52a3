package warc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"newsarc/store"
)

// tmpfs mounts a tmpfs of size (as mount takes it: "4m") on a new
// directory and unmounts it when the test ends. It skips the test when it
// cannot mount one (not root, not Linux).
func tmpfs(t *testing.T, size string) string {
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

// fill writes a file into dir that leaves about leave bytes free on its
// disk (or none).
func fill(t testing.TB, dir string, leave int64) {
	t.Helper()
	free, err := store.FreeSpace(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "filler"))
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
}

// TestDiskFull writes until the disk is full, with and without space kept
// free: the write fails with a DiskFullError naming the directory, and
// every record written before reads back whole.
func TestDiskFull(t *testing.T) {
	for _, minFree := range []int64{-1, 1 << 20} {
		t.Run(fmt.Sprint(minFree), func(t *testing.T) {
			mnt := tmpfs(t, "4m")
			dir := filepath.Join(mnt, "warc")
			w := newWriter(t, Config{Dir: dir, MinFree: minFree})
			fill(t, mnt, max(minFree, 0)+300<<10)
			var caps []store.Capture
			var err error
			for i := 0; i < 1000 && err == nil; i++ {
				var c store.Capture
				c, err = w.Write(t.Context(), exchange(fmt.Sprintf("http://news.example/%d", i), 200, noise(8<<10, uint64(i))))
				if err == nil {
					caps = append(caps, c)
				}
			}
			var dfe *store.DiskFullError
			if !errors.Is(err, store.ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) || !errors.As(err, &dfe) ||
				dfe.Dir != dir || !strings.Contains(err.Error(), "disk full: "+dir) {
				t.Fatalf("Write on a full disk: %v; want a DiskFullError naming %s", err, dir)
			}
			if minFree > 0 && (dfe.Err != nil || dfe.Keep != minFree) {
				t.Errorf("with %d kept free the write is refused before it starts: %+v", minFree, dfe)
			}
			if len(caps) == 0 {
				t.Fatalf("nothing written before the disk filled")
			}
			_ = w.Close()
			r, verr := Verify(t.Context(), dir)
			if verr != nil || len(r.Faults) > 0 {
				t.Errorf("Verify after the disk filled: %+v, %v", r, verr)
			}
			for i, c := range caps {
				if err := CheckCapture(dir, c, fmt.Sprintf("http://news.example/%d", i)); err != nil {
					t.Errorf("capture %d written before the disk filled: %v", i, err)
				}
			}
		})
	}
}
