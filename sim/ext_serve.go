package sim

// ext_serve.go: small additive hooks `callsim serve` (graphapi) needs from the engine and the
// live driver. Nothing here reads the wall clock or starts goroutines.

import "time"

// ServeOverrides points an engine at a live HTTP surface: Location headers start with baseURL,
// and the bot's notifications go to callbackURI (calls that already use the old default
// callback are moved too). appID and tenantID replace the bot's when not empty; keepEnded > 0
// bounds the ended calls kept readable (Config.MaxFinished). Call it from a Builder, before the
// engine starts.
func (e *Engine) ServeOverrides(baseURL, callbackURI, appID, tenantID string, keepEnded int) {
	if keepEnded > 0 {
		e.cfg.MaxFinished = keepEnded
	}
	if baseURL != "" {
		e.cfg.BaseURL = baseURL
	}
	if callbackURI != "" {
		old := e.cfg.Bot.CallbackURI
		e.cfg.Bot.CallbackURI = callbackURI
		for _, c := range e.calls {
			if c.CallbackURI == old {
				c.CallbackURI = callbackURI
			}
		}
	}
	if appID != "" {
		e.cfg.Bot.AppID = appID
	}
	if tenantID != "" {
		e.cfg.Bot.TenantID = tenantID
	}
}

// Unsubscribe stops a subscription returned by Subscribe (a closed SSE stream, say), so the
// driver stops merging batches into it.
func (d *Driver) Unsubscribe(s *Subscription) {
	d.do(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		for i, x := range d.subs {
			if x == s {
				d.subs = append(d.subs[:i], d.subs[i+1:]...)
				return
			}
		}
	})
}

// ClockStatus is the live clock as the control API reports it.
type ClockStatus struct {
	Now    time.Duration
	Speed  float64
	Paused bool
}

// Clock reports the virtual time, the speed factor and whether the clock is paused.
func (d *Driver) Clock() ClockStatus {
	var st ClockStatus
	d.do(func() {
		st = ClockStatus{Now: d.runner.E.Now(), Speed: d.speed, Paused: d.paused || d.runner.wake.Paused}
	})
	return st
}

// DoAll applies several inputs in one turn of the driver (one publish for all of them), in
// order, and returns their results. The HTTP surface uses it to group concurrent requests.
func (d *Driver) DoAll(ins []Input) []Result {
	out := make([]Result, len(ins))
	d.do(func() {
		if !d.paused {
			d.runner.AdvanceTo(d.virtualNow())
		}
		for i, in := range ins {
			d.log = append(d.log, loggedInput{step: d.runner.Steps(), at: d.runner.E.Now(), in: in})
			out[i] = d.runner.Apply(in)
		}
	})
	return out
}

// EmitAll records several records at the current virtual time in one turn of the driver.
func (d *Driver) EmitAll(recs []Record) {
	if len(recs) == 0 {
		return
	}
	d.do(func() {
		if !d.paused {
			d.runner.AdvanceTo(d.virtualNow())
		}
		for _, r := range recs {
			d.runner.E.Emit(r)
		}
		d.runner.flush()
	})
}

// SetHistoryLimit bounds the records kept for rewind and late subscribers (default 200000).
func (d *Driver) SetHistoryLimit(n int) {
	d.do(func() {
		if n > 1 {
			d.maxRec = n
		}
	})
}

// ForgetInputs drops the inputs recorded so far (the driver's replay log and the engine's
// input list), so a long-running server does not keep every request. Rewind cannot go back
// past this point afterwards.
func (d *Driver) ForgetInputs() {
	d.do(func() {
		d.log = nil
		d.runner.E.inputs = nil
	})
}
