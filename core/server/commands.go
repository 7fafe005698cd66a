package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vakt/vakt/core/engine"
)

// Commands is what the command endpoints need: the engine's command path.
type Commands interface {
	Acknowledge(ctx context.Context, a engine.Ack) ([]string, error)
	Unacknowledge(ctx context.Context, t engine.Target) ([]string, error)
	ScheduleDowntime(ctx context.Context, r engine.DowntimeRequest) (string, []engine.Downtime, error)
	CancelDowntime(ctx context.Context, ref string) ([]engine.Downtime, error)
	Downtimes() []engine.Downtime
	PassiveChecks() []engine.PassiveCheck
	RemovePassive(ctx context.Context, id, why string) error
}

// maxCommandBody caps a command request's body.
const maxCommandBody = 64 << 10

// commandTimeout bounds how long a command waits for the store.
const commandTimeout = 30 * time.Second

// AckRequest is the body of POST /api/v1/acks.
type AckRequest struct {
	Check   string `json:"check,omitempty"`
	Host    string `json:"host,omitempty"`
	Tag     string `json:"tag,omitempty"`
	Author  string `json:"author"`
	Comment string `json:"comment,omitempty"`
	Sticky  bool   `json:"sticky,omitempty"`
	Notify  bool   `json:"notify,omitempty"`
}

// ChecksResponse names the checks a command acted on.
type ChecksResponse struct {
	Checks []string `json:"checks"`
}

// DowntimeRequest is the body of POST /api/v1/downtimes. Start defaults to
// now; End or Duration (a Go duration such as "2h") is required; a
// flexible downtime also needs Duration, how long it lasts once started.
type DowntimeRequest struct {
	Check    string    `json:"check,omitempty"`
	Host     string    `json:"host,omitempty"`
	Tag      string    `json:"tag,omitempty"`
	Flexible bool      `json:"flexible,omitempty"`
	Start    time.Time `json:"start,omitzero"`
	End      time.Time `json:"end,omitzero"`
	Duration string    `json:"duration,omitempty"`
	Author   string    `json:"author"`
	Comment  string    `json:"comment,omitempty"`
}

// DowntimesResponse lists downtimes; Ref names the request that made them.
type DowntimesResponse struct {
	Ref       string            `json:"ref,omitempty"`
	Downtimes []engine.Downtime `json:"downtimes"`
}

// PassiveResponse lists the dynamic passive checks.
type PassiveResponse struct {
	Checks []engine.PassiveCheck `json:"checks"`
}

func (s *Server) serveAcks(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		if !s.authorize(w, r) {
			return
		}
		var req AckRequest
		if !decodeBody(w, r, &req) {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), commandTimeout)
		defer cancel()
		ids, err := s.commands.Acknowledge(ctx, engine.Ack{
			Target: engine.Target{Check: req.Check, Host: req.Host, Tag: req.Tag},
			Author: req.Author, Comment: req.Comment, Sticky: req.Sticky, Notify: req.Notify})
		if err != nil {
			s.commandError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, ChecksResponse{Checks: ids})
	case http.MethodDelete:
		if !s.authorize(w, r) {
			return
		}
		t, ok := targetParams(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), commandTimeout)
		defer cancel()
		ids, err := s.commands.Unacknowledge(ctx, t)
		if err != nil {
			s.commandError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, ChecksResponse{Checks: ids})
	default:
		w.Header().Set("Allow", "POST, DELETE")
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: use POST or DELETE", r.Method))
	}
}

func (s *Server) serveDowntimes(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if r.URL.RawQuery != "" {
			writeError(w, http.StatusBadRequest, "GET /api/v1/downtimes takes no query parameters")
			return
		}
		writeJSON(w, http.StatusOK, DowntimesResponse{Downtimes: nonNil(s.commands.Downtimes())})
	case http.MethodPost:
		if !s.authorize(w, r) {
			return
		}
		var req DowntimeRequest
		if !decodeBody(w, r, &req) {
			return
		}
		dr, err := req.engineRequest(time.Now())
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), commandTimeout)
		defer cancel()
		ref, made, err := s.commands.ScheduleDowntime(ctx, dr)
		if err != nil {
			s.commandError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, DowntimesResponse{Ref: ref, Downtimes: made})
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: use GET or POST", r.Method))
	}
}

// engineRequest checks the request and fills in its defaults.
func (req DowntimeRequest) engineRequest(now time.Time) (engine.DowntimeRequest, error) {
	out := engine.DowntimeRequest{Target: engine.Target{Check: req.Check, Host: req.Host, Tag: req.Tag},
		Fixed: !req.Flexible, Start: req.Start, End: req.End, Author: req.Author, Comment: req.Comment}
	if out.Start.IsZero() {
		out.Start = now
	}
	if req.Duration != "" {
		d, err := time.ParseDuration(req.Duration)
		if err != nil || d <= 0 {
			return out, fmt.Errorf("duration %q: want a positive Go duration such as 90m or 2h", req.Duration)
		}
		out.Duration = d
		if out.End.IsZero() {
			out.End = out.Start.Add(d)
		}
	}
	if out.End.IsZero() {
		return out, errors.New("a downtime needs an end or a duration")
	}
	if req.Flexible && out.Duration == 0 {
		return out, errors.New("a flexible downtime needs a duration: how long it lasts once a problem starts it")
	}
	return out, nil
}

func (s *Server) serveDowntime(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodDelete) || !s.authorize(w, r) {
		return
	}
	ref, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/api/v1/downtimes/"))
	if err != nil || ref == "" {
		writeError(w, http.StatusBadRequest, "DELETE /api/v1/downtimes/REF: name one downtime reference")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), commandTimeout)
	defer cancel()
	gone, err := s.commands.CancelDowntime(ctx, ref)
	if err != nil {
		s.commandError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, DowntimesResponse{Ref: ref, Downtimes: gone})
}

func (s *Server) servePassiveList(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodGet) {
		return
	}
	writeJSON(w, http.StatusOK, PassiveResponse{Checks: nonNil(s.commands.PassiveChecks())})
}

func (s *Server) servePassive(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r, http.MethodDelete) || !s.authorize(w, r) {
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/api/v1/passive/")
	if host, name, ok := strings.Cut(id, "/"); !ok || host == "" || name == "" {
		writeError(w, http.StatusBadRequest, "DELETE /api/v1/passive/HOST/CHECK: name one passive check")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), commandTimeout)
	defer cancel()
	if err := s.commands.RemovePassive(ctx, id, "removed through the API from "+r.RemoteAddr); err != nil {
		s.commandError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ChecksResponse{Checks: []string{id}})
}

// commandError answers a command the engine refused: 404 for nothing to
// act on, 409 for a request that does not fit the state, 400 for a bad
// one, 503 when the store is failing or the engine stopping.
func (s *Server) commandError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, engine.ErrNoTarget), errors.Is(err, engine.ErrUnknownDowntime):
		status = http.StatusNotFound
	case errors.Is(err, engine.ErrConflict):
		status = http.StatusConflict
	case engine.IsUserError(err):
		status = http.StatusBadRequest
	case engine.IsRefusal(err), errors.Is(err, context.DeadlineExceeded):
		status = http.StatusServiceUnavailable
	}
	if status >= 500 {
		s.log.Error().Err(err).Str("path", r.URL.Path).Msg("command failed")
	}
	writeError(w, status, err.Error())
}

// targetParams reads check=, host= or tag= from the query.
func targetParams(w http.ResponseWriter, r *http.Request) (engine.Target, bool) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("malformed query string %.80q: %v", r.URL.RawQuery, err))
		return engine.Target{}, false
	}
	if name, ok := unknownParam(q, "check", "host", "tag"); ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown query parameter %.40q: want check, host or tag", name))
		return engine.Target{}, false
	}
	t := engine.Target{Check: q.Get("check"), Host: q.Get("host"), Tag: q.Get("tag")}
	if err := t.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return engine.Target{}, false
	}
	return t, true
}

// decodeBody reads a JSON request body into v, answering a bad one.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("content type must be application/json, got %q", ct))
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCommandBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("reading the request body (at most %d bytes): %v", maxCommandBody, err))
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "decoding the request body: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "the request body holds more than one JSON value")
		return false
	}
	return true
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
