package extract

import (
	"unicode"
	"unicode/utf8"
)

// SimHash returns a 64-bit SimHash of an article body, for finding
// near-duplicates (reprints with small edits) by Hamming distance
// (store.Hamming; Extract stores it as Article.SimHash). Its
// features are the lower-cased words of four or more letters, each Han, kana or Hangul character
// counting as a word, weighted by how often they occur; it needs no word
// segmentation, and an edited sentence moves few of its 64 votes. Reprints with a changed sentence or two stay within a
// distance of 3; unrelated articles are usually 20 or more apart. Empty
// text gives 0.
func SimHash(text string) uint64 {
	var (
		ones  [64]int32 // per bit, how many features have it set
		n     int32     // features
		word  [64]byte  // the word being read, lower-cased, while it fits
		buf   = word[:0]
		runes int
		// Byte-wide counters, eight to a word: lane j's byte k counts the
		// features with bit 8k+j set. They move into ones every 255
		// features, before a byte can overflow.
		lanes   [8]uint64
		pending int
	)
	spill := func() {
		for j, l := range lanes {
			for k := range 8 {
				ones[8*k+j] += int32(l >> (8 * k) & 0xff)
			}
		}
		lanes, pending = [8]uint64{}, 0
	}
	vote := func(h uint64) {
		const every8th = 0x0101010101010101
		x := mix64(h)
		for j := range lanes {
			lanes[j] += x >> j & every8th
		}
		n++
		if pending++; pending == 255 {
			spill()
		}
	}
	flush := func() {
		// Short words (the, and, of) are in every English text and would
		// pull unrelated articles together.
		if runes > 3 {
			vote(fnv64a(buf))
		}
		buf, runes = buf[:0], 0
	}
	for _, r := range text {
		switch {
		case r >= cjkHangulLow && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			flush()
			var c [utf8.UTFMax]byte
			vote(fnv64a(utf8.AppendRune(c[:0], r)))
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
			buf = append(buf, byte(r))
			runes++
		case r < utf8.RuneSelf && 'A' <= r && r <= 'Z':
			buf = append(buf, byte(r)+'a'-'A')
			runes++
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsNumber(r)):
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
			runes++
		default:
			flush()
		}
	}
	flush()
	spill()
	var out uint64
	for b, c := range ones {
		// More features with the bit than without it.
		if 2*c > n {
			out |= 1 << b
		}
	}
	return out
}

// fnv64a is FNV-1a, 64 bits, of b (hash/fnv's New64a without the
// allocation).
func fnv64a(b []byte) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for _, c := range b {
		h ^= uint64(c)
		h *= prime
	}
	return h
}

// mix64 spreads FNV's bits (splitmix64's finaliser): FNV alone leaves the
// high bits of similar inputs correlated.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// cjkHangulLow is the least rune of Han, Hiragana, Katakana and Hangul.
var cjkHangulLow = min(cjkLow, rune(unicode.Hangul.R16[0].Lo))
