package present

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client reads a presenter endpoint.
type Client struct {
	Addr  string // host:port (or http://host:port)
	Token string
	HTTP  *http.Client
}

// Discover returns a client for the run named by the discovery file in dir.
func Discover(dir string) (*Client, error) {
	d, err := ReadDiscovery(dir)
	if err != nil {
		return nil, err
	}
	return &Client{Addr: d.Addr, Token: d.Token}, nil
}

// State asks for the state after version since (hasSince false: the current one at once),
// waiting at most wait.
func (c *Client) State(ctx context.Context, since uint64, hasSince bool, wait time.Duration) (State, error) {
	base := c.Addr
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	q := url.Values{}
	if hasSince {
		q.Set("since", strconv.FormatUint(since, 10))
		q.Set("wait", strconv.FormatFloat(wait.Seconds(), 'f', -1, 64))
	}
	u := strings.TrimRight(base, "/") + Path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return State{}, fmt.Errorf("presenter: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return State{}, fmt.Errorf("presenter: the run at %s does not answer (has it ended?): %w", c.Addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return State{}, fmt.Errorf("presenter: read %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		return State{}, fmt.Errorf("presenter: %s answered %d: %s", c.Addr, resp.StatusCode, e.Error)
	}
	var st State
	if err := json.Unmarshal(body, &st); err != nil {
		return State{}, fmt.Errorf("presenter: decode the state from %s: %w", c.Addr, err)
	}
	return st, nil
}
