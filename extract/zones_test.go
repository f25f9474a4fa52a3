package extract

import (
	"testing"
	"time"
)

func TestCountryZone(t *testing.T) {
	tests := []struct {
		host string
		want string // offset on 2024-08-05, "" for none
	}{
		{"www.example.de", "+02:00"},
		{"news.example.co.uk", "+01:00"},
		{"www.example.pt", "+01:00"},
		{"www.example.com", ""},
		{"www.example.cn", ""},
	}
	day := time.Date(2024, 8, 5, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		loc := countryZone(tt.host)
		got := ""
		if loc != nil {
			got = day.In(loc).Format("-07:00")
		}
		if got != tt.want {
			t.Errorf("countryZone(%q) gives %q on %s, want %q", tt.host, got, day.Format(time.DateOnly), tt.want)
		}
	}
}
