// Package email is vakt's built-in email notifier plugin: it sends each
// notification as a mail through an SMTP server with the emersion/go-smtp
// client, over STARTTLS (the default), implicit TLS or plain SMTP, with
// AUTH PLAIN or LOGIN, as a multipart text and HTML message from templates
// the config may override.
//
// Every mail has a Message-ID derived from the notification's id (the same
// on every retry), and when the notification's extra field problem_id is
// set, In-Reply-To and References naming one thread per problem, so that a
// problem, its repeats and its recovery land in one mail thread. An SMTP
// 5xx answer is a permanent error (sdk.Permanent), a 4xx answer or a
// network failure a retryable one. See README.md for the configuration
// and sample.hcl (SampleConfig) for a commented example.
package email

import (
	"context"
	"crypto/tls"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/internal/configcheck"
	"github.com/vakt/vakt/plugins/internal/notifydata"
	"github.com/vakt/vakt/plugins/internal/tlscert"
	"github.com/vakt/vakt/plugins/sdk"
)

// Name is the plugin's name, as a notifier's plugin attribute gives it.
const Name = "email"

// Version is the plugin's version.
const Version = "1.0.0"

//go:embed sample.hcl
var sampleConfig string

// SampleConfig returns a notifier that uses the plugin with every
// attribute documented.
func SampleConfig() string { return sampleConfig }

// The default templates.
const (
	DefaultSubject = `[vakt] {{.Type}}: {{.Check}} on {{.Host}} is {{.State}}`
	DefaultText    = `{{.Type}}: {{.Check}} on {{.Host}} is {{.State}}

Check:  {{.Check}}
Host:   {{.Host}}
State:  {{.State}} ({{.Level}})
Time:   {{.Time.Format "2006-01-02 15:04:05 MST"}}
Output: {{.Output}}
{{with .Long}}
{{.}}
{{end}}{{with .AckURL}}
Acknowledge: {{.}}
{{end}}
-- 
vakt notification {{.ID}}
`
	DefaultHTML = `<!DOCTYPE html>
<html><body style="font-family: sans-serif">
<h2>{{.Type}}: {{.Check}} on {{.Host}} is {{.State}}</h2>
<table>
<tr><th align="left">Check</th><td>{{.Check}}</td></tr>
<tr><th align="left">Host</th><td>{{.Host}}</td></tr>
<tr><th align="left">State</th><td>{{.State}} ({{.Level}})</td></tr>
<tr><th align="left">Time</th><td>{{.Time.Format "2006-01-02 15:04:05 MST"}}</td></tr>
<tr><th align="left">Output</th><td><code>{{.Output}}</code></td></tr>
</table>
{{with .Long}}<pre>{{.}}</pre>
{{end}}{{with .AckURL}}<p><a href="{{.}}">Acknowledge</a></p>
{{end}}<p style="color: gray">vakt notification {{.ID}}</p>
</body></html>
`
)

const defaultTimeout = 30 * time.Second

// Notifier is the email notifier plugin. It keeps each config it
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
		Description: "Sends each notification as a text and HTML mail through an SMTP server " +
			"(STARTTLS, implicit TLS, AUTH PLAIN or LOGIN), threaded per problem.",
		Schema: sdk.Schema{
			{Name: "host", Type: sdk.TypeString, Required: true, Description: "the SMTP server's name or address"},
			{Name: "port", Type: sdk.TypeNumber, Default: 0, Description: "the SMTP server's port; 0: 587 for starttls, 465 for tls, 25 for none"},
			{Name: "tls", Type: sdk.TypeString, Default: "starttls", Description: "starttls (required, never falls back to plain text), tls (implicit TLS) or none"},
			{Name: "tls_insecure", Type: sdk.TypeBool, Default: false, Description: "accept any server certificate"},
			{Name: "ca_file", Type: sdk.TypeString, Description: "a PEM file of the certificate authorities to trust instead of the system's"},
			{Name: "username", Type: sdk.TypeString, Description: "the user to authenticate as; none: no AUTH"},
			{Name: "password", Type: sdk.TypeString, Description: "the password of username"},
			{Name: "auth", Type: sdk.TypeString, Default: "plain", Description: "the AUTH mechanism with username: plain or login"},
			{Name: "from", Type: sdk.TypeString, Required: true, Description: "the sender, e.g. \"vakt <vakt@example.com>\"; its domain ends Message-IDs"},
			{Name: "to", Type: sdk.TypeListOfString, Description: "addresses used when a notification names no recipient"},
			{Name: "subject", Type: sdk.TypeString, Default: DefaultSubject, Description: "the subject, a Go text/template"},
			{Name: "text_template", Type: sdk.TypeString, Default: DefaultText, Description: "the plain text body, a Go text/template"},
			{Name: "html_template", Type: sdk.TypeString, Default: DefaultHTML, Description: "the HTML body, a Go html/template; \"\" sends text only"},
			{Name: "helo_name", Type: sdk.TypeString, Description: "the name to greet the server with (EHLO); default: this machine's host name"},
			{Name: "timeout", Type: sdk.TypeDuration, Default: defaultTimeout, Description: "for the whole exchange with the server"},
		},
	}, nil
}

// TLS modes.
const (
	modeStartTLS = "starttls"
	modeTLS      = "tls"
	modeNone     = "none"
)

// settings is a config read and checked.
type settings struct {
	addr      string // host:port
	mode      string
	tlsConfig *tls.Config
	username  string
	password  string
	login     bool // AUTH LOGIN rather than PLAIN
	from      *mail.Address
	domain    string // of from, for Message-IDs
	to        []*mail.Address
	subject   *template.Template
	text      *template.Template
	html      *htmltemplate.Template // nil: text only
	helo      string
	timeout   time.Duration
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
		mode:     v.String("tls"),
		username: v.String("username"),
		password: v.String("password"),
		helo:     v.String("helo_name"),
		timeout:  v.Duration("timeout"),
	}
	host := v.String("host")
	if host == "" || strings.ContainsAny(host, " \t\r\n/:") && net.ParseIP(host) == nil {
		p.Add("host", "%q is not a host name or address (give the port in port)", host)
	}
	port := p.WholeNumber("port", v.Number("port"), 0, 65535)
	switch s.mode {
	case modeStartTLS:
		port = orDefault(port, 587)
	case modeTLS:
		port = orDefault(port, 465)
	case modeNone:
		port = orDefault(port, 25)
		for _, name := range []string{"ca_file"} {
			if v.String(name) != "" {
				p.Add(name, "needs tls = \"starttls\" or \"tls\"")
			}
		}
		if v.Bool("tls_insecure") {
			p.Add("tls_insecure", "needs tls = \"starttls\" or \"tls\"")
		}
	default:
		p.Add("tls", "%q is not starttls, tls or none", s.mode)
	}
	s.addr = net.JoinHostPort(host, strconv.Itoa(port))
	s.tlsConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: v.Bool("tls_insecure")}
	if file := v.String("ca_file"); file != "" {
		pool, err := tlscert.LoadCAFile(file)
		if err != nil {
			p.Add("ca_file", "%v", err)
		}
		s.tlsConfig.RootCAs = pool
	}
	switch v.String("auth") {
	case "plain":
	case "login":
		s.login = true
	default:
		p.Add("auth", "%q is not plain or login", v.String("auth"))
	}
	switch {
	case s.username != "" && s.password == "":
		p.Add("password", "is needed with username")
	case s.username == "" && s.password != "":
		p.Add("username", "is needed with password")
	case s.username != "" && s.mode == modeNone:
		p.Add("username", "needs tls = \"starttls\" or \"tls\": AUTH would send the password in plain text")
	}
	if from, err := mail.ParseAddress(v.String("from")); err != nil {
		p.Add("from", "%q is not a mail address: %v", v.String("from"), err)
	} else {
		s.from = from
		s.domain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	}
	for _, text := range v.List("to") {
		a, err := mail.ParseAddress(text)
		if err != nil {
			p.Add("to", "%q is not a mail address: %v", text, err)
			continue
		}
		s.to = append(s.to, a)
	}
	sample := sampleData()
	s.subject = parseText(&p, "subject", v.String("subject"), sample)
	s.text = parseText(&p, "text_template", v.String("text_template"), sample)
	if text := v.String("html_template"); text != "" {
		t, err := htmltemplate.New("html_template").Parse(text)
		if err == nil {
			err = t.Execute(&strings.Builder{}, sample)
		}
		if err != nil {
			p.Add("html_template", "%v", err)
		}
		s.html = t
	}
	if s.helo == "" {
		s.helo, _ = os.Hostname()
		if s.helo == "" {
			s.helo = "localhost"
		}
	} else if strings.ContainsAny(s.helo, " \t\r\n") {
		p.Add("helo_name", "%q is not a host name", s.helo)
	}
	if s.timeout <= 0 {
		p.Add("timeout", "must be positive, got %s", s.timeout)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

func orDefault(port, def int) int {
	if port == 0 {
		return def
	}
	return port
}

func parseText(p *configcheck.Problems, attr, text string, sample Data) *template.Template {
	t, err := template.New(attr).Parse(text)
	if err == nil {
		err = t.Execute(&strings.Builder{}, sample)
	}
	if err != nil {
		p.Add(attr, "%v", err)
	}
	return t
}

// Data is what the subject and body templates see: the notification
// (notifydata.Data: .Type, .Check, .Host, .State, .Output, .AckURL ...),
// its problem id and its recipients.
type Data struct {
	notifydata.Data
	// ProblemID is the extra field problem_id: one id for a problem from
	// its start to its recovery, or empty.
	ProblemID string
	// Recipients are the addresses the mail goes to.
	Recipients []string
}

func dataOf(n sdk.Notification, to []*mail.Address) Data {
	d := Data{Data: notifydata.Of(n), ProblemID: n.Extra["problem_id"]}
	for _, a := range to {
		d.Recipients = append(d.Recipients, a.Address)
	}
	return d
}

func sampleData() Data {
	return dataOf(sdk.Notification{
		ID: "sample", Kind: "problem", Check: "check", Host: "host",
		State: check.Critical, Level: check.LevelError, Output: "output", Long: "long",
		Time: time.Unix(0, 0).UTC(), Extra: map[string]string{"ack_url": "https://example.com/ack"},
	}, []*mail.Address{{Address: "someone@example.com"}})
}

// Notify renders the mail and sends it. See the package comment for which
// errors are permanent.
func (n *Notifier) Notify(ctx context.Context, note sdk.Notification) error {
	s, err := n.settingsFor(note.Config)
	if err != nil {
		return sdk.Permanent(err)
	}
	to, err := s.recipients(note)
	if err != nil {
		return sdk.Permanent(fmt.Errorf("notification %q: %w", note.ID, err))
	}
	msg, err := s.render(note, to, time.Now())
	if err != nil {
		return sdk.Permanent(fmt.Errorf("notification %q: %w", note.ID, err))
	}
	return s.send(ctx, note.ID, to, msg)
}

// recipients are the notification's, or the config's to when it has none.
func (s *settings) recipients(n sdk.Notification) ([]*mail.Address, error) {
	if len(n.Recipients) == 0 {
		if len(s.to) == 0 {
			return nil, fmt.Errorf("no recipient: the notification names none and the config sets no to")
		}
		return s.to, nil
	}
	var to []*mail.Address
	for _, r := range n.Recipients {
		a, err := mail.ParseAddress(r.Address)
		if err != nil {
			return nil, fmt.Errorf("recipient %q: %q is not a mail address: %w", r.Name, r.Address, err)
		}
		if a.Name == "" {
			a.Name = r.Name
		}
		to = append(to, a)
	}
	return to, nil
}
