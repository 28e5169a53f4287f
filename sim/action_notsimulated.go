package sim

// notSimulated: the routes of real Graph operations callsim does not simulate (graph.NotSimulated
// in the route table) answer 501 NotImplemented. A 404 would read as "call gone" to a bot
// (spec graph-surface.md §1).

import "github.com/callsim/callsim/sim/graph"

func init() {
	register(&action{name: graph.NotSimulated, handle: func(_ *Engine, rq *request) answer {
		return fail(501, "NotImplemented", "%s is not simulated by callsim.", rq.route.Name())
	}})
}
