package htmlsafe

import (
	"net/http"
	"strings"
)

// SniffText tells from the first bytes of body whether it can be a page
// of text (HTML, XML or plain text in any charset), whatever the response's
// Content-Type said. It returns the sniffed type and false for images,
// audio, video, fonts, archives, PDFs and other binary content. The crawler
// and extraction both ask it, so they agree on what is a page.
func SniffText(body []byte) (string, bool) {
	kind := http.DetectContentType(body)
	mt, _, _ := strings.Cut(kind, ";")
	switch {
	case strings.HasPrefix(mt, "text/"), strings.Contains(mt, "xml"):
		return mt, true
	case mt == "application/octet-stream":
		// DetectContentType calls anything with a control byte binary; a
		// text page with a stray one still reads as text.
		return mt, !mostlyBinary(body)
	}
	return mt, false
}

// mostlyBinary reports whether more than one byte in ten of body's first
// KiB is a control byte that text does not use.
func mostlyBinary(body []byte) bool {
	head := body[:min(len(body), 1024)]
	if len(head) == 0 {
		return false
	}
	n := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b {
			n++
		}
	}
	return n*10 > len(head)
}
