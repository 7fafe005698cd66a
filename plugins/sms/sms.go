// Package sms is vakt's built-in sms notifier plugin: it sends each
// notification as a short text through a generic HTTP SMS gateway, one
// request per recipient (phone number), with the request's body built from
// templates as a form or as JSON.
//
// A message longer than max_length (160 by default, one GSM-7 SMS) is
// truncated with "..." or, with long_messages = "split", sent as several
// numbered parts. See README.md for the configuration and sample.hcl
// (SampleConfig) for a commented example.
package sms

import (
	"context"
	_ "embed"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/internal/configcheck"
	"github.com/vakt/vakt/plugins/internal/notifydata"
	"github.com/vakt/vakt/plugins/sdk"
)

// Name is the plugin's name, as a notifier's plugin attribute gives it.
const Name = "sms"

// Version is the plugin's version; the User-Agent carries it.
const Version = "1.0.0"

//go:embed sample.hcl
var sampleConfig string

// SampleConfig returns a notifier that uses the plugin with every
// attribute documented.
func SampleConfig() string { return sampleConfig }

// Defaults of the optional attributes.
const (
	defaultTimeout   = 10 * time.Second
	defaultMaxLength = 160
	// DefaultMessage is the default message template.
	DefaultMessage = `{{.Type}} {{.State}} {{.Check}}@{{.Host}}{{with .AckURL}} ack: {{.}}{{end}} - {{.Output}}`
	// Ellipsis ends a truncated message: ASCII, so that a GSM-7 message
	// stays GSM-7 (one "…" would make it UCS-2, 70 characters an SMS).
	Ellipsis = "..."
)

// defaultFields are the body fields when fields is not set.
func defaultFields() map[string]string {
	return map[string]string{"to": "{{.To}}", "text": "{{.Message}}"}
}

// Notifier is the sms notifier plugin. It keeps each config it accepted,
// parsed, under the config's id.
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
		Description: "Sends each notification as a text message through an HTTP SMS gateway, " +
			"one request per recipient, truncated or split to max_length characters.",
		Schema: sdk.Schema{
			{Name: "url", Type: sdk.TypeString, Required: true, Description: "the gateway's http or https URL"},
			{Name: "method", Type: sdk.TypeString, Default: "POST", Description: "the request method"},
			{Name: "headers", Type: sdk.TypeMapOfString, Description: "headers to send, e.g. the gateway's Authorization"},
			{Name: "format", Type: sdk.TypeString, Default: "form", Description: "how fields are sent: form (application/x-www-form-urlencoded) or json (an object of strings)"},
			{Name: "fields", Type: sdk.TypeMapOfString, Description: "the body's fields, each a Go text/template; default: to = {{.To}}, text = {{.Message}}"},
			{Name: "message", Type: sdk.TypeString, Default: DefaultMessage, Description: "the text template of the message"},
			{Name: "max_length", Type: sdk.TypeNumber, Default: defaultMaxLength, Description: "the most characters a message may have"},
			{Name: "long_messages", Type: sdk.TypeString, Default: "truncate", Description: "a longer message is truncated (ending in ...) or split into numbered parts: truncate or split"},
			{Name: "to", Type: sdk.TypeListOfString, Description: "phone numbers used when a notification names no recipient"},
			{Name: "timeout", Type: sdk.TypeDuration, Default: defaultTimeout, Description: "for each request"},
		},
	}, nil
}

// settings is a config read and checked.
type settings struct {
	url       *url.URL
	method    string
	headers   map[string]string
	json      bool
	fields    []field // sorted by name
	message   *template.Template
	maxLength int
	split     bool
	to        []string
	timeout   time.Duration
}

type field struct {
	name string
	tmpl *template.Template
}

// Configure checks the config, parses its templates and tries them on a
// sample notification, and keeps the result under cfg.ID.
func (n *Notifier) Configure(_ context.Context, cfg sdk.Config) error {
	_, err := n.settings.Configure(cfg, parseSettings)
	return err
}

func (n *Notifier) settingsFor(cfg sdk.Config) (*settings, error) {
	return n.settings.Get(cfg, parseSettings)
}

func parseSettings(v sdk.Values) (*settings, error) {
	var p configcheck.Problems
	s := &settings{
		method:  v.String("method"),
		headers: v.Map("headers"),
		to:      v.List("to"),
		timeout: v.Duration("timeout"),
	}
	s.url = p.HTTPURL("url", v.String("url"))
	if !configcheck.IsToken(s.method) {
		p.Add("method", "%q is not an HTTP method", s.method)
	}
	checkHeaders(s.headers, &p)
	switch v.String("format") {
	case "form":
	case "json":
		s.json = true
	default:
		p.Add("format", "%q is not form or json", v.String("format"))
	}
	if s.json && (s.method == "GET" || s.method == "HEAD") {
		p.Add("format", "json needs a method with a body, not %s (GET sends the fields in the query)", s.method)
	}
	fields := v.Map("fields")
	if fields == nil {
		fields = defaultFields()
	}
	if len(fields) == 0 {
		p.Add("fields", "names no field: the gateway would get no message")
	}
	sample := sampleData()
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		t, err := template.New(name).Option("missingkey=error").Parse(fields[name])
		if err == nil {
			err = t.Execute(&strings.Builder{}, sample)
		}
		if err != nil {
			p.Add("fields", "%s: %v", name, err)
			continue
		}
		s.fields = append(s.fields, field{name: name, tmpl: t})
	}
	msg, err := template.New("message").Parse(v.String("message"))
	if err == nil {
		err = msg.Execute(&strings.Builder{}, sample.Data)
	}
	if err != nil {
		p.Add("message", "%v", err)
	}
	s.message = msg
	s.maxLength = p.WholeNumber("max_length", v.Number("max_length"), 20, 10000)
	switch v.String("long_messages") {
	case "truncate":
	case "split":
		s.split = true
	default:
		p.Add("long_messages", "%q is not truncate or split", v.String("long_messages"))
	}
	for _, number := range s.to {
		if strings.TrimSpace(number) == "" || strings.ContainsAny(number, "\r\n\x00") {
			p.Add("to", "%q is not a phone number", number)
		}
	}
	if s.timeout <= 0 {
		p.Add("timeout", "must be positive, got %s", s.timeout)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkHeaders(h map[string]string, p *configcheck.Problems) {
	for _, name := range slices.Sorted(maps.Keys(h)) {
		switch {
		case !configcheck.IsToken(name):
			p.Add("headers", "%q is not a header name", name)
		case strings.EqualFold(name, "Content-Length") || strings.EqualFold(name, "Host"):
			p.Add("headers", "%s is set by the plugin itself", name)
		case strings.ContainsAny(h[name], "\r\n\x00"):
			p.Add("headers", "the value of %s holds a line break or NUL", name)
		}
	}
}

// Data is what the message template sees: the notification
// (notifydata.Data: .Type, .Check, .Host, .State, .Output, .AckURL ...).
type Data struct{ notifydata.Data }

// FieldData is what a field template sees: the message and its recipient
// besides everything the message template sees.
type FieldData struct {
	Data
	// To is the recipient's phone number; ToName their name.
	To, ToName string
	// Message is the message (or one part of it), at most max_length
	// characters.
	Message string
}

func dataOf(n sdk.Notification) Data { return Data{notifydata.Of(n)} }

// sampleData is what Configure tries the templates on.
func sampleData() FieldData {
	d := dataOf(sdk.Notification{
		ID: "sample", Kind: "problem", Check: "check", Host: "host",
		State: check.Critical, Level: check.LevelError, Output: "output",
		Time: time.Unix(0, 0).UTC(), Extra: map[string]string{},
	})
	return FieldData{Data: d, To: "+10000000000", ToName: "name", Message: "message"}
}

// Fit makes message fit in max characters (runes): unchanged when it
// does; else truncated to end in Ellipsis, or, with split, cut into parts
// of at most max characters each, each starting "i/n ". Line breaks and
// runs of spaces become one space first.
func Fit(message string, max int, split bool) []string {
	message = strings.Join(strings.Fields(message), " ")
	r := []rune(message)
	if len(r) <= max {
		return []string{message}
	}
	if !split {
		return []string{strings.TrimRight(string(r[:max-len(Ellipsis)]), " ") + Ellipsis}
	}
	// Find the number of parts: the prefix "i/n " grows with n's digits.
	for parts := 2; ; parts++ {
		prefix := len(fmt.Sprintf("%d/%d ", parts, parts))
		room := max - prefix
		if (len(r)+room-1)/room > parts {
			continue
		}
		var out []string
		for i := 0; i*room < len(r); i++ {
			end := min((i+1)*room, len(r))
			out = append(out, fmt.Sprintf("%d/%d %s", i+1, parts, string(r[i*room:end])))
		}
		// The smallest parts that fits is exactly as many parts as it
		// takes: one fewer had less room per part and did not fit.
		return out
	}
}
