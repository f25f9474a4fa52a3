package extract

import "testing"

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
