package sim

import (
	"encoding/json"
	"fmt"

	"github.com/callsim/callsim/sim/graph"
)

// updateRecordingStatus: POST /communications/calls/{id}/updateRecordingStatus {status,
// clientContext} (docs: api/call-updaterecordingstatus.md). status is notRecording, recording or
// failed. The answer is 200 with Location and a completed updateRecordingStatusOperation
// (resultInfo null, as the page shows it). The call's recording status (Call.RecordingStatus) is
// shown by the TUI; no notification follows (sim choice: the page shows none).

// InUpdateRecordingStatus: the bot sets its recording status on a call (Input.Call,
// Input.ClientContext, Input.Args: RecordingStatusArgs).
const InUpdateRecordingStatus InputKind = "updateRecordingStatus"

// RecordingStatusArgs are the arguments of an InUpdateRecordingStatus input.
type RecordingStatusArgs struct {
	Status string `json:"status"`
}

// RecordingStatuses are the values of updateRecordingStatus's status.
var RecordingStatuses = []string{"notRecording", "recording", "failed"}

var updateRecordingOp = registerOp(&opKind{typ: "updateRecordingStatusOperation", label: "recording status"})

func init() {
	register(&action{name: "updateRecordingStatus", handle: (*Engine).updateRecordingStatusRequest, input: InUpdateRecordingStatus,
		bot: func(e *Engine, in Input) (Request, error) {
			c, err := e.botCall(in)
			if err != nil {
				return Request{}, err
			}
			var args RecordingStatusArgs
			if len(in.Args) > 0 {
				if err := json.Unmarshal(in.Args, &args); err != nil {
					return Request{}, fmt.Errorf("updateRecordingStatus: arguments: %w", err)
				}
			}
			body := map[string]any{"status": args.Status}
			if in.ClientContext != nil {
				body["clientContext"] = *in.ClientContext
			}
			return postJSON(e.callsPrefix()+c.ID+"/updateRecordingStatus", body)
		},
		summary: func(in Input) string {
			var args RecordingStatusArgs
			_ = json.Unmarshal(in.Args, &args)
			return onCall(in, "set the recording status to "+args.Status+" on")
		},
	})
}

type updateRecordingStatusBody struct {
	Status        *string `json:"status"`
	ClientContext *string `json:"clientContext"`
}

func (e *Engine) updateRecordingStatusRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b updateRecordingStatusBody
	if a := rq.decode(&b); a != nil {
		return *a
	}
	if b.Status == nil || *b.Status == "" {
		return badRequest("status is required (notRecording, recording or failed).")
	}
	known := false
	for _, s := range RecordingStatuses {
		known = known || s == *b.Status
	}
	if !known {
		return badRequest("status must be notRecording, recording or failed, got %q.", *b.Status)
	}
	cc, a := checkClientContext(b.ClientContext)
	if a != nil {
		return *a
	}
	if c.State == CallIncoming {
		return badRequest("Call %s is incoming; answer it before updating its recording status.", c.ID)
	}
	op := e.newMediaOp(c, updateRecordingOp, cc, OpCompleted)
	c.Recording = *b.Status
	e.state("recording.status", c.ID, map[string]any{"operation": op.ID, "status": c.Recording})
	// the page's answer: @odata.type, clientContext, id, resultInfo null, status
	o := graph.Obj{{K: "@odata.type", V: "#microsoft.graph." + string(op.Type)}}
	if cc != "" {
		o = append(o, graph.KV{K: "clientContext", V: cc})
	}
	o = append(o, graph.KV{K: "id", V: op.ID}, graph.KV{K: "resultInfo", V: nil}, graph.KV{K: "status", V: string(op.Status)})
	ans := okJSON(200, o)
	ans.Location = e.location(rq.version, rq.Family, c.ID+"/operations/"+op.ID)
	ans.OperationID = op.ID
	ans.CallID = c.ID
	return ans
}
