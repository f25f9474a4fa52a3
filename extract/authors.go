package extract

// Authors: names from JSON-LD, meta tags, links and bylines, split into
// people and cleaned of roles, dates and the site's own name.

import (
	"regexp"
	"slices"
	"strings"
)

func (m *metadata) setAuthors(names []string, src string) {
	if len(names) > 0 {
		m.authors, m.authorsSrc = names, src
	}
}

// labelNames reads the names after "作者：": up to four, separated by
// spaces or 、, stopping at the next label or a date.
func labelNames(rest string) []string {
	var names []string
	for _, tok := range strings.FieldsFunc(rest, func(r rune) bool {
		return r == ' ' || r == '、' || r == ',' || r == '，' || r == '|' || r == '｜' || r == ';' || r == '；'
	}) {
		if strings.ContainsAny(tok, ":：") || rxFieldWord.MatchString(tok) || tok[0] >= '0' && tok[0] <= '9' || len(names) == 4 {
			break
		}
		if runeLen(tok) <= 12 {
			names = append(names, tok)
		}
	}
	return cleanNames(names)
}

// rxJoinedNames separates names that a structured author value joins
// ("Kevin Strand and Alan Whitaker", "张三、李四"); commas are left alone,
// since "Doe, Jane" is one name.
var rxJoinedNames = regexp.MustCompile(`\s+(?:and|&)\s+|\s*[、；;]\s*`)

// splitJoined splits each structured author value into the names it joins.
func splitJoined(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, rxJoinedNames.Split(v, -1)...)
	}
	return out
}

// splitNames splits "A, B and C" into names.
func splitNames(s string) []string {
	s = rxNameTail.ReplaceAllString(s, "")
	return rxNameSep.Split(s, -1)
}

var (
	rxNameTail = regexp.MustCompile(`\s*[|·•].*$|\s+[-—–]\s+.*$`)
	rxHan      = regexp.MustCompile(`\p{Han}`)
	rxNameSep  = regexp.MustCompile(`\s*(?:,|，|、|&|\band\b|\s和\s)\s*`)
)

// rxRolePrefix matches the role words before a Chinese byline name.
var rxRolePrefix = regexp.MustCompile(`^(?:(?:本报|本刊|本台|本网|特约|见习|实习|首席|驻\p{Han}{1,4})*(?:记者|記者|通讯员|通訊員|评论员|評論員|特约评论员|作者|撰稿|撰文|编译|编辑|編輯))(?:[\s:：/／|｜丨]+|$)`)

// cleanNames trims, drops "By" prefixes and Chinese role words, duplicates, URLs and values
// that are not names: CMS user ids ("105261") and staff codes ("zx0176"),
// which have more digits than letters.
func cleanNames(in []string) []string {
	var out []string
	for _, n := range in {
		n = collapse(n)
		n = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(n, "By "), "by "))
		if rxHan.MatchString(n) {
			// "（记者 顾城）", "记者 李明", "评论员": the role is not the name.
			n = strings.TrimSpace(strings.Trim(n, "（）()[]【】 "))
			n = strings.TrimSpace(rxRolePrefix.ReplaceAllString(n, ""))
		}
		if n == "" || runeLen(n) > 60 || strings.Contains(n, "://") || strings.HasPrefix(n, "www.") || slices.Contains(out, n) {
			continue
		}
		if digits := countDigits(n); digits > 0 && digits >= letterCount(n)-digits {
			continue
		}
		out = append(out, n)
	}
	return out
}

// countDigits counts the ASCII digits of s.
func countDigits(s string) int {
	k := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			k++
		}
	}
	return k
}

// notSite drops the names that are the site's (siteNames) and those of
// software and its vendors that templates leave in author tags ("Discuz!
// Team and Comsenz UI Team", "WordPress", "Powered by …").
func (m *metadata) notSite(names []string) []string {
	var out []string
	for _, n := range names {
		if !matchesName(n, m.siteNames) && !rxVendorName.MatchString(n) {
			out = append(out, n)
		}
	}
	return out
}

// rxVendorName matches author values that name software, its vendor or
// a site's staff account rather than a writer.
var rxVendorName = regexp.MustCompile(`(?i)discuz|comsenz|wordpress|joomla|drupal|dedecms|phpcms|empirecms|帝国cms|织梦|powered\s+by|\bteam\b|^(?:admin|administrator|webmaster|root|管理员|站长)$`)

// dropPublisher drops authors that are only the site's name: a portal that
// posts under its own account has no author worth recording.
func (m *metadata) dropPublisher(authors []string) []string {
	var out []string
	for _, a := range authors {
		if !matchesName(a, append([]string{m.publisher.val}, m.siteNames...)) {
			out = append(out, a)
		}
	}
	return out
}
