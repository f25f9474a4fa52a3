package extract

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// zhFold maps the Traditional forms of the characters that newsarc's
// Chinese label and notice patterns use (责任编辑, 记者, 来源, 转载, 版权所有,
// 延伸阅读, 相关新闻, 发布时间, …) to their Simplified forms. It is used only
// for matching, never for stored text: every pair has the same UTF-8 length,
// so byte offsets found in folded text hold in the original.
var zhFold = map[rune]rune{
	'責': '责', '編': '编', '輯': '辑', '記': '记', '來': '来', '轉': '转', '載': '载', '權': '权', '聲': '声', '閱': '阅',
	'讀': '读', '報': '报', '導': '导', '關': '关', '聞': '闻', '圖': '图', '攝': '摄', '審': '审', '發': '发', '佈': '布',
	'時': '时', '間': '间', '訊': '讯', '員': '员', '經': '经', '處': '处', '請': '请', '註': '注', '網': '网', '論': '论',
	'評': '评', '熱': '热', '門': '门', '薦': '荐', '點': '点', '擊': '击', '覽': '览', '瀏': '浏', '號': '号', '頁': '页',
	'歡': '欢', '標': '标', '題': '题', '聯': '联', '鏈': '链', '結': '结', '週': '周', '實': '实', '習': '习', '見': '见',
	'稱': '称', '碼': '码', '掃': '扫', '維': '维', '傳': '传', '區': '区', '書': '书', '續': '续', '後': '后', '無': '无',
	'們': '们', '為': '为', '體': '体', '個': '个', '對': '对', '專': '专', '務': '务', '條': '条', '與': '与', '禮': '礼',
	'閉': '闭', '於': '于', '僅': '仅', '資': '资', '訂': '订', '戶': '户', '態': '态', '電': '电', '視': '视', '臺': '台',
	'廣': '广', '雜': '杂', '誌': '志', '譯': '译', '讚': '赞', '贊': '赞', '觀': '观', '紹': '绍', '統': '统', '籌': '筹',
	'監': '监', '製': '制', '選': '选', '鍵': '键', '連': '连', '護': '护', '險': '险', '構': '构', '議': '议', '據': '据',
	'擔': '担', '證': '证', '內': '内', '說': '说', '樣': '样', '歷': '历', '鐘': '钟', '淩': '凌', '籤': '签',
}

// foldZH returns s with the Traditional characters of zhFold in their
// Simplified forms; s itself when it has none.
func foldZH(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool {
		if r < 0x4e00 || r > 0x9fff { // outside CJK Unified Ideographs: no map lookup
			return false
		}
		_, ok := zhFold[r]
		return ok
	})
	if i < 0 {
		return s
	}
	b := []byte(s)
	for j := i; j < len(b); {
		r, size := utf8.DecodeRune(b[j:])
		if to, ok := zhFold[r]; ok && utf8.RuneLen(to) == size {
			utf8.EncodeRune(b[j:], to)
		}
		j += size
	}
	return string(b)
}

// Chinese bylines: "本报记者　邓晓彤", "江城晚报记者 孙启航 通讯员 冯晓玲 文/摄",
// "（记者 王建国 通讯员 李四）", "記者林志明／台北報導", "文/张三 图/李四",
// "作者：王建国 赵丽". Patterns run on foldZH text.
var (
	// rxRoleLabel matches a contributor's role: a reporter's, which may
	// follow the outlet's name ("江城晚报记者", "本报记者"); another role at
	// the start or after a separator ("作者 张三"), or with a separator
	// after it ("本文作者：张三"); "文" and "图" only in both places
	// ("文/张三"); after other text only with a label separator ("本文作者：
	// 张三"), not a bar ("只看该作者 | 只看大图"). Group 1 marks the middle kind.
	rxRoleLabel = regexp.MustCompile(`(?:本报|本刊|本台|本网|特约|见习|实习|首席|驻\p{Han}{1,4})*(?:记者|通讯员|实习生)|(?:^|[\s|｜丨【\[(（，,/／])((?:作者|撰稿人?|撰文|主笔|编译|摄影|摄像)|(?:文|图|文字|图片|文图|图文)\s*[:：/／|｜丨])|(?:作者|撰稿人?|撰文|主笔|编译|摄影|摄像)\s*[:：/／]`)
	rxReporter  = regexp.MustCompile(`(?:记者|通讯员|实习生)$`)
	// rxFieldLabel matches a label that ends a byline's list of names.
	rxFieldLabel = regexp.MustCompile(`责任编辑|责编|编辑|审核|审校|校对|监制|统筹|(?:文章|本文|新闻|信息)?来源|稿源|出处|时间|日期|发布|更新|阅读|浏览|点击|评论|字号|分享|打印|关闭`)
	// rxOutlet matches the media outlet written before a reporter's
	// role: "江城晚报记者", "聯合報／ 記者".
	rxOutlet = regexp.MustCompile(`(\p{Han}{2,12}(?:报|社|网|台|刊|杂志|新闻|日报|晚报|时报|周刊|电视|广播|传媒|融媒))\s*[/／|｜丨]?\s*$`)
	// rxNameStop matches what ends a byline's names: a photo credit mark,
	// "报道", a dispatch ("北京2月18日电"), a place with 报导, a dateline
	// ("发自济南").
	rxNameStop = regexp.MustCompile(`^(?:摄|摄影|文|图|报道|报导|电|讯|发|供图|整理|综合|实习生)$|报道$|报导$|电$|^发自|^摄于`)
	// rxByBracket finds a byline in brackets near the start of a lead
	// paragraph: "本报讯（记者 王建国 通讯员 赵丽）2月17日，…".
	rxByBracket = regexp.MustCompile(`^[^（(。，]{0,24}[（(]((?:本报|特约|见习|实习|首席)*(?:记者|通讯员)[^（()）。，]{2,40})[)）]`)
	rxClauseEnd = regexp.MustCompile(`[，。；！？,;!?]`)
)

// byline is what a byline line says.
type byline struct {
	names  []string
	outlet string // the outlet before the first reporter, "江城晚报"
	bare   bool   // a role label without separator was used ("记者 张三")
}

// parseByline reads the contributors of a Chinese byline: the names after
// role labels (记者, 通讯员, 作者, 文/, 图/, …), up to four, stopping at a
// field label (编辑, 来源, 时间, …), a credit mark (摄, 报道) or anything that
// is not a name; and the outlet named before the first reporter.
// Photographers (摄影：, 图/) are the authors only when no writer is named.
// Names are
// taken from line itself, so Traditional text keeps its characters.
func parseByline(line string) byline {
	var b byline
	var photos []string // names after 摄影, 图: authors only when no writer is named
	f := foldZH(line)
	locs := rxRoleLabel.FindAllStringSubmatchIndex(f, -1)
	if locs == nil {
		return b
	}
	for i, loc := range locs {
		start, end := loc[0], loc[1]
		if loc[2] >= 0 {
			start = loc[2]
		}
		if i == 0 && loc[2] < 0 && rxReporter.MatchString(f[start:end]) {
			if m := rxOutlet.FindStringSubmatchIndex(f[:start]); m != nil && !strings.HasPrefix(f[m[2]:m[3]], "本") {
				b.outlet = line[m[2]:m[3]]
			}
		}
		stop := len(f)
		if i+1 < len(locs) {
			stop = locs[i+1][0]
		}
		if m := rxFieldLabel.FindStringIndex(f[end:stop]); m != nil {
			stop = end + m[0]
		}
		value := line[end:stop]
		label := strings.TrimLeft(f[start:end], " \u3000")
		photo := strings.HasPrefix(label, "摄") || strings.HasPrefix(label, "图")
		if !strings.ContainsAny(f[start:end], ":：/／|｜丨") && !startsWithSep(value) {
			b.bare = true
		}
		for _, tok := range strings.FieldsFunc(value, isNameSep) {
			ft := foldZH(tok)
			if rxNameStop.MatchString(ft) {
				break
			}
			tok = strings.TrimSuffix(tok, "摄")
			if !isHanName(tok) || len(b.names) == 4 {
				break
			}
			if photo {
				if !slices.Contains(photos, tok) {
					photos = append(photos, tok)
				}
			} else if !slices.Contains(b.names, tok) {
				b.names = append(b.names, tok)
			}
		}
	}
	if len(b.names) == 0 {
		b.names = photos // a photo story: its photographers are its authors
	}
	return b
}

// startsWithSep reports whether s starts with a label separator.
func startsWithSep(s string) bool {
	s = strings.TrimLeft(s, " \u3000\u00a0")
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune(":：/／|｜丨", r)
}

// isNameSep reports whether r separates names in a byline.
func isNameSep(r rune) bool {
	return isSpace(r) || strings.ContainsRune("、，,;；/／|｜丨:：()（）【】[]", r)
}

// isHanName reports whether s looks like a Chinese personal name: two to
// four Han characters, or up to ten with a middle dot (阿卜杜拉·买买提).
func isHanName(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			n++
		case r == '·' || r == '•':
		default:
			return false
		}
	}
	if strings.ContainsAny(s, "·•") {
		return n >= 3 && n <= 10
	}
	return n >= 2 && n <= 4
}

// bylineNames returns the names of a byline line: a line that is only a
// byline ("本报记者　邓晓彤", "作者：王建国 赵丽　　文章来源：临州日报"), not a
// sentence that mentions a reporter ("记者了解到，…"). A role written
// without separator ("记者 张三") counts only in a line without clause
// punctuation.
func bylineNames(line string) byline {
	b := parseByline(line)
	if len(b.names) == 0 || b.bare && rxClauseEnd.MatchString(stripBrackets(line)) {
		return byline{}
	}
	return b
}

// isBylineLine reports whether a body line is a byline and nothing else:
// short, no clause punctuation, with a role label in its first dozen
// characters ("江城晚报记者 孙启航 通讯员 冯晓玲 文/摄").
func isBylineLine(t string) bool {
	if runeLen(t) > 60 || rxClauseEnd.MatchString(t) {
		return false
	}
	f := foldZH(t)
	loc := rxRoleLabel.FindStringIndex(f)
	if loc == nil || runeLen(f[:loc[0]]) > 14 {
		return false
	}
	return len(parseByline(t).names) > 0
}

// stripBrackets removes bracketed parts: "（记者 张三）".
func stripBrackets(s string) string {
	return rxBracketed.ReplaceAllString(s, "")
}

var rxBracketed = regexp.MustCompile(`[（(][^（()）]*[)）]`)
