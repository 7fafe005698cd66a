package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vakt/vakt/core/check"
)

// resolve runs one lookup and turns it into a result.
func resolve(parent context.Context, s settings) check.Result {
	ctx, cancel := context.WithTimeout(parent, s.timeout)
	defer cancel()
	query := s.name
	if s.resolver != "" && s.qtype != "PTR" && !strings.HasSuffix(query, ".") {
		// A chosen server is asked for exactly this name, as dig does, not
		// for the name with the system's search domains.
		query += "."
	}

	start := time.Now()
	answers, err := lookup(ctx, newResolver(s.resolver), s.qtype, query)
	elapsed := time.Since(start)
	if err != nil {
		return check.Result{State: check.Critical, Output: "DNS CRITICAL - " + describeError(ctx, err, s)}
	}

	st := check.Evaluate(elapsed.Seconds(), s.timeWarn, s.timeCrit)
	zero, limit := 0.0, s.timeout.Seconds()
	perf := []check.Perf{{Label: "time", Value: elapsed.Seconds(), UOM: "s", Warn: s.timeWarn, Crit: s.timeCrit, Min: &zero, Max: &limit}}
	returns := fmt.Sprintf("%s %s returns %s", s.name, s.qtype, strings.Join(answers, ", "))
	if s.expect != nil && !slices.Equal(answers, s.expect) {
		return check.Result{State: check.Critical, Perfdata: perf,
			Output: fmt.Sprintf("DNS CRITICAL - %s but expected %s", returns, strings.Join(s.expect, ", "))}
	}
	return check.Result{State: st, Perfdata: perf,
		Output: fmt.Sprintf("DNS %s: %.3f seconds response time. %s", st, elapsed.Seconds(), returns)}
}

// lookup asks r for the records of one type and returns the answers
// normalized as expected answers are (see normalize), sorted, unique.
func lookup(ctx context.Context, r *net.Resolver, qtype, name string) ([]string, error) {
	var answers []string
	switch qtype {
	case "A", "AAAA":
		network := map[string]string{"A": "ip4", "AAAA": "ip6"}[qtype]
		ips, err := r.LookupIP(ctx, network, name)
		if err != nil {
			return nil, err
		}
		for _, ip := range ips {
			addr, ok := netip.AddrFromSlice(ip)
			if !ok {
				continue
			}
			if qtype == "A" {
				addr = addr.Unmap()
			}
			answers = append(answers, addr.String())
		}
	case "CNAME":
		cname, err := r.LookupCNAME(ctx, name)
		if err != nil {
			return nil, err
		}
		answers = append(answers, hostName(cname))
	case "MX":
		mxs, err := r.LookupMX(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, mx := range mxs {
			answers = append(answers, fmt.Sprintf("%d %s", mx.Pref, hostName(mx.Host)))
		}
	case "TXT":
		txts, err := r.LookupTXT(ctx, name)
		if err != nil {
			return nil, err
		}
		answers = append(answers, txts...)
	case "NS":
		nss, err := r.LookupNS(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, ns := range nss {
			answers = append(answers, hostName(ns.Host))
		}
	case "PTR":
		names, err := r.LookupAddr(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			answers = append(answers, hostName(n))
		}
	case "SRV":
		_, srvs, err := r.LookupSRV(ctx, "", "", name)
		if err != nil {
			return nil, err
		}
		for _, srv := range srvs {
			answers = append(answers, fmt.Sprintf("%d %d %d %s", srv.Priority, srv.Weight, srv.Port, hostName(srv.Target)))
		}
	default:
		return nil, fmt.Errorf("unknown record type %q", qtype)
	}
	if len(answers) == 0 {
		return nil, &net.DNSError{Err: "no answer", Name: name, IsNotFound: true}
	}
	return sortedSet(answers), nil
}

// describeError says why a lookup failed.
func describeError(ctx context.Context, err error, s settings) string {
	server := "the system resolver"
	if s.resolver != "" {
		server = s.resolver
	}
	var dnsErr *net.DNSError
	switch {
	case ctx.Err() != nil || errors.As(err, &dnsErr) && dnsErr.IsTimeout:
		return fmt.Sprintf("no answer for %s %s from %s within %s", s.name, s.qtype, server, s.timeout)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("no %s record for %s: not found", s.qtype, s.name)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("lookup of %s %s with %s failed: %s", s.name, s.qtype, server, dnsErr.Err)
	}
	return fmt.Sprintf("lookup of %s %s with %s failed: %v", s.name, s.qtype, server, err)
}
