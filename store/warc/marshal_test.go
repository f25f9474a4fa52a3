package warc

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"
)

// TestMarshalAsGowarc: marshal writes the bytes gowarc's Marshaler writes,
// for the records the Writer makes (response, request, warcinfo), with
// blocks smaller and larger than the copy buffer.
func TestMarshalAsGowarc(t *testing.T) {
	w := newWriter(t, Config{})
	for _, size := range []int{0, 1, 1000, 32 << 10, 100_000} {
		ex := &Exchange{
			URL: "https://news.example/a/?q=1", StatusCode: 200,
			ResponseHeader: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			Body:           []byte(strings.Repeat("<p>经济 news</p>", size/17+1)[:size]),
			IP:             "192.0.2.7", Date: time.Date(2025, 2, 18, 5, 44, 0, 0, time.UTC),
		}
		f, err := prepare(ex)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := w.build(gowarc.Response, f, nil, responseBlock(f, ex.Body))
		if err != nil {
			t.Fatal(err)
		}
		req, err := w.build(gowarc.Request, f, nil, requestBlock(f))
		if err != nil {
			t.Fatal(err)
		}
		rb := newBuilder(gowarc.Warcinfo, w.opts...)
		rb.AddWarcHeaderTime(gowarc.WarcDate, ex.Date)
		rb.AddWarcHeader(gowarc.ContentType, gowarc.ApplicationWarcFields)
		rb.WriteString("software: newsarc\r\n")
		info, _, err := rb.Build()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range []gowarc.WarcRecord{resp, req, info} {
			var want, got bytes.Buffer
			if _, _, err := gowarc.NewMarshaler().Marshal(&want, rec, 0); err != nil {
				t.Fatal(err)
			}
			if err := marshal(&got, rec, make([]byte, 4096)); err != nil {
				t.Fatal(err)
			}
			if rec.Type() == gowarc.Response && want.Len() < size {
				t.Fatalf("%s record of a %d-byte body: gowarc wrote %d bytes", rec.Type(), size, want.Len())
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%s record of a %d-byte body: marshal wrote %d bytes unlike gowarc's %d:\n%.300q\n%.300q",
					rec.Type(), size, got.Len(), want.Len(), got.Bytes(), want.Bytes())
			}
			rec.Close()
		}
	}
}
