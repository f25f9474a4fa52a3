// Package gctarget sets the garbage collector's target of newsarc's
// processes.
//
// A crawl allocates at a high rate (parsed pages, extracted text, index
// batches) while its live heap stays small, so with Go's default target
// (GOGC=100: collect when the heap has grown by its live size) the
// collector ran about as often as the pages were written and took a tenth
// of a crawl's CPU. Percent lets the heap grow by twice its live size
// between collections instead: half as many collections, for a peak heap
// of about three times the live heap rather than two (docs/BENCHMARKS.md,
// "A crawl's CPU without the stemmed copies"). GOGC in the environment
// still decides when it is set, and GOMEMLIMIT still caps the heap.
package gctarget

import (
	"os"
	"runtime/debug"
)

// Percent is the collector's target for newsarc's processes, as GOGC.
const Percent = 200

// Set sets the collector's target to Percent unless the environment sets
// GOGC, and returns a function that restores the previous target.
func Set() (restore func()) {
	if _, ok := os.LookupEnv("GOGC"); ok {
		return func() {}
	}
	old := debug.SetGCPercent(Percent)
	return func() { debug.SetGCPercent(old) }
}
