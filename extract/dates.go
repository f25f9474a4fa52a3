package extract

import (
	"regexp"
	"sort"
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
	// reZoneName is a zone abbreviation after a time of day: "10:28am EST",
	// "7:04 pm ET"; zoneOf gives each its offset.
	reZoneName = `AKST|AKDT|AEST|AEDT|ACST|AWST|NZST|NZDT|CEST|EEST|WEST|MSK|EST|EDT|CST|CDT|MST|MDT|PST|PDT|HST|BST|IST|CET|EET|WET|JST|KST|HKT|SGT|ET|CT|MT|PT`
	reZone     = `(?:\s*(Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|(?:` + reZoneName + `)\b))?`
	// reClock matches a time of day with an optional Chinese period word,
	// an optional AM/PM marker and an optional zone.
	reClock = `(?:(上午|下午|中午|晚上|凌晨|早上|早晨|傍晚|夜里|夜间)\s*)?(\d{1,2})(?:\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2})(?:[.,]\d+)?)?|\s*[时点]\s*(?:(\d{1,2})\s*分)?(?:\s*(\d{1,2})\s*秒)?)\s*(?i:(am|pm|a\.m\.|p\.m\.))?` + reZone
	// reClockSep is what may stand between a date and its time of day:
	// "Nov 18, 2019 at 2:26 PM", "November 19, 2019 / 12:21 AM",
	// "22 de outubro de 2010 às 20:13", "2 agosto 2017 alle 10:05".
	// A weekday may stand there too: "2025年2月18日 星期二 14:32", "週二".
	reClockSep = `(?:T|,|，|\s|[-|/·]|(?i:at|às|as|a las|alle|ore|à|um|kl\.?|в)\s|[（(]?(?:星期|周|週|礼拜|禮拜)[一二三四五六日天][）)]?)*`
)

// monthNames maps month names and their usual abbreviations in English,
// Italian, Portuguese, Spanish, French, German, Dutch and Russian (the
// genitive of "24 сентября 2018") to month numbers. English names are also
// read by prefix ("Sept.", "Febr").
var monthNames = map[string]int{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
	// Italian
	"gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
	"gen": 1, "mag": 5, "giu": 6, "lug": 7, "ago": 8, "set": 9, "ott": 10, "dic": 12,
	// Portuguese
	"janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "abril": 4, "maio": 5, "junho": 6, "julho": 7, "setembro": 9, "outubro": 10, "dezembro": 12,
	"fev": 2, "abr": 4, "mai": 5, "out": 10, "dez": 12,
	// Spanish
	"enero": 1, "febrero": 2, "mayo": 5, "junio": 6, "julio": 7, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
	"ene": 1,
	// French
	"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "décembre": 12, "decembre": 12,
	"janv": 1, "févr": 2, "fevr": 2, "avr": 4, "juil": 7, "déc": 12,
	// German
	"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
	"mär": 3, "okt": 10,
	// Dutch
	"januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
	"mrt": 3,
	// Russian (genitive)
	"января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7, "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}

// reMonAny matches any name in monthNames, longest first.
var reMonAny = func() string {
	names := make([]string, 0, len(monthNames))
	for n := range monthNames {
		names = append(names, regexp.QuoteMeta(n))
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	return `(` + strings.Join(names, "|") + `)\.?`
}()

var (
	rxYMD      = regexp.MustCompile(reYMD)
	rxMonthDay = regexp.MustCompile(reMonthDay)
	rxNumMD    = regexp.MustCompile(`(?:^|\s)(\d{1,2})[-/](\d{1,2})\s+(\d{1,2}:\d{2})`)
	rxMDY      = regexp.MustCompile(`(?i)\b` + reMonName + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	// rxDMY matches a day before the month's name in any language of
	// monthNames: "18 February 2025", "2. Oktober 2019", "02 Ago 2017",
	// "22 de outubro de 2010", "24 сентября 2018".
	rxDMY = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?` + reMonAny + `,?\s+(?:del?\s+)?(\d{4})\b`)
	// rxNumDMY matches numeric dates with a four- or two-digit year:
	// "18.02.2025", "11/19/2019", "11.14.2019", "11/19/19"; a word may be
	// glued on in front ("Ideas11.14.2019").
	rxNumDMY    = regexp.MustCompile(`(?:^|[^\d.:/])(\d{1,2})([/.])(\d{1,2})[/.](\d{4}|\d{2})\b`)
	rxClockHead = regexp.MustCompile(`^\s*` + reClockSep + reClock)
	// rxClockTail matches a time of day right before a date: "5:45 AM PST
	// 11/19/2019", "11:15 05.10.18".
	rxClockTail = regexp.MustCompile(reClock + `\s*[-,|·/]?\s*$`)
	rxClockAny  = regexp.MustCompile(`(?:(上午|下午|中午|晚上|凌晨|早上|早晨|傍晚|夜里|夜间)\s*)?\b(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?()()\s*(?i:(am|pm|a\.m\.|p\.m\.))?` + reZone)
	rxAgoZH     = regexp.MustCompile(`(\d+|半|一|两|几)\s*(秒钟?|分钟|分|个?小时|天|日|周|星期|个月|年)前`)
	rxAgoEN     = regexp.MustCompile(`(?i)\b(\d+|an?|one)\s+(second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago\b`)
	rxDayWord   = regexp.MustCompile(`(?i)(刚刚|今天|今日|昨天|昨日|前天|\bjust now\b|\btoday\b|\byesterday\b)`)
	rxEpoch     = regexp.MustCompile(`^\d{10}(\d{3})?$`)
	rxCompact   = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?$`)
	// rxWeekday matches a weekday: "星期二", "周二", "週二", "Tuesday", "Tue.".
	rxWeekday = regexp.MustCompile(`[（(]?(?:星期|周|週|礼拜|禮拜)[一二三四五六日天][）)]?|(?i:\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|urday|sday)?\b\.?)`)
	// rxGluedYear finds a year run into the time of day by inline markup:
	// "Nov 15, 20195:45 AM".
	rxGluedYear = regexp.MustCompile(`\b((?:19|20)\d\d)(\d{1,2}:\d\d)`)
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
// "Feb 18, 2025 5:44 AM", "18 February 2025", month names in Italian,
// Portuguese, Spanish, French, German, Dutch and Russian ("02 Ago 2017",
// "22 de outubro de 2010 às 20:13"), numeric dates with two-digit years
// ("11/19/19 06:56 AM EST"), month-first dots when day-first is impossible
// ("11.14.2019"), a time of day before the date ("5:45 AM PST 11/19/2019"),
// Unix seconds. Zone abbreviations after the time of day are read: EST, PDT,
// ET, PT, HST, BST, CET, JST and others; CST is China Standard Time
// (+08:00) when loc is a +08:00 zone and US Central otherwise, and IST is
// India's only when loc is +05:30. A short label around the date
// ("发布时间：…") is allowed; strings over 100 characters are not dates.
// Times without a zone are taken in loc (UTC when nil); ref is the
// reference time for relative dates. ok is false when s holds no date.
func ParseDate(s string, loc *time.Location, ref time.Time) (t time.Time, ok bool) {
	return parseDate(s, loc, ref, ref)
}

// parseDate is ParseDate with a separate reference for dates without a
// year: a yearless date is the latest such date not more than two days
// after yearRef. Extract passes the date in the page's URL, when it has
// one, so that "2月18日" on /2025/0218/ is in 2025 whenever it is fetched.
func parseDate(s string, loc *time.Location, ref, yearRef time.Time) (t time.Time, ok bool) {
	if loc == nil {
		loc = time.UTC
	}
	s = normalizeDate(s)
	if s == "" || utf8.RuneCountInString(s) > maxDateLen {
		return time.Time{}, false
	}
	for _, layout := range machineLayouts {
		if t, err := time.Parse(layout, s); err == nil && plausibleYear(t.Year()) {
			return namedZone(t, loc), true
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
	if strings.Contains(s, ":") {
		s = rxGluedYear.ReplaceAllString(s, "$1 $2")
	}

	if m := rxYMD.FindStringSubmatchIndex(s); m != nil {
		y, mo, d := atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
		return withClock(s, m[0], m[1], loc, y, mo, d)
	}
	if m := rxMDY.FindStringSubmatchIndex(s); m != nil {
		mo, d, y := monthNumber(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
		return withClock(s, m[0], m[1], loc, y, mo, d)
	}
	if m := rxDMY.FindStringSubmatchIndex(s); m != nil {
		d, mo, y := atoi(s[m[2]:m[3]]), monthNumber(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
		return withClock(s, m[0], m[1], loc, y, mo, d)
	}
	if m := rxNumDMY.FindStringSubmatchIndex(s); m != nil {
		a, b, y := atoi(s[m[2]:m[3]]), atoi(s[m[6]:m[7]]), atoi(s[m[8]:m[9]])
		if m[9]-m[8] == 2 {
			y = fullYear(y, ref)
		}
		d, mo := a, b // day first (most of the world, and "18.02.2025")
		switch slash := s[m[4]:m[5]] == "/"; {
		case slash && a <= 12, !slash && a <= 12 && b > 12:
			d, mo = b, a // US order for slashes, and for dots when day-first is impossible
		}
		return withClock(s, m[2], m[1], loc, y, mo, d)
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
		yearRef = yearRef.In(loc)
		t, ok := withClock(s, m[2], m[1], loc, yearRef.Year(), mo, d)
		if ok && t.After(yearRef.Add(48*time.Hour)) {
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
		return withClock(s, m[0], m[1], loc, day.Year(), int(day.Month()), day.Day())
	}
	// A time of day alone ("下午3:05", "10:20") is today's; not when the
	// string has other digits, a date newsarc cannot read.
	if m := rxClockAny.FindStringSubmatchIndex(s); m != nil && !hasDigit(s[:m[0]]) && !hasDigit(s[m[1]:]) {
		return clockOn(submatches(s, m), loc, ref.Year(), int(ref.Month()), ref.Day())
	}
	return time.Time{}, false
}

// hasDigit reports whether s has an ASCII digit.
func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// submatches turns a FindStringSubmatchIndex result into strings.
func submatches(s string, m []int) []string {
	out := make([]string, len(m)/2)
	for i := range out {
		if m[2*i] >= 0 {
			out[i] = s[m[2*i]:m[2*i+1]]
		}
	}
	return out
}

// fullYear reads a two-digit year: the latest year ending so that is not
// more than a year after ref.
func fullYear(yy int, ref time.Time) int {
	y := ref.Year()/100*100 + yy
	if y > ref.Year()+1 {
		y -= 100
	}
	return y
}

// normalizeDate folds full-width digits and punctuation to ASCII,
// Traditional date words to Simplified ("下午2時32分", "週二") and collapses
// white space.
func normalizeDate(s string) string {
	var b strings.Builder
	for _, r := range foldZH(s) {
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
	return collapse(b.String())
}

// withClock builds the date y-mo-d, found at s[start:end], with the time
// of day right after it or, when none follows, right before it.
func withClock(s string, start, end int, loc *time.Location, y, mo, d int) (time.Time, bool) {
	if m := rxClockHead.FindStringSubmatch(s[end:]); m != nil {
		if t, ok := clockOn(m, loc, y, mo, d); ok {
			return t, true
		}
	}
	if start > 0 && strings.Contains(s[:start], ":") {
		if m := rxClockTail.FindStringSubmatch(s[:start]); m != nil {
			if t, ok := clockOn(m, loc, y, mo, d); ok {
				return t, true
			}
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
	if zone := zoneOf(m[8], loc, y, mo, d); zone != nil {
		loc = zone
	}
	return buildDate(loc, y, mo, d, h, mi, sec)
}

// zoneOf returns the zone that z names: "Z", "+08:00", "GMT+8", or an
// abbreviation (zoneNames); nil when z is empty or unknown. loc is the
// page's zone and y-mo-d the date, for the abbreviations that depend on
// them.
func zoneOf(z string, loc *time.Location, y, mo, d int) *time.Location {
	z = strings.TrimSpace(z)
	if z == "" {
		return nil
	}
	if z == "Z" || z == "UTC" || z == "GMT" {
		return time.UTC
	}
	if z[0] >= 'A' && z[0] <= 'Z' && !strings.HasPrefix(z, "UTC") && !strings.HasPrefix(z, "GMT") {
		return abbrevZone(z, loc, time.Date(y, time.Month(mo), d, 12, 0, 0, 0, time.UTC))
	}
	z = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(z, "UTC"), "GMT"))
	if z == "" {
		return nil
	}
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
	if m >= 60 || h*60+m > 14*60 {
		return nil // no zone is that far from UTC (+14:00 is the farthest)
	}
	off := sign * (h*3600 + m*60)
	return time.FixedZone("", off)
}

// zoneNames are the fixed offsets, in minutes, of zone abbreviations that
// name one offset.
var zoneNames = map[string]int{
	"EST": -300, "EDT": -240, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
	"AKST": -540, "AKDT": -480, "HST": -600, "BST": 60, "WET": 0, "WEST": 60, "CET": 60, "CEST": 120,
	"EET": 120, "EEST": 180, "MSK": 180, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480,
	"AWST": 480, "ACST": 570, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}

// usZones are the US zone names without standard or daylight time ("10:28
// am ET"): their offset depends on the date.
var usZones = map[string]struct {
	name string
	std  int // standard offset in hours, for systems without zone data
}{
	"ET": {"America/New_York", -5}, "CT": {"America/Chicago", -6}, "MT": {"America/Denver", -7}, "PT": {"America/Los_Angeles", -8},
}

// abbrevZone returns the zone that the abbreviation z names on day, or
// nil. CST is China Standard Time when loc is +08:00 on that day (a Chinese
// page, a .cn host) and US Central Standard Time otherwise; IST is India
// Standard Time when loc is +05:30 and unknown otherwise (Ireland, Israel).
func abbrevZone(z string, loc *time.Location, day time.Time) *time.Location {
	_, locOff := day.In(loc).Zone()
	switch z {
	case "CST":
		if locOff == 8*3600 {
			return time.FixedZone("CST", 8*3600)
		}
		return time.FixedZone("CST", -6*3600)
	case "IST":
		if locOff == 5*3600+1800 {
			return time.FixedZone("IST", locOff)
		}
		return nil
	}
	if off, ok := zoneNames[z]; ok {
		return time.FixedZone(z, off*60)
	}
	if u, ok := usZones[z]; ok {
		return loadZone(u.name, u.std)
	}
	return nil
}

// namedZone fixes a time that time.Parse read with a zone abbreviation it
// does not know ("Tue, 19 Nov 2019 06:56:00 EST" comes back at offset 0):
// known abbreviations get their offset.
func namedZone(t time.Time, loc *time.Location) time.Time {
	name, off := t.Zone()
	if off != 0 || name == "" || name == "UTC" || name == "GMT" || name == "Z" {
		return t
	}
	if z := abbrevZone(name, loc, t); z != nil {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), z)
	}
	return t
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
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if n, ok := monthNames[s]; ok {
		return n
	}
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

// europeanZones are the zones of European country-code domains, for a
// date without a zone on a page of such a site ("2023-04-28 18:11:01").
var europeanZones = map[string]string{
	"de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich", "fr": "Europe/Paris", "it": "Europe/Rome",
	"es": "Europe/Madrid", "nl": "Europe/Amsterdam", "be": "Europe/Brussels", "dk": "Europe/Copenhagen", "no": "Europe/Oslo",
	"se": "Europe/Stockholm", "fi": "Europe/Helsinki", "pl": "Europe/Warsaw", "cz": "Europe/Prague", "pt": "Europe/Lisbon",
	"gr": "Europe/Athens", "hu": "Europe/Budapest", "ro": "Europe/Bucharest", "ie": "Europe/Dublin", "uk": "Europe/London",
}

// countryZone returns the zone of host's European country-code domain, or
// nil.
func countryZone(host string) *time.Location {
	tld := host[strings.LastIndex(host, ".")+1:]
	if name, ok := europeanZones[tld]; ok {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return nil
}
