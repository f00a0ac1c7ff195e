package api

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"golang.org/x/crypto/bcrypt"

	"example.com/inventory/internal/config"
	"example.com/inventory/internal/metrics"
	"example.com/inventory/internal/store"
)

const testPassword = "s3cret-password"

func newTestServer(t *testing.T, rps float64, burst int) *httptest.Server {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	require.NoError(t, err)
	auth := NewAuthenticator(config.Auth{
		Secret: "0123456789abcdef0123", Issuer: "test", TokenTTL: time.Hour,
		AdminPasswordHash: string(hash),
	}, nil)
	a := New(store.New(nil), zap.NewNop(), metrics.New("test"), auth)
	srv := httptest.NewServer(a.Router(config.HTTP{
		CORSOrigins: []string{"*"}, RatePerSecond: rps, RateBurst: burst,
	}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, method, url, token, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	if resp.StatusCode != http.StatusNoContent {
		_ = json.NewDecoder(resp.Body).Decode(&out)
	}
	return resp, out
}

func login(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	resp, body := do(t, http.MethodPost, srv.URL+"/v1/token", "", `{"password":"`+testPassword+`"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	token, ok := body["token"].(string)
	require.True(t, ok)
	return token
}

func TestItemLifecycle(t *testing.T) {
	srv := newTestServer(t, 1000, 100)
	token := login(t, srv)

	resp, item := do(t, http.MethodPost, srv.URL+"/v1/items/", token, `{"sku":"BOLT10","name":"bolt","quantity":5,"price_cents":20}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	id, _ := item["id"].(string)
	require.NotEmpty(t, id)

	resp, item = do(t, http.MethodPatch, srv.URL+"/v1/items/"+id+"/stock", token, `{"delta":-2}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.EqualValues(t, 3, item["quantity"])

	resp, _ = do(t, http.MethodPatch, srv.URL+"/v1/items/"+id+"/stock", token, `{"delta":-9}`)
	assert.Equal(t, http.StatusConflict, resp.StatusCode)

	resp, stats := do(t, http.MethodGet, srv.URL+"/v1/stats", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.EqualValues(t, 60, stats["value_cents"])

	resp, _ = do(t, http.MethodDelete, srv.URL+"/v1/items/"+id, token, "")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, _ = do(t, http.MethodGet, srv.URL+"/v1/items/"+id, "", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestWritesNeedAValidToken(t *testing.T) {
	srv := newTestServer(t, 1000, 100)
	tests := []struct{ name, token string }{
		{"no token", ""},
		{"garbage token", "not.a.jwt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := do(t, http.MethodPost, srv.URL+"/v1/items/", tc.token, `{"sku":"ABC","name":"x"}`)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		})
	}
	resp, _ := do(t, http.MethodPost, srv.URL+"/v1/token", "", `{"password":"wrong"}`)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestCreateValidatesInput(t *testing.T) {
	srv := newTestServer(t, 1000, 100)
	token := login(t, srv)
	tests := []struct {
		name, body string
		status     int
	}{
		{"missing name", `{"sku":"ABC1"}`, http.StatusUnprocessableEntity},
		{"negative quantity", `{"sku":"ABC1","name":"x","quantity":-1}`, http.StatusUnprocessableEntity},
		{"unknown field", `{"sku":"ABC1","name":"x","colour":"red"}`, http.StatusBadRequest},
		{"not json", `{`, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := do(t, http.MethodPost, srv.URL+"/v1/items/", token, tc.body)
			assert.Equal(t, tc.status, resp.StatusCode)
		})
	}
}

func TestRateLimitRejectsBursts(t *testing.T) {
	srv := newTestServer(t, 0.01, 2)
	codes := make([]int, 0, 4)
	for i := 0; i < 4; i++ {
		resp, _ := do(t, http.MethodGet, srv.URL+"/healthz", "", "")
		codes = append(codes, resp.StatusCode)
	}
	assert.Equal(t, []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests, http.StatusTooManyRequests}, codes)
}

func TestTokenRoundTripAndExpiry(t *testing.T) {
	now := time.Now()
	au := NewAuthenticator(config.Auth{Secret: "0123456789abcdef", Issuer: "inv", TokenTTL: time.Minute},
		func() time.Time { return now })
	tok, err := au.Issue("alice")
	require.NoError(t, err)
	sub, err := au.Verify(tok)
	require.NoError(t, err)
	assert.Equal(t, "alice", sub)

	now = now.Add(-2 * time.Hour)
	old, err := au.Issue("bob")
	require.NoError(t, err)
	_, err = au.Verify(old)
	assert.Error(t, err)
}

func TestLargeResponsesAreGzipped(t *testing.T) {
	srv := newTestServer(t, 1000, 1000)
	token := login(t, srv)
	for i := 0; i < 30; i++ {
		body := fmt.Sprintf(`{"sku":"SKU%03d","name":"a reasonably long item name number %d","quantity":%d}`, i, i, i)
		resp, _ := do(t, http.MethodPost, srv.URL+"/v1/items/", token, body)
		require.Equal(t, http.StatusCreated, resp.StatusCode)
	}
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/items/", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(resp.Body)
	require.NoError(t, err)
	var items []map[string]any
	require.NoError(t, json.NewDecoder(zr).Decode(&items))
	assert.Len(t, items, 30)
}
