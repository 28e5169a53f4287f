package sim

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/callsim/callsim/sim/graph"
)

// recordResponse: POST /communications/calls/{id}/recordResponse (docs: api/call-record.md).
// The bot records the caller's answer after an optional prompt; the answer is 200 with a running
// recordOperation (resultInfo and recordingLocation null). The simulated caller speaks until the
// maximum duration (sim choice), so after the prompt (PromptDuration) and
// maxRecordDurationInSeconds the operation is deleted {status: completed, resultInfo 200/8515
// "Action completed, max record duration reached.", recordingLocation, recordingAccessToken}. The
// recording is a WAV of that length (RecordingWAV), served by `callsim serve` at
// recordingLocation to a request with the token (Driver.Recording). cancelMediaProcessing
// cancels it like a prompt.

// InRecordResponse: the bot records a response (Input.Call, Input.ClientContext, Input.Args:
// RecordArgs).
const InRecordResponse InputKind = "recordResponse"

// Record limits (docs: 1–120 s, default 5 s; at most one prompt).
const (
	MaxRecordSeconds     = 120
	DefaultRecordSeconds = 5
)

// RecordArgs are the arguments of an InRecordResponse input.
type RecordArgs struct {
	Prompt     string `json:"prompt,omitempty"`
	MaxSeconds int    `json:"maxRecordDurationInSeconds,omitempty"`
}

// RecordingsPath is where recordings live under the base URL: recordingLocation is
// BaseURL + RecordingsPath + the operation id.
const RecordingsPath = "/recordings/"

func init() {
	register(&action{name: "recordResponse", handle: (*Engine).recordRequest, input: InRecordResponse,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			var args RecordArgs
			if len(in.Args) > 0 {
				if err := json.Unmarshal(in.Args, &args); err != nil {
					return Request{}, fmt.Errorf("recordResponse: arguments: %w", err)
				}
			}
			body := map[string]any{}
			if args.Prompt != "" {
				body["prompts"] = []map[string]any{{"@odata.type": "#microsoft.graph.mediaPrompt",
					"mediaInfo": map[string]any{"@odata.type": "#microsoft.graph.mediaInfo", "uri": args.Prompt}}}
			}
			if args.MaxSeconds != 0 {
				body["maxRecordDurationInSeconds"] = args.MaxSeconds
			}
			if in.ClientContext != nil {
				body["clientContext"] = *in.ClientContext
			}
			return postJSON(e.callsPrefix()+c.ID+"/recordResponse", body)
		},
		summary: func(in Input) string { return onCall(in, "record a response on") },
	})
}

var recordOp = registerOp(&opKind{typ: "recordOperation", label: "record", cancelable: true,
	endedMessage: "The call ended before the recording finished.",
	fields: func(e *Engine, op *Operation, o graph.Obj) graph.Obj {
		if op.Status == OpFailed {
			// a failed recording has both, empty (docs: api/call-cancelmediaprocessing.md, the
			// notification of a canceled recordResponse)
			return append(o, graph.KV{K: "recordingLocation", V: ""}, graph.KV{K: "recordingAccessToken", V: ""})
		}
		if op.RecordingToken == "" || op.Status != OpCompleted {
			return append(o, graph.KV{K: "recordingLocation", V: nil})
		}
		return append(o, graph.KV{K: "recordingLocation", V: e.cfg.BaseURL + RecordingsPath + op.ID},
			graph.KV{K: "recordingAccessToken", V: op.RecordingToken})
	}})

// evRecorded: a recording reached its maximum duration.
var evRecorded = &eventKind{name: "recorded",
	handle: func(e *Engine, ev *event) { e.recorded(ev.op) },
	describe: func(e *Engine, ev *event, p *Pending) {
		p.Call = ev.call
		p.Text = "the recording ends"
	}}

type recordBody struct {
	ClientContext  *string      `json:"clientContext"`
	Prompts        mediaPrompts `json:"prompts"`
	BargeInAllowed *bool        `json:"bargeInAllowed"`
	PlayBeep       *bool        `json:"playBeep"`
	StopTones      []string     `json:"stopTones"`
	InitialSilence *int         `json:"initialSilenceTimeoutInSeconds"`
	MaxSilence     *int         `json:"maxSilenceTimeoutInSeconds"`
	MaxRecord      *int         `json:"maxRecordDurationInSeconds"`
}

func (e *Engine) recordRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b recordBody
	if rq.body != nil {
		if a := rq.decode(&b); a != nil {
			return *a
		}
	}
	if len(b.Prompts) > 1 {
		return badRequest("prompts: at most 1 prompt can be played before recording, got %d.", len(b.Prompts))
	}
	if a := b.Prompts.check(); a != nil {
		return *a
	}
	secs := DefaultRecordSeconds
	for _, f := range []struct {
		name string
		v    *int
	}{{"initialSilenceTimeoutInSeconds", b.InitialSilence}, {"maxSilenceTimeoutInSeconds", b.MaxSilence}, {"maxRecordDurationInSeconds", b.MaxRecord}} {
		if f.v != nil && (*f.v < 1 || *f.v > MaxRecordSeconds) {
			return badRequest("%s must be between 1 and %d, got %d.", f.name, MaxRecordSeconds, *f.v)
		}
	}
	if b.MaxRecord != nil {
		secs = *b.MaxRecord
	}
	for i, t := range b.StopTones {
		r := []rune(t)
		if len(r) != 1 || !isKey(r[0]) {
			return badRequest("stopTones[%d]: %q is not a key (%s).", i, t, strings.Join(strings.Split(ToneKeys, ""), " "))
		}
	}
	cc, a := checkClientContext(b.ClientContext)
	if a != nil {
		return *a
	}
	if a := serviceHostedOnly(c, "recordResponse"); a != nil {
		return *a
	}
	if c.State != CallEstablished {
		return badRequest("Call %s is %s; responses can only be recorded in an established call.", c.ID, c.State)
	}
	op := e.newMediaOp(c, recordOp, cc, OpRunning)
	op.RecordedFor = time.Duration(secs) * time.Second
	prompts := time.Duration(len(b.Prompts)) * e.cfg.PromptDuration
	e.state("operation.running", c.ID, map[string]any{"operation": op.ID, "type": string(op.Type), "seconds": secs})
	if !e.recordFault(c, op, prompts) {
		e.schedule(&event{at: e.now + prompts + op.RecordedFor, kind: evRecorded, call: c.ID, op: op.ID})
	}

	// the docs' answer: @odata.type, id, status, resultInfo null, recordingLocation null, clientContext
	o := graph.Obj{{K: "@odata.type", V: "#microsoft.graph." + string(op.Type)}, {K: "id", V: op.ID},
		{K: "status", V: string(op.Status)}, {K: "resultInfo", V: nil}, {K: "recordingLocation", V: nil}}
	if cc != "" {
		o = append(o, graph.KV{K: "clientContext", V: cc})
	}
	ans := okJSON(200, o)
	ans.Location = e.location(rq.version, rq.Family, c.ID+"/operations/"+op.ID)
	ans.OperationID = op.ID
	ans.CallID = c.ID
	return ans
}

func (e *Engine) recorded(opID string) {
	e.completeMediaOp(opID, "status completed (recorded)", func(op *Operation) {
		op.Result = &graph.ResultInfo{Code: 200, Subcode: 8515, Message: "Action completed, max record duration reached."}
		op.RecordingToken = strings.ReplaceAll(e.rng.get("recording").guid()+e.rng.get("recording").guid(), "-", "")
	})
}

// RecordingLocation is the recordingLocation of a finished recordOperation (ok false while it
// runs, or for another operation).
func (e *Engine) RecordingLocation(opID string) (string, bool) {
	op, ok := e.Operation(opID)
	if !ok || op.Type != recordOp.typ || op.Status != OpCompleted || op.RecordingToken == "" {
		return "", false
	}
	return e.cfg.BaseURL + RecordingsPath + op.ID, true
}

func isKey(r rune) bool { _, ok := ToneOf(r); return ok }

// Recording is a finished recording as serve hands it out.
type Recording struct {
	// Token is the recordingAccessToken a download must carry.
	Token string
	// Length is how long the recording is.
	Length time.Duration
}

// Recording finds the finished recording of a recordOperation by its id.
func (d *Driver) Recording(opID string) (Recording, bool) {
	var r Recording
	ok := false
	d.do(func() {
		if op, found := d.runner.E.Operation(opID); found && op.Type == recordOp.typ && op.Status == OpCompleted && op.RecordingToken != "" {
			r, ok = Recording{Token: op.RecordingToken, Length: op.RecordedFor}, true
		}
	})
	return r, ok
}

// RecordingWAV is the audio of a simulated recording: length of silence as a RIFF WAVE file,
// 8 kHz, 16-bit mono PCM.
func RecordingWAV(length time.Duration) []byte {
	const rate, bytesPerSample = 8000, 2
	n := int(length/time.Millisecond) * rate / 1000 * bytesPerSample
	b := make([]byte, 44+n)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*bytesPerSample)
	binary.LittleEndian.PutUint16(b[32:], bytesPerSample)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(n))
	return b
}
