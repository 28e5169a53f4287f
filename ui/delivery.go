package ui

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
)

// Delivery outcomes, as graphapi records them in a delivery record's detail. The TUI does not
// import graphapi; these mirror its Outcome constants.
const (
	outDelivered   = "delivered"
	outRetry       = "retry"
	outGaveUp      = "gaveUp"
	outOverflow    = "overflow"
	outNotAllowed  = "notAllowed"
	outUndelivered = "undelivered"
)

// maxDeliveries bounds the attempts a feed entry keeps (a bot that is down is retried for as
// long as the server runs); the oldest are dropped first and counted.
const maxDeliveries = 24

// delivery is one webhook attempt (or a verdict without one: overflow, notAllowed) for a
// notification, from a sim.RecDelivery record.
type delivery struct {
	attempt   int // 0 when the record has none
	status    int // the bot's HTTP status; 0 when there was no answer
	latencyMs float64
	hasLat    bool
	outcome   string
	err       string
	retryInMs int64
	hasRetry  bool
	botDown   bool
	batch     int // notifications in the same POST, when more than one
}

// deliveryState is what the latest attempt says about a row.
type deliveryState uint8

const (
	delNone    deliveryState = iota // no delivery recorded (plain TUI)
	delOK                           // delivered
	delPending                      // retrying
	delFailed                       // gave up, overflow, not allowed, undelivered
)

// parseDelivery reads a delivery record; ok is false when it names no notification.
func parseDelivery(r *sim.Record) (seq uint64, d delivery, ok bool) {
	m, _ := r.Detail.(map[string]any)
	if m == nil {
		return 0, d, false
	}
	n, ok := asInt64(m["notification"])
	if !ok || n <= 0 {
		return 0, d, false
	}
	d.status = r.Status
	d.outcome, _ = m["outcome"].(string)
	d.err, _ = m["error"].(string)
	if a, ok := asInt64(m["attempt"]); ok {
		d.attempt = int(a)
	}
	d.latencyMs, d.hasLat = asFloat(m["latencyMs"])
	d.retryInMs, d.hasRetry = asInt64(m["retryInMs"])
	d.botDown, _ = m["botDown"].(bool)
	if b, ok := asInt64(m["batch"]); ok && b > 1 {
		d.batch = int(b)
	}
	return uint64(n), d, true
}

// asInt64 reads a number that may be an int (in memory) or a float64 (decoded JSON).
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case uint:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), true
	case float64:
		return int64(x), true
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, true
		}
		if f, err := x.Float64(); err == nil {
			return int64(f), true
		}
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	if i, ok := asInt64(v); ok {
		return float64(i), true
	}
	return 0, false
}

// outcomeWord is an outcome as the feed and its filter spell it.
func outcomeWord(o string) string {
	switch o {
	case outGaveUp:
		return "gave up"
	case outNotAllowed:
		return "not allowed"
	case "":
		return "delivery"
	}
	return o
}

func (d *delivery) state() deliveryState {
	switch d.outcome {
	case outDelivered:
		return delOK
	case outRetry:
		return delPending
	case outGaveUp, outOverflow, outNotAllowed, outUndelivered:
		return delFailed
	}
	if d.status >= 200 && d.status < 300 {
		return delOK
	}
	return delPending
}

func httpStatus(s int) string {
	if s <= 0 {
		return "err"
	}
	return strconv.Itoa(s)
}

// fmtLatency: 0.4ms, 12ms, 1.25s.
func fmtLatency(ms float64) string {
	switch {
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 1, 64) + "ms"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', 0, 64) + "ms"
	}
	return strconv.FormatFloat(ms/1000, 'f', 2, 64) + "s"
}

// mark is the short text a feed row ends with: →202 1.2ms, →500 retry #2, →down retry #7 (the
// bot is unreachable), ✗ gave up (500), ✗ overflow, ✗ not allowed, … undelivered. The batch size (×N) is apart: it is dropped first
// when the row is narrow.
func (d *delivery) mark() (mark, batch string) {
	switch d.outcome {
	case outDelivered:
		mark = "→" + httpStatus(d.status)
		if d.hasLat {
			mark += " " + fmtLatency(d.latencyMs)
		}
		if d.attempt > 1 {
			mark += " on try " + strconv.Itoa(d.attempt) // earlier tries failed: the detail lists them
		}
	case outRetry:
		st := httpStatus(d.status)
		if d.botDown && d.status <= 0 {
			st = "down" // unreachable after every attempt: held and retried until it answers
		}
		mark = "→" + st + " retry"
		if d.attempt > 0 {
			mark += " #" + strconv.Itoa(d.attempt)
		}
	case outGaveUp:
		mark = glyphFail + " gave up (" + httpStatus(d.status) + ")"
	case outOverflow, outNotAllowed:
		mark = glyphFail + " " + outcomeWord(d.outcome)
	case outUndelivered:
		mark = glyphRunning + " undelivered"
	default:
		mark = "→" + httpStatus(d.status) + " " + outcomeWord(d.outcome)
	}
	if d.batch > 1 {
		batch = " ×" + strconv.Itoa(d.batch)
	}
	return mark, batch
}

// short is the mark for narrow rows: the outcome's sign, the status and, past the first, the
// attempt: →202, →202#2 (through on the second try), →500#2 (the second try failed, another
// follows), ✗503, ✗ovf, ✗na, …
func (d *delivery) short() string {
	switch d.outcome {
	case outDelivered:
		if d.attempt > 1 {
			return "→" + httpStatus(d.status) + "#" + strconv.Itoa(d.attempt) // got through on that try
		}
		return "→" + httpStatus(d.status)
	case outRetry:
		st := httpStatus(d.status)
		if d.botDown && d.status <= 0 {
			st = "down"
		}
		return "→" + st + "#" + strconv.Itoa(max(d.attempt, 1))
	case outGaveUp:
		return glyphFail + httpStatus(d.status)
	case outOverflow:
		return glyphFail + "ovf"
	case outNotAllowed:
		return glyphFail + "na"
	case outUndelivered:
		return glyphRunning
	}
	return "→" + httpStatus(d.status)
}

// line is one row of the detail pane's deliveries section.
func (d *delivery) line() string {
	att, st, lat := "–", "–", "–"
	if d.attempt > 0 {
		att = "#" + strconv.Itoa(d.attempt)
	}
	if d.status > 0 {
		st = strconv.Itoa(d.status)
	} else if d.hasLat {
		st = "err" // an attempt without an answer
	}
	if d.hasLat {
		lat = fmtLatency(d.latencyMs)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, " %-4s %-6s %8s  %-11s", att, st, lat, outcomeWord(d.outcome))
	if d.hasRetry {
		sb.WriteString("  retry in " + (time.Duration(d.retryInMs) * time.Millisecond).String())
	}
	if d.botDown {
		sb.WriteString("  bot down")
	}
	if d.batch > 1 {
		sb.WriteString("  batch ×" + strconv.Itoa(d.batch))
	}
	if d.err != "" {
		sb.WriteString("  " + d.err)
	}
	return strings.TrimRight(sb.String(), " ")
}

// deliveryLines is the detail pane's deliveries section: a heading and one line per attempt,
// styled by outcome. dropped attempts were not kept (see maxDeliveries).
func deliveryLines(st *Styles, ds []delivery, dropped int) []string {
	if len(ds) == 0 {
		return nil
	}
	head := fmt.Sprintf("deliveries (%d)", len(ds)+dropped)
	out := make([]string, 0, len(ds)+4)
	out = append(out, "", st.Bold.Render(head), st.ColumnHeader.Render(fmt.Sprintf(" %-4s %-6s %8s  %s", "try", "status", "latency", "outcome")))
	if dropped > 0 {
		out = append(out, st.Dim.Render(fmt.Sprintf(" … %d earlier not kept", dropped)))
	}
	for i := range ds {
		s := st.Text
		switch ds[i].state() {
		case delOK:
			s = st.OK
		case delPending:
			s = st.Warn
		case delFailed:
			s = st.Err
		}
		out = append(out, s.Render(ds[i].line()))
	}
	return out
}
