package main

import (
	"context"
	"errors"
	"fmt"

	"newsarc/crawler"
	"newsarc/store"
)

// diskGuard stops a crawl when the archive's disk is full. The store and
// the WARC writer refuse a write that would leave less than
// store.DefaultMinFree free; the crawler would only count such a page as
// failed and go on to the next, so the guard, which sees every write's
// error, cancels the crawl at the first store.ErrDiskFull. The pages in
// flight finish (their writes are refused too), the run is recorded, and
// the crawl ends with the error, which names the directory and the space
// needed.
type diskGuard struct {
	data   string
	cancel context.CancelCauseFunc
}

// stopOnDiskFull returns a context that a full disk under data cancels,
// and the guard that watches for one.
func stopOnDiskFull(ctx context.Context, data string) (context.Context, *diskGuard) {
	ctx, cancel := context.WithCancelCause(ctx)
	return ctx, &diskGuard{data: data, cancel: cancel}
}

// watch cancels the crawl when err says the disk is full, and returns err.
func (g *diskGuard) watch(err error) error {
	if errors.Is(err, store.ErrDiskFull) {
		g.cancel(fmt.Errorf("crawl stopped: the disk of data directory %s is full (free some space, then run the same command again to resume): %w", g.data, err))
	}
	return err
}

// cause returns why ctx was cancelled when it was for a full disk, and err
// otherwise.
func (g *diskGuard) cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); errors.Is(c, store.ErrDiskFull) {
		return c
	}
	return err
}

// archive returns st with its writes watched.
func (g *diskGuard) archive(st crawler.Archive) crawler.Archive { return guardedArchive{st, g} }

// recorder returns r with its writes watched.
func (g *diskGuard) recorder(r crawler.Recorder) crawler.Recorder { return guardedRecorder{r, g} }

type guardedArchive struct {
	crawler.Archive
	g *diskGuard
}

func (a guardedArchive) Put(ctx context.Context, articles ...*store.Article) ([]store.Change, error) {
	changes, err := a.Archive.Put(ctx, articles...)
	return changes, a.g.watch(err)
}

type guardedRecorder struct {
	r crawler.Recorder
	g *diskGuard
}

func (r guardedRecorder) Record(ctx context.Context, ex *crawler.Exchange) (store.Capture, error) {
	c, err := r.r.Record(ctx, ex)
	return c, r.g.watch(err)
}
