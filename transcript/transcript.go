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
	// Cut says what is missing when the file ends before its run did (a process killed mid-write:
	// a torn last line, no summary line); empty for a whole transcript. Read keeps what is whole.
	Cut   []string
	epoch time.Time
}

// maxLine bounds one line of a transcript.
const maxLine = 64 << 20

// Read parses a transcript. Errors name the line. A transcript cut short (a torn last line
// without its newline, a missing summary) is read up to the cut, which Cut describes; a broken
// line anywhere else is an error.
func Read(r io.Reader) (*Transcript, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	t := &Transcript{}
	line := 0
	summary := false
	for {
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a long line: gather it
			buf := append([]byte(nil), b...)
			for err == bufio.ErrBufferFull && len(buf) <= maxLine {
				b, err = br.ReadSlice('\n')
				buf = append(buf, b...)
			}
			if len(buf) > maxLine {
				return nil, fmt.Errorf("line %d: longer than %d bytes", line+1, maxLine)
			}
			b = buf
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if len(b) == 0 && err == io.EOF {
			break
		}
		line++
		torn := err == io.EOF // the last line, without its newline
		if len(strings.TrimSpace(string(b))) == 0 {
			if torn {
				break
			}
			continue
		}
		var probe struct {
			Type string `json:"type"`
		}
		if perr := json.Unmarshal(b, &probe); perr != nil {
			if torn && t.Header.Format != "" {
				t.Cut = append(t.Cut, fmt.Sprintf("line %d is cut off (%d bytes of a record, no newline): left out", line, len(b)))
				break
			}
			return nil, fmt.Errorf("line %d: not JSON: %v", line, perr)
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
			summary = true
		default:
			var rec sim.Record
			if err := json.Unmarshal(b, &rec); err != nil {
				return nil, fmt.Errorf("line %d: record: %v", line, err)
			}
			t.Records = append(t.Records, rec)
		}
		if torn {
			break
		}
	}
	if t.Header.Format == "" {
		return nil, fmt.Errorf("no header line: is this a callsim transcript?")
	}
	if !summary {
		t.Cut = append(t.Cut, fmt.Sprintf("no summary line: the run ended without finishing its transcript (%d records read)", len(t.Records)))
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
