package extract

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNextPage(t *testing.T) {
	const dir = "testdata/zh-audit2-paginated"
	const page1 = "https://www.hxgc.cn/shendu/2025-02/18/content_4812093.htm"
	for _, tt := range []struct{ file, url, want string }{
		{"source.html", page1, "https://www.hxgc.cn/shendu/2025-02/18/content_4812093_2.htm"},
		{"page2.html", "https://www.hxgc.cn/shendu/2025-02/18/content_4812093_2.htm", "https://www.hxgc.cn/shendu/2025-02/18/content_4812093_3.htm"},
		{"variant-bar-inside.html", page1, "https://www.hxgc.cn/shendu/2025-02/18/content_4812093_2.htm"},
	} {
		body, err := os.ReadFile(filepath.Join(dir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := NextPage(tt.url, nil, body); got != tt.want {
			t.Errorf("%s: NextPage = %q, want %q", tt.file, got, tt.want)
		}
	}
}

func TestNextPageSynthetic(t *testing.T) {
	for _, tt := range []struct{ name, url, html, want string }{
		{"paging bar only", "https://a.example.com/news/2025/0218/c123.html",
			`<div class="pages"><a href="c123_2.html">2</a> <a href="c123_2.html">下一页</a></div>`, "https://a.example.com/news/2025/0218/c123_2.html"},
		{"number only", "https://a.example.com/a/4567",
			`<p><span>1</span> <a href="/a/4567/2">2</a> <a href="/a/4567/3">3</a></p>`, "https://a.example.com/a/4567/2"},
		{"query page", "https://a.example.com/article.php?id=88",
			`<a href="article.php?id=88&amp;page=2">Next</a>`, "https://a.example.com/article.php?id=88&page=2"},
		{"query list", "https://a.example.com/list.php?cat=3",
			`<a href="list.php?cat=3&amp;page=2">下一页</a>`, ""},
		{"query page same id", "https://a.example.com/story/88-mayor-speaks",
			`<a href="/story/88-mayor-speaks?page=2">Next page</a>`, "https://a.example.com/story/88-mayor-speaks?page=2"},
		{"next article", "https://a.example.com/news/content_100.htm",
			`<a href="content_101.htm">下一篇：市里再添新公园</a><a rel="next" href="content_101.htm">›</a>`, ""},
		{"channel list", "https://a.example.com/shendu/index.htm",
			`<link rel="next" href="index_2.htm"><a href="index_2.htm">下一页</a>`, ""},
		{"channel directory", "https://a.example.com/shendu/",
			`<a href="/shendu/2/">下一页</a><a href="/shendu/?page=2">Next</a>`, ""},
		{"wordpress list", "https://a.example.com/category/world/",
			`<link rel="next" href="https://a.example.com/category/world/page/2/">`, ""},
		{"other host", "https://a.example.com/a/c_100.htm",
			`<a href="https://b.example.org/a/c_100_2.htm">下一页</a>`, ""},
		{"no paging", "https://a.example.com/a/c_100.htm", `<p>正文</p>`, ""},
	} {
		if got := NextPage(tt.url, nil, []byte(tt.html)); got != tt.want {
			t.Errorf("%s: NextPage = %q, want %q", tt.name, got, tt.want)
		}
	}
}
