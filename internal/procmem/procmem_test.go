package procmem

import (
	"os"
	"testing"
)

// TestRead: on Linux the three figures are read, and grow as the process
// touches memory of its own.
func TestRead(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc/self/status")
	}
	before, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	if before.Total <= 0 || before.Anon <= 0 || before.Anon > before.Total {
		t.Fatalf("resident set %+v", before)
	}
	b := make([]byte, 64<<20)
	for i := range b {
		b[i] = 1
	}
	after, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	if after.Anon-before.Anon < 32<<20 {
		t.Errorf("64 MB touched, anonymous resident set grew by %d bytes", after.Anon-before.Anon)
	}
	_ = b[len(b)-1]
}
