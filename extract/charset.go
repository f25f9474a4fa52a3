package extract

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/saintfish/chardet"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// prescanLen is how much of the body is searched for a <meta> charset.
// WHATWG says 1024 bytes; Chinese portals often put it later.
const prescanLen = 8 << 10

var reMetaCharset = regexp.MustCompile(`(?i)<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:\-]+)`)

// Decode converts an HTML body to UTF-8 and returns the charset used.
//
// The order is: a byte-order mark; the charset of contentType; a <meta
// charset> or <meta http-equiv> in the first 8 KiB; valid UTF-8; statistical
// detection. A declared charset is overruled in two cases where it is
// demonstrably wrong: the body is valid UTF-8 with non-ASCII bytes while a
// legacy charset is declared, or UTF-8 is declared but the body is not
// UTF-8 (then the meta declaration or detection decides). GBK and GB2312
// labels are decoded as GB18030, their superset. Undecodable bytes become
// U+FFFD; Decode fails only when a decoder does.
func Decode(contentType string, body []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")):
		return toValidUTF8(body[3:]), "utf-8", nil
	case bytes.HasPrefix(body, []byte("\xFE\xFF")):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be", body)
	case bytes.HasPrefix(body, []byte("\xFF\xFE")):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le", body)
	}
	validUTF8 := utf8.Valid(body)
	ascii := isASCII(body)

	declared := []string{headerCharset(contentType), metaCharset(body)}
	for _, label := range declared {
		if label == "" {
			continue
		}
		enc, name, ok := lookupCharset(label)
		if !ok {
			continue
		}
		if name == "utf-8" {
			if validUTF8 || mostlyUTF8(body) {
				return toValidUTF8(body), "utf-8", nil
			}
			continue // a lying header or meta: the bytes are not UTF-8
		}
		if validUTF8 && !ascii {
			return body, "utf-8", nil // a legacy label on a UTF-8 body
		}
		return decodeWith(enc, name, body)
	}
	if validUTF8 {
		return body, "utf-8", nil
	}
	if enc, name, ok := detectCharset(body); ok {
		return decodeWith(enc, name, body)
	}
	return toValidUTF8(body), "utf-8", nil
}

func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Tolerate sloppy headers such as "text/html;charset=gbk;".
		if i := indexFold(contentType, "charset="); i >= 0 {
			v := contentType[i+len("charset="):]
			if j := strings.IndexAny(v, "; "); j >= 0 {
				v = v[:j]
			}
			return strings.Trim(v, `"'`)
		}
		return ""
	}
	return params["charset"]
}

// indexFold is the byte offset of the first ASCII-case-insensitive match of
// sub (lower-case ASCII) in s, or -1. Offsets are those of s itself:
// strings.ToLower may change the length of a string that is not valid
// UTF-8, so an index into its result must not slice s.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}

func metaCharset(body []byte) string {
	head := body
	if len(head) > prescanLen {
		head = head[:prescanLen]
	}
	m := reMetaCharset.FindSubmatch(head)
	if m == nil {
		return ""
	}
	label := string(m[1])
	// A document cannot declare UTF-16 in an ASCII-compatible meta tag.
	if strings.HasPrefix(strings.ToLower(label), "utf-16") {
		return "utf-8"
	}
	return label
}

// lookupCharset maps a label to an encoding and its canonical name.
func lookupCharset(label string) (encoding.Encoding, string, bool) {
	label = strings.ToLower(strings.TrimSpace(label))
	switch label {
	case "gb-18030", "gb18030-2000", "gb18030-2005":
		label = "gb18030"
	case "utf8":
		label = "utf-8"
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, "", false
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		return nil, "", false
	}
	if name == "gbk" {
		enc = simplifiedchinese.GB18030 // superset; GBK pages often use GB18030 characters
	}
	return enc, name, true
}

func detectCharset(body []byte) (encoding.Encoding, string, bool) {
	sample := body
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	res, err := chardet.NewHtmlDetector().DetectBest(sample)
	if err != nil || res == nil {
		return nil, "", false
	}
	return lookupCharset(res.Charset)
}

func decodeWith(enc encoding.Encoding, name string, body []byte) ([]byte, string, error) {
	if name == "utf-8" {
		return toValidUTF8(body), name, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, "", fmt.Errorf("extract: decode %s: %w", name, err)
	}
	return out, name, nil
}

func toValidUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// mostlyUTF8 reports whether b is UTF-8 apart from rare damage (a truncated
// sequence, a stray byte): at most 1% of its multi-byte runes are invalid.
func mostlyUTF8(b []byte) bool {
	var good, bad int
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			bad++
		case n > 1:
			good++
		}
		b = b[n:]
	}
	return bad*100 <= good
}
