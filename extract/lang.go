package extract

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// normalizeLang reduces a language tag ("zh-CN", "en_US", "zh-Hans") to its
// lower-case primary subtag, or "" when it does not look like one.
func normalizeLang(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_,; "); i >= 0 {
		tag = tag[:i]
	}
	tag = strings.ToLower(tag)
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	for _, r := range tag {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return tag
}

// stopwords are a few very frequent words per Latin-script language,
// enough to tell them apart on a paragraph or more.
var stopwords = map[string][]string{
	"en": {"the", "and", "of", "to", "in", "is", "that", "for", "with", "was", "on", "are", "by", "this", "from"},
	"de": {"der", "die", "und", "das", "nicht", "ist", "mit", "den", "sich", "auf", "ein", "eine", "dem", "auch", "von"},
	"fr": {"le", "la", "les", "et", "des", "du", "une", "est", "pour", "dans", "que", "qui", "sur", "pas", "au"},
	"es": {"el", "la", "los", "las", "y", "que", "del", "en", "por", "una", "con", "para", "es", "se", "al"},
	"it": {"il", "di", "che", "è", "per", "una", "della", "non", "sono", "con", "gli", "nel", "alla", "anche", "le"},
	"pt": {"o", "os", "que", "não", "uma", "com", "para", "do", "da", "em", "dos", "das", "é", "ao", "se"},
	"nl": {"de", "het", "een", "en", "van", "is", "niet", "dat", "op", "te", "zijn", "met", "voor", "ook", "aan"},
}

// detectLanguage guesses the language of text from its scripts: kana means
// Japanese, Hangul Korean, Han Chinese, Cyrillic Russian, Arabic Arabic;
// Latin text is told apart by stopwords and defaults to English. It returns
// "" when text has too few letters to say.
func detectLanguage(text string) string {
	var han, kana, hangul, latin, cyrillic, arabic, letters int
	for _, r := range text {
		if r < utf8.RuneSelf { // no table holds ASCII but Latin's letters
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				latin++
				letters++
			}
			continue
		}
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic++
		case unicode.Is(unicode.Arabic, r):
			arabic++
		default:
			continue
		}
		letters++
	}
	if letters < 10 {
		return ""
	}
	pct := func(n int) int { return n * 100 / letters }
	switch {
	case pct(kana) >= 5:
		return "ja"
	case pct(hangul) >= 20:
		return "ko"
	case pct(han) >= 20:
		return "zh"
	case pct(cyrillic) >= 50:
		return "ru"
	case pct(arabic) >= 50:
		return "ar"
	case pct(latin) >= 50:
		return latinLanguage(text)
	}
	return ""
}

func latinLanguage(text string) string {
	index := stopwordIndex()
	counts := map[string]int{}
	var buf [64]byte // most words lower-case here, without an allocation
	w, words := buf[:0], 0
	count := func() {
		if len(w) > 0 {
			for _, lang := range index[string(w)] {
				counts[lang]++
			}
			w, words = w[:0], words+1
		}
	}
	// The first 2,000 words, lower-cased, split at every rune that is not
	// a letter once lower-cased.
	for _, r := range text {
		if words == 2000 {
			break
		}
		if r = unicode.ToLower(r); unicode.IsLetter(r) {
			w = utf8.AppendRune(w, r)
		} else {
			count()
		}
	}
	if words < 2000 {
		count()
	}
	best, bestN := "en", counts["en"]
	for _, lang := range []string{"de", "fr", "es", "it", "pt", "nl"} {
		if counts[lang] > bestN*3/2 {
			best, bestN = lang, counts[lang]
		}
	}
	return best
}

// stopwordIndex maps each of stopwords' words to its languages.
var stopwordIndex = sync.OnceValue(func() map[string][]string {
	index := map[string][]string{}
	for lang, ws := range stopwords {
		for _, w := range ws {
			index[w] = append(index[w], lang)
		}
	}
	return index
})

// countWords counts words, each Han or kana character counting as one.
func countWords(text string) int {
	n := 0
	inWord, prevDigit := false, false
	for _, r := range text {
		switch {
		case isCJK(r):
			n++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || inWord && (r == '\'' || r == '’' || prevDigit && (r == ',' || r == '.')):
			if !inWord {
				n++
				inWord = true
			}
		default:
			inWord = false
		}
		prevDigit = unicode.IsDigit(r)
	}
	return n
}

// textWeight measures text length in CJK-character equivalents: each Han or
// kana character counts one, other non-space characters 7/16 (about 400
// characters of Latin text, spaces included, weigh what 150 Chinese
// characters do).
func textWeight(text string) int {
	var cjk, other int
	for _, r := range text {
		switch {
		case isCJK(r):
			cjk++
		case !isSpace(r):
			other++
		}
	}
	return cjk + other*7/16
}

// cjkLow is the least rune of Han, Hiragana and Katakana (a table's first
// range starts at its least rune).
var cjkLow = rune(min(unicode.Han.R16[0].Lo, unicode.Hiragana.R16[0].Lo, unicode.Katakana.R16[0].Lo))

// isCJK reports whether r is Han, Hiragana or Katakana; runes below all
// three tables (Latin text) are not looked up.
func isCJK(r rune) bool {
	return r >= cjkLow && (unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana))
}
