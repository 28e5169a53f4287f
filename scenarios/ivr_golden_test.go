package scenarios

import (
	"path/filepath"
	"testing"
)

// The IVR and voicemail built-ins (ivr-prompt, ivr-tones, record-response): golden transcripts
// in v1, the profile they name. Run with -update to rewrite them.

var ivrBuiltins = []string{"ivr-prompt", "ivr-tones", "record-response"}

func TestIVRBuiltinGoldenTranscripts(t *testing.T) {
	for _, name := range ivrBuiltins {
		t.Run(name, func(t *testing.T) {
			got, _ := runTranscript(t, name, "v1")
			checkGolden(t, filepath.Join("testdata", name+".v1.golden"), got, "IVRBuiltinGolden")
		})
	}
}
