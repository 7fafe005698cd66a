package passive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// Defaults used where a BBConfig leaves a setting at its zero value.
const (
	// DefaultBBAddr is the Big Brother port on loopback: a site that wants
	// its agents to reach it listens on another address and lists their
	// networks in BBConfig.Allow.
	DefaultBBAddr = "127.0.0.1:1984"
	// DefaultMaxMessageBytes caps one message; a longer one is refused.
	DefaultMaxMessageBytes = 64 << 10
	// DefaultFirstByteTimeout is how long a new connection has to send
	// its first byte.
	DefaultFirstByteTimeout = 5 * time.Second
	// DefaultReadTimeout is how long a connection has, from being
	// accepted, to deliver its whole message and close its side.
	DefaultReadTimeout = 15 * time.Second
	// DefaultMaxConns is how many connections are served at once; more
	// wait in the listen backlog until a slot frees.
	DefaultMaxConns = 1024
	// DefaultMaxConnsPerAddr is how many connections one remote address
	// may have open at once; more are closed at once.
	DefaultMaxConnsPerAddr = 64
	// DefaultSequencers is how many goroutines hand results to the Sink.
	DefaultSequencers = 8
	// DefaultQueueLen is how many results or commands wait for each
	// sequencer before the connections bringing more are held.
	DefaultQueueLen = 256

	// refusalLogEvery is how often a refused peer, a connection over the
	// per-address limit or an idle connection is logged above debug.
	refusalLogEvery = 10 * time.Second
)

// BBConfig holds a BBServer's access rules and limits. The zero value is
// the safe default: loopback only, the Default* limits.
type BBConfig struct {
	// Allow lists the networks that may send status and combo messages
	// (Xymon's --status-senders); nil means LoopbackOnly, an empty non-nil
	// list nobody. A site lists its agents' networks here.
	Allow []netip.Prefix
	// AdminAllow lists the networks that may send disable and enable
	// (Xymon's --admin-senders); nil means LoopbackOnly. A connection from
	// an address on neither list is closed without being read.
	AdminAllow []netip.Prefix
	// MaxMessageBytes caps one message; 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int
	// FirstByteTimeout is how long a connection has, from being
	// accepted, to send its first byte; 0 means DefaultFirstByteTimeout.
	FirstByteTimeout time.Duration
	// ReadTimeout is how long a connection has, from being accepted, to
	// send its message and close its side; a connection still open after
	// it is closed. 0 means DefaultReadTimeout.
	ReadTimeout time.Duration
	// MaxConns is how many connections are served at once; 0 means
	// DefaultMaxConns.
	MaxConns int
	// MaxConnsPerAddr is how many connections one remote address may
	// have open at once; 0 means DefaultMaxConnsPerAddr.
	MaxConnsPerAddr int
	// Sequencers is how many goroutines hand results and commands to the
	// Sink; 0 means DefaultSequencers. Everything for one host goes
	// through the same one, in the order the messages arrived.
	Sequencers int
	// QueueLen is how many results and commands wait for each sequencer;
	// 0 means DefaultQueueLen. When a queue is full, the connections
	// bringing more wait (and hold their slots): nothing is dropped.
	QueueLen int
}

// BBServer receives Big Brother / Big Sister / Xymon messages over TCP, in
// Big Brother mode: one message per connection, read until the sender
// closes its side, no reply. Each status becomes a Result for Sink, each
// disable or enable a Command for Sink if it is a CommandSink.
//
// Messages are parsed on their connection's goroutine, then queued, by a
// hash of their host name, to one of a few sequencer goroutines, which
// call the Sink. So everything for one host reaches the Sink in the order
// the messages arrived, even when they came on parallel connections: a
// message counts as arrived when the server has read it whole and closes
// the connection, so an agent that sends its next message after seeing
// that close has it applied after the first.
//
// Set the fields, then call Serve; do not change them while it runs. A
// BBServer must not be copied after first use.
type BBServer struct {
	BBConfig
	// Sink receives the results; required.
	Sink Sink
	// Log gets one warning per refused message or part of one, with the
	// reason and the sender's address; refused peers, connections over
	// the per-address limit and idle connections are logged at most once
	// per 10 s above debug. Everything else is at debug.
	Log zerolog.Logger
	// Now gives the time results are stamped with; nil means time.Now.
	Now func() time.Time

	// logEvery replaces refusalLogEvery in tests.
	logEvery                          time.Duration
	refusedLog, overLimitLog, idleLog logLimiter
	perAddr                           addrCounter
	connections, accepted, commands   atomic.Uint64
	rejected, timedOut, sinkErrors    atomic.Uint64
	refused, overLimit, empty         atomic.Uint64
	active, queued                    atomic.Int64
}

// Stats counts what a BBServer has done since it was created.
type Stats struct {
	Connections uint64 // connections served (not refused)
	Active      int64  // connections being served now
	Accepted    uint64 // status results the Sink took
	Commands    uint64 // disable and enable commands the Sink took
	// Rejected counts refused messages, and refused parts of combo
	// messages: malformed, oversized, incomplete when the read deadline
	// passed, or cut off by shutdown.
	Rejected uint64
	// TimedOut counts connections closed because nothing arrived before
	// the first-byte timeout.
	TimedOut uint64
	// SinkErrors counts results and commands the Sink refused, and
	// commands dropped because the Sink is no CommandSink.
	SinkErrors uint64
	// Refused counts connections from addresses on neither allow-list
	// (closed unread), and messages refused because their sender is not
	// on the list for their kind (status: Allow; disable, enable:
	// AdminAllow).
	Refused uint64
	// OverLimit counts connections closed at once because their address
	// had MaxConnsPerAddr open already.
	OverLimit uint64
	// Empty counts connections closed without sending anything, such as
	// a load balancer's TCP health check.
	Empty uint64
	// Queued is how many parsed results and commands wait for the Sink.
	Queued int64
}

// Stats returns the counters; safe to call while Serve runs.
func (s *BBServer) Stats() Stats {
	return Stats{
		Connections: s.connections.Load(),
		Active:      s.active.Load(),
		Accepted:    s.accepted.Load(),
		Commands:    s.commands.Load(),
		Rejected:    s.rejected.Load(),
		TimedOut:    s.timedOut.Load(),
		SinkErrors:  s.sinkErrors.Load(),
		Refused:     s.refused.Load(),
		OverLimit:   s.overLimit.Load(),
		Empty:       s.empty.Load(),
		Queued:      s.queued.Load(),
	}
}

// access says what a connection's sender may send.
type access struct{ status, admin bool }

// Serve accepts connections on ln and serves each in its own goroutine, at
// most MaxConns at once, until ctx is cancelled. It then closes ln, cuts
// off connections still sending (their messages are dropped and logged),
// waits for every connection handler to finish, hands what they queued to
// the Sink and returns nil. Results are submitted with ctx, so a Sink sees
// the cancellation too.
//
// A connection from an address on neither allow-list, or from one with
// MaxConnsPerAddr connections open already, is closed at once, unread.
//
// Temporary accept errors (out of file descriptors, aborted connections)
// are logged and retried with a back-off; any other accept error stops
// Serve, which returns it after its handlers are done. Serve closes ln in
// every case.
func (s *BBServer) Serve(ctx context.Context, ln net.Listener) error {
	defer ln.Close()
	if s.Sink == nil {
		return errors.New("serving the Big Brother protocol: BBServer.Sink is nil")
	}
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()

	seq := s.startSequencers(ctx)
	defer seq.stop() // after the handlers, which may still be queueing
	var handlers sync.WaitGroup
	defer handlers.Wait()
	slots := make(chan struct{}, positive(s.MaxConns, DefaultMaxConns))
	perAddr := positive(s.MaxConnsPerAddr, DefaultMaxConnsPerAddr)
	// One address may have a quarter of all connections waiting for its
	// places (at least as many as its places): enough for a relay whose
	// connections arrive faster than this machine schedules their
	// handlers, while three quarters stay for everyone else.
	maxWaiting := max(perAddr, cap(slots)/4)
	statusAllow, adminAllow := s.Allow, s.AdminAllow
	if statusAllow == nil {
		statusAllow = LoopbackOnly()
	}
	if adminAllow == nil {
		adminAllow = LoopbackOnly()
	}
	var backoff time.Duration
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		conn, err := ln.Accept()
		if err != nil {
			<-slots
			if ctx.Err() != nil {
				return nil
			}
			if !temporaryAcceptError(err) {
				return fmt.Errorf("accepting Big Brother connections on %s: %w", ln.Addr(), err)
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.Log.Warn().Err(err).Dur("retry_in", backoff).Msg("accepting a Big Brother connection failed")
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return nil
			}
			continue
		}
		backoff = 0
		peer, ok := peerAddr(conn.RemoteAddr())
		acc := access{status: ok && allowed(statusAllow, peer), admin: ok && allowed(adminAllow, peer)}
		if !acc.status && !acc.admin {
			s.refused.Add(1)
			s.limitedLog(&s.refusedLog, zerolog.WarnLevel, conn.RemoteAddr()).
				Msg("Big Brother connection refused: the sender is on neither allow-list (bb_allow, bb_admin_allow)")
			conn.Close()
			<-slots
			continue
		}
		handlers.Go(func() {
			if !s.perAddr.acquireWait(ctx, peer, perAddr, maxWaiting, positive(s.FirstByteTimeout, DefaultFirstByteTimeout)) {
				s.overLimit.Add(1)
				s.limitedLog(&s.overLimitLog, zerolog.WarnLevel, conn.RemoteAddr()).Int("max_conns_per_addr", perAddr).
					Msg("Big Brother connection refused: its address has too many connections open")
				conn.Close()
				<-slots
				return
			}
			// The address's place is held while the message is read (an
			// idle or slow sender holds it), not while a message already
			// read waits for its sequencer: a busy sender is slowed down
			// by the queue, not refused for it.
			var once sync.Once
			release := func() { once.Do(func() { s.perAddr.release(peer) }) }
			defer func() {
				release()
				<-slots
			}()
			s.serveConn(ctx, conn, acc, seq, release)
		})
	}
}

// limitedLog returns an event at level for one of a kind of events that
// l limits to one per interval above debug; the others get a debug
// event. A loud event says how many were held back since the last one.
func (s *BBServer) limitedLog(l *logLimiter, level zerolog.Level, remote net.Addr) *zerolog.Event {
	ok, held := l.allow(time.Now(), positive(s.logEvery, refusalLogEvery))
	if !ok {
		level = zerolog.DebugLevel
	}
	e := s.Log.WithLevel(level).Str("remote", remote.String())
	if held > 0 {
		e = e.Uint64("suppressed", held)
	}
	return e
}

// serveConn reads one message from conn, parses it and queues what it
// holds for the Sink; it closes conn once that is done. It calls read once
// the message is read (or reading failed).
func (s *BBServer) serveConn(ctx context.Context, conn net.Conn, acc access, seq *sequencer, read func()) {
	defer conn.Close()
	s.connections.Add(1)
	s.active.Add(1)
	defer s.active.Add(-1)
	remote := conn.RemoteAddr().String()
	log := s.Log.With().Str("remote", remote).Logger()
	log.Debug().Msg("Big Brother connection accepted")

	msg, ok := s.readMessage(ctx, conn, log)
	read()
	if !ok {
		return
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	results, commands, err := ParseMessage(msg, now)
	if err != nil {
		s.reject(log, err, msg)
	}
	if len(results) > 0 && !acc.status {
		s.refused.Add(1)
		s.limitedLog(&s.refusedLog, zerolog.WarnLevel, conn.RemoteAddr()).Int("results", len(results)).
			Msg("Big Brother status refused: the sender is not on the status allow-list (bb_allow)")
		results = nil
	}
	if len(commands) > 0 && !acc.admin {
		s.refused.Add(1)
		s.limitedLog(&s.refusedLog, zerolog.WarnLevel, conn.RemoteAddr()).Stringer("command", commands[0].Kind).
			Str("host", commands[0].Host).Str("check", commands[0].Check).
			Msg("Big Brother command refused: the sender is not on the admin allow-list (bb_admin_allow)")
		commands = nil
	}
	source := "bb:" + remote
	for _, r := range results {
		r.Source = source
		seq.enqueue(r.Host, seqItem{result: &r, log: log})
	}
	for _, c := range commands {
		c.Source = source
		seq.enqueue(c.Host, seqItem{command: &c, log: log})
	}
}

// seqItem is one result or command on its way to the Sink.
type seqItem struct {
	result  *Result
	command *Command
	log     zerolog.Logger
}

// sequencer is the set of goroutines that call the Sink, each draining
// its own FIFO queue.
type sequencer struct {
	srv    *BBServer
	queues []chan seqItem
	wg     sync.WaitGroup
}

func (s *BBServer) startSequencers(ctx context.Context) *sequencer {
	seq := &sequencer{srv: s, queues: make([]chan seqItem, positive(s.Sequencers, DefaultSequencers))}
	for i := range seq.queues {
		q := make(chan seqItem, positive(s.QueueLen, DefaultQueueLen))
		seq.queues[i] = q
		seq.wg.Go(func() {
			for it := range q {
				s.apply(ctx, it)
				s.queued.Add(-1)
			}
		})
	}
	return seq
}

// enqueue queues it on the queue of host, waiting while that is full.
func (seq *sequencer) enqueue(host string, it seqItem) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(host))
	q := seq.queues[h.Sum32()%uint32(len(seq.queues))]
	seq.srv.queued.Add(1)
	select {
	case q <- it:
	default:
		it.log.Debug().Str("host", host).Msg("Big Brother queue full: holding the connection until there is room")
		q <- it
	}
}

// stop closes the queues once nothing adds to them any more, and waits
// until what they hold has gone to the Sink.
func (seq *sequencer) stop() {
	for _, q := range seq.queues {
		close(q)
	}
	seq.wg.Wait()
}

// apply hands one result or command to the Sink, and counts and logs the
// outcome.
func (s *BBServer) apply(ctx context.Context, it seqItem) {
	if r := it.result; r != nil {
		if err := s.Sink.Submit(ctx, *r); err != nil {
			s.sinkErrors.Add(1)
			it.log.Error().Err(err).Str("host", r.Host).Str("check", r.Check).Msg("passive result not taken by the sink")
			return
		}
		s.accepted.Add(1)
		it.log.Debug().Str("host", r.Host).Str("check", r.Check).Str("colour", r.Colour).Msg("passive result accepted")
		return
	}
	c := it.command
	if err := s.submitCommand(ctx, *c); err != nil {
		s.sinkErrors.Add(1)
		it.log.Error().Err(err).Str("host", c.Host).Str("check", c.Check).Stringer("command", c.Kind).Msg("command not taken by the sink")
		return
	}
	s.commands.Add(1)
	it.log.Debug().Str("host", c.Host).Str("check", c.Check).Stringer("command", c.Kind).Msg("command accepted")
}

// readMessage reads until the sender closes its side: its first byte
// within the first-byte timeout, the whole message within the read
// timeout (both from accept) and the size cap. It logs and counts
// whatever goes wrong; ok is false when there is nothing to parse.
func (s *BBServer) readMessage(ctx context.Context, conn net.Conn, log zerolog.Logger) (msg []byte, ok bool) {
	start := time.Now()
	whole := positive(s.ReadTimeout, DefaultReadTimeout)
	firstByte := min(positive(s.FirstByteTimeout, DefaultFirstByteTimeout), whole)
	limit := positive(s.MaxMessageBytes, DefaultMaxMessageBytes)

	// On shutdown, cut the read short by moving the deadline to now; after
	// that nothing moves it again.
	var deadlineMu sync.Mutex
	cutting := false
	setDeadline := func(t time.Time) error {
		deadlineMu.Lock()
		defer deadlineMu.Unlock()
		if cutting {
			return nil
		}
		return conn.SetReadDeadline(t)
	}
	if err := setDeadline(start.Add(firstByte)); err != nil {
		s.rejected.Add(1)
		log.Warn().Err(err).Msg("Big Brother message rejected: setting the read deadline failed")
		return nil, false
	}
	cut := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		deadlineMu.Lock()
		cutting = true
		_ = conn.SetReadDeadline(time.Now())
		deadlineMu.Unlock()
		close(cut)
	})
	defer stop()

	buf := make([]byte, min(limit+1, 4<<10))
	n, err := conn.Read(buf)
	msg = buf[:n]
	if err == nil {
		if err = setDeadline(start.Add(whole)); err == nil {
			var rest []byte
			rest, err = io.ReadAll(io.LimitReader(conn, int64(limit+1-n)))
			msg = append(msg, rest...)
		}
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	var netErr net.Error
	timedOut := errors.As(err, &netErr) && netErr.Timeout()
	switch {
	case timedOut && ctx.Err() != nil:
		if !stop() {
			<-cut // the deadline is set: nothing moves it after this
		}
		// What had arrived but not been read when the cut came is part of
		// the message dropped, whether or not this goroutine had got to
		// read it yet.
		msg = append(msg, unread(conn, limit+1-len(msg))...)
		if len(msg) > 0 {
			s.rejected.Add(1)
			log.Warn().Int("bytes", len(msg)).Msg("Big Brother message rejected: shutting down before it was complete")
		}
		return nil, false
	case timedOut && len(msg) == 0:
		s.timedOut.Add(1)
		s.limitedLog(&s.idleLog, zerolog.InfoLevel, conn.RemoteAddr()).Dur("first_byte_timeout", firstByte).
			Msg("closed an idle Big Brother connection: nothing received before the first-byte timeout")
		return nil, false
	case timedOut:
		s.reject(log, fmt.Errorf("incomplete message: read deadline of %s passed after %d bytes, before the sender closed the connection", whole, len(msg)), msg)
		return nil, false
	case len(msg) == 0:
		// A TCP health check, or an agent with nothing to say: not worth
		// a warning.
		s.empty.Add(1)
		e := log.Debug()
		if err != nil {
			e = e.Err(err)
		}
		e.Msg("Big Brother connection closed without a message")
		return nil, false
	case err != nil:
		s.reject(log, fmt.Errorf("reading the message: %w", err), msg)
		return nil, false
	case len(msg) > limit:
		s.reject(log, fmt.Errorf("message exceeds %d bytes", limit), msg)
		return nil, false
	}
	return msg, true
}

// unread returns up to limit bytes that conn has received and nobody has
// read yet, without waiting for more. Reading them also means that closing
// conn ends the connection with a FIN rather than a reset.
func unread(conn net.Conn, limit int) []byte {
	sc, ok := conn.(syscall.Conn)
	if !ok || limit <= 0 {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil || conn.SetReadDeadline(time.Time{}) != nil { // a passed deadline refuses even this read
		return nil
	}
	var out []byte
	buf := make([]byte, min(limit, 64<<10))
	for len(out) < limit {
		n := 0
		var recvErr error
		err := raw.Read(func(fd uintptr) bool {
			n, _, recvErr = syscall.Recvfrom(int(fd), buf[:min(len(buf), limit-len(out))], syscall.MSG_DONTWAIT)
			return true // never wait for readiness
		})
		if err != nil || recvErr != nil || n <= 0 {
			break
		}
		out = append(out, buf[:n]...)
	}
	return out
}

// reject logs and counts a refused message: one warning for each error
// errors.Join put together (one per bad part of a combo).
func (s *BBServer) reject(log zerolog.Logger, err error, msg []byte) {
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	first, _, _ := bytes.Cut(msg, []byte("\n"))
	for _, e := range errs {
		s.rejected.Add(1)
		log.Warn().Err(e).Str("first_line", fmt.Sprintf("%.80q", first)).Msg("Big Brother message rejected")
	}
}

func (s *BBServer) submitCommand(ctx context.Context, c Command) error {
	cs, ok := s.Sink.(CommandSink)
	if !ok {
		return fmt.Errorf("the sink takes no %s commands", c.Kind)
	}
	return cs.SubmitCommand(ctx, c)
}

// temporaryAcceptError reports whether Accept may succeed if tried again.
func temporaryAcceptError(err error) bool {
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	for _, errno := range []syscall.Errno{syscall.ECONNABORTED, syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// positive returns v, or def when v is zero or negative.
func positive[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
