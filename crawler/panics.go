package crawler

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// ErrPanic is wrapped by the error of a page step that panicked (the
// extractor, link discovery, feed parsing, archiving, ...). The panic was
// recovered: the crawl goes on, the page is counted under the error kind
// "panic", logged with its stack, and rests (see PageState.Panics).
var ErrPanic = errors.New("crawler: panic")

// panicError is a recovered panic and where it happened.
type panicError struct {
	step  string
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("%s panicked: %v", e.step, e.value) }

func (e *panicError) Unwrap() error { return ErrPanic }

// guard runs f and returns its error, or a *panicError when f panics.
func guard(step string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{step: step, value: v, stack: debug.Stack()}
		}
	}()
	return f()
}

// recoverPage is deferred by every colly callback: a panic in a page's
// step that nothing closer recovered ends there, is counted and logged,
// and the page (fetched URL u) rests. The crawl goes on.
func (r *run) recoverPage(step, u string) {
	v := recover()
	if v == nil {
		return
	}
	r.panicked(u, &panicError{step: step, value: v, stack: debug.Stack()})
}

// reportPanic counts and logs a recovered panic.
func (r *run) reportPanic(u string, pe *panicError) {
	r.failed("panic")
	r.log.Error("page step panicked", "url", u, "step", pe.step, "err", fmt.Sprint(pe.value), "stack", string(pe.stack))
}

// panicked counts, logs and records a page whose step panicked.
func (r *run) panicked(u string, pe *panicError) {
	r.reportPanic(u, pe)
	canon := u
	if c, err := canonicalURL(u, nil); err == nil {
		canon = c.String()
	}
	r.recordPage(u, canon, r.panicState(u))
}

// panicState is the state of a page whose step panicked: what was known
// of it, marked "panic", resting for Revisit[n-1] after its nth panic in
// a row, so that a page that crashes newsarc is retried ever more rarely
// rather than on every run.
func (r *run) panicState(u string) PageState {
	var prev PageState
	var known bool
	// Reading the page's state may be what panicked (a frontier's
	// answer): then the page is recorded as if it had none.
	if err := guard("page state", func() error { prev, known = r.previous(u); return nil }); err != nil {
		r.log.Error("page state unreadable after a panic", "url", u, "err", err)
		prev, known = PageState{}, false
	}
	return r.panicStateAfter(prev, known)
}

// panicStateAfter is panicState for a page whose state before this fetch
// was prev (known: there was one).
func (r *run) panicStateAfter(prev PageState, known bool) PageState {
	if !known {
		prev = PageState{}
	}
	ps := prev
	if prev.Kind != KindPanic {
		ps.Panics = 0
	}
	ps.Kind, ps.Panics, ps.FetchedAt, ps.Run = KindPanic, ps.Panics+1, time.Now().UTC(), r.runID
	ps.NextDue = ps.FetchedAt.Add(r.c.cfg.Revisit[min(ps.Panics, len(r.c.cfg.Revisit))-1])
	return ps
}
