package passive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/apitoken"
	"github.com/vakt/vakt/core/check"
)

// MaxBodyBytes caps the body of a POST /api/v1/results request.
const MaxBodyBytes = 1 << 20

// maxNameBytes caps a host or check name sent over HTTP.
const maxNameBytes = 255

// ResultsHandler serves POST /api/v1/results: passive results as JSON,
// authenticated by a bearer token. See README.md for the request and
// response bodies. It checks, in this order: the method (405), the token
// (401), the content type (415), the body size (413) and the body (400);
// a request is taken whole or not at all, and answered 202 with the number
// of results taken.
type ResultsHandler struct {
	sink   Sink
	log    zerolog.Logger
	tokens apitoken.Set
}

// NewResultsHandler returns a handler that accepts requests carrying any
// of tokens and hands their results to sink. It fails without a sink,
// without tokens or with an empty token.
func NewResultsHandler(tokens []string, sink Sink, log zerolog.Logger) (*ResultsHandler, error) {
	if sink == nil {
		return nil, errors.New("creating the results handler: no sink")
	}
	if len(tokens) == 0 {
		return nil, errors.New("creating the results handler: no API tokens")
	}
	set, err := apitoken.NewSet(tokens)
	if err != nil {
		return nil, fmt.Errorf("creating the results handler: %w", err)
	}
	h := &ResultsHandler{sink: sink, log: log, tokens: set}
	return h, nil
}

// apiError is the body of every error response.
type apiError struct {
	Error    string `json:"error"`
	Field    string `json:"field,omitempty"`    // the field at fault, if one is
	Index    *int   `json:"index,omitempty"`    // the result's index in a batch
	Accepted *int   `json:"accepted,omitempty"` // results taken before a sink error
}

// Syncer is a Sink that can wait until what it took is durable (the
// engine): the handler answers 202 only after it.
type Syncer interface {
	Sync(ctx context.Context) error
}

// syncTimeout bounds the wait for the store before a 503.
const syncTimeout = 10 * time.Second

// ServeHTTP handles one POST of passive results.
func (h *ResultsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := h.log.With().Str("remote", r.RemoteAddr).Logger()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: fmt.Sprintf("method %s not allowed: use POST", r.Method)})
		return
	}
	if msg, ok := h.tokens.Check(r.Header.Get("Authorization")); !ok {
		log.Warn().Str("reason", msg).Msg("passive results refused: not authorised")
		w.Header().Set("WWW-Authenticate", `Bearer realm="vakt"`)
		writeJSON(w, http.StatusUnauthorized, apiError{Error: msg})
		return
	}
	if msg, ok := jsonContentType(r.Header.Get("Content-Type")); !ok {
		writeJSON(w, http.StatusUnsupportedMediaType, apiError{Error: msg})
		return
	}
	tooLarge := apiError{Error: fmt.Sprintf("request body exceeds %d bytes", MaxBodyBytes)}
	if r.ContentLength > MaxBodyBytes {
		writeJSON(w, http.StatusRequestEntityTooLarge, tooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			writeJSON(w, http.StatusRequestEntityTooLarge, tooLarge)
			return
		}
		writeJSON(w, http.StatusBadRequest, apiError{Error: "reading the request body: " + err.Error()})
		return
	}

	results, reqErr := parseRequest(body, time.Now(), "http:"+r.RemoteAddr)
	if reqErr != nil {
		log.Warn().Err(reqErr).Msg("passive results rejected")
		writeJSON(w, http.StatusBadRequest, apiError{Error: reqErr.Error(), Field: reqErr.field, Index: reqErr.index})
		return
	}
	for i, res := range results {
		if err := h.sink.Submit(r.Context(), res); err != nil {
			what := "the result"
			if len(results) > 1 {
				what = fmt.Sprintf("results[%d]", i)
			}
			log.Error().Err(err).Str("host", res.Host).Str("check", res.Check).Msg("passive result not taken by the sink")
			writeJSON(w, http.StatusServiceUnavailable, apiError{Error: fmt.Sprintf("submitting %s: %v", what, err), Accepted: &i})
			return
		}
	}
	// 202 means the results are in the store: wait for the commit that
	// holds them (one for many requests at once).
	if syncer, ok := h.sink.(Syncer); ok {
		ctx, cancel := context.WithTimeout(r.Context(), syncTimeout)
		err := syncer.Sync(ctx)
		cancel()
		if err != nil {
			log.Error().Err(err).Int("results", len(results)).Msg("passive results applied but not yet stored")
			n := len(results)
			writeJSON(w, http.StatusServiceUnavailable, apiError{Error: "the results were applied but are not yet stored: " + err.Error(), Accepted: &n})
			return
		}
	}
	log.Debug().Int("results", len(results)).Msg("passive results accepted")
	writeJSON(w, http.StatusAccepted, struct {
		Accepted int `json:"accepted"`
	}{len(results)})
}

// jsonContentType accepts application/json, with no charset or utf-8.
func jsonContentType(header string) (string, bool) {
	mediaType, params, err := mime.ParseMediaType(header)
	if err != nil || mediaType != "application/json" {
		return fmt.Sprintf("content type must be application/json, got %q", header), false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return fmt.Sprintf("content type charset must be utf-8, got %q", cs), false
	}
	return "", true
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body) // the client may be gone; nothing to do then
}

// requestError is a 400 answer: what is wrong, and where.
type requestError struct {
	index *int   // the result's index in a batch; nil for a single result
	field string // the field at fault; "" when the fault is not in one field
	msg   string
}

func (e *requestError) Error() string {
	where := e.field
	if e.index != nil {
		where = fmt.Sprintf("results[%d]", *e.index)
		if e.field != "" {
			where += "." + e.field
		}
	}
	if where == "" {
		return e.msg
	}
	return where + ": " + e.msg
}

// parseRequest reads a body holding one result object or
// {"results": [...]}. It returns every result, or the first fault. The
// common case, a valid body with only known and distinct keys whose
// results are all good, is taken by a scanner that builds no maps; anything
// else is decoded again by parseRequestSlow, whose answer is the rule.
func parseRequest(body []byte, now time.Time, source string) ([]Result, *requestError) {
	if results, ok := parseRequestFast(body, now, source); ok {
		return results, nil
	}
	return parseRequestSlow(body, now, source)
}

// parseRequestSlow is parseRequest by json.Unmarshal into maps: it says
// what is wrong with a body and where.
func parseRequestSlow(body []byte, now time.Time, source string) ([]Result, *requestError) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &requestError{msg: `empty body: want one result or {"results": [...]}`}
	}
	if trimmed[0] != '{' {
		return nil, &requestError{msg: `body must be a JSON object: one result or {"results": [...]}`}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, &requestError{msg: "malformed JSON: " + describeJSONError(err)}
	}
	raw, batch := top["results"]
	if !batch {
		r, err := parseResult(top, now, source)
		if err != nil {
			return nil, err
		}
		return []Result{r}, nil
	}
	for _, key := range sortedKeys(top) {
		if key != "results" {
			return nil, &requestError{field: key, msg: `unknown field next to "results"`}
		}
	}
	// The common case in one pass: an array of objects. Anything else is
	// looked at item by item below, to say which one is wrong.
	var objs []map[string]json.RawMessage
	if jsonKind(raw) == "array" && json.Unmarshal(raw, &objs) == nil && len(objs) > 0 && !hasNil(objs) {
		results := make([]Result, 0, len(objs))
		for i, obj := range objs {
			r, err := parseResult(obj, now, source)
			if err != nil {
				err.index = &i
				return nil, err
			}
			results = append(results, r)
		}
		return results, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || jsonKind(raw) != "array" {
		return nil, &requestError{field: "results", msg: "must be an array of result objects, got " + jsonKind(raw)}
	}
	if len(items) == 0 {
		return nil, &requestError{field: "results", msg: "empty: want at least one result"}
	}
	results := make([]Result, 0, len(items))
	for i, item := range items {
		var obj map[string]json.RawMessage
		if jsonKind(item) != "object" || json.Unmarshal(item, &obj) != nil {
			return nil, &requestError{index: &i, msg: "must be a result object, got " + jsonKind(item)}
		}
		r, err := parseResult(obj, now, source)
		if err != nil {
			err.index = &i
			return nil, err
		}
		results = append(results, r)
	}
	return results, nil
}

// resultFields holds the raw values of one result object's fields; nil
// means the field is absent.
type resultFields struct {
	host, check, state, output, ttl json.RawMessage
}

// set records the value of key, byte-exactly one of the five field names;
// it reports false for any other key and for a key seen before.
func (f *resultFields) set(key []byte, val json.RawMessage) bool {
	var p *json.RawMessage
	switch string(key) {
	case "host":
		p = &f.host
	case "check":
		p = &f.check
	case "state":
		p = &f.state
	case "output":
		p = &f.output
	case "ttl":
		p = &f.ttl
	default:
		return false
	}
	if *p != nil || val == nil {
		return false
	}
	*p = val
	return true
}

// any reports whether a field is present.
func (f *resultFields) any() bool {
	return f.host != nil || f.check != nil || f.state != nil || f.output != nil || f.ttl != nil
}

// parseRequestFast takes the common case of parseRequest without maps: a
// valid JSON object holding one result, or "results" alone holding a
// non-empty array of objects, every key byte-exactly a known one and none
// twice, and every result good. It reports false for anything else, and
// then decides nothing.
func parseRequestFast(body []byte, now time.Time, source string) ([]Result, bool) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return nil, false
	}
	s := jsonScanner{b: trimmed}
	var (
		top     resultFields
		results json.RawMessage
	)
	ok := s.object(func(key []byte, val json.RawMessage) bool {
		if string(key) == "results" {
			if results != nil {
				return false
			}
			results = val
			return true
		}
		return top.set(key, val)
	})
	if !ok || s.i != len(s.b) {
		return nil, false
	}
	if results == nil {
		r, err := buildResult(top, now, source)
		if err != nil {
			return nil, false
		}
		return []Result{r}, true
	}
	if top.any() {
		return nil, false
	}
	s = jsonScanner{b: results}
	if !s.byte('[') {
		return nil, false
	}
	s.space()
	if s.peek() == ']' {
		return nil, false // empty: the slow path says so
	}
	out := make([]Result, 0, 16)
	for {
		s.space()
		if s.peek() != '{' {
			return nil, false
		}
		var f resultFields
		if !s.object(f.set) {
			return nil, false
		}
		r, err := buildResult(f, now, source)
		if err != nil {
			return nil, false
		}
		out = append(out, r)
		s.space()
		switch {
		case s.byte(','):
		case s.byte(']'):
			s.space()
			return out, s.i == len(s.b)
		default:
			return nil, false
		}
	}
}

// jsonScanner walks JSON that json.Valid has accepted. Its methods still
// check every byte they rely on, and report false rather than trust it.
type jsonScanner struct {
	b []byte
	i int
}

// peek returns the next byte, or 0 at the end.
func (s *jsonScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// byte consumes c if it is next.
func (s *jsonScanner) byte(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// space skips JSON white space.
func (s *jsonScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str consumes a string and returns what lies between its quotes, escapes
// and all.
func (s *jsonScanner) str() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
		case '"':
			s.i++
			return s.b[start : s.i-1], true
		default:
			s.i++
		}
	}
	return nil, false
}

// value consumes one value and returns its bytes; objects and arrays are
// skipped by matching brackets outside strings.
func (s *jsonScanner) value() (json.RawMessage, bool) {
	start := s.i
	switch s.peek() {
	case 0:
		return nil, false
	case '"':
		if _, ok := s.str(); !ok {
			return nil, false
		}
	case '{', '[':
		depth := 0
		for {
			switch s.peek() {
			case 0:
				return nil, false
			case '"':
				if _, ok := s.str(); !ok {
					return nil, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				break
			}
		}
	default:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
			default:
				s.i++
				continue
			}
			break
		}
	}
	if s.i == start || s.i > len(s.b) {
		return nil, false
	}
	return json.RawMessage(s.b[start:s.i:s.i]), true
}

// object consumes an object, handing each key (between its quotes, as
// written) and value to member; it stops with false when member does.
func (s *jsonScanner) object(member func(key []byte, val json.RawMessage) bool) bool {
	if !s.byte('{') {
		return false
	}
	s.space()
	if s.byte('}') {
		return true
	}
	for {
		s.space()
		key, ok := s.str()
		if !ok {
			return false
		}
		s.space()
		if !s.byte(':') {
			return false
		}
		s.space()
		val, ok := s.value()
		if !ok || !member(key, val) {
			return false
		}
		s.space()
		switch {
		case s.byte(','):
		case s.byte('}'):
			return true
		default:
			return false
		}
	}
}

// parseResult checks one decoded result object and turns it into a
// Result.
func parseResult(obj map[string]json.RawMessage, now time.Time, source string) (Result, *requestError) {
	for _, key := range sortedKeys(obj) {
		switch key {
		case "host", "check", "state", "output", "ttl":
		default:
			return Result{}, &requestError{field: key, msg: "unknown field: want host, check, state, output or ttl"}
		}
	}
	return buildResult(resultFields{
		host:   field(obj, "host"),
		check:  field(obj, "check"),
		state:  field(obj, "state"),
		output: field(obj, "output"),
		ttl:    field(obj, "ttl"),
	}, now, source)
}

// field returns the raw value of name in obj: nil if absent, never nil if
// present.
func field(obj map[string]json.RawMessage, name string) json.RawMessage {
	raw, ok := obj[name]
	if ok && raw == nil {
		return json.RawMessage{}
	}
	return raw
}

// buildResult checks the fields of one result and turns them into a
// Result.
func buildResult(f resultFields, now time.Time, source string) (Result, *requestError) {
	r := Result{Received: now, Source: source}
	var err *requestError
	if r.Host, err = nameField(f.host, "host"); err != nil {
		return Result{}, err
	}
	if r.Check, err = nameField(f.check, "check"); err != nil {
		return Result{}, err
	}
	if r.State, err = stateField(f.state); err != nil {
		return Result{}, err
	}
	output, present, err := stringField(f.output, "output", `like "DISK OK - 42% used | used=42%"`)
	if err != nil {
		return Result{}, err
	}
	if present {
		p := check.ParseOutput([]byte(output))
		r.Output, r.Long, r.Perfdata, r.RawPerfdata, r.Notes = p.Output, p.Long, p.Perfdata, p.PerfText, p.Notes
	}
	if r.TTL, err = ttlField(f.ttl); err != nil {
		return Result{}, err
	}
	return r, nil
}

// hasNil reports whether a decoded array held a null where an object
// belongs.
func hasNil(objs []map[string]json.RawMessage) bool {
	for _, o := range objs {
		if o == nil {
			return true
		}
	}
	return false
}

// plainString is a JSON string with nothing to decode (no escapes, only
// ASCII) taken as it is: raw has been through the decoder or json.Valid
// already, so its quotes and characters are valid. Anything else is left to
// json.Unmarshal.
func plainString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c == '\\' || c == '"' || c < 0x20 || c >= 0x80 {
			return "", false
		}
	}
	return string(body), true
}

// stringField reads an optional string field from its raw value, nil if
// absent; example says what a valid value looks like.
func stringField(raw json.RawMessage, name, example string) (string, bool, *requestError) {
	if raw == nil {
		return "", false, nil
	}
	if s, ok := plainString(raw); ok {
		return s, true, nil
	}
	var s string
	if jsonKind(raw) != "string" || json.Unmarshal(raw, &s) != nil {
		return "", false, &requestError{field: name, msg: fmt.Sprintf("must be a string %s, got %s", example, jsonKind(raw))}
	}
	return s, true, nil
}

// nameField reads the required host or check name.
func nameField(raw json.RawMessage, name string) (string, *requestError) {
	s, ok, err := stringField(raw, name, `like "web1"`)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", &requestError{field: name, msg: "missing"}
	case s == "":
		return "", &requestError{field: name, msg: "empty"}
	case len(s) > maxNameBytes:
		return "", &requestError{field: name, msg: fmt.Sprintf("longer than %d bytes", maxNameBytes)}
	case strings.TrimSpace(s) != s:
		return "", &requestError{field: name, msg: fmt.Sprintf("%q has leading or trailing space", s)}
	case strings.Contains(s, "/"):
		return "", &requestError{field: name, msg: fmt.Sprintf("%q holds a \"/\", which separates host and check in vakt", s)}
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", &requestError{field: name, msg: fmt.Sprintf("%q holds a control character", s)}
	}
	return s, nil
}

// stateField reads the required state: a name or a number from 0 to 3.
func stateField(raw json.RawMessage) (check.State, *requestError) {
	if raw == nil {
		return 0, &requestError{field: "state", msg: "missing"}
	}
	const want = `want "ok", "warning", "critical", "unknown" or 0 to 3`
	switch jsonKind(raw) {
	case "string":
		s, ok := plainString(raw)
		if !ok {
			if err := json.Unmarshal(raw, &s); err != nil {
				return 0, &requestError{field: "state", msg: "malformed string"}
			}
		}
		switch strings.ToLower(s) {
		case "ok":
			return check.OK, nil
		case "warning":
			return check.Warning, nil
		case "critical":
			return check.Critical, nil
		case "unknown":
			return check.Unknown, nil
		}
		return 0, &requestError{field: "state", msg: fmt.Sprintf("%q is not a state: %s", s, want)}
	case "number":
		n, err := strconv.Atoi(string(raw))
		if err != nil || n < 0 || n > 3 || !check.State(n).Valid() {
			return 0, &requestError{field: "state", msg: fmt.Sprintf("%s is not a state: %s", raw, want)}
		}
		return check.State(n), nil
	}
	return 0, &requestError{field: "state", msg: fmt.Sprintf("must be a string or a number, got %s", jsonKind(raw))}
}

// ttlField reads the optional freshness lifetime, a Go duration such as
// "30m"; absent means none.
func ttlField(raw json.RawMessage) (time.Duration, *requestError) {
	s, ok, err := stringField(raw, "ttl", `like "30m"`)
	if err != nil || !ok {
		return 0, err
	}
	d, parseErr := time.ParseDuration(s)
	if parseErr != nil {
		return 0, &requestError{field: "ttl", msg: fmt.Sprintf(`%q is not a duration: want e.g. "90s", "30m" or "2h"`, s)}
	}
	if d <= 0 {
		return 0, &requestError{field: "ttl", msg: fmt.Sprintf("%q is not positive; leave ttl out for no freshness lifetime", s)}
	}
	return d, nil
}

// jsonKind names the kind of a JSON value by its first byte.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// describeJSONError adds the byte offset to a JSON syntax error.
func describeJSONError(err error) string {
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Sprintf("%v (at byte %d)", err, syntaxErr.Offset)
	}
	return err.Error()
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
