# plugin "http": vakt's built-in HTTP(S) check (plugins/http/README.md), here
# of a web server on this machine: VAKT_LOCAL_HTTP_URL, or port 8484. Without
# url it requests http://ADDRESS/ of the check's host.

check "example-plugin-http" {
  plugin = "http"
  config {
    url              = env("VAKT_LOCAL_HTTP_URL", "http://127.0.0.1:8484/")
    # Without VAKT_LOCAL_HTTP_URL (a plain `vakt check checks.d`, nothing on
    # :8484) a refused connection is fine; with it, it is CRITICAL.
    refuse           = env("VAKT_LOCAL_HTTP_URL", "") == "" ? "ok" : "critical"
    follow_redirects = 3
    time_warning     = "2" # seconds
    time_critical    = "5"
    # expect_status  = ["200"]      # default: 5xx CRITICAL, 4xx WARNING
    # body_regexp    = "ok"
    # cert_warning   = "30:"        # days left, https only
  }
}
