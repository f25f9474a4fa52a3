package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A real database file is damaged and checked in store/bleve's tests,
// which can write one; these cases need no bbolt.
func TestCheckBoltFileNotADatabase(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := CheckBoltFile(filepath.Join(dir, "missing.db")); err != nil {
		t.Errorf("a missing file is created by bbolt: got %v", err)
	}
	for name, b := range map[string][]byte{
		"empty.db":   nil,
		"short.db":   []byte("bolt"),
		"garbage.db": make([]byte, 16384),
	} {
		if err := CheckBoltFile(write(name, b)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}
