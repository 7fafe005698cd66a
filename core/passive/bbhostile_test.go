package passive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

// These tests play the attacks of issue 8 against a real listener on
// loopback: senders off the allow-lists, idle connections, one address
// hogging the port, and results for one check on parallel connections.

// dialFrom connects to addr from the local address ip (any 127.x address
// works on Linux loopback) and leaves the connection open.
func dialFrom(t *testing.T, addr, ip string) *net.TCPConn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dialling %s from %s: %v", addr, ip, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn.(*net.TCPConn)
}

// sendFrom sends msg from ip as an agent does and waits until the server
// closes the connection. It returns the client's address.
func sendFrom(t *testing.T, addr, ip, msg string) string {
	t.Helper()
	conn := dialFrom(t, addr, ip)
	_, _ = io.WriteString(conn, msg) // a refused sender may find the connection closed already
	_ = conn.CloseWrite()
	waitServerClose(t, conn)
	return conn.LocalAddr().String()
}

// waitServerClose waits until the server has closed conn: a read ends in
// EOF or a reset (a refused connection is closed unread), not in data and
// not at the deadline.
func waitServerClose(t *testing.T, conn net.Conn) {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	n, err := conn.Read(make([]byte, 1))
	var netErr net.Error
	if n > 0 || (errors.As(err, &netErr) && netErr.Timeout()) {
		t.Fatalf("read from %s = %d, %v; want the server to close the connection", conn.LocalAddr(), n, err)
	}
}

// waitStats polls Stats until match holds.
func waitStats(t *testing.T, srv *BBServer, what string, match func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		s := srv.Stats()
		if match(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s: %+v", waitTimeout, what, s)
		}
		time.Sleep(time.Millisecond)
	}
}

func prefixes(t *testing.T, entries ...string) []netip.Prefix {
	t.Helper()
	p, err := ParseAllowList(entries)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBBServerAllowList(t *testing.T) {
	t.Run("status from an address on neither list is refused unread", func(t *testing.T) {
		bt := startBB(t, &BBServer{logEvery: time.Hour, BBConfig: BBConfig{Allow: prefixes(t, "127.0.0.1"), AdminAllow: prefixes(t, "127.0.0.1")}})
		refused := sendFrom(t, bt.addr, "127.0.0.2", "status web1.disk red full")
		refused2 := sendFrom(t, bt.addr, "127.0.0.2", "disable web1.disk 1w")
		ok := sendFrom(t, bt.addr, "127.0.0.1", "status web1.disk green fine")
		s := bt.settle(t)

		got := bt.sink.results.all()
		want := []Result{{Host: "web1", Check: "disk", State: check.OK, Colour: "green", Output: "fine",
			TTL: DefaultLifetime, Received: parseNow, Source: "bb:" + ok}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("results:\n got %+v\nwant %+v", got, want)
		}
		if c := bt.sink.commands.all(); len(c) != 0 {
			t.Errorf("commands = %+v, want none", c)
		}
		if want := (Stats{Connections: 1, Accepted: 1, Refused: 2}); s != want {
			t.Errorf("Stats() = %+v, want %+v", s, want)
		}
		const msg = "Big Brother connection refused: the sender is on neither allow-list (bb_allow, bb_admin_allow)"
		if e := bt.log.entries(map[string]any{"remote": refused, "message": msg}); len(e) != 1 || e[0]["level"] != "warn" {
			t.Errorf("log for the first refused connection = %v, want one warning", e)
		}
		// The second within the interval is held back to debug.
		if e := bt.log.entries(map[string]any{"remote": refused2, "message": msg}); len(e) != 1 || e[0]["level"] != "debug" {
			t.Errorf("log for the second refused connection = %v, want one debug entry", e)
		}
	})

	t.Run("admin command from a status sender is refused", func(t *testing.T) {
		bt := startBB(t, &BBServer{logEvery: time.Hour, BBConfig: BBConfig{Allow: prefixes(t, "127.0.0.0/8"), AdminAllow: prefixes(t, "127.0.0.1/32")}})
		agent := sendFrom(t, bt.addr, "127.0.0.2", "disable web1.disk 1w silence")
		status := sendFrom(t, bt.addr, "127.0.0.2", "status web1.disk red full")
		admin := sendFrom(t, bt.addr, "127.0.0.1", "disable web1.disk 30s patching")
		s := bt.settle(t)

		wantResults := []Result{{Host: "web1", Check: "disk", State: check.Critical, Colour: "red", Output: "full",
			TTL: DefaultLifetime, Received: parseNow, Source: "bb:" + status}}
		if got := bt.sink.results.all(); !reflect.DeepEqual(got, wantResults) {
			t.Errorf("results:\n got %+v\nwant %+v", got, wantResults)
		}
		wantCommands := []Command{{Kind: Disable, Host: "web1", Check: "disk", Duration: 30 * time.Second,
			Reason: "patching", Received: parseNow, Source: "bb:" + admin}}
		if got := bt.sink.commands.all(); !reflect.DeepEqual(got, wantCommands) {
			t.Errorf("commands:\n got %+v\nwant %+v", got, wantCommands)
		}
		if want := (Stats{Connections: 3, Accepted: 1, Commands: 1, Refused: 1}); s != want {
			t.Errorf("Stats() = %+v, want %+v", s, want)
		}
		e, _ := bt.log.waitEntry(t, map[string]any{"remote": agent,
			"message": "Big Brother command refused: the sender is not on the admin allow-list (bb_admin_allow)"})
		if e["level"] != "warn" || e["command"] != "disable" || e["host"] != "web1" || e["check"] != "disk" {
			t.Errorf("log entry = %v, want a warning naming disable web1.disk", e)
		}
	})

	t.Run("status from an admin-only sender is refused", func(t *testing.T) {
		bt := startBB(t, &BBServer{BBConfig: BBConfig{Allow: prefixes(t, "none"), AdminAllow: prefixes(t, "127.0.0.1")}})
		sendFrom(t, bt.addr, "127.0.0.1", "combo\nstatus a.b green ok\n\nstatus c.d red bad")
		if s := bt.settle(t); s != (Stats{Connections: 1, Refused: 1}) {
			t.Errorf("Stats() = %+v, want 1 connection, 1 refused", s)
		}
		if got := bt.sink.results.all(); len(got) != 0 {
			t.Errorf("results = %+v, want none", got)
		}
	})

	t.Run("default is loopback only", func(t *testing.T) {
		srv := &BBServer{}
		bt := startBB(t, srv)
		sendFrom(t, bt.addr, "127.0.0.9", "disable web1.disk 1w")
		if s := bt.settle(t); s != (Stats{Connections: 1, Commands: 1}) {
			t.Errorf("Stats() = %+v, want the loopback sender's command taken", s)
		}
		for _, a := range []string{"192.0.2.7", "10.1.2.3", "::ffff:192.0.2.7", "2001:db8::1"} {
			addr := netip.MustParseAddr(a).Unmap()
			if allowed(LoopbackOnly(), addr) {
				t.Errorf("%s is allowed by default", a)
			}
		}
	})
}

func TestParseAllowList(t *testing.T) {
	tests := []struct {
		in   []string
		want []string // nil: nil result
		err  string
	}{
		{nil, nil, ""},
		{[]string{"192.0.2.7"}, []string{"192.0.2.7/32"}, ""},
		{[]string{"10.0.0.0/8", "2001:db8::/32"}, []string{"10.0.0.0/8", "2001:db8::/32"}, ""},
		{[]string{"10.0.0.0/8,192.0.2.0/24 ::1"}, []string{"10.0.0.0/8", "192.0.2.0/24", "::1/128"}, ""},
		{[]string{"10.1.2.3/8"}, []string{"10.0.0.0/8"}, ""},
		{[]string{"::ffff:192.0.2.7"}, []string{"192.0.2.7/32"}, ""},
		{[]string{"0.0.0.0/0", "::/0"}, []string{"0.0.0.0/0", "::/0"}, ""},
		{[]string{"none"}, []string{}, ""},
		{[]string{"none", "10.0.0.0/8"}, nil, `allow-list: "none,10.0.0.0/8" lists networks besides none`},
		{[]string{"web1.example.com"}, nil, `allow-list: bad address "web1.example.com": want an IP address or a network such as 192.0.2.0/24`},
		{[]string{"fe80::1%eth0"}, nil, `allow-list: bad address "fe80::1%eth0": want an IP address or a network such as 192.0.2.0/24`},
		{[]string{"10.0.0.0/33"}, nil, `allow-list: bad network "10.0.0.0/33": want an address or CIDR such as 192.0.2.0/24: netip.ParsePrefix("10.0.0.0/33"): prefix length out of range`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.in, ";"), func(t *testing.T) {
			got, err := ParseAllowList(tt.in)
			errText := ""
			if err != nil {
				errText = err.Error()
			}
			if errText != tt.err {
				t.Fatalf("ParseAllowList(%q) error = %q, want %q", tt.in, errText, tt.err)
			}
			var gotText []string
			if got != nil {
				gotText = []string{}
				for _, p := range got {
					gotText = append(gotText, p.String())
				}
			}
			if !reflect.DeepEqual(gotText, tt.want) {
				t.Errorf("ParseAllowList(%q) = %q, want %q", tt.in, gotText, tt.want)
			}
		})
	}
}

// A TCP health check (connect, close) is counted, not warned about.
func TestBBServerHealthCheck(t *testing.T) {
	bt := startBB(t, &BBServer{})
	for range 3 {
		conn := bt.dial(t, "")
		conn.Close()
	}
	s := waitStats(t, bt.srv, "3 empty connections", func(s Stats) bool { return s.Empty == 3 && s.Active == 0 })
	if s != (Stats{Connections: 3, Empty: 3}) {
		t.Errorf("Stats() = %+v, want 3 connections, 3 empty", s)
	}
	if n := len(bt.log.entries(map[string]any{"level": "debug", "message": "Big Brother connection closed without a message"})); n != 3 {
		t.Errorf("%d debug entries for the empty connections, want 3", n)
	}
	for _, e := range bt.log.all() {
		if e["level"] != "debug" {
			t.Errorf("log entry %v above debug for a health check", e)
		}
	}
}

// 200 idle connections, more than the old limit of 128, do not keep a
// real agent out: with the defaults they are all served at once.
func TestBBServerIdleConnectionsDoNotStarve(t *testing.T) {
	const idle = 200
	// FirstByteTimeout of an hour: the status gets through because there
	// are slots, not because the idle connections were closed.
	bt := startBB(t, &BBServer{BBConfig: BBConfig{FirstByteTimeout: time.Hour, ReadTimeout: time.Hour}})
	for i := range idle {
		dialFrom(t, bt.addr, fmt.Sprintf("127.0.1.%d", i%4+1)) // four addresses: within the per-address limit
	}
	waitStats(t, bt.srv, fmt.Sprintf("%d idle connections served", idle), func(s Stats) bool { return s.Active == idle })

	local := sendFrom(t, bt.addr, "127.0.0.1", "status web1.http green up")
	got := bt.sink.results.waitCount(t, 1)
	want := Result{Host: "web1", Check: "http", State: check.OK, Colour: "green", Output: "up",
		TTL: DefaultLifetime, Received: parseNow, Source: "bb:" + local}
	if !reflect.DeepEqual(got, []Result{want}) {
		t.Errorf("results:\n got %+v\nwant %+v", got, []Result{want})
	}
	if s := bt.srv.Stats(); s.Active != idle || s.OverLimit != 0 || s.TimedOut != 0 {
		t.Errorf("Stats() = %+v, want %d idle connections still open, none refused or timed out", s, idle)
	}
}

// One address cannot hold more than MaxConnsPerAddr connections: more
// wait for one of them to end (a busy relay is slowed down, not dropped),
// and past max(MaxConnsPerAddr, MaxConns/4) waiting ones the next is closed at once. Other
// addresses are not affected.
func TestBBServerPerAddressLimit(t *testing.T) {
	bt := startBB(t, &BBServer{logEvery: time.Hour, BBConfig: BBConfig{MaxConns: 12, MaxConnsPerAddr: 3, FirstByteTimeout: time.Hour, ReadTimeout: time.Hour}})
	var held []*net.TCPConn
	for range 3 {
		held = append(held, dialFrom(t, bt.addr, "127.0.0.3"))
	}
	waitStats(t, bt.srv, "3 connections served", func(s Stats) bool { return s.Active == 3 })
	var waiting []*net.TCPConn
	for i := range 3 {
		c := dialFrom(t, bt.addr, "127.0.0.3")
		if _, err := fmt.Fprintf(c, "status hog.cpu yellow waited %d", i); err != nil {
			t.Fatal(err)
		}
		_ = c.CloseWrite()
		waiting = append(waiting, c)
	}

	deadline := time.Now().Add(waitTimeout)
	for {
		bt.srv.perAddr.mu.Lock()
		n := bt.srv.perAddr.waiting[netip.MustParseAddr("127.0.0.3")]
		bt.srv.perAddr.mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections waiting; want 3", n)
		}
		time.Sleep(time.Millisecond)
	}
	over := dialFrom(t, bt.addr, "127.0.0.3")
	waitServerClose(t, over)
	e, _ := bt.log.waitEntry(t, map[string]any{"remote": over.LocalAddr().String(),
		"message": "Big Brother connection refused: its address has too many connections open"})
	if e["level"] != "warn" || e["max_conns_per_addr"] != 3.0 {
		t.Errorf("log entry = %v, want a warning naming the limit 3", e)
	}

	other := sendFrom(t, bt.addr, "127.0.0.4", "status other.cpu green fine")
	got := bt.sink.results.waitCount(t, 1)
	if got[0].Source != "bb:"+other {
		t.Fatalf("results = %+v, want other.cpu first: the waiting ones hold no place", got)
	}

	// Each connection that ends lets one waiting one in.
	for _, h := range held {
		h.Close()
	}
	for _, w := range waiting {
		waitServerClose(t, w)
	}
	got = bt.sink.results.waitCount(t, 4)
	for _, r := range got[1:] {
		if r.Host != "hog" || !strings.HasPrefix(r.Output, "waited ") {
			t.Errorf("result %+v, want the waiting connections' statuses", r)
		}
	}
	s := waitStats(t, bt.srv, "4 accepted", func(s Stats) bool { return s.Accepted == 4 && s.Queued == 0 && s.Active == 0 })
	if s.OverLimit != 1 {
		t.Errorf("Stats() = %+v, want exactly one connection over the limit", s)
	}
}

// gatedSink holds every Submit until open is closed, and says when one
// has started.
type gatedSink struct {
	rec     *recordingSink
	open    chan struct{}
	entered chan string
}

func newGatedSink() *gatedSink {
	return &gatedSink{rec: newRecordingSink(), open: make(chan struct{}), entered: make(chan string, 1000)}
}

func (g *gatedSink) Submit(ctx context.Context, r Result) error {
	g.entered <- r.Output
	<-g.open
	return g.rec.Submit(ctx, r)
}

// Results for one check sent on parallel connections reach the sink in
// the order they arrived: each is sent once the server has closed the
// connection of the one before, while the sink holds the first.
func TestBBServerOrderAcrossConnections(t *testing.T) {
	const n = 50
	sink := newGatedSink()
	bt := startBB(t, &BBServer{Sink: sink, BBConfig: BBConfig{QueueLen: 64}})
	conns := make([]*net.TCPConn, n)
	for i := range conns {
		conns[i] = dialFrom(t, bt.addr, "127.0.0.1")
	}
	waitStats(t, bt.srv, fmt.Sprintf("%d connections open", n), func(s Stats) bool { return s.Active == n })
	// Send on them in an order unlike the order they were opened in.
	order := make([]int, n)
	for i := range order {
		order[i] = (i*7 + 3) % n
	}
	for seq, c := range order {
		if _, err := fmt.Fprintf(conns[c], "status web1.seq green seq=%02d", seq); err != nil {
			t.Fatal(err)
		}
		if err := conns[c].CloseWrite(); err != nil {
			t.Fatal(err)
		}
		waitServerClose(t, conns[c]) // queued: the sink holds the first one
	}
	if first := <-sink.entered; first != "seq=00" {
		t.Errorf("the sink got %q first, want seq=00", first)
	}
	close(sink.open)
	got := sink.rec.results.waitCount(t, n)
	for i, r := range got {
		if want := fmt.Sprintf("seq=%02d", i); r.Output != want {
			t.Errorf("result %d = %q, want %q", i, r.Output, want)
		}
	}
}

// A full queue holds the connections bringing more (back-pressure) and
// loses nothing.
func TestBBServerBackPressure(t *testing.T) {
	sink := newGatedSink()
	bt := startBB(t, &BBServer{Sink: sink, BBConfig: BBConfig{Sequencers: 1, QueueLen: 1}})
	mustDeliver(t, bt.addr, "status web1.a green first")
	if got := <-sink.entered; got != "first" {
		t.Fatalf("sink entered with %q, want first", got)
	}
	mustDeliver(t, bt.addr, "status web1.a green second") // waits in the queue
	third := bt.dial(t, "status web1.a green third")      // finds the queue full
	if err := third.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	bt.log.waitEntry(t, map[string]any{"remote": third.LocalAddr().String(),
		"message": "Big Brother queue full: holding the connection until there is room"})
	if s := bt.srv.Stats(); s.Queued != 3 || s.Active != 1 {
		t.Errorf("Stats() = %+v, want 3 queued (one in the sink) and the third connection held", s)
	}
	close(sink.open)
	waitServerClose(t, third)
	got := sink.rec.results.waitCount(t, 3)
	var outputs []string
	for _, r := range got {
		outputs = append(outputs, r.Output)
	}
	if !slices.Equal(outputs, []string{"first", "second", "third"}) {
		t.Errorf("results = %q, want first, second, third", outputs)
	}
	if s := bt.settle(t); s != (Stats{Connections: 3, Accepted: 3}) {
		t.Errorf("Stats() = %+v, want 3 connections, 3 accepted", s)
	}
}
