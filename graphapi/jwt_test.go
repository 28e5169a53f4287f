package graphapi

import (
	"slices"
	"testing"
)

// TestDefaultRolesNotShared: a caller that changes the roles it got does not change the next
// caller's (DefaultRoles is a function, not package state), and a minted app token without roles
// carries them.
func TestDefaultRolesNotShared(t *testing.T) {
	want := []string{"Calls.Initiate.All", "Calls.InitiateGroupCall.All", "Calls.JoinGroupCall.All", "Calls.AccessMedia.All"}
	r := DefaultRoles()
	r[0] = "Changed"
	r = append(r[:1], "More")
	_ = r
	if got := DefaultRoles(); !slices.Equal(got, want) {
		t.Fatalf("DefaultRoles() = %v after a caller changed its copy, want %v", got, want)
	}
}
