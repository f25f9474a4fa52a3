// Package procmem reads this process's resident memory from
// /proc/self/status (Linux), for the memory benchmarks.
package procmem

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Resident is the process's resident set, in bytes: all of it (VmRSS),
// its own memory (RssAnon) and the file pages it maps (RssFile; bbolt
// maps its files, and the kernel may drop those pages at will).
type Resident struct {
	Total, Anon, File int64
}

// Read returns the process's resident set.
func Read() (Resident, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return Resident{}, fmt.Errorf("procmem: %w", err)
	}
	var r Resident
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			r.Total = kb << 10
		case "RssAnon:":
			r.Anon = kb << 10
		case "RssFile:":
			r.File = kb << 10
		}
	}
	return r, nil
}
