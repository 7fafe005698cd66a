package passive

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

// fastBodies are bodies the scanner must take itself (fast: true) or must
// leave to the slow path (fast: false); either way parseRequest must answer
// exactly as parseRequestSlow does.
var fastBodies = []struct {
	name string
	body string
	fast bool
}{
	{"one result", `{"host":"web1","check":"disk","state":"ok"}`, true},
	{"one result, every field", `{"host":"web1","check":"disk","state":2,"output":"DISK CRITICAL - 99% used | used=99%;80;90;0;100\nlong text","ttl":"30m"}`, true},
	{"batch", `{"results":[{"host":"a","check":"c","state":0},{"host":"b","check":"c","state":"WARNING","output":"x"}]}`, true},
	{"white space everywhere", " \t\r\n{ \n\"results\" \t:\r [ \n{ \"host\" : \"a\" , \"check\"\n:\n\"c\"\t,\"state\"  :  1 } \n,\n{\"host\":\"b\",\"check\":\"c\",\"state\":3}\n ] \n} \n\t", true},
	{"state 1 then a space", `{"host":"a","check":"c","state":1 }`, true},
	{"state -0", `{"host":"a","check":"c","state":-0}`, true},
	{"state 1e0", `{"host":"a","check":"c","state":1e0}`, false},
	{"state 1.0", `{"host":"a","check":"c","state":1.0}`, false},
	{"state 4", `{"host":"a","check":"c","state":4}`, false},
	{"state -1", `{"host":"a","check":"c","state":-1}`, false},
	{"state 01 (invalid JSON)", `{"host":"a","check":"c","state":01}`, false},
	{"state null", `{"host":"a","check":"c","state":null}`, false},
	{"state true", `{"host":"a","check":"c","state":true}`, false},
	{"state object", `{"host":"a","check":"c","state":{"a":[1,"]}"]}}`, false},
	{"state escaped string", `{"host":"a","check":"c","state":"\u006Fk"}`, true},
	{"state escaped bad", `{"host":"a","check":"c","state":"o\"k"}`, false},
	{"output null", `{"host":"a","check":"c","state":0,"output":null}`, false},
	{"ttl null", `{"host":"a","check":"c","state":0,"ttl":null}`, false},
	{"ttl zero", `{"host":"a","check":"c","state":0,"ttl":"0s"}`, false},
	{"ttl number", `{"host":"a","check":"c","state":0,"ttl":30}`, false},
	{"host null", `{"host":null,"check":"c","state":0}`, false},
	{"host array", `{"host":["a"],"check":"c","state":0}`, false},
	{"escapes in values", `{"host":"w\u00e9b","check":"d\/isk","state":"ok","output":"a\tb\\c\"d\u2028e\ud83d\ude00 | x=1"}`, false},
	{"escapes in values, good", `{"host":"w\u00e9b","check":"di\u0073k","state":"ok","output":"a\tb\\c\"d\u2028e\ud83d\ude00 | x=1"}`, true},
	{"unicode raw", `{"host":"wéb","check":"диск","state":"critical","output":"✓ ok 😀"}`, true},
	{"bad surrogate", `{"host":"a","check":"c","state":0,"output":"\ud800x"}`, true},
	{"invalid UTF-8", "{\"host\":\"a\xff\",\"check\":\"c\",\"state\":0,\"output\":\"\xc3(\"}", true},
	{"escaped key", `{"ho\u0073t":"a","check":"c","state":0}`, false},
	{"escaped results key", `{"result\u0073":[{"host":"a","check":"c","state":0}]}`, false},
	{"key in upper case", `{"Host":"a","check":"c","state":0}`, false},
	{"unknown field with nested value", `{"host":"a","check":"c","state":0,"extra":{"x":["}",{"y":"\"]"}],"z":null}}`, false},
	{"unknown field in batch item", `{"results":[{"host":"a","check":"c","state":0,"x":[1,[2,[3]]]}]}`, false},
	{"duplicate key, last good", `{"host":"a","check":"c","state":7,"state":"ok"}`, false},
	{"duplicate key, last bad", `{"host":"a","check":"c","state":"ok","state":7}`, false},
	{"duplicate host", `{"host":"a","host":"b","check":"c","state":0}`, false},
	{"duplicate results", `{"results":5,"results":[{"host":"a","check":"c","state":0}]}`, false},
	{"duplicate results, last bad", `{"results":[{"host":"a","check":"c","state":0}],"results":{}}`, false},
	{"results next to host", `{"host":"a","results":[{"host":"a","check":"c","state":0}]}`, false},
	{"results next to unknown", `{"results":[{"host":"a","check":"c","state":0}],"zz":1}`, false},
	{"empty results", `{"results":[]}`, false},
	{"empty results with space", `{"results":[ ]}`, false},
	{"results null", `{"results":null}`, false},
	{"results object", `{"results":{"host":"a","check":"c","state":0}}`, false},
	{"results string", `{"results":"[]"}`, false},
	{"null item", `{"results":[{"host":"a","check":"c","state":0},null]}`, false},
	{"number item", `{"results":[{"host":"a","check":"c","state":0},1]}`, false},
	{"array item", `{"results":[[{"host":"a","check":"c","state":0}]]}`, false},
	{"empty item", `{"results":[{}]}`, false},
	{"bad second item", `{"results":[{"host":"a","check":"c","state":0},{"host":"a","check":"c"}]}`, false},
	{"empty object", `{}`, false},
	{"empty body", ``, false},
	{"only space", " \n\t ", false},
	{"array body", `[{"host":"a","check":"c","state":0}]`, false},
	{"truncated", `{"host":"a","check":"c","state":0`, false},
	{"trailing garbage", `{"host":"a","check":"c","state":0} x`, false},
	{"two objects", `{"host":"a","check":"c","state":0}{}`, false},
	{"trailing comma", `{"host":"a","check":"c","state":0,}`, false},
	{"single quotes", `{'host':'a'}`, false},
	{"vertical tab around", "\v{\"host\":\"a\",\"check\":\"c\",\"state\":0}\f", true},
	{"NBSP around (trimmed, then valid)", "\u00a0{\"host\":\"a\",\"check\":\"c\",\"state\":0}\u0085", true},
	{"host with slash", `{"host":"a/b","check":"c","state":0}`, false},
	{"host with space", `{"host":" a","check":"c","state":0}`, false},
	{"host with control", `{"host":"a\u0001","check":"c","state":0}`, false},
	{"host empty", `{"host":"","check":"c","state":0}`, false},
	{"host too long", `{"host":"` + strings.Repeat("h", 256) + `","check":"c","state":0}`, false},
	{"host at most", `{"host":"` + strings.Repeat("h", 255) + `","check":"c","state":0}`, true},
	{"perfdata NaN", `{"host":"a","check":"c","state":0,"output":"ok | x=NaN;1:2;@3:4;0;5 y=U"}`, true},
	{"deep nesting in unknown field", `{"host":"a","check":"c","state":0,"x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, false},
	{"too deep", `{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, false},
}

// describeResults renders results with every pointer followed, so that two
// decodings can be compared as text (NaN included).
func describeResults(results []Result) string {
	var b strings.Builder
	num := func(f *float64) string {
		if f == nil {
			return "nil"
		}
		return strconv.FormatFloat(*f, 'g', -1, 64)
	}
	rng := func(r *check.Range) string {
		if r == nil {
			return "nil"
		}
		return fmt.Sprintf("%+v", *r)
	}
	for i, r := range results {
		fmt.Fprintf(&b, "[%d] host=%q check=%q state=%d output=%q long=%q raw=%q ttl=%s colour=%q notes=%q received=%s source=%q\n",
			i, r.Host, r.Check, r.State, r.Output, r.Long, r.RawPerfdata, r.TTL, r.Colour, r.Notes, r.Received.Format(time.RFC3339Nano), r.Source)
		for _, p := range r.Perfdata {
			fmt.Fprintf(&b, "  perf %q %s u=%t %q warn=%s crit=%s min=%s max=%s\n",
				p.Label, strconv.FormatFloat(p.Value, 'g', -1, 64), p.Undetermined, p.UOM, rng(p.Warn), rng(p.Crit), num(p.Min), num(p.Max))
		}
	}
	return b.String()
}

// describeError renders a requestError with its field and index.
func describeError(err *requestError) string {
	if err == nil {
		return "<nil>"
	}
	index := "nil"
	if err.index != nil {
		index = strconv.Itoa(*err.index)
	}
	return fmt.Sprintf("error=%q field=%q index=%s", err.Error(), err.field, index)
}

// compareParsers checks that parseRequest answers body exactly as
// parseRequestSlow does, and that the fast path, when it answers, agrees.
// It returns whether the fast path took the body.
func compareParsers(t *testing.T, body []byte) bool {
	t.Helper()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	const source = "http:127.0.0.1:5000"
	slow, slowErr := parseRequestSlow(body, now, source)
	want := describeResults(slow) + describeError(slowErr)
	got, gotErr := parseRequest(body, now, source)
	if have := describeResults(got) + describeError(gotErr); have != want {
		t.Errorf("body %q:\nparseRequest:     %s\nparseRequestSlow: %s", body, have, want)
	}
	fast, ok := parseRequestFast(body, now, source)
	if !ok {
		if fast != nil {
			t.Errorf("body %q: the fast path declined but returned %d results", body, len(fast))
		}
		return false
	}
	if have := describeResults(fast) + describeError(nil); have != want {
		t.Errorf("body %q:\nparseRequestFast: %s\nparseRequestSlow: %s", body, have, want)
	}
	return true
}

func TestParseRequestFastMatchesSlow(t *testing.T) {
	for _, tt := range fastBodies {
		t.Run(tt.name, func(t *testing.T) {
			if took := compareParsers(t, []byte(tt.body)); took != tt.fast {
				t.Errorf("the fast path took the body: %t; want %t", took, tt.fast)
			}
		})
	}
}

// TestParseRequestFastBigBatch: a batch like the load generator's is taken
// by the fast path, whole and in order.
func TestParseRequestFastBigBatch(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"results":[`)
	for i := range 1000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"host":"host%d","check":"check%d","state":%d,"output":"OK - %d | v=%d;5;9","ttl":"5m"}`, i/50, i%50, i%4, i, i)
	}
	b.WriteString(`]}`)
	body := []byte(b.String())
	if !compareParsers(t, body) {
		t.Fatal("the fast path declined a plain batch")
	}
	results, err := parseRequest(body, time.Now(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1000 {
		t.Fatalf("%d results; want 1000", len(results))
	}
	last := results[999]
	if last.Host != "host19" || last.Check != "check49" || last.State != check.Unknown || last.Output != "OK - 999" || last.TTL != 5*time.Minute || last.RawPerfdata != "v=999;5;9" {
		t.Errorf("results[999] = %+v", last)
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, tt := range fastBodies {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		compareParsers(t, body)
	})
}
