package sdktest_test

import (
	"reflect"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

func TestLogLines(t *testing.T) {
	lines := sdktest.NewLogLines()
	log := zerolog.New(lines)
	log.Info().Str("plugin", "ping").Msg("started")

	// A line written before the wait is found.
	if got, want := lines.WaitFor(t, map[string]any{"plugin": "ping"}), map[string]any{"level": "info", "plugin": "ping", "message": "started"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("WaitFor: got %v, want %v", got, want)
	}

	// Lines written while the test waits are found, in order.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, n := range []int{1, 2, 3} {
			log.Warn().Int("n", n).Msg("again")
		}
	}()
	got := lines.WaitForCount(t, 2, map[string]any{"message": "again"})
	<-done
	if len(got) != 2 || got[0]["n"] != 1.0 || got[1]["n"] != 2.0 {
		t.Fatalf("WaitForCount(2): got %v, want the lines n=1 and n=2", got)
	}

	// A line that is not JSON is kept as it is.
	if _, err := lines.Write([]byte("panic: boom\n")); err != nil {
		t.Fatal(err)
	}
	lines.WaitFor(t, map[string]any{"unparsed": "panic: boom\n"})
	if s := lines.String(); s != "map[level:info message:started plugin:ping]\n"+
		"map[level:warn message:again n:1]\nmap[level:warn message:again n:2]\nmap[level:warn message:again n:3]\n"+
		"map[unparsed:panic: boom\n]\n" {
		t.Errorf("String:\n%s", s)
	}
}
