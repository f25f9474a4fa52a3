package extract

import (
	"hash/fnv"
	"strings"
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
	toks := simTokens(text)
	if len(toks) == 0 {
		return 0
	}
	var v [64]int
	h := fnv.New64a()
	for _, t := range toks {
		h.Reset()
		h.Write([]byte(t))
		x := mix64(h.Sum64())
		for b := 0; b < 64; b++ {
			if x&(1<<b) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
	}
	var out uint64
	for b := 0; b < 64; b++ {
		if v[b] > 0 {
			out |= 1 << b
		}
	}
	return out
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

// simTokens splits text into lower-cased words of four or more letters,
// each CJK character a token of its own.
func simTokens(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		// Short words (the, and, of) are in every English text and would
		// pull unrelated articles together.
		if utf8.RuneCountInString(b.String()) > 3 {
			out = append(out, b.String())
		}
		b.Reset()
	}
	for _, r := range text {
		switch {
		case r >= cjkHangulLow && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// cjkHangulLow is the least rune of Han, Hiragana, Katakana and Hangul.
var cjkHangulLow = min(cjkLow, rune(unicode.Hangul.R16[0].Lo))
