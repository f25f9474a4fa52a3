//go:build !(linux || darwin || freebsd)

package store

import "errors"

// freeSpace cannot measure free space on this system; CheckSpace then
// lets every write through, and a full disk is found by the failed write.
func freeSpace(string) (int64, error) {
	return -1, errors.ErrUnsupported
}
