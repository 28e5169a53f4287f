// Package graphapi is `callsim serve`: the Graph-compatible HTTP surface (the calling routes
// under /v1.0 and /beta, with auth, body limits and Graph error bodies), webhook delivery of the
// engine's notifications to the bot (RS256 bearer tokens, retries, bounded queues, every
// attempt recorded in serve's own delivery log), the OpenID configuration and JWKS that let a
// bot verify those tokens (also in the Bot Framework shape at /v1/), HTTPS with callsim's local
// CA (tlsca.go), an Entra-style token endpoint and its discovery documents (sts.go), the /_callsim/ control API, and the JSON Lines transcript and SSE
// stream of a served session (the engine's records joined with the delivery log: Feed).
//
// It owns the network and the wall clock of serve mode; it must not touch the engine except
// through sim.Driver (inputs: Do, DoAll, DeliveryFault; typed queries: Config, World, Faults,
// FindIdentity, FindCall; Subscribe and the clock calls), never writes records into the
// engine's timeline, must not decide Graph
// behaviour (routes, shapes and errors of the calling API are the engine's), and must not post
// callbacks anywhere but loopback unless the user allowed the host.
package graphapi
