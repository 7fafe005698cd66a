package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/vakt/vakt/plugins/sdk"
)

// Notify sends the message to every recipient of the notification (or to
// the config's to when it names none), one request per recipient and part.
// It stops at the first failure: a 2xx answer is sent; 408, 429, 3xx, 5xx
// and network errors are retryable; any other 4xx is permanent. A retry
// sends to every recipient again, so one who got it already may get it
// twice.
func (n *Notifier) Notify(ctx context.Context, note sdk.Notification) error {
	s, err := n.settingsFor(note.Config)
	if err != nil {
		return sdk.Permanent(err)
	}
	recipients := note.Recipients
	if len(recipients) == 0 {
		for _, number := range s.to {
			recipients = append(recipients, sdk.Recipient{Address: number})
		}
	}
	if len(recipients) == 0 {
		return sdk.Permanent(fmt.Errorf("notification %q: no recipient: the notification names none and the config sets no to", note.ID))
	}
	data := dataOf(note)
	var msg strings.Builder
	if err := s.message.Execute(&msg, data); err != nil {
		return sdk.Permanent(fmt.Errorf("notification %q: the message template: %w", note.ID, err))
	}
	parts := Fit(msg.String(), s.maxLength, s.split)
	for _, r := range recipients {
		if strings.TrimSpace(r.Address) == "" {
			return sdk.Permanent(fmt.Errorf("notification %q: recipient %q has no phone number", note.ID, r.Name))
		}
		for i, part := range parts {
			body, contentType, err := s.body(FieldData{Data: data, To: r.Address, ToName: r.Name, Message: part})
			if err != nil {
				return sdk.Permanent(fmt.Errorf("notification %q: %w", note.ID, err))
			}
			what := fmt.Sprintf("sending notification %q to %s", note.ID, r.Address)
			if len(parts) > 1 {
				what += fmt.Sprintf(" (part %d of %d)", i+1, len(parts))
			}
			if err := s.send(ctx, body, contentType, what); err != nil {
				return err
			}
		}
	}
	return nil
}

// body builds the request body from the field templates.
func (s *settings) body(d FieldData) ([]byte, string, error) {
	values := make(map[string]string, len(s.fields))
	for _, f := range s.fields {
		var b strings.Builder
		if err := f.tmpl.Execute(&b, d); err != nil {
			return nil, "", fmt.Errorf("field %s: %w", f.name, err)
		}
		values[f.name] = b.String()
	}
	if s.json {
		b, err := json.Marshal(values)
		return b, "application/json", err
	}
	form := url.Values{}
	for k, v := range values {
		form.Set(k, v)
	}
	return []byte(form.Encode()), "application/x-www-form-urlencoded", nil
}

// maxAnswer is how much of an error answer's body is quoted.
const maxAnswer = 512

func (s *settings) send(ctx context.Context, body []byte, contentType, what string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	target := s.url
	var reader io.Reader = bytes.NewReader(body)
	if s.method == http.MethodGet || s.method == http.MethodHead {
		// A GET gateway takes the fields in the query.
		u := *s.url
		q := u.Query()
		form, _ := url.ParseQuery(string(body))
		for k, v := range form {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		target, reader = &u, nil
	}
	req, err := http.NewRequestWithContext(ctx, s.method, target.String(), reader)
	if err != nil {
		return sdk.Permanent(fmt.Errorf("%s: building the request: %w", what, err))
	}
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	if reader != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("User-Agent", "vakt-sms/"+Version)
	client := &http.Client{
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s through %s: %w", what, s.url.Redacted(), err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	err = fmt.Errorf("%s: the gateway %s answered %s: %s", what, s.url.Redacted(), resp.Status, bytes.TrimSpace(answer))
	if code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500 || (code >= 300 && code < 400) {
		return err
	}
	return sdk.Permanent(err)
}
