package extract

import (
	"slices"
	"testing"
	"unicode/utf8"
)

func TestFoldZH(t *testing.T) {
	for from, to := range zhFold {
		if utf8.RuneLen(from) != utf8.RuneLen(to) {
			t.Errorf("%c → %c changes the UTF-8 length", from, to)
		}
	}
	if got := foldZH("責任編輯：陳怡君"); got != "责任编辑：陳怡君" {
		t.Errorf("foldZH = %q", got)
	}
	if s := "纯简体"; foldZH(s) != s {
		t.Error("foldZH changed Simplified text")
	}
}

func TestBylineNames(t *testing.T) {
	for _, c := range []struct {
		line   string
		names  []string
		outlet string
	}{
		{"本报记者　邓晓彤", []string{"邓晓彤"}, ""},
		{"江城晚报记者 孙启航 通讯员 冯晓玲 文/摄", []string{"孙启航", "冯晓玲"}, "江城晚报"},
		{"记者：孙启航 通讯员：冯晓玲", []string{"孙启航", "冯晓玲"}, ""},
		{"聯合報／ 記者林志明／台北報導", []string{"林志明"}, "聯合報"},
		{"2025年2月18日 週二 下午2:32 聯合報／ 記者林志明／台北報導", []string{"林志明"}, "聯合報"},
		{"文/张三 图/李四", []string{"张三"}, ""},
		{"作者：王建国 赵丽　　文章来源：临州日报　　点击数：1268", []string{"王建国", "赵丽"}, ""},
		{"本文来源：新京报 作者：林晓雯 责任编辑：王晓武_NN1024", []string{"林晓雯"}, ""},
		{"本文作者：张三、李四", []string{"张三", "李四"}, ""},
		{"记者了解到，下一步将推动补偿机制延伸。", nil, ""},
		{"广大医务工作者表示", nil, ""},
		{"记者从生态环境部获悉：截至目前", nil, ""},
	} {
		b := bylineNames(c.line)
		if !slices.Equal(b.names, c.names) || b.outlet != c.outlet {
			t.Errorf("bylineNames(%q) = %q, %q; want %q, %q", c.line, b.names, b.outlet, c.names, c.outlet)
		}
	}
}

func TestIsBylineLine(t *testing.T) {
	for line, want := range map[string]bool{
		"江城晚报记者 孙启航 通讯员 冯晓玲 文/摄": true,
		"江城晚报记者 孙启航 通讯员 冯晓玲":     true,
		"本报记者 邓晓彤":               true,
		"记者 王建国":                 true,
		"记者节特别报道":                false,
		"2月17日，市民在东湖樱花园内赏樱拍照。晚报记者 孙启航 摄": false,
		"记者了解到，下一步": false,
	} {
		if got := isBylineLine(line); got != want {
			t.Errorf("isBylineLine(%q) = %v", line, got)
		}
	}
}
