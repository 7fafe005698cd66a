// Package server is vakt's HTTP API, served by `vakt run` on its listen
// address (127.0.0.1:8484 by default):
//
//	POST /api/v1/results   passive results (core/passive's handler, bearer token)
//	GET  /api/v1/status    every check's state as JSON; ?problems=1 only those not OK
//	POST /api/v1/reload    reload checks.d (no body; ?force=1 to take one that removes every check);
//	                       422 with the diagnostics when it is refused
//	POST /api/v1/acks, DELETE /api/v1/acks?check=|host=|tag=   acknowledge, remove acks
//	GET|POST /api/v1/downtimes, DELETE /api/v1/downtimes/REF     list, schedule, cancel downtimes
//	GET /api/v1/passive, DELETE /api/v1/passive/HOST/CHECK       dynamic passive checks
//	GET  /healthz          "ok" while the daemon is healthy, 503 and why when not (the store refuses writes)
//	GET  /metrics          Prometheus text format, written by hand
//
// The server only reads and forwards commands: a Backend (the daemon) owns the
// state. Write endpoints need a bearer token; when no token is configured,
// /api/v1/results is off and /api/v1/reload is taken from loopback peers only
// (addressed as an IP or localhost). Cross-origin writes from browsers are
// refused either way (origin.go). NewHTTPServer gives the http.Server its
// timeouts.
// Errors are JSON objects {"error": "..."}. Client is the matching client,
// used by `vakt status` and `vakt reload`.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/apitoken"
)

// Backend is what the server needs from the daemon.
type Backend interface {
	// Statuses returns every check's status, ordered by ID.
	Statuses() []CheckStatus
	// Reload reloads the configuration and says what came of it; force
	// takes a configuration that removes every running check.
	Reload(ctx context.Context, force bool) ReloadReport
	// Health is "" while the daemon is healthy, else why not.
	Health() string
	// Metrics returns the counters /metrics shows.
	Metrics() Metrics
}

// CheckStatus is one check as GET /api/v1/status shows it.
type CheckStatus struct {
	ID    string `json:"id"`    // host/check
	Host  string `json:"host"`  // the host part of ID
	Check string `json:"check"` // the check part of ID
	// Source is "active" for a check of checks.d that vakt runs, "passive"
	// for one known only from results sent to vakt.
	Source string `json:"source"`
	// Checked is false while the check has no result yet (pending).
	Checked     bool   `json:"checked"`
	State       string `json:"state"` // OK, WARNING, CRITICAL, UNKNOWN, or PENDING (no result yet)
	Type        string `json:"type"`  // SOFT or HARD; empty while pending
	Attempt     int    `json:"attempt"`
	MaxAttempts int    `json:"max_attempts"`
	Level       string `json:"level"` // ok, warning or error; pending while pending
	Output      string `json:"output"`

	LastCheck      time.Time `json:"last_check,omitzero"`
	LastChange     time.Time `json:"last_change,omitzero"`
	LastHardChange time.Time `json:"last_hard_change,omitzero"`

	Stale        bool `json:"stale"`
	Flapping     bool `json:"flapping"`
	Unreachable  bool `json:"unreachable"`
	Acknowledged bool `json:"acknowledged"`
	InDowntime   bool `json:"in_downtime"`
}

// Problem reports whether the check has a result and it is not OK: what
// ?problems=1 and `vakt status` show.
func (c CheckStatus) Problem() bool { return c.Checked && c.State != "OK" }

// StatusResponse is the body of GET /api/v1/status.
type StatusResponse struct {
	Checks []CheckStatus `json:"checks"`
}

// ReloadReport is the body of POST /api/v1/reload.
type ReloadReport struct {
	// OK is false when the new configuration was refused; the running one
	// stays and Error and Diagnostics say why.
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Diagnostics are the problems found in checks.d, as text with file,
	// line and column: the errors of a refused reload, or the warnings of
	// one that was taken.
	Diagnostics string `json:"diagnostics,omitempty"`
	// Checks is the number of configured checks after the reload; Added,
	// Removed and Kept compare them with those before.
	Checks  int `json:"checks"`
	Added   int `json:"added"`
	Removed int `json:"removed"`
	Kept    int `json:"kept"`
}

// Options configure a Server.
type Options struct {
	// Backend answers the requests; required.
	Backend Backend
	// Results serves POST /api/v1/results (core/passive's ResultsHandler,
	// which checks its own tokens); nil turns passive results over HTTP off.
	Results http.Handler
	// Tokens are the bearer tokens accepted by POST /api/v1/reload. With
	// none, reload is accepted from loopback peers only.
	Tokens []string
	// Commands takes acknowledgements, downtimes and the removal of
	// passive checks (the engine); nil turns those endpoints off.
	Commands Commands
	// Logger receives refused requests and reloads.
	Logger zerolog.Logger
}

// Server is the HTTP API. It is an http.Handler.
type Server struct {
	backend  Backend
	commands Commands
	results  http.Handler
	tokens   apitoken.Set
	log      zerolog.Logger
	mux      *http.ServeMux
}

// New returns a Server, or an error when the options are incomplete.
func New(opts Options) (*Server, error) {
	if opts.Backend == nil {
		return nil, errors.New("creating the HTTP API: no backend")
	}
	tokens, err := apitoken.NewSet(opts.Tokens)
	if err != nil {
		return nil, fmt.Errorf("creating the HTTP API: %w", err)
	}
	s := &Server{backend: opts.Backend, results: opts.Results, log: opts.Logger, tokens: tokens, mux: http.NewServeMux()}
	s.mux.HandleFunc("/api/v1/results", s.serveResults)
	s.mux.HandleFunc("/api/v1/status", s.serveStatus)
	s.mux.HandleFunc("/api/v1/reload", s.serveReload)
	s.mux.HandleFunc("/healthz", s.serveHealth)
	if opts.Commands != nil {
		s.commands = opts.Commands
		s.mux.HandleFunc("/api/v1/acks", s.serveAcks)
		s.mux.HandleFunc("/api/v1/downtimes", s.serveDowntimes)
		s.mux.HandleFunc("/api/v1/downtimes/", s.serveDowntime)
		s.mux.HandleFunc("/api/v1/passive", s.servePassiveList)
		s.mux.HandleFunc("/api/v1/passive/", s.servePassive)
	}
	s.mux.HandleFunc("/metrics", s.serveMetrics)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s", r.URL.Path))
	})
	return s, nil
}

// ServeHTTP refuses cross-origin writes (origin.go) and routes the other
// requests to their endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) serveResults(w http.ResponseWriter, r *http.Request) {
	if s.results == nil {
		writeError(w, http.StatusForbidden, "passive results over HTTP are off: no API token is configured (api_tokens)")
		return
	}
	s.results.ServeHTTP(w, r)
}

func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("malformed query string %.80q: %v", r.URL.RawQuery, err))
		return
	}
	if name, ok := unknownParam(query, "problems"); ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown query parameter %.40q: want problems", name))
		return
	}
	problems, err := boolParam(query, "problems")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	all := s.backend.Statuses()
	resp := StatusResponse{Checks: make([]CheckStatus, 0, len(all))}
	for _, c := range all {
		if !problems || c.Problem() {
			resp.Checks = append(resp.Checks, c)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) serveReload(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodPost) {
		return
	}
	if !s.authorize(w, r) {
		return
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("malformed query string %.80q: %v", r.URL.RawQuery, err))
		return
	}
	if name, ok := unknownParam(query, "force"); ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown query parameter %.40q: want force", name))
		return
	}
	force, err := boolParam(query, "force")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	// Reload takes no options: refuse a body rather than ignore what the
	// sender meant by it.
	if n, _ := r.Body.Read(make([]byte, 1)); n > 0 {
		writeError(w, http.StatusBadRequest, "POST /api/v1/reload takes no request body")
		return
	}
	report := s.backend.Reload(r.Context(), force)
	status := http.StatusOK
	if !report.OK {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, report)
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if why := s.backend.Health(); why != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("unhealthy: " + why + "\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m := s.backend.Metrics()
	var statuses []CheckStatus
	if m.Checks == nil { // a backend that does not count: count its statuses
		statuses = s.backend.Statuses()
	}
	_ = WriteMetrics(w, m, statuses)
}

// authorize admits a write request: with tokens configured it must carry
// one as a bearer token, without any it must come from a loopback address.
// It answers refused requests itself.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	if s.tokens.Len() == 0 {
		if isLoopback(r.RemoteAddr) && literalHost(r.Host) {
			return true
		}
		if isLoopback(r.RemoteAddr) {
			s.log.Warn().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Str("host", r.Host).Msg("request refused: Host is a DNS name and no API token configured")
			writeError(w, http.StatusForbidden, fmt.Sprintf("no API token is configured (api_tokens), so this endpoint takes requests to an IP address or localhost only, not to %.100q", r.Host))
			return false
		}
		s.log.Warn().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Msg("request refused: not from loopback and no API token configured")
		writeError(w, http.StatusForbidden, "no API token is configured (api_tokens), so this endpoint only takes requests from loopback")
		return false
	}
	msg, ok := s.tokens.Check(r.Header.Get("Authorization"))
	if ok {
		return true
	}
	s.log.Warn().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Str("reason", msg).Msg("request refused: not authorised")
	w.Header().Set("WWW-Authenticate", `Bearer realm="vakt"`)
	writeError(w, http.StatusUnauthorized, msg)
	return false
}

func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// allowMethod answers 405 unless the request uses method (HEAD counts as
// GET).
func allowMethod(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	w.Header().Set("Allow", method)
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: use %s", r.Method, method))
	return false
}

// unknownParam returns the first query parameter, in sorted order, that is
// not one of known.
func unknownParam(q url.Values, known ...string) (string, bool) {
	names := make([]string, 0, len(q))
	for name := range q {
		if !slices.Contains(known, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "", false
	}
	slices.Sort(names)
	return names[0], true
}

// boolParam reads an optional boolean query parameter: 1/true/yes or
// 0/false/no (or absent, or empty).
func boolParam(q url.Values, name string) (bool, error) {
	values, ok := q[name]
	if !ok {
		return false, nil
	}
	if len(values) > 1 {
		return false, fmt.Errorf("query parameter %s is given %d times: give it once", name, len(values))
	}
	switch strings.ToLower(values[0]) {
	case "1", "true", "yes":
		return true, nil
	case "", "0", "false", "no":
		return false, nil
	}
	return false, fmt.Errorf("query parameter %s=%q: want 1 or 0 (true or false)", name, values[0])
}

// apiError is the body of every error response.
type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body) // the client may be gone; nothing to do then
}

// Timeouts bound the HTTP server's connections; a zero field means its
// default.
type Timeouts struct {
	// ReadHeader is how long a client has to send a request's headers;
	// default 10 s.
	ReadHeader time.Duration
	// Read is how long it has to send a whole request; default 30 s.
	Read time.Duration
	// Write is how long the server has to write a response, counted from
	// the end of the request's headers; default 2 min (a reload may take
	// a while).
	Write time.Duration
	// Idle is how long a keep-alive connection may wait for its next
	// request before it is closed; default 60 s.
	Idle time.Duration
	// MaxHeaderBytes caps a request's headers; default 64 KiB.
	MaxHeaderBytes int
}

// The defaults of Timeouts.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 2 * time.Minute
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
)

// NewHTTPServer returns the http.Server to serve h with: every timeout
// set, so that slow or idle clients cannot hold connections (and file
// descriptors) for ever.
func NewHTTPServer(h http.Handler, t Timeouts) *http.Server {
	or := func(v, def time.Duration) time.Duration {
		if v <= 0 {
			return def
		}
		return v
	}
	maxHeader := t.MaxHeaderBytes
	if maxHeader <= 0 {
		maxHeader = DefaultMaxHeaderBytes
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: or(t.ReadHeader, DefaultReadHeaderTimeout),
		ReadTimeout:       or(t.Read, DefaultReadTimeout),
		WriteTimeout:      or(t.Write, DefaultWriteTimeout),
		IdleTimeout:       or(t.Idle, DefaultIdleTimeout),
		MaxHeaderBytes:    maxHeader,
	}
}
