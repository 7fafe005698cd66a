package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/store"
	"github.com/vakt/vakt/plugins/sdk"
)

// Outbox is the part of the store the Sender works on (*store.Store).
type Outbox interface {
	Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.Notification, error)
	MarkSent(ctx context.Context, n store.Notification, now time.Time) error
	MarkFailed(ctx context.Context, n store.Notification, now time.Time, lastError string) (store.Notification, error)
	MarkDead(ctx context.Context, n store.Notification, now time.Time, lastError string) (store.Notification, error)
	Enqueue(ctx context.Context, n store.Notification) (store.Notification, error)
}

// Notifier delivers one notification (sdk.Notifier's Notify; a plugin
// dispensed with sdk.DispenseNotifier is one).
type Notifier interface {
	Notify(ctx context.Context, n sdk.Notification) error
}

// SenderOptions configure a Sender.
type SenderOptions struct {
	Outbox Outbox
	// Notifiers by the name routes use.
	Notifiers map[string]Notifier
	Clock     Clock // nil: SystemClock
	Logger    zerolog.Logger
	// Owner names this sender's leases. Default "notify".
	Owner string
	// Lease is how long a claimed row is this sender's: a sender that dies
	// leaves it to be claimed again after it. Default 2 minutes.
	Lease time.Duration
	// Timeout bounds one Notify call. Default 30s (and at most Lease).
	Timeout time.Duration
	// Batch is how many rows one Send claims. Default 50.
	Batch int
	// Expiry: a notification not delivered this long after it was created
	// is given up (dead) and goes to the fallback. 0: only the store's
	// MaxAttempts ends retrying.
	Expiry time.Duration
}

// Sender delivers what the outbox holds.
type Sender struct {
	o SenderOptions

	mu        sync.RWMutex
	notifiers map[string]Notifier // SenderOptions.Notifiers, or those of SetNotifiers
}

// SetNotifiers replaces the notifiers (the daemon's reload makes new ones);
// a Notify in progress finishes with the notifier it started with.
func (s *Sender) SetNotifiers(notifiers map[string]Notifier) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notifiers = notifiers
}

func (s *Sender) notifier(name string) (Notifier, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	nf, ok := s.notifiers[name]
	return nf, ok
}

// NewSender returns a Sender.
func NewSender(o SenderOptions) (*Sender, error) {
	if o.Outbox == nil {
		return nil, errors.New("notify: sender without an outbox")
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Owner == "" {
		o.Owner = "notify"
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	o.Timeout = min(o.Timeout, o.Lease)
	if o.Batch <= 0 {
		o.Batch = 50
	}
	return &Sender{o: o, notifiers: o.Notifiers}, nil
}

// SendResult counts what one Send did.
type SendResult struct {
	Sent, Failed, Dead, Fallbacks int
}

// Send claims the rows due at the clock's now and delivers them, one after
// the other. An error is a failure of the store; failures of notifiers are
// recorded in the rows.
func (s *Sender) Send(ctx context.Context) (SendResult, error) {
	var res SendResult
	now := s.o.Clock.Now()
	rows, err := s.o.Outbox.Claim(ctx, s.o.Owner, now, s.o.Lease, s.o.Batch)
	if err != nil {
		return res, fmt.Errorf("notify: claiming notifications: %w", err)
	}
	var errs []error
	for _, n := range rows {
		if err := s.deliver(ctx, n, &res); err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

func (s *Sender) deliver(ctx context.Context, n store.Notification, res *SendResult) error {
	log := s.o.Logger.With().Int64("notification", n.ID).Str("notifier", n.Notifier).Str("recipient", n.Recipient).Logger()
	var msg Message
	if err := json.Unmarshal(n.Payload, &msg); err != nil || len(msg.Items) == 0 {
		return s.dead(ctx, n, msg, fmt.Sprintf("payload is not a notification message: %v", err), res, log)
	}
	now := s.o.Clock.Now()
	if s.o.Expiry > 0 && !now.Before(n.Created.Add(s.o.Expiry)) {
		return s.dead(ctx, n, msg, fmt.Sprintf("expired: not delivered within %s (last error: %s)", s.o.Expiry, n.LastError), res, log)
	}
	nf, ok := s.notifier(n.Notifier)
	if !ok {
		return s.dead(ctx, n, msg, fmt.Sprintf("no notifier %q", n.Notifier), res, log)
	}
	callCtx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	err := nf.Notify(callCtx, toSDK(n, msg))
	cancel()
	now = s.o.Clock.Now()
	switch {
	case err == nil:
		if err := s.o.Outbox.MarkSent(ctx, n, now); err != nil {
			return fmt.Errorf("notify: recording notification %d as sent: %w", n.ID, err)
		}
		res.Sent++
		log.Info().Int("attempt", n.Attempts).Msg("notification sent")
		return nil
	case sdk.IsPermanent(err):
		return s.dead(ctx, n, msg, "permanent failure: "+err.Error(), res, log)
	}
	row, merr := s.o.Outbox.MarkFailed(ctx, n, now, err.Error())
	if merr != nil {
		return fmt.Errorf("notify: recording the failure of notification %d: %w", n.ID, merr)
	}
	if row.Status == store.OutboxDead {
		log.Warn().Err(err).Int("attempts", row.Attempts).Msg("notification failed for the last time")
		res.Dead++
		return s.fallback(ctx, row, msg, res, log)
	}
	res.Failed++
	log.Warn().Err(err).Int("attempt", n.Attempts).Time("next_attempt", row.NextAttempt).Msg("notification failed, will retry")
	return nil
}

func (s *Sender) dead(ctx context.Context, n store.Notification, msg Message, why string, res *SendResult, log zerolog.Logger) error {
	row, err := s.o.Outbox.MarkDead(ctx, n, s.o.Clock.Now(), why)
	if err != nil {
		return fmt.Errorf("notify: recording notification %d as dead: %w", n.ID, err)
	}
	res.Dead++
	log.Error().Str("reason", why).Msg("notification given up")
	return s.fallback(ctx, row, msg, res, log)
}

// fallback enqueues a copy of a dead message for each of its fallback
// targets (a fallback copy has none of its own).
func (s *Sender) fallback(ctx context.Context, n store.Notification, msg Message, res *SendResult, log zerolog.Logger) error {
	var errs []error
	for _, t := range msg.Fallback {
		copyMsg := msg
		copyMsg.Target, copyMsg.Fallback, copyMsg.FallbackFor = t, nil, n.Notifier
		payload, err := json.Marshal(copyMsg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		row, err := s.o.Outbox.Enqueue(ctx, store.Notification{TransitionID: n.TransitionID, Notifier: t.Notifier,
			Recipient: t.Contact, Payload: payload, Created: s.o.Clock.Now()})
		if err != nil {
			errs = append(errs, fmt.Errorf("notify: enqueueing the fallback of notification %d through %s: %w", n.ID, t.Notifier, err))
			continue
		}
		res.Fallbacks++
		log.Warn().Int64("fallback", row.ID).Str("fallback_notifier", t.Notifier).Msg("notification falls back")
	}
	return errors.Join(errs...)
}

// toSDK is the notification a notifier plugin receives for a row. A
// grouped message names its first item and lists all in Long.
func toSDK(n store.Notification, msg Message) sdk.Notification {
	first := msg.Items[0]
	out := sdk.Notification{
		Config:     sdk.Config{ID: n.Notifier},
		ID:         "vakt-" + strconv.FormatInt(n.ID, 10),
		Check:      first.Check,
		Host:       first.Host,
		State:      first.State,
		Level:      first.Level,
		Kind:       string(first.Kind),
		Output:     first.Output,
		Time:       first.At,
		Recipients: []sdk.Recipient{{Name: msg.Target.Contact, Address: msg.Target.Address}},
		Extra:      map[string]string{"group": msg.Group, "count": strconv.Itoa(len(msg.Items))},
	}
	if first.Number > 0 {
		out.Extra["number"] = strconv.Itoa(first.Number)
	}
	if msg.FallbackFor != "" {
		out.Extra["fallback_for"] = msg.FallbackFor
	}
	if len(msg.Items) > 1 {
		out.Output = fmt.Sprintf("%d notifications for %s", len(msg.Items), msg.Group)
		var b strings.Builder
		for _, it := range msg.Items {
			fmt.Fprintf(&b, "%s %s %s: %s\n", strings.ToUpper(string(it.Kind)), it.Check, it.State, it.Output)
		}
		out.Long = b.String()
	}
	return out
}
