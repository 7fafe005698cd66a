package apitoken

import "testing"

func TestCheck(t *testing.T) {
	set, err := NewSet([]string{"s3cret", "other"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		header, reason string
		ok             bool
	}{
		{"Bearer s3cret", "", true},
		{"bearer other", "", true},
		{"Bearer  s3cret ", "", true},
		{"Bearer wrong", "invalid token", false},
		{"Bearer s3cret2", "invalid token", false},
		{"Basic czNjcmV0", "missing bearer token: send Authorization: Bearer TOKEN", false},
		{"Bearer", "missing bearer token: send Authorization: Bearer TOKEN", false},
		{"", "missing bearer token: send Authorization: Bearer TOKEN", false},
	} {
		reason, ok := set.Check(tt.header)
		if reason != tt.reason || ok != tt.ok {
			t.Errorf("Check(%q) = %q, %v; want %q, %v", tt.header, reason, ok, tt.reason, tt.ok)
		}
	}
	if _, ok := (Set{}).Check("Bearer s3cret"); ok {
		t.Error("the empty set admitted a token")
	}
}

func TestNewSetRefusesBlankTokens(t *testing.T) {
	if _, err := NewSet([]string{"ok", " "}); err == nil || err.Error() != "API token 1 is empty" {
		t.Errorf("NewSet with a blank token: %v", err)
	}
}
