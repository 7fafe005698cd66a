package nagios

import (
	"strings"

	"github.com/vakt/vakt/core/importer"
)

// This file applies templates: use (several, first wins), register 0,
// "+" additive values and null, as xodtemplate.c does.

// newName returns the Nagios 3+ name of a directive's Nagios 2 name.
func newName(key string) (string, bool) {
	switch key {
	case "normal_check_interval":
		return "check_interval", true
	case "retry_check_interval":
		return "retry_interval", true
	}
	return "", false
}

// index finds templates by type and name.
type index struct {
	res       *importer.Result
	templates map[string]map[string]*object
	stack     []*object
}

func newIndex(objects []*object, res *importer.Result) *index {
	ix := &index{res: res, templates: map[string]map[string]*object{}}
	for _, o := range objects {
		for _, d := range o.order {
			if n, ok := newName(d.key); ok {
				delete(o.own, d.key)
				d.key = n
				o.own[n] = d
			}
		}
		if o.name == "" {
			continue
		}
		byName := ix.templates[o.typ]
		if byName == nil {
			byName = map[string]*object{}
			ix.templates[o.typ] = byName
		}
		if prev := byName[o.name]; prev != nil {
			res.Add(o.file, o.line, importer.Error, "%s template %q is defined twice (also at %s:%d); the first one counts", o.typ, o.name, prev.file, prev.line)
			continue
		}
		byName[o.name] = o
	}
	return ix
}

// resolve computes o.resolved: o's own directives over those of its
// templates, the first template winning over later ones.
func (ix *index) resolve(o *object) {
	if o.resolved != nil {
		return
	}
	o.resolving = true
	ix.stack = append(ix.stack, o)
	for _, name := range o.uses {
		t := ix.templates[o.typ][name]
		if t == nil {
			ix.res.Add(o.file, o.use.line, importer.Error, "unknown %s template %q in use; converted without it", o.typ, name)
			continue
		}
		if t.resolving {
			var names []string
			for i := len(ix.stack) - 1; i >= 0; i-- {
				names = append([]string{label(ix.stack[i])}, names...)
				if ix.stack[i] == t {
					break
				}
			}
			ix.res.Add(o.file, o.use.line, importer.Error, "cycle of use: %s -> %s; %q is not used here", strings.Join(names, " -> "), label(t), name)
			continue
		}
		ix.resolve(t)
		o.parents = append(o.parents, t)
	}
	o.resolved = merge(o.own, o.parents)
	o.resolving = false
	ix.stack = ix.stack[:len(ix.stack)-1]
}

// label names an object in messages.
func label(o *object) string {
	if o.name != "" {
		return o.name
	}
	for _, k := range []string{o.typ + "_name", "service_description", "host_name"} {
		if d := o.own[k]; d != nil {
			return d.value
		}
	}
	return o.typ
}

// merge applies own directives over the resolved directives of parents, the
// first parent winning. "null" stays as a value, so that it also stops the
// inheritance of what inherits from it; "+value" appends to the inherited
// value.
func merge(own map[string]*directive, parents []*object) map[string]*directive {
	out := map[string]*directive{}
	for i := len(parents) - 1; i >= 0; i-- {
		for k, d := range parents[i].resolved {
			out[k] = d
		}
	}
	for k, d := range own {
		if add, ok := strings.CutPrefix(d.value, "+"); ok {
			if prev := out[k]; prev != nil && prev.value != "null" && prev.value != "" {
				out[k] = &directive{key: k, value: prev.value + "," + add, line: d.line}
			} else {
				out[k] = &directive{key: k, value: add, line: d.line}
			}
			continue
		}
		out[k] = d
	}
	return out
}

// value returns a directive's value from m, "" when unset or null.
func value(m map[string]*directive, key string) string {
	d := m[key]
	if d == nil || d.value == "null" {
		return ""
	}
	return d.value
}

// splitList splits a comma-separated list, trimming and dropping empty
// items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
