package store

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// DefaultMinFree is the space a backend or the WARC writer leaves free on
// the disk of the data directory: a write that would go below it is
// refused with a DiskFullError before any byte is written, so that the
// archive stops whole, with room to close its files and record the run,
// rather than meeting the end of the disk halfway through an index
// segment.
const DefaultMinFree = 8 << 20

// ErrDiskFull is wrapped by the errors of writes refused or failed for
// want of disk space (see DiskFullError). Such errors also satisfy
// errors.Is(err, syscall.ENOSPC).
var ErrDiskFull = errors.New("disk full")

// DiskFullError says which directory ran out of space, how much was free
// and how much the write needed.
type DiskFullError struct {
	Dir  string // the directory written to
	Free int64  // bytes free for unprivileged writers when last measured; -1 when unknown
	Need int64  // bytes the write needed, MinFree included; 0 when unknown
	Keep int64  // of Need, the bytes kept free (MinFree)
	Err  error  // the error of the failed write, or nil when the write was refused before it began
}

func (e *DiskFullError) Error() string {
	var b strings.Builder
	free, need := FormatBytes(e.Free), FormatBytes(e.Need)
	if free == need {
		// Close enough to print alike: say it to the byte.
		free, need = fmt.Sprintf("%d bytes", e.Free), fmt.Sprintf("%d bytes", e.Need)
	}
	fmt.Fprintf(&b, "disk full: %s", e.Dir)
	if e.Free >= 0 {
		fmt.Fprintf(&b, " has %s free", free)
	}
	if e.Need > 0 {
		fmt.Fprintf(&b, ", %s needed", need)
		if e.Keep > 0 {
			fmt.Fprintf(&b, " (%s to keep free)", FormatBytes(e.Keep))
		}
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns ErrDiskFull, syscall.ENOSPC and the failed write's error.
func (e *DiskFullError) Unwrap() []error {
	errs := []error{ErrDiskFull, syscall.ENOSPC}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// NoSpace reports whether err says a disk or quota is full: it wraps
// syscall.ENOSPC or syscall.EDQUOT, or, from libraries that format errors
// with %v, carries their message.
func NoSpace(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrDiskFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, syscall.ENOSPC.Error()) || strings.Contains(msg, syscall.EDQUOT.Error())
}

// DiskFull returns err as a DiskFullError for dir when NoSpace(err), with
// the space free now; any other err is returned as it is.
func DiskFull(dir string, err error) error {
	if !NoSpace(err) {
		return err
	}
	var dfe *DiskFullError
	if errors.As(err, &dfe) {
		return err
	}
	free, ferr := FreeSpace(dir)
	if ferr != nil {
		free = -1
	}
	return &DiskFullError{Dir: dir, Free: free, Err: err}
}

// CheckSpace returns a DiskFullError when writing need bytes to dir would
// leave less than minFree bytes free on its disk. A negative minFree turns
// the check off; so does a system where the free space cannot be
// measured.
func CheckSpace(dir string, need, minFree int64) error {
	if minFree < 0 {
		return nil
	}
	free, err := FreeSpace(dir)
	if err != nil {
		return nil
	}
	if free < need+minFree {
		return &DiskFullError{Dir: dir, Free: free, Need: need + minFree, Keep: minFree}
	}
	return nil
}

// FreeSpace returns the bytes that an unprivileged writer may still write
// to the file system of dir (or of its nearest existing parent).
func FreeSpace(dir string) (int64, error) {
	for {
		free, err := freeSpace(dir)
		if err == nil || !errors.Is(err, syscall.ENOENT) {
			return free, err
		}
		parent := parentDir(dir)
		if parent == dir {
			return free, err
		}
		dir = parent
	}
}

func parentDir(dir string) string {
	dir = strings.TrimRight(dir, `/\`)
	i := strings.LastIndexAny(dir, `/\`)
	switch {
	case i < 0 && dir != "." && dir != "":
		return "."
	case i < 0:
		return dir
	case i == 0:
		return dir[:1]
	}
	return dir[:i]
}

// FormatBytes formats n bytes for people: "512 B", "3.4 KiB", "7.9 MiB".
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
