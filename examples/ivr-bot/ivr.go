package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/communications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Config is what the IVR needs to know.
type Config struct {
	GraphURL, Token, CallbackURL string
	MenuPrompt                   string
	FrontDeskID, FrontDeskTag    string
	// KeepAliveEvery is how often the bot keeps an established call alive (Graph ends a call
	// 45 minutes after its last keepAlive; 0: every 15 minutes).
	KeepAliveEvery time.Duration
}

// IVR reacts to the notifications of its calls, one at a time, in the order they came.
type IVR struct {
	cfg    Config
	client *msgraphsdk.GraphServiceClient
	log    *log.Logger
	events chan notification
	alive  chan string           // a call whose keepAlive is due
	calls  map[string]*callState // only the Run goroutine touches it
}

type callState struct {
	menu        bool // the menu was played and tones subscribed
	transferred bool
	stopAlive   context.CancelFunc
}

// notification is one commsNotification item.
type notification struct {
	ChangeType   string          `json:"changeType"`
	Resource     string          `json:"resource"`
	ResourceURL  string          `json:"resourceUrl"`
	ResourceData json.RawMessage `json:"resourceData"`
}

type callData struct {
	State    string `json:"state"`
	ToneInfo *struct {
		Tone       string `json:"tone"`
		SequenceID int    `json:"sequenceId"`
	} `json:"toneInfo"`
}

// staticToken hands the SDK one bearer token for the Graph host only.
type staticToken struct {
	token string
	hosts *authentication.AllowedHostsValidator
}

func (s *staticToken) GetAuthorizationToken(context.Context, *url.URL, map[string]any) (string, error) {
	return s.token, nil
}

func (s *staticToken) GetAllowedHostsValidator() *authentication.AllowedHostsValidator {
	return s.hosts
}

// NewIVR makes the Graph client.
func NewIVR(cfg Config, logger *log.Logger) (*IVR, error) {
	u, err := url.Parse(cfg.GraphURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("graph URL %q is not a URL", cfg.GraphURL)
	}
	hosts, err := authentication.NewAllowedHostsValidatorErrorCheck([]string{u.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("graph host: %w", err)
	}
	auth := authentication.NewBaseBearerTokenAuthenticationProvider(&staticToken{token: cfg.Token, hosts: hosts})
	adapter, err := msgraphsdk.NewGraphRequestAdapter(auth)
	if err != nil {
		return nil, fmt.Errorf("graph client: %w", err)
	}
	adapter.SetBaseUrl(strings.TrimSuffix(cfg.GraphURL, "/"))
	return &IVR{cfg: cfg, client: msgraphsdk.NewGraphServiceClient(adapter), log: logger,
		events: make(chan notification, 1024), alive: make(chan string, 16), calls: map[string]*callState{}}, nil
}

// Webhook takes Graph's notifications: it acknowledges at once and acts on them in Run.
func (b *IVR) Webhook(w http.ResponseWriter, r *http.Request) {
	var env struct {
		Value []notification `json:"value"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&env); err != nil {
		http.Error(w, "not a commsNotifications body", http.StatusBadRequest)
		return
	}
	for _, n := range env.Value {
		select {
		case b.events <- n:
		default:
			b.log.Printf("too many notifications waiting: dropped %s %s", n.ChangeType, n.resourcePath())
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

// resourcePath is the notification's resource under /communications/calls.
func (n notification) resourcePath() string {
	if n.ResourceURL != "" {
		return n.ResourceURL
	}
	return strings.Replace(n.Resource, "/app/calls/", "/communications/calls/", 1)
}

// Run acts on the notifications until ctx ends.
func (b *IVR) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-b.events:
			b.handle(ctx, n)
		case id := <-b.alive:
			if _, ok := b.calls[id]; ok {
				b.report("keepAlive", id, b.call(id).KeepAlive().Post(ctx, nil))
			}
		}
	}
}

func (b *IVR) handle(ctx context.Context, n notification) {
	rest, ok := strings.CutPrefix(n.resourcePath(), "/communications/calls/")
	if !ok || strings.Contains(rest, "/") {
		return // an operation or the participants: nothing to do
	}
	id := rest
	var d callData
	json.Unmarshal(n.ResourceData, &d)
	st := b.calls[id]
	if st == nil && n.ChangeType != "deleted" && (d.State == "established" || d.ToneInfo != nil) {
		// a live call this process did not answer: the bot restarted mid-call. It takes the call
		// over; a key press means the menu's tones were subscribed to, else the menu starts again.
		st = &callState{menu: d.ToneInfo != nil}
		b.calls[id] = st
		if st.menu {
			st.stopAlive = b.keepAlive(ctx, id)
		}
		b.log.Printf("took over call %s (answered before this process started)", id)
	}
	switch {
	case n.ChangeType == "deleted" || d.State == "terminated":
		if st != nil && st.stopAlive != nil {
			st.stopAlive()
		}
		delete(b.calls, id)
	case n.ChangeType == "created" && d.State == "incoming":
		b.calls[id] = &callState{}
		b.answer(ctx, id)
	case st == nil || st.transferred:
	case d.ToneInfo != nil:
		b.tone(ctx, id, st, d.ToneInfo.Tone)
	case d.State == "established" && !st.menu:
		st.menu = true
		b.playMenu(ctx, id)
		b.subscribeToTones(ctx, id)
		st.stopAlive = b.keepAlive(ctx, id)
	}
}

// keepAlive asks for a keepAlive of the call every KeepAliveEvery until it is stopped.
func (b *IVR) keepAlive(ctx context.Context, id string) context.CancelFunc {
	every := b.cfg.KeepAliveEvery
	if every <= 0 {
		every = 15 * time.Minute
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				select {
				case b.alive <- id:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return cancel
}

func (b *IVR) call(id string) *communications.CallsCallItemRequestBuilder {
	return b.client.Communications().Calls().ByCallId(id)
}

func (b *IVR) answer(ctx context.Context, id string) {
	body := communications.NewCallsItemAnswerPostRequestBody()
	body.SetCallbackUri(&b.cfg.CallbackURL)
	body.SetAcceptedModalities([]models.Modality{models.AUDIO_MODALITY})
	body.SetMediaConfig(models.NewServiceHostedMediaConfig())
	b.report("answer", id, b.call(id).Answer().Post(ctx, body, nil))
}

func (b *IVR) playMenu(ctx context.Context, id string) {
	uri, cc := b.cfg.MenuPrompt, "menu"
	mi := models.NewMediaInfo()
	mi.SetUri(&uri)
	p := models.NewMediaPrompt()
	p.SetMediaInfo(mi)
	body := communications.NewCallsItemPlayPromptPostRequestBody()
	body.SetPrompts([]models.Promptable{p})
	body.SetClientContext(&cc)
	_, err := b.call(id).PlayPrompt().Post(ctx, body, nil)
	b.report("playPrompt", id, err)
}

func (b *IVR) subscribeToTones(ctx context.Context, id string) {
	cc := "menu"
	body := communications.NewCallsItemSubscribeToTonePostRequestBody()
	body.SetClientContext(&cc)
	_, err := b.call(id).SubscribeToTone().Post(ctx, body, nil)
	b.report("subscribeToTone", id, err)
}

// tone acts on a key: 1 transfers to the front desk, 9 hangs up, anything else repeats the menu.
func (b *IVR) tone(ctx context.Context, id string, st *callState, tone string) {
	switch tone {
	case "tone1":
		st.transferred = true
		b.transfer(ctx, id)
	case "tone9":
		b.report("hang up", id, b.call(id).Delete(ctx, nil))
	default:
		b.playMenu(ctx, id)
	}
}

func (b *IVR) transfer(ctx context.Context, id string) {
	u := models.NewIdentity()
	u.SetId(&b.cfg.FrontDeskID)
	u.SetDisplayName(&b.cfg.FrontDeskTag)
	ids := models.NewIdentitySet()
	ids.SetUser(u)
	target := models.NewInvitationParticipantInfo()
	target.SetIdentity(ids)
	body := communications.NewCallsItemTransferPostRequestBody()
	body.SetTransferTarget(target)
	b.report("transfer", id, b.call(id).Transfer().Post(ctx, body, nil))
}

func (b *IVR) report(what, id string, err error) {
	if err == nil {
		b.log.Printf("%s %s: ok", what, id)
		return
	}
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil {
		e := oe.GetErrorEscaped()
		b.log.Printf("%s %s: %d %s: %s", what, id, oe.ResponseStatusCode, deref(e.GetCode()), deref(e.GetMessage()))
		return
	}
	b.log.Printf("%s %s: %v", what, id, err)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
