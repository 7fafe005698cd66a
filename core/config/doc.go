// Package config loads checks.d: the HCL files that declare the hosts and
// the checks vakt runs. Load reads them into a Config of Hosts and Checks,
// with templates, defaults and variables applied, or into hcl.Diagnostics
// that say what is wrong where (file:line:column), all of them in one run.
//
// # Files
//
// Load takes files and folders. A folder stands for every *.hcl file under
// it, in lexical order, skipping hidden files and folders (named .*). All
// files form one configuration: a host, template or variable declared in
// one file is known in all of them. Folders matter only for defaults blocks.
//
// # Hosts
//
//	host "web1" {
//	  address = "192.0.2.10"      # what checks connect to; default: the name
//	  tags    = { role = "web" }  # free-form strings, for host_tags and host.tags
//	  parent  = "router1"         # the host web1 is reached through
//	}
//
// Host names are unique and have no white space and no "/". Parents must be
// declared hosts and must not form a cycle.
//
// localhost is special: a check that names no host runs on "localhost".
// If no host "localhost" block declares it, it is an implicit host with
// address 127.0.0.1 and no tags, which appears in Config.Hosts once a check
// or a parent uses it.
//
// # Checks
//
//	check "http" {
//	  host           = "web1"
//	  command        = ["/usr/lib/nagios/plugins/check_http", "-H", host.address, "-p", var.http_port]
//	  interval       = "5m"        # between checks while OK, or while a problem is HARD
//	  retry_interval = "1m"        # between checks while a problem is SOFT
//	  max_attempts   = 3           # non-OK results in a row before a problem is HARD
//	  timeout        = "60s"       # then the plugin's process group is killed
//	  timeout_state  = "critical"  # the state of a check that timed out
//	  unknown_as     = "error"     # the level an UNKNOWN result raises
//	  output_limit   = 65536       # bytes of plugin output kept
//	  tags           = { team = "web" }
//	}
//
// The values from interval on are the defaults, which are Nagios Core's. timeout_state
// is ok, warning, critical or unknown; unknown_as is ok, warning or error.
// Durations are strings: Go durations ("30s", "5m", "1h30m") optionally led
// by whole days ("1d", "2d12h"); a bare number is an error, because Nagios
// counts minutes where other tools count seconds. interval, retry_interval
// and timeout are at least 1s; max_attempts is 1 to 100; output_limit is 1
// to 16 MiB.
//
// Check names are unique per host: Check.ID is "host/name". A check runs
// exactly one of:
//
//   - command: a Nagios plugin, as a list of arguments run without a shell.
//     Numbers in the list become strings. With shell = true, command is
//     instead one string, a command line for /bin/sh -c; shell is an
//     explicit opt-in because quoting mistakes there are easy to make.
//   - plugin = "NAME" with an optional config { ... } block: a go-plugin
//     check. The config block is left undecoded here (Check.PluginConfig),
//     because only the plugin knows its schema; its expressions may use var,
//     host and the functions, through Check.EvalContext.
//     plugin_sha256 = "<64 hex digits>" pins the plugin's executable (as
//     sha256sum prints it): a plugin file with another digest is not
//     started. Check.DecodePluginConfig decodes the config block against
//     the plugin's schema.
//
// # Result rules
//
// A command check may map what its program did to a state itself, for
// programs that do not follow the Nagios exit codes (Big Sister's command
// check has the same rules as results=...):
//
//	check "ntp" {
//	  command = ["/usr/sbin/ntpdate", "-q", "localhost"]
//	  results = [
//	    { exit_code = 0, state = "ok", text = "ntp OK" },
//	    { output = "stratum 16", state = "warning", text = "ntp not synchronized" },
//	    { state = "critical", text = "ntp FAILURE" },   # no condition: any run
//	  ]
//	}
//
// The rules are tried in order and the first that matches decides. A rule
// matches when all its conditions hold: exit_code (0 to 255) is the exit
// code; output is a regular expression (Go RE2 syntax) searched in the
// output (short and long output joined by a newline; stderr when stdout was
// empty). state is ok, warning, critical or unknown, or green, yellow, red.
// text, when set, becomes the short output and the program's output moves
// to the long output. The rules apply only to a program that exited by
// itself: a timeout is timeout_state, and a program killed by a signal or
// one that could not start stays UNKNOWN or CRITICAL as without rules. When
// no rule matches, the exit code decides as usual. results on a check that
// runs a plugin is an error.
//
// # Checks on many hosts
//
// host, hosts and host_tags choose where a check runs; set at most one:
//
//	check "ssh" {
//	  hosts   = ["web1", "web2"]                 # one check per listed host
//	  command = ["/usr/lib/nagios/plugins/check_ssh", host.address]
//	}
//	check "http" {
//	  host_tags = { role = "web" }               # one check per host with all these tags
//	  command   = ["/usr/lib/nagios/plugins/check_http", "-H", host.address]
//	}
//
// Each host gets its own Check, evaluated with host.* set to that host, in
// the order of the hosts list, or by host name for host_tags. host_tags that
// match no host give a warning, not an error: the check runs nowhere.
//
// # Templates
//
// A template holds any attribute a check has, and names no check by
// itself. A check (or a template, or a defaults block) uses one with
// template = "NAME":
//
//	template "fast" {
//	  interval       = "30s"
//	  retry_interval = "10s"
//	}
//	template "web" {
//	  template  = "fast"
//	  host_tags = { role = "web" }
//	  command   = ["/usr/lib/nagios/plugins/check_http", "-H", host.address]
//	}
//	check "http" { template = "web" }
//
// Expressions in a template are evaluated for each check that uses it, so
// host.* in a template means the check's host. Template cycles are errors.
//
// # Defaults
//
// A defaults block holds the same attributes as a template and applies to
// every check in its folder and the folders below it, which gives each team
// folder its own defaults:
//
//	# checks.d/team-db/defaults.hcl
//	defaults {
//	  interval = "2m"
//	  tags     = { team = "db" }
//	}
//
// A folder has at most one defaults block, in any of its files. Defaults
// follow the check's file, not the template's.
//
// # Inheritance
//
// A check's attributes come from a stack of blocks, nearest first: the check
// itself, its template and that template's templates, then the defaults of
// the check's folder with their templates, then the defaults of each
// enclosing folder with theirs, and last the built-in defaults. For each
// attribute the first block that sets it wins, with two refinements:
//
//   - host, hosts and host_tags are decided together, as are command and
//     plugin: the first block that sets any of them decides all of them, so
//     a check's plugin replaces a template's command. A block may set only
//     one of each group. config goes with the first block that has one.
//   - tags are merged: every block's tags apply, nearer blocks winning per key.
//
// # Variables and functions
//
//	variable "http_port" {
//	  default     = 80
//	  description = "The port web servers listen on."
//	}
//
// var.http_port is the variable's value, of any type; the default is the
// value. A default may call functions but not use other variables.
// Variables share one namespace across all files.
//
// In a check, template or defaults block, host is the check's host:
// host.name, host.address, host.tags.KEY (or host.tags["KEY"]) and
// host.parent ("" when none). host is not available in host, hosts,
// host_tags and template, which choose the host, nor in host and variable
// blocks.
//
// Functions: env("NAME") is an environment variable and an error when it is
// unset; env("NAME", "fallback") falls back instead. format, join, lower and
// upper are as in Terraform. Strings interpolate: "http://${host.address}:${var.http_port}/".
//
// # Notifications
//
// notifier, timeperiod, contact, team and route blocks say who is told
// what, when and how. Load decodes and checks them (Config.Notifiers,
// TimePeriods, Contacts, Teams and Routes); core/definitions configures the
// notifiers and the daemon sends through core/notify. The on-call set-up of the user story: errors by SMS outside office
// hours, warnings by mail, and during office hours a ticket for the
// service desk instead:
//
//	notifier "mail" {
//	  plugin = "email"                 # a notifier plugin: email, sms, webhook, ...
//	  config {                         # the plugin's settings, as its sample.hcl shows
//	    host = "smtp.example.com"
//	    from = "vakt <vakt@example.com>"
//	  }
//	}
//	notifier "sms" {
//	  plugin = "sms"
//	  config {
//	    url     = "https://sms.example.com/api/send"
//	    headers = { Authorization = "Bearer ${env("SMS_TOKEN")}" }
//	  }
//	}
//	notifier "servicedesk" {
//	  plugin = "webhook"
//	  config { url = "https://desk.example.com/api/tickets" }
//	}
//
//	timeperiod "office-hours" {
//	  time_zone = "Europe/Oslo"                              # default: the daemon's zone
//	  weekdays  = { "monday-friday" = ["08:00-16:00"] }
//	  dates     = { "2026-12-24" = ["08:00-12:00"] }         # replaces that day's weekday ranges
//	  holidays  = ["december 25", "december 26", "2027-01-01"]
//	  # exclude = ["NAME"]: other periods whose time is removed
//	}
//
//	contact "kari" {
//	  full_name = "Kari Nordmann"
//	  email     = "kari@example.com"
//	  phone     = "+47 912 34 567"
//	  addresses = { chat = "@kari" }    # for other notifiers, by a key of your choosing
//	}
//	contact "ola" {
//	  email = "ola@example.com"
//	  phone = "+47 987 65 432"
//	}
//	contact "lead" {
//	  phone = "+47 900 00 000"
//	}
//	team "oncall" {
//	  members = ["kari", "ola"]
//	}
//
//	route "servicedesk" {
//	  during    = "office-hours"
//	  notifiers = ["servicedesk"]
//	}
//	route "errors" {
//	  match { level = "error" }
//	  not_during = "office-hours"
//	  notifiers  = ["sms"]
//	  to         = ["oncall"]
//	  repeat     = "1h"                 # again every hour while the problem lasts
//	  fallback   = ["mail"]             # when the SMS gateway cannot be reached
//	  escalate {
//	    after = "15m"                   # unacknowledged for 15 minutes
//	    add   = ["lead"]
//	  }
//	}
//	route "warnings" {
//	  match { level = "warning" }
//	  not_during = "office-hours"
//	  notifiers  = ["mail"]
//	  to         = ["oncall"]
//	  repeat     = 0                    # once
//	}
//
// A notifier's config block is left undecoded, as a check plugin's is:
// Notifier.DecodeConfig decodes it against the plugin's schema. Its
// expressions may use var and the functions, not host.
//
// A timeperiod block is a timeperiod.Spec (see that package for ranges
// crossing midnight, daylight saving time and how it differs from Nagios):
// weekdays and dates map days to lists of "HH:MM-HH:MM" ranges (one string
// stands for a list of one); dates and holidays are calendar dates
// ("2026-12-24") or yearly ones ("december 25"); exclude names other time
// periods. Errors point at the range, day or date at fault.
//
// A contact has at least one of email (a mail address), phone (digits led
// by + and the country code) and addresses. A team's members are contacts.
// Contacts and teams share one set of names, because a route's to names
// either.
//
// Routes are tried in order (by file, in load order, then by position) and
// the first that matches a problem decides, unless it has continue = true,
// as in Alertmanager. A route has:
//
//   - match { ... }: level ("warning" or "error"), check and host (shell
//     patterns: * any text, ? one character, [a-z] one of a set), tags
//     (all of them must be among the check's tags) and team (the check's
//     team folder). What it does not set matches anything; without a match
//     block a route matches every problem.
//   - during or not_during: a time period in which, or outside of which,
//     the route applies; at most one.
//   - notifiers (at least one) and to, the contacts and teams they send to
//     (to may be empty: a webhook needs no recipient).
//   - repeat: how often a lasting problem is sent again (Nagios'
//     notification_interval; default 30m, at least 1m); 0 sends it once.
//     first_delay holds the first notification back (default 0).
//   - escalate { ... } blocks, in the order they happen: after
//     after_notifications = N notifications or after = "15m"
//     unacknowledged (one of them), add = [...] adds contacts and teams to
//     the route's, replace = [...] puts them in their place (one of them).
//     Steps of the same kind must come in increasing order.
//   - fallback: notifiers that send when the route's notifiers cannot.
//   - continue: whether later routes are tried after this one matched.
//
// Notifier, time period and route names are unique, as are contact and
// team names; all are global, in whichever file or folder they are.
//
// # Notifications in team folders
//
// A team's folder in checks.d (the first folder below the root, where
// checks get their team) may hold its own contacts, teams and routes. Its
// routes apply to its own checks only (Route.Team; Route.Matches enforces
// it), so a route there cannot match team = "another team", and it may
// send to contacts and teams of its own folder or of the top of checks.d,
// not to another team's. Notifiers and time periods may be declared
// anywhere and are shared by all.
//
// # Errors
//
// Every problem is reported, in all files, as an hcl.Diagnostic whose
// Subject is the offending expression: syntax errors, unknown attributes and
// blocks, duplicate names, unknown hosts, templates and variables, cycles,
// wrong types, bad durations, states and levels, a missing or doubled
// command/plugin. A file with a syntax error still contributes the blocks
// the parser could read, so that it does not hide errors elsewhere. Errors
// in an expression evaluated for several hosts name the host.
// Loader.WriteDiagnostics renders diagnostics with the source line and a
// caret.
package config
