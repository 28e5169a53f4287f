package teach

import (
	"fmt"
	"strconv"
	"strings"
)

// SDKModule is the Go SDK the generated code is written for (the version sdktest/ pins).
const SDKModule = "github.com/microsoftgraph/msgraph-sdk-go"

// The models the calling surface's bodies use, as the v1.0 SDK names them: each JSON property
// a setter, of a kind. A property not listed here (or whose value does not fit) goes into the
// model's AdditionalData, so the code always sends what ran.
type propKind byte

const (
	pString     propKind = iota
	pBool                // *bool
	pInt32               // *int32
	pEnum                // *models.E
	pEnumList            // []models.E
	pStringList          // []string
	pObject              // a model
	pObjectList          // []models.Xable
)

type prop struct {
	setter string
	kind   propKind
	typ    string // the enum (pEnum, pEnumList) or the model key (pObject, pObjectList)
}

type model struct {
	ctor  string // the constructor call
	iface string // the interface a list of these holds
	props map[string]prop
	odata bool // has SetOdataType
	// sub picks a concrete model by @odata.type (abstract types); "" is the default
	sub map[string]string
}

// enums are the enum values the generator knows (the SDK's constants are VALUE_TYPE, upper case).
var enums = map[string][]string{
	"Modality":          {"audio", "video", "videoBasedScreenSharing", "data"},
	"ScreenSharingRole": {"viewer", "sharer"},
	"RecordingStatus":   {"unknown", "notRecording", "recording", "failed"},
	"RejectReason":      {"none", "busy", "forbidden"},
	"EndpointType":      {"default", "voicemail", "skypeForBusiness", "skypeForBusinessVoipPhone"},
	"Tone": {"tone0", "tone1", "tone2", "tone3", "tone4", "tone5", "tone6", "tone7", "tone8", "tone9",
		"star", "pound", "a", "b", "c", "d", "flash"},
}

func s(setter string) prop             { return prop{setter: setter, kind: pString} }
func b(setter string) prop             { return prop{setter: setter, kind: pBool} }
func i32(setter string) prop           { return prop{setter: setter, kind: pInt32} }
func obj(setter, typ string) prop      { return prop{setter: setter, kind: pObject, typ: typ} }
func objs(setter, typ string) prop     { return prop{setter: setter, kind: pObjectList, typ: typ} }
func enum(setter, typ string) prop     { return prop{setter: setter, kind: pEnum, typ: typ} }
func enumList(setter, typ string) prop { return prop{setter: setter, kind: pEnumList, typ: typ} }
func strList(setter string) prop       { return prop{setter: setter, kind: pStringList} }
func clientContext() map[string]prop   { return map[string]prop{"clientContext": s("SetClientContext")} }
func modelOf(name string, props map[string]prop) *model {
	return &model{ctor: "models.New" + name + "()", iface: "models." + name + "able", props: props, odata: true}
}

func body(name string, props map[string]prop) *model {
	return &model{ctor: "communications.New" + name + "PostRequestBody()", props: props}
}

var callOptionProps = map[string]prop{
	"hideBotAfterEscalation": b("SetHideBotAfterEscalation"), "isContentSharingNotificationEnabled": b("SetIsContentSharingNotificationEnabled"),
	"isDeltaRosterEnabled": b("SetIsDeltaRosterEnabled"), "isInteractiveRosterEnabled": b("SetIsInteractiveRosterEnabled"),
}

var identityProps = map[string]prop{"displayName": s("SetDisplayName"), "id": s("SetId")}

var modelTable = map[string]*model{
	"Call": modelOf("Call", map[string]prop{
		"callbackUri": s("SetCallbackUri"), "subject": s("SetSubject"), "tenantId": s("SetTenantId"),
		"requestedModalities": enumList("SetRequestedModalities", "Modality"), "mediaConfig": obj("SetMediaConfig", "MediaConfig"),
		"source": obj("SetSource", "ParticipantInfo"), "targets": objs("SetTargets", "InvitationParticipantInfo"),
		"chatInfo": obj("SetChatInfo", "ChatInfo"), "meetingInfo": obj("SetMeetingInfo", "MeetingInfo"),
		"callOptions": obj("SetCallOptions", "CallOptions"),
	}),
	"InvitationParticipantInfo": modelOf("InvitationParticipantInfo", map[string]prop{
		"identity": obj("SetIdentity", "IdentitySet"), "replacesCallId": s("SetReplacesCallId"), "participantId": s("SetParticipantId"),
		"hidden": b("SetHidden"), "removeFromDefaultAudioRoutingGroup": b("SetRemoveFromDefaultAudioRoutingGroup"),
	}),
	"ParticipantInfo": modelOf("ParticipantInfo", map[string]prop{
		"identity": obj("SetIdentity", "IdentitySet"), "endpointType": enum("SetEndpointType", "EndpointType"),
		"languageId": s("SetLanguageId"), "region": s("SetRegion"), "countryCode": s("SetCountryCode"), "participantId": s("SetParticipantId"),
	}),
	"IdentitySet": {ctor: "models.NewIdentitySet()", iface: "models.IdentitySetable", odata: true, props: map[string]prop{
		"user": obj("SetUser", "Identity"), "application": obj("SetApplication", "Identity"), "device": obj("SetDevice", "Identity"),
	}, sub: map[string]string{"#microsoft.graph.communicationsIdentitySet": "CommunicationsIdentitySet"}},
	"CommunicationsIdentitySet": modelOf("CommunicationsIdentitySet", map[string]prop{
		"user": obj("SetUser", "Identity"), "application": obj("SetApplication", "Identity"), "device": obj("SetDevice", "Identity"),
		"phone": obj("SetPhone", "Identity"), "guest": obj("SetGuest", "Identity"), "applicationInstance": obj("SetApplicationInstance", "Identity"),
		"encrypted": obj("SetEncrypted", "Identity"), "onPremises": obj("SetOnPremises", "Identity"),
		"assertedIdentity": obj("SetAssertedIdentity", "Identity"), "azureCommunicationServicesUser": obj("SetAzureCommunicationServicesUser", "Identity"),
	}),
	"Identity": modelOf("Identity", identityProps),
	"Prompt": {ctor: "models.NewPrompt()", iface: "models.Promptable", odata: true,
		sub: map[string]string{"": "MediaPrompt", "#microsoft.graph.mediaPrompt": "MediaPrompt"}},
	"MediaPrompt": modelOf("MediaPrompt", map[string]prop{"mediaInfo": obj("SetMediaInfo", "MediaInfo")}),
	"MediaInfo":   modelOf("MediaInfo", map[string]prop{"uri": s("SetUri"), "resourceId": s("SetResourceId")}),
	"MediaConfig": {ctor: "models.NewMediaConfig()", iface: "models.MediaConfigable", odata: true,
		sub: map[string]string{"#microsoft.graph.serviceHostedMediaConfig": "ServiceHostedMediaConfig", "#microsoft.graph.appHostedMediaConfig": "AppHostedMediaConfig"}},
	"ServiceHostedMediaConfig": modelOf("ServiceHostedMediaConfig", map[string]prop{"preFetchMedia": objs("SetPreFetchMedia", "MediaInfo")}),
	"AppHostedMediaConfig":     modelOf("AppHostedMediaConfig", map[string]prop{"blob": s("SetBlob")}),
	"ChatInfo": modelOf("ChatInfo", map[string]prop{
		"threadId": s("SetThreadId"), "messageId": s("SetMessageId"), "replyChainMessageId": s("SetReplyChainMessageId"),
	}),
	"MeetingInfo": {ctor: "models.NewMeetingInfo()", iface: "models.MeetingInfoable", odata: true,
		sub: map[string]string{"#microsoft.graph.organizerMeetingInfo": "OrganizerMeetingInfo", "#microsoft.graph.joinMeetingIdMeetingInfo": "JoinMeetingIdMeetingInfo"}},
	"OrganizerMeetingInfo":     modelOf("OrganizerMeetingInfo", map[string]prop{"organizer": obj("SetOrganizer", "IdentitySet")}),
	"JoinMeetingIdMeetingInfo": modelOf("JoinMeetingIdMeetingInfo", map[string]prop{"joinMeetingId": s("SetJoinMeetingId"), "passcode": s("SetPasscode")}),
	"CallOptions": {ctor: "models.NewCallOptions()", iface: "models.CallOptionsable", odata: true, props: callOptionProps,
		sub: map[string]string{"#microsoft.graph.outgoingCallOptions": "OutgoingCallOptions", "#microsoft.graph.incomingCallOptions": "IncomingCallOptions"}},
	"OutgoingCallOptions": modelOf("OutgoingCallOptions", callOptionProps),
	"IncomingCallOptions": modelOf("IncomingCallOptions", callOptionProps),

	// request bodies of the call's actions (package communications)
	"answer": body("CallsItemAnswer", map[string]prop{
		"callbackUri": s("SetCallbackUri"), "acceptedModalities": enumList("SetAcceptedModalities", "Modality"),
		"mediaConfig": obj("SetMediaConfig", "MediaConfig"), "participantCapacity": i32("SetParticipantCapacity"),
		"callOptions": obj("SetCallOptions", "IncomingCallOptions"),
	}),
	"reject":     body("CallsItemReject", map[string]prop{"reason": enum("SetReason", "RejectReason"), "callbackUri": s("SetCallbackUri")}),
	"redirect":   body("CallsItemRedirect", map[string]prop{"targets": objs("SetTargets", "InvitationParticipantInfo"), "timeout": i32("SetTimeout"), "callbackUri": s("SetCallbackUri")}),
	"transfer":   body("CallsItemTransfer", map[string]prop{"transferTarget": obj("SetTransferTarget", "InvitationParticipantInfo"), "transferee": obj("SetTransferee", "ParticipantInfo")}),
	"playPrompt": body("CallsItemPlayPrompt", map[string]prop{"prompts": objs("SetPrompts", "Prompt"), "clientContext": s("SetClientContext")}),
	"recordResponse": body("CallsItemRecordResponse", map[string]prop{
		"prompts": objs("SetPrompts", "Prompt"), "bargeInAllowed": b("SetBargeInAllowed"), "playBeep": b("SetPlayBeep"),
		"initialSilenceTimeoutInSeconds": i32("SetInitialSilenceTimeoutInSeconds"), "maxSilenceTimeoutInSeconds": i32("SetMaxSilenceTimeoutInSeconds"),
		"maxRecordDurationInSeconds": i32("SetMaxRecordDurationInSeconds"), "stopTones": strList("SetStopTones"), "clientContext": s("SetClientContext"),
	}),
	"subscribeToTone":       body("CallsItemSubscribeToTone", clientContext()),
	"cancelMediaProcessing": body("CallsItemCancelMediaProcessing", clientContext()),
	"sendDtmfTones": body("CallsItemSendDtmfTones", map[string]prop{
		"tones": enumList("SetTones", "Tone"), "delayBetweenTonesMs": i32("SetDelayBetweenTonesMs"), "clientContext": s("SetClientContext"),
	}),
	"mute":                    body("CallsItemMute", clientContext()),
	"unmute":                  body("CallsItemUnmute", clientContext()),
	"updateRecordingStatus":   body("CallsItemUpdateRecordingStatus", map[string]prop{"status": enum("SetStatus", "RecordingStatus"), "clientContext": s("SetClientContext")}),
	"changeScreenSharingRole": body("CallsItemChangeScreenSharingRole", map[string]prop{"role": enum("SetRole", "ScreenSharingRole")}),
	"participants/invite":     body("CallsItemParticipantsInvite", map[string]prop{"participants": objs("SetParticipants", "InvitationParticipantInfo"), "clientContext": s("SetClientContext")}),
	"participant/mute":        body("CallsItemParticipantsItemMute", clientContext()),
	"participant/startHoldMusic": body("CallsItemParticipantsItemStartHoldMusic", map[string]prop{
		"customPrompt": obj("SetCustomPrompt", "Prompt"), "clientContext": s("SetClientContext"),
	}),
	"participant/stopHoldMusic": body("CallsItemParticipantsItemStopHoldMusic", clientContext()),
}

// callActions are the call's actions (POST …/calls/{id}/NAME): whether the SDK's Post returns
// an operation, or only an error.
var callActions = map[string]bool{
	"answer": false, "reject": false, "redirect": false, "transfer": false, "changeScreenSharingRole": false, "keepAlive": false,
	"playPrompt": true, "recordResponse": true, "subscribeToTone": true, "cancelMediaProcessing": true, "sendDtmfTones": true,
	"mute": true, "unmute": true, "updateRecordingStatus": true,
}

// participantActions are POST …/participants/{id}/NAME (each returns an operation).
var participantActions = map[string]bool{"mute": true, "startHoldMusic": true, "stopHoldMusic": true}

// gen writes the statements of one function body.
type gen struct {
	lines []string
	vars  map[string]int
	uses  map[string]bool // imports: "models", "communications", "fmt"
}

func (g *gen) line(format string, args ...any) {
	g.lines = append(g.lines, fmt.Sprintf(format, args...))
}

func (g *gen) newVar(hint string) string {
	if hint == "" || hint == "type" || hint == "func" || hint == "var" || hint == "map" || hint == "range" {
		hint = "v"
	}
	g.vars[hint]++
	if n := g.vars[hint]; n > 1 {
		return hint + strconv.Itoa(n)
	}
	return hint
}

// singular is a list property's element variable name.
func singular(k string) string {
	switch {
	case strings.HasSuffix(k, "ies"):
		return strings.TrimSuffix(k, "ies") + "y"
	case strings.HasSuffix(k, "s") && len(k) > 3:
		return strings.TrimSuffix(k, "s")
	}
	return k + "Item"
}

func enumConst(typ, v string) string {
	return "models." + strings.ToUpper(v) + "_" + strings.ToUpper(typ)
}

func knownEnum(typ, v string) bool {
	for _, e := range enums[typ] {
		if e == v {
			return true
		}
	}
	return false
}

// object emits the statements that build v as model key and returns the variable's name.
func (g *gen) object(key string, v jv, hint string) string {
	md := modelTable[key]
	chosen := false
	if md.sub != nil {
		odata, _ := v.get("@odata.type")
		if k, ok := md.sub[odata.s]; ok {
			md, chosen = modelTable[k], true
		} else if k, ok := md.sub[""]; ok && odata.kind != 's' {
			md, chosen = modelTable[k], true
		}
	}
	if strings.HasPrefix(md.ctor, "models.") {
		g.uses["models"] = true
	} else {
		g.uses["communications"] = true
	}
	name := g.newVar(hint)
	g.line("%s := %s", name, md.ctor)
	var extra []string
	for i, k := range v.keys {
		val := v.vals[i]
		if k == "@odata.type" {
			switch {
			case chosen:
				// the constructor sets it
			case md.odata && val.kind == 's':
				g.line("%s.SetOdataType(ptr(%q))", name, val.s)
			default:
				extra = append(extra, fmt.Sprintf("%q: %s", k, goLiteral(val)))
			}
			continue
		}
		p, ok := md.props[k]
		if !ok || !g.set(name, p, k, val) {
			extra = append(extra, fmt.Sprintf("%q: %s", k, goLiteral(val)))
		}
	}
	if len(extra) > 0 {
		g.line("%s.SetAdditionalData(map[string]any{%s})", name, strings.Join(extra, ", "))
	}
	return name
}

// set emits name.Setter(value) for property k; false when the value does not fit the setter.
func (g *gen) set(name string, p prop, k string, v jv) bool {
	switch p.kind {
	case pString:
		if v.kind != 's' {
			return false
		}
		g.line("%s.%s(ptr(%q))", name, p.setter, v.s)
	case pBool:
		if v.kind != 'b' {
			return false
		}
		g.line("%s.%s(ptr(%v))", name, p.setter, v.b)
	case pInt32:
		n, err := strconv.ParseInt(v.s, 10, 32)
		if v.kind != 'n' || err != nil {
			return false
		}
		g.line("%s.%s(ptr(int32(%d)))", name, p.setter, n)
	case pEnum:
		if v.kind != 's' || !knownEnum(p.typ, v.s) {
			return false
		}
		g.uses["models"] = true
		g.line("%s.%s(ptr(%s))", name, p.setter, enumConst(p.typ, v.s))
	case pEnumList:
		if v.kind != 'a' {
			return false
		}
		var cs []string
		for _, e := range v.vals {
			if e.kind != 's' || !knownEnum(p.typ, e.s) {
				return false
			}
			cs = append(cs, enumConst(p.typ, e.s))
		}
		g.uses["models"] = true
		g.line("%s.%s([]models.%s{%s})", name, p.setter, p.typ, strings.Join(cs, ", "))
	case pStringList:
		if v.kind != 'a' {
			return false
		}
		var cs []string
		for _, e := range v.vals {
			if e.kind != 's' {
				return false
			}
			cs = append(cs, strconv.Quote(e.s))
		}
		g.line("%s.%s([]string{%s})", name, p.setter, strings.Join(cs, ", "))
	case pObject:
		if v.kind != 'o' {
			return false
		}
		child := g.object(p.typ, v, k)
		g.line("%s.%s(%s)", name, p.setter, child)
	case pObjectList:
		if v.kind != 'a' {
			return false
		}
		for _, e := range v.vals {
			if e.kind != 'o' {
				return false
			}
		}
		var cs []string
		for _, e := range v.vals {
			cs = append(cs, g.object(p.typ, e, singular(k)))
		}
		g.uses["models"] = true
		g.line("%s.%s([]%s{%s})", name, p.setter, modelTable[p.typ].iface, strings.Join(cs, ", "))
	}
	return true
}

// sdkCall is how the SDK sends a request: the builder chain, the body's model key ("" none),
// and what Post or Get returns ("op": an operation, "call": a call, "value": something else,
// "": only an error).
type sdkCall struct {
	chain   string
	method  string // Post, Get, Delete
	bodyKey string
	returns string
	noBody  bool // Post(ctx, nil): keepAlive takes no body
}

// route maps a Graph path to the SDK's builders; ok is false for a path the generator does not
// know (the generated code then says so).
func route(method, path string) (sdkCall, bool) {
	path, _, _ = strings.Cut(path, "?")
	rest := strings.TrimPrefix(strings.TrimPrefix(path, "/v1.0"), "/beta")
	switch {
	case strings.HasPrefix(rest, "/communications/calls"):
		rest = strings.TrimPrefix(rest, "/communications/calls")
	case strings.HasPrefix(rest, "/app/calls"):
		rest = strings.TrimPrefix(rest, "/app/calls")
	default:
		return sdkCall{}, false
	}
	seg := strings.Split(strings.Trim(rest, "/"), "/")
	if len(seg) == 1 && seg[0] == "" {
		seg = nil
	}
	c := sdkCall{chain: "client.Communications().Calls()"}
	verb := map[string]string{"GET": "Get", "POST": "Post", "DELETE": "Delete"}[method]
	if verb == "" {
		return sdkCall{}, false
	}
	c.method = verb
	if len(seg) == 0 {
		switch verb {
		case "Post":
			c.bodyKey, c.returns = "Call", "call"
		case "Get":
			c.returns = "value"
		default:
			return sdkCall{}, false
		}
		return c, true
	}
	c.chain += fmt.Sprintf(".ByCallId(%q)", seg[0])
	seg = seg[1:]
	switch {
	case len(seg) == 0:
		switch verb {
		case "Get":
			c.returns = "call"
		case "Delete":
		default:
			return sdkCall{}, false
		}
		return c, true
	case len(seg) == 1 && seg[0] == "participants" && verb == "Get":
		c.chain += ".Participants()"
		c.returns = "value"
		return c, true
	case len(seg) == 1 && verb == "Post":
		ret, ok := callActions[seg[0]]
		if !ok {
			return sdkCall{}, false
		}
		c.chain += "." + upperFirst(seg[0]) + "()"
		if seg[0] == "keepAlive" {
			c.noBody = true
		} else {
			c.bodyKey = seg[0]
		}
		if ret {
			c.returns = "op"
		}
		return c, true
	case len(seg) == 2 && seg[0] == "participants" && seg[1] == "invite" && verb == "Post":
		c.chain += ".Participants().Invite()"
		c.bodyKey, c.returns = "participants/invite", "op"
		return c, true
	case len(seg) == 2 && seg[0] == "participants" && (verb == "Get" || verb == "Delete"):
		c.chain += fmt.Sprintf(".Participants().ByParticipantId(%q)", seg[1])
		if verb == "Get" {
			c.returns = "value"
		}
		return c, true
	case len(seg) == 3 && seg[0] == "participants" && verb == "Post" && participantActions[seg[2]]:
		c.chain += fmt.Sprintf(".Participants().ByParticipantId(%q).%s()", seg[1], upperFirst(seg[2]))
		c.bodyKey, c.returns = "participant/"+seg[2], "op"
		return c, true
	case len(seg) == 2 && seg[0] == "operations" && verb == "Get":
		c.chain += fmt.Sprintf(".Operations().ByCommsOperationId(%q)", seg[1])
		c.returns = "op"
		return c, true
	}
	return sdkCall{}, false
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// GoSDK is a Go program that sends r with the Graph SDK against base (`callsim serve
// --auth none`; the SDK's anonymous provider sends no token): its body built with the SDK's
// models, property by property, in the order the request had them. A path the SDK has no
// builder for (callsim's control API, a path the generator does not know) is sent with net/http.
func GoSDK(base string, r Request) (string, error) {
	c, ok := route(r.Method, r.Path)
	if !ok {
		return goHTTP(base, r), nil
	}
	g := &gen{vars: map[string]int{"client": 1, "ctx": 1, "err": 1, "op": 1, "result": 1}, uses: map[string]bool{}}
	var notes []string
	if strings.HasPrefix(r.Path, "/beta") {
		notes = append(notes, "// The request ran on /beta; this is the v1.0 SDK (msgraph-beta-sdk-go has the same builders).")
	}
	if strings.Contains(r.Path, "/app/calls") {
		notes = append(notes, "// The request used the legacy /app/calls path; the SDK sends /communications/calls.")
	}
	arg := "nil"
	if c.bodyKey != "" {
		raw := strings.TrimSpace(string(r.Body))
		if raw == "" {
			raw = "{}"
		}
		v, err := parseJSON([]byte(raw))
		if err != nil {
			return "", err
		}
		if v.kind != 'o' {
			return "", fmt.Errorf("body: a JSON object was expected")
		}
		arg = g.object(c.bodyKey, v, "body")
	}
	args := "ctx, nil"
	switch {
	case c.method == "Post" && !c.noBody:
		args = "ctx, " + arg + ", nil"
	}
	call := c.chain + "." + c.method + "(" + args + ")"
	switch c.returns {
	case "":
		g.line("if err := %s; err != nil {", call)
		g.line("\treturn err")
		g.line("}")
		g.line("fmt.Println(%q)", "done: "+r.Method+" "+r.Path)
	default:
		g.line("result, err := %s", call)
		g.line("if err != nil {")
		g.line("\treturn err")
		g.line("}")
		switch c.returns {
		case "op":
			g.line("if id := result.GetId(); id != nil {")
			g.line("\tfmt.Println(\"operation\", *id)")
			g.line("}")
		case "call":
			g.line("if id := result.GetId(); id != nil {")
			g.line("\tfmt.Println(\"call\", *id)")
			g.line("}")
		default:
			g.line("fmt.Printf(\"%%T\\n\", result)")
		}
	}
	g.uses["fmt"] = true
	var out strings.Builder
	fmt.Fprintf(&out, "// %s %s as it ran, sent with %s.\n", r.Method, r.Path, SDKModule)
	out.WriteString("// Against `callsim serve --auth none` (the anonymous provider sends no token).\n")
	for _, n := range notes {
		out.WriteString(n + "\n")
	}
	out.WriteString("package main\n\nimport (\n\t\"context\"\n")
	if g.uses["fmt"] {
		out.WriteString("\t\"fmt\"\n")
	}
	out.WriteString("\t\"log\"\n\n\t\"github.com/microsoft/kiota-abstractions-go/authentication\"\n")
	out.WriteString("\tmsgraphsdk \"" + SDKModule + "\"\n")
	if g.uses["communications"] {
		out.WriteString("\t\"" + SDKModule + "/communications\"\n")
	}
	if g.uses["models"] {
		out.WriteString("\t\"" + SDKModule + "/models\"\n")
	}
	out.WriteString(")\n\n")
	out.WriteString("func run(ctx context.Context, client *msgraphsdk.GraphServiceClient) error {\n")
	for _, l := range g.lines {
		out.WriteString("\t" + l + "\n")
	}
	out.WriteString("\treturn nil\n}\n\n")
	fmt.Fprintf(&out, `func main() {
	adapter, err := msgraphsdk.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		log.Fatal(err)
	}
	adapter.SetBaseUrl(%q)
	if err := run(context.Background(), msgraphsdk.NewGraphServiceClient(adapter)); err != nil {
		log.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }
`, strings.TrimRight(base, "/")+"/v1.0")
	return out.String(), nil
}

// goHTTP is a net/http program for a request the SDK has no builder for.
func goHTTP(base string, r Request) string {
	var out strings.Builder
	why := "the Graph SDK has no builder for this path"
	if r.IsControl() {
		why = "callsim's control API is not Graph: the SDK does not know it"
	}
	fmt.Fprintf(&out, "// %s %s, as it ran against callsim, sent with net/http (%s).\n", r.Method, r.Path, why)
	out.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"io\"\n\t\"log\"\n\t\"net/http\"\n\t\"strings\"\n)\n\n")
	out.WriteString("func main() {\n")
	fmt.Fprintf(&out, "\treq, err := http.NewRequest(%q, %q, strings.NewReader(%s))\n", r.Method, strings.TrimRight(base, "/")+r.Path, "`"+strings.ReplaceAll(string(r.Body), "`", "`+\"`\"+`")+"`")
	out.WriteString("\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n")
	for _, h := range r.headers() {
		fmt.Fprintf(&out, "\treq.Header.Set(%q, %q)\n", h[0], h[1])
	}
	out.WriteString("\tresp, err := http.DefaultClient.Do(req)\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n")
	out.WriteString("\tdefer resp.Body.Close()\n\tb, _ := io.ReadAll(resp.Body)\n\tfmt.Println(resp.Status, string(b))\n}\n")
	return out.String()
}
