package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
)

// The layout of a bbolt database file (go.etcd.io/bbolt, format version
// 2): two meta pages, at page 0 and page 1, each a 16-byte page header and
// then the meta fields in the machine's byte order.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	boltPageHeader  = 16
	boltMetaSumFrom = boltPageHeader      // the checksum covers the meta fields...
	boltMetaSumTo   = boltPageHeader + 56 // ...up to the checksum itself
	boltMetaSize    = boltMetaSumTo + 8
)

// CheckBoltFile checks the file of a bbolt database (the archive's
// articles.db, a site's crawl-state file) before it is opened, and returns an
// error wrapping ErrCorrupt when opening it would crash the process or
// silently start an empty database: a file cut short (bbolt maps the file
// into memory, and reading a page past its end kills the process with
// SIGBUS), an empty file (bbolt would initialise it as a new database), or
// no valid meta page. A file that does not exist passes (it will be
// created). The check reads the two meta pages only; damage inside other
// pages is found by bbolt's own consistency check (Tx.Check) or on read.
func CheckBoltFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: check %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: check %s: %w", path, err)
	}
	size := fi.Size()
	if size == 0 {
		return fmt.Errorf("%w: %s is empty (0 bytes): the database lost its contents", ErrCorrupt, path)
	}
	m0, err0 := readBoltMeta(f, 0)
	pageSize := int64(m0.pageSize)
	var candidates []int64
	if err0 == nil {
		candidates = []int64{pageSize}
	} else {
		// The first meta page is damaged: find the second one where the
		// usual page sizes would put it.
		candidates = []int64{4096, 8192, 16384, 32768, 65536}
	}
	var m1 boltMeta
	err1 := errors.New("no second meta page")
	for _, ps := range candidates {
		if m1, err1 = readBoltMeta(f, ps); err1 == nil && int64(m1.pageSize) == ps {
			break
		}
		if err1 == nil {
			err1 = fmt.Errorf("page size %d at offset %d", m1.pageSize, ps)
		}
	}
	var m boltMeta
	switch {
	case err0 == nil && err1 == nil:
		// bbolt uses the meta page of the later transaction.
		m = m0
		if m1.txid > m0.txid {
			m = m1
		}
	case err0 == nil:
		m = m0
	case err1 == nil:
		m = m1
	default:
		return fmt.Errorf("%w: %s (%d bytes) is not a readable bbolt database: meta page 0: %v; meta page 1: %v",
			ErrCorrupt, path, size, err0, err1)
	}
	need := int64(m.pgid) * int64(m.pageSize)
	if size < need {
		return fmt.Errorf("%w: %s is cut short: %d bytes, but its pages reach %d (%d of %d pages missing)",
			ErrCorrupt, path, size, need, (need-size+int64(m.pageSize)-1)/int64(m.pageSize), m.pgid)
	}
	return nil
}

// boltMeta is what CheckBoltFile needs of a meta page.
type boltMeta struct {
	pageSize uint32
	pgid     uint64 // the high-water mark: pages below it are in use
	txid     uint64
}

// readBoltMeta reads and validates the meta page at off.
func readBoltMeta(r io.ReaderAt, off int64) (boltMeta, error) {
	buf := make([]byte, boltMetaSize)
	if _, err := r.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			return boltMeta{}, fmt.Errorf("file ends before offset %d", off+boltMetaSize)
		}
		return boltMeta{}, err
	}
	ne := binary.NativeEndian
	if ne.Uint32(buf[16:]) != boltMagic {
		return boltMeta{}, errors.New("no bbolt magic number")
	}
	if v := ne.Uint32(buf[20:]); v != boltVersion {
		return boltMeta{}, fmt.Errorf("format version %d, want %d", v, boltVersion)
	}
	h := fnv.New64a()
	h.Write(buf[boltMetaSumFrom:boltMetaSumTo])
	if h.Sum64() != ne.Uint64(buf[boltMetaSumTo:]) {
		return boltMeta{}, errors.New("checksum mismatch")
	}
	m := boltMeta{pageSize: ne.Uint32(buf[24:]), pgid: ne.Uint64(buf[56:]), txid: ne.Uint64(buf[64:])}
	if m.pageSize < 512 || m.pageSize&(m.pageSize-1) != 0 {
		return boltMeta{}, fmt.Errorf("page size %d", m.pageSize)
	}
	return m, nil
}
