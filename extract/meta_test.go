package extract

import "testing"

func TestCleanTitle(t *testing.T) {
	names := []string{"广众网", "The Coastal Herald", "example"}
	tests := []struct{ name, in, want string }{
		{"dash site suffix", "评论员:主权AI对南方国家遥不可及 数字主权挑战显现 - 广众网", "评论员:主权AI对南方国家遥不可及 数字主权挑战显现"},
		{"pipe site suffix", "Port strike halts container traffic | The Coastal Herald", "Port strike halts container traffic"},
		{"underscore chain", "多地出台措施支持人工智能产业发展_财经频道_华夏资讯网", "多地出台措施支持人工智能产业发展"},
		{"double hyphen", "我县举办2025年春季农业技术培训班--青川县人民政府", "我县举办2025年春季农业技术培训班"},
		{"han hyphen known name", "大多美国人反对加征关税-广众网", "大多美国人反对加征关税"},
		{"site prefix", "广众网 | 大多美国人反对实施新加征关税措施", "大多美国人反对实施新加征关税措施"},
		{"host label", "Rail fares to rise in March - Example News", "Rail fares to rise in March"},
		{"fullwidth bar", "快讯｜国家统计局：1月份CPI同比上涨0.5%_南方财讯", "快讯｜国家统计局：1月份CPI同比上涨0.5%"},
		{"hyphenated word kept", "COVID-19 cases fall for third week", "COVID-19 cases fall for third week"},
		{"dash in headline kept", "Trump - The interview", "Trump - The interview"},
		{"colon kept", "评论员:主权AI对南方国家遥不可及", "评论员:主权AI对南方国家遥不可及"},
		{"no separator", "国家统计局：1月份CPI同比上涨0.5%", "国家统计局：1月份CPI同比上涨0.5%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanTitle(tt.in, names); got != tt.want {
				t.Errorf("cleanTitle(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEditorName(t *testing.T) {
	for in, want := range map[string]string{"于浩淙": "于浩淙", "于浩淙zx0176": "于浩淙", "张小花TT1000": "张小花", "Li": "Li"} {
		if got := editorName(in); got != want {
			t.Errorf("editorName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHarvestEditorLine(t *testing.T) {
	m := &metadata{}
	m.harvest([]string{"责任编辑:于浩淙 zx0176", "主题测试文章,只做测试使用。发布者:广众网,转转请注明出处:https://www.zmdnky.org.cn/article/10442.html", "来源：新华网 作者：张三 李四"})
	if m.editor.val != "于浩淙" || m.publisher.val != "广众网" || m.source.val != "新华网" {
		t.Errorf("editor %q, publisher %q, source %q", m.editor.val, m.publisher.val, m.source.val)
	}
	if len(m.authors) != 2 || m.authors[0] != "张三" || m.authors[1] != "李四" {
		t.Errorf("authors %q", m.authors)
	}
}
