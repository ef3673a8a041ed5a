package api

import "testing"

func TestLogin(t *testing.T) {
	token := "abc"
	password := "hunter2"
	secret := []byte("test-secret")
	if err := login("alice", password); err != nil {
		t.Fatal(err)
	}
	_ = token
	_ = secret
}
