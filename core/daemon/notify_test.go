package daemon

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/mail"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/notify"
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
	checks := func(level, to string) string {
		return "host \"web1\" {}\n" + env.flipCheck(t, "web1", "disk", 1, "") + fmt.Sprintf(`
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
route "problems" {
  match { level = %q }
  notifiers = ["mail"]
  to        = [%q]
  repeat    = 0
}
`, host, port, level, to)
	}
	env.writeChecks(t, checks("error", "kari"))
	d := start(t, env, func(o *Options) { o.NotifyInterval = 100 * time.Millisecond })
	d.waitStatus(t, "web1/disk", "OK", isState("OK", "HARD"))

	env.setState(t, "disk", 2)
	d.log.waitFor(t, "the problem mail", func() bool { return len(smtpd.received()) >= 1 })
	env.setState(t, "disk", 0)
	d.log.waitFor(t, "the recovery mail", func() bool { return len(smtpd.received()) >= 2 })
	// Routes reload with checks.d: a warning now goes to ola.
	env.writeChecks(t, checks("warning", "ola"))
	if r := d.Reload(context.Background(), false); !r.OK {
		t.Fatalf("reload: %+v", r)
	}
	env.setState(t, "disk", 1)
	d.log.waitFor(t, "the mail after the reload", func() bool { return len(smtpd.received()) >= 3 })
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	got := smtpd.received()
	want := []struct{ to, subject string }{
		{"kari@example.com", "[vakt] PROBLEM: web1/disk on web1 is CRITICAL"},
		{"kari@example.com", "[vakt] RECOVERY: web1/disk on web1 is OK"},
		{"ola@example.com", "[vakt] PROBLEM: web1/disk on web1 is WARNING"},
	}
	if len(got) != len(want) {
		t.Fatalf("received %d mails, want %d", len(got), len(want))
	}
	for i, w := range want {
		m := got[i]
		if m.from != "vakt@example.com" || strings.Join(m.to, ",") != w.to {
			t.Errorf("mail %d: from %q to %q, want from vakt@example.com to %s", i+1, m.from, m.to, w.to)
		}
		if s := m.msg.Header.Get("Subject"); s != w.subject {
			t.Errorf("mail %d: subject %q, want %q", i+1, s, w.subject)
		}
		if to := m.msg.Header.Get("To"); !strings.Contains(to, w.to) {
			t.Errorf("mail %d: To header %q, want %s", i+1, to, w.to)
		}
	}
}

// TestNotifyConfig: the notification blocks become the pipeline's
// configuration: addresses per notifier, to split into contacts and teams,
// match, periods, escalations; a daemon without notifiers or routes runs
// no pipeline.
func TestNotifyConfig(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, `check "x" {
  command  = ["/bin/true"]
  interval = "300d"
}
notifier "mail" {
  plugin = "email"
  config {
    host = "smtp.example.com"
    from = "vakt@example.com"
  }
}
notifier "pager" {
  plugin = "sms"
  config { url = "https://sms.example.com/send" }
}
notifier "desk" {
  plugin = "webhook"
  config {
    url    = "https://desk.example.com/t"
    secret = "0123456789abcdef"
  }
}
timeperiod "office" {
  weekdays = { "monday-friday" = ["08:00-16:00"] }
}
contact "kari" {
  email     = "kari@example.com"
  phone     = "+4791234567"
  addresses = { desk = "queue-7" }
}
contact "lead" {
  email = "lead@example.com"
}
team "oncall" {
  members = ["kari"]
}
route "errors" {
  match {
    level = "error"
    check = "disk*"
    host  = "web?"
    tags  = { role = "web" }
  }
  not_during = "office"
  notifiers  = ["pager", "desk"]
  to         = ["oncall", "lead"]
  repeat     = "1h"
  first_delay = "2m"
  fallback   = ["mail"]
  continue   = true
  escalate {
    after   = "15m"
    replace = ["lead"]
  }
}
`)
	l, err := (&Daemon{opts: Options{Checks: []string{env.checks}}}).load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := notify.Config{
		Contacts: []notify.Contact{
			{Name: "kari", Addresses: map[string]string{"mail": "kari@example.com", "pager": "+4791234567", "desk": "queue-7"}},
			{Name: "lead", Addresses: map[string]string{"mail": "lead@example.com"}},
		},
		Teams: []notify.Team{{Name: "oncall", Members: []string{"kari"}}},
		Routes: []notify.Route{{
			Name: "errors", Levels: []check.Level{check.LevelError}, Checks: []string{"*/disk*"}, Hosts: []string{"web?"},
			Tags: []string{"role=web"}, Period: "office", OutsidePeriod: true,
			Notifiers: []string{"pager", "desk"}, Contacts: []string{"lead"}, Notify: []string{"oncall"},
			Fallback: []string{"mail"}, RepeatInterval: time.Hour, FirstDelay: 2 * time.Minute, Continue: true,
			Escalations: []notify.Escalation{{AfterUnacknowledged: 15 * time.Minute, Contacts: []string{"lead"}, Replace: true}},
		}},
	}
	if !reflect.DeepEqual(l.notify, want) {
		t.Errorf("notify config:\n got %+v\nwant %+v", l.notify, want)
	}
	if len(l.notifiers) != 3 || l.notifiers["mail"] == nil || l.notifiers["pager"] == nil || l.notifiers["desk"] == nil {
		t.Errorf("notifiers = %v", l.notifiers)
	}

	// Without notifiers and routes: no pipeline, no sender.
	quiet := newEnv(t)
	quiet.writeChecks(t, idleCheck("localhost", "x", 0, "fine", ""))
	d := start(t, quiet, nil)
	if d.pipeline != nil || d.sender != nil {
		t.Errorf("a daemon without routes has a pipeline (%v) or a sender (%v)", d.pipeline != nil, d.sender != nil)
	}
}
