package warc

import (
	"crypto/rand"
	"fmt"
	"io"
	"sync"

	gowarc "github.com/nlnwa/gowarc/v3"
)

// This file is the seam to github.com/nlnwa/gowarc/v3.
//
// gowarc v3.1.0 calls uuid.EnableRandPool, which writes a global of
// github.com/google/uuid without synchronisation, each time it makes its
// options: in NewRecordBuilder, NewUnmarshaler and NewWarcFileReader. The
// constructors below take optionsMu around those calls, and records get
// IDs from newRecordID instead of google/uuid (whose generator reads that
// global), so that concurrent writes and reads are race-free.
var optionsMu sync.Mutex

// recordOptions are the options records are written with: IDs from
// newRecordID, sha1 base32 digests added by the library, and validation
// failures as errors, so that nothing malformed is written.
func recordOptions() []gowarc.WarcRecordOption {
	return []gowarc.WarcRecordOption{
		gowarc.WithVersion(gowarc.V1_1),
		gowarc.WithRecordIdFunc(newRecordID),
		gowarc.WithDefaultDigestAlgorithm("sha1"),
		gowarc.WithDefaultDigestEncoding(gowarc.Base32),
		gowarc.WithAddMissingDigest(true),
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrFail),
		gowarc.WithSpecViolationPolicy(gowarc.ErrFail),
	}
}

// newRecordID returns a random (version 4) UUID URN, "urn:uuid:…".
func newRecordID() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", err
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}

func newBuilder(t gowarc.RecordType, opts ...gowarc.WarcRecordOption) gowarc.WarcRecordBuilder {
	optionsMu.Lock()
	defer optionsMu.Unlock()
	return gowarc.NewRecordBuilder(t, opts...)
}

func newUnmarshaler(opts ...gowarc.WarcRecordOption) gowarc.Unmarshaler {
	optionsMu.Lock()
	defer optionsMu.Unlock()
	return gowarc.NewUnmarshaler(opts...)
}

func newFileReader(path string, opts ...gowarc.WarcRecordOption) (*gowarc.WarcFileReader, error) {
	optionsMu.Lock()
	defer optionsMu.Unlock()
	return gowarc.NewWarcFileReader(path, 0, opts...)
}

func newStreamReader(r io.Reader, offset int64, opts ...gowarc.WarcRecordOption) (*gowarc.WarcFileReader, error) {
	optionsMu.Lock()
	defer optionsMu.Unlock()
	return gowarc.NewWarcFileReaderFromStream(r, offset, opts...)
}
