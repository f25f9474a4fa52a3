package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"newsarc/crawler"
	"newsarc/store"
	"newsarc/store/bleve"
	"newsarc/store/warc"
)

// maxListed is how many problems `newsarc check` lists; the rest are
// counted.
const maxListed = 20

func checkCmd(g *globals) *cobra.Command {
	var repair bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify the archive: records, index, WARC files and capture pointers",
		Long: `Verify the archive under the data directory, without changing it:

  - articles.db is whole (not cut short; bbolt's consistency check passes);
  - every record, earlier version and raw body reads back, and each
    record's text still matches its content_hash;
  - the index files are whole (checksums) and the index holds exactly the
    records' IDs;
  - the near-duplicate table holds each record's SimHash, group, original
    and date;
  - every record of every WARC file reads back, and its WARC-Block-Digest
    and WARC-Payload-Digest match its bytes;
  - each article's capture points at a readable response record of its URL;
  - the crawl state (state/, a file per site) is whole.

It prints counts and the first problems, and exits non-zero when it found
any. With --repair it then rebuilds what the records can give again (the
index, the near-duplicate table) and restores a damaged record's text by extracting its raw capture
again when that gives back exactly the archived text (its content_hash);
what it cannot repair is listed with what to do. Run it when no crawl is
running: it waits a few seconds for the archive, then gives up.`,
		Example: `  newsarc check
  newsarc check --repair`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := g.config()
			if err != nil {
				return err
			}
			log, err := g.logger()
			if err != nil {
				return err
			}
			if err := requireArchive(cfg); err != nil {
				return err
			}
			oc, err := findOwner(ctx, cfg, g.stderr)
			if err != nil {
				return err
			}
			var rep *checkReport
			if oc == nil {
				rep, err = checkArchive(ctx, cfg, nil)
				if errors.Is(err, bleve.ErrInUse) {
					// Opened by another process meanwhile: ask it.
					if oc, _ = findOwner(ctx, cfg, g.stderr); oc == nil {
						return err
					}
				} else if err != nil {
					return err
				}
			}
			if oc != nil {
				if repair {
					return fmt.Errorf("--repair needs the archive to itself: it is held by %s; stop it, then run newsarc check --repair", &oc.rec)
				}
				if rep, err = oc.check(ctx); err != nil {
					return err
				}
			}
			rep.write(g.stdout, cfg.Data)
			if repair && len(rep.problems) > 0 {
				done, err := repairArchive(ctx, cfg, rep, log)
				for _, d := range done {
					fmt.Fprintf(g.stdout, "Repaired: %s\n", d)
				}
				if err != nil {
					return fmt.Errorf("repair: %w", err)
				}
				if rep, err = checkArchive(ctx, cfg, nil); err != nil {
					return err
				}
				fmt.Fprintln(g.stdout, "After repair:")
				rep.write(g.stdout, cfg.Data)
			}
			if n := len(rep.problems); n > 0 {
				return fmt.Errorf("check: %d problems in %s: see the list above", n, cfg.Data)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&repair, "repair", false, "rebuild the index and restore damaged records from their raw captures where possible")
	return cmd
}

// checkProblem is one fault `newsarc check` found.
type checkProblem struct {
	part   string // "database", "record", "version", "raw", "index", "warc", "capture", "state"
	id     string // the article concerned, if any
	detail string
	hint   string // what to do about it, when more than the part says
}

func (p checkProblem) String() string {
	s := p.part
	if p.id != "" {
		s += " " + p.id
	}
	s += ": " + p.detail
	if p.hint != "" {
		s += " (" + p.hint + ")"
	}
	return s
}

// checkReport is what `newsarc check` found.
type checkReport struct {
	archive   *bleve.Report // nil for an Elasticsearch archive
	records   int           // records read from Elasticsearch
	warc      *warc.Report
	captures  int // capture pointers checked
	noCapture int // articles archived without one
	problems  []checkProblem
	// restorable are the damaged records whose raw capture reads back
	// whole: ID to the record as read.
	restorable map[string]*store.Article
}

// hints say what to do about the problems --repair leaves.
var hints = map[string]string{
	bleve.PartDatabase: "articles.db cannot be read as a whole: restore it from a backup; the WARC files keep every response as received",
	bleve.PartRecord:   "crawl its URL again, or restore articles.db from a backup",
	bleve.PartVersion:  "an earlier version is lost unless articles.db is restored from a backup",
	bleve.PartRaw:      "the raw body kept with the record is lost; the WARC files keep their own copy",
	bleve.PartIndex:    "newsarc check --repair rebuilds the index from the records",
	bleve.PartLinks:    "newsarc check --repair rebuilds the near-duplicate table from the records",
	"warc":             "the WARC records at this place are lost; the rest of the file reads",
	"capture":          "the article's raw response cannot be replayed or re-extracted",
	"state":            "the crawl state is damaged: move the file aside (state/SITE.db, or the older state.db); the next crawl of its site starts afresh and the archive is kept",
}

// checkArchive verifies the archive of cfg (see checkCmd). open, when not
// nil, is the archive's store as this process has it open (the owner's):
// it is checked in place rather than opened again.
func checkArchive(ctx context.Context, cfg Config, open store.Store) (*checkReport, error) {
	rep := &checkReport{restorable: map[string]*store.Article{}}
	wdir := warcDir(cfg)
	captured := func(a *store.Article) error {
		if a.Capture.File == "" {
			rep.noCapture++
			return nil
		}
		rep.captures++
		err := warc.CheckCapture(wdir, a.Capture, a.URL)
		if err != nil {
			rep.add("capture", a.ID, err.Error())
		} else if a.Damage != "" {
			rep.restorable[a.ID] = a
		}
		return nil
	}
	switch cfg.Store.Type {
	case "", "bleve":
		var r *bleve.Report
		var err error
		if bs, ok := open.(*bleve.Store); ok {
			r, err = bs.Check(ctx, captured)
		} else {
			r, err = bleve.Check(ctx, filepath.Join(cfg.Data, "archive"), captured)
		}
		if err != nil {
			return nil, heldError(cfg, err)
		}
		rep.archive = r
		for _, p := range r.Problems {
			rep.add(p.Part, p.ID, p.Detail)
		}
	default:
		// Another backend: each record read back, checked and followed to
		// its capture; index agreement is the backend's own business.
		st := open
		if st == nil {
			var err error
			if st, err = openStore(ctx, cfg); err != nil {
				return nil, err
			}
		}
		err := st.Scan(ctx, store.Query{}, func(a *store.Article) error {
			rep.records++
			if !a.MarkDamage() {
				rep.add(bleve.PartRecord, a.ID, a.Damage)
			}
			return captured(a)
		})
		if open == nil {
			if cerr := st.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, fmt.Errorf("check: %w", err)
		}
	}
	for id := range rep.restorable {
		for i := range rep.problems {
			if p := &rep.problems[i]; p.part == bleve.PartRecord && p.id == id {
				p.hint = "its raw capture is intact: --repair restores the text when extracting it again gives back the archived text; else crawl its URL again"
			}
		}
	}

	if w, err := warc.Verify(ctx, wdir); err == nil {
		rep.warc = w
		for _, f := range w.Faults {
			rep.add("warc", "", f.String())
		}
	} else if !errors.Is(err, fs.ErrNotExist) { // no WARC files yet: nothing to check
		return nil, err
	}
	states, _ := crawler.StateFiles(stateDir(cfg))
	if _, err := os.Stat(legacyState(cfg)); err == nil {
		states = append(states, legacyState(cfg))
	}
	for _, f := range states {
		if err := store.CheckBoltFile(f); err != nil {
			rep.add("state", "", filepath.Base(f)+": "+err.Error())
		}
	}
	return rep, ctx.Err()
}

func (r *checkReport) add(part, id, detail string) {
	r.problems = append(r.problems, checkProblem{part: part, id: id, detail: detail, hint: hints[part]})
}

// write prints the report: counts, then the first problems.
func (r *checkReport) write(w io.Writer, data string) {
	fmt.Fprintf(w, "Checked the archive in %s\n", data)
	if a := r.archive; a != nil {
		indexed := "the index cannot be read"
		if a.Indexed >= 0 {
			indexed = fmt.Sprintf("%d in the index", a.Indexed)
		}
		fmt.Fprintf(w, "  records      %d (%d earlier versions, %d raw bodies), %s\n", a.Records, a.Versions, a.Raw, indexed)
	} else {
		fmt.Fprintf(w, "  records      %d\n", r.records)
	}
	if r.warc != nil {
		fmt.Fprintf(w, "  WARC files   %d, %d records\n", r.warc.Files, r.warc.Records)
	} else {
		fmt.Fprintf(w, "  WARC files   none\n")
	}
	fmt.Fprintf(w, "  captures     %d checked, %d articles without one\n", r.captures, r.noCapture)
	if len(r.problems) == 0 {
		fmt.Fprintln(w, "No problems found.")
		return
	}
	byPart := map[string]int{}
	var parts []string
	for _, p := range r.problems {
		if byPart[p.part] == 0 {
			parts = append(parts, p.part)
		}
		byPart[p.part]++
	}
	var counts []string
	for _, p := range parts {
		counts = append(counts, fmt.Sprintf("%s %d", p, byPart[p]))
	}
	noun := "problems"
	if len(r.problems) == 1 {
		noun = "problem"
	}
	fmt.Fprintf(w, "%d %s (%s):\n", len(r.problems), noun, strings.Join(counts, ", "))
	for i, p := range r.problems {
		if i == maxListed {
			fmt.Fprintf(w, "  ... and %d more\n", len(r.problems)-maxListed)
			break
		}
		fmt.Fprintf(w, "  %s\n", p)
	}
}

// repairArchive repairs what rep found that can be repaired: it rebuilds
// the index, and restores the text of damaged records whose raw capture,
// extracted again, gives back exactly the archived text. It returns what
// it did.
func repairArchive(ctx context.Context, cfg Config, rep *checkReport, log *slog.Logger) ([]string, error) {
	if rep.archive == nil {
		return nil, errors.New("--repair works on the embedded archive only")
	}
	var rebuild, rebuildLinks, unreadableDB bool
	for _, p := range rep.problems {
		rebuild = rebuild || p.part == bleve.PartIndex
		rebuildLinks = rebuildLinks || p.part == bleve.PartLinks
		unreadableDB = unreadableDB || p.part == bleve.PartDatabase
	}
	if unreadableDB {
		return nil, errors.New("articles.db is damaged: nothing is rebuilt from it; restore it from a backup")
	}
	if !rebuild && !rebuildLinks && len(rep.restorable) == 0 {
		return nil, nil
	}
	st, err := bleve.OpenWith(ctx, filepath.Join(cfg.Data, "archive"), bleve.Options{Logger: log, Rebuild: rebuild, RebuildLinks: rebuildLinks})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var done []string
	if rebuild {
		done = append(done, "index rebuilt from the records")
	}
	if rebuildLinks {
		done = append(done, "near-duplicate table rebuilt from the records")
	}
	for id, a := range rep.restorable {
		ok, err := restore(ctx, cfg, st, a)
		switch {
		case err != nil:
			log.Warn("restore a damaged record", "id", id, "url", a.URL, "err", err)
		case ok:
			done = append(done, fmt.Sprintf("record %s (%s) restored from its raw capture", id, a.URL))
		}
	}
	return done, st.Close()
}

// restore extracts the raw capture of the damaged record a again and, when
// that gives back the archived text (its content_hash), stores the record
// with that text. It reports whether it did.
func restore(ctx context.Context, cfg Config, st *bleve.Store, a *store.Article) (bool, error) {
	resp, err := warc.Read(warcDir(cfg), a.Capture)
	if err != nil {
		return false, err
	}
	ex, err := extractorFor(crawler.Site{Name: a.Site})
	if err != nil {
		return false, err
	}
	fresh, err := ex.Extract(ctx, a.URL, resp.Header, resp.Body)
	if err != nil {
		return false, err
	}
	if store.HashText(fresh.Text) != a.ContentHash {
		return false, nil // a page merged from several, or extraction has changed since
	}
	fixed := *a
	fixed.Text, fixed.Damage = fresh.Text, ""
	if fresh.HTML != "" {
		fixed.HTML = fresh.HTML
	}
	if _, err := st.Put(ctx, &fixed); err != nil {
		return false, err
	}
	return true, nil
}
