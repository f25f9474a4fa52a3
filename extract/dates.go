package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxDateLen is the longest string ParseDate looks at: a date with a short
// label around it ("发布时间：2025-02-18 05:44 来源：新华社"), not a paragraph.
const maxDateLen = 100

const (
	reYMD      = `(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?`
	reMonthDay = `(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]`
	reMonName  = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`
	reZone     = `(?:\s*(Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?))?`
	// reClock matches a time of day with an optional Chinese period word,
	// an optional AM/PM marker and an optional zone.
	reClock = `(?:(上午|下午|中午|晚上|凌晨|早上|早晨|傍晚|夜里|夜间)\s*)?(\d{1,2})(?:\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2})(?:[.,]\d+)?)?|\s*[时点]\s*(?:(\d{1,2})\s*分)?(?:\s*(\d{1,2})\s*秒)?)\s*(?i:(am|pm|a\.m\.|p\.m\.))?` + reZone
)

var (
	rxYMD       = regexp.MustCompile(reYMD)
	rxMonthDay  = regexp.MustCompile(reMonthDay)
	rxNumMD     = regexp.MustCompile(`(?:^|\s)(\d{1,2})[-/](\d{1,2})\s+(\d{1,2}:\d{2})`)
	rxMDY       = regexp.MustCompile(`(?i)\b` + reMonName + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	rxDMY       = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+` + reMonName + `,?\s+(\d{4})\b`)
	rxNumDMY    = regexp.MustCompile(`\b(\d{1,2})([/.])(\d{1,2})[/.](\d{4})\b`)
	rxClockHead = regexp.MustCompile(`^\s*(?:T|,|，|\s|at\s|(?i:at)\s)*` + reClock)
	rxClockAny  = regexp.MustCompile(`(?:(上午|下午|中午|晚上|凌晨|早上|早晨|傍晚|夜里|夜间)\s*)?\b(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?()()\s*(?i:(am|pm|a\.m\.|p\.m\.))?` + reZone)
	rxAgoZH     = regexp.MustCompile(`(\d+|半|一|两|几)\s*(秒钟?|分钟|分|个?小时|天|日|周|星期|个月|年)前`)
	rxAgoEN     = regexp.MustCompile(`(?i)\b(\d+|an?|one)\s+(second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago\b`)
	rxDayWord   = regexp.MustCompile(`(?i)(刚刚|今天|今日|昨天|昨日|前天|\bjust now\b|\btoday\b|\byesterday\b)`)
	rxEpoch     = regexp.MustCompile(`^\d{10}(\d{3})?$`)
	rxCompact   = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?$`)
)

var machineLayouts = []string{
	time.RFC3339Nano,
	time.RFC1123Z,
	time.RFC1123,
	time.RFC850,
	time.ANSIC,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.000Z0700",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
}

// ParseDate parses a date as found in metadata or on the page: RFC 3339 and
// other machine formats, "2025-02-18 05:44", "2025/2/18", "2025年2月18日
// 上午5:44", "2月18日 10:20" (no year: the latest such date not after ref),
// "3小时前", "5 minutes ago", "昨天 10:20", "前天", "下午3:05" (today),
// "Feb 18, 2025 5:44 AM", "18 February 2025", Unix seconds. A short label
// around the date ("发布时间：…") is allowed; strings over 100 characters
// are not dates. Times without a zone are taken in loc (UTC when nil);
// ref is the reference time for relative dates. ok is false when s holds no
// date.
func ParseDate(s string, loc *time.Location, ref time.Time) (t time.Time, ok bool) {
	if loc == nil {
		loc = time.UTC
	}
	s = normalizeDate(s)
	if s == "" || utf8.RuneCountInString(s) > maxDateLen {
		return time.Time{}, false
	}
	for _, layout := range machineLayouts {
		if t, err := time.Parse(layout, s); err == nil && plausibleYear(t.Year()) {
			return t, true
		}
	}
	if rxEpoch.MatchString(s) {
		n, _ := strconv.ParseInt(s[:10], 10, 64)
		t := time.Unix(n, 0).In(loc)
		return t, plausibleYear(t.Year())
	}
	if m := rxCompact.FindStringSubmatch(s); m != nil {
		return buildDate(loc, atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6]))
	}
	ref = ref.In(loc)

	if m := rxYMD.FindStringSubmatchIndex(s); m != nil {
		y, mo, d := atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
		return withClock(s[m[1]:], loc, y, mo, d)
	}
	if m := rxMDY.FindStringSubmatchIndex(s); m != nil {
		mo, d, y := monthNumber(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
		return withClock(s[m[1]:], loc, y, mo, d)
	}
	if m := rxDMY.FindStringSubmatchIndex(s); m != nil {
		d, mo, y := atoi(s[m[2]:m[3]]), monthNumber(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
		return withClock(s[m[1]:], loc, y, mo, d)
	}
	if m := rxNumDMY.FindStringSubmatchIndex(s); m != nil {
		a, b, y := atoi(s[m[2]:m[3]]), atoi(s[m[6]:m[7]]), atoi(s[m[8]:m[9]])
		d, mo := a, b // day first (most of the world, and "18.02.2025")
		if s[m[4]:m[5]] == "/" && a <= 12 && b > 12 || s[m[4]:m[5]] == "/" && a <= 12 && b <= 12 {
			d, mo = b, a // US order for slashes unless impossible
		}
		return withClock(s[m[1]:], loc, y, mo, d)
	}
	m := rxMonthDay.FindStringSubmatchIndex(s)
	if m == nil {
		m = rxNumMD.FindStringSubmatchIndex(s) // "02-09 09:32"
		if m != nil {
			m[1] = m[6] // the clock follows
		}
	}
	if m != nil {
		mo, d := atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]])
		t, ok := withClock(s[m[1]:], loc, ref.Year(), mo, d)
		if ok && t.After(ref.Add(48*time.Hour)) {
			t = t.AddDate(-1, 0, 0) // "12月30日" seen in January is last year
		}
		return t, ok
	}
	if m := rxAgoZH.FindStringSubmatch(s); m != nil {
		return agoZH(m[1], m[2], ref), true
	}
	if m := rxAgoEN.FindStringSubmatch(s); m != nil {
		return agoEN(m[1], m[2], ref), true
	}
	if m := rxDayWord.FindStringSubmatchIndex(s); m != nil {
		word := strings.ToLower(s[m[2]:m[3]])
		var days int
		switch word {
		case "刚刚", "just now":
			return ref, true
		case "昨天", "昨日", "yesterday":
			days = -1
		case "前天":
			days = -2
		}
		day := ref.AddDate(0, 0, days)
		return withClock(s[m[1]:], loc, day.Year(), int(day.Month()), day.Day())
	}
	// A time of day alone ("下午3:05", "10:20") is today's.
	if m := rxClockAny.FindStringSubmatch(s); m != nil {
		return clockOn(m, loc, ref.Year(), int(ref.Month()), ref.Day())
	}
	return time.Time{}, false
}

// normalizeDate folds full-width digits and punctuation to ASCII and
// collapses white space.
func normalizeDate(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r == '：':
			r = ':'
		case r == '／':
			r = '/'
		case r == '－' || r == '—' || r == '–':
			r = '-'
		case r == '\u00a0' || r == '\u3000':
			r = ' '
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// withClock builds the date y-mo-d with the time of day at the head of rest,
// if any.
func withClock(rest string, loc *time.Location, y, mo, d int) (time.Time, bool) {
	if m := rxClockHead.FindStringSubmatch(rest); m != nil {
		if t, ok := clockOn(m, loc, y, mo, d); ok {
			return t, true
		}
	}
	return buildDate(loc, y, mo, d, 0, 0, 0)
}

// clockOn applies a reClock match (period, hour, minute, second, 时-minute,
// 时-second, am/pm, zone) to the date y-mo-d.
func clockOn(m []string, loc *time.Location, y, mo, d int) (time.Time, bool) {
	period, h := m[1], atoi(m[2])
	mi, sec := atoi(m[3]), atoi(m[4])
	if m[5] != "" || m[6] != "" {
		mi, sec = atoi(m[5]), atoi(m[6])
	}
	ampm := strings.ToLower(strings.ReplaceAll(m[7], ".", ""))
	switch {
	case period == "下午" || period == "晚上" || period == "傍晚" || period == "夜里" || period == "夜间" || ampm == "pm":
		if h < 12 {
			h += 12
		}
	case period == "中午":
		if h < 11 {
			h += 12
		}
	case period != "" || ampm == "am":
		if h == 12 {
			h = 0
		}
	}
	if zone := zoneOf(m[8]); zone != nil {
		loc = zone
	}
	return buildDate(loc, y, mo, d, h, mi, sec)
}

func zoneOf(z string) *time.Location {
	z = strings.TrimSpace(z)
	if z == "" {
		return nil
	}
	if z == "Z" || z == "UTC" || z == "GMT" {
		return time.UTC
	}
	z = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(z, "UTC"), "GMT"))
	sign := 1
	if strings.HasPrefix(z, "-") {
		sign = -1
	}
	z = strings.ReplaceAll(z[1:], ":", "")
	var h, m int
	switch len(z) {
	case 1, 2:
		h = atoi(z)
	case 3:
		h, m = atoi(z[:1]), atoi(z[1:])
	case 4:
		h, m = atoi(z[:2]), atoi(z[2:])
	default:
		return nil
	}
	off := sign * (h*3600 + m*60)
	return time.FixedZone("", off)
}

func buildDate(loc *time.Location, y, mo, d, h, mi, sec int) (time.Time, bool) {
	if !plausibleYear(y) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc)
	if t.Day() != d { // 2月30日
		return time.Time{}, false
	}
	return t, true
}

func plausibleYear(y int) bool { return y >= 1990 && y <= 2100 }

func agoZH(num, unit string, ref time.Time) time.Time {
	n := 0
	switch num {
	case "半":
		if strings.Contains(unit, "小时") {
			return ref.Add(-30 * time.Minute)
		}
	case "一":
		n = 1
	case "两":
		n = 2
	case "几":
		n = 3
	default:
		n = atoi(num)
	}
	switch {
	case strings.HasPrefix(unit, "秒"):
		return ref.Add(-time.Duration(n) * time.Second)
	case unit == "分钟" || unit == "分":
		return ref.Add(-time.Duration(n) * time.Minute)
	case strings.HasSuffix(unit, "小时"):
		return ref.Add(-time.Duration(n) * time.Hour)
	case unit == "天" || unit == "日":
		return ref.AddDate(0, 0, -n)
	case unit == "周" || unit == "星期":
		return ref.AddDate(0, 0, -7*n)
	case unit == "个月":
		return ref.AddDate(0, -n, 0)
	default:
		return ref.AddDate(-n, 0, 0)
	}
}

func agoEN(num, unit string, ref time.Time) time.Time {
	n := 1
	if v, err := strconv.Atoi(num); err == nil {
		n = v
	}
	switch strings.ToLower(unit) {
	case "second", "sec":
		return ref.Add(-time.Duration(n) * time.Second)
	case "minute", "min":
		return ref.Add(-time.Duration(n) * time.Minute)
	case "hour", "hr":
		return ref.Add(-time.Duration(n) * time.Hour)
	case "day":
		return ref.AddDate(0, 0, -n)
	case "week":
		return ref.AddDate(0, 0, -7*n)
	case "month":
		return ref.AddDate(0, -n, 0)
	default:
		return ref.AddDate(-n, 0, 0)
	}
}

func monthNumber(s string) int {
	s = strings.ToLower(s)
	for i, p := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.HasPrefix(s, p) {
			return i + 1
		}
	}
	return 0
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
