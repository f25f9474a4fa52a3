package bleve

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsarc/store"
)

// The near-duplicate table. Linking (store.Link, before each Put of a
// crawl) needs of each archived article only its SimHash, group, original
// and publish date. The records bucket keeps them inside each article's
// JSON, body and all; the links bucket keeps them alone, written in the
// same transaction as the record, and Open loads the SimHashes into an
// in-memory band index (linkIndex). NearLinks and LinkRecord answer from
// these two and never decode a record nor touch the search index.
var (
	bucketLinks  = []byte("links")     // ID -> encodeLink of the current record
	metaLinksGen = []byte("links_gen") // the records' generation (metaGen) when the links bucket was last written
)

// linkFormat is the first byte of every links entry.
const linkFormat = 1

// Flags of a links entry.
const (
	linkHasHash = 1 << iota
	linkHasDate
)

// encodeLink encodes a link record as a links entry: format, flags,
// SimHash (8 bytes), publish date (seconds and nanoseconds, 12 bytes),
// then Cluster and DuplicateOf, each as a uvarint length and its bytes.
func encodeLink(r store.LinkRecord) []byte {
	b := make([]byte, 0, 22+2+len(r.Cluster)+len(r.DuplicateOf))
	var flags byte
	if r.HasSimHash {
		flags |= linkHasHash
	}
	if !r.Published.IsZero() {
		flags |= linkHasDate
	}
	b = append(b, linkFormat, flags)
	b = binary.BigEndian.AppendUint64(b, r.SimHash)
	var sec int64
	var nsec uint32
	if !r.Published.IsZero() {
		sec, nsec = r.Published.Unix(), uint32(r.Published.Nanosecond())
	}
	b = binary.BigEndian.AppendUint64(b, uint64(sec))
	b = binary.BigEndian.AppendUint32(b, nsec)
	b = binary.AppendUvarint(b, uint64(len(r.Cluster)))
	b = append(b, r.Cluster...)
	b = binary.AppendUvarint(b, uint64(len(r.DuplicateOf)))
	b = append(b, r.DuplicateOf...)
	return b
}

// errBadLink is wrapped by the error of a links entry that does not decode.
var errBadLink = errors.New("not a near-duplicate table entry")

// decodeLink decodes a links entry of the article id.
func decodeLink(id string, v []byte) (store.LinkRecord, error) {
	r := store.LinkRecord{ID: id}
	if len(v) < 22 || v[0] != linkFormat || v[1]&^(linkHasHash|linkHasDate) != 0 {
		return r, fmt.Errorf("%w: %d bytes", errBadLink, len(v))
	}
	flags := v[1]
	r.SimHash, r.HasSimHash = binary.BigEndian.Uint64(v[2:]), flags&linkHasHash != 0
	if !r.HasSimHash {
		r.SimHash = 0
	}
	if flags&linkHasDate != 0 {
		r.Published = time.Unix(int64(binary.BigEndian.Uint64(v[10:])), int64(binary.BigEndian.Uint32(v[18:]))).UTC()
	}
	rest := v[22:]
	for _, dst := range []*string{&r.Cluster, &r.DuplicateOf} {
		n, k := binary.Uvarint(rest)
		if k <= 0 || uint64(len(rest)-k) < n {
			return r, fmt.Errorf("%w: cut short", errBadLink)
		}
		*dst = string(rest[k : k+int(n)])
		rest = rest[k+int(n):]
	}
	if len(rest) != 0 {
		return r, fmt.Errorf("%w: %d bytes too many", errBadLink, len(rest))
	}
	return r, nil
}

// sameLink reports whether two link records say the same; dates compare
// as instants.
func sameLink(a, b store.LinkRecord) bool {
	return a.ID == b.ID && a.HasSimHash == b.HasSimHash && a.SimHash == b.SimHash &&
		a.Cluster == b.Cluster && a.DuplicateOf == b.DuplicateOf && a.Published.Equal(b.Published)
}

// linkFields are the fields of a record's JSON the table is made of:
// decoding only them skips building the body's strings.
type linkFields struct {
	ID          string    `json:"id"`
	SimHash     string    `json:"simhash"`
	Cluster     string    `json:"cluster"`
	DuplicateOf string    `json:"duplicate_of"`
	Published   time.Time `json:"published_at"`
}

// linkOfRecord returns the link record of a stored record's JSON.
func linkOfRecord(id string, v []byte) (store.LinkRecord, error) {
	var f linkFields
	if err := json.Unmarshal(v, &f); err != nil {
		return store.LinkRecord{}, fmt.Errorf("%w: %s: %v", store.ErrCorrupt, store.DamageUnreadable, err)
	}
	return store.LinkOf(&store.Article{ID: id, SimHash: f.SimHash, Cluster: f.Cluster, DuplicateOf: f.DuplicateOf, Published: f.Published}), nil
}

// linkIndex is the in-memory band index over the SimHashes of the
// articles that have one: per band (store.SimHashBandValues), band value
// to the slots of the articles with that value. A slot holds an article's
// ID and SimHash; about 100 bytes an article.
type linkIndex struct {
	mu    sync.RWMutex
	slot  map[string]int32
	ids   []string
	hash  []uint64
	free  []int32
	bands [store.SimHashBandCount][][]int32
}

func newLinkIndex() *linkIndex {
	x := &linkIndex{slot: map[string]int32{}}
	for i := range x.bands {
		x.bands[i] = make([][]int32, 1<<store.SimHashBandBits(i))
	}
	return x
}

// set makes the index hold r: its SimHash in its bands, or nothing when it
// has none. The caller holds mu.
func (x *linkIndex) set(r store.LinkRecord) {
	sl, ok := x.slot[r.ID]
	if ok {
		if r.HasSimHash && x.hash[sl] == r.SimHash {
			return
		}
		for i, v := range store.SimHashBandValues(x.hash[sl]) {
			list := x.bands[i][v]
			for j, o := range list {
				if o == sl {
					list[j] = list[len(list)-1]
					x.bands[i][v] = list[:len(list)-1]
					break
				}
			}
		}
		if !r.HasSimHash {
			delete(x.slot, r.ID)
			x.ids[sl], x.hash[sl] = "", 0
			x.free = append(x.free, sl)
			return
		}
	}
	if !r.HasSimHash {
		return
	}
	if !ok {
		if n := len(x.free); n > 0 {
			sl, x.free = x.free[n-1], x.free[:n-1]
			x.ids[sl] = r.ID
		} else {
			sl = int32(len(x.ids))
			x.ids, x.hash = append(x.ids, r.ID), append(x.hash, 0)
		}
		x.slot[r.ID] = sl
	}
	x.hash[sl] = r.SimHash
	for i, v := range store.SimHashBandValues(r.SimHash) {
		x.bands[i][v] = append(x.bands[i][v], sl)
	}
}

// near returns the IDs and SimHashes of the articles within maxDistance
// bits of h that share a band with it, and how many articles sharing a
// band it looked at.
func (x *linkIndex) near(h uint64, maxDistance int) (ids []string, hashes []uint64, candidates int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	want := store.SimHashBandValues(h)
	for i, v := range want {
		for _, sl := range x.bands[i][v] {
			c := x.hash[sl]
			cv := store.SimHashBandValues(c)
			seen := false
			for j := range i {
				if cv[j] == want[j] {
					seen = true // met in band j already
					break
				}
			}
			if seen {
				continue
			}
			candidates++
			if store.Hamming(h, c) <= maxDistance {
				ids, hashes = append(ids, x.ids[sl]), append(hashes, c)
			}
		}
	}
	return ids, hashes, candidates
}

// LinkRecord returns the link record of the article id from the
// near-duplicate table, or an error wrapping store.ErrNotFound.
func (s *Store) LinkRecord(ctx context.Context, id string) (store.LinkRecord, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return store.LinkRecord{}, fmt.Errorf("bleve: link record of %s: %w", id, err)
	}
	defer release()
	var r store.LinkRecord
	found := false
	err = s.view(func(tx *bolt.Tx) error {
		var err error
		r, found, err = s.readLink(tx, id)
		return err
	})
	if err != nil {
		return store.LinkRecord{}, fmt.Errorf("bleve: link record of %s: %w", id, err)
	}
	if !found {
		return store.LinkRecord{}, fmt.Errorf("bleve: link record of %s: %w", id, store.ErrNotFound)
	}
	return r, nil
}

// readLink reads the link record of id: from the table, or from the
// record when the table could not be written (see buildLinks).
func (s *Store) readLink(tx *bolt.Tx, id string) (store.LinkRecord, bool, error) {
	if b := tx.Bucket(bucketLinks); b != nil && !s.linksStale {
		v := b.Get([]byte(id))
		if v == nil {
			return store.LinkRecord{}, false, nil
		}
		r, err := decodeLink(id, v)
		if err != nil {
			return r, false, fmt.Errorf("%w: near-duplicate table: %s: %w", store.ErrCorrupt, id, err)
		}
		return r, true, nil
	}
	v := tx.Bucket(bucketArticles).Get([]byte(id))
	if v == nil {
		return store.LinkRecord{}, false, nil
	}
	r, err := linkOfRecord(id, v)
	return r, err == nil, err
}

// NearLinks returns the link records of the articles whose SimHash is
// within maxDistance bits of hash, nearest first, then by ID (at most
// store.NearLinksLimit). Every article sharing a SimHash band with hash is
// compared, with no cut; the comparisons are on the in-memory band index,
// and only the matches' entries are read from the near-duplicate table.
// It works while the search index is unusable.
func (s *Store) NearLinks(ctx context.Context, hash uint64, maxDistance int) ([]store.LinkRecord, error) {
	recs, _, err := s.nearLinks(ctx, hash, maxDistance)
	return recs, err
}

// nearLinks is NearLinks, also saying how many articles sharing a band it
// compared.
func (s *Store) nearLinks(ctx context.Context, hash uint64, maxDistance int) ([]store.LinkRecord, int, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("bleve: near links of %016x: %w", hash, err)
	}
	defer release()
	ids, _, candidates := s.links.near(hash, maxDistance)
	if len(ids) == 0 {
		return nil, candidates, nil
	}
	recs := make([]store.LinkRecord, 0, len(ids))
	err = s.view(func(tx *bolt.Tx) error {
		for _, id := range ids {
			r, found, err := s.readLink(tx, id)
			if err != nil {
				return err
			}
			if found { // else gone since: a Put is under way
				recs = append(recs, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, candidates, fmt.Errorf("bleve: near links of %016x: %w", hash, err)
	}
	return store.NearestLinks(hash, maxDistance, store.NearLinksLimit, recs), candidates, nil
}

// putLinks writes the table entries of the records a Put wrote, in its
// transaction, skipping those unchanged, and returns the records written.
// Without a table (one that could not be built) it writes nothing.
func (s *Store) putLinks(tx *bolt.Tx, recs map[string]store.LinkRecord) error {
	b := tx.Bucket(bucketLinks)
	if b == nil || s.linksStale {
		return nil
	}
	for id, r := range recs {
		v := encodeLink(r)
		if bytes.Equal(b.Get([]byte(id)), v) {
			continue
		}
		if err := b.Put([]byte(id), v); err != nil {
			return fmt.Errorf("write near-duplicate table entry of %s: %w", id, err)
		}
	}
	return nil
}

// setLinks updates the in-memory band index after a Put committed.
func (s *Store) setLinks(recs map[string]store.LinkRecord) {
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	for _, r := range recs {
		s.links.set(r)
	}
}

// openLinks loads the near-duplicate table into the in-memory band index,
// or, when the table is missing, damaged, behind the records (written by
// a newsarc that kept none) or force is set, builds it from the records
// first. A build that cannot write (a full disk) leaves the table aside:
// the band index is then made from the records, lookups read the records
// (slower, but right), and the next Open tries again.
func (s *Store) openLinks(force bool) error {
	s.links = newLinkIndex()
	var why string
	var count int
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLinks)
		meta := tx.Bucket(bucketMeta)
		switch {
		case force:
			why = "rebuild asked for"
			return nil
		case b == nil:
			why = "missing"
			return nil
		case meta.Get(metaLinksGen) == nil || decodeGen(meta.Get(metaLinksGen)) != decodeGen(meta.Get(metaGen)):
			why = fmt.Sprintf("behind the records (generation %d, the records at %d)",
				decodeGen(meta.Get(metaLinksGen)), decodeGen(meta.Get(metaGen)))
			return nil
		}
		err := b.ForEach(func(k, v []byte) error {
			r, err := decodeLink(string(k), v)
			if err != nil {
				return fmt.Errorf("entry %s: %w", k, err)
			}
			count++
			s.links.set(r)
			return nil
		})
		if err != nil {
			why = fmt.Sprintf("damaged (%v)", err)
			return nil
		}
		if n := tx.Bucket(bucketArticles).Stats().KeyN; n != count {
			why = fmt.Sprintf("%d entries for %d records", count, n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read near-duplicate table: %w", err)
	}
	if why == "" {
		return nil
	}
	s.links = newLinkIndex()
	return s.buildLinks(why)
}

// buildLinks rebuilds the near-duplicate table and the band index from
// the records, in one transaction, and logs why.
func (s *Store) buildLinks(why string) error {
	start := time.Now()
	recs := map[string]store.LinkRecord{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			r, err := linkOfRecord(string(k), v)
			if err != nil {
				return nil // an unreadable record links as nothing; check reports it
			}
			recs[string(k)] = r
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("build near-duplicate table: %w", err)
	}
	for _, r := range recs {
		s.links.set(r)
	}
	err = s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketLinks) != nil {
			if err := tx.DeleteBucket(bucketLinks); err != nil {
				return err
			}
		}
		b, err := tx.CreateBucket(bucketLinks)
		if err != nil {
			return err
		}
		b.FillPercent = 0.9 // written in key order
		for _, id := range slices.Sorted(maps.Keys(recs)) {
			if err := b.Put([]byte(id), encodeLink(recs[id])); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		return meta.Put(metaLinksGen, encodeGen(decodeGen(meta.Get(metaGen))))
	})
	if err != nil {
		s.linksStale = true
		s.note("near-duplicate table not written: linking reads the records until the next open", "dir", s.dir,
			"reason", why, "err", err)
		return nil
	}
	if why == "missing" && len(recs) == 0 {
		return nil // a new archive
	}
	s.note("near-duplicate table built from the records", "dir", s.dir, "count", len(recs),
		"reason", why, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// checkLinkEntry checks the table entry of the record id, read as a.
func checkLinkEntry(links *bolt.Bucket, id string, a *store.Article, r *Report) {
	v := links.Get([]byte(id))
	if v == nil {
		r.add(PartLinks, id, "record not in the near-duplicate table: linking misses it")
		return
	}
	got, err := decodeLink(id, v)
	if err != nil {
		r.add(PartLinks, id, "%v", err)
		return
	}
	if want := store.LinkOf(a); !sameLink(got, want) {
		r.add(PartLinks, id, "the table says simhash %016x (%t) cluster %q duplicate_of %q published %s; the record %016x (%t) %q %q %s",
			got.SimHash, got.HasSimHash, got.Cluster, got.DuplicateOf, got.Published.Format(time.RFC3339),
			want.SimHash, want.HasSimHash, want.Cluster, want.DuplicateOf, want.Published.Format(time.RFC3339))
	}
}

// checkLinkExtras reports table entries that no record has.
func checkLinkExtras(ctx context.Context, links *bolt.Bucket, ids map[string]bool, r *Report) error {
	return links.ForEach(func(k, _ []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !ids[string(k)] {
			r.add(PartLinks, string(k), "in the near-duplicate table, but no record has this ID")
		}
		return nil
	})
}

// checkLinkIndex checks the in-memory band index of an open store against
// its table.
func (s *Store) checkLinkIndex(r *Report) {
	if s.linksStale {
		r.add(PartLinks, "", "could not be written when the archive was opened; the next open builds it")
		return
	}
	want := map[string]uint64{}
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLinks)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if l, err := decodeLink(string(k), v); err == nil && l.HasSimHash {
				want[l.ID] = l.SimHash
			}
			return nil
		})
	})
	if err != nil {
		r.add(PartLinks, "", "%v", err)
		return
	}
	s.links.mu.RLock()
	defer s.links.mu.RUnlock()
	for id, h := range want {
		if sl, ok := s.links.slot[id]; !ok || s.links.hash[sl] != h {
			r.add(PartLinks, id, "the in-memory band index lacks its SimHash %016x", h)
		}
	}
	for id := range s.links.slot {
		if _, ok := want[id]; !ok {
			r.add(PartLinks, id, "in the in-memory band index, not in the table")
		}
	}
}
