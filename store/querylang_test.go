package store

import (
	"errors"
	"testing"
)

func TestParseQuery(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"empty", "  ", ""},
		{"word", "tariff", "tariff"},
		{"and", "tariff election", "(tariff AND election)"},
		{"explicit and", "tariff AND election", "(tariff AND election)"},
		{"or", "tariff OR customs", "(tariff OR customs)"},
		{"or binds tighter", "a b OR c d", "(a AND (b OR c) AND d)"},
		{"lower-case or is a word", "a or b", "(a AND or AND b)"},
		{"not", "tariff -customs", "(tariff AND -customs)"},
		{"not phrase", `-"trade war"`, `-"trade war"`},
		{"not group", "a -(b OR c)", "(a AND -(b OR c))"},
		{"hyphen inside word", "covid-19", "covid-19"},
		{"lone hyphen is a word", "中美 - 贸易", "(中美 AND - AND 贸易)"},
		{"phrase", `"trade war" 2025`, `("trade war" AND 2025)`},
		{"chinese phrase", `"国务院关税税则委员会"`, `"国务院关税税则委员会"`},
		{"prefix", "elect*", "elect*"},
		{"title", "title:tariff", "title:tariff"},
		{"title phrase", `title:"trade war"`, `title:"trade war"`},
		{"title prefix", "Title:elect*", "title:elect*"},
		{"author exact with space", `author:"Jane Doe"`, `author:"Jane Doe"`},
		{"exact value with parenthesis", `Author:"("`, `author:"("`},
		{"exact value ending in a star", `tag:"c*"`, `tag:"c*"`},
		{"exact value prefix", `tag:c*`, `tag:c*`},
		{"site", "site:xinhua", "site:xinhua"},
		{"section", "section:国内", "section:国内"},
		{"tag prefix", "tag:经*", "tag:经*"},
		{"not field", "-site:xinhua", "-site:xinhua"},
		{"unknown field is a word", "http://x.example 12:30", "(http://x.example AND 12:30)"},
		{"group", "(a OR b) (c OR d)", "((a OR b) AND (c OR d))"},
		{"nested group", "((a))", "a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := ParseQuery(c.in)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", c.in, err)
			}
			if got := e.String(); got != c.want {
				t.Errorf("ParseQuery(%q) = %s, want %s", c.in, got, c.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"unclosed quote", `tariff "trade war`, "query: unclosed quote at 8"},
		{"unclosed quote after CJK", `关税 "贸易`, "query: unclosed quote at 4"},
		{"empty quotes", `a ""`, "query: empty quotes at 3"},
		{"unclosed paren", "a (b OR c", "query: unclosed ( at 3"},
		{"unmatched paren", "a b) c", "query: unmatched ) at 4"},
		{"empty parens", "a ()", "query: empty () at 3"},
		{"leading or", "OR a", "query: OR needs a term before it at 1"},
		{"trailing or", "a OR", "query: OR needs a term after it at 3"},
		{"double or", "a OR OR b", "query: OR needs a term after it at 3"},
		{"leading and", "AND a", "query: AND needs a term before it at 1"},
		{"trailing and", "a AND", "query: AND needs a term after it at 3"},
		{"field without value", "a title: b", "query: title: needs a word or a quoted phrase after it at 3"},
		{"field at end", "author:", "query: author: needs a word or a quoted phrase after it at 1"},
		{"bare star", "a *", "query: * needs the start of a word before it at 3"},
		{"not before or", "a -OR b", "query: - needs a term after it at 3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := ParseQuery(c.in)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("ParseQuery(%q) = %s, %v; want a *QueryError", c.in, e, err)
			}
			if err.Error() != c.want {
				t.Errorf("ParseQuery(%q) error = %q, want %q", c.in, err, c.want)
			}
		})
	}
}

func TestExprPrune(t *testing.T) {
	e, err := ParseQuery(`a . OR b (. OR ,) -. "x"`)
	if err != nil {
		t.Fatal(err)
	}
	got := e.Prune(func(e *Expr) bool { return e.Text == "." || e.Text == "," })
	if got.String() != `(a AND b AND "x")` {
		t.Errorf("Prune = %s", got)
	}
	if e.Prune(func(*Expr) bool { return true }) != nil {
		t.Error("Prune of all leaves is not nil")
	}
}
