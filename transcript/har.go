package transcript

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/callsim/callsim/sim"
)

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the parts callsim fills.
type harLog struct {
	Log struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// HAR writes every HTTP exchange as a HAR 1.2 archive: the bot's requests to Graph (base is
// the Graph origin they are shown against, e.g. https://graph.microsoft.com) with Graph's
// answers, and each notification as a POST to the bot's callback. Times are virtual: the
// archive starts at the transcript's epoch.
func (t *Transcript) HAR(w io.Writer, base string) error {
	var h harLog
	h.Log.Version = "1.2"
	h.Log.Creator = harCreator{Name: "callsim", Version: sim.TranscriptFormat}
	h.Log.Entries = []harEntry{}
	epoch := t.epoch
	if epoch.IsZero() {
		epoch = time.Unix(0, 0).UTC()
	}
	stamp := func(ms int64) string {
		return epoch.Add(time.Duration(ms) * time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	var pending *sim.Record
	flush := func(resp *sim.Record) {
		if pending == nil {
			return
		}
		e := harEntry{StartedDateTime: stamp(pending.T), Request: harRequest{Method: pending.Method, URL: base + pending.Path,
			HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{}, QueryString: []harNV{}, HeadersSize: -1, BodySize: len(pending.Body)}}
		if len(pending.Body) > 0 {
			e.Request.Headers = append(e.Request.Headers, harNV{"Content-Type", "application/json"})
			e.Request.PostData = &harPostData{MimeType: "application/json", Text: string(pending.Body)}
		}
		e.Response = harResponse{HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{}, HeadersSize: -1, BodySize: -1}
		if resp != nil {
			e.Time = float64(resp.T - pending.T)
			e.Timings.Wait = e.Time
			e.Response.Status = resp.Status
			e.Response.StatusText = http.StatusText(resp.Status)
			e.Response.Headers = append(e.Response.Headers, harNV{"request-id", resp.RequestID})
			if resp.Location != "" {
				e.Response.Headers = append(e.Response.Headers, harNV{"Location", resp.Location})
			}
			e.Response.BodySize = len(resp.Body)
			e.Response.Content = harContent{Size: len(resp.Body), MimeType: "application/json", Text: string(resp.Body)}
		}
		h.Log.Entries = append(h.Log.Entries, e)
		pending = nil
	}
	for i := range t.Records {
		r := &t.Records[i]
		switch r.Type {
		case sim.RecRequest:
			flush(nil)
			pending = r
		case sim.RecResponse:
			if pending != nil && pending.Path == r.Path && pending.Method == r.Method {
				flush(r)
			}
		case sim.RecNotification:
			flush(nil)
			h.Log.Entries = append(h.Log.Entries, harEntry{
				StartedDateTime: stamp(r.T),
				Comment:         "notification from Graph to the bot",
				Request: harRequest{Method: "POST", URL: r.CallbackURI, HTTPVersion: "HTTP/1.1", Cookies: []harNV{},
					Headers:     []harNV{{"Content-Type", "application/json"}, {"Authorization", "Bearer <token>"}},
					QueryString: []harNV{}, PostData: &harPostData{MimeType: "application/json", Text: string(r.Body)},
					HeadersSize: -1, BodySize: len(r.Body)},
				// the transcript has no bot answer for a notification (serve mode has delivery records)
				Response: harResponse{Status: 202, StatusText: "Accepted", HTTPVersion: "HTTP/1.1", Cookies: []harNV{},
					Headers: []harNV{}, Content: harContent{MimeType: "application/json"}, HeadersSize: -1, BodySize: 0},
			})
		}
	}
	flush(nil)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(h)
}
