package sim

// DeliveryOutcome is what became of a webhook delivery attempt in serve mode (the "outcome" of a
// delivery record's detail).
type DeliveryOutcome string

// Delivery outcomes.
const (
	DeliveryDelivered   DeliveryOutcome = "delivered"   // the bot answered 2xx
	DeliveryRetry       DeliveryOutcome = "retry"       // this attempt failed; another follows after the backoff
	DeliveryGaveUp      DeliveryOutcome = "gaveUp"      // the bot answered non-2xx on every attempt
	DeliveryOverflow    DeliveryOutcome = "overflow"    // the queue was full: the notification was dropped (recorded)
	DeliveryNotAllowed  DeliveryOutcome = "notAllowed"  // the callbackUri host is not loopback nor allowed
	DeliveryUndelivered DeliveryOutcome = "undelivered" // still queued when the server stopped
)

// Failed reports whether the notification will not reach the bot (gave up, dropped, refused,
// left at shutdown).
func (o DeliveryOutcome) Failed() bool {
	switch o {
	case DeliveryGaveUp, DeliveryOverflow, DeliveryNotAllowed, DeliveryUndelivered:
		return true
	}
	return false
}

// DeliveryDetail is the Detail of a RecDelivery record: one webhook attempt for a notification,
// or a verdict without one (overflow, notAllowed, undelivered). Serve (graphapi) writes it into
// its delivery log; the TUI and the transcript read it. The fields are in the order of their
// JSON names.
type DeliveryDetail struct {
	// Attempt is the attempt's number (1 for the first POST); 0 for a verdict without one.
	Attempt int `json:"attempt,omitempty"`
	// Batch is how many notifications rode in the same POST, when more than one.
	Batch int `json:"batch,omitempty"`
	// BotDown: the bot was unreachable on every attempt so far; the notification is held and
	// retried until it answers.
	BotDown bool   `json:"botDown,omitempty"`
	Error   string `json:"error,omitempty"`
	// LatencyMs is the attempt's wall-clock time (nil without an attempt).
	LatencyMs *float64 `json:"latencyMs,omitempty"`
	// Notification is the seq of the notification record delivered.
	Notification uint64          `json:"notification"`
	Outcome      DeliveryOutcome `json:"outcome"`
	// RetryInMs is when the next attempt follows (outcome retry).
	RetryInMs *int64 `json:"retryInMs,omitempty"`
}

// DeliveryOf returns a delivery record's detail (ok false for other records or details).
func DeliveryOf(r *Record) (DeliveryDetail, bool) {
	if r.Type != RecDelivery {
		return DeliveryDetail{}, false
	}
	switch d := r.Detail.(type) {
	case DeliveryDetail:
		return d, true
	case *DeliveryDetail:
		if d != nil {
			return *d, true
		}
	}
	return DeliveryDetail{}, false
}
