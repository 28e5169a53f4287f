package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap holds every key binding of the TUI. Help, the help bar and docs/keys.md are generated
// from it; nothing else names a key.
type KeyMap struct {
	// main screen: actions on the simulation
	Invite, Faults, NewCall, Incoming, Answer, HangUp, Remove, Mute, Prompt, Tones, Press key.Binding
	// main screen: the far end's media and the bot's hold music and screen sharing (media keys)
	Hold, Media, HoldMusic, Share, ShareRole key.Binding
	Transfer, Redirect                       key.Binding
	// main screen: the bot's own mute and recording status; the far end mutes itself, joins
	MuteBot, Recording, SelfMute, Join, Leave key.Binding
	// main screen: someone admits a participant (or the bot) waiting in a meeting's lobby
	Admit key.Binding
	// the bot's answer to a recording call's joiner, while one waits (policyprompt.go)
	JoinAccept, JoinReject, JoinInvite, JoinLater key.Binding
	// main screen: the clock
	Pause, Step, Forward, Back, Undo, Faster, Slower, Restart key.Binding
	// main screen: focus and views
	NextPane, PrevPane, Pane1, Pane2, Pane3, Pane4, Pane5 key.Binding
	Filter, Copy, Save, Clear, Help, Quit                 key.Binding
	// main screen: the call-flow ladder (ladder.go)
	Ladder key.Binding
	// main screen: the meetings view (meetings.go)
	Meetings key.Binding
	// main screen: the far-end and bot action menus (farend.go) and teach mode (teach.go)
	FarEnd, Actions, Teach key.Binding
	// the keypad (farend.go) and teach mode's own keys
	KeypadPress, TeachNext, TeachPrev, TeachCopy key.Binding
	// main screen: load another scenario (loadform.go)
	Load key.Binding
	// main screen: the caption history (captions.go); esc, C or q close it
	Captions, CaptionsClose key.Binding
	// main screen: moving in the focused pane
	Up, Down, PageUp, PageDown, Top, Bottom, Open key.Binding

	// forms (invite, fault panel, new call, incoming call)
	FormNext, FormPrev, FormUp, FormDown, FormLeft, FormRight, FormMark, FormSubmit, FormClose key.Binding
	Disarm, DisarmAll                                                                          key.Binding

	// the feed filter line
	FilterApply, FilterCancel key.Binding

	// the full help screen
	HelpClose key.Binding

	// a confirmation question (removing the bot, hanging up, restarting; confirm.go)
	ConfirmYes, ConfirmNo key.Binding
}

// DefaultKeyMap returns the bindings of issue 3's contract plus navigation.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Invite:   b([]string{"i"}, "i", "invite"),
		Faults:   b([]string{"f"}, "f", "faults"),
		NewCall:  b([]string{"n"}, "n", "new call"),
		Incoming: b([]string{"c"}, "c", "incoming call"),
		Answer:   b([]string{"a"}, "a", "answer"),
		HangUp:   b([]string{"h"}, "h", "hang up"),
		Remove:   b([]string{"x"}, "x", "remove participant"),
		Mute:     b([]string{"m"}, "m", "mute participant"),
		Prompt:   b([]string{"p"}, "p", "play a prompt"),
		Tones:    b([]string{"t"}, "t", "subscribe to tones"),
		Press:    b([]string{"d"}, "d", "participant presses 1"),
		Transfer: b([]string{"T"}, "T", "transfer the call"),
		Redirect: b([]string{"R"}, "R", "redirect an incoming call"),

		Hold:      b([]string{"o"}, "o", "participant holds / resumes"),
		Media:     b([]string{"O"}, "O", "call media drops / returns"),
		HoldMusic: b([]string{"H"}, "H", "hold music on / off"),
		Share:     b([]string{"V"}, "V", "participant shares screen / stops"),
		ShareRole: b([]string{"B"}, "B", "bot screen sharing role"),

		MuteBot:   b([]string{"M"}, "M", "mute/unmute the bot"),
		Recording: b([]string{"e"}, "e", "bot recording status: recording/notRecording"),
		SelfMute:  b([]string{"S"}, "S", "participant mutes/unmutes themselves"),
		Join:      b([]string{"J"}, "J", "someone from the directory joins the group call"),
		Leave:     b([]string{"L"}, "L", "the selected participant hangs up (leaves)"),
		Admit:     b([]string{"A"}, "A", "admit the selected participant (or the bot) from the lobby"),

		Pause:   b([]string{"space"}, "space", "pause/resume"),
		Step:    b([]string{"."}, ".", "step"),
		Forward: b([]string{"]"}, "]", "forward to the next notification"),
		Back:    b([]string{"["}, "[", "back one event"),
		Undo:    b([]string{"u"}, "u", "undo the last real action (the clock stays)"),
		Faster:  b([]string{"+", "="}, "+", "faster"),
		Slower:  b([]string{"-", "_"}, "-", "slower"),
		Restart: b([]string{"r"}, "r", "restart"),

		NextPane: b([]string{"tab"}, "tab", "next pane"),
		PrevPane: b([]string{"shift+tab"}, "shift+tab", "previous pane"),
		Pane1:    b([]string{"1"}, "1", "focus calls"),
		Pane2:    b([]string{"2"}, "2", "focus roster"),
		Pane3:    b([]string{"3"}, "3", "focus operations"),
		Pane4:    b([]string{"4"}, "4", "focus feed"),
		Pane5:    b([]string{"5"}, "5", "focus detail"),
		Filter:   b([]string{"/"}, "/", "filter the feed"),
		Copy:     b([]string{"y"}, "y", "copy JSON"),
		Save:     b([]string{"s"}, "s", "save the session as a scenario"),
		Clear:    b([]string{"esc"}, "esc", "clear filter, follow tail"),
		Help:     b([]string{"?"}, "?", "help"),
		Quit:     b([]string{"q", "ctrl+c"}, "q", "quit"),
		Ladder:   b([]string{"l"}, "l", "call-flow ladder of the selected call on / off"),
		Meetings: b([]string{"w"}, "w", "meetings view on / off: people, lobby, organizer"),
		FarEnd:   b([]string{"F"}, "F", "far-end menu: what the selected person does (keypad, hold, leave, share...)"),
		Actions:  b([]string{"b"}, "b", "bot action menu: every bot action for the selection"),
		Teach:    b([]string{"v"}, "v", "teach mode: the selected request as HTTP, curl and Go SDK code"),

		KeypadPress: b([]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"}, "0-9 * #", "press the key (one press step each)"),
		TeachNext:   b([]string{"tab", "right"}, "tab", "next view (HTTP, curl, Go SDK)"),
		TeachPrev:   b([]string{"shift+tab", "left"}, "shift+tab", "previous view"),
		TeachCopy:   b([]string{"y"}, "y", "copy the view shown (OSC 52)"),
		Captions:    b([]string{"C"}, "C", "caption history"),
		Load:        b([]string{"P"}, "P", "load (play) another scenario (asks first)"),

		CaptionsClose: b([]string{"esc", "C", "q"}, "esc", "close the caption history"),

		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+f"}, "pgdn", "page down"),
		Top:      b([]string{"home", "g"}, "g", "first"),
		Bottom:   b([]string{"end", "G"}, "G", "last (follow tail)"),
		Open:     b([]string{"enter"}, "enter", "show in detail"),

		FormNext:   b([]string{"tab"}, "tab", "next field"),
		FormPrev:   b([]string{"shift+tab"}, "shift+tab", "previous field"),
		FormUp:     b([]string{"up"}, "↑", "previous entry"),
		FormDown:   b([]string{"down"}, "↓", "next entry"),
		FormLeft:   b([]string{"left"}, "←", "previous choice"),
		FormRight:  b([]string{"right"}, "→", "next choice"),
		FormMark:   b([]string{"space"}, "space", "mark / unmark"),
		FormSubmit: b([]string{"enter"}, "enter", "send"),
		FormClose:  b([]string{"esc", "ctrl+c"}, "esc", "close"),
		Disarm:     b([]string{"d", "delete"}, "d", "disarm the highlighted fault"),
		DisarmAll:  b([]string{"D"}, "D", "disarm every fault"),

		FilterApply:  b([]string{"enter"}, "enter", "keep the filter"),
		FilterCancel: b([]string{"esc", "ctrl+c"}, "esc", "drop the filter"),

		HelpClose: b([]string{"esc", "?", "q"}, "esc", "close help"),

		ConfirmYes: b([]string{"y"}, "y", "yes, do it"),
		JoinAccept: b([]string{"y"}, "y", "accept the joiner (acceptJoinResponse)"),
		JoinReject: b([]string{"n"}, "n", "reject the joiner (rejectJoinResponse)"),
		JoinInvite: b([]string{"I"}, "I", "invite another bot to record them (inviteNewBotResponse, to the call's callback)"),
		JoinLater:  b([]string{"esc"}, "esc", "do not answer (the 5 s window keeps them out)"),
		ConfirmNo:  b([]string{"n", "esc"}, "n", "no (any other key also declines)"),
	}
}

// Scope is a set of bindings that are live at the same time.
type Scope struct {
	Name     string
	Title    string
	Groups   [][]key.Binding
	textOnly bool // a text field takes printable keys before these bindings
}

// Scopes lists every scope in the order docs/keys.md shows them.
func (k KeyMap) Scopes() []Scope {
	return []Scope{
		{Name: "main", Title: "Main screen", Groups: [][]key.Binding{
			{k.Invite, k.Faults, k.NewCall, k.Incoming, k.Answer, k.HangUp, k.Remove, k.Mute, k.Prompt, k.Tones, k.Press},
			{k.Hold, k.Media, k.HoldMusic, k.Share, k.ShareRole},
			{k.Transfer, k.Redirect},
			{k.MuteBot, k.Recording, k.SelfMute, k.Join, k.Leave, k.Admit},
			{k.Pause, k.Step, k.Forward, k.Back, k.Undo, k.Faster, k.Slower, k.Restart},
			{k.NextPane, k.PrevPane, k.Pane1, k.Pane2, k.Pane3, k.Pane4, k.Pane5},
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open},
			{k.Filter, k.Copy, k.Save, k.Clear, k.Help, k.Quit},
			{k.Ladder},
			{k.Meetings},
			{k.FarEnd, k.Actions, k.Teach},
			{k.Load},
			{k.Captions},
		}},
		{Name: "form", Title: "Invite form, new call, incoming call", textOnly: true, Groups: [][]key.Binding{
			{k.FormNext, k.FormPrev, k.FormUp, k.FormDown, k.FormLeft, k.FormRight, k.FormMark, k.FormSubmit, k.FormClose},
		}},
		{Name: "faults", Title: "Fault panel", textOnly: true, Groups: [][]key.Binding{
			{k.FormNext, k.FormPrev, k.FormUp, k.FormDown, k.FormLeft, k.FormRight, k.FormSubmit, k.Disarm, k.DisarmAll, k.FormClose},
		}},
		{Name: "filter", Title: "Feed filter", textOnly: true, Groups: [][]key.Binding{
			{k.FilterApply, k.FilterCancel},
		}},
		{Name: "menu", Title: "Far-end menu (F) and bot action menu (b)", Groups: [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.FormSubmit, k.FormClose},
		}},
		{Name: "keypad", Title: "Keypad (F, then press keys)", Groups: [][]key.Binding{{k.KeypadPress, k.FormClose}}},
		{Name: "teach", Title: "Teach mode (v)", Groups: [][]key.Binding{
			{k.TeachNext, k.TeachPrev, k.TeachCopy, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.FormClose},
		}},
		{Name: "help", Title: "Full help", Groups: [][]key.Binding{{k.HelpClose}}},
		{Name: "load", Title: "Scenario list (P)", Groups: [][]key.Binding{{k.FormUp, k.FormDown, k.FormSubmit, k.FormClose}}},
		{Name: "confirm", Title: "Confirmation (x on the bot, h, r, loading a scenario; skipped with --no-confirm)", Groups: [][]key.Binding{{k.ConfirmYes, k.ConfirmNo}}},
		{Name: "joiner", Title: "A recording call's joiner waits for the bot's answer (callsim plays the bot)", Groups: [][]key.Binding{{k.JoinAccept, k.JoinReject, k.JoinInvite, k.JoinLater}}},
		{Name: "captions", Title: "Caption history (C)", Groups: [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.CaptionsClose}}},
	}
}

// Conflicts reports keys that two enabled bindings of one scope share.
func (k KeyMap) Conflicts() []string {
	var out []string
	for _, s := range k.Scopes() {
		seen := map[string]string{}
		for _, g := range s.Groups {
			for _, b := range g {
				if !b.Enabled() {
					continue
				}
				for _, key := range b.Keys() {
					if prev, ok := seen[key]; ok && prev != b.Help().Desc {
						out = append(out, fmt.Sprintf("%s: %q is bound to %q and %q", s.Name, key, prev, b.Help().Desc))
					}
					seen[key] = b.Help().Desc
				}
			}
		}
	}
	return out
}

// Markdown renders the key reference (docs/keys.md).
func (k KeyMap) Markdown() string {
	var sb strings.Builder
	sb.WriteString("# callsim TUI keys\n\n")
	sb.WriteString("Generated from `ui.DefaultKeyMap()` by `go test ./ui -run TestKeysDoc -update`; a test fails when this file is stale.\n")
	for _, s := range k.Scopes() {
		fmt.Fprintf(&sb, "\n## %s\n\n", s.Title)
		if s.textOnly {
			sb.WriteString("A focused text field takes printable keys first (typing `q` there never quits).\n\n")
		}
		sb.WriteString("| Keys | Action |\n|---|---|\n")
		for _, g := range s.Groups {
			for _, b := range g {
				if !b.Enabled() {
					continue
				}
				keys := make([]string, len(b.Keys()))
				for i, kk := range b.Keys() {
					keys[i] = "`" + kk + "`"
				}
				fmt.Fprintf(&sb, "| %s | %s |\n", strings.Join(keys, ", "), b.Help().Desc)
			}
		}
	}
	sb.WriteString("\nMouse (unless `--no-mouse`): a click focuses a pane and selects the row under it; the wheel scrolls the pane under the pointer.\n")
	return sb.String()
}
