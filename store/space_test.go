package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCheckSpace(t *testing.T) {
	dir := t.TempDir()
	free, err := FreeSpace(dir)
	if err != nil {
		t.Skipf("free space cannot be measured here: %v", err)
	}
	if err := CheckSpace(dir, 1, 0); err != nil {
		t.Errorf("CheckSpace(1 byte) with %d free: %v", free, err)
	}
	if err := CheckSpace(dir, free+1<<40, -1); err != nil {
		t.Errorf("a negative minFree turns the check off, got %v", err)
	}
	err = CheckSpace(dir, 1<<10, free)
	if err == nil {
		t.Fatalf("CheckSpace leaving less than minFree: no error")
	}
	var dfe *DiskFullError
	if !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) || !errors.As(err, &dfe) {
		t.Fatalf("err = %v, want a DiskFullError wrapping ErrDiskFull and ENOSPC", err)
	}
	if dfe.Dir != dir || dfe.Need != free+1<<10 || dfe.Keep != free {
		t.Errorf("DiskFullError = %+v", dfe)
	}
	for _, want := range []string{"disk full", dir, "free", "needed", "to keep free"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	// A directory yet to be created is measured on its parent.
	if _, err := FreeSpace(filepath.Join(dir, "not", "yet")); err != nil {
		t.Errorf("FreeSpace of a missing directory: %v", err)
	}
}

func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	write := &os.PathError{Op: "write", Path: filepath.Join(dir, "f"), Err: syscall.ENOSPC}
	tests := []struct {
		name string
		err  error
		full bool
	}{
		{"ENOSPC", write, true},
		{"wrapped ENOSPC", fmt.Errorf("put: %w", write), true},
		{"quota", &os.PathError{Op: "write", Path: "f", Err: syscall.EDQUOT}, true},
		{"formatted with %v", fmt.Errorf("segment persist err: %v", write), true},
		{"other", errors.New("permission denied"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NoSpace(tt.err); got != tt.full {
				t.Fatalf("NoSpace = %v, want %v", got, tt.full)
			}
			err := DiskFull(dir, tt.err)
			if errors.Is(err, ErrDiskFull) != tt.full {
				t.Fatalf("DiskFull(%v) = %v", tt.err, err)
			}
			if tt.full && (!strings.Contains(err.Error(), dir) || !errors.Is(err, syscall.ENOSPC)) {
				t.Errorf("DiskFull = %q: want the directory named and ENOSPC wrapped", err)
			}
			if tt.full && errors.Is(tt.err, syscall.ENOSPC) && !errors.Is(err, tt.err) {
				t.Errorf("DiskFull does not wrap the write's error")
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 8 << 20: "8.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
