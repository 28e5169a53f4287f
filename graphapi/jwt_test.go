package graphapi

import (
	"slices"
	"testing"
)

// TestDefaultRolesNotShared: a caller that changes the roles it got does not change the next
// caller's (DefaultRoles is a function, not package state).
func TestDefaultRolesNotShared(t *testing.T) {
	want := []string{"Calls.Initiate.All", "Calls.InitiateGroupCall.All", "Calls.JoinGroupCall.All", "Calls.AccessMedia.All"}
	r := DefaultRoles()
	r[0] = "Changed"
	_ = append(r[:1], "More") // writes into the returned array
	if got := DefaultRoles(); !slices.Equal(got, want) {
		t.Fatalf("DefaultRoles() = %v after a caller changed its copy, want %v", got, want)
	}
}
