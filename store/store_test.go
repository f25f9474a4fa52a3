package store

import (
	"errors"
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	text := "第一段。\n\nSecond paragraph."
	a := &Article{ID: "x", Text: text, ContentHash: HashText(text)}
	if err := a.Verify(); err != nil || !a.MarkDamage() || a.Damage != "" {
		t.Fatalf("sound article: Verify %v, Damage %q", err, a.Damage)
	}
	if err := (&Article{ID: "old", Text: text}).Verify(); err != nil {
		t.Errorf("an article without content_hash: %v", err)
	}
	a.Text = strings.Replace(text, "Second", "Sec0nd", 1) // one flipped byte
	if err := a.Verify(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("altered text: Verify = %v, want ErrCorrupt", err)
	}
	if a.MarkDamage() || !strings.HasPrefix(a.Damage, DamageHash) {
		t.Errorf("altered text: Damage = %q", a.Damage)
	}
	u := Unreadable("y", errors.New("invalid character"))
	if u.ID != "y" || !strings.HasPrefix(u.Damage, DamageUnreadable) || !strings.Contains(u.Damage, "invalid character") {
		t.Errorf("Unreadable = %+v", u)
	}
}
