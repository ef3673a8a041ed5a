package lib

import "testing"

func TestParse(t *testing.T) {
	// Header and claims only: the signature part is deliberately empty.
	tok := "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjMifQ."
	if _, err := Parse(tok); err == nil {
		t.Fatal("unsigned token accepted")
	}
}
