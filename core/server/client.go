package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/vakt/vakt/core/engine"
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

// Acknowledge acknowledges the problems of the checks the request names
// (POST /api/v1/acks) and returns their IDs.
func (c *Client) Acknowledge(ctx context.Context, req AckRequest) ([]string, error) {
	var resp ChecksResponse
	if err := c.doJSON(ctx, http.MethodPost, "/api/v1/acks", req, &resp); err != nil {
		return nil, fmt.Errorf("acknowledging: %w", err)
	}
	return resp.Checks, nil
}

// Unacknowledge removes the acknowledgements of the checks t names
// (DELETE /api/v1/acks) and returns their IDs.
func (c *Client) Unacknowledge(ctx context.Context, t engine.Target) ([]string, error) {
	q := url.Values{}
	for key, v := range map[string]string{"check": t.Check, "host": t.Host, "tag": t.Tag} {
		if v != "" {
			q.Set(key, v)
		}
	}
	var resp ChecksResponse
	if _, err := c.do(ctx, http.MethodDelete, "/api/v1/acks?"+q.Encode(), &resp, 0); err != nil {
		return nil, fmt.Errorf("removing acknowledgements: %w", err)
	}
	return resp.Checks, nil
}

// ScheduleDowntime schedules a downtime on the checks the request names
// (POST /api/v1/downtimes): one per check, all under the returned Ref.
func (c *Client) ScheduleDowntime(ctx context.Context, req DowntimeRequest) (DowntimesResponse, error) {
	var resp DowntimesResponse
	if err := c.doJSON(ctx, http.MethodPost, "/api/v1/downtimes", req, &resp); err != nil {
		return DowntimesResponse{}, fmt.Errorf("scheduling a downtime: %w", err)
	}
	return resp, nil
}

// CancelDowntime cancels every downtime with ref (DELETE
// /api/v1/downtimes/REF) and returns them.
func (c *Client) CancelDowntime(ctx context.Context, ref string) (DowntimesResponse, error) {
	var resp DowntimesResponse
	if _, err := c.do(ctx, http.MethodDelete, "/api/v1/downtimes/"+url.PathEscape(ref), &resp, 0); err != nil {
		return DowntimesResponse{}, fmt.Errorf("cancelling downtime %q: %w", ref, err)
	}
	return resp, nil
}

// Downtimes lists the downtimes not yet ended (GET /api/v1/downtimes).
func (c *Client) Downtimes(ctx context.Context) ([]engine.Downtime, error) {
	var resp DowntimesResponse
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/downtimes", &resp, 0); err != nil {
		return nil, fmt.Errorf("listing downtimes: %w", err)
	}
	return resp.Downtimes, nil
}

// PassiveChecks lists the dynamic passive checks (GET /api/v1/passive).
func (c *Client) PassiveChecks(ctx context.Context) ([]engine.PassiveCheck, error) {
	var resp PassiveResponse
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/passive", &resp, 0); err != nil {
		return nil, fmt.Errorf("listing passive checks: %w", err)
	}
	return resp.Checks, nil
}

// RemovePassive removes the dynamic passive check id, HOST/CHECK (DELETE
// /api/v1/passive/HOST/CHECK).
func (c *Client) RemovePassive(ctx context.Context, id string) error {
	host, name, ok := strings.Cut(id, "/")
	if !ok || host == "" || name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("removing passive check %q: want HOST/CHECK", id)
	}
	var resp ChecksResponse
	if _, err := c.do(ctx, http.MethodDelete, "/api/v1/passive/"+url.PathEscape(host)+"/"+url.PathEscape(name), &resp, 0); err != nil {
		return fmt.Errorf("removing passive check %s: %w", id, err)
	}
	return nil
}

// doJSON is do with in sent as a JSON request body.
func (c *Client) doJSON(ctx context.Context, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encoding the request %s %s: %w", method, path, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building the request %s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the daemon (is vakt run running?): %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("reading the response of %s %s: %w", method, path, err)
	}
	if len(answer) > maxResponseBytes {
		return fmt.Errorf("reading the response of %s %s: %s: it exceeds %d bytes", method, path, resp.Status, maxResponseBytes)
	}
	if resp.StatusCode/100 != 2 {
		var apiErr apiError
		if json.Unmarshal(answer, &apiErr) == nil && apiErr.Error != "" {
			return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, apiErr.Error)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("decoding the response of %s %s: %w", method, path, err)
	}
	return nil
}
