package server

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The same-origin rule keeps a web page in a browser from writing to the
// API behind its user's back: a page on another site can make the browser
// send a POST to 127.0.0.1:8484 (a "simple" request, with a form's
// content type and no preflight), and without API tokens a write from
// loopback needs no credentials. So every request that may change
// something (any method but GET, HEAD and OPTIONS) is refused when
//
//   - it carries an Origin header that is not this server's own
//     scheme://host:port (Origin "null" included): 403;
//   - it carries Sec-Fetch-Site: cross-site: 403;
//   - it is for /api/ and has a content type an HTML form can send
//     without a preflight (application/x-www-form-urlencoded,
//     multipart/form-data, text/plain): 415.
//
// Requests without these headers (curl, vakt's own client, agents) are
// not affected. Where no token is configured, a loopback write must also
// name the server by an IP address or localhost in its Host header, so
// that a page cannot reach it through a DNS name rebound to 127.0.0.1.

// sameOrigin applies the rule to r and answers refused requests itself.
func (s *Server) sameOrigin(w http.ResponseWriter, r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	refuse := func(status int, msg string) bool {
		s.log.Warn().Str("remote", r.RemoteAddr).Str("path", r.URL.Path).Str("origin", r.Header.Get("Origin")).
			Str("reason", msg).Msg("request refused: cross-origin")
		writeError(w, status, msg)
		return false
	}
	if site := r.Header.Get("Sec-Fetch-Site"); strings.EqualFold(site, "cross-site") {
		return refuse(http.StatusForbidden, "cross-site request refused (Sec-Fetch-Site: cross-site): the API takes writes from its own pages and from API clients only")
	}
	if origins, ok := r.Header["Origin"]; ok {
		if len(origins) != 1 || !sameHost(origins[0], r) {
			return refuse(http.StatusForbidden, fmt.Sprintf("cross-origin request refused: Origin %.100q is not this server (%.100s)", strings.Join(origins, ", "), r.Host))
		}
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err == nil && isFormType(mt) {
				return refuse(http.StatusUnsupportedMediaType, fmt.Sprintf("content type %q is refused on the API: it is what an HTML form sends; send application/json", mt))
			}
		}
	}
	return true
}

// isFormType reports whether a browser sends the media type mt from a form
// or a simple fetch, without a CORS preflight.
func isFormType(mt string) bool {
	switch strings.ToLower(mt) {
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return true
	}
	return false
}

// sameHost reports whether origin (scheme://host[:port]) names the server
// r was sent to.
func sameHost(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Path != "" || u.User != nil {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if !strings.EqualFold(u.Scheme, scheme) {
		return false
	}
	return strings.EqualFold(withPort(u.Host, scheme), withPort(r.Host, scheme))
}

// withPort adds the scheme's default port to a host without one.
func withPort(host, scheme string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := "80"
	if scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

// literalHost reports whether the Host header names the server by an IP
// address or as localhost, which no DNS answer can redirect.
func literalHost(hostHeader string) bool {
	host := hostHeader
	if h, _, err := net.SplitHostPort(hostHeader); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if net.ParseIP(host) != nil {
		return true
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
