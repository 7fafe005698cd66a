package plugintest

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSZone is what a test DNS server knows: records by lower-case absolute
// name. The addresses in it are answers only; nothing connects to them.
type DNSZone map[string][]dnsmessage.Resource

// NewDNSZone returns a zone holding records.
func NewDNSZone(records ...dnsmessage.Resource) DNSZone {
	z := DNSZone{}
	for _, r := range records {
		key := strings.ToLower(r.Header.Name.String())
		z[key] = append(z[key], r)
	}
	return z
}

// Record returns a record of class IN with a TTL of 300 seconds; name is
// absolute, e.g. "web.vakt.test.".
func Record(name string, body dnsmessage.ResourceBody) dnsmessage.Resource {
	return dnsmessage.Resource{
		Header: dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(name), Class: dnsmessage.ClassINET, TTL: 300},
		Body:   body,
	}
}

// answer builds the reply to one question: the records of its type, or
// the CNAME of the name followed by the target's records; NXDOMAIN for a
// name the zone does not have; SERVFAIL for names starting "servfail.".
func (z DNSZone) answer(q dnsmessage.Question) (dnsmessage.RCode, []dnsmessage.Resource) {
	key := strings.ToLower(q.Name.String())
	if strings.HasPrefix(key, "servfail.") {
		return dnsmessage.RCodeServerFailure, nil
	}
	records, known := z[key]
	if !known {
		return dnsmessage.RCodeNameError, nil
	}
	var out []dnsmessage.Resource
	for _, r := range records {
		if typeOf(r.Body) == q.Type {
			r.Header.Name = q.Name
			out = append(out, r)
		}
	}
	if len(out) == 0 && q.Type != dnsmessage.TypeCNAME {
		for _, r := range records {
			if c, ok := r.Body.(*dnsmessage.CNAMEResource); ok {
				r.Header.Name = q.Name
				_, rest := z.answer(dnsmessage.Question{Name: c.CNAME, Type: q.Type, Class: q.Class})
				return dnsmessage.RCodeSuccess, append([]dnsmessage.Resource{r}, rest...)
			}
		}
	}
	return dnsmessage.RCodeSuccess, out
}

// typeOf returns the record type of a record body.
func typeOf(body dnsmessage.ResourceBody) dnsmessage.Type {
	switch body.(type) {
	case *dnsmessage.AResource:
		return dnsmessage.TypeA
	case *dnsmessage.AAAAResource:
		return dnsmessage.TypeAAAA
	case *dnsmessage.CNAMEResource:
		return dnsmessage.TypeCNAME
	case *dnsmessage.MXResource:
		return dnsmessage.TypeMX
	case *dnsmessage.TXTResource:
		return dnsmessage.TypeTXT
	case *dnsmessage.NSResource:
		return dnsmessage.TypeNS
	case *dnsmessage.SRVResource:
		return dnsmessage.TypeSRV
	case *dnsmessage.PTRResource:
		return dnsmessage.TypePTR
	}
	return 0
}

// ServeDNS answers queries from z over UDP on 127.0.0.1 until the test
// ends, and returns its address. With z nil it reads queries and never
// answers.
func ServeDNS(t testing.TB, z DNSZone) string {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFrom(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil || z == nil {
				continue
			}
			reply, err := z.reply(buf[:n])
			if err != nil {
				t.Logf("test DNS server: %v", err)
				continue
			}
			_, _ = conn.WriteTo(reply, from)
		}
	}()
	t.Cleanup(func() {
		_ = conn.Close()
		wg.Wait()
	})
	return conn.LocalAddr().String()
}

// reply parses a query and builds its response.
func (z DNSZone) reply(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	rcode, answers := z.answer(q)
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true,
		RecursionDesired: h.RecursionDesired, RecursionAvailable: true, RCode: rcode})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	for _, r := range answers {
		var err error
		switch body := r.Body.(type) {
		case *dnsmessage.AResource:
			err = b.AResource(r.Header, *body)
		case *dnsmessage.AAAAResource:
			err = b.AAAAResource(r.Header, *body)
		case *dnsmessage.CNAMEResource:
			err = b.CNAMEResource(r.Header, *body)
		case *dnsmessage.MXResource:
			err = b.MXResource(r.Header, *body)
		case *dnsmessage.TXTResource:
			err = b.TXTResource(r.Header, *body)
		case *dnsmessage.NSResource:
			err = b.NSResource(r.Header, *body)
		case *dnsmessage.SRVResource:
			err = b.SRVResource(r.Header, *body)
		case *dnsmessage.PTRResource:
			err = b.PTRResource(r.Header, *body)
		}
		if err != nil {
			return nil, err
		}
	}
	return b.Finish()
}
