package extract

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// litRegexp is a regular expression with a literal prefilter: the
// strings of which every match must contain one, found from the
// expression's syntax. Where none of them occurs in a text (compared under
// simple case folding, which is what (?i) matches by), the expression
// cannot match and is not run. Go's regexp runs a long unanchored
// alternation of phrases as an NFA over every byte; most texts hold none
// of its phrases, and ruling them out by substring search is much cheaper.
// It matches exactly what the expression alone matches. MatchString and
// the Find methods below use the prefilter; the others are regexp's own.
type litRegexp struct {
	*regexp.Regexp
	lits [][]byte // folded (see foldText); nil: no prefilter
	// With many literals, all of two bytes or more, the text is read once:
	// pairs has the bit of every literal's first two bytes set, and
	// starts lists the literals that start with each such pair.
	pairs  *[1 << 10]uint64
	starts map[uint16][][]byte
}

// pairScan is how many literals make reading the text once, by pairs of
// bytes, cheaper than a search of the text for each literal.
const pairScan = 8

// mustLitRegexp compiles expr as regexp.MustCompile does, with its
// prefilter.
func mustLitRegexp(expr string) *litRegexp {
	l := &litRegexp{Regexp: regexp.MustCompile(expr)}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return l
	}
	if lits, ok := requiredLits(re.Simplify()); ok {
		for _, s := range lits {
			if s == "" {
				return l // an empty literal rules nothing out
			}
		}
		for _, s := range lits {
			l.lits = append(l.lits, []byte(s))
		}
		l.indexPairs()
	}
	return l
}

// indexPairs fills pairs and starts when the literals are many and none
// is shorter than two bytes.
func (l *litRegexp) indexPairs() {
	if len(l.lits) < pairScan {
		return
	}
	for _, lit := range l.lits {
		if len(lit) < 2 {
			return
		}
	}
	l.pairs = new([1 << 10]uint64)
	l.starts = map[uint16][][]byte{}
	for _, lit := range l.lits {
		p := uint16(lit[0])<<8 | uint16(lit[1])
		l.pairs[p>>6] |= 1 << (p & 63)
		l.starts[p] = append(l.starts[p], lit)
	}
}

// MatchString reports whether s holds a match of the expression.
func (l *litRegexp) MatchString(s string) bool {
	if l.lits != nil && !l.mayMatch(s) {
		return false
	}
	return l.Regexp.MatchString(s)
}

// FindStringIndex is regexp's, with the prefilter.
func (l *litRegexp) FindStringIndex(s string) []int {
	if l.lits != nil && !l.mayMatch(s) {
		return nil
	}
	return l.Regexp.FindStringIndex(s)
}

// FindStringSubmatch is regexp's, with the prefilter.
func (l *litRegexp) FindStringSubmatch(s string) []string {
	if l.lits != nil && !l.mayMatch(s) {
		return nil
	}
	return l.Regexp.FindStringSubmatch(s)
}

// FindStringSubmatchIndex is regexp's, with the prefilter.
func (l *litRegexp) FindStringSubmatchIndex(s string) []int {
	if l.lits != nil && !l.mayMatch(s) {
		return nil
	}
	return l.Regexp.FindStringSubmatchIndex(s)
}

// FindAllStringSubmatchIndex is regexp's, with the prefilter.
func (l *litRegexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if l.lits != nil && !l.mayMatch(s) {
		return nil
	}
	return l.Regexp.FindAllStringSubmatchIndex(s, n)
}

// mayMatch reports whether s holds one of the required literals.
func (l *litRegexp) mayMatch(s string) bool {
	var buf [512]byte // most texts fold here, without an allocation
	f := appendFold(buf[:0], s)
	if l.pairs != nil {
		for i := 0; i+1 < len(f); i++ {
			p := uint16(f[i])<<8 | uint16(f[i+1])
			if l.pairs[p>>6]&(1<<(p&63)) == 0 {
				continue
			}
			for _, lit := range l.starts[p] {
				if bytes.HasPrefix(f[i:], lit) {
					return true
				}
			}
		}
		return false
	}
	for _, lit := range l.lits {
		if bytes.Contains(f, lit) {
			return true
		}
	}
	return false
}

// requiredLits returns strings (folded) one of which every match of re
// must contain, and false when re can match without any literal.
func requiredLits(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{foldText(string(re.Rune))}, true
	case syntax.OpCharClass:
		// A class of a few runes (the parser makes one of "发|摄") is
		// as many one-rune literals.
		var lits []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] >= maxClassLits || len(lits) >= maxClassLits {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				lits = append(lits, foldText(string(r)))
			}
		}
		if len(lits) == 0 || len(lits) > maxClassLits {
			return nil, false
		}
		return lits, true
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLits(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLits(re.Sub[0])
		}
	case syntax.OpConcat:
		// Any one part's literals will do: take those whose shortest is
		// longest, the best filter.
		var best []string
		found := false
		for _, sub := range re.Sub {
			lits, ok := requiredLits(sub)
			if ok && (!found || shortest(lits) > shortest(best)) {
				best, found = lits, true
			}
		}
		return best, found
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits, ok := requiredLits(sub)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, true
	}
	return nil, false
}

// maxClassLits is the most runes of a character class that requiredLits
// takes as literals.
const maxClassLits = 8

func shortest(lits []string) int {
	n := -1
	for _, s := range lits {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}

// foldText maps each rune of s to the least rune of its simple case
// folding orbit ('a', 'A' → 'A'; 'k', 'K', Kelvin sign → 'K'), so that two
// texts (?i) matches as equal fold to the same string. An invalid byte
// becomes U+FFFD, as regexp reads it.
func foldText(s string) string {
	return string(appendFold(make([]byte, 0, len(s)), s))
}

// appendFold appends foldText(s) to b.
func appendFold(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b = utf8.AppendRune(b, foldRune(r))
		i += size
	}
	return b
}

// foldRune returns the least rune of r's simple case folding orbit.
func foldRune(r rune) rune {
	for _, g := range caselessRuns {
		if g.lo <= r && r < g.hi {
			return r // CJK, kana and the like: no orbit to search
		}
	}
	return foldOrbit(r)
}

// foldOrbit is foldRune, searching the orbit.
func foldOrbit(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}

// caselessRuns are the long runs of runes between unicode's case ranges,
// which have no case: each rune's orbit is itself (TestFoldRune checks
// every rune).
var caselessRuns = func() []struct{ lo, hi rune } {
	var runs []struct{ lo, hi rune }
	next := rune(0) // the first rune after the ranges so far
	for _, c := range unicode.CaseRanges {
		if lo := rune(c.Lo); lo-next >= 1024 {
			runs = append(runs, struct{ lo, hi rune }{next, lo})
		}
		next = max(next, rune(c.Hi)+1)
	}
	return runs
}()
