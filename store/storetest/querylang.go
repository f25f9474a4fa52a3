package storetest

import (
	"errors"
	"testing"
	"time"

	"newsarc/store"
)

// The query-language corpus: English words together and apart, Chinese
// words whose bigrams are all there but out of order, and keyword fields.
var (
	qlTradeWar = qlArticle("bbc", "en", "https://bbc.example/trade-war", "Trade war talks resume",
		"Officials said the trade war could end soon. Voting season looms.", "World", []string{"trade"}, "Jane Doe")
	qlWarOnTrade = qlArticle("reuters", "en", "https://reuters.example/markets", "Markets rally",
		"The war on trade barriers continues, and elected officials cheer.", "Business", []string{"markets"}, "John Smith")
	qlEconomist = qlArticle("xinhua", "zh", "https://xinhua.example/tariff.html", "国务院关税税则委员会公告",
		"国务院关税税则委员会发布公告，一位经济学家解读调整。", "国内", []string{"经济"}, "张伟")
	qlApart = qlArticle("people", "zh", "https://people.example/committee.html", "委员会与国务院",
		"学家研究经济学，关税由委员会讨论，国务院审议。", "国际", []string{"经济学"}, "李娜")
)

func qlArticle(site, lang, url, title, text, section string, tags []string, author string) *store.Article {
	a := article(site, lang, url, title, text, time.Date(2025, 5, 1, 8, 0, 0, 0, cst), author)
	a.Section, a.Tags = section, tags
	return a
}

// testQueryLanguage checks every operator of the query language (see
// store.ParseQuery) in Search and Scan, and that a bad query fails with a
// *store.QueryError.
func testQueryLanguage(t *testing.T, s store.Store) {
	mustPut(t, s, qlTradeWar, qlWarOnTrade, qlEconomist, qlApart)
	for _, c := range []struct {
		name, text string
		want       []*store.Article
		marked     bool // every hit has a marked fragment
	}{
		{"And", "trade officials", []*store.Article{qlTradeWar, qlWarOnTrade}, true},
		{"AndNarrows", "trade season", []*store.Article{qlTradeWar}, true},
		{"ExplicitAnd", "trade AND season", []*store.Article{qlTradeWar}, true},
		{"Or", "season OR markets", []*store.Article{qlTradeWar, qlWarOnTrade}, true},
		{"OrChinese", "经济学家 OR 审议", []*store.Article{qlEconomist, qlApart}, true},
		{"OrBindsTighter", "officials season OR barriers", []*store.Article{qlTradeWar, qlWarOnTrade}, true},
		{"Not", "trade -season", []*store.Article{qlWarOnTrade}, true},
		{"NotOnly", "-trade", []*store.Article{qlEconomist, qlApart}, false},
		{"NotPhrase", `trade -"trade war"`, []*store.Article{qlWarOnTrade}, true},
		{"Phrase", `"trade war"`, []*store.Article{qlTradeWar}, true},
		{"SameWordsApart", "trade war", []*store.Article{qlTradeWar, qlWarOnTrade}, true},
		{"ChinesePhrase", `"经济学家"`, []*store.Article{qlEconomist}, true},
		{"ChineseWordsApart", "经济学家", []*store.Article{qlEconomist, qlApart}, true},
		{"ChineseLongPhrase", `"国务院关税税则委员会"`, []*store.Article{qlEconomist}, true},
		{"Prefix", "offic*", []*store.Article{qlTradeWar, qlWarOnTrade}, true},
		{"PrefixNarrows", "rall*", []*store.Article{qlWarOnTrade}, true},
		{"PrefixChinese", "经济学*", []*store.Article{qlEconomist, qlApart}, true},
		{"PrefixChineseOneCharacter", "审*", []*store.Article{qlApart}, true},
		{"Title", "title:markets", []*store.Article{qlWarOnTrade}, true},
		{"TitleNotBody", "title:trade", []*store.Article{qlTradeWar}, true},
		{"TitlePhraseChinese", `title:"税则委员会"`, []*store.Article{qlEconomist}, true},
		{"TitlePrefix", "title:resum*", []*store.Article{qlTradeWar}, true},
		{"Author", `author:"Jane Doe"`, []*store.Article{qlTradeWar}, false},
		{"AuthorChinese", "author:张伟", []*store.Article{qlEconomist}, false},
		{"Site", "site:reuters", []*store.Article{qlWarOnTrade}, false},
		{"SitePrefix", "site:xin*", []*store.Article{qlEconomist}, false},
		{"Section", "section:国际", []*store.Article{qlApart}, false},
		{"Tag", "tag:经济", []*store.Article{qlEconomist}, false},
		{"TagPrefix", "tag:经济*", []*store.Article{qlEconomist, qlApart}, false},
		{"ScopeAndWord", "site:bbc officials", []*store.Article{qlTradeWar}, true},
		{"NotScope", "officials -site:bbc", []*store.Article{qlWarOnTrade}, true},
		{"Group", "(season OR 国务院) -title:公告", []*store.Article{qlTradeWar, qlApart}, true},
		{"PunctuationAlternative", "season OR ，", []*store.Article{qlTradeWar}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := mustSearch(t, s, store.Query{Text: c.text})
			checkIDs(t, res, false, c.want...)
			if c.marked {
				for _, h := range res.Hits {
					if !markedIn(h.Fragments, "") {
						t.Errorf("Search(%q) hit %q: fragments %q mark nothing", c.text, h.Article.Title, h.Fragments)
					}
				}
			}
			if got := scanAll(t, s, store.Query{Text: c.text}); len(got) != len(c.want) {
				t.Errorf("Scan(%q) visited %d articles, want %d", c.text, len(got), len(c.want))
			}
		})
	}
	t.Run("BadQuery", func(t *testing.T) {
		for _, text := range []string{`trade "war`, "trade OR", "(trade", "title:"} {
			_, err := s.Search(t.Context(), store.Query{Text: text})
			var qe *store.QueryError
			if !errors.As(err, &qe) {
				t.Errorf("Search(%q) error = %v, want a *store.QueryError", text, err)
			}
			err = s.Scan(t.Context(), store.Query{Text: text}, func(*store.Article) error { return nil })
			if !errors.As(err, &qe) {
				t.Errorf("Scan(%q) error = %v, want a *store.QueryError", text, err)
			}
		}
		_, err := s.Search(t.Context(), store.Query{Text: `关税 "国务院`})
		if err == nil || err.Error()[len(err.Error())-len("query: unclosed quote at 4"):] != "query: unclosed quote at 4" {
			t.Errorf(`Search(关税 "国务院) error = %v, want one ending "query: unclosed quote at 4"`, err)
		}
	})
}
