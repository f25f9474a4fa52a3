package bleve_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/storetest"
)

// bigArticle returns an article of about 20 KB of text.
func bigArticle(i int) *store.Article {
	text := strings.Repeat(fmt.Sprintf("第%d篇 数据主权 paragraph %d of a long article. ", i, i), 400)
	return article(fmt.Sprintf("https://xinhua.example/big/%d", i), text)
}

// TestDiskFullDuringPut fills the disk under the archive with no space
// kept free, so that writes meet ENOSPC in bbolt or in the middle of an
// index segment, which used to panic with "assignment to entry in nil map"
// and then have Open delete the index to rebuild it on the full disk.
func TestDiskFullDuringPut(t *testing.T) {
	// How much is left free decides where the disk fills: in bbolt, in an
	// index segment, or in scorch's own bbolt file.
	for _, leave := range []int64{64 << 10, 300 << 10, 700 << 10, 1200 << 10} {
		t.Run(store.FormatBytes(leave), func(t *testing.T) { diskFullDuringPut(t, leave) })
	}
}

func diskFullDuringPut(t *testing.T, leave int64) {
	mnt := storetest.MountTmpfs(t, "8m")
	dir := filepath.Join(mnt, "archive")
	ctx := t.Context()
	s, err := bleve.OpenWith(ctx, dir, bleve.Options{MinFree: -1})
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for i := range 5 {
		a := bigArticle(i)
		mustPut(t, s, a)
		stored = append(stored, a.ID)
	}
	filler := storetest.FillDisk(t, mnt, leave)

	var putErr error
	for i := 5; i < 500 && putErr == nil; i++ {
		a := bigArticle(i)
		if _, putErr = s.Put(ctx, a); putErr == nil {
			stored = append(stored, a.ID)
		}
	}
	if !errors.Is(putErr, store.ErrDiskFull) || !errors.Is(putErr, syscall.ENOSPC) || !strings.Contains(putErr.Error(), dir) {
		t.Fatalf("Put on a full disk: %v; want ErrDiskFull naming %s", putErr, dir)
	}
	t.Logf("%d articles stored before: %v", len(stored), putErr)
	// The failed write's leftovers may have been cleaned up (a partial
	// segment removed, a merge finished) and made room: the next Put
	// either fails as the first did or stores its article, which must
	// then survive like every other.
	if _, err := s.Put(ctx, bigArticle(1000)); err == nil {
		stored = append(stored, bigArticle(1000).ID)
	} else if !errors.Is(err, store.ErrDiskFull) {
		t.Errorf("Put after a failed Put on a full disk: %v; want ErrDiskFull", err)
	}
	for _, id := range stored {
		if _, err := s.Get(ctx, id); err != nil {
			t.Errorf("Get(%s) on the full disk: %v", id, err)
		}
	}
	_ = s.Close() // flushing may fail on the full disk; it must not panic
	index := filepath.Join(dir, "index.bleve")
	before := dirListing(t, index)

	// Reopened on the full disk, the archive is readable and its index is
	// still there: no rebuild starts without room.
	s, err = bleve.OpenWith(ctx, dir, bleve.Options{MinFree: -1})
	if err != nil {
		t.Fatalf("Open on the full disk: %v", err)
	}
	for _, id := range stored {
		if _, err := s.Get(ctx, id); err != nil {
			t.Errorf("Get(%s) after reopening on the full disk: %v", id, err)
		}
	}
	if len(scanAll(t, s)) == 0 {
		t.Errorf("Scan after reopening on the full disk finds nothing")
	}
	t.Logf("notes: %q", s.Notes())
	mustClose(t, s)
	if len(dirListing(t, index)) == 0 || len(before) == 0 {
		t.Fatalf("the index is gone")
	}

	// With room again, the index catches up with every record.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir)
	seen := map[string]bool{}
	for _, a := range scanAll(t, s) {
		seen[a.ID] = true
	}
	for _, id := range stored {
		if !seen[id] {
			t.Errorf("%s stored before the disk filled, missing from Scan after it was freed", id)
		}
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("left beside the index: %v", left)
	}
}

// TestDiskFullKeepsMinFree checks that Put refuses, before writing, a
// write that would leave less than MinFree free, and that the archive
// stays whole and usable.
func TestDiskFullKeepsMinFree(t *testing.T) {
	mnt := storetest.MountTmpfs(t, "16m")
	dir := filepath.Join(mnt, "archive")
	ctx := t.Context()
	const minFree = 4 << 20
	s, err := bleve.OpenWith(ctx, dir, bleve.Options{MinFree: minFree})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.FillDisk(t, mnt, minFree+400<<10)
	var putErr error
	n := 0
	for ; n < 500 && putErr == nil; n++ {
		_, putErr = s.Put(ctx, bigArticle(n))
	}
	var dfe *store.DiskFullError
	if !errors.As(putErr, &dfe) || dfe.Err != nil || dfe.Keep != minFree || dfe.Dir != dir {
		t.Fatalf("Put below MinFree: %v (%+v); want a DiskFullError refusing the write", putErr, dfe)
	}
	if !strings.Contains(putErr.Error(), "disk full: "+dir) || !strings.Contains(putErr.Error(), "needed") {
		t.Errorf("message %q does not name the directory and the space needed", putErr)
	}
	if n < 2 {
		t.Errorf("no article stored before the refusal")
	}
	if got := len(scanAll(t, s)); got != n-1 {
		t.Errorf("Scan finds %d articles, want the %d stored", got, n-1)
	}
	mustClose(t, s)
	s = mustOpen(t, dir)
	if notes := s.Notes(); len(notes) > 0 {
		t.Errorf("a refused write left the archive needing repair: %q", notes)
	}
}
