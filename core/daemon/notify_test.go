package daemon

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailCatcher is a real SMTP server (go-smtp's) on loopback that keeps
// what it accepts.
type mailCatcher struct {
	addr  string
	mu    sync.Mutex
	mails []caught
}

type caught struct {
	from string
	to   []string
	msg  *mail.Message
	body string
}

func (m *mailCatcher) received() []caught {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]caught(nil), m.mails...)
}

func startMailCatcher(t *testing.T) *mailCatcher {
	t.Helper()
	m := &mailCatcher{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &catchSession{m: m}, nil
	}))
	s.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close(); <-done })
	return m
}

type catchSession struct {
	m   *mailCatcher
	cur caught
}

func (s *catchSession) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *catchSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *catchSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(msg.Body)
	s.cur.msg, s.cur.body = msg, string(body)
	s.m.mu.Lock()
	s.m.mails = append(s.m.mails, s.cur)
	s.m.mu.Unlock()
	s.cur = caught{}
	return nil
}
func (s *catchSession) Reset()        { s.cur = caught{} }
func (s *catchSession) Logout() error { return nil }

// TestNotifyMail runs the whole path: a check goes CRITICAL, the route for
// errors sends a mail through the email notifier to a real SMTP server;
// the check recovers and the recovery mail follows, to the same person.
func TestNotifyMail(t *testing.T) {
	env := newEnv(t)
	smtpd := startMailCatcher(t)
	host, port, _ := net.SplitHostPort(smtpd.addr)
	env.writeChecks(t, "host \"web1\" {}\n"+env.flipCheck(t, "web1", "disk", 1, "")+fmt.Sprintf(`
notifier "mail" {
  plugin = "email"
  config {
    host = %q
    port = %s
    tls  = "none"
    from = "vakt <vakt@example.com>"
  }
}
contact "kari" {
  email = "kari@example.com"
}
contact "ola" {
  email = "ola@example.com"
}
route "errors" {
  match { level = "error" }
  notifiers = ["mail"]
  to        = ["kari"]
  repeat    = 0
}
`, host, port))
	d := start(t, env, func(o *Options) { o.NotifyInterval = 100 * time.Millisecond })
	d.waitStatus(t, "web1/disk", "OK", isState("OK", "HARD"))

	env.setState(t, "disk", 2)
	d.log.waitFor(t, "the problem mail", func() bool { return len(smtpd.received()) >= 1 })
	env.setState(t, "disk", 0)
	d.log.waitFor(t, "the recovery mail", func() bool { return len(smtpd.received()) >= 2 })
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	got := smtpd.received()
	want := []struct{ subject string }{
		{"[vakt] PROBLEM: web1/disk on web1 is CRITICAL"},
		{"[vakt] RECOVERY: web1/disk on web1 is OK"},
	}
	if len(got) != len(want) {
		t.Fatalf("received %d mails, want %d", len(got), len(want))
	}
	for i, w := range want {
		m := got[i]
		if m.from != "vakt@example.com" || strings.Join(m.to, ",") != "kari@example.com" {
			t.Errorf("mail %d: from %q to %q, want from vakt@example.com to kari@example.com", i+1, m.from, m.to)
		}
		if s := m.msg.Header.Get("Subject"); s != w.subject {
			t.Errorf("mail %d: subject %q, want %q", i+1, s, w.subject)
		}
		if to := m.msg.Header.Get("To"); !strings.Contains(to, "kari@example.com") {
			t.Errorf("mail %d: To header %q, want kari@example.com", i+1, to)
		}
	}
}
