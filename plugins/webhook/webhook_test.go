package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/notifiertest"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
	"github.com/vakt/vakt/plugins/webhook"
)

const secret = "0123456789abcdef-secret"

// received is one request the test server recorded.
type received struct {
	method string
	header http.Header
	body   []byte
}

// recorder is a loopback HTTP server that records requests and answers
// with the status the test sets.
type recorder struct {
	mu     sync.Mutex
	reqs   []received
	status int
	srv    *httptest.Server
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{status: http.StatusNoContent}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, received{method: req.Method, header: req.Header.Clone(), body: body})
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "answer "+strconv.Itoa(status))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) setStatus(s int) { r.mu.Lock(); r.status = s; r.mu.Unlock() }

func (r *recorder) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

func notification() sdk.Notification {
	return sdk.Notification{
		Config: sdk.Config{ID: "desk"},
		ID:     "n-42", Kind: "problem", Check: "web", Host: "www1",
		State: check.Critical, Level: check.LevelError,
		Output: "HTTP CRITICAL - connection refused", Long: "line 2",
		Time:       time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Recipients: []sdk.Recipient{{Name: "ops", Address: "ops@example.com"}},
		Extra:      map[string]string{"ack_url": "https://vakt.example.com/ack/abc"},
	}
}

func configure(t *testing.T, n sdk.Notifier, url string) {
	t.Helper()
	err := n.Configure(plugintest.Context(t), sdk.Config{ID: "desk", Values: sdk.Values{
		"url": url, "secret": secret, "headers": map[string]string{"Authorization": "Bearer tok"},
	}})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
}

// checkSigned verifies the one request the recorder got as a receiver
// would, and checks its body and headers exactly.
func checkSigned(t *testing.T, got received) {
	t.Helper()
	if err := webhook.Verify([]byte(secret), got.header, got.body, time.Now(), time.Minute); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := `{"id":"n-42","kind":"problem","check":"web","host":"www1","state":"CRITICAL","level":"error",` +
		`"output":"HTTP CRITICAL - connection refused","long":"line 2","time":"2026-01-02T03:04:05Z",` +
		`"recipients":[{"name":"ops","address":"ops@example.com"}],"extra":{"ack_url":"https://vakt.example.com/ack/abc"}}`
	if string(got.body) != want {
		t.Errorf("body\n got %s\nwant %s", got.body, want)
	}
	for k, v := range map[string]string{
		"Content-Type": "application/json", "Authorization": "Bearer tok",
		"User-Agent": "vakt-webhook/1.0.0", "X-Vakt-Notification": "n-42",
	} {
		if g := got.header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	if got.method != http.MethodPost {
		t.Errorf("method %s, want POST", got.method)
	}
}

func TestNotifySigned(t *testing.T) {
	rec := newRecorder(t)
	n := sdktest.ServeNotifier(t, webhook.New())
	configure(t, n, rec.srv.URL+"/hook")
	if err := n.Notify(plugintest.Context(t), notification()); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	reqs := rec.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	checkSigned(t, reqs[0])

	// The JSON decodes into the documented Payload.
	var p webhook.Payload
	if err := json.Unmarshal(reqs[0].body, &p); err != nil || p.State != "CRITICAL" || !p.Time.Equal(notification().Time) {
		t.Errorf("Payload: %+v, %v", p, err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	rec := newRecorder(t)
	n := sdktest.ServeNotifier(t, webhook.New())
	configure(t, n, rec.srv.URL)
	if err := n.Notify(plugintest.Context(t), notification()); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got := rec.requests()[0]
	ts, _ := strconv.ParseInt(got.header.Get(webhook.TimestampHeader), 10, 64)
	signedAt := time.Unix(ts, 0)

	tampered := bytes.Replace(got.body, []byte("CRITICAL"), []byte("OK"), 1)
	otherTime := got.header.Clone()
	otherTime.Set(webhook.TimestampHeader, strconv.FormatInt(ts+1, 10))
	noSig := got.header.Clone()
	noSig.Del(webhook.SignatureHeader)
	for _, tc := range []struct {
		name   string
		secret string
		header http.Header
		body   []byte
		now    time.Time
		want   error
	}{
		{"as sent", secret, got.header, got.body, signedAt, nil},
		{"tampered body", secret, got.header, tampered, signedAt, webhook.ErrBadSignature},
		{"other secret", "another-secret-of-16", got.header, got.body, signedAt, webhook.ErrBadSignature},
		{"timestamp changed to replay", secret, otherTime, got.body, signedAt, webhook.ErrBadSignature},
		{"no signature", secret, noSig, got.body, signedAt, webhook.ErrBadSignature},
		{"replayed later", secret, got.header, got.body, signedAt.Add(10 * time.Minute), webhook.ErrStale},
		{"from the future", secret, got.header, got.body, signedAt.Add(-10 * time.Minute), webhook.ErrStale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify([]byte(tc.secret), tc.header, tc.body, tc.now, 5*time.Minute)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Verify: got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNotifyOutcomes(t *testing.T) {
	for _, tc := range []struct {
		status    int
		permanent bool
	}{
		{http.StatusBadRequest, true},
		{http.StatusUnauthorized, true},
		{http.StatusNotFound, true},
		{http.StatusRequestTimeout, false},
		{http.StatusTooManyRequests, false},
		{http.StatusInternalServerError, false},
		{http.StatusServiceUnavailable, false},
		{http.StatusFound, false},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			rec := newRecorder(t)
			rec.setStatus(tc.status)
			n := sdktest.ServeNotifier(t, webhook.New())
			configure(t, n, rec.srv.URL)
			err := n.Notify(plugintest.Context(t), notification())
			if err == nil || sdk.IsPermanent(err) != tc.permanent {
				t.Fatalf("Notify: %v (permanent %v), want an error, permanent %v", err, sdk.IsPermanent(err), tc.permanent)
			}
			if want := "answer " + strconv.Itoa(tc.status); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), strconv.Itoa(tc.status)) {
				t.Errorf("error %q does not quote the status and %q", err, want)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		n := sdktest.ServeNotifier(t, webhook.New())
		configure(t, n, "http://127.0.0.1:"+strconv.Itoa(plugintest.ClosedPort(t))+"/")
		err := n.Notify(plugintest.Context(t), notification())
		if err == nil || sdk.IsPermanent(err) || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("Notify: %v (permanent %v), want a retryable connection refused", err, sdk.IsPermanent(err))
		}
	})
}

// TestInlineConfigsApart: a config without an id (an inline one) is never
// kept, so a later notification with another inline config goes where its
// own config says, not where the last one configured did.
func TestInlineConfigsApart(t *testing.T) {
	a, b := newRecorder(t), newRecorder(t)
	n := webhook.New()
	ctx := plugintest.Context(t)
	if err := n.Configure(ctx, sdk.Config{Values: sdk.Values{"url": a.srv.URL, "secret": secret, "timeout": time.Second}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	note := notification()
	note.Config = sdk.Config{Values: sdk.Values{"url": b.srv.URL, "secret": secret, "timeout": time.Second}}
	if err := n.Notify(ctx, note); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if len(a.requests()) != 0 || len(b.requests()) != 1 {
		t.Fatalf("server a got %d requests, b %d; want 0 and 1", len(a.requests()), len(b.requests()))
	}
}

func TestConfigRejected(t *testing.T) {
	n := sdktest.ServeNotifier(t, webhook.New())
	ok := func(extra sdk.Values) sdk.Values {
		v := sdk.Values{"url": "https://desk.example.com/", "secret": secret}
		for k, e := range extra {
			v[k] = e
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		values sdk.Values
		want   sdk.ConfigErrors
	}{
		{"missing url and secret", sdk.Values{}, sdk.ConfigErrors{
			{Attribute: "secret", Message: `missing required attribute "secret"`},
			{Attribute: "url", Message: `missing required attribute "url"`},
		}},
		{"no scheme", ok(sdk.Values{"url": "desk.example.com/hook"}), sdk.ConfigErrors{
			{Attribute: "url", Message: `attribute "url": "desk.example.com/hook" has no scheme: want http:// or https://`},
		}},
		{"ftp", ok(sdk.Values{"url": "ftp://desk.example.com/"}), sdk.ConfigErrors{
			{Attribute: "url", Message: `attribute "url": scheme "ftp" is not http or https`},
		}},
		{"no host", ok(sdk.Values{"url": "http:///hook"}), sdk.ConfigErrors{
			{Attribute: "url", Message: `attribute "url": "http:///hook" has no host`},
		}},
		{"bad url", ok(sdk.Values{"url": "http://[::1"}), sdk.ConfigErrors{
			{Attribute: "url", Message: `attribute "url": invalid URL: parse "http://[::1": missing ']' in host`},
		}},
		{"short secret", ok(sdk.Values{"secret": "short"}), sdk.ConfigErrors{
			{Attribute: "secret", Message: `attribute "secret": must be at least 16 characters, got 5`},
		}},
		{"headers", ok(sdk.Values{"headers": map[string]string{"Bad Name": "x", "X-Vakt-Signature": "x", "X-Ok": "a\r\nb"}}), sdk.ConfigErrors{
			{Attribute: "headers", Message: `attribute "headers": "Bad Name" is not a header name`},
			{Attribute: "headers", Message: `attribute "headers": the value of X-Ok holds a line break or NUL`},
			{Attribute: "headers", Message: `attribute "headers": X-Vakt-Signature is set by the plugin itself`},
		}},
		{"timeout", ok(sdk.Values{"timeout": "0s"}), sdk.ConfigErrors{
			{Attribute: "timeout", Message: `attribute "timeout": must be positive, got 0s`},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { notifiertest.WantRejected(t, n, tc.values, tc.want) })
	}
}

func TestSample(t *testing.T) {
	n := webhook.New()
	for _, uncomment := range []bool{false, true} {
		values := notifiertest.SampleValues(t, n, "sample.hcl", uncomment)
		if err := n.Configure(plugintest.Context(t), sdk.Config{ID: "sample", Values: values}); err != nil {
			t.Fatalf("sample.hcl (uncommented %v) rejected: %v", uncomment, err)
		}
		if uncomment && values.Duration("timeout") != 10*time.Second {
			t.Errorf("sample.hcl shows timeout %v, the default is 10s", values["timeout"])
		}
	}
	if webhook.SampleConfig() == "" {
		t.Error("SampleConfig is empty")
	}
	info, _ := n.Info(plugintest.Context(t))
	if err := info.Schema.Validate(); err != nil || info.Name != webhook.Name || info.Version != webhook.Version {
		t.Errorf("Info: %+v: %v", info, err)
	}
	readme := readFile(t, "README.md")
	for _, a := range info.Schema {
		if !strings.Contains(readme, "| `"+a.Name+"` |") {
			t.Errorf("README.md does not document %q", a.Name)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPluginProcess runs the notifier as a real plugin process, through
// go-plugin and gRPC, and delivers one notification by config id and one
// with the config inline; a 4xx stays permanent across the process
// boundary.
func TestPluginProcess(t *testing.T) {
	rec := newRecorder(t)
	n := notifiertest.StartProcess(t, "./plugins/webhook/testdata/serve", sdktest.NewLogLines())
	configure(t, n, rec.srv.URL)
	ctx := plugintest.Context(t)
	if err := n.Notify(ctx, notification()); err != nil {
		t.Fatalf("Notify by id: %v", err)
	}
	inline := notification()
	inline.Config = sdk.Config{Values: sdk.Values{"url": rec.srv.URL, "secret": secret, "headers": map[string]string{"Authorization": "Bearer tok"}}}
	if err := n.Notify(ctx, inline); err != nil {
		t.Fatalf("Notify inline: %v", err)
	}
	reqs := rec.requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		checkSigned(t, r)
	}
	rec.setStatus(http.StatusForbidden)
	if err := n.Notify(ctx, notification()); !sdk.IsPermanent(err) {
		t.Fatalf("Notify against 403: %v, want a permanent error", err)
	}
	if got := len(rec.requests()); got != 3 {
		t.Fatalf("got %d requests, want 3", got)
	}
}
