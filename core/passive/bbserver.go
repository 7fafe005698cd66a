package passive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// Defaults used where a BBServer leaves a setting at its zero value.
const (
	// DefaultBBAddr is the Big Brother port on every interface.
	DefaultBBAddr = ":1984"
	// DefaultMaxMessageBytes caps one message; a longer one is refused.
	DefaultMaxMessageBytes = 64 << 10
	// DefaultReadTimeout is how long a connection has to deliver its whole
	// message and close its side.
	DefaultReadTimeout = 30 * time.Second
	// DefaultMaxConns is how many connections are served at once; more
	// wait in the listen backlog until a slot frees.
	DefaultMaxConns = 128
)

// BBServer receives Big Brother / Big Sister / Xymon messages over TCP, in
// Big Brother mode: one message per connection, read until the sender
// closes its side, no reply. Each status becomes a Result for Sink, each
// disable or enable a Command for Sink if it is a CommandSink.
//
// Set the fields, then call Serve; do not change them while it runs. A
// BBServer must not be copied after first use.
type BBServer struct {
	// Sink receives the results; required.
	Sink Sink
	// Log gets one warning per refused message or part of one, with the
	// reason and the sender's address, and debug lines for the rest.
	Log zerolog.Logger
	// MaxMessageBytes caps one message; 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int
	// ReadTimeout is how long a connection has, from being accepted, to
	// send its message and close its side; a connection still open after
	// it is closed. 0 means DefaultReadTimeout.
	ReadTimeout time.Duration
	// MaxConns is how many connections are served at once; 0 means
	// DefaultMaxConns.
	MaxConns int
	// Now gives the time results are stamped with; nil means time.Now.
	Now func() time.Time

	connections, accepted, commands, rejected, timedOut, sinkErrors atomic.Uint64
	active                                                          atomic.Int64
}

// Stats counts what a BBServer has done since it was created.
type Stats struct {
	Connections uint64 // connections accepted
	Active      int64  // connections being served now
	Accepted    uint64 // status results the Sink took
	Commands    uint64 // disable and enable commands the Sink took
	// Rejected counts refused messages, and refused parts of combo
	// messages: malformed, oversized, incomplete when the read deadline
	// passed, or cut off by shutdown.
	Rejected uint64
	// TimedOut counts connections closed because nothing arrived before
	// the read deadline.
	TimedOut uint64
	// SinkErrors counts results and commands the Sink refused, and
	// commands dropped because the Sink is no CommandSink.
	SinkErrors uint64
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
	}
}

// Serve accepts connections on ln and serves each in its own goroutine, at
// most MaxConns at once, until ctx is cancelled. It then closes ln, cuts
// off connections still sending (their messages are dropped and logged),
// waits for every connection handler to finish and returns nil. Results are
// submitted with ctx, so a Sink sees the cancellation too.
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

	var handlers sync.WaitGroup
	defer handlers.Wait()
	slots := make(chan struct{}, positive(s.MaxConns, DefaultMaxConns))
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
		handlers.Go(func() {
			defer func() { <-slots }()
			s.serveConn(ctx, conn)
		})
	}
}

// serveConn reads one message from conn, parses it and submits what it
// holds.
func (s *BBServer) serveConn(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	s.connections.Add(1)
	s.active.Add(1)
	defer s.active.Add(-1)
	remote := conn.RemoteAddr().String()
	log := s.Log.With().Str("remote", remote).Logger()
	log.Debug().Msg("Big Brother connection accepted")

	msg, ok := s.readMessage(ctx, conn, log)
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
	source := "bb:" + remote
	for _, r := range results {
		r.Source = source
		if err := s.Sink.Submit(ctx, r); err != nil {
			s.sinkErrors.Add(1)
			log.Error().Err(err).Str("host", r.Host).Str("check", r.Check).Msg("passive result not taken by the sink")
			continue
		}
		s.accepted.Add(1)
		log.Debug().Str("host", r.Host).Str("check", r.Check).Str("colour", r.Colour).Msg("passive result accepted")
	}
	for _, c := range commands {
		c.Source = source
		if err := s.submitCommand(ctx, c); err != nil {
			s.sinkErrors.Add(1)
			log.Error().Err(err).Str("host", c.Host).Str("check", c.Check).Stringer("command", c.Kind).Msg("command not taken by the sink")
			continue
		}
		s.commands.Add(1)
		log.Debug().Str("host", c.Host).Str("check", c.Check).Stringer("command", c.Kind).Msg("command accepted")
	}
}

// readMessage reads until the sender closes its side, within the read
// deadline and the size cap. It logs and counts whatever goes wrong; ok is
// false when there is nothing to parse.
func (s *BBServer) readMessage(ctx context.Context, conn net.Conn, log zerolog.Logger) (msg []byte, ok bool) {
	timeout := positive(s.ReadTimeout, DefaultReadTimeout)
	limit := positive(s.MaxMessageBytes, DefaultMaxMessageBytes)
	if err := conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		s.rejected.Add(1)
		log.Warn().Err(err).Msg("Big Brother message rejected: setting the read deadline failed")
		return nil, false
	}
	// On shutdown, cut the read short by moving the deadline to now.
	cut := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = conn.SetReadDeadline(time.Now())
		close(cut)
	})
	defer stop()

	msg, err := io.ReadAll(io.LimitReader(conn, int64(limit)+1))
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
		log.Info().Dur("read_timeout", timeout).Msg("closed an idle Big Brother connection: nothing received before the read deadline")
		return nil, false
	case timedOut:
		s.reject(log, fmt.Errorf("incomplete message: read deadline of %s passed after %d bytes, before the sender closed the connection", timeout, len(msg)), msg)
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
