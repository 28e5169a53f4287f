package sim

// maxForwardSteps bounds StepToNotification: a world whose events never notify (timers only)
// stops after this many steps.
const maxForwardSteps = 100000

// StepToNotification pauses and takes steps until one posts a notification to the bot (the
// TUI's `]`: "forward to the next notification", where `.` takes exactly one step, internal
// timers included). It returns how many steps it took and false when nothing was due, or
// nothing due notified within maxForwardSteps.
func (d *Driver) StepToNotification() (steps int, ok bool) {
	d.do(func() {
		d.paused = true
		if d.runner.wake.Paused {
			d.runner.Resume()
		}
		for steps < maxForwardSteps {
			n := d.hist.len()
			if !d.runner.StepOne() {
				break
			}
			steps++
			if notified(d.hist.join(n)) {
				ok = true
				break
			}
			if d.runner.wake.Paused {
				break // a scenario pause step: the user resumes it
			}
		}
		d.anchor()
	})
	d.do(func() { d.publish(d.hist.len(), false) }) // the clock's state (the records went with the job)
	return steps, ok
}

func notified(recs []Record) bool {
	for i := range recs {
		if recs[i].Type == RecNotification {
			return true
		}
	}
	return false
}
