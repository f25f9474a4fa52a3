package store

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseQuery: any text a user types into the search box or the API's
// q parameter parses or gives an error, never a panic; and what parses
// prints (String) in a form that parses to the same query again.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"tariff election", "a b OR c d", `-"trade war"`, "a -(b OR c)", "covid-19",
		"title:关税 site:xinhua author:\"Li Wei\"", "trade*", `"half open`, "((a)", "a OR", "-", "site:",
		"中国 经济 OR 贸易", "NOT a", "a AND AND b", `title:"x y"*`, "\x00", "tag:a,b", "lang:zh -lang:en",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		e, err := ParseQuery(q)
		if err != nil {
			return
		}
		s := e.String()
		if !utf8.ValidString(q) {
			return // printed as parsed; invalid bytes need not survive a round trip
		}
		again, err := ParseQuery(s)
		if err != nil {
			t.Fatalf("ParseQuery(%q) prints %q, which does not parse: %v", q, s, err)
		}
		if got := again.String(); got != s {
			t.Fatalf("ParseQuery(%q) prints %q, which parses to %q", q, s, got)
		}
	})
}
