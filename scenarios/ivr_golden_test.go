package scenarios

import (
	"bytes"
	"os"
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
			path := filepath.Join("testdata", name+".v1.golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./scenarios -run IVRBuiltinGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("transcript differs from %s (run with -update if the change is intended):\n%s", path, firstDiff(want, got))
			}
		})
	}
}
