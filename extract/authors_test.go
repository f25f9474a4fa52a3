package extract

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestNameRules runs each rule of nameRules on the values it is for, and
// on values it must leave alone.
func TestNameRules(t *testing.T) {
	tests := []struct {
		rule, in, want string
	}{
		{"email", "d.kuckelkorn@example-zeitung.de", ""},
		{"label", "Autor: Jana Weber", "Jana Weber"},
		{"label", "Written by Jane Doe", "Jane Doe"},
		{"by", "By Jane Doe", "Jane Doe"},
		{"by, other languages", "Von Anna Meier", "Anna Meier"},
		{"by, other languages", "Por María López", "María López"},
		{"by, other languages", "Di Maria", "Di Maria"}, // a surname, not "by"
		{"bracketed tail", "Elena Oberholzer (obe)", "Elena Oberholzer"},
		{"bracketed tail", "Example Welle (www.example.com)", "Example Welle"},
		{"date tail", "Cristina Laila Apr. 28", "Cristina Laila"},
		{"date tail", "Example News with Agencies Published on 30/04/2024", "Example News"},
		{"with agencies", "Example News mit Agenturen", "Example News"},
		{"social tail", "Sarah Lazare Twitter", "Sarah Lazare"},
		{"role tail", "Jane Doe, Senior Political Correspondent", "Jane Doe"},
		{"role tail", "Max Muster, Redakteur", "Max Muster"},
		{"role word after the name", "Jane Doe Senior Reporter", "Jane Doe"},
		{"role word after the name", "Ann Reporter", "Ann Reporter"},
		{"role alone", "Reporter", ""},
		{"none", "Jane Doe", "Jane Doe"},
		{"none", "Dr. Max Kolter", "Dr. Max Kolter"},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.in, func(t *testing.T) {
			if got := applyNameRules(tt.in); got != tt.want {
				t.Errorf("applyNameRules(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	names := map[string]bool{"none": true}
	for _, r := range nameRules {
		names[r.name] = true
	}
	for _, tt := range tests {
		if !names[tt.rule] {
			t.Errorf("test names rule %q, which nameRules does not have", tt.rule)
		}
	}
}

func TestSplitJoinedLanguages(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Anna Martel und Lea Wagner", []string{"Anna Martel", "Lea Wagner"}},
		{"Trine Jørgensen og Tôrtia Johansen", []string{"Trine Jørgensen", "Tôrtia Johansen"}},
		{"Anna Martel, Lea Wagner", []string{"Anna Martel", "Lea Wagner"}},
		{"Doe, Jane", []string{"Doe, Jane"}},
	}
	for _, tt := range tests {
		if got := splitJoined([]string{tt.in}); !slices.Equal(got, tt.want) {
			t.Errorf("splitJoined(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestByWordNames(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"Von Seb Example, Lille", []string{"Seb Example", "Lille"}},
		{"Por María López y Juan Pérez", []string{"María López", "Juan Pérez"}},
		{"Von Anfang an war klar, dass es schwer wird", nil},
		{"Par ailleurs, le gouvernement a annoncé", nil},
	}
	for _, tt := range tests {
		if got := byWordNames(tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("byWordNames(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestLabelledAuthors(t *testing.T) {
	tests := []struct {
		lines []string
		want  []string
	}{
		{[]string{"Datum 28.04.2023", "Autorin/Autor Roman Example"}, []string{"Roman Example"}},
		{[]string{"Author: Jane Doe and John Roe"}, []string{"Jane Doe", "John Roe"}},
		{[]string{"Autor des Jahres wird ausgezeichnet"}, nil}, // a sentence, not a label
	}
	for _, tt := range tests {
		if got := labelledAuthors(tt.lines); !slices.Equal(got, tt.want) {
			t.Errorf("labelledAuthors(%q) = %q, want %q", tt.lines, got, tt.want)
		}
	}
}

// TestAuthorSources reads authors from the sources beside JSON-LD: link
// preview labels, author-page links in the header, and the site's own
// name when it is the only byline.
func TestAuthorSources(t *testing.T) {
	tests := []struct {
		name, head, body string
		want             []string
	}{
		{"written by preview label",
			`<meta name="author" content="jdoe@example.com"><meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Jane Doe">`,
			`<h1>A headline of some length</h1><p>` + strings.Repeat("Body text. ", 30) + `</p>`,
			[]string{"Jane Doe"}},
		{"author page link before the prose",
			`<meta name="author" content="EXAMPLE">`,
			`<h1>A headline of some length</h1><div>von <a href="/autoren/name/max-kolter">Dr. Max Kolter</a></div><p>` + strings.Repeat("Body text. ", 30) + `</p><p>Related: <a href="/autoren/name/other">Other Writer</a></p>`,
			[]string{"Dr. Max Kolter"}},
		{"the site as the only byline",
			`<meta property="og:site_name" content="Example.at"><script type="application/ld+json">{"@type":"NewsArticle","headline":"A headline of some length","author":{"@type":"Organization","name":"Example.at"}}</script>`,
			`<h1>A headline of some length</h1><p>` + strings.Repeat("Body text. ", 30) + `</p>`,
			[]string{"Example.at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(`<html><head>` + tt.head + `</head><body>` + tt.body + `</body></html>`))
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse("https://www.example.at/news/1.html")
			m := readMetadata(doc, u, http.Header{})
			m.readLines(pageLines(findElement(doc, "body")))
			m.harvest(nil, "")
			if got := m.dropPublisher(m.authors); !slices.Equal(got, tt.want) {
				t.Errorf("authors %q, want %q", got, tt.want)
			}
		})
	}
}
