package extract

// Authors: names from JSON-LD, meta tags, links and bylines, split into
// people and cleaned of roles, dates and the site's own name.

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
// ("Kevin Strand and Alan Whitaker", "Anna Martel und Lea Wagner",
// "张三、李四"): the word "and" in the languages of European news, "&",
// "、" and ";".
var rxJoinedNames = regexp.MustCompile(`\s+(?:and|und|og|och|en|et|y|e|i|ja|és|a|ve|и)\s+|\s*[&、；;]\s*`)

// rxLastFirst matches a value that is one name written surname first:
// "Doe, Jane".
var rxLastFirst = regexp.MustCompile(`^[^\s,]+,\s*[^\s,]+$`)

// splitJoined splits each structured author value into the names it
// joins; commas too ("Anna Martel, Lea Wagner"), unless the value is
// one name surname first ("Doe, Jane").
func splitJoined(values []string) []string {
	var out []string
	for _, v := range values {
		for _, p := range rxJoinedNames.Split(v, -1) {
			if rxLastFirst.MatchString(strings.TrimSpace(p)) {
				out = append(out, p)
				continue
			}
			out = append(out, rxNameSep.Split(p, -1)...)
		}
	}
	return out
}

// splitNames splits "A, B and C" into names.
func splitNames(s string) []string {
	s = rxNameTail.ReplaceAllString(s, "")
	var out []string
	for _, p := range rxNameSep.Split(s, -1) {
		out = append(out, rxJoinedNames.Split(p, -1)...)
	}
	return out
}

var (
	rxNameTail = regexp.MustCompile(`\s*[|·•].*$|\s+[-—–]\s+.*$`)
	rxHan      = regexp.MustCompile(`\p{Han}`)
	rxNameSep  = regexp.MustCompile(`\s*(?:,|，|、|&|\band\b|\s和\s)\s*`)
)

// rxRolePrefix matches the role words before a Chinese byline name.
var rxRolePrefix = regexp.MustCompile(`^(?:(?:本报|本刊|本台|本网|特约|见习|实习|首席|驻\p{Han}{1,4})*(?:记者|記者|通讯员|通訊員|评论员|評論員|特约评论员|作者|撰稿|撰文|编译|编辑|編輯))(?:[\s:：/／|｜丨]+|$)`)

// nameAction is what a nameRule does with the part of a value it matches.
type nameAction int

const (
	cutName    nameAction = iota // cut the match from the value
	cutKeepTwo                   // cut it when two words or more stay ("Von Anna Meier", not "Di Maria")
	dropName                     // the value is no name at all
)

// nameRule is one rule that cleans a non-Chinese author value. Rules run
// in order, each until it no longer matches.
type nameRule struct {
	name string
	re   *regexp.Regexp
	act  nameAction
}

// reRoles are the job titles a byline puts beside a name.
const reRoles = `(?:(?:senior|chief|staff|political|foreign|deputy|special|investigative|sports?|business|science|health|white house|washington|europe|china|middle east)\s+)*` +
	`(?:reporter|correspondent|writer|editor|journalist|contributor|columnist|photographer|analyst|producer|redakteur(?:in)?|korrespondent(?:in)?|journalistin|reporterin|autor(?:in)?|rédactrice|rédacteur|journaliste|correspondant|periodista|corresponsal|redactor|giornalista|inviato|jornalista|repórter|correspondente)s?`

// nameRules clean author values: a label or "By" before the names, and
// after them initials, a link, a date, a social-network link, a job title.
var nameRules = []nameRule{
	{"email", regexp.MustCompile(`[\w.+-]+@[\w-]+\.[\w.-]+`), dropName},
	{"label", regexp.MustCompile(`^(?i:(?:autor(?:in)?|autorin/autor|author|auteur|autore|forfatter|text|texto|testo|tekst)\s*[:：]|(?:written|reported|reporting|text)\s+by\b)\s*`), cutName},
	{"by", regexp.MustCompile(`^(?i:by)\s+`), cutName},
	{"by, other languages", regexp.MustCompile(`^(?i:von|por|par|di|door|av|af|przez|da)\s+`), cutKeepTwo},
	{"bracketed tail", regexp.MustCompile(`\s*[(\[][^()\[\]]{1,30}[)\]]$`), cutName},
	{"date tail", regexp.MustCompile(`(?i)\s*[,|–—-]?\s*(?:\b(?:published|updated|posted|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato)\b.*|\b` + reMonName + `\s+\d{1,2}\b.*|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b.*)$`), cutName},
	{"with agencies", regexp.MustCompile(`(?i)\s+(?:with|mit|avec|con|com|met|med)\s+(?:agencies|agenturen|agences|agencias|agenzie|agências|agentschappen|byråer)$`), cutName},
	{"social tail", regexp.MustCompile(`(?i)\s+(?:twitter|facebook|instagram|linkedin|bluesky|threads|e-?mail|follow(?:\s+on\s+\S+)?)$`), cutName},
	{"role tail", regexp.MustCompile(`(?i)\s*[,|–—-]\s*` + reRoles + `$`), cutName},
	{"role word after the name", regexp.MustCompile(`(?i)\s+` + reRoles + `$`), cutKeepTwo}, // "Jane Doe Reporter", not "Ann Reporter"
	{"role alone", regexp.MustCompile(`(?i)^` + reRoles + `$`), dropName},
}

// applyNameRules cleans one non-Chinese author value; "" when it is no
// name.
func applyNameRules(n string) string {
	for _, r := range nameRules {
		for i := 0; i < 3 && n != ""; i++ {
			loc := r.re.FindStringIndex(n)
			if loc == nil {
				break
			}
			rest := strings.TrimSpace(n[:loc[0]] + n[loc[1]:])
			switch r.act {
			case dropName:
				return ""
			case cutKeepTwo:
				if len(strings.Fields(rest)) < 2 {
					break
				}
				n = rest
				continue
			default:
				n = rest
				continue
			}
			break
		}
	}
	return strings.Trim(n, " ,;:|-–—")
}

// cleanNames trims, drops "By" prefixes and Chinese role words, duplicates, URLs and values
// that are not names: CMS user ids ("105261") and staff codes ("zx0176"),
// which have more digits than letters. Other names go through nameRules.
func cleanNames(in []string) []string {
	var out []string
	for _, n := range in {
		n = collapse(n)
		if rxHan.MatchString(n) {
			n = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(n, "By "), "by "))
			// "（记者 顾城）", "记者 李明", "评论员": the role is not the name.
			n = strings.TrimSpace(strings.Trim(n, "（）()[]【】 "))
			n = strings.TrimSpace(rxRolePrefix.ReplaceAllString(n, ""))
		} else {
			n = applyNameRules(n)
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

// dropPublisher drops authors that are only the site's name, unless the
// page names no one else: a byline that names the publisher ("ORF.at",
// "読売新聞オンライン") is the publisher's own.
func (m *metadata) dropPublisher(authors []string) []string {
	if m.orgByline {
		return authors // the page's only byline is the site's ("ORF.at", "Les Echos")
	}
	var out []string
	for _, a := range authors {
		if !matchesName(a, append([]string{m.publisher.val}, m.siteNames...)) {
			out = append(out, a)
		}
	}
	return out
}

// writtenBy returns the writers that meta tags for link previews name:
// <meta name="twitter:label1" content="Written by"> with twitter:data1
// (as WordPress SEO plugins write it), or "twitter:misc:Written by".
func writtenBy(metas map[string][]string) []string {
	var out []string
	for k, v := range metas {
		if strings.HasPrefix(k, "twitter:misc:") && rxWrittenBy.MatchString(strings.TrimPrefix(k, "twitter:misc:")) {
			out = append(out, v...)
		}
	}
	for i := 1; i <= 4; i++ {
		n := strconv.Itoa(i)
		if l := metas["twitter:label"+n]; len(l) > 0 && rxWrittenBy.MatchString(l[0]) && len(metas["twitter:data"+n]) > 0 {
			out = append(out, metas["twitter:data"+n][0])
		}
	}
	return out
}

// rxWrittenBy matches a preview label that names the writer.
var rxWrittenBy = regexp.MustCompile(`(?i)^(?:written by|author|verfasst von|geschrieben von|autor(?:in)?|écrit par|auteur|escrito por|scritto da|geschreven door|skrevet av|skrivet av)$`)

// rxAuthorPath matches the path of a link to an author's page:
// /author/jane-doe, /autoren/name/max-kolter, /staff/jdoe, /profile/…
var rxAuthorPath = regexp.MustCompile(`(?i)/(?:authors?|autor(?:en|es|i)?|auteurs?|autore|staff|profiles?|journalists?|journalisten|redakteure?|reporters?|writers?|columnists?|people|byline)/[^/?#]+`)

// maxAuthorLinks is how many author-page links authorLinks keeps.
const maxAuthorLinks = 4

// authorLinks returns the texts of links to author pages between the main
// heading h1 and the first paragraph of prose (when there is no h1, up to
// the first paragraph after such a link), up to maxAuthorLinks, that read
// as a name: two to five words, no digits.
func authorLinks(doc, h1 *html.Node) []string {
	var out []string
	seen, prose := h1 == nil, false
	elements(doc, func(n *html.Node) bool {
		if n == h1 {
			seen = true
		}
		if len(out) >= maxAuthorLinks || prose {
			return false
		}
		if seen && n.DataAtom == atom.P {
			if _, short := shortText(n, 150); !short {
				prose = len(out) > 0 || h1 != nil // the body has started: later links are other stories'
				return false
			}
		}
		if !seen || n.DataAtom != atom.A || !rxAuthorPath.MatchString(attr(n, "href")) {
			return true
		}
		if t, ok := shortText(n, 60); ok {
			if w := len(strings.Fields(t)); w >= 2 && w <= 5 && !hasDigit(t) && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
		return false
	})
	return out
}

// rxAuthorLine matches a short line that labels the writers: "Autorin/Autor
// Roman Goncharenko", "Author: Jane Doe", "Texte : Jean Dupont".
var rxAuthorLine = regexp.MustCompile(`^(?i:autor(?:in)?(?:/autor(?:in)?)?|autoren|authors?|auteur(?:e|s)?|autore|autori|forfatter(?:e)?|written by|texte?|tekst|testo)\s*[:：]?\s+(\p{Lu}.{2,80})$`)

// rxPersonName matches a personal name in Latin or Cyrillic script: two to
// four capitalised words.
var rxPersonName = regexp.MustCompile(`^(?:(?:Dr|Prof)\.\s+)?\p{Lu}[\p{L}'’.-]+(?:\s+(?:\p{Lu}[\p{L}'’.-]+|van|von|de|da|der|den|di|du|la|le|y|bin|al)){1,3}$`)

// labelledAuthors returns the names of the first line of lines that labels
// the writers and names people.
func labelledAuthors(lines []string) []string {
	for _, l := range lines {
		if runeLen(l) > 100 {
			continue
		}
		s := rxAuthorLine.FindStringSubmatch(l)
		if s == nil {
			continue
		}
		names := cleanNames(splitNames(s[1]))
		if len(names) > 0 && !slices.ContainsFunc(names, func(n string) bool { return !rxPersonName.MatchString(n) }) {
			return names
		}
	}
	return nil
}

// maxAuthorLines is how many lines from the title on labelledAuthors reads.
const maxAuthorLines = 80

// rxNamedDomain matches a name with the site's domain after it: "Deutsche
// Welle (www.dw.com)", "© 2023 Example News (example.com)".
var rxNamedDomain = regexp.MustCompile(`^(?:©\s*)?(?:\d{4}\s+)?(.+?)\s*\((?:https?://)?([\w.-]+\.[a-z]{2,})/?\)$`)

// domainNamed returns the names in values that give the domain of host:
// the site's own name.
func domainNamed(values []string, host string) []string {
	var out []string
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	for _, v := range values {
		s := rxNamedDomain.FindStringSubmatch(strings.TrimSpace(v))
		if s == nil {
			continue
		}
		if d := strings.TrimPrefix(strings.ToLower(s[2]), "www."); host == d || strings.HasSuffix(host, "."+d) {
			out = append(out, s[1])
		}
	}
	return out
}

// rxByWord matches a byline that opens with "by" in another language:
// "Von Seb Dumitru, Lille", "Por María López", "Par Jean Dupont", "Door
// Jan de Vries", "Av Kari Nordmann". Capitalised, as bylines write it.
var rxByWord = regexp.MustCompile(`^(?:Von|VON|Por|POR|Par|PAR|Di|DI|Door|DOOR|Av|AV|Af|AF|Autor|AUTOR)\s+(\p{Lu}.{2,100})$`)

// byWordNames returns the names of a byline line that opens with "by" in
// a language other than English, when the first reads as a person's name
// (so that "Von Anfang an war klar, …" is no byline) and the others are
// capitalised.
func byWordNames(l string) []string {
	s := rxByWord.FindStringSubmatch(l)
	if s == nil {
		return nil
	}
	names := cleanNames(splitNames(s[1]))
	if len(names) == 0 || !rxPersonName.MatchString(names[0]) {
		return nil
	}
	for _, n := range names[1:] {
		if r, _ := utf8.DecodeRuneInString(n); !unicode.IsUpper(r) {
			return nil
		}
	}
	return names
}
