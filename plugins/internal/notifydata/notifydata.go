// Package notifydata is what the notifier plugins' templates see of a
// notification, shared by the email and sms notifiers.
package notifydata

import (
	"strings"
	"time"

	"github.com/vakt/vakt/plugins/sdk"
)

// Data is what a notification template sees.
type Data struct {
	// ID is the notification's id.
	ID string
	// Type is Nagios' NOTIFICATIONTYPE: PROBLEM, RECOVERY,
	// ACKNOWLEDGEMENT, FLAPPINGSTART, FLAPPINGSTOP, DOWNTIMESTART,
	// DOWNTIMEEND or CUSTOM.
	Type string
	// Kind is the notification's kind as vakt names it (problem, ...).
	Kind   string
	Check  string
	Host   string
	State  string // OK, WARNING, CRITICAL, UNKNOWN
	Level  string // ok, warning, error
	Output string
	Long   string
	Time   time.Time
	// AckURL is the extra field ack_url: a link that acknowledges the
	// problem, or empty.
	AckURL string
	// Extra are all the notification's extra fields.
	Extra map[string]string
}

// Of is the Data of a notification.
func Of(n sdk.Notification) Data {
	return Data{
		ID: n.ID, Type: NagiosType(n.Kind), Kind: n.Kind, Check: n.Check, Host: n.Host,
		State: n.State.String(), Level: n.Level.String(), Output: n.Output, Long: n.Long,
		Time: n.Time, AckURL: n.Extra["ack_url"], Extra: n.Extra,
	}
}

// NagiosType returns Nagios' NOTIFICATIONTYPE for a notification kind.
func NagiosType(kind string) string {
	switch kind {
	case "problem", "":
		return "PROBLEM"
	case "recovery":
		return "RECOVERY"
	case "acknowledgement":
		return "ACKNOWLEDGEMENT"
	case "flapping_start":
		return "FLAPPINGSTART"
	case "flapping_stop":
		return "FLAPPINGSTOP"
	case "downtime_start":
		return "DOWNTIMESTART"
	case "downtime_end":
		return "DOWNTIMEEND"
	}
	return strings.ToUpper(strings.ReplaceAll(kind, "_", ""))
}
