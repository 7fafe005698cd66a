package check

import (
	"fmt"
	"strings"
)

// Level is the alarm level a state raises: every check ends in ok, Warning
// or Error. Errors reach on-call by SMS, warnings by mail.
type Level int8

// The three levels, least severe first.
const (
	LevelOK Level = iota
	LevelWarning
	LevelError
)

// String returns ok, warning or error.
func (l Level) String() string {
	switch l {
	case LevelOK:
		return "ok"
	case LevelWarning:
		return "warning"
	case LevelError:
		return "error"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel reads a level name: ok, warning or error (any case).
func ParseLevel(name string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "ok":
		return LevelOK, nil
	case "warning", "warn":
		return LevelWarning, nil
	case "error":
		return LevelError, nil
	}
	return LevelError, fmt.Errorf("unknown level %q: want ok, warning or error", name)
}

// Level maps a plugin state to its alarm level: OK is ok, WARNING is
// warning, CRITICAL is error, and UNKNOWN is whatever unknownAs says (a
// check's unknown_as, error by default).
func (s State) Level(unknownAs Level) Level {
	switch s {
	case OK:
		return LevelOK
	case Warning:
		return LevelWarning
	case Unknown:
		return unknownAs
	}
	return LevelError
}
