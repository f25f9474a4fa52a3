package extract

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

const zhText = "国家统计局今日发布数据，一月份全国居民消费价格指数同比上涨百分之零点五，环比上涨百分之零点七。其中，食品价格同比上涨，非食品价格同比上涨，服务价格保持稳定。"

func encode(tb testing.TB, enc encoding.Encoding, s string) []byte {
	tb.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	page := func(meta string) string {
		return "<html><head>" + meta + "<title>测试</title></head><body><p>" + zhText + "</p></body></html>"
	}
	gbkMeta := page(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`)
	plain := page("")
	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantCharset string
		want        string // a substring of the decoded text
	}{
		{"gbk via meta only", "text/html", encode(t, simplifiedchinese.GBK, gbkMeta), "gbk", zhText},
		{"gb18030 via header", "text/html; charset=GB18030", encode(t, simplifiedchinese.GB18030, plain+"𠀀"), "gb18030", "𠀀"},
		{"big5 via meta", "", encode(t, traditionalchinese.Big5, `<html><head><meta charset="big5"></head><body><p>國家統計局今日發布數據，一月份消費價格指數上漲。</p></body></html>`), "big5", "國家統計局"},
		{"utf-8 with bom", "text/html", append([]byte("\xEF\xBB\xBF"), plain...), "utf-8", zhText},
		{"utf-8 undeclared", "", []byte(plain), "utf-8", zhText},
		{"gbk undeclared detected", "text/html", encode(t, simplifiedchinese.GBK, strings.Repeat(plain, 3)), "gb18030", zhText},
		{"header says utf-8, body is gbk with meta", "text/html; charset=utf-8", encode(t, simplifiedchinese.GBK, gbkMeta), "gbk", zhText},
		{"header says latin1, body is utf-8", "text/html; charset=ISO-8859-1", []byte(plain), "utf-8", zhText},
		{"meta says gbk, body is utf-8", "", []byte(gbkMeta), "utf-8", zhText},
		{"quoted sloppy header", `text/html;charset="gbk";`, encode(t, simplifiedchinese.GBK, plain), "gbk", zhText},
		{"ascii with windows-1252 header", "text/html; charset=windows-1252", []byte("<p>plain ascii</p>"), "windows-1252", "plain ascii"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cs, err := Decode(tt.contentType, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if cs != tt.wantCharset {
				t.Errorf("charset = %q, want %q", cs, tt.wantCharset)
			}
			if !strings.Contains(string(got), tt.want) {
				t.Errorf("decoded text lacks %q: %.200s", tt.want, got)
			}
		})
	}
}
