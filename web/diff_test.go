package web

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"newsarc/store"
)

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"The minister said yes.", []string{"The", " ", "minister", " ", "said", " ", "yes", "."}},
		{"市长周一表示", []string{"市", "长", "周", "一", "表", "示"}},
		{"GDP增长5%", []string{"GDP", "增", "长", "5", "%"}},
		{"it's  done", []string{"it's", "  ", "done"}},
		{"", nil},
	}
	for _, tt := range tests {
		got := Words(tt.in)
		if !slices.Equal(got, tt.want) || strings.Join(got, "") != tt.in {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRefine(t *testing.T) {
	tests := []struct {
		name string
		a, b []string
		want []DiffOp
	}{
		{"one English word", []string{"Intro.", "The minister said yes on Monday."}, []string{"Intro.", "The minister said no on Monday."},
			[]DiffOp{{Op: Equal, Text: "Intro."}, {Op: Change, Text: "The minister said no on Monday.", Words: []DiffOp{
				{Op: Equal, Text: "The minister said "}, {Op: Delete, Text: "yes"}, {Op: Insert, Text: "no"}, {Op: Equal, Text: " on Monday."}}}}},
		{"one Chinese character", []string{"会议将于周一在北京举行。"}, []string{"会议将于周二在北京举行。"},
			[]DiffOp{{Op: Change, Text: "会议将于周二在北京举行。", Words: []DiffOp{
				{Op: Equal, Text: "会议将于周"}, {Op: Delete, Text: "一"}, {Op: Insert, Text: "二"}, {Op: Equal, Text: "在北京举行。"}}}}},
		{"rewritten", []string{"Analysts expected calm."}, []string{"Analysts now expect volatility."},
			[]DiffOp{{Op: Delete, Text: "Analysts expected calm."}, {Op: Insert, Text: "Analysts now expect volatility."}}},
		{"edit and new paragraph", []string{"A b c d."}, []string{"A b c e.", "Added later."},
			[]DiffOp{{Op: Change, Text: "A b c e.", Words: []DiffOp{{Op: Equal, Text: "A b c "}, {Op: Delete, Text: "d"}, {Op: Insert, Text: "e"}, {Op: Equal, Text: "."}}},
				{Op: Insert, Text: "Added later."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Refine(Diff(tt.a, tt.b)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Refine = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestDiffOneWord checks that a one-word correction shows in the API as
// one word deleted and one inserted, in a paragraph marked changed.
func TestDiffOneWord(t *testing.T) {
	st := fixtureStore(t)
	text := "第一段不变。\n\n部长周一表示同意该计划。\n\nThe vote is on Friday."
	a := newArticle("xinhua", "zh", "https://xinhua.example/one-word", "一字之差", text, time.Date(2025, 3, 5, 8, 0, 0, 0, time.UTC))
	v2 := *a
	v2.Text = strings.Replace(text, "同意", "反对", 1)
	v2.Text = strings.Replace(v2.Text, "Friday", "Monday", 1)
	v2.ContentHash = store.HashText(v2.Text)
	v2.FetchedAt = a.FetchedAt.Add(time.Hour)
	for _, x := range []*store.Article{a, &v2} {
		if _, err := st.Put(context.Background(), x); err != nil {
			t.Fatal(err)
		}
	}
	srv := newServer(t, st, Options{})
	var d diffAnswer
	getJSON(t, srv.URL, "/api/articles/"+a.ID+"/diff", http.StatusOK, &d)
	if d.Changed != 2 || d.Added != 0 || d.Removed != 0 || len(d.Ops) != 3 {
		t.Fatalf("diff = %+v, want two paragraphs changed", d)
	}
	var del, ins []string
	for _, op := range d.Ops {
		for _, w := range op.Words {
			switch w.Op {
			case Delete:
				del = append(del, w.Text)
			case Insert:
				ins = append(ins, w.Text)
			}
		}
	}
	if !slices.Equal(del, []string{"同意", "Friday"}) || !slices.Equal(ins, []string{"反对", "Monday"}) {
		t.Errorf("word diff deletes %q and inserts %q, want 同意, Friday and 反对, Monday", del, ins)
	}
}
