package sdk

import (
	"errors"
	"strings"
)

// AttributeError is one problem with a configuration.
type AttributeError struct {
	// Attribute is the attribute at fault; empty when the problem is with
	// the configuration as a whole.
	Attribute string
	// Message says what is wrong, in a sentence that names the attribute.
	Message string
}

// Error returns the message.
func (e AttributeError) Error() string { return e.Message }

// ConfigErrors are all the problems found in one configuration. A plugin's
// Configure returns it to reject a configuration attribute by attribute;
// vakt reports each at the attribute's file:line.
type ConfigErrors []AttributeError

// Error returns the messages joined by "; ".
func (e ConfigErrors) Error() string {
	msgs := make([]string, len(e))
	for i, a := range e {
		msgs[i] = a.Message
	}
	return strings.Join(msgs, "; ")
}

// ErrNotConfigured is returned (wrapped) by a Check or Notify call naming a
// config id the plugin does not hold: it was never configured, or the plugin
// process restarted since. Configure it again and retry.
var ErrNotConfigured = errors.New("config is not configured in the plugin")

// Permanent marks a notifier's error as one that retrying cannot fix (a
// malformed address, a rejected recipient), so that vakt gives up instead of
// retrying with backoff. Errors not so marked are retried. Permanent(nil)
// is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked by
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
