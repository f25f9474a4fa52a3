package store

import (
	"fmt"
	"strings"
	"unicode"
)

// Op is the kind of a query expression.
type Op int

// The kinds of query expressions.
const (
	OpTerm   Op = iota // Text is one word (or, in a keyword field, the exact value)
	OpPhrase           // Text is words that must appear in order, adjacent
	OpPrefix           // Text is the start of a word (or of a keyword field's value)
	OpAnd              // every one of Sub
	OpOr               // at least one of Sub
	OpNot              // not Sub[0]
)

// Fields a query term can be scoped to with "name:". FieldAny (no scope)
// searches title and text; FieldTitle is full text too; the others are
// exact keyword values.
const (
	FieldAny     = ""
	FieldTitle   = "title"
	FieldAuthor  = "author"
	FieldSite    = "site"
	FieldSection = "section"
	FieldTag     = "tag"
)

// queryFields are the names a term can be scoped with.
var queryFields = map[string]bool{FieldTitle: true, FieldAuthor: true, FieldSite: true, FieldSection: true, FieldTag: true}

// Expr is a parsed query: a leaf (OpTerm, OpPhrase, OpPrefix, with Text and
// Field) or an operator over Sub.
type Expr struct {
	Op    Op
	Field string // FieldAny or one of the Field constants; leaves only
	Text  string // leaves only
	Sub   []*Expr
}

// FullText reports whether e is a leaf searched as analysed text (title and
// text, or title only), as opposed to an exact keyword value.
func (e *Expr) FullText() bool {
	return e.Field == FieldAny || e.Field == FieldTitle
}

// String returns e in a normalised form of the language, each operator in
// parentheses: ((a OR b) AND -title:"c d").
func (e *Expr) String() string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (e *Expr) write(b *strings.Builder) {
	switch e.Op {
	case OpAnd, OpOr:
		sep := " AND "
		if e.Op == OpOr {
			sep = " OR "
		}
		b.WriteByte('(')
		for i, s := range e.Sub {
			if i > 0 {
				b.WriteString(sep)
			}
			s.write(b)
		}
		b.WriteByte(')')
	case OpNot:
		b.WriteByte('-')
		e.Sub[0].write(b)
	default:
		if e.Field != FieldAny {
			b.WriteString(e.Field + ":")
		}
		switch {
		case e.Op == OpPhrase || e.Op == OpTerm && needsQuotes(e.Text):
			b.WriteString(`"` + e.Text + `"`)
		case e.Op == OpPrefix:
			b.WriteString(e.Text + "*")
		default:
			b.WriteString(e.Text)
		}
	}
}

// needsQuotes reports whether a term's text would lex as something else
// unquoted: an exact value (author:"Li Wei", tag:"(c)", site:"a*") may hold
// spaces and parentheses, or end in the * of a prefix.
func needsQuotes(text string) bool {
	return strings.HasSuffix(text, "*") || strings.ContainsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || r == '(' || r == ')'
	})
}

// Prune returns e without the leaves for which empty reports true (words a
// backend's analyzer finds no token in: punctuation, stop words), and
// without the operators left with nothing: nil when nothing is left. An
// AND of one expression is that expression.
func (e *Expr) Prune(empty func(*Expr) bool) *Expr {
	if e == nil {
		return nil
	}
	switch e.Op {
	case OpAnd, OpOr:
		var sub []*Expr
		for _, s := range e.Sub {
			if p := s.Prune(empty); p != nil {
				sub = append(sub, p)
			}
		}
		switch len(sub) {
		case 0:
			return nil
		case 1:
			return sub[0]
		}
		return &Expr{Op: e.Op, Sub: sub}
	case OpNot:
		if p := e.Sub[0].Prune(empty); p != nil {
			return &Expr{Op: OpNot, Sub: []*Expr{p}}
		}
		return nil
	default:
		if empty(e) {
			return nil
		}
		return e
	}
}

// QueryError is a query that does not parse: what is wrong, and where.
type QueryError struct {
	Pos int // character (not byte) of the query where the problem is, from 1
	Msg string
}

func (e *QueryError) Error() string { return fmt.Sprintf("query: %s at %d", e.Msg, e.Pos) }

// token kinds of the lexer.
const (
	tokWord   = iota // text
	tokPhrase        // "text"
	tokPrefix        // text*
	tokOr
	tokAnd
	tokNot // a leading -
	tokOpen
	tokClose
)

type token struct {
	kind  int
	text  string
	field string
	pos   int // from 1, in characters
}

// ParseQuery parses text in the query language of Query.Text, the same on
// every backend:
//
//	word             a word, in title or text (all of a Chinese word's bigrams)
//	a b              both (AND); an explicit AND may be written between them
//	a OR b           either; OR binds tighter than AND: a b OR c is a AND (b OR c)
//	-a               not a; also -"a phrase", -title:a, -(a OR b)
//	"a phrase"       the words in this order, next to each other
//	word*            a word starting with word (elect* finds election)
//	title:word       in the title only; title:"a phrase", title:word* too
//	author:name      an exact author, site, section or tag: author:"Jane Doe",
//	site:, section:, tag:   tag:经济; a trailing * matches a prefix of the value
//	( ... )          grouping
//
// Only upper-case OR and AND are operators; an unknown name before a colon
// (http://, 12:30) is part of the word.
//
// It returns nil
// for a text of whitespace only, and a *QueryError for a text that does not
// parse (an unclosed quote or parenthesis, an OR without a term on one
// side, a field scope without a value).
func ParseQuery(text string) (*Expr, error) {
	toks, err := lex([]rune(text))
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if len(toks) == 0 {
		return nil, nil
	}
	e, err := p.and()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) { // only a ) stops and() early
		return nil, &QueryError{Pos: p.toks[p.i].pos, Msg: "unmatched )"}
	}
	return e, nil
}

// lex splits the query into tokens.
func lex(rs []rune) ([]token, error) {
	var toks []token
	i := 0
	stop := func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' }
	for i < len(rs) {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
			continue
		case r == '(':
			toks = append(toks, token{kind: tokOpen, pos: i + 1})
			i++
			continue
		case r == ')':
			toks = append(toks, token{kind: tokClose, pos: i + 1})
			i++
			continue
		case r == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) && rs[i+1] != ')':
			toks = append(toks, token{kind: tokNot, pos: i + 1})
			i++
			continue
		}
		start := i
		field := ""
		if r != '"' {
			// A known field name and a colon scope what follows.
			j := i
			for j < len(rs) && !stop(rs[j]) && rs[j] != ':' {
				j++
			}
			if j < len(rs) && rs[j] == ':' && queryFields[strings.ToLower(string(rs[i:j]))] {
				field = strings.ToLower(string(rs[i:j]))
				i = j + 1
				if i == len(rs) || unicode.IsSpace(rs[i]) || rs[i] == '(' || rs[i] == ')' {
					return nil, &QueryError{Pos: start + 1, Msg: field + ": needs a word or a quoted phrase after it"}
				}
			}
		}
		if rs[i] == '"' {
			end := i + 1
			for end < len(rs) && rs[end] != '"' {
				end++
			}
			if end == len(rs) {
				return nil, &QueryError{Pos: i + 1, Msg: "unclosed quote"}
			}
			toks = append(toks, token{kind: tokPhrase, text: strings.TrimSpace(string(rs[i+1 : end])), field: field, pos: start + 1})
			i = end + 1
			continue
		}
		end := i
		for end < len(rs) && !stop(rs[end]) {
			end++
		}
		word := string(rs[i:end])
		i = end
		switch {
		case field == "" && word == "OR":
			toks = append(toks, token{kind: tokOr, pos: start + 1})
		case field == "" && word == "AND":
			toks = append(toks, token{kind: tokAnd, pos: start + 1})
		case strings.HasSuffix(word, "*"):
			prefix := strings.TrimRight(word, "*")
			if prefix == "" {
				return nil, &QueryError{Pos: start + 1, Msg: "* needs the start of a word before it"}
			}
			toks = append(toks, token{kind: tokPrefix, text: prefix, field: field, pos: start + 1})
		default:
			toks = append(toks, token{kind: tokWord, text: word, field: field, pos: start + 1})
		}
	}
	return toks, nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() *token {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

// and parses or-expressions up to the end or a ), ANDing them.
func (p *parser) and() (*Expr, error) {
	var sub []*Expr
	for {
		t := p.peek()
		if t == nil || t.kind == tokClose {
			break
		}
		if t.kind == tokAnd {
			if len(sub) == 0 {
				return nil, &QueryError{Pos: t.pos, Msg: "AND needs a term before it"}
			}
			p.i++
			if n := p.peek(); n == nil || n.kind == tokClose || n.kind == tokOr || n.kind == tokAnd {
				return nil, &QueryError{Pos: t.pos, Msg: "AND needs a term after it"}
			}
			continue
		}
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		sub = append(sub, e)
	}
	if len(sub) == 1 {
		return sub[0], nil
	}
	return &Expr{Op: OpAnd, Sub: sub}, nil
}

// or parses unary expressions joined by OR.
func (p *parser) or() (*Expr, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	sub := []*Expr{first}
	for {
		t := p.peek()
		if t == nil || t.kind != tokOr {
			break
		}
		p.i++
		if n := p.peek(); n == nil || n.kind == tokClose || n.kind == tokOr || n.kind == tokAnd {
			return nil, &QueryError{Pos: t.pos, Msg: "OR needs a term after it"}
		}
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		sub = append(sub, e)
	}
	if len(sub) == 1 {
		return first, nil
	}
	return &Expr{Op: OpOr, Sub: sub}, nil
}

// unary parses a term, a phrase, a prefix, a group, or a negation of one.
func (p *parser) unary() (*Expr, error) {
	t := p.peek()
	p.i++
	switch t.kind {
	case tokNot:
		n := p.peek()
		if n == nil || n.kind == tokOr || n.kind == tokAnd || n.kind == tokClose {
			return nil, &QueryError{Pos: t.pos, Msg: "- needs a term after it"}
		}
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &Expr{Op: OpNot, Sub: []*Expr{e}}, nil
	case tokOpen:
		if n := p.peek(); n != nil && n.kind == tokClose {
			return nil, &QueryError{Pos: t.pos, Msg: "empty ()"}
		}
		e, err := p.and()
		if err != nil {
			return nil, err
		}
		if n := p.peek(); n == nil || n.kind != tokClose {
			return nil, &QueryError{Pos: t.pos, Msg: "unclosed ("}
		}
		p.i++
		return e, nil
	case tokOr:
		return nil, &QueryError{Pos: t.pos, Msg: "OR needs a term before it"}
	case tokPhrase:
		if t.text == "" {
			return nil, &QueryError{Pos: t.pos, Msg: "empty quotes"}
		}
		if t.field == FieldAny || t.field == FieldTitle {
			return &Expr{Op: OpPhrase, Field: t.field, Text: t.text}, nil
		}
		return &Expr{Op: OpTerm, Field: t.field, Text: t.text}, nil // an exact value with spaces
	case tokPrefix:
		return &Expr{Op: OpPrefix, Field: t.field, Text: t.text}, nil
	default: // tokWord; tokClose and tokAnd never reach here
		return &Expr{Op: OpTerm, Field: t.field, Text: t.text}, nil
	}
}
