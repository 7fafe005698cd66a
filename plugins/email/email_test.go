package email_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/email"
	"github.com/vakt/vakt/plugins/internal/notifiertest"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

func notification(kind string, state check.State) sdk.Notification {
	return sdk.Notification{
		Config: sdk.Config{ID: "mail"},
		ID:     "n-" + kind, Kind: kind, Check: "web", Host: "www1",
		State: state, Level: state.Level(check.LevelError), Output: "HTTP " + state.String() + " - 503 Service Unavailable",
		Long:       "line 2",
		Time:       time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Recipients: []sdk.Recipient{{Name: "Ann", Address: "ann@example.com"}, {Address: "bob@example.com"}},
		Extra:      map[string]string{"ack_url": "https://v.example/ack?x=1&y=2", "problem_id": "web/www1/2026-01-02T03:04:05Z"},
	}
}

// values is a config for the server at addr, with more settings.
func values(addr string, more sdk.Values) sdk.Values {
	host, port, _ := strings.Cut(addr, ":")
	p, _ := strconv.Atoi(port)
	v := sdk.Values{"host": host, "port": p, "from": "vakt <vakt@example.com>", "tls": "none", "helo_name": "monitor1.example.com"}
	for k, e := range more {
		v[k] = e
	}
	return v
}

func serve(t *testing.T, v sdk.Values) sdk.Notifier {
	t.Helper()
	n := sdktest.ServeNotifier(t, email.New())
	if err := n.Configure(plugintest.Context(t), sdk.Config{ID: "mail", Values: v}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	return n
}

// parsed is a received message taken apart.
type parsed struct {
	header netmail.Header
	text   string
	html   string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading the message: %v\n%s", err, data)
	}
	p := parsed{header: msg.Header}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if mediaType == "text/plain" {
		p.text = decodeQP(t, msg.Body)
		return p
	}
	if mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %s", mediaType)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if part.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Errorf("part %s is not quoted-printable", part.Header.Get("Content-Type"))
		}
		switch part.Header.Get("Content-Type") {
		case "text/plain; charset=utf-8":
			p.text = decodeQP(t, part)
		case "text/html; charset=utf-8":
			p.html = decodeQP(t, part)
		default:
			t.Errorf("unexpected part %s", part.Header.Get("Content-Type"))
		}
	}
	return p
}

func decodeQP(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

const wantText = `PROBLEM: web on www1 is CRITICAL

Check:  web
Host:   www1
State:  CRITICAL (error)
Time:   2026-01-02 03:04:05 UTC
Output: HTTP CRITICAL - 503 Service Unavailable

line 2

Acknowledge: https://v.example/ack?x=1&y=2

-- 
vakt notification n-problem
`

func TestSendSTARTTLSAuth(t *testing.T) {
	for _, mech := range []string{"PLAIN", "LOGIN"} {
		t.Run(mech, func(t *testing.T) {
			cert := plugintest.NewCert(t, "mail", time.Now().Add(48*time.Hour))
			srv := startServer(t, &cert, false, true)
			n := serve(t, values(srv.addr, sdk.Values{
				"tls": "starttls", "ca_file": cert.PEMFile,
				"username": user, "password": password, "auth": strings.ToLower(mech),
			}))
			if err := n.Notify(plugintest.Context(t), notification("problem", check.Critical)); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("the server got %d mails, want 1", len(got))
			}
			m := got[0]
			if m.from != "vakt@example.com" || !reflect.DeepEqual(m.to, []string{"ann@example.com", "bob@example.com"}) || !m.tls || m.auth != mech {
				t.Errorf("envelope from %q to %q, TLS %v, auth %q", m.from, m.to, m.tls, m.auth)
			}
			p := parse(t, m.data)
			for name, want := range map[string]string{
				"From":                `"vakt" <vakt@example.com>`,
				"To":                  `"Ann" <ann@example.com>, <bob@example.com>`,
				"Subject":             "[vakt] PROBLEM: web on www1 is CRITICAL",
				"Message-Id":          email.MessageID("n-problem", "example.com"),
				"In-Reply-To":         email.ThreadID("web/www1/2026-01-02T03:04:05Z", "example.com"),
				"References":          email.ThreadID("web/www1/2026-01-02T03:04:05Z", "example.com"),
				"Auto-Submitted":      "auto-generated",
				"X-Vakt-Notification": "n-problem",
				"X-Vakt-Kind":         "problem",
				"Mime-Version":        "1.0",
			} {
				if got := p.header.Get(name); got != want {
					t.Errorf("header %s = %q, want %q", name, got, want)
				}
			}
			if _, err := p.header.Date(); err != nil {
				t.Errorf("Date: %v", err)
			}
			if p.text != wantText {
				t.Errorf("text part\n got %q\nwant %q", p.text, wantText)
			}
			for _, want := range []string{
				"<h2>PROBLEM: web on www1 is CRITICAL</h2>",
				`<tr><th align="left">Output</th><td><code>HTTP CRITICAL - 503 Service Unavailable</code></td></tr>`,
				`<p><a href="https://v.example/ack?x=1&amp;y=2">Acknowledge</a></p>`,
			} {
				if !strings.Contains(p.html, want) {
					t.Errorf("HTML part lacks %q:\n%s", want, p.html)
				}
			}
		})
	}
}

// TestThreading: a problem and its recovery have their own Message-IDs
// and refer to one thread; another problem of the same check is another
// thread.
func TestThreading(t *testing.T) {
	srv := startServer(t, nil, false, false)
	n := serve(t, values(srv.addr, nil))
	ctx := plugintest.Context(t)
	problem, recovery := notification("problem", check.Critical), notification("recovery", check.OK)
	again := notification("problem", check.Critical)
	again.ID, again.Extra = "n-again", map[string]string{"problem_id": "web/www1/2026-01-03T00:00:00Z"}
	for _, note := range []sdk.Notification{problem, recovery, again} {
		if err := n.Notify(ctx, note); err != nil {
			t.Fatalf("Notify %s: %v", note.ID, err)
		}
	}
	got := srv.received()
	if len(got) != 3 {
		t.Fatalf("got %d mails, want 3", len(got))
	}
	var ids, refs []string
	for _, m := range got {
		p := parse(t, m.data)
		ids = append(ids, p.header.Get("Message-Id"))
		refs = append(refs, p.header.Get("References"))
		if p.header.Get("In-Reply-To") != p.header.Get("References") {
			t.Errorf("In-Reply-To %q, References %q", p.header.Get("In-Reply-To"), p.header.Get("References"))
		}
	}
	if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
		t.Errorf("Message-IDs not distinct: %q", ids)
	}
	if refs[0] != refs[1] || refs[0] == refs[2] || refs[0] == "" || refs[2] == "" {
		t.Errorf("References %q: want the problem and recovery in one thread, the next problem in another", refs)
	}
	if p := parse(t, got[1].data); p.header.Get("Subject") != "[vakt] RECOVERY: web on www1 is OK" {
		t.Errorf("recovery subject %q", p.header.Get("Subject"))
	}
}

func TestSendImplicitTLSAndTextOnly(t *testing.T) {
	cert := plugintest.NewCert(t, "mail", time.Now().Add(48*time.Hour))
	srv := startServer(t, &cert, true, true)
	n := serve(t, values(srv.addr, sdk.Values{
		"tls": "tls", "ca_file": cert.PEMFile, "username": user, "password": password,
		"html_template": "", "subject": "{{.State}} {{.Check}}\n{{.Host}} ünïcode",
		"text_template": "{{.Output}} for {{range .Recipients}}{{.}} {{end}}",
	}))
	note := notification("problem", check.Warning)
	note.Recipients = nil
	if err := n.Notify(plugintest.Context(t), note); err == nil || !sdk.IsPermanent(err) || !strings.Contains(err.Error(), "no recipient") {
		t.Fatalf("Notify without recipients: %v, want a permanent no recipient", err)
	}
	note.Recipients = []sdk.Recipient{{Address: "carl@example.com"}}
	if err := n.Notify(plugintest.Context(t), note); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got := srv.received()
	if len(got) != 1 || !got[0].tls || got[0].auth != "PLAIN" {
		t.Fatalf("received %+v", got)
	}
	p := parse(t, got[0].data)
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(p.header.Get("Subject"))
	if err != nil || subject != "WARNING web www1 ünïcode" {
		t.Errorf("Subject %q (%v)", subject, err)
	}
	// The message ends with the line end SMTP's DATA needs.
	if p.text != "HTTP WARNING - 503 Service Unavailable for carl@example.com \n" || p.html != "" {
		t.Errorf("text %q, html %q", p.text, p.html)
	}
}

func TestRefusals(t *testing.T) {
	cert := plugintest.NewCert(t, "mail", time.Now().Add(48*time.Hour))
	srv := startServer(t, &cert, false, true)
	auth := sdk.Values{"tls": "starttls", "ca_file": cert.PEMFile, "username": user, "password": password}
	for _, tc := range []struct {
		name      string
		more      sdk.Values
		to        []string
		output    string
		permanent bool
		contains  string
		delivered []string
	}{
		{"every recipient 550", nil, []string{"x@refuse.example", "y@refuse.example"}, "", true,
			"refused every recipient: x@refuse.example (SMTP error 550: no such user x@refuse.example)", nil},
		{"a recipient 451", nil, []string{"ann@example.com", "x@later.example"}, "", false,
			"RCPT TO x@later.example: the server refused with SMTP error 451: try again later (temporary, retried)", nil},
		{"some refused", nil, []string{"ann@example.com", "x@refuse.example"}, "", true,
			"delivered to ann@example.com; the server refused x@refuse.example", []string{"ann@example.com"}},
		{"data 554", nil, []string{"ann@example.com"}, "REFUSE-DATA", true,
			"the server refused with SMTP error 554: content refused (permanent, not retried)", nil},
		{"wrong password", sdk.Values{"password": "wrong"}, []string{"ann@example.com"}, "", true,
			"AUTH PLAIN: the server refused with SMTP error 535: Authentication failed (permanent, not retried)", nil},
		{"no auth", sdk.Values{"username": nil, "password": nil}, []string{"ann@example.com"}, "", true,
			"MAIL FROM: the server refused with SMTP error 502: Please authenticate first", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := values(srv.addr, auth)
			for k, e := range tc.more {
				if e == nil {
					delete(v, k)
				} else {
					v[k] = e
				}
			}
			n := serve(t, v)
			note := notification("problem", check.Critical)
			note.ID = tc.name
			note.Recipients = nil
			for _, a := range tc.to {
				note.Recipients = append(note.Recipients, sdk.Recipient{Address: a})
			}
			if tc.output != "" {
				note.Output = tc.output
			}
			before := len(srv.received())
			err := n.Notify(plugintest.Context(t), note)
			if err == nil || sdk.IsPermanent(err) != tc.permanent || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("Notify: %v (permanent %v)\nwant permanent %v containing %q", err, sdk.IsPermanent(err), tc.permanent, tc.contains)
			}
			got := srv.received()[before:]
			var delivered []string
			for _, m := range got {
				delivered = append(delivered, m.to...)
			}
			if !reflect.DeepEqual(delivered, tc.delivered) {
				t.Errorf("delivered to %q, want %q", delivered, tc.delivered)
			}
		})
	}
}

func TestServerUnreachable(t *testing.T) {
	note := notification("problem", check.Critical)
	t.Run("connection refused", func(t *testing.T) {
		n := serve(t, values("127.0.0.1:"+strconv.Itoa(plugintest.ClosedPort(t)), nil))
		err := n.Notify(plugintest.Context(t), note)
		if err == nil || sdk.IsPermanent(err) || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("Notify: %v, want a retryable connection refused", err)
		}
	})
	t.Run("no STARTTLS offered", func(t *testing.T) {
		srv := startServer(t, nil, false, false)
		n := serve(t, values(srv.addr, sdk.Values{"tls": "starttls"}))
		err := n.Notify(plugintest.Context(t), note)
		if err == nil || !strings.Contains(err.Error(), "STARTTLS: smtp: server doesn't support STARTTLS") || len(srv.received()) != 0 {
			t.Fatalf("Notify: %v, received %d; want an error and nothing sent in plain text", err, len(srv.received()))
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		cert := plugintest.NewCert(t, "mail", time.Now().Add(48*time.Hour))
		srv := startServer(t, &cert, false, false)
		n := serve(t, values(srv.addr, sdk.Values{"tls": "starttls"}))
		err := n.Notify(plugintest.Context(t), note)
		if err == nil || !strings.Contains(err.Error(), "certificate") || len(srv.received()) != 0 {
			t.Fatalf("Notify: %v, want a certificate error", err)
		}
	})
	t.Run("silent server times out", func(t *testing.T) {
		silent := plugintest.Serve(t, "127.0.0.1:0", nil, plugintest.Drain)
		n := serve(t, values("127.0.0.1:"+strconv.Itoa(silent.Port), sdk.Values{"timeout": "200ms"}))
		err := n.Notify(plugintest.Context(t), note)
		if err == nil || sdk.IsPermanent(err) || !strings.Contains(err.Error(), "no answer within the timeout of 200ms: context deadline exceeded") {
			t.Fatalf("Notify: %v, want a retryable timeout", err)
		}
	})
}

func TestConfigRejected(t *testing.T) {
	n := sdktest.ServeNotifier(t, email.New())
	ok := func(extra sdk.Values) sdk.Values {
		v := sdk.Values{"host": "smtp.example.com", "from": "vakt@example.com"}
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
		{"missing host and from", sdk.Values{}, sdk.ConfigErrors{
			{Attribute: "from", Message: `missing required attribute "from"`},
			{Attribute: "host", Message: `missing required attribute "host"`},
		}},
		{"host with port", ok(sdk.Values{"host": "smtp.example.com:25"}), sdk.ConfigErrors{
			{Attribute: "host", Message: `attribute "host": "smtp.example.com:25" is not a host name or address (give the port in port)`}}},
		{"port", ok(sdk.Values{"port": 70000}), sdk.ConfigErrors{
			{Attribute: "port", Message: `attribute "port": want a whole number from 0 to 65535, got 70000`}}},
		{"tls", ok(sdk.Values{"tls": "ssl"}), sdk.ConfigErrors{
			{Attribute: "tls", Message: `attribute "tls": "ssl" is not starttls, tls or none`}}},
		{"auth", ok(sdk.Values{"auth": "cram-md5"}), sdk.ConfigErrors{
			{Attribute: "auth", Message: `attribute "auth": "cram-md5" is not plain or login`}}},
		{"username without password", ok(sdk.Values{"username": "u"}), sdk.ConfigErrors{
			{Attribute: "password", Message: `attribute "password": is needed with username`}}},
		{"password in plain text", ok(sdk.Values{"username": "u", "password": "p", "tls": "none"}), sdk.ConfigErrors{
			{Attribute: "username", Message: `attribute "username": needs tls = "starttls" or "tls": AUTH would send the password in plain text`}}},
		{"tls settings without tls", ok(sdk.Values{"tls": "none", "tls_insecure": true}), sdk.ConfigErrors{
			{Attribute: "tls_insecure", Message: `attribute "tls_insecure": needs tls = "starttls" or "tls"`}}},
		{"ca_file", ok(sdk.Values{"ca_file": "/nonexistent/ca.pem"}), sdk.ConfigErrors{
			{Attribute: "ca_file", Message: `attribute "ca_file": reading the CA file: open /nonexistent/ca.pem: no such file or directory`}}},
		{"from", ok(sdk.Values{"from": "vakt at example"}), sdk.ConfigErrors{
			{Attribute: "from", Message: `attribute "from": "vakt at example" is not a mail address: mail: no angle-addr`}}},
		{"to", ok(sdk.Values{"to": []string{"ok@example.com", "nope"}}), sdk.ConfigErrors{
			{Attribute: "to", Message: `attribute "to": "nope" is not a mail address: mail: missing '@' or angle-addr`}}},
		{"templates", ok(sdk.Values{"subject": "{{.Nope}}", "text_template": "{{if}}", "html_template": "{{.Check"}), sdk.ConfigErrors{
			{Attribute: "subject", Message: `attribute "subject": template: subject:1:2: executing "subject" at <.Nope>: can't evaluate field Nope in type email.Data`},
			{Attribute: "text_template", Message: `attribute "text_template": template: text_template:1: missing value for if`},
			{Attribute: "html_template", Message: `attribute "html_template": template: html_template:1: unclosed action`},
		}},
		{"timeout", ok(sdk.Values{"timeout": "0s"}), sdk.ConfigErrors{
			{Attribute: "timeout", Message: `attribute "timeout": must be positive, got 0s`}}},
	} {
		t.Run(tc.name, func(t *testing.T) { notifiertest.WantRejected(t, n, tc.values, tc.want) })
	}
}

func TestSample(t *testing.T) {
	n := email.New()
	info, err := n.Info(plugintest.Context(t))
	if err != nil || info.Schema.Validate() != nil || info.Name != email.Name || info.Version != email.Version {
		t.Fatalf("Info: %+v, %v", info, err)
	}
	for _, uncomment := range []bool{false, true} {
		values := notifiertest.SampleValues(t, n, "sample.hcl", uncomment)
		if uncomment {
			delete(values, "ca_file") // an example path
			if len(values) != len(info.Schema)-1 {
				t.Errorf("sample.hcl uncommented sets %d attributes, the schema has %d", len(values)+1, len(info.Schema))
			}
		}
		if err := n.Configure(plugintest.Context(t), sdk.Config{ID: "sample", Values: values}); err != nil {
			t.Fatalf("sample.hcl (uncommented %v) rejected: %v", uncomment, err)
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
	if email.SampleConfig() == "" {
		t.Error("SampleConfig is empty")
	}
}

// TestPluginProcess mails through the notifier running as a real plugin
// process; an SMTP 5xx stays permanent across the process boundary and a
// 4xx stays retryable.
func TestPluginProcess(t *testing.T) {
	cert := plugintest.NewCert(t, "mail", time.Now().Add(48*time.Hour))
	srv := startServer(t, &cert, false, true)
	n := notifiertest.StartProcess(t, "./plugins/email/testdata/serve", sdktest.NewLogLines())
	v := values(srv.addr, sdk.Values{"tls": "starttls", "ca_file": cert.PEMFile, "username": user, "password": password})
	ctx := plugintest.Context(t)
	if err := n.Configure(ctx, sdk.Config{ID: "mail", Values: v}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if err := n.Notify(ctx, notification("problem", check.Critical)); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if got := srv.received(); len(got) != 1 || parse(t, got[0].data).text != wantText {
		t.Fatalf("received %d mails: %+v", len(got), got)
	}
	note := notification("problem", check.Critical)
	note.Recipients = []sdk.Recipient{{Address: "x@refuse.example"}}
	if err := n.Notify(ctx, note); !sdk.IsPermanent(err) {
		t.Fatalf("Notify to a refused recipient: %v, want permanent", err)
	}
	note.Recipients = []sdk.Recipient{{Address: "x@later.example"}}
	if err := n.Notify(ctx, note); err == nil || sdk.IsPermanent(err) {
		t.Fatalf("Notify to a deferred recipient: %v, want retryable", err)
	}
}
