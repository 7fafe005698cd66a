package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// ErrReloadRefused is returned by Client.Reload when the daemon refused the
// new configuration and kept the running one.
var ErrReloadRefused = errors.New("reload refused")

// maxResponseBytes caps what the client reads of one response.
const maxResponseBytes = 64 << 20

// Client talks to a running daemon's API.
type Client struct {
	// BaseURL is the API's root, e.g. http://127.0.0.1:8484.
	BaseURL string
	// Token is sent as a bearer token on write requests when not empty.
	Token string
	// HTTP is the client used; nil means http.DefaultClient.
	HTTP *http.Client
}

// ListenURL turns a listen address (host:port, as in the daemon's settings)
// into the URL a client on the same machine reaches it at: an address that
// listens on every interface (":8484", "0.0.0.0:8484", "[::]:8484") is
// reached on 127.0.0.1.
func ListenURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("listen address %q: %w", listen, err)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("listen address %q has no fixed port to connect to", listen)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// Status returns every check's status, or only those not OK when problems
// is set.
func (c *Client) Status(ctx context.Context, problems bool) ([]CheckStatus, error) {
	path := "/api/v1/status"
	if problems {
		path += "?problems=1"
	}
	var resp StatusResponse
	if _, err := c.do(ctx, http.MethodGet, path, &resp, 0); err != nil {
		return nil, fmt.Errorf("reading status: %w", err)
	}
	return resp.Checks, nil
}

// Reload asks the daemon to reload its configuration. A refused reload
// returns the report, with the diagnostics, and an error wrapping
// ErrReloadRefused.
func (c *Client) Reload(ctx context.Context) (ReloadReport, error) { return c.ReloadWith(ctx, false) }

// ReloadWith is Reload; force takes a configuration that removes every
// running check, which the daemon otherwise refuses.
func (c *Client) ReloadWith(ctx context.Context, force bool) (ReloadReport, error) {
	var report ReloadReport
	path := "/api/v1/reload"
	if force {
		path += "?force=1"
	}
	status, err := c.do(ctx, http.MethodPost, path, &report, http.StatusUnprocessableEntity)
	switch {
	case err != nil: // a 422 whose body is not a report is an error too
		return ReloadReport{}, fmt.Errorf("reloading: %w", err)
	case status == http.StatusUnprocessableEntity:
		if report.Error == "" {
			report.Error = "the daemon gave no reason"
		}
		return report, fmt.Errorf("reloading: %w: %s", ErrReloadRefused, report.Error)
	}
	return report, nil
}

// do sends a request and decodes a JSON answer into out. It returns the
// status code, and an error for any status but 2xx and alsoOK (whose body
// is decoded too; 0 for none).
func (c *Client) do(ctx context.Context, method, path string, out any, alsoOK int) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, nil)
	if err != nil {
		return 0, fmt.Errorf("building the request %s %s: %w", method, path, err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("cannot reach the daemon (is vakt run running?): %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("reading the response of %s %s: %w", method, path, err)
	}
	if len(body) > maxResponseBytes {
		return resp.StatusCode, fmt.Errorf("reading the response of %s %s: %s: it exceeds %d bytes", method, path, resp.Status, maxResponseBytes)
	}
	ok := resp.StatusCode/100 == 2 || (alsoOK != 0 && resp.StatusCode == alsoOK)
	if !ok {
		var apiErr apiError
		if json.Unmarshal(body, &apiErr) == nil && apiErr.Error != "" {
			return resp.StatusCode, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, apiErr.Error)
		}
		return resp.StatusCode, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return resp.StatusCode, fmt.Errorf("decoding the response of %s %s: %w", method, path, err)
	}
	return resp.StatusCode, nil
}
