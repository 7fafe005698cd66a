package email_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/vakt/vakt/plugins/internal/plugintest"
)

// A real SMTP server on loopback, go-smtp's, that records what it
// receives. Recipients at refuse.example are refused with 550, those at
// later.example with 451; a message whose body holds "REFUSE-DATA" is
// refused with 554.

const (
	user     = "vakt"
	password = "s3cret"
)

// mail is one message the server accepted.
type mail struct {
	from string
	to   []string
	data []byte
	auth string // the mechanism the session authenticated with
	tls  bool
}

type mailServer struct {
	mu    sync.Mutex
	mails []mail
	addr  string
	// requireAuth refuses MAIL before AUTH.
	requireAuth bool
}

func (m *mailServer) received() []mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mail(nil), m.mails...)
}

// startServer serves SMTP on loopback: plain with STARTTLS offered when
// cert is given, or implicit TLS when implicit is set.
func startServer(t *testing.T, cert *plugintest.Cert, implicit, requireAuth bool) *mailServer {
	t.Helper()
	m := &mailServer{requireAuth: requireAuth}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{server: m, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.AllowInsecureAuth = false
	if cert != nil {
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert.Pair}}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	if implicit {
		ln = tls.NewListener(ln, s.TLSConfig)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close(); <-done })
	return m
}

type session struct {
	server *mailServer
	conn   *smtp.Conn
	auth   string
	cur    mail
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, pw string) error {
			return s.check(mech, username, pw)
		}), nil
	case sasl.Login:
		return &loginServer{check: func(u, pw string) error { return s.check(mech, u, pw) }}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *session) check(mech, username, pw string) error {
	if username != user || pw != password {
		return smtp.ErrAuthFailed
	}
	s.auth = mech
	return nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.server.requireAuth && s.auth == "" {
		return smtp.ErrAuthRequired
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.cur = mail{from: from, auth: s.auth, tls: isTLS}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case strings.HasSuffix(to, "@refuse.example"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user " + to}
	case strings.HasSuffix(to, "@later.example"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if bytes.Contains(data, []byte("REFUSE-DATA")) {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content refused"}
	}
	s.cur.data = data
	s.server.mu.Lock()
	s.server.mails = append(s.server.mails, s.cur)
	s.server.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = mail{} }
func (s *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl has only
// as a client: it asks for the user name, then the password.
type loginServer struct {
	check    func(user, password string) error
	username string
	step     int
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(response) > 0 { // an initial response is the user name
			l.username = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.username = string(response)
		l.step++
		return []byte("Password:"), false, nil
	case 2:
		l.step++
		return nil, true, l.check(l.username, string(response))
	}
	return nil, true, errors.New("unexpected response")
}
