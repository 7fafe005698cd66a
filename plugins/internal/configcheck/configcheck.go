// Package configcheck collects what is wrong with a built-in plugin's
// configuration, attribute by attribute, as the sdk.ConfigErrors that the
// plugin's Configure returns, and parses the kinds of value the built-in
// plugins share: Nagios ranges, state names and whole numbers.
//
// A plugin's parseSettings reads every attribute through one Problems, so
// that one call reports every attribute at fault, each message starting
// `attribute "NAME": ` as vakt shows it at the attribute's file:line.
package configcheck

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
)

// Problems are the problems found in one configuration. The zero value
// holds none and is ready to use.
type Problems struct {
	errs sdk.ConfigErrors
}

// Add records a problem with the attribute attr; its message is
// `attribute "ATTR": ` followed by format applied to args. An empty attr
// is a problem of the configuration as a whole, and its message is the
// formatted text alone.
func (p *Problems) Add(attr, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if attr != "" {
		msg = fmt.Sprintf("attribute %q: %s", attr, msg)
	}
	p.errs = append(p.errs, sdk.AttributeError{Attribute: attr, Message: msg})
}

// Range parses text as a Nagios range given by attr. When it is not one
// it records why and returns nil.
func (p *Problems) Range(attr, text string) *check.Range {
	r, err := check.ParseRange(text)
	if err != nil {
		p.Add(attr, "%v", err)
		return nil
	}
	return &r
}

// Threshold parses an optional threshold: empty text means none (nil, and
// no problem); anything else must be a Nagios range, as for Range.
func (p *Problems) Threshold(attr, text string) *check.Range {
	if text == "" {
		return nil
	}
	return p.Range(attr, text)
}

// SetRange returns the range v sets for attr, or nil when v does not set
// it. A value that is set must be a range, as for Range: "" is a problem,
// not "no range".
func (p *Problems) SetRange(v sdk.Values, attr string) *check.Range {
	text, set := v[attr].(string)
	if !set {
		return nil
	}
	return p.Range(attr, text)
}

// State parses a state name given by attr (ok, warning, critical or
// unknown). When it is not one it records why and returns check.Unknown.
func (p *Problems) State(attr, text string) check.State {
	s, err := check.ParseState(text)
	if err != nil {
		p.Add(attr, "%v", err)
	}
	return s
}

// WholeNumber returns f, given by attr, as an int when it is a whole
// number from lo to hi. Otherwise it records why and returns 0.
func (p *Problems) WholeNumber(attr string, f float64, lo, hi int) int {
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		p.Add(attr, "want a whole number from %d to %d, got %v", lo, hi, f)
		return 0
	}
	return int(f)
}

// Err returns nil when no problem was recorded, else the problems as
// sdk.ConfigErrors in the order they were recorded.
func (p *Problems) Err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return append(sdk.ConfigErrors(nil), p.errs...)
}

// ErrByAttribute is Err with the problems sorted by attribute name; the
// problems of one attribute keep their order, and those of the
// configuration as a whole come first.
func (p *Problems) ErrByAttribute() error {
	if len(p.errs) == 0 {
		return nil
	}
	errs := append(sdk.ConfigErrors(nil), p.errs...)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Attribute < errs[j].Attribute })
	return errs
}

// HTTPURL returns text, given by attr, as an absolute http or https URL,
// or records why it is not one and returns nil.
func (p *Problems) HTTPURL(attr, text string) *url.URL {
	u, err := url.Parse(text)
	switch {
	case err != nil:
		p.Add(attr, "invalid URL: %v", err)
	case u.Scheme == "":
		p.Add(attr, "%q has no scheme: want http:// or https://", text)
	case u.Scheme != "http" && u.Scheme != "https":
		p.Add(attr, "scheme %q is not http or https", u.Scheme)
	case u.Host == "":
		p.Add(attr, "%q has no host", text)
	default:
		return u
	}
	return nil
}

// IsToken reports whether s is an RFC 9110 token: a method or a header
// name.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
