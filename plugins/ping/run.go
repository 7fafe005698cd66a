package ping

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/go-hclog"
	probing "github.com/prometheus-community/pro-bing"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
)

// Why a socket could not be opened, for output.
const (
	rawDenied        = "raw ICMP sockets need root or CAP_NET_RAW"
	datagramDenied   = "unprivileged ICMP sockets are not allowed for this group (sysctl net.ipv4.ping_group_range)"
	bothDeniedFormat = "cannot ping: %s, and %s"
)

// run resolves host, pings it and judges the statistics.
func run(ctx context.Context, s settings, host string) check.Result {
	addr, err := resolve(ctx, host)
	if err != nil {
		return check.Result{State: check.Critical, Output: fmt.Sprintf("PING CRITICAL - cannot resolve %s: %v", host, err)}
	}
	log := sdk.Logger(ctx)
	var denied []string
	for _, raw := range s.sockets {
		stats, err := ping(ctx, s, addr, raw, log)
		if err == nil {
			return judge(stats, s, host)
		}
		if ctx.Err() != nil {
			return check.Result{State: check.Unknown, Output: fmt.Sprintf("PING UNKNOWN - pinging %s: %v", addr, ctx.Err())}
		}
		if !errors.Is(err, os.ErrPermission) {
			return check.Result{State: check.Unknown, Output: fmt.Sprintf("PING UNKNOWN - pinging %s: %v", addr, err)}
		}
		why := datagramDenied
		if raw {
			why = rawDenied
		}
		log.Debug("cannot open the ICMP socket", "raw", raw, "error", err)
		if len(s.sockets) == 1 {
			return check.Result{State: check.Unknown, Output: fmt.Sprintf("PING UNKNOWN - %s: %v", why, err)}
		}
		denied = append(denied, why)
	}
	return check.Result{State: check.Unknown, Output: "PING UNKNOWN - " + fmt.Sprintf(bothDeniedFormat, denied[0], denied[1])}
}

// resolve returns host's address: host itself when it is one, else the
// first address the system's resolver gives.
func resolve(ctx context.Context, host string) (net.IPAddr, error) {
	if ip := net.ParseIP(host); ip != nil {
		return net.IPAddr{IP: ip}, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return net.IPAddr{}, errors.New(dnsErr.Err)
		}
		return net.IPAddr{}, err
	}
	return addrs[0], nil
}

// ping sends the echo requests over a raw or a datagram ICMP socket.
func ping(ctx context.Context, s settings, addr net.IPAddr, raw bool, log hclog.Logger) (*probing.Statistics, error) {
	p := probing.New(addr.String())
	p.SetIPAddr(&addr)
	p.SetPrivileged(raw)
	p.SetLogger(pingLogger{log})
	p.Count = s.count
	p.Interval = s.interval
	p.Timeout = s.timeout
	if err := p.RunWithContext(ctx); err != nil {
		return nil, err
	}
	return p.Statistics(), nil
}

// judge turns ping statistics into a result, as check_ping does: no reply
// at all is CRITICAL; else the worst of packet loss and round-trip average
// against their ranges.
func judge(stats *probing.Statistics, s settings, host string) check.Result {
	if stats.PacketsSent == 0 {
		return check.Result{State: check.Unknown, Output: "PING UNKNOWN - no echo request could be sent before the timeout"}
	}
	pl := math.Round(stats.PacketLoss*100) / 100
	zero, hundred := 0.0, 100.0
	plPerf := check.Perf{Label: "pl", Value: pl, UOM: "%", Warn: s.plWarn, Crit: s.plCrit, Min: &zero, Max: &hundred}
	rtaPerf := check.Perf{Label: "rta", UOM: "ms", Warn: s.rtaWarn, Crit: s.rtaCrit, Min: &zero}
	long := fmt.Sprintf("PING %s (%s): %d sent, %d received", host, stats.IPAddr, stats.PacketsSent, stats.PacketsRecv)
	if stats.PacketsRecv == 0 {
		rtaPerf.Undetermined = true
		return check.Result{State: check.Critical, Long: long, Perfdata: []check.Perf{rtaPerf, plPerf},
			Output: fmt.Sprintf("PING CRITICAL - Packet loss = %s%%", formatNumber(pl))}
	}
	rta := milliseconds(stats.AvgRtt)
	rtaPerf.Value = rta
	st := check.Worse(check.Evaluate(pl, s.plWarn, s.plCrit), check.Evaluate(rta, s.rtaWarn, s.rtaCrit))
	long += fmt.Sprintf(", rtt min/avg/max = %.3f/%.3f/%.3f ms", milliseconds(stats.MinRtt), rta, milliseconds(stats.MaxRtt))
	return check.Result{State: st, Long: long, Perfdata: []check.Perf{rtaPerf, plPerf},
		Output: fmt.Sprintf("PING %s - Packet loss = %s%%, RTA = %.3f ms", st, formatNumber(pl), rta)}
}

func milliseconds[D ~int64](d D) float64 { return float64(d) / 1e6 }

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// pingLogger writes pro-bing's log lines to the plugin's logger.
type pingLogger struct{ log hclog.Logger }

func (l pingLogger) Fatalf(format string, v ...any) { l.log.Error(line(format, v)) }
func (l pingLogger) Errorf(format string, v ...any) { l.log.Error(line(format, v)) }
func (l pingLogger) Warnf(format string, v ...any)  { l.log.Warn(line(format, v)) }
func (l pingLogger) Infof(format string, v ...any)  { l.log.Info(line(format, v)) }
func (l pingLogger) Debugf(format string, v ...any) { l.log.Debug(line(format, v)) }

func line(format string, v []any) string { return strings.TrimSpace(fmt.Sprintf(format, v...)) }
