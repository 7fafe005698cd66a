package passive

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// LoopbackOnly is the allow-list a BBServer uses when none is set:
// 127.0.0.0/8 and ::1.
func LoopbackOnly() []netip.Prefix {
	return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// ParseAllowList reads a Xymon-style list of networks that may send to
// the Big Brother port (xymond's --status-senders and --admin-senders):
// each entry is a network in CIDR form (192.0.2.0/24, 2001:db8::/32) or a
// single address (192.0.2.7, ::1), and an entry may itself hold several
// separated by commas or spaces. "none" allows nobody; "0.0.0.0/0" and
// "::/0" allow everybody. An empty list returns nil, which a BBServer
// takes as LoopbackOnly.
func ParseAllowList(entries []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	none := false
	for _, entry := range entries {
		for _, field := range strings.FieldsFunc(entry, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if field == "none" {
				none = true
				continue
			}
			p, err := parseNetwork(field)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	switch {
	case none && len(out) > 0:
		return nil, fmt.Errorf("allow-list: %q lists networks besides none", strings.Join(entries, ","))
	case none:
		return []netip.Prefix{}, nil
	}
	return out, nil
}

func parseNetwork(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("allow-list: bad network %.60q: want an address or CIDR such as 192.0.2.0/24: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("allow-list: bad address %.60q: want an IP address or a network such as 192.0.2.0/24", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// allowed reports whether addr is in one of the networks of list.
func allowed(list []netip.Prefix, addr netip.Addr) bool {
	for _, p := range list {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// peerAddr returns the IP address of a connection's remote end, IPv4 in
// IPv6 unmapped and without a zone, so that it matches allow-lists.
func peerAddr(a net.Addr) (netip.Addr, bool) {
	var ap netip.AddrPort
	if tcp, ok := a.(*net.TCPAddr); ok {
		ap = tcp.AddrPort()
	} else {
		var err error
		if ap, err = netip.ParseAddrPort(a.String()); err != nil {
			return netip.Addr{}, false
		}
	}
	addr := ap.Addr().Unmap().WithZone("")
	return addr, addr.IsValid()
}

// logLimiter lets one event of a kind through to a loud log level per
// interval, and counts those held back meanwhile, so that a flood of
// refused connections cannot flood the log.
type logLimiter struct {
	mu         sync.Mutex
	next       time.Time
	suppressed uint64
}

// allow reports whether this event may be logged loudly; when it may, it
// also returns how many were held back since the last one that was.
func (l *logLimiter) allow(now time.Time, every time.Duration) (bool, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.next) {
		l.suppressed++
		return false, 0
	}
	n := l.suppressed
	l.suppressed = 0
	l.next = now.Add(every)
	return true, n
}

// addrCounter counts the open connections of each remote address.
type addrCounter struct {
	mu      sync.Mutex
	n       map[netip.Addr]int
	waiting map[netip.Addr]int
	wake    chan struct{} // closed and replaced at every release
}

// take counts one more connection from a, unless it has max already.
// c.mu must be held.
func (c *addrCounter) take(a netip.Addr, max int) bool {
	if c.n == nil {
		c.n = make(map[netip.Addr]int)
	}
	if c.n[a] >= max {
		return false
	}
	c.n[a]++
	return true
}

// acquireWait takes one of max places of address a; a connection over the
// limit waits up to timeout for one of its address's connections to end,
// as long as no more than maxWaiting others of that address wait too: a
// busy relay that opens connections faster than they are served is slowed
// down, not dropped, while one address can still hold no more than
// max+maxWaiting connections.
func (c *addrCounter) acquireWait(ctx context.Context, a netip.Addr, max, maxWaiting int, timeout time.Duration) bool {
	c.mu.Lock()
	if c.take(a, max) {
		c.mu.Unlock()
		return true
	}
	if c.waiting == nil {
		c.waiting = make(map[netip.Addr]int)
	}
	if c.waiting[a] >= maxWaiting {
		c.mu.Unlock()
		return false
	}
	c.waiting[a]++
	defer func() {
		c.mu.Lock()
		if c.waiting[a]--; c.waiting[a] <= 0 {
			delete(c.waiting, a)
		}
		c.mu.Unlock()
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		if c.wake == nil {
			c.wake = make(chan struct{})
		}
		wake := c.wake
		c.mu.Unlock()
		select {
		case <-wake:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
		c.mu.Lock()
		if c.take(a, max) {
			c.mu.Unlock()
			return true
		}
	}
}

func (c *addrCounter) release(a netip.Addr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[a]--; c.n[a] <= 0 {
		delete(c.n, a)
	}
	if c.wake != nil {
		close(c.wake)
		c.wake = nil
	}
}
