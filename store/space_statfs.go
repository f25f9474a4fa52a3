//go:build linux || darwin || freebsd

package store

import "syscall"

// freeSpace returns the bytes available to unprivileged writers on the
// file system of dir.
func freeSpace(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
