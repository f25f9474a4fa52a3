package extract

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"newsarc/store"
)

const simOriginal = `Container traffic at three of the country's busiest harbours came to a standstill on Tuesday after dock workers walked out in a dispute over pay and the introduction of automated cranes.

Union officials said more than 4,000 workers had joined the strike, which began at 6am and is expected to last 48 hours. Shipping lines warned that hundreds of containers would be stranded on quaysides and that several vessels had already been diverted to ports abroad.

"Our members have been left with no choice," said the union's regional secretary, who accused port operators of refusing to guarantee jobs once the new equipment is installed. "Talks over automation have collapsed, and the operators walked away from the table."

The port operators said in a joint statement that they had offered a pay rise of 5% this year and a further 4% next year, and that no compulsory redundancies were planned. They urged the union to return to talks through the conciliation service.

Retailers and manufacturers, still recovering from last year's disruption in the Red Sea, said the timing could hardly be worse. A spokesperson for the national freight association estimated that each day of the strike would delay goods worth about £150m.

The government said it was monitoring the situation closely but would not intervene in what it described as a matter for employers and unions.`

const simOther = `The city council approved a new budget on Monday that raises spending on public libraries and parks while freezing property taxes for the third year in a row.

Council members debated for more than six hours before the final vote, with several members arguing that the plan relies too heavily on one-time revenue from the sale of municipal land.

The mayor praised the outcome, saying the budget reflects the priorities residents expressed during a series of town hall meetings last autumn. Opponents warned that the city could face a deficit within two years if revenue falls short of projections.

The budget also includes funding for 40 additional bus drivers, a new youth employment programme and repairs to the aging water treatment plant on the east side of the city.`

const simZH = `国务院新闻办公室18日举行新闻发布会，介绍今年一季度国民经济运行情况。国家统计局新闻发言人表示，一季度国内生产总值同比增长百分之五点三，比上年四季度加快零点一个百分点，经济运行开局良好。

从生产看，规模以上工业增加值同比增长百分之六点一，服务业增加值增长百分之五点零。从需求看，社会消费品零售总额增长百分之四点七，固定资产投资增长百分之四点五。

发言人指出，当前外部环境复杂严峻，国内有效需求仍显不足，下一步要继续加大宏观政策调控力度，巩固和增强经济回升向好态势。`

const simZHOther = `记者从市教育局获悉，今年秋季学期全市将新增中小学学位两万个，新建改扩建学校三十所，重点缓解城区新建住宅小区周边入学压力。

教育局负责人介绍，新建学校将全部按照省级标准化学校要求配备图书室、实验室和体育场地，并同步招聘教师一千二百名。对于随迁子女入学，全市将继续实行积分入学与就近入学相结合的办法。

家长可以通过市教育局官方网站查询学区划分情况，报名时间为七月一日至七月十五日。`

func TestSimHash(t *testing.T) {
	// A reprint: another site's byline, two reworded phrases, different
	// white space.
	reprint := "By Staff Reporter\n\n" + strings.Replace(simOriginal, "said the timing could hardly be worse", "said the timing could not be worse", 1)
	reprint = strings.Replace(reprint, "closely", "carefully", 1)
	zhReprint := "（来源：新华社）" + strings.Replace(simZH, "经济运行开局良好", "经济运行实现良好开局", 1)

	for _, tc := range []struct {
		name     string
		a, b     string
		min, max int
	}{
		{"identical", simOriginal, simOriginal, 0, 0},
		{"white space only", simOriginal, strings.Join(strings.Fields(simOriginal), " "), 0, 0},
		{"reprint with small edits", simOriginal, reprint, 0, 3},
		{"chinese reprint with small edits", simZH, zhReprint, 0, 3},
		{"different articles", simOriginal, simOther, 12, 64},
		{"different chinese articles", simZH, simZHOther, 12, 64},
		{"english and chinese", simOriginal, simZH, 12, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := store.Hamming(SimHash(tc.a), SimHash(tc.b))
			if d < tc.min || d > tc.max {
				t.Errorf("distance %d, want %d..%d", d, tc.min, tc.max)
			}
		})
	}
	if SimHash("") != 0 {
		t.Error("SimHash of empty text is not 0")
	}
}

// simHashRef is SimHash as first written (words gathered as strings,
// hash/fnv, a vote counter per bit), kept to check the allocation-free
// version against.
func simHashRef(text string) uint64 {
	var toks []string
	var b strings.Builder
	flush := func() {
		if utf8.RuneCountInString(b.String()) > 3 {
			toks = append(toks, b.String())
		}
		b.Reset()
	}
	for _, r := range text {
		switch {
		case r >= cjkHangulLow && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			flush()
			toks = append(toks, string(r))
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
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

// TestSimHashAsReference compares SimHash with simHashRef on texts of
// every script it treats apart, long words, invalid UTF-8 and random
// mixes of them (TestLitRegexpMatchesAsRegexp compares them on the
// fixtures' and the sets' texts too).
func TestSimHashAsReference(t *testing.T) {
	texts := []string{"", "a", "abcd", "ABCD Éclair ÉCLAIR straße İstanbul ǅemal", simOriginal, simOther, simZH, simZHOther,
		"ひらがなカタカナ한국어 mixed漢字words", strings.Repeat("x", 200) + " " + strings.Repeat("Ж", 100),
		"ab\xffcd efgh\xe4\xb8 ijkl",
		"١٢٣٤ ٥٦٧٨ Ⅻ½ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ｆｕｌｌｗｉｄｔｈ",
		// Thousands of features: the byte counters spill many times.
		strings.Repeat(simZH, 7) + strings.Repeat(simOriginal, 5),
		// One feature a thousand times: a counter of each set bit passes 255.
		strings.Repeat("word ", 1000), strings.Repeat("經濟", 700)}
	alphabet := []rune("aZ9 .Éßǅ漢かカ한Ж١Ⅻ½\u0301\ufffd\u00a0ｆ𝔘")
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		rs := make([]rune, r.IntN(80))
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		texts = append(texts, string(rs))
	}
	for _, s := range texts {
		if got, want := SimHash(s), simHashRef(s); got != want {
			t.Errorf("SimHash(%q) = %016x, reference %016x", s, got, want)
		}
	}
}
