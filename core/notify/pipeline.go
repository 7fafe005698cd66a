package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
)

// Checkpointer keeps the pipeline's checkpoint and its outbox (*store.Store).
type Checkpointer interface {
	Checkpoint(ctx context.Context, consumer string) (store.Checkpoint, error)
	SaveCheckpoint(ctx context.Context, cp store.Checkpoint, ns []store.Notification) ([]store.Notification, error)
}

// Options are what a Pipeline works with.
type Options struct {
	Store   Checkpointer
	Checks  Checks  // nil: every check has an empty CheckInfo
	Periods Periods // nil: no time periods
	Clock   Clock   // nil: SystemClock
	Logger  zerolog.Logger
	// Consumer names the checkpoint. Default "notify".
	Consumer string
}

// Item is one event in a message.
type Item struct {
	TransitionID int64       `json:"transition_id"`
	Check        string      `json:"check"`
	Host         string      `json:"host,omitempty"`
	Kind         state.Kind  `json:"kind"`
	State        check.State `json:"state"`
	Level        check.Level `json:"level"`
	Output       string      `json:"output"`
	At           time.Time   `json:"at"`
	// Number is the problem notification's number (1 the first, then
	// repeats and escalations), 0 for other kinds.
	Number int    `json:"number,omitempty"`
	Route  string `json:"route,omitempty"`
}

// Message is what one outbox row delivers: one or more items (grouped) to
// one target. It is the row's payload.
type Message struct {
	Target Target `json:"target"`
	Group  string `json:"group"`
	Items  []Item `json:"items"`
	// Fallback are the targets tried when this message cannot be
	// delivered; FallbackFor, on a fallback copy, names the notifier
	// that failed.
	Fallback    []Target `json:"fallback,omitempty"`
	FallbackFor string   `json:"fallback_for,omitempty"`
}

// problem is what the pipeline remembers of a check's HARD problem.
type problem struct {
	Check        string                 `json:"check"`
	TransitionID int64                  `json:"transition_id"`
	State        check.State            `json:"state"`
	Level        check.Level            `json:"level"`
	Output       string                 `json:"output"`
	Start        time.Time              `json:"start"`
	Acked        bool                   `json:"acked,omitempty"`
	Sticky       bool                   `json:"sticky,omitempty"`
	Downtime     bool                   `json:"downtime,omitempty"`
	Flapping     bool                   `json:"flapping,omitempty"`
	Recovered    bool                   `json:"recovered,omitempty"` // a recovery held back by flapping
	Routes       map[string]*routeState `json:"routes"`
	Heard        map[string]Target      `json:"heard"`
	Log          map[string]bool        `json:"log"`
}

type routeState struct {
	Due  time.Time `json:"due"` // the first notification is due; zero once sent
	Sent int       `json:"sent"`
	Last time.Time `json:"last"`
	// Unacked: escalations after time unacknowledged already fired.
	Unacked []bool `json:"unacked,omitempty"`
}

type group struct {
	Key   string    `json:"key"`
	First time.Time `json:"first"`
	Msg   Message   `json:"msg"`
}

type pstate struct {
	Problems map[string]*problem `json:"problems"`
	Groups   []*group            `json:"groups"`
}

// Pipeline is the stateful consumer of committed transitions.
type Pipeline struct {
	opts     Options
	cfg      Config
	periods  Periods
	contacts map[string]Contact
	teams    map[string]Team
	log      zerolog.Logger

	lastID int64
	st     pstate
	saved  []byte // the state as last saved
}

// New checks cfg and returns a Pipeline resumed from its checkpoint in
// opts.Store.
func New(ctx context.Context, cfg Config, opts Options) (*Pipeline, error) {
	if opts.Store == nil {
		return nil, errors.New("notify: no store")
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Consumer == "" {
		opts.Consumer = "notify"
	}
	p := &Pipeline{opts: opts, log: opts.Logger}
	if err := p.Reload(cfg); err != nil {
		return nil, err
	}
	cp, err := opts.Store.Checkpoint(ctx, opts.Consumer)
	if err != nil {
		return nil, fmt.Errorf("notify: resuming: %w", err)
	}
	p.lastID = cp.LastID
	if len(cp.State) > 0 {
		if err := json.Unmarshal(cp.State, &p.st); err != nil {
			return nil, fmt.Errorf("notify: decoding the checkpoint of %q: %w", opts.Consumer, err)
		}
		p.saved = cp.State
	}
	if p.st.Problems == nil {
		p.st.Problems = map[string]*problem{}
	}
	return p, nil
}

// Reload replaces the configuration (routes reload with checks.d). What
// the pipeline remembers of open problems stays; a route that is gone no
// longer sends.
func (p *Pipeline) Reload(cfg Config) error {
	if err := cfg.validate(p.opts.Periods); err != nil {
		return err
	}
	p.cfg, p.periods = cfg, p.opts.Periods
	p.contacts, p.teams = map[string]Contact{}, map[string]Team{}
	for _, c := range cfg.Contacts {
		p.contacts[c.Name] = c
	}
	for _, t := range cfg.Teams {
		p.teams[t.Name] = t
	}
	return nil
}

// LastID is the id of the last transition handled (and saved).
func (p *Pipeline) LastID() int64 { return p.lastID }

func (p *Pipeline) checkInfo(id string) (CheckInfo, bool) {
	if p.opts.Checks == nil {
		return CheckInfo{}, false
	}
	return p.opts.Checks.CheckInfo(id)
}

// Handle acts on committed transitions (ids at or below LastID are
// skipped: they were handled before a restart), then does what Tick does,
// and saves the notifications with the checkpoint. It returns the
// notifications enqueued. On error nothing is saved and the pipeline is as
// it was before.
func (p *Pipeline) Handle(ctx context.Context, cs []engine.Committed) ([]store.Notification, error) {
	return p.step(ctx, cs)
}

// Tick sends what is due at the clock's now: first notifications after
// their delay, repeats, escalations, and groups whose wait is over.
func (p *Pipeline) Tick(ctx context.Context) ([]store.Notification, error) {
	return p.step(ctx, nil)
}

func (p *Pipeline) step(ctx context.Context, cs []engine.Committed) ([]store.Notification, error) {
	before, err := json.Marshal(p.st)
	if err != nil {
		return nil, fmt.Errorf("notify: encoding state: %w", err)
	}
	restore := func() {
		p.st = pstate{}
		_ = json.Unmarshal(before, &p.st) // it was just encoded
	}
	now := p.opts.Clock.Now()
	last := p.lastID
	for _, c := range cs {
		if c.ID <= last {
			continue
		}
		p.apply(c, now)
		last = c.ID
	}
	for _, id := range slices.Sorted(maps.Keys(p.st.Problems)) {
		p.due(p.st.Problems[id], now)
	}
	ns, err := p.flush(now)
	if err != nil {
		restore()
		return nil, err
	}
	state, err := json.Marshal(p.st)
	if err != nil {
		restore()
		return nil, fmt.Errorf("notify: encoding state: %w", err)
	}
	if last == p.lastID && len(ns) == 0 && bytes.Equal(state, p.saved) {
		return nil, nil
	}
	out, err := p.opts.Store.SaveCheckpoint(ctx, store.Checkpoint{Consumer: p.opts.Consumer, LastID: last, State: state, Updated: now}, ns)
	if err != nil {
		restore()
		return nil, fmt.Errorf("notify: saving %d notifications and the checkpoint at transition %d: %w", len(ns), last, err)
	}
	p.lastID, p.saved = last, state
	for _, n := range out {
		p.log.Debug().Int64("id", n.ID).Str("notifier", n.Notifier).Str("recipient", n.Recipient).Msg("notification enqueued")
	}
	return out, nil
}

// apply is the decide stage for one transition.
func (p *Pipeline) apply(c engine.Committed, now time.Time) {
	t := c.Transition
	pr := p.st.Problems[t.Check]
	item := Item{TransitionID: c.ID, Check: t.Check, Kind: t.Kind, State: t.To.State, Level: t.To.Level, Output: t.Output, At: t.At}
	switch t.Kind {
	case state.KindProblem, state.KindStale:
		if pr != nil && t.From.State != t.To.State && !pr.Sticky {
			pr.Acked = false
		}
		if pr != nil && t.Suppressed == state.SuppressedAcknowledged {
			pr.Acked = true
		}
		if !t.Notify || t.To.State == check.OK || t.To.Type != state.Hard {
			return
		}
		if pr == nil {
			pr = &problem{Check: t.Check, Start: t.At, Routes: map[string]*routeState{}, Heard: map[string]Target{}, Log: map[string]bool{}}
			p.st.Problems[t.Check] = pr
		} else if pr.State == t.To.State && len(pr.Heard) > 0 {
			// Told already (a problem released again, or re-sent after
			// flapping stopped): repeats go on as they were.
			pr.Output = t.Output
			return
		} else {
			for _, rs := range pr.Routes {
				if rs.Sent > 0 {
					rs.Due = now // a change of state is told at once
				}
			}
		}
		pr.TransitionID, pr.State, pr.Level, pr.Output, pr.Recovered = c.ID, t.To.State, t.To.Level, t.Output, false
		p.due(pr, now) // now, before a later transition of the batch (flapping) holds it back
	case state.KindRecovery:
		if pr == nil {
			return
		}
		if !t.Notify {
			if t.Suppressed == state.SuppressedFlapping {
				pr.Recovered = true // its recovery is owed when flapping stops
				return
			}
			delete(p.st.Problems, t.Check)
			return
		}
		item.Level = pr.Level
		p.toHeard(pr, item)
		delete(p.st.Problems, t.Check)
	case state.KindAcknowledgement:
		if pr == nil {
			return
		}
		pr.Acked = true
		pr.Sticky = t.Ack != nil && t.Ack.Sticky
		if t.Notify {
			if t.Ack != nil {
				item.Output = fmt.Sprintf("%s: %s", t.Ack.Author, t.Ack.Comment)
			}
			p.toHeard(pr, item)
		}
	case state.KindAcknowledgementRemoved:
		if pr != nil {
			pr.Acked, pr.Sticky = false, false
		}
	case state.KindFlappingStart, state.KindFlappingStop, state.KindDowntimeStart, state.KindDowntimeEnd, state.KindDowntimeCanceled:
		if pr != nil {
			switch t.Kind {
			case state.KindFlappingStart:
				pr.Flapping = true
			case state.KindFlappingStop:
				pr.Flapping = false
			case state.KindDowntimeStart:
				pr.Downtime = true
			default:
				pr.Downtime = false
			}
		}
		if !t.Notify {
			return
		}
		p.event(pr, item, now)
		// Nagios 4.4.6: flapping that stops while a HARD problem remains
		// sends FLAPPINGSTOP and then the problem again.
		if t.Kind == state.KindFlappingStop && t.To.State != check.OK && t.To.Type == state.Hard {
			if pr == nil {
				pr = &problem{Check: t.Check, Start: t.At, Routes: map[string]*routeState{}, Heard: map[string]Target{}, Log: map[string]bool{}}
				p.st.Problems[t.Check] = pr
			}
			if !pr.Acked && !pr.Downtime {
				pr.TransitionID, pr.State, pr.Level, pr.Output = c.ID, t.To.State, t.To.Level, t.Output
				for _, rs := range pr.Routes {
					if rs.Sent > 0 {
						rs.Due = now
					}
				}
				p.due(pr, now)
			}
		}
	case state.KindRemoved:
		delete(p.st.Problems, t.Check)
	}
}

// toHeard sends item to everyone who heard of the problem.
func (p *Pipeline) toHeard(pr *problem, item Item) {
	for _, k := range slices.Sorted(maps.Keys(pr.Heard)) {
		p.emit(pr, pr.Heard[k], item, p.fallbackOf(pr))
	}
}

func (p *Pipeline) fallbackOf(pr *problem) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(pr.Routes)) {
		for _, r := range p.cfg.Routes {
			if r.Name == name {
				out = append(out, r.Fallback...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// event sends a flapping or downtime item to the recipients of the routes
// that ask for it (Flapping, Downtime) and, if a route of the problem asks
// for it, to everyone who heard of the problem. Otherwise it is silent.
func (p *Pipeline) event(pr *problem, item Item, now time.Time) {
	flapping := item.Kind == state.KindFlappingStart || item.Kind == state.KindFlappingStop
	asks := func(r *Route) bool { return (flapping && r.Flapping) || (!flapping && r.Downtime) }
	level := item.Level
	if pr != nil {
		level = pr.Level
		item.Level = pr.Level
	}
	for _, r := range p.Match(item.Check, level, now) {
		if !asks(r) {
			continue
		}
		it := item
		it.Route = r.Name
		for _, t := range p.resolve(r.Notifiers, r.Contacts, r.Notify) {
			p.emit(pr, t, it, r.Fallback)
		}
	}
	if pr == nil {
		return
	}
	for i := range p.cfg.Routes {
		if r := &p.cfg.Routes[i]; pr.Routes[r.Name] != nil && asks(r) {
			p.toHeard(pr, item)
			return
		}
	}
}

// due sends the problem's first notification, repeats and escalations that
// are due at now.
func (p *Pipeline) due(pr *problem, now time.Time) {
	if pr.Acked || pr.Downtime || pr.Flapping || pr.Recovered {
		return
	}
	for _, r := range p.Match(pr.Check, pr.Level, now) {
		rs := pr.Routes[r.Name]
		if rs == nil {
			rs = &routeState{Due: pr.Start.Add(r.FirstDelay)}
			if rs.Due.Before(now) {
				rs.Due = now
			}
			pr.Routes[r.Name] = rs
		}
		rs.Unacked = append(rs.Unacked, make([]bool, max(0, len(r.Escalations)-len(rs.Unacked)))...)
		send := !rs.Due.IsZero() && !now.Before(rs.Due)
		if !send && rs.Due.IsZero() && r.RepeatInterval > 0 && !now.Before(rs.Last.Add(r.RepeatInterval)) {
			send = true
		}
		for j, e := range r.Escalations {
			if rs.Sent > 0 && j < len(rs.Unacked) && !rs.Unacked[j] && e.AfterUnacknowledged > 0 &&
				e.applies(0, pr.Start, pr.Acked, now) {
				send = true
			}
		}
		if !send {
			continue
		}
		n := rs.Sent + 1
		for j, e := range r.Escalations {
			if e.AfterUnacknowledged > 0 && e.applies(0, pr.Start, pr.Acked, now) {
				rs.Unacked[j] = true
			}
		}
		item := Item{TransitionID: pr.TransitionID, Check: pr.Check, Kind: state.KindProblem, State: pr.State, Level: pr.Level,
			Output: pr.Output, At: now, Number: n, Route: r.Name}
		for _, t := range p.targets(r, n, pr.Start, pr.Acked, now) {
			p.emit(pr, t, item, r.Fallback)
			pr.Heard[t.key()] = t
		}
		rs.Sent, rs.Last, rs.Due = n, now, time.Time{}
	}
}

// emit is the dedup and group stages for one item to one target.
func (p *Pipeline) emit(pr *problem, t Target, item Item, fallback []string) {
	if pr != nil {
		key := fmt.Sprintf("%s|%d|%d|%s", item.Kind, item.TransitionID, item.Number, t.key())
		if pr.Log[key] {
			p.log.Debug().Str("check", item.Check).Str("kind", string(item.Kind)).Str("contact", t.Contact).Msg("notification already sent")
			return
		}
		pr.Log[key] = true
	}
	info, _ := p.checkInfo(item.Check)
	item.Host = info.Host
	g := info.Group
	if g == "" {
		g = info.Host
	}
	if g == "" {
		g = item.Check
	}
	// One message per group, kind and target: forty problems behind one
	// router are one message, a FLAPPINGSTOP and the problem are two.
	key := g + "\x00" + string(item.Kind) + "\x00" + t.key()
	var grp *group
	for _, x := range p.st.Groups {
		if x.Key == key {
			grp = x
		}
	}
	if grp == nil {
		grp = &group{Key: key, First: p.opts.Clock.Now(), Msg: Message{Target: t, Group: g}}
		p.st.Groups = append(p.st.Groups, grp)
	}
	grp.Msg.Items = append(grp.Msg.Items, item)
	if c, ok := p.contacts[t.Contact]; ok {
		for _, f := range fallback {
			if addr, ok := c.Addresses[f]; ok && f != t.Notifier {
				ft := Target{Notifier: f, Contact: t.Contact, Address: addr}
				if !slices.Contains(grp.Msg.Fallback, ft) {
					grp.Msg.Fallback = append(grp.Msg.Fallback, ft)
				}
			}
		}
	}
}

// flush turns the groups whose wait is over into outbox rows.
func (p *Pipeline) flush(now time.Time) ([]store.Notification, error) {
	var out []store.Notification
	keep := p.st.Groups[:0]
	for _, g := range p.st.Groups {
		if now.Before(g.First.Add(p.cfg.GroupWait)) {
			keep = append(keep, g)
			continue
		}
		payload, err := json.Marshal(g.Msg)
		if err != nil {
			return nil, fmt.Errorf("notify: encoding a message to %s: %w", g.Msg.Target.Contact, err)
		}
		out = append(out, store.Notification{TransitionID: g.Msg.Items[0].TransitionID, Notifier: g.Msg.Target.Notifier,
			Recipient: g.Msg.Target.Contact, Payload: payload, Created: now})
	}
	p.st.Groups = keep
	return out, nil
}
