package extract

import (
	"testing"

	"golang.org/x/net/html"
)

// Each rule of bodyLineRules with lines it takes and a line it must leave.
func TestBodyLineRules(t *testing.T) {
	tests := []struct {
		line string
		lead int
		want string // rule name; "" for a line that stays
	}{
		{"来源：新华社", 9, "label line (source, editor, notice, read more, edition, cover credit)"},
		{"责任编辑：张三", 9, "label line (source, editor, notice, read more, edition, cover credit)"},
		{"By Jane Doe", 2, "byline"},
		{"上一页 1 2 3 下一页", 9, "furniture or paging line"},
		{"扫码下载客户端", 9, "prompt (scan, download, follow) without a sentence end"},
		{"Lesen Sie auch", 9, "heading of a related-stories, most-read or comments block"},
		{"関連記事", 9, "heading of a related-stories, most-read or comments block"},
		{"Czytaj więcej", 9, "heading of a related-stories, most-read or comments block"},
		{"Kristy Sparow/Stringer/Getty Images", 9, "photo credit: names and an agency"},
		{"Die Argentinier stehen nach dem Sieg im Halbfinale. Foto: dpa", 9, "caption ending in a photo credit"},
		{"移送のため警視庁を出る容疑者＝13日、東京・霞ケ関で（潟沼義樹撮影）", 9, "caption ending in a photo credit"},
		{"(Photos by Associated Press; photo illustration by Tim Hubbard / Los Angeles Times)", 9, "caption ending in a photo credit"},
		{"A file photograph shows the minister in Shah Alam on November 19, 2024. — Picture by Yusof Mat Isa", 9, "caption ending in a photo credit"},
		{"Vicente Aguiar loads garage door trims outside a Home Depot in Hialeah, Fla. (AP Photo/Alan Diaz, File)", 9, "caption ending in a photo credit"},
		{"In this Dec. 12, 2006, file photo, made available by NASA, astronaut Robert L. Curbeam Jr. works outside.", 9, "wire-service caption"},
		{"Continue Reading Below", 9, "ad or media label"},
		{"Mit Agenturmaterial.", 9, "agency note or author sign-off"},
		{"(dmk)", 9, "agency note or author sign-off"},
		{"Skip to Content", 1, "skip link"},
		{"Stand: 20:03 Uhr | Lesedauer: 4 Minuten", 9, "reading time or time since the last update"},
		{"Published Jun 04, 2026 • Last updated 1 day ago • 2 minute read", 9, "reading time or time since the last update"},
		{"The photographer said: we waited for hours in the rain.", 9, ""},
		{"Anzeige", 9, "ad or media label"},
		{"00:00 / 03:15", 9, "ad or media label"},
		{"Reporting by Maya Gebeilly in Beirut; Writing by David Clarke; Editing by Alex Rich", 9, "credits line (reporting, writing, editing by)"},
		{"Publisert torsdag 09. mai 2024 - 13:26", 9, "publish or update label with a date"},
		{"Posted on social media by the analysts, the port of the game runs at 30 frames per second in 2019.", 9, ""},
		{"图为北京街头。新华社记者 李四 摄", 9, "Chinese photo caption or credit"},
		{"Council delays budget vote", 1, "the title repeated"},
		{"The vote moves to March", 2, "the subtitle repeated at the top"},
		{"The vote moves to March", 9, ""},
		{"2025年2月18日 上午5:44", 2, "date or relative byline at the top"},
		{"2025年2月18日 上午5:44", 9, ""},
		{"The council met on Tuesday and voted to delay its budget until March, members said.", 3, ""},
		{"市政府周二召开会议，决定将预算表决推迟到三月。", 3, ""},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			n := &html.Node{Type: html.ElementNode, Data: "p"}
			n.AppendChild(&html.Node{Type: html.TextNode, Data: tc.line})
			c := lineCtx{n: n, t: tc.line, f: foldZH(tc.line), runes: runeLen(tc.line), lead: tc.lead,
				title: "Council delays budget vote", subtitles: []string{"The vote moves to March"}}
			got := ""
			if r := matchLine(&c); r != nil {
				got = r.name
			}
			if got != tc.want {
				t.Errorf("matchLine = %q, want %q", got, tc.want)
			}
		})
	}
}
