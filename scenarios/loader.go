package scenarios

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/graph"
)

// Keys the loader accepts, per object. The schema test keeps Schema() in step with these.
var (
	topKeys        = []string{"version", "name", "description", "profile", "seed", "clock", "latency", "ringTimeout", "timers", "bot", "identities", "calls", "faults", "steps", "compress", "meetings"}
	clockKeys      = []string{"epoch", "speed"}
	latencyKeys    = []string{"answer", "notify", "establish"}
	rangeKeys      = []string{"min", "max"}
	botKeys        = []string{"displayName", "appId", "tenantId", "callbackUri", "command", "ready"}
	identityKeys   = []string{"name", "displayName", "id", "tenantId", "behaviour", "phone", "application", "guest", "region", "languageId"}
	behaviourKeys  = []string{"answerAfter"}
	callKeys       = []string{"name", "id", "kind", "participants", "deltaRoster", "media"}
	faultKeys      = []string{"name", "match", "fail", "latency", "notify", "delay", "transport", "token", "media", "status", "times", "probability", "transfer", "prompt", "record"}
	faultMatchKeys = []string{"invitee", "call", "nth", "operation"}
	customFailKeys = []string{"code", "subcode", "message"}
	faultLatKeys   = []string{"answer", "notify"}
	stepCommonKeys = []string{"id", "at", "expectError"}
	inviteeKeys    = []string{"name", "displayName", "id", "region", "languageId", "endpointType"}
	captionKeys    = []string{"text", "for"}
	expectKeys     = []string{"match", "all", "none", "count", "ordered", "within", "since"}
	countKeys      = []string{"pattern", "min", "max"}
	patternKeys    = []string{"changeType", "resource", "resourceUrl", "resourceData", "@odata.type"}
	expectErrKeys  = []string{"status", "code", "message"}
	operatorNames  = []string{"$regex", "$exists", "$ne", "$in", "$len", "$gt", "$gte", "$lt", "$lte"}

	behaviourNames = []string{sim.BehaviourAnswer, sim.BehaviourDecline, sim.BehaviourBusy, sim.BehaviourNoAnswer, sim.BehaviourOffline}
	callKindNames  = []string{sim.Group, sim.PeerToPeer}
	notifyActions  = []string{"drop", "duplicate", "delay", "reorder"}
	transportModes = []string{"5xx", "timeout", "refuse"}
	tokenModes     = []string{"expired", "badSignature", "missing"}
	mediaModes     = []string{sim.MediaNeverActive}
	changeTypes    = []string{"created", "updated", "deleted"}
	audiences      = []string{"presenter", "audience"}
	endpointTypes  = []string{"default", "voicemail", "skypeForBusiness", "skypeForBusinessVoipPhone", "unknownFutureValue"}
)

// defaultWithin is an expectation's window when it gives no within.
const defaultWithin = 30 * time.Second

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// checker collects every problem of one file.
type checker struct {
	file  string
	lines []string
	errs  []Error
}

func (c *checker) errAt(line, col int, format string, args ...any) {
	src := ""
	if line >= 1 && line <= len(c.lines) {
		src = strings.TrimRight(c.lines[line-1], "\r")
	}
	c.errs = append(c.errs, Error{File: c.file, Line: line, Col: max(col, 1), Msg: fmt.Sprintf(format, args...), Source: src})
}

func (c *checker) err(n *node, format string, args ...any) {
	if n == nil {
		c.errAt(1, 1, format, args...)
		return
	}
	c.errAt(n.line, n.col, format, args...)
}

// object checks that n is a mapping whose keys are all allowed, reporting the others.
func (c *checker) object(n *node, what string, allowed []string) bool {
	if n == nil {
		return false
	}
	if n.k != kMap {
		c.err(n, "%s: expected a mapping, got %s", what, n.k)
		return false
	}
	for _, k := range n.keys {
		if !contains(allowed, k.s) {
			c.err(k, "unknown key %q in %s (allowed: %s)%s", k.s, what, listNames(allowed), didYouMean(k.s, allowed))
		}
	}
	return true
}

func (c *checker) require(n *node, what string, keys ...string) bool {
	ok := true
	for _, k := range keys {
		if n.get(k) == nil {
			c.err(n, "%s: missing required key %q", what, k)
			ok = false
		}
	}
	return ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str reads a string value.
func (c *checker) str(n *node, what string) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.k != kString {
		c.err(n, "%s: expected a string, got %s", what, describe(n))
		return "", false
	}
	return n.s, true
}

// text reads a free text value; numbers and booleans are taken as written.
func (c *checker) text(n *node, what string) (string, bool) {
	if n == nil {
		return "", false
	}
	switch n.k {
	case kString, kNumber, kBool:
		return n.s, true
	}
	c.err(n, "%s: expected text, got %s", what, describe(n))
	return "", false
}

func (c *checker) name(n *node, what string) (string, bool) {
	s, ok := c.str(n, what)
	if !ok {
		return "", false
	}
	if !nameRE.MatchString(s) {
		c.err(n, "%s: %q is not a valid name (letters, digits, '.', '_' and '-', starting with a letter or digit)", what, s)
		return "", false
	}
	return s, true
}

func (c *checker) enum(n *node, what string, options []string) (string, bool) {
	s, ok := c.str(n, what)
	if !ok {
		return "", false
	}
	if !contains(options, s) {
		c.err(n, "%s: %q is not one of %s%s", what, s, listNames(options), didYouMean(s, options))
		return "", false
	}
	return s, true
}

func (c *checker) boolean(n *node, what string) (bool, bool) {
	if n == nil {
		return false, false
	}
	if n.k != kBool {
		c.err(n, "%s: expected true or false, got %s", what, describe(n))
		return false, false
	}
	return n.b, true
}

func (c *checker) integer(n *node, what string, lo, hi int64) (int64, bool) {
	if n == nil {
		return 0, false
	}
	if n.k != kNumber || !n.isInt || n.i < lo || n.i > hi || (!n.neg && n.u > math.MaxInt64) {
		if n.k == kNumber && n.isInt {
			c.err(n, "%s: %s is out of range (%d to %d)", what, n.s, lo, hi)
		} else {
			c.err(n, "%s: expected a whole number, got %s", what, describe(n))
		}
		return 0, false
	}
	return n.i, true
}

func (c *checker) number(n *node, what string) (float64, bool) {
	if n == nil {
		return 0, false
	}
	if n.k != kNumber || math.IsNaN(n.f) || math.IsInf(n.f, 0) {
		c.err(n, "%s: expected a number, got %s", what, describe(n))
		return 0, false
	}
	return n.f, true
}

func (c *checker) duration(n *node, what string) (time.Duration, bool) {
	if n == nil {
		return 0, false
	}
	if n.k == kNumber {
		c.err(n, "%s: expected a duration such as 5s, 250ms or 1m30s, got the number %s (add a unit)", what, n.s)
		return 0, false
	}
	if n.k != kString {
		c.err(n, "%s: expected a duration such as 5s, 250ms or 1m30s, got %s", what, describe(n))
		return 0, false
	}
	d, err := time.ParseDuration(n.s)
	if err != nil {
		c.err(n, "%s: %q is not a duration (write it like 5s, 250ms or 1m30s)", what, n.s)
		return 0, false
	}
	if d < 0 {
		c.err(n, "%s: a duration cannot be negative", what)
		return 0, false
	}
	if d > 1000*time.Hour {
		c.err(n, "%s: %s is longer than the 1000h a scenario may span", what, n.s)
		return 0, false
	}
	return d, true
}

func (c *checker) list(n *node, what string) ([]*node, bool) {
	if n == nil {
		return nil, false
	}
	if n.k != kSeq {
		c.err(n, "%s: expected a list, got %s", what, describe(n))
		return nil, false
	}
	return n.vals, true
}

func describe(n *node) string {
	switch n.k {
	case kString:
		return fmt.Sprintf("the string %q", n.s)
	case kNumber:
		return "the number " + n.s
	case kBool:
		return "the boolean " + n.s
	}
	return n.k.String()
}

// state is what the loader knows while walking the steps in order.
type state struct {
	idents     []string // directory names, then inline invitees as they appear
	identIdx   map[string]*sim.Identity
	calls      []string // call names as they appear
	callKind   map[string]string
	stepIDs    map[string]*step
	stepOrder  []string
	allIdents  map[string]bool // every identity name, id and display name in the file
	faultRefs  []*node         // fault invitee references, checked once every name is known
	faultCalls []*node
	allCalls   map[string]bool
	meetings   []string // meeting names (meetings.go)
	// open: the names are a live world's, not the file's (ParseStep); any call or identity
	// name is taken, and the engine says whether it exists.
	open bool
}

// Parse loads a scenario from source bytes. filename is used in messages and for the short name.
// An invalid file gives an error of type *Errors listing every problem. Parse checks the file's
// shape (keys, types, names, times); when that is clean it plays the file once, headless, as a
// dry run, and reports each bot action the service refused there (without the step's
// expectError) at the place in the step the refusal is about: Graph's rules are the engine's.
func Parse(filename string, src []byte) (*Scenario, error) {
	return parse(filename, src, false)
}

// parse is Parse; test: the file is a bot test (ParseTest) even if nothing in it says so.
func parse(filename string, src []byte, test bool) (*Scenario, error) {
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		src = src[3:] // a UTF-8 byte order mark (editors on Windows write one) is not part of the YAML
	}
	c := &checker{file: filename, lines: strings.Split(string(src), "\n")}
	s := &Scenario{name: shortName(filename), file: filename, lines: c.lines, profile: "v1", seed: 1}
	if len(src) > MaxFileBytes {
		c.errAt(1, 1, "the file is %d bytes, more than the %d callsim reads as a scenario", len(src), MaxFileBytes)
	} else if !utf8.Valid(src) {
		c.errAt(1, 1, "the file is not valid UTF-8")
	} else if line, col, deep := tooDeep(src); deep {
		c.errAt(line, col, "values nest more than %d levels deep here (callsim reads at most %d)", MaxDepth, MaxDepth)
	} else if root := parseYAML(c, src); root != nil {
		s.test = test || isTestFile(root)
		c.scenario(s, root)
	}
	if len(c.errs) == 0 && !s.test { // a test's world waits for a bot: a dry run without one says nothing
		// the engine's rules live in the engine: play the file once and report what it refused
		for _, r := range s.dryRun() {
			c.err(r.at, "%s", r.msg)
		}
	}
	if len(c.errs) == 0 {
		// a step's node tree is decoded into the step; only a dry run's refusals point into
		// it, and that run is over: a long scenario need not keep a tree per step
		for _, sp := range s.steps {
			sp.body = nil
		}
	}
	if len(c.errs) > 0 {
		e := &Errors{List: c.errs}
		e.sort()
		return nil, e
	}
	return s, nil
}

func (c *checker) scenario(s *Scenario, root *node) {
	if !c.object(root, "scenario", topKeys) {
		return
	}
	if v := root.get("version"); v == nil {
		c.err(root, "missing required key \"version\" (write version: 1)")
	} else if n, ok := c.integer(v, "version", math.MinInt64, math.MaxInt64); ok && n != 1 {
		c.err(v, "version: this callsim reads version 1, the file says %d", n)
	}
	if v := root.get("name"); v == nil {
		c.err(root, "missing required key \"name\" (a one-line title)")
	} else if t, ok := c.text(v, "name"); ok {
		s.title = strings.TrimSpace(t)
	}
	if v := root.get("description"); v != nil {
		if t, ok := c.text(v, "description"); ok {
			s.desc = strings.TrimSpace(t)
		}
	}
	if v := root.get("profile"); v != nil {
		if p, ok := c.enum(v, "profile", graph.ProfileNames()); ok {
			s.profile = p
		}
	}
	if v := root.get("seed"); v != nil {
		if v.k != kNumber || !v.isInt || v.neg {
			c.err(v, "seed: expected a whole number of 0 or more, got %s", describe(v))
		} else {
			s.seed = v.u
		}
	}
	if v := root.get("clock"); v != nil && c.object(v, "clock", clockKeys) {
		if e := v.get("epoch"); e != nil {
			if str, ok := c.str(e, "clock.epoch"); ok {
				t, err := time.Parse(time.RFC3339, str)
				if err != nil {
					c.err(e, "clock.epoch: %q is not an RFC 3339 time such as 2025-01-06T09:00:00Z", str)
				} else {
					s.epoch = t.UTC()
				}
			}
		}
		if sp := v.get("speed"); sp != nil {
			if f, ok := c.number(sp, "clock.speed"); ok {
				if f <= 0 {
					c.err(sp, "clock.speed: must be more than 0")
				} else {
					s.speed = f
				}
			}
		}
	}
	if v := root.get("latency"); v != nil && c.object(v, "latency", latencyKeys) {
		for i, k := range v.keys {
			r, ok := c.rangeOf(v.vals[i], "latency."+k.s)
			if !ok {
				continue
			}
			switch k.s {
			case "answer":
				s.latency.Answer = r
			case "notify":
				s.latency.Notify = r
			case "establish":
				s.latency.Establish = r
			}
		}
	}
	if v := root.get("ringTimeout"); v != nil {
		if d, ok := c.duration(v, "ringTimeout"); ok {
			if d == 0 {
				c.err(v, "ringTimeout: must be more than 0")
			}
			s.ringTimeout = d
		}
	}
	if v := root.get("timers"); v != nil && c.object(v, "timers", sim.TimerNames()) {
		for i, k := range v.keys {
			if _, known := sim.LookupTimer(k.s); !known {
				continue // reported by object
			}
			d, ok := c.duration(v.vals[i], "timers."+k.s)
			if !ok {
				continue
			}
			if d == 0 {
				c.err(v.vals[i], "timers.%s: must be more than 0", k.s)
				continue
			}
			if k.s == "ringTimeout" && root.get("ringTimeout") != nil {
				c.err(k, "timers.ringTimeout: the top-level ringTimeout sets it too; keep one")
				continue
			}
			s.timers = append(s.timers, timerSetting{name: k.s, d: d})
		}
	}
	if v := root.get("bot"); v != nil && c.object(v, "bot", botKeys) {
		for i, k := range v.keys {
			t, ok := c.text(v.vals[i], "bot."+k.s)
			if !ok {
				continue
			}
			switch k.s {
			case "displayName":
				s.bot.DisplayName = t
			case "appId":
				s.bot.AppID = t
			case "tenantId":
				s.bot.TenantID = t
			case "callbackUri":
				s.bot.CallbackURI = t
			case "command":
				s.botCommand = strings.TrimSpace(t)
			case "ready":
				s.botReady = t
			}
		}
	}

	if v := root.get("compress"); v != nil {
		s.compress, _ = c.boolean(v, "compress")
	}

	st := &state{identIdx: map[string]*sim.Identity{}, callKind: map[string]string{}, stepIDs: map[string]*step{},
		allIdents: map[string]bool{}, allCalls: map[string]bool{}}
	if v := root.get("identities"); v != nil {
		if items, ok := c.list(v, "identities"); ok {
			for _, it := range items {
				if id, ok := c.identity(it, st); ok {
					s.identities = append(s.identities, id)
				}
			}
		}
	}
	for i := range s.identities {
		st.identIdx[s.identities[i].Name] = &s.identities[i]
	}
	if v := root.get("calls"); v != nil {
		if items, ok := c.list(v, "calls"); ok {
			for _, it := range items {
				if cs, ok := c.callSetup(it, st); ok {
					s.calls = append(s.calls, cs)
				}
			}
		}
	}
	if v := root.get("meetings"); v != nil {
		if items, ok := c.list(v, "meetings"); ok {
			for _, it := range items {
				if ms, ok := c.meetingSetup(it, st); ok {
					s.meetings = append(s.meetings, ms)
				}
			}
		}
	}
	// call names created by steps may appear in faults' match.call; collect them first
	if v := root.get("steps"); v != nil && v.k == kSeq {
		for _, it := range v.vals {
			for _, spec := range stepSpecs {
				if b := it.get(spec.kind); b != nil && spec.namesCall {
					if n := b.get("name"); n != nil && n.k == kString {
						st.allCalls[n.s] = true
					}
				}
			}
		}
	}
	if v := root.get("faults"); v != nil {
		if items, ok := c.list(v, "faults"); ok {
			for i, it := range items {
				if r, ok := c.fault(it, fmt.Sprintf("faults[%d]", i), st); ok {
					s.faults = append(s.faults, r)
				}
			}
		}
	}
	if v := root.get("steps"); v != nil {
		if items, ok := c.list(v, "steps"); ok && len(items) > MaxSteps {
			c.err(items[MaxSteps], "steps: more than %d steps (callsim plays at most %d)", MaxSteps, MaxSteps)
		} else if ok {
			c.steps(s, items, st)
		}
	}
	c.checkFaultRefs(st)
}

func (c *checker) rangeOf(n *node, what string) (sim.Range, bool) {
	if n == nil {
		return sim.Range{}, false
	}
	if n.k == kString || n.k == kNumber {
		d, ok := c.duration(n, what)
		return sim.Range{Min: d, Max: d}, ok
	}
	if !c.object(n, what, rangeKeys) {
		return sim.Range{}, false
	}
	if !c.require(n, what, "min", "max") {
		return sim.Range{}, false
	}
	lo, ok1 := c.duration(n.get("min"), what+".min")
	hi, ok2 := c.duration(n.get("max"), what+".max")
	if !ok1 || !ok2 {
		return sim.Range{}, false
	}
	if hi < lo {
		c.err(n.get("max"), "%s: max (%s) is less than min (%s)", what, hi, lo)
		return sim.Range{}, false
	}
	return sim.Range{Min: lo, Max: hi}, true
}

func (c *checker) identity(n *node, st *state) (sim.Identity, bool) {
	if !c.object(n, "identity", identityKeys) || !c.require(n, "identity", "name") {
		return sim.Identity{}, false
	}
	id := sim.Identity{Kind: sim.KindUser}
	ok := true
	name, nok := c.name(n.get("name"), "identity name")
	if nok {
		if _, dup := st.identIdx[name]; dup || contains(st.idents, name) {
			c.err(n.get("name"), "identity %q is defined twice", name)
			ok = false
		}
		id.Name = name
	} else {
		ok = false
	}
	strField := func(key string, dst *string) {
		if v := n.get(key); v != nil {
			if t, tok := c.text(v, "identity "+key); tok {
				*dst = t
			} else {
				ok = false
			}
		}
	}
	strField("displayName", &id.DisplayName)
	strField("id", &id.ID)
	strField("tenantId", &id.TenantID)
	strField("region", &id.Region)
	strField("languageId", &id.LanguageID)
	kinds := 0
	if v := n.get("phone"); v != nil {
		kinds++
		if t, tok := c.text(v, "identity phone"); tok {
			id.Kind = sim.KindPhone
			if id.ID == "" {
				id.ID = t
			}
			if id.DisplayName == "" {
				id.DisplayName = t
			}
		}
	}
	for _, k := range []string{"application", "guest"} {
		if v := n.get(k); v != nil {
			if b, bok := c.boolean(v, "identity "+k); bok && b {
				kinds++
				if k == "application" {
					id.Kind = sim.KindApplication
				} else {
					id.Kind = sim.KindGuest
				}
			}
		}
	}
	if kinds > 1 {
		c.err(n, "identity %q: phone, application and guest exclude each other", id.Name)
		ok = false
	}
	if v := n.get("behaviour"); v != nil {
		if v.k == kMap {
			if c.object(v, "behaviour", behaviourKeys) && c.require(v, "behaviour", "answerAfter") {
				if d, dok := c.duration(v.get("answerAfter"), "behaviour.answerAfter"); dok {
					id.Behaviour = sim.Behaviour{Kind: sim.BehaviourAnswer, AnswerAfter: d}
				}
			}
		} else if b, bok := c.enum(v, "behaviour", behaviourNames); bok {
			id.Behaviour.Kind = b
		}
	}
	if ok {
		st.idents = append(st.idents, id.Name)
		st.allIdents[id.Name] = true
		if id.ID != "" {
			st.allIdents[strings.ToLower(id.ID)] = true
		}
		if id.DisplayName != "" {
			st.allIdents[strings.ToLower(id.DisplayName)] = true
		}
	}
	return id, ok
}

func (c *checker) knownIdentity(n *node, what string, st *state) (string, bool) {
	s, ok := c.str(n, what)
	if !ok {
		return "", false
	}
	if !st.open && !contains(st.idents, s) {
		c.err(n, "unknown identity %q (defined: %s)%s", s, listNames(st.idents), didYouMean(s, st.idents))
		return "", false
	}
	return s, true
}

func (c *checker) knownCall(n *node, what string, st *state) (string, bool) {
	s, ok := c.str(n, what)
	if !ok {
		return "", false
	}
	if _, known := st.callKind[s]; !known && !st.open {
		c.err(n, "unknown call %q (defined: %s)%s", s, listNames(st.calls), didYouMean(s, st.calls))
		return "", false
	}
	return s, true
}

func (c *checker) callSetup(n *node, st *state) (sim.CallSetup, bool) {
	if !c.object(n, "call", callKeys) || !c.require(n, "call", "name", "kind", "participants") {
		return sim.CallSetup{}, false
	}
	cs := sim.CallSetup{}
	ok := true
	name, nok := c.name(n.get("name"), "call name")
	if nok {
		if _, dup := st.callKind[name]; dup {
			c.err(n.get("name"), "call %q is defined twice", name)
			ok = false
		}
		cs.Name = name
	} else {
		ok = false
	}
	if v := n.get("id"); v != nil {
		if t, tok := c.text(v, "call id"); tok {
			cs.ID = t
		} else {
			ok = false
		}
	}
	kind, kok := c.enum(n.get("kind"), "call kind", callKindNames)
	ok = ok && kok
	cs.Kind = kind
	if items, lok := c.list(n.get("participants"), "call participants"); lok {
		for _, it := range items {
			if p, pok := c.knownIdentity(it, "call participant", st); pok {
				if contains(cs.Participants, p) {
					c.err(it, "%q is listed twice in call %q", p, cs.Name)
					ok = false
				}
				cs.Participants = append(cs.Participants, p)
			} else {
				ok = false
			}
		}
		if kok && kind == sim.PeerToPeer && len(items) != 1 {
			c.err(n.get("participants"), "a peer-to-peer call has exactly one participant besides the bot, got %d", len(items))
			ok = false
		}
	} else {
		ok = false
	}
	if v := n.get("deltaRoster"); v != nil {
		if b, bok := c.boolean(v, "deltaRoster"); bok {
			cs.Delta = b
		}
	}
	if v := n.get("media"); v != nil {
		if m, mok := c.enum(v, "call media", []string{sim.MediaServiceHosted, sim.MediaAppHosted}); mok {
			cs.Media = m
		} else {
			ok = false
		}
	}
	if nok {
		st.calls = append(st.calls, name)
		st.callKind[name] = kind
		st.allCalls[name] = true
	}
	return cs, ok
}

// fault reads a fault rule (the faults: list and the fault: step share the shape).
func (c *checker) fault(n *node, what string, st *state) (sim.FaultRule, bool) {
	if !c.object(n, "fault", faultKeys) {
		return sim.FaultRule{}, false
	}
	r := sim.FaultRule{}
	ok := true
	if v := n.get("name"); v != nil {
		if s, nok := c.name(v, "fault name"); nok {
			r.Name = s
		} else {
			ok = false
		}
	}
	if m := n.get("match"); m != nil {
		if c.object(m, "fault match", faultMatchKeys) {
			if v := m.get("invitee"); v != nil {
				if s, sok := c.str(v, "match.invitee"); sok {
					r.Invitee = s
					st.faultRefs = append(st.faultRefs, v)
				} else {
					ok = false
				}
			}
			if v := m.get("call"); v != nil {
				if s, sok := c.str(v, "match.call"); sok {
					r.Call = s
					st.faultCalls = append(st.faultCalls, v)
				} else {
					ok = false
				}
			}
			if v := m.get("nth"); v != nil {
				if i, iok := c.integer(v, "match.nth", 1, 1<<30); iok {
					r.Nth = int(i)
				} else {
					ok = false
				}
			}
			if v := m.get("operation"); v != nil {
				if _, eok := c.enum(v, "match.operation", []string{"invite"}); !eok {
					ok = false
				}
			}
		} else {
			ok = false
		}
	}
	var effects []string
	for _, k := range []string{"fail", "latency", "notify", "transport", "token", "media", "transfer", "prompt", "record"} {
		if n.get(k) != nil {
			effects = append(effects, k)
		}
	}
	switch len(effects) {
	case 0:
		c.err(n, "%s: a fault needs one effect: fail, latency, notify, transport, token, media, transfer, prompt or record", what)
		return r, false
	case 1:
	default:
		c.err(n.get(effects[1]), "%s: a fault has one effect; this one has %s", what, strings.Join(effects, " and "))
		return r, false
	}
	if v := n.get("delay"); v != nil && effects[0] != "notify" && effects[0] != "prompt" && effects[0] != "record" {
		c.err(v, "%s: delay only goes with notify: delay, prompt or record", what)
		ok = false
	}
	if v := n.get("status"); v != nil && effects[0] != "transport" {
		c.err(v, "%s: status only goes with transport", what)
		ok = false
	}
	v := n.get(effects[0])
	switch effects[0] {
	case "fail", "transfer": // transfer: a transfer target fails as fail: makes an invitee fail
		r.Kind = sim.FaultInvite
		if effects[0] == "transfer" {
			r.Kind = sim.FaultTransfer
		}
		if v.k == kMap {
			if c.object(v, "fail", customFailKeys) && c.require(v, "fail", "code") {
				f := graph.Failure{Name: "custom", Message: "Simulated failure."}
				code, cok := c.integer(v.get("code"), "fail.code", 100, 999999)
				f.Code = int(code)
				ok = ok && cok
				if sv := v.get("subcode"); sv != nil {
					sub, sok := c.integer(sv, "fail.subcode", 0, math.MaxInt32)
					f.Subcode = int(sub)
					ok = ok && sok
				}
				if mv := v.get("message"); mv != nil {
					if t, tok := c.text(mv, "fail.message"); tok {
						f.Message = t
					}
				}
				r.Fail = &f
			} else {
				ok = false
			}
		} else if name, sok := c.str(v, "fail"); sok {
			f, found := graph.LookupFailure(name)
			if !found {
				c.err(v, "unknown failure %q (catalogue: %s)%s", name, listNames(graph.CatalogueNames()), didYouMean(name, graph.CatalogueNames()))
				ok = false
			} else {
				r.Fail = &f
			}
		} else {
			ok = false
		}
	case "latency":
		r.Kind = sim.FaultLatency
		if c.object(v, "fault latency", faultLatKeys) {
			if len(v.keys) != 1 {
				c.err(v, "fault latency: give exactly one of answer or notify")
				ok = false
			} else if rg, rok := c.rangeOf(v.vals[0], "latency."+v.keys[0].s); rok {
				r.Latency = v.keys[0].s
				r.Range = &rg
			} else {
				ok = false
			}
		} else {
			ok = false
		}
	case "notify":
		r.Kind = sim.FaultNotify
		if a, aok := c.enum(v, "notify", notifyActions); aok {
			r.Action = a
			if a == "delay" {
				if d := n.get("delay"); d == nil {
					c.err(v, "notify: delay needs delay: DURATION next to it")
					ok = false
				} else if dd, dok := c.duration(d, "delay"); dok {
					r.Delay = dd
				} else {
					ok = false
				}
			} else if d := n.get("delay"); d != nil {
				c.err(d, "delay only goes with notify: delay")
				ok = false
			}
		} else {
			ok = false
		}
	case "transport":
		r.Kind = sim.FaultTransport
		if m, mok := c.enum(v, "transport", transportModes); mok {
			r.Mode = m
		} else {
			ok = false
		}
		if sv := n.get("status"); sv != nil {
			if i, iok := c.integer(sv, "status", 100, 599); iok {
				r.Status = int(i)
			} else {
				ok = false
			}
		}
	case "token":
		r.Kind = sim.FaultToken
		if m, mok := c.enum(v, "token", tokenModes); mok {
			r.Mode = m
		} else {
			ok = false
		}
	case "media":
		r.Kind = sim.FaultMedia
		if m, mok := c.enum(v, "media", mediaModes); mok {
			r.Mode = m
		} else {
			ok = false
		}
	case "prompt", "record": // the media faults (sim/faults_media.go)
		r.Kind = sim.FaultPrompt
		modes := []string{"fail"}
		if effects[0] == "record" {
			r.Kind, modes = sim.FaultRecord, sim.RecordCutNames()
		}
		if m, mok := c.enum(v, effects[0], modes); mok {
			r.Mode = m
		} else {
			ok = false
		}
		if d := n.get("delay"); d != nil {
			if dd, dok := c.duration(d, "delay"); dok {
				r.Delay = dd
			} else {
				ok = false
			}
		}
	}
	if v := n.get("times"); v != nil {
		if i, iok := c.integer(v, "times", 0, 1<<30); iok {
			r.Times = int(i)
		} else {
			ok = false
		}
	}
	if v := n.get("probability"); v != nil {
		if f, fok := c.number(v, "probability"); fok {
			if f < 0 || f > 1 {
				c.err(v, "probability: must be between 0 and 1, got %s", v.s)
				ok = false
			}
			r.Probability = f
		} else {
			ok = false
		}
	}
	if ok {
		if err := r.Validate(); err != nil {
			c.err(n, "%s", err)
			ok = false
		}
	}
	return r, ok
}

func (c *checker) checkFaultRefs(st *state) {
	for _, v := range st.faultRefs {
		if !st.allIdents[v.s] && !st.allIdents[strings.ToLower(v.s)] {
			c.err(v, "unknown identity %q in fault match (defined: %s)%s", v.s, listNames(st.idents), didYouMean(v.s, st.idents))
		}
	}
	for _, v := range st.faultCalls {
		if !st.allCalls[v.s] {
			names := append([]string(nil), st.calls...)
			c.err(v, "unknown call %q in fault match (defined: %s)%s", v.s, listNames(names), didYouMean(v.s, names))
		}
	}
}

func (c *checker) steps(s *Scenario, items []*node, st *state) {
	var tmin, tmax time.Duration // lower and upper bounds of the virtual time a step starts at
	var lastAt *node
	for i, it := range items {
		sp := &step{index: i, line: it.line, col: it.col}
		if !c.object(it, "step", append(append([]string(nil), stepCommonKeys...), stepKinds...)) {
			continue
		}
		var kinds []*node
		for j, k := range it.keys {
			if contains(stepKinds, k.s) {
				kinds = append(kinds, it.keys[j])
			}
		}
		if len(kinds) == 0 {
			c.err(it, "a step needs one of %s", listNames(stepKinds))
			continue
		}
		if len(kinds) > 1 {
			c.err(kinds[1], "a step has one kind; this one has both %s and %s (split it into two steps)", kinds[0].s, kinds[1].s)
			continue
		}
		sp.kind = kinds[0].s
		if s.test && botActions[sp.kind] {
			c.botActionInTest(kinds[0])
			continue
		}
		if !s.test && sp.kind == stRestartBot {
			c.err(kinds[0], "restartBot is a bot test's step: callsim test restarts the bot under test (a file is a test when it has bot.command, bot.ready or an expectRequest, or is run with callsim test)")
			continue
		}
		body := it.get(sp.kind)
		if s.test && sp.kind == "join" {
			c.joinResponseInTest(body) // steps_policy.go
		}
		if v := it.get("id"); v != nil {
			if id, ok := c.name(v, "step id"); ok {
				switch {
				case st.stepIDs[id] != nil:
					c.err(v, "step id %q is already used at line %d", id, st.stepIDs[id].line)
				case contains(st.calls, id) || st.allCalls[id]:
					c.err(v, "step id %q is also a call name; ${%s} would be ambiguous", id, id)
				case contains(st.idents, id):
					c.err(v, "step id %q is also an identity name; ${%s} would be ambiguous", id, id)
				default:
					sp.id = id
				}
			}
		}
		if v := it.get("at"); v != nil {
			if d, ok := c.duration(v, "at"); ok {
				if d < tmin {
					prev := "the waits before it"
					if lastAt != nil {
						prev = fmt.Sprintf("the step at line %d", lastAt.line)
					}
					c.err(v, "at: %s goes backwards: %s already brings the run to %s", v.s, prev, tmin)
				}
				sp.at, sp.hasAt = d, true
				tmin = max(tmin, d)
				tmax = max(tmax, d)
				lastAt = v
			}
		}
		if v := it.get("expectError"); v != nil {
			if !botActions[sp.kind] {
				c.err(v, "expectError only goes with a bot action (%s), not %s", strings.Join(botNames, ", "), sp.kind)
			} else if c.object(v, "expectError", expectErrKeys) {
				if len(v.keys) == 0 {
					c.err(v, "expectError: give at least one of status, code, message")
				}
				if sv := v.get("status"); sv != nil && sv.k == kNumber && (!sv.isInt || sv.i < 400 || sv.i > 599) {
					c.err(sv, "expectError.status: an error status is between 400 and 599, got %s", sv.s)
				}
				for j := range v.vals {
					c.pattern(v.vals[j], "expectError."+v.keys[j].s, st, false)
				}
				sp.expectErr = v
			}
		}
		sp.body = body
		c.decodeStep(sp, body, st)
		switch sp.kind {
		case stWait:
			tmin += sp.wait
			tmax += sp.wait
		case stExpect, stExpectRequest:
			if x := sp.exp; x != nil {
				w := x.within
				if !x.hasWithin {
					w = defaultWithin
				}
				if (x.mode == exNone || x.mode == exCount) && x.since == "" {
					tmin += w
				}
				tmax += w
			}
		}
		if sp.id != "" {
			st.stepIDs[sp.id] = sp
			st.stepOrder = append(st.stepOrder, sp.id)
		}
		s.steps = append(s.steps, sp)
	}
	s.horizon = tmax
}

// newCallName reads the name of a call a step creates; it must not name an existing call.
func (c *checker) newCallName(n *node, what string, st *state) (string, bool) {
	name, ok := c.name(n, what)
	if ok {
		if _, dup := st.callKind[name]; dup {
			c.err(n, "a call named %q already exists", name)
			return name, false
		}
	}
	return name, ok
}

// addCall makes a call name known to the steps after this one.
func (st *state) addCall(name, kind string) {
	st.calls = append(st.calls, name)
	st.callKind[name] = kind
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

func describeExpect(x *expectation) string {
	w := x.within
	if !x.hasWithin {
		w = defaultWithin
	}
	var s string
	what := noun(x)
	switch x.mode {
	case exMatch:
		s = "expect a matching " + what
	case exAll:
		s = fmt.Sprintf("expect %d %ss", len(x.patterns), what)
		if x.ordered {
			s += " in order"
		}
	case exNone:
		s = "expect no matching " + what
	case exCount:
		s = "expect a count of " + what + "s"
	}
	if x.since != "" {
		s += " since " + x.since
		if !x.hasWithin && x.mode == exNone {
			return s
		}
	}
	return s + " within " + w.String()
}

// invitee reads one invite participant: a directory name or a map.
func (c *checker) invitee(n *node, st *state) (sim.InviteeSpec, bool) {
	if n.k == kString {
		name, ok := c.knownIdentity(n, "invite participant", st)
		return sim.InviteeSpec{Name: name}, ok
	}
	if !c.object(n, "invite participant", inviteeKeys) || !c.require(n, "invite participant", "name") {
		return sim.InviteeSpec{}, false
	}
	spec := sim.InviteeSpec{}
	name, ok := c.name(n.get("name"), "invite participant name")
	if !ok {
		return spec, false
	}
	spec.Name = name
	for _, k := range []string{"displayName", "id", "region", "languageId", "endpointType"} {
		v := n.get(k)
		if v == nil {
			continue
		}
		var t string
		var tok bool
		if k == "endpointType" {
			t, tok = c.enum(v, "endpointType", endpointTypes)
		} else {
			t, tok = c.text(v, "invite participant "+k)
		}
		if !tok {
			ok = false
			continue
		}
		switch k {
		case "displayName":
			spec.DisplayName = t
		case "id":
			spec.ID = t
		case "region":
			spec.Region = t
		case "languageId":
			spec.LanguageID = t
		case "endpointType":
			spec.EndpointType = t
		}
	}
	if !contains(st.idents, name) {
		if spec.DisplayName == "" {
			c.err(n.get("name"), "unknown identity %q: a new inline invitee needs displayName (defined: %s)%s", name, listNames(st.idents), didYouMean(name, st.idents))
			return spec, false
		}
		st.idents = append(st.idents, name)
		st.allIdents[name] = true
		st.allIdents[strings.ToLower(spec.DisplayName)] = true
		if spec.ID != "" {
			st.allIdents[strings.ToLower(spec.ID)] = true
		}
	} else if spec.ID != "" || spec.DisplayName != "" {
		if d := st.identIdx[name]; d != nil {
			if spec.ID != "" && !strings.EqualFold(spec.ID, d.ID) {
				c.err(n.get("id"), "identity %q is in the directory with another id; drop id here or use a new name", name)
				ok = false
			}
		}
	}
	return spec, ok
}

func (c *checker) expect(v *node, st *state) *expectation { return c.expectOf(v, st, false) }

// expectOf reads an expect step's body, or with req an expectRequest's (request patterns).
func (c *checker) expectOf(v *node, st *state, req bool) *expectation {
	what := stExpect
	if req {
		what = stExpectRequest
	}
	if !c.object(v, what, expectKeys) {
		return nil
	}
	x := &expectation{line: v.line, col: v.col, req: req}
	pattern := func(n *node, what string) bool {
		if req {
			return c.requestPattern(n, what, st)
		}
		return c.pattern(n, what, st, true)
	}
	var modes []string
	for _, k := range v.keys {
		if contains([]string{exMatch, exAll, exNone, exCount}, k.s) {
			modes = append(modes, k.s)
		}
	}
	if len(modes) != 1 {
		if len(modes) == 0 {
			c.err(v, "%s needs one of match, all, none or count", what)
		} else {
			c.err(v.get(modes[1]), "%s takes one of match, all, none or count; this one has %s", what, strings.Join(modes, " and "))
		}
		return nil
	}
	x.mode = modes[0]
	ok := true
	if w := v.get("within"); w != nil {
		d, dok := c.duration(w, "within")
		ok = ok && dok
		x.within, x.hasWithin = d, true
	}
	if s := v.get("since"); s != nil {
		if id, sok := c.str(s, "since"); sok {
			if st.stepIDs[id] == nil {
				c.err(s, "since: no earlier step has id %q (ids so far: %s)%s", id, listNames(st.stepOrder), didYouMean(id, st.stepOrder))
				ok = false
			}
			x.since = id
		} else {
			ok = false
		}
	}
	if o := v.get("ordered"); o != nil {
		b, bok := c.boolean(o, "ordered")
		ok = ok && bok
		if x.mode != exAll {
			c.err(o, "ordered only goes with all")
		}
		x.ordered = b
	}
	body := v.get(x.mode)
	switch x.mode {
	case exMatch, exNone:
		ok = pattern(body, x.mode) && ok
		x.patterns = []*node{body}
	case exAll:
		items, lok := c.list(body, "all")
		if lok && len(items) == 0 {
			c.err(body, "all: the list is empty")
		}
		for _, p := range items {
			ok = pattern(p, "all") && ok
			x.patterns = append(x.patterns, p)
		}
		ok = ok && lok
	case exCount:
		if c.object(body, "count", countKeys) && c.require(body, "count", "pattern") {
			p := body.get("pattern")
			ok = pattern(p, "count pattern") && ok
			x.patterns = []*node{p}
			if body.get("min") == nil && body.get("max") == nil {
				c.err(body, "count: give min, max or both")
				ok = false
			}
			if mv := body.get("min"); mv != nil {
				i, iok := c.integer(mv, "count.min", 0, 1<<30)
				x.min, ok = int(i), ok && iok
			}
			if mv := body.get("max"); mv != nil {
				i, iok := c.integer(mv, "count.max", 0, 1<<30)
				x.max, x.hasMax, ok = int(i), true, ok && iok
				if iok && i < int64(x.min) {
					c.err(mv, "count: max (%d) is less than min (%d)", i, x.min)
					ok = false
				}
			}
		} else {
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return x
}

// pattern validates a notification pattern (top is true) or a value pattern.
func (c *checker) pattern(n *node, what string, st *state, top bool) bool {
	if n == nil {
		return false
	}
	before := len(c.errs)
	if top {
		if !c.object(n, what+" pattern", patternKeys) {
			return false
		}
		if len(n.keys) == 0 {
			c.err(n, "%s: an empty pattern matches every notification; say what to match", what)
		}
		for i, k := range n.keys {
			v := n.vals[i]
			switch k.s {
			case "changeType":
				if v.k == kString {
					c.enum(v, "changeType", changeTypes)
				} else {
					c.value(v, "changeType", st, 0)
				}
			case "resource", "resourceUrl":
				if s, ok := c.str(v, k.s); ok {
					if !strings.HasPrefix(s, "/") {
						c.err(v, "%s: a resource path starts with / (e.g. /app/calls/${huddle}/participants)", k.s)
					}
					c.refs(v, st)
				}
			default:
				c.value(v, k.s, st, 0)
			}
		}
	} else {
		c.value(n, what, st, 0)
	}
	return len(c.errs) == before
}

// value validates a value pattern: operators, regexes and ${...} references.
func (c *checker) value(n *node, path string, st *state, depth int) {
	if depth > maxDepth {
		return
	}
	switch n.k {
	case kString:
		c.refs(n, st)
	case kSeq:
		for _, v := range n.vals {
			c.value(v, path+"[]", st, depth+1)
		}
	case kMap:
		ops, plain := 0, 0
		for _, k := range n.keys {
			if strings.HasPrefix(k.s, "$") {
				ops++
			} else {
				plain++
			}
		}
		if ops > 0 && plain > 0 {
			c.err(n, "%s: a mapping has either operators ($regex, $exists, ...) or fields, not both", path)
			return
		}
		for i, k := range n.keys {
			v := n.vals[i]
			if ops == 0 {
				c.value(v, path+"."+k.s, st, depth+1)
				continue
			}
			switch k.s {
			case "$regex":
				if s, ok := c.str(v, "$regex"); ok {
					c.refs(v, st)
					if _, err := regexp.Compile(placeholderRefs(s)); err != nil {
						c.err(v, "$regex: %s", regexError(err))
					}
				}
			case "$exists":
				c.boolean(v, "$exists")
			case "$ne":
				c.value(v, path, st, depth+1)
			case "$in":
				if items, ok := c.list(v, "$in"); ok {
					for _, x := range items {
						c.value(x, path, st, depth+1)
					}
				}
			case "$len":
				if v.k == kNumber {
					c.integer(v, "$len", 0, math.MaxInt32)
				} else if v.k == kMap {
					c.value(v, path+".$len", st, depth+1)
				} else {
					c.err(v, "$len: expected a whole number or an operator mapping, got %s", describe(v))
				}
			case "$gt", "$gte", "$lt", "$lte":
				c.number(v, k.s)
			default:
				c.err(k, "unknown operator %q (operators: %s)%s", k.s, listNames(operatorNames), didYouMean(k.s, operatorNames))
			}
		}
	}
}

func regexError(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return se.Code.String() + ": " + se.Expr
	}
	return err.Error()
}

var refRE = regexp.MustCompile(`\$\{([^}]*)\}`)

// placeholderRefs replaces ${...} with a plain word so a regex can be checked before ids exist.
func placeholderRefs(s string) string { return refRE.ReplaceAllString(s, "x") }

// refs checks the ${NAME} references of a string: calls, earlier steps that created something,
// identities.
func (c *checker) refs(n *node, st *state) {
	s := n.s
	if strings.Contains(s, "${") {
		rest := s
		for {
			i := strings.Index(rest, "${")
			if i < 0 {
				break
			}
			if !strings.Contains(rest[i:], "}") {
				c.err(n, "unclosed ${ in %q", s)
				return
			}
			rest = rest[i+2:]
		}
	}
	for _, m := range refRE.FindAllStringSubmatch(s, -1) {
		name := m[1]
		if sp := st.stepIDs[name]; sp != nil {
			if !specOf[sp.kind].creates {
				c.err(n, "${%s}: step %q is a %s step and creates no operation or call", name, name, sp.kind)
			}
			continue
		}
		if _, ok := st.callKind[name]; ok {
			continue
		}
		if contains(st.idents, name) {
			continue
		}
		cands := append(append(append([]string(nil), st.calls...), st.stepOrder...), st.idents...)
		hint := didYouMean(name, cands)
		if st.allCalls[name] {
			c.err(n, "${%s}: call %q is created by a later step", name, name)
			continue
		}
		c.err(n, "${%s}: no call, earlier step id or identity is named %q (calls: %s)%s", name, name, listNames(st.calls), hint)
	}
}
