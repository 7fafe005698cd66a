package dns

import (
	"golang.org/x/net/dns/dnsmessage"

	"github.com/vakt/vakt/plugins/internal/plugintest"
)

func name(s string) dnsmessage.Name { return dnsmessage.MustNewName(s) }

// testZone is vakt.test with one record set per record type, for the test
// DNS server (plugintest.ServeDNS).
func testZone() plugintest.DNSZone {
	rr := plugintest.Record
	return plugintest.NewDNSZone(
		rr("web.vakt.test.", &dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}),
		rr("web.vakt.test.", &dnsmessage.AResource{A: [4]byte{127, 0, 0, 2}}),
		rr("web.vakt.test.", &dnsmessage.AAAAResource{AAAA: [16]byte{15: 1}}),
		rr("www.vakt.test.", &dnsmessage.CNAMEResource{CNAME: name("web.vakt.test.")}),
		rr("vakt.test.", &dnsmessage.MXResource{Pref: 10, MX: name("mail.vakt.test.")}),
		rr("vakt.test.", &dnsmessage.MXResource{Pref: 20, MX: name("Backup.vakt.test.")}),
		rr("vakt.test.", &dnsmessage.TXTResource{TXT: []string{"v=spf1 -all"}}),
		rr("vakt.test.", &dnsmessage.TXTResource{TXT: []string{"part one, ", "part two"}}),
		rr("vakt.test.", &dnsmessage.NSResource{NS: name("ns1.vakt.test.")}),
		rr("vakt.test.", &dnsmessage.NSResource{NS: name("ns2.vakt.test.")}),
		rr("_sip._udp.vakt.test.", &dnsmessage.SRVResource{Priority: 10, Weight: 5, Port: 5060, Target: name("sip.vakt.test.")}),
		rr("2.0.0.127.in-addr.arpa.", &dnsmessage.PTRResource{PTR: name("web.vakt.test.")}),
	)
}
