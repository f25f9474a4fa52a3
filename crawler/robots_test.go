package crawler

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const testAgent = "newsarc/0.1 (+https://github.com/newsarc/newsarc)"

// bigRobots returns a robots.txt of about size bytes: a group for every
// agent that disallows /early/, filler rules, and then, past robotsLimit,
// a rule that disallows /late/.
func bigRobots(size int) []byte {
	var b bytes.Buffer
	b.WriteString("User-agent: *\nDisallow: /early/\n")
	for i := 0; b.Len() < size-64; i++ {
		b.WriteString("Disallow: /filler/")
		b.WriteString(strings.Repeat("x", 40))
		b.WriteString("\n")
	}
	b.WriteString("Disallow: /late/\n")
	return b.Bytes()
}

func TestParseRobots(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		verdict robotsVerdict
		allow   map[string]bool // request URI → allowed
		delay   time.Duration
	}{
		{"rules", 200, "User-agent: *\nDisallow: /private/\n", robotsRules,
			map[string]bool{"/": true, "/private/x": false}, 0},
		{"empty file", 200, "", robotsRules, map[string]bool{"/x": true}, 0},
		{"not found allows all", 404, "User-agent: *\nDisallow: /\n", robotsAllowAll, map[string]bool{"/x": true}, 0},
		{"forbidden allows all", 403, "", robotsAllowAll, map[string]bool{"/x": true}, 0},
		{"server error disallows all", 503, "", robotsUnavailable, map[string]bool{"/": false, "/x": false}, 0},
		{"500 disallows all", 500, "User-agent: *\nAllow: /\n", robotsUnavailable, map[string]bool{"/": false}, 0},
		{"429 disallows all", 429, "", robotsUnavailable, map[string]bool{"/": false}, 0},
		{"unfollowed redirect disallows all", 302, "", robotsUnavailable, map[string]bool{"/": false}, 0},
		{"bad crawl-delay is ignored, not the file", 200, "User-agent: *\nCrawl-delay: soon\nDisallow: /private/\n", robotsRules,
			map[string]bool{"/": true, "/private/x": false}, 0},
		{"infinite crawl-delay", 200, "User-agent: *\nCrawl-delay: +Inf\nDisallow: /p/\n", robotsRules,
			map[string]bool{"/p/": false}, 0},
		{"negative crawl-delay", 200, "User-agent: *\nCrawl-delay: -3\nDisallow: /p/\n", robotsRules,
			map[string]bool{"/p/": false}, 0},
		{"good crawl-delay", 200, "User-agent: *\nCrawl-delay: 1.5\nDisallow: /p/\n", robotsRules,
			map[string]bool{"/p/": false}, 1500 * time.Millisecond},
		{"rule before user-agent is ignored", 200, "Disallow: /a/\nUser-agent: *\nDisallow: /b/\n", robotsRules,
			map[string]bool{"/a/": true, "/b/": false}, 0},
		{"junk lines", 200, "<html>oops</html>\nUser-agent: *\n\x00\x01:\n: nothing\nDisallow: /b/ # why\n", robotsRules,
			map[string]bool{"/": true, "/b/x": false}, 0},
		{"own group wins", 200, "User-agent: *\nDisallow: /\n\nUser-agent: newsarc\nDisallow: /drafts/\n", robotsRules,
			map[string]bool{"/news/": true, "/drafts/1": false}, 0},
		{"groups stay apart", 200, "User-agent: other\nDisallow:\n\nUser-agent: *\nDisallow: /x/\n", robotsRules,
			map[string]bool{"/x/1": false, "/y": true}, 0},
		{"cr line ends", 200, "User-agent: *\rDisallow: /cr/\r", robotsRules, map[string]bool{"/cr/": false, "/": true}, 0},
		{"bom", 200, "\ufeffUser-agent: *\nDisallow: /bom/\n", robotsRules, map[string]bool{"/bom/": false}, 0},
		{"wildcards", 200, "User-agent: *\nDisallow: /*.pdf$\n", robotsRules, map[string]bool{"/a.pdf": false, "/a.pdf?x": true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := parseRobots(tt.status, []byte(tt.body), testAgent)
			if info.verdict != tt.verdict {
				t.Errorf("verdict %d, want %d (err %v)", info.verdict, tt.verdict, info.err)
			}
			for uri, want := range tt.allow {
				if got := info.allows(uri); got != want {
					t.Errorf("allows(%q) = %v, want %v", uri, got, want)
				}
			}
			if info.crawlDelay != tt.delay {
				t.Errorf("crawl delay %v, want %v", info.crawlDelay, tt.delay)
			}
		})
	}
}

// TestParseRobotsLimit: a 12 MB robots.txt is read up to robotsLimit, cut
// at a line end; its rules there hold, the rest is ignored.
func TestParseRobotsLimit(t *testing.T) {
	body := bigRobots(12 << 20)
	info := parseRobots(200, body, testAgent)
	if info.verdict != robotsRules {
		t.Fatalf("verdict %d (err %v), want the file's rules", info.verdict, info.err)
	}
	if info.allows("/early/x") {
		t.Errorf("/early/ allowed: the rules in the first %d bytes were lost", robotsLimit)
	}
	if !info.allows("/late/x") {
		t.Errorf("/late/ disallowed: a rule past the first %d bytes was read", robotsLimit)
	}
	if !info.allows("/") {
		t.Errorf("/ disallowed")
	}
}

// TestCleanRobotsCutsAtLineEnd: a rule cut by the limit is dropped, not
// read as a shorter (wider) one.
func TestCleanRobotsCutsAtLineEnd(t *testing.T) {
	head := "User-agent: *\n"
	filler := "# " + strings.Repeat("x", robotsLimit-len(head)-len("# ")-len("\nDisallow: /a")) + "\n"
	body := head + filler + "Disallow: /abc/\n"
	if len(head+filler+"Disallow: /a") != robotsLimit {
		t.Fatalf("test body is %d bytes before the cut, want %d", len(head+filler+"Disallow: /a"), robotsLimit)
	}
	got := string(cleanRobots([]byte(body)))
	if strings.Contains(got, "disallow") {
		t.Errorf("cleaned file keeps the line cut at the limit: %q", got)
	}
	if info := parseRobots(200, []byte(body), testAgent); !info.allows("/a") {
		t.Errorf("/a disallowed by a line cut short")
	}
}

// FuzzRobots: no robots.txt makes parsing panic, every cleaned file
// parses, and no lines can undo "User-agent: * / Disallow: /" unless
// they name an agent or a rule.
func FuzzRobots(f *testing.F) {
	f.Add(200, []byte("User-agent: *\nCrawl-delay: soon\nDisallow: /private/\n"))
	f.Add(200, []byte("Disallow: /a\nUser-agent: *\nDisallow: /b\n"))
	f.Add(503, []byte(""))
	f.Add(404, []byte("User-agent: *\nDisallow: /\n"))
	f.Add(200, []byte("User-agent: *\nDisallow: /*a$b*$\nAllow: $\nCrawl-delay: 1e400\nSitemap: http://h/s.xml\n"))
	f.Add(200, []byte("\ufeffUser-agent:\n:\n\r\n\x00Disallow::/x\n# comment\nuser-agent:a b c\nDisallow"))
	f.Add(200, bigRobots(robotsLimit+100))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		info := parseRobots(status, body, testAgent)
		if status >= 200 && status < 300 && info.verdict != robotsRules {
			t.Fatalf("a 2xx file was not read: verdict %d, err %v", info.verdict, info.err)
		}
		if status >= 500 && info.allows("/") {
			t.Fatalf("status %d allows /", status)
		}
		lower := strings.ToLower(string(body))
		if strings.Contains(lower, "agent") || strings.Contains(lower, "allow") {
			return
		}
		closed := append([]byte("User-agent: *\nDisallow: /\n"), body...)
		if info := parseRobots(200, closed, testAgent); info.allows("/news/1") {
			t.Fatalf("lines without an agent or a rule opened a closed site: %q", body)
		}
	})
}
