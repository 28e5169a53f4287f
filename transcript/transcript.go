// Package transcript reads callsim's JSON Lines transcripts and turns them into other formats:
// a Mermaid sequence diagram of the call flow (for slides and docs) and a HAR 1.2 archive of
// every HTTP exchange, the bot's requests and Graph's notifications alike (for HAR viewers).
//
// It only reads what the engine and the player wrote; it must not run a simulation.
package transcript

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/callsim/callsim/sim"
)

// Header is the transcript's first line.
type Header struct {
	Type     string `json:"type"`
	Format   string `json:"format"`
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Profile  string `json:"profile"`
	Epoch    string `json:"epoch"`
}

// Transcript is a parsed transcript.
type Transcript struct {
	Header  Header
	Records []sim.Record
	epoch   time.Time
}

// Read parses a transcript. Errors name the line.
func Read(r io.Reader) (*Transcript, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	t := &Transcript{}
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(b, &probe); err != nil {
			return nil, fmt.Errorf("line %d: not JSON: %v", line, err)
		}
		switch probe.Type {
		case "header":
			if err := json.Unmarshal(b, &t.Header); err != nil {
				return nil, fmt.Errorf("line %d: header: %v", line, err)
			}
			if t.Header.Format != sim.TranscriptFormat {
				return nil, fmt.Errorf("line %d: format %q, want %q", line, t.Header.Format, sim.TranscriptFormat)
			}
			if ep, err := time.Parse(time.RFC3339, t.Header.Epoch); err == nil {
				t.epoch = ep
			}
		case "summary":
		default:
			var rec sim.Record
			if err := json.Unmarshal(b, &rec); err != nil {
				return nil, fmt.Errorf("line %d: record: %v", line, err)
			}
			t.Records = append(t.Records, rec)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if t.Header.Format == "" {
		return nil, fmt.Errorf("no header line: is this a callsim transcript?")
	}
	return t, nil
}

// item is the first value of a notification's envelope.
type item struct {
	ChangeType   string          `json:"changeType"`
	Resource     string          `json:"resource"`
	ResourceData json.RawMessage `json:"resourceData"`
}

func noteItem(body json.RawMessage) (item, bool) {
	var env struct {
		Value []item `json:"value"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Value) == 0 {
		return item{}, false
	}
	return env.Value[0], true
}

// summary says what a notification is about in a few words: "status completed",
// "state terminated", "roster 3".
func (it item) summary() string {
	var obj map[string]any
	if json.Unmarshal(it.ResourceData, &obj) == nil {
		var parts []string
		for _, k := range []string{"status", "state", "terminationReason"} {
			if v, ok := obj[k].(string); ok {
				parts = append(parts, k+" "+v)
			}
		}
		if ri, ok := obj["resultInfo"].(map[string]any); ok {
			sub := ri["subcode"]
			if sub == nil {
				sub = ri["subCode"]
			}
			parts = append(parts, fmt.Sprintf("%v/%v", ri["code"], sub))
		}
		return strings.Join(parts, " ")
	}
	var list []map[string]any
	if json.Unmarshal(it.ResourceData, &list) == nil {
		if len(list) == 1 && list[0]["@odata.type"] == "#microsoft.graph.deltaParticipants" {
			ps, _ := list[0]["participants"].([]any)
			return fmt.Sprintf("roster delta %d", len(ps))
		}
		return fmt.Sprintf("roster %d", len(list))
	}
	return ""
}
