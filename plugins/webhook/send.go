package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/vakt/vakt/plugins/sdk"
)

// The headers a webhook request carries besides Content-Type.
const (
	// SignatureHeader is "sha256=" and the hex HMAC-SHA256, keyed with
	// the secret, of the timestamp header's value, ".", and the body.
	SignatureHeader = "X-Vakt-Signature"
	// TimestampHeader is when the request was signed, in Unix seconds.
	TimestampHeader = "X-Vakt-Timestamp"
	// NotificationHeader is the notification's id, the same on every
	// retry of it: a receiver can drop duplicates by it.
	NotificationHeader = "X-Vakt-Notification"
)

// Payload is the JSON body a webhook receives.
type Payload struct {
	// ID is the notification's id, the same on every retry.
	ID string `json:"id"`
	// Kind: problem, recovery, acknowledgement, flapping_start, ...
	Kind   string `json:"kind"`
	Check  string `json:"check"`
	Host   string `json:"host"`
	State  string `json:"state"` // OK, WARNING, CRITICAL, UNKNOWN
	Level  string `json:"level"` // ok, warning, error
	Output string `json:"output"`
	Long   string `json:"long,omitempty"`
	// Time is when it happened, RFC 3339 with nanoseconds, UTC.
	Time       time.Time         `json:"time"`
	Recipients []Recipient       `json:"recipients,omitempty"`
	Extra      map[string]string `json:"extra,omitempty"`
}

// Recipient is one recipient of a Payload.
type Recipient struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// Encode returns the JSON body sent for n.
func Encode(n sdk.Notification) ([]byte, error) {
	p := Payload{
		ID: n.ID, Kind: n.Kind, Check: n.Check, Host: n.Host,
		State: n.State.String(), Level: n.Level.String(),
		Output: n.Output, Long: n.Long, Time: n.Time.UTC(), Extra: n.Extra,
	}
	for _, r := range n.Recipients {
		p.Recipients = append(p.Recipients, Recipient{Name: r.Name, Address: r.Address})
	}
	return json.Marshal(p)
}

// Sign returns the X-Vakt-Signature value for body sent at timestamp (the
// X-Vakt-Timestamp value).
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// The reasons Verify refuses a request.
var (
	ErrBadSignature = errors.New("the signature does not match the body")
	ErrStale        = errors.New("the timestamp is too old or in the future")
)

// Verify checks a received webhook: the signature over the timestamp and
// the body, and that the timestamp is within tolerance of now (so that a
// recorded request cannot be replayed later). A receiver should also drop
// a NotificationHeader it has seen.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(TimestampHeader)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%s %q is not Unix seconds: %w", TimestampHeader, ts, ErrStale)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%s is %s off: %w", TimestampHeader, d.Round(time.Second), ErrStale)
	}
	if !hmac.Equal([]byte(h.Get(SignatureHeader)), []byte(Sign(secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}

// maxAnswer is how much of an error answer's body is quoted.
const maxAnswer = 512

// post sends body, signed at now, and classifies the outcome.
func post(ctx context.Context, s *settings, id string, body []byte, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url.String(), bytes.NewReader(body))
	if err != nil {
		return sdk.Permanent(fmt.Errorf("building the request to %s: %w", s.url.Redacted(), err))
	}
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vakt-webhook/"+Version)
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, Sign(s.secret, ts, body))
	req.Header.Set(NotificationHeader, id)

	client := &http.Client{
		// A proxy from the environment is not used, nor a redirect
		// followed: the signature is for the URL configured.
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("posting notification %q to %s: %w", id, s.url.Redacted(), err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	return classify(resp.StatusCode, resp.Status, answer, fmt.Sprintf("posting notification %q to %s", id, s.url.Redacted()))
}

// classify turns an HTTP status into nil (2xx), a retryable error (408,
// 429, 5xx, 3xx: maybe a moved endpoint being fixed) or a permanent one
// (any other 4xx, 1xx).
func classify(code int, status string, answer []byte, what string) error {
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("%s: the server answered %s: %s", what, status, bytes.TrimSpace(answer))
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500, code >= 300 && code < 400:
		return err
	}
	return sdk.Permanent(err)
}
