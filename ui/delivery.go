package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
)

// Feed is where the model takes its batches from: a driver subscription (*sim.Subscription),
// or in serve mode the driver's records joined with serve's delivery log, which the driver
// does not hold (graphapi.Server.Subscribe: each delivery record comes after its notification).
type Feed interface {
	Take() (sim.Batch, bool)
	Next(ctx context.Context) (sim.Batch, bool)
}

// maxDeliveries bounds the attempts a feed entry keeps (a bot that is down is retried for as
// long as the server runs); the oldest are dropped first and counted.
const maxDeliveries = 24

// delivery is one webhook attempt (or a verdict without one: overflow, notAllowed) for a
// notification: the detail of a sim.RecDelivery record, with the bot's status.
type delivery struct {
	sim.DeliveryDetail
	status int // the bot's HTTP status; 0 when there was no answer
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
	dd, ok := sim.DeliveryOf(r)
	if !ok || dd.Notification == 0 {
		return 0, d, false
	}
	return dd.Notification, delivery{DeliveryDetail: dd, status: r.Status}, true
}

// outcomeWord is an outcome as the feed and its filter spell it.
func outcomeWord(o sim.DeliveryOutcome) string {
	switch o {
	case sim.DeliveryGaveUp:
		return "gave up"
	case sim.DeliveryNotAllowed:
		return "not allowed"
	case "":
		return "delivery"
	}
	return string(o)
}

func (d *delivery) state() deliveryState {
	switch {
	case d.Outcome == sim.DeliveryDelivered:
		return delOK
	case d.Outcome == sim.DeliveryRetry:
		return delPending
	case d.Outcome.Failed():
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
	switch d.Outcome {
	case sim.DeliveryDelivered:
		mark = "→" + httpStatus(d.status)
		if d.LatencyMs != nil {
			mark += " " + fmtLatency(*d.LatencyMs)
		}
		if d.Attempt > 1 {
			mark += " on try " + strconv.Itoa(d.Attempt) // earlier tries failed: the detail lists them
		}
	case sim.DeliveryRetry:
		st := httpStatus(d.status)
		if d.BotDown && d.status <= 0 {
			st = "down" // unreachable after every attempt: held and retried until it answers
		}
		mark = "→" + st + " retry"
		if d.Attempt > 0 {
			mark += " #" + strconv.Itoa(d.Attempt)
		}
	case sim.DeliveryGaveUp:
		mark = glyphFail + " gave up (" + httpStatus(d.status) + ")"
	case sim.DeliveryOverflow, sim.DeliveryNotAllowed:
		mark = glyphFail + " " + outcomeWord(d.Outcome)
	case sim.DeliveryUndelivered:
		mark = glyphRunning + " undelivered"
	default:
		mark = "→" + httpStatus(d.status) + " " + outcomeWord(d.Outcome)
	}
	if d.Batch > 1 {
		batch = " ×" + strconv.Itoa(d.Batch)
	}
	return mark, batch
}

// short is the mark for narrow rows: the outcome's sign, the status and, past the first, the
// attempt: →202, →202#2 (through on the second try), →500#2 (the second try failed, another
// follows), ✗503, ✗ovf, ✗na, …
func (d *delivery) short() string {
	switch d.Outcome {
	case sim.DeliveryDelivered:
		if d.Attempt > 1 {
			return "→" + httpStatus(d.status) + "#" + strconv.Itoa(d.Attempt) // got through on that try
		}
		return "→" + httpStatus(d.status)
	case sim.DeliveryRetry:
		st := httpStatus(d.status)
		if d.BotDown && d.status <= 0 {
			st = "down"
		}
		return "→" + st + "#" + strconv.Itoa(max(d.Attempt, 1))
	case sim.DeliveryGaveUp:
		return glyphFail + httpStatus(d.status)
	case sim.DeliveryOverflow:
		return glyphFail + "ovf"
	case sim.DeliveryNotAllowed:
		return glyphFail + "na"
	case sim.DeliveryUndelivered:
		return glyphRunning
	}
	return "→" + httpStatus(d.status)
}

// line is one row of the detail pane's deliveries section.
func (d *delivery) line() string {
	att, st, lat := "–", "–", "–"
	if d.Attempt > 0 {
		att = "#" + strconv.Itoa(d.Attempt)
	}
	if d.status > 0 {
		st = strconv.Itoa(d.status)
	} else if d.LatencyMs != nil {
		st = "err" // an attempt without an answer
	}
	if d.LatencyMs != nil {
		lat = fmtLatency(*d.LatencyMs)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, " %-4s %-6s %8s  %-11s", att, st, lat, outcomeWord(d.Outcome))
	if d.RetryInMs != nil {
		sb.WriteString("  retry in " + (time.Duration(*d.RetryInMs) * time.Millisecond).String())
	}
	if d.BotDown {
		sb.WriteString("  bot down")
	}
	if d.Batch > 1 {
		sb.WriteString("  batch ×" + strconv.Itoa(d.Batch))
	}
	if d.Error != "" {
		sb.WriteString("  " + d.Error)
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
