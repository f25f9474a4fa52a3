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

func TestParseDateNilLocation(t *testing.T) {
	got, ok := ParseDate("2025-02-18 05:44", nil, time.Now())
	if !ok || !got.Equal(time.Date(2025, 2, 18, 5, 44, 0, 0, time.UTC)) {
		t.Errorf("got %v, %v; want 05:44 UTC", got, ok)
	}
}
