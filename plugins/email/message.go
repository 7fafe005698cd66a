package email

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"github.com/vakt/vakt/plugins/sdk"
)

// MessageID returns the Message-ID of the mail for notification id, from
// the domain of the sender: the same on every retry of the notification,
// so that a receiver can drop a duplicate.
func MessageID(id, domain string) string {
	return "<vakt." + digest(id) + "@" + domain + ">"
}

// ThreadID returns the id every mail about the problem problemID refers to
// in In-Reply-To and References: the problem's first notification, its
// repeats, escalations, acknowledgement and recovery thread under it.
func ThreadID(problemID, domain string) string {
	return "<vakt.problem." + digest(problemID) + "@" + domain + ">"
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

// render returns the whole message: headers, then a multipart/alternative
// body of text and HTML (or the text alone), CRLF line ends throughout.
func (s *settings) render(n sdk.Notification, to []*mail.Address, now time.Time) ([]byte, error) {
	data := dataOf(n, to)
	var subject, text, html bytes.Buffer
	if err := s.subject.Execute(&subject, data); err != nil {
		return nil, fmt.Errorf("the subject template: %w", err)
	}
	if err := s.text.Execute(&text, data); err != nil {
		return nil, fmt.Errorf("the text template: %w", err)
	}
	if s.html != nil {
		if err := s.html.Execute(&html, data); err != nil {
			return nil, fmt.Errorf("the HTML template: %w", err)
		}
	}

	var b bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	header("From", s.from.String())
	addrs := make([]string, len(to))
	for i, a := range to {
		addrs[i] = a.String()
	}
	header("To", strings.Join(addrs, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", strings.Join(strings.Fields(subject.String()), " ")))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", MessageID(n.ID, s.domain))
	if problem := n.Extra["problem_id"]; problem != "" {
		thread := ThreadID(problem, s.domain)
		header("In-Reply-To", thread)
		header("References", thread)
	}
	header("Auto-Submitted", "auto-generated")
	header("X-Vakt-Notification", headerSafe(n.ID))
	header("X-Vakt-Kind", headerSafe(n.Kind))
	header("MIME-Version", "1.0")

	if s.html == nil {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		writeQP(&b, text.String())
		return b.Bytes(), nil
	}
	boundary := newBoundary()
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary}))
	b.WriteString("\r\n")
	for _, part := range []struct{ contentType, body string }{
		{"text/plain; charset=utf-8", text.String()},
		{"text/html; charset=utf-8", html.String()},
	} {
		fmt.Fprintf(&b, "--%s\r\n", boundary)
		fmt.Fprintf(&b, "Content-Type: %s\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", part.contentType)
		writeQP(&b, part.body)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes(), nil
}

// writeQP writes text quoted-printable, its line ends as CRLF.
func writeQP(b *bytes.Buffer, text string) {
	w := quotedprintable.NewWriter(b)
	_, _ = w.Write([]byte(strings.ReplaceAll(text, "\r\n", "\n")))
	_ = w.Close()
}

// headerSafe keeps a value on one header line.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, s)
}

func newBoundary() string {
	var buf [16]byte
	_, _ = rand.Read(buf[:])
	return "vakt-" + hex.EncodeToString(buf[:])
}
