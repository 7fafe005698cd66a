package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/vakt/vakt/plugins/sdk"
)

// send delivers msg to the recipients in one SMTP transaction. Every
// recipient the server refuses with 5xx is left out; when it refuses them
// all the error is permanent, and when it accepts some the mail goes to
// those and the error is permanent too (a retry would send it twice to
// the others) and names who was refused. A 4xx answer to anything ends the
// transaction before DATA and the error may be retried, as may a network
// or TLS failure.
func (s *settings) send(ctx context.Context, id string, to []*mail.Address, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	what := fmt.Sprintf("mailing notification %q through %s", id, s.addr)
	err := s.exchange(ctx, what, to, msg)
	var netErr net.Error
	if err == nil || sdk.IsPermanent(err) || ctx.Err() == nil && !(errors.As(err, &netErr) && netErr.Timeout()) {
		return err
	}
	// The deadline ended the exchange (closing the connection, or the
	// connection's own deadline): say so rather than "use of closed
	// network connection".
	cause := ctx.Err()
	if cause == nil {
		cause = context.DeadlineExceeded
	}
	return fmt.Errorf("%s: no answer within the timeout of %s: %w", what, s.timeout, cause)
}

// exchange is one SMTP session; ctx ends it.
func (s *settings) exchange(ctx context.Context, what string, to []*mail.Address, msg []byte) (err error) {

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	// The context's end (vakt's deadline or the timeout) ends the
	// exchange wherever it is.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	var c *smtp.Client
	switch s.mode {
	case modeTLS:
		tc := tls.Client(conn, s.tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return fmt.Errorf("%s: TLS handshake: %w", what, err)
		}
		c = smtp.NewClient(tc)
	case modeStartTLS:
		c, err = smtp.NewClientStartTLS(conn, s.tlsConfig)
		if err != nil {
			_ = conn.Close()
			return classify(what+": STARTTLS", err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	c.CommandTimeout, c.SubmissionTimeout = s.timeout, s.timeout
	if err := c.Hello(s.helo); err != nil {
		return classify(what+": EHLO", err)
	}
	if s.username != "" {
		mech, client := "PLAIN", sasl.NewPlainClient("", s.username, s.password)
		if s.login {
			mech, client = "LOGIN", sasl.NewLoginClient(s.username, s.password)
		}
		if ok, _ := c.Extension("AUTH"); !ok || !c.SupportsAuth(mech) {
			return sdk.Permanent(fmt.Errorf("%s: the server does not offer AUTH %s (permanent, not retried)", what, mech))
		}
		if err := c.Auth(client); err != nil {
			return classify(what+": AUTH "+mech, err)
		}
	}
	if err := c.Mail(s.from.Address, nil); err != nil {
		return classify(what+": MAIL FROM", err)
	}
	var accepted, refused []string
	for _, a := range to {
		err := c.Rcpt(a.Address, nil)
		var se *smtp.SMTPError
		switch {
		case err == nil:
			accepted = append(accepted, a.Address)
		case errors.As(err, &se) && se.Code >= 500:
			refused = append(refused, fmt.Sprintf("%s (%v)", a.Address, err))
		default:
			return classify(what+": RCPT TO "+a.Address, err)
		}
	}
	if len(accepted) == 0 {
		return sdk.Permanent(fmt.Errorf("%s: the server refused every recipient: %s (permanent, not retried)", what, strings.Join(refused, "; ")))
	}
	w, err := c.Data()
	if err != nil {
		return classify(what+": DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		_ = w.Close()
		return classify(what+": sending the message", err)
	}
	if err := w.Close(); err != nil {
		return classify(what+": the message", err)
	}
	_ = c.Quit()
	if len(refused) > 0 {
		return sdk.Permanent(fmt.Errorf("%s: delivered to %s; the server refused %s (permanent, not retried)",
			what, strings.Join(accepted, ", "), strings.Join(refused, "; ")))
	}
	return nil
}

// classify marks an SMTP 5xx answer permanent and says so; a 4xx answer
// and anything else (network, TLS) stay retryable.
func classify(what string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		if se.Code >= 500 {
			return sdk.Permanent(fmt.Errorf("%s: the server refused with %w (permanent, not retried)", what, err))
		}
		return fmt.Errorf("%s: the server refused with %w (temporary, retried)", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
