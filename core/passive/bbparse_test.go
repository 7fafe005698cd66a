package passive

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vakt/vakt/core/check"
)

var parseNow = time.Date(2024, 5, 6, 18, 38, 1, 0, time.UTC)

// status builds the Result a status message should give.
func status(host, test string, state check.State, colour, output, long string, ttl time.Duration) Result {
	return Result{Host: host, Check: test, State: state, Colour: colour, Output: output, Long: long,
		TTL: ttl, Received: parseNow}
}

func TestParseMessageGood(t *testing.T) {
	const d = DefaultLifetime
	clear := status("db1", "raid", check.OK, "clear", "no RAID here", "", d)
	clear.Notes = []string{"colour clear (does not apply) taken as OK"}
	tests := []struct {
		name     string
		msg      string
		results  []Result
		commands []Command
	}{
		{name: "Big Brother manual example",
			msg:     "status www1.http red (926008681) Thu May 6 18:38:01 1999 HTTP 500",
			results: []Result{status("www1", "http", check.Critical, "red", "(926008681) Thu May 6 18:38:01 1999 HTTP 500", "", d)}},
		{name: "green is OK", msg: "status www1.conn green up",
			results: []Result{status("www1", "conn", check.OK, "green", "up", "", d)}},
		{name: "yellow is WARNING", msg: "status www1.disk yellow /var 91%",
			results: []Result{status("www1", "disk", check.Warning, "yellow", "/var 91%", "", d)}},
		{name: "clear is OK with a note", msg: "status db1.raid clear no RAID here", results: []Result{clear}},
		{name: "colour in capitals", msg: "status www1.http RED down",
			results: []Result{status("www1", "http", check.Critical, "red", "down", "", d)}},
		{name: "commas in the host name", msg: "status www,example,com.http green OK",
			results: []Result{status("www.example.com", "http", check.OK, "green", "OK", "", d)}},
		{name: "dots in the host name", msg: "status www.example.com.http green OK",
			results: []Result{status("www.example.com", "http", check.OK, "green", "OK", "", d)}},
		{name: "IP address with commas", msg: "status 10,0,0,1.conn green ping ok",
			results: []Result{status("10.0.0.1", "conn", check.OK, "green", "ping ok", "", d)}},
		{name: "lifetime in plain minutes", msg: "status+30 a.b green x",
			results: []Result{status("a", "b", check.OK, "green", "x", "", 30*time.Minute)}},
		{name: "lifetime in m", msg: "status+45m a.b green x",
			results: []Result{status("a", "b", check.OK, "green", "x", "", 45*time.Minute)}},
		{name: "lifetime in h", msg: "status+2h a.b green x",
			results: []Result{status("a", "b", check.OK, "green", "x", "", 2*time.Hour)}},
		{name: "lifetime in d", msg: "status+1d a.b green x",
			results: []Result{status("a", "b", check.OK, "green", "x", "", 24*time.Hour)}},
		{name: "lifetime in w", msg: "status+1w a.b green x",
			results: []Result{status("a", "b", check.OK, "green", "x", "", 7*24*time.Hour)}},
		{name: "Xymon group after the lifetime", msg: "status+30/group:ops db1.disk yellow /var 91%",
			results: []Result{status("db1", "disk", check.Warning, "yellow", "/var 91%", "", 30*time.Minute)}},
		{name: "Xymon group without lifetime", msg: "status/group:ops db1.disk green fine",
			results: []Result{status("db1", "disk", check.OK, "green", "fine", "", d)}},
		{name: "text over several lines", msg: "status web1.cpu yellow load is high\n\n  top: 12.5\nusers: 3\n\n",
			results: []Result{status("web1", "cpu", check.Warning, "yellow", "load is high", "  top: 12.5\nusers: 3", d)}},
		{name: "no text at all", msg: "status a.b green",
			results: []Result{status("a", "b", check.OK, "green", "", "", d)}},
		{name: "text starts on the next line", msg: "status a.b green\nall fine\ndetail",
			results: []Result{status("a", "b", check.OK, "green", "all fine", "detail", d)}},
		{name: "CRLF line ends", msg: "status a.b red first\r\nsecond\r\n",
			results: []Result{status("a", "b", check.Critical, "red", "first", "second", d)}},
		{name: "tabs between words and white space around the message", msg: "\n  status\ta.b\tgreen\t ok \n\n",
			results: []Result{status("a", "b", check.OK, "green", "ok", "", d)}},
		{name: "trailing NUL bytes of bbnt", msg: "status a.b green ok\n\x00\x00",
			results: []Result{status("a", "b", check.OK, "green", "ok", "", d)}},
		{name: "UTF-8 output", msg: "status srv-1.svc_2 green tjänsten är igång ✓\n日本語",
			results: []Result{status("srv-1", "svc_2", check.OK, "green", "tjänsten är igång ✓", "日本語", d)}},
		{name: "combo of two", msg: "combo\nstatus a.b green ok\n\nstatus+1h c,d.e red bad\nmore\n",
			results: []Result{
				status("a", "b", check.OK, "green", "ok", "", d),
				status("c.d", "e", check.Critical, "red", "bad", "more", time.Hour),
			}},
		{name: "combo with blank lines inside a status", msg: "combo\n\nstatus a.b green ok\n\nline\n\nstatus c.d yellow w",
			results: []Result{
				status("a", "b", check.OK, "green", "ok", "line", d),
				status("c", "d", check.Warning, "yellow", "w", "", d),
			}},
		{name: "disable with a reason", msg: "disable www1.http 2h maintenance window\nticket 42",
			commands: []Command{{Kind: Disable, Host: "www1", Check: "http", Duration: 2 * time.Hour,
				Reason: "maintenance window\nticket 42", Received: parseNow}}},
		{name: "disable in minutes", msg: "disable www,example,com.conn 90",
			commands: []Command{{Kind: Disable, Host: "www.example.com", Check: "conn", Duration: 90 * time.Minute, Received: parseNow}}},
		{name: "disable until OK", msg: "disable www1.http -1 until fixed",
			commands: []Command{{Kind: Disable, Host: "www1", Check: "http", UntilOK: true, Reason: "until fixed", Received: parseNow}}},
		{name: "disable every test of a host", msg: "disable www1.* 1d",
			commands: []Command{{Kind: Disable, Host: "www1", Check: "*", Duration: 24 * time.Hour, Received: parseNow}}},
		{name: "enable", msg: "enable www1.http",
			commands: []Command{{Kind: Enable, Host: "www1", Check: "http", Received: parseNow}}},
		{name: "enable ignores trailing text as Xymon does", msg: "enable www1.* now please",
			commands: []Command{{Kind: Enable, Host: "www1", Check: "*", Received: parseNow}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, commands, err := ParseMessage([]byte(tt.msg), parseNow)
			if err != nil {
				t.Fatalf("ParseMessage(%q) error: %v", tt.msg, err)
			}
			if !reflect.DeepEqual(results, tt.results) {
				t.Errorf("results:\n got %+v\nwant %+v", results, tt.results)
			}
			if !reflect.DeepEqual(commands, tt.commands) {
				t.Errorf("commands:\n got %+v\nwant %+v", commands, tt.commands)
			}
		})
	}
}

func TestParseMessageMalformed(t *testing.T) {
	tests := []struct {
		name, msg, err string
	}{
		{"empty", "", "empty message"},
		{"only white space", " \r\n\t\n", "empty message"},
		{"only NUL bytes", "\x00\x00", "empty message"},
		{"NUL inside", "status a.b green o\x00k", "message holds binary data: byte 0x00 at offset 18"},
		{"control character", "status a.b green \x1b[31mred", "message holds binary data: byte 0x1b at offset 17"},
		{"DEL", "status a.b green \x7f", "message holds binary data: byte 0x7f at offset 17"},
		{"binary garbage", "\x89PNG\r\n\x1a\n", "message is not valid UTF-8: byte 0x89 at offset 0"},
		{"Latin-1 text", "status a.b green caf\xe9", "message is not valid UTF-8: byte 0xe9 at offset 20"},
		{"truncated UTF-8", "status a.b green \xe2\x9c", "message is not valid UTF-8: byte 0xe2 at offset 17"},
		{"unknown command", "hello world", `unknown command "hello": want status, combo, disable or enable`},
		{"capitalised command", "STATUS a.b green", `unknown command "STATUS": want status, combo, disable or enable`},
		{"long unknown command is cut", strings.Repeat("x", 100),
			`unknown command "` + strings.Repeat("x", 40) + `": want status, combo, disable or enable`},
		{"Xymon data", "data a.b\nfoo", `command "data" is not supported: want status, combo, disable or enable`},
		{"Xymon ack", "ack 1234 60 fixing", `command "ack" is not supported: want status, combo, disable or enable`},
		{"status alone", "status", "status: missing HOST.TEST"},
		{"status then newline", "status\nwww1.http red", "status: missing HOST.TEST"},
		{"no dot", "status www1 red down", `status: bad HOST.TEST "www1": no "." between host and test name`},
		{"empty host", "status .http red down", `status: bad HOST.TEST ".http": empty host name`},
		{"empty test", "status www1. red down", `status: bad HOST.TEST "www1.": empty test name`},
		{"empty label", "status www,,com.http red", `status: bad HOST.TEST "www,,com.http": host name "www..com" has an empty label`},
		{"leading comma", "status ,www.http red", `status: bad HOST.TEST ",www.http": host name ".www" has an empty label`},
		{"bad host character", "status www$1.http red", `status: bad HOST.TEST "www$1.http": character '$' not allowed in a host name`},
		{"non-ASCII test name", "status srv.tjänst green", `status: bad HOST.TEST "srv.tjänst": character 'ä' not allowed in a test name`},
		{"star in a status", "status www1.* green", `status: bad HOST.TEST "www1.*": character '*' not allowed in a test name`},
		{"missing colour", "status www1.http", `status: missing colour after "www1.http"`},
		{"missing colour before newline", "status www1.http\nred", `status: missing colour after "www1.http"`},
		{"unknown colour", "status www1.http pink x", `status: unknown colour "pink": want green, yellow, red or clear`},
		{"purple", "status www1.http purple stale", `status: colour "purple" is set by the server, clients must not send it`},
		{"blue", "status www1.http blue disabled", `status: colour "blue" is set by the server, clients must not send it`},
		{"missing lifetime", "status+ a.b green", `status: missing lifetime after "+"`},
		{"missing lifetime before group", "status+/group:ops a.b green", `status: missing lifetime after "+"`},
		{"lifetime with a bad unit", "status+30x a.b green",
			`status: bad lifetime "30x": want a number of minutes, or numbers with a unit s, m, h, d or w (90, 30s, 2h, 1h30m)`},
		{"lifetime with two units", "status+30mh a.b green",
			`status: bad lifetime "30mh": want a number of minutes, or numbers with a unit s, m, h, d or w (90, 30s, 2h, 1h30m)`},
		{"lifetime unit alone", "status+h a.b green",
			`status: bad lifetime "h": want a number of minutes, or numbers with a unit s, m, h, d or w (90, 30s, 2h, 1h30m)`},
		{"negative lifetime", "status+-5 a.b green",
			`status: bad lifetime "-5": want a number of minutes, or numbers with a unit s, m, h, d or w (90, 30s, 2h, 1h30m)`},
		{"zero lifetime", "status+0 a.b green", `status: lifetime "0" must be positive`},
		{"huge lifetime", "status+99999999999w a.b green", `status: lifetime "99999999999w" is too long: at most ten years`},
		{"lifetime past int64", "status+99999999999999999999 a.b green", `status: lifetime "99999999999999999999" is too long: at most ten years`},
		{"glued word", "statusx a.b green", `status: bad command word "statusx": want status[+LIFETIME][/group:NAME]`},
		{"bad group syntax", "status+30/ops a.b green", `status: bad command word "status+30/ops": want status[+LIFETIME][/group:NAME]`},
		{"empty group", "status/group: a.b green", `status: empty group name in "status/group:"`},
		{"empty combo", "combo\n\n", "combo: no status messages"},
		{"text after combo", "combo now\nstatus a.b green", `combo: unexpected text "now" after combo`},
		{"combo of a disable", "combo\ndisable a.b 1h", `combo part 1: only status messages can be combined, got "disable"`},
		{"disable alone", "disable", "disable: missing HOST.TEST"},
		{"disable without duration", "disable www1.http", `disable: missing duration after "www1.http"`},
		{"disable with a bad duration", "disable www1.http soon",
			`disable: bad duration "soon": want a number of minutes, or numbers with a unit s, m, h, d or w (90, 30s, 2h, 1h30m)`},
		{"disable with zero duration", "disable www1.http 0", `disable: duration "0" must be positive`},
		{"disable of a bad HOST.TEST", "disable www1 1h", `disable: bad HOST.TEST "www1": no "." between host and test name`},
		{"enable alone", "enable", "enable: missing HOST.TEST"},
		{"enable of a bad HOST.TEST", "enable .http", `enable: bad HOST.TEST ".http": empty host name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, commands, err := ParseMessage([]byte(tt.msg), parseNow)
			if err == nil || err.Error() != tt.err {
				t.Fatalf("ParseMessage(%q) error = %v, want %q", tt.msg, err, tt.err)
			}
			if results != nil || commands != nil {
				t.Errorf("ParseMessage(%q) returned %+v, %+v with the error; want nothing", tt.msg, results, commands)
			}
		})
	}
}

// Durations of disable (and lifetimes of status) as xymon(1) writes them:
// plain minutes, or numbers with the units s, m, h, d and w.
func TestParseDurationUnits(t *testing.T) {
	const bad = `bad duration %q: want a number of minutes, or numbers with a unit s, m, h, d or w (90, 30s, 2h, 1h30m)`
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30", 30 * time.Minute, ""},
		{"1", time.Minute, ""},
		{"30s", 30 * time.Second, ""},
		{"90s", 90 * time.Second, ""},
		{"45m", 45 * time.Minute, ""},
		{"2h", 2 * time.Hour, ""},
		{"1d", 24 * time.Hour, ""},
		{"1w", 7 * 24 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"1h30", 90 * time.Minute, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"2m30s", 150 * time.Second, ""},
		{"520w", 520 * 7 * 24 * time.Hour, ""},
		{"0", 0, `duration "0" must be positive`},
		{"0s", 0, `duration "0s" must be positive`},
		{"0h0m", 0, `duration "0h0m" must be positive`},
		{"", 0, fmt.Sprintf(bad, "")},
		{"s", 0, fmt.Sprintf(bad, "s")},
		{"30x", 0, fmt.Sprintf(bad, "30x")},
		{"30S", 0, fmt.Sprintf(bad, "30S")},
		{"30ms", 0, fmt.Sprintf(bad, "30ms")},
		{"1.5h", 0, fmt.Sprintf(bad, "1.5h")},
		{"-5", 0, fmt.Sprintf(bad, "-5")},
		{"+5", 0, fmt.Sprintf(bad, "+5")},
		{"5 m", 0, fmt.Sprintf(bad, "5 m")},
		{"1y", 0, fmt.Sprintf(bad, "1y")},
		{"600w", 0, `duration "600w" is too long: at most ten years`},
		{"9999999999999999999999s", 0, `duration "99999999999999999999" is too long: at most ten years`},
		{"500w500w", 0, `duration "500w500w" is too long: at most ten years`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in, "duration")
			errText := ""
			if err != nil {
				errText = err.Error()
			}
			if got != tt.want || errText != tt.err {
				t.Errorf("parseDuration(%q) = %v, %q; want %v, %q", tt.in, got, errText, tt.want, tt.err)
			}
		})
	}
	// The case, through the whole parser.
	_, commands, err := ParseMessage([]byte("disable web1.disk 30s patching"), parseNow)
	want := []Command{{Kind: Disable, Host: "web1", Check: "disk", Duration: 30 * time.Second, Reason: "patching", Received: parseNow}}
	if err != nil || !reflect.DeepEqual(commands, want) {
		t.Errorf("disable web1.disk 30s = %+v, %v; want %+v", commands, err, want)
	}
}

// A combo keeps its good parts when others are bad, and names each bad one.
func TestParseMessageComboPartlyBad(t *testing.T) {
	msg := "combo\nstatus a.b green ok\n\nstatus c.d pink x\n\nstatus e.f red bad\n\nstatus g purple"
	results, commands, err := ParseMessage([]byte(msg), parseNow)
	want := []Result{
		status("a", "b", check.OK, "green", "ok", "", DefaultLifetime),
		status("e", "f", check.Critical, "red", "bad", "", DefaultLifetime),
	}
	if !reflect.DeepEqual(results, want) {
		t.Errorf("results:\n got %+v\nwant %+v", results, want)
	}
	if commands != nil {
		t.Errorf("commands = %+v, want none", commands)
	}
	const wantErr = "combo part 2: status: unknown colour \"pink\": want green, yellow, red or clear\n" +
		"combo part 4: status: bad HOST.TEST \"g\": no \".\" between host and test name"
	if err == nil || err.Error() != wantErr {
		t.Fatalf("error = %v, want %q", err, wantErr)
	}
}

// FuzzParseMessage checks that any input gives either an error or
// well-formed results, never a panic.
func FuzzParseMessage(f *testing.F) {
	for _, seed := range []string{
		"status www1.http red (926008681) Thu May 6 18:38:01 1999 HTTP 500",
		"status+30/group:ops www,example,com.disk yellow /var 91%\nmore\n",
		"combo\nstatus a.b green ok\n\nstatus c.d red bad\n",
		"disable www1.* -1 reason", "enable www1.http", "status a.b purple", "\x89PNG\r\n",
		"disable web1.disk 30s patching", "disable web1.* 1h30m", "status+2m30s a.b green x",
		"disable a.b 0s", "disable a.b 500w500w", "status+1d12h a.b red",
	} {
		f.Add([]byte(seed))
	}
	colours := map[string]bool{"green": true, "yellow": true, "red": true, "clear": true}
	f.Fuzz(func(t *testing.T, msg []byte) {
		results, commands, err := ParseMessage(msg, parseNow)
		if err != nil && err.Error() == "" {
			t.Fatalf("ParseMessage(%q): empty error", msg)
		}
		if err == nil && len(results)+len(commands) == 0 {
			t.Fatalf("ParseMessage(%q): no error and nothing parsed", msg)
		}
		for _, r := range results {
			if r.Host == "" || r.Check == "" || !r.State.Valid() || !colours[r.Colour] || r.TTL <= 0 ||
				!utf8.ValidString(r.Output+r.Long) || !r.Received.Equal(parseNow) {
				t.Fatalf("ParseMessage(%q): malformed result %+v", msg, r)
			}
		}
		for _, c := range commands {
			if c.Host == "" || c.Check == "" || (c.Kind != Disable && c.Kind != Enable) ||
				(c.Kind == Disable && c.Duration <= 0 && !c.UntilOK) {
				t.Fatalf("ParseMessage(%q): malformed command %+v", msg, c)
			}
		}
	})
}
