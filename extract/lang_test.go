package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"chinese", "国家统计局今日发布数据，一月份全国居民消费价格指数同比上涨。", "zh"},
		{"chinese with latin terms", "DeepSeek以远低于OpenAI的成本训练出了效果接近甚至部分优于OpenAI-o1的模型。", "zh"},
		{"japanese", "日本銀行は金融政策決定会合で、政策金利の引き上げを決めました。", "ja"},
		{"korean", "한국은행은 기준금리를 동결하기로 결정했다고 밝혔습니다.", "ko"},
		{"english", "Container traffic at three of the country's busiest harbours came to a standstill on Tuesday.", "en"},
		{"german", "Die Regierung hat am Dienstag beschlossen, dass die Steuern nicht erhöht werden und die Bürger entlastet werden.", "de"},
		{"french", "Le gouvernement a annoncé mardi que les impôts ne seront pas augmentés pour les ménages et les entreprises.", "fr"},
		{"russian", "Правительство объявило во вторник о новых мерах поддержки экономики.", "ru"},
		{"too short", "OK", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detectLanguage(tt.text); got != tt.want {
				t.Errorf("detectLanguage = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeLang(t *testing.T) {
	for in, want := range map[string]string{"zh-CN": "zh", "en_US": "en", "zh-Hans": "zh", "EN": "en", "": "", "x": "", "en-GB, fr": "en"} {
		if got := normalizeLang(in); got != want {
			t.Errorf("normalizeLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCountWords(t *testing.T) {
	for in, want := range map[string]int{"国家统计局": 5, "Hello, world": 2, "DeepSeek以远低于OpenAI的成本": 9, "it's 4,000 workers": 3} {
		if got := countWords(in); got != want {
			t.Errorf("countWords(%q) = %d, want %d", in, got, want)
		}
	}
}

// latinLanguageRef is latinLanguage as first written (the whole text
// lower-cased and split, the stopword index built on every call), kept to
// check the streaming version against.
func latinLanguageRef(text string) string {
	counts := map[string]int{}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) > 2000 {
		words = words[:2000]
	}
	index := map[string][]string{}
	for lang, ws := range stopwords {
		for _, w := range ws {
			index[w] = append(index[w], lang)
		}
	}
	for _, w := range words {
		for _, lang := range index[w] {
			counts[lang]++
		}
	}
	best, bestN := "en", counts["en"]
	for _, lang := range []string{"de", "fr", "es", "it", "pt", "nl"} {
		if counts[lang] > bestN*3/2 {
			best, bestN = lang, counts[lang]
		}
	}
	return best
}

// TestLatinLanguageAsReference compares latinLanguage with
// latinLanguageRef on random mixes of stopwords of every language, cased
// and split by all sorts of runes, past the 2,000-word cut
// (TestLitRegexpMatchesAsRegexp compares them on the fixtures' and the
// sets' texts too).
func TestLatinLanguageAsReference(t *testing.T) {
	var vocab []string
	for _, ws := range stopwords {
		vocab = append(vocab, ws...)
	}
	vocab = append(vocab, "Über", "ÉTÉ", "straße", "İstanbul", "ǅemal", "x\u0301y", "\xff", "١٢", "漢字", "ДА")
	seps := []string{" ", "  ", ", ", "\n", "-", "'", "’", "1", "\u00a0", "Ⅻ", "½"}
	r := rand.New(rand.NewPCG(5, 6))
	texts := []string{"", "the", "THE DER LE",
		// German by the 2,000th word, English without the cut: the 10
		// words before it decide.
		strings.Repeat("the ", 796) + strings.Repeat("der ", 1204) + strings.Repeat("the ", 100)}
	if got := latinLanguageRef(texts[3]); got != "de" {
		t.Fatalf("the text around the cut is %s to the reference, want de", got)
	}
	for range 300 {
		var b strings.Builder
		n := r.IntN(60)
		if r.IntN(10) == 0 {
			n = 1990 + r.IntN(30) // around the cut
		}
		for range n {
			w := vocab[r.IntN(len(vocab))]
			if r.IntN(4) == 0 {
				w = strings.ToUpper(w)
			}
			b.WriteString(w)
			b.WriteString(seps[r.IntN(len(seps))])
		}
		texts = append(texts, b.String())
	}
	langs := map[string]int{}
	for _, s := range texts {
		got, want := latinLanguage(s), latinLanguageRef(s)
		if got != want {
			t.Errorf("latinLanguage(%.80q) = %s, reference %s", s, got, want)
		}
		langs[want]++
	}
	if len(langs) < 4 {
		t.Errorf("the texts gave only %v: the comparison proves little", langs)
	}
}
