package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// /healthz says why the daemon is unhealthy (the store refuses writes)
// with a 503, and ok again once it is not.
func TestHealthzSaysWhy(t *testing.T) {
	at := startAPI(t, apiToken)
	get := func() (int, string) {
		t.Helper()
		resp, err := http.Get(at.url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get(); code != 200 || body != "ok\n" {
		t.Fatalf("healthy: %d %q", code, body)
	}
	at.backend.mu.Lock()
	at.backend.unhealthy = "the store has refused writes since 2026-12-08T01:00:00Z (3 transitions waiting): disk full"
	at.backend.mu.Unlock()
	if code, body := get(); code != 503 || body != "unhealthy: the store has refused writes since 2026-12-08T01:00:00Z (3 transitions waiting): disk full\n" {
		t.Fatalf("unhealthy: %d %q", code, body)
	}
}

// POST /api/v1/reload?force=1 reaches the backend as a forced reload; the
// client's ReloadForce sends it.
func TestReloadForce(t *testing.T) {
	at := startAPI(t, apiToken)
	c := &Client{BaseURL: at.url, Token: apiToken}
	for _, force := range []bool{false, true} {
		if _, err := c.ReloadWith(context.Background(), force); err != nil {
			t.Fatal(err)
		}
		at.backend.mu.Lock()
		got := at.backend.forced
		at.backend.mu.Unlock()
		if got != force {
			t.Errorf("reload force=%v reached the backend as %v", force, got)
		}
	}
	resp, err := http.Post(at.url+"/api/v1/reload?force=maybe", "", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusBadRequest {
		t.Errorf("force=maybe: %d", resp.StatusCode)
	}
}
