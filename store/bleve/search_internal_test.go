package bleve

import (
	"context"
	"errors"
	"testing"

	"newsarc/store"
	"newsarc/store/storetest"
)

// TestConformanceSmallPages runs the suite with Scan pages of seven hits,
// so that page boundaries fall between articles published at the same
// time and between undated ones.
func TestConformanceSmallPages(t *testing.T) {
	defer func(n int) { scanPage = n }(scanPage)
	scanPage = 7
	storetest.Run(t, func(t testing.TB) store.Store {
		s, err := Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}
