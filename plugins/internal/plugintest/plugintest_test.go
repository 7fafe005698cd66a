package plugintest

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

func TestUncomment(t *testing.T) {
	sample := `# prose at the top stays
check "x" {
  plugin = "x"
  config {
    ## prose in the block stays
    # count = 5
    # list = [
    #   "a",
    # ]
    set = true
  }
}
`
	want := `# prose at the top stays
check "x" {
  plugin = "x"
  config {
    ## prose in the block stays
    count = 5
    list = [
      "a",
    ]
    set = true
  }
}
`
	if got := Uncomment(sample); got != want {
		t.Fatalf("Uncomment:\n%s\nwant:\n%s", got, want)
	}
}

func TestOutputPattern(t *testing.T) {
	p := OutputPattern("TCP OK - {t} second response time on 127.0.0.1 port 22 [SSH-2.0]")
	tests := []struct {
		output string
		match  bool
	}{
		{"TCP OK - 0.004 second response time on 127.0.0.1 port 22 [SSH-2.0]", true},
		{"TCP OK - 12.345 second response time on 127.0.0.1 port 22 [SSH-2.0]", true},
		{"TCP OK - 0.04 second response time on 127.0.0.1 port 22 [SSH-2.0]", false},
		{"TCP OK - x.004 second response time on 127.0.0.1 port 22 [SSH-2.0]", false},
		{"TCP OK - 0.004 second response time on 127.0.0.1 port 22 [SSH-2a0]", false},
		{"TCP OK - 0.004 second response time on 127.0.0.1 port 22 [SSH-2.0] and more", false},
	}
	for _, tt := range tests {
		if got := p.MatchString(tt.output); got != tt.match {
			t.Errorf("%q matches %s: %t, want %t", tt.output, p, got, tt.match)
		}
	}
}

// TestServeDNS asks the test DNS server through Go's resolver, after a
// malformed query that it must ignore without stopping.
func TestServeDNS(t *testing.T) {
	addr := ServeDNS(t, NewDNSZone(
		Record("web.vakt.test.", &dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}),
		Record("www.vakt.test.", &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("web.vakt.test.")}),
	))
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("not a DNS message")); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close()

	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	ctx, cancel := context.WithTimeout(Context(t), 30*time.Second)
	defer cancel()
	for _, name := range []string{"web.vakt.test", "www.vakt.test"} {
		got, err := r.LookupHost(ctx, name)
		if err != nil || !slices.Equal(got, []string{"127.0.0.1"}) {
			t.Errorf("LookupHost(%s) = %v, %v; want [127.0.0.1]", name, got, err)
		}
	}
	if got, err := r.LookupHost(ctx, "nx.vakt.test"); err == nil {
		t.Errorf("LookupHost(nx.vakt.test) = %v, want not found", got)
	}
}
