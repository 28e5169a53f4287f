package sim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/callsim/callsim/sim/graph"
)

// redirect: POST /communications/calls/{id}/redirect (docs: api/call-redirect.md). The bot
// forwards an incoming call it has not answered or rejected to 1–25 targets (several: simulring),
// with a ring timeout of 15–90 s. The answer is 202; the bot's part of the call is over at once
// (sim choice: the docs give no timing): `deleted` with the whole call (state terminated,
// direction incoming, callbackUri, source, targets, myParticipantId, id), as the page's
// "Notification - terminated" shows. Whether a target picks up is not the bot's to see, so the
// targets do not ring in the simulation (sim choice).

// InRedirect: the bot redirects an incoming call (Input.Call; Input.Targets, directory names;
// Input.Args: RedirectArgs).
const InRedirect InputKind = "redirect"

// Redirect limits (docs: "up to 25 targets for simulring"; "between 15 and 90 seconds inclusive").
const (
	MaxRedirectTargets = 25
	MinRedirectTimeout = 15
	MaxRedirectTimeout = 90
)

// RedirectArgs are the optional arguments of an InRedirect input.
type RedirectArgs struct {
	// Timeout is the redirect's timeout in seconds (0: not sent).
	Timeout int `json:"timeout,omitempty"`
	// CallbackURI is the call's new callback ("": not sent).
	CallbackURI string `json:"callbackUri,omitempty"`
}

func init() {
	register(&action{name: "redirect", handle: (*Engine).redirectRequest, input: InRedirect, bot: (*Engine).redirectBot,
		summary: func(in Input) string { return onCall(in, "redirect") + " to " + strings.Join(in.Targets, ", ") }})
}

// redirectBody is the request body (docs: targets, timeout, callbackUri).
type redirectBody struct {
	Targets     []graph.InvitationParticipantInfo `json:"targets"`
	Timeout     *int                              `json:"timeout"`
	CallbackURI *string                           `json:"callbackUri"`
}

func (e *Engine) redirectRequest(rq *request) answer {
	c, ok := e.liveCall(rq.Call)
	if !ok {
		return notFound()
	}
	var b redirectBody
	if a := rq.decode(&b); a != nil {
		return *a
	}
	if len(b.Targets) == 0 {
		return badRequest("targets is required and must contain 1 to %d invitationParticipantInfo.", MaxRedirectTargets)
	}
	if len(b.Targets) > MaxRedirectTargets {
		return badRequest("At most %d targets can be given (simulring), got %d.", MaxRedirectTargets, len(b.Targets))
	}
	if b.Timeout != nil && (*b.Timeout < MinRedirectTimeout || *b.Timeout > MaxRedirectTimeout) {
		return badRequest("timeout must be between %d and %d seconds, got %d.", MinRedirectTimeout, MaxRedirectTimeout, *b.Timeout)
	}
	if b.CallbackURI != nil {
		// the page says https; local bots listen on http, so callsim takes either (sim choice)
		if u, err := url.Parse(*b.CallbackURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return badRequest("callbackUri must be an absolute https URI, got %q.", *b.CallbackURI)
		}
	}
	targets := make([]string, len(b.Targets))
	for i, t := range b.Targets {
		if t.ODataType != "" && t.ODataType != "#microsoft.graph.invitationParticipantInfo" {
			return badRequest("targets[%d]: @odata.type must be #microsoft.graph.invitationParticipantInfo, got %q.", i, t.ODataType)
		}
		id, msg := e.wireIdentity(t.Identity)
		if msg != "" {
			return badRequest("targets[%d].%s", i, msg)
		}
		targets[i] = id.Label()
	}
	if c.State != CallIncoming {
		return badRequest("Call %s is %s; only an incoming call that has not been answered or rejected can be redirected.", c.ID, c.State)
	}
	if b.CallbackURI != nil {
		c.CallbackURI = *b.CallbackURI
	}
	detail := map[string]any{"targets": targets}
	if b.Timeout != nil {
		detail["timeout"] = *b.Timeout
	}
	e.state("call.redirected", c.ID, detail)
	e.endCall(c.ID, nil, endRedirected)
	return answer{Response: Response{Status: 202, CallID: c.ID}}
}

func (e *Engine) redirectBot(in Input) (Request, error) {
	c, err := e.botCall(in)
	if err != nil {
		return Request{}, err
	}
	var args RedirectArgs
	if len(in.Args) > 0 {
		if err := json.Unmarshal(in.Args, &args); err != nil {
			return Request{}, fmt.Errorf("redirect: arguments: %w", err)
		}
	}
	targets := make([]map[string]any, 0, len(in.Targets))
	for _, name := range in.Targets {
		id, ok := e.FindIdentity(name)
		if !ok {
			return Request{}, fmt.Errorf("redirect: unknown identity %q", name)
		}
		targets = append(targets, map[string]any{"@odata.type": "#microsoft.graph.invitationParticipantInfo", "identity": wireIdentitySet(id)})
	}
	body := map[string]any{"targets": targets}
	if args.Timeout != 0 {
		body["timeout"] = args.Timeout
	}
	if args.CallbackURI != "" {
		body["callbackUri"] = args.CallbackURI
	}
	return postJSON(e.callsPrefix()+c.ID+"/redirect", body)
}
