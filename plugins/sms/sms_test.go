package sms_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/notifiertest"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
	"github.com/vakt/vakt/plugins/sms"
)

type received struct {
	method, path, query, contentType, auth, body string
}

type gateway struct {
	mu     sync.Mutex
	reqs   []received
	status int
	srv    *httptest.Server
}

func newGateway(t *testing.T) *gateway {
	g := &gateway{status: http.StatusOK}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.reqs = append(g.reqs, received{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), string(body)})
		status := g.status
		g.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "gateway says "+strconv.Itoa(status))
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) requests() []received {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]received(nil), g.reqs...)
}

func notification(id string) sdk.Notification {
	return sdk.Notification{
		Config: sdk.Config{ID: id},
		ID:     "n-1", Kind: "problem", Check: "web", Host: "www1",
		State: check.Critical, Level: check.LevelError, Output: "HTTP CRITICAL - connection refused",
		Time:       time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Recipients: []sdk.Recipient{{Name: "ann", Address: "+4711111111"}, {Name: "bob", Address: "+4722222222"}},
		Extra:      map[string]string{"ack_url": "https://v.example/a/1"},
	}
}

func serve(t *testing.T, id string, values sdk.Values) sdk.Notifier {
	t.Helper()
	n := sdktest.ServeNotifier(t, sms.New())
	if err := n.Configure(plugintest.Context(t), sdk.Config{ID: id, Values: values}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	return n
}

const wantText = "PROBLEM CRITICAL web@www1 ack: https://v.example/a/1 - HTTP CRITICAL - connection refused"

func TestNotifyForm(t *testing.T) {
	g := newGateway(t)
	n := serve(t, "gw", sdk.Values{"url": g.srv.URL + "/send", "headers": map[string]string{"Authorization": "Basic dXNlcjpwdw=="}})
	if err := n.Notify(plugintest.Context(t), notification("gw")); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	want := []received{
		{"POST", "/send", "", "application/x-www-form-urlencoded", "Basic dXNlcjpwdw==", "text=" + formEscape(wantText) + "&to=%2B4711111111"},
		{"POST", "/send", "", "application/x-www-form-urlencoded", "Basic dXNlcjpwdw==", "text=" + formEscape(wantText) + "&to=%2B4722222222"},
	}
	if got := g.requests(); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests\n got %#v\nwant %#v", got, want)
	}
}

func formEscape(s string) string {
	r := strings.NewReplacer(" ", "+", ":", "%3A", "/", "%2F", "@", "%40")
	return r.Replace(s)
}

func TestNotifyJSONTemplatesAndSplit(t *testing.T) {
	g := newGateway(t)
	n := serve(t, "gw", sdk.Values{
		"url": g.srv.URL, "format": "json", "max_length": 30, "long_messages": "split",
		"fields":  map[string]string{"recipient": "{{.ToName}} <{{.To}}>", "msg": "{{.Message}}", "sender": "vakt"},
		"message": "{{.State}} {{.Check}}: {{.Output}}",
		"to":      []string{"+4733333333"},
	})
	note := notification("gw")
	note.Recipients = nil // the config's to
	note.Output = "disk /var 97% full\nsecond line"
	if err := n.Notify(plugintest.Context(t), note); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	// "CRITICAL web: disk /var 97% full second line" is 44 characters:
	// two parts of at most 30 with their "i/2 " prefix.
	want := []received{
		{"POST", "/", "", "application/json", "", `{"msg":"1/2 CRITICAL web: disk /var 97","recipient":" \u003c+4733333333\u003e","sender":"vakt"}`},
		{"POST", "/", "", "application/json", "", `{"msg":"2/2 % full second line","recipient":" \u003c+4733333333\u003e","sender":"vakt"}`},
	}
	if got := g.requests(); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests\n got %#v\nwant %#v", got, want)
	}
}

func TestNotifyGET(t *testing.T) {
	g := newGateway(t)
	n := serve(t, "gw", sdk.Values{"url": g.srv.URL + "/send?key=k1", "method": "GET", "message": "{{.State}} {{.Host}}"})
	note := notification("gw")
	note.Recipients = note.Recipients[:1]
	if err := n.Notify(plugintest.Context(t), note); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	want := []received{{"GET", "/send", "key=k1&text=CRITICAL+www1&to=%2B4711111111", "", "", ""}}
	if got := g.requests(); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests\n got %#v\nwant %#v", got, want)
	}
}

func TestFit(t *testing.T) {
	long := strings.Repeat("a", 150) + " " + strings.Repeat("ø", 30) // 181 runes
	for _, tc := range []struct {
		name    string
		message string
		max     int
		split   bool
		want    []string
	}{
		{"fits", "CRITICAL web", 160, false, []string{"CRITICAL web"}},
		{"exactly", strings.Repeat("x", 160), 160, false, []string{strings.Repeat("x", 160)}},
		{"spaces folded", "a\n\n b\t c ", 160, false, []string{"a b c"}},
		{"truncated", long, 160, false, []string{strings.Repeat("a", 150) + " " + strings.Repeat("ø", 6) + "..."}},
		{"truncated at a space", "0123456 89abcdefghij", 11, false, []string{"0123456..."}},
		{"split", long, 160, true, []string{
			"1/2 " + strings.Repeat("a", 150) + " " + strings.Repeat("ø", 5),
			"2/2 " + strings.Repeat("ø", 25),
		}},
		{"split in ten and more", strings.Repeat("b", 200), 20, true, func() []string {
			var out []string
			// Every part has room for the widest prefix, "15/15 ".
			for i := 0; i < 15; i++ {
				out = append(out, strconv.Itoa(i+1)+"/15 "+strings.Repeat("b", min(14, 200-14*i)))
			}
			return out
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sms.Fit(tc.message, tc.max, tc.split)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Fit\n got %q\nwant %q", got, tc.want)
			}
			for _, part := range got {
				if utf8.RuneCountInString(part) > tc.max {
					t.Errorf("part %q has %d characters, more than %d", part, utf8.RuneCountInString(part), tc.max)
				}
			}
		})
	}
}

func TestNotifyOutcomes(t *testing.T) {
	for _, tc := range []struct {
		status    int
		permanent bool
	}{
		{http.StatusBadRequest, true}, {http.StatusUnauthorized, true}, {http.StatusPaymentRequired, true},
		{http.StatusTooManyRequests, false}, {http.StatusInternalServerError, false}, {http.StatusBadGateway, false},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			g := newGateway(t)
			g.status = tc.status
			n := serve(t, "gw", sdk.Values{"url": g.srv.URL})
			err := n.Notify(plugintest.Context(t), notification("gw"))
			if err == nil || sdk.IsPermanent(err) != tc.permanent || !strings.Contains(err.Error(), "gateway says "+strconv.Itoa(tc.status)) {
				t.Fatalf("Notify: %v (permanent %v), want permanent %v quoting the answer", err, sdk.IsPermanent(err), tc.permanent)
			}
			// The first failure ends the call: bob is not tried.
			if got := len(g.requests()); got != 1 {
				t.Errorf("%d requests, want 1", got)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		n := serve(t, "gw", sdk.Values{"url": "http://127.0.0.1:" + strconv.Itoa(plugintest.ClosedPort(t))})
		err := n.Notify(plugintest.Context(t), notification("gw"))
		if err == nil || sdk.IsPermanent(err) || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("Notify: %v, want a retryable connection refused", err)
		}
	})
	t.Run("no recipient", func(t *testing.T) {
		n := serve(t, "gw", sdk.Values{"url": "http://127.0.0.1:1/"})
		note := notification("gw")
		note.Recipients = nil
		err := n.Notify(plugintest.Context(t), note)
		if !sdk.IsPermanent(err) || !strings.Contains(err.Error(), "no recipient") {
			t.Fatalf("Notify: %v, want a permanent no recipient", err)
		}
	})
}

func TestConfigRejected(t *testing.T) {
	n := sdktest.ServeNotifier(t, sms.New())
	ok := func(extra sdk.Values) sdk.Values {
		v := sdk.Values{"url": "https://sms.example.com/send"}
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
		{"missing url", sdk.Values{}, sdk.ConfigErrors{{Attribute: "url", Message: `missing required attribute "url"`}}},
		{"bad url", ok(sdk.Values{"url": "sms.example.com"}), sdk.ConfigErrors{
			{Attribute: "url", Message: `attribute "url": "sms.example.com" has no scheme: want http:// or https://`}}},
		{"method", ok(sdk.Values{"method": "PO ST"}), sdk.ConfigErrors{
			{Attribute: "method", Message: `attribute "method": "PO ST" is not an HTTP method`}}},
		{"format", ok(sdk.Values{"format": "xml"}), sdk.ConfigErrors{
			{Attribute: "format", Message: `attribute "format": "xml" is not form or json`}}},
		{"fields", ok(sdk.Values{"fields": map[string]string{"a": "{{.Nope}}", "b": "{{.To"}}), sdk.ConfigErrors{
			{Attribute: "fields", Message: `attribute "fields": a: template: a:1:2: executing "a" at <.Nope>: can't evaluate field Nope in type sms.FieldData`},
			{Attribute: "fields", Message: `attribute "fields": b: template: b:1: unclosed action`}}},
		{"json by GET", ok(sdk.Values{"format": "json", "method": "GET"}), sdk.ConfigErrors{
			{Attribute: "format", Message: `attribute "format": json needs a method with a body, not GET (GET sends the fields in the query)`}}},
		{"no fields", ok(sdk.Values{"fields": map[string]string{}}), sdk.ConfigErrors{
			{Attribute: "fields", Message: `attribute "fields": names no field: the gateway would get no message`}}},
		{"message", ok(sdk.Values{"message": "{{.To}}"}), sdk.ConfigErrors{
			{Attribute: "message", Message: `attribute "message": template: message:1:2: executing "message" at <.To>: can't evaluate field To in type sms.Data`}}},
		{"max_length", ok(sdk.Values{"max_length": 10}), sdk.ConfigErrors{
			{Attribute: "max_length", Message: `attribute "max_length": want a whole number from 20 to 10000, got 10`}}},
		{"long_messages", ok(sdk.Values{"long_messages": "drop"}), sdk.ConfigErrors{
			{Attribute: "long_messages", Message: `attribute "long_messages": "drop" is not truncate or split`}}},
		{"to", ok(sdk.Values{"to": []string{" "}}), sdk.ConfigErrors{
			{Attribute: "to", Message: `attribute "to": " " is not a phone number`}}},
		{"timeout", ok(sdk.Values{"timeout": "-1s"}), sdk.ConfigErrors{
			{Attribute: "timeout", Message: `attribute "timeout": must be positive, got -1s`}}},
		{"headers", ok(sdk.Values{"headers": map[string]string{"Host": "x"}}), sdk.ConfigErrors{
			{Attribute: "headers", Message: `attribute "headers": Host is set by the plugin itself`}}},
	} {
		t.Run(tc.name, func(t *testing.T) { notifiertest.WantRejected(t, n, tc.values, tc.want) })
	}
}

func TestSample(t *testing.T) {
	n := sms.New()
	info, err := n.Info(plugintest.Context(t))
	if err != nil || info.Schema.Validate() != nil || info.Name != sms.Name {
		t.Fatalf("Info: %+v, %v", info, err)
	}
	for _, uncomment := range []bool{false, true} {
		values := notifiertest.SampleValues(t, n, "sample.hcl", uncomment)
		if err := n.Configure(plugintest.Context(t), sdk.Config{ID: "sample", Values: values}); err != nil {
			t.Fatalf("sample.hcl (uncommented %v) rejected: %v", uncomment, err)
		}
		if uncomment {
			defaults, _ := info.Schema.ValidateValues(map[string]any{"url": "x"})
			for _, a := range info.Schema {
				if a.Default != nil && !reflect.DeepEqual(values[a.Name], defaults[a.Name]) {
					t.Errorf("sample.hcl shows %s = %#v, the default is %#v", a.Name, values[a.Name], defaults[a.Name])
				}
			}
			if len(values) != len(info.Schema) {
				t.Errorf("sample.hcl uncommented sets %d attributes, the schema has %d", len(values), len(info.Schema))
			}
		}
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range info.Schema {
		if !strings.Contains(string(readme), "| `"+a.Name+"` |") {
			t.Errorf("README.md does not document %q", a.Name)
		}
	}
	if sms.SampleConfig() == "" {
		t.Error("SampleConfig is empty")
	}
}

// TestPluginProcess sends through the notifier running as a real plugin
// process.
func TestPluginProcess(t *testing.T) {
	g := newGateway(t)
	n := notifiertest.StartProcess(t, "./plugins/sms/testdata/serve", sdktest.NewLogLines())
	if err := n.Configure(plugintest.Context(t), sdk.Config{ID: "gw", Values: sdk.Values{"url": g.srv.URL, "format": "json"}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if err := n.Notify(plugintest.Context(t), notification("gw")); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	reqs := g.requests()
	if len(reqs) != 2 || reqs[1].body != `{"text":"`+wantText+`","to":"+4722222222"}` {
		t.Fatalf("requests: %#v", reqs)
	}
	g.mu.Lock()
	g.status = http.StatusUnauthorized
	g.mu.Unlock()
	if err := n.Notify(plugintest.Context(t), notification("gw")); !sdk.IsPermanent(err) {
		t.Fatalf("Notify against 401: %v, want permanent", err)
	}
}
