package timeperiod

import (
	"errors"
	"sort"
	"strings"
)

// Set is a group of time periods whose exclusions are resolved by name. It is
// immutable and safe for concurrent use.
type Set struct {
	byName map[string]*TimePeriod
}

// NewSet parses every spec and resolves their exclusions. It refuses
// duplicate names, exclusions of unknown periods and exclusion cycles
// (a excludes b, b excludes a). All errors found are returned together
// (errors.Join), each an *Error naming the period, field and value.
func NewSet(specs ...Spec) (*Set, error) {
	var errs []error
	s := &Set{byName: map[string]*TimePeriod{}}
	broken := map[string]bool{} // defined, but with errors already reported
	for _, spec := range specs {
		p, err := parse(spec)
		if err != nil {
			errs = append(errs, err)
			broken[strings.TrimSpace(spec.Name)] = true
			continue
		}
		if _, dup := s.byName[p.name]; dup {
			errs = append(errs, &Error{Period: p.name, Field: "name", Value: p.name, Reason: "defined twice"})
			continue
		}
		s.byName[p.name] = p
	}
	for _, name := range s.Names() {
		p := s.byName[name]
		for _, ex := range p.excludeNames {
			q, ok := s.byName[ex]
			if !ok && broken[ex] {
				continue
			}
			if !ok {
				errs = append(errs, &Error{Period: name, Field: "exclude", Value: ex, Reason: "no time period of that name"})
				continue
			}
			p.exclude = append(p.exclude, q)
		}
	}
	errs = append(errs, s.cycles()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// cycles reports each exclusion cycle once, naming it from its
// alphabetically first period.
func (s *Set) cycles() []error {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var errs []error
	var path []string
	var visit func(p *TimePeriod)
	visit = func(p *TimePeriod) {
		state[p.name] = onPath
		path = append(path, p.name)
		for _, q := range p.exclude {
			switch state[q.name] {
			case onPath:
				i := len(path) - 1
				for path[i] != q.name {
					i--
				}
				cycle := append(append([]string(nil), path[i:]...), q.name)
				errs = append(errs, &Error{Period: path[i], Field: "exclude", Value: cycle[1],
					Reason: "exclusion cycle " + strings.Join(cycle, " -> ")})
			case unseen:
				visit(q)
			}
		}
		path = path[:len(path)-1]
		state[p.name] = done
	}
	for _, name := range s.Names() {
		if state[name] == unseen {
			visit(s.byName[name])
		}
	}
	return errs
}

// Get returns the period called name.
func (s *Set) Get(name string) (*TimePeriod, bool) {
	p, ok := s.byName[name]
	return p, ok
}

// Names returns the names of all periods, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.byName))
	for n := range s.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
