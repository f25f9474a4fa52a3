package extract

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	sh := loadZone("Asia/Shanghai", 8)
	ref := time.Date(2025, 2, 20, 14, 30, 0, 0, sh) // Thursday afternoon in Beijing
	at := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, sh) }
	tests := []struct {
		name string
		in   string
		want time.Time
		ok   bool
	}{
		{"rfc3339", "2025-02-18T05:44:16+08:00", time.Date(2025, 2, 18, 5, 44, 16, 0, time.FixedZone("", 8*3600)), true},
		{"rfc3339 utc", "2025-02-18T06:15:00Z", time.Date(2025, 2, 18, 6, 15, 0, 0, time.UTC), true},
		{"rfc1123", "Tue, 18 Feb 2025 06:15:00 GMT", time.Date(2025, 2, 18, 6, 15, 0, 0, time.UTC), true},
		{"iso minutes", "2025-02-18 05:44", at(2025, 2, 18, 5, 44), true},
		{"iso seconds zone", "2025-02-18 05:44:00 +0800", at(2025, 2, 18, 5, 44), true},
		{"slashes", "2025/2/18", at(2025, 2, 18, 0, 0), true},
		{"dots", "2025.02.18 17:44", at(2025, 2, 18, 17, 44), true},
		{"chinese morning", "2025年2月18日 上午5:44", at(2025, 2, 18, 5, 44), true},
		{"chinese afternoon", "2025年2月18日 下午3:05", at(2025, 2, 18, 15, 5), true},
		{"chinese noon twelve", "2025年2月18日 中午12:10", at(2025, 2, 18, 12, 10), true},
		{"chinese midnight twelve", "2025年2月18日 凌晨12:10", at(2025, 2, 18, 0, 10), true},
		{"chinese 24h", "2025年02月18日 17:44", at(2025, 2, 18, 17, 44), true},
		{"chinese hours minutes", "2025年2月18日17时44分", at(2025, 2, 18, 17, 44), true},
		{"full-width digits", "２０２５年２月１８日　１７：４４", at(2025, 2, 18, 17, 44), true},
		{"with label", "发布时间：2025-02-17 09:30:00 来源：县融媒体中心", at(2025, 2, 17, 9, 30), true},
		{"time alone afternoon", "下午3:05", at(2025, 2, 20, 15, 5), true},
		{"no year", "2月18日 10:20", at(2025, 2, 18, 10, 20), true},
		{"no year last year", "12月30日 08:00", at(2024, 12, 30, 8, 0), true},
		{"no year numeric", "02-09 09:32", at(2025, 2, 9, 9, 32), true},
		{"weekday before time", "2025年2月18日 星期二 14:32", at(2025, 2, 18, 14, 32), true},
		{"traditional weekday", "2025年2月18日 週二 下午2:32", at(2025, 2, 18, 14, 32), true},
		{"bracketed weekday", "2025年2月18日（周二）09:05", at(2025, 2, 18, 9, 5), true},
		{"traditional clock", "2025年2月18日 下午2時32分", at(2025, 2, 18, 14, 32), true},
		{"trs hyphen clock", "2025-02-18-10:20:35", time.Date(2025, 2, 18, 10, 20, 35, 0, sh), true},
		{"yesterday", "昨天 10:20", at(2025, 2, 19, 10, 20), true},
		{"day before yesterday", "前天", at(2025, 2, 18, 0, 0), true},
		{"today", "今天 08:05", at(2025, 2, 20, 8, 5), true},
		{"hours ago", "3小时前", ref.Add(-3 * time.Hour), true},
		{"minutes ago", "5分钟前", ref.Add(-5 * time.Minute), true},
		{"days ago", "2天前", ref.AddDate(0, 0, -2), true},
		{"just now", "刚刚", ref, true},
		{"english ago", "5 minutes ago", ref.Add(-5 * time.Minute), true},
		{"english an hour ago", "an hour ago", ref.Add(-time.Hour), true},
		{"english month first", "Feb 18, 2025 5:44 AM", at(2025, 2, 18, 5, 44), true},
		{"english pm", "February 18, 2025 at 5:44 p.m.", at(2025, 2, 18, 17, 44), true},
		{"english day first", "18 February 2025", at(2025, 2, 18, 0, 0), true},
		{"english weekday", "Tuesday 18 February 2025 06:15 GMT", time.Date(2025, 2, 18, 6, 15, 0, 0, time.UTC), true},
		{"european dots", "18.02.2025", at(2025, 2, 18, 0, 0), true},
		{"us slashes", "02/18/2025", at(2025, 2, 18, 0, 0), true},
		{"unix seconds", "1739828640", time.Unix(1739828640, 0), true},
		{"compact", "20250218", at(2025, 2, 18, 0, 0), true},
		{"not a date", "国际新闻", time.Time{}, false},
		{"empty", "", time.Time{}, false},
		{"impossible day", "2025年2月30日", time.Time{}, false},
		{"implausible year", "1066-10-14", time.Time{}, false},
		{"prose", "这是一段很长的正文，其中提到了2025年2月18日发生的事情，但它显然不是一个日期字段，而是一整段文字，长度超过了日期字符串的上限，所以不应被当作日期解析出来。这是一段很长的正文，后面还有更多的文字，用来说明事情的来龙去脉和各方的反应。", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseDate(tt.in, sh, ref)
			if ok != tt.ok {
				t.Fatalf("ParseDate(%q) ok = %v, want %v (got %v)", tt.in, ok, tt.ok, got)
			}
			if ok && !got.Equal(tt.want) {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseDateFormats covers the formats of the publish-date fallback:
// month names in other languages, two-digit years, month-first dots, a
// year glued to the clock, a clock before the date, zone abbreviations, and
// a clock alone only when nothing else in the string has digits. Chinese
// forms are checked again so that none of it changes them.
func TestParseDateFormats(t *testing.T) {
	sh := loadZone("Asia/Shanghai", 8)
	kolkata := time.FixedZone("IST", 5*3600+1800)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	ref := time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)
	refSH := time.Date(2025, 2, 20, 14, 30, 0, 0, sh)
	utc := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, time.UTC) }
	in := func(off float64) *time.Location { return time.FixedZone("", int(off*3600)) }
	at := func(loc *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
		return time.Date(y, mo, d, h, mi, 0, 0, loc)
	}
	tests := []struct {
		name string
		in   string
		loc  *time.Location
		ref  time.Time
		want time.Time // zero: no date
	}{
		// Month names in other languages.
		{"italian abbreviation", "02 Ago 2017", time.UTC, ref, utc(2017, 8, 2, 0, 0)},
		{"italian full", "Pubblicato il 12 novembre 2019 alle 10:05", time.UTC, ref, utc(2019, 11, 12, 10, 5)},
		{"portuguese with clock", "sexta-feira, 22 de outubro de 2010 às 20:13", time.UTC, ref, utc(2010, 10, 22, 20, 13)},
		{"portuguese cedilla", "3 de março de 2018", time.UTC, ref, utc(2018, 3, 3, 0, 0)},
		{"spanish", "5 de noviembre del 2019", time.UTC, ref, utc(2019, 11, 5, 0, 0)},
		{"french", "1er janvier 2019 à 08:30", time.UTC, ref, utc(2019, 1, 1, 8, 30)},
		{"french accent", "14 févr. 2019", time.UTC, ref, utc(2019, 2, 14, 0, 0)},
		{"german", "2. Oktober 2019 um 14:10", time.UTC, ref, utc(2019, 10, 2, 14, 10)},
		{"german umlaut", "7. März 2019", time.UTC, ref, utc(2019, 3, 7, 0, 0)},
		{"dutch", "3 mei 2019", time.UTC, ref, utc(2019, 5, 3, 0, 0)},
		{"russian genitive", "Текст: Венера Ерофеева·24 сентября 2018", time.UTC, ref, utc(2018, 9, 24, 0, 0)},
		{"english still", "Posted: 18 Nov 2019 8:11 pm", time.UTC, ref, utc(2019, 11, 18, 20, 11)},
		// Numeric dates.
		{"two-digit year us", "By Tess Bonn - 11/19/19 06:56 AM EST", time.UTC, ref, at(in(-5), 2019, 11, 19, 6, 56)},
		{"two-digit year dots", "11:15 05.10.18", time.UTC, ref, utc(2018, 10, 5, 11, 15)},
		{"month-first dots", "11.14.2019 09:00 AM", time.UTC, ref, utc(2019, 11, 14, 9, 0)},
		{"day-first dots kept", "18.02.2025 17:44", sh, refSH, at(sh, 2025, 2, 18, 17, 44)},
		{"word glued to date", "Ideas11.14.2019 09:00 AM", time.UTC, ref, utc(2019, 11, 14, 9, 0)},
		{"us slashes with byline", "11/19/2019 by Lars Brandle", time.UTC, ref, utc(2019, 11, 19, 0, 0)},
		{"year glued to clock", "Published Wed, Nov 20 20194:29 AM EST", time.UTC, ref, at(in(-5), 2019, 11, 20, 4, 29)},
		{"year glued to clock comma", "Nov 15, 20195:45 AM", time.UTC, ref, utc(2019, 11, 15, 5, 45)},
		{"clock before date", "5:45 AM PST 11/19/2019 by Patrick Shanley", time.UTC, ref, at(in(-8), 2019, 11, 19, 5, 45)},
		{"clock after slash", "November 19, 2019 / 12:21 AM / Updated 14 hours ago", time.UTC, ref, utc(2019, 11, 19, 0, 21)},
		// Zones.
		{"et in november", "Nov. 18, 2019 7:04 pm ET", time.UTC, ref, at(ny, 2019, 11, 18, 19, 4)},
		{"et in summer", "June 3, 2019 7:04 pm ET", time.UTC, ref, at(in(-4), 2019, 6, 3, 19, 4)},
		{"pt", "Monday, November 18, 2019, 04:05 pm PT (07:05 pm ET)", time.UTC, ref, at(in(-8), 2019, 11, 18, 16, 5)},
		{"hst", "November 18, 2019 at 2:26 PM HST - Updated November 18 at 4:46 PM", time.UTC, ref, at(in(-10), 2019, 11, 18, 14, 26)},
		{"edt", "Oct 3, 2019 10:28am EDT", time.UTC, ref, at(in(-4), 2019, 10, 3, 10, 28)},
		{"bst", "3 June 2019 09:15 BST", time.UTC, ref, at(in(1), 2019, 6, 3, 9, 15)},
		{"cest", "03.06.2019 09:15 CEST", time.UTC, ref, at(in(2), 2019, 6, 3, 9, 15)},
		{"cst us", "Chris Davies - Nov 19, 2019, 10:31 pm CST", time.UTC, ref, at(in(-6), 2019, 11, 19, 22, 31)},
		{"cst china", "2025-02-18 05:44 CST", sh, refSH, at(sh, 2025, 2, 18, 5, 44)},
		{"ist india", "Nov 19, 2019, 06:56 IST", kolkata, ref, at(kolkata, 2019, 11, 19, 6, 56)},
		{"ist elsewhere left alone", "Nov 19, 2019, 06:56 IST", time.UTC, ref, utc(2019, 11, 19, 6, 56)},
		{"named zone in machine format", "Tue, 19 Nov 2019 06:56:00 EST", time.UTC, ref, at(in(-5), 2019, 11, 19, 6, 56)},
		{"lower-case et is a word", "Nov. 18, 2019 7:04 et puis", time.UTC, ref, utc(2019, 11, 18, 7, 4)},
		// A clock alone is today's only when nothing else has digits.
		{"clock alone", "10:20", time.UTC, ref, utc(2019, 12, 1, 10, 20)},
		{"chinese clock alone", "下午3:05", sh, refSH, at(sh, 2025, 2, 20, 15, 5)},
		{"clock with unreadable date", "11:15 05.10", time.UTC, ref, time.Time{}},
		{"clock with page number", "10:20 第3版", sh, refSH, time.Time{}},
		// Chinese forms, unchanged.
		{"chinese morning", "2025年2月18日 上午5:44", sh, refSH, at(sh, 2025, 2, 18, 5, 44)},
		{"iso minutes", "2025-02-18 05:44", sh, refSH, at(sh, 2025, 2, 18, 5, 44)},
		{"hours ago", "3小时前", sh, refSH, refSH.Add(-3 * time.Hour)},
		{"yesterday", "昨天 10:20", sh, refSH, at(sh, 2025, 2, 19, 10, 20)},
		{"no year", "2月18日 10:20", sh, refSH, at(sh, 2025, 2, 18, 10, 20)},
		{"no year last year", "12月30日 08:00", sh, refSH, at(sh, 2024, 12, 30, 8, 0)},
		{"label and source", "发布时间：2025-02-17 09:30:00 来源：县融媒体中心", sh, refSH, at(sh, 2025, 2, 17, 9, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseDate(tt.in, tt.loc, tt.ref)
			if want := !tt.want.IsZero(); ok != want {
				t.Fatalf("ParseDate(%q) ok = %v, want %v (got %v)", tt.in, ok, want, got)
			}
			if ok && !got.Equal(tt.want) {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsDateLine(t *testing.T) {
	for in, want := range map[string]bool{
		"11/19/2019 by Lars Brandle":           true,
		"By Tess Bonn - 11/19/19 06:56 AM EST": true,
		"02 Ago 2017":                          true,
		"2025年2月18日 上午5:44":                    true,
		"Version 2.1.19 is out":                false, // two-digit year without a clock
		"Scores 4-1 over the Sabres":           false,
	} {
		if got := isDateLine(in); got != want {
			t.Errorf("isDateLine(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParseDateNilLocation(t *testing.T) {
	got, ok := ParseDate("2025-02-18 05:44", nil, time.Now())
	if !ok || !got.Equal(time.Date(2025, 2, 18, 5, 44, 0, 0, time.UTC)) {
		t.Errorf("got %v, %v; want 05:44 UTC", got, ok)
	}
}

// A date without a year takes it from yearRef (the URL's date in Extract),
// not from the fetch time.
func TestParseDateYearRef(t *testing.T) {
	sh := loadZone("Asia/Shanghai", 8)
	fetched := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	urlDay := time.Date(2025, 2, 18, 0, 0, 0, 0, sh)
	got, ok := parseDate("2月18日 上午9:15", sh, fetched, urlDay)
	if want := time.Date(2025, 2, 18, 9, 15, 0, 0, sh); !ok || !got.Equal(want) {
		t.Errorf("with URL date: %v, %v; want %v", got, ok, want)
	}
	got, ok = parseDate("12月31日 23:00", sh, fetched, time.Date(2025, 1, 1, 0, 0, 0, 0, sh))
	if want := time.Date(2024, 12, 31, 23, 0, 0, 0, sh); !ok || !got.Equal(want) {
		t.Errorf("across new year: %v, %v; want %v", got, ok, want)
	}
	got, ok = ParseDate("2月18日 上午9:15", sh, fetched)
	if want := time.Date(2026, 2, 18, 9, 15, 0, 0, sh); !ok || !got.Equal(want) {
		t.Errorf("without URL date: %v, %v; want %v", got, ok, want)
	}
}

// A candidate whose time of day was not read (it comes back at midnight)
// gives way to a later one for the same day with a time.
func TestFirstDateUnreadClock(t *testing.T) {
	sh := loadZone("Asia/Shanghai", 8)
	ref := time.Date(2025, 2, 20, 8, 0, 0, 0, time.UTC)
	cands := []field{{"2025年2月18日 某某 14:32", srcText}, {"2025/02/18 14:32:10", srcMeta}}
	got, src := firstDate(cands, sh, ref, ref)
	if want := time.Date(2025, 2, 18, 14, 32, 10, 0, sh); !got.Equal(want) || src != srcMeta {
		t.Errorf("firstDate = %v (%s), want %v (meta)", got, src, want)
	}
	midnight := []field{{"2025-02-18 00:00", srcText}, {"2025-02-18 14:32", srcMeta}}
	if got, _ := firstDate(midnight, sh, ref, ref); got.Hour() != 0 {
		t.Errorf("an explicit midnight was replaced: %v", got)
	}
}
