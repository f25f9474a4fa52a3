package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"newsarc/export"
	"newsarc/store"
)

// exportServer serves the fixture archive with exports, an undated article
// added, and returns the server and the number of dated articles.
func exportServer(t testing.TB) (string, int) {
	t.Helper()
	st := fixtureStore(t)
	undated := newArticle("people", "zh", "https://people.example/undated.html", "无日期", "没有日期的文章。", time.Time{})
	if _, err := st.Put(context.Background(), undated); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, st, Options{Export: func(ctx context.Context, req ExportRequest, w io.Writer) error {
		_, err := export.Run(ctx, st, req.Query, req.Format, w, export.Options{Collapse: req.Collapse})
		return err
	}})
	return srv.URL, 8
}

// paramCases are the parameters of /api/search and of the filters of
// /api/export: each with the status it gets, and for a 400 the parameter
// the error must name ("" for the query string as a whole).
var paramCases = []struct {
	name, query string
	status      int
	param       string
}{
	{"q ok", "q=" + url.QueryEscape("数据主权"), 200, ""},
	{"q longest", "q=" + strings.Repeat("长", maxQueryLen), 200, ""},
	{"q too long", "q=" + strings.Repeat("长", maxQueryLen+1), 400, "q"},
	{"q not utf-8", "q=%ff%fe", 400, "q"},
	{"q nul", "q=a%00b", 400, "q"},
	{"q unclosed quote", "q=%22tariffs", 400, "q"},
	{"q dangling OR", "q=tariffs+OR", 400, "q"},
	{"q tab and newline", "q=a%09b%0Ac", 200, ""},
	{"q twice", "q=a&q=b", 400, "q"},
	{"site ok", "site=xinhua", 200, ""},
	{"site not utf-8", "site=%c3", 400, "site"},
	{"site control", "site=x%1b", 400, "site"},
	{"site too long", "site=" + strings.Repeat("s", maxQueryLen+1), 400, "site"},
	{"lang ok", "lang=zh", 200, ""},
	{"lang region", "lang=zh-CN", 200, ""},
	{"lang posix", "lang=en_US", 200, ""},
	{"lang bad", "lang=" + url.QueryEscape("<en>"), 400, "lang"},
	{"lang space", "lang=z+h", 400, "lang"},
	{"author ok", "author=" + url.QueryEscape("Jane Doe"), 200, ""},
	{"author not utf-8", "author=%ff", 400, "author"},
	{"author control", "author=%7f", 400, "author"},
	{"section ok", "section=" + url.QueryEscape("国内"), 200, ""},
	{"section not utf-8", "section=%ff", 400, "section"},
	{"section control", "section=a%00", 400, "section"},
	{"section too long", "section=" + strings.Repeat("s", maxQueryLen+1), 400, "section"},
	{"section twice", "section=a&section=b", 400, "section"},
	{"tag ok", "tag=" + url.QueryEscape("data sovereignty"), 200, ""},
	{"tag not utf-8", "tag=%c3", 400, "tag"},
	{"tag control", "tag=%1b", 400, "tag"},
	{"tag too long", "tag=" + strings.Repeat("长", maxQueryLen+1), 400, "tag"},
	{"tag twice", "tag=a&tag=a", 400, "tag"},
	{"cluster ok", "cluster=" + zhYangtze.ID, 200, ""},
	{"removed true", "removed=true", 200, ""},
	{"removed 1", "removed=1", 200, ""},
	{"removed false", "removed=false", 200, ""},
	{"removed yes", "removed=yes", 400, "removed"},
	{"removed twice", "removed=true&removed=true", 400, "removed"},
	{"collapse true", "collapse=true", 200, ""},
	{"collapse false", "collapse=false", 200, ""},
	{"collapse maybe", "collapse=maybe", 400, "collapse"},
	{"changed true", "changed=true", 200, ""},
	{"changed maybe", "changed=maybe", 400, "changed"},
	{"cluster slash", "cluster=a%2Fb", 400, "cluster"},
	{"cluster too long", "cluster=" + strings.Repeat("a", 129), 400, "cluster"},
	{"from day", "from=2025-02-01", 200, ""},
	{"from month", "from=2025-02", 200, ""},
	{"from rfc 3339", "from=" + url.QueryEscape("2025-02-01T08:00:00+08:00"), 200, ""},
	{"from word", "from=yesterday", 400, "from"},
	{"from month 13", "from=2025-13", 400, "from"},
	{"from day 32", "from=2025-01-32", 400, "from"},
	{"from five-digit year", "from=12025-01-01", 400, "from"},
	{"from twice", "from=2025-01&from=2025-02", 400, "from"},
	{"to month 13", "to=2025-13-01", 400, "to"},
	{"to bad offset", "to=" + url.QueryEscape("2025-01-01T00:00:00+25:00"), 400, "to"},
	{"to far future", "to=3000-01-01", 200, ""},
	{"to last day", "to=9999-12-31", 200, ""},
	{"to last instant", "to=" + url.QueryEscape("9999-12-31T23:59:59-23:59"), 200, ""},
	{"to far past", "to=1000-01-01", 200, ""},
	{"to year zero", "to=0000-01-01", 200, ""},
	{"from far future", "from=9999-12", 200, ""},
	{"from first day", "from=0001-01-01", 200, ""},
	{"from just before the clamp", "from=1677-12-31", 200, ""},
	{"to just after the clamp", "to=2262-04-12", 200, ""},
	{"from after to", "from=2025-03-02&to=2025-02", 400, "from"},
	{"from at the end of to", "from=2025-03-01&to=2025-02", 200, ""},
	{"from after to, both far", "from=3001-01-01&to=3000-01-01", 400, "from"},
	{"from and to the same month", "from=2025-02&to=2025-02", 200, ""},
	{"from and to both far future", "from=3000-01-01&to=3001-01-01", 200, ""},
	{"from and to both far past", "from=1000-01-01&to=1001-01-01", 200, ""},
	{"sort relevance", "sort=relevance", 200, ""},
	{"sort date", "sort=date&q=x", 200, ""},
	{"sort unknown", "sort=popular", 400, "sort"},
	{"sort upper case", "sort=DATE", 400, "sort"},
	{"limit max", "limit=100", 200, ""},
	{"limit zero", "limit=0", 400, "limit"},
	{"limit over", "limit=101", 400, "limit"},
	{"limit negative", "limit=-1", 400, "limit"},
	{"limit word", "limit=ten", 400, "limit"},
	{"limit float", "limit=1.5", 400, "limit"},
	{"limit exponent", "limit=1e2", 400, "limit"},
	{"limit overflow", "limit=99999999999999999999", 400, "limit"},
	{"limit twice", "limit=1&limit=100", 400, "limit"},
	{"offset max", "offset=" + fmt.Sprint(maxOffset), 200, ""},
	{"offset over", "offset=" + fmt.Sprint(maxOffset+1), 400, "offset"},
	{"offset negative", "offset=-1", 400, "offset"},
	{"bad escape", "limit=%zz", 400, ""},
	{"semicolon", "site=a;limit=5", 400, ""},
	{"unknown parameter ignored", "colour=blue", 200, ""},
}

// checkError decodes a 400 answer and checks that it names param.
func checkError(t testing.TB, res *http.Response, param string) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	var e apiError
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if e.Error == "" || e.Param != param || (param != "" && !strings.HasPrefix(e.Error, param+": ")) {
		t.Errorf("error = %+v, want one about %q", e, param)
	}
}

func TestSearchParams(t *testing.T) {
	srv, _ := exportServer(t)
	for _, tt := range paramCases {
		t.Run(tt.name, func(t *testing.T) {
			res := request(t, http.MethodGet, srv+"/api/search?"+tt.query, "", "")
			if res.StatusCode != tt.status {
				b, _ := io.ReadAll(res.Body)
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, b)
			}
			if tt.status == http.StatusBadRequest {
				checkError(t, res, tt.param)
				return
			}
			var out searchJSON
			if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestExportParams(t *testing.T) {
	srv, _ := exportServer(t)
	cases := append(paramCases[:len(paramCases):len(paramCases)], []struct {
		name, query string
		status      int
		param       string
	}{
		{"format csv", "format=csv", 200, ""},
		{"format parquet", "format=parquet", 200, ""},
		{"format unknown", "format=xml", 400, "format"},
		{"format upper case", "format=CSV", 400, "format"},
		{"format twice", "format=csv&format=jsonl", 400, "format"},
	}...)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res := request(t, http.MethodGet, srv+"/api/export?"+tt.query, "", "")
			if res.StatusCode != tt.status {
				b, _ := io.ReadAll(res.Body)
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, b)
			}
			if tt.status == http.StatusBadRequest {
				checkError(t, res, tt.param)
				return
			}
			// The whole file arrives: a dropped connection fails here.
			if _, err := io.ReadAll(res.Body); err != nil {
				t.Fatalf("reading the export: %v", err)
			}
		})
	}
}

// TestFarDates checks what far bounds select: a bound beyond the dates the
// store can hold is clamped, so it keeps its meaning (every dated article,
// or none) and still leaves undated articles out.
func TestFarDates(t *testing.T) {
	srv, dated := exportServer(t)
	tests := []struct {
		query string
		want  int
	}{
		{"", dated + 1},
		{"to=3000-01-01", dated},
		{"to=9999-12-31", dated},
		{"from=0001-01-01", dated},
		{"from=0000-01", dated},
		{"from=1000-01-01&to=3000-01-01", dated},
		{"from=3000-01-01", 0},
		{"from=2262-04-12", 0},
		{"to=1000-01-01", 0},
		{"to=0001-01-01", 0},
		{"from=2025-02&to=3000-01-01", 6},
		{"from=3000-01-01&to=3001-01-01", 0},
		{"from=1000-01-01&to=1001-01-01", 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var res searchJSON
			getJSON(t, srv, "/api/search?limit=100&"+tt.query, http.StatusOK, &res)
			if res.Total != tt.want {
				t.Errorf("search: %d hits, want %d", res.Total, tt.want)
			}
			r := request(t, http.MethodGet, srv+"/api/export?format=csv&"+tt.query, "", "")
			if r.StatusCode != http.StatusOK {
				t.Fatalf("export: status %d", r.StatusCode)
			}
			rows, err := csv.NewReader(r.Body).ReadAll()
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			if len(rows)-1 != tt.want {
				t.Errorf("export: %d records, want %d", len(rows)-1, tt.want)
			}
		})
	}
}

func TestClampDate(t *testing.T) {
	mid := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		in, out time.Time
	}{
		{"zero", time.Time{}, minDate},
		{"year zero", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), minDate},
		{"before", minDate.Add(-time.Nanosecond), minDate},
		{"first", minDate, minDate},
		{"inside", mid, mid},
		{"last", maxDate, maxDate},
		{"after", maxDate.Add(time.Nanosecond), maxDate},
		{"year 9999", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), maxDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clampDate(tt.in); !got.Equal(tt.out) {
				t.Errorf("clampDate(%v) = %v, want %v", tt.in, got, tt.out)
			}
		})
	}
	// The clamped range is one every backend accepts: int64 nanoseconds
	// since 1970 hold both ends.
	for _, d := range []time.Time{minDate, maxDate} {
		if back := time.Unix(0, d.UnixNano()); !back.Equal(d) {
			t.Errorf("%v does not survive UnixNano: %v", d, back)
		}
	}
}

func TestDiffParams(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	base := "/api/articles/" + versioned.ID + "/diff?"
	tests := []struct {
		name, query string
		status      int
		param       string
	}{
		{"defaults", "", 200, ""},
		{"both", "from=1&to=2", 200, ""},
		{"reverse", "from=2&to=1", 200, ""},
		{"line", "unit=line", 200, ""},
		{"paragraph", "unit=paragraph", 200, ""},
		{"from word", "from=one", 400, "from"},
		{"from zero", "from=0", 400, "from"},
		{"from negative", "from=-1", 400, "from"},
		{"to overflow", "to=99999999999999999999", 400, "to"},
		{"to twice", "to=1&to=2", 400, "to"},
		{"unit unknown", "unit=word", 400, "unit"},
		{"unit twice", "unit=line&unit=line", 400, "unit"},
		{"bad escape", "from=%zz", 400, ""},
		{"missing version", "from=9", 404, ""},
		{"missing to version", "to=3", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := request(t, http.MethodGet, srv.URL+base+tt.query, "", "")
			if res.StatusCode != tt.status {
				b, _ := io.ReadAll(res.Body)
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, b)
			}
			if tt.status == http.StatusBadRequest {
				checkError(t, res, tt.param)
			}
		})
	}
}

func TestArticleIDs(t *testing.T) {
	srv := newServer(t, fixtureStore(t), Options{})
	for _, id := range []string{"%ff", "%00", "a%2Fb", "..", strings.Repeat("a", 129), strings.Repeat("a", 50000),
		url.PathEscape("数据"), url.PathEscape("<script>")} {
		for _, suffix := range []string{"", "/versions", "/diff", "/capture"} {
			t.Run(id[:min(len(id), 10)]+suffix, func(t *testing.T) {
				var e apiError
				getJSON(t, srv.URL, "/api/articles/"+id+suffix, http.StatusNotFound, &e)
			})
		}
	}
}

// TestExportFailure checks both ways an export fails: before its first
// byte it is an error answer with a status, after it a cut connection.
func TestExportFailure(t *testing.T) {
	t.Run("before the first byte", func(t *testing.T) {
		srv := newServer(t, fixtureStore(t), Options{Export: func(ctx context.Context, req ExportRequest, w io.Writer) error {
			return fmt.Errorf("scan: %w", store.ErrClosed)
		}})
		var e apiError
		res := getJSON(t, srv.URL, "/api/export?format=csv", http.StatusServiceUnavailable, &e)
		if cd := res.Header.Get("Content-Disposition"); cd != "" {
			t.Errorf("error answer offered as a download: %q", cd)
		}
	})
	t.Run("other error before the first byte", func(t *testing.T) {
		srv := newServer(t, fixtureStore(t), Options{Export: func(ctx context.Context, req ExportRequest, w io.Writer) error {
			return errors.New("index damaged")
		}})
		var e apiError
		getJSON(t, srv.URL, "/api/export", http.StatusInternalServerError, &e)
	})
	t.Run("after the first byte", func(t *testing.T) {
		srv := newServer(t, fixtureStore(t), Options{Export: func(ctx context.Context, req ExportRequest, w io.Writer) error {
			// More than the server buffers, so that the status is sent.
			if _, err := io.WriteString(w, strings.Repeat("x", 1<<16)); err != nil {
				return err
			}
			return errors.New("disk gone")
		}})
		res := request(t, http.MethodGet, srv.URL+"/api/export", "", "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if _, err := io.ReadAll(res.Body); err == nil {
			t.Error("a failed export read as a whole file")
		}
	})
}

func TestAdminParams(t *testing.T) {
	var calls []string
	srv := newServer(t, fixtureStore(t), Options{AdminToken: "s3cret", Admin: func(ctx context.Context, site string) error {
		calls = append(calls, site)
		return nil
	}})
	post := func(t *testing.T, contentType, body string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/admin/crawl", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer s3cret")
		req.Header.Set("Content-Type", contentType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name, contentType, body string
		status                  int
		param                   string
	}{
		{"json", "application/json", `{"site":"xinhua"}`, 202, ""},
		{"form", form, "site=people", 202, ""},
		{"json empty", "application/json", `{"site":""}`, 400, "site"},
		{"json control", "application/json", `{"site":"a\u0000b"}`, 400, "site"},
		{"json too long", "application/json", `{"site":"` + strings.Repeat("s", maxQueryLen+1) + `"}`, 400, "site"},
		{"json wrong type", "application/json", `{"site":5}`, 400, ""},
		{"json too large", "application/json", `{"site":"` + strings.Repeat("s", 5000) + `"}`, 400, ""},
		{"form bad escape", form, "site=%zz", 400, ""},
		{"form too large", form, "site=" + strings.Repeat("s", 5000), 400, ""},
		{"form not utf-8", form, "site=%ff", 400, "site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := post(t, tt.contentType, tt.body)
			if res.StatusCode != tt.status {
				b, _ := io.ReadAll(res.Body)
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, b)
			}
			if tt.status == http.StatusBadRequest {
				checkError(t, res, tt.param)
			}
		})
	}
	if !slices.Equal(calls, []string{"xinhua", "people"}) {
		t.Errorf("admin hook called with %q, want only the valid sites", calls)
	}
}

// panicStore panics in Search, as a bug in a backend would.
type panicStore struct{ store.Store }

func (panicStore) Search(context.Context, store.Query) (*store.Results, error) {
	panic("index out of range in a backend")
}

func TestPanicAnswered(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	st := fixtureStore(t)
	srv := newServer(t, panicStore{st}, Options{Logger: log,
		Export: func(ctx context.Context, req ExportRequest, w io.Writer) error {
			if req.Query.Site == "late" {
				// More than the server buffers, so that the status is sent.
				io.WriteString(w, strings.Repeat("x", 1<<16))
			}
			panic("exporter bug")
		}})

	var e apiError
	getJSON(t, srv.URL, "/api/search?q=x", http.StatusInternalServerError, &e)
	if e.Error == "" {
		t.Error("no error message")
	}
	res := getJSON(t, srv.URL, "/api/export?format=csv", http.StatusInternalServerError, &e)
	if cd := res.Header.Get("Content-Disposition"); cd != "" {
		t.Errorf("error answer offered as a download: %q", cd)
	}
	res = request(t, http.MethodGet, srv.URL+"/api/export?site=late", "", "")
	if _, err := io.ReadAll(res.Body); err == nil {
		t.Error("an export that panicked midway read as a whole file")
	}
	// The server still answers.
	getJSON(t, srv.URL, "/api/articles/"+zhFocus.ID+"/versions", http.StatusOK, &struct{}{})

	for _, want := range []string{"panic serving a request", "url=\"/api/search?q=x\"", "index out of range in a backend",
		"exporter bug", "stack=", "web.panicStore.Search"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}
