package gctarget

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestSet checks that Set sets Percent and restores the old target, and
// leaves a GOGC of the environment alone.
func TestSet(t *testing.T) {
	t.Setenv("GOGC", "")
	// An empty GOGC is still set: the environment decides.
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	restore := Set()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, the target became %d", got)
	}
	restore()

	t.Setenv("GOGC", "")
	unsetenv(t, "GOGC")
	restore = Set()
	if got := debug.SetGCPercent(Percent); got != Percent {
		t.Errorf("target %d after Set, want %d", got, Percent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("target %d after restore, want 100", got)
	}
}

// unsetenv removes key from the environment for the rest of the test
// (a t.Setenv before it restores the old value at the end).
func unsetenv(t *testing.T, key string) {
	t.Helper()
	if err := os.Unsetenv(key); err != nil {
		t.Fatal(err)
	}
}
