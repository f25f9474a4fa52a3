package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// TestIsSpace checks isSpace against unicode.IsSpace on every rune.
func TestIsSpace(t *testing.T) {
	for r := rune(-1); r <= unicode.MaxRune+1; r++ {
		if isSpace(r) != unicode.IsSpace(r) {
			t.Errorf("isSpace(%U) = %v", r, isSpace(r))
		}
	}
}

// TestCollapse checks collapse against strings.Join(strings.Fields(s), " ")
// on white space of every kind, invalid UTF-8 and random mixes of them.
func TestCollapse(t *testing.T) {
	texts := []string{"", " ", "  ", "a", " a", "a ", " a ", "a b", "a  b", "a\tb", "a \tb", "a\u00a0b", "a\u3000 b ",
		"经济 改革", "\u2028x\u2029", "\xff", " \xff ", "a\xe4 \xb8\xad", "ab cd ef", "ab cd ef ", "ab cd  ef", "\u0085a\u0085"}
	pieces := []string{" ", "  ", "\t", "\n", "\r\n", "\v", "\f", "\u0085", "\u00a0", "\u1680", "\u2000", "\u200a", "\u200b",
		"\u2028", "\u202f", "\u205f", "\u3000", "\ufeff", "a", "bc", "经", "济", "\xff", "\xe4", "\xb8", "é", "K"}
	texts = append(texts, randomMixes(rand.New(rand.NewPCG(3, 4)), pieces, 100000)...)
	for _, s := range texts {
		if got, want := collapse(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	}
}

// randomMixes returns n texts of up to 11 of pieces each, drawn by r.
func randomMixes(r *rand.Rand, pieces []string, n int) []string {
	texts := make([]string, 0, n)
	for range n {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestSqueeze checks squeeze against the rune-by-rune rule it shortcuts
// for ASCII (keep unicode letters and digits, lower-cased) on every rune,
// invalid UTF-8 and random mixes.
func TestSqueeze(t *testing.T) {
	ref := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(unicode.ToLower(r))
			}
		}
		return b.String()
	}
	var texts []string
	for r := rune(0); r <= unicode.MaxRune; r++ {
		texts = append(texts, "a"+string(r)+"Z")
	}
	pieces := []string{" ", "A", "z", "Q", "0", "9", "-", "@", "[", "`", "{", "经济", "Ä", "ß", "İ", "Σ", "٣", "\xff", "\xe4", "\xb8", "\x00", "\u00a0"}
	texts = append(texts, randomMixes(rand.New(rand.NewPCG(5, 6)), pieces, 50000)...)
	for _, s := range texts {
		if got, want := squeeze(s), ref(s); got != want {
			t.Fatalf("squeeze(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestScriptShortcuts checks what the script tests' shortcuts assume: no
// rune below cjkLow is Han, Hiragana or Katakana, none below cjkHangulLow
// Hangul either, and the only ASCII runes of the scripts detectLanguage
// counts are Latin's letters.
func TestScriptShortcuts(t *testing.T) {
	for r := rune(-1); r <= unicode.MaxRune+1; r++ {
		cjk := unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana)
		if isCJK(r) != cjk {
			t.Fatalf("isCJK(%U) = %v", r, isCJK(r))
		}
		if r < cjkHangulLow && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			t.Fatalf("%U below cjkHangulLow", r)
		}
	}
	for r := rune(0); r < 0x80; r++ {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if unicode.Is(unicode.Latin, r) != letter || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana,
			unicode.Hangul, unicode.Cyrillic, unicode.Arabic) {
			t.Fatalf("%U: Latin %v", r, unicode.Is(unicode.Latin, r))
		}
	}
}
