package graphapi

import "testing"

// serve's empty world is v1 unless --profile says otherwise (issue 15 part 1).
func TestServeDefaultProfile(t *testing.T) {
	for _, tc := range []struct{ profile, want string }{{"", "v1"}, {"seed", "seed"}, {"v1", "v1"}} {
		t.Run("profile="+tc.profile, func(t *testing.T) {
			s := startServer(t, nil, func(o *Options) { o.Profile = tc.profile })
			if got := call(t, "GET", s.BaseURL()+"/_callsim/world", "").json(t)["profile"]; got != tc.want {
				t.Fatalf("GET /_callsim/world profile %v, want %s", got, tc.want)
			}
		})
	}
}
