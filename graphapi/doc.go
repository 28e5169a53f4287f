// Package graphapi is `callsim serve`: the Graph-compatible HTTP surface (the calling routes
// under /v1.0 and /beta, with auth, body limits and Graph error bodies), webhook delivery of the
// engine's notifications to the bot (RS256 bearer tokens, retries, bounded queues, every
// attempt recorded), the OpenID configuration and JWKS that let a bot verify those tokens, the
// /_callsim/ control API, and the JSON Lines transcript of a served session.
//
// It owns the network and the wall clock of serve mode; it must not touch the engine except
// through sim.Driver (Do, With, Emit, Subscribe and the clock calls), must not decide Graph
// behaviour (routes, shapes and errors of the calling API are the engine's), and must not post
// callbacks anywhere but loopback unless the user allowed the host.
package graphapi
