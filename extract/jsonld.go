package extract

// JSON-LD: the article object, breadcrumbs and site name a page declares.

import (
	"encoding/json"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// ldInfo is what newsarc reads from a page's JSON-LD.
type ldInfo struct {
	article     map[string]any // the first object of an article type
	articleType string
	types       []string // all @type values seen
	breadcrumb  []string
	siteName    string // WebSite name
}

func readJSONLD(gq *goquery.Document) ldInfo {
	var info ldInfo
	var visit func(v any)
	visit = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				visit(x)
			}
		case map[string]any:
			if g, ok := v["@graph"]; ok {
				visit(g)
			}
			for _, t := range ldStrings(v["@type"]) {
				info.types = append(info.types, t)
				switch {
				case info.article == nil && (rxArticleType.MatchString(t) || t == "WebPage" && v["headline"] != nil):
					info.article, info.articleType = v, t
				case t == "BreadcrumbList" && info.breadcrumb == nil:
					items, _ := v["itemListElement"].([]any)
					for _, it := range items {
						if im, ok := it.(map[string]any); ok {
							name := ldString(im["name"])
							if name == "" {
								name = ldString(im["item"])
							}
							info.breadcrumb = append(info.breadcrumb, name)
						}
					}
				case t == "WebSite" && info.siteName == "":
					info.siteName = ldString(v["name"])
				}
			}
		}
	}
	gq.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		raw := strings.TrimSpace(s.Text())
		raw = strings.TrimSuffix(strings.TrimPrefix(raw, "<![CDATA["), "]]>")
		var v any
		if json.Unmarshal([]byte(raw), &v) == nil {
			visit(v)
		}
	})
	return info
}

// ldString reads a JSON-LD value as one string: a string, an object's
// name (or @value, url), or an array's first such value.
func ldString(v any) string {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, "&") {
			v = html.UnescapeString(v) // "R&uuml;ckbau": HTML escaped inside the JSON
		}
		return strings.TrimSpace(v)
	case map[string]any:
		for _, k := range []string{"name", "@value", "url", "contentUrl"} {
			if s := ldString(v[k]); s != "" {
				return s
			}
		}
	case []any:
		for _, x := range v {
			if s := ldString(x); s != "" {
				return s
			}
		}
	}
	return ""
}

// ldStrings reads a JSON-LD value as a list of strings.
func ldStrings(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			if s := ldString(x); s != "" {
				out = append(out, s)
			}
		}
	default:
		if s := ldString(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}
