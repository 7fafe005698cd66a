// Package apitoken checks the bearer tokens of vakt's HTTP API. Tokens are
// kept as SHA-256 digests and compared in constant time, so neither their
// text nor the time a comparison takes gives them away.
package apitoken

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"
)

// Set is a set of accepted tokens. The zero value accepts none.
type Set struct {
	digests [][sha256.Size]byte
}

// NewSet returns the set of tokens; an empty or blank token is an error.
func NewSet(tokens []string) (Set, error) {
	var s Set
	for i, t := range tokens {
		if strings.TrimSpace(t) == "" {
			return Set{}, fmt.Errorf("API token %d is empty", i)
		}
		s.digests = append(s.digests, sha256.Sum256([]byte(t)))
	}
	return s, nil
}

// Len returns how many tokens the set holds.
func (s Set) Len() int { return len(s.digests) }

// Check admits an Authorization header that carries one of the tokens as
// "Bearer TOKEN". Refused, it returns the reason to give the client.
func (s Set) Check(authorization string) (reason string, ok bool) {
	scheme, token, _ := strings.Cut(authorization, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "missing bearer token: send Authorization: Bearer TOKEN", false
	}
	sum := sha256.Sum256([]byte(token))
	match := 0
	for _, known := range s.digests {
		match |= subtle.ConstantTimeCompare(sum[:], known[:])
	}
	if match != 1 {
		return "invalid token", false
	}
	return "", true
}
