package warc

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"newsarc/store"
	"newsarc/store/storetest"
)

// TestDiskFull writes until the disk is full, with and without space kept
// free: the write fails with a DiskFullError naming the directory, and
// every record written before reads back whole.
func TestDiskFull(t *testing.T) {
	for _, minFree := range []int64{-1, 1 << 20} {
		t.Run(fmt.Sprint(minFree), func(t *testing.T) {
			mnt := storetest.MountTmpfs(t, "4m")
			dir := filepath.Join(mnt, "warc")
			w := newWriter(t, Config{Dir: dir, MinFree: minFree})
			storetest.FillDisk(t, mnt, max(minFree, 0)+300<<10)
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
