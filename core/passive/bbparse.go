package passive

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vakt/vakt/core/check"
)

// DefaultLifetime is how long a Big Brother status stays fresh when its
// message gives no lifetime: Big Brother's and Xymon's 30 minutes.
const DefaultLifetime = 30 * time.Minute

// ParseMessage parses one Big Brother / Big Sister / Xymon message: the
// whole text one connection sent. It is a status message, a combo of status
// messages, or a disable or enable command; see README.md for the syntax.
//
// A status becomes a Result, a disable or enable a Command, both with
// Received set to now and Source left empty for the caller to fill. A
// message that cannot be taken returns an error saying why. In a combo every
// well-formed part is returned even when others are not; the error then
// joins one error per bad part (errors.Join), each starting with
// "combo part N: ".
func ParseMessage(msg []byte, now time.Time) ([]Result, []Command, error) {
	text, err := messageText(msg)
	if err != nil {
		return nil, nil, err
	}
	if text == "" {
		return nil, nil, errors.New("empty message")
	}
	word, _ := nextWord(text)
	switch {
	case word == "combo":
		results, err := parseCombo(text, now)
		return results, nil, err
	case strings.HasPrefix(word, "status"):
		r, err := parseStatus(text, now)
		if err != nil {
			return nil, nil, err
		}
		return []Result{r}, nil, nil
	case word == "disable" || word == "enable":
		c, err := parseCommand(text, now)
		if err != nil {
			return nil, nil, err
		}
		return nil, []Command{c}, nil
	}
	if isXymonCommand(word) {
		return nil, nil, fmt.Errorf("command %q is not supported: want status, combo, disable or enable", word)
	}
	return nil, nil, fmt.Errorf("unknown command %.40q: want status, combo, disable or enable", word)
}

// isXymonCommand reports whether word is a Big Brother or Xymon command that
// vakt knows but does not take; those get a clearer error than an unknown
// word.
func isXymonCommand(word string) bool {
	switch word {
	case "ack", "client", "config", "data", "drop", "hostinfo", "meta", "modify",
		"notify", "page", "ping", "query", "rename", "schedule", "summary", "usermsg",
		"xymondboard", "xymondlog":
		return true
	}
	return false
}

// messageText checks that msg is text and returns it with line ends
// normalised and surrounding white space removed. Trailing NUL bytes are
// dropped first: the Windows agent bbnt ends its messages with one.
func messageText(msg []byte) (string, error) {
	for len(msg) > 0 && msg[len(msg)-1] == 0 {
		msg = msg[:len(msg)-1]
	}
	for i := 0; i < len(msg); {
		r, size := utf8.DecodeRune(msg[i:])
		if r == utf8.RuneError && size == 1 {
			return "", fmt.Errorf("message is not valid UTF-8: byte 0x%02x at offset %d", msg[i], i)
		}
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return "", fmt.Errorf("message holds binary data: byte 0x%02x at offset %d", msg[i], i)
		}
		i += size
	}
	text := strings.ReplaceAll(string(msg), "\r\n", "\n")
	return strings.TrimSpace(text), nil
}

// parseCombo parses "combo\n" followed by status messages, each after the
// first starting right after a blank line, as Xymon splits them.
func parseCombo(text string, now time.Time) ([]Result, error) {
	first, body, _ := strings.Cut(text, "\n")
	if extra := strings.TrimSpace(strings.TrimPrefix(first, "combo")); extra != "" {
		return nil, fmt.Errorf("combo: unexpected text %.40q after combo", extra)
	}
	var results []Result
	var errs []error
	n := 0
	for i, part := range strings.Split(body, "\n\nstatus") {
		if i > 0 {
			part = "status" + part
		}
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n++
		if word, _ := nextWord(part); !strings.HasPrefix(word, "status") {
			errs = append(errs, fmt.Errorf("combo part %d: only status messages can be combined, got %.40q", n, word))
			continue
		}
		r, err := parseStatus(part, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("combo part %d: %w", n, err))
			continue
		}
		results = append(results, r)
	}
	if n == 0 {
		return nil, errors.New("combo: no status messages")
	}
	return results, errors.Join(errs...)
}

// parseStatus parses "status[+LIFETIME][/group:NAME] HOST.TEST COLOUR text".
func parseStatus(text string, now time.Time) (Result, error) {
	first, body, _ := strings.Cut(text, "\n")
	word, rest := nextWord(first)
	ttl, err := parseStatusWord(word)
	if err != nil {
		return Result{}, fmt.Errorf("status: %w", err)
	}
	hostTest, rest := nextWord(rest)
	if hostTest == "" {
		return Result{}, errors.New("status: missing HOST.TEST")
	}
	host, test, err := parseHostTest(hostTest, false)
	if err != nil {
		return Result{}, fmt.Errorf("status: %w", err)
	}
	colour, rest := nextWord(rest)
	if colour == "" {
		return Result{}, fmt.Errorf("status: missing colour after %q", hostTest)
	}
	colour = strings.ToLower(colour)
	r := Result{Host: host, Check: test, TTL: ttl, Colour: colour, Received: now}
	switch colour {
	case "green":
		r.State = check.OK
	case "yellow":
		r.State = check.Warning
	case "red":
		r.State = check.Critical
	case "clear":
		r.State = check.OK
		r.Notes = []string{"colour clear (does not apply) taken as OK"}
	case "purple", "blue":
		return Result{}, fmt.Errorf("status: colour %q is set by the server, clients must not send it", colour)
	default:
		return Result{}, fmt.Errorf("status: unknown colour %.20q: want green, yellow, red or clear", colour)
	}
	r.Output = strings.TrimSpace(rest)
	r.Long = strings.TrimRight(strings.TrimLeft(body, "\n"), " \t\n")
	if r.Output == "" && r.Long != "" {
		// "status host.test green" with the text on the next lines:
		// its first line is the summary.
		r.Output, r.Long, _ = strings.Cut(r.Long, "\n")
		r.Output = strings.TrimSpace(r.Output)
		r.Long = strings.TrimLeft(r.Long, "\n")
	}
	return r, nil
}

// parseStatusWord reads "status", "status+LIFETIME",
// "status+LIFETIME/group:NAME" or "status/group:NAME" and returns the
// lifetime, DefaultLifetime when none is given. The group is checked and
// ignored.
func parseStatusWord(word string) (time.Duration, error) {
	spec, group, hasGroup := strings.Cut(strings.TrimPrefix(word, "status"), "/")
	ttl := DefaultLifetime
	if spec != "" {
		lifetime, ok := strings.CutPrefix(spec, "+")
		if !ok {
			return 0, fmt.Errorf("bad command word %.40q: want status[+LIFETIME][/group:NAME]", word)
		}
		if lifetime == "" {
			return 0, errors.New(`missing lifetime after "+"`)
		}
		d, err := parseDuration(lifetime, "lifetime")
		if err != nil {
			return 0, err
		}
		ttl = d
	}
	if hasGroup {
		name, ok := strings.CutPrefix(group, "group:")
		if !ok {
			return 0, fmt.Errorf("bad command word %.40q: want status[+LIFETIME][/group:NAME]", word)
		}
		if name == "" {
			return 0, fmt.Errorf("empty group name in %.40q", word)
		}
	}
	return ttl, nil
}

// durationUnit returns the length of a Big Brother / Xymon duration unit.
func durationUnit(c byte) (time.Duration, bool) {
	switch c {
	case 's':
		return time.Second, true
	case 'm':
		return time.Minute, true
	case 'h':
		return time.Hour, true
	case 'd':
		return 24 * time.Hour, true
	case 'w':
		return 7 * 24 * time.Hour, true
	}
	return 0, false
}

// maxDuration caps a lifetime or disable duration: ten years, far past
// any sensible one and far from overflowing time.Duration.
const maxDuration = 10 * 365 * 24 * time.Hour

// parseDuration reads a Big Brother / Xymon duration as xymon(1) documents
// it: a whole number of minutes, or numbers each followed by a unit, s, m,
// h, d or w (seconds, minutes, hours, days, weeks): "90", "30s", "2h",
// "1w", and, as xymond's durationvalue() takes them, sums such as "1h30m"
// (a trailing number without a unit is minutes: "1h30"). what names it in
// errors.
func parseDuration(s, what string) (time.Duration, error) {
	bad := fmt.Errorf("bad %s %.20q: want a number of minutes, or numbers with a unit s, m, h, d or w (90, 30s, 2h, 1h30m)", what, s)
	if s == "" {
		return 0, bad
	}
	var total time.Duration
	for rest := s; rest != ""; {
		i := 0
		for i < len(rest) && '0' <= rest[i] && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, bad // a unit without a number, or a sign
		}
		unit := time.Minute
		digits := rest[:i]
		rest = rest[i:]
		if rest != "" {
			u, ok := durationUnit(rest[0])
			if !ok {
				return 0, bad
			}
			unit, rest = u, rest[1:]
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || n > int64(maxDuration/unit) || total+time.Duration(n)*unit > maxDuration {
			return 0, fmt.Errorf("%s %.20q is too long: at most ten years", what, s)
		}
		total += time.Duration(n) * unit
	}
	if total == 0 {
		return 0, fmt.Errorf("%s %q must be positive", what, s)
	}
	return total, nil
}

// parseHostTest splits "HOST.TEST" at its last dot and turns the commas
// of the host name into dots. With allowAllTests the test may be "*".
func parseHostTest(s string, allowAllTests bool) (host, test string, err error) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", "", fmt.Errorf("bad HOST.TEST %.80q: no \".\" between host and test name", s)
	}
	host, test = strings.ReplaceAll(s[:i], ",", "."), s[i+1:]
	switch {
	case host == "":
		return "", "", fmt.Errorf("bad HOST.TEST %.80q: empty host name", s)
	case test == "":
		return "", "", fmt.Errorf("bad HOST.TEST %.80q: empty test name", s)
	case host[0] == '.' || strings.Contains(host, ".."):
		return "", "", fmt.Errorf("bad HOST.TEST %.80q: host name %q has an empty label", s, host)
	}
	if c, ok := badNameChar(host, "._-"); ok {
		return "", "", fmt.Errorf("bad HOST.TEST %.80q: character %q not allowed in a host name", s, c)
	}
	if test == "*" && allowAllTests {
		return host, test, nil
	}
	if c, ok := badNameChar(test, "_-"); ok {
		return "", "", fmt.Errorf("bad HOST.TEST %.80q: character %q not allowed in a test name", s, c)
	}
	return host, test, nil
}

// badNameChar returns the first rune of s that is not an ASCII letter, a
// digit or one of extra.
func badNameChar(s, extra string) (rune, bool) {
	for _, c := range s {
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || strings.ContainsRune(extra, c) {
			continue
		}
		return c, true
	}
	return 0, false
}

// parseCommand parses "disable HOST.TEST DURATION [reason]" and
// "enable HOST.TEST". Text after an enable's HOST.TEST is ignored, as Xymon
// does.
func parseCommand(text string, now time.Time) (Command, error) {
	first, body, _ := strings.Cut(text, "\n")
	word, rest := nextWord(first)
	c := Command{Kind: Disable, Received: now}
	if word == "enable" {
		c.Kind = Enable
	}
	hostTest, rest := nextWord(rest)
	if hostTest == "" {
		return Command{}, fmt.Errorf("%s: missing HOST.TEST", word)
	}
	var err error
	c.Host, c.Check, err = parseHostTest(hostTest, true)
	if err != nil {
		return Command{}, fmt.Errorf("%s: %w", word, err)
	}
	if c.Kind == Enable {
		return c, nil
	}
	duration, rest := nextWord(rest)
	switch duration {
	case "":
		return Command{}, fmt.Errorf("disable: missing duration after %q", hostTest)
	case "-1":
		c.UntilOK = true
	default:
		c.Duration, err = parseDuration(duration, "duration")
		if err != nil {
			return Command{}, fmt.Errorf("disable: %w", err)
		}
	}
	c.Reason = strings.TrimSpace(strings.TrimSpace(rest) + "\n" + body)
	return c, nil
}

// nextWord returns the first word of s, up to a space or tab, and what
// follows it with the separating blanks removed.
func nextWord(s string) (word, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t\n")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i:], " \t")
}
