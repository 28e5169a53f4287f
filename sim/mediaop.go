package sim

import "github.com/callsim/callsim/sim/graph"

// The operations of the media actions (playPrompt, recordResponse, sendDtmfTones,
// subscribeToTone, cancelMediaProcessing): how one is created, answered and completed.

// newMediaOp records an operation of a media action (playPrompt and the others of its family).
func (e *Engine) newMediaOp(c *Call, k *opKind, cc string, status OpStatus) *Operation {
	op := &Operation{ID: e.newID(), Type: k.typ, CallID: c.ID, ClientContext: cc,
		Status: status, CreatedAt: e.now, LastActionAt: e.now, Etag: 1}
	e.addOp(c, op)
	return op
}

// mediaOpAnswer is the 200 answer of a media action, as its docs page shows it: @odata.type, id,
// status (lower case), clientContext; Location names the operation.
func (e *Engine) mediaOpAnswer(rq *request, c *Call, op *Operation) answer {
	o := graph.Obj{{K: "@odata.type", V: "#microsoft.graph." + string(op.Type)}, {K: "id", V: op.ID},
		{K: "status", V: string(op.Status)}}
	if op.ClientContext != "" {
		o = append(o, graph.KV{K: "clientContext", V: op.ClientContext})
	}
	a := okJSON(200, o)
	a.Location = e.location(rq.version, rq.Family, c.ID+"/operations/"+op.ID)
	a.OperationID = op.ID
	a.CallID = c.ID
	return a
}

// completeMediaOp completes a running media operation of a live call: set fills in what its
// type says (resultInfo, completionReason, ...), then the operation is deleted with a
// notification. An operation that is done already, or whose call ended, is left alone.
func (e *Engine) completeMediaOp(opID, summary string, set func(op *Operation)) {
	op, ok := e.Operation(opID)
	if !ok || op.Done() {
		return
	}
	c, ok := e.liveCall(op.CallID)
	if !ok {
		return
	}
	op.Status = OpCompleted
	set(op)
	op.LastActionAt = e.now
	op.Etag++
	e.state("operation.completed", c.ID, map[string]any{"operation": op.ID})
	e.notifyCall(c, "deleted", "/operations/"+op.ID, e.operationNotificationObj(op), summary)
}

// mediaPrompts are the prompts of a request (playPrompt, recordResponse): mediaPrompt objects
// with their mediaInfo.
type mediaPrompts []struct {
	Type      string `json:"@odata.type"`
	MediaInfo *struct {
		URI        string `json:"uri"`
		ResourceID string `json:"resourceId"`
	} `json:"mediaInfo"`
}

// check refuses a prompt of another type or without a media URI (400 naming the field).
func (ps mediaPrompts) check() *answer {
	for i, p := range ps {
		if p.Type != "" && p.Type != "#microsoft.graph.mediaPrompt" {
			a := badRequest("prompts[%d]: @odata.type must be #microsoft.graph.mediaPrompt, got %q.", i, p.Type)
			return &a
		}
		if p.MediaInfo == nil || p.MediaInfo.URI == "" {
			a := badRequest("prompts[%d].mediaInfo.uri is required.", i)
			return &a
		}
	}
	return nil
}

// serviceHostedOnly refuses a media action of the service (playPrompt, recordResponse) on a call
// whose media the bot hosts (call-playprompt.md: service-hosted media only).
func serviceHostedOnly(c *Call, action string) *answer {
	if !c.AppHostedMedia() {
		return nil
	}
	a := badRequest("%s is only supported for calls with service-hosted media; call %s uses appHostedMediaConfig.", action, c.ID)
	return &a
}
