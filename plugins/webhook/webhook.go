// Package webhook is vakt's built-in webhook notifier plugin: it POSTs each
// notification as JSON to a URL, signed with HMAC-SHA256 so that the
// receiver (a service desk, a chat bridge) can tell it came from vakt and
// was not replayed.
//
// The signature is sent as `X-Vakt-Signature: sha256=<hex>` over
// "<timestamp>.<body>", where the timestamp (Unix seconds) is sent as
// X-Vakt-Timestamp; Verify checks both on the receiving side. See
// README.md for the configuration and sample.hcl (SampleConfig) for a
// commented example.
package webhook

import (
	"context"
	_ "embed"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/internal/configcheck"
	"github.com/vakt/vakt/plugins/sdk"
)

// Name is the plugin's name, as a notifier's plugin attribute gives it.
const Name = "webhook"

// Version is the plugin's version; the User-Agent carries it.
const Version = "1.0.0"

//go:embed sample.hcl
var sampleConfig string

// SampleConfig returns a notifier that uses the plugin with every
// attribute documented.
func SampleConfig() string { return sampleConfig }

const defaultTimeout = 10 * time.Second

// Notifier is the webhook notifier plugin. It keeps each config it
// accepted, parsed, under the config's id.
type Notifier struct {
	settings configcache.Cache[*settings] // parsed configs by config ID
}

// New returns the plugin, for the built-in registry.
func New() sdk.Notifier { return &Notifier{} }

// Info describes the plugin and its configuration schema.
func (*Notifier) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:    Name,
		Version: Version,
		Description: "POSTs each notification as JSON to a URL, signed with HMAC-SHA256 " +
			"(X-Vakt-Signature over the X-Vakt-Timestamp and the body).",
		Schema: sdk.Schema{
			{Name: "url", Type: sdk.TypeString, Required: true, Description: "the http or https URL to POST to"},
			{Name: "secret", Type: sdk.TypeString, Required: true, Description: "the shared HMAC-SHA256 key, at least 16 characters"},
			{Name: "headers", Type: sdk.TypeMapOfString, Description: "more headers to send, e.g. Authorization"},
			{Name: "timeout", Type: sdk.TypeDuration, Default: defaultTimeout, Description: "for the whole request"},
		},
	}, nil
}

// settings is a config read and checked.
type settings struct {
	url     *url.URL
	secret  []byte
	headers map[string]string
	timeout time.Duration
}

// minSecret is the shortest secret accepted: shorter keys are guessable.
const minSecret = 16

// Configure checks the URL, secret, headers and timeout, and keeps them
// under cfg.ID.
func (n *Notifier) Configure(_ context.Context, cfg sdk.Config) error {
	_, err := n.settings.Configure(cfg, parseSettings)
	return err
}

// settingsFor returns the parsed config of a notification: the one
// configured under its id (the SDK configures inline configs before the
// call too).
func (n *Notifier) settingsFor(cfg sdk.Config) (*settings, error) {
	return n.settings.Get(cfg, parseSettings)
}

func parseSettings(v sdk.Values) (*settings, error) {
	var p configcheck.Problems
	s := &settings{
		secret:  []byte(v.String("secret")),
		headers: v.Map("headers"),
		timeout: v.Duration("timeout"),
	}
	s.url = p.HTTPURL("url", v.String("url"))
	if len(s.secret) < minSecret {
		p.Add("secret", "must be at least %d characters, got %d", minSecret, len(s.secret))
	}
	checkHeaders(s.headers, &p)
	if s.timeout <= 0 {
		p.Add("timeout", "must be positive, got %s", s.timeout)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// reserved are the headers the plugin sets itself.
var reserved = map[string]bool{
	"content-type": true, "content-length": true, "host": true,
	"x-vakt-signature": true, "x-vakt-timestamp": true, "x-vakt-notification": true,
}

func checkHeaders(h map[string]string, p *configcheck.Problems) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case !configcheck.IsToken(name):
			p.Add("headers", "%q is not a header name", name)
		case reserved[strings.ToLower(name)]:
			p.Add("headers", "%s is set by the plugin itself", name)
		case strings.ContainsAny(h[name], "\r\n\x00"):
			p.Add("headers", "the value of %s holds a line break or NUL", name)
		}
	}
}

// Notify POSTs the notification. A 2xx answer is success; 4xx (but 408
// and 429) is permanent; 408, 429, 5xx, redirects refused and network
// errors are retried.
func (n *Notifier) Notify(ctx context.Context, note sdk.Notification) error {
	s, err := n.settingsFor(note.Config)
	if err != nil {
		return sdk.Permanent(err)
	}
	body, err := Encode(note)
	if err != nil {
		return sdk.Permanent(fmt.Errorf("encoding notification %q: %w", note.ID, err))
	}
	return post(ctx, s, note.ID, body, time.Now())
}
