package elastic_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"newsarc/store"
	"newsarc/store/storetest"
)

// TestDamagedDocument: a document whose text was changed behind the
// archive's back (by hand, or by a damaged shard) is served marked damaged,
// never as if it were what was archived.
func TestDamagedDocument(t *testing.T) {
	cfg := testConfig(t)
	s := mustOpen(t, cfg)
	a := article("https://www.xinhua.example/2025/02/18/a.html", "en", "Harbour vote", "The council voted on the harbour budget on Tuesday.")
	mustPut(t, s, a)

	// Alter the stored text directly, as a fault would.
	u := storetest.ESURL(t) + "/" + cfg.IndexPrefix + "-articles/_update/" + a.ID + "?refresh=true"
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(`{"doc":{"text":"The council voted on the airport budget on Tuesday."}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update: %s", resp.Status)
	}

	got, err := s.Get(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Damage, store.DamageHash) {
		t.Errorf("Get: Damage = %q, want it marked", got.Damage)
	}
	var scanned *store.Article
	if err := s.Scan(context.Background(), store.Query{}, func(x *store.Article) error { scanned = x; return nil }); err != nil {
		t.Fatal(err)
	}
	if scanned == nil || scanned.Damage == "" {
		t.Errorf("Scan: the damaged document is not marked: %+v", scanned)
	}
	b := article("https://www.xinhua.example/2025/02/18/b.html", "en", "Sound", "A sound article about the harbour.")
	mustPut(t, s, b)
	if got, err := s.Get(context.Background(), b.ID); err != nil || got.Damage != "" {
		t.Errorf("a sound document: Damage %q, err %v", got.Damage, err)
	}
}
